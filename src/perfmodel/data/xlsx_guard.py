"""Bounds on what an ``.xlsx`` workbook may make the reader hold in memory.

An ``.xlsx`` file is a zip archive of XML parts; a few hundred kilobytes can inflate to
gigabytes (one text cell of 800 MB compresses to under a megabyte), and an XML parser
holds a whole text node in memory before it hands it over. So before a workbook is
parsed, the declared sizes of its parts are checked, and every part that is parsed is
read through :class:`GuardedStream`, which counts the bytes actually inflated (declared
sizes can lie) and stops at the first text run longer than any cell can be.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from perfmodel.core.errors import DataError

#: Excel's own limit on the characters of one cell; longer cells are quarantined.
CELL_CHARS = 32_767
#: A run of XML text longer than this cannot be one cell of Excel (even with every
#: character written as a 10-byte ``&#x...;`` reference it exceeds ``CELL_CHARS``), and
#: holding it would let a small file take gigabytes: the workbook is refused.
MAX_RUN_BYTES = 1 << 20
#: Largest inflated size of one part. Excel's largest sheet (1,048,576 rows) with a dozen
#: filled columns takes about a gigabyte of XML.
MAX_PART_BYTES = 2 << 30
#: Largest inflated size of the shared-string table, which the reader holds whole.
MAX_SHARED_STRINGS_BYTES = 256 << 20
_CHUNK = 1 << 16
_DOC = "see data/README.md"


class RunTooLong(Exception):
    """A text run of a workbook part is longer than :data:`MAX_RUN_BYTES`.

    Attributes
    ----------
    before : bytes
        The bytes just before the run (the tags that say which cell it is).
    ordinal : int
        How many ``<si>`` elements (shared strings) began before the run.
    """

    def __init__(self, before: bytes, ordinal: int):
        super().__init__("text run too long")
        self.before = before
        self.ordinal = ordinal


class PartTooLarge(Exception):
    """A workbook part inflates to more bytes than allowed."""


class GuardedStream:
    """A read-only byte stream over a zip part that stops at the limits.

    Parameters
    ----------
    raw : file-like
        The opened part (``ZipFile.open``).
    limit : int
        Most bytes the part may inflate to.

    Raises (from ``read``)
    ----------------------
    PartTooLarge, RunTooLong
    """

    def __init__(self, raw, limit: int):
        self._raw = raw
        self._limit = limit
        self._total = 0
        self._run = 0          # bytes since the last '<'
        self._tail = b""       # last bytes seen, for naming the cell of a long run
        self._ordinal = 0      # '<si>' / '<si ' openings seen
        self._before = b""     # the bytes before the run now being read

    def read(self, size: int = -1) -> bytes:
        """Return up to ``size`` bytes (a bounded chunk when ``size`` is negative)."""
        data = self._raw.read(_CHUNK if size is None or size < 0 or size > _CHUNK else size)
        if not data:
            return data
        self._total += len(data)
        if self._total > self._limit:
            raise PartTooLarge()
        window = self._tail + data
        self._ordinal += window.count(b"<si>") + window.count(b"<si ") - \
            self._tail.count(b"<si>") - self._tail.count(b"<si ")
        last = data.rfind(b"<")
        if last < 0:
            self._run += len(data)
        else:
            first = data.find(b"<")
            if self._run + first > MAX_RUN_BYTES:
                raise RunTooLong(self._before, self._ordinal)
            # runs between two '<' of one chunk are shorter than the chunk, far below the limit
            self._run = len(data) - last - 1
            end = len(window) - len(data) + last
            self._before = window[max(0, end - 512):end]  # the tags before the current run
        if self._run > MAX_RUN_BYTES:
            raise RunTooLong(self._before, self._ordinal)
        self._tail = window[-512:]
        return data

    def close(self) -> None:
        """Close the part."""
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_workbook(path: Path) -> None:
    """Refuse a workbook that would make the reader hold more than its limits.

    Checks the declared inflated size of every part, then reads the shared-string table
    (which the reader holds whole) through :class:`GuardedStream`.

    Raises
    ------
    DataError
        One line naming the file and, for an over-long cell, its sheet and cell.

    Examples
    --------
    A workbook written by openpyxl passes; a shared-string table with a text run longer than
    any cell can be (here 1 MiB + 1 byte, deflated to a few kilobytes) is refused:

    >>> import tempfile
    >>> import openpyxl
    >>> folder = Path(tempfile.mkdtemp())
    >>> book = openpyxl.Workbook()
    >>> book.active.append(["ticket_id", "cost"])
    >>> book.save(folder / "fine.xlsx")
    >>> check_workbook(folder / "fine.xlsx") is None
    True
    >>> with zipfile.ZipFile(folder / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
    ...     archive.writestr("xl/sharedStrings.xml",
    ...                      "<sst><si><t>" + "x" * (MAX_RUN_BYTES + 1) + "</t></si></sst>")
    >>> check_workbook(folder / "bomb.xlsx")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.DataError: bomb.xlsx: a cell holds more than 1,048,576 bytes of text; a cell may hold at most 32,767 characters: shorten that cell or remove it (see data/README.md)
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the workbook reader says so in its own words
    with archive:
        for info in archive.infolist():
            limit = MAX_SHARED_STRINGS_BYTES if info.filename.endswith("sharedStrings.xml") else MAX_PART_BYTES
            if info.file_size > limit:
                raise _too_large(path, info.filename, info.file_size, limit)
        shared = [i for i in archive.infolist() if i.filename.lower().endswith("sharedstrings.xml")]
        for info in shared:
            try:
                with GuardedStream(archive.open(info), MAX_SHARED_STRINGS_BYTES) as stream:
                    while stream.read(_CHUNK):
                        pass
            except PartTooLarge:
                raise _too_large(path, info.filename, None, MAX_SHARED_STRINGS_BYTES) from None
            except RunTooLong as exc:
                where = _cell_of_shared_string(archive, exc.ordinal - 1)
                raise long_cell_error(path.name, where) from None
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise DataError(
                    f"{path.name}: cannot open the Excel workbook ({type(exc).__name__}); "
                    f"save it again as .xlsx or export its sheets as CSV ({_DOC})"
                ) from None


def _too_large(path: Path, part: str, size: int | None, limit: int) -> DataError:
    stated = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
    return DataError(
        f"{path.name}: the part {part} of the workbook unpacks to {stated} (the limit is "
        f"{limit:,}); the file is damaged or not an Excel workbook: save it again from "
        f"Excel or export the sheet as CSV ({_DOC})"
    )


def long_cell_error(label: str, where: str | None) -> DataError:
    """The one-line error for a cell too long to be read (``where``: its sheet and cell).

    Examples
    --------
    >>> print(long_cell_error("book.xlsx[tickets]", "row 5, cell K5"))
    book.xlsx[tickets]: row 5, cell K5: a cell holds more than 1,048,576 bytes of text; a cell may hold at most 32,767 characters: shorten that cell or remove it (see data/README.md)
    """
    at = f"{where}: " if where else ""
    return DataError(
        f"{label}: {at}a cell holds more than {MAX_RUN_BYTES:,} bytes of text; a cell may "
        f"hold at most {CELL_CHARS:,} characters: shorten that cell or remove it ({_DOC})"
    )


_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"')


def cell_before(tail: bytes) -> str | None:
    """The reference (``K5``) of the last cell opened in ``tail``, if any.

    Examples
    --------
    >>> cell_before(b'<row r="5"><c r="J5" t="s"><v>3</v></c><c r="K5" t="s"><v>')
    'K5'
    >>> cell_before(b"<sheetData>") is None
    True
    """
    refs = _CELL_REF.findall(tail)
    return refs[-1].decode("ascii") if refs else None


def _cell_of_shared_string(archive: zipfile.ZipFile, index: int) -> str | None:
    """``sheet 'tickets', cell K5``: the first cell that shows shared string ``index``."""
    sheets = _sheet_parts(archive)
    for name, part in sheets:
        try:
            with GuardedStream(archive.open(part), MAX_PART_BYTES) as stream:
                for _, element in ElementTree.iterparse(stream):
                    if element.tag.endswith("}c") and element.get("t") == "s":
                        value = next((child.text for child in element if child.tag.endswith("}v")), None)
                        if value is not None and value.strip() == str(index):
                            return f"sheet {name!r}, cell {element.get('r')}"
                        element.clear()
                    elif element.tag.endswith("}row"):
                        element.clear()
        except (PartTooLarge, RunTooLong, KeyError, ElementTree.ParseError, zipfile.BadZipFile):
            continue
    return None


def _sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) of every sheet, in workbook order; [] when unreadable."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml")[:MAX_RUN_BYTES * 8])
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels")[:MAX_RUN_BYTES * 8])
    except (KeyError, ElementTree.ParseError):
        return []
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = []
    for sheet in book.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        out.append((sheet.get("name"), part))
    return out


