"""How a loaded dataset is held in memory, and the paths that keep large data small.

* id/text/period columns are pandas' Arrow-backed ``str`` dtype (NaN when missing);
* foreign keys and duplicate keys are still found exactly on that representation;
* Parquet tables are read when their turn comes, with the same account and quarantine;
* validated tables are freed as soon as the last reference goes (no reference cycle);
* DuckDB reads a large registered table through a private Parquet file, same results;
* a dataset handed to a notebook kernel maps its tables from Arrow files.

Expected values are written out by hand from the small inputs below.
"""
from __future__ import annotations

import gc
import weakref
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from perfmodel import dataset_from_frames, load_dataset
from perfmodel.indicators import engines
from perfmodel.data import validation
from perfmodel.core.errors import DataError
from perfmodel.data.parsing import TEXT_DTYPE
from perfmodel.data.readers import Source, read_source

SUPERVISORS = "supervisor_id,name,team\n007,王芳,华东\nS1,李雷,\nS2,Han Meimei,North\n"
TICKETS = (
    "ticket_id,supervisor_id,created_at,staff_id,resolved_at\n"
    "T1,007,2026-07-01T09:00:00,E01,2026-07-01T10:00:00\n"
    "T2,S1,2026-07-02T09:00:00,,2026-07-02T11:00:00\n"
    "T3,S9,2026-07-03T09:00:00,E02,\n"               # S9 is no supervisor
    "T1,S2,2026-07-04T09:00:00,E03,\n"               # duplicates row 1
    "T5,S2,2026-07-05T09:00:00,E04,2026-07-05T08:00:00\n"  # resolved before created
    "T6,S2,2026-07-06T09:00:00,E05,\n"
)
SURVEYS = "ticket_id,responded_at,overall\nT1,2026-07-02T09:00:00,5\nT3,2026-07-04T09:00:00,4\nT6,2026-07-07T09:00:00,3\n"


def write(folder: Path, **tables) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def quarantined(data) -> list[tuple]:
    return [(r.table, int(r.row), r.reason) for r in data.quarantine.itertuples()]


EXPECTED_QUARANTINE = [   # spreadsheet rows: the header is row 1
    ("tickets", 4, "supervisor_id 'S9' not in supervisors"),
    ("tickets", 5, "ticket_id 'T1' duplicates row 2"),
    ("tickets", 6, "resolved_at 2026-07-05 08:00:00 is before created_at 2026-07-05 09:00:00"),
    ("surveys", 3, "ticket_id 'T3' not in tickets"),  # its ticket was quarantined
]


# --------------------------------------------------------------------------- text dtype

def test_text_columns_are_arrow_backed_str_with_nan_for_missing(tmp_path):
    data = load_dataset(write(tmp_path / "d", supervisors=SUPERVISORS, tickets=TICKETS))
    sup, tickets = data["supervisors"], data["tickets"]
    for frame, column in [(sup, "supervisor_id"), (sup, "name"), (sup, "team"),
                          (tickets, "ticket_id"), (tickets, "staff_id")]:
        assert frame[column].dtype == TEXT_DTYPE, column
        assert isinstance(frame[column].array._pa_array, pa.ChunkedArray)  # Arrow, no objects
    assert sup["supervisor_id"].tolist() == ["007", "S1", "S2"]  # leading zero kept
    assert sup["name"].tolist() == ["王芳", "李雷", "Han Meimei"]
    team = sup["team"].tolist()
    assert team[0] == "华东" and isinstance(team[1], float) and np.isnan(team[1]) and team[2] == "North"
    staff = tickets["staff_id"].tolist()
    assert staff[0] == "E01" and isinstance(staff[1], float) and np.isnan(staff[1]) and staff[2] == "E05"
    # comparisons give plain numpy bools, missing compares False
    eq = tickets["staff_id"] == "E01"
    assert eq.dtype == bool and eq.tolist() == [True, False, False]


