"""Tests of perfmodel.analysis.watch: the as-of cut, period-to-date indicators, projection, warnings.

Expected values are worked by hand from the tiny dataset below (period 2026Q3, as of
2026-08-15 00:00, i.e. the 45 days 2026-07-01 .. 2026-08-14).
"""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from perfmodel import dataset_from_frames
from perfmodel.core.errors import UsageError
from perfmodel.analysis.watch import cut_dataset, period_to_date
from perfmodel.analysis.watch import projection as proj
from perfmodel.analysis.watch import reasons

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
    frames["tickets"].loc[4, "cost"] = 5.0          # T4, created after the as-of instant
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


# --- the whole watch: nothing after the as-of instant changes the output -------------------

def random_frames(seed: int = 3, n_sup: int = 8, first: str = "2025-01-01",
                  last: str = "2026-09-30") -> dict[str, pd.DataFrame]:
    """A small random dataset with every table, 2025Q1 .. 2026Q3."""
    rng = np.random.default_rng(seed)
    t0, t1 = pd.Timestamp(first), pd.Timestamp(last)
    span = (t1 - t0).total_seconds()
    sups = [f"S{i:02d}" for i in range(n_sup)]
    staff, tickets, surveys, follow, cust, train, audits, peers = [], [], [], [], [], [], [], []
    for si, s in enumerate(sups):
        skill = rng.normal(0, 1)
        for k in range(4):
            hired = t0 - pd.Timedelta(days=int(rng.integers(30, 400)))
            left = t0 + pd.Timedelta(days=int(rng.integers(100, 900))) if rng.random() < .4 else pd.NaT
            prom = t0 + pd.Timedelta(days=int(rng.integers(10, 600))) if rng.random() < .3 else pd.NaT
            if pd.notna(left) and pd.notna(prom) and prom >= left:
                prom = pd.NaT
            staff.append((f"{s}-E{k}", s, hired.normalize(), left if pd.isna(left) else left.normalize(),
                          prom if pd.isna(prom) else prom.normalize()))
            for c in range(6):
                due = t0 + pd.Timedelta(days=int(rng.integers(0, 630)))
                done = due + pd.Timedelta(days=int(rng.integers(-20, 15))) if rng.random() < .8 else pd.NaT
                train.append((f"{s}-E{k}", f"K{c}", due, done, float(rng.integers(30, 70)),
                              float(rng.integers(60, 100)) if pd.notna(done) else np.nan))
        for c in range(30):
            since = t0 - pd.Timedelta(days=int(rng.integers(1, 300))) + pd.Timedelta(days=int(rng.integers(0, 500)))
            churn = since + pd.Timedelta(days=int(rng.integers(20, 700))) if rng.random() < .3 else pd.NaT
            cust.append((f"{s}-C{c}", s, since.normalize(), churn if pd.isna(churn) else churn.normalize()))
        for j in range(220):
            created = t0 + pd.Timedelta(seconds=float(rng.random() * span))
            created = created.floor("min")
            first_resp = created + pd.Timedelta(hours=float(rng.gamma(2, 2 + skill))) if rng.random() < .95 else pd.NaT
            resolved = created + pd.Timedelta(hours=float(rng.gamma(2, 20 + 5 * skill))) if rng.random() < .9 else pd.NaT
            if pd.notna(first_resp) and pd.notna(resolved) and first_resp > resolved:
                first_resp = resolved
            tid = f"{s}-T{j}"
            tickets.append((tid, s, created, f"{s}-E{j % 4}", f"{s}-C{j % 30}", first_resp, resolved,
                            created + pd.Timedelta(hours=72), bool(rng.random() < .2),
                            float(rng.random() < .08), float(rng.gamma(2, 40))))
            if pd.notna(resolved) and rng.random() < .5:
                surveys.append((tid, resolved + pd.Timedelta(hours=6),
                                float(np.clip(np.round(4 - .3 * skill + rng.normal(0, .8)), 1, 5))))
            if pd.notna(resolved) and rng.random() < .4:
                reached = bool(rng.random() < .8)
                follow.append((tid, resolved + pd.Timedelta(days=2), reached,
                               bool(rng.random() < .85) if reached else pd.NA))
        for d in range(0, 640, 30):
            audits.append((s, t0 + pd.Timedelta(days=d + int(rng.integers(0, 20))), 40.0,
                           float(rng.integers(0, 6))))
            peers.append((s, f"R{si}", t0 + pd.Timedelta(days=d + int(rng.integers(0, 20))),
                          float(rng.integers(2, 6))))
    tickets = [tuple(v.floor("s") if isinstance(v, pd.Timestamp) else v for v in row) for row in tickets]
    surveys = [(a, b.floor("s"), c) for a, b, c in surveys]
    follow = [(a, b.floor("s"), c, d) for a, b, c, d in follow]
    budgets = [(s, q, 9000.0) for s in sups for q in
               ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]]
    return {
        "supervisors": pd.DataFrame({"supervisor_id": sups, "name": [f"主管{i}" for i in range(n_sup)]}),
        "staff": pd.DataFrame(staff, columns=["staff_id", "supervisor_id", "hired_on", "left_on",
                                              "promoted_on"]),
        "tickets": pd.DataFrame(tickets, columns=["ticket_id", "supervisor_id", "created_at",
                                                  "staff_id", "customer_id", "first_response_at",
                                                  "resolved_at", "due_at", "is_complaint",
                                                  "reopened", "cost"]),
        "surveys": pd.DataFrame(surveys, columns=["ticket_id", "responded_at", "overall"]),
        "followups": pd.DataFrame(follow, columns=["ticket_id", "called_at", "reached", "positive"]),
        "customers": pd.DataFrame(cust, columns=["customer_id", "supervisor_id", "since", "churned_on"]),
        "training": pd.DataFrame(train, columns=["staff_id", "course_id", "due_on", "completed_on",
                                                 "pre_score", "post_score"]),
        "audits": pd.DataFrame(audits, columns=["supervisor_id", "audited_on", "items_checked",
                                                "violations"]),
        "peer_reviews": pd.DataFrame(peers, columns=["supervisor_id", "reviewer_id", "reviewed_on",
                                                     "collaboration"]),
        "budgets": pd.DataFrame(budgets, columns=["supervisor_id", "period", "budget"]),
    }


