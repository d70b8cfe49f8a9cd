"""Reporting periods: quarters (``2026Q3``) and months (``2026-09``).

A period runs from its first day 00:00 to the first day of the next period 00:00
(half-open). Period ids sort in time order as plain strings within one kind.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfmodel.core.errors import PeriodError

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

KINDS = ("quarter", "month")


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period.

    Attributes
    ----------
    start : pandas.Timestamp
        First instant of the period (inclusive).
    end : pandas.Timestamp
        First instant of the next period (exclusive).
    kind : str
        ``"quarter"`` or ``"month"``.
    id : str
        ``"2026Q3"`` or ``"2026-09"``.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    kind: str
    id: str

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.id

    @property
    def days(self) -> int:
        """Number of calendar days in the period."""
        return int((self.end - self.start) / pd.Timedelta(days=1))

    def next(self) -> "Period":
        """The period of the same kind that starts where this one ends."""
        return period_containing(self.end, self.kind)

    def previous(self) -> "Period":
        """The period of the same kind that ends where this one starts."""
        return period_containing(self.start - pd.Timedelta(days=1), self.kind)


def parse_period(text: str) -> Period:
    """Parse a period id.

    Returns
    -------
    Period
        With its half-open bounds.

    Raises
    ------
    PeriodError
        When ``text`` is neither ``YYYYQn`` nor ``YYYY-MM``, or its year is outside
        :data:`FIRST_YEAR`..:data:`LAST_YEAR` (``0000Q1``, ``9999Q4``).

    Examples
    --------
    >>> q = parse_period("2026Q3")
    >>> q.id, q.kind, str(q.start), str(q.end), q.days
    ('2026Q3', 'quarter', '2026-07-01 00:00:00', '2026-10-01 00:00:00', 92)
    >>> parse_period(" 2026-09 ").id, q.next().id, q.previous().id
    ('2026-09', '2026Q4', '2026Q2')
    >>> parse_period("2026-Q3")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.PeriodError: period '2026-Q3': not a period id; use a quarter like 2026Q3 or a month like 2026-09
    """
    text = str(text).strip()
    m = _QUARTER.match(text)
    if m:
        year, q = _year(m.group(1), text), int(m.group(2))
        start = pd.Timestamp(year=year, month=3 * (q - 1) + 1, day=1)
        return Period(start, start + pd.DateOffset(months=3), "quarter", f"{year}Q{q}")
    m = _MONTH.match(text)
    if m:
        year, month = _year(m.group(1), text), int(m.group(2))
        start = pd.Timestamp(year=year, month=month, day=1)
        return Period(start, start + pd.DateOffset(months=1), "month", f"{year}-{month:02d}")
    raise PeriodError.worded("errors.not_a_period", text=repr(text))


#: Years a period may lie in: the span of pandas timestamps, less a year at either end.
FIRST_YEAR, LAST_YEAR = pd.Timestamp.min.year + 1, pd.Timestamp.max.year - 1


def _year(digits: str, text: str) -> int:
    year = int(digits)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError.worded("errors.year_out_of_range", text=repr(text), year=year, first=FIRST_YEAR,
                                 last=LAST_YEAR)
    return year


def period_kind(text: str) -> str:
    """Return ``"quarter"`` or ``"month"`` for a period id (raises PeriodError).

    Examples
    --------
    >>> period_kind("2026Q3"), period_kind("2026-09")
    ('quarter', 'month')
    """
    return parse_period(text).kind


def period_containing(ts, kind: str = "quarter") -> Period:
    """Return the period of ``kind`` in which timestamp ``ts`` falls.

    Examples
    --------
    >>> period_containing("2026-08-15 10:30").id, period_containing("2026-08-15", "month").id
    ('2026Q3', '2026-08')
    >>> period_containing("2026-09-30 23:59:59").id  # the last second of the quarter
    '2026Q3'
    """
    if kind not in KINDS:
        raise PeriodError(f"period kind {kind!r}: use 'quarter' or 'month'")
    ts = pd.Timestamp(ts)
    if kind == "quarter":
        return parse_period(f"{ts.year}Q{(ts.month - 1) // 3 + 1}")
    return parse_period(f"{ts.year}-{ts.month:02d}")


def period_range(first: str, last: str) -> list[Period]:
    """Return every period from ``first`` to ``last`` inclusive, in time order.

    Raises
    ------
    PeriodError
        When the ids are of different kinds or ``last`` comes before ``first``.

    Examples
    --------
    >>> [p.id for p in period_range("2025Q4", "2026Q2")]
    ['2025Q4', '2026Q1', '2026Q2']
    >>> [p.id for p in period_range("2025-12", "2026-01")]
    ['2025-12', '2026-01']
    """
    a, b = parse_period(first), parse_period(last)
    if a.kind != b.kind:
        raise PeriodError(f"period range {a.id}..{b.id}: both ends must be quarters or both months")
    if b.start < a.start:
        raise PeriodError(f"period range {a.id}..{b.id}: the end comes before the start")
    out = [a]
    while out[-1].id != b.id:
        out.append(out[-1].next())
    return out


def label_periods(timestamps: pd.Series, kind: str = "quarter") -> pd.Series:
    """Vectorised period ids for a Series of timestamps (NaT gives missing).

    Returns
    -------
    pandas.Series
        Of period id strings, aligned with ``timestamps``.

    Examples
    --------
    >>> ts = pd.Series(pd.to_datetime(["2026-03-31 23:59", "2026-04-01 00:00", None]))
    >>> label_periods(ts).tolist()
    ['2026Q1', '2026Q2', nan]
    >>> label_periods(ts, "month").tolist()
    ['2026-03', '2026-04', nan]
    """
    if kind not in KINDS:
        raise PeriodError(f"period kind {kind!r}: use 'quarter' or 'month'")
    ts = pd.to_datetime(timestamps)
    year = ts.dt.year
    if kind == "quarter":
        ids = year.astype("Int64").astype(str) + "Q" + ts.dt.quarter.astype("Int64").astype(str)
    else:
        ids = year.astype("Int64").astype(str) + "-" + ts.dt.month.astype("Int64").astype(str).str.zfill(2)
    return ids.where(ts.notna(), np.nan)


def covered_periods(first, last, kind: str = "quarter") -> list[str]:
    """Return the ids of every period from the one holding ``first`` to the one holding ``last``.

    Returns
    -------
    list of str
        Period ids in time order.

    Examples
    --------
    >>> covered_periods("2026-02-10", "2026-05-01")
    ['2026Q1', '2026Q2']
    >>> covered_periods("2026-02-10", "2026-05-01", "month")
    ['2026-02', '2026-03', '2026-04', '2026-05']
    """
    return [p.id for p in period_range(period_containing(first, kind).id, period_containing(last, kind).id)]


#: The columns whose dates place a row's event in a period, per table (SPEC §3). The data's
#: periods span every one of them (SPEC §2): a quarter with surveys, churn or training but no
#: new ticket is in the data. States that only bound a count (``hired_on``, ``since``) and
#: deadlines (``due_at``) are not events. ``budgets.period`` is a period id and counts too.
EVENT_COLUMNS = {
    "tickets": ("created_at", "resolved_at"),
    "surveys": ("responded_at",),
    "followups": ("called_at",),
    "customers": ("churned_on",),
    "training": ("due_on", "completed_on"),
    "audits": ("audited_on",),
    "peer_reviews": ("reviewed_on",),
    "manager_ratings": ("rated_on",),
    "self_assessments": ("assessed_on",),
    "staff": ("left_on", "promoted_on"),
}

#: A first or last period counts as complete when the data reaches within this of its bounds.
COMPLETE_SLACK = pd.Timedelta(days=3)


def data_span(dataset) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The earliest and the latest event the indicators use.

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset; every table present contributes its :data:`EVENT_COLUMNS`, and
        ``budgets`` the bounds of each budget's period.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        First and last event instant.

    Raises
    ------
    DataError
        When no table holds an event date.

    Examples
    --------
    >>> import perfmodel
    >>> ds = perfmodel.dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1", "S2"], "name": ["王芳", "李强"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2", "T3"], "supervisor_id": ["S1", "S2", "S1"],
    ...                              "created_at": ["2026-01-02 09:00", "2026-05-20 10:00",
    ...                                             "2026-09-29 16:00"]})})
    >>> data_span(ds)
    (Timestamp('2026-01-02 09:00:00'), Timestamp('2026-09-29 16:00:00'))
    """
    from perfmodel.core.errors import DataError

    lows, highs = [], []
    for name, columns in EVENT_COLUMNS.items():
        frame = dataset.tables.get(name)
        if frame is None:
            continue
        for col in columns:
            if col in frame:
                values = pd.to_datetime(frame[col])
                lo, hi = values.min(), values.max()
                if not pd.isna(lo):
                    lows.append(lo)
                    highs.append(hi)
    budgets = dataset.tables.get("budgets")
    if budgets is not None and "period" in budgets and len(budgets):
        for pid in pd.unique(budgets["period"].dropna().astype(str)):
            try:
                p = parse_period(pid)
            except PeriodError:
                continue
            lows.append(p.start)
            highs.append(p.end - pd.Timedelta(microseconds=1))
    if not lows:
        raise DataError("dataset: no event date in any table (tickets created_at, surveys responded_at, ...); "
                        "cannot tell which periods the data covers")
    return min(lows), max(highs)


