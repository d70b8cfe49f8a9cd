"""Which single-column rules a Parquet column's stored type and statistics already guarantee.

A Parquet file records, per row group and column, the number of empty cells and the
smallest and largest value. When those bounds, over every row group, lie inside what a
rule allows, no cell of the column can break the rule, and the engine check
(:mod:`perfmodel.data.enginecheck`) leaves the rule out of its scan: a timestamp column
inside the plausible window needs no window test, a score column whose values lie in 1-5
no range test, a column without empty cells no "required" test. When a row group lacks
statistics, or the stored type does not carry the contract's meaning (text to parse,
floating-point numbers whose NaN the statistics leave out), the rule is checked cell by
cell as before. The row account does not come from here: the rows are counted by the scan.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["ColumnStats", "column_stats", "guaranteed"]

_INTEGER = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT", "UHUGEINT", "DECIMAL")
_FLOAT = ("FLOAT", "DOUBLE")
_NAIVE_TIME = ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE")


@dataclass(frozen=True)
class ColumnStats:
    """A column's statistics over every row group of a Parquet file.

    Attributes
    ----------
    nulls : int
        Empty cells.
    low, high : object or None
        The smallest and largest present value (None when every cell is empty).
    """

    nulls: int
    low: object = None
    high: object = None


def column_stats(path) -> dict[str, ColumnStats]:
    """The statistics of every top-level column of the Parquet file ``path`` that has them.

    Returns
    -------
    dict
        Stored column name -> :class:`ColumnStats`; a column is left out when one of its
        row groups has no null count, or present values without a minimum and maximum.

    Examples
    --------
    >>> import tempfile
    >>> import pyarrow as pa
    >>> import pyarrow.parquet as pq
    >>> path = Path(tempfile.mkdtemp()) / "t.parquet"
    >>> pq.write_table(pa.table({"score": [3, None, 5, 1]}), path, row_group_size=2)
    >>> column_stats(path)
    {'score': ColumnStats(nulls=1, low=1, high=5)}
    """
    import pyarrow.parquet as pq

    meta = pq.read_metadata(Path(path))
    out: dict[str, ColumnStats] = {}
    for i in range(meta.num_columns):
        name = meta.schema.column(i).path
        if "." in name:  # a nested column: not a table's cell
            continue
        nulls, low, high, known = 0, None, None, True
        for g in range(meta.num_row_groups):
            chunk = meta.row_group(g).column(i)
            stats = chunk.statistics
            if stats is None or not stats.has_null_count:
                known = False
                break
            nulls += stats.null_count
            if stats.null_count == chunk.num_values:
                continue  # every cell of the group empty: no bounds needed
            if not stats.has_min_max:
                known = False
                break
            low = stats.min if low is None else min(low, stats.min)
            high = stats.max if high is None else max(high, stats.max)
        if known:
            out[name] = ColumnStats(nulls, low, high)
    return out


def guaranteed(check: str, col, raw_type: str, stats: ColumnStats | None, *, plain: bool = False,
               bounds: tuple | None = None, span: tuple | None = None, limit: float | None = None) -> bool:
    """Whether no cell of a stored column can break the single-column rule ``check``.

    Parameters
    ----------
    check : str
        ``parse``, ``too_large``, ``window``, ``required`` or ``range`` (:mod:`perfmodel.data.rules`).
    col : perfmodel.data.schema.Column
        The contract's column.
    raw_type : str
        The stored column's DuckDB type.
    stats : ColumnStats or None
        Its statistics (None: unknown; only the type can then vouch).
    plain : bool
        A text column whose cells are used as stored (:mod:`perfmodel.data.rawscan`).
    bounds : (Timestamp, Timestamp or None), optional
        For ``window``: the first and last plausible instant (None: no upper end).
    span : (Timestamp, Timestamp), optional
        For ``parse`` of date-times: the instants the validator can hold.
    limit : float, optional
        For ``too_large``: the largest magnitude allowed.

    Returns
    -------
    bool
        True only when the type and the statistics leave no room for a broken cell.

    Examples
    --------
    >>> from perfmodel.data.schema import TABLES
    >>> overall = TABLES["surveys"].column("overall")
    >>> guaranteed("range", overall, "BIGINT", ColumnStats(0, 1, 5))
    True
    >>> guaranteed("range", overall, "BIGINT", ColumnStats(0, 0, 5))
    False
    >>> guaranteed("required", overall, "DOUBLE", ColumnStats(0, 1.0, 5.0))  # a NaN would be empty
    False
    """
    base = raw_type.split("(")[0].upper()
    low, high = (stats.low, stats.high) if stats is not None else (None, None)
    if check == "parse":
        if base == "VARCHAR":
            return col.kind in ("id", "text")
        if base == "BOOLEAN":
            return col.kind == "bool"
        if base in _INTEGER:
            return col.kind == "float"
        if base in _FLOAT:
            return col.kind == "float" and stats is not None and _finite(low, high)
        if base in _NAIVE_TIME and (col.kind == "timestamp" or (col.kind == "date" and base == "DATE")):
            return stats is not None and span is not None and _inside(low, high, span[0], span[1])
        return False
    if check == "too_large":
        return (base in _INTEGER + _FLOAT and stats is not None and limit is not None
                and _finite(low, high) and _inside(low, high, -limit, limit))
    if check == "window":
        return (base in _NAIVE_TIME and col.kind in ("timestamp", "date") and stats is not None
                and bounds is not None and _inside(low, high, bounds[0], bounds[1]))
    if check == "required":
        if stats is None or stats.nulls or col.open_end or base in _FLOAT:
            return False  # an empty cell, the "no end" sentinel, or a NaN read as empty
        return base != "VARCHAR" or plain
    if check == "range":
        return (base in _INTEGER + _FLOAT and col.kind == "float" and stats is not None
                and _finite(low, high) and _inside(low, high, col.min, col.max))
    return False


def _finite(low, high) -> bool:
    return all(v is None or math.isfinite(float(v)) for v in (low, high))


def _inside(low, high, first, last) -> bool:
    """``low`` and ``high`` lie in [first, last] (None bounds: open; no values: inside)."""
    if low is None and high is None:
        return True
    if low is None or high is None:
        return False
    dated = [hasattr(v, "year") for v in (low, high, first, last) if v is not None]
    if any(dated) and not all(dated):
        return False  # a date-time stored as a bare number (or the reverse): not comparable here
    if any(dated):
        low, high = pd.Timestamp(low), pd.Timestamp(high)
        if low.tzinfo is not None or high.tzinfo is not None:
            return False  # an instant with a zone: converted by the check, not comparable here
        first = None if first is None else pd.Timestamp(first)
        last = None if last is None else pd.Timestamp(last)
    try:
        return bool((first is None or low >= first) and (last is None or high <= last))
    except TypeError:
        return False
