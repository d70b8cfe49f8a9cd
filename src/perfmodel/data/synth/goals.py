"""Synthetic agreed goals (``goals`` table) for the last two periods of a synthetic company.

Drawn from their own random stream (``default_rng([seed, GOALS_STREAM])``), so adding them
leaves every other table byte-identical. About two thirds of the supervisors agreed goals
for each of the last two periods, on four indicators with a target rule in the presets
(csat, complaint_resolution_rate, first_response_hours, timely_closure_rate). Each target
is the supervisor's median realised value of up to four earlier periods, moved a random
20-100 % of the way toward their best of those periods and rounded toward the easier side (never
beyond that best); a csat goal sometimes carries its own floor. Goals are agreed 5-30
days before the period starts, one in ten a few days after it started (the SMART check
flags those).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["GOALS_STREAM", "goals_table"]

GOALS_STREAM = 19  # the issue that brought agreed goals
INDICATORS = {  # indicator: (better direction, decimals)
    "csat": ("higher", 2),
    "complaint_resolution_rate": ("higher", 2),
    "first_response_hours": ("lower", 1),
    "timely_closure_rate": ("higher", 2),
}
NOTES = ("季度绩效面谈确定", "", "agreed at the quarterly review", "")


def goals_table(seed: int, realised: pd.DataFrame, periods) -> pa.Table:
    """The synthetic goals.

    Parameters
    ----------
    seed : int
    realised : pandas.DataFrame
        supervisor_id, period and one column per indicator as realised (synth).
    periods : list of Period
        The company's periods, in order.

    Returns
    -------
    pyarrow.Table
        supervisor_id, period, indicator, target, floor, agreed_on, note (strings, as written).

    Examples
    --------
    With one earlier quarter, the 2026Q2 target is that quarter's value; the 2026Q3 target
    lies between the median (S1 csat: 4.3) and the best (4.5) of the two earlier quarters:

    >>> from perfmodel.core.periods import period_range
    >>> realised = pd.DataFrame({"supervisor_id": ["S1"] * 3 + ["S2"] * 3,
    ...                          "period": ["2026Q1", "2026Q2", "2026Q3"] * 2,
    ...                          "csat": [4.5, 4.1, 4.3, 4.0, 4.4, 4.2],
    ...                          "first_response_hours": [3.0, 5.0, 4.0, 6.0, 2.5, 3.0]})
    >>> goals = goals_table(0, realised, period_range("2026Q1", "2026Q3")).to_pandas()
    >>> goals[["supervisor_id", "period", "indicator", "target", "floor", "agreed_on"]]
      supervisor_id  period             indicator target floor   agreed_on
    0            S1  2026Q2                  csat   4.50  3.90  2026-03-04
    1            S1  2026Q2  first_response_hours    3.0        2026-03-04
    2            S2  2026Q2                  csat   4.00        2026-03-13
    3            S2  2026Q2  first_response_hours    6.0        2026-03-13
    4            S1  2026Q3                  csat   4.35        2026-06-21
    5            S1  2026Q3  first_response_hours    3.3        2026-06-21
    6            S2  2026Q3                  csat   4.26        2026-06-22
    7            S2  2026Q3  first_response_hours    3.6        2026-06-22
    """
    rng = np.random.default_rng([int(seed), GOALS_STREAM])
    sups = sorted(pd.unique(realised["supervisor_id"]))
    rows = []
    for k in range(max(0, len(periods) - 2), len(periods)):
        p = periods[k]
        earlier = [q.id for q in periods[max(0, k - 4):k]]
        agree = rng.random(len(sups)) < 2 / 3
        for s, yes in zip(sups, agree):
            days_before = int(rng.integers(5, 31))
            late = rng.random() < 0.1
            note = NOTES[int(rng.integers(0, len(NOTES)))]
            if not yes or not earlier:
                continue
            agreed_on = p.start + pd.Timedelta(days=int(rng.integers(1, 6)) if late else -days_before)
            hist = realised[(realised["supervisor_id"] == s) & realised["period"].isin(earlier)]
            for ind, (direction, decimals) in INDICATORS.items():
                stretch = rng.uniform(0.2, 1.0)
                with_floor = rng.random() < 0.3
                values = hist[ind].dropna().to_numpy(dtype=float) if ind in hist else np.array([])
                if not len(values):
                    continue
                base = float(np.median(values))
                best = float(values.max() if direction == "higher" else values.min())
                target = base + stretch * (best - base)
                if ind in ("complaint_resolution_rate", "timely_closure_rate"):
                    target = min(target, 0.99)
                if ind == "csat":
                    target = min(target, 5.0)
                # written with the indicator's decimals, rounded toward the easier side: rounding
                # to the nearest could put a target just beyond the supervisor's best period
                # (0.9375 -> 0.94), which their history never reached
                target = _round_achievable(target, decimals, direction)
                floor = ""
                if ind == "csat" and with_floor:
                    floor = f"{round(target - 0.6, decimals):.{decimals}f}"
                rows.append((s, p.id, ind, f"{target:.{decimals}f}", floor,
                             agreed_on.strftime("%Y-%m-%d"), note))
    cols = list(zip(*rows)) if rows else [()] * 7
    names = ["supervisor_id", "period", "indicator", "target", "floor", "agreed_on", "note"]
    return pa.table({n: pa.array(list(c), pa.string()) for n, c in zip(names, cols)})


def _round_achievable(target: float, decimals: int, direction: str) -> float:
    """``target`` to ``decimals`` places, down when higher is better, up when lower is better."""
    scale = 10 ** decimals
    # the tolerance keeps a value already on the grid (0.93 held as 0.9299999...) where it is
    if direction == "higher":
        return float(np.floor(target * scale + 1e-9) / scale)
    return float(np.ceil(target * scale - 1e-9) / scale)
