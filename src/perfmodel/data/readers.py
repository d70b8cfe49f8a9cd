"""Finding and reading the files of a dataset folder (CSV, Parquet, Excel).

A table ``<name>`` comes from ``<name>.csv``, ``<name>.parquet`` or a sheet ``<name>`` of an
``.xlsx`` workbook in the folder. CSV files may be UTF-8 (with or without a byte-order
mark) or GB18030/GBK, the encoding Excel uses when it saves CSV on a Chinese Windows.

Readers return the cells as they are in the file: CSV cells as text (never converted, so
ids keep their leading zeros), Parquet and Excel cells as the values those formats hold.
Leading and trailing blanks are removed and an empty cell is missing. Converting cells to
typed values is the job of :mod:`perfmodel.data.parsing`.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import stat
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from perfmodel.core.errors import DataError
from perfmodel.data.xlsx_guard import (
    MAX_PART_BYTES, GuardedStream, PartTooLarge, RunTooLong, cell_before, check_workbook,
    formulas_without_value, long_cell_error,
)

ENCODINGS = ("utf-8", "gb18030")
_HEAD_BYTES = 1 << 20
_DOC = "see data/README.md"


@dataclass(frozen=True)
class Source:
    """Where one table comes from.

    Attributes
    ----------
    table : str
        The table name (``tickets``).
    path : pathlib.Path
        The file.
    sheet : str or None
        The sheet name for an ``.xlsx`` workbook, else None.
    """

    table: str
    path: Path
    sheet: str | None = None

    @property
    def label(self) -> str:
        """How messages name the source: ``tickets.csv`` or ``book.xlsx[tickets]``."""
        if self.sheet is None:
            return self.path.name
        return f"{self.path.name}[{self.sheet}]"


@dataclass
class RawTable:
    """The cells of one table as read, before any conversion.

    Attributes
    ----------
    frame : pandas.DataFrame
        One column per header name (names stripped and lower-cased), a RangeIndex.
    rows : numpy.ndarray
        For each frame row, its address: for CSV and Excel the row a spreadsheet shows
        (header = row 1, so the first data row is 2), for Parquet and frames the 1-based
        position.
    label : str
        The file as messages name it.
    excel : bool
        The cells come from an Excel sheet (numbers in date columns are date serials).
    pending : Source or None
        Set (and ``frame``, ``rows`` None) while a Parquet table is not read yet
        (:func:`read_source` with ``defer=True``); :meth:`loaded` reads it.
    size : int
        The number of rows (known from the Parquet footer before the cells are read).
    problems : list of (position, column, reason)
        Rows the reader itself rejects (0-based frame positions): the loader quarantines
        them with these reasons before the contract's rules are checked.
    """

    frame: pd.DataFrame | None
    rows: np.ndarray | None
    label: str
    excel: bool = False
    pending: Source | None = None
    size: int = 0
    problems: list = field(default_factory=list)

    def __post_init__(self):
        if self.frame is not None:
            self.size = len(self.frame)

    def loaded(self) -> "RawTable":
        """This table with its cells read (a deferred Parquet table is read now)."""
        if self.frame is not None:
            return self
        frame = _reading(self.pending, read_parquet)
        return RawTable(frame, np.arange(1, len(frame) + 1), self.label)


def find_sources(folder: Path, names) -> dict[str, Source]:
    """Find the file of every table of ``names`` present in ``folder``.

    Returns
    -------
    dict[str, Source]
        Only the tables found.

    Raises
    ------
    DataError
        When a table has two sources (``tickets.csv`` and ``tickets.parquet``, or a CSV
        and a workbook sheet) or a workbook cannot be opened.

    Examples
    --------
    Files are matched to tables by name, whatever the case; other files are ignored:

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "Supervisors.csv").write_text("supervisor_id,name\\nS1,王芳\\n", encoding="utf-8")
    >>> _ = (folder / "tickets.csv").write_text("ticket_id,supervisor_id,created_at\\n", encoding="utf-8")
    >>> _ = (folder / "notes.txt").write_text("not a table", encoding="utf-8")
    >>> sorted((name, source.label) for name, source in find_sources(folder, ["supervisors", "tickets", "staff"]).items())
    [('supervisors', 'Supervisors.csv'), ('tickets', 'tickets.csv')]
    >>> pd.DataFrame({"ticket_id": ["T1"]}).to_parquet(folder / "tickets.parquet")
    >>> find_sources(folder, ["supervisors", "tickets"])
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.DataError: ...: table 'tickets' is given twice (tickets.csv and tickets.parquet); keep one of them
    """
    names = set(names)
    found: dict[str, list[Source]] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "~$")):
            continue
        suffix = path.suffix.lower()
        stem = path.stem.strip().lower()
        if not path.is_file():
            if suffix in (".csv", ".parquet", ".xlsx") and _special_file(path):
                # opening a FIFO blocks until something writes to it: refuse it unopened
                raise DataError(
                    f"{path.name}: not a regular file but {_special_file(path)}; give the table "
                    f"as a file saved on disk ({_DOC})"
                )
            continue
        if suffix in (".csv", ".parquet") and stem in names:
            found.setdefault(stem, []).append(Source(stem, path))
        elif suffix == ".xlsx":
            sheets = workbook_sheets(path)
            named = [s for s in sheets if s.strip().lower() in names]
            for sheet in named:
                found.setdefault(sheet.strip().lower(), []).append(Source(sheet.strip().lower(), path, sheet))
            if not named and stem in names and len(sheets) == 1:
                # tickets.xlsx saved with Excel's default sheet name (Sheet1, 工作表1)
                found.setdefault(stem, []).append(Source(stem, path, sheets[0]))
    out = {}
    for name, sources in found.items():
        if len(sources) > 1:
            listed = " and ".join(s.label for s in sources)
            raise DataError(
                f"{folder.name or folder.resolve().name}: table {name!r} is given twice ({listed}); keep one of them"
            )
        out[name] = sources[0]
    return out


def _special_file(path: Path) -> str | None:
    """What kind of special file ``path`` is (a FIFO, a device, a socket), never opening it."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    for test, kind in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return None