def test_frames_of_any_text_type_load_to_the_same_dtype():
    frames = {
        "supervisors": pd.DataFrame({"supervisor_id": [7, 8], "name": ["甲", None]}),  # numbers as ids
        "tickets": pd.DataFrame({"ticket_id": pd.array(["A", "B"], dtype="string"),
                                 "supervisor_id": pd.Series(["7", "8"], dtype=TEXT_DTYPE),
                                 "created_at": ["2026-07-01T09:00:00", "2026-07-02T09:00:00"]}),
    }
    data = dataset_from_frames(frames)
    assert data["supervisors"]["supervisor_id"].dtype == TEXT_DTYPE
    assert data["supervisors"]["supervisor_id"].tolist() == ["7"]  # row 2: the name is required
    assert data["tickets"]["ticket_id"].dtype == TEXT_DTYPE
    assert data["tickets"]["ticket_id"].tolist() == ["A"]  # supervisor 8 was quarantined
    assert [(t, row) for t, row, _ in quarantined(data)] == [("supervisors", 2), ("tickets", 2)]


# --------------------------------------------------------------------------- rules on Arrow text

def test_rules_and_account_hold_on_arrow_text(tmp_path):
    data = load_dataset(write(tmp_path / "d", supervisors=SUPERVISORS, tickets=TICKETS, surveys=SURVEYS))
    assert quarantined(data) == EXPECTED_QUARANTINE
    acc = {r.table: (r.rows_read, r.rows_used, r.rows_quarantined) for r in data.account.itertuples()}
    assert acc == {"supervisors": (3, 3, 0), "tickets": (6, 3, 3), "surveys": (3, 2, 1)}
    assert data["tickets"]["ticket_id"].tolist() == ["T1", "T2", "T6"]
    assert data["surveys"]["ticket_id"].tolist() == ["T1", "T6"]


def test_foreign_key_lookup_matches_set_membership():
    values = pd.Series(["a", "b", None, "d", "é"], dtype=TEXT_DTYPE)
    known = pd.Series(["d", "x", "a", "é"], dtype=TEXT_DTYPE)
    assert validation._isin(values, known).tolist() == [True, False, False, True, True]
    # object columns (a hand-built table) take pandas' path with the same answer
    assert validation._isin(values.astype(object), known.astype(object)).tolist() == \
        [True, False, False, True, True]


def test_foreign_key_lookup_by_hashes_is_exact(monkeypatch):
    values = pd.Series(["a", "b", None, "d", "é", "", "a"], dtype=TEXT_DTYPE)
    known = pd.Series(["d", "x", "a", "é"], dtype=TEXT_DTYPE)
    expected = [True, False, False, True, True, False, True]
    monkeypatch.setattr(validation, "_HASH_LOOKUP", 0)  # sorted hashes, as for many keys
    monkeypatch.setattr(validation, "_HASH_SLICE", 2)
    assert validation._isin(values, known).tolist() == expected
    # every text sharing one hash: the exact comparison alone decides
    monkeypatch.setattr(validation, "_hashes", lambda arr: np.zeros(len(arr), dtype=np.uint64))
    assert validation._isin(values, known).tolist() == expected


def test_duplicate_keys_are_found_across_hash_slices(tmp_path, monkeypatch):
    monkeypatch.setattr(validation, "_HASH_SLICE", 2)  # T1 (row 2) and T1 (row 5) in different slices
    data = load_dataset(write(tmp_path / "d", supervisors=SUPERVISORS, tickets=TICKETS))
    assert ("tickets", 5, "ticket_id 'T1' duplicates row 2") in quarantined(data)
    assert len(data["tickets"]) == 3


# --------------------------------------------------------------------------- Parquet read in turn

def test_parquet_tables_are_read_in_turn_with_the_same_result(tmp_path):
    csv = write(tmp_path / "csv", supervisors=SUPERVISORS, tickets=TICKETS, surveys=SURVEYS)
    folder = tmp_path / "parquet"
    folder.mkdir()
    for name in ("supervisors", "tickets", "surveys"):
        frame = pd.read_csv(csv / f"{name}.csv", dtype=str, keep_default_na=False)
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / f"{name}.parquet")
    raw = read_source(Source("tickets", folder / "tickets.parquet"), defer=True)
    assert raw.frame is None and raw.size == 6  # from the footer, cells not read yet
    assert raw.loaded().frame["ticket_id"].tolist() == ["T1", "T2", "T3", "T1", "T5", "T6"]
    data = load_dataset(folder)
    # the same rows, addressed by their position in the Parquet file (one less than the CSV's row)
    assert quarantined(data) == [(t, row - 1, reason.replace("duplicates row 2", "duplicates row 1"))
                                 for t, row, reason in EXPECTED_QUARANTINE]
    assert data.account["file"].tolist() == ["supervisors.parquet", "tickets.parquet", "surveys.parquet"]
    assert (data.account["rows_read"] == data.account["rows_used"] + data.account["rows_quarantined"]).all()


