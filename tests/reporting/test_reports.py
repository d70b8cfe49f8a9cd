"""The report runner, its HTML and Excel outputs, the figures' fonts and the report text."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from fixtures import PERIOD, small_dataset
from perfmodel.data.dataset import Dataset
from perfmodel.core.errors import DataError, PeriodError, PolicyError, UsageError
from perfmodel.core.i18n import LABELS, t
from perfmodel.reporting import runner, sections
from perfmodel.reporting.excel import write_workbook
from perfmodel.reporting.html import external_urls
from perfmodel.audit.runs import format_runs, list_runs

URL = re.compile(r"https?://", re.IGNORECASE)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return small_dataset(tmp_path_factory.mktemp("reports") / "data")


def _tickets_dataset(first: str, last: str) -> Dataset:
    created = pd.to_datetime([first, "2026-01-15 10:00", last])
    return Dataset(tables={"supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
                           "tickets": pd.DataFrame({"ticket_id": ["a", "b", "c"], "supervisor_id": ["S1"] * 3,
                                                    "created_at": created})})


# --------------------------------------------------------------------------- periods and run folders

def test_latest_complete_period_needs_data_up_to_the_end_of_the_quarter():
    assert runner.latest_complete_period(_tickets_dataset("2025-10-01 08:00", "2026-09-30 17:00")) == "2026Q3"
    # data stopping in mid-August: Q3 is not complete
    assert runner.latest_complete_period(_tickets_dataset("2025-10-01 08:00", "2026-08-15 17:00")) == "2026Q2"
    # a first quarter that starts in its middle is left out of --all
    assert runner.data_periods(_tickets_dataset("2025-11-20 08:00", "2026-09-30 17:00"), complete_only=True) == \
        ["2026Q1", "2026Q2", "2026Q3"]
    assert runner.data_periods(_tickets_dataset("2025-11-20 08:00", "2026-09-30 17:00"), complete_only=False) == \
        ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]


def test_run_ids_and_run_folders_never_collide(tmp_path):
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", runner.new_run_id())
    made = [runner.create_run_dir(tmp_path, "2026Q3") for _ in range(20)]
    ids = [run_id for run_id, _ in made]
    assert len(set(ids)) == 20
    assert all(p.is_dir() and not any(p.iterdir()) for _, p in made)
    assert sorted(p.name for p in (tmp_path / "2026Q3").iterdir()) == sorted(ids)


# --------------------------------------------------------------------------- validation (exit 2, one line)

def test_parameters_are_validated_before_anything_runs(data, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(PeriodError, match="2026Q5"):
        runner.validate(period="2026Q5", data_dir=data, out=out)
    with pytest.raises(PeriodError, match="not in the data"):
        runner.validate(period="2019Q1", data_dir=data, out=out)
    with pytest.raises(DataError, match="data folder not found"):
        runner.validate(period="latest", data_dir=tmp_path / "nope", out=out)
    with pytest.raises(PolicyError, match="nosuch"):
        runner.validate(period="latest", data_dir=data, policy="nosuch", out=out)
    with pytest.raises(UsageError, match="lang"):
        runner.validate(period="latest", data_dir=data, lang="fr", out=out)
    with pytest.raises(UsageError, match="no complete run to audit"):
        runner.validate(period="latest", notebook="audit", data_dir=data, out=out)
    assert not out.exists()  # nothing was created


@pytest.mark.parametrize("args,needle", [
    (["--period", "2026Q5"], "2026Q5"),
    (["--period", "latest", "--data", "/nonexistent/data"], "/nonexistent/data"),
    (["--period", "latest", "--policy", "missing.yaml"], "missing.yaml"),
])
def test_cli_bad_parameters_exit_2_with_one_line(args, needle, data, tmp_path):
    full = ["report", *args]
    if "--data" not in args:
        full += ["--data", str(data)]
    r = subprocess.run([sys.executable, "-m", "perfmodel", *full, "--out", str(tmp_path / "r")],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and needle in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "r").exists()


# --------------------------------------------------------------------------- HTML

def _tiny_notebook(path: Path, fail: bool = False):
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    params = new_code_cell('lang = "zh"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [new_markdown_cell("editing notes", metadata={"tags": ["remove-from-report"]}), params,
                new_code_cell("from perfmodel import plotting\nimport pandas as pd\nplotting.setup(lang=lang)\n"
                              "scores = pd.DataFrame({'supervisor_id': ['S1', 'S2'], 'rating': ['A', 'B']})\n"
                              "plotting.rating_distribution(scores, lang=lang)"),
                new_code_cell("SECRET_SOURCE_TEXT = 1\n" + ("raise ValueError('boom 失败')" if fail else "print('输出')"))]
    nbformat.write(nb, str(path))


def test_html_has_no_code_no_external_urls_and_embedded_images(tmp_path):
    src = tmp_path / "t.ipynb"
    _tiny_notebook(src)
    err = runner.execute_notebook(src, tmp_path / "out.ipynb", {"lang": "zh", "unknown": 1}, tmp_path / "out.html")
    assert err is None
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "SECRET_SOURCE_TEXT" not in html and "plotting.setup" not in html and "editing notes" not in html
    assert "输出" in html
    assert "data:image/png;base64," in html
    assert not URL.search(html), URL.findall(html)[:3]
    assert external_urls(html) == []
    assert "<script src" not in html


def test_external_urls_are_detected():
    assert external_urls('<script src="https://cdn.example/x.js"></script>')
    assert external_urls("<style>@import url(//fonts.example/css);</style>")
    assert not external_urls('<img src="data:image/png;base64,AAAA">')


def test_a_failing_notebook_is_kept_with_its_error(tmp_path):
    src = tmp_path / "t.ipynb"
    _tiny_notebook(src, fail=True)
    err = runner.execute_notebook(src, tmp_path / "out.ipynb", {}, tmp_path / "out.html")
    assert err is not None and "ValueError" in err and "boom" in err
    nb = nbformat.read(str(tmp_path / "out.ipynb"), as_version=4)
    assert any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


# --------------------------------------------------------------------------- Excel

def test_workbook_is_formatted_and_deterministic(tmp_path):
    from openpyxl import load_workbook

    scores = pd.DataFrame({"supervisor_id": ["S1", "S2"], "name": ["王芳", "=cmd()"], "score": [91.234, np.nan],
                           "complaint_resolution_rate": [0.8, 0.75]})
    sheets = {"scores": scores, "manifest": pd.DataFrame({"item": ["run"], "value": ["x"]})}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = tmp_path / "a" / "scores.xlsx", tmp_path / "b" / "scores.xlsx"
    write_workbook(a, sheets, headers={"scores": {"score": "总分"}})
    write_workbook(b, sheets, headers={"scores": {"score": "总分"}})
    assert a.read_bytes() == b.read_bytes()
    wb = load_workbook(a)
    assert wb.sheetnames == ["scores", "manifest"]
    ws = wb["scores"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["supervisor_id", "name", "总分", "complaint_resolution_rate"]
    assert ws["A1"].font.b
    assert ws["C2"].value == pytest.approx(91.234) and ws["C2"].number_format == "#,##0.00"
    assert ws["D2"].number_format == "0.0%"
    assert ws["C3"].value is None
    assert ws["B3"].value == "=cmd()" and ws["B3"].data_type == "s"  # text, never a formula
    assert ws.column_dimensions["B"].width >= 8


# --------------------------------------------------------------------------- figures, fonts and text

def test_chinese_figures_render_without_missing_glyphs():
    import matplotlib

    matplotlib.use("Agg")
    from perfmodel.reporting import plotting

    assert plotting.cjk_font_path() is not None, "pip install mplfonts (Noto Sans CJK SC)"
    scores = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3"], "rating": ["S", "A", "B"],
                           "score": [92.0, 85.0, 71.0], "result_score": [95.0, 80.0, 70.0],
                           "process_score": [88.0, 90.0, 72.0], "period": ["2026Q3"] * 3})
    for lang in ("zh", "en"):
        plotting.setup(lang=lang)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for fig in (plotting.rating_distribution(scores, lang=lang), plotting.result_process_scatter(scores, lang=lang),
                        plotting.fragility_plot(pd.DataFrame({"label": ["S1 王芳", "S2 李娜"],
                                                              "p_same_rating": [0.9, 0.5]}), lang=lang)):
                fig.canvas.draw()
        assert not [w for w in caught if "Glyph" in str(w.message)], [str(w.message) for w in caught][:3]
    assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans CJK SC"


def test_every_label_has_english_and_chinese():
    for key, entry in LABELS.items():
        assert set(entry) == {"en", "zh"}, key
        assert entry["en"] and entry["zh"], key
    assert t("rating_distribution", lang="zh") == "评级分布"
    assert t("quarterly_title", lang="en", period="2026Q3") == "Quarterly performance report — 2026Q3"


def test_percentile_matches_scipy():
    from scipy.stats import percentileofscore

    s = pd.Series([50.0, 60.0, 60.0, 70.0, 90.0, np.nan])
    for v in (50.0, 60.0, 65.0, 90.0):
        assert sections.percentile_of(s, v) == pytest.approx(percentileofscore(s.dropna(), v, kind="mean"))


def test_movers_by_hand():
    scores = pd.DataFrame({"supervisor_id": ["A", "B", "C", "A", "B", "C"],
                           "period": ["2026Q2"] * 3 + ["2026Q3"] * 3,
                           "score": [80.0, 70.0, 90.0, 85.0, 60.0, 90.0],
                           "rating": ["A", "B", "S", "A", "C", "S"]})
    m = sections.movers(scores, "2026Q3", "2026Q2")
    assert list(m["supervisor_id"]) == ["A", "B"]  # C did not move
    assert list(m["change"]) == [5.0, -10.0]
    assert list(m["previous_rating"]) == ["A", "B"] and list(m["rating"]) == ["A", "C"]
    assert sections.movers(scores, "2026Q3", None).empty


def test_rating_counts_show_every_band():
    c = sections.rating_counts(pd.DataFrame({"rating": ["A", "A", "C", ""]}), ["S", "A", "B", "C", "D"])
    assert list(c["rating"]) == ["S", "A", "B", "C", "D", ""]
    assert list(c["count"]) == [0, 2, 0, 1, 0, 1]
    assert c["share"].sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- end to end

def _report(data, out, *extra):
    return subprocess.run([sys.executable, "-m", "perfmodel", "report", "--data", str(data), "--policy",
                           "efficiency", "--out", str(out), *extra], capture_output=True, text=True, timeout=900)


SECTIONS_EN = ["Headline", "Rating distribution", "Biggest movers since", "Indicators, targets and attainment",
               "Scores and ratings", "Result vs process score", "Trends over the previous periods",
               "Funnel plots for rates", "Predictive validity", "Rating fragility", "SMART check", "Data quality",
               "Run record"]


@pytest.mark.slow
def test_report_end_to_end(data, tmp_path):
    out = tmp_path / "reports"
    r = _report(data, out, "--period", "latest")
    assert r.returncode == 0, r.stderr[-3000:]
    html_path = Path(r.stdout.strip().splitlines()[-1])
    assert html_path.is_file() and html_path.suffix == ".html"
    run = html_path.parent
    assert run.parent.name == PERIOD and re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", run.name)
    html = html_path.read_text(encoding="utf-8")
    assert not re.search(r'class="[^"]*\bjp-InputArea\b', html)  # no input area element
    assert "build_context" not in html and "S.show_" not in html  # no code
    assert not URL.search(html), URL.findall(html)[:3]
    for heading in SECTIONS_EN:
        assert heading in html, heading
    assert html.count("data:image/png;base64,") >= 6
    for name in ("quarterly_report.ipynb", "scores.csv", "indicators.csv", "scores.xlsx", "manifest.json",
                 "policy.yaml"):
        assert (run / name).is_file(), name
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    recorded = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    on_disk = {p.name for p in run.iterdir() if p.is_file() and p.name != "manifest.json"}
    assert set(recorded) == on_disk
    for name, h in recorded.items():
        assert hashlib.sha256((run / name).read_bytes()).hexdigest() == h, name
    from openpyxl import load_workbook

    assert load_workbook(run / "scores.xlsx").sheetnames == ["scores", "indicators", "quarantine", "manifest"]
    v = subprocess.run([sys.executable, "-m", "perfmodel", "audit", "verify", str(run)], capture_output=True,
                       text=True)
    assert v.returncode == 0 and v.stdout.strip() == "verified", v.stderr

    # a second run, in Chinese: a new folder, byte-identical data outputs, the first run untouched
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    r2 = _report(data, out, "--period", PERIOD, "--lang", "zh")
    assert r2.returncode == 0, r2.stderr[-3000:]
    run2 = Path(r2.stdout.strip().splitlines()[-1]).parent
    assert run2 != run
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before
    for name in ("scores.csv", "indicators.csv"):
        assert (run2 / name).read_bytes() == (run / name).read_bytes(), name
    zh = (run2 / "quarterly_report.html").read_text(encoding="utf-8")
    for heading in ("季度绩效报告", "评级分布", "指标、目标与达成情况", "比率指标漏斗图", "预测效度", "数据质量"):
        assert heading in zh, heading
    assert "Rating distribution" not in zh


@pytest.mark.slow
def test_feedback_pages_show_only_their_supervisor(data, tmp_path):
    out = tmp_path / "reports"
    r = _report(data, out, "--period", PERIOD, "--notebook", "feedback", "--jobs", "2")
    assert r.returncode == 0, r.stderr[-3000:]
    index = Path(r.stdout.strip().splitlines()[-1])
    assert index.name == "index.html"
    names = pd.read_csv(data / "supervisors.csv", dtype=str).set_index("supervisor_id")["name"]
    pages = sorted(index.parent.glob("S*.html"))
    assert [p.stem for p in pages] == sorted(names.index)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert names[page.stem] in html
        others = [n for sid, n in names.items() if sid != page.stem and n != names[page.stem]]
        assert not [n for n in others if n in html], page.name
        assert not [sid for sid in names.index if sid != page.stem and sid in html], page.name
        assert not URL.search(html)


@pytest.mark.slow
def test_a_failing_run_is_marked_and_kept(data, tmp_path, monkeypatch):
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    _tiny_notebook(nbdir / "quarterly_report.ipynb", fail=True)
    monkeypatch.setattr(runner, "notebooks_dir", lambda: nbdir)
    spec, dataset = runner.validate(period=PERIOD, data_dir=data, out=tmp_path / "reports")
    result = runner.run_reports(spec, dataset)[0]
    assert result.status == "failed" and "boom" in result.errors[0]
    run = result.run_dir
    assert (run / "FAILED").read_text(encoding="utf-8").strip()
    assert (run / "quarterly_report.ipynb").is_file()
    assert json.loads((run / "manifest.json").read_text(encoding="utf-8"))["status"] == "failed"

    assert "failed" in format_runs(list_runs(tmp_path / "reports"))


def test_ordinals_in_english():
    from perfmodel.core.i18n import ordinal

    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th"]
    assert ordinal(19.4, lang="zh") == "19"
