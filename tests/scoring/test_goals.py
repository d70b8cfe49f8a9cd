"""Agreed goals (issue 19): contract, replace vs report, explain, SMART per goal, suggestions.

Expected figures are worked by hand in the comments, not read from the code.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfmodel.cli import main
from perfmodel.analysis.explain import derive
from perfmodel.analysis.goal_suggest import suggest_goals
from perfmodel.scoring.goals import bind_goals, goal_status
from perfmodel.data.loader import load_dataset
from perfmodel.scoring.policy import policy_from_dict
from perfmodel.scoring.scores import score
from perfmodel.analysis.lint_goals import lint_goals

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def _policy(goals_mode=None, period="quarter"):
    data = {
        "name": "goals-test", "version": "1", "period": period,
        "dimensions": {"result": 0.6, "process": 0.4},
        "indicators": {
            "csat": {"dimension": "result", "weight": 0.5, "rule": "linear", "floor": 3.8, "target": 4.3},
            "complaint_resolution_rate": {"dimension": "result", "weight": 0.5, "rule": "ratio", "target": 0.8},
            "first_response_hours": {"dimension": "process", "weight": 0.5, "rule": "linear", "floor": 12,
                                     "target": 3, "relevance": "r"},
            "reopen_rate": {"dimension": "process", "weight": 0.3, "rule": "deduction", "points": 500,
                            "target": 0.05, "relevance": "r"},
            "compliance_rate": {"dimension": "process", "weight": 0.2, "rule": "bands",
                                "bands": [[0.97, 100], [0.9, 60]], "relevance": "r"},
        },
        "ratings": {"bands": {"A": 80, "B": 70, "C": 0}},
    }
    if goals_mode is not None:
        data["goals"] = goals_mode
    return policy_from_dict(data)


PANEL = pd.DataFrame({
    "supervisor_id": ["S1", "S2"], "period": ["2026Q3", "2026Q3"],
    "csat": [4.2, 4.2], "complaint_resolution_rate": [0.72, 0.72], "first_response_hours": [5.0, 5.0],
    "reopen_rate": [0.06, 0.06], "compliance_rate": [0.95, 0.95]})

GOALS = pd.DataFrame({
    "supervisor_id": ["S1"] * 5, "period": ["2026Q3"] * 5,
    "indicator": ["csat", "complaint_resolution_rate", "first_response_hours", "reopen_rate", "compliance_rate"],
    "target": [4.5, 0.9, 4.0, 0.08, 0.99], "floor": [4.0, np.nan, np.nan, np.nan, np.nan],
    "agreed_on": pd.to_datetime(["2026-06-15"] * 5), "note": [None] * 5})


def test_one_supervisor_scored_with_agreed_targets_by_hand():
    # Policy targets (S2, no goals; and S1 under goals: report):
    #   csat linear (4.2-3.8)/(4.3-3.8)*100 = 80; complaints ratio 0.72/0.8*100 = 90
    #   first response linear (5-12)/(3-12)*100 = 77.777…; reopen deduction 100-500*(0.06-0.05) = 95
    #   compliance bands 0.95 -> 60
    #   result 0.5*80+0.5*90 = 85; process 0.5*77.777…+0.3*95+0.2*60 = 38.888…+28.5+12 = 79.388…
    #   total 0.6*85 + 0.4*79.388… = 51 + 31.7555… = 82.7555…
    # Agreed targets for S1 (goals: replace):
    #   csat floor 4.0 target 4.5: (4.2-4.0)/0.5*100 = 40; complaints 0.72/0.9*100 = 80
    #   first response target 4, floor stays 12: (5-12)/(4-12)*100 = 87.5
    #   reopen target 0.08: 100-500*(0.06-0.08) = 110; compliance (bands) not applied: 60
    #   result 0.5*40+0.5*80 = 60; process 0.5*87.5+0.3*110+0.2*60 = 43.75+33+12 = 88.75
    #   total 0.6*60 + 0.4*88.75 = 36 + 35.5 = 71.5
    replace = score(PANEL, bind_goals(_policy("replace"), GOALS)).set_index("supervisor_id")
    assert replace.loc["S1", "score_csat"] == pytest.approx(40)
    assert replace.loc["S1", "score_complaint_resolution_rate"] == pytest.approx(80)
    assert replace.loc["S1", "score_first_response_hours"] == pytest.approx(87.5)
    assert replace.loc["S1", "score_reopen_rate"] == pytest.approx(110)
    assert replace.loc["S1", "score_compliance_rate"] == pytest.approx(60)
    assert replace.loc["S1", "result_score"] == pytest.approx(60)
    assert replace.loc["S1", "process_score"] == pytest.approx(88.75)
    assert replace.loc["S1", "score"] == pytest.approx(71.5)
    assert replace.loc["S1", "rating"] == "B"
    assert replace.loc["S1", "agreed"] == "csat;complaint_resolution_rate;first_response_hours;reopen_rate"
    assert replace.loc["S2", "score"] == pytest.approx(51 + 0.4 * (350 / 9 + 28.5 + 12))
    assert replace.loc["S2", "agreed"] == ""


def test_report_mode_shows_goals_but_scores_with_the_policy():
    report = score(PANEL, bind_goals(_policy(), GOALS)).set_index("supervisor_id")
    plain = score(PANEL, _policy()).set_index("supervisor_id")
    assert "agreed" not in report.columns
    pd.testing.assert_frame_equal(report, plain)
    assert report.loc["S1", "score"] == pytest.approx(51 + 0.4 * (350 / 9 + 28.5 + 12))  # 82.7555…
    ex = derive(PANEL, pd.DataFrame(), bind_goals(_policy(), GOALS), "S1", "2026Q3", draws=0)
    assert "agreed" not in " ".join(ex.table["rule"])
    text = ex.text(lang="en")
    assert "goals: report; shown only" in text and "target 4.50 agreed (policy 4.30)" in text
    assert "仅供参考" in ex.text(lang="zh")


def test_explain_says_the_target_is_agreed_when_it_replaces():
    ex = derive(PANEL, pd.DataFrame(), bind_goals(_policy("replace"), GOALS), "S1", "2026Q3", draws=0)
    rules = ex.table.set_index("indicator")["rule"]
    assert rules["csat"] == "linear(floor=4 agreed, target=4.5 agreed, higher, cap=120)"
    assert rules["first_response_hours"] == "linear(floor=12, target=4 agreed, lower, cap=120)"
    assert rules["compliance_rate"].startswith("bands(")
    assert ex.score == pytest.approx(71.5)
    assert "the scores above use them" in ex.text(lang="en")
    assert "以上得分按这些目标计算" in ex.text(lang="zh")
    # the contributions still add up to the total
    assert ex.table["contribution"].sum() == pytest.approx(71.5)


def test_goals_that_do_not_apply_are_not_bound():
    goals = pd.DataFrame({
        "supervisor_id": ["S1"] * 6, "period": ["2026Q3", "2026Q3", "2026-08", "2026Q3", "2026Q3", "2026Q3"],
        "indicator": ["compliance_rate", "cost_per_ticket", "csat", "nonsense", "csat", "complaint_resolution_rate"],
        "target": [0.99, 100, 4.5, 1, 4.0, 0.0], "floor": [np.nan, np.nan, np.nan, np.nan, 4.1, np.nan],
        "agreed_on": pd.to_datetime(["2026-06-01"] * 6), "note": [None] * 6})
    status = goal_status(goals, _policy("replace"))
    assert status["not_applied"].tolist() == ["rule_without_target", "not_in_policy", "period_kind",
                                              "not_in_catalogue", "floor_side", "ratio_target"]
    bound = bind_goals(_policy("replace"), goals)
    assert bound.agreed == ()
    pd.testing.assert_frame_equal(score(PANEL, bound), score(PANEL, _policy("replace")))


def test_policy_key_goals_is_validated_and_kept():
    from perfmodel.core.errors import PolicyError

    with pytest.raises(PolicyError, match="goals: 'always' is not allowed; use one of report, replace"):
        _policy("always")
    assert _policy().goals == "report" and "goals" not in _policy().to_dict()
    assert _policy("replace").to_dict()["goals"] == "replace"
    reweighted = bind_goals(_policy("replace"), GOALS).with_weights({"result": 0.5, "process": 0.5})
    assert reweighted.goals == "replace" and len(reweighted.agreed) == 4


# ------------------------------------------------------------------ SMART per goal

HISTORY = pd.DataFrame({
    "supervisor_id": ["S1"] * 5 + ["S2"] * 2,
    "period": ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q1", "2026Q2"],
    "csat": [4.0, 4.1, 4.3, 4.4, 4.5, 3.9, 4.0],
    "complaint_resolution_rate": [0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]})


def _goal(sid, period, ind, target, floor=np.nan, agreed="2026-06-01"):
    return {"supervisor_id": sid, "period": period, "indicator": ind, "target": target, "floor": floor,
            "agreed_on": pd.Timestamp(agreed), "note": None}


def _findings(goals, lang="en", tables=("supervisors", "tickets", "surveys")):
    return lint_goals(pd.DataFrame(goals), _policy("replace"), HISTORY, tables=tables, lang=lang)


def test_achievable_against_own_history_with_trend():
    # S1 before 2026Q3: 4.0, 4.1, 4.3, 4.4 -> target 4.25 reached in 2 of 4 (50 %);
    # slope: x = 0..3, Σ(x-1.5)(y-4.2) = 0.3+0.05+0.05+0.3 = 0.7, Σ(x-1.5)² = 5 -> +0.14 per quarter
    f = _findings([_goal("S1", "2026Q3", "csat", 4.25)])
    a = f[f["letter"] == "A"].iloc[0]
    assert a["severity"] == "info"
    assert a["message"] == ("target 4.25 reached in 2 of 4 past quarters of S1 (50%); trend improving "
                            "(+0.14 per quarter): achievable with stretch")
    zh = _findings([_goal("S1", "2026Q3", "csat", 4.25)], "zh")
    assert zh[zh["letter"] == "A"].iloc[0]["message"] == (
        "目标 4.25 在 S1 过去 4 个季度中达到 2 次（50%）；趋势：改善中（每季度 +0.14）：有挑战但可以实现")


def test_a_trend_too_small_to_show_is_flat():
    # S1's complaint resolution rate before 2026Q3: 0.700, 0.702, 0.700, 0.702 -> slope
    # Σ(x-1.5)(y-0.701) = (-1.5)(-0.001)+(-0.5)(0.001)+(0.5)(-0.001)+(1.5)(0.001) = 0.002, / 5 =
    # +0.0004 per quarter, +0.04 pt: shown as "+0.0 pt", so flat, not "improving (+0.0 pt ...)"
    history = HISTORY.copy()
    history.loc[:3, "complaint_resolution_rate"] = [0.700, 0.702, 0.700, 0.702]
    goal = pd.DataFrame([_goal("S1", "2026Q3", "complaint_resolution_rate", 0.701)])
    for lang, flat in (("en", "trend flat"), ("zh", "趋势：持平")):
        f = lint_goals(goal, _policy("replace"), history, tables=("supervisors", "tickets"), lang=lang)
        msg = f[f["letter"] == "A"].iloc[0]["message"]
        assert flat in msg and " pt" not in msg.split("trend")[-1].split("趋势")[-1], msg


def test_achievable_too_hard_and_too_easy():
    hard = _findings([_goal("S1", "2026Q3", "csat", 4.45)])  # 0 of 4 reached
    row = hard[hard["letter"] == "A"].iloc[0]
    assert row["severity"] == "error" and "reached in 0 of 4" in row["message"] and "nearer 4.20" in row["message"]
    easy = _findings([_goal("S1", "2026Q3", "csat", 3.9)])  # 4 of 4
    row = easy[easy["letter"] == "A"].iloc[0]
    assert row["severity"] == "warning" and "(100%)" in row["message"] and "no stretch" in row["message"]
    zh = _findings([_goal("S1", "2026Q3", "csat", 3.9)], "zh")
    assert "缺乏挑战性" in zh[zh["letter"] == "A"].iloc[0]["message"]


def test_achievable_against_the_population_with_a_short_own_history():
    # S2 has 2 past quarters before 2026Q3 (< 4): every supervisor's values before 2026Q3 are
    # 4.0 4.1 4.3 4.4 (S1) 3.9 4.0 (S2): target 4.05 reached by 4.1, 4.3, 4.4 = 3 of 6 (50 %)
    f = _findings([_goal("S2", "2026Q3", "csat", 4.05)])
    msg = f[f["letter"] == "A"].iloc[0]["message"]
    assert msg.startswith("S2 has only 2 past quarter(s) with a value (fewer than 4), so judged against all "
                          "supervisors: target 4.05 reached in 3 of 6 supervisor-quarters (50%)")
    zh = _findings([_goal("S2", "2026Q3", "csat", 4.05)], "zh")
    assert "因此与全体主管比较" in zh[zh["letter"] == "A"].iloc[0]["message"]


@pytest.mark.parametrize("goal, letter, severity, en, zh", [
    (_goal("S1", "2026Q3", "compliance_rate", 0.99), "S", "error",
     "rule bands of compliance_rate has no target to agree on; the goal is not applied", "没有可约定的目标值"),
    (_goal("S1", "2026Q3", "nonsense", 1), "M", "error",
     "nonsense is not an indicator of the catalogue; the goal is not applied (see `perfmodel indicators "
     "--list`)", "指标目录中没有 nonsense"),
    (_goal("S3", "2026Q3", "csat", 4.2), "M", "warning",
     "csat has no value for S3 in any period of the data: not available for this supervisor", "无法计量此指标"),
    (_goal("S1", "2026Q3", "cost_per_ticket", 100), "R", "error",
     "cost_per_ticket is not weighted in the policy; the goal is not applied", "不在评分政策中"),
    (_goal("S1", "2026-08", "csat", 4.2), "T", "error",
     "period 2026-08 is a month but the policy scores by quarter; the goal is not applied", "月度期间"),
    (_goal("S1", "2026Q3", "csat", 4.2, agreed="2026-07-01"), "T", "warning",
     "agreed on 2026-07-01, not before 2026Q3 started on 2026-07-01", "不早于"),
    (_goal("S1", "2026Q3", "csat", 4.0, floor=4.1), "A", "error",
     "floor 4.10 is not on the worse side of target 4.00 (higher is better); the goal is not applied", "较差的一侧"),
    (_goal("S1", "2026Q3", "complaint_resolution_rate", 0.0), "A", "error",
     "ratio target 0.0 % must be above 0; the goal is not applied", "必须大于 0"),
])
def test_each_goal_finding_in_both_languages(goal, letter, severity, en, zh):
    f = _findings([goal])
    row = f[(f["letter"] == letter) & (f["severity"] == severity)]
    assert len(row) == 1, f
    assert row.iloc[0]["message"] == en
    fz = _findings([goal], "zh")
    assert zh in fz[(fz["letter"] == letter) & (fz["severity"] == severity)].iloc[0]["message"]


def test_measurable_tables_absent():
    f = _findings([_goal("S1", "2026Q3", "complaint_resolution_rate", 0.65)], tables=("supervisors",))
    assert "table(s) tickets absent from the data" in f[f["letter"] == "M"].iloc[0]["message"]


def test_lint_cli_lists_goal_findings_and_fails_on_an_error(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("supervisors", "tickets", "surveys"):
        (data / f"{name}.csv").write_bytes((SAMPLE / f"{name}.csv").read_bytes())
    (data / "goals.csv").write_text(
        "supervisor_id,period,indicator,target,floor,agreed_on,note\n"
        "S001,2026Q3,csat,4.2,,2026-06-01,\n"
        "S001,2026Q3,compliance_rate,0.99,,2026-06-01,\n", encoding="utf-8")
    out = tmp_path / "lint.csv"
    assert main(["lint", "--policy", "efficiency", "--data", str(data), "--out", str(out)]) == 1
    text = capsys.readouterr().out
    assert "SMART per agreed goal (2 goals in the goals table, policy goals: report):" in text
    assert "rule bands of compliance_rate has no target to agree on" in text
    written = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(written.columns[:2]) == ["supervisor_id", "period"]
    assert ((written["supervisor_id"] == "S001") & (written["letter"] == "S")).sum() == 1


# ------------------------------------------------------------------ suggestions

def test_suggestions_follow_the_stretch_rule_within_the_policy_bounds():
    wide = pd.DataFrame({
        "supervisor_id": ["S1"] * 4 + ["S2"] * 4 + ["S3"] * 2,
        "period": ["2025Q4", "2026Q1", "2026Q2", "2026Q3"] * 2 + ["2026Q2", "2026Q3"],
        "csat": [4.0, 4.1, 4.2, 4.6, 3.5, 3.6, 3.7, 3.8, 4.0, 4.1],
        "first_response_hours": [6, 5, 4, 8, 20, 20, 20, 20, np.nan, np.nan]})
    got = suggest_goals(wide, _policy(), "2026Q4").set_index(["supervisor_id", "indicator"])
    # S1 csat: median 4.15, best 4.6 -> 4.15 + 0.5*0.45 = 4.375 > target 4.3 -> 4.3 (bounded by target)
    assert got.loc[("S1", "csat"), "target"] == pytest.approx(4.3)
    assert got.loc[("S1", "csat"), "bounded_by"] == "target"
    assert got.loc[("S1", "csat"), "stretch_value"] == pytest.approx(4.375)
    assert got.loc[("S1", "csat"), "history_values"] == "2025Q4=4;2026Q1=4.1;2026Q2=4.2;2026Q3=4.6"
    # S2 csat: median 3.65, best 3.8 -> 3.725, below floor 3.8 + 0.25*(4.3-3.8) = 3.925 -> 3.925
    assert got.loc[("S2", "csat"), "target"] == pytest.approx(3.925)
    assert got.loc[("S2", "csat"), "bounded_by"] == "floor"
    # S3 csat: 2 periods, median 4.05, best 4.1 -> 4.075, within bounds
    assert got.loc[("S3", "csat"), "target"] == pytest.approx(4.075)
    assert got.loc[("S3", "csat"), "bounded_by"] == ""
    # S1 first response (lower is better): median 5.5, best 4 -> 4.75 within [3, 9.75]
    assert got.loc[("S1", "first_response_hours"), "target"] == pytest.approx(4.75)
    # S2 first response: always 20 -> 20, worse than 12 + 0.25*(3-12) = 9.75 -> 9.75
    assert got.loc[("S2", "first_response_hours"), "target"] == pytest.approx(9.75)
    # S3 first response: no history -> the policy's target, said in the note
    assert got.loc[("S3", "first_response_hours"), "target"] == pytest.approx(3)
    assert "no past period" in got.loc[("S3", "first_response_hours"), "note"]
    # bands indicators get no suggestion; one row per supervisor and target indicator
    assert "compliance_rate" not in got.index.get_level_values("indicator")
    assert len(got) == 3 * 4


def test_suggest_cli_writes_a_goals_file_that_loads_back(tmp_path, capsys):
    out = tmp_path / "suggested.csv"
    assert main(["goals", "suggest", "--period", "2026Q4", "--data", str(SAMPLE), "--policy", "efficiency",
                 "--out", str(out)]) == 0
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert list(written.columns[:7]) == ["supervisor_id", "period", "indicator", "target", "floor", "agreed_on",
                                         "note"]
    assert written["agreed_on"].isna().all() and written["floor"].isna().all()
    policy = policy_from_dict(__import__("perfmodel").load_policy("efficiency").to_dict())
    for r in written.itertuples():
        rule = policy.indicators[r.indicator]
        sign = 1 if rule.direction == "higher" else -1
        assert sign * (r.target - rule.target) <= 1e-12  # never beyond the policy's target
        if rule.rule == "linear":
            assert sign * (r.target - rule.floor) > 0  # never at or beyond the floor
    data = tmp_path / "data"
    data.mkdir()
    for name in ("supervisors", "tickets"):
        (data / f"{name}.csv").write_bytes((SAMPLE / f"{name}.csv").read_bytes())
    written["agreed_on"] = "2026-09-20"
    written.to_csv(data / "goals.csv", index=False)
    ds = load_dataset(data)
    account = ds.account.set_index("table")
    assert account.loc["goals", "rows_read"] == len(written) == account.loc["goals", "rows_used"]
    # applied as agreed targets under goals: replace
    assert len(bind_goals(_policy("replace"), ds.tables["goals"]).agreed) > 0


def test_suggest_refuses_a_period_of_the_wrong_kind(capsys):
    assert main(["goals", "suggest", "--period", "2026-10", "--data", str(SAMPLE), "--policy", "efficiency",
                 "--out", "/tmp/never.csv"]) == 2
    assert "scores by quarter" in capsys.readouterr().err


# ------------------------------------------------------------------ the table

def test_bad_goal_rows_are_quarantined_with_reasons(tmp_path):
    (tmp_path / "supervisors.csv").write_text("supervisor_id,name\nS1,张三\nS2,李四\n", encoding="utf-8")
    (tmp_path / "tickets.csv").write_text("ticket_id,supervisor_id,created_at\nT1,S1,2026-07-02T09:00:00\n",
                                          encoding="utf-8")
    (tmp_path / "goals.csv").write_text(
        "supervisor_id,period,indicator,target,floor,agreed_on,note\n"
        "S1,2026Q3,csat,4.5,,2026-06-20,ok\n"
        "S1,2026Q3,csat,4.4,,2026-06-20,duplicate\n"
        "S9,2026Q3,csat,4.5,,2026-06-20,unknown supervisor\n"
        "S2,2026Q9,csat,4.5,,2026-06-20,bad period\n"
        "S2,2026Q3,csat,abc,,2026-06-20,bad target\n"
        "S2,2026Q3,first_response_hours,8,,2026-13-01,bad date\n"
        "S2,2026Q3,timely_closure_rate,,,2026-06-01,no target\n"
        "S2,2026Q3,reopen_rate,0.04,,,no date\n", encoding="utf-8")
    ds = load_dataset(tmp_path)
    q = ds.quarantine[ds.quarantine["table"] == "goals"].set_index("row")
    assert q.loc[3, "reason"] == "supervisor_id+period+indicator 'S1'+'2026Q3'+'csat' duplicates row 2"
    assert q.loc[4, "reason"] == "supervisor_id 'S9' not in supervisors"
    assert q.loc[5, "reason"] == "period: cannot read '2026Q9' as a period like 2026Q3 or 2026-09"
    assert q.loc[6, "reason"] == "target: cannot read 'abc' as a number"
    assert q.loc[7, "reason"].startswith("agreed_on: '2026-13-01' is not a valid date: month 13")
    assert q.loc[8, "reason"] == "target: required value is empty"
    assert q.loc[9, "reason"] == "agreed_on: required value is empty"
    account = ds.account.set_index("table").loc["goals"]
    assert (account["rows_read"], account["rows_used"], account["rows_quarantined"]) == (8, 1, 7)
    assert ds.tables["goals"]["note"].tolist() == ["ok"]


def test_sample_goals_change_nothing_under_the_default_policy():
    from perfmodel.pipeline import run_pipeline

    with_goals = run_pipeline(SAMPLE, "efficiency", period="2026Q3")
    assert len(with_goals.policy.agreed) > 0
    unbound = score(with_goals.wide, "efficiency")
    pd.testing.assert_frame_equal(with_goals.scores.reset_index(drop=True), unbound.reset_index(drop=True))


# ------------------------------------------------------------------ pages

def test_pages_use_and_say_the_agreed_targets(tmp_path):
    from perfmodel.reporting import sections as S
    from perfmodel.reporting.goals_page import goals_summary

    text = (Path(__import__("perfmodel").__file__).parent / "scoring" / "policies" / "efficiency.yaml").read_text(encoding="utf-8")
    replace = tmp_path / "replace.yaml"
    replace.write_text(text.replace("missing: renormalize", "missing: renormalize\ngoals: replace"), encoding="utf-8")
    goals = pd.read_csv(SAMPLE / "goals.csv", dtype={"target": float, "floor": float})
    mine = goals[(goals["supervisor_id"] == "S004") & (goals["period"] == "2026Q3")].set_index("indicator")
    assert mine.loc["csat", "target"] == 4.37 and mine.loc["csat", "floor"] == 3.77  # the sample's goal

    ctx = S.build_context(SAMPLE, str(replace), "2026Q3", lang="en")
    own = S.own_indicator_table(ctx, "S004").set_index("indicator")
    value = float(ctx.wide.set_index(["supervisor_id", "period"]).loc[("S004", "2026Q3"), "csat"])
    assert own.loc["csat", "target"] == "≥ 4.37 (agreed)" and own.loc["csat", "agreed_target"] == "4.37"
    assert own.loc["csat", "indicator_score"] == pytest.approx(min(120, max(0, (value - 3.77) / 0.6 * 100)))
    assert own.loc["cost_control_rate", "agreed_target"] == ""  # no goal: the policy's target
    summary = goals_summary(ctx).set_index("indicator")
    q3 = goals[goals["period"] == "2026Q3"]
    assert summary.loc["Customer satisfaction", "goals"] == (q3["indicator"] == "csat").sum()
    assert set(summary["used_in_score"]) == {"yes"}

    report = S.build_context(SAMPLE, "efficiency", "2026Q3", lang="zh")
    own = S.own_indicator_table(report, "S004").set_index("indicator")
    assert own.loc["csat", "target"] == "≥ 4.30" and own.loc["csat", "agreed_target"] == "4.37"
    assert set(goals_summary(report)["used_in_score"]) == {"否"}


def test_the_trusted_parquet_path_binds_the_same_goals(tmp_path):
    from perfmodel.pipeline import run_pipeline

    ds = load_dataset(SAMPLE)
    for name in ("supervisors", "tickets", "surveys", "goals"):
        ds.tables[name].to_parquet(tmp_path / f"{name}.parquet", index=False)
    policy = policy_from_dict(_policy("replace").to_dict())
    trusted = run_pipeline(tmp_path, policy, period="2026Q3", trusted=True)
    checked = run_pipeline(SAMPLE, policy, period="2026Q3")
    assert trusted.policy.agreed == checked.policy.agreed and len(trusted.policy.agreed) > 0
    pd.testing.assert_series_equal(trusted.scores["score_csat"], checked.scores["score_csat"])


def test_mid_period_warnings_measure_against_the_agreed_target(tmp_path):
    from perfmodel.analysis.watch import watch

    text = (Path(__import__("perfmodel").__file__).parent / "scoring" / "policies" / "efficiency.yaml").read_text(encoding="utf-8")
    replace = tmp_path / "replace.yaml"
    replace.write_text(text.replace("missing: renormalize", "missing: renormalize\ngoals: replace"), encoding="utf-8")
    pj = watch(load_dataset(SAMPLE), str(replace), period="2026Q3", as_of="2026-08-15").projections
    pj = pj.set_index(["supervisor_id", "result"])
    assert pj.loc[("S004", "csat"), "target"] == 4.37  # S004's agreed goal in the sample
    assert pj.loc[("S004", "complaint_resolution_rate"), "target"] == 0.89
    assert pj.loc[("S004", "cost_control_rate"), "target"] == 1.0  # no goal: the policy's
    assert pj.loc[("S004", "csat"), "gap"] == pytest.approx(pj.loc[("S004", "csat"), "projected"] - 4.37)
