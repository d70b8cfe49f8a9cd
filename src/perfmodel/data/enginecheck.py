"""Validation inside the query engine: a folder of Parquet tables checked by DuckDB.

The same contract as :mod:`perfmodel.data.validation`, rule for rule (:mod:`perfmodel.data.rules`),
compiled to SQL: cells are parsed in SQL (:mod:`perfmodel.data.sqlcells`), every row rule is a
condition of one scan, the key is a ``GROUP BY``, a foreign key a join with the validated
parent. Only the rows that break a rule come back to Python, where their reasons are
worded by the same functions as the pandas validator's and their raw cells recorded;
the clean rows stay in the engine as a query over the file (:meth:`CheckedFolder.clean_sql`)
that the indicators read directly.

A quarantined row's ``row`` is its 1-based position in the Parquet file, as on the
pandas path.

What the check does not redo: a text column of plain ASCII cells is recognised from its
bytes (:mod:`perfmodel.data.rawscan`), and a one-column text key stored in ascending
order needs no sort; a single-column rule that a typed column's Parquet statistics
already guarantee is left out of the scan, and so is the column when no other rule reads
it (:mod:`perfmodel.data.staticrules`). The rows are still counted by the scan.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from perfmodel.data.dataset import ACCOUNT_COLUMNS, QUARANTINE_COLUMNS, Dataset
from perfmodel.core.errors import DataError
from perfmodel.data.lookalike import normal_id
from perfmodel.data.plausible import ANCHOR, DEFAULT_WINDOW, DateWindow, outside
from perfmodel.data.rules import RULES, Rule
from perfmodel.data.schema import LOAD_ORDER, TABLES
from perfmodel.data.sqlcells import MAX_ABS_SQL, Unsupported, cell_sql, ident, literal, text_sql

__all__ = ["CheckedFolder", "check_folder", "engine_checkable"]

_DOC = "see data/README.md"
_SQL_TYPES = {"id": "VARCHAR", "text": "VARCHAR", "period": "VARCHAR", "timestamp": "TIMESTAMP",
              "date": "TIMESTAMP", "bool": "BOOLEAN", "float": "DOUBLE"}
# supervisors first, then tickets (their newest created_at bounds every later table's dates)
_CHECK_ORDER = ("supervisors", "tickets") + tuple(n for n in LOAD_ORDER if n not in ("supervisors", "tickets"))


@dataclass
class CheckedFolder:
    """A folder of Parquet tables validated in the engine.

    Attributes
    ----------
    dataset : Dataset
        ``quarantine`` and ``account`` exactly as :func:`perfmodel.load_dataset` gives
        them, ``source``, ``files`` and ``calendar``; ``tables`` is empty (the clean rows
        stay in the files, see :meth:`clean_sql`).
    typed : dict[str, str]
        Table -> a SELECT over its file giving ``_row`` and every contract column typed.
    clean_typed : dict[str, str]
        The same for rows known to pass (cheaper: a readable stored value is only cast).
    bad_rows : dict[str, numpy.ndarray]
        Table -> the quarantined rows (1-based positions), sorted.
    span : (pandas.Timestamp, pandas.Timestamp) or None
        The first and last event of the clean rows (:func:`perfmodel.core.periods.data_span`).
    clock_span : (pandas.Timestamp, pandas.Timestamp)
        The earliest and latest instant of the clean tickets' clocks
        (:func:`perfmodel.indicators.ticket_clock_span`).
    bounds : dict
        Table -> {date-time column: (first, last)} of the clean rows, for the tables without
        a quarantined row whose date-time columns the Parquet statistics fully vouch for
        (the spans are then read from the statistics instead of a scan).
    """

    dataset: Dataset
    typed: dict[str, str] = field(default_factory=dict)
    clean_typed: dict[str, str] = field(default_factory=dict)
    bad_rows: dict[str, np.ndarray] = field(default_factory=dict)
    span: tuple | None = None
    clock_span: tuple = (pd.NaT, pd.NaT)
    bounds: dict[str, dict[str, tuple]] = field(default_factory=dict)

    def coverage(self) -> tuple:
        """(what a refused period names, (first, last) event of the clean rows).

        The first item has the ``source`` attribute a period check quotes, as a Dataset has.

        Raises
        ------
        DataError
            When no table has an event date: the periods the data covers are unknown.
        """
        if self.span is None:
            raise DataError(f"{self.dataset.source}: no event date in the tables; cannot tell which periods "
                            f"the data covers")
        from types import SimpleNamespace

        return SimpleNamespace(source=Path(self.dataset.source)), self.span

    def clean_sql(self, name: str, bad_table: str) -> str:
        """The clean rows of ``name`` as a SELECT of the contract's columns.

        ``bad_table`` is a table of one BIGINT column ``_row`` holding
        :attr:`bad_rows` ``[name]`` in the connection that runs the query.
        """
        columns = ", ".join(ident(c.name) for c in TABLES[name].columns)
        select = f"SELECT {columns} FROM ({self.clean_typed[name]}) t"
        if not len(self.bad_rows.get(name, ())):
            return select + " WHERE t._row IS NOT NULL"  # every row is clean (_row: for an ORDER BY)
        return select + f" WHERE NOT EXISTS (SELECT 1 FROM {ident(bad_table)} b WHERE b._row = t._row)"

    def frame(self, name: str) -> pd.DataFrame | None:
        """The clean rows of a (small) table as the pandas validator types them, or None if absent.

        Returns
        -------
        pandas.DataFrame
            The contract's columns: text as :data:`perfmodel.data.parsing.TEXT_DTYPE`, dates
            ``datetime64[ns]``, booleans ``boolean``, numbers ``float64``.
        """
        if name not in self.typed:
            return None
        import duckdb

        con = duckdb.connect()
        try:
            con.register("pm_bad", pa.table({"_row": pa.array(self.bad_rows[name], pa.int64())}))
            arrow = con.execute(self.clean_sql(name, "pm_bad") + " ORDER BY t._row").fetch_arrow_table()
        finally:
            con.close()
        return _pandas(arrow, name)


def engine_checkable(folder) -> bool:
    """Whether ``folder`` is a dataset folder whose every table is a Parquet file.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.data.synth import generate
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = generate(folder / "pq", seed=7, supervisors=2, start="2026Q3", end="2026Q3", tickets=20,
    ...              fmt="parquet")
    >>> _ = generate(folder / "csv", seed=7, supervisors=2, start="2026Q3", end="2026Q3", tickets=20)
    >>> engine_checkable(folder / "pq"), engine_checkable(folder / "csv"), engine_checkable(folder / "none")
    (True, False, False)
    """
    from perfmodel.data.readers import find_sources

    if not isinstance(folder, (str, Path)):  # a loaded Dataset, a connection...
        return False
    folder = Path(folder)
    if not folder.is_dir():
        return False
    try:
        sources = find_sources(folder, TABLES)
    except DataError:
        return False
    return bool(sources) and all(s.path.suffix.lower() == ".parquet" and s.sheet is None
                                 for s in sources.values())


def check_folder(folder, *, timezone: str = "Asia/Shanghai", window: DateWindow | None = DEFAULT_WINDOW,
                 threads: int | None = None) -> CheckedFolder:
    """Validate a folder of Parquet tables in DuckDB.

    Parameters
    ----------
    folder : str or pathlib.Path
        Every table a ``<name>.parquet`` file (:func:`engine_checkable`).
    timezone : str
        The zone of local time (date-times with an offset are converted to it).
    window : plausible.DateWindow or None
        The plausible dates (None: no window).
    threads : int, optional
        DuckDB worker threads.

    Returns
    -------
    CheckedFolder
        Quarantine and account equal to :func:`perfmodel.load_dataset` on the same folder.

    Raises
    ------
    DataError
        As :func:`perfmodel.load_dataset`: a mandatory table or a required column missing,
        a file that is not Parquet.
    Unsupported
        For a stored column type the SQL parser does not read (use the pandas validator).

    Examples
    --------
    The quarantine and the row account are those of :func:`perfmodel.load_dataset`:

    >>> import tempfile
    >>> from perfmodel import load_dataset
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}).to_parquet(folder / "supervisors.parquet")
    >>> pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S1"],
    ...               "created_at": ["2026-07-02 09:00", "2026-07-03 10:00"],
    ...               "resolved_at": ["2026-07-02 15:00", "2026-07-01 08:00"]}
    ...              ).to_parquet(folder / "tickets.parquet")
    >>> checked = check_folder(folder)
    >>> checked.dataset.account[["table", "rows_read", "rows_used", "rows_quarantined"]]
             table  rows_read  rows_used  rows_quarantined
    0  supervisors          1          1                 0
    1      tickets          2          1                 1
    >>> print(checked.dataset.quarantine.loc[0, "reason"])
    resolved_at 2026-07-01 08:00:00 is before created_at 2026-07-03 10:00:00
    >>> loaded = load_dataset(folder)
    >>> loaded.account.equals(checked.dataset.account)
    True
    >>> loaded.quarantine["reason"].tolist() == checked.dataset.quarantine["reason"].tolist()
    True
    """
    import duckdb

    from perfmodel.data.loader import _check_mandatory, _check_timezone
    from perfmodel.data.readers import find_sources, read_source
    from perfmodel.data.workcalendar import load_calendar

    _check_timezone(timezone)
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder; give the folder that holds the tables ({_DOC})")
    calendar = load_calendar(folder)
    sources = find_sources(folder, TABLES)
    _check_mandatory(set(sources), folder.name or folder.resolve().name)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")  # rows are addressed by _row, never by order
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    out = CheckedFolder(Dataset(tables={}))
    quarantines, account = {}, {}
    newest = None
    try:
        for name in _CHECK_ORDER:
            if name not in sources:
                continue
            src = sources[name]
            raw = read_source(src, defer=True)  # the footer and header checks of the pandas path
            checker = _TableCheck(con, name, src.path, raw.label, timezone, window, newest, raw.size)
            checker.run(out)
            if name == ANCHOR[0]:
                newest = checker.newest
            quarantines[name] = checker.quarantine
            account[name] = (name, raw.label, raw.size, raw.size - len(checker.quarantine),
                             len(checker.quarantine))
        out.span = _span(con, out)
        out.clock_span = _clock_span(con, out)
    finally:
        con.close()
    parts = [quarantines[n] for n in LOAD_ORDER if n in quarantines and len(quarantines[n])]
    quarantine = (pd.concat(parts, ignore_index=True) if parts
                  else pd.DataFrame({c: pd.Series([], dtype=object) for c in QUARANTINE_COLUMNS}))
    quarantine["row"] = quarantine["row"].astype(np.int64)
    out.dataset = Dataset(tables={}, quarantine=quarantine,
                          account=pd.DataFrame([account[n] for n in LOAD_ORDER if n in account],
                                               columns=ACCOUNT_COLUMNS),
                          source=folder, files={n: s.path for n, s in sources.items()}, calendar=calendar)
    return out


class _TableCheck:
    """The checks of one table in one DuckDB connection."""

    def __init__(self, con, name: str, path: Path, label: str, timezone: str, window, newest, size: int):
        self.con, self.name, self.path, self.label, self.size = con, name, path, label, size
        self.table = TABLES[name]
        self.timezone, self.window, self.newest = timezone, window, newest

    def run(self, out: CheckedFolder) -> None:
        """Check the table; leave its typed SELECT and bad rows in ``out`` and its quarantine here."""
        from perfmodel.data.validation import _Problems

        from perfmodel.data.staticrules import column_stats

        self._columns()
        self._raw_prepass()
        stats = column_stats(self.path)
        self.stats = {c: stats[s] for c, s in self.stored.items() if s in stats}
        out.typed[self.name] = typed = self._typed_sql()
        out.clean_typed[self.name] = self._typed_sql(clean=True)
        view = f"pm_typed_{self.name}"
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {typed}")
        self._anchor(view)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW pm_checked_{self.name} AS {self._checked_sql(view)}")
        problems = _Problems()
        # one scan counts the rows and tells whether any breaks a rule within the row (only
        # the rules the column statistics leave open, so only the columns they read are
        # decoded); only then are those rows fetched
        seen, any_flag = self.con.execute(f"SELECT count(_row), coalesce(bool_or({self._any_flag_sql()}), FALSE) "
                                          f"FROM pm_checked_{self.name}").fetchone()
        if seen != self.size:
            raise DataError(f"{self.label}: the file says it holds {self.size} rows but {seen} were read; "
                            f"write it again ({_DOC})")
        # what the key, the foreign keys, the children and the span read, as a view over the file
        slim = ", ".join(ident(c) for c in _slim_columns(self.name))
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW pm_slim_{self.name} AS "
                         f"SELECT _row, {slim} FROM pm_checked_{self.name}")
        flagged = self._row_rules() if any_flag else pd.DataFrame({"_row": pd.Series([], dtype=np.int64)})
        keys = self._key_rule()
        foreign = {rule: self._foreign_rule(rule, out) for rule in RULES[self.name] if rule.check == "foreign"}
        rows = np.unique(np.concatenate([flagged["_row"].to_numpy(np.int64), keys["_row"].to_numpy(np.int64)]
                                        + [f["_row"].to_numpy(np.int64) for f in foreign.values()]))
        raw = self._raw_rows(rows)
        self._word(problems, flagged, keys, foreign, raw, rows, out)
        bad = problems.by_row()
        at = np.searchsorted(rows, bad["pos"].to_numpy(np.int64))
        from perfmodel.data.validation import _records

        self.quarantine = pd.DataFrame({
            "table": self.name, "file": self.label, "row": bad["pos"].to_numpy(np.int64),
            "column": bad["column"].to_numpy(), "reason": bad["reason"].to_numpy(),
            "record": _records(raw, at), "reason_code": bad["reason_code"].to_numpy(),
            "reason_params": bad["reason_params"].to_numpy()}, columns=QUARANTINE_COLUMNS)
        out.bad_rows[self.name] = np.sort(bad["pos"].to_numpy(np.int64))
        if not len(out.bad_rows[self.name]):
            out.bounds[self.name] = self._bounds_from_stats()
        self.con.register(f"pm_bad_{self.name}", pa.table({"_row": pa.array(out.bad_rows[self.name], pa.int64())}))

    # ---------------------------------------------------------------- SQL

    def _columns(self) -> None:
        from perfmodel.data.readers import header_names

        described = self.con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(str(self.path))})").fetchall()
        stored = [r[0] for r in described]
        names = header_names(stored, self.path.name)
        self.stored = dict(zip(names, stored))
        self.types = dict(zip(names, (r[1] for r in described)))
        missing = [c for c in self.table.required if c not in self.stored]
        if missing:
            raise DataError(f"{self.label}: missing required column {missing[0]!r}; add it ({_DOC})")

    def _typed_sql(self, clean: bool = False) -> str:
        """``_row`` and every contract column typed (with its ``<column>__bad`` flag).

        ``clean``: for rows known to pass (the clean rows), a column whose stored type holds
        its kind is only cast (:func:`perfmodel.data.sqlcells.direct_sql`), and there are no flags.
        """
        from perfmodel.data.sqlcells import direct_sql

        cells, values = ["file_row_number + 1 AS _row"], ["_row"]
        for col in self.table.columns:
            name = ident(col.name)
            if col.name not in self.stored:
                values += [f"CAST(NULL AS {_SQL_TYPES[col.kind]}) AS {name}", f"FALSE AS {ident(col.name + '__bad')}"]
                continue
            raw_type = self.types[col.name]
            src = ident(self.stored[col.name])
            plain = raw_type != "VARCHAR" or self.plain.get(col.name, False)
            cells.append(f"{src if plain else text_sql(src, col.kind)} AS {name}")
            periods = self._periods(col.name, src, raw_type) if col.kind == "period" else None
            direct = None if col.open_end else direct_sql(col.kind, raw_type, name)
            if clean and direct is not None:
                values.append(f"{direct} AS {name}")
                continue
            value, bad = cell_sql(col.kind, raw_type, name, self.timezone, open_end=col.open_end, periods=periods)
            if self._sure("parse", col.name):
                bad = "FALSE"
            values += [f"{value} AS {name}", f"{bad} AS {ident(col.name + '__bad')}"]
        source = f"read_parquet({literal(str(self.path))}, file_row_number = true)"
        return f"SELECT {', '.join(values)} FROM (SELECT {', '.join(cells)} FROM {source})"

    def _periods(self, column: str, src: str, raw_type: str) -> dict:
        """Each distinct text of a period column -> its period id (None when it is not one)."""
        from perfmodel.core.errors import PeriodError
        from perfmodel.core.periods import parse_period

        text = text_sql(src, "period") if raw_type == "VARCHAR" else f"CAST({src} AS VARCHAR)"
        found = self.con.execute(f"SELECT DISTINCT {text} FROM read_parquet({literal(str(self.path))})").fetchall()
        out = {}
        for (value,) in found:
            if value is None:
                continue
            try:
                out[value] = parse_period(value).id
            except PeriodError:
                out[value] = None
        return out

    def _raw_prepass(self) -> None:
        """Scans of the stored text columns for what the rules need to know first.

        Sets ``plain`` (column -> True when no cell has a blank, a character beyond
        printable ASCII, or spells "no value": the cells are then used as they are, as
        the pandas reader leaves such a column untouched), ``looks`` (id column ->
        {look-alike id: the id it imitates}, decided once per distinct id holding a
        character beyond printable ASCII) and ``ascending`` (the table's one-column key
        is plain text stored in strictly ascending order: no key repeats).

        Each column is first judged from its bytes (:mod:`perfmodel.data.rawscan`); only a
        column holding a blank, a control, a character beyond ASCII, an empty cell or a
        "no value" word is scanned in SQL.
        """
        from perfmodel.data.parsing import MISSING_WORDS, MISSING_WORDS_TYPED

        from perfmodel.data.rawscan import scan_text_column

        texts = [c for c in self.table.columns if c.name in self.stored and self.types[c.name] == "VARCHAR"]
        # A column whose values repeat (every column but a key of its own) is judged on its
        # distinct cells: the same answers, with one regular expression per value, not per row.
        unique = tuple(self.table.key) if len(self.table.key) == 1 else ()
        found, self.ascending = {}, False
        for col in texts:
            # first from the column's bytes: a column of plain cells needs no regular expression
            words = MISSING_WORDS if col.kind in ("id", "text") else MISSING_WORDS + MISSING_WORDS_TYPED
            scan = scan_text_column(self.path, self.stored[col.name], words, ascending=col.name in unique)
            if scan.plain:
                found[col.name] = (False, None)
                self.ascending = self.ascending or scan.ascending
        texts_left = [c for c in texts if c.name not in found]
        per_row = [c for c in texts_left if c.name in unique]
        for group in [per_row] + [[c] for c in texts_left if c.name not in unique]:
            if not group:
                continue
            cells, parts = [], []
            for i, col in enumerate(group):
                x, odd = ident(self.stored[col.name]), f"_odd{i}"
                # a character beyond printable ASCII (blanks, controls, full-width...), computed once
                cells += [x, f"regexp_matches({x}, '[^!-~]') AS {odd}"]
                words = MISSING_WORDS if col.kind in ("id", "text") else MISSING_WORDS + MISSING_WORDS_TYPED
                longest = max(len(w.encode()) for w in words)
                missing = f"list_contains([{', '.join(literal(w) for w in words)}], {x})"
                parts.append(f"coalesce(bool_or({odd} OR {x} = '' OR (strlen({x}) <= {longest} AND {missing})), FALSE)")
                parts.append(f"list(DISTINCT {x}) FILTER (WHERE {odd})" if col.kind == "id" else "NULL")
            source = f"read_parquet({literal(str(self.path))})"
            if group is not per_row:
                source = f"(SELECT DISTINCT {ident(self.stored[group[0].name])} FROM {source})"
            row = self.con.execute(f"SELECT {', '.join(parts)} FROM (SELECT {', '.join(dict.fromkeys(cells))} "
                                   f"FROM {source})").fetchone()
            for i, col in enumerate(group):
                found[col.name] = (row[2 * i], row[2 * i + 1])
        self.plain, self.looks = {}, {}
        for col in texts:
            odd, cells = found[col.name]
            self.plain[col.name] = not odd
            if col.kind == "id":
                flagged = _lookalikes(cells or [])
                if flagged:
                    self.looks[col.name] = flagged

    def _anchor(self, view: str) -> None:
        """For the tickets, ``newest``: the newest typed ``created_at`` inside the window's lower end
        (:func:`perfmodel.data.plausible.newest_anchor`)."""
        if self.window is None or self.name != ANCHOR[0]:
            return
        lo = self.window.first(ANCHOR[1])
        stats = self.stats.get(ANCHOR[1])
        if (stats is not None and stats.low is not None and self._sure("parse", ANCHOR[1])
                and hasattr(stats.low, "year") and getattr(stats.low, "tzinfo", None) is None
                and pd.Timestamp(stats.low) >= lo):
            # every stored value is readable and inside the lower end: the newest is the file's maximum
            self.newest = pd.Timestamp(stats.high)
            return
        found = self.con.execute(f"SELECT max({ident(ANCHOR[1])}) FROM {view} "
                                 f"WHERE {ident(ANCHOR[1])} >= TIMESTAMP {literal(str(lo))}").fetchone()[0]
        self.newest = None if found is None else pd.Timestamp(found)

    def _bounds(self, column: str):
        """The first and last plausible date of ``column`` (the last None: no upper end)."""
        return self.window.first(column), self.window.last(self.newest)

    def _checked_sql(self, view: str) -> str:
        """Every column as the rules after the cell rules see it, plus the cell rules' flags."""
        parts = ["_row"]
        for col in self.table.columns:
            name, flags = ident(col.name), []
            parts.append(f"{ident(col.name + '__bad')}")
            if col.kind == "float":
                flags.append(("big", "FALSE" if self._sure("too_large", col.name)
                              else f"coalesce(abs({name}) > {MAX_ABS_SQL}, FALSE)"))
            if col.kind == "id":
                looks = self.looks.get(col.name)
                flags.append(("look", f"coalesce(list_contains([{', '.join(literal(v) for v in looks)}], {name}), FALSE)"
                              if looks else "FALSE"))
            if col.kind in ("date", "timestamp") and self.window is not None:
                lo, hi = self._bounds(col.name)
                test = f"{name} < TIMESTAMP {literal(str(lo))}"
                if hi is not None:
                    test += f" OR {name} > TIMESTAMP {literal(str(hi))}"
                flags.append(("out", "FALSE" if self._sure("window", col.name) else f"coalesce({test}, FALSE)"))
            for flag, sql in flags:
                parts.append(f"{sql} AS {ident(col.name + '__' + flag)}")
            nulled = " OR ".join(sql for _, sql in flags if sql != "FALSE")
            parts.append(f"{name} AS {ident(col.name + '__v')}")
            parts.append(f"CASE WHEN {nulled} THEN NULL ELSE {name} END AS {name}" if nulled else name)
        return f"SELECT {', '.join(parts)} FROM {view}"

    def _bounds_from_stats(self) -> dict[str, tuple]:
        """{date-time column: (first, last)} for the columns whose every stored value is the
        checked value (readable, inside the window), from the statistics; an absent column
        is empty. Only meaningful when no row of the table is quarantined."""
        found = {}
        for col in self.table.columns:
            if col.kind not in ("timestamp", "date"):
                continue
            if col.name not in self.stored:
                found[col.name] = (None, None)
                continue
            stats = self.stats.get(col.name)
            if (stats is None or not self._sure("parse", col.name)
                    or (self.window is not None and not self._sure("window", col.name))):
                continue
            found[col.name] = (None, None) if stats.low is None else \
                (pd.Timestamp(stats.low).to_pydatetime(), pd.Timestamp(stats.high).to_pydatetime())
        return found

    def _sure(self, check: str, column: str) -> bool:
        """Whether the stored type and statistics of ``column`` rule out a cell breaking ``check``
        (:func:`perfmodel.data.staticrules.guaranteed`)."""
        from perfmodel.data.sqlcells import NS_FIRST, NS_LAST
        from perfmodel.data.staticrules import guaranteed

        if column not in self.stored:
            return False
        bounds = self._bounds(column) if check == "window" and self.window is not None else None
        if check == "window" and bounds is None:
            return False
        return guaranteed(check, self.table.column(column), self.types[column], self.stats.get(column),
                          plain=self.plain.get(column, False), bounds=bounds,
                          span=(pd.Timestamp(NS_FIRST), pd.Timestamp(NS_LAST)), limit=float(MAX_ABS_SQL))

    def _flag_sql(self, rule: Rule) -> str | None:
        c = [ident(x) for x in rule.columns]
        own = rule.columns[0]
        if rule.check in ("parse", "too_large", "window", "required", "range") and self._sure(rule.check, own):
            return None
        if rule.check == "parse":
            return ident(own + "__bad") if own in self.stored else None
        if rule.check == "too_large":
            return ident(own + "__big") if own in self.stored else None
        if rule.check == "lookalike":
            return ident(own + "__look") if own in self.looks else None
        if rule.check == "window":
            return ident(own + "__out") if self.window is not None and own in self.stored else None
        if rule.check == "required":
            col = self.table.column(own)
            seen = [own + "__bad"]  # a cell already reported by a cell rule is not reported empty too
            if col.kind == "float":
                seen.append(own + "__big")
            if col.kind == "id":
                seen.append(own + "__look")
            if col.kind in ("date", "timestamp") and self.window is not None:
                seen.append(own + "__out")
            return f"({c[0]} IS NULL AND NOT ({' OR '.join(ident(s) for s in seen)}))"
        if rule.check == "range":
            col = self.table.column(own)
            tests = ([f"{c[0]} < {literal(float(col.min))}"] if col.min is not None else []) + \
                    ([f"{c[0]} > {literal(float(col.max))}"] if col.max is not None else [])
            return f"coalesce({' OR '.join(tests)}, FALSE)"
        if rule.check == "order":
            return f"coalesce({c[1]} < {c[0]}, FALSE)"
        if rule.check == "not_above":
            return f"coalesce({c[0]} > {c[1]}, FALSE)"
        return None

    def _flags(self) -> list[tuple[int, str]]:
        """(rule index, SQL flag) of every rule within the row that applies to this table."""
        flags = [(i, self._flag_sql(r)) for i, r in enumerate(RULES[self.name])]
        return [(i, sql) for i, sql in flags if sql is not None]

    def _any_flag_sql(self) -> str:
        flags = self._flags()
        return f"({' OR '.join(sql for _, sql in flags)})" if flags else "FALSE"

    def _row_rules(self) -> pd.DataFrame:
        """The rows breaking a rule within the row: ``_row``, one ``f<i>`` flag per rule, the values."""
        flags = self._flags()
        values = ", ".join(f"{ident(c.name)}, {ident(c.name + '__v')}" for c in self.table.columns)
        select = ", ".join(f"{sql} AS f{i}" for i, sql in flags)
        where = " OR ".join(sql for _, sql in flags)
        return self.con.execute(f"SELECT _row, {values}, {select} FROM pm_checked_{self.name} "
                                f"WHERE {where} ORDER BY _row").df()

    def _key_rule(self) -> pd.DataFrame:
        """Rows whose key repeats an earlier row's: ``_row``, the key columns, ``_first``.

        The repeats are found by sorting on the key (a row repeats when it equals the row
        before it in key order), which costs less than a hash table of every key; only the
        keys that repeat are then grouped to name each one's first row.
        """
        key = [ident(k) for k in self.table.key]
        if not key or (self.ascending and not self.looks.get(self.table.key[0])):
            # a plain text key stored in ascending order repeats no value (no sort needed)
            return pd.DataFrame({"_row": pd.Series([], dtype=np.int64)})
        view = f"pm_slim_{self.name}"
        complete = " AND ".join(f"{k} IS NOT NULL" for k in key)
        same = " AND ".join(f"{k} = lag({k}) OVER w" for k in key)
        on = " AND ".join(f"t.{k} = d.{k}" for k in key)
        return self.con.execute(
            f"WITH r AS (SELECT {', '.join(key)}, {same} AS _repeat FROM {view} WHERE {complete} "
            f"WINDOW w AS (ORDER BY {', '.join(key)}, _row)), "
            f"d AS (SELECT DISTINCT {', '.join(key)} FROM r WHERE _repeat) "
            f"SELECT * FROM (SELECT t._row, {', '.join('t.' + k for k in key)}, "
            f"min(t._row) OVER (PARTITION BY {', '.join('t.' + k for k in key)}) AS _first "
            f"FROM {view} t SEMI JOIN d ON {on}) WHERE _row > _first ORDER BY _row").df()

    def _foreign_rule(self, rule: Rule, out: CheckedFolder) -> pd.DataFrame:
        """Rows whose foreign key is not a clean parent key, or that precede their parent row.

        Columns ``_row``, ``value``, ``found`` and, per rule against the parent row,
        ``own_<i>`` and ``other_<i>``.
        """
        column = ident(rule.columns[0])
        view = f"pm_slim_{self.name}"
        after = [r for r in RULES[self.name] if r.check == "after_parent" and r.columns[0] == rule.columns[0]]
        if rule.parent not in out.typed:
            return self.con.execute(f"SELECT _row, {column} AS value, FALSE AS found FROM {view} "
                                    f"WHERE {column} IS NOT NULL ORDER BY _row").df()
        key = ident(TABLES[rule.parent].key[0])
        theirs = [ident(r.other) for r in after]
        parent = (f"SELECT p.{key} AS _key{''.join(f', p.{t} AS _other{i}' for i, t in enumerate(theirs))} "
                  f"FROM pm_slim_{rule.parent} p ANTI JOIN pm_bad_{rule.parent} b ON p._row = b._row")
        own = [f"c.{ident(r.columns[1])}" for r in after]
        early = "".join(f" OR {o} < p._other{i}" for i, o in enumerate(own))
        picks = "".join(f", {o} AS own_{i}, p._other{i} AS other_{i}" for i, o in enumerate(own))
        return self.con.execute(
            f"SELECT c._row, c.{column} AS value, p._key IS NOT NULL AS found{picks} "
            f"FROM {view} c LEFT JOIN ({parent}) p ON c.{column} = p._key "
            f"WHERE c.{column} IS NOT NULL AND (p._key IS NULL{early}) ORDER BY c._row").df()

    def _raw_rows(self, rows: np.ndarray) -> pd.DataFrame:
        """The cells of ``rows`` as the pandas validator reads them (:func:`perfmodel.data.readers.read_parquet`)."""
        from perfmodel.data.readers import _clean_strings

        self.con.register("pm_wanted", pa.table({"_row": pa.array(rows, pa.int64())}))
        table = self.con.execute(
            f"SELECT * EXCLUDE (file_row_number) FROM read_parquet({literal(str(self.path))}, file_row_number = true) r "
            f"SEMI JOIN pm_wanted w ON r.file_row_number + 1 = w._row ORDER BY r.file_row_number").fetch_arrow_table()
        self.con.unregister("pm_wanted")
        data = {}
        for name, column in zip(self.stored, table.columns):
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                column = _clean_strings(column.cast(pa.string()))
                data[name] = pd.Series(pd.arrays.ArrowExtensionArray(column), copy=False)
            else:
                data[name] = column.to_pandas()
        return pd.DataFrame(data, columns=list(self.stored))

    # ---------------------------------------------------------------- reasons

    def _word(self, problems, flagged: pd.DataFrame, keys: pd.DataFrame, foreign: dict, raw: pd.DataFrame,
              raw_rows: np.ndarray, out: CheckedFolder):
        """Add every broken rule to ``problems`` in rule order, worded as the pandas validator words it.

        ``raw`` holds the cells of the rows ``raw_rows`` (sorted), one frame row each.
        """
        from perfmodel.data import validation as v

        for i, rule in enumerate(RULES[self.name]):
            if rule.check == "key":
                if len(keys):
                    texts, params = zip(*(v.duplicate_reason(self.table.key, tuple(k), first) for k, first in
                                          zip(keys[list(self.table.key)].itertuples(index=False), keys["_first"])))
                    problems.add(keys["_row"].to_numpy(np.int64), rule.column, list(texts), "duplicate", list(params))
                continue
            if rule.check == "foreign":
                found = foreign[rule]
                missing = found[~found["found"].astype(bool)]
                if len(missing):
                    present = rule.parent in out.typed
                    texts, params = zip(*(v.parent_reason(rule.column, x, rule.parent, present)
                                          for x in missing["value"]))
                    problems.add(missing["_row"].to_numpy(np.int64), rule.column, list(texts),
                                 "not_in_parent" if present else "no_parent_table", list(params))
                continue
            if rule.check == "after_parent":
                found = foreign[next(r for r in RULES[self.name] if r.check == "foreign"
                                     and r.columns[0] == rule.columns[0])]
                j = [r for r in RULES[self.name] if r.check == "after_parent"
                     and r.columns[0] == rule.columns[0]].index(rule)
                if not len(found):
                    continue
                own = found[f"own_{j}"].to_numpy("datetime64[ns]") if f"own_{j}" in found else None
                if own is None:
                    continue
                other = found[f"other_{j}"].to_numpy("datetime64[ns]")
                early = found["found"].astype(bool).to_numpy() & ~np.isnat(own) & ~np.isnat(other) & (own < other)
                if early.any():
                    texts, params = zip(*(v.before_parent_reason(rule.columns[1], rule.parent, rule.other, x, y)
                                          for x, y in zip(v._show_times(other[early]), v._show_times(own[early]))))
                    problems.add(found["_row"].to_numpy(np.int64)[early], rule.column, list(texts),
                                 "before_parent", list(params))
                continue
            flag = f"f{i}"
            if flag not in flagged or not flagged[flag].any():
                continue
            hit = flagged[flagged[flag].astype(bool)]
            self._word_row_rule(problems, rule, hit, hit["_row"].to_numpy(np.int64), raw, raw_rows)

    def _word_row_rule(self, problems, rule: Rule, hit: pd.DataFrame, rows: np.ndarray, raw: pd.DataFrame,
                       raw_rows: np.ndarray) -> None:
        from perfmodel.data import validation as v

        column = rule.column
        col = self.table.column(rule.columns[0]) if rule.columns[0] in {c.name for c in self.table.columns} else None
        cells = lambda: raw[column].iloc[np.searchsorted(raw_rows, rows)] if column in raw else hit[column]  # noqa: E731
        if rule.check == "parse":
            reasons, codes, params = v._unreadable(col, cells())
            for code in dict.fromkeys(codes):
                mine = [k for k, c in enumerate(codes) if c == code]
                problems.add(rows[mine], column, [reasons[k] for k in mine], code, [params[k] for k in mine])
            return
        if rule.check == "too_large":
            texts, params = zip(*(v.too_large_reason(column, x) for x in cells()))
        elif rule.check == "lookalike":
            looks = self.looks[column]
            texts, params = zip(*(v.lookalike_reason(column, x, looks[x]) for x in hit[column + "__v"]))
        elif rule.check == "window":
            shown = outside(pd.Series([], dtype="datetime64[ns]"), column, self.window, self.newest)[1]
            texts, params = zip(*(v.window_reason(column, pd.Timestamp(x), shown) for x in hit[column + "__v"]))
        elif rule.check == "required":
            text, params = v.required_reason(column)
            problems.add(rows, column, text, "required_empty", params)
            return
        elif rule.check == "range":
            texts, params = zip(*(v.range_reason(col, x) for x in cells()))
        elif rule.check == "order":
            first, second = rule.columns
            texts, params = zip(*(v.before_reason(first, second, _value(x), _value(y))
                                  for x, y in zip(hit[first], hit[second])))
        elif rule.check == "not_above":
            first, second = rule.columns
            texts, params = zip(*(v.above_reason(first, second, _value(x), _value(y))
                                  for x, y in zip(hit[first], hit[second])))
        else:  # pragma: no cover - every row rule is worded above
            raise ValueError(rule.check)
        problems.add(rows, column, list(texts), rule.code, list(params))