# Workbooks opened by :func:`open_workbooks` for the block that runs (path -> openpyxl book).
_OPEN_BOOKS: ContextVar[dict | None] = ContextVar("perfmodel_open_books", default=None)


@contextmanager
def open_workbooks():
    """Open each ``.xlsx`` workbook at most once while the ``with`` block runs.

    Opening a workbook parses its shared-string table, which holds every text cell of
    every sheet, so a load that finds the sheets and then reads each of them would parse
    it once per sheet. Inside this block :func:`workbook_sheets` and :func:`read_sheet`
    share one read-only workbook per path; every workbook opened is closed when the block
    ends, also when it ends with an error, so no file handle outlives the load (a
    workbook kept open in Excel on Windows stays editable). Nested blocks share the
    outer block's workbooks.

    Yields
    ------
    None

    Examples
    --------
    Inside the block a workbook is opened once for its sheet list and all its sheets:

    >>> import tempfile
    >>> import openpyxl
    >>> path = Path(tempfile.mkdtemp()) / "book.xlsx"
    >>> book = openpyxl.Workbook()
    >>> book.active.title = "budgets"
    >>> book.active.append(["supervisor_id", "period", "budget"])
    >>> book.active.append(["S1", "2026Q3", 12000])
    >>> book.save(path)
    >>> with open_workbooks():
    ...     sheets = workbook_sheets(path)
    ...     raw = read_sheet(Source("budgets", path, "budgets"))
    >>> sheets, len(raw.frame)
    (['budgets'], 1)
    """
    if _OPEN_BOOKS.get() is not None:
        yield
        return
    books: dict = {}
    token = _OPEN_BOOKS.set(books)
    try:
        yield
    finally:
        _OPEN_BOOKS.reset(token)
        for book in books.values():
            try:
                book.close()
            except Exception:  # close the others all the same
                pass


@contextmanager
def _workbook(path: Path):
    """A read-only workbook (formulas as their last value); closed on exit unless shared.

    Raises whatever openpyxl raises for a file it cannot open.
    """
    import openpyxl

    books = _OPEN_BOOKS.get()
    key = Path(path).resolve()
    if books is not None and key in books:
        yield books[key]
        return
    check_workbook(path)  # bounded memory: no part or cell larger than a workbook can hold
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    if books is not None:
        books[key] = book  # closed by open_workbooks
        yield book
        return
    try:
        yield book
    finally:
        book.close()


