"""Rating adjustments decided at the review meeting (评级调整), applied after scoring and quotas.

A reviewed file ``adjustments.csv`` has one row per changed rating::

    supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on
    S007,2026Q3,B,A,大客户投诉已查明非本人责任,王总监,2026-10-12

It is read as UTF-8 (with or without BOM) or GB18030 and checked against the computed
scores before anything is applied; every refusal is one line naming the file and row:

- ``from_rating`` must be the rating computed for that supervisor and period (bands, or
  the forced distribution): both are named when they differ, so a meeting never changes
  a rating it did not see;
- ``reason`` and ``approved_by`` must not be empty; ``approved_on`` is a date;
- the supervisor, the period and both labels must be known (the period among those scored);
- a supervisor and period appear once; ``to_rating`` differs from ``from_rating``.

:func:`apply_adjustments` keeps the computed rating beside the final one
(``rating_computed``, ``rating``) with the row's reason, approver and date.
Adjustments may break the quotas of a forced distribution; :func:`quota_breaks` says by
how much, per quota group and label.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from perfmodel.core.errors import DataError
from perfmodel.core.hashing import sha256_bytes

__all__ = ["ADJUSTMENT_COLUMNS", "ADDED_COLUMNS", "Adjustments", "apply_adjustments", "quota_breaks",
           "read_adjustments"]

ADJUSTMENT_COLUMNS = ["supervisor_id", "period", "from_rating", "to_rating", "reason", "approved_by",
                      "approved_on"]
#: columns :func:`apply_adjustments` adds to the scores (``rating_computed`` goes before ``rating``)
ADDED_COLUMNS = ["rating_computed", "adjustment_reason", "adjustment_approved_by", "adjustment_approved_on"]
BREAK_COLUMNS = ["group", "rating", "quota", "final", "difference"]


@dataclass
class Adjustments:
    """An adjustments file as read by :func:`read_adjustments`.

    Attributes
    ----------
    table : pandas.DataFrame
        :data:`ADJUSTMENT_COLUMNS` as text plus ``row`` (the line in the file, header = 1).
    path : pathlib.Path
    sha256 : str
        Of the file's bytes (what the manifest records).
    encoding : str
        ``utf-8-sig``, ``utf-8`` or ``gb18030``.
    """

    table: pd.DataFrame
    path: Path
    sha256: str
    encoding: str

    @property
    def name(self) -> str:
        """The file name used in messages."""
        return self.path.name


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "gb18030")
    for enc in encodings:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise DataError.worded("errors.adjustments_encoding", file=path.name)


def read_adjustments(path) -> Adjustments:
    """Read an adjustments file and check its own rows (not yet against any scores).

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV file with the columns of :data:`ADJUSTMENT_COLUMNS` (any order, other
        columns refused).

    Returns
    -------
    Adjustments

    Raises
    ------
    DataError
        One line naming the file and row: a missing file or column, an empty cell in a
        required column, an ``approved_on`` that is not a date, a repeated supervisor and
        period, or ``to_rating`` equal to ``from_rating``.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.data.demo import demo_adjustments
    >>> path = demo_adjustments(tempfile.mkdtemp())  # S4 from B to A
    >>> adj = read_adjustments(path)
    >>> adj.encoding, adj.table[["supervisor_id", "from_rating", "to_rating", "approved_by", "row"]]
    ('utf-8',   supervisor_id from_rating to_rating approved_by  row
    0            S4           B         A         张经理    2)
    >>> _ = path.write_text("supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on\\n"
    ...                     "S4,2026Q3,B,A,客户表扬,张经理,下周\\n", encoding="utf-8")
    >>> read_adjustments(path)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.DataError: adjustments.csv: row 2: approved_on '下周' is not a date; write it as 2026-10-12
    """
    path = Path(path)
    if not path.is_file():
        raise DataError.worded("errors.adjustments_not_found", path=path)
    data = path.read_bytes()
    text, encoding = _decode(path, data)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise DataError.worded("errors.adjustments_empty", file=path.name, header=",".join(ADJUSTMENT_COLUMNS))
    header = [c.strip().lower() for c in rows[0]]
    for col in ADJUSTMENT_COLUMNS:
        if col not in header:
            raise DataError.worded("errors.adjustments_column_missing", file=path.name, column=repr(col),
                                   header=",".join(ADJUSTMENT_COLUMNS))
    extra = [c for c in header if c not in ADJUSTMENT_COLUMNS]
    if extra:
        raise DataError.worded("errors.adjustments_column_extra", file=path.name, column=repr(extra[0]),
                               header=",".join(ADJUSTMENT_COLUMNS))
    records, seen = [], {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise DataError.worded("errors.adjustments_row_cells", file=path.name, row=line, cells=len(cells),
                                   header_cells=len(header))
        rec = {col: cells[header.index(col)].strip() for col in ADJUSTMENT_COLUMNS}
        for col in ADJUSTMENT_COLUMNS:
            if not rec[col]:
                key = {"reason": "errors.adjustments_reason_empty",
                       "approved_by": "errors.adjustments_approver_empty"}.get(col, "errors.adjustments_cell_empty")
                raise DataError.worded(key, file=path.name, row=line,
                                       **({} if col in ("reason", "approved_by") else {"column": col}))
        try:
            day = pd.Timestamp(rec["approved_on"])
        except (ValueError, TypeError):
            day = pd.NaT
        if pd.isna(day):
            raise DataError.worded("errors.adjustments_not_a_date", file=path.name, row=line,
                                   value=repr(rec["approved_on"]))
        rec["approved_on"] = day.strftime("%Y-%m-%d")
        if rec["from_rating"] == rec["to_rating"]:
            raise DataError.worded("errors.adjustments_no_change", file=path.name, row=line, rating=rec["to_rating"])
        key = (rec["supervisor_id"], rec["period"])
        if key in seen:
            raise DataError.worded("errors.adjustments_repeated", file=path.name, row=line, supervisor=key[0],
                                   period=key[1], first=seen[key])
        seen[key] = line
        records.append({**rec, "row": line})
    table = pd.DataFrame(records, columns=ADJUSTMENT_COLUMNS + ["row"])
    return Adjustments(table=table, path=path, sha256=sha256_bytes(data), encoding=encoding)


def apply_adjustments(scores: pd.DataFrame, adjustments: Adjustments | str | Path, policy, *,
                      later_periods: bool = False) -> pd.DataFrame:
    """Apply the meeting's adjustments to computed scores.

    Parameters
    ----------
    scores : pandas.DataFrame
        Columns of :func:`perfmodel.scoring.scores.score` (every period the run scored); ``rating``
        is the computed rating (after any quota).
    adjustments : Adjustments or path
    policy : Policy
        For the rating labels.
    later_periods : bool
        Skip rows of periods after the last one scored (a report of 2026Q2 run with the
        file of a later meeting) instead of refusing them; a malformed period is refused.

    Returns
    -------
    pandas.DataFrame
        ``scores`` in the same row order with ``rating_computed`` (the computed rating)
        inserted before ``rating`` (now the final rating) and, after ``rating``,
        ``adjustment_reason``, ``adjustment_approved_by``, ``adjustment_approved_on``
        ("" where no adjustment applies).

    Raises
    ------
    DataError
        One line naming the file and row: an unknown rating label, supervisor or period
        (not scored in this run), or a ``from_rating`` that is not the computed rating
        (both named).

    Examples
    --------
    The review meeting raises S4 from B to A:

    >>> import perfmodel
    >>> from perfmodel.scoring.demo import demo_forced_scores
    >>> policy = perfmodel.load_policy("quality")  # quotas S 10 %, A 20 %, B 50 %, C 15 %, D 5 %
    >>> scores = demo_forced_scores()
    >>> import tempfile
    >>> from perfmodel.data.demo import demo_adjustments
    >>> path = demo_adjustments(tempfile.mkdtemp())  # S4 from B to A
    >>> final = apply_adjustments(scores, path, policy)
    >>> final[["supervisor_id", "rating_computed", "rating", "adjustment_reason"]]
      supervisor_id rating_computed rating adjustment_reason
    0            S1               S      S
    1            S2               A      A
    2            S3               B      B
    3            S4               B      A              客户表扬
    4            S5               C      C
    """
    adj = adjustments if isinstance(adjustments, Adjustments) else read_adjustments(adjustments)
    name = adj.name
    labels = list(policy.ratings)
    out = scores.copy()
    sid = out["supervisor_id"].astype(str).to_numpy()
    per = out["period"].astype(str).to_numpy()
    where = {(s, p): i for i, (s, p) in enumerate(zip(sid, per))}
    known_ids, known_periods = set(sid), sorted(set(per))
    computed = out["rating"].astype(str).to_numpy()
    final = computed.copy()
    reason = [""] * len(out)
    by = [""] * len(out)
    on = [""] * len(out)
    for r in adj.table.itertuples(index=False):
        at = {"file": name, "row": r.row}
        for col in ("from_rating", "to_rating"):
            label = getattr(r, col)
            if label not in labels:
                raise DataError.worded("errors.adjustments_unknown_rating", **at, column=col, label=repr(label),
                                       labels=", ".join(labels))
        if r.supervisor_id not in known_ids:
            raise DataError.worded("errors.adjustments_unknown_supervisor", **at, supervisor=repr(r.supervisor_id))
        if r.period not in known_periods and later_periods and _after(r.period, known_periods):
            continue
        if r.period not in known_periods:
            raise DataError.worded("errors.adjustments_period_not_scored", **at, period=repr(r.period),
                                   periods=", ".join(known_periods))
        i = where.get((r.supervisor_id, r.period))
        if i is None or computed[i] == "":
            raise DataError.worded("errors.adjustments_unrated", **at, supervisor=r.supervisor_id, period=r.period)
        if computed[i] != r.from_rating:
            raise DataError.worded("errors.adjustments_from_differs", **at, given=r.from_rating,
                                   supervisor=r.supervisor_id, period=r.period, computed=computed[i])
        final[i] = r.to_rating
        reason[i], by[i], on[i] = r.reason, r.approved_by, r.approved_on
    at = list(out.columns).index("rating")
    out.insert(at, "rating_computed", computed)
    out["rating"] = final
    for k, (col, values) in enumerate((("adjustment_reason", reason), ("adjustment_approved_by", by),
                                       ("adjustment_approved_on", on)), start=1):
        out.insert(at + 1 + k, col, values)
    return out


def _after(period: str, scored: list[str]) -> bool:
    """True when ``period`` is a period id that starts after every scored period."""
    from perfmodel.core.errors import PeriodError
    from perfmodel.core.periods import parse_period

    try:
        start = parse_period(period).start
        return all(start > parse_period(p).start for p in scored)
    except PeriodError:
        return False


def quota_breaks(scores: pd.DataFrame, policy, supervisors: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """By how much the adjustments break the quotas of a forced distribution.

    Parameters
    ----------
    scores : pandas.DataFrame
        Adjusted scores of one period (``rating_computed`` and ``rating``).
    policy : Policy
    supervisors : pandas.DataFrame, optional
        ``supervisor_id`` and the policy's ``forced_by`` column (quotas by group).

    Returns
    -------
    pandas.DataFrame or None
        ``group`` (the quota group; ``all`` when the quotas apply to everyone), ``rating``,
        ``quota`` (supervisors the quota gave the label), ``final`` (after the adjustments),
        ``difference`` = final − quota; only the groups and labels where they differ.
        None when the policy has no forced distribution or the scores carry no adjustment.

    Examples
    --------
    Raising S4 from B to A leaves two A where the quota gave one, and one B where it gave two:

    >>> import perfmodel
    >>> from perfmodel.scoring.demo import demo_forced_scores
    >>> policy = perfmodel.load_policy("quality")  # quotas S 10 %, A 20 %, B 50 %, C 15 %, D 5 %
    >>> scores = demo_forced_scores()
    >>> import tempfile
    >>> from perfmodel.data.demo import demo_adjustments
    >>> path = demo_adjustments(tempfile.mkdtemp())  # S4 from B to A
    >>> quota_breaks(apply_adjustments(scores, path, policy), policy)
      group rating  quota  final  difference
    0   all      A      1      2           1
    1   all      B      2      1          -1
    >>> quota_breaks(scores, policy) is None  # no adjustment
    True
    """
    from perfmodel.scoring.scores import supervisor_groups

    if policy.forced_distribution is None or "rating_computed" not in scores:
        return None
    rated = scores[scores["rating_computed"].astype(str) != ""]
    if policy.forced_by:
        groups = supervisor_groups(rated["supervisor_id"], policy.forced_by, supervisors, rated).to_numpy()
    else:
        groups = ["all"] * len(rated)
    frame = pd.DataFrame({"group": groups, "quota": rated["rating_computed"].astype(str).to_numpy(),
                          "final": rated["rating"].astype(str).to_numpy()})
    rows = []
    for g in sorted(set(frame["group"])):
        part = frame[frame["group"] == g]
        for label in policy.ratings:
            q, f = int((part["quota"] == label).sum()), int((part["final"] == label).sum())
            if q != f:
                rows.append({"group": g, "rating": label, "quota": q, "final": f, "difference": f - q})
    return pd.DataFrame(rows, columns=BREAK_COLUMNS)
