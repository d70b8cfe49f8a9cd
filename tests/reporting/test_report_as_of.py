"""Mid-period coaching in the feedback report: ``perfmodel report --notebook feedback --as-of D``."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fixtures import PERIOD, small_dataset
from perfmodel.core.errors import PeriodError, UsageError
from perfmodel.reporting import runner

AS_OF = "2026-08-15"  # in the fixture's last quarter, 2026Q3
HEADER = f"Mid-period check — {PERIOD}, as of {AS_OF}"
NO_RISK = "No result indicator is at risk of missing its target."


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return small_dataset(tmp_path_factory.mktemp("asof") / "data")


def _report(data, out, *args):
    return subprocess.run([sys.executable, "-m", "perfmodel", "report", "--data", str(data), "--out", str(out),
                           *args], capture_output=True, text=True, timeout=1800)


def test_as_of_is_validated_before_anything_runs(data, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(UsageError, match="--notebook feedback only"):
        runner.validate(notebook="quarterly", as_of=AS_OF, data_dir=data, out=out)
    with pytest.raises(UsageError, match="not a date"):
        runner.validate(notebook="feedback", as_of="2026-13-45", data_dir=data, out=out)
    with pytest.raises(UsageError, match="without --all"):
        runner.validate(notebook="feedback", as_of=AS_OF, all_periods=True, data_dir=data, out=out)
    with pytest.raises(UsageError, match="falls in 2026Q3"):
        runner.validate(notebook="feedback", as_of=AS_OF, period="2026Q2", data_dir=data, out=out)
    # the fixture's tickets end in 2026Q3: an as-of date in 2027Q1 is outside the data
    with pytest.raises(PeriodError, match="2027Q1"):
        runner.validate(notebook="feedback", as_of="2027-02-01", data_dir=data, out=out)
    assert not out.exists()
    # the period in progress: the as-of instant is exclusive, so 2026-10-01 00:00 still coaches Q3
    spec, _ = runner.validate(notebook="feedback", as_of="2026-10-01", data_dir=data, out=out)
    assert spec.periods == ["2026Q3"] and spec.as_of == "2026-10-01T00:00:00"
    spec, _ = runner.validate(notebook="feedback", as_of="2026-07-01 00:00:01", data_dir=data, out=out)
    assert spec.periods == ["2026Q3"]
    spec, _ = runner.validate(notebook="feedback", as_of=AS_OF, period=PERIOD, data_dir=data, out=out)
    assert spec.periods == [PERIOD]


@pytest.mark.parametrize("args,needle", [
    (["--notebook", "quarterly", "--period", PERIOD, "--as-of", AS_OF], "--as-of"),
    (["--notebook", "feedback", "--as-of", "2027-02-01"], "2027Q1"),
    (["--notebook", "feedback", "--as-of", "someday"], "someday"),
    (["--notebook", "feedback"], "--period"),
])
def test_cli_bad_as_of_exits_2_with_one_line(args, needle, data, tmp_path):
    r = _report(data, tmp_path / "r", *args)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and needle in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_mid_period_feedback_end_to_end(data, tmp_path):
    out = tmp_path / "reports"
    r = _report(data, out, "--notebook", "feedback", "--as-of", AS_OF, "--jobs", "2")
    assert r.returncode == 0, r.stderr[-3000:]
    index = Path(r.stdout.strip().splitlines()[-1])
    run = index.parent.parent
    assert index.name == "index.html" and run.parent.name == PERIOD  # reports/<period in progress>/<run_id>

    # one page per supervisor, each with its own mid-period section and nobody else's id or name
    names = pd.read_csv(data / "supervisors.csv", dtype=str).set_index("supervisor_id")["name"]
    pages = sorted(index.parent.glob("*.html"))
    pages = [p for p in pages if p.name != "index.html"]
    assert [p.stem for p in pages] == sorted(names.index)
    at_risk_pages = 0
    for page in pages:
        # embedded images are base64 and may spell an id by chance: leave them out
        html = re.sub(r"data:image/[^\"')]+", "", page.read_text(encoding="utf-8"))
        assert names[page.stem] in html and f"({page.stem})" in html
        assert HEADER in html, page.name
        has_risk = bool(re.search(r"; risk of missing \d+%", html))
        assert has_risk != (NO_RISK in html), page.name
        at_risk_pages += has_risk
        others = [n for sid, n in names.items() if sid != page.stem and n != names[page.stem]]
        assert not [n for n in others if n in html], page.name
        assert not [sid for sid in names.index if sid != page.stem and sid in html], page.name
    assert 0 < at_risk_pages  # the fixture has results at risk half way through the quarter

    # the pages score the quarter on projected period-end values, the numbers of perfmodel watch
    scores = pd.read_csv(run / "feedback_scores.csv", dtype={"supervisor_id": str}, keep_default_na=False,
                         na_values=[""])
    assert list(scores.columns) == ["supervisor_id", "period", "as_of", "indicator", "value", "basis", "score",
                                    "weight", "contribution"]
    assert set(scores["basis"]) == {"projected", "to_date"} and set(scores["as_of"]) == {"2026-08-15T00:00:00"}
    proj_csv = tmp_path / "projections.csv"
    w = subprocess.run([sys.executable, "-m", "perfmodel", "watch", "--data", str(data), "--period", PERIOD,
                        "--as-of", AS_OF, "--projections", str(proj_csv)], capture_output=True, text=True)
    assert w.returncode == 0, w.stderr
    proj = pd.read_csv(proj_csv, dtype={"supervisor_id": str}).set_index(["supervisor_id", "result"])["projected"]
    projected = scores[scores["basis"] == "projected"].set_index(["supervisor_id", "indicator"])["value"]
    assert len(projected) == proj.notna().sum() > 0
    assert projected.sub(proj.reindex(projected.index)).abs().max() < 1e-8
    for page in pages:
        html = page.read_text(encoding="utf-8")
        total = scores.loc[scores["supervisor_id"] == page.stem, "contribution"].sum()
        assert f"Provisional: Your total score {total:.1f} " in html, page.name
        assert "<strong>Provisional.</strong>" in html and ">Basis<" in html and ">projected<" in html

    # no table saw later data: tickets created in [2026-07-01, as-of) by hand (backlog_ratio's denominator)
    tickets = pd.read_csv(data / "tickets.csv", dtype={"supervisor_id": str}, parse_dates=["created_at"])
    in_window = tickets[(tickets["created_at"] >= "2026-07-01") & (tickets["created_at"] < AS_OF)]
    expected = in_window.groupby("supervisor_id").size()
    ind = pd.read_csv(run / "indicators.csv", dtype={"supervisor_id": str})
    got = ind[ind["indicator"] == "backlog_ratio"].set_index("supervisor_id")["denominator"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False,
                                   check_dtype=False)
    whole = tickets[tickets["created_at"] >= "2026-07-01"].groupby("supervisor_id").size()
    assert (whole > expected).all()  # the cut removed tickets

    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete" and manifest["period"] == PERIOD
    assert manifest["parameters"]["as_of"] == "2026-08-15T00:00:00"
    v = subprocess.run([sys.executable, "-m", "perfmodel", "audit", "verify", str(run)], capture_output=True,
                       text=True)
    assert v.returncode == 0 and v.stdout.strip() == "verified", v.stdout + v.stderr


def test_notebook_cell_is_silent_without_as_of(capsys):
    from perfmodel.analysis.watch import show_mid_period

    # no dataset is touched when the mode is off
    assert show_mid_period(None, "efficiency", supervisor_id="S001", as_of="") is None
    assert show_mid_period(None, supervisor_id="S001", as_of=None) is None
    with pytest.warns(DeprecationWarning, match=r"call show_mid_period\(dataset, policy, supervisor_id=\.\.\., "):
        assert show_mid_period(None, "S001", "", "efficiency") is None
        assert show_mid_period(None, "S001", "", "efficiency", "zh") is None  # lang, formerly 5th
    assert capsys.readouterr().out == ""

