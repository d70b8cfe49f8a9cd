"""Helpers shared by the ``stats`` functions that read the wide indicator panel."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from perfmodel.core import catalogue
from perfmodel.core.errors import PerfmodelError, UsageError
from perfmodel.core.periods import parse_period, period_range


def indicator_columns(panel: pd.DataFrame, indicators, *, entity: str, time: str) -> list[str]:
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


_INTEGER = re.compile(r"^[+-]?\d+(\.0*)?$")


def period_positions(periods, column: str = "period") -> dict[str, int]:
    """Map each period id to its position on the calendar (0 = earliest).

    Parameters
    ----------
    periods : iterable
        Period ids as they appear in the panel (converted with ``str``).
    column : str
        Name of the period column, for the error message.

    Returns
    -------
    dict
        ``{period id: position}``. Consecutive positions are adjacent periods; a period
        absent from the data still takes a position, so a lag never bridges a gap.

    Raises
    ------
    UsageError
        When the ids are neither period ids of one kind nor whole numbers.

    Notes
    -----
    Period ids of one kind (``2026Q3`` or ``2026-09``) are placed on the full calendar from
    the first to the last, so the lag of 2026Q3 is 2026Q2 even when nobody has 2026Q2.
    Whole numbers (``1`` .. ``12``, years) are placed at ``value - min``: 2 follows 1 and
    10 follows 9, never "1" < "10" < "2" as text would have it. Anything else (ISO dates,
    free text, quarters mixed with months) has no order this module can trust, so it is
    refused rather than sorted as text.
    """
    ids = sorted({str(p).strip() for p in periods})
    if not ids:
        return {}
    if all(_INTEGER.match(p) for p in ids):
        values = {p: int(float(p)) for p in ids}
        low = min(values.values())
        return {p: v - low for p, v in values.items()}
    parsed = {}
    for p in ids:
        try:
            parsed[p] = parse_period(p)
        except PerfmodelError:
            raise UsageError(
                f"{column} {p!r}: not a period id; write periods as quarters (2026Q3), "
                "months (2026-09) or whole numbers (1, 2, 3 ...)") from None
    kinds = {q.kind for q in parsed.values()}
    if len(kinds) > 1:
        raise UsageError(f"{column}: mixes quarters and months ({ids[0]}, {ids[-1]}); "
                         "use one kind of period")
    first = min(parsed.values(), key=lambda q: q.start)
    last = max(parsed.values(), key=lambda q: q.start)
    calendar = {q.id: i for i, q in enumerate(period_range(first.id, last.id))}
    return {p: calendar[q.id] for p, q in parsed.items()}


def check_unique(df: pd.DataFrame, *, entity: str, time: str) -> None:
    """Raise UsageError naming the first (entity, time) pair that has more than one row."""
    keys = pd.DataFrame({"e": df[entity].astype(str).to_numpy(),
                         "t": df[time].astype(str).str.strip().to_numpy()})
    dup = keys.duplicated()
    if dup.any():
        first = keys[dup].iloc[0]
        raise UsageError(f"panel has more than one row for {entity} {first['e']!r}, {time} "
                         f"{first['t']!r} (and {int(dup.sum())} duplicate row(s) in all); "
                         "give one row per supervisor and period")


def dense(panel: pd.DataFrame, cols: list[str], *, entity: str, time: str):
    """Return (entity ids, period ids by position, {col: G x T float array with NaN})."""
    pos = period_positions(panel[time].dropna().astype(str), time)
    ents = np.unique(panel[entity].dropna().astype(str).to_numpy())
    e_index = {e: i for i, e in enumerate(ents)}
    n_t = max(pos.values()) + 1 if pos else 0
    ok = panel[entity].notna().to_numpy() & panel[time].notna().to_numpy()
    rows = panel.loc[ok]
    ei = rows[entity].astype(str).map(e_index).to_numpy()
    ti = rows[time].astype(str).str.strip().map(pos).to_numpy()
    check_unique(rows, entity=entity, time=time)
    arrays = {}
    for c in cols:
        a = np.full((len(ents), n_t), np.nan)
        a[ei, ti] = pd.to_numeric(rows[c], errors="coerce").to_numpy(dtype=float)
        arrays[c] = a
    by_pos = [None] * n_t
    for p, i in pos.items():
        by_pos[i] = p
    return ents, by_pos, arrays


def check_level(alpha, where: str = "") -> float:
    """Return ``alpha`` as a float when it lies strictly between 0 and 1.

    Raises
    ------
    UsageError
        One line naming ``where`` (a function name, or nothing) and the value.
    """
    try:
        level = float(alpha)
    except (TypeError, ValueError):
        level = float("nan")
    if not 0 < level < 1:
        raise UsageError(f"{where + ': ' if where else ''}alpha={alpha!r}: give a level strictly between 0 and 1 "
                         "(0.05 for 95 % intervals)")
    return level

