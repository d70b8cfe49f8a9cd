"""Write the broken-input corpus used by tests/test_loader.py.

Each case is a small dataset folder: the valid base tables below with one table replaced
or added. Run ``python tests/data/bad/make_corpus.py`` to rewrite the folders; the files
are committed, so the tests do not depend on this script.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd

# the standard library's XML writer, whether or not lxml is installed (see tests/conftest.py)
os.environ.setdefault("OPENPYXL_LXML", "False")

HERE = Path(__file__).parent

SUPERVISORS = """supervisor_id,name,team,region
007,王芳,华东一组,华东
S1,李娜,华南一组,华南
S2,Zhang Wei,North,华北
"""

TICKETS = """ticket_id,supervisor_id,created_at,staff_id,customer_id,first_response_at,resolved_at,due_at,is_complaint,reopened,cost
T1,007,2026-01-05T09:00:00,E1,C1,2026-01-05T09:30:00,2026-01-06T10:00:00,2026-01-08T09:00:00,false,0,120.5
T2,S1,2026-02-10 14:00,E2,C2,,,,true,,80
T3,S2,2026-03-31T23:59:59,,,,,,是,1,0
"""

TICKETS_HEADER = TICKETS.splitlines()[0]


def tickets(*rows: str) -> str:
    return TICKETS_HEADER + "\n" + "\n".join(rows) + "\n"


CASES: dict[str, dict[str, object]] = {
    # --- files that load, in other encodings and formats
    "gbk_encoding": {"supervisors.csv": SUPERVISORS.encode("gbk")},
    "bom_utf8": {"supervisors.csv": b"\xef\xbb\xbf" + SUPERVISORS.encode("utf-8"),
                 "tickets.csv": b"\xef\xbb\xbf" + TICKETS.encode("utf-8")},
    "timestamps_with_offsets": {"tickets.csv": tickets(
        "T1,007,2026-01-05T01:00:00Z,,,2026-01-05T09:30:00+08:00,,,,,",
        "T2,S1,2026-03-31T16:30:00+00:00,,,,,,,,",
        "T3,S2,2026-01-05T09:00:00-05:00,,,,,,,,",
    )},
    "chinese_names": {"supervisors.csv": SUPERVISORS + "S3,欧阳娜娜,售后服务部·二组,西南\n",
                      "tickets.csv": tickets("T1,S3,2026-01-05T09:00:00,,,,,,否,0,10",
                                             "T2,S4,2026-01-05T09:00:00,,,,,,否,0,10")},
    "booleans": {"followups.csv": (
        "ticket_id,called_at,reached,positive\n"
        "T1,2026-01-07T10:00:00,是,否\n"
        "T1,2026-01-08T10:00:00,YES,No\n"
        "T2,2026-02-12T10:00:00,1,0\n"
        "T2,2026-02-13T10:00:00,True,\n"
        "T3,2026-04-02T10:00:00,maybe,true\n"
        "T3,2026-04-03T10:00:00,否,2\n"
    )},
    "crlf_quotes_blanks": {"supervisors.csv": (
        'supervisor_id,name,team,region\r\n'
        '007,"王芳","华东一组, 二部",华东\r\n'
        ' S1 ,"李\r\n娜",  ,华南\r\n'
        'S2,Zhang Wei,North,华北\r\n'
    )},
    "header_only_optional": {"audits.csv": "supervisor_id,audited_on,items_checked,violations\n"},
    # --- rows that are quarantined
    "duplicate_ids": {"tickets.csv": tickets(
        "T1,007,2026-01-05T09:00:00,,,,,,,,",
        "T2,S1,2026-01-06T09:00:00,,,,,,,,",
        "T2,S1,2026-01-07T09:00:00,,,,,,,,",
        "T2,S2,2026-01-08T09:00:00,,,,,,,,",
    )},
    "resolved_before_created": {"tickets.csv": tickets(
        "T1,007,2026-01-05T09:00:00,,,,2026-01-05T08:59:59,,,,",
        "T2,S1,2026-01-05T09:00:00,,,,2026-01-05T09:00:00,,,,",
        "T3,S2,2026-01-05T09:00:00,,,2026-01-04T09:00:00,2026-01-06T09:00:00,,,,",
    )},
    "scores_out_of_range": {"surveys.csv": (
        "ticket_id,responded_at,overall,attitude,resolution,speed\n"
        "T1,2026-01-07T10:00:00,5,5,4,3\n"
        "T2,2026-02-12T10:00:00,6,5,4,3\n"
        "T3,2026-04-02T10:00:00,4,0,4.5,5.5\n"
    )},
    "unknown_supervisor": {"tickets.csv": tickets(
        "T1,007,2026-01-05T09:00:00,,,,,,,,",
        "T2,7,2026-01-05T09:00:00,,,,,,,,",
        "T3,S9,2026-01-05T09:00:00,,,,,,,,",
    ), "surveys.csv": (
        "ticket_id,responded_at,overall\n"
        "T1,2026-01-07T10:00:00,5\n"
        "T3,2026-01-07T10:00:00,4\n"
    )},
    "parent_quarantined": {"supervisors.csv": SUPERVISORS + "S9,,,\n",
                           "tickets.csv": tickets("T1,S9,2026-01-05T09:00:00,,,,,,,,",
                                                  "T2,S1,2026-01-05T09:00:00,,,,,,,,")},
    "unparseable_dates": {"tickets.csv": tickets(
        "T1,007,2026/13/05 09:00,,,,,,,,",
        "T2,S1,yesterday,,,,,,,,",
        "T3,S2,2026-02-30T09:00:00,,,,,,,,",
        "T4,S2,2026-01-05T09:00:00,,,,,2026-01-07T25:00:00,,,",
    ), "staff.csv": (
        "staff_id,supervisor_id,hired_on,left_on\n"
        "E1,007,2025-03-01,\n"
        "E2,S1,01/03/2025,\n"
        "E3,S1,2025-03-01,2025-02-28\n"
    )},
    "negative_cost": {"tickets.csv": tickets(
        "T1,007,2026-01-05T09:00:00,,,,,,,0,-5",
        "T2,S1,2026-01-05T09:00:00,,,,,,,-1,0",
        "T3,S2,2026-01-05T09:00:00,,,,,,,,abc",
        "T4,S2,2026-01-05T09:00:00,,,,,,,,1e3",
    )},
    "required_values_empty": {"tickets.csv": tickets(
        "T1,007,,,,,,,,,",
        ",S1,2026-01-05T09:00:00,,,,,,,,",
        "T3,,,,,,,,,,",
    )},
    "several_rules_one_row": {"tickets.csv": tickets(
        "T1,007,2026-01-05T09:00:00,,,,,,,,",
        "T1,S9,2026-01-05T09:00:00,,,,2026-01-01T00:00:00,,maybe,,-3",
    )},
    "audits_violations": {"audits.csv": (
        "supervisor_id,audited_on,items_checked,violations\n"
        "007,2026-01-15,20,2\n"
        "S1,2026-01-15,20,21\n"
        "S2,2026-01-15,0,0\n"
    )},
    "training_unknown_staff": {"staff.csv": (
        "staff_id,supervisor_id,hired_on\n"
        "E1,007,2025-03-01\n"
    ), "training.csv": (
        "staff_id,course_id,due_on,completed_on,pre_score,post_score\n"
        "E1,K1,2026-01-31,2026-01-20,60,85\n"
        "E2,K1,2026-01-31,,,\n"
        "E1,K2,2026-01-31,,101,\n"
    )},
    "bad_period": {"budgets.csv": (
        "supervisor_id,period,budget\n"
        "007,2026Q1,10000\n"
        "S1,2026Q5,10000\n"
        "S2,2026-01,-1\n"
    )},
    "extra_columns": {"supervisors.csv": (
        "supervisor_id,name,team,region,备注\n"
        "007,王芳,华东一组,华东,新任\n"
        "S1,李娜,华南一组,华南,\n"
        "S2,Zhang Wei,North,华北,\n"
        "S2,Zhang Wei,North,华北,重复行\n"
    )},
    # --- files that cannot be used
    "undecodable_bytes": {"tickets.csv": TICKETS.encode("utf-8") + b"T4,S1,2026-01-05T09:00:00,\x80\xff\xfe,,,,,,,\n"},
    "missing_column": {"tickets.csv": (
        "ticket_id,supervisor_id,staff_id\n"
        "T1,007,E1\n"
    )},
    "empty_file": {"tickets.csv": b""},
    "missing_mandatory_table": {"tickets.csv": None},
    "duplicated_headers": {"supervisors.csv": (
        "supervisor_id,name,team,Name\n"
        "007,王芳,华东一组,王芳\n"
    )},
    "two_sources": {"tickets.parquet": "PARQUET_TICKETS"},
    "not_a_table": {"tickets.csv": TICKETS + "T4,S1,2026-01-05T09:00:00,,,,,,,,,,,,\n"},
    "semicolons": {"tickets.csv": TICKETS.replace(",", ";")},
    "broken_xlsx": {"extra.xlsx": b"PK\x03\x04 this is not really a workbook"},
    # --- Excel and Parquet sources (replace the CSV files)
    "xlsx_sheets": {"supervisors.csv": None, "tickets.csv": None, "perf.xlsx": "XLSX"},
    "parquet_tables": {"tickets.csv": None, "tickets.parquet": "PARQUET_TICKETS"},
    # --- what spreadsheets and Chinese offices write (see data/README.md, "Cell formats")
    "missing_words": {"tickets.csv": tickets(
        "T1,007,2026-01-05T09:00:00,-,N/A,NULL,无,#N/A,否,NA,N/A",
        "T2,S1,2026-02-10T14:00:00,E2,C2,,,,-,nan,暂无",
        "T3,S2,2026-03-31T23:59:59,E3,C3,,,,true,1,--",
    ), "supervisors.csv": SUPERVISORS.replace("North,华北", "无,NA")},
    "missing_word_required": {"surveys.csv": (
        "ticket_id,responded_at,overall,attitude\n"
        "T1,2026-01-07T10:00:00,N/A,5\n"
        "T2,无,4,无\n"
        "T3,2026-04-02T10:00:00,5,-\n"
    )},
    "thousands_separators": {"tickets.csv": tickets(
        'T1,007,2026-01-05T09:00:00,,,,,,,,"1,234.5"',
        'T2,S1,2026-02-10T14:00:00,,,,,,,,"12,345,678"',
        'T3,S2,2026-03-31T23:59:59,,,,,,,,"1,23"',
        "T4,S2,2026-03-31T23:59:59,,,,,,,,¥80",
        "T5,S2,2026-03-31T23:59:59,,,,,,,,12元",
    ), "budgets.csv": (
        "supervisor_id,period,budget\n"
        '007,2026Q1,"1,000,000"\n'
        'S1,2026Q1,"￥250,000.00"\n'
    )},
    "huge_values": {"tickets.csv": tickets(
        "T1,007,2026-01-05T09:00:00,,,,,,,,1e308",
        "T2,S1,2026-02-10T14:00:00,,,,,,,1e20,5",
        "T3,S2,2026-03-31T23:59:59,,,,,,,,1e999",
        "T4,S2,2026-03-31T23:59:59,,,,,,,,999999999999",
    ), "budgets.csv": "supervisor_id,period,budget\n007,2026Q1,1e300\nS1,2026Q1,1e15\n"},
    "excel_errors": {"tickets.csv": tickets(
        "T1,007,2026-01-05T09:00:00,,,,,,,,#VALUE!",
        "T2,S1,2026-02-10T14:00:00,,,,,,,,#DIV/0!",
        "T3,S2,2026-03-31T23:59:59,,,,,,,,inf",
    )},
    "chinese_dates": {"staff.csv": (
        "staff_id,supervisor_id,hired_on,left_on,promoted_on\n"
        "E1,007,2025年3月1日,,2026年1月15日\n"
        "E2,S1,2025年 12月 1日,2026年2月30日,\n"
        "E3,S2,2025-03-01,2026年9月1日,\n"
    ), "tickets.csv": tickets(
        "T1,007,2026年1月5日 9:00,,,2026年1月5日 09:30:15,,,,,",
        "T2,S1,2026年2月10日,,,,,,,,",
        "T3,S2,2026年13月1日,,,,,,,,",
    )},
    "year_first_dates": {"staff.csv": (
        "staff_id,supervisor_id,hired_on,left_on,promoted_on\n"
        "E1,007,2025/3/1,,2026/01/15\n"
        "E2,S1,2025-3-1,2026.9.1,\n"
    ), "tickets.csv": tickets(
        "T1,007,2026/1/5 9:00,,,2026/1/5 09:30:15,2026/1/6 8:00,,,,",
        "T2,S1,2026/02/10,,,,,,,,",
        "T3,S2,2026/2/30 10:00,,,,,,,,",
    )},
    "gbk_chinese_dates": {"customers.csv": (
        "customer_id,supervisor_id,since,churned_on\n"
        "C1,007,2024年12月31日,\n"
        "C2,S1,2025年1月1日,2024年12月1日\n"
        "C2,S1,2025年1月1日,\n"
    ).encode("gbk")},
    "mixed_offsets": {"surveys.csv": (
        "ticket_id,responded_at,overall\n"
        "T1,2026-01-07T10:00:00,5\n"
        "T2,2026-02-12T02:00:00Z,4\n"
        "T3,2026-04-02T10:00:00+05:30,3\n"
    ), "followups.csv": (
        "ticket_id,called_at,reached,positive\n"
        "T1,2026-01-08 10:00:00+0800,是,是\n"
        "T1,2026-01-08T02:00:00+00:00,是,否\n"
        "T2,2026-02-13T10:00:00-08:00,否,\n"
    )},
    "excel_date_serials": {"perf.xlsx": "XLSX_SERIALS"},
    "empty_sheet": {"perf.xlsx": "XLSX_EMPTY_SHEET"},
    "duplicated_headers_xlsx": {"tickets.csv": None, "tickets.xlsx": "XLSX_DUP_HEADER"},
    "utf16_file": {"supervisors.csv": "\ufeff".encode("utf-16-le") + SUPERVISORS.encode("utf-16-le")},
    "peer_reviews_rules": {"peer_reviews.csv": (
        "supervisor_id,reviewer_id,reviewed_on,collaboration\n"
        "007,E1,2026年1月10日,4\n"
        "007,E1,2026-01-10,5\n"
        "S9,E2,2026-01-10,3\n"
        "S1,E3,2026-01-10,6\n"
        "S2,E4,2026-01-10,无\n"
    )},
    "staff_rules": {"staff.csv": (
        "staff_id,supervisor_id,hired_on,left_on,promoted_on\n"
        "E1,007,2025-03-01,,2025-02-01\n"
        "E2,S9,2025-03-01,,\n"
        "E3,S1,2025-03-01,-,-\n"
        "E3,S1,2025-04-01,,\n"
    )},
    "followups_rules": {"followups.csv": (
        "ticket_id,called_at,reached,positive\n"
        "T1,2026-01-07T10:00:00,N/A,是\n"
        "T9,2026-01-07T10:00:00,是,是\n"
        "T2,2026-02-30T10:00:00,是,否\n"
        "T2,2026-02-12T10:00:00,否,-\n"
    )},
    # a survey answered or a return visit called before its ticket was created (T4 is
    # quarantined itself: its survey breaks the foreign key only)
    "events_before_ticket": {"tickets.csv": TICKETS + "T4,S9,2026-01-05T09:00:00,,,,,,,,\n",
                             "surveys.csv": (
        "ticket_id,responded_at,overall\n"
        "T1,2026-01-05T08:59:59,5\n"
        "T2,2026-02-10 14:00,4\n"
        "T3,2026-03-31T15:59:58Z,3\n"
        "T9,2025-01-01T00:00:00,5\n"
        "T4,2026-01-01T00:00:00,2\n"
    ), "followups.csv": (
        "ticket_id,called_at,reached,positive\n"
        "T1,2026-01-04T10:00:00,是,是\n"
        "T1,2026-01-05T09:00:00,否,\n"
        "T2,2026年2月10日,是,否\n"
        "T3,2026-04-01T09:00:00,是,是\n"
        "T3,2026-03-01T09:00:00,maybe,是\n"
    )},
    # a workbook whose <dimension> tag says A1:C3 (as many exporters leave it) while the
    # sheet holds 5 data rows and 6 columns
    "stale_dimension_xlsx": {"tickets.csv": None, "tickets.xlsx": "XLSX_STALE_DIMENSION"},
    # old-Mac line ends (CR only)
    "cr_line_ends": {"tickets.csv": TICKETS.replace("\n", "\r")},
    # a zero-width space inside a header name, full-width letters in another
    "invisible_header": {"tickets.csv": TICKETS.replace("resolved_at", "resolved\u200b_at")
                         .replace("due_at", "\uff44\uff55\uff45_at")},
    # an 80 MB text cell in a workbook of about 80 KB (a zip bomb): refused in bounded memory
    "xlsx_bomb_cell": {"tickets.csv": None, "tickets.xlsx": "XLSX_BOMB"},
    # one row typed in GBK inside a UTF-8 file (pasted from an older export)
    "gbk_row_in_utf8": {"supervisors.csv": SUPERVISORS.encode("utf-8")
                        + "S3,张三,华东二组,华东\n".encode("gbk")
                        + "S4,欧阳娜娜,西南一组,西南\n".encode("utf-8")},
    # formulas as pandas and openpyxl write them (no calculated value) and as Excel saves them
    "formula_without_value": {"tickets.csv": None, "tickets.xlsx": "XLSX_FORMULAS"},
    # a title row above the header, as reports exported from a spreadsheet have it
    "title_row": {"tickets.csv": "2026年第一季度工单,,,,,,,,,,\n" + TICKETS},
    "title_row_xlsx": {"tickets.csv": None, "tickets.xlsx": "XLSX_TITLE"},
    # typing slips in dates: a ticket of 1900, a resolution in 2099, a hire in 1949
    # (1950-01-01 passes), a survey answered ten years after the newest ticket
    "implausible_dates": {
        "tickets.csv": TICKETS + "T4,S1,1900-01-01 09:00,,,,,,,,\n"
                       "T5,S2,2026-03-02 09:00,,,,2099-01-01 10:00,,,,\n",
        "staff.csv": "staff_id,supervisor_id,hired_on,left_on\n"
                     "E1,007,1949-12-31,\nE2,S1,1950-01-01,2027-03-31\nE3,S2,2024-05-06,2027-04-01\n",
        "surveys.csv": "ticket_id,responded_at,overall\nT1,2026-01-07 10:00,5\nT2,2036-02-11 10:00,4\n",
    },
    # values that overflow datetime64[ns] or a period: the open-ended 9999-12-31 in end
    # dates (read as no end), 0001-01-01, budget periods of year 0 and 9999
    "far_dates": {
        "staff.csv": "staff_id,supervisor_id,hired_on,left_on\n"
                     "E1,007,2020-01-01,9999-12-31\nE2,S1,2020-01-01,9999-12-31 23:59:59\n"
                     "E3,S1,2020-01-01,0001-01-01\nE4,S2,0001-01-01,\nE5,S2,9999-12-31,\n",
        "customers.csv": "customer_id,supervisor_id,since,churned_on\n"
                         "C1,007,2019-05-01,9999-12-31\nC2,S1,2019-05-01,2026-02-01\n",
        "budgets.csv": "supervisor_id,period,budget\n007,0000Q1,5\nS1,9999Q4,5\nS2,2026Q1,5\n",
    },
    # look-alike ids: a full-width S, a zero-width space after an id, a full-width digit
    "lookalike_ids": {
        "supervisors.csv": SUPERVISORS + "\uff33\uff11,冒名者,华南一组,华南\nS1\u200b,冒名者二,华南一组,华南\n",
        "tickets.csv": TICKETS + "T4,\uff33\uff11,2026-03-01 09:00,,,,,,,,\nT\uff15,S1,2026-03-02 09:00,,,,,,,,\n",
    },
    "far_dates_parquet": {"staff.parquet": "PARQUET_FAR_DATES"},
    "far_dates_xlsx": {"customers.xlsx": "XLSX_FAR_SERIALS"},
    # --- policies next to the data (loaded with perfmodel.load_policy)
    "policy_python_tag": {"policy.yaml": "POLICY_PYTHON_TAG"},
    "policy_weights_not_summing": {"policy.yaml": "POLICY_WEIGHTS"},
    "policy_not_yaml": {"policy.yaml": "name: x\nversion: [1\n\tperiod: quarter\n"},
    "policy_gbk": {"policy.yaml": "POLICY_GBK"},
    # nine aliases of nine aliases ... under a free-text key: 9**9 values once expanded
    "policy_alias_bomb": {"policy.yaml": "POLICY_ALIAS_BOMB"},
}

POLICY_OK = """name: 售后主管考核
version: "2026.1"
period: quarter
phase: custom
dimensions: {result: 0.6, process: 0.4}
missing: renormalize
indicators:
  csat: {dimension: result, weight: 1.0, rule: linear, floor: 3.8, target: 4.6}
  timely_closure_rate: {dimension: process, weight: 1.0, rule: ratio, target: 0.9}
