"""Every case of the broken-input corpus (tests/fixtures/bad/): its outcome and the row account.

Each case either loads (some rows perhaps quarantined, each with its reason) or fails with
one line that names the file. For every case that loads, ``rows read = rows used + rows
quarantined`` holds for every table, and ``rows read`` equals the number of data rows
counted here independently of the loader (csv module, openpyxl, pyarrow). The values the
new cases must load to were worked out by hand from the files (see make_corpus.py).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfmodel import load_dataset, load_policy
from perfmodel.core.errors import DataError, PolicyError

BAD = Path(__file__).parents[1] / "fixtures" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))

# case -> the file named in its one-line error (None: the case loads)
ERRORS = {
    "missing_column": "tickets.csv", "empty_file": "tickets.csv",
    "missing_mandatory_table": "missing_mandatory_table", "duplicated_headers": "supervisors.csv",
    "two_sources": "two_sources", "not_a_table": "tickets.csv", "semicolons": "tickets.csv",
    "broken_xlsx": "extra.xlsx", "empty_sheet": "perf.xlsx[audits]",
    "duplicated_headers_xlsx": "tickets.xlsx[tickets]", "utf16_file": "supervisors.csv",
    "xlsx_bomb_cell": "tickets.xlsx[tickets]", "title_row": "tickets.csv",
    "title_row_xlsx": "tickets.xlsx[tickets]",
}
# case -> the start of the one-line PolicyError of its policy.yaml (None: the policy loads)
POLICY_ERRORS = {
    "policy_python_tag": "line 1, column 7: could not determine a constructor for the tag "
                         "'tag:yaml.org,2002:python/object/apply:os.system'; a policy holds plain values only",
    "policy_weights_not_summing": "indicators.timely_closure_rate.weight: weights in dimension 'process' "
                                  "sum to 0.7, not 1",
    "policy_not_yaml": "line 3, column 1: not valid YAML",
    "policy_gbk": "not UTF-8 text; save the policy as UTF-8",
    "policy_alias_bomb": "its aliases (*name) expand to more than 100,000 values",
}


def test_corpus_has_at_least_forty_cases_and_the_policy():
    assert len(CASES) >= 40
    assert set(POLICY_ERRORS) <= set(CASES)
    assert set(ERRORS) <= set(CASES)


# --------------------------------------------------------------------------- independent row counts

def _csv_rows(path: Path) -> int:
    raw = path.read_bytes()
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:  # rows in two encodings: only the row structure matters here
        text = raw.decode("utf-8", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return sum(1 for r in rows[1:] if any(cell.strip() for cell in r))


def _sheet_rows(path: Path, sheet: str) -> int:
    """Data rows of a sheet counted from its XML: ``<row>`` elements holding a value, less
    the header (whatever the sheet's ``<dimension>`` tag says)."""
    import zipfile
    from xml.etree import ElementTree

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as book:
        names = {s.get("name"): s.get(rel) for s in ElementTree.fromstring(book.read("xl/workbook.xml")).iter(f"{ns}sheet")}
        targets = {r.get("Id"): r.get("Target") for r in ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))}
        target = targets[names[sheet]]
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        root = ElementTree.fromstring(book.read(part))
    filled = 0
    for row in root.iter(f"{ns}row"):
        texts = ["".join(c.itertext()) for c in row.iter(f"{ns}c")]
        if any(t.strip() for t in texts):
            filled += 1
    return max(filled - 1, 0)


def _last_row(folder: Path, label: str) -> int:
    """The last row number a spreadsheet shows for a file (Parquet: its row count)."""
    import re
    import zipfile

    if "[" in label:
        name, _ = label[:-1].split("[", 1)
        with zipfile.ZipFile(folder / name) as book:
            xml = b"".join(book.read(n) for n in book.namelist() if n.startswith("xl/worksheets/"))
        return max(int(n) for n in re.findall(rb'<row r="(\d+)"', xml))
    if label.endswith(".parquet"):
        import pyarrow.parquet as pq
        return pq.read_metadata(folder / label).num_rows
    raw = (folder / label).read_bytes()
    return len(list(csv.reader(io.StringIO(raw.decode("utf-8", errors="replace"), newline=""))))


