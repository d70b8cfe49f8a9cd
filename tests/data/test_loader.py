"""The dataset loader against the broken-input corpus in tests/fixtures/bad/ (SPEC §1).

Every expectation below was written by reading the input files by hand: which rows break
which rule, the message a user sees, and the row account.
"""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfmodel import dataset_from_frames, load_dataset
from perfmodel.core.errors import DataError, UsageError
from perfmodel.data.parsing import TEXT_DTYPE

BAD = Path(__file__).parents[1] / "fixtures" / "bad"

SUPERVISOR_IDS = ["007", "S1", "S2"]
TS = "an ISO 8601 date-time like 2026-03-31T14:05:00"
BOOL = "true/false, 1/0, yes/no or 是/否"


def load(case: str):
    return load_dataset(BAD / case)


def quarantined(data, table=None) -> list[tuple]:
    q = data.quarantine
    if table is not None:
        q = q[q["table"] == table]
    return [(r.table, int(r.row), r.column, r.reason) for r in q.itertuples()]


def account(data) -> dict[str, tuple]:
    return {r.table: (r.file, r.rows_read, r.rows_used, r.rows_quarantined)
            for r in data.account.itertuples()}


def assert_balanced(data) -> None:
    acc = data.account
    assert (acc["rows_read"] == acc["rows_used"] + acc["rows_quarantined"]).all()
    for r in acc.itertuples():
        assert len(data.tables[r.table]) == r.rows_used
        assert (data.quarantine["table"] == r.table).sum() == r.rows_quarantined
    # a row is quarantined once, however many rules it breaks
    assert not data.quarantine.duplicated(["table", "row"]).any()


# --------------------------------------------------------------------------- files that load

def test_gbk_file_reads_the_same_as_utf8():
    data = load("gbk_encoding")
    sup = data["supervisors"]
    assert sup["supervisor_id"].tolist() == SUPERVISOR_IDS
    assert sup["name"].tolist() == ["王芳", "李娜", "Zhang Wei"]
    assert sup["team"].tolist() == ["华东一组", "华南一组", "North"]
    assert sup["region"].tolist() == ["华东", "华南", "华北"]
    assert data.quarantine.empty
    assert_balanced(data)


def test_utf8_bom_is_not_part_of_the_first_column_name():
    data = load("bom_utf8")
    assert list(data["supervisors"].columns) == ["supervisor_id", "name", "team", "region"]
    assert data["supervisors"]["supervisor_id"].tolist() == SUPERVISOR_IDS
    assert data["tickets"]["ticket_id"].tolist() == ["T1", "T2", "T3"]
    assert account(data) == {"supervisors": ("supervisors.csv", 3, 3, 0),
                             "tickets": ("tickets.csv", 3, 3, 0)}


def test_types_of_a_loaded_table():
    t = load("bom_utf8")["tickets"]
    assert list(t.columns) == ["ticket_id", "supervisor_id", "created_at", "staff_id", "customer_id",
                               "first_response_at", "resolved_at", "due_at", "is_complaint",
                               "reopened", "cost"]
    assert t["ticket_id"].dtype == TEXT_DTYPE and t["supervisor_id"].tolist() == ["007", "S1", "S2"]
    for col in ("created_at", "first_response_at", "resolved_at", "due_at"):
        assert t[col].dtype == "datetime64[ns]"
    assert t["is_complaint"].dtype == "boolean"
    assert t["is_complaint"].tolist() == [False, True, True]  # false, true, 是
    assert t["reopened"].dtype == "float64" and t["cost"].dtype == "float64"
    assert t["cost"].tolist() == [120.5, 80.0, 0.0]
    assert t["created_at"].tolist() == [pd.Timestamp("2026-01-05 09:00:00"),
                                        pd.Timestamp("2026-02-10 14:00:00"),
                                        pd.Timestamp("2026-03-31 23:59:59")]
    assert pd.isna(t.loc[2, "staff_id"]) and pd.isna(t.loc[1, "reopened"])
    assert t["resolved_at"].isna().tolist() == [False, True, True]


def test_timestamps_with_an_offset_become_shanghai_local_time():
    t = load("timestamps_with_offsets")["tickets"]
    # 01:00Z = 09:00 +08:00; 16:30+00:00 on 31 March = 00:30 on 1 April (next quarter);
    # 09:00-05:00 = 14:00Z = 22:00 +08:00
    assert t["created_at"].tolist() == [pd.Timestamp("2026-01-05 09:00"), pd.Timestamp("2026-04-01 00:30"),
                                        pd.Timestamp("2026-01-05 22:00")]
    assert t["first_response_at"][0] == pd.Timestamp("2026-01-05 09:30")
    assert t["created_at"].dt.tz is None


def test_timestamps_with_an_offset_in_another_time_zone():
    t = load_dataset(BAD / "timestamps_with_offsets", timezone="Europe/Berlin")["tickets"]
    # winter time: Berlin is UTC+1
    assert t["created_at"].tolist() == [pd.Timestamp("2026-01-05 02:00"), pd.Timestamp("2026-03-31 18:30"),
                                        pd.Timestamp("2026-01-05 15:00")]


def test_unknown_time_zone_is_a_usage_error():
    with pytest.raises(UsageError, match="Mars/Olympus"):
        load_dataset(BAD / "bom_utf8", timezone="Mars/Olympus")