ratings:
  bands: {S: 90, A: 80, B: 70, C: 60, D: 0}
"""

POLICIES = {
    "POLICY_PYTHON_TAG": POLICY_OK.replace(
        "name: 售后主管考核", 'name: !!python/object/apply:os.system ["echo pwned"]'),
    "POLICY_WEIGHTS": POLICY_OK.replace("process, weight: 1.0", "process, weight: 0.7"),
    "POLICY_GBK": POLICY_OK.encode("gbk"),
    "POLICY_ALIAS_BOMB": POLICY_OK + "note:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"  {n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")),
}


def _parquet_tickets(path: Path) -> None:
    pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3"],
        "supervisor_id": ["007", "S1", "S2"],
        "created_at": pd.to_datetime(["2026-01-05 09:00:00", "2026-02-10 14:00:00", "2026-03-31 23:59:59"]),
        "resolved_at": pd.to_datetime(["2026-01-06 02:00:00", None, None]).tz_localize("UTC"),
        "is_complaint": pd.array([False, True, None], dtype="boolean"),
        "reopened": [0, 1, 2],
        "cost": [120.5, 80.0, -1.0],
    }).to_parquet(path, index=False)


def _parquet_far_dates(path: Path) -> None:
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    stamp = pa.timestamp("us")
    pq.write_table(pa.table({
        "staff_id": ["E1", "E2", "E3", "E4"],
        "supervisor_id": ["007", "S1", "S1", "S2"],
        "hired_on": pa.array([dt.datetime(2020, 1, 1), dt.datetime(1, 1, 1), dt.datetime(2021, 1, 1),
                              dt.datetime(9999, 12, 31)], stamp),
        "left_on": pa.array([dt.datetime(9999, 12, 31), None, dt.datetime(9999, 12, 31, 23, 59, 59),
                             None], stamp),
    }), path)


def _xlsx_far_serials(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "customers"
    sheet.append(["customer_id", "supervisor_id", "since", "churned_on"])
    sheet.append(["C1", "007", 45000, 2958465])   # churned 9999-12-31: not yet
    sheet.append(["C2", "S1", 2958465, None])     # won 9999-12-31: unreadable
    sheet.append(["C3", "S1", 45000, 45001])
    _save(book, path)


def _xlsx(path: Path) -> None:
    import openpyxl
    from datetime import datetime

    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["本工作簿包含主管与工单"])
    sup = book.create_sheet("supervisors")
    sup.append(["supervisor_id", "name", "team", "region"])
    sup.append(["007", "王芳", "华东一组", "华东"])
    sup.append([1, "李娜", "华南一组", "华南"])      # a numeric id typed into Excel
    sup.append([None, None, None, None])             # a blank row is skipped
    sup.append(["S2", "Zhang Wei", "North", "华北"])
    tic = book.create_sheet("Tickets")
    tic.append(["ticket_id", "supervisor_id", "created_at", "resolved_at", "is_complaint", "cost"])
    tic.append(["T1", "007", datetime(2026, 1, 5, 9, 0), datetime(2026, 1, 6, 10, 0), True, 120.5])
    tic.append(["T2", 1, "2026-02-10T14:00:00", None, "否", 80])
    tic.append(["T3", "S2", datetime(2026, 3, 31, 23, 59, 59), datetime(2026, 3, 1), "是", "abc"])
    _save(book, path)


FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def _fixed_zip(path: Path) -> None:
    """Rewrite a workbook with fixed zip entry times and a fixed 'modified' property.

    openpyxl stamps the save time into docProps/core.xml and every zip entry, so the same
    workbook would otherwise give different bytes each run.
    """
    import re
    import zipfile

    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2026-01-01T00:00:00Z\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, data)


def _save(book, path: Path) -> None:
    from datetime import datetime

    book.properties.creator = "perfmodel tests"
    book.properties.created = book.properties.modified = datetime(2026, 1, 1)
    book.save(path)
    _fixed_zip(path)


def _xlsx_serials(path: Path) -> None:
    import openpyxl
    from datetime import datetime

    book = openpyxl.Workbook()
    staff = book.active
    staff.title = "staff"
    staff.append(["staff_id", "supervisor_id", "hired_on", "left_on"])
    staff.append(["E1", "007", 45717, None])                  # serial of 2025-03-01, General format
    staff.append(["E2", "S1", datetime(2025, 3, 1), 46082])    # a date cell; 46082 = 2026-03-01
    staff.append(["E3", "S2", 45717.5, None])                 # noon is no date
    staff.append(["E4", "S2", 12, None])                      # 1900-01-12 is no hiring date
    staff.cell(row=3, column=3).number_format = "yyyy/m/d"
    surveys = book.create_sheet("surveys")
    surveys.append(["ticket_id", "responded_at", "overall"])
    surveys.append(["T1", 46027.375, 5])                      # 2026-01-05 09:00
    surveys.append(["T2", "2026年2月12日 10:00", 4])
    _save(book, path)


def _xlsx_empty_sheet(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "audits"  # a template sheet left empty
    _save(book, path)


def _xlsx_dup_header(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "tickets"
    sheet.append(["ticket_id", "supervisor_id", "created_at", "Ticket_ID "])
    sheet.append(["T1", "007", "2026-01-05T09:00:00", "T1"])
    _save(book, path)


def _xlsx_stale_dimension(path: Path) -> None:
    import openpyxl
    import re
    import zipfile

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "tickets"
    sheet.append(["ticket_id", "supervisor_id", "created_at", "is_complaint", "reopened", "cost"])
    for i, sup in enumerate(["007", "S1", "S2", "S1", "007"], start=1):
        sheet.append([f"T{i}", sup, f"2026-01-0{i}T09:00:00", "否", 0, 10.0 * i])
    _save(book, path)
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C3"', data)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, data)


def xlsx_bomb(path: Path, cell_bytes: int = 80 << 20) -> None:
    """A tickets workbook whose note cell of T2 holds ``cell_bytes`` letters (an inline string).

    The string is streamed into the archive, so writing it needs no memory of its size.
    """
    import openpyxl
    import zipfile

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "tickets"
    sheet.append(["ticket_id", "supervisor_id", "created_at", "note"])
    sheet.append(["T1", "007", "2026-01-05T09:00:00", "ok"])
    sheet.append(["T2", "S1", "2026-01-06T09:00:00", "BOMB"])
    _save(book, path)
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    chunk = b"A" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            if b"BOMB" not in data:
                zout.writestr(info, data)
                continue
            head, tail = data.split(b"BOMB", 1)
            with zout.open(info, "w", force_zip64=True) as out:
                out.write(head)
                left = cell_bytes
                while left > 0:
                    out.write(chunk[:min(left, len(chunk))])
                    left -= len(chunk)
                out.write(tail)


def _xlsx_formulas(path: Path) -> None:
    import openpyxl
    import zipfile

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "tickets"
    sheet.append(["ticket_id", "supervisor_id", "created_at", "cost"])
    sheet.append(["T1", "007", "2026-01-05T09:00:00", 10])
    sheet.append(["T2", "S1", "2026-01-06T09:00:00", "=D2*2"])   # written without its value
    sheet.append(["T3", "S2", "2026-01-07T09:00:00", "=D2*3"])   # given its value 30 below
    _save(book, path)
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name.startswith("xl/worksheets/"):
                data = data.replace(b"<f>D2*3</f><v />", b"<f>D2*3</f><v>30</v>")
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zout.writestr(info, data)


def _xlsx_title(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "tickets"
    sheet.append(["售后工单明细（2026年第一季度）"])
    sheet.append([])
    sheet.append(["ticket_id", "supervisor_id", "created_at"])
    sheet.append(["T1", "007", "2026-01-05T09:00:00"])
    _save(book, path)


def write_case(name: str, files: dict[str, object]) -> None:
    folder = HERE / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    base = {"supervisors.csv": SUPERVISORS, "tickets.csv": TICKETS}
    base.update(files)
    for filename, content in base.items():
        path = folder / filename
        if content is None:
            continue
        if content == "PARQUET_TICKETS":
            _parquet_tickets(path)
        elif content == "PARQUET_FAR_DATES":
            _parquet_far_dates(path)
        elif content == "XLSX_FAR_SERIALS":
            _xlsx_far_serials(path)
        elif content == "XLSX":
            _xlsx(path)
        elif content == "XLSX_TITLE":
            _xlsx_title(path)
        elif content == "XLSX_FORMULAS":
            _xlsx_formulas(path)
        elif content == "XLSX_BOMB":
            xlsx_bomb(path)
        elif content in ("XLSX_SERIALS", "XLSX_EMPTY_SHEET", "XLSX_DUP_HEADER", "XLSX_STALE_DIMENSION"):
            {"XLSX_SERIALS": _xlsx_serials, "XLSX_EMPTY_SHEET": _xlsx_empty_sheet,
             "XLSX_DUP_HEADER": _xlsx_dup_header,
             "XLSX_STALE_DIMENSION": _xlsx_stale_dimension}[content](path)
        elif isinstance(content, str) and content in POLICIES:
            text = POLICIES[content]
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


if __name__ == "__main__":
    import sys

    for case, files in CASES.items():
        if len(sys.argv) > 1 and case not in sys.argv[1:]:
            continue  # only the cases named on the command line
        write_case(case, files)
    print(f"wrote {len(CASES)} cases to {HERE}")
