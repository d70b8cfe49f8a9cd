"""Scoring rules, dimension and total scores, missing modes, ratings, forced distribution.

Every expected number is worked by hand in the comment next to it.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfmodel
from perfmodel.core.errors import DataError
from perfmodel.scoring.policy import load_policy, policy_from_dict
from perfmodel.scoring.scores import (
    contributions, forced_ratings, indicator_scores, largest_remainder, rate, score,
)

BANDS = {"S": 90, "A": 80, "B": 70, "C": 60, "D": 0}


def make_policy(result: dict, process: dict | None = None, *, dims=None, missing="renormalize",
                forced=None, bands=None):
    """A policy from indicator entries (dimension filled in)."""
    inds = {k: {"dimension": "result", **v} for k, v in result.items()}
    inds.update({k: {"dimension": "process", **v} for k, v in (process or {}).items()})
    dims = dims or ({"result": 0.6, "process": 0.4} if process else {"result": 1.0})
    return policy_from_dict({"name": "t", "version": "1", "period": "quarter", "dimensions": dims,
                             "missing": missing, "indicators": inds,
                             "ratings": {"bands": bands or BANDS, "forced_distribution": forced}})


def one(ind: str, values, entry: dict, periods=None) -> list[float]:
    """Scores of indicator ``ind`` (alone in the result dimension) for ``values``."""
    pol = make_policy({ind: {"weight": 1, **entry}})
    n = len(values)
    panel = pd.DataFrame({"supervisor_id": [f"S{i:02d}" for i in range(n)],
                          "period": periods or ["2026Q3"] * n, ind: values})
    out = indicator_scores(panel, pol)
    # indicator_scores sorts by period then supervisor: restore the input order
    out = out.set_index(["supervisor_id", "period"]).loc[list(zip(panel.supervisor_id, panel.period))]
    return out[ind].tolist()


def close(a, b):
    return np.allclose(np.asarray(a, float), np.asarray(b, float), equal_nan=True, atol=1e-9)


# --- ratio ---------------------------------------------------------------------------------

def test_ratio_higher():
    # complaint_resolution_rate (higher), target 0.80, cap 120:
    # x=0.60: 100*0.60/0.80 = 75;  x=0.80: 100;  x=0.90: 112.5;  x=1.00: 125 -> cap 120;  x=0: 0
    got = one("complaint_resolution_rate", [0.60, 0.80, 0.90, 1.00, 0.0],
              {"rule": "ratio", "target": 0.80, "cap": 120})
    assert close(got, [75, 100, 112.5, 120, 0])


def test_ratio_lower():
    # first_response_hours (lower), target 4:
    # x=8: 100*4/8 = 50;  x=4: 100;  x=3.2: 125 -> cap 120;  x=0: cap 120 (SPEC);  x=5: 80
    got = one("first_response_hours", [8, 4, 3.2, 0, 5], {"rule": "ratio", "target": 4})
    assert close(got, [50, 100, 120, 120, 80])


def test_ratio_lower_zero_scores_custom_cap():
    # cost_control_rate (lower), target 1.0, cap 110: x=0 -> the cap, 110; x=2 -> 100*1/2 = 50
    got = one("cost_control_rate", [0.0, 2.0], {"rule": "ratio", "target": 1.0, "cap": 110})
    assert close(got, [110, 50])


# --- linear --------------------------------------------------------------------------------

def test_linear_higher():
    # csat, floor 3.8, target 4.6:
    # x=4.2: (4.2-3.8)/(4.6-3.8)*100 = 0.4/0.8*100 = 50
    # x=3.8: 0;  x=3.5: -37.5 -> clipped 0;  x=4.6: 100
    # x=4.8: (1.0/0.8)*100 = 125 -> cap 120;  x=4.7: 0.9/0.8*100 = 112.5 (same slope above target)
    got = one("csat", [4.2, 3.8, 3.5, 4.6, 4.8, 4.7], {"rule": "linear", "floor": 3.8, "target": 4.6})
    assert close(got, [50, 0, 0, 100, 120, 112.5])


def test_linear_lower():
    # backlog_ratio (lower), floor 0.30, target 0.05:
    # x=0.175: (0.175-0.30)/(0.05-0.30)*100 = (-0.125)/(-0.25)*100 = 50
    # x=0.30: 0;  x=0.40: -40 -> 0;  x=0.05: 100;  x=0.0: (-0.30)/(-0.25)*100 = 120 (= cap)
    # x=0.10: (-0.20)/(-0.25)*100 = 80
    got = one("backlog_ratio", [0.175, 0.30, 0.40, 0.05, 0.0, 0.10],
              {"rule": "linear", "floor": 0.30, "target": 0.05})
    assert close(got, [50, 0, 0, 100, 120, 80])


def test_linear_custom_cap_100():
    # csat, floor 3, target 4, cap 100: x=4.5 -> 150 -> clipped to 100
    got = one("csat", [4.5], {"rule": "linear", "floor": 3, "target": 4, "cap": 100})
    assert close(got, [100])


# --- bands ---------------------------------------------------------------------------------

def test_bands_higher():
    # compliance_rate, bands [[0.98,100],[0.95,80],[0.90,60]]: first band whose threshold x reaches
    # x=0.99 -> 100; x=0.98 -> 100 (reaches); x=0.97 -> 80; x=0.95 -> 80; x=0.92 -> 60; x=0.80 -> 0
    got = one("compliance_rate", [0.99, 0.98, 0.97, 0.95, 0.92, 0.80],
              {"rule": "bands", "bands": [[0.98, 100], [0.95, 80], [0.90, 60]]})
    assert close(got, [100, 100, 80, 80, 60, 0])


def test_bands_lower():
    # staff_turnover_rate (lower), bands [[0.03,100],[0.06,80],[0.10,60]]:
    # first band whose threshold x does not exceed:
    # x=0.00 -> 100; x=0.03 -> 100; x=0.05 -> 80; x=0.10 -> 60; x=0.12 -> 0
    got = one("staff_turnover_rate", [0.0, 0.03, 0.05, 0.10, 0.12],
              {"rule": "bands", "bands": [[0.03, 100], [0.06, 80], [0.10, 60]]})
    assert close(got, [100, 100, 80, 60, 0])


# --- gate ----------------------------------------------------------------------------------

def test_gate_higher():
    # training_completion_rate, target 0.90: x >= 0.90 -> 100 else 0
    got = one("training_completion_rate", [0.95, 0.90, 0.8999], {"rule": "gate", "target": 0.90})
    assert close(got, [100, 100, 0])


def test_gate_lower():
    # reopen_rate (lower), target 0.05: x <= 0.05 -> 100 else 0
    got = one("reopen_rate", [0.0, 0.05, 0.06], {"rule": "gate", "target": 0.05})
    assert close(got, [100, 100, 0])


# --- deduction -----------------------------------------------------------------------------

def test_deduction_lower():
    # reopen_rate (lower), points 400: 100 - 400*x
    # x=0.05: 100-20 = 80;  x=0: 100;  x=0.30: 100-120 = -20 -> 0
    got = one("reopen_rate", [0.05, 0.0, 0.30], {"rule": "deduction", "points": 400})
    assert close(got, [80, 100, 0])


def test_deduction_lower_with_target():
    # staff_turnover_rate (lower), points 500, target 0.02: 100 - 500*(x - 0.02)
    # x=0.06: 100-20 = 80;  x=0.0: 100+10 = 110 (a bonus below target);  x=-1 would exceed cap
    got = one("staff_turnover_rate", [0.06, 0.0], {"rule": "deduction", "points": 500, "target": 0.02})
    assert close(got, [80, 110])


def test_deduction_higher():
    # compliance_rate (higher), points 1000, target 1.0: 100 + 1000*(x - 1.0)
    # x=0.97: 100 - 30 = 70;  x=1.0: 100;  x=0.85: 100 - 150 -> 0
    got = one("compliance_rate", [0.97, 1.0, 0.85], {"rule": "deduction", "points": 1000, "target": 1.0})
    assert close(got, [70, 100, 0])


# --- percentile ----------------------------------------------------------------------------

def test_percentile_higher_with_ties():
    # tickets_per_staff_day among 5 supervisors: values 1, 2, 2, 3, NaN
    # ranks (worst=1) among the n=4 with a value: 1, 2.5, 2.5, 4 (ties share the mean rank)
    # score = 100*(r-1)/(n-1): 0, 50, 50, 100; NaN stays NaN
    got = one("tickets_per_staff_day", [1, 2, 2, 3, np.nan], {"rule": "percentile"})
    assert close(got, [0, 50, 50, 100, np.nan])


def test_percentile_lower_and_per_period():
    # first_response_hours (lower): best = smallest.
    # 2026Q2: 10, 5, 1 -> ranks on -x: 1, 2, 3 -> 0, 50, 100
    # 2026Q3: 7, 7 -> tie -> both rank 1.5 -> 100*0.5/1 = 50;  2026Q4: a single value -> 50
    got = one("first_response_hours", [10, 5, 1, 7, 7, 3], {"rule": "percentile"},
              periods=["2026Q2"] * 3 + ["2026Q3"] * 2 + ["2026Q4"])
    assert close(got, [0, 50, 100, 50, 50, 50])


# --- dimensions, total, missing ------------------------------------------------------------

def two_dim_policy(missing="renormalize"):
    # result 0.6: csat 0.5 (linear 3.8..4.6), complaint_resolution_rate 0.5 (ratio 0.8)
    # process 0.4: compliance_rate 0.75 (bands), reopen_rate 0.25 (deduction 400)
    return make_policy(
        {"csat": {"weight": 0.5, "rule": "linear", "floor": 3.8, "target": 4.6},
         "complaint_resolution_rate": {"weight": 0.5, "rule": "ratio", "target": 0.8}},
        {"compliance_rate": {"weight": 0.75, "rule": "bands", "bands": [[0.98, 100], [0.95, 80]]},
         "reopen_rate": {"weight": 0.25, "rule": "deduction", "points": 400}},
        missing=missing)


def panel_rows(rows):
    return pd.DataFrame(rows, columns=["supervisor_id", "period", "csat", "complaint_resolution_rate",
                                       "compliance_rate", "reopen_rate"])


def test_total_score_by_hand():
    # S01: csat 4.2 -> 50; crr 0.72 -> 90; compliance 0.96 -> 80; reopen 0.05 -> 80
    # result = 0.5*50 + 0.5*90 = 70; process = 0.75*80 + 0.25*80 = 80
    # total = 0.6*70 + 0.4*80 = 42 + 32 = 74 -> rating B (>= 70)
    out = score(panel_rows([["S01", "2026Q3", 4.2, 0.72, 0.96, 0.05]]), two_dim_policy())
    row = out.iloc[0]
    assert close([row.result_score, row.process_score, row.score], [70, 80, 74])
    assert row.rating == "B" and row.missing == ""
    assert close([row.score_csat, row.score_complaint_resolution_rate, row.score_compliance_rate,
                  row.score_reopen_rate], [50, 90, 80, 80])
    assert list(out.columns[:7]) == ["supervisor_id", "period", "score", "result_score",
                                     "process_score", "rating", "missing"]


def test_missing_renormalize():
    # S02: csat missing -> complaint_resolution_rate carries the whole result dimension
    # crr 0.8 -> 100 => result = 100; compliance 0.99 -> 100, reopen 0.1 -> 60:
    # process = 0.75*100 + 0.25*60 = 90; total = 0.6*100 + 0.4*90 = 96
    out = score(panel_rows([["S02", "2026Q3", np.nan, 0.8, 0.99, 0.1]]), two_dim_policy())
    row = out.iloc[0]
    assert close([row.result_score, row.process_score, row.score], [100, 90, 96])
    assert row.missing == "csat" and row.rating == "S"


def test_missing_renormalize_two_missing_listed_in_policy_order():
    # reopen_rate and csat missing: missing = "csat;reopen_rate" (policy order)
    # result = crr 0.4 -> 50; process = compliance 0.95 -> 80; total = 0.6*50 + 0.4*80 = 62 -> C
    out = score(panel_rows([["S03", "2026Q3", np.nan, 0.4, 0.95, np.nan]]), two_dim_policy())
    row = out.iloc[0]
    assert row.missing == "csat;reopen_rate"
    assert close([row.score], [62]) and row.rating == "C"


def test_missing_whole_dimension_leaves_total_empty():
    out = score(panel_rows([["S04", "2026Q3", 4.6, 0.8, np.nan, np.nan]]), two_dim_policy())
    row = out.iloc[0]
    assert close([row.result_score], [100])
    assert np.isnan(row.process_score) and np.isnan(row.score) and row.rating == ""
    assert row.missing == "compliance_rate;reopen_rate"


def test_missing_zero():
    # csat missing scores 0: result = 0.5*0 + 0.5*100 = 50; process = 0.75*100 + 0.25*60 = 90
    # total = 0.6*50 + 0.4*90 = 30 + 36 = 66 -> C
    out = score(panel_rows([["S02", "2026Q3", np.nan, 0.8, 0.99, 0.1]]), two_dim_policy("zero"))
    row = out.iloc[0]
    assert close([row.result_score, row.process_score, row.score], [50, 90, 66])
    assert row.missing == "csat" and row.rating == "C"


def test_missing_fail_names_supervisor_period_indicator():
    panel = panel_rows([["S01", "2026Q3", 4.2, 0.72, 0.96, 0.05],
                        ["S07", "2026Q3", 4.2, 0.72, np.nan, 0.05]])
    with pytest.raises(DataError) as err:
        score(panel, two_dim_policy("fail"))
    msg = str(err.value)
    assert "S07" in msg and "2026Q3" in msg and "compliance_rate" in msg and "\n" not in msg
    # and a complete panel scores normally
    assert len(score(panel.iloc[:1], two_dim_policy("fail"))) == 1


def test_indicator_column_absent_is_missing():
    panel = panel_rows([["S01", "2026Q3", 4.2, 0.72, 0.96, 0.05]]).drop(columns="reopen_rate")
    row = score(panel, two_dim_policy()).iloc[0]
    # process = compliance alone = 80; total = 0.6*70 + 0.4*80 = 74
    assert row.missing == "reopen_rate" and close([row.process_score, row.score], [80, 74])


def test_contributions_sum_to_total():
    panel = panel_rows([["S01", "2026Q3", 4.2, 0.72, 0.96, 0.05],
                        ["S02", "2026Q3", np.nan, 0.8, 0.99, 0.1]])
    pol = two_dim_policy()
    c = contributions(panel, pol)
    s = score(panel, pol)
    inds = ["csat", "complaint_resolution_rate", "compliance_rate", "reopen_rate"]
    assert close(c[inds].sum(axis=1), s["score"])
    # S01 csat: 0.6 (dimension) * 0.5 (weight) * 50 = 15
    assert close([c.loc[0, "csat"]], [15])


def test_panel_errors():
    pol = two_dim_policy()
    with pytest.raises(DataError, match="period"):
        score(pd.DataFrame({"supervisor_id": ["S01"], "csat": [4.0]}), pol)
    dup = panel_rows([["S01", "2026Q3", 4.2, 0.72, 0.96, 0.05]] * 2)
    with pytest.raises(DataError, match="more than once"):
        score(dup, pol)


def test_chinese_ids_and_text_values_that_are_numbers():
    panel = panel_rows([["主管-张伟", "2026Q3", "4.2", "0.72", "0.96", "0.05"]])
    row = score(panel, two_dim_policy()).iloc[0]
    assert row.supervisor_id == "主管-张伟" and close([row.score], [74])


# --- ratings -------------------------------------------------------------------------------

def test_rating_bands_thresholds_inclusive():
    # first band whose threshold the total reaches: 90 -> S, 89.99 -> A, 80 -> A, 60 -> C,
    # 59.9 -> D, 0 -> D, NaN -> ""
    got = rate(pd.Series([90, 89.99, 80, 60, 59.9, 0, np.nan]), tuple(BANDS.items()))
    assert got.tolist() == ["S", "A", "A", "C", "D", "D", ""]


def test_rating_float_noise_does_not_cost_a_band():
    # a total of 90 that floating point arithmetic delivers as 89.99999999999999 is still S
    assert rate(pd.Series([0.7 * 100 + 0.2 * 100 - 1e-14]), tuple(BANDS.items())).tolist() == ["S"]


def test_largest_remainder_worked_example():
    # 7 supervisors, quotas S 0.10, A 0.20, B 0.50, C 0.15, D 0.05
    # exact: 0.7, 1.4, 3.5, 1.05, 0.35 -> floors 0, 1, 3, 1, 0 (sum 5, 2 places left)
    # remainders 0.7, 0.4, 0.5, 0.05, 0.35 -> the two largest: S (0.7) and B (0.5)
    # counts: S 1, A 1, B 4, C 1, D 0
    assert largest_remainder(7, [0.10, 0.20, 0.50, 0.15, 0.05]) == [1, 1, 4, 1, 0]


def test_largest_remainder_more_examples():
    # 10 supervisors: exact 1, 2, 5, 1.5, 0.5 -> floors 1, 2, 5, 1, 0 (9), 1 left;
    # remainders C 0.5 and D 0.5 tie -> the label listed first (C) gets it
    assert largest_remainder(10, [0.10, 0.20, 0.50, 0.15, 0.05]) == [1, 2, 5, 2, 0]
    # 3 supervisors, quotas 1/3 each written as decimals: floors 0,0,0 -> remainders
    # 0.999999, 0.999999, 1.000002 -> the last gets one first, then the first two
    assert largest_remainder(3, [0.333333, 0.333333, 0.333334]) == [1, 1, 1]
    assert largest_remainder(0, [0.5, 0.5]) == [0, 0]


def test_forced_distribution_worked_example_with_ties():
    # 7 supervisors -> counts S1 A1 B4 C1 D0 (worked above).
    # Totals: S01 95, S02 88, S03 88, S04 70, S05 70, S06 70, S07 40.
    # S02/S03 tie on total: result score 80 (S03) beats 75 (S02) -> S03 A, S02 B.
    # S04/S05/S06 tie on total and on result score 60 -> by id ascending: all B anyway.
    # Order: S01, S03, S02, S04, S05, S06, S07 -> S, A, B, B, B, B, C
    scored = pd.DataFrame({
        "supervisor_id": ["S07", "S06", "S05", "S04", "S03", "S02", "S01"],
        "period": "2026Q3",
        "score": [40, 70, 70, 70, 88, 88, 95],
        "result_score": [50, 60, 60, 60, 80, 75, 90]})
    quotas = (("S", 0.10), ("A", 0.20), ("B", 0.50), ("C", 0.15), ("D", 0.05))
    got = dict(zip(scored.supervisor_id, forced_ratings(scored, quotas)))
    assert got == {"S01": "S", "S03": "A", "S02": "B", "S04": "B", "S05": "B", "S06": "B", "S07": "C"}


def test_forced_distribution_id_breaks_full_tie_per_period():
    # 2 supervisors per period with quotas top 0.5 / rest 0.5: 1 and 1.
    # 2026Q2: identical totals and result scores -> S01 (id asc) gets "top".
    # 2026Q3: S02 ahead on total. A NaN total gets "" and is not counted.
    scored = pd.DataFrame({"supervisor_id": ["S02", "S01", "S02", "S01", "S03"],
                           "period": ["2026Q2", "2026Q2", "2026Q3", "2026Q3", "2026Q3"],
                           "score": [80, 80, 90, 85, np.nan],
                           "result_score": [70, 70, 60, 90, np.nan]})
    got = forced_ratings(scored, (("top", 0.5), ("rest", 0.5))).tolist()
    assert got == ["rest", "top", "top", "rest", ""]


def test_score_uses_forced_distribution_of_policy():
    pol = make_policy({"csat": {"weight": 1, "rule": "linear", "floor": 3.0, "target": 5.0}},
                      forced={"S": 0.10, "A": 0.20, "B": 0.50, "C": 0.15, "D": 0.05})
    # csat 5.0 .. 3.6 in steps of 0.2 -> scores 100, 90, ..., 30 (all distinct)
    panel = pd.DataFrame({"supervisor_id": [f"S{i}" for i in range(1, 8)], "period": "2026Q3",
                          "csat": [5.0, 4.8, 4.6, 4.4, 4.2, 4.0, 3.6]})
    out = score(panel, pol)
    assert out.rating.tolist() == ["S", "A", "B", "B", "B", "B", "C"]


# --- presets -------------------------------------------------------------------------------

def test_preset_scores_a_row_by_hand():
    pol = load_policy("efficiency")
    # only csat and compliance_rate present; renormalize:
    # csat (linear, floor 3.8, target 4.3) 4.05 -> (4.05-3.8)/(4.3-3.8)*100 = 50 = result score
    # compliance (bands 0.97 -> 100, 0.94 -> 80, ...) 0.96 -> 80 = process score
    # total = 0.65*50 + 0.35*80 = 32.5 + 28 = 60.5 -> C
    panel = pd.DataFrame({"supervisor_id": ["S01"], "period": ["2026Q3"], "csat": [4.05],
                          "compliance_rate": [0.96]})
    row = perfmodel.score(panel, pol).iloc[0]
    assert close([row.score_csat, row.result_score, row.process_score, row.score], [50, 50, 80, 60.5])
    assert row.rating == "C"
    assert len(row.missing.split(";")) == 15


# --- properties ----------------------------------------------------------------------------

RULE_ENTRIES = [
    {"rule": "ratio", "target": 0.8},
    {"rule": "linear", "floor": 0.5, "target": 0.9},
    {"rule": "bands", "bands": [[0.9, 100], [0.7, 80], [0.5, 40]]},
    {"rule": "gate", "target": 0.6},
    {"rule": "deduction", "points": 150, "target": 0.8},
    {"rule": "percentile"},
]
LOWER_ENTRIES = [
    {"rule": "ratio", "target": 0.2},
    {"rule": "linear", "floor": 0.6, "target": 0.1},
    {"rule": "bands", "bands": [[0.1, 100], [0.3, 80], [0.5, 40]]},
    {"rule": "gate", "target": 0.3},
    {"rule": "deduction", "points": 150},
    {"rule": "percentile"},
]
values = st.floats(min_value=-0.5, max_value=2.0, allow_nan=False)


def _property_policy(hi: dict, lo: dict, cap: float):
    # complaint_resolution_rate is higher-is-better, customer_churn_rate lower-is-better,
    # timely_closure_rate (higher) and backlog_ratio (lower) fill the process dimension
    return make_policy(
        {"complaint_resolution_rate": {"weight": 0.7, **hi, "cap": cap},
         "customer_churn_rate": {"weight": 0.3, **lo, "cap": cap}},
        {"timely_closure_rate": {"weight": 0.5, "rule": "linear", "floor": 0.5, "target": 0.9},
         "backlog_ratio": {"weight": 0.5, "rule": "ratio", "target": 0.1}})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(i=st.integers(0, 5), j=st.integers(0, 5),
       xs=st.lists(st.tuples(values, values, values, values), min_size=1, max_size=6),
       who=st.integers(0, 5), step_hi=st.floats(0, 1), step_lo=st.floats(0, 1),
       cap=st.sampled_from([100.0, 120.0, 150.0]))
def test_property_improving_never_lowers_score(i, j, xs, who, step_hi, step_lo, cap):
    pol = _property_policy(RULE_ENTRIES[i], LOWER_ENTRIES[j], cap)
    cols = ["complaint_resolution_rate", "customer_churn_rate", "timely_closure_rate", "backlog_ratio"]
    panel = pd.DataFrame(xs, columns=cols)
    panel.insert(0, "supervisor_id", [f"S{k}" for k in range(len(panel))])
    panel.insert(1, "period", "2026Q3")
    who = who % len(panel)
    better = panel.copy()
    better.loc[who, "complaint_resolution_rate"] += step_hi  # higher is better
    better.loc[who, "customer_churn_rate"] -= step_lo         # lower is better
    before = score(panel, pol).set_index("supervisor_id")
    after = score(better, pol).set_index("supervisor_id")
    sid = f"S{who}"
    for col in ("score", "result_score", "score_complaint_resolution_rate",
                "score_customer_churn_rate"):
        assert after.loc[sid, col] >= before.loc[sid, col] - 1e-9
    # every indicator score lies in [0, cap] (the process indicators keep the default cap 120)
    for frame in (before, after):
        s = frame[[f"score_{c}" for c in cols[:2]]].to_numpy()
        assert np.all((s >= 0) & (s <= cap))
        s = frame[[f"score_{c}" for c in cols[2:]]].to_numpy()
        assert np.all((s >= 0) & (s <= 120))


@settings(max_examples=100, deadline=None)
@given(xs=st.lists(st.tuples(values, values, values, values), min_size=1, max_size=6),
       k_result=st.floats(0.01, 100), k_process=st.floats(0.01, 100),
       holes=st.lists(st.booleans(), min_size=4, max_size=4), missing=st.sampled_from(["renormalize", "zero"]))
def test_property_scaling_weights_of_a_dimension_changes_nothing(xs, k_result, k_process, holes, missing):
    pol = _property_policy(RULE_ENTRIES[1], LOWER_ENTRIES[0], 120.0)
    pol = dataclasses.replace(pol, missing=missing)
    cols = ["complaint_resolution_rate", "customer_churn_rate", "timely_closure_rate", "backlog_ratio"]
    panel = pd.DataFrame(xs, columns=cols)
    for c, hole in zip(cols, holes):
        if hole:
            panel.loc[0, c] = np.nan
    panel.insert(0, "supervisor_id", [f"S{k}" for k in range(len(panel))])
    panel.insert(1, "period", "2026Q3")
    scaled = {k: dataclasses.replace(r, weight=r.weight * (k_result if r.dimension == "result" else k_process))
              for k, r in pol.indicators.items()}
    pol2 = dataclasses.replace(pol, indicators=scaled)  # weights no longer sum to 1 on purpose
    a, b = score(panel, pol), score(panel, pol2)
    for col in ("score", "result_score", "process_score"):
        assert close(a[col], b[col])
    assert a.rating.tolist() == b.rating.tolist()
    # the same through the public API: with_weights(normalize=True)
    pol3 = pol.with_weights(indicators={k: r.weight for k, r in scaled.items()}, normalize=True)
    assert close(score(panel, pol3)["score"], a["score"])


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 500),
       raw=st.lists(st.integers(0, 1000), min_size=1, max_size=7).filter(lambda r: sum(r) > 0))
def test_property_largest_remainder_exact(n, raw):
    quotas = [r / sum(raw) for r in raw]
    counts = largest_remainder(n, quotas)
    assert sum(counts) == n and all(c >= 0 for c in counts)
    # each count is the floor or the ceiling of its exact quota
    for c, q in zip(counts, quotas):
        assert np.floor(q * n) - 1e-9 <= c <= np.ceil(q * n) + 1e-9


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), seed=st.integers(0, 10_000))
def test_property_forced_distribution_counts_exact(n, seed):
    rng = np.random.default_rng(seed)
    quotas = (("S", 0.10), ("A", 0.20), ("B", 0.50), ("C", 0.15), ("D", 0.05))
    scored = pd.DataFrame({"supervisor_id": [f"S{k:03d}" for k in range(n)], "period": "2026Q3",
                           "score": rng.integers(50, 60, n).astype(float),  # many ties
                           "result_score": rng.integers(0, 3, n).astype(float)})
    got = forced_ratings(scored, quotas)
    expected = largest_remainder(n, [q for _, q in quotas])
    assert [int((got == label).sum()) for label, _ in quotas] == expected
    # better-ranked supervisors never get a worse label
    order = {"S": 0, "A": 1, "B": 2, "C": 3, "D": 4}
    ranked = scored.assign(r=got.map(order)).sort_values(
        ["score", "result_score", "supervisor_id"], ascending=[False, False, True])
    assert ranked.r.is_monotonic_increasing


@settings(max_examples=100, deadline=None)
@given(xs=st.lists(st.one_of(st.floats(min_value=-1e6, max_value=1e6), st.just(float("nan"))),
                   min_size=1, max_size=8),
       k=st.integers(0, 5), lower=st.booleans(), cap=st.sampled_from([100.0, 120.0, 200.0]))
def test_property_indicator_scores_within_cap(xs, k, lower, cap):
    entry = dict((LOWER_ENTRIES if lower else RULE_ENTRIES)[k], cap=cap)
    ind = "customer_churn_rate" if lower else "complaint_resolution_rate"
    got = np.array(one(ind, xs, entry), dtype=float)
    ok = got[~np.isnan(got)]
    assert np.all((ok >= 0) & (ok <= cap))
    assert np.array_equal(np.isnan(got), np.isnan(np.array(xs, dtype=float)))


# --- the score command on a dataset worked by hand -------------------------------------------

HAND_POLICY = """\
name: 手工示例
version: "1"
period: quarter
dimensions: {result: 0.6, process: 0.4}
indicators:
  csat:                      {weight: 0.5, rule: linear, floor: 3.5, target: 4.5}
  complaint_resolution_rate: {weight: 0.5, rule: ratio, target: 0.8}
  first_response_hours:      {weight: 0.5, rule: ratio, target: 4}
  backlog_ratio:             {weight: 0.5, rule: linear, floor: 0.5, target: 0.1}