def test_chinese_names_and_records_stay_readable():
    data = load("chinese_names")
    assert data["supervisors"]["name"].tolist()[-1] == "欧阳娜娜"
    assert data["supervisors"]["team"].tolist()[-1] == "售后服务部·二组"
    assert quarantined(data) == [("tickets", 3, "supervisor_id", "supervisor_id 'S4' not in supervisors")]
    record = data.quarantine["record"].iloc[0]
    assert "否" in record  # ensure_ascii=False: the raw text, not \u escapes
    assert json.loads(record) == {
        "ticket_id": "T2", "supervisor_id": "S4", "created_at": "2026-01-05T09:00:00", "staff_id": None,
        "customer_id": None, "first_response_at": None, "resolved_at": None, "due_at": None,
        "is_complaint": "否", "reopened": "0", "cost": "10"}
    assert data.quarantine["file"].tolist() == ["tickets.csv"]
    assert_balanced(data)


def test_boolean_words():
    data = load("booleans")
    f = data["followups"]
    assert f["reached"].tolist() == [True, True, True, True]      # 是, YES, 1, True
    assert f["positive"].tolist()[:3] == [False, False, False]     # 否, No, 0
    assert pd.isna(f["positive"].tolist()[3])                      # empty = missing
    assert quarantined(data) == [
        ("followups", 6, "reached", f"reached: cannot read 'maybe' as {BOOL}"),
        ("followups", 7, "positive", f"positive: cannot read '2' as {BOOL}"),
    ]
    assert account(data)["followups"] == ("followups.csv", 6, 4, 2)
    assert_balanced(data)


def test_windows_line_ends_quoted_commas_and_line_breaks_and_blanks():
    data = load("crlf_quotes_blanks")
    sup = data["supervisors"]
    assert sup["supervisor_id"].tolist() == ["007", "S1", "S2"]        # ' S1 ' stripped
    assert sup["name"].tolist() == ["王芳", "李\r\n娜", "Zhang Wei"]    # a line break inside quotes
    assert sup["team"].tolist()[0] == "华东一组, 二部"
    assert pd.isna(sup["team"].tolist()[1])                            # blanks only = missing
    assert sup["region"].tolist() == ["华东", "华南", "华北"]            # no stray \r
    assert account(data)["supervisors"] == ("supervisors.csv", 3, 3, 0)


def test_header_only_optional_table_is_present_and_empty():
    data = load("header_only_optional")
    assert data.has("audits") and len(data["audits"]) == 0
    assert list(data["audits"].columns) == ["supervisor_id", "audited_on", "items_checked", "violations"]
    assert account(data)["audits"] == ("audits.csv", 0, 0, 0)


def test_absent_optional_tables_are_absent():
    data = load("bom_utf8")
    assert sorted(data.tables) == ["supervisors", "tickets"]
    assert not data.has("surveys")
    assert data.source == BAD / "bom_utf8"
    assert data.files == {"supervisors": BAD / "bom_utf8" / "supervisors.csv",
                          "tickets": BAD / "bom_utf8" / "tickets.csv"}


def test_xlsx_sheets():
    data = load("xlsx_sheets")
    sup = data["supervisors"]
    # "007" typed as text keeps its zeros; the number 1 typed into Excel becomes "1"; the
    # blank row is skipped but counts in the row numbers
    assert sup["supervisor_id"].tolist() == ["007", "1", "S2"]
    assert sup["name"].tolist() == ["王芳", "李娜", "Zhang Wei"]
    t = data["tickets"]  # sheet "Tickets": names match in any case
    assert t["ticket_id"].tolist() == ["T1", "T2"]
    assert t["supervisor_id"].tolist() == ["007", "1"]
    assert t["created_at"].tolist() == [pd.Timestamp("2026-01-05 09:00"), pd.Timestamp("2026-02-10 14:00")]
    assert t["is_complaint"].tolist() == [True, False]
    assert t["cost"].tolist() == [120.5, 80.0]
    assert quarantined(data) == [(
        "tickets", 4, "cost; resolved_at",   # sheet row 4 (header row 1)
        "cost: cannot read 'abc' as a number; "
        "resolved_at 2026-03-01 00:00:00 is before created_at 2026-03-31 23:59:59")]
    # the blank row is not a data row: 3 read
    assert account(data) == {"supervisors": ("perf.xlsx[supervisors]", 3, 3, 0),
                             "tickets": ("perf.xlsx[Tickets]", 3, 2, 1)}
    assert_balanced(data)


def test_parquet_keeps_its_types_and_is_validated():
    data = load("parquet_tables")
    t = data["tickets"]
    assert t["ticket_id"].tolist() == ["T1", "T2"]
    assert t["reopened"].tolist() == [0.0, 1.0]
    assert t["is_complaint"].tolist() == [False, True]
    # 02:00 UTC stored with a zone = 10:00 Shanghai
    assert t["resolved_at"][0] == pd.Timestamp("2026-01-06 10:00")
    assert quarantined(data) == [("tickets", 3, "cost", "cost: '-1' is outside the range >= 0")]  # position
    assert account(data)["tickets"] == ("tickets.parquet", 3, 2, 1)


# --------------------------------------------------------------------------- rows quarantined

