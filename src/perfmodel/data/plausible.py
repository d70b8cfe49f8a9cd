"""The plausibility window of date columns: dates outside it are typos, not events.

A ticket created on 1900-01-01 is a typing slip, yet it would stretch the data's span
(:func:`perfmodel.core.periods.data_span`) over five centuries of empty periods. Every date and
timestamp column therefore has a window; a row with a date outside it is quarantined
with a reason naming the column, the value and the window.

By default (:data:`DEFAULT_WINDOW`):

- event dates (``created_at``, ``resolved_at``, ``responded_at``, ``audited_on``, ...)
  from 2000-01-01;
- ``hired_on`` and ``since`` (people are hired and customers won long before the
  ticket system existed) from 1950-01-01;
- every date up to one year after the newest ticket ``created_at`` (among those inside
  the window), so a due date or a training deadline a few months ahead is fine.

Pass another :class:`DateWindow` to :func:`perfmodel.data.loader.load_dataset` to change it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

EARLIEST_EVENT = pd.Timestamp("2000-01-01")
EARLIEST_PEOPLE = pd.Timestamp("1950-01-01")


@dataclass(frozen=True)
class DateWindow:
    """Where the dates of each column may lie.

    Parameters
    ----------
    earliest : pandas.Timestamp or str
        The first plausible date of every column not named in ``columns``.
    columns : dict[str, pandas.Timestamp or str]
        Column name -> its own first plausible date (the same name in every table).
    years_ahead : int
        The last plausible date is this many years after the newest ticket
        ``created_at``; ``None`` sets no upper end.
    """

    earliest: pd.Timestamp | str = EARLIEST_EVENT
    columns: dict = field(default_factory=lambda: {"hired_on": EARLIEST_PEOPLE,
                                                   "since": EARLIEST_PEOPLE})
    years_ahead: int | None = 1

    def first(self, column: str) -> pd.Timestamp:
        """The first plausible date of ``column`` (a Timestamp)."""
        return pd.Timestamp(self.columns.get(column, self.earliest))

    def last(self, newest: pd.Timestamp | None) -> pd.Timestamp | None:
        """The last plausible date given the newest ticket ``created_at`` (None: no end)."""
        if self.years_ahead is None or newest is None or pd.isna(newest):
            return None
        return pd.Timestamp(newest) + pd.DateOffset(years=int(self.years_ahead))


DEFAULT_WINDOW = DateWindow()

#: The column whose newest value anchors the upper end of the window.
ANCHOR = ("tickets", "created_at")


def newest_anchor(window: DateWindow, created: pd.Series) -> pd.Timestamp | None:
    """The newest ticket ``created_at`` inside the window's lower end, or None.

    Parameters
    ----------
    window : DateWindow
    created : pandas.Series
        ``created_at`` as ``datetime64``.

    Returns
    -------
    pandas.Timestamp or None

    Examples
    --------
    A ticket dated 1900 (a typing slip) does not anchor the window:

    >>> created = pd.to_datetime(pd.Series(["2026-03-02 08:00", "1900-01-01 00:00",
    ...                                   "2026-06-30 17:45", None]))
    >>> newest_anchor(DEFAULT_WINDOW, created)
    Timestamp('2026-06-30 17:45:00')
    >>> newest_anchor(DEFAULT_WINDOW, pd.to_datetime(pd.Series(["1999-12-31"]))) is None
    True
    """
    values = created[created >= window.first(ANCHOR[1])]
    newest = values.max() if len(values) else None
    return None if newest is None or pd.isna(newest) else pd.Timestamp(newest)


def outside(values: pd.Series, column: str, window: DateWindow,
            newest: pd.Timestamp | None) -> tuple[np.ndarray, str]:
    """Which dates of a column lie outside the window.

    Parameters
    ----------
    values : pandas.Series
        The typed column (``datetime64``; missing is fine).
    column : str
        Its name (picks its first plausible date).
    window : DateWindow
    newest : pandas.Timestamp or None
        The newest ticket ``created_at`` (see :func:`newest_anchor`).

    Returns
    -------
    mask : numpy.ndarray of bool
        True where a date is present and outside the window.
    shown : str
        The window as reasons state it, ``2000-01-01..2027-03-31`` (or ``from 2000-01-01``).

    Examples
    --------
    Event dates run from 2000-01-01 to one year after the newest ticket; hiring dates from 1950:

    >>> newest = pd.Timestamp("2026-06-30")
    >>> dates = pd.to_datetime(pd.Series(["1900-01-01", "2026-05-04", "2027-07-01", None]))
    >>> mask, shown = outside(dates, "created_at", DEFAULT_WINDOW, newest)
    >>> mask, shown
    (array([ True, False,  True, False]), '2000-01-01..2027-06-30')
    >>> outside(pd.to_datetime(pd.Series(["1988-09-01"])), "hired_on", DEFAULT_WINDOW, None)
    (array([False]), 'from 1950-01-01')
    """
    lo, hi = window.first(column), window.last(newest)
    mask = (values < lo).to_numpy(dtype=bool, na_value=False)
    if hi is not None:
        mask |= (values > hi).to_numpy(dtype=bool, na_value=False)
    shown = f"{lo:%Y-%m-%d}..{hi:%Y-%m-%d}" if hi is not None else f"from {lo:%Y-%m-%d}"
    return mask, shown