def formulas_without_value(archive: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    """(row, column) of every formula cell of a sheet that holds no calculated value.

    Programs that write workbooks without calculating them (openpyxl, pandas) store the
    formula alone; a reader of values sees an empty cell. The sheet is first scanned for
    a formula at all, so sheets without one are parsed once only.

    Returns
    -------
    set of (int, int)
        1-based sheet row and column numbers.

    Examples
    --------
    openpyxl stores the formula of B2 without calculating it:

    >>> import tempfile
    >>> import openpyxl
    >>> path = Path(tempfile.mkdtemp()) / "tickets.xlsx"
    >>> book = openpyxl.Workbook()
    >>> for row in (["ticket_id", "cost"], ["T1", "=2*60"], ["T2", 80]):
    ...     book.active.append(row)
    >>> book.save(path)
    >>> with zipfile.ZipFile(path) as archive:
    ...     formulas_without_value(archive, "xl/worksheets/sheet1.xml")
    {(2, 2)}
    """
    from openpyxl.utils.cell import coordinate_to_tuple

    with GuardedStream(archive.open(part), MAX_PART_BYTES) as stream:
        carry, found = b"", False
        while True:
            data = stream.read(_CHUNK)
            if not data:
                break
            window = carry + data
            if b"<f>" in window or b"<f " in window or b":f>" in window or b":f " in window:
                found = True
                break
            carry = window[-8:]
    if not found:
        return set()
    out = set()
    with GuardedStream(archive.open(part), MAX_PART_BYTES) as stream:
        for _, element in ElementTree.iterparse(stream):
            if element.tag.endswith("}c") or element.tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                value = children.get("v")
                if "f" in children and (value is None or not (value.text or "").strip()) \
                        and element.get("t") != "inlineStr" and element.get("r"):
                    out.add(coordinate_to_tuple(element.get("r")))
                element.clear()
            elif element.tag.endswith("}row"):
                element.clear()
    return out