def _rows_in_file(folder: Path, label: str) -> int:
    if "[" in label:
        name, sheet = label[:-1].split("[", 1)
        return _sheet_rows(folder / name, sheet)
    if label.endswith(".parquet"):
        import pyarrow.parquet as pq
        return pq.read_metadata(folder / label).num_rows
    return _csv_rows(folder / label)


@pytest.mark.parametrize("case", CASES)
def test_every_case_loads_balanced_or_fails_in_one_line(case):
    folder = BAD / case
    if case in ERRORS:
        with pytest.raises(DataError) as info:
            load_dataset(folder)
        message = str(info.value)
        assert "\n" not in message and message.startswith(ERRORS[case] + ":")
        return
    data = load_dataset(folder)
    acc = data.account
    assert len(acc) == len(data.tables)
    for r in acc.itertuples():
        assert r.rows_read == _rows_in_file(folder, r.file), (r.table, r.file)
        assert r.rows_read == r.rows_used + r.rows_quarantined, r.table
        assert len(data.tables[r.table]) == r.rows_used
        q = data.quarantine[data.quarantine["table"] == r.table]
        assert len(q) == r.rows_quarantined
        assert q["row"].is_unique  # one quarantine row per bad row, however many rules it breaks
        # spreadsheet rows (header = 1) for CSV and sheets, positions for Parquet
        first = 1 if r.file.endswith(".parquet") else 2
        assert q["row"].between(first, _last_row(folder, r.file)).all()
        assert (q["reason"].str.len() > 0).all() and not q["reason"].str.contains("\n").any()
        assert (q["file"] == r.file).all()


@pytest.mark.parametrize("case", CASES)
def test_policy_of_a_case(case):
    path = BAD / case / "policy.yaml"
    if not path.exists():
        assert case not in POLICY_ERRORS
        return
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {POLICY_ERRORS[case]}")


def test_the_python_tag_never_runs(tmp_path, monkeypatch):
    import os

    called = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a) or 0)
    with pytest.raises(PolicyError):
        load_policy(BAD / "policy_python_tag" / "policy.yaml")
    assert called == []


# --------------------------------------------------------------------------- the new cases in detail

def quarantined(data, table=None):
    q = data.quarantine if table is None else data.quarantine[data.quarantine["table"] == table]
    return [(r.table, int(r.row), r.column, r.reason) for r in q.itertuples()]


TS = "an ISO 8601 date-time like 2026-03-31T14:05:00"
DATE = "a date like 2026-03-31"


def test_missing_words_mean_missing():
    data = load_dataset(BAD / "missing_words")
    assert data.quarantine.empty
    t = data["tickets"]
    # T1: staff '-', customer 'N/A', first response 'NULL', resolved '无', due '#N/A', reopened 'NA', cost 'N/A'
    assert t.loc[0, ["staff_id", "customer_id", "first_response_at", "resolved_at", "due_at",
                     "reopened", "cost"]].isna().all()
    assert t["is_complaint"].tolist()[0] is False            # 否
    assert pd.isna(t["is_complaint"].tolist()[1])           # '-'
    assert t["reopened"].isna().tolist() == [True, True, False]   # NA, nan, 1
    assert t["cost"].isna().all()                                  # N/A, 暂无, --
    sup = data["supervisors"]
    assert pd.isna(sup.loc[2, "team"])                     # 无
    assert sup.loc[2, "region"] == "NA"                    # in text 'NA' may be a region: kept


