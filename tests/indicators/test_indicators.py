"""Every catalogue indicator on small hand-made datasets; expected values worked by hand.

Calendar used throughout: 2026Q2 = [2026-04-01, 2026-07-01), 2026Q3 = [2026-07-01,
2026-10-01) = 31 + 31 + 30 = 92 days; July 2026 = [07-01, 08-01) = 31 days.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from perfmodel.core import catalogue
from perfmodel.data.dataset import Dataset
from perfmodel.core.errors import PeriodError, UsageError
from perfmodel.indicators import LONG_COLUMNS, catalogue_listing, compute_indicators, wide_panel

NaN = float("nan")


def ts(*values):
    return pd.to_datetime(list(values), format="ISO8601")


def boolean(*values):
    return pd.array(list(values), dtype="boolean")


S1, S2, S3 = "S1", "S2", "主管03"  # S3: a Chinese id, and a supervisor with no data at all


def tables() -> dict[str, pd.DataFrame]:
    """The hand-made company. Comments give each row's role in the expected values."""
    supervisors = pd.DataFrame({"supervisor_id": [S1, S2, S3], "name": ["张伟", "李娜", "王芳"],
                                "team": ["华东一组", "华南", None], "region": ["上海", "广州", None]})
    tickets = pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T6", "T7"],
        "supervisor_id": [S1, S1, S1, S1, S1, S1, S2],
        # T1 Q3 complaint, resolved in 24 h, on time, reopened once
        # T2 Q3 complaint created on the last evening, never resolved
        # T3 created in Q2, resolved in Q3 (spans periods), reopened twice
        # T4 Q3 complaint resolved exactly at end(Q3) = 2026-10-01 00:00 -> open at end(Q3)
        # T5 created in Q2, never resolved (backlog in Q2 and Q3)
        # T6 Q3, no due date, no complaint
        # T7 S2's only ticket
        "created_at": ts("2026-07-01 08:00", "2026-09-30 20:00", "2026-06-30 22:00", "2026-08-15 00:00",
                         "2026-05-10 00:00", "2026-07-10 12:00", "2026-08-01 09:00"),
        "staff_id": ["A1", "A1", "A3", "A2", "A1", "A4", None],
        "customer_id": [None] * 7,
        "first_response_at": ts("2026-07-01 10:00", "2026-10-01 02:00", "2026-06-30 23:00",
                                "2026-08-15 05:00", None, "2026-07-10 12:30", None),
        "resolved_at": ts("2026-07-02 08:00", None, "2026-07-01 04:00", "2026-10-01 00:00", None,
                          "2026-07-10 18:00", "2026-08-01 10:00"),
        "due_at": ts("2026-07-03 00:00", "2026-10-02 00:00", "2026-07-01 00:00", "2026-09-30 00:00",
                     None, None, None),
        "is_complaint": boolean(True, True, True, True, False, False, False),
        "reopened": [1.0, 0.0, 2.0, NaN, NaN, 0.0, NaN],
        "cost": [100.0, 50.0, 30.0, NaN, 20.0, 80.0, 40.0],
    })
    surveys = pd.DataFrame({
        "ticket_id": ["T1", "T3", "T6"],
        # T3's survey falls in Q3 although T3 was created in Q2; T6's is at 10-01 00:00 = Q4
        "responded_at": ts("2026-07-05 09:00", "2026-07-02 10:00", "2026-10-01 00:00"),
        "overall": [5.0, 3.0, 1.0], "attitude": [4.0, 2.0, 1.0], "resolution": [5.0, 3.0, 1.0],
        "speed": [NaN, 4.0, 1.0],
    })
    followups = pd.DataFrame({
        "ticket_id": ["T1", "T1", "T6", "T3", "T2"],
        "called_at": ts("2026-07-03 10:00", "2026-07-20 10:00", "2026-07-11 10:00",
                        "2026-09-30 23:59:59", "2026-10-01 00:00"),
        "reached": boolean(True, True, False, True, True),
        "positive": boolean(True, False, pd.NA, True, True),
    })
    customers = pd.DataFrame({
        "customer_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
        "supervisor_id": [S1] * 6,
        # C1 on the books; C2 churns in Q3; C3 joins and churns inside Q3 (first period);
        # C4 churned before Q3; C5 joined the day before Q3 and churns on its first day;
        # C6 joins on the first day of Q3 (since = start, so not on the books at start)
        "since": ts("2025-01-01", "2026-01-01", "2026-07-15", "2025-05-01", "2026-06-30", "2026-07-01"),
        "churned_on": ts(None, "2026-08-01", "2026-08-20", "2026-06-30", "2026-07-01", None),
    })
    staff = pd.DataFrame({
        "staff_id": ["A1", "A2", "A3", "A4", "A5", "A6"],
        "supervisor_id": [S1] * 6,
        "hired_on": ts("2025-01-01", "2026-08-01", "2025-06-01", "2026-07-15", "2024-01-01", "2026-09-30"),
        "left_on": ts(None, None, "2026-08-16", "2026-09-01", "2026-07-01", None),
        "promoted_on": ts("2026-09-15", None, "2026-03-01", None, None, None),
    })
    training = pd.DataFrame({
        "staff_id": ["A1", "A1", "A2", "A3", "A4"],
        "course_id": ["K1", "K2", "K1", "K3", "K1"],
        "due_on": ts("2026-07-10", "2026-08-01", "2026-09-30", "2026-10-15", "2026-06-20"),
        "completed_on": ts("2026-07-10", "2026-08-05", None, "2026-09-20", "2026-07-02"),
        "pre_score": [60.0, 50.0, NaN, 70.0, 40.0],
        "post_score": [75.0, 70.0, NaN, NaN, 50.0],
    })
    audits = pd.DataFrame({
        "supervisor_id": [S1, S1, S1],
        "audited_on": ts("2026-07-05", "2026-09-30", "2026-10-01"),
        "items_checked": [40.0, 10.0, 100.0], "violations": [2.0, 3.0, 50.0],
    })
    peer_reviews = pd.DataFrame({
        "supervisor_id": [S1, S1, S1], "reviewer_id": ["R1", "R2", "R1"],
        "reviewed_on": ts("2026-07-01", "2026-09-30", "2026-06-30"), "collaboration": [4.0, 5.0, 1.0],
    })
    budgets = pd.DataFrame({"supervisor_id": [S1, S2, S1], "period": ["2026Q3", "2026Q3", "2026Q2"],
                            "budget": [460.0, 0.0, 100.0]})
    manager_ratings = pd.DataFrame({
        "rater_id": ["M1", "M1", "M2", "M2", "M1"], "supervisor_id": [S1, S1, S1, S1, S1],
        "rated_on": ts("2026-07-20", "2026-07-20", "2026-09-30", "2026-10-01", "2026-06-30"),
        "item": ["执行力", "团队管理", "执行力", "执行力", "执行力"], "score": [4.0, 3.0, 5.0, 1.0, 2.0],
    })
    self_assessments = pd.DataFrame({
        "supervisor_id": [S1, S1, S1], "assessed_on": ts("2026-07-15", "2026-07-15", "2026-10-01"),
        "item": ["执行力", "团队管理", "执行力"], "score": [4.0, 5.0, 1.0],
    })
    return {"supervisors": supervisors, "tickets": tickets, "surveys": surveys, "followups": followups,
            "customers": customers, "staff": staff, "training": training, "audits": audits,
            "peer_reviews": peer_reviews, "budgets": budgets, "manager_ratings": manager_ratings,
            "self_assessments": self_assessments}