ratings:
  bands: {S: 90, A: 80, B: 70, C: 60, D: 0}
"""


def write_hand_dataset(folder):
    """Three supervisors, two tickets each in 2026Q3, one survey per ticket."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "supervisors.csv").write_text(
        "supervisor_id,name,team,region\nS1,张伟,华东,上海\nS2,李娜,华东,杭州\nS3,王芳,华南,深圳\n",
        encoding="utf-8")
    (folder / "tickets.csv").write_text(
        "ticket_id,supervisor_id,created_at,first_response_at,resolved_at,is_complaint,reopened\n"
        "T1,S1,2026-07-01 09:00:00,2026-07-01 11:00:00,2026-07-02 09:00:00,是,0\n"
        "T2,S1,2026-07-10 09:00:00,2026-07-10 13:00:00,2026-07-11 09:00:00,否,0\n"
        "T3,S2,2026-08-01 09:00:00,2026-08-01 15:00:00,,是,0\n"
        "T4,S2,2026-08-02 09:00:00,2026-08-02 17:00:00,2026-08-03 09:00:00,否,0\n"
        "T5,S3,2026-09-01 09:00:00,2026-09-01 10:00:00,2026-09-02 09:00:00,是,0\n"
        "T6,S3,2026-09-02 09:00:00,2026-09-02 12:00:00,2026-09-03 09:00:00,是,0\n", encoding="utf-8")
    (folder / "surveys.csv").write_text(
        "ticket_id,responded_at,overall\nT1,2026-07-03 10:00:00,5\nT2,2026-07-12 10:00:00,4\n"
        "T3,2026-08-05 10:00:00,3\nT4,2026-08-04 10:00:00,4\nT5,2026-09-03 10:00:00,4\n"
        "T6,2026-09-04 10:00:00,4\n", encoding="utf-8")
    (folder / "policy.yaml").write_text(HAND_POLICY, encoding="utf-8")
    return folder


