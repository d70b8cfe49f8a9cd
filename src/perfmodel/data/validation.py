"""Row rules of the data contract: which rows of a table are used and which are quarantined.

One table is checked in four steps, all vectorised:

1. every cell is converted to its column's type (:func:`perfmodel.data.parsing.parse_column`);
   a cell that cannot be read breaks the row;
2. a pandera schema built from :mod:`perfmodel.data.schema` checks types, required values,
   ranges and the rules between columns of a row (``resolved_at`` not before
   ``created_at``, ``violations`` not above ``items_checked``), validated lazily so that
   every failure is reported with its row;
3. keys: every row whose key repeats an earlier row's key breaks the rule;
4. foreign keys: a value must be a key of the *validated* parent table, so a row whose
   parent was quarantined is quarantined too; then the rules between a row and its parent
   row (``responded_at`` of a survey not before ``created_at`` of its ticket), checked
   only for rows whose parent was found.

A row that breaks several rules is quarantined once, its reasons joined with ``"; "``.
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pandera
import pyarrow as pa
import pyarrow.compute as pc

from perfmodel.data.dataset import QUARANTINE_COLUMNS
from perfmodel.data.lookalike import lookalike_ids
from perfmodel.data.parsing import (
    EXPECTED, MAX_ABS, SPAN_TEXT, TEXT_DTYPE, beyond_span, date_fault, empty_column, open_end_cells,
    parse_column,
)
from perfmodel.data.plausible import ANCHOR, DateWindow, newest_anchor, outside
from perfmodel.data.schema import TABLES, Table

_DTYPES = {
    "id": TEXT_DTYPE, "text": TEXT_DTYPE, "period": TEXT_DTYPE, "timestamp": "datetime64[ns]",
    "date": "datetime64[ns]", "bool": "boolean", "float": "float64",
}


@lru_cache(maxsize=None)
def pandera_schema(name: str) -> pandera.DataFrameSchema:
    """The pandera schema of table ``name`` (types, required values, ranges, row rules).

    Returns
    -------
    pandera.DataFrameSchema
        Column checks are named ``in_range``/``greater_than_or_equal_to``/
        ``less_than_or_equal_to``; row rules are named ``order:<earlier>:<later>`` and
        ``not_above:<column>:<limit>``.

    Examples
    --------
    >>> schema = pandera_schema("surveys")
    >>> list(schema.columns)
    ['ticket_id', 'responded_at', 'overall', 'attitude', 'resolution', 'speed']
    >>> [check.name for check in schema.columns["overall"].checks]
    ['in_range']
    >>> [check.name for check in pandera_schema("tickets").checks]
    ['order:created_at:first_response_at', 'order:created_at:resolved_at', 'order:created_at:due_at']
    """
    table = TABLES[name]
    columns = {}
    for col in table.columns:
        checks = []
        if col.min is not None and col.max is not None:
            checks.append(pandera.Check.in_range(col.min, col.max))
        elif col.min is not None:
            checks.append(pandera.Check.ge(col.min))
        elif col.max is not None:
            checks.append(pandera.Check.le(col.max))
        columns[col.name] = pandera.Column(_DTYPES[col.kind], checks=checks, nullable=not col.required)
    rules = [
        pandera.Check(_not_before(earlier, later), name=f"order:{earlier}:{later}", ignore_na=False)
        for earlier, later in table.order
    ]
    rules += [
        pandera.Check(_not_above(col, limit), name=f"not_above:{col}:{limit}", ignore_na=False)
        for col, limit in getattr(table, "not_above", ())
    ]
    return pandera.DataFrameSchema(columns, checks=rules, strict=False, coerce=False)


def _not_before(earlier: str, later: str):
    def check(frame: pd.DataFrame) -> pd.Series:
        return ~(frame[later] < frame[earlier])  # NaT compares False: missing is fine
    return check


def _not_above(col: str, limit: str):
    def check(frame: pd.DataFrame) -> pd.Series:
        return ~(frame[col] > frame[limit])
    return check


class _Problems:
    """Collects (row position, column, reason) for the rows that break a rule."""

    def __init__(self):
        self.parts: list[pd.DataFrame] = []
        self.step = 0

    def add(self, positions, column: str, reasons, code: str, params) -> None:
        """Record rows breaking one rule: English ``reasons``, the rule's ``code`` and, per row
        (or one for all), its ``params`` (a dict, stored as JSON)."""
        positions = np.asarray(positions, dtype=np.int64)
        if len(positions):
            self.step += 1
            if isinstance(params, dict):
                params = [params] * len(positions)
            self.parts.append(pd.DataFrame({
                "pos": positions, "step": self.step, "column": column,
                "reason": np.asarray(reasons, dtype=object) if not isinstance(reasons, str) else reasons,
                "reason_code": code,
                "reason_params": np.asarray([_json(p) for p in params], dtype=object),
            }))

    def positions(self) -> np.ndarray:
        if not self.parts:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate([p["pos"].to_numpy() for p in self.parts]))

    def by_row(self) -> pd.DataFrame:
        """One row per position: ``pos``, ``column``, ``reason`` (joined with "; ")."""
        if not self.parts:
            return pd.DataFrame({"pos": pd.Series([], dtype=np.int64), "column": [], "reason": [],
                                 "reason_code": [], "reason_params": []})
        all_ = pd.concat(self.parts, ignore_index=True).sort_values(["pos", "step"], kind="stable")
        all_ = all_.drop_duplicates(["pos", "column", "reason"])
        several = all_["pos"].duplicated(keep=False).to_numpy()
        # most bad rows break one rule: only rows with several reasons need joining
        single = all_.loc[~several, ["pos", "column", "reason", "reason_code", "reason_params"]].copy()
        single["reason_params"] = "[" + single["reason_params"] + "]"
        grouped = all_[several].groupby("pos", sort=True)
        joined = pd.DataFrame({
            "column": grouped["column"].agg(lambda s: "; ".join(dict.fromkeys(s))),
            "reason": grouped["reason"].agg("; ".join),
            "reason_code": grouped["reason_code"].agg("; ".join),
            "reason_params": grouped["reason_params"].agg(lambda s: "[" + ", ".join(s) + "]"),
        }).reset_index()
        out = pd.concat([single, joined], ignore_index=True) if len(joined) else single
        return out.sort_values("pos", kind="stable").reset_index(drop=True)


def _json(params: dict) -> str:
    """Reason parameters as compact, deterministic JSON (cell values as text)."""
    return json.dumps({k: _plain(v) for k, v in params.items()}, ensure_ascii=False, sort_keys=True)


def _plain(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    return str(value)


def _cell(value) -> str:
    """A cell as reason parameters quote it: the text :func:`_show` shows, without quotes."""
    if isinstance(value, pd.Timestamp):  # shown without quotes
        return value.isoformat(sep=" ")
    shown = _show(value)
    return "" if shown == "(empty)" else shown[1:-1]


def _show(value) -> str:
    """A cell value as a reason quotes it."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "(empty)"
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if len(text) > 60:  # the full cell is in the record; keep reasons one readable line
        text = text[:57] + "..."
    return "'" + text.replace("\n", " ").replace("\r", " ") + "'"


