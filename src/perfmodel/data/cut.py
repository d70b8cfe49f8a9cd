"""Cut a dataset at an as-of instant: what was known at that moment, nothing later.

The cut is what makes period-to-date figures honest: an event stamped at or after the
as-of instant has not happened yet, so a record it creates does not exist and a state
change it records has not taken place.
"""
from __future__ import annotations

import pandas as pd

from perfmodel.core.deprecation import keyword_only
from perfmodel.data.dataset import Dataset
from perfmodel.core.errors import UsageError
from perfmodel.core.messages import text as message

# Rows that come into existence at this column's instant: dropped when it is >= as_of.
EXISTS_FROM: dict[str, str] = {
    "staff": "hired_on",
    "customers": "since",
    "tickets": "created_at",
    "surveys": "responded_at",
    "followups": "called_at",
    "audits": "audited_on",
    "peer_reviews": "reviewed_on",
    "manager_ratings": "rated_on",
    "self_assessments": "assessed_on",
}

# State changes: the column (and its companions) are emptied when it is >= as_of.
HAPPENS_AT: dict[str, dict[str, tuple[str, ...]]] = {
    "staff": {"left_on": (), "promoted_on": ()},
    "customers": {"churned_on": ()},
    "tickets": {"first_response_at": (), "resolved_at": ()},
    # the post-training test is taken at completion, so it is unknown until then
    "training": {"completed_on": ("post_score",)},
}

# Rows that hang off another table's key and vanish with their parent.
PARENT: dict[str, tuple[str, str]] = {
    "surveys": ("tickets", "ticket_id"),
    "followups": ("tickets", "ticket_id"),
    "training": ("staff", "staff_id"),
}


@keyword_only("lang")
def as_of_timestamp(as_of, *, lang: str = "en") -> pd.Timestamp:
    """Return ``as_of`` as a naive local :class:`pandas.Timestamp`.

    A date (``"2026-08-15"``) means its first instant, 00:00: the as-of day itself has not
    started. A time-zone-aware value is converted to its own wall-clock time.

    Raises
    ------
    UsageError
        When ``as_of`` is not a date or date-time, or lies outside the span that
        nanosecond timestamps hold (``0001-01-01``, ``9999-12-31``; the message in
        ``lang``, en or zh).

    Examples
    --------
    A date means the first instant of the day; an offset is dropped, the wall-clock time kept:

    >>> as_of_timestamp("2026-08-15")
    Timestamp('2026-08-15 00:00:00')
    >>> as_of_timestamp("2026-08-15T10:30:00+08:00")
    Timestamp('2026-08-15 10:30:00')
    >>> as_of_timestamp("soon")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: --as-of 'soon': not a date; use YYYY-MM-DD or an ISO 8601 date-time
    """
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise UsageError(message("watch.not_a_date", lang=lang, as_of=as_of))
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    # a year of margin either way: periods and cuts around the instant are computed too
    first, last = pd.Timestamp(f"{pd.Timestamp.min.year + 1}-01-01"), pd.Timestamp(f"{pd.Timestamp.max.year - 1}-12-31")
    if not first <= ts <= last:
        raise UsageError(message("watch.as_of_out_of_span", lang=lang, as_of=as_of,
                              first=f"{first:%Y-%m-%d}", last=f"{last:%Y-%m-%d}"))
    return ts.as_unit("ns")


def cut_dataset(dataset: Dataset, as_of) -> Dataset:
    """Return the dataset as it was known at the instant ``as_of``.

    Nothing stamped at or after ``as_of`` is kept: tickets, surveys, return visits, audits,
    peer reviews, staff and customers that start then or later are dropped (with the
    surveys, return visits and training rows that hang off a dropped ticket or staff
    member); ``first_response_at``, ``resolved_at``, ``left_on``, ``promoted_on``,
    ``churned_on`` and ``completed_on`` (with ``post_score``) at or after ``as_of`` are
    emptied as not yet happened. Plans made in advance stay: budgets, training rows (with
    their ``due_on``) and the ticket fields fixed at creation (``due_at``, ``cost``,
    ``is_complaint``, ``reopened``, which carries no date of its own).

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset; it is not modified.
    as_of : str or datetime-like
        The as-of instant (a date means 00:00 of that day).

    Returns
    -------
    Dataset
        A new dataset with the same tables and columns, quarantine, account, source and
        files as ``dataset``; row order is kept.

    Examples
    --------
    T3 was created after the cut (its survey goes with it); T2 was resolved after it, so it
    is still open at the as-of instant:

    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2", "T3"], "supervisor_id": ["S1"] * 3,
    ...                              "created_at": ["2026-07-02 09:00", "2026-08-10 14:00",
    ...                                             "2026-08-20 08:00"],
    ...                              "resolved_at": ["2026-07-03 10:00", "2026-08-16 09:00", None]}),
    ...     "surveys": pd.DataFrame({"ticket_id": ["T1", "T3"],
    ...                              "responded_at": ["2026-07-05", "2026-08-21"], "overall": [5, 4]})})
    >>> cut = cut_dataset(ds, "2026-08-15")
    >>> cut.tables["tickets"][["ticket_id", "created_at", "resolved_at"]]
      ticket_id          created_at         resolved_at
    0        T1 2026-07-02 09:00:00 2026-07-03 10:00:00
    1        T2 2026-08-10 14:00:00                 NaT
    >>> cut.tables["surveys"][["ticket_id", "overall"]]
      ticket_id  overall
    0        T1      5.0
    >>> len(ds.tables["tickets"])  # the dataset given is not modified
    3
    """
    cut = as_of_timestamp(as_of)
    tables: dict[str, pd.DataFrame] = {}
    for name, frame in dataset.tables.items():
        df = frame
        col = EXISTS_FROM.get(name)
        if col is not None and col in df.columns:
            df = df[~(df[col] >= cut)]  # NaT stays (it cannot be placed after the cut)
        changes = HAPPENS_AT.get(name, {})
        if any(c in df.columns for c in changes):
            df = df.copy()
            for col, companions in changes.items():
                if col not in df.columns:
                    continue
                later = (df[col] >= cut).fillna(False).to_numpy(dtype=bool)
                if later.any():
                    for c in (col, *companions):
                        if c in df.columns:
                            df.loc[later, c] = pd.NA if df[c].dtype == "boolean" else None
                            if pd.api.types.is_datetime64_any_dtype(frame[c]):
                                df[c] = pd.to_datetime(df[c])
        tables[name] = df
    for name, (parent, key) in PARENT.items():
        if name in tables and parent in tables and key in tables[name].columns:
            keep = tables[name][key].isin(tables[parent][key])
            tables[name] = tables[name][keep]
    tables = {k: v.reset_index(drop=True) for k, v in tables.items()}
    return Dataset(tables=tables, quarantine=dataset.quarantine, account=dataset.account,
                   source=dataset.source, files=dict(dataset.files), calendar=dataset.calendar)