def workbook_sheets(path: Path) -> list[str]:
    """Return the sheet names of an ``.xlsx`` workbook (DataError if it cannot be read).

    Inside :func:`open_workbooks` the opened workbook is kept for :func:`read_sheet`.

    Examples
    --------
    >>> import tempfile
    >>> import openpyxl
    >>> folder = Path(tempfile.mkdtemp())
    >>> book = openpyxl.Workbook()
    >>> book.active.title = "tickets"
    >>> _ = book.create_sheet("工单说明")
    >>> book.save(folder / "book.xlsx")
    >>> workbook_sheets(folder / "book.xlsx")
    ['tickets', '工单说明']
    >>> _ = (folder / "fake.xlsx").write_text("not a workbook")
    >>> workbook_sheets(folder / "fake.xlsx")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.DataError: fake.xlsx: cannot open the Excel workbook (BadZipFile); save it again as .xlsx or export its sheets as CSV (see data/README.md)
    """
    try:
        with _workbook(path) as book:
            return list(book.sheetnames)
    except DataError:
        raise
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise DataError(
            f"{path.name}: cannot open the Excel workbook ({type(exc).__name__}); "
            f"save it again as .xlsx or export its sheets as CSV ({_DOC})"
        ) from None


def read_source(source: Source, *, defer: bool = False) -> RawTable:
    """Read one table's cells from its file.

    Parameters
    ----------
    source : Source
    defer : bool
        For a Parquet file, check its footer and header names now but read the cells only
        when :meth:`RawTable.loaded` is called, so that a loader holds the raw cells of
        one large table at a time.

    Returns
    -------
    RawTable

    Raises
    ------
    DataError
        For an empty file, a file that is not a table, an undecodable CSV or duplicated
        header names.

    Examples
    --------
    Header names are normalised and cells kept as text; the rows are those a spreadsheet
    shows (the empty line 3 is skipped, so T2 is on row 4):

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "tickets.csv"
    >>> _ = path.write_text("Ticket_ID, supervisor_id ,created_at\\nT1,S1,2026-07-02 09:00\\n\\nT2, S2 ,\\n",
    ...                     encoding="utf-8")
    >>> raw = read_source(Source("tickets", path))
    >>> raw.frame
      ticket_id supervisor_id        created_at
    0        T1            S1  2026-07-02 09:00
    1        T2            S2              <NA>
    >>> raw.rows, raw.label
    (array([2, 4]), 'tickets.csv')
    """
    suffix = source.path.suffix.lower()
    if suffix == ".parquet" and defer:
        meta = _reading(source, _parquet_footer)
        header_names(meta.schema.to_arrow_schema().names, source.path.name)
        return RawTable(None, None, source.label, pending=source, size=meta.num_rows)
    if suffix == ".csv":
        frame, problems = _reading(source, read_csv_cells)
        rows = _reading(source, lambda path: csv_row_numbers(path, len(frame)))
        return RawTable(frame, rows, source.label, problems=problems)
    elif suffix == ".parquet":
        frame = _reading(source, read_parquet)
    else:
        return read_sheet(source)
    return RawTable(frame, np.arange(1, len(frame) + 1), source.label)


def _reading(source: Source, read):
    try:
        return read(source.path)
    except OSError as exc:
        raise DataError(
            f"{source.label}: cannot read the file ({exc.strerror or type(exc).__name__}); "
            f"check that it exists and may be read"
        ) from None


_BLANK = "\x00blank"


def header_names(names, label: str, blank_ok: bool = False) -> list[str]:
    """Normalise header names (NFKC, invisible characters removed, stripped, lower-cased) and
    reject empty or duplicated ones.

    With ``blank_ok``, a header cell without a name gets a placeholder that
    :func:`drop_blank_columns` removes when its column holds no value (spreadsheets often
    save a few empty columns after the last one).

    Examples
    --------
    >>> header_names([" Ticket_ID", "ｃｏｓｔ", "Created_At"], "tickets.csv")
    ['ticket_id', 'cost', 'created_at']
    >>> header_names(["cost", "COST"], "tickets.csv")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.DataError: tickets.csv: column 'cost' appears twice in the header; keep one of them (see data/README.md)
    >>> header_names(["cost", None], "tickets.csv")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.DataError: tickets.csv: header column 2 has no name; name it or delete it
    """
    out = []
    for i, name in enumerate(names):
        text = "" if name is None else _normal_name(name)
        if not text:
            if blank_ok:
                out.append(f"{_BLANK}{i + 1}")
                continue
            raise DataError.worded("errors.header_column_unnamed", label=label, n=i + 1)
        if text in out:
            raise DataError.worded("errors.header_column_twice", label=label, column=repr(text))
        out.append(text)
    return out


def _normal_name(name) -> str:
    """NFKC form without invisible (format) characters, stripped and lower-cased.

    A zero-width space typed into ``resolved\u200b_at`` or full-width letters would
    otherwise make a name that looks right but matches no column of the contract.
    """
    text = unicodedata.normalize("NFKC", str(name))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.strip().lower()


