"""The engine validator (DuckDB over Parquet) gives the pandas validator's clean rows and quarantine.

Each folder is written as Parquet and validated twice, by :func:`perfmodel.load_dataset`
(pandas) and by :func:`perfmodel.data.enginecheck.check_folder` (SQL): the row account, the
quarantined rows (table, row, column, reason, record, codes, parameters) and the clean rows
(values, column by column) must be equal. Folders: the bundled sample (its CSV cells
written as Parquet text, so that SQL parses every cell, and the same sample generated as
typed Parquet by ``perfmodel synth``), every CSV case of the broken-input corpus, and a
hand-made Parquet file of typed hostile cells.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from perfmodel.data.dataset import QUARANTINE_COLUMNS
from perfmodel.data.enginecheck import check_folder, engine_checkable
from perfmodel.data.loader import load_dataset
from perfmodel.data.schema import TABLES

from conftest import as_parquet_text  # tests/ is on the path: the rootdir's conftest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
BAD = ROOT / "tests" / "fixtures" / "bad"


def clean_frame(checked, name: str) -> pd.DataFrame:
    return checked.frame(name)


def assert_same(folder: Path) -> tuple:
    """Validate ``folder`` both ways and compare everything; return (dataset, checked)."""
    dataset = load_dataset(folder)
    checked = check_folder(folder)
    pd.testing.assert_frame_equal(checked.dataset.account.reset_index(drop=True),
                                  dataset.account.reset_index(drop=True), check_dtype=False)
    mine = checked.dataset.quarantine[QUARANTINE_COLUMNS].reset_index(drop=True)
    theirs = dataset.quarantine[QUARANTINE_COLUMNS].reset_index(drop=True)
    assert mine[["table", "row"]].values.tolist() == theirs[["table", "row"]].values.tolist()
    for column in ("file", "column", "reason", "record", "reason_code", "reason_params"):
        different = mine[column].astype(str) != theirs[column].astype(str)
        assert not different.any(), (column, mine.loc[different, ["table", "row", column]].head(3).values.tolist(),
                                     theirs.loc[different, column].head(3).tolist())
    for name, frame in dataset.tables.items():
        engine = clean_frame(checked, name)
        assert len(engine) == len(frame), name
        for col in TABLES[name].columns:
            a, b = engine[col.name], frame[col.name]
            if col.kind in ("timestamp", "date"):
                a, b = a.astype("datetime64[us]"), b.astype("datetime64[us]")
            assert a.isna().tolist() == b.isna().tolist(), (name, col.name)
            present = b.notna().to_numpy()
            assert a[present].tolist() == b[present].tolist(), (name, col.name)
    return dataset, checked


def test_sample_as_parquet_text(tmp_path):
    folder = as_parquet_text(SAMPLE, tmp_path / "sample")
    assert engine_checkable(folder)
    dataset, checked = assert_same(folder)
    assert int(dataset.account["rows_read"].sum()) > 10_000


def test_sample_as_typed_parquet(tmp_path):
    from perfmodel.cli import main

    out = tmp_path / "typed"
    command = (SAMPLE / "COMMAND.txt").read_text(encoding="utf-8").split()
    args = command[1:]
    args[args.index("--out") + 1] = str(out)
    assert main(args + ["--format", "parquet"]) == 0
    assert pq.read_schema(out / "tickets.parquet").field("created_at").type != pa.string()
    assert_same(out)


CSV_CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
                   and any(p.glob("*.csv")) and not any(p.glob("*.xlsx")) and not (p / "policy.yaml").exists())


@pytest.mark.parametrize("case", CSV_CASES)
def test_corpus_case_as_parquet_text(case, tmp_path):
    try:
        load_dataset(BAD / case)
    except Exception:  # noqa: BLE001 - a case that fails to load is the corpus tests' concern
        pytest.skip("the case does not load")
    folder = as_parquet_text(BAD / case, tmp_path / case)
    dataset, checked = assert_same(folder)


def test_the_corpus_quarantines_rows_the_engine_finds_too():
    # the comparison above is not vacuous: the corpus holds quarantined rows of many codes
    codes = set()
    for case in CSV_CASES:
        try:
            codes |= set(load_dataset(BAD / case).quarantine["reason_code"].str.split("; ").explode().dropna())
        except Exception:  # noqa: BLE001
            continue
    assert {"unreadable", "duplicate", "not_in_parent", "before", "out_of_range", "required_empty",
            "lookalike", "implausible_date", "date_field", "before_parent"} <= codes


def test_typed_hostile_cells(tmp_path):
    """Typed Parquet cells: NaN and infinite numbers, 0/1 and 2 as booleans, zone-aware and
    out-of-span date-times, the open-end sentinel, a date with a time of day."""
    out = tmp_path / "typed"
    out.mkdir()
    pq.write_table(pa.table({"supervisor_id": ["S1", "S2", "S1", "Ｓ3"], "name": ["甲", "乙", "丙", "丁"]}),
                   out / "supervisors.parquet")
    created = pa.array([pd.Timestamp("2026-01-05 09:00"), pd.Timestamp("2026-01-06 10:00"),
                        pd.Timestamp("2026-01-07 11:00"), pd.Timestamp("2026-01-08 12:00"),
                        pd.Timestamp("1900-01-01"), None], pa.timestamp("us"))
    resolved = pa.array([pd.Timestamp("2026-01-05 08:00"), None, pd.Timestamp("2026-01-09 10:00"),
                         pd.Timestamp("3000-01-01"), None, None], pa.timestamp("us"))
    due = pa.array([pd.Timestamp("2026-01-06 01:00", tz="UTC")] * 6, pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({
        "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T6"], "supervisor_id": ["S1", "S2", "S9", "S1", "S2", "S1"],
        "created_at": created, "resolved_at": resolved, "due_at": due,
        "is_complaint": pa.array([1, 0, 2, None, 1, 0], pa.int64()),
        "cost": pa.array([1.5, float("nan"), float("inf"), -2.0, 1e16, None], pa.float64()),
        "reopened": pa.array([0, 1, 2, 3, None, 0], pa.int64()),
    }), out / "tickets.parquet")
    pq.write_table(pa.table({
        "staff_id": ["E1", "E2", "E3"], "supervisor_id": ["S1", "S2", "S1"],
        "hired_on": pa.array([pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-01 10:00"),
                              pd.Timestamp("2021-05-05")], pa.timestamp("us")),
        "left_on": pa.array([pd.Timestamp("9999-12-31"), pd.Timestamp("2025-01-01"), pd.Timestamp("2019-01-01")],
                            pa.timestamp("us")),
    }), out / "staff.parquet")
    dataset, checked = assert_same(out)
    codes = set(dataset.quarantine["reason_code"].str.split("; ").explode())
    assert {"before", "not_in_parent", "unreadable", "too_large", "out_of_range", "implausible_date",
            "lookalike"} <= codes


# --------------------------------------------------------------------------- the pieces

def _parse(kind: str, cells: list, raw_type: str = "VARCHAR", **kw) -> list:
    import duckdb

    from perfmodel.data.sqlcells import cell_sql, text_sql

    con = duckdb.connect()
    con.register("cells", pa.table({"x": pa.array(cells, pa.string() if raw_type == "VARCHAR" else None)}))
    src = text_sql('"x"', kind) if raw_type == "VARCHAR" else '"x"'
    value, bad = cell_sql(kind, raw_type, src, "Asia/Shanghai", **kw)
    return con.execute(f"SELECT {value}, {bad} FROM cells").fetchall()


def test_sql_reads_chinese_and_year_first_dates():
    got = _parse("timestamp", ["2026年9月30日", "2026/9/30 14:05", "2026年9月3日 9时5分7秒", " 2026-09-30T08:00:00Z ",
                               "2026-09-30 14:05:00+0800", "2026-02-30", "30/09/2026", "N/A", None])
    assert got == [
        (pd.Timestamp("2026-09-30").to_pydatetime(), False),
        (pd.Timestamp("2026-09-30 14:05").to_pydatetime(), False),
        (pd.Timestamp("2026-09-03 09:05:07").to_pydatetime(), False),
        (pd.Timestamp("2026-09-30 16:00").to_pydatetime(), False),  # 08:00 UTC is 16:00 in Shanghai
        (pd.Timestamp("2026-09-30 14:05").to_pydatetime(), False),
        (None, True), (None, True), (None, False), (None, False)]
    assert _parse("date", ["2026年9月30日", "2026/9/30", "2026-09-30 10:00", "2300-01-01"]) == [
        (pd.Timestamp("2026-09-30").to_pydatetime(), False), (pd.Timestamp("2026-09-30").to_pydatetime(), False),
        (None, True), (None, True)]


def test_sql_reads_numbers_and_booleans():
    assert _parse("float", ["1,234.5", "¥12", "-3e2", "inf", "1_000", "12abc", "—"]) == [
        (1234.5, False), (12.0, False), (-300.0, False), (None, True), (None, True), (None, True), (None, False)]
    assert _parse("bool", ["是", "否", "YES", "0", "maybe"]) == [
        (True, False), (False, False), (True, False), (False, False), (None, True)]


def test_open_end_sentinel_is_missing_not_unreadable():
    assert _parse("date", ["9999-12-31", "9999-12-31 23:59:59"], open_end=True) == [(None, False), (None, False)]
    assert _parse("date", ["9999-12-31"]) == [(None, True)]


def test_rules_are_the_contract_in_order():
    from perfmodel.data.rules import RULES

    surveys = [(r.check, r.columns, r.parent) for r in RULES["surveys"]]
    assert surveys[:3] == [("parse", ("ticket_id",), None), ("lookalike", ("ticket_id",), None),
                           ("parse", ("responded_at",), None)]
    assert ("range", ("overall",), None) in surveys
    assert surveys[-3:] == [("key", ("ticket_id",), None), ("foreign", ("ticket_id",), "tickets"),
                            ("after_parent", ("ticket_id", "responded_at"), "tickets")]
    tickets = [(r.check, r.columns) for r in RULES["tickets"] if r.check == "order"]
    assert tickets == [("order", ("created_at", "first_response_at")), ("order", ("created_at", "resolved_at")),
                       ("order", ("created_at", "due_at"))]


def test_cli_indicators_validates_parquet_in_the_engine(tmp_path, monkeypatch):
    """`perfmodel indicators --data <Parquet folder>` never runs the pandas validator, writes the
    pandas validator's quarantine file and the pandas path's panel."""
    import perfmodel.data.loader
    from perfmodel.cli import main

    folder = as_parquet_text(BAD / "several_rules_one_row", tmp_path / "data")
    expected = load_dataset(folder)
    assert len(expected.quarantine) > 0
    from perfmodel.indicators import compute_indicators

    panel = compute_indicators(expected)

    def refuse(*args, **kwargs):
        raise AssertionError("the pandas validator ran")

    monkeypatch.setattr(perfmodel.data.loader, "load_dataset", refuse)
    out, quarantine = tmp_path / "panel.csv", tmp_path / "quarantine.csv"
    assert main(["indicators", "--data", str(folder), "--out", str(out), "--quarantine", str(quarantine)]) == 0
    written = pd.read_csv(quarantine, dtype=str, keep_default_na=False)
    theirs = expected.quarantine.astype(str)
    assert written[["table", "row", "column", "reason", "reason_code"]].values.tolist() == \
        theirs[["table", "row", "column", "reason", "reason_code"]].values.tolist()
    mine = pd.read_csv(out)
    assert len(mine) == len(panel)
    np.testing.assert_allclose(mine["value"].to_numpy(float), panel["value"].to_numpy(float), rtol=1e-9)


def _record_sql(monkeypatch) -> list[str]:
    """Make every DuckDB connection opened from now on log the SQL it runs; return the log."""
    import duckdb

    log, connect = [], duckdb.connect

    class Logged:
        def __init__(self, con):
            self._con = con

        def execute(self, sql, *args):
            log.append(sql)
            return self._con.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._con, name)

    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: Logged(connect(*a, **k)))
    return log


def test_repeated_ids_are_read_once_per_value(tmp_path, monkeypatch):
    """A column whose values repeat (supervisor_id in the tickets) is scanned for odd characters
    value by value, not row by row; a table's own key still row by row; the quarantine (a
    full-width look-alike in three rows, a blank-padded id in one) is the pandas validator's."""
    out = tmp_path / "ids"
    out.mkdir()
    pq.write_table(pa.table({"supervisor_id": ["S1", "S2"], "name": ["甲", "乙"]}), out / "supervisors.parquet")
    created = pa.array([pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=i) for i in range(6)],
                       pa.timestamp("us"))
    pq.write_table(pa.table({
        "ticket_id": ["T1", "T2", "T3", "T4", "T5", "T６"],
        "supervisor_id": ["S1", "Ｓ1", "S2", "Ｓ1", " S2", "Ｓ1"], "created_at": created,
    }), out / "tickets.parquet")
    log = _record_sql(monkeypatch)
    dataset, checked = assert_same(out)
    quarantine = dataset.quarantine
    assert quarantine.loc[quarantine["reason_code"].str.contains("lookalike"), "row"].tolist() == [2, 4, 6]
    assert int(checked.dataset.account.set_index("table").loc["tickets", "rows_used"]) == 3
    scans = [sql for sql in log if "regexp_matches" in sql and "tickets.parquet" in sql]
    by_value = [sql for sql in scans if 'SELECT DISTINCT "supervisor_id"' in sql]
    by_row = [sql for sql in scans if "DISTINCT" not in sql.split("FROM", 1)[1]]
    assert len(by_value) == 1 and 'regexp_matches("supervisor_id"' in by_value[0]
    assert len(by_row) == 1 and 'regexp_matches("ticket_id"' in by_row[0]
    assert 'regexp_matches("supervisor_id"' not in by_row[0]