def validate_table(table: Table, raw: pd.DataFrame, rows: np.ndarray, file: str,
                   parents: dict[str, pd.DataFrame], timezone: str, *, excel: bool = False,
                   window: DateWindow | None = None, newest: pd.Timestamp | None = None):
    """Check one table's rows against the contract.

    Parameters
    ----------
    table : schema.Table
    raw : pandas.DataFrame
        The cells as read (RangeIndex); must hold every required column.
    rows : numpy.ndarray
        The 1-based file row number of each raw row.
    file : str
        The file as messages name it.
    parents : dict[str, pandas.DataFrame]
        Already validated tables that foreign keys point at.
    timezone : str
        Zone for timestamps written with an offset.
    excel : bool
        The cells come from an Excel sheet (numbers in date columns are date serials).
    window : plausible.DateWindow, optional
        Dates outside it break the row (None: no window).
    newest : pandas.Timestamp, optional
        The newest ticket ``created_at``, the anchor of the window's upper end; for the
        tickets table itself it is taken from the rows and left in the clean table's
        ``attrs["plausible_newest"]``.

    Returns
    -------
    clean : pandas.DataFrame
        The rows that pass, the contract's columns in contract order, typed, RangeIndex.
    quarantine : pandas.DataFrame
        Columns ``table``, ``file``, ``row``, ``column``, ``reason``, ``record``.

    Examples
    --------
    T2 is resolved before it was created, the second T1 repeats row 2, and T4 names an unknown
    supervisor: one ticket is used, three are quarantined (rows as the file numbers them):

    >>> from perfmodel.data.schema import TABLES
    >>> supervisors, _ = validate_table(TABLES["supervisors"],
    ...                                 pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
    ...                                 np.array([2]), "supervisors.csv", {}, "Asia/Shanghai")
    >>> raw = pd.DataFrame({"ticket_id": ["T1", "T2", "T1", "T4"],
    ...                     "supervisor_id": ["S1", "S1", "S1", "S9"],
    ...                     "created_at": ["2026-07-02 09:00", "2026-07-03 10:00", "2026-07-04",
    ...                                    "2026-07-05"],
    ...                     "resolved_at": ["2026-07-02 15:30", "2026-07-01 08:00", None, None]})
    >>> clean, quarantine = validate_table(TABLES["tickets"], raw, np.array([2, 3, 4, 5]),
    ...                                    "tickets.csv", {"supervisors": supervisors},
    ...                                    "Asia/Shanghai")
    >>> clean[["ticket_id", "created_at", "resolved_at"]]
      ticket_id          created_at         resolved_at
    0        T1 2026-07-02 09:00:00 2026-07-02 15:30:00
    >>> print(quarantine[["row", "column", "reason_code", "reason"]].to_string(index=False))
     row        column   reason_code                                                                   reason
       3   resolved_at        before resolved_at 2026-07-01 08:00:00 is before created_at 2026-07-03 10:00:00
       4     ticket_id     duplicate                                          ticket_id 'T1' duplicates row 2
       5 supervisor_id not_in_parent                                    supervisor_id 'S9' not in supervisors
    """
    n = len(raw)
    problems = _Problems()
    typed = {}
    for col in table.columns:
        if col.name not in raw.columns:
            typed[col.name] = empty_column(col.kind, n)
            continue
        cells = raw[col.name]
        if col.open_end:  # 9999-12-31 means "no end yet": empty, not a date to check
            sentinel = open_end_cells(cells, excel=excel)
            if sentinel.any():
                cells = cells.reset_index(drop=True).astype(object).where(~sentinel, None)
        values, bad = parse_column(cells, col.kind, timezone, excel=excel)
        if bad.any():
            pos = np.flatnonzero(bad)
            cells = raw[col.name].iloc[pos]
            reasons, codes, params = _unreadable(col, cells)
            for code in dict.fromkeys(codes):  # one rule per call: unreadable, or a date field out of range
                mine = [i for i, c in enumerate(codes) if c == code]
                problems.add(pos[mine], col.name, [reasons[i] for i in mine], code, [params[i] for i in mine])
        if col.kind == "float":
            with np.errstate(invalid="ignore"):
                huge = np.abs(values.to_numpy()) > MAX_ABS
            if huge.any():  # 1e308 reads as a number but is no plausible cost or count
                pos = np.flatnonzero(huge)
                cells = raw[col.name].iloc[pos]
                texts, params = zip(*(too_large_reason(col.name, v) for v in cells))
                problems.add(pos, col.name, list(texts), "too_large", list(params))
                values = values.where(~huge, np.nan)
        if col.kind == "id":
            values = _lookalike_problems(col.name, values, raw, problems)
        typed[col.name] = values
    if window is not None:
        newest = _window_problems(table, typed, raw, window, newest, problems)
    frame = pd.DataFrame(typed, copy=False)
    # cells already reported as unreadable are missing now; do not report them as empty too
    unreadable = {}
    for part in problems.parts:
        column = part["column"].iloc[0]
        unreadable[column] = np.union1d(unreadable.get(column, np.empty(0, np.int64)), part["pos"].to_numpy())

    _pandera_problems(table, frame, raw, problems, unreadable)
    _key_problems(table, frame, raw, rows, problems)
    _foreign_problems(table, frame, parents, problems)

    bad_rows = problems.by_row()
    if len(bad_rows):
        keep = np.ones(n, dtype=bool)
        keep[bad_rows["pos"].to_numpy()] = False
        clean = frame[keep].reset_index(drop=True)
    else:
        clean = frame
    if window is not None and table.name == ANCHOR[0]:
        clean.attrs["plausible_newest"] = newest  # the loader bounds later tables with it
    quarantine = pd.DataFrame({
        "table": table.name,
        "file": file,
        "row": rows[bad_rows["pos"].to_numpy()].astype(np.int64),
        "column": bad_rows["column"].to_numpy(),
        "reason": bad_rows["reason"].to_numpy(),
        "record": _records(raw, bad_rows["pos"].to_numpy()),
        "reason_code": bad_rows["reason_code"].to_numpy(),
        "reason_params": bad_rows["reason_params"].to_numpy(),
    }, columns=QUARANTINE_COLUMNS)
    return clean, quarantine