def drop_blank_columns(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """Remove the columns without a header name; DataError if one of them holds a value.

    Examples
    --------
    A column without a name is dropped when empty and refused when it holds a value:

    >>> names = header_names(["ticket_id", None], "tickets.csv", blank_ok=True)
    >>> drop_blank_columns(pd.DataFrame([["T1", None]], columns=names), "tickets.csv")
      ticket_id
    0        T1
    >>> drop_blank_columns(pd.DataFrame([["T1", "x"]], columns=names), "tickets.csv")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.DataError: tickets.csv: header column 2 has no name but holds values; name it or delete the column (see data/README.md)
    """
    blank = [c for c in frame.columns if c.startswith(_BLANK)]
    for name in blank:
        if frame[name].notna().any():
            position = name[len(_BLANK):]
            raise DataError(
                f"{label}: header column {position} has no name but holds values; name it or "
                f"delete the column ({_DOC})"
            )
    return frame.drop(columns=blank) if blank else frame


def detect_encoding(path: Path) -> str:
    """Return ``"utf-8"`` or ``"gb18030"``: the first that decodes the start of the file.

    The rest of the file is checked while it is read (:func:`read_csv`).

    Examples
    --------
    A file saved by Excel in China (GBK, read as its superset GB18030) and one saved as UTF-8:

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "gbk.csv").write_text("supervisor_id,name\\nS1,王芳\\n", encoding="gbk")
    >>> _ = (folder / "utf8.csv").write_text("supervisor_id,name\\nS1,王芳\\n", encoding="utf-8")
    >>> detect_encoding(folder / "gbk.csv"), detect_encoding(folder / "utf8.csv")
    ('gb18030', 'utf-8')
    """
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head.strip():
        raise DataError.worded("errors.file_empty", file=path.name)
    for encoding in ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=len(head) < _HEAD_BYTES)
            return encoding
        except UnicodeDecodeError:
            if encoding == "utf-8" and mostly_utf8(head):
                return encoding  # a few rows in another encoding: those rows are quarantined
            continue
    raise _undecodable(path)


def mostly_utf8(data: bytes) -> bool:
    """Whether text whose bytes are not all UTF-8 is UTF-8 but for a few lines.

    Lines of plain ASCII say nothing; of the other lines, those that decode as UTF-8 must
    be at least as many as those that do not. GBK text almost never decodes as UTF-8, so
    a file saved as GBK has no such line and is read as GB18030 whole.

    Examples
    --------
    Two UTF-8 lines and one pasted in GBK still make a UTF-8 file; GBK text throughout does not:

    >>> mostly_utf8("王芳\\n李强\\n".encode("utf-8") + "张伟\\n".encode("gbk"))
    True
    >>> mostly_utf8("王芳\\n李强\\n".encode("gbk"))
    False
    """
    good = bad = 0
    for line in data.splitlines():
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad += 1
    return good > 0 and good >= bad


def _undecodable(path: Path) -> DataError:
    return DataError(
        f"{path.name}: the text is neither UTF-8 nor GB18030/GBK; save the file as "
        f"'CSV UTF-8' ({_DOC})"
    )


