"""Reading a dataset (a folder of tables, a database, or in-memory frames) into a validated Dataset.

Both entry points run the same path: find the columns, convert and check every row
(:mod:`perfmodel.data.validation`), quarantine the rows that break a rule and account for every
row read. Tables are checked in :data:`perfmodel.data.schema.LOAD_ORDER`, so a foreign key is
checked against the already validated parent table.
"""
from __future__ import annotations

import json

import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from perfmodel.data.dataset import ACCOUNT_COLUMNS, QUARANTINE_COLUMNS, Dataset
from perfmodel.core.errors import DataError, UsageError
from perfmodel.data.plausible import ANCHOR, DEFAULT_WINDOW, DateWindow
from perfmodel.data.readers import (RawTable, Source, find_sources, header_names, open_workbooks, read_source,
                                    workbook_sheets)
from perfmodel.data.schema import LOAD_ORDER, TABLES
from perfmodel.data.validation import validate_table

DEFAULT_TIMEZONE = "Asia/Shanghai"
_DUPLICATE_OF = r"duplicates row \d+$"
DUPLICATE_IN_DATABASE = "duplicates a row with the same key (the first in key order is kept)"
_DOC = "see data/README.md"


def load_dataset(path, *, timezone: str = DEFAULT_TIMEZONE,
                 window: DateWindow = DEFAULT_WINDOW) -> Dataset:
    """Read and validate a dataset folder or database.

    Each table is ``<name>.csv`` (UTF-8, UTF-8 with BOM, or GB18030/GBK), ``<name>.parquet``
    or a sheet ``<name>`` of an ``.xlsx`` workbook in the folder. Files of other names are
    ignored. Only ``supervisors`` and ``tickets`` are mandatory. A DuckDB file
    (``*.duckdb``) or a PostgreSQL URL (``postgresql://...``) is read read-only, its tables
    named as the files would be (:mod:`perfmodel.data.dbsource`).

    Parameters
    ----------
    path : str or pathlib.Path
        The folder, the DuckDB file or the PostgreSQL URL.
    timezone : str
        IANA zone of the local time; timestamps written with an offset are converted
        to it and made naive.
    window : plausible.DateWindow
        The plausible dates of each column; rows with a date outside are quarantined
        (default: events from 2000-01-01, ``hired_on``/``since`` from 1950-01-01, all up
        to a year after the newest ticket).

    Returns
    -------
    Dataset
        ``tables`` (validated, typed), ``quarantine`` (table, file, row, column, reason,
        record), ``account`` (table, file, rows_read, rows_used, rows_quarantined),
        ``source`` (the folder; for a database its file or URL without password) and
        ``files`` (table -> file; empty for a database). For a database table the
        quarantine's ``file`` is ``<database>:<table> (<key>=<value>, ...)``, the row's key
        columns, and ``row`` its position in key order.

    Raises
    ------
    DataError
        One line naming the file (and column) when the folder or a mandatory table is
        missing, or a file cannot be used: empty, not a table, undecodable, a required
        column missing, a header name given twice, or a table given by two files.

    Examples
    --------
    A folder of two CSV files; the ticket of an unknown supervisor is quarantined, not
    dropped in silence (its ``row`` is the line of the file, the header being line 1):

    >>> import tempfile
    >>> from perfmodel.data.demo import demo_folder
    >>> folder = demo_folder(tempfile.mkdtemp())
    >>> ds = load_dataset(folder)
    >>> ds.account
             table             file  rows_read  rows_used  rows_quarantined
    0  supervisors  supervisors.csv          2          2                 0
    1      tickets      tickets.csv          5          4                 1
    >>> ds.quarantine[["table", "row", "column", "reason"]]
         table  row         column                                 reason
    0  tickets    6  supervisor_id  supervisor_id 'S9' not in supervisors
    >>> ds.tables["supervisors"]["name"].tolist()
    ['王芳', '李强']
    """
    _check_timezone(timezone)
    from perfmodel.data.dbsource import as_database

    db = as_database(path)
    if db is not None:
        return _load_database(db, timezone, window)
    folder = Path(path)
    if not folder.exists():
        raise DataError.worded("errors.no_such_folder", folder=folder)
    if not folder.is_dir():
        raise DataError.worded("errors.not_a_folder", folder=folder)
    from perfmodel.data.workcalendar import load_calendar

    calendar = load_calendar(folder)  # a bad calendar.yaml fails before the tables are read
    # each workbook is opened once for all its sheets and closed before the rows are checked
    with open_workbooks():
        sources = find_sources(folder, TABLES)
        _check_mandatory(set(sources), folder.name or folder.resolve().name)
        raws = {}
        for name in LOAD_ORDER:
            if name in sources:
                raws[name] = read_source(sources[name], defer=True)  # Parquet: read in turn
    dataset = _validate(raws, timezone, window, progress=True)
    dataset.source = folder
    dataset.files = {name: src.path for name, src in sources.items()}
    dataset.calendar = calendar
    return dataset


