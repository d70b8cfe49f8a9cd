"""Counts on the pages carry thousands separators; settings and ids do not."""
from __future__ import annotations

import pandas as pd

from perfmodel.reporting import sections


def _shown(monkeypatch, df, **kw) -> str:
    out = []
    monkeypatch.setattr("perfmodel.reporting.display._display", lambda *objs: out.extend(o.data for o in objs))
    sections.table(df, **kw)
    return out[0]


def test_counts_have_thousands_separators(monkeypatch):
    df = pd.DataFrame({"table": ["tickets", "surveys"], "rows_read": [72000, 950], "rows_used": [71234, 950],
                       "rows_quarantined": [766, 0], "seed": [2026, 2026]})
    html = _shown(monkeypatch, df)
    for cell in (">72,000<", ">71,234<", ">950<", ">766<", ">2026<"):
        assert cell in html, cell
    assert "2,026" not in html  # a seed is not a count


def test_a_given_format_wins(monkeypatch):
    html = _shown(monkeypatch, pd.DataFrame({"rows": [12345]}), formats={"rows": "{:d}"})
    assert ">12345<" in html