@pytest.mark.parametrize("case, expected, acc", [
    ("duplicate_ids", [
        ("tickets", 4, "ticket_id", "ticket_id 'T2' duplicates row 3"),
        ("tickets", 5, "ticket_id", "ticket_id 'T2' duplicates row 3"),
    ], {"tickets": ("tickets.csv", 4, 2, 2)}),
    ("resolved_before_created", [
        ("tickets", 2, "resolved_at",
         "resolved_at 2026-01-05 08:59:59 is before created_at 2026-01-05 09:00:00"),
        ("tickets", 4, "first_response_at",
         "first_response_at 2026-01-04 09:00:00 is before created_at 2026-01-05 09:00:00"),
    ], {"tickets": ("tickets.csv", 3, 1, 2)}),  # row 2: resolved at the same instant is fine
    ("scores_out_of_range", [
        ("surveys", 3, "overall", "overall: '6' is outside the range 1..5"),
        ("surveys", 4, "attitude; speed",
         "attitude: '0' is outside the range 1..5; speed: '5.5' is outside the range 1..5"),
    ], {"surveys": ("surveys.csv", 3, 1, 2)}),
    ("unknown_supervisor", [
        ("tickets", 3, "supervisor_id", "supervisor_id '7' not in supervisors"),  # '007' != '7'
        ("tickets", 4, "supervisor_id", "supervisor_id 'S9' not in supervisors"),
        ("surveys", 3, "ticket_id", "ticket_id 'T3' not in tickets"),  # its ticket was quarantined
    ], {"tickets": ("tickets.csv", 3, 1, 2), "surveys": ("surveys.csv", 2, 1, 1)}),
    ("parent_quarantined", [
        ("supervisors", 5, "name", "name: required value is empty"),
        ("tickets", 2, "supervisor_id", "supervisor_id 'S9' not in supervisors"),
    ], {"supervisors": ("supervisors.csv", 4, 3, 1), "tickets": ("tickets.csv", 2, 1, 1)}),
    ("unparseable_dates", [
        ("staff", 3, "hired_on", "hired_on: cannot read '01/03/2025' as a date like 2026-03-31"),
        ("staff", 4, "left_on", "left_on 2025-02-28 00:00:00 is before hired_on 2025-03-01 00:00:00"),
        ("tickets", 2, "created_at", "created_at: '2026/13/05 09:00' is not a valid date: month 13 is out of range (1..12)"),
        ("tickets", 3, "created_at", f"created_at: cannot read 'yesterday' as {TS}"),
        ("tickets", 4, "created_at",
         "created_at: '2026-02-30T09:00:00' is not a valid date: day 30 is out of range (1..28, 2026-02 has 28 days)"),
        ("tickets", 5, "due_at", "due_at: '2026-01-07T25:00:00' is not a valid date: hour 25 is out of range (0..23)"),
    ], {"staff": ("staff.csv", 3, 1, 2), "tickets": ("tickets.csv", 4, 0, 4)}),
    ("negative_cost", [
        ("tickets", 2, "cost", "cost: '-5' is outside the range >= 0"),
        ("tickets", 3, "reopened", "reopened: '-1' is outside the range >= 0"),
        ("tickets", 4, "cost", "cost: cannot read 'abc' as a number"),
    ], {"tickets": ("tickets.csv", 4, 1, 3)}),  # row 4: 1e3 is a number
    ("required_values_empty", [
        ("tickets", 2, "created_at", "created_at: required value is empty"),
        ("tickets", 3, "ticket_id", "ticket_id: required value is empty"),
        ("tickets", 4, "supervisor_id; created_at",
         "supervisor_id: required value is empty; created_at: required value is empty"),
    ], {"tickets": ("tickets.csv", 3, 0, 3)}),
    ("several_rules_one_row", [
        ("tickets", 3, "is_complaint; resolved_at; cost; ticket_id; supervisor_id",
         f"is_complaint: cannot read 'maybe' as {BOOL}; "
         "resolved_at 2026-01-01 00:00:00 is before created_at 2026-01-05 09:00:00; "
         "cost: '-3' is outside the range >= 0; "
         "ticket_id 'T1' duplicates row 2; "
         "supervisor_id 'S9' not in supervisors"),
    ], {"tickets": ("tickets.csv", 2, 1, 1)}),
    ("audits_violations", [
        ("audits", 3, "violations", "violations '21' is above items_checked '20'"),
        ("audits", 4, "items_checked", "items_checked: '0' is outside the range >= 1"),
    ], {"audits": ("audits.csv", 3, 1, 2)}),
    ("training_unknown_staff", [
        ("training", 3, "staff_id", "staff_id 'E2' not in staff"),
        ("training", 4, "pre_score", "pre_score: '101' is outside the range 0..100"),
    ], {"staff": ("staff.csv", 1, 1, 0), "training": ("training.csv", 3, 1, 2)}),
    ("bad_period", [
        ("budgets", 3, "period", "period: cannot read '2026Q5' as a period like 2026Q3 or 2026-09"),
        ("budgets", 4, "budget", "budget: '-1' is outside the range >= 0"),
    ], {"budgets": ("budgets.csv", 3, 1, 2)}),
    ("extra_columns", [
        ("supervisors", 5, "supervisor_id", "supervisor_id 'S2' duplicates row 4"),
    ], {"supervisors": ("supervisors.csv", 4, 3, 1)}),
    # tickets created T1 2026-01-05 09:00:00, T2 2026-02-10 14:00:00, T3 2026-03-31 23:59:59;
    # T4 belongs to no supervisor
    ("events_before_ticket", [
        ("tickets", 5, "supervisor_id", "supervisor_id 'S9' not in supervisors"),
        ("surveys", 2, "responded_at",   # one second early
         "responded_at 2026-01-05 08:59:59 is before its ticket's created_at 2026-01-05 09:00:00"),
        # row 2: answered at the very instant of creation is fine
        ("surveys", 4, "responded_at",   # 15:59:58Z = 23:59:58 in Shanghai
         "responded_at 2026-03-31 23:59:58 is before its ticket's created_at 2026-03-31 23:59:59"),
        ("surveys", 5, "ticket_id", "ticket_id 'T9' not in tickets"),   # no second reason
        ("surveys", 6, "ticket_id", "ticket_id 'T4' not in tickets"),   # its ticket was quarantined
        ("followups", 2, "called_at",
         "called_at 2026-01-04 10:00:00 is before its ticket's created_at 2026-01-05 09:00:00"),
        # row 2: called at the instant of creation; row 4: called after
        ("followups", 4, "called_at",    # 2026年2月10日 is midnight
         "called_at 2026-02-10 00:00:00 is before its ticket's created_at 2026-02-10 14:00:00"),
        ("followups", 6, "reached; called_at",
         f"reached: cannot read 'maybe' as {BOOL}; "
         "called_at 2026-03-01 09:00:00 is before its ticket's created_at 2026-03-31 23:59:59"),
    ], {"tickets": ("tickets.csv", 4, 3, 1), "surveys": ("surveys.csv", 5, 1, 4),
        "followups": ("followups.csv", 5, 2, 3)}),
])
def test_rows_quarantined(case, expected, acc):
    data = load(case)
    assert quarantined(data) == expected
    got = account(data)
    for table, row in acc.items():
        assert got[table] == row
    assert_balanced(data)