@pytest.fixture(scope="module")
def q3():
    return compute_indicators(Dataset(tables=tables()), "2026Q3")


def row(long, sup, period, ind):
    r = long[(long.supervisor_id == sup) & (long.period == period) & (long.indicator == ind)]
    assert len(r) == 1, (sup, period, ind)
    return r.iloc[0]


def check(long, sup, period, ind, value, numerator, denominator):
    r = row(long, sup, period, ind)
    for field, want in (("value", value), ("numerator", numerator), ("denominator", denominator)):
        got = r[field]
        if want is None or (isinstance(want, float) and math.isnan(want)):
            assert math.isnan(got), f"{ind} {sup} {period} {field}: want NaN, got {got}"
        else:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-12), f"{ind} {sup} {period} {field}"
    assert bool(r["available"]) is True


# --------------------------------------------------------------------------- S1, 2026Q3

# (indicator, value, numerator, denominator) for S1 in 2026Q3, worked by hand.
S1_Q3 = [
    # surveys responded in Q3: T1 (5, 4, 5, -) and T3 (3, 2, 3, 4); T6's is at 10-01 = Q4
    ("csat", (5 + 3) / 2, 8, 2),
    ("csat_attitude", (4 + 2) / 2, 6, 2),
    ("csat_resolution", (5 + 3) / 2, 8, 2),
    ("csat_speed", 4 / 1, 4, 1),  # T1 has no speed score
    # reached calls in Q3: T1 07-03 (+), T1 07-20 (-), T3 09-30 23:59:59 (+); T6 not reached;
    # T2's call at 10-01 00:00 is Q4  -> 2 / 3
    ("followup_positive_rate", 2 / 3, 2, 3),
    # complaints created in Q3: T1, T2, T4; resolved before 10-01 00:00: only T1
    # (T4 resolved exactly at end(Q3) does not count)  -> 1 / 3
    ("complaint_resolution_rate", 1 / 3, 1, 3),
    # on the books at 07-01: C1, C2, C5 (C3, C6 since >= start; C4 churned before);
    # churned in Q3: C2 (08-01), C5 (07-01)  -> 2 / 3
    ("customer_churn_rate", 2 / 3, 2, 3),
    # cost of tickets created in Q3: T1 100 + T2 50 + T4 (none) + T6 80 = 230; budget 460
    ("cost_control_rate", 230 / 460, 230, 460),
    # response hours of Q3 tickets: T1 2, T2 6, T4 5, T6 0.5 -> sorted 0.5 2 5 6, median (2+5)/2
    ("first_response_hours", 3.5, NaN, 4),
    # complaints resolved in Q3: T1 24 h (07-01 08:00 -> 07-02 08:00), T3 6 h (06-30 22:00 ->
    # 07-01 04:00); T4 is resolved in Q4  -> (24 + 6) / 2
    ("complaint_handling_hours", 15.0, 30, 2),
    # created in Q3 with a due date: T1 (on time), T2 (never resolved), T4 (10-01 > 09-30) -> 1/3
    ("timely_closure_rate", 1 / 3, 1, 3),
    # open at 10-01 00:00 and created before it: T2, T4 (resolved at end), T5 (from Q2);
    # created in Q3: T1 T2 T4 T6  -> 3 / 4
    ("backlog_ratio", 3 / 4, 3, 4),
    # resolved in Q3: T1, T3, T6 = 3. Staff-days in Q3: A1 92; A2 from 08-01: 31 + 30 = 61;
    # A3 07-01..08-15: 31 + 15 = 46; A4 07-15..08-31: 17 + 31 = 48; A5 left 07-01: 0;
    # A6 hired 09-30: 1  -> 92 + 61 + 46 + 48 + 0 + 1 = 248
    ("tickets_per_staff_day", 3 / 248, 3, 248),
    # resolved in Q3: T1 (reopened 1), T3 (2), T6 (0)  -> 2 / 3
    ("reopen_rate", 2 / 3, 2, 3),
    # audits in Q3: 07-05 (40 items, 2 violations), 09-30 (10, 3); 10-01 is Q4
    # -> 1 - 5/50 = 0.9, numerator 50 - 5 = 45 items without violation
    ("compliance_rate", 0.9, 45, 50),
    # peer reviews in Q3: 07-01 (4), 09-30 (5); 06-30 is Q2
    # (two reviewers with a few reviews each: too little overlap, so no leniency correction)
    ("collaboration_score", 4.5, 9, 2),
    ("collaboration_score_raw", 4.5, 9, 2),
    # manager ratings in Q3, every item: M1 07-20 (4, 3), M2 09-30 (5); 10-01 is Q4, 06-30 Q2.
    # M1 and M2 each rated one supervisor: no leniency correction, the raw mean
    ("manager_rating", 4.0, 12, 3),
    ("manager_rating_raw", 4.0, 12, 3),
    # self-assessment items in Q3: 07-15 (4, 5); 10-01 is Q4
    ("self_rating", 4.5, 9, 2),
    # due in Q3: A1/K1 (done on the due day: on time), A1/K2 (late), A2/K1 (not done) -> 1/3
    ("training_completion_rate", 1 / 3, 1, 3),
    # completed in Q3 with both scores: A1/K1 +15, A1/K2 +20, A4/K1 +10 (due in Q2);
    # A3/K3 has no post score  -> 45 / 3
    ("skill_gain", 15.0, 45, 3),
    # headcount 07-01: A1, A3 = 2 (A5 left that day, A2 A4 A6 not yet hired);
    # headcount 09-30: A1, A2, A6 = 3; mean 2.5. Left in Q3: A5 07-01, A3 08-16, A4 09-01 -> 3/2.5
    ("staff_turnover_rate", 3 / 2.5, 3, 2.5),
    # promoted in Q3: A1 (09-15); A3's promotion was in Q1  -> 1 / 2.5
    ("promotion_rate", 1 / 2.5, 1, 2.5),
    # cost 230 over the 3 Q3 tickets that have a cost (T4 has none)
    ("cost_per_ticket", 230 / 3, 230, 3),
    # business hours, default calendar 09:00-18:00 on official working days. Responses of Q3
    # tickets: T1 Wed 07-01 08:00 -> 10:00 = 1 h; T2 Wed 09-30 20:00 -> (holiday) 10-01 02:00
    # = 0 h; T4 Sat 08-15 00:00 -> 05:00 = 0 h; T6 Fri 07-10 12:00 -> 12:30 = 0.5 h
    # -> sorted 0 0 0.5 1, median 0.25
    ("first_response_business_hours", 0.25, NaN, 4),
    # complaints resolved in Q3: T1 07-01 08:00 -> 07-02 08:00 = one full day 9 h; T3 06-30
    # 22:00 -> 07-01 04:00 = 0 h  -> (9 + 0) / 2
    ("complaint_handling_business_hours", 4.5, 9, 2),
    # created in Q3, N = 16 (default): T1 9 h in time; T6 6 h in time; T4 open at end(Q3)
    # (resolved exactly at 10-01 00:00) after weeks of working days: late; T2 open at
    # end(Q3) after 0 working hours: left out  -> 2 / 3
    ("timely_closure_business_rate", 2 / 3, 2, 3),
]


