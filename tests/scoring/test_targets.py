"""One target module: the target of each rule kind, whether a value meets it, an agreed goal.

Every expected value below is worked out by hand from SPEC §4.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from perfmodel.scoring import targets as T
from perfmodel.scoring.policy import AgreedTarget, IndicatorRule, load_policy


def rule(indicator, kind, direction, **kw):
    return IndicatorRule(indicator=indicator, dimension="process", weight=1.0, rule=kind,
                         direction=direction, **kw)


NAN = float("nan")


def same(got, want):
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    assert got.shape == want.shape and np.array_equal(np.isnan(got), np.isnan(want)), (got, want)
    assert np.allclose(got[~np.isnan(got)], want[~np.isnan(want)]), (got, want)


def test_ratio_higher_and_lower():
    r = rule("complaint_resolution_rate", "ratio", "higher", target=0.8)
    assert T.target_value(r) == 0.8
    same(T.meets(r, [0.8, 0.79, 0.95, NAN]), [1, 0, 1, NAN])
    assert T.target_text(r) == "≥ 80.0 %"
    low = rule("first_response_hours", "ratio", "lower", target=4.0)
    same(T.meets(low, [4.0, 4.01, 0.0]), [1, 0, 1])
    assert T.target_text(low, lang="zh") == "≤ 4.0 h"


def test_linear_target_and_floor():
    r = rule("csat", "linear", "higher", floor=3.8, target=4.3)
    t = T.Target("csat", None, None, r, T.target_value(r), 3.8, False)
    assert (t.value, t.floor) == (4.3, 3.8)
    # 4.05 scores 50 (half way from the floor) but does not meet the target
    same(T.meets(r, [4.05, 4.3, 4.5]), [0, 1, 1])
    churn = rule("customer_churn_rate", "linear", "lower", floor=0.08, target=0.03)
    same(T.meets(churn, [0.03, 0.031, 0.01]), [1, 0, 1])


def test_gate():
    r = rule("compliance_rate", "gate", "higher", target=0.95)
    same(T.meets(r, [0.95, 0.9499, 1.0]), [1, 0, 1])
    assert T.target_text(r) == "≥ 95.0 %"


def test_deduction_with_and_without_target():
    r = rule("reopen_rate", "deduction", "lower", points=500.0, target=0.05)
    assert T.target_value(r) == T.stated_target(r) == 0.05
    same(T.meets(r, [0.05, 0.06, 0.0]), [1, 0, 1])
    bare = rule("reopen_rate", "deduction", "lower", points=500.0)
    # nothing is deducted at 0: that is the target, but the policy states none
    assert T.target_value(bare) == 0.0
    assert T.stated_target(bare) is None
    same(T.meets(bare, [0.0, 0.01]), [1, 0])
    assert T.target_text(bare) == "≤ 0.0 %, −5 per +1 pt"


def test_bands_target_band():
    # best band first; the least demanding band scoring 100 is the 0.95 band
    r = rule("compliance_rate", "bands", "higher", bands=((0.98, 120.0), (0.95, 100.0), (0.90, 60.0)))
    assert T.band_target(r) == (0.95, 100.0)
    assert T.target_value(r) == 0.95
    # scores: 0.96 -> 100, 0.97 -> 100, 0.92 -> 60, 0.99 -> 120
    same(T.meets(r, [0.96, 0.97, 0.92, 0.99]), [1, 1, 0, 1])
    assert T.target_text(r) == "≥ 95.0 %"
    # no band reaches 100: the target is the best points (80), least demanding such band
    low = rule("backlog_ratio", "bands", "lower", bands=((0.05, 80.0), (0.10, 80.0), (0.20, 40.0)))
    assert T.band_target(low) == (0.10, 80.0)
    same(T.meets(low, [0.08, 0.15, 0.25]), [1, 0, 0])


def test_percentile_median_rank():
    r = rule("tickets_per_staff_day", "percentile", "higher")
    assert T.target_value(r) is None
    # ranks 1..5 of 5 -> scores 0, 25, 50, 75, 100; the median and above meet P50
    same(T.meets(r, [1.0, 2.0, 3.0, 4.0, 5.0]), [0, 0, 1, 1, 1])
    # ranked within each period: each period's best meets, its worst does not
    same(T.meets(r, [1.0, 9.0, 10.0, 2.0], periods=["a", "a", "b", "b"]), [0, 1, 1, 0])
    assert T.target_text(r) == "P50" and T.target_text(r, lang="zh") == "第 50 百分位"


def test_agreed_goal_replaces_target():
    pol = load_policy("efficiency")  # csat linear, floor 3.8, target 4.3
    goal = AgreedTarget("S01", "2026Q1", "csat", 4.5, 4.0)
    replacing = replace(pol, goals="replace", agreed=(goal,))
    t = T.target_for(replacing, "csat", "S01", "2026Q1")
    assert (t.value, t.floor, t.agreed) == (4.5, 4.0, True)
    assert t.text() == "≥ 4.50"
    same(t.meets([4.4, 4.5]), [0, 1])  # 4.4 met the policy's 4.3, not the agreed 4.5
    # another supervisor, another period, or goals reported only: the policy's target
    assert T.target_for(replacing, "csat", "S02", "2026Q1").value == 4.3
    assert T.target_for(replacing, "csat", "S01", "2026Q2").value == 4.3
    reported = replace(pol, goals="report", agreed=(goal,))
    assert (T.target_for(reported, "csat", "S01", "2026Q1").value,
            T.target_for(reported, "csat", "S01", "2026Q1").agreed) == (4.3, False)
    table = T.target_table(replacing, [("S01", "2026Q1"), ("S02", "2026Q1")])
    csat = table[table["indicator"] == "csat"].set_index("supervisor_id")
    assert csat.loc["S01", "target"] == 4.5 and bool(csat.loc["S01", "agreed"])
    assert csat.loc["S02", "target"] == 4.3 and not bool(csat.loc["S02", "agreed"])
    assert len(table) == 2 * len(pol.indicators)


def test_agreed_goal_scores_against_its_target():
    # scoring, pages and watch read the same agreed target: (4.4 - 4.0) / (4.5 - 4.0) = 80
    import pandas as pd

    from perfmodel.scoring.scores import indicator_scores

    pol = load_policy("efficiency")
    pol = replace(pol, goals="replace", agreed=(AgreedTarget("S01", "2026Q1", "csat", 4.5, 4.0),))
    panel = pd.DataFrame({"supervisor_id": ["S01", "S02"], "period": ["2026Q1", "2026Q1"],
                          **{ind: [NAN, NAN] for ind in pol.indicators}})
    panel["csat"] = [4.4, 4.4]
    s = indicator_scores(panel, pol).set_index("supervisor_id")["csat"]
    assert math.isclose(s["S01"], 80.0)
    assert math.isclose(s["S02"], 120.0)  # policy: (4.4 - 3.8) / 0.5 * 100 = 120, the cap


def test_watch_and_pages_use_the_same_target():
    from perfmodel.reporting import sections
    from perfmodel.analysis.watch import rule_target

    r = rule("compliance_rate", "bands", "higher", bands=((0.98, 120.0), (0.95, 100.0), (0.90, 60.0)))
    assert rule_target(r) == T.target_value(r) == sections.band_target(r)[0]
    assert sections.met_target is T.meets and sections.target_text is T.target_text


def test_smart_goals_and_the_smart_check_reach_as_targets_do():
    from perfmodel.analysis.lint_goals import reached

    low = rule("reopen_rate", "deduction", "lower", points=500.0, target=0.05)
    np.testing.assert_array_equal(reached([0.04, 0.05, 0.06, NAN], low, 0.05), [True, True, False, False])
    np.testing.assert_array_equal(T.reaches([3.0, 4.0], 3.5, "higher"), [False, True])