def test_quarantine_columns_and_types():
    q = load("negative_cost").quarantine
    assert list(q.columns) == ["table", "file", "row", "column", "reason", "record", "reason_code", "reason_params"]
    assert q["row"].dtype == np.int64
    assert json.loads(q["record"].iloc[0])["cost"] == "-5"  # the raw cell, not the parsed value


def test_extra_columns_are_dropped_but_kept_in_the_quarantine_record():
    data = load("extra_columns")
    assert list(data["supervisors"].columns) == ["supervisor_id", "name", "team", "region"]
    assert json.loads(data.quarantine["record"].iloc[0]) == {
        "supervisor_id": "S2", "name": "Zhang Wei", "team": "North", "region": "华北", "备注": "重复行"}


def test_used_rows_are_exactly_the_rows_not_quarantined():
    data = load("unknown_supervisor")
    assert data["tickets"]["ticket_id"].tolist() == ["T1"]
    assert data["surveys"]["ticket_id"].tolist() == ["T1"]
    assert load("duplicate_ids")["tickets"]["created_at"].tolist() == [
        pd.Timestamp("2026-01-05 09:00"), pd.Timestamp("2026-01-06 09:00")]  # the first T2 is kept


# --------------------------------------------------------------------------- files that cannot be used

@pytest.mark.parametrize("case, message", [
    ("missing_column", "tickets.csv: missing required column 'created_at'; add it (see data/README.md)"),
    ("empty_file", "tickets.csv: the file is empty; it needs a header row and data rows (see data/README.md)"),
    ("missing_mandatory_table", "missing_mandatory_table: no tickets table; add tickets.csv, "
                                "tickets.parquet or a sheet 'tickets' in an .xlsx workbook (see data/README.md)"),
    ("duplicated_headers", "supervisors.csv: column 'name' appears twice in the header; keep one of them "
                           "(see data/README.md)"),
    ("two_sources", "two_sources: table 'tickets' is given twice (tickets.csv and tickets.parquet); "
                    "keep one of them"),
    ("broken_xlsx", "extra.xlsx: cannot open the Excel workbook (BadZipFile); save it again as .xlsx "
                    "or export its sheets as CSV (see data/README.md)"),
])
def test_unusable_inputs_raise_one_line(case, message):
    with pytest.raises(DataError) as info:
        load(case)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_ragged_row_is_not_a_table():
    with pytest.raises(DataError) as info:
        load("not_a_table")
    assert str(info.value) == (
        "tickets.csv: not a table: row 5 has 15 cells but the header has 11 "
        "('T4,S1,2026-01-05T09:00:00,,,,,,,,,,,,'); fix that row or put quotes around cells "
        "that contain commas (see data/README.md)")


def test_semicolon_separated_file():
    with pytest.raises(DataError, match=r"^tickets\.csv: the header has one column 'ticket_id;supervisor_id;"):
        load("semicolons")


def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        load_dataset(tmp_path / "nowhere")


def test_file_instead_of_folder():
    with pytest.raises(DataError, match="not a folder"):
        load_dataset(BAD / "bom_utf8" / "tickets.csv")


def test_missing_supervisors(tmp_path):
    shutil.copy(BAD / "bom_utf8" / "tickets.csv", tmp_path / "tickets.csv")
    with pytest.raises(DataError, match="no supervisors table"):
        load_dataset(tmp_path)