def test_catalogue_is_fully_covered_by_the_hand_worked_cases():
    assert sorted(i for i, *_ in S1_Q3) == sorted(catalogue.indicator_ids())


@pytest.mark.parametrize("ind,value,numerator,denominator", S1_Q3, ids=[c[0] for c in S1_Q3])
def test_s1_q3(q3, ind, value, numerator, denominator):
    check(q3, S1, "2026Q3", ind, value, numerator, denominator)


# S2 in Q3: one ticket T7 (created and resolved 08-01, cost 40), budget 0, no staff, no surveys.
S2_Q3 = [
    ("complaint_resolution_rate", NaN, 0, 0),  # no complaints: empty denominator
    ("cost_control_rate", NaN, 40, 0),  # budget 0: empty denominator
    ("cost_per_ticket", 40.0, 40, 1),
    ("first_response_hours", NaN, NaN, 0),  # no response recorded
    ("complaint_handling_hours", NaN, 0, 0),
    ("timely_closure_rate", NaN, 0, 0),  # no due date
    ("backlog_ratio", 0.0, 0, 1),
    ("tickets_per_staff_day", NaN, 1, 0),  # no staff: 0 staff-days
    ("reopen_rate", 0.0, 0, 1),  # reopened unknown: not counted as reopened
    ("staff_turnover_rate", NaN, 0, 0),
    ("csat", NaN, 0, 0),
    ("customer_churn_rate", NaN, 0, 0),
    ("compliance_rate", NaN, 0, 0),
]


