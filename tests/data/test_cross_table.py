"""Order across tables: a survey or a return visit before its ticket was created is quarantined.

``Table.after_parent`` in perfmodel.data.schema states the rule; the loader checks it with the
parent row that the foreign-key lookup found. Every expected reason and count below was
worked out by hand from the rows written in the test (or, for the random case, with a
pandas merge that the loader does not use).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfmodel import dataset_from_frames, load_dataset
from perfmodel.data import validation
from perfmodel.data.parsing import TEXT_DTYPE
from perfmodel.data.schema import TABLES

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "fixtures" / "bad"

SUPERVISORS = pd.DataFrame({"supervisor_id": ["S1", "S2"], "name": ["张伟", "Li Na"]})


def tickets(*rows) -> pd.DataFrame:
    """Tickets from (ticket_id, supervisor_id, created_at) written as text, as in a CSV file."""
    return pd.DataFrame(list(rows), columns=["ticket_id", "supervisor_id", "created_at"])


def surveys(*rows) -> pd.DataFrame:
    return pd.DataFrame([(t, at, "4") for t, at in rows], columns=["ticket_id", "responded_at", "overall"])


def followups(*rows) -> pd.DataFrame:
    return pd.DataFrame([(t, at, "是") for t, at in rows], columns=["ticket_id", "called_at", "reached"])


def quarantined(data, table=None) -> list[tuple]:
    q = data.quarantine if table is None else data.quarantine[data.quarantine["table"] == table]
    return [(r.table, int(r.row), r.column, r.reason) for r in q.itertuples()]


def account(data) -> dict[str, tuple]:
    return {r.table: (r.rows_read, r.rows_used, r.rows_quarantined) for r in data.account.itertuples()}


# --------------------------------------------------------------------------- the rule as data

def test_the_rule_is_stated_in_the_schema():
    assert TABLES["surveys"].after_parent == (("ticket_id", "created_at", "responded_at"),)
    assert TABLES["followups"].after_parent == (("ticket_id", "created_at", "called_at"),)
    for table in TABLES.values():
        for fk, theirs, mine in table.after_parent:
            parent = TABLES[table.foreign[fk]]        # the foreign key names the parent
            assert table.column(mine).kind == parent.column(theirs).kind == "timestamp"


def test_data_readme_documents_each_rule_in_its_table():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for table in TABLES.values():
        for fk, theirs, mine in table.after_parent:
            section = re.search(rf"^### {table.name} .*?(?=^### |^## )", text, re.S | re.M).group(0)
            noun = table.foreign[fk].rstrip("s")
            assert f"`{mine}` must not be before the {noun}'s `{theirs}`" in section, table.name


# --------------------------------------------------------------------------- surveys

def test_the_example_of_the_contract():
    data = dataset_from_frames({
        "supervisors": SUPERVISORS,
        "tickets": tickets(("T1", "S1", "2025-03-02 10:00:00")),
        "surveys": surveys(("T1", "2025-03-01 09:00:00")),
    })
    assert quarantined(data) == [(
        "surveys", 1, "responded_at",
        "responded_at 2025-03-01 09:00:00 is before its ticket's created_at 2025-03-02 10:00:00")]
    assert len(data["surveys"]) == 0


def test_a_survey_one_second_before_creation_is_quarantined_and_the_same_instant_is_kept():
    data = dataset_from_frames({
        "supervisors": SUPERVISORS,
        "tickets": tickets(("T1", "S1", "2026-03-02T10:00:00"), ("T2", "S1", "2026-03-02T10:00:00"),
                           ("T3", "S2", "2026-03-02T10:00:00")),
        "surveys": surveys(("T1", "2026-03-02T09:59:59"),    # one second early
                           ("T2", "2026-03-02T10:00:00"),    # the same instant
                           ("T3", "2026-03-02T10:00:01")),   # one second later
    })
    assert quarantined(data) == [(
        "surveys", 1, "responded_at",
        "responded_at 2026-03-02 09:59:59 is before its ticket's created_at 2026-03-02 10:00:00")]
    assert data["surveys"]["ticket_id"].tolist() == ["T2", "T3"]
    assert data["surveys"]["responded_at"].tolist() == [pd.Timestamp("2026-03-02 10:00:00"),
                                                        pd.Timestamp("2026-03-02 10:00:01")]
    assert account(data)["surveys"] == (3, 2, 1)


def test_typed_frames_follow_the_same_rule():
    T = pd.Timestamp
    data = dataset_from_frames({
        "supervisors": SUPERVISORS,
        "tickets": pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S2"],
                                 "created_at": [T("2026-07-05 09:00"), T("2026-07-06 09:00")]}),
        "surveys": pd.DataFrame({"ticket_id": ["T1", "T2"],
                                 "responded_at": [T("2026-07-05 09:00"), T("2026-07-06 08:59:59.5")],
                                 "overall": [5.0, 3.0]}),
    })
    assert quarantined(data) == [(
        "surveys", 2, "responded_at",
        "responded_at 2026-07-06 08:59:59.500000 is before its ticket's created_at 2026-07-06 09:00:00")]


def test_time_zones_are_settled_before_comparing():
    frames = {
        "supervisors": SUPERVISORS,
        "tickets": tickets(("T1", "S1", "2026-03-02T02:00:00Z")),   # 10:00 in Shanghai
        "surveys": surveys(("T1", "2026-03-02T09:30:00")),           # local time
    }
    shanghai = dataset_from_frames(frames)
    assert quarantined(shanghai) == [(
        "surveys", 1, "responded_at",
        "responded_at 2026-03-02 09:30:00 is before its ticket's created_at 2026-03-02 10:00:00")]
    utc = dataset_from_frames(frames, timezone="UTC")            # created 02:00, answered 09:30
    assert utc.quarantine.empty and len(utc["surveys"]) == 1


# --------------------------------------------------------------------------- follow-ups

def test_a_follow_up_before_creation_is_quarantined():
    data = dataset_from_frames({
        "supervisors": SUPERVISORS,
        "tickets": tickets(("T1", "S1", "2026-03-02T10:00:00"), ("T2", "S2", "2026-03-05T16:30:00")),
        "followups": followups(("T1", "2026-03-01T10:00:00"),    # the day before
                               ("T1", "2026-03-02T10:00:00"),    # the same instant
                               ("T2", "2026-03-05T16:29:59"),    # one second early
                               ("T2", "2026-03-06T09:00:00")),
    })
    assert quarantined(data) == [
        ("followups", 1, "called_at",
         "called_at 2026-03-01 10:00:00 is before its ticket's created_at 2026-03-02 10:00:00"),
        ("followups", 3, "called_at",
         "called_at 2026-03-05 16:29:59 is before its ticket's created_at 2026-03-05 16:30:00"),
    ]
    assert data["followups"]["called_at"].tolist() == [pd.Timestamp("2026-03-02 10:00:00"),
                                                       pd.Timestamp("2026-03-06 09:00:00")]
    assert account(data)["followups"] == (4, 2, 2)


# --------------------------------------------------------------------------- one reason per fault

def test_an_unknown_or_quarantined_ticket_gives_the_foreign_key_reason_only():
    data = dataset_from_frames({
        "supervisors": SUPERVISORS,
        "tickets": tickets(("T1", "S1", "2026-03-02T10:00:00"),
                           ("T2", "S9", "2026-03-02T10:00:00")),     # no such supervisor
        "surveys": surveys(("T9", "2020-01-01T00:00:00"), ("T2", "2020-01-01T00:00:00")),
        "followups": followups(("T9", "2020-01-01T00:00:00"), ("T2", "2020-01-01T00:00:00")),
    })
    assert quarantined(data) == [
        ("tickets", 2, "supervisor_id", "supervisor_id 'S9' not in supervisors"),
        ("surveys", 1, "ticket_id", "ticket_id 'T9' not in tickets"),
        ("surveys", 2, "ticket_id", "ticket_id 'T2' not in tickets"),
        ("followups", 1, "ticket_id", "ticket_id 'T9' not in tickets"),
        ("followups", 2, "ticket_id", "ticket_id 'T2' not in tickets"),
    ]


def test_an_unreadable_or_empty_time_is_reported_as_such_only():
    data = dataset_from_frames({
        "supervisors": SUPERVISORS,
        "tickets": tickets(("T1", "S1", "2026-03-02T10:00:00"), ("T2", "S1", "2026-03-02T10:00:00")),
        "surveys": surveys(("T1", "2026-02-30T09:00:00"), ("T2", "")),
    })
    assert quarantined(data) == [
        ("surveys", 1, "responded_at",
         "responded_at: '2026-02-30T09:00:00' is not a valid date: day 30 is out of range (1..28, 2026-02 has 28 days)"),
        ("surveys", 2, "responded_at", "responded_at: required value is empty"),
    ]


def test_a_row_breaking_another_rule_too_lists_both_reasons_in_check_order():
    data = dataset_from_frames({
        "supervisors": SUPERVISORS,
        "tickets": tickets(("T1", "S1", "2026-03-02T10:00:00")),
        "surveys": pd.DataFrame({"ticket_id": ["T1", "T1"], "responded_at": ["2026-03-03", "2026-03-01"],
                                 "overall": ["6", "5"]}),
    })
    assert quarantined(data) == [
        ("surveys", 1, "overall", "overall: '6' is outside the range 1..5"),
        ("surveys", 2, "ticket_id; responded_at",
         "ticket_id 'T1' duplicates row 1; "
         "responded_at 2026-03-01 00:00:00 is before its ticket's created_at 2026-03-02 10:00:00"),
    ]


# --------------------------------------------------------------------------- Chinese ids, account

def test_chinese_ticket_ids():
    data = dataset_from_frames({
        "supervisors": SUPERVISORS,
        "tickets": tickets(("工单-甲", "S1", "2026年3月2日 10:00"), ("工单-乙", "S2", "2026-03-02T10:00:00")),
        "surveys": surveys(("工单-甲", "2026-03-02T10:00:00"), ("工单-乙", "2026年3月1日")),
        "followups": followups(("工单-甲", "2026-03-02T09:00:00"), ("工单-乙", "2026-03-03T09:00:00")),
    })
    assert quarantined(data) == [
        ("surveys", 2, "responded_at",
         "responded_at 2026-03-01 00:00:00 is before its ticket's created_at 2026-03-02 10:00:00"),
        ("followups", 1, "called_at",
         "called_at 2026-03-02 09:00:00 is before its ticket's created_at 2026-03-02 10:00:00"),
    ]
    records = [json.loads(r) for r in data.quarantine["record"]]
    assert records[0]["ticket_id"] == "工单-乙" and records[1]["ticket_id"] == "工单-甲"
    assert "工单-乙" in data.quarantine["record"].iloc[0]   # readable, not \u escapes
    assert data["surveys"]["ticket_id"].tolist() == ["工单-甲"]
    assert data["followups"]["ticket_id"].tolist() == ["工单-乙"]


def test_the_account_balances():
    data = dataset_from_frames({
        "supervisors": SUPERVISORS,
        "tickets": tickets(("T1", "S1", "2026-03-02T10:00:00"), ("T2", "S2", "2026-03-04T10:00:00"),
                           ("T3", "S9", "2026-03-04T10:00:00")),
        # kept: T1 03-02 10:00, T2 03-05; early: T2 03-03; unknown: T3 (quarantined ticket), T4
        "surveys": surveys(("T1", "2026-03-02T10:00:00"), ("T2", "2026-03-03T10:00:00"),
                           ("T3", "2026-03-05T10:00:00"), ("T4", "2026-03-05T10:00:00")),
        # kept: T1 03-03, T2 03-04 10:00, T2 03-06; early: T1 03-01, T1 03-02 09:59
        "followups": followups(("T1", "2026-03-01T10:00:00"), ("T1", "2026-03-02T09:59:00"),
                               ("T1", "2026-03-03T10:00:00"), ("T2", "2026-03-04T10:00:00"),
                               ("T2", "2026-03-06T10:00:00")),
    })
    assert account(data) == {"supervisors": (2, 2, 0), "tickets": (3, 2, 1),
                             "surveys": (4, 1, 3), "followups": (5, 3, 2)}
    acc = data.account
    assert (acc["rows_read"] == acc["rows_used"] + acc["rows_quarantined"]).all()
    for r in acc.itertuples():
        assert len(data[r.table]) == r.rows_used
        assert (data.quarantine["table"] == r.table).sum() == r.rows_quarantined
    assert [r[1] for r in quarantined(data, "followups")] == [1, 2]


def test_the_corpus_case_keeps_the_right_rows():
    data = load_dataset(BAD / "events_before_ticket")
    assert data["surveys"]["ticket_id"].tolist() == ["T2"]
    f = data["followups"]
    assert list(zip(f["ticket_id"], f["called_at"])) == [("T1", pd.Timestamp("2026-01-05 09:00")),
                                                        ("T3", pd.Timestamp("2026-04-01 09:00"))]


def test_times_in_reasons_are_written_as_in_the_other_reasons():
    whole = np.array(["2026-01-05T08:59:59", "1999-12-31T23:59:59", "2026-03-01T00:00:00"],
                     dtype="datetime64[ns]")
    assert validation._show_times(whole) == ["2026-01-05 08:59:59", "1999-12-31 23:59:59",
                                             "2026-03-01 00:00:00"]
    parts = np.array(["2026-01-05T08:59:59.5", "2026-03-01T00:00:00"], dtype="datetime64[ns]")
    assert validation._show_times(parts) == ["2026-01-05 08:59:59.500000", "2026-03-01 00:00:00"]


# --------------------------------------------------------------------------- the lookup behind it

KNOWN = ["d", "x", "a", "é", "工单-甲"]
VALUES = ["a", "b", None, "d", "é", "", "a", "工单-甲", "工单-乙"]
POSITIONS = [2, -1, -1, 0, 3, -1, 2, 4, -1]   # where each value stands in KNOWN


@pytest.fixture(params=["arrow set", "sorted hashes", "colliding hashes"])
def lookup(request, monkeypatch):
    """The three ways a text key is looked up (few keys; many keys; every hash shared)."""
    if request.param != "arrow set":
        monkeypatch.setattr(validation, "_HASH_LOOKUP", 0)
        monkeypatch.setattr(validation, "_HASH_SLICE", 2)
    if request.param == "colliding hashes":
        monkeypatch.setattr(validation, "_hashes", lambda arr: np.zeros(len(arr), dtype=np.uint64))
    return request.param


def test_parent_rows_are_the_positions_of_the_keys(lookup):
    values, known = pd.Series(VALUES, dtype=TEXT_DTYPE), pd.Series(KNOWN, dtype=TEXT_DTYPE)
    found = validation._parent_rows(values, known)
    assert found.dtype == np.int64 and found.tolist() == POSITIONS
    assert validation._isin(values, known).tolist() == [p >= 0 for p in POSITIONS]


def test_parent_rows_of_object_columns():
    values = pd.Series(VALUES, dtype=object)
    assert validation._parent_rows(values, pd.Series(KNOWN, dtype=object)).tolist() == POSITIONS
    # a repeated key (never in a validated table) is found at its first position
    repeated = pd.Series(["a", "d", "a", "x", "d"], dtype=object)
    assert validation._parent_rows(pd.Series(["d", "a", "q"]), repeated).tolist() == [1, 0, -1]


def test_random_rows_match_a_merge(lookup):
    rng = np.random.default_rng(7)
    n_tickets, n_surveys = 300, 500
    ids = np.array([f"工单{i:04d}" if i % 3 else f"T{i:04d}" for i in range(n_tickets)])
    created = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 90 * 86400, n_tickets), unit="s")
    survey_ids = np.where(rng.random(n_surveys) < 0.9, rng.choice(ids, n_surveys), "未知")
    answered = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 95 * 86400, n_surveys), unit="s")
    survey_ids[:3] = ids[:3]
    answered = answered.to_numpy().copy()
    answered[:3] = created[:3].to_numpy()   # the same instant: kept
    frames = {
        "supervisors": SUPERVISORS,
        "tickets": pd.DataFrame({"ticket_id": ids, "supervisor_id": "S1", "created_at": created}),
        "followups": pd.DataFrame({"ticket_id": survey_ids, "called_at": answered, "reached": True}),
    }
    data = dataset_from_frames(frames)
    # independently: a left merge on the ticket id
    f = frames["followups"].reset_index(names="pos")
    merged = f.merge(frames["tickets"][["ticket_id", "created_at"]], on="ticket_id", how="left")
    duplicate = f.duplicated(["ticket_id", "called_at"]).to_numpy()
    unknown = merged["created_at"].isna().to_numpy()
    early = (merged["called_at"] < merged["created_at"]).to_numpy()
    assert early.sum() > 50 and unknown.sum() > 20          # the draw does hit both rules
    expected = {int(p) + 1 for p in merged["pos"][unknown | early | duplicate]}
    q = data.quarantine
    assert set(q["row"]) == expected
    reasons = dict(zip(q["row"], q["reason"]))
    for r in merged[early & ~duplicate].itertuples():
        assert reasons[r.pos + 1] == (f"called_at {r.called_at.isoformat(sep=' ')} is before its "
                                      f"ticket's created_at {r.created_at.isoformat(sep=' ')}")
    for r in merged[unknown & ~duplicate].itertuples():
        assert reasons[r.pos + 1] == "ticket_id '未知' not in tickets"
    assert account(data)["followups"] == (n_surveys, n_surveys - len(expected), len(expected))