def read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV file with every cell as text.

    Returns
    -------
    pandas.DataFrame
        Columns of ``pandas.ArrowDtype(pa.string())``, blanks stripped, empty cells missing.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "supervisors.csv"
    >>> _ = path.write_text("supervisor_id,name,team\\nS1, 王芳 ,\\nS2,李强,East\\n", encoding="gbk")
    >>> frame = read_csv(path)
    >>> frame
      supervisor_id name  team
    0            S1   王芳  <NA>
    1            S2   李强  East
    >>> frame["name"].tolist()
    ['王芳', '李强']
    """
    return read_csv_cells(path)[0]


_NOT_UTF8 = ("the row is not UTF-8 text (a row pasted from a file in another encoding, GBK "
             "perhaps); retype it or save the file again as 'CSV UTF-8'")


def read_csv_cells(path: Path) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Read a CSV file with every cell as text, and the rows the reader itself rejects.

    Returns
    -------
    frame : pandas.DataFrame
        As :func:`read_csv`.
    problems : list of (position, column, reason)
        Rows of a UTF-8 file that are not UTF-8 (0-based frame positions); their bytes
        show as U+FFFD in the frame.

    Examples
    --------
    A row pasted from a GBK file into a UTF-8 one is read (its bytes shown as U+FFFD) and
    named as a problem; its position is 0-based:

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "supervisors.csv"
    >>> _ = path.write_bytes("supervisor_id,name\\nS1,王芳\\nS2,李强\\n".encode("utf-8")
    ...                      + "S3,张伟\\n".encode("gbk"))
    >>> frame, problems = read_csv_cells(path)
    >>> frame["supervisor_id"].tolist()
    ['S1', 'S2', 'S3']
    >>> problems
    [(2, 'name', "name: the row is not UTF-8 text (a row pasted from a file in another encoding, GBK perhaps); retype it or save the file again as 'CSV UTF-8'")]
    """
    encoding = detect_encoding(path)
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    text = text.lstrip("\ufeff")
    try:
        first = next(csv.reader(io.StringIO(text, newline="")))  # any line end, old-Mac CR too
    except (StopIteration, csv.Error):
        first = []
    if sum(1 for cell in first if cell.strip()) == 1 and not any(sep in "".join(first) for sep in ";\t|"):
        try:
            head_rows = [r for _, r in zip(range(10), csv.reader(io.StringIO(text, newline="")))]
        except csv.Error:
            head_rows = []
        _refuse_title_row(head_rows, path.name)
    if not any(cell.strip() for cell in first):
        raise DataError.worded("errors.first_line_not_header", file=path.name)
    names = header_names(first, path.name, blank_ok=True)
    if len(names) == 1 and any(sep in names[0] for sep in (";", "\t", "|")):
        raise DataError(
            f"{path.name}: the header has one column {names[0]!r}; save the file with commas "
            f"between columns ({_DOC})"
        )
    table, problems = None, []
    for enc in ([encoding] if encoding != "utf-8" else ["utf-8", "gb18030"]):
        try:
            table = _read_text_table(path, enc, names)
            break
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if enc == "utf-8" and "UTF8" in message:
                raw = path.read_bytes()
                if not mostly_utf8(raw):
                    continue  # GBK text further down than the start that was checked
                # UTF-8 but for a few rows: read it as UTF-8 and quarantine those rows
                fixed = raw.decode("utf-8", errors="replace").encode("utf-8")
                del raw
                try:
                    table = _read_text_table(fixed, enc, names)
                except pa.ArrowInvalid as again:
                    raise _not_a_table(path, enc, str(again)) from None
                problems = _replaced_rows(table, names)
                break
            raise _not_a_table(path, enc, message) from None
        except UnicodeDecodeError:
            raise _undecodable(path) from None
    if table is None:
        raise _undecodable(path)
    columns = {name: _clean_strings(table.column(name)) for name in names}
    frame = pd.DataFrame(
        {name: pd.Series(pd.arrays.ArrowExtensionArray(col), copy=False) for name, col in columns.items()}
    )
    return drop_blank_columns(frame, path.name), problems


def _replaced_rows(table: pa.Table, names: list[str]) -> list[tuple[int, str, str]]:
    """(position, first column, reason) of each row holding U+FFFD, the mark of bytes not UTF-8."""
    first: dict[int, str] = {}
    for name in names:
        hit = pc.fill_null(pc.match_substring(table.column(name), "\ufffd"), False)
        for pos in np.flatnonzero(hit.to_numpy(zero_copy_only=False)):
            first.setdefault(int(pos), name)
    return [(pos, first[pos], f"{first[pos]}: {_NOT_UTF8}") for pos in sorted(first)]


def csv_row_numbers(path: Path, count: int) -> np.ndarray:
    """The row a spreadsheet shows for each of the ``count`` data rows of a CSV file.

    The header is row 1. A spreadsheet shows an empty line as an empty row, which the
    reader skips, so rows after one are numbered past it; a cell holding line breaks is
    one row. Files without an empty line (the usual case) are numbered without parsing.

    Returns
    -------
    numpy.ndarray
        int64, one number per data row, in order.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "tickets.csv"
    >>> _ = path.write_text('ticket_id,note\\nT1,"two\\nlines"\\n\\nT2,ok\\nT3,ok\\n', encoding="utf-8")
    >>> csv_row_numbers(path, 3)
    array([2, 4, 5])
    """
    simple = np.arange(2, count + 2, dtype=np.int64)
    carry = b""
    with path.open("rb") as fh:
        empty = False
        while chunk := fh.read(_HEAD_BYTES):
            window = carry + chunk
            if b"\n\n" in window or b"\r\r" in window or b"\n\r\n" in window:
                empty = True
                break
            carry = window[-3:]
    if not empty:
        return simple
    encoding = detect_encoding(path)
    numbers = []
    with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="replace",
                   newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        row = 1
        for cells in reader:
            row += 1
            if cells:
                numbers.append(row)
    return np.asarray(numbers, dtype=np.int64) if len(numbers) == count else simple