def _lookalike_problems(name: str, values: pd.Series, raw: pd.DataFrame, problems: _Problems):
    """Quarantine ids that only look like others (:mod:`perfmodel.data.lookalike`); they are then missing."""
    bad, normals = lookalike_ids(values)
    if not bad.any():
        return values
    pos = np.flatnonzero(bad)
    shown = list(zip(values.iloc[pos], normals))
    texts, params = zip(*(lookalike_reason(name, v, n) for v, n in shown))
    problems.add(pos, name, list(texts), "lookalike", list(params))
    return values.where(~bad)


def _show_id(value: str) -> str:
    """An id with its invisible characters spelled out (``'S001\\u200b'``)."""
    import unicodedata

    shown = "".join(ch if unicodedata.category(ch) not in ("Cf", "Cc") else f"\\u{ord(ch):04x}"
                    for ch in str(value))
    return _show(shown)


def _window_problems(table: Table, typed: dict, raw: pd.DataFrame, window: DateWindow,
                     newest, problems: _Problems):
    """Quarantine dates outside the plausibility window; they are then missing in ``typed``.

    Returns the anchor of the window's upper end (taken from the rows for the tickets).
    """
    if table.name == ANCHOR[0]:
        newest = newest_anchor(window, typed[ANCHOR[1]])
    for col in table.columns:
        if col.kind not in ("date", "timestamp"):
            continue
        values = typed[col.name]
        bad, shown = outside(values, col.name, window, newest)
        if not bad.any():
            continue
        pos = np.flatnonzero(bad)
        texts, params = zip(*(window_reason(col.name, v, shown) for v in values.iloc[pos]))
        problems.add(pos, col.name, list(texts), "implausible_date", list(params))
        typed[col.name] = values.where(~bad)
    return newest