def test_missing_word_in_a_required_column_is_an_empty_required_value():
    data = load_dataset(BAD / "missing_word_required")
    assert quarantined(data) == [
        ("surveys", 2, "overall", "overall: required value is empty"),
        ("surveys", 3, "responded_at", "responded_at: required value is empty"),
    ]
    assert data["surveys"]["ticket_id"].tolist() == ["T3"]
    assert pd.isna(data["surveys"]["attitude"].iloc[0])    # '-'


def test_thousands_separators_and_yuan_sign():
    data = load_dataset(BAD / "thousands_separators")
    assert data["tickets"]["cost"].tolist() == [1234.5, 12345678.0, 80.0]
    assert data["tickets"]["ticket_id"].tolist() == ["T1", "T2", "T4"]
    assert quarantined(data) == [
        ("tickets", 4, "cost", "cost: cannot read '1,23' as a number"),   # not groups of three
        ("tickets", 6, "cost", "cost: cannot read '12元' as a number"),
    ]
    assert data["budgets"]["budget"].tolist() == [1_000_000.0, 250_000.0]


def test_huge_values_are_quarantined():
    data = load_dataset(BAD / "huge_values")
    assert quarantined(data) == [
        ("tickets", 2, "cost", "cost: '1e308' is too large (more than 1e+15)"),
        ("tickets", 3, "reopened", "reopened: '1e20' is too large (more than 1e+15)"),
        ("tickets", 4, "cost", "cost: cannot read '1e999' as a number"),
        ("budgets", 2, "budget", "budget: '1e300' is too large (more than 1e+15)"),
    ]
    assert data["tickets"]["cost"].tolist() == [999_999_999_999.0]
    assert data["budgets"]["budget"].tolist() == [1e15]   # the limit itself passes


def test_excel_error_values_are_unreadable():
    data = load_dataset(BAD / "excel_errors")
    assert [r[3] for r in quarantined(data)] == [
        "cost: cannot read '#VALUE!' as a number", "cost: cannot read '#DIV/0!' as a number",
        "cost: cannot read 'inf' as a number"]


def test_chinese_dates():
    data = load_dataset(BAD / "chinese_dates")
    s = data["staff"]
    assert s["staff_id"].tolist() == ["E1", "E3"]
    assert s["hired_on"].tolist() == [pd.Timestamp("2025-03-01"), pd.Timestamp("2025-03-01")]
    assert s["promoted_on"].tolist()[0] == pd.Timestamp("2026-01-15")
    assert s["left_on"].tolist()[1] == pd.Timestamp("2026-09-01")
    t = data["tickets"]
    assert t["created_at"].tolist() == [pd.Timestamp("2026-01-05 09:00"), pd.Timestamp("2026-02-10 00:00")]
    assert t["first_response_at"].tolist()[0] == pd.Timestamp("2026-01-05 09:30:15")
    assert quarantined(data) == [
        ("staff", 3, "left_on", "left_on: '2026年2月30日' is not a valid date: day 30 is out of range (1..28, 2026-02 has 28 days)"),
        ("tickets", 4, "created_at", "created_at: '2026年13月1日' is not a valid date: month 13 is out of range (1..12)"),
    ]


def test_year_first_dates_of_spreadsheets_set_to_chinese():
    data = load_dataset(BAD / "year_first_dates")
    s = data["staff"]
    assert s["hired_on"].tolist() == [pd.Timestamp("2025-03-01"), pd.Timestamp("2025-03-01")]
    assert s["promoted_on"].tolist()[0] == pd.Timestamp("2026-01-15")
    assert s["left_on"].tolist()[1] == pd.Timestamp("2026-09-01")
    t = data["tickets"]
    assert t["ticket_id"].tolist() == ["T1", "T2"]
    assert t["created_at"].tolist() == [pd.Timestamp("2026-01-05 09:00"), pd.Timestamp("2026-02-10 00:00")]
    assert t["first_response_at"].tolist()[0] == pd.Timestamp("2026-01-05 09:30:15")
    assert t["resolved_at"].tolist()[0] == pd.Timestamp("2026-01-06 08:00")
    assert quarantined(data) == [
        ("tickets", 4, "created_at", "created_at: '2026/2/30 10:00' is not a valid date: day 30 is out of range (1..28, 2026-02 has 28 days)"),
    ]