@pytest.mark.parametrize("ind,value,numerator,denominator", S2_Q3, ids=[c[0] for c in S2_Q3])
def test_s2_q3_empty_denominators(q3, ind, value, numerator, denominator):
    check(q3, S2, "2026Q3", ind, value, numerator, denominator)


def test_supervisor_without_any_data_gets_missing_values_not_zeros(q3):
    rows = q3[q3.supervisor_id == S3]
    assert len(rows) == 28
    assert rows["value"].isna().all()
    assert rows["available"].all()
    # no budget row for S3: the budget is missing, not 0
    check(q3, S3, "2026Q3", "cost_control_rate", NaN, 0, NaN)
    check(q3, S3, "2026Q3", "skill_gain", NaN, 0, 0)


def test_shape_order_and_types(q3):
    assert list(q3.columns) == LONG_COLUMNS
    # 3 supervisors x 1 period x 28 indicators
    assert len(q3) == 3 * 28
    keys = list(zip(q3.supervisor_id, q3.period, q3.indicator))
    assert keys == sorted(keys)
    assert q3["available"].dtype == bool
    for col in ("value", "numerator", "denominator"):
        assert q3[col].dtype == np.float64


# --------------------------------------------------------------------------- Q2 and spanning


def test_tickets_spanning_two_quarters():
    long = compute_indicators(Dataset(tables=tables()), ["2026Q2", "2026Q3"])
    # Q2: created T3 (06-30 22:00) and T5. At end(Q2) = 07-01 00:00 T3 is still open (resolved
    # 07-01 04:00) and T5 is open -> backlog 2 / 2.
    check(long, S1, "2026Q2", "backlog_ratio", 1.0, 2, 2)
    # T3 is a complaint created in Q2, not resolved before 07-01 -> 0 / 1
    check(long, S1, "2026Q2", "complaint_resolution_rate", 0.0, 0, 1)
    # Q2 cost: T3 30 + T5 20 = 50, budget 100
    check(long, S1, "2026Q2", "cost_control_rate", 0.5, 50, 100)
    # T3 is resolved in Q3, so Q2 has nothing resolved and Q2's complaint handling is empty
    check(long, S1, "2026Q2", "complaint_handling_hours", NaN, 0, 0)
    # Q2 first response: T3 1 h (T5 has no response) -> median 1
    check(long, S1, "2026Q2", "first_response_hours", 1.0, NaN, 1)
    # the Q3 numbers are the same whether Q3 is asked alone or with Q2
    check(long, S1, "2026Q3", "backlog_ratio", 0.75, 3, 4)
    check(long, S1, "2026Q3", "tickets_per_staff_day", 3 / 248, 3, 248)
    assert len(long) == 3 * 2 * 28