def _unreadable(col, cells) -> tuple[list[str], list[str], list[dict]]:
    """Reasons, codes and parameters for cells of ``col`` that cannot be read.

    A date or timestamp written in an accepted form but with an impossible field
    (``2026/13/45``) is named by that field (code ``date_field``); a valid one beyond the
    span of ``datetime64[ns]`` (``2300-01-01``) is ``date_span``; any other cell is
    ``unreadable`` with the form expected.
    """
    reasons, codes, params = [], [], []
    for v in cells:
        fault = date_fault(v) if col.kind in ("date", "timestamp") else None
        if fault is None and col.kind in ("date", "timestamp") and beyond_span(v):
            first, last = SPAN_TEXT
            reasons.append(f"{col.name}: {_show(v)} lies outside the dates perfmodel can hold "
                           f"({first} to {last}); correct the year in the source")
            codes.append("date_span")
            params.append({"column": col.name, "value": _cell(v), "first": first, "last": last})
            continue
        if fault is None:
            reasons.append(f"{col.name}: cannot read {_show(v)} as {EXPECTED[col.kind]}")
            codes.append("unreadable")
            params.append({"column": col.name, "value": _cell(v), "kind": col.kind})
            continue
        field, p = fault
        allowed = f"{p['low']}..{p['high']}" + (f", {p['month']} has {p['high']} days" if "month" in p else "")
        reasons.append(f"{col.name}: {_show(v)} is not a valid date: {field} {p['value']} is out of range "
                       f"({allowed})")
        codes.append("date_field")
        params.append({"column": col.name, "value": _cell(v), "field": field, **{
            k: p[k] for k in ("low", "high", "month") if k in p}, "number": p["value"]})
    return reasons, codes, params


def _pandera_problems(table, frame, raw, problems: _Problems, unreadable) -> None:
    try:
        with warnings.catch_warnings():
            # pandera's own report building triggers a pandas deprecation notice
            warnings.simplefilter("ignore", FutureWarning)
            pandera_schema(table.name).validate(frame, lazy=True, inplace=True)  # no copy
        return
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    finally:
        _forget_pandera(frame)
    cases = cases[cases["index"].notna()].copy()
    cases["index"] = cases["index"].astype(np.int64)
    for check, group in cases.groupby("check", sort=False, dropna=False):
        check = str(check)
        if check.startswith(("order:", "not_above:")):
            rule, first, second = check.split(":")
            pos = np.unique(group["index"].to_numpy())
            a, b = frame[first].iloc[pos], frame[second].iloc[pos]
            if rule == "order":
                texts, params = zip(*(before_reason(first, second, x, y) for x, y in zip(a, b)))
                problems.add(pos, second, list(texts), "before", list(params))
            else:
                texts, params = zip(*(above_reason(first, second, x, y) for x, y in zip(a, b)))
                problems.add(pos, first, list(texts), "above", list(params))
            continue
        for column, cells in group.groupby("column", sort=False):
            pos = np.setdiff1d(cells["index"].to_numpy(), unreadable.get(column, []))
            if not len(pos):
                continue
            col = table.column(column)
            if check == "not_nullable":
                text, params = required_reason(column)
                problems.add(pos, column, text, "required_empty", params)
            elif check.startswith(("in_range", "greater_than", "less_than")):
                shown = raw[column].iloc[pos] if column in raw.columns else frame[column].iloc[pos]
                texts, params = zip(*(range_reason(col, v) for v in shown))
                problems.add(pos, column, list(texts), "out_of_range", list(params))
            else:  # a dtype failure means the value was not converted; report it plainly
                shown = frame[column].iloc[pos]
                problems.add(pos, column, [f"{column}: {_show(v)} is not {EXPECTED[col.kind]}" for v in shown],
                             "unreadable", [{"column": column, "value": _cell(v), "kind": col.kind} for v in shown])


def _forget_pandera(frame: pd.DataFrame) -> None:
    """Drop the ``.pandera`` accessors that validation leaves on the frame and its columns.

    Each accessor refers back to its object, a reference cycle that keeps a validated table
    (and every column cut from it) in memory after the last use until the garbage collector
    happens to run: gigabytes on ten million tickets while the indicators are computed.
    """
    frame.__dict__.pop("pandera", None)
    cache = frame.__dict__.get("_item_cache")
    if cache:
        for series in cache.values():
            series.__dict__.pop("pandera", None)
        cache.clear()


def _bounds(col) -> str:
    def num(x):
        return f"{int(x)}" if float(x).is_integer() else f"{x}"
    if col.min is not None and col.max is not None:
        return f"the range {num(col.min)}..{num(col.max)}"
    if col.min is not None:
        return f"the range >= {num(col.min)}"
    return f"the range <= {num(col.max)}"