def data_periods(dataset, kind: str = "quarter", complete_only: bool = False, *, span=None) -> list[str]:
    """Return the periods the data covers, in time order.

    The data covers every period from the one holding its earliest event to the one holding
    its latest (:func:`data_span`), including a period with events but no new ticket.

    Parameters
    ----------
    dataset : Dataset or None
        The loaded dataset (may be None when ``span`` is given).
    kind : {"quarter", "month"}
    complete_only : bool
        Drop a first or last period that the data covers only in part: the first counts
        when the earliest event is within 3 days of its start, the last when the latest
        event is within 3 days of its end.
    span : (timestamp, timestamp), optional
        The earliest and latest event when known without the dataset.

    Returns
    -------
    list of str
        Period ids.

    Examples
    --------
    The first event on 20 January lies 19 days into 2026Q1, more than the 3 days of slack:

    >>> span = (pd.Timestamp("2026-01-20"), pd.Timestamp("2026-09-29 16:00"))
    >>> data_periods(None, span=span)
    ['2026Q1', '2026Q2', '2026Q3']
    >>> data_periods(None, complete_only=True, span=span)
    ['2026Q2', '2026Q3']
    """
    first, last = span if span is not None else data_span(dataset)
    periods = period_range(period_containing(first, kind).id, period_containing(last, kind).id)
    if complete_only:
        if first - periods[0].start > COMPLETE_SLACK:
            periods = periods[1:]
        if periods and periods[-1].end - last > COMPLETE_SLACK + pd.Timedelta(days=1):
            periods = periods[:-1]
    return [p.id for p in periods]