def test_chinese_dates_in_a_gbk_file():
    data = load_dataset(BAD / "gbk_chinese_dates")
    assert data["customers"]["since"].tolist() == [pd.Timestamp("2024-12-31")]
    assert quarantined(data) == [
        ("customers", 3, "churned_on", "churned_on 2024-12-01 00:00:00 is before since 2025-01-01 00:00:00"),
        ("customers", 4, "customer_id", "customer_id 'C2' duplicates row 3"),
    ]


def test_mixed_offsets_in_one_column_become_local_time():
    data = load_dataset(BAD / "mixed_offsets")
    # 02:00Z = 10:00 Shanghai; 10:00+05:30 = 04:30Z = 12:30 Shanghai
    assert data["surveys"]["responded_at"].tolist() == [
        pd.Timestamp("2026-01-07 10:00"), pd.Timestamp("2026-02-12 10:00"), pd.Timestamp("2026-04-02 12:30")]
    # 10:00+0800 and 02:00+00:00 are the same instant: the second call is a duplicate;
    # 10:00-08:00 = 18:00Z = 02:00 next day in Shanghai
    assert data["followups"]["called_at"].tolist() == [
        pd.Timestamp("2026-01-08 10:00"), pd.Timestamp("2026-02-14 02:00")]
    assert quarantined(data) == [("followups", 3, "ticket_id+called_at",
                                  "ticket_id+called_at 'T1'+2026-01-08 10:00:00 duplicates row 2")]


def test_excel_date_serials():
    data = load_dataset(BAD / "excel_date_serials")
    s = data["staff"]
    # 45717 days after 1899-12-30 is 2025-03-01; 46082 is 2026-03-01
    assert (pd.Timestamp("1899-12-30") + pd.Timedelta(days=45717)) == pd.Timestamp("2025-03-01")
    assert s["staff_id"].tolist() == ["E1", "E2"]
    assert s["hired_on"].tolist() == [pd.Timestamp("2025-03-01")] * 2
    assert s["left_on"].tolist()[1] == pd.Timestamp("2026-03-01")
    assert quarantined(data, "staff") == [
        ("staff", 4, "hired_on", f"hired_on: cannot read '45717.5' as {DATE}"),
        ("staff", 5, "hired_on", f"hired_on: cannot read '12' as {DATE}"),
    ]
    # 46027.375 = 2026-01-05 + 9 hours
    assert data["surveys"]["responded_at"].tolist() == [pd.Timestamp("2026-01-05 09:00"),
                                                        pd.Timestamp("2026-02-12 10:00")]


def test_numbers_in_a_csv_date_column_are_not_serials(tmp_path):
    import shutil

    shutil.copy(BAD / "bom_utf8" / "supervisors.csv", tmp_path)
    shutil.copy(BAD / "bom_utf8" / "tickets.csv", tmp_path)
    (tmp_path / "staff.csv").write_text("staff_id,supervisor_id,hired_on\nE1,007,45717\n", encoding="utf-8")
    data = load_dataset(tmp_path)
    assert quarantined(data) == [("staff", 2, "hired_on", f"hired_on: cannot read '45717' as {DATE}")]


