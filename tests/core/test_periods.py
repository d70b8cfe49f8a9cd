"""Reporting periods (SPEC §2): ids, half-open bounds, ranges and labels.

Every expected bound below is written out from the calendar, not computed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfmodel.core.errors import PeriodError
from perfmodel.core.periods import label_periods, parse_period, period_containing, period_kind, period_range

T = pd.Timestamp


@pytest.mark.parametrize("pid, start, end, days", [
    ("2026Q1", "2026-01-01", "2026-04-01", 90),
    ("2026Q2", "2026-04-01", "2026-07-01", 91),
    ("2026Q3", "2026-07-01", "2026-10-01", 92),
    ("2026Q4", "2026-10-01", "2027-01-01", 92),   # ends at the next year's first instant
    ("2024Q1", "2024-01-01", "2024-04-01", 91),   # leap year: 31 + 29 + 31
])
def test_quarter_bounds(pid, start, end, days):
    p = parse_period(pid)
    assert (p.start, p.end, p.kind, p.id, p.days) == (T(start), T(end), "quarter", pid, days)


@pytest.mark.parametrize("pid, start, end, days", [
    ("2026-01", "2026-01-01", "2026-02-01", 31),
    ("2026-02", "2026-02-01", "2026-03-01", 28),
    ("2024-02", "2024-02-01", "2024-03-01", 29),   # leap February
    ("2000-02", "2000-02-01", "2000-03-01", 29),   # divisible by 400: leap
    ("2100-02", "2100-02-01", "2100-03-01", 28),   # divisible by 100 only: not leap
    ("2026-04", "2026-04-01", "2026-05-01", 30),
    ("2026-12", "2026-12-01", "2027-01-01", 31),   # year boundary
])
def test_month_bounds(pid, start, end, days):
    p = parse_period(pid)
    assert (p.start, p.end, p.kind, p.id, p.days) == (T(start), T(end), "month", pid, days)


def test_bounds_are_half_open():
    q = parse_period("2026Q1")
    last_second = T("2026-03-31 23:59:59")
    assert q.start <= last_second < q.end
    assert not (q.start <= T("2026-04-01 00:00") < q.end)
    assert period_containing("2026-04-01 00:00", "quarter").id == "2026Q2"
    assert period_containing("2026-03-31 23:59:59.999", "quarter").id == "2026Q1"
    assert period_containing("2026-12-31 23:59", "month").id == "2026-12"
    assert period_containing("2027-01-01 00:00", "month").id == "2027-01"


def test_ids_are_normalised_from_surrounding_blanks():
    assert parse_period(" 2026Q3 ").id == "2026Q3"
    assert period_kind("2026-09") == "month"
    assert period_kind("2026Q3") == "quarter"


@pytest.mark.parametrize("bad", [
    "2026Q0", "2026Q5", "2026q3", "2026-13", "2026-00", "2026-9", "26Q3", "2026",
    "2026-09-01", "Q3 2026", "", "2026 Q3",
])
def test_invalid_ids_raise_period_error(bad):
    with pytest.raises(PeriodError) as info:
        parse_period(bad)
    message = str(info.value)
    assert "2026Q3" in message and "2026-09" in message  # says what a valid id looks like
    assert "\n" not in message


def test_next_and_previous_cross_the_year():
    assert parse_period("2026Q4").next().id == "2027Q1"
    assert parse_period("2027Q1").previous().id == "2026Q4"
    assert parse_period("2026-12").next().id == "2027-01"
    assert parse_period("2027-01").previous().id == "2026-12"


def test_period_range_quarters_across_years():
    ids = [p.id for p in period_range("2024Q4", "2026Q3")]
    assert ids == ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]


def test_period_range_months_and_single_period():
    assert [p.id for p in period_range("2025-11", "2026-02")] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [p.id for p in period_range("2026Q2", "2026Q2")] == ["2026Q2"]


def test_period_range_periods_tile_time():
    periods = period_range("2025-11", "2026-03")
    for a, b in zip(periods, periods[1:]):
        assert a.end == b.start


def test_period_range_errors():
    with pytest.raises(PeriodError, match="both ends"):
        period_range("2026Q1", "2026-06")
    with pytest.raises(PeriodError, match="before the start"):
        period_range("2026Q3", "2026Q1")
    with pytest.raises(PeriodError):
        period_range("2026Q1", "2026Q9")


def test_period_containing_rejects_unknown_kind():
    with pytest.raises(PeriodError, match="'week'"):
        period_containing("2026-01-01", "week")


def test_label_periods_quarters_and_months():
    ts = pd.Series(pd.to_datetime([
        "2025-12-31 23:59:59", "2026-01-01 00:00:00", "2026-03-31 12:00:00", "2026-04-01 00:00:00",
        None, "2024-02-29 08:00:00",
    ]))
    assert label_periods(ts, "quarter").tolist()[:4] == ["2025Q4", "2026Q1", "2026Q1", "2026Q2"]
    assert label_periods(ts, "month").tolist()[:4] == ["2025-12", "2026-01", "2026-03", "2026-04"]
    q = label_periods(ts, "quarter")
    assert pd.isna(q.iloc[4]) and q.iloc[5] == "2024Q1"
    assert label_periods(ts, "month").iloc[5] == "2024-02"
    assert list(q.index) == list(ts.index)


def test_label_periods_keeps_the_index_and_rejects_unknown_kind():
    ts = pd.Series(pd.to_datetime(["2026-07-15", "2026-10-01"]), index=[10, 20])
    out = label_periods(ts, "quarter")
    assert out.to_dict() == {10: "2026Q3", 20: "2026Q4"}
    with pytest.raises(PeriodError):
        label_periods(ts, "year")


def test_label_periods_agrees_with_parse_period_bounds():
    # every labelled timestamp lies inside the bounds of its label
    rng = np.random.default_rng(7)
    seconds = rng.integers(0, 3 * 365 * 86400, 500)
    ts = pd.Series(T("2024-01-01") + pd.to_timedelta(seconds, unit="s"))
    for kind in ("quarter", "month"):
        for t, pid in zip(ts, label_periods(ts, kind)):
            p = parse_period(pid)
            assert p.start <= t < p.end