def test_cli_score_validates_parquet_in_the_engine(tmp_path, monkeypatch):
    """`perfmodel score --data <Parquet folder>` validates inside the engine, as `perfmodel
    indicators` does: the pandas validator never runs, and the scores and the quarantine file
    are those of the pandas path on the same folder (the sample, its cells as Parquet text,
    with an unknown supervisor, a repeated ticket id and an impossible date)."""
    import perfmodel.data.loader
    from perfmodel.cli import main
    from perfmodel.data.exports import write_table
    from perfmodel.pipeline import run_pipeline

    folder = as_parquet_text(SAMPLE, tmp_path / "data")
    tickets = pq.read_table(folder / "tickets.parquet").to_pydict()  # three rows the contract refuses
    tickets["supervisor_id"][10] = "S999"
    tickets["ticket_id"][20] = tickets["ticket_id"][19]
    tickets["created_at"][30] = "2026-02-30 10:00"
    pq.write_table(pa.table(tickets), folder / "tickets.parquet")
    expected = run_pipeline(folder, "efficiency", period="2026Q3")  # the pandas validator
    assert expected.dataset.quarantine.query("table == 'tickets'")["row"].tolist()[:3] == [11, 21, 31]
    write_table(expected.scores, tmp_path / "expected.csv")

    def refuse(*args, **kwargs):
        raise AssertionError("the pandas validator ran")

    monkeypatch.setattr(perfmodel.data.loader, "load_dataset", refuse)
    out, quarantine = tmp_path / "scores.csv", tmp_path / "quarantine.csv"
    assert main(["score", "--data", str(folder), "--policy", "efficiency", "--period", "2026Q3",
                 "--out", str(out), "--quarantine", str(quarantine)]) == 0
    assert out.read_bytes() == (tmp_path / "expected.csv").read_bytes()
    written = pd.read_csv(quarantine, dtype=str, keep_default_na=False)
    theirs = expected.dataset.quarantine.astype(str)
    columns = ["table", "file", "row", "column", "reason", "reason_code"]
    assert written[columns].values.tolist() == theirs[columns].values.tolist()