def test_header_with_an_empty_name(tmp_path):
    shutil.copy(BAD / "bom_utf8" / "tickets.csv", tmp_path)
    (tmp_path / "supervisors.csv").write_text("supervisor_id,,name\nS1,x,y\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path)
    assert str(info.value) == ("supervisors.csv: header column 2 has no name but holds values; "
                               "name it or delete the column (see data/README.md)")


def test_empty_unnamed_columns_after_the_last_one_are_ignored(tmp_path):
    shutil.copy(BAD / "bom_utf8" / "tickets.csv", tmp_path)
    (tmp_path / "supervisors.csv").write_text(
        "supervisor_id,name,,\n007,甲,,\nS1,乙,,\nS2,丙,,\n", encoding="utf-8")
    data = load_dataset(tmp_path)
    assert list(data["supervisors"].columns) == ["supervisor_id", "name", "team", "region"]
    assert data["supervisors"]["name"].tolist() == ["甲", "乙", "丙"]
    assert data.quarantine.empty


def test_workbook_named_after_a_table_with_one_default_sheet(tmp_path):
    import openpyxl

    shutil.copy(BAD / "bom_utf8" / "supervisors.csv", tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["ticket_id", "supervisor_id", "created_at"])
    sheet.append(["T1", "007", "2026-01-05T09:00:00"])
    sheet.append(["T2", "S9", "2026-01-05T09:00:00"])
    book.save(tmp_path / "tickets.xlsx")
    data = load_dataset(tmp_path)
    assert data["tickets"]["ticket_id"].tolist() == ["T1"]
    assert quarantined(data, "tickets") == [
        ("tickets", 3, "supervisor_id", "supervisor_id 'S9' not in supervisors")]
    assert account(data)["tickets"] == ("tickets.xlsx[Sheet1]", 2, 1, 1)


def test_gbk_bytes_after_the_first_megabyte_are_still_decoded(tmp_path):
    # the encoding is guessed from the start of the file; a UTF-8 looking start followed by
    # GBK text further down must still load (and not as mojibake)
    shutil.copy(BAD / "bom_utf8" / "tickets.csv", tmp_path)
    rows = ["supervisor_id,name"] + [f"A{i:07d},name{i}" for i in range(80_000)] + ["S1,李娜"]
    (tmp_path / "supervisors.csv").write_bytes(("\n".join(rows) + "\n").encode("gbk"))
    assert (tmp_path / "supervisors.csv").stat().st_size > 1 << 20
    sup = load_dataset(tmp_path)["supervisors"]
    assert sup["name"].iloc[-1] == "李娜"


# --------------------------------------------------------------------------- in-memory frames

def test_frames_of_text_give_the_same_result_as_files():
    from_files = load("several_rules_one_row")
    frames = {
        "supervisors": pd.read_csv(BAD / "several_rules_one_row" / "supervisors.csv", dtype=str),
        "tickets": pd.read_csv(BAD / "several_rules_one_row" / "tickets.csv", dtype=str),
    }
    from_frames = dataset_from_frames(frames)
    for name in ("supervisors", "tickets"):
        pd.testing.assert_frame_equal(from_frames[name], from_files[name])
    cols = ["table", "row", "column", "reason"]
    # a frame's row is its position; a file's row is the spreadsheet row (header = 1)
    expected = from_files.quarantine[cols].assign(
        row=from_files.quarantine["row"] - 1,
        reason=from_files.quarantine["reason"].str.replace("duplicates row 2", "duplicates row 1"))
    pd.testing.assert_frame_equal(from_frames.quarantine[cols], expected)
    assert from_frames.quarantine["file"].tolist() == ["tickets (frame)"]
    assert from_frames.account["rows_read"].tolist() == [3, 2]


def test_frames_with_typed_values():
    sup = pd.DataFrame({"supervisor_id": ["S1", "S2"], "name": ["甲", "乙"]})
    tickets = pd.DataFrame({
        "ticket_id": [101, 102, 103],  # numbers become text ids
        "supervisor_id": ["S1", "S2", "S3"],
        "created_at": pd.to_datetime(["2026-01-01 00:00", "2026-01-02 10:00", "2026-01-03 00:00"]),
        "resolved_at": pd.to_datetime(["2026-01-02 00:00", None, None]).tz_localize("UTC"),
        "is_complaint": [True, False, None],
        "cost": [1.0, np.nan, 2.0],
    })
    data = dataset_from_frames({"supervisors": sup, "tickets": tickets})
    t = data["tickets"]
    assert t["ticket_id"].tolist() == ["101", "102"]
    assert t["resolved_at"][0] == pd.Timestamp("2026-01-02 08:00")  # UTC midnight = 08:00 Shanghai
    assert t["is_complaint"].dtype == "boolean" and t["is_complaint"].tolist() == [True, False]
    assert quarantined(data) == [("tickets", 3, "supervisor_id", "supervisor_id 'S3' not in supervisors")]
    assert_balanced(data)


def test_frames_with_a_typed_date_that_has_a_time_of_day():
    sup = pd.DataFrame({"supervisor_id": ["S1"], "name": ["甲"]})
    tickets = pd.DataFrame({"ticket_id": ["T1"], "supervisor_id": ["S1"], "created_at": ["2026-01-01T08:00:00"]})
    staff = pd.DataFrame({"staff_id": ["E1", "E2"], "supervisor_id": ["S1", "S1"],
                          "hired_on": pd.to_datetime(["2025-01-01 00:00", "2025-01-01 12:00"])})
    data = dataset_from_frames({"supervisors": sup, "tickets": tickets, "staff": staff})
    assert data["staff"]["staff_id"].tolist() == ["E1"]
    assert quarantined(data) == [
        ("staff", 2, "hired_on", "hired_on: cannot read 2025-01-01 12:00:00 as a date like 2026-03-31")]


def test_frames_missing_a_required_column():
    sup = pd.DataFrame({"supervisor_id": ["S1"]})
    tickets = pd.DataFrame({"ticket_id": ["T1"], "supervisor_id": ["S1"], "created_at": ["2026-01-01"]})
    with pytest.raises(DataError, match=r"^supervisors \(frame\): missing required column 'name'; add it"):
        dataset_from_frames({"supervisors": sup, "tickets": tickets})


def test_frames_unknown_table_and_missing_mandatory():
    sup = pd.DataFrame({"supervisor_id": ["S1"], "name": ["a"]})
    with pytest.raises(DataError, match="no tickets table"):
        dataset_from_frames({"supervisors": sup})
    with pytest.raises(DataError, match="unknown table 'ticket'"):
        dataset_from_frames({"supervisors": sup, "ticket": sup})


# --------------------------------------------------------------------------- command line

@pytest.mark.skipif(importlib.util.find_spec("perfmodel.cli.indicators") is None,
                    reason="the 'indicators' command is not in the package yet")
@pytest.mark.parametrize("case, needle", [
    ("missing_column", "tickets.csv: missing required column 'created_at'"),
    ("utf16_file", "supervisors.csv: the text is neither UTF-8 nor GB18030/GBK"),
])
def test_command_line_reports_a_bad_dataset_in_one_line(tmp_path, case, needle):
    proc = subprocess.run(
        [sys.executable, "-m", "perfmodel", "indicators", "--data", str(BAD / case),
         "--out", str(tmp_path / "x.csv")],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.csv").exists()


# --------------------------------------------------------------------------- rules in detail

def _folder(tmp_path, **tables) -> Path:
    shutil.copy(BAD / "bom_utf8" / "supervisors.csv", tmp_path)
    shutil.copy(BAD / "bom_utf8" / "tickets.csv", tmp_path)
    for name, text in tables.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_duplicate_of_a_quarantined_row_is_still_a_duplicate(tmp_path):
    folder = _folder(tmp_path, customers=(
        "customer_id,supervisor_id,since,churned_on\n"
        "C1,007,2025-13-01,\n"      # row 1: unreadable date
        "C1,007,2025-01-01,\n"      # row 2: same key as row 1
        "C2,S1,2025-01-01,2024-12-31\n"
    ))
    data = load_dataset(folder)
    assert quarantined(data, "customers") == [
        ("customers", 2, "since", "since: '2025-13-01' is not a valid date: month 13 is out of range (1..12)"),
        ("customers", 3, "customer_id", "customer_id 'C1' duplicates row 2"),
        ("customers", 4, "churned_on", "churned_on 2024-12-31 00:00:00 is before since 2025-01-01 00:00:00"),
    ]
    assert len(data["customers"]) == 0
    assert_balanced(data)


def test_composite_key_duplicates(tmp_path):
    folder = _folder(tmp_path, peer_reviews=(
        "supervisor_id,reviewer_id,reviewed_on,collaboration\n"
        "007,E1,2026-01-10,4\n"
        "007,E1,2026-01-11,5\n"     # another day: not a duplicate
        "007,E2,2026-01-10,3\n"     # another reviewer: not a duplicate
        "007,E1,2026-01-10,2\n"     # same three key cells as row 1
    ))
    data = load_dataset(folder)
    assert quarantined(data, "peer_reviews") == [
        ("peer_reviews", 5, "supervisor_id+reviewer_id+reviewed_on",
         "supervisor_id+reviewer_id+reviewed_on '007'+'E1'+2026-01-10 00:00:00 duplicates row 2")]
    assert data["peer_reviews"]["collaboration"].tolist() == [4.0, 5.0, 3.0]


def test_training_without_a_staff_table(tmp_path):
    folder = _folder(tmp_path, training="staff_id,course_id,due_on\nE1,K1,2026-01-31\n")
    data = load_dataset(folder)
    assert quarantined(data, "training") == [
        ("training", 2, "staff_id", "staff_id 'E1' not in staff (there is no staff table)")]
    assert account(data)["training"] == ("training.csv", 1, 0, 1)


def test_missing_words_are_missing_values(tmp_path):
    # 'NA' (and N/A, 无, -, NULL) is how spreadsheets and exports spell "no value"
    folder = _folder(tmp_path, surveys=(
        "ticket_id,responded_at,overall,attitude\n"
        "T1,2026-01-07T10:00:00,5,NA\n"
        "T2,2026-02-12T10:00:00,4,   \n"
        "T3,2026-04-02T10:00:00,4,NA 4\n"
    ))
    data = load_dataset(folder)
    assert quarantined(data, "surveys") == [
        ("surveys", 4, "attitude", "attitude: cannot read 'NA 4' as a number")]
    assert data["surveys"]["attitude"].isna().tolist() == [True, True]


def test_optional_columns_absent_from_the_file_are_added_empty(tmp_path):
    folder = _folder(tmp_path, surveys="ticket_id,responded_at,overall\nT1,2026-01-07T10:00:00,5\n")
    s = load_dataset(folder)["surveys"]
    assert list(s.columns) == ["ticket_id", "responded_at", "overall", "attitude", "resolution", "speed"]
    assert s["speed"].dtype == "float64" and s["speed"].isna().all()


def test_column_names_in_any_case_and_with_blanks(tmp_path):
    shutil.copy(BAD / "bom_utf8" / "tickets.csv", tmp_path)
    (tmp_path / "Supervisors.csv").write_text(" Supervisor_ID , NAME \nS1,甲\n", encoding="utf-8")
    # the tickets of 007 and S2 are now unknown supervisors
    data = load_dataset(tmp_path)
    assert data["supervisors"].to_dict("list") == {
        "supervisor_id": ["S1"], "name": ["甲"], "team": [np.nan], "region": [np.nan]}
    assert [r[1] for r in quarantined(data, "tickets")] == [2, 4]


def test_account_balances_on_the_sample_dataset():
    sample = Path(__file__).parents[2] / "data" / "sample"
    if not (sample / "tickets.csv").exists():
        pytest.skip("data/sample is not there")
    data = load_dataset(sample)
    assert_balanced(data)
    with (sample / "tickets.csv").open(encoding="utf-8") as fh:
        tickets_lines = sum(1 for _ in fh) - 1
    assert account(data)["tickets"][1] == tickets_lines


def test_ideographic_spaces_are_blanks(tmp_path):
    folder = _folder(tmp_path, customers=(
        "customer_id,supervisor_id,since\n"
        "\u3000C1\u3000,007,2025-01-01\n"
        "C2,S1,\u3000\n"
    ))
    data = load_dataset(folder)
    assert data["customers"]["customer_id"].tolist() == ["C1"]
    assert quarantined(data, "customers") == [
        ("customers", 3, "since", "since: required value is empty")]


@pytest.mark.parametrize("other", ["2026-04-06T10:00:00", "not a time"])
def test_timestamp_shapes_do_not_depend_on_the_other_cells(tmp_path, other):
    # a column of clean cells is read in one pass, a column with a bad cell cell by cell:
    # both must accept and reject the same shapes
    folder = _folder(tmp_path, surveys=(
        "ticket_id,responded_at,overall\n"
        "T1,2026-01-05T09,5\n"            # reduced precision ISO 8601: accepted
        "T2,2026-02-10 14:30:00.5,5\n"    # (each after its ticket was created)
        f"T3,{other},5\n"
    ))
    data = load_dataset(folder)
    s = data["surveys"]
    assert s["responded_at"].tolist()[:2] == [pd.Timestamp("2026-01-05 09:00"),
                                              pd.Timestamp("2026-02-10 14:30:00.5")]
    assert len(quarantined(data, "surveys")) == (other == "not a time")


# --------------------------------------------------------------------------- property

# (cell text, readable?, value) chosen by hand
CREATED = [("2026-01-05T09:00:00", True, pd.Timestamp("2026-01-05 09:00")),
           ("2026-03-31 23:59", True, pd.Timestamp("2026-03-31 23:59")),
           ("2026-01-05T01:00:00Z", True, pd.Timestamp("2026-01-05 09:00")),
           ("2026-02-30T00:00:00", False, None), ("05/01/2026", False, None), ("", False, None)]
COST = [("12.5", True, 12.5), ("0", True, 0.0), ("", True, np.nan), ("-1", False, None),
        ("x", False, None), ("1,000", True, 1000.0), ("1,00", False, None), ("N/A", True, np.nan)]
COMPLAINT = [("是", True, True), ("否", True, False), ("TRUE", True, True), ("0", True, False),
             ("", True, pd.NA), ("也许", False, None)]
SUPERVISOR = [("007", True, "007"), ("S1", True, "S1"), ("7", False, None), ("", False, None)]
TICKET = [("T1", True, "T1"), ("T2", True, "T2"), ("T3", True, "T3"), ("", False, None)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(TICKET), st.sampled_from(SUPERVISOR), st.sampled_from(CREATED),
                          st.sampled_from(COST), st.sampled_from(COMPLAINT)), max_size=12))