def _key_problems(table: Table, frame: pd.DataFrame, raw: pd.DataFrame, rows: np.ndarray,
                  problems: _Problems) -> None:
    if not table.key:
        return
    keys = frame[list(table.key)]
    complete = keys.notna().all(axis=1).to_numpy()
    suspects = _possible_duplicates(raw, table.key, complete)
    if suspects is None:
        suspects = complete
    elif not suspects.any():
        return
    # only rows that may share a key are compared exactly (all of them, when unknown)
    positions = np.flatnonzero(suspects)
    subset = keys.iloc[positions]
    # one key column: Series.duplicated skips the per-column factorising DataFrame does
    found = (subset.iloc[:, 0].duplicated(keep="first") if len(table.key) == 1
             else subset.duplicated(keep="first")).to_numpy()
    dup = np.zeros(len(keys), dtype=bool)
    dup[positions[found]] = True
    if not dup.any():
        return
    firsts = keys[complete & ~dup].assign(_first=rows[complete & ~dup])
    later = keys[dup].assign(_pos=np.flatnonzero(dup))
    matched = later.merge(firsts, on=list(table.key), how="left")
    label = "+".join(table.key)
    texts, params = zip(*(duplicate_reason(table.key, key, first) for key, first in
                          zip(matched[list(table.key)].itertuples(index=False), matched["_first"])))
    problems.add(matched["_pos"].to_numpy(), label, list(texts), "duplicate", list(params))


def _possible_duplicates(raw: pd.DataFrame, key: tuple[str, ...], complete: np.ndarray):
    """Rows whose single text key shares a hash with another row's, or None if not applicable.

    Hashing the UTF-8 bytes with numpy and sorting the hashes takes about a second for ten
    million ids, where hashing ten million Python strings takes many; the rows found are
    then compared exactly, so a hash collision costs time, never a wrong answer.
    """
    if len(key) != 1 or key[0] not in raw.columns:
        return None
    dtype = raw[key[0]].dtype
    if not (isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype)):
        return None
    # in slices: hashing works on per-byte arrays eight times the size of the text
    hashes = np.concatenate([_text_hashes(chunk.slice(start, _HASH_SLICE))
                             for chunk in raw[key[0]].array._pa_array.chunks
                             for start in range(0, len(chunk), _HASH_SLICE)]
                            or [np.empty(0, dtype=np.uint64)])
    present = hashes[complete]
    ordered = np.sort(present, kind="stable")  # radix sort for integers
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated):
        return np.zeros(len(hashes), dtype=bool)
    return complete & np.isin(hashes, repeated)


_HASH_SLICE = 1 << 20
_HASH_BASE = np.uint64(0x100000001B3)  # FNV prime
_HASH_LENGTH = np.uint64(0x9E3779B97F4A7C15)


def _text_hashes(chunk: pa.Array) -> np.ndarray:
    """A 64-bit polynomial hash of each string's UTF-8 bytes (vectorised)."""
    n = len(chunk)
    _, offsets, data = chunk.buffers()
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(offsets, dtype=width)[chunk.offset: chunk.offset + n + 1].astype(np.int64)
    lengths = np.diff(offsets)
    out = lengths.astype(np.uint64) * _HASH_LENGTH
    if data is None or offsets[-1] == offsets[0]:
        return out
    data = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]]
    starts = offsets[:-1] - offsets[0]
    within = np.arange(len(data), dtype=np.int64) - np.repeat(starts, lengths)
    powers = np.cumprod(np.full(int(lengths.max()), _HASH_BASE, dtype=np.uint64))
    with np.errstate(over="ignore"):
        terms = data.astype(np.uint64) * powers[within]
        filled = lengths > 0
        out[filled] += np.add.reduceat(terms, starts[filled])
    return out


def _foreign_problems(table: Table, frame: pd.DataFrame, parents, problems: _Problems) -> None:
    for column, parent_name in table.foreign.items():
        parent = parents.get(parent_name)
        parent_key = TABLES[parent_name].key[0]
        values = frame[column]
        rules = [(mine, theirs) for fk, theirs, mine in table.after_parent if fk == column]
        if parent is None:
            bad = values.notna().to_numpy()
            found = None
        else:
            found = _parent_rows(values, parent[parent_key])
            bad = values.notna().to_numpy() & (found < 0)
        if bad.any():
            pos = np.flatnonzero(bad)
            texts, params = zip(*(parent_reason(column, v, parent_name, parent is not None)
                                  for v in values.iloc[pos]))
            problems.add(pos, column, list(texts), "not_in_parent" if parent is not None else "no_parent_table",
                         list(params))
        if found is not None and rules:
            _after_parent_problems(frame, parent, parent_name, found, rules, problems)