def test_repeated_keys_found_in_any_order(tmp_path):
    """Keys repeated out of order, three times, with an empty part, and on a two-column key
    (followups: ticket_id + called_at): the engine quarantines the rows the pandas validator
    does, each naming the first row of its key."""
    out = tmp_path / "keys"
    out.mkdir()
    pq.write_table(pa.table({"supervisor_id": ["S1"], "name": ["甲"]}), out / "supervisors.parquet")
    at = [pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=i) for i in range(7)]
    pq.write_table(pa.table({
        "ticket_id": ["T3", "T1", "T3", "T2", None, "T1", "T3"], "supervisor_id": ["S1"] * 7,
        "created_at": pa.array(at, pa.timestamp("us")),
    }), out / "tickets.parquet")
    called = pa.array([at[0] + pd.Timedelta(days=1), at[0] + pd.Timedelta(days=2), at[0] + pd.Timedelta(days=1),
                       None, None, at[0] + pd.Timedelta(days=2)], pa.timestamp("us"))
    pq.write_table(pa.table({"ticket_id": ["T1", "T1", "T1", "T2", "T2", "T1"], "called_at": called,
                             "reached": [True] * 6}), out / "followups.parquet")
    dataset, checked = assert_same(out)
    quarantine = dataset.quarantine
    duplicates = quarantine[quarantine["reason_code"].str.contains("duplicate")]
    # rows are 1-based positions in the file. tickets: T3 again at rows 3 and 7 (first at 1),
    # T1 again at 6 (first at 2); followups: (T1, day 1) again at row 3 (first at 1), (T1, day 2)
    # again at 6 (first at 2); (T2, no call time) twice is no key
    assert duplicates[["table", "row"]].values.tolist() == [["tickets", 3], ["tickets", 6], ["tickets", 7],
                                                            ["followups", 3], ["followups", 6]]
    firsts = duplicates["reason"].str.extract(r"duplicates row (\d+)")[0].astype(int).tolist()
    assert firsts == [1, 2, 1, 1, 2]


