"""Quarantine reasons name the fault, carry a code with parameters, and are worded in Chinese."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from perfmodel.core.i18n import reason_text, table_label
from perfmodel.data.loader import load_dataset
from perfmodel.data.parsing import date_fault
from perfmodel.audit.verify import quarantine_findings

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.mark.parametrize("cell, expected", [
    ("2026/13/45", ("month", {"value": 13, "low": 1, "high": 12})),
    ("2026年13月1日", ("month", {"value": 13, "low": 1, "high": 12})),
    # 2026 is not a leap year: February has 28 days; 2024 is, so 2024-02-29 is fine
    ("2026-02-29", ("day", {"value": 29, "low": 1, "high": 28, "month": "2026-02"})),
    ("2024-02-29", None),
    ("2026-04-31 10:00", ("day", {"value": 31, "low": 1, "high": 30, "month": "2026-04"})),
    ("2026-01-07T25:00:00", ("hour", {"value": 25, "low": 0, "high": 23})),
    ("2026/3/31 14:65", ("minute", {"value": 65, "low": 0, "high": 59})),
    ("01/03/2025", None),   # not year first: stays "cannot read"
    ("yesterday", None),
])
def test_date_fault_names_the_impossible_field(cell, expected):
    assert date_fault(cell) == expected


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """The sample with ticket rows 2 and 3 (spreadsheet rows) created on 2026/13/45 and 2026-02-30."""
    folder = tmp_path_factory.mktemp("q") / "data"
    shutil.copytree(SAMPLE, folder)
    path = folder / "tickets.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("created_at")
    for k, value in ((1, "2026/13/45"), (2, "2026-02-30 10:00")):
        cells = lines[k].split(",")
        cells[at] = value
        lines[k] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_dataset(folder)


def test_quarantine_names_month_13_with_a_code_and_parameters(broken):
    q = broken.quarantine
    rows = q[(q["table"] == "tickets") & (q["column"] == "created_at")].sort_values("row")
    assert rows["reason"].tolist() == [
        "created_at: '2026/13/45' is not a valid date: month 13 is out of range (1..12)",
        "created_at: '2026-02-30 10:00' is not a valid date: day 30 is out of range (1..28, 2026-02 has 28 days)"]
    assert rows["reason_code"].tolist() == ["date_field", "date_field"]
    assert json.loads(rows["reason_params"].iloc[0]) == [
        {"column": "created_at", "value": "2026/13/45", "field": "month", "number": 13, "low": 1, "high": 12}]
    # every quarantined row has a code and parameters, one object per code
    assert q["reason_code"].notna().all()
    for code, params in zip(q["reason_code"], q["reason_params"]):
        assert len(json.loads(params)) == len(code.split("; "))


def test_chinese_reasons_and_table_names(broken):
    q = broken.quarantine
    first = q[q["reason_code"] == "date_field"].sort_values("row").iloc[0]
    assert reason_text(first["reason_code"], first["reason_params"], lang="zh", english=first["reason"]) == \
        "created_at：“2026/13/45”不是有效日期：月份 13 超出范围（1..12）"
    assert reason_text(first["reason_code"], first["reason_params"], lang="en", english=first["reason"]) == first["reason"]
    assert table_label("tickets", lang="zh") == "工单" and table_label("tickets", lang="en") == "tickets"
    orphan = q[q["reason_code"] == "not_in_parent"].iloc[0]
    assert reason_text(orphan["reason_code"], orphan["reason_params"], lang="zh", english=orphan["reason"]).endswith("不在工单表中")
    # a quarantine written before codes existed keeps its English text
    assert reason_text(None, None, lang="zh", english="old reason") == "old reason"


def test_chinese_data_quality_page_shows_chinese_tables_and_reasons(broken):
    from perfmodel.reporting.quarterly import data_quality_tables

    account, reasons = data_quality_tables(broken, lang="zh")
    assert "工单" in set(account["table"]) and "tickets" not in set(account["table"])
    assert "created_at：“2026/13/45”不是有效日期：月份 13 超出范围（1..12）" in set(reasons["reason"])
    assert all(not r.startswith("ticket_id '") for r in reasons["reason"])
    en_account, en_reasons = data_quality_tables(broken, lang="en")
    assert "tickets" in set(en_account["table"])
    assert reasons["rows"].sum() == en_reasons["rows"].sum() == len(broken.quarantine)


def test_chinese_workbook_quarantine_sheet(broken, tmp_path):
    from openpyxl import load_workbook

    from perfmodel.reporting import runner
    from perfmodel.reporting.excel import write_workbook

    inputs = {"data_dir": "d", "policy": {"source": "preset efficiency", "name": "p", "version": "1",
                                          "sha256": "0" * 64}, "inputs": []}
    tables = {"scores": pd.DataFrame({"supervisor_id": ["S001"], "score": [1.0]}), "indicators": pd.DataFrame()}
    sheets = runner._workbook_sheets(tables, broken, inputs, {"period": "2026Q2"}, "RUN", lang="zh")
    wb = load_workbook(write_workbook(tmp_path / "zh.xlsx", sheets, headers=runner._workbook_headers(sheets, lang="zh")))
    rows = [[c.value for c in r] for r in wb["隔离记录"].iter_rows()]
    header = rows[0]
    body = [dict(zip(header, r)) for r in rows[1:]]
    month = [r for r in body if "2026/13/45" in (r["原因"] or "")]
    assert month and month[0]["数据表"] == "工单"
    assert month[0]["原因"] == "created_at：“2026/13/45”不是有效日期：月份 13 超出范围（1..12）"


def test_pseudonymized_quarantine_withholds_the_values_in_parameters(broken):
    from perfmodel.data.privacy import withhold_quarantine

    q = withhold_quarantine(broken.quarantine)
    assert "2026/13/45" not in " ".join(q["reason_params"]) + " ".join(q["reason"])
    assert (q["reason_code"] == broken.quarantine["reason_code"]).all()


def test_audit_compares_the_workbook_quarantine_by_code_in_any_language(broken, tmp_path):
    from perfmodel.reporting import runner
    from perfmodel.reporting.excel import write_workbook

    inputs = {"data_dir": "d", "policy": {"source": "preset efficiency", "name": "p", "version": "1",
                                          "sha256": "0" * 64}, "inputs": []}
    tables = {"scores": pd.DataFrame({"supervisor_id": ["S001"], "score": [1.0]}), "indicators": pd.DataFrame()}
    sheets = runner._workbook_sheets(tables, broken, inputs, {"period": "2026Q2"}, "RUN", lang="zh")
    path = write_workbook(tmp_path / "scores.xlsx", sheets, headers=runner._workbook_headers(sheets, lang="zh"))
    q = broken.quarantine
    assert quarantine_findings(path, q) == []  # Chinese wording, same codes: no finding
    changed = q.copy()
    month = changed.index[changed["reason"].str.contains("2026/13/45", regex=False)][0]
    changed.loc[month, "reason_code"] = "unreadable"
    found = quarantine_findings(path, changed)
    row = int(q.loc[month, "row"])
    assert found == [f"scores.xlsx quarantine row {row} column created_at: code 'date_field' in the workbook, not recomputed",
                     f"scores.xlsx quarantine row {row} column created_at: code 'unreadable' recomputed, not in the workbook"]
    # a reworded English reason with the same code is no difference
    reworded = q.assign(reason="anything")
    assert quarantine_findings(path, reworded) == []


@pytest.mark.parametrize("cell, expected", [
    ("2300-01-01 10:00:00", True), ("1600-05-01", True), ("2262-04-12", True),
    # datetime64[ns] holds 1677-09-21 00:12:44 .. 2262-04-11 23:47:16
    ("1677-09-21 00:00:00", True), ("1677-09-21 00:12:44", False), ("2262-04-11 23:47:17", True),
    ("2262-04-10", False),
    ("2026-02-30", False),  # impossible, not far: date_field names it
    ("yesterday", False),
])
def test_beyond_span_is_a_valid_date_outside_1677_2262(cell, expected):
    from perfmodel.data.parsing import beyond_span

    assert beyond_span(cell) is expected


def test_far_dates_name_the_span_in_csv_and_parquet(tmp_path):
    """Well-formed dates outside 1677-09-22..2262-04-11 say so, in both languages."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    t = pcsv.read_csv(folder / "tickets.csv",
                      convert_options=pcsv.ConvertOptions(column_types={"created_at": pa.timestamp("us")}))
    created = t["created_at"].to_pylist()
    created[0], created[1] = dt.datetime(1, 1, 1), dt.datetime(2300, 1, 1, 10)
    at = t.column_names.index("created_at")
    pq.write_table(t.set_column(at, "created_at", pa.array(created, pa.timestamp("us"))),
                   folder / "tickets.parquet")
    (folder / "tickets.csv").unlink()
    q = load_dataset(folder).quarantine
    rows = q[(q["table"] == "tickets") & (q["column"] == "created_at")].sort_values("row")
    assert rows["row"].tolist() == [1, 2]  # Parquet rows by position
    assert rows["reason_code"].tolist() == ["date_span", "date_span"]
    assert rows["reason"].iloc[1] == ("created_at: 2300-01-01 10:00:00 lies outside the dates perfmodel can "
                                      "hold (1677-09-22 to 2262-04-11); correct the year in the source")
    zh = reason_text(rows["reason_code"].iloc[1], rows["reason_params"].iloc[1], lang="zh", english=rows["reason"].iloc[1])
    assert zh == ("created_at：“2300-01-01 10:00:00”超出 perfmodel 可处理的日期范围（1677-09-22 至 2262-04-11）；"
                  "请在源数据中更正年份")