def test_default_periods_span_every_event_the_indicators_use():
    # SPEC section 2: the data's periods span every event, not only tickets created.
    # Earliest event: a promotion on 2026-03-01 (Q1, month 2026-03); latest: a training due on
    # 2026-10-15 (Q4, month 2026-10); tickets alone run 2026-05-10 .. 2026-09-30.
    long = compute_indicators(Dataset(tables=tables()))
    assert sorted(long.period.unique()) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    months = compute_indicators(Dataset(tables=tables()), period_kind="month")
    assert sorted(months.period.unique()) == [f"2026-{m:02d}" for m in range(3, 11)]


# --------------------------------------------------------------------------- months


@pytest.fixture(scope="module")
def months():
    return compute_indicators(Dataset(tables=tables()), ["2026-07", "2026-09"])


def test_month_periods(months):
    assert sorted(months.period.unique()) == ["2026-07", "2026-09"]
    # July: created T1, T6; response hours 2 and 0.5 -> median 1.25
    check(months, S1, "2026-07", "first_response_hours", 1.25, NaN, 2)
    # July staff-days: A1 31, A3 31, A4 07-15..07-31 = 17; others 0 -> 79; resolved T1 T3 T6
    check(months, S1, "2026-07", "tickets_per_staff_day", 3 / 79, 3, 79)
    # headcount 07-01: A1 A3 = 2; 07-31: A1 A3 A4 = 3; left in July: A5 -> 1 / 2.5
    check(months, S1, "2026-07", "staff_turnover_rate", 1 / 2.5, 1, 2.5)
    # open at 08-01: only T5 (T1, T3, T6 were resolved in July); created in July: 2
    check(months, S1, "2026-07", "backlog_ratio", 0.5, 1, 2)
    # customers on the books at 07-01: C1, C2, C5; churned in July: C5 -> 1/3
    check(months, S1, "2026-07", "customer_churn_rate", 1 / 3, 1, 3)
    # budgets are per quarter: no budget for a month -> missing denominator
    check(months, S1, "2026-07", "cost_control_rate", NaN, 180, NaN)
    # September: open at 10-01: T2, T4, T5; created in September: T2 -> 3 / 1
    check(months, S1, "2026-09", "backlog_ratio", 3.0, 3, 1)
    # September staff-days: A1 30, A2 30, A6 1 = 61 (A3 and A4 gone); nothing resolved
    check(months, S1, "2026-09", "tickets_per_staff_day", 0.0, 0, 61)