def latest_complete_period(dataset, kind: str = "quarter", *, span=None) -> str:
    """Return the id of the latest period that the data covers completely.

    Raises
    ------
    PeriodError
        When no period is complete.

    Examples
    --------
    The last event on 20 September leaves 11 days of 2026Q3 uncovered:

    >>> latest_complete_period(None, span=(pd.Timestamp("2026-01-02"), pd.Timestamp("2026-09-20")))
    '2026Q2'
    >>> latest_complete_period(None, span=(pd.Timestamp("2026-01-02"), pd.Timestamp("2026-09-29")))
    '2026Q3'
    """
    periods = data_periods(dataset, kind, complete_only=True, span=span)
    if not periods:
        source = getattr(dataset, "source", None)
        raise PeriodError.worded("errors.no_complete_period", source=source or "data", kind=kind)
    return periods[-1]


def check_period(dataset, period: str, *, first=None, last=None) -> str:
    """Return the id of ``period`` when the data covers it.

    Parameters
    ----------
    dataset : Dataset or None
        The loaded dataset; its events (:func:`data_span`) give the coverage.
    period : str
        A period id such as ``2026Q3`` or ``2026-09``.
    first, last : timestamp, optional
        The earliest and latest event, when known without the dataset (Parquet read
        directly); ``dataset`` may then be None.

    Returns
    -------
    str
        The period id.

    Raises
    ------
    PeriodError
        When the period is malformed or outside the data's coverage; the message names the
        data folder and the covered range.
    DataError
        When no table holds an event date.

    Examples
    --------
    >>> first, last = pd.Timestamp("2026-01-02"), pd.Timestamp("2026-09-29")
    >>> check_period(None, "2026Q2", first=first, last=last)
    '2026Q2'
    >>> check_period(None, "2026Q4", first=first, last=last)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.PeriodError: period 2026Q4: not in the data at the dataset (the data covers 2026Q1..2026Q3); pick a period in that range
    """
    p = parse_period(period)
    source = getattr(dataset, "source", None)
    if first is None or last is None:
        first, last = data_span(dataset)
    covered = covered_periods(first, last, p.kind)
    if p.id not in covered:
        raise PeriodError.worded("errors.period_not_in_data" if source else "errors.period_not_in_dataset",
                                 period=p.id, source=source, first=covered[0], last=covered[-1])
    return p.id