def _ticket_folder(tmp_path, ticket_ids, *, row_group_size=4) -> Path:
    out = tmp_path / "bytes"
    out.mkdir()
    pq.write_table(pa.table({"supervisor_id": ["S1", "S2"], "name": ["甲", "乙"]}), out / "supervisors.parquet")
    n = len(ticket_ids)
    created = pa.array([pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=i) for i in range(n)],
                       pa.timestamp("us"))
    pq.write_table(pa.table({"ticket_id": ticket_ids, "supervisor_id": ["S1", "S2"] * (n // 2),
                             "customer_id": [f"C{i % 3}" for i in range(n)], "created_at": created}),
                   out / "tickets.parquet", row_group_size=row_group_size)
    return out


def test_plain_columns_skip_the_regular_expression_and_a_sorted_key_the_sort(tmp_path, monkeypatch):
    """Plain ASCII id columns are judged from their bytes, and a key stored in ascending
    order is not sorted again: no regular expression and no key sort runs over the tickets."""
    folder = _ticket_folder(tmp_path, [f"T{i:03d}" for i in range(12)])
    log = _record_sql(monkeypatch)
    dataset, checked = assert_same(folder)
    assert len(dataset.quarantine) == 0 and int(checked.dataset.account["rows_used"].sum()) == 14
    tickets = [sql for sql in log if "tickets" in sql]
    assert not [sql for sql in tickets if "regexp_matches" in sql]
    assert not [sql for sql in tickets if "lag(" in sql]


@pytest.mark.parametrize("ticket_ids, repeats", [
    # ascending but for one repeat where two row groups (of 4) meet: rows 4 and 5
    ([f"T{i:03d}" for i in range(4)] + ["T003"] + [f"T{i:03d}" for i in range(5, 12)], [5]),
    # not in order: the sort finds the repeats (rows 7 and 12 repeat rows 2 and 1)
    (["T9", "T1", "T5", "T2", "T3", "T4", "T1", "T6", "T7", "T8", "T0", "T9"], [7, 12]),
])
def test_repeated_keys_found_whether_stored_in_order_or_not(tmp_path, ticket_ids, repeats):
    dataset, checked = assert_same(_ticket_folder(tmp_path, ticket_ids))
    quarantine = checked.dataset.quarantine
    assert quarantine.loc[quarantine["reason_code"] == "duplicate", "row"].tolist() == repeats
