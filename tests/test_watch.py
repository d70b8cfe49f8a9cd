"""Tests of perfmodel.watch: the as-of cut, period-to-date indicators, projection, warnings.

Expected values are worked by hand from the tiny dataset below (period 2026Q3, as of
2026-08-15 00:00, i.e. the 45 days 2026-07-01 .. 2026-08-14).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from perfmodel import dataset_from_frames
from perfmodel.errors import UsageError
from perfmodel.watch import cut_dataset, period_to_date
from perfmodel.watch import projection as proj
from perfmodel.watch import reasons

AS_OF = "2026-08-15"


def tiny_frames() -> dict[str, pd.DataFrame]:
    T = pd.Timestamp
    return {
        "supervisors": pd.DataFrame({"supervisor_id": ["S1", "S2"], "name": ["张伟", "Li Na"]}),
        "staff": pd.DataFrame({
            "staff_id": ["A1", "A2", "A3", "B1"],
            "supervisor_id": ["S1", "S1", "S1", "S2"],
            "hired_on": [T("2025-01-01"), T("2025-06-01"), T("2026-08-20"), T("2025-01-01")],
            "left_on": [T("2026-07-20"), T("2026-09-01"), pd.NaT, pd.NaT],
            "promoted_on": [pd.NaT, pd.NaT, pd.NaT, T("2026-08-01")],
        }),
        "tickets": pd.DataFrame({
            "ticket_id": ["T0", "T1", "T2", "T3", "T4", "U1"],
            "supervisor_id": ["S1", "S1", "S1", "S1", "S1", "S2"],
            "created_at": [T("2026-06-20 10:00"), T("2026-07-05 09:00"), T("2026-08-10 08:00"),
                           T("2026-08-14 20:00"), T("2026-08-16 09:00"), T("2026-07-10 10:00")],
            "first_response_at": [T("2026-06-20 11:00"), T("2026-07-05 11:00"),
                                  T("2026-08-10 12:00"), pd.NaT, T("2026-08-16 10:00"),
                                  T("2026-07-10 11:00")],
            "resolved_at": [T("2026-07-02 10:00"), T("2026-07-06 09:00"), T("2026-08-20 08:00"),
                            pd.NaT, T("2026-08-17 09:00"), T("2026-07-11 10:00")],
            "due_at": [T("2026-06-25"), T("2026-07-07"), T("2026-08-12"), T("2026-08-16"),
                       T("2026-08-18"), T("2026-07-12")],
            "is_complaint": [False, True, True, False, True, False],
            "reopened": [0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            "cost": [10.0, 100.0, 50.0, 30.0, 1000.0, 40.0],
        }),
        "surveys": pd.DataFrame({
            "ticket_id": ["T0", "T1", "T2", "U1"],
            "responded_at": [T("2026-07-01 09:00"), T("2026-07-08 10:00"), T("2026-08-21 10:00"),
                             T("2026-07-12 10:00")],
            "overall": [5.0, 4.0, 1.0, 3.0],
        }),
        "followups": pd.DataFrame({
            "ticket_id": ["T1", "T1"],
            "called_at": [T("2026-07-10 10:00"), T("2026-08-20 10:00")],
            "reached": [True, True],
            "positive": [True, False],
        }),
        "customers": pd.DataFrame({
            "customer_id": ["C1", "C2", "C3", "C4"],
            "supervisor_id": ["S1", "S1", "S1", "S1"],
            "since": [T("2025-01-01"), T("2025-01-01"), T("2025-01-01"), T("2026-08-20")],
            "churned_on": [T("2026-08-01"), T("2026-09-01"), pd.NaT, pd.NaT],
        }),
        "training": pd.DataFrame({
            "staff_id": ["A1", "A2", "A2", "A2"],
            "course_id": ["K1", "K2", "K3", "K4"],
            "due_on": [T("2026-07-15"), T("2026-08-01"), T("2026-08-10"), T("2026-09-10")],
            "completed_on": [T("2026-07-10"), T("2026-08-05"), T("2026-08-20"), T("2026-08-01")],
            "pre_score": [60.0, 50.0, 40.0, 50.0],
            "post_score": [80.0, 70.0, 90.0, 60.0],
        }),
        "audits": pd.DataFrame({
            "supervisor_id": ["S1", "S1"], "audited_on": [T("2026-07-20"), T("2026-08-20")],
            "items_checked": [50.0, 50.0], "violations": [2.0, 20.0],
        }),
        "peer_reviews": pd.DataFrame({
            "supervisor_id": ["S1", "S1"], "reviewer_id": ["R1", "R2"],
            "reviewed_on": [T("2026-07-15"), T("2026-08-16")], "collaboration": [4.0, 1.0],
        }),
        "budgets": pd.DataFrame({"supervisor_id": ["S1", "S2"], "period": ["2026Q3", "2026Q3"],
                                 "budget": [920.0, 920.0]}),
    }


@pytest.fixture(scope="module")
def tiny():
    return dataset_from_frames(tiny_frames())


# --- the cut -----------------------------------------------------------------------------

def test_cut_drops_later_records_and_empties_later_changes(tiny):
    cut = cut_dataset(tiny, AS_OF)
    t = cut["tickets"].set_index("ticket_id")
    assert sorted(t.index) == ["T0", "T1", "T2", "T3", "U1"]          # T4 created 08-16
    assert pd.isna(t.loc["T2", "resolved_at"])                        # resolved 08-20
    assert t.loc["T1", "resolved_at"] == pd.Timestamp("2026-07-06 09:00")
    assert sorted(cut["surveys"]["ticket_id"]) == ["T0", "T1", "U1"]
    assert len(cut["followups"]) == 1
    s = cut["staff"].set_index("staff_id")
    assert sorted(s.index) == ["A1", "A2", "B1"]
    assert pd.isna(s.loc["A2", "left_on"]) and s.loc["A1", "left_on"] == pd.Timestamp("2026-07-20")
    c = cut["customers"].set_index("customer_id")
    assert sorted(c.index) == ["C1", "C2", "C3"] and pd.isna(c.loc["C2", "churned_on"])
    tr = cut["training"].set_index("course_id")
    assert pd.isna(tr.loc["K3", "completed_on"]) and pd.isna(tr.loc["K3", "post_score"])
    assert tr.loc["K3", "pre_score"] == 40.0 and tr.loc["K4", "post_score"] == 60.0
    assert len(cut["audits"]) == 1 and len(cut["peer_reviews"]) == 1
    assert len(cut["budgets"]) == 2
    # the input is not modified
    assert len(tiny["tickets"]) == 6 and tiny["tickets"]["resolved_at"].notna().sum() == 5


def test_cut_keeps_dtypes(tiny):
    cut = cut_dataset(tiny, AS_OF)
    for name, frame in tiny.tables.items():
        assert list(cut[name].columns) == list(frame.columns)
        assert list(cut[name].dtypes) == list(frame.dtypes), name


def test_cut_instant_is_exclusive(tiny):
    # an event exactly at the as-of instant has not happened yet
    cut = cut_dataset(tiny, "2026-07-20")
    assert pd.isna(cut["staff"].set_index("staff_id").loc["A1", "left_on"])
    assert len(cut["audits"]) == 0


def test_bad_as_of_is_a_usage_error(tiny):
    with pytest.raises(UsageError, match="as-of"):
        cut_dataset(tiny, "15/08/2026x")


# --- period-to-date indicators (hand-computed) ---------------------------------------------

EXPECTED_S1 = {
    "csat": 4.5,                              # T0 (5, responded 07-01) and T1 (4)
    "followup_positive_rate": 1.0,            # the 08-20 visit has not happened
    "complaint_resolution_rate": 0.5,         # T1 resolved, T2 resolved only on 08-20
    "customer_churn_rate": 1 / 3,             # C1 of C1..C3; C2 churns 09-01
    "cost_control_rate": 180 / (920 * 45 / 92),  # T1+T2+T3 over the prorated budget
    "first_response_hours": 3.0,              # median of 2 h and 4 h
    "complaint_handling_hours": 24.0,         # T1
    "timely_closure_rate": 1 / 3,             # T1 of T1, T2, T3
    "backlog_ratio": 2 / 3,                   # T2, T3 open at the as-of instant over 3 created
    "tickets_per_staff_day": 2 / (19 + 45),   # T0, T1 resolved; A1 19 days, A2 45 days
    "reopen_rate": 0.0,
    "compliance_rate": 1 - 2 / 50,
    "collaboration_score": 4.0,
    "training_completion_rate": 1 / 3,        # K1 on time; K2 late; K3 not done by 08-15
    "skill_gain": (20 + 20 + 10) / 3,         # K1, K2, K4 completed in the part
    "staff_turnover_rate": 1 / ((2 + 1) / 2),  # A1 left; headcount 2 on 07-01, 1 on 08-14
    "promotion_rate": 0.0,
    "cost_per_ticket": 60.0,
}


def test_period_to_date_indicators_by_hand(tiny):
    ptd = period_to_date(tiny, "2026Q3", AS_OF)
    assert set(ptd["period"]) == {"2026Q3"}
    assert ptd["elapsed"].iloc[0] == pytest.approx(45 / 92)
    got = ptd[ptd["supervisor_id"] == "S1"].set_index("indicator")["value"]
    for ind, expected in EXPECTED_S1.items():
        assert got[ind] == pytest.approx(expected), ind
    s2 = ptd[ptd["supervisor_id"] == "S2"].set_index("indicator")["value"]
    assert s2["promotion_rate"] == pytest.approx(1.0)   # B1 promoted 08-01, headcount 1
    assert s2["csat"] == pytest.approx(3.0)


def test_period_to_date_ignores_later_events(tiny):
    before = period_to_date(tiny, "2026Q3", AS_OF)
    frames = tiny_frames()
    T = pd.Timestamp
    frames["tickets"].loc[1, "cost"] = 100.0
    frames["tickets"] = pd.concat([frames["tickets"], pd.DataFrame({
        "ticket_id": ["T9"], "supervisor_id": ["S2"], "created_at": [T("2026-08-15 00:00")],
        "first_response_at": [T("2026-08-15 01:00")], "resolved_at": [T("2026-08-15 02:00")],
        "due_at": [T("2026-08-16")], "is_complaint": [True], "reopened": [0.0], "cost": [5.0]})],
        ignore_index=True)
    frames["tickets"].loc[frames["tickets"]["ticket_id"] == "T3", "resolved_at"] = T("2026-08-15 00:00")
    after = period_to_date(dataset_from_frames(frames), "2026Q3", AS_OF)
    pd.testing.assert_frame_equal(before, after)


# --- projection ----------------------------------------------------------------------------

def test_prior_means_by_hand():
    wide = pd.DataFrame({"supervisor_id": ["S1"] * 3 + ["S2"] * 3,
                         "period": ["2026Q1", "2026Q2", "2026Q3"] * 2,
                         "csat": [np.nan, 4.0, 4.4, 3.0, np.nan, np.nan],
                         "timely_closure_rate": [0.5, 0.7, 0.9, 0.6, 0.6, np.nan]})
    pr = proj.prior_means(wide, "csat", {"timely_closure_rate": 1.0}, ["2026Q4"])
    s1 = pr.set_index("supervisor_id").loc["S1"]
    # own mean 4.2; lagged driver now 0.9 vs its mean 0.6 over the lags of Q2, Q3 (0.5, 0.7)
    assert s1["prior"] == pytest.approx(4.2 + 0.3)
    assert s1["lag_adjustment"] == pytest.approx(0.3) and s1["n_hist"] == 2
    s2 = pr.set_index("supervisor_id").loc["S2"]
    # no lagged driver value for 2026Q4 (Q3 missing): plain own mean
    assert s2["prior"] == pytest.approx(3.0) and s2["n_hist"] == 1


def test_prior_falls_back_to_latest_cross_section():
    wide = pd.DataFrame({"supervisor_id": ["S1", "S2"], "period": ["2026Q2", "2026Q2"],
                         "csat": [4.0, np.nan]})
    pr = proj.prior_means(wide, "csat", {}, ["2026Q3"]).set_index("supervisor_id")
    assert pr.loc["S2", "prior"] == pytest.approx(4.0) and pr.loc["S2", "n_hist"] == 0


def test_fit_recovers_an_exact_relation():
    rng = np.random.default_rng(1)
    m = rng.normal(4, 0.3, 60)
    x = rng.normal(4, 0.3, 60)
    n = np.full(60, 50.0)
    y = 0.5 + 0.9 * x          # period-to-date carries everything: k0 = 0, a = .5, b = .9, c = 0
    fit = proj.fit_projection(pd.DataFrame({"x": x, "n": n, "m": m, "y": y}))
    assert fit.k0 == 0.0
    np.testing.assert_allclose(fit.coef, [0.5, 0.9, 0.0], atol=1e-9)
    assert fit.sigma == pytest.approx(0.0, abs=1e-9) and fit.df == 57


def test_fit_needs_enough_rows():
    rows = pd.DataFrame({"x": [1.0] * 5, "n": [1.0] * 5, "m": [1.0] * 5, "y": [1.0] * 5})
    assert proj.fit_projection(rows) is None


def test_p_miss_respects_direction():
    # t with 10 df: P(T <= -1.812) = 0.05 (printed t tables)
    assert proj.p_miss(4.0 + 1.812, 1.0, 10, 4.0, "higher") == pytest.approx(0.05, abs=5e-4)
    assert proj.p_miss(4.0 + 1.812, 1.0, 10, 4.0, "lower") == pytest.approx(0.95, abs=5e-4)
    assert proj.p_miss(0.10, 0.02, 1000, 0.10, "lower") == pytest.approx(0.5)


# --- reasons ---------------------------------------------------------------------------------

def test_only_predicting_drivers_in_the_helpful_direction():
    validity = pd.DataFrame({
        "process": ["training_completion_rate", "first_response_hours", "compliance_rate",
                    "reopen_rate"],
        "result": ["csat"] * 4,
        "coef": [0.8, -0.02, 1.5, 0.5],
        "se": [0.2, 0.005, 0.9, 0.1],
        "p_adj": [0.01, 0.02, 0.4, 0.01],
        "verdict": ["predicts", "predicts", "no evidence", "predicts"],
    })
    got = reasons.drivers_for("csat", validity)
    # compliance: no evidence; reopen_rate: a higher reopen rate going with higher csat is
    # not a reason to coach on it
    assert sorted(got["process"]) == ["first_response_hours", "training_completion_rate"]


def test_suggestion_text_en_and_zh():
    en = reasons.suggestion("csat", "training_completion_rate", 0.55, 0.80, "target", 0.8)
    assert en.startswith("Training completion rate 55.0 % vs target 80.0 %; in past data a "
                         "10-point rise went with +0.08 customer satisfaction the next quarter.")
    zh = reasons.suggestion("csat", "first_response_hours", 6.0, 2.0, "target", -0.02, lang="zh")
    assert "首次响应时长为 6.0 h，目标 2.0 h" in zh and "降低 4 h" in zh and "+0.08" in zh