def _after_parent_problems(frame: pd.DataFrame, parent: pd.DataFrame, parent_name: str,
                           found: np.ndarray, rules, problems: _Problems) -> None:
    """Rows whose timestamp precedes a timestamp of their parent row (``Table.after_parent``).

    Only rows whose parent was found are compared (the others broke the foreign key);
    a missing value on either side compares as fine, as in the rules within a row.
    """
    pos = np.flatnonzero(found >= 0)
    if not len(pos):
        return
    rows = found[pos]
    for mine, theirs in rules:
        own = frame[mine].to_numpy()[pos]
        other = parent[theirs].to_numpy()[rows]
        early = own < other  # NaT compares False: missing is fine
        if not early.any():
            continue
        shown_other, shown_own = _show_times(other[early]), _show_times(own[early])
        texts, params = zip(*(before_parent_reason(mine, parent_name, theirs, x, y)
                              for x, y in zip(shown_other, shown_own)))
        problems.add(pos[early], mine, list(texts), "before_parent", list(params))


def _show_times(values: np.ndarray) -> list[str]:
    """Timestamps (none missing) as :func:`_show` quotes them, without a Python object each.

    A whole export read with the wrong time zone can put millions of rows before their
    tickets; formatting their reasons one ``pandas.Timestamp`` at a time would take
    seconds per million.
    """
    values = np.asarray(values).astype("datetime64[ns]", copy=False)
    seconds = values.astype("datetime64[s]")
    if not (seconds == values).all():  # fractions of a second: as pandas writes them
        return [_show(pd.Timestamp(v)) for v in values]
    return [f"{t[:10]} {t[11:]}" for t in np.datetime_as_string(seconds, unit="s").tolist()]


def _arrow_text(series: pd.Series):
    """The Arrow array behind a TEXT_DTYPE column, else None."""
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        return series.array._pa_array  # noqa: SLF001 - zero-copy access to the Arrow data
    return None


def _isin(values: pd.Series, known: pd.Series) -> np.ndarray:
    """Whether each value is one of ``known`` (see :func:`_parent_rows`)."""
    return _parent_rows(values, known) >= 0


def _parent_rows(values: pd.Series, known: pd.Series) -> np.ndarray:
    """The position in ``known`` of each value, ``-1`` where it is absent or missing.

    ``known`` holds the keys of a validated parent table, so each is there once (if one
    repeats, its first position is given). For text columns Arrow does the lookup:
    pandas on Arrow-backed text turns the lookup values into Python objects first, which
    for ten million ticket ids costs minutes and gigabytes.

    Returns
    -------
    numpy.ndarray
        int64, one per value.
    """
    arr, keys = _arrow_text(values), _arrow_text(known)
    if arr is None or keys is None:
        return _parent_rows_pandas(values, known)
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    keys = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
    keys = keys.cast(arr.type) if keys.type != arr.type else keys
    if len(keys) < _HASH_LOOKUP:
        return _index_in(arr, keys)
    # Many keys (ten million tickets): Arrow's hash set of them takes about a gigabyte.
    # Sorted 64-bit hashes take 24 bytes a key; a value whose hash is found is then
    # compared with that key exactly, so a collision costs time, never a wrong answer.
    key_hashes = _hashes(keys)
    order = np.argsort(key_hashes, kind="stable")  # a radix sort for integers: the fastest
    key_hashes = key_hashes[order]
    value_hashes = _hashes(arr)
    # looking up sorted values walks the keys once (unsorted: a cache miss each, 6x slower)
    value_order = np.argsort(value_hashes, kind="stable")
    pos = np.empty(len(value_hashes), dtype=np.int64)
    pos[value_order] = np.searchsorted(key_hashes, value_hashes[value_order])
    del value_order
    pos = np.minimum(pos, len(key_hashes) - 1)
    matched = key_hashes[pos] == value_hashes
    del key_hashes, value_hashes
    present = arr.is_valid().to_numpy(zero_copy_only=False)
    candidates = np.flatnonzero(present & matched)
    found = np.full(len(arr), -1, dtype=np.int64)
    if len(candidates):
        rows = order[pos[candidates]]
        same = pc.equal(arr.take(candidates), keys.take(rows))
        same = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
        found[candidates[same]] = rows[same]
        other = candidates[~same]  # a hash shared by different texts: look those up exactly
        if len(other):
            found[other] = _index_in(arr.take(other), keys)
    return found


