"""Write the broken-input corpus used by tests/test_loader.py.

Each case is a small dataset folder: the valid base tables below with one table replaced
or added. Run ``python tests/data/bad/make_corpus.py`` to rewrite the folders; the files
are committed, so the tests do not depend on this script.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

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
        "T1,007,2026/01/05 09:00,,,,,,,,",
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
    book.properties.creator = "perfmodel tests"
    book.properties.created = book.properties.modified = datetime(2026, 1, 1)
    book.save(path)


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
        elif content == "XLSX":
            _xlsx(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


if __name__ == "__main__":
    for case, files in CASES.items():
        write_case(case, files)
    print(f"wrote {len(CASES)} cases to {HERE}")
