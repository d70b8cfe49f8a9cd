"""Rules that a Parquet column's stored type and statistics guarantee (perfmodel.data.staticrules).

The expectations are worked out by hand from the cells written and the contract's limits
(surveys.overall 1-5, tickets.reopened >= 0, budgets.budget required); the engine check
must still quarantine every row the pandas validator does when the statistics leave room.
"""
from __future__ import annotations

import math

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from perfmodel.data.schema import TABLES
from perfmodel.data.staticrules import ColumnStats, column_stats, guaranteed

OVERALL = TABLES["surveys"].column("overall")
BUDGET = TABLES["budgets"].column("budget")
CREATED = TABLES["tickets"].column("created_at")
LEFT_ON = TABLES["staff"].column("left_on")
SUPERVISOR = TABLES["tickets"].column("supervisor_id")
SPAN = (pd.Timestamp("1677-09-21 00:12:44"), pd.Timestamp("2262-04-11 23:47:16"))
WINDOW = (pd.Timestamp("2000-01-01"), pd.Timestamp("2027-01-01"))
DAY = pd.Timestamp("2026-07-01").to_pydatetime()


def test_column_stats_over_row_groups(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": [4, 2, None, None, 9, 3], "b": pa.array([None] * 6, pa.int64()),
                             "c": ["x", "y", "z", "w", "v", "u"]}), path, row_group_size=2)
    stats = column_stats(path)
    assert stats["a"] == ColumnStats(2, 2, 9)       # the middle group holds only empty cells
    assert stats["b"] == ColumnStats(6, None, None)
    assert stats["c"].nulls == 0


def test_no_statistics_no_guarantee(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), path, write_statistics=False)
    assert column_stats(path) == {}
    assert not guaranteed("range", OVERALL, "BIGINT", None)
    assert not guaranteed("required", OVERALL, "BIGINT", None)


@pytest.mark.parametrize("check, col, raw_type, stats, kw, expected", [
    ("range", OVERALL, "BIGINT", ColumnStats(0, 1, 5), {}, True),
    ("range", OVERALL, "BIGINT", ColumnStats(0, 1, 6), {}, False),
    ("range", OVERALL, "DOUBLE", ColumnStats(0, 1.0, math.inf), {}, False),
    ("range", OVERALL, "VARCHAR", ColumnStats(0, "1", "5"), {}, False),       # text still to be read
    ("required", OVERALL, "BIGINT", ColumnStats(0, 1, 5), {}, True),
    ("required", OVERALL, "BIGINT", ColumnStats(1, 1, 5), {}, False),
    ("required", BUDGET, "DOUBLE", ColumnStats(0, 1.0, 9.0), {}, False),      # a NaN is read as empty
    ("required", SUPERVISOR, "VARCHAR", ColumnStats(0, "S1", "S9"), {}, False),  # "N/A" would be empty
    ("required", SUPERVISOR, "VARCHAR", ColumnStats(0, "S1", "S9"), {"plain": True}, True),
    ("required", LEFT_ON, "TIMESTAMP", ColumnStats(0, DAY, DAY), {}, False),   # the "no end" sentinel
    ("parse", BUDGET, "DOUBLE", ColumnStats(0, -1.0, math.inf), {}, False),
    ("parse", BUDGET, "DOUBLE", ColumnStats(0, -1.0, 5.0), {}, True),
    ("parse", BUDGET, "BIGINT", None, {}, True),
    ("parse", CREATED, "TIMESTAMP", ColumnStats(0, DAY, DAY), {"span": SPAN}, True),
    ("parse", CREATED, "TIMESTAMP", ColumnStats(0, DAY, pd.Timestamp("2300-01-01").to_pydatetime()),
     {"span": SPAN}, False),
    ("parse", CREATED, "VARCHAR", ColumnStats(0, "2026", "2026"), {"span": SPAN}, False),
    ("parse", SUPERVISOR, "VARCHAR", None, {}, True),
    ("window", CREATED, "TIMESTAMP", ColumnStats(0, DAY, DAY), {"bounds": WINDOW}, True),
    ("window", CREATED, "TIMESTAMP", ColumnStats(0, pd.Timestamp("1999-12-31").to_pydatetime(), DAY),
     {"bounds": WINDOW}, False),
    ("window", CREATED, "TIMESTAMP", ColumnStats(0, DAY, DAY), {"bounds": (WINDOW[0], None)}, True),
    ("window", CREATED, "BIGINT", ColumnStats(0, 1, 2), {"bounds": WINDOW}, False),
    ("too_large", BUDGET, "DOUBLE", ColumnStats(0, -5.0, 1e15), {"limit": 1e15}, True),
    ("too_large", BUDGET, "DOUBLE", ColumnStats(0, -5.0, 2e15), {"limit": 1e15}, False),
])
def test_guaranteed(check, col, raw_type, stats, kw, expected):
    assert guaranteed(check, col, raw_type, stats, **kw) is expected


def _hours(n):
    return pa.array([pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=i) for i in range(n)], pa.timestamp("us"))