def _index_in(arr: pa.Array, keys: pa.Array) -> np.ndarray:
    """Arrow's hash lookup: the position of each value in ``keys``, -1 when absent or null."""
    at = pc.index_in(arr, value_set=keys, skip_nulls=True)
    return pc.fill_null(at, -1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def _parent_rows_pandas(values: pd.Series, known: pd.Series) -> np.ndarray:
    index = pd.Index(known)
    first = None
    if not index.is_unique:
        first = np.flatnonzero(~index.duplicated(keep="first"))
        index = index[first]
    at = index.get_indexer(values).astype(np.int64, copy=False)
    at[values.isna().to_numpy()] = -1
    if first is not None:
        at = np.where(at >= 0, first[np.maximum(at, 0)], -1)
    return at


_HASH_LOOKUP = 200_000


def _hashes(arr: pa.Array) -> np.ndarray:
    """:func:`_text_hashes` of a whole array, computed in slices."""
    return np.concatenate([_text_hashes(arr.slice(start, _HASH_SLICE))
                           for start in range(0, len(arr), _HASH_SLICE)] or [np.empty(0, dtype=np.uint64)])


def _records(raw: pd.DataFrame, positions: np.ndarray) -> list[str]:
    """The raw cells of the given rows as JSON objects (Chinese kept readable).

    Made a slice of rows at a time: a whole export quarantined at once (read with the
    wrong time zone, say) would otherwise hold a Python dict per row, gigabytes for a
    few million rows, next to the strings kept.
    """
    out: list[str] = []
    for start in range(0, len(positions), _RECORD_SLICE):
        out.extend(_record_slice(raw, positions[start:start + _RECORD_SLICE]))
    return out


_RECORD_SLICE = 50_000


def _record_slice(raw: pd.DataFrame, positions: np.ndarray) -> list[str]:
    if not len(positions):
        return []
    subset = raw.iloc[positions]
    columns = [_cut_cells(_json_cells(subset[name])) for name in subset.columns]
    names = [str(name) for name in subset.columns]
    return [json.dumps(dict(zip(names, cells)), ensure_ascii=False, default=str) for cells in zip(*columns)]


#: A quarantined cell longer than this is cut in its record, its original length stated.
RECORD_CELL_MAX = 1000


def _cut_cells(cells: list) -> list:
    """Text cells longer than :data:`RECORD_CELL_MAX` cut, stating their original length.

    A 30 MB cell (a pasted log, a bomb) would otherwise be copied whole into the
    quarantine file and into every page that lists it.
    """
    for i, v in enumerate(cells):
        if isinstance(v, str) and len(v) > RECORD_CELL_MAX:
            cells[i] = f"{v[:RECORD_CELL_MAX]}... [cut: {len(v):,} characters in all]"
    return cells


def _json_cells(series: pd.Series) -> list:
    """The cells of one column as JSON-ready Python values (missing -> None).

    Whole columns are converted at once where the type allows (text, floats, timestamps
    in whole seconds); anything else goes cell by cell through :func:`_json_value`.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype):
        return series.array._pa_array.to_pylist()  # noqa: SLF001 - text cells, None when missing
    if dtype == np.float64:
        values = series.to_numpy()
        cells = values.astype(object)
        cells[np.isnan(values)] = None
        return cells.tolist()
    if isinstance(dtype, np.dtype) and dtype.kind == "M":  # naive, any unit
        values = series.to_numpy()
        missing = np.isnat(values)
        seconds = values.astype("datetime64[s]")
        if (seconds[~missing] == values[~missing]).all():  # isoformat of whole seconds
            cells = np.datetime_as_string(seconds, unit="s").astype(object)
            cells[missing] = None
            return cells.tolist()
    return [_json_value(v) for v in series.astype(object)]


def _json_value(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


# --------------------------------------------------------------------------- reasons
# Each rule's English reason and its parameters, made in one place for the pandas
# validator above and the engine validator (perfmodel.data.enginecheck). Values are cells as
# read (``raw``) or typed values, as each rule names them.

def too_large_reason(column: str, value) -> tuple[str, dict]:
    """Reason and parameters of code ``too_large`` (the raw cell ``value``).

    Examples
    --------
    >>> too_large_reason("cost", "1e400")
    ("cost: '1e400' is too large (more than 1e+15)", {'column': 'cost', 'value': '1e400', 'limit': '1e+15'})
    """
    return (f"{column}: {_show(value)} is too large (more than {MAX_ABS:g})",
            {"column": column, "value": _cell(value), "limit": f"{MAX_ABS:g}"})


def lookalike_reason(column: str, value: str, normal: str) -> tuple[str, dict]:
    """Reason and parameters of code ``lookalike``: ``value`` imitates ``normal``.

    Examples
    --------
    >>> reason, params = lookalike_reason("supervisor_id", "Ｓ001", "S001")
    >>> print(reason)
    supervisor_id: 'Ｓ001' only looks like 'S001' (full-width or invisible characters); retype it as 'S001'
    >>> params
    {'column': 'supervisor_id', 'value': 'Ｓ001', 'normal': 'S001'}
    """
    return (f"{column}: {_show_id(value)} only looks like {_show(normal)} (full-width or invisible "
            f"characters); retype it as {_show(normal)}",
            {"column": column, "value": _show_id(value)[1:-1], "normal": _cell(normal)})


def window_reason(column: str, value, shown: str) -> tuple[str, dict]:
    """Reason and parameters of code ``implausible_date`` (``shown``: the window as text).

    Examples
    --------
    >>> reason, params = window_reason("created_at", "1900-01-01", "2000-01-01..2027-06-30")
    >>> print(reason)
    created_at: '1900-01-01' is outside the plausible window 2000-01-01..2027-06-30 (a typo? see data/README.md)
    >>> params
    {'column': 'created_at', 'value': '1900-01-01', 'window': '2000-01-01..2027-06-30'}
    """
    return (f"{column}: {_show(value)} is outside the plausible window {shown} (a typo? see data/README.md)",
            {"column": column, "value": _cell(value), "window": shown})


def required_reason(column: str) -> tuple[str, dict]:
    """Reason and parameters of code ``required_empty``.

    Examples
    --------
    >>> required_reason("created_at")
    ('created_at: required value is empty', {'column': 'created_at'})
    """
    return f"{column}: required value is empty", {"column": column}


def range_reason(col, value) -> tuple[str, dict]:
    """Reason and parameters of code ``out_of_range`` (``col``: a schema Column).

    Examples
    --------
    >>> from perfmodel.data.schema import TABLES
    >>> overall = next(c for c in TABLES["surveys"].columns if c.name == "overall")
    >>> range_reason(overall, "7")
    ("overall: '7' is outside the range 1..5", {'column': 'overall', 'value': '7', 'min': 1, 'max': 5})
    """
    return (f"{col.name}: {_show(value)} is outside {_bounds(col)}",
            {"column": col.name, "value": _cell(value), "min": col.min, "max": col.max})


def before_reason(first: str, second: str, x, y) -> tuple[str, dict]:
    """Reason and parameters of code ``before``: ``second`` (``y``) precedes ``first`` (``x``).

    Examples
    --------
    >>> reason, params = before_reason("created_at", "resolved_at", "2026-07-03 10:00", "2026-07-01 08:00")
    >>> print(reason)
    resolved_at '2026-07-01 08:00' is before created_at '2026-07-03 10:00'
    >>> params["column"], params["other"]
    ('resolved_at', 'created_at')
    """
    return (f"{second} {_show(y)} is before {first} {_show(x)}",
            {"column": second, "value": _cell(y), "other": first, "other_value": _cell(x)})


def above_reason(first: str, second: str, x, y) -> tuple[str, dict]:
    """Reason and parameters of code ``above``: ``first`` (``x``) exceeds ``second`` (``y``).

    Examples
    --------
    >>> above_reason("violations", "items_checked", 12, 10)
    ("violations '12' is above items_checked '10'", {'column': 'violations', 'value': '12', 'other': 'items_checked', 'other_value': '10'})
    """
    return (f"{first} {_show(x)} is above {second} {_show(y)}",
            {"column": first, "value": _cell(x), "other": second, "other_value": _cell(y)})


def duplicate_reason(key: tuple, values, first) -> tuple[str, dict]:
    """Reason and parameters of code ``duplicate``: the key ``values`` repeat row ``first``.

    Examples
    --------
    >>> duplicate_reason(("ticket_id",), ["T1"], 2)
    ("ticket_id 'T1' duplicates row 2", {'column': 'ticket_id', 'value': 'T1', 'first_row': 2})
    >>> duplicate_reason(("supervisor_id", "period"), ["S1", "2026Q3"], 2)[0]
    "supervisor_id+period 'S1'+'2026Q3' duplicates row 2"
    """
    label = "+".join(key)
    return (f"{label} {'+'.join(_show(v) for v in values)} duplicates row {first}",
            {"column": label, "value": "+".join(_cell(v) for v in values), "first_row": first})


def parent_reason(column: str, value, parent: str, present: bool = True) -> tuple[str, dict]:
    """Reason and parameters of codes ``not_in_parent`` / ``no_parent_table`` (not ``present``).

    Examples
    --------
    >>> parent_reason("supervisor_id", "S9", "supervisors")
    ("supervisor_id 'S9' not in supervisors", {'column': 'supervisor_id', 'value': 'S9', 'parent': 'supervisors'})
    >>> parent_reason("ticket_id", "T1", "tickets", present=False)[0]
    "ticket_id 'T1' not in tickets (there is no tickets table)"
    """
    suffix = "" if present else f" (there is no {parent} table)"
    return (f"{column} {_show(value)} not in {parent}{suffix}",
            {"column": column, "value": _cell(value), "parent": parent})


def before_parent_reason(column: str, parent: str, other: str, shown_other: str,
                         shown_own: str) -> tuple[str, dict]:
    """Reason and parameters of code ``before_parent`` (times as :func:`_show_times` gives them).

    Examples
    --------
    >>> reason, params = before_parent_reason("responded_at", "tickets", "created_at",
    ...                                       "'2026-07-02 09:00:00'", "'2026-07-01 12:00:00'")
    >>> print(reason)
    responded_at '2026-07-01 12:00:00' is before its ticket's created_at '2026-07-02 09:00:00'
    >>> params
    {'column': 'responded_at', 'value': '2026-07-01 12:00:00', 'parent': 'tickets', 'other': 'created_at', 'other_value': '2026-07-02 09:00:00'}
    """
    noun = parent[:-1] if parent.endswith("s") else parent  # tickets -> ticket
    return (f"{column} {shown_own} is before its {noun}'s {other} {shown_other}",
            {"column": column, "value": shown_own.strip("'"), "parent": parent, "other": other,
             "other_value": shown_other.strip("'")})