def test_score_command_by_hand(tmp_path, capsys):
    from perfmodel.cli import main
    d = write_hand_dataset(tmp_path / "data")
    out = tmp_path / "scores.csv"
    assert main(["score", "--data", str(d), "--policy", str(d / "policy.yaml"), "--period", "2026Q3",
                 "--out", str(out)]) == 0
    got = pd.read_csv(out, keep_default_na=False).set_index("supervisor_id")
    # Indicators from the tickets and surveys:
    #   S1: csat (5+4)/2 = 4.5; complaints T1 resolved -> 1/1 = 1.0; first response 2h, 4h -> median 3;
    #       unresolved at end 0 of 2 created -> backlog 0
    #   S2: csat (3+4)/2 = 3.5; complaint T3 unresolved -> 0/1 = 0; 6h, 8h -> 7; backlog 1/2 = 0.5
    #   S3: csat 4.0; complaints 2/2 = 1.0; 1h, 3h -> 2; backlog 0
    # Scores:
    #   S1: csat (4.5-3.5)/1*100 = 100; crr 100*1.0/0.8 = 125 -> 120; result (100+120)/2 = 110
    #       first response 100*4/3 = 133.3 -> 120; backlog (0-0.5)/(0.1-0.5)*100 = 125 -> 120; process 120
    #       total 0.6*110 + 0.4*120 = 66 + 48 = 114 -> S
    #   S2: csat 0; crr 0; result 0; first response 400/7 = 57.142857; backlog 0; process 28.571429
    #       total 0.4*28.571429 = 11.428571 -> D
    #   S3: csat 50; crr 120; result 85; first response 200 -> 120; backlog 120; process 120
    #       total 0.6*85 + 0.4*120 = 51 + 48 = 99 -> S
    assert got.loc["S1", "score"] == pytest.approx(114)
    assert got.loc["S2", "score"] == pytest.approx(0.4 * (400 / 7) / 2)
    assert got.loc["S3", "score"] == pytest.approx(99)
    assert got.loc["S2", "score_first_response_hours"] == pytest.approx(400 / 7)
    assert got["rating"].to_dict() == {"S1": "S", "S2": "D", "S3": "S"}
    assert got.loc["S3", "result_score"] == pytest.approx(85)
    assert (got["missing"] == "").all() and (got["period"] == "2026Q3").all()
    stdout = capsys.readouterr().out
    assert "3 supervisors, 2026Q3" in stdout and "S 2, A 0, B 0, C 0, D 1" in stdout
    # the same run twice gives the same bytes
    again = tmp_path / "again.csv"
    main(["score", "--data", str(d), "--policy", str(d / "policy.yaml"), "--period", "2026Q3",
          "--out", str(again)])
    assert again.read_bytes() == out.read_bytes()


def test_score_command_errors(tmp_path, capsys):
    from perfmodel.cli import main
    d = write_hand_dataset(tmp_path / "data")
    # a month for a quarterly policy
    assert main(["score", "--data", str(d), "--policy", "efficiency", "--period", "2026-09",
                 "--out", str(tmp_path / "s.csv")]) == 2
    assert "scores by quarter" in capsys.readouterr().err
    assert main(["score", "--data", str(d), "--policy", "efficiency", "--period", "2026Q3",
                 "--out", str(tmp_path / "s.txt")]) == 2
    assert ".csv, .parquet or .xlsx" in capsys.readouterr().err


def test_rate_takes_a_plain_list_and_keeps_a_series_index():
    # a list has an ``index`` method: it must not be taken for an index
    from perfmodel.scoring.scores import rate

    bands = [("S", 90.0), ("A", 80.0), ("B", 70.0), ("C", 60.0), ("D", 0.0)]
    assert rate([95.0, 80.0, 79.9, float("nan")], bands).tolist() == ["S", "A", "B", ""]
    labelled = rate(pd.Series([61.0, 59.0], index=[7, 3]), bands)
    assert labelled.index.tolist() == [7, 3] and labelled.tolist() == ["C", "D"]
