"""Values that real exports contain and that must neither crash nor stretch the data (issue 17).

The expected reasons and spans are worked out by hand from the files that
tests/data/bad/make_corpus.py writes.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from perfmodel import load_dataset
from perfmodel.loader import dataset_from_frames
from perfmodel.periods import data_span
from perfmodel.plausible import DateWindow

BAD = Path(__file__).parent / "data" / "bad"


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
