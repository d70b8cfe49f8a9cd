"""Reporting periods: quarters (``2026Q3``) and months (``2026-09``).

A period runs from its first day 00:00 to the first day of the next period 00:00
(half-open). Period ids sort in time order as plain strings within one kind.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import PeriodError

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
        When ``text`` is neither ``YYYYQn`` nor ``YYYY-MM``.
    """
    text = str(text).strip()
    m = _QUARTER.match(text)
    if m:
        year, q = int(m.group(1)), int(m.group(2))
        start = pd.Timestamp(year=year, month=3 * (q - 1) + 1, day=1)
        return Period(start, start + pd.DateOffset(months=3), "quarter", f"{year}Q{q}")
    m = _MONTH.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        start = pd.Timestamp(year=year, month=month, day=1)
        return Period(start, start + pd.DateOffset(months=1), "month", f"{year}-{month:02d}")
    raise PeriodError(
        f"period {text!r}: not a period id; use a quarter like 2026Q3 or a month like 2026-09"
    )


def period_kind(text: str) -> str:
    """Return ``"quarter"`` or ``"month"`` for a period id (raises PeriodError)."""
    return parse_period(text).kind


def period_containing(ts, kind: str = "quarter") -> Period:
    """Return the period of ``kind`` in which timestamp ``ts`` falls."""
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
    """
    return [p.id for p in period_range(period_containing(first, kind).id, period_containing(last, kind).id)]


def check_period(dataset, period: str, *, first=None, last=None) -> str:
    """Return the id of ``period`` when the tickets of ``dataset`` cover it.

    Parameters
    ----------
    dataset : Dataset or None
        The loaded dataset; its tickets' ``created_at`` give the coverage.
    period : str
        A period id such as ``2026Q3`` or ``2026-09``.
    first, last : timestamp, optional
        The earliest and latest ticket, when known without the dataset (Parquet read
        directly); ``dataset`` may then be None.

    Returns
    -------
    str
        The period id.

    Raises
    ------
    PeriodError
        When the period is malformed or outside the tickets' coverage; the message names the
        data folder and the covered range.
    DataError
        When no ticket has a ``created_at``.
    """
    from .errors import DataError

    p = parse_period(period)
    source = getattr(dataset, "source", None)
    if first is None or last is None:
        created = pd.to_datetime(dataset.tables["tickets"]["created_at"]).dropna()
        if created.empty:
            raise DataError("tickets: no ticket has a created_at; cannot tell which periods the data covers")
        first, last = created.min(), created.max()
    covered = covered_periods(first, last, p.kind)
    if p.id not in covered:
        raise PeriodError(f"period {p.id}: not in the data at {source or 'the dataset'} "
                          f"(tickets cover {covered[0]}..{covered[-1]}); pick a period in that range")
    return p.id