# --------------------------------------------------------------------------- absent tables


def test_absent_optional_tables_make_indicators_unavailable():
    t = tables()
    long = compute_indicators(Dataset(tables={"supervisors": t["supervisors"], "tickets": t["tickets"]}),
                              "2026Q3")
    tickets_only = {i for i in catalogue.indicator_ids() if catalogue.indicator(i)["tables"] == ["tickets"]}
    assert tickets_only == {"complaint_resolution_rate", "first_response_hours", "complaint_handling_hours",
                            "timely_closure_rate", "backlog_ratio", "reopen_rate", "cost_per_ticket",
                            "first_response_business_hours", "complaint_handling_business_hours",
                            "timely_closure_business_rate"}
    for ind, group in long.groupby("indicator"):
        if ind in tickets_only:
            assert group["available"].all(), ind
        else:
            assert not group["available"].any(), ind
            assert group[["value", "numerator", "denominator"]].isna().all().all(), ind
    check(long, S1, "2026Q3", "backlog_ratio", 0.75, 3, 4)


def test_training_needs_the_staff_table():
    t = tables()
    del t["staff"]
    long = compute_indicators(Dataset(tables=t), "2026Q3", indicators=["skill_gain", "csat"])
    assert set(long.indicator) == {"skill_gain", "csat"}
    assert not row(long, S1, "2026Q3", "skill_gain")["available"]
    check(long, S1, "2026Q3", "csat", 4.0, 8, 2)


def test_missing_optional_columns_are_treated_as_empty():
    t = tables()
    tk = t["tickets"].drop(columns=["due_at", "cost", "reopened"])
    long = compute_indicators(Dataset(tables={"supervisors": t["supervisors"], "tickets": tk}), "2026Q3",
                              indicators=["timely_closure_rate", "cost_per_ticket", "backlog_ratio"])
    check(long, S1, "2026Q3", "timely_closure_rate", NaN, 0, 0)
    check(long, S1, "2026Q3", "cost_per_ticket", NaN, 0, 0)
    check(long, S1, "2026Q3", "backlog_ratio", 0.75, 3, 4)


# --------------------------------------------------------------------------- API surface


def test_wide_panel(q3):
    wide = wide_panel(q3)
    assert list(wide.columns) == ["supervisor_id", "period"] + catalogue.indicator_ids()
    assert list(wide.supervisor_id) == [S1, S2, S3]
    assert wide.loc[0, "csat"] == pytest.approx(4.0)
    assert wide.loc[0, "backlog_ratio"] == pytest.approx(0.75)
    assert math.isnan(wide.loc[2, "csat"])


def test_indicator_subset_and_errors():
    ds = Dataset(tables=tables())
    long = compute_indicators(ds, "2026Q3", indicators=["reopen_rate"])
    assert set(long.indicator) == {"reopen_rate"} and len(long) == 3
    with pytest.raises(UsageError, match="not_an_indicator"):
        compute_indicators(ds, "2026Q3", indicators=["not_an_indicator"])
    with pytest.raises(PeriodError, match="2026Q5"):
        compute_indicators(ds, "2026Q5")
    with pytest.raises(PeriodError, match="only quarters or only months"):
        compute_indicators(ds, ["2026Q3", "2026-07"])
    with pytest.raises(UsageError, match="engine"):
        compute_indicators(ds, "2026Q3", engine="oracle")