def test_a_broken_parquet_file_is_named(tmp_path):
    folder = write(tmp_path / "d", supervisors=SUPERVISORS)
    (folder / "tickets.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(DataError, match=r"^tickets\.parquet: cannot read the Parquet file \("):
        load_dataset(folder)


# --------------------------------------------------------------------------- freed without gc

def test_validated_tables_are_freed_without_the_garbage_collector(tmp_path):
    folder = write(tmp_path / "d", supervisors=SUPERVISORS, tickets=TICKETS, surveys=SURVEYS)
    gc.collect()
    gc.disable()
    try:
        data = load_dataset(folder)
        refs = {name: weakref.ref(frame) for name, frame in data.tables.items()}
        column = weakref.ref(data["tickets"]["ticket_id"])
        del data
        assert {name: ref() is None for name, ref in refs.items()} == {n: True for n in refs}
        assert column() is None
    finally:
        gc.enable()


# --------------------------------------------------------------------------- DuckDB through a file

def test_large_registered_tables_go_through_a_private_file(tmp_path, monkeypatch):
    frame = pd.DataFrame({
        "k": pd.Series(["a", "b", None, "b"], dtype=TEXT_DTYPE),
        "t": pd.to_datetime(["2026-07-01 09:00:00.123456789", None, "2026-07-02 00:00:00", "2026-07-03 00:00:00"], format="ISO8601"),
        "x": [1.5, np.nan, 2.0, 4.0],
        "f": pd.array([True, None, False, True], dtype="boolean"),
    })
    monkeypatch.setattr(engines, "FILE_ROWS", 3)
    monkeypatch.setattr(engines, "_FILE_ROW_GROUP", 3)  # written in two slices
    eng = engines.connect("duckdb")
    table = eng.register("t", frame)
    folder = eng.__dict__["_folder"]
    assert sorted(p.name for p in (folder / "t").iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
    assert (folder.stat().st_mode & 0o777) == 0o700
    got = eng.execute(table.group_by("k").aggregate(n=table.count(), x=table.x.sum(), t=table.t.max(),
                                                    f=table.f.cast("int64").sum()).order_by("k"))
    assert got["k"].tolist()[:2] == ["a", "b"] and pd.isna(got["k"].iloc[2])
    assert got["n"].tolist() == [1, 2, 1]
    assert got["x"].tolist()[:2] == [1.5, 4.0]  # NaN is missing
    # nanoseconds cut to microseconds, as for an in-memory table
    assert got["t"].tolist()[:2] == [pd.Timestamp("2026-07-01 09:00:00.123456"), pd.Timestamp("2026-07-03")]
    assert got["f"].tolist()[:2] == [1, 1]
    eng.close()
    del eng, table
    assert not folder.exists()


def test_indicators_are_the_same_through_the_file(monkeypatch):
    from perfmodel.indicators import compute_indicators

    data = load_dataset(Path(__file__).resolve().parents[2] / "data" / "sample")
    in_memory = compute_indicators(data, "2026Q3")
    monkeypatch.setattr(engines, "FILE_ROWS", 1)  # every table through a file
    through_files = compute_indicators(data, "2026Q3")
    pd.testing.assert_frame_equal(in_memory, through_files)


def test_registering_some_columns_leaves_the_others_out(monkeypatch):
    frame = pd.DataFrame({"a": pd.Series(["x", "y", "z", "x"], dtype=TEXT_DTYPE), "b": [1.0, 2.0, 3.0, 4.0],
                          "secret": pd.Series(["p", "q", "r", "s"], dtype=TEXT_DTYPE)})
    for rows in (10, 2):  # in memory, then through files
        monkeypatch.setattr(engines, "FILE_ROWS", rows)
        monkeypatch.setattr(engines, "_FILE_ROW_GROUP", 3)
        eng = engines.connect("duckdb")
        table = eng.register("t", frame, columns=["a", "b"])
        assert table.columns == ("a", "b")
        got = eng.execute(table.group_by("a").aggregate(b=table.b.sum()).order_by("a"))
        assert got["b"].tolist() == [5.0, 2.0, 3.0]
        eng.close()