def _value(x):
    """A typed value as the pandas validator holds it (a Timestamp for date-times)."""
    if isinstance(x, np.datetime64):
        return pd.Timestamp(x)
    return x


def _pandas(arrow: pa.Table, name: str) -> pd.DataFrame:
    from perfmodel.data.parsing import _text_series

    data = {}
    for col in TABLES[name].columns:
        column = arrow.column(col.name)
        if col.kind in ("id", "text", "period"):
            data[col.name] = _text_series(column)
        elif col.kind in ("timestamp", "date"):
            data[col.name] = pd.Series(column.to_pandas()).astype("datetime64[ns]")
        elif col.kind == "bool":
            data[col.name] = pd.Series(column.to_pandas()).astype("boolean")
        else:
            data[col.name] = pd.Series(column.to_pandas()).astype("float64")
    return pd.DataFrame(data)


def _span(con, out: CheckedFolder):
    """:func:`perfmodel.core.periods.data_span` of the clean rows, computed in the engine."""
    from types import SimpleNamespace

    from perfmodel.core.periods import EVENT_COLUMNS, data_span

    tables = {}
    for name, columns in EVENT_COLUMNS.items():
        if name not in out.typed:
            continue
        known = out.bounds.get(name, {})
        if all(c in known for c in columns):  # from the statistics: no scan
            lo_hi = [v for c in columns for v in known[c]]
        else:
            select = ", ".join(f"min({ident(c)}) AS {ident(c + '__lo')}, max({ident(c)}) AS {ident(c + '__hi')}"
                               for c in columns)
            lo_hi = con.execute(f"SELECT {select} FROM {_clean_slim(name)}").fetchone()
        tables[name] = pd.DataFrame({c: pd.Series([lo_hi[2 * i], lo_hi[2 * i + 1]], dtype="datetime64[ns]")
                                     for i, c in enumerate(columns)})
    if "budgets" in out.typed:
        periods = con.execute(f"SELECT DISTINCT period FROM {_clean_slim('budgets')}").df()
        tables["budgets"] = periods
    try:
        return data_span(SimpleNamespace(tables=tables))
    except DataError:
        return None