def _read_text_table(path: Path, encoding: str, names: list[str]) -> pa.Table:
    """Every cell as text; parsing quoted line breaks is slower, so only done when needed."""
    def read(newlines: bool) -> pa.Table:
        return pacsv.read_csv(
            pa.BufferReader(path) if isinstance(path, bytes) else path,
            read_options=pacsv.ReadOptions(
                encoding="utf8" if encoding == "utf-8" else encoding,
                column_names=names, skip_rows=1,
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=newlines),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True, quoted_strings_can_be_null=True, null_values=[""],
            ),
        )
    try:
        return read(False)
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc):
            raise
        return read(True)


def _not_a_table(path: Path, encoding: str, message: str) -> DataError:
    ragged = re.search(r"Expected (\d+) columns, got (\d+): (.*)", message)
    if ragged:
        want, got, text = ragged.groups()
        text = text.strip()
        text = text if len(text) <= 80 else text[:77] + "..."
        row = _first_ragged_row(path, encoding, int(want))
        where = f"row {row}" if row else "a row"
        return DataError(
            f"{path.name}: not a table: {where} has {got} cells but the header has {want} "
            f"({text!r}); fix that row or put quotes around cells that contain commas ({_DOC})"
        )
    if "straddl" in message or "block size" in message:
        huge = _huge_field(path, encoding)
        if huge is not None:
            row, column, size = huge
            return DataError(
                f"{path.name}: row {row}, column {column}: a cell holds {size:,} characters, more "
                f"than the {_FIELD_CHARS:,} the reader takes; a cell may hold at most 32,767 "
                f"characters (as in Excel): shorten that cell or remove it ({_DOC})")
    return DataError(f"{path.name}: not a table ({_first_line(message)}); {_DOC}")


#: Arrow's CSV reader parses blocks of this size; a field longer than a block cannot be read.
_FIELD_CHARS = 1 << 20


def _huge_field(path: Path, encoding: str):
    """(row, column, characters) of the first cell longer than :data:`_FIELD_CHARS`, or None.

    Read with the csv module one row at a time, so only the offending row is held.
    """
    limit = csv.field_size_limit()
    csv.field_size_limit((1 << 31) - 1)
    try:
        with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="replace",
                       newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None) or []
            row = 1
            for cells in reader:
                row += 1
                for j, cell in enumerate(cells):
                    if len(cell) > _FIELD_CHARS:
                        name = header[j] if j < len(header) else f"{j + 1} (beyond the header)"
                        return row, name, len(cell)
    except (csv.Error, OSError):
        return None
    finally:
        csv.field_size_limit(limit)
    return None


def _first_ragged_row(path: Path, encoding: str, width: int) -> int | None:
    """The row (as a spreadsheet shows it, header = 1) whose cell count differs from the header's."""
    try:
        with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            row = 1
            for cells in reader:
                row += 1
                if not cells:
                    continue
                if len(cells) != width:
                    return row
    except (UnicodeDecodeError, csv.Error):
        return None
    return None


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unreadable"


# Bytes that can start or end a blank in UTF-8: ASCII blanks, and the lead byte / last byte
# of U+00A0 (C2 A0) and U+3000 (E3 80 80), the ideographic space of Chinese input methods.
_FIRST_BYTES = np.zeros(256, dtype=bool)
_FIRST_BYTES[[0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0xC2, 0xE3]] = True
_LAST_BYTES = np.zeros(256, dtype=bool)
_LAST_BYTES[[0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0xA0, 0x80]] = True


def _may_be_padded(column: pa.ChunkedArray) -> bool:
    """False when no cell can start or end with a blank or be empty (checked on the raw bytes)."""
    for chunk in column.chunks:
        if len(chunk) == 0:
            continue
        _, offsets, data = chunk.buffers()
        if data is None:
            continue
        offsets = np.frombuffer(offsets, dtype=np.int32)[chunk.offset: chunk.offset + len(chunk) + 1]
        data = np.frombuffer(data, dtype=np.uint8)
        starts, ends = offsets[:-1], offsets[1:]
        filled = ends > starts
        if len(filled) - np.count_nonzero(filled) > chunk.null_count:
            return True  # an empty text that is not yet missing
        if _FIRST_BYTES[data[starts[filled]]].any() or _LAST_BYTES[data[ends[filled] - 1]].any():
            return True
    return False