def _load_database(db, timezone: str, window: DateWindow | None) -> Dataset:
    """Read the tables of a database and validate them as files are validated."""
    from perfmodel.data.dbsource import address, read_tables, to_frame

    tables = read_tables(db, TABLES)
    _check_mandatory(set(tables), db.name)
    raws, keys, labels = {}, {}, {}
    for name in LOAD_ORDER:
        if name not in tables:
            continue
        label = f"{db.name}:{name}"
        frame = to_frame(tables.pop(name))
        frame.columns = header_names(frame.columns, label)
        raws[name] = RawTable(frame, np.arange(1, len(frame) + 1), label)
        keys[name] = frame[[c for c in TABLES[name].key if c in frame.columns]]
        labels[name] = label
    dataset = _validate(raws, timezone, window, progress=True)
    quarantine = dataset.quarantine
    if len(quarantine):
        files = quarantine["file"].astype(object).to_numpy(copy=True)
        for name, key in keys.items():
            mine = np.flatnonzero((quarantine["table"] == name).to_numpy())
            if len(mine):
                where = key.iloc[quarantine["row"].to_numpy()[mine] - 1]
                files[mine] = [f"{labels[name]} ({a})" for a in address(where, key.columns)]
        quarantine["file"] = files
        # a database row has no row number to point at: the key itself names the duplicate
        quarantine["reason"] = quarantine["reason"].astype(object).str.replace(
            _DUPLICATE_OF, DUPLICATE_IN_DATABASE, regex=True)
    from perfmodel.data.workcalendar import calendar_from_database

    dataset.source = db.recorded
    dataset.files = {}
    dataset.calendar = calendar_from_database(db)
    return dataset


def dataset_from_frames(frames: dict, *, timezone: str = DEFAULT_TIMEZONE,
                        window: DateWindow = DEFAULT_WINDOW) -> Dataset:
    """Validate in-memory tables exactly as :func:`load_dataset` validates files.

    Parameters
    ----------
    frames : dict[str, pandas.DataFrame]
        Table name -> frame. Cells may be text as in a CSV file or already typed
        (numbers, datetimes, booleans). Unknown table names raise.
    timezone, window
        As for :func:`load_dataset`.

    Returns
    -------
    Dataset
        As for :func:`load_dataset`; the ``file`` of a frame is ``"<name> (frame)"`` and
        ``row`` is its 1-based position.

    Examples
    --------
    >>> import pandas as pd
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1", "S2"], "name": ["王芳", "李强"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2", "T3"],
    ...                              "supervisor_id": ["S1", "S2", "S2"],
    ...                              "created_at": ["2026-07-02 09:00", "2026-07-05", "next week"],
    ...                              "cost": [120.0, 80.5, 60.0]})})
    >>> ds.tables["tickets"][["ticket_id", "created_at", "cost"]]
      ticket_id          created_at   cost
    0        T1 2026-07-02 09:00:00  120.0
    1        T2 2026-07-05 00:00:00   80.5
    >>> print(ds.quarantine.loc[0, "file"], ds.quarantine.loc[0, "row"], ds.quarantine.loc[0, "reason"])
    tickets (frame) 3 created_at: cannot read 'next week' as an ISO 8601 date-time like 2026-03-31T14:05:00
    >>> ds.account[["table", "rows_read", "rows_used", "rows_quarantined"]]
             table  rows_read  rows_used  rows_quarantined
    0  supervisors          2          2                 0
    1      tickets          3          2                 1
    """
    _check_timezone(timezone)
    unknown = sorted(set(frames) - set(TABLES))
    if unknown:
        raise DataError(f"frames: unknown table {unknown[0]!r}; tables are {', '.join(TABLES)}")
    _check_mandatory(set(frames), "frames")
    raws = {}
    for name in LOAD_ORDER:
        if name not in frames:
            continue
        frame = frames[name]
        if not isinstance(frame, pd.DataFrame):
            raise DataError(f"{name} (frame): not a DataFrame but {type(frame).__name__}")
        label = f"{name} (frame)"
        frame = frame.reset_index(drop=True)
        frame.columns = header_names(frame.columns, label)
        raws[name] = RawTable(frame, np.arange(1, len(frame) + 1), label)
    return _validate(raws, timezone, window)