def test_random_rows_are_used_exactly_when_every_cell_is_good(rows):
    sup = pd.DataFrame({"supervisor_id": ["007", "S1"], "name": ["甲", "乙"]})
    frame = pd.DataFrame([[c[0] for c in row] for row in rows],
                         columns=["ticket_id", "supervisor_id", "created_at", "cost", "is_complaint"],
                         dtype=object)
    data = dataset_from_frames({"supervisors": sup, "tickets": frame})
    expected, seen = [], set()
    for i, row in enumerate(rows):
        ticket = row[0][0]
        good = all(cell[1] for cell in row)
        duplicate = ticket != "" and ticket in seen
        if ticket != "":
            seen.add(ticket)
        if good and not duplicate:
            expected.append(i)
    t = data["tickets"]
    assert t["ticket_id"].tolist() == [rows[i][0][2] for i in expected]
    assert t["created_at"].tolist() == [rows[i][2][2] for i in expected]
    np.testing.assert_array_equal(t["cost"].to_numpy(), np.array([rows[i][3][2] for i in expected], dtype=float))
    assert [None if pd.isna(v) else v for v in t["is_complaint"]] == [
        None if rows[i][4][2] is pd.NA else rows[i][4][2] for i in expected]
    q = data.quarantine
    assert sorted(q["row"].tolist()) == [i + 1 for i in range(len(rows)) if i not in expected]
    assert_balanced(data)