def _clean_strings(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Strip blanks around cells and make blank cells missing (copies only when needed).

    Blanks include the no-break space and the ideographic space U+3000.
    """
    if not _may_be_padded(column):
        return column  # the usual case: nothing to strip, empty cells are already null
    trimmed = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _parquet_footer(path: Path):
    import pyarrow.parquet as pq

    try:
        return pq.read_metadata(path)
    except Exception as exc:
        raise _bad_parquet(path, _first_line(str(exc))) from None


def _bad_parquet(path: Path, message: str) -> DataError:
    return DataError(f"{path.name}: cannot read the Parquet file ({message}); write it again ({_DOC})")


def read_parquet(path: Path) -> pd.DataFrame:
    """Read a Parquet file keeping its stored types (text trimmed, empty text missing).

    The file is read one column at a time and Arrow's freed buffers are handed back to
    the system after each, so reading ten million rows needs little more memory than the
    cells themselves. Text stays in Arrow (``pandas.ArrowDtype(pa.string())``).

    Examples
    --------
    The stored types are kept; text is trimmed and empty text is missing:

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "surveys.parquet"
    >>> pd.DataFrame({"Ticket_ID": ["T1 ", ""], "overall": [5, 4]}).to_parquet(path)
    >>> frame = read_parquet(path)
    >>> frame
      ticket_id  overall
    0        T1        5
    1      <NA>        4
    >>> frame.dtypes.astype(str).tolist()
    ['string[pyarrow]', 'int64']
    """
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(path)
        stored = file.schema_arrow.names
    except Exception as exc:
        raise _bad_parquet(path, _first_line(str(exc))) from None
    names = header_names(stored, path.name)
    pool = pa.default_memory_pool()
    data = {}
    for i, name in enumerate(names):
        try:
            column = file.read(columns=[stored[i]], use_threads=True).column(0)
        except Exception as exc:
            raise _bad_parquet(path, _first_line(str(exc))) from None
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = _clean_strings(column.cast(pa.string()))
            data[name] = pd.Series(pd.arrays.ArrowExtensionArray(column), copy=False)
        elif pa.types.is_dictionary(column.type):
            data[name] = pd.Series(column.to_pandas()).astype(object)
        else:
            data[name] = column.to_pandas()
        del column
        pool.release_unused()
    if not names:
        return pd.DataFrame()
    return pd.DataFrame(data)


def read_sheet(source: Source) -> RawTable:
    """Read one sheet of an ``.xlsx`` workbook (first row = header, blank rows skipped).

    Inside :func:`open_workbooks` the workbook is opened once for all its sheets.

    Examples
    --------
    Blank rows are skipped; the rows are those Excel shows:

    >>> import tempfile
    >>> import openpyxl
    >>> path = Path(tempfile.mkdtemp()) / "book.xlsx"
    >>> book = openpyxl.Workbook()
    >>> sheet = book.active
    >>> sheet.title = "budgets"
    >>> for row in (["supervisor_id", "period", "budget"], ["S1", "2026Q3", 12000], [None] * 3,
    ...             ["S2", "2026Q3", 9500.5]):
    ...     sheet.append(row)
    >>> book.save(path)
    >>> raw = read_sheet(Source("budgets", path, "budgets"))
    >>> raw.frame
      supervisor_id  period  budget
    0            S1  2026Q3   12000
    1            S2  2026Q3  9500.5
    >>> raw.rows, raw.label, raw.excel
    (array([2, 4]), 'book.xlsx[budgets]', True)
    """
    try:
        with _workbook(source.path) as book:
            sheet = book[source.sheet]
            # exporters often write a stale <dimension> tag; read-only mode would trust it and
            # leave out every row and column past it
            sheet.reset_dimensions()
            # parse the sheet's XML through the guard: an over-long cell stops the read early
            sheet._get_source = lambda: GuardedStream(  # noqa: SLF001 - openpyxl's one way in
                book._archive.open(sheet._worksheet_path), MAX_PART_BYTES)  # noqa: SLF001
            rows = list(sheet.iter_rows(values_only=True))
            unset = formulas_without_value(book._archive, sheet._worksheet_path)  # noqa: SLF001
    except RunTooLong as exc:
        raise long_cell_error(source.label, _cell_named(exc.before)) from None
    except PartTooLarge:
        raise DataError(
            f"{source.label}: the sheet unpacks to more than {MAX_PART_BYTES:,} bytes; the file is "
            f"damaged or not an Excel workbook: export the sheet as CSV ({_DOC})"
        ) from None
    except Exception as exc:
        raise DataError(
            f"{source.label}: cannot read the sheet ({type(exc).__name__}); save the workbook "
            f"again as .xlsx ({_DOC})"
        ) from None
    above = 0
    while rows and all(_blank(v) for v in rows[0]):
        rows.pop(0)  # leading empty rows above the header
        above += 1
    if not rows:
        raise DataError.worded("errors.sheet_empty", label=source.label)
    if sum(1 for v in rows[0] if not _blank(v)) == 1:
        _refuse_title_row(rows[:10], source.label, first_row=1 + above)
    header = list(rows[0])
    while header and _blank(header[-1]):
        header.pop()  # trailing empty header cells (formatting only)
    # cells right of the last named column are kept, so that a value there is refused
    # (drop_blank_columns) instead of lost
    width = max([len(header)] + [len(r) for r in rows[1:]])
    names = header_names(header + [None] * (width - len(header)), source.label, blank_ok=True)
    data, numbers, problems = [], [], []
    for i, row in enumerate(rows[1:], start=1):
        cells = list(row[:width]) + [None] * max(0, width - len(row))
        sheet_row = i + 1 + above
        unset_here = [c for c in range(1, width + 1) if (sheet_row, c) in unset]
        if all(_blank(v) for v in cells) and not unset_here:
            continue
        if unset_here and not names[unset_here[0] - 1].startswith(_BLANK):
            column = names[unset_here[0] - 1]
            problems.append((len(data), column, f"{column}: {_NO_VALUE}"))
        data.append([_clean_cell(v) for v in cells])
        numbers.append(sheet_row)
    frame = pd.DataFrame(data, columns=names, dtype=object) if data else pd.DataFrame(
        {n: pd.Series([], dtype=object) for n in names}
    )
    frame = drop_blank_columns(frame, source.label)
    return RawTable(frame, np.asarray(numbers, dtype=np.int64), source.label, excel=True,
                    problems=problems)


_NO_VALUE = ("a formula without a calculated value (the file was written by a program that "
             "does not calculate); open the workbook in Excel and save it, so that the value is stored")


def _refuse_title_row(rows, label: str, first_row: int = 1) -> None:
    """DataError when the first row holds one cell and a later one looks like the header.

    Reports put a title (``2026年第一季度工单``) above the table; every table of the contract
    has at least two columns, so a first row of one cell is not its header.
    """
    for k, row in enumerate(rows[1:], start=1):
        if sum(1 for v in row if not _blank(v)) >= 2:
            title = next(str(v).strip() for v in rows[0] if not _blank(v))
            title = title if len(title) <= 40 else title[:37] + "..."
            raise DataError(
                f"{label}: row {first_row} looks like a title ({title!r}), not the header; the "
                f"header seems to be row {first_row + k}: delete the rows above it ({_DOC})"
            )


def _cell_named(before: bytes) -> str | None:
    ref = cell_before(before)
    if ref is None:
        return None
    row = "".join(ch for ch in ref if ch.isdigit())
    return f"row {row}, cell {ref}"


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def trusted_span(folder) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Earliest and latest event of a folder of Parquet tables, read from the files' columns.

    The same event columns as :func:`perfmodel.core.periods.data_span` (budgets aside, whose
    periods lie within the tickets' on trusted data).

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)

    Raises
    ------
    DataError
        When ``tickets.parquet`` is missing or no event date is present.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S1"],
    ...               "created_at": pd.to_datetime(["2026-07-02 09:00", "2026-08-01 10:00"]),
    ...               "resolved_at": pd.to_datetime(["2026-07-03 12:00", None])}
    ...              ).to_parquet(folder / "tickets.parquet")
    >>> pd.DataFrame({"ticket_id": ["T1"], "responded_at": pd.to_datetime(["2026-09-30 18:00"]),
    ...               "overall": [5.0]}).to_parquet(folder / "surveys.parquet")
    >>> trusted_span(folder)
    (Timestamp('2026-07-02 09:00:00'), Timestamp('2026-09-30 18:00:00'))
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from perfmodel.core.errors import DataError
    from perfmodel.core.periods import EVENT_COLUMNS

    folder = Path(folder)
    if not (folder / "tickets.parquet").is_file():
        raise DataError(f"{folder / 'tickets.parquet'}: missing; the trusted (Parquet) path needs every "
                        f"table as Parquet")
    lows, highs = [], []
    for name, columns in EVENT_COLUMNS.items():
        path = folder / f"{name}.parquet"
        if not path.is_file():
            continue
        present = [c for c in columns if c in pq.read_schema(path).names]
        if not present:
            continue
        table = pq.read_table(path, columns=present)
        for col in present:
            span = pc.min_max(table.column(col))
            lo, hi = span["min"].as_py(), span["max"].as_py()
            if lo is not None:
                lows.append(pd.Timestamp(lo))
                highs.append(pd.Timestamp(hi))
    if not lows:
        raise DataError(f"{folder}: no event date in the tables; cannot tell which periods the data covers")
    return min(lows), max(highs)