@pytest.mark.parametrize("case, expected", [
    ("peer_reviews_rules", [
        ("peer_reviews", 3, "supervisor_id+reviewer_id+reviewed_on",
         "supervisor_id+reviewer_id+reviewed_on '007'+'E1'+2026-01-10 00:00:00 duplicates row 2"),
        ("peer_reviews", 4, "supervisor_id", "supervisor_id 'S9' not in supervisors"),
        ("peer_reviews", 5, "collaboration", "collaboration: '6' is outside the range 1..5"),
        ("peer_reviews", 6, "collaboration", "collaboration: required value is empty"),
    ]),
    ("staff_rules", [
        ("staff", 2, "promoted_on", "promoted_on 2025-02-01 00:00:00 is before hired_on 2025-03-01 00:00:00"),
        ("staff", 3, "supervisor_id", "supervisor_id 'S9' not in supervisors"),
        ("staff", 5, "staff_id", "staff_id 'E3' duplicates row 4"),
    ]),
    ("followups_rules", [
        ("followups", 2, "reached", "reached: required value is empty"),
        ("followups", 3, "ticket_id", "ticket_id 'T9' not in tickets"),
        ("followups", 4, "called_at", "called_at: '2026-02-30T10:00:00' is not a valid date: day 30 is out of range (1..28, 2026-02 has 28 days)"),
    ]),
])
def test_rules_of_the_other_tables(case, expected):
    assert quarantined(load_dataset(BAD / case)) == expected