def tamper_after(frames: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """Append and alter, in every table, only events dated at or after ``as_of``."""
    f = {k: v.copy() for k, v in frames.items()}
    late = as_of + pd.Timedelta(days=3)
    t = f["tickets"]
    open_now = t["resolved_at"].isna() | (t["resolved_at"] >= as_of)
    # resolve every ticket still open at the as-of instant, later, and answer them all
    t.loc[open_now & (t["created_at"] < as_of), "resolved_at"] = late
    t.loc[t["first_response_at"].isna() & (t["created_at"] < as_of), "first_response_at"] = late
    t.loc[t["created_at"] >= as_of, "cost"] = 99999.0
    f["tickets"] = pd.concat([t, pd.DataFrame({
        "ticket_id": ["X1", "X2"], "supervisor_id": ["S00", "S01"], "created_at": [as_of, late],
        "staff_id": ["S00-E0", "S01-E0"], "customer_id": ["S00-C0", "S01-C0"],
        "first_response_at": [late, late], "resolved_at": [late, late], "due_at": [late, late],
        "is_complaint": [True, True], "reopened": [3.0, 3.0], "cost": [5e4, 5e4]})],
        ignore_index=True)
    f["surveys"] = pd.concat([f["surveys"][f["surveys"]["responded_at"] < as_of],
                              pd.DataFrame({"ticket_id": ["X1", "X2"], "responded_at": [late, late],
                                            "overall": [1.0, 1.0]})],
                             ignore_index=True)
    fu = f["followups"]
    f["followups"] = pd.concat([fu, pd.DataFrame({"ticket_id": ["X1", "S00-T0"], "called_at": [late, late],
                                                  "reached": [True, True], "positive": [False, False]})],
                               ignore_index=True)
    s = f["staff"]
    s.loc[s["left_on"].isna(), "left_on"] = late.normalize()
    s.loc[s["promoted_on"].isna(), "promoted_on"] = late.normalize()
    f["staff"] = pd.concat([s, pd.DataFrame({"staff_id": ["NEW"], "supervisor_id": ["S00"],
                                             "hired_on": [as_of], "left_on": [pd.NaT],
                                             "promoted_on": [pd.NaT]})], ignore_index=True)
    c = f["customers"]
    c.loc[c["churned_on"].isna() & (c["since"] < as_of), "churned_on"] = late.normalize()
    f["customers"] = pd.concat([c, pd.DataFrame({"customer_id": ["NEWC"], "supervisor_id": ["S00"],
                                                 "since": [as_of], "churned_on": [pd.NaT]})],
                               ignore_index=True)
    tr = f["training"]
    undone = tr["completed_on"].isna() | (tr["completed_on"] >= as_of)
    tr.loc[undone, "completed_on"] = late.normalize()
    tr.loc[undone, "post_score"] = 100.0
    f["training"] = tr
    f["audits"] = pd.concat([f["audits"], pd.DataFrame({"supervisor_id": ["S00"], "audited_on": [late.normalize()],
                                                        "items_checked": [10.0], "violations": [10.0]})],
                            ignore_index=True)
    f["peer_reviews"] = pd.concat([f["peer_reviews"], pd.DataFrame({
        "supervisor_id": ["S00"], "reviewer_id": ["RX"], "reviewed_on": [as_of], "collaboration": [1.0]})],
        ignore_index=True)
    return f


@pytest.fixture(scope="module")
def random_data():
    frames = random_frames()
    return frames, dataset_from_frames(frames)


def _check_same(a, b):
    pd.testing.assert_frame_equal(a.period_to_date, b.period_to_date)
    pd.testing.assert_frame_equal(a.projections, b.projections)
    pd.testing.assert_frame_equal(a.warnings, b.warnings)
    pd.testing.assert_frame_equal(a.validity.reset_index(drop=True), b.validity.reset_index(drop=True))


@pytest.mark.slow
def test_watch_output_does_not_depend_on_later_events(random_data):
    from perfmodel.analysis.watch import watch
    frames, data = random_data
    as_of = pd.Timestamp("2026-08-15")
    tampered = dataset_from_frames(tamper_after(frames, as_of))
    assert len(tampered["tickets"]) == len(data["tickets"]) + 2   # the tampering was accepted
    # a validity row that makes drivers exist, so warnings are compared too
    validity = pd.DataFrame({"process": ["first_response_hours", "timely_closure_rate"],
                             "result": ["csat", "complaint_resolution_rate"], "coef": [-0.05, 0.3],
                             "se": [0.01, 0.1], "p_adj": [0.001, 0.01],
                             "verdict": ["predicts", "predicts"]})
    a = watch(data, period="2026Q3", as_of=as_of, threshold=0.3, validity=validity)
    b = watch(tampered, period="2026Q3", as_of=as_of, threshold=0.3, validity=validity)
    assert len(a.projections) == 8 * 5 and a.projections["p_miss"].notna().all()
    assert len(a.warnings) > 0
    _check_same(a, b)
    # and with the validity fitted from the data itself
    c = watch(data, period="2026Q3", as_of=as_of, threshold=0.3)
    _check_same(c, watch(tampered, period="2026Q3", as_of=as_of, threshold=0.3))
    assert set(c.warnings["verdict"]) <= {"predicts"}
    named = set(zip(c.warnings["driver"], c.warnings["result"]))
    allowed = set(zip(c.validity.loc[c.validity["verdict"] == "predicts", "process"],
                      c.validity.loc[c.validity["verdict"] == "predicts", "result"]))
    assert named <= allowed


# --- the feedback section and the command line ----------------------------------------------

def _fake_result():
    from perfmodel.analysis.watch import WatchResult
    as_of = pd.Timestamp("2026-08-15")
    pr = pd.DataFrame({
        "supervisor_id": ["S1", "S1", "S2"], "period": "2026Q3", "as_of": as_of,
        "result": ["csat", "customer_churn_rate", "csat"], "direction": ["higher", "lower", "higher"],
        "value_to_date": [4.01, 0.02, 3.33], "denominator_to_date": [40.0, 100.0, 50.0],
        "prior": [4.1, 0.03, 3.5], "n_hist": [4, 4, 4], "lag_adjustment": [0.0, 0.0, 0.0],
        "projected": [4.07, 0.031, 3.41], "low": [3.97, 0.02, 3.31], "high": [4.17, 0.042, 3.51],
        "target": [4.3, 0.04, 4.3], "gap": [-0.23, -0.009, -0.89], "p_miss": [0.97, 0.1, 0.999],
        "at_risk": [True, False, True]})
    w = pd.DataFrame({
        "supervisor_id": ["S1", "S2"], "period": "2026Q3", "as_of": as_of, "result": "csat",
        "p_miss": [0.97, 0.999], "projected": [4.07, 3.41], "low": [3.97, 3.31], "high": [4.17, 3.51],
        "target": 4.3, "gap": [-0.23, -0.89], "driver": "training_completion_rate",
        "driver_value": [0.55, 0.35], "driver_reference": 0.9, "reference_kind": "target",
        "coef": 0.8, "se": 0.1, "p_adj": 0.01, "verdict": "predicts",
        "suggestion": [reasons.suggestion("csat", "training_completion_rate", v, 0.9, "target", 0.8)
                       for v in (0.55, 0.35)]})
    return WatchResult("2026Q3", as_of, pd.DataFrame(), pr, w, pd.DataFrame())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_feedback_section_shows_only_own_figures(lang):
    from perfmodel.analysis.watch import feedback_section, feedback_table
    res = _fake_result()
    text = feedback_section(res, "S1", lang=lang)
    assert "4.07" in text and "3.97" in text and "97%" in text and "55.0 %" in text
    # nothing of S2: its id, its projection, its driver value
    for other in ("S2", "3.41", "3.31", "35.0 %", "100%"):
        assert other not in text
    assert ("Training completion rate" if lang == "en" else "培训完成率") in text
    table = feedback_table(res, "S1", lang=lang)
    assert len(table) == 2 and table.iloc[0, 0] == ("Customer satisfaction" if lang == "en" else "客户满意度")
    assert "3.41" not in table.to_string()


def test_feedback_section_when_nothing_is_at_risk():
    from perfmodel.analysis.watch import feedback_section
    res = _fake_result()
    res.projections.loc[res.projections["supervisor_id"] == "S1", "at_risk"] = False
    assert "No result indicator is at risk" in feedback_section(res, "S1", lang="en")
    assert "目前没有结果指标" in feedback_section(res, "S1", lang="zh")


def _write_folder(frames, folder):
    for name, df in frames.items():
        df.to_csv(folder / f"{name}.csv", index=False)


def test_cli_watch_runs_and_rejects_a_bad_as_of(tmp_path, capsys):
    from perfmodel.cli import main
    _write_folder(tiny_frames(), tmp_path)
    out = tmp_path / "warnings.csv"
    ptd = tmp_path / "ptd.csv"
    assert main(["watch", "--data", str(tmp_path), "--period", "2026Q3", "--as-of", AS_OF,
                 "--out", str(out), "--period-to-date", str(ptd)]) == 0
    got = pd.read_csv(ptd).set_index(["supervisor_id", "indicator"])["value"]
    assert got[("S1", "backlog_ratio")] == pytest.approx(2 / 3)
    printed = capsys.readouterr().out.splitlines()
    # one completed quarter of history only: no projection, nobody flagged
    assert printed[0].startswith("2026Q3 as of 2026-08-15 (45 of 92 days): 0 of 2 supervisors at risk")
    assert out.exists()
    assert main(["watch", "--data", str(tmp_path), "--period", "2026Q3", "--as-of", "2026-11-02"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--as-of" in err[0] and "2026Q3" in err[0]


def test_watch_rejects_a_period_kind_the_policy_does_not_score(tiny):
    from perfmodel.analysis.watch import watch
    with pytest.raises(UsageError, match="quarter"):
        watch(tiny, "efficiency", period="2026-08", as_of=AS_OF)
    with pytest.raises(UsageError, match="must fall inside 2026Q3"):
        watch(tiny, "efficiency", period="2026Q3", as_of="2026-06-30")


def test_cut_is_idempotent_and_monotone(tiny):
    once = cut_dataset(tiny, AS_OF)
    twice = cut_dataset(once, AS_OF)
    for name in once.tables:
        pd.testing.assert_frame_equal(once[name], twice[name])
    # cutting later then earlier is cutting earlier
    for name, frame in cut_dataset(cut_dataset(tiny, "2026-09-01"), AS_OF).tables.items():
        pd.testing.assert_frame_equal(frame, once[name])


def test_watch_cache_folder_is_private_and_keys_follow_the_code(monkeypatch):
    import stat

    from perfmodel.analysis.watch import cache

    folder = cache._default_folder()
    assert folder is not None and stat.S_IMODE(folder.stat().st_mode) == 0o700
    before = cache._code_fingerprint()
    cache._code_fingerprint.cache_clear()
    assert cache._code_fingerprint() == before  # same code, same fingerprint
    folder.chmod(0o777)
    try:
        assert cache._default_folder() is None  # opened to others: not trusted
    finally:
        folder.chmod(0o700)