def test_folder_input_goes_through_the_loader(tmp_path):
    t = tables()
    t["supervisors"].to_csv(tmp_path / "supervisors.csv", index=False, encoding="utf-8-sig")
    t["tickets"].to_csv(tmp_path / "tickets.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    long = compute_indicators(tmp_path, "2026Q3", indicators=["backlog_ratio", "first_response_hours"])
    check(long, S1, "2026Q3", "backlog_ratio", 0.75, 3, 4)
    check(long, S1, "2026Q3", "first_response_hours", 3.5, NaN, 4)
    assert set(long.supervisor_id) == {S1, S2, S3}


def test_trusted_parquet_path_gives_the_same_numbers(tmp_path, q3):
    for name, frame in tables().items():
        frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
    long = compute_indicators(tmp_path, "2026Q3", trusted=True)
    pd.testing.assert_frame_equal(long, q3)


def test_listing_in_both_languages():
    en, zh = catalogue_listing(lang="en"), catalogue_listing(lang="zh")
    assert list(en.columns) == ["id", "name", "dimension", "direction", "unit", "definition"]
    assert list(en.id) == catalogue.indicator_ids()
    assert zh.set_index("id").loc["csat", "name"] == "客户满意度"


# --------------------------------------------------------------------------- command line


def test_cli_list_is_aligned(capsys):
    from perfmodel.cli import main

    assert main(["indicators", "--list", "--lang", "zh"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["编号", "指标名称", "维度"]
    assert any("客户满意度" in line for line in lines)
    from perfmodel.cli.indicators import _width
    # the dimension column starts at the same display column on every row
    starts = {_width(line[:line.index(dim)]) for line in lines[2:]
              for dim in ("结果", "过程", "诊断") if f" {dim} " in line}
    assert len(starts) == 1


def test_cli_writes_and_reports(tmp_path, capsys):
    from perfmodel.cli import main

    for name, frame in tables().items():
        frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
    out = tmp_path / "out" / "panel.csv"
    assert main(["indicators", "--data", str(tmp_path), "--period", "2026Q3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert str(out) in printed and "3 supervisors x 1 periods" in printed
    written = pd.read_csv(out, dtype={"supervisor_id": str})
    assert len(written) == 3 * 28
    wide_out = tmp_path / "wide.xlsx"
    assert main(["indicators", "--data", str(tmp_path), "--all", "--wide", "--out", str(wide_out)]) == 0
    wide = pd.read_excel(wide_out)
    # every period holding an event the indicators use (SPEC §2): a promotion on 2026-03-01
    # (2026Q1) and a survey and a resolution at 2026-10-01 00:00 (2026Q4) besides 2026Q2..Q3
    assert len(wide) == 3 * 4 and "csat" in wide.columns
    assert sorted(wide["period"].unique()) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]


def test_cli_bad_period_is_one_line_exit_2(tmp_path, capsys):
    from perfmodel.cli import main

    code = main(["indicators", "--data", str(tmp_path), "--period", "2026Q7", "--out", str(tmp_path / "x.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "2026Q7" in err


def test_agrees_with_the_synthetic_generator_realised_values(tmp_path):
    """perfmodel.data.synth computes the SPEC §3 values of the rows it writes on its own; they match."""
    from perfmodel import load_dataset
    from perfmodel.data.synth import generate

    summary = generate(tmp_path / "syn", seed=3, supervisors=6, start="2025Q3", end="2026Q2")
    realised = summary["realised"].sort_values(["supervisor_id", "period"]).reset_index(drop=True)
    panel = wide_panel(compute_indicators(load_dataset(tmp_path / "syn"),
                                          ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]))
    panel = panel.set_index(["supervisor_id", "period"]).loc[
        list(zip(realised.supervisor_id, realised.period))].reset_index()
    # the leniency-corrected judgements are estimates: the generator's value is the neutral
    # mean a rater of zero leniency would have given (tests/indicators/test_leniency.py checks those)
    from perfmodel.indicators.leniency import RATED

    compared = [c for c in realised.columns if c in catalogue.indicator_ids() and c not in RATED]
    assert len(compared) >= 15
    for col in compared:
        np.testing.assert_allclose(panel[col].to_numpy(float), realised[col].to_numpy(float),
                                   rtol=1e-9, atol=1e-12, err_msg=col)


def test_surveys_without_followups_and_the_reverse():
    t = tables()
    no_followups = Dataset(tables={k: v for k, v in t.items() if k != "followups"})
    long = compute_indicators(no_followups, "2026Q3", indicators=["csat", "followup_positive_rate"])
    check(long, S1, "2026Q3", "csat", 4.0, 8, 2)
    assert not row(long, S1, "2026Q3", "followup_positive_rate")["available"]
    no_surveys = Dataset(tables={k: v for k, v in t.items() if k != "surveys"})
    long = compute_indicators(no_surveys, "2026Q3", indicators=["csat", "followup_positive_rate"])
    check(long, S1, "2026Q3", "followup_positive_rate", 2 / 3, 2, 3)
    assert not row(long, S1, "2026Q3", "csat")["available"]