def _clock_span(con, out: CheckedFolder):
    """The first ``created_at`` and the latest clock instant of the clean tickets."""
    from perfmodel.data.workcalendar import CLOCK_COLUMNS

    known = out.bounds.get("tickets", {})
    if all(c in known for c in ("created_at", *CLOCK_COLUMNS)):  # from the statistics: no scan
        first, *highs = [known["created_at"][0]] + [known[c][1] for c in CLOCK_COLUMNS]
    else:
        first, *highs = con.execute(f"SELECT min(created_at), {', '.join(f'max({c})' for c in CLOCK_COLUMNS)} "
                                    f"FROM {_clean_slim('tickets')}").fetchone()
    highs = [h for h in highs if h is not None]
    return (pd.Timestamp(first) if first is not None else pd.NaT,
            pd.Timestamp(max(highs)) if highs else pd.NaT)


def _clean_slim(name: str) -> str:
    """The kept columns of the clean rows of ``name`` in the checking connection, as a FROM item."""
    return f"(SELECT s.* FROM pm_slim_{name} s ANTI JOIN pm_bad_{name} b ON s._row = b._row)"


def _slim_columns(name: str) -> list[str]:
    """The columns of ``name`` that the checks after the row rules read.

    Its key, its foreign keys and the times compared with their parent rows, the
    columns its children compare with it, its event columns (the data's span) and, for
    the tickets, the clock columns.
    """
    from perfmodel.data.workcalendar import CLOCK_COLUMNS
    from perfmodel.core.periods import EVENT_COLUMNS

    table = TABLES[name]
    wanted = list(table.key) + list(table.foreign) + [mine for _, _, mine in table.after_parent]
    wanted += [theirs for other in TABLES.values() for fk, theirs, _ in other.after_parent
               if other.foreign.get(fk) == name]
    wanted += list(EVENT_COLUMNS.get(name, ()))
    if name == "tickets":
        wanted += list(CLOCK_COLUMNS)
    if name == "budgets":
        wanted.append("period")
    present = {c.name for c in table.columns}
    return [c for c in dict.fromkeys(wanted) if c in present]


def _lookalikes(cells: list) -> dict[str, str]:
    """{id: the id it imitates} for the stored id cells ``cells`` that are look-alikes once read.

    The cells are made what the reader makes them first (blanks stripped, as Arrow strips
    them; empty or "no value": dropped), then judged by :func:`perfmodel.data.lookalike.normal_id`.
    """
    import pyarrow.compute as pc

    from perfmodel.data.parsing import MISSING_WORDS

    if not cells:
        return {}
    read = pc.utf8_trim_whitespace(pa.array(cells, pa.string())).to_pylist()
    return {v: normal_id(v) for v in dict.fromkeys(read)
            if v and v not in MISSING_WORDS and normal_id(v) != v}