def test_the_corpus_is_reproducible(tmp_path):
    """make_corpus.py writes the committed bytes, workbooks included (no save time inside)."""
    import importlib.util
    import shutil

    spec = importlib.util.spec_from_file_location("make_corpus_copy", BAD / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.HERE = tmp_path
    for case in ("xlsx_sheets", "excel_date_serials", "missing_words", "gbk_chinese_dates",
                 "events_before_ticket"):
        module.write_case(case, module.CASES[case])
        for f in sorted((BAD / case).iterdir()):
            assert (tmp_path / case / f.name).read_bytes() == f.read_bytes(), f
    shutil.rmtree(tmp_path)


def test_parsing_a_large_column_of_spreadsheet_cells():
    """Thousands separators, missing words and Chinese dates over many cells (Arrow kernels)."""
    from perfmodel.data.parsing import parse_column

    n = 200_000
    cost = pd.Series(pd.array(np.where(np.arange(n) % 2, "1,234.5", "N/A"), dtype="string[pyarrow]"))
    dates = pd.Series(pd.array(np.where(np.arange(n) % 2, "2026年9月1日", "2026-09-02"), dtype="string[pyarrow]"))
    values, bad = parse_column(cost, "float")
    days, bad_days = parse_column(dates, "date")
    assert not bad.any() and not bad_days.any()
    assert values[1] == 1234.5 and np.isnan(values[0])
    assert days[1] == pd.Timestamp("2026-09-01") and days[0] == pd.Timestamp("2026-09-02")


# --------------------------------------------------------------------------- what files say about themselves

def test_a_stale_dimension_tag_hides_no_row_or_column():
    """The sheet's <dimension> says A1:C3; its XML holds 5 data rows and 6 columns."""
    import zipfile

    path = BAD / "stale_dimension_xlsx" / "tickets.xlsx"
    with zipfile.ZipFile(path) as book:
        assert b'<dimension ref="A1:C3"' in book.read("xl/worksheets/sheet1.xml")
    data = load_dataset(BAD / "stale_dimension_xlsx")
    acc = data.account.set_index("table").loc["tickets"]
    assert (acc.rows_read, acc.rows_used, acc.rows_quarantined) == (5, 5, 0)
    assert _sheet_rows(path, "tickets") == 5
    t = data["tickets"]
    assert t["ticket_id"].tolist() == ["T1", "T2", "T3", "T4", "T5"]
    assert t["cost"].tolist() == [10.0, 20.0, 30.0, 40.0, 50.0]      # column F, past C
    assert t["reopened"].tolist() == [0, 0, 0, 0, 0]


def test_old_mac_line_ends_are_read():
    raw = (BAD / "cr_line_ends" / "tickets.csv").read_bytes()
    assert b"\n" not in raw and raw.count(b"\r") == 4
    data = load_dataset(BAD / "cr_line_ends")
    assert data["tickets"]["ticket_id"].tolist() == ["T1", "T2", "T3"]
    assert data["tickets"]["cost"].tolist() == [120.5, 80.0, 0.0]


def test_invisible_characters_and_full_width_letters_in_a_header_are_removed():
    header = (BAD / "invisible_header" / "tickets.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "resolved\u200b_at" in header and "\uff44\uff55\uff45_at" in header
    data = load_dataset(BAD / "invisible_header")
    t = data["tickets"]
    assert "resolved\u200b_at" not in t.columns
    # T1 was resolved 2026-01-06 10:00 and due 2026-01-08 09:00 (make_corpus.TICKETS)
    assert t["resolved_at"].tolist()[0] == pd.Timestamp("2026-01-06 10:00")
    assert t["due_at"].tolist()[0] == pd.Timestamp("2026-01-08 09:00")


def test_a_fifo_named_like_a_table_is_refused_unopened(tmp_path):
    import os
    import shutil

    for name in ("supervisors.csv", "tickets.csv"):
        shutil.copy(BAD / "bom_utf8" / name, tmp_path)
    os.mkfifo(tmp_path / "staff.csv")   # opening it for reading would block the load
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path)
    assert str(info.value) == ("staff.csv: not a regular file but a FIFO (named pipe); give the "
                               "table as a file saved on disk (see data/README.md)")


def test_a_gbk_row_in_a_utf8_file_is_quarantined_and_the_rest_stays_utf8():
    raw = (BAD / "gbk_row_in_utf8" / "supervisors.csv").read_bytes()
    lines = raw.splitlines()
    assert lines[4] == "S3,张三,华东二组,华东".encode("gbk")      # data row 4 is GBK
    assert all(line.decode("utf-8") for i, line in enumerate(lines) if i != 4)
    data = load_dataset(BAD / "gbk_row_in_utf8")
    sup = data["supervisors"]
    assert sup["name"].tolist() == ["王芳", "李娜", "Zhang Wei", "欧阳娜娜"]   # not 寮犱笁-style mojibake
    assert quarantined(data) == [(
        "supervisors", 5, "name",
        "name: the row is not UTF-8 text (a row pasted from a file in another encoding, GBK "
        "perhaps); retype it or save the file again as 'CSV UTF-8'")]
    acc = data.account.set_index("table").loc["supervisors"]
    assert (acc.rows_read, acc.rows_used, acc.rows_quarantined) == (5, 4, 1)


def test_a_formula_without_a_calculated_value_is_quarantined():
    import zipfile

    path = BAD / "formula_without_value" / "tickets.xlsx"
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert b'<c r="D3"><f>D2*2</f><v /></c>' in xml and b"<f>D2*3</f><v>30</v>" in xml
    data = load_dataset(BAD / "formula_without_value")
    assert data["tickets"]["ticket_id"].tolist() == ["T1", "T3"]
    assert data["tickets"]["cost"].tolist() == [10.0, 30.0]
    assert quarantined(data) == [(
        "tickets", 3, "cost",
        "cost: a formula without a calculated value (the file was written by a program that does "
        "not calculate); open the workbook in Excel and save it, so that the value is stored")]


@pytest.mark.parametrize("case, message", [
    ("title_row", "tickets.csv: row 1 looks like a title ('2026年第一季度工单'), not the header; the "
                  "header seems to be row 2: delete the rows above it (see data/README.md)"),
    ("title_row_xlsx", "tickets.xlsx[tickets]: row 1 looks like a title ('售后工单明细（2026年第一季度）'), not "
                       "the header; the header seems to be row 3: delete the rows above it (see data/README.md)"),
])
def test_a_title_row_above_the_header_is_named(case, message):
    with pytest.raises(DataError) as info:
        load_dataset(BAD / case)
    assert str(info.value) == message