def test_frames_with_numbers_in_boolean_and_booleans_in_number_columns():
    sup = pd.DataFrame({"supervisor_id": ["S1"], "name": ["甲"]})
    tickets = pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3", "T4"], "supervisor_id": "S1",
        "created_at": "2026-01-05T09:00:00",
        "is_complaint": [1.0, 0.0, 2.0, np.nan],          # 1/0 are booleans, 2 is not
        "reopened": pd.array([0, 1, None, 3], dtype="Int64"),
    })
    data = dataset_from_frames({"supervisors": sup, "tickets": tickets})
    assert data["tickets"]["is_complaint"].tolist()[:2] == [True, False]
    assert pd.isna(data["tickets"]["is_complaint"].tolist()[2])
    assert data["tickets"]["reopened"].tolist()[:2] == [0.0, 1.0]
    assert quarantined(data) == [("tickets", 3, "is_complaint", f"is_complaint: cannot read '2' as {BOOL}")]
    flags = pd.DataFrame({"ticket_id": ["T1"], "supervisor_id": "S1", "created_at": "2026-01-05T09:00:00",
                          "cost": [True]})
    data = dataset_from_frames({"supervisors": sup, "tickets": flags})
    assert quarantined(data) == [("tickets", 1, "cost", "cost: cannot read 'True' as a number")]