def show_progress() -> bool | None:
    """Whether long steps draw a progress bar on stderr.

    ``PERFMODEL_PROGRESS=1`` forces it on, ``0`` off; otherwise it is shown when stderr is
    a terminal (tqdm's own choice, ``None``).

    Examples
    --------
    >>> import os
    >>> saved = os.environ.get("PERFMODEL_PROGRESS")
    >>> os.environ["PERFMODEL_PROGRESS"] = "0"
    >>> show_progress()
    False
    >>> os.environ["PERFMODEL_PROGRESS"] = "yes"
    >>> show_progress()
    True
    >>> del os.environ["PERFMODEL_PROGRESS"]
    >>> show_progress() is None  # tqdm decides: a bar only on a terminal
    True
    >>> if saved is not None:
    ...     os.environ["PERFMODEL_PROGRESS"] = saved
    """
    flag = os.environ.get("PERFMODEL_PROGRESS", "").strip().lower()
    if flag in ("1", "true", "yes"):
        return True
    if flag in ("0", "false", "no"):
        return False
    return None


# Tickets are checked right after supervisors (their only parent): their newest created_at
# bounds the dates of every later table (perfmodel.data.plausible). Results are listed in
# LOAD_ORDER all the same.
def load_table(path, name: str, *, parents: dict | None = None, timezone: str = DEFAULT_TIMEZONE,
               window: DateWindow = DEFAULT_WINDOW) -> Dataset:
    """Read and validate one table given as a file of its own, as :func:`load_dataset` would.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv``, ``.parquet`` or ``.xlsx`` file (a workbook: the sheet named ``name``,
        or its only sheet).
    name : str
        The table of the data contract the file holds (``"goals"``).
    parents : dict[str, pandas.DataFrame], optional
        Validated tables that the table's foreign keys point at (for goals:
        ``{"supervisors": frame with supervisor_id}``); a key whose parent is not given is
        not checked.
    timezone, window
        As for :func:`load_dataset`.

    Returns
    -------
    Dataset
        ``tables`` holds only ``name``; ``quarantine`` and ``account`` (one row) as for
        :func:`load_dataset`, the file named as given.

    Raises
    ------
    DataError
        One line naming the file when it is missing, of another kind, empty, not a table
        or lacks a required column.

    Examples
    --------
    A goals file of its own; the goal of a supervisor who is not among the known ones is
    quarantined (row 3 of the file, the header being row 1):

    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "goals.csv"
    >>> _ = path.write_text("supervisor_id,period,indicator,target,agreed_on\\n"
    ...                     "S1,2026Q3,csat,4.5,2026-06-20\\nS9,2026Q3,csat,4.2,2026-06-20\\n", encoding="utf-8")
    >>> ds = load_table(path, "goals", parents={"supervisors": pd.DataFrame({"supervisor_id": ["S1", "S2"]})})
    >>> ds.tables["goals"][["supervisor_id", "period", "target"]]
      supervisor_id  period  target
    0            S1  2026Q3     4.5
    >>> ds.quarantine[["row", "reason"]]
       row                                 reason
    0    3  supervisor_id 'S9' not in supervisors
    """
    _check_timezone(timezone)
    if name not in TABLES:
        raise UsageError(f"table {name!r}: tables are {', '.join(TABLES)}")
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file; give the {name} table as a .csv, .parquet or .xlsx file ({_DOC})")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".xlsx"):
        raise DataError(f"{path}: not a .csv, .parquet or .xlsx file; save the {name} table as one ({_DOC})")
    with open_workbooks():
        sheet = None
        if suffix == ".xlsx":
            sheets = workbook_sheets(path)
            named = [s for s in sheets if s.strip().lower() == name]
            if not named and len(sheets) != 1:
                raise DataError(f"{path.name}: no sheet named {name}; name the sheet {name} or keep one sheet only")
            sheet = named[0] if named else sheets[0]
        raw = read_source(Source(name, path, sheet))
    return _validate({name: raw}, timezone, window, parents=parents)


_CHECK_ORDER = ("supervisors", "tickets") + tuple(n for n in LOAD_ORDER
                                                  if n not in ("supervisors", "tickets"))


