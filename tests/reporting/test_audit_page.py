"""The policy-audit page: it audits the published (quarterly) report, names that run, and states
targets as the other pages do."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures import PERIOD, data_only_run, small_dataset
from perfmodel.reporting import runner, sections


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return small_dataset(tmp_path_factory.mktemp("audit_page") / "data")


def _run(out: Path, run_id: str, notebook: str, status: str = "complete") -> Path:
    run = out / PERIOD / run_id
    run.mkdir(parents=True)
    (run / "manifest.json").write_text(json.dumps({"status": status, "parameters": {"notebook": notebook}}),
                                       encoding="utf-8")
    return run


def test_the_audit_notebook_audits_the_latest_quarterly_report_not_a_later_calibration(data, tmp_path):
    out = tmp_path / "reports"
    quarterly = _run(out, "20260101T000000Z-0000000a", "quarterly")
    _run(out, "20260102T000000Z-0000000b", "calibration")  # later, but not the published report
    _run(out, "20260103T000000Z-0000000c", "audit")
    spec, _ = runner.validate(period=PERIOD, notebook="audit", data_dir=data, out=out)
    assert spec.audit_run == quarterly
    with pytest.raises(Exception, match="no complete run to audit"):
        runner.validate(period=PERIOD, notebook="audit", data_dir=data, out=tmp_path / "empty")


@pytest.fixture
def shown(monkeypatch):
    """Everything a section displays, as text (Markdown source or HTML)."""
    out = []
    monkeypatch.setattr("perfmodel.reporting.display._display", lambda *objs: out.extend(getattr(o, "data", str(o)) for o in objs))
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_names_the_run_and_states_targets_as_the_other_pages(data, tmp_path, shown, lang):
    run = data_only_run(data, tmp_path / "reports")
    actx = sections.build_audit_context(str(run), "", lang=lang, reports=str(tmp_path / "reports"))
    sections.show_verification(actx)
    sections.show_recorded_policy(actx)
    page = "\n".join(shown)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    said = next(s for s in shown if ("Audited run" if lang == "en" else "审计对象") in s)
    for value in (run.name, PERIOD, manifest["created_at"], str(data)):
        assert sections.md_escape(value) in said, value
    # the efficiency preset: complaint resolution rate target 0.80 (a rate), csat 4.30 (a score)
    assert "≥ 80.0 %" in page and "≥ 4.30" in page
    assert ">0.8<" not in page
