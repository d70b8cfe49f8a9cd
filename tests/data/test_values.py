"""Values that real exports contain and that must neither crash nor stretch the data (issue 17).

The expected reasons and spans are worked out by hand from the files that
tests/fixtures/bad/make_corpus.py writes.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from perfmodel import load_dataset
from perfmodel.data.loader import dataset_from_frames
from perfmodel.core.periods import data_span
from perfmodel.data.plausible import DateWindow

BAD = Path(__file__).parents[1] / "fixtures" / "bad"


def rows(data, table=None):
    q = data.quarantine if table is None else data.quarantine[data.quarantine["table"] == table]
    return [(r.table, int(r.row), r.column, r.reason) for r in q.itertuples()]


def _window(lo, hi="2027-03-31"):
    return f"is outside the plausible window {lo}..{hi} (a typo? see data/README.md)"


def test_dates_outside_the_plausible_window_are_quarantined():
    data = load_dataset(BAD / "implausible_dates")
    # newest ticket: T3 2026-03-31T23:59:59, so the window ends 2027-03-31
    assert rows(data) == [
        ("staff", 2, "hired_on", "hired_on: 1949-12-31 00:00:00 " + _window("1950-01-01")),
        ("staff", 4, "left_on", "left_on: 2027-04-01 00:00:00 " + _window("2000-01-01")),
        ("tickets", 5, "created_at", "created_at: 1900-01-01 09:00:00 " + _window("2000-01-01")),
        ("tickets", 6, "resolved_at", "resolved_at: 2099-01-01 10:00:00 " + _window("2000-01-01")),
        ("surveys", 3, "responded_at", "responded_at: 2036-02-11 10:00:00 " + _window("2000-01-01")),
    ]
    assert list(data.tables["staff"]["staff_id"]) == ["E2"]  # hired 1950-01-01: the first day passes


def test_a_typo_date_no_longer_stretches_the_data_span():
    data = load_dataset(BAD / "implausible_dates")
    # earliest event: T1 created 2026-01-05 09:00; latest: E2 left 2027-03-31 (the last day)
    assert data_span(data) == (pd.Timestamp("2026-01-05 09:00"), pd.Timestamp("2027-03-31"))


def _frames(created):
    return {"supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["张三"]}),
            "tickets": pd.DataFrame({"ticket_id": [f"T{i}" for i in range(len(created))],
                                     "supervisor_id": "S1", "created_at": created})}


def test_the_window_is_configurable():
    created = ["1998-06-01", "2026-01-05", "2026-02-01"]
    default = dataset_from_frames(_frames(created))
    assert default.account["rows_quarantined"].tolist() == [0, 1]
    wider = dataset_from_frames(_frames(created), window=DateWindow(earliest="1990-01-01"))
    assert wider.account["rows_quarantined"].tolist() == [0, 0]
    assert data_span(wider)[0] == pd.Timestamp("1998-06-01")
    # no upper end: a resolution in 2099 passes
    frames = _frames(created[1:])
    frames["tickets"]["resolved_at"] = ["2099-01-01", None]
    assert dataset_from_frames(frames, window=DateWindow(years_ahead=None)).quarantine.empty
    assert len(dataset_from_frames(frames).quarantine) == 1


# --------------------------------------------------------------------------- item 3: values that crashed

DATE = "as a date like 2026-03-31"
SPAN = "lies outside the dates perfmodel can hold (1677-09-22 to 2262-04-11); correct the year in the source"


def test_far_dates_and_periods_are_quarantined_and_the_open_end_is_no_end():
    data = load_dataset(BAD / "far_dates")
    assert rows(data) == [
        ("staff", 4, "left_on", f"left_on: '0001-01-01' {SPAN}"),
        ("staff", 5, "hired_on", f"hired_on: '0001-01-01' {SPAN}"),
        ("staff", 6, "hired_on", f"hired_on: '9999-12-31' {SPAN}"),
        ("budgets", 2, "period", "period: cannot read '0000Q1' as a period like 2026Q3 or 2026-09"),
        ("budgets", 3, "period", "period: cannot read '9999Q4' as a period like 2026Q3 or 2026-09"),
    ]
    staff = data.tables["staff"]
    assert list(staff["staff_id"]) == ["E1", "E2"] and staff["left_on"].isna().all()
    customers = data.tables["customers"]
    assert customers["churned_on"].isna().tolist() == [True, False]


def test_far_parquet_timestamps_are_quarantined_and_the_open_end_is_no_end():
    data = load_dataset(BAD / "far_dates_parquet")
    assert [(t, r, c) for t, r, c, _ in rows(data)] == [("staff", 2, "hired_on"), ("staff", 4, "hired_on")]
    staff = data.tables["staff"]
    assert list(staff["staff_id"]) == ["E1", "E3"] and staff["left_on"].isna().all()


def test_the_largest_excel_serial_is_no_end_or_unreadable():
    data = load_dataset(BAD / "far_dates_xlsx")
    assert rows(data) == [("customers", 3, "since", f"since: cannot read '2958465' {DATE}")]
    customers = data.tables["customers"]
    # serial 45000 is 2023-03-15 (days since 1899-12-30)
    assert customers["since"].tolist() == [pd.Timestamp("2023-03-15")] * 2
    assert customers["churned_on"].isna().tolist() == [True, False]


def _cli(*args):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root / "src"))
    return subprocess.run([sys.executable, "-m", "perfmodel", *args], capture_output=True, text=True,
                          env=env, cwd=root, timeout=300)


import pytest  # noqa: E402


@pytest.mark.parametrize("args, message", [
    (["score", "--data", "data/sample", "--policy", "quality", "--period", "0000Q1"],
     "period '0000Q1': year 0 is outside 1678..2261"),
    (["score", "--data", "data/sample", "--policy", "quality", "--period", "9999Q4"],
     "period '9999Q4': year 9999 is outside 1678..2261"),
    (["report", "--data", "data/sample", "--policy", "quality", "--notebook", "feedback",
      "--as-of", "0001-01-01", "--out", "unused"],
     "--as-of '0001-01-01': outside the dates that can be computed (1678-01-01 to 2261-12-31)"),
])
def test_far_arguments_are_refused_in_one_line(args, message):
    done = _cli(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr


# --------------------------------------------------------------------------- item 7: look-alike ids

def _looks(column, shown, normal):
    return (f"{column}: '{shown}' only looks like '{normal}' (full-width or invisible characters); "
            f"retype it as '{normal}'")


def test_lookalike_ids_are_quarantined_naming_the_id_they_imitate():
    data = load_dataset(BAD / "lookalike_ids")
    assert rows(data) == [
        ("supervisors", 5, "supervisor_id", _looks("supervisor_id", "\uff33\uff11", "S1")),
        ("supervisors", 6, "supervisor_id", _looks("supervisor_id", "S1\\u200b", "S1")),
        ("tickets", 5, "supervisor_id", _looks("supervisor_id", "\uff33\uff11", "S1")),
        ("tickets", 6, "ticket_id", _looks("ticket_id", "T\uff15", "T5")),
    ]
    # the genuine S1 keeps its one name; the impostors are nowhere in the tables
    sup = data.tables["supervisors"]
    assert sorted(sup["supervisor_id"]) == ["007", "S1", "S2"]
    assert sup.loc[sup["supervisor_id"] == "S1", "name"].tolist() == ["李娜"]


def test_ids_in_chinese_or_plain_ascii_are_not_lookalikes():
    frames = {"supervisors": pd.DataFrame({"supervisor_id": ["王芳01", "S1", "s1"], "name": ["a", "b", "c"]}),
              "tickets": pd.DataFrame({"ticket_id": ["工单1"], "supervisor_id": ["王芳01"],
                                       "created_at": ["2026-01-05"]})}
    assert dataset_from_frames(frames).quarantine.empty


# --------------------------------------------------------------------------- items 11 and 5: huge cells

def test_a_20_mb_csv_field_is_refused_naming_file_row_and_column(tmp_path):
    import shutil

    shutil.copy(BAD / "implausible_dates" / "supervisors.csv", tmp_path)
    header = "ticket_id,supervisor_id,created_at,cost"
    cell = "9" * (20 << 20)
    (tmp_path / "tickets.csv").write_text(
        f"{header}\nT1,007,2026-01-05 09:00,1\nT2,S1,2026-02-10 14:00,{cell}\n", encoding="utf-8")
    done = _cli("indicators", "--data", str(tmp_path), "--out", str(tmp_path / "out.csv"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == [f"perfmodel: error: tickets.csv: row 3, column cost: a cell holds {20 << 20:,} "
                     "characters, more than the 1,048,576 the reader takes; a cell may hold at most "
                     "32,767 characters (as in Excel): shorten that cell or remove it (see data/README.md)"]
    assert not (tmp_path / "out.csv").exists()


def test_the_record_of_a_huge_quarantined_cell_is_cut_stating_its_length():
    import json

    frames = _frames(["2026-01-05", "x" * 50_000])
    data = dataset_from_frames(frames)
    (record,) = data.quarantine["record"]
    cell = json.loads(record)["created_at"]
    assert cell == "x" * 1000 + "... [cut: 50,000 characters in all]"
    assert len(record) < 1200
