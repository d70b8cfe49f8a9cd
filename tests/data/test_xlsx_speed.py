"""Loading Excel workbooks: each workbook is opened once per load and closed afterwards.

Opening a workbook parses its shared-string table (every text cell of every sheet), so a
load must not open it once per sheet. These tests count the openings and check that every
workbook opened is closed when the load ends, with or without an error. They are
functional, not timed (the timings are measured by hand, see the commit message).
"""
from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from perfmodel import load_dataset
from perfmodel.data import readers
from perfmodel.core.errors import DataError

SUPERVISORS = [["supervisor_id", "name", "team"],
               ["007", "张伟", "华东一组"],
               ["S2", "Li Na", "NA"]]
TICKETS = [["ticket_id", "supervisor_id", "created_at", "cost"],
           ["T1", "007", "2026-07-05 09:00", "12.5"],
           ["T2", "S2", "2026年7月6日 10:30", "¥1,234.5"],
           ["T3", "S2", "2026/7/7", ""]]
NOTES = [["说明"], ["本工作簿为测试数据"]]


def _book(path, sheets: dict) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    book.save(path)


@pytest.fixture
def opened(monkeypatch):
    """Record every workbook openpyxl opens: (path name, book) in order."""
    seen = []
    real = openpyxl.load_workbook

    def counting(filename, *args, **kwargs):
        book = real(filename, *args, **kwargs)
        seen.append((getattr(filename, "name", str(filename)).rsplit("/", 1)[-1], book))
        return book

    monkeypatch.setattr(openpyxl, "load_workbook", counting)
    return seen


def _closed(book) -> bool:
    # a read-only workbook keeps its zip archive (and the file handle) open until close()
    return book._archive.fp is None


def test_one_workbook_of_three_sheets_is_opened_once_and_closed(tmp_path, opened):
    _book(tmp_path / "售后数据.xlsx", {"supervisors": SUPERVISORS, "Tickets": TICKETS, "说明": NOTES})
    data = load_dataset(tmp_path)
    # before: once to list the sheets plus once per table sheet = 3
    assert [name for name, _ in opened] == ["售后数据.xlsx"]
    assert all(_closed(book) for _, book in opened)
    # the cells are those of the sheets, as from CSV
    sup = data["supervisors"]
    assert list(sup["supervisor_id"]) == ["007", "S2"]
    assert list(sup["name"]) == ["张伟", "Li Na"]
    assert list(sup["team"]) == ["华东一组", "NA"]
    t = data["tickets"].set_index("ticket_id")
    assert list(t["created_at"]) == [pd.Timestamp("2026-07-05 09:00"), pd.Timestamp("2026-07-06 10:30"),
                                     pd.Timestamp("2026-07-07 00:00")]
    assert t.loc["T1", "cost"] == 12.5 and t.loc["T2", "cost"] == 1234.5 and pd.isna(t.loc["T3", "cost"])
    assert data.account.set_index("table")["file"].to_dict() == {
        "supervisors": "售后数据.xlsx[supervisors]", "tickets": "售后数据.xlsx[Tickets]"}


def test_two_workbooks_are_each_opened_once(tmp_path, opened):
    _book(tmp_path / "people.xlsx", {"supervisors": SUPERVISORS})
    _book(tmp_path / "tickets.xlsx", {"Sheet1": TICKETS})  # a workbook named after its table
    data = load_dataset(tmp_path)
    assert sorted(name for name, _ in opened) == ["people.xlsx", "tickets.xlsx"]
    assert all(_closed(book) for _, book in opened)
    assert len(data["tickets"]) == 3


def test_workbooks_are_closed_when_the_load_fails(tmp_path, opened):
    bad = [["ticket_id", "ticket_id"], ["T1", "T1"]]
    _book(tmp_path / "book.xlsx", {"supervisors": SUPERVISORS, "tickets": bad})
    with pytest.raises(DataError, match=r"^book\.xlsx\[tickets\]: column 'ticket_id' appears twice"):
        load_dataset(tmp_path)
    assert [name for name, _ in opened] == ["book.xlsx"]
    assert _closed(opened[0][1])


def test_workbook_closed_when_a_mandatory_table_is_missing(tmp_path, opened):
    _book(tmp_path / "book.xlsx", {"supervisors": SUPERVISORS})
    with pytest.raises(DataError, match="no tickets table"):
        load_dataset(tmp_path)
    assert len(opened) == 1 and _closed(opened[0][1])


def test_no_file_handle_outlives_a_load(tmp_path):
    import os

    fd_dir = "/proc/self/fd"
    if not os.path.isdir(fd_dir):
        pytest.skip("needs /proc to list open files")
    path = tmp_path / "book.xlsx"
    _book(path, {"supervisors": SUPERVISORS, "tickets": TICKETS})

    def handles():
        out = 0
        for fd in os.listdir(fd_dir):
            try:
                out += os.readlink(os.path.join(fd_dir, fd)) == str(path)
            except OSError:
                continue
        return out

    load_dataset(tmp_path)
    assert handles() == 0


def test_outside_a_load_each_call_opens_and_closes(tmp_path, opened):
    path = tmp_path / "book.xlsx"
    _book(path, {"supervisors": SUPERVISORS, "tickets": TICKETS})
    assert readers.workbook_sheets(path) == ["supervisors", "tickets"]
    raw = readers.read_sheet(readers.Source("tickets", path, "tickets"))
    assert list(raw.frame["ticket_id"]) == ["T1", "T2", "T3"]
    assert list(raw.rows) == [2, 3, 4]   # sheet rows: the header is row 1
    assert len(opened) == 2 and all(_closed(b) for _, b in opened)


def test_open_workbooks_shares_one_book_and_nests(tmp_path, opened):
    path = tmp_path / "book.xlsx"
    _book(path, {"supervisors": SUPERVISORS, "tickets": TICKETS})
    with readers.open_workbooks():
        assert readers.workbook_sheets(path) == ["supervisors", "tickets"]
        with readers.open_workbooks():  # an inner block leaves the book open for the outer one
            readers.read_sheet(readers.Source("supervisors", path, "supervisors"))
        assert not _closed(opened[0][1])
        raw = readers.read_sheet(readers.Source("tickets", path, "tickets"))
    assert len(opened) == 1 and _closed(opened[0][1])
    assert list(raw.frame["supervisor_id"]) == ["007", "S2", "S2"]
