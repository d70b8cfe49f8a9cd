"""The quarterly page shows SMART per agreed goal: counts per check, then the errors."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from perfmodel.reporting import sections as S
from perfmodel.reporting.goals_page import goal_errors, goal_findings, goal_findings_summary

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The sample with two more goals for S004 in 2026Q3: one for a bands indicator (S error)
    and one agreed after the quarter started (T warning)."""
    folder = tmp_path_factory.mktemp("goal_findings") / "data"
    shutil.copytree(SAMPLE, folder)
    with open(folder / "goals.csv", "a", encoding="utf-8") as fh:
        fh.write("S004,2026Q3,compliance_rate,0.99,,2026-06-01,\n")
        fh.write("S004,2026Q3,backlog_ratio,0.05,,2026-07-15,\n")
    return folder


def _shown(monkeypatch, ctx):
    out = []
    monkeypatch.setattr("perfmodel.reporting.display._display", lambda *objs: out.extend(getattr(o, "data", str(o)) for o in objs))
    S.show_smart(ctx)
    return "\n".join(out)


def test_counts_per_check_and_the_errors_in_both_languages(data, monkeypatch):
    ctx = S.build_context(data, "efficiency", "2026Q3", lang="en")
    findings = goal_findings(ctx)
    goals = pd.read_csv(data / "goals.csv")
    q3 = goals[goals["period"] == "2026Q3"]
    # only the report period's goals are judged
    assert set(findings["period"]) == {"2026Q3"}
    assert set(findings["supervisor_id"]) <= set(q3["supervisor_id"])
    # the bands goal: rule without a target (S error); the late agreement: T warning
    s004 = findings[findings["supervisor_id"] == "S004"]
    assert ((s004["letter"] == "S") & (s004["severity"] == "error") & (s004["indicator"] == "compliance_rate")).sum() == 1
    late = s004[(s004["letter"] == "T") & (s004["indicator"] == "backlog_ratio")]
    assert list(late["message"]) == ["agreed on 2026-07-15, not before 2026Q3 started on 2026-07-01"]

    summary = goal_findings_summary(findings, lang="en").set_index("check")
    # counted independently of the summary function
    expected = pd.crosstab(findings["letter"], findings["severity"])
    for letter in expected.index:
        row = summary.loc[[c for c in summary.index if c.startswith(letter + " ")][0]]
        assert row["errors"] == expected.loc[letter].get("error", 0)
        assert row["warnings"] == expected.loc[letter].get("warning", 0)
        assert row["notes"] == expected.loc[letter].get("info", 0)
    assert list(summary.index)[0] == "S Specific"

    errors = goal_errors(ctx, findings)
    assert len(errors) == (findings["severity"] == "error").sum()
    name = ctx.supervisors.astype({"supervisor_id": str}).set_index("supervisor_id").loc["S004", "name"]
    bands = errors[(errors["supervisor_id"] == "S004") & (errors["check"] == "S")]
    assert list(bands["name"]) == [name]
    assert list(bands["message"]) == ["rule bands of compliance_rate has no target to agree on; the goal is not applied"]

    page = _shown(monkeypatch, ctx)
    assert "SMART per agreed goal" in page and "Errors in the agreed goals:" in page
    assert "rule bands of compliance_rate has no target to agree on" in page

    zh = S.build_context(data, "efficiency", "2026Q3", lang="zh")
    page = _shown(monkeypatch, zh)
    assert "逐项目标的 SMART 检查" in page and "约定目标中的错误：" in page
    assert "没有可约定的目标值" in page and "S 明确性" in page


def test_nothing_is_shown_without_goals(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    (folder / "goals.csv").unlink()
    ctx = S.build_context(folder, "efficiency", "2026Q3", lang="en")
    assert goal_findings(ctx).empty
    assert "SMART per agreed goal" not in _shown(monkeypatch, ctx)


def test_feedback_pages_do_not_show_the_goal_findings():
    # a supervisor's feedback page shows their own goals only, never the list of everyone's findings
    cells = json.loads((ROOT / "notebooks" / "supervisor_feedback.ipynb").read_text(encoding="utf-8"))["cells"]
    source = "".join("".join(c["source"]) for c in cells)
    assert "show_smart" not in source and "goal_findings" not in source