def _folder(tmp_path, *, overall, budget, created=None, statistics=True):
    out = tmp_path / "stats"
    out.mkdir(parents=True)
    pq.write_table(pa.table({"supervisor_id": ["S1", "S2"], "name": ["甲", "乙"]}), out / "supervisors.parquet")
    ids = [f"T{i}" for i in range(8)]
    pq.write_table(pa.table({"ticket_id": ids, "supervisor_id": ["S1", "S2"] * 4,
                             "created_at": created if created is not None else _hours(8),
                             "reopened": pa.array([0, 1, 0, 2, 0, 0, 1, 0], pa.int64())}),
                   out / "tickets.parquet", row_group_size=3, write_statistics=statistics)
    pq.write_table(pa.table({"ticket_id": ids, "responded_at": _hours(8).cast(pa.timestamp("us")),
                             "overall": pa.array(overall, pa.int64())}),
                   out / "surveys.parquet", row_group_size=3, write_statistics=statistics)
    pq.write_table(pa.table({"supervisor_id": ["S1", "S2", "S1"], "period": ["2026Q1", "2026Q1", "2026Q2"],
                             "budget": pa.array(budget, pa.float64())}),
                   out / "budgets.parquet", write_statistics=statistics)
    return out


@pytest.mark.parametrize("statistics", [True, False])
def test_rows_the_statistics_leave_room_for_are_still_checked(tmp_path, statistics):
    """A score of 6 in the last row group, a NaN budget (no empty cell in the statistics)
    and a ticket created in 1999 are quarantined as by the pandas validator, with or
    without statistics in the files."""
    from test_enginecheck import assert_same

    created = _hours(8).to_pylist()
    created[7] = pd.Timestamp("1999-06-01 10:00")
    folder = _folder(tmp_path, overall=[5, 4, 3, 5, 1, 2, 4, 6], budget=[100.0, float("nan"), 50.0],
                     created=pa.array(created, pa.timestamp("us")), statistics=statistics)
    dataset, checked = assert_same(folder)
    got = checked.dataset.quarantine[["table", "row", "reason_code"]].values.tolist()
    assert ["surveys", 8, "out_of_range; not_in_parent"] in got  # its ticket is quarantined too
    assert ["budgets", 2, "required_empty"] in got
    assert ["tickets", 8, "implausible_date"] in got


def test_rules_the_statistics_guarantee_are_left_out_of_the_scan(tmp_path, monkeypatch):
    """Scores within 1-5 and re-openings of at least 0 in every row group's statistics: the
    scan tests neither range (nor reads those columns); without statistics it tests both."""
    from test_enginecheck import _record_sql, assert_same

    log = _record_sql(monkeypatch)
    assert_same(_folder(tmp_path / "a", overall=[5, 4, 3, 5, 1, 2, 4, 5], budget=[1.0, 2.0, 3.0]))
    scans = " ".join(sql for sql in log if "count(_row)" in sql)
    assert '"overall" < 1.0' not in scans and '"reopened" < 0.0' not in scans
    log.clear()
    assert_same(_folder(tmp_path / "b", overall=[5, 4, 3, 5, 1, 2, 4, 5], budget=[1.0, 2.0, 3.0],
                        statistics=False))
    scans = " ".join(sql for sql in log if "count(_row)" in sql)
    assert '"overall" < 1.0' in scans and '"reopened" < 0.0' in scans


@pytest.mark.parametrize("broken", [False, True])
def test_spans_from_statistics_equal_the_loaders(tmp_path, monkeypatch, broken):
    """The data's span and the tickets' clock span equal those of the pandas loader: read
    from the statistics when no ticket is quarantined (no scan of the tickets), scanned
    when one is (its resolved_at, the latest instant of the file, must not count)."""
    from test_enginecheck import _record_sql

    from perfmodel.core.periods import data_span
    from perfmodel.data.enginecheck import check_folder
    from perfmodel.data.loader import load_dataset
    from perfmodel.indicators import ticket_clock_span

    folder = _folder(tmp_path, overall=[5] * 8, budget=[1.0, 2.0, 3.0])
    resolved = _hours(8).to_pylist()
    resolved = [r + pd.Timedelta(hours=5) for r in resolved]
    resolved[4] = pd.Timestamp("2026-12-30 10:00")
    if broken:
        resolved[4] = pd.Timestamp("2026-01-01 10:00")  # before it was created: quarantined
        resolved[2] = pd.Timestamp("2026-11-30 10:00")
    table = pq.read_table(folder / "tickets.parquet").append_column("resolved_at", pa.array(resolved, pa.timestamp("us")))
    pq.write_table(table, folder / "tickets.parquet", row_group_size=3)
    log = _record_sql(monkeypatch)
    checked = check_folder(folder)
    dataset = load_dataset(folder)
    assert checked.span == data_span(dataset)
    assert checked.clock_span == ticket_clock_span(dataset)
    assert checked.clock_span[1] == pd.Timestamp("2026-11-30 10:00" if broken else "2026-12-30 10:00")
    scans = [sql for sql in log if "max(" in sql and "pm_slim_tickets" in sql]
    assert bool(scans) is broken