def test_row_numbers_are_the_rows_a_spreadsheet_shows(tmp_path):
    folder = _folder(tmp_path, surveys=(
        "ticket_id,responded_at,overall\n"
        "T1,2026-01-07T10:00:00,5\n"
        "\n"
        "T2,2026-02-12T10:00:00,9\n"     # line 4 of the file: a spreadsheet shows it as row 4
    ))
    data = load_dataset(folder)
    assert quarantined(data, "surveys") == [("surveys", 4, "overall", "overall: '9' is outside the range 1..5")]
    assert account(data)["surveys"] == ("surveys.csv", 2, 1, 1)


def test_parquet_text_is_stripped_and_empty_text_is_missing(tmp_path):
    shutil.copy(BAD / "bom_utf8" / "tickets.csv", tmp_path)
    pd.DataFrame({"supervisor_id": ["007", " S1\u00a0", "S2"], "name": ["甲", "乙", "丙"],
                  "team": ["", "\u3000", "North"]}).to_parquet(tmp_path / "supervisors.parquet")
    sup = load_dataset(tmp_path)["supervisors"]
    assert sup["supervisor_id"].tolist() == ["007", "S1", "S2"]
    assert sup["team"].isna().tolist() == [True, True, False]


def test_duplicate_keys_in_a_large_csv_match_pandas(tmp_path):
    # the CSV path finds candidate duplicates by hashing bytes; check it against pandas
    rng = np.random.default_rng(3)
    ids = np.array([f"T{i:06d}" for i in rng.integers(0, 60_000, 50_000)] + ["工单-甲", "工单-甲", "x"])
    shutil.copy(BAD / "bom_utf8" / "supervisors.csv", tmp_path)
    pd.DataFrame({"ticket_id": ids, "supervisor_id": "S1", "created_at": "2026-01-05T09:00:00"}).to_csv(
        tmp_path / "tickets.csv", index=False)
    data = load_dataset(tmp_path)
    expected = np.flatnonzero(pd.Series(ids).duplicated().to_numpy()) + 2   # header = row 1
    q = data.quarantine
    assert q["row"].tolist() == expected.tolist()
    assert len(expected) > 5_000  # the draw does repeat ids
    assert q["reason"].iloc[-1] == f"ticket_id '工单-甲' duplicates row {len(ids) - 1}"
    assert data["tickets"]["ticket_id"].tolist() == pd.Series(ids).drop_duplicates().tolist()


def test_loaded_tables_load_again_unchanged():
    sample = Path(__file__).parents[2] / "data" / "sample"
    folder = sample if (sample / "tickets.csv").exists() else BAD / "unparseable_dates"
    first = load_dataset(folder)
    again = dataset_from_frames(first.tables)
    assert again.quarantine.empty
    for name, table in first.tables.items():
        pd.testing.assert_frame_equal(again[name], table)


def test_a_file_that_cannot_be_opened(tmp_path, monkeypatch):
    shutil.copy(BAD / "bom_utf8" / "supervisors.csv", tmp_path)
    shutil.copy(BAD / "bom_utf8" / "tickets.csv", tmp_path)
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self.name == "tickets.csv":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path)
    assert str(info.value) == ("tickets.csv: cannot read the file (Permission denied); "
                               "check that it exists and may be read")


def test_due_before_created_is_quarantined(tmp_path):
    (tmp_path / "tickets.csv").write_text(
        "ticket_id,supervisor_id,created_at,due_at\n"
        "T1,007,2026-01-05T09:00:00,2026-01-05T08:00:00\n"
        "T2,007,2026-01-05T09:00:00,2026-01-05T09:00:00\n", encoding="utf-8")
    shutil.copy(BAD / "bom_utf8" / "supervisors.csv", tmp_path)
    data = load_dataset(tmp_path)
    assert quarantined(data) == [
        ("tickets", 2, "due_at", "due_at 2026-01-05 08:00:00 is before created_at 2026-01-05 09:00:00")]


def test_a_row_of_undecodable_bytes_in_a_utf8_file_is_quarantined_with_its_row():
    """The file is UTF-8 (T3's 是 included) but for row 5: that row alone is quarantined."""
    raw = (BAD / "undecodable_bytes" / "tickets.csv").read_bytes()
    assert "是".encode("utf-8") in raw and raw.splitlines()[4].startswith(b"T4,S1,")
    data = load_dataset(BAD / "undecodable_bytes")
    q = data.quarantine
    assert q[["table", "row", "column"]].values.tolist() == [["tickets", 5, "staff_id"]]
    assert q["reason"].iloc[0].startswith("staff_id: the row is not UTF-8 text")
    assert data["tickets"]["ticket_id"].tolist() == ["T1", "T2", "T3"]
    assert data["tickets"]["is_complaint"].tolist()[2] is True          # 是 read as UTF-8