def _validate(raws: dict[str, RawTable], timezone: str, window: DateWindow | None,
              progress: bool = False, parents: dict | None = None) -> Dataset:
    import pyarrow as pa

    pool = pa.default_memory_pool()
    names = set(raws)
    # tables validated elsewhere that foreign keys point at (load_table); not returned
    tables, quarantines, account = dict(parents or {}), [], []
    newest = None
    bar = None
    rows = sum(r.size for r in raws.values())
    show = show_progress()
    if progress and (show or (show is None and rows >= 1_000_000)):
        from tqdm.auto import tqdm

        bar = tqdm(total=rows, desc="checking rows", unit="row", unit_scale=True, file=sys.stderr,
                   leave=False, disable=None if show is None else not show)
    for name in _CHECK_ORDER:
        if name not in raws:
            continue
        # read a deferred (Parquet) table now; let each table's raw cells go once it is checked
        raw = raws.pop(name).loaded()
        if bar is not None:
            bar.set_postfix_str(name, refresh=True)
        table = TABLES[name]
        missing = [c for c in table.required if c not in raw.frame.columns]
        if missing:
            raise DataError.worded("errors.missing_column", label=raw.label, column=repr(missing[0]))
        frame, rows, rejected = _reader_rejects(name, raw)
        clean, quarantine = validate_table(table, frame, rows, raw.label, tables, timezone,
                                           excel=raw.excel, window=window, newest=newest)
        if name == ANCHOR[0]:
            newest = clean.attrs.pop("plausible_newest", None)
        if len(rejected):
            quarantine = (pd.concat([quarantine, rejected], ignore_index=True)
                          .sort_values("row", kind="stable", ignore_index=True))
        tables[name] = clean
        if len(quarantine):
            quarantines.append(quarantine)
        account.append((name, raw.label, len(raw.frame), len(clean), len(quarantine)))
        if bar is not None:
            bar.update(len(raw.frame))
        del raw, clean, quarantine
        pool.release_unused()  # hand Arrow's freed buffers back before the next table
    if bar is not None:
        bar.close()
    place = {name: i for i, name in enumerate(LOAD_ORDER)}
    quarantines.sort(key=lambda q: place[q["table"].iloc[0]])
    account.sort(key=lambda a: place[a[0]])
    tables = {name: tables[name] for name in LOAD_ORDER if name in tables and name in names}
    quarantine = (pd.concat(quarantines, ignore_index=True) if quarantines
                  else pd.DataFrame({c: pd.Series([], dtype=object) for c in QUARANTINE_COLUMNS}))
    quarantine["row"] = quarantine["row"].astype(np.int64)
    account = pd.DataFrame(account, columns=ACCOUNT_COLUMNS)
    return Dataset(tables=tables, quarantine=quarantine, account=account)


def _reader_rejects(name: str, raw: RawTable):
    """Split off the rows the reader rejected: (frame, rows, their quarantine rows).

    They are quarantined before the contract's rules run, so a row whose bytes could not
    be decoded never takes part in a key or a foreign-key check.
    """
    if not raw.problems:
        return raw.frame, raw.rows, pd.DataFrame(columns=QUARANTINE_COLUMNS)
    from perfmodel.data.validation import _records  # the same JSON record as every other quarantined row

    positions = np.asarray([p for p, _, _ in raw.problems], dtype=np.int64)
    rejected = pd.DataFrame({
        "table": name, "file": raw.label, "row": raw.rows[positions].astype(np.int64),
        "column": [c for _, c, _ in raw.problems], "reason": [r for _, _, r in raw.problems],
        "record": _records(raw.frame, positions),
        # the reader's one rejection: a formula cell a program wrote without its value
        "reason_code": "formula_without_value",
        "reason_params": [json.dumps([{"column": c}], ensure_ascii=False) for _, c, _ in raw.problems],
    }, columns=QUARANTINE_COLUMNS)
    keep = np.ones(len(raw.frame), dtype=bool)
    keep[positions] = False
    return raw.frame[keep].reset_index(drop=True), raw.rows[keep], rejected


def _check_mandatory(present: set[str], where: str) -> None:
    for name in LOAD_ORDER:
        if TABLES[name].mandatory and name not in present:
            if "://" in where or where.lower().endswith((".duckdb", ".ddb")):
                raise DataError.worded("errors.no_database_table", where=where, name=name)
            raise DataError.worded("errors.no_table", where=where, name=name)


def _check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"timezone {timezone!r}: not a known time zone; use one like 'Asia/Shanghai'") from None
