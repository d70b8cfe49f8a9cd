"""The raw record kept with each quarantined row: exact JSON, whatever the column types.

The loader writes the cells of a quarantined row as a JSON object (Chinese kept readable,
missing cells ``null``, timestamps in ISO form). It converts whole columns at a time; the
reference here builds each record cell by cell with the standard library, so both must
give the same text byte for byte.
"""
from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pyarrow as pa

from perfmodel.data import validation as V


def reference(raw: pd.DataFrame, positions) -> list[str]:
    """One record per row, cell by cell: None for missing, isoformat for times."""
    out = []
    for pos in positions:
        row = {}
        for name in raw.columns:
            v = raw[name].iloc[pos]
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                row[str(name)] = None
            elif isinstance(v, (np.integer,)):
                row[str(name)] = int(v)
            elif isinstance(v, (np.floating,)):
                row[str(name)] = float(v)
            elif isinstance(v, (np.bool_,)):
                row[str(name)] = bool(v)
            elif hasattr(v, "isoformat"):
                row[str(name)] = v.isoformat()
            else:
                row[str(name)] = v
        out.append(json.dumps(row, ensure_ascii=False, default=str))
    return out


def text(values):
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.array(values, pa.string())))


def test_every_kind_of_column_gives_the_reference_text():
    raw = pd.DataFrame({
        "ticket_id": text(["T1", None, '引号"和\\反斜杠', "换行\n制表\t", "\x01控制", "王芳"]),
        "created_at": pd.to_datetime(["2026-03-31 14:05:00", None, "2026-01-01 00:00:00", "2025-12-31 23:59:59",
                                      "2026-02-28 00:00:01", "2024-02-29 12:00:00"]),
        "resolved_at": pd.to_datetime(format="ISO8601", arg=["2026-03-31 14:05:00.250", None, "2026-01-01 00:00:00", "2026-01-01 00:00:00",
                                       "2026-01-01 00:00:00", "2026-01-01 00:00:00.000001"]),
        "cost": [1.5, np.nan, 1e20, -0.0, np.inf, 123456789012345.67],
        "reopened": np.array([0, 1, 2, 3, 4, 5], dtype=np.int64),
        "is_complaint": [True, False, True, False, True, False],
        "mixed": pd.Series(["a", 1, None, 2.5, dt.date(2026, 3, 1), True], dtype=object),
        "local": pd.to_datetime(["2026-03-31 14:05"] * 6).tz_localize("Asia/Shanghai"),
        "ms": pd.Series(pd.to_datetime(["2026-03-31 14:05:07"] * 5 + [None])).astype("datetime64[ms]"),
    })
    positions = np.array([5, 0, 3, 1, 2, 4])
    got = V._records(raw, positions)
    assert got == reference(raw, positions)
    first = json.loads(got[1])
    assert first["ticket_id"] == "T1" and first["created_at"] == "2026-03-31T14:05:00"
    assert first["resolved_at"] == "2026-03-31T14:05:00.250000"
    assert json.loads(got[3])["cost"] is None and json.loads(got[3])["created_at"] is None


def test_text_only_tables_from_csv_and_chinese_stay_readable():
    raw = pd.DataFrame({"supervisor_id": text(["S1", "S2", None]), "name": text(["郑刚", None, "许晨曦"])})
    got = V._records(raw, np.array([0, 1, 2]))
    assert got == reference(raw, [0, 1, 2])
    assert got[0] == '{"supervisor_id": "S1", "name": "郑刚"}'


def test_many_rows_are_made_slice_by_slice_with_the_same_text(monkeypatch):
    n = 1_000
    raw = pd.DataFrame({"ticket_id": text([f"T{i}" for i in range(n)]),
                        "responded_at": pd.date_range("2026-01-01", periods=n, freq="37min"),
                        "overall": np.where(np.arange(n) % 7 == 0, np.nan, np.arange(n) % 5 + 1.0)})
    positions = np.arange(n)[::-1]
    monkeypatch.setattr(V, "_RECORD_SLICE", 64)
    assert V._records(raw, positions) == reference(raw, positions)
    assert V._records(raw, np.array([], dtype=np.int64)) == []
