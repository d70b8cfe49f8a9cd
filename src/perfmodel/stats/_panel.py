"""Helpers shared by the ``stats`` functions that read the wide indicator panel."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import catalogue
from ..errors import PerfmodelError, UsageError
from ..periods import parse_period, period_range


def indicator_columns(panel: pd.DataFrame, indicators, entity: str, time: str) -> list[str]:
    """The indicator columns to use: the ones asked for (all must exist) or every catalogue
    indicator present in ``panel``."""
    for col in (entity, time):
        if col not in panel.columns:
            raise UsageError(f"panel has no column {col!r} (columns: {', '.join(map(str, panel.columns))})")
    if indicators is None:
        return [c for c in catalogue.indicator_ids() if c in panel.columns]
    cols = [indicators] if isinstance(indicators, str) else list(indicators)
    absent = [c for c in cols if c not in panel.columns]
    if absent:
        raise UsageError(f"indicator column(s) {absent} not in the panel; add them or leave them out")
    return cols


def period_positions(periods) -> dict[str, int]:
    """Map each period id to its position on the calendar (0 = earliest).

    Ids that parse as periods of one kind (``2026Q3`` or ``2026-09``) are placed on the full
    calendar from the first to the last, so a period absent from the data still counts as a
    step: the lag of 2026Q3 is 2026Q2 even when nobody has 2026Q2. Other ids are placed in
    sorted order.
    """
    ids = sorted({str(p) for p in periods})
    if not ids:
        return {}
    try:
        parsed = [parse_period(p) for p in ids]
        if len({p.kind for p in parsed}) == 1:
            first = min(parsed, key=lambda p: p.start)
            last = max(parsed, key=lambda p: p.start)
            return {p.id: i for i, p in enumerate(period_range(first.id, last.id))}
    except PerfmodelError:
        pass
    return {p: i for i, p in enumerate(ids)}


def dense(panel: pd.DataFrame, cols: list[str], entity: str, time: str):
    """Return (entity ids, period ids by position, {col: G x T float array with NaN})."""
    pos = period_positions(panel[time].dropna().astype(str))
    ents = np.unique(panel[entity].dropna().astype(str).to_numpy())
    e_index = {e: i for i, e in enumerate(ents)}
    n_t = max(pos.values()) + 1 if pos else 0
    ok = panel[entity].notna().to_numpy() & panel[time].notna().to_numpy()
    rows = panel.loc[ok]
    ei = rows[entity].astype(str).map(e_index).to_numpy()
    ti = rows[time].astype(str).map(pos).to_numpy()
    if len(pd.MultiIndex.from_arrays([ei, ti]).unique()) != len(ei):
        raise UsageError(f"panel has more than one row for some ({entity}, {time}); "
                         "give one row per supervisor and period")
    arrays = {}
    for c in cols:
        a = np.full((len(ents), n_t), np.nan)
        a[ei, ti] = pd.to_numeric(rows[c], errors="coerce").to_numpy(dtype=float)
        arrays[c] = a
    by_pos = [None] * n_t
    for p, i in pos.items():
        by_pos[i] = p
    return ents, by_pos, arrays
