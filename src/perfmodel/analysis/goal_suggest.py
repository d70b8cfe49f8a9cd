"""Suggested goals (``perfmodel goals suggest``): one target per supervisor and indicator
from the supervisor's own history, to review and agree (与主管共同确定目标的起点).

The stretch rule, for supervisor s, a weighted indicator scored by a rule with a target
(ratio, linear, gate, deduction) and the period P:

1. **History**: s's values in the last :data:`WINDOW` periods of the policy's kind before P
   that have a value (fewer when s has fewer).
2. **Base**: their median. **Best**: their best value (highest, or lowest when lower is better).
3. **Stretch**: ``base + STRETCH × (best − base)`` — halfway from the usual level to the best
   level s has already shown, so the target is one s has reached before.
4. **Bounds**: never better than the policy's target, and never worse than its floor: for a
   ``linear`` rule at least :data:`FLOOR_SHARE` of the way from the floor to the target
   (a target at the floor would score 0 at once); for a ``ratio`` rule above 0. Rules without
   a floor (ratio, gate, deduction) are bounded by the target only.
5. Without any history the suggestion is the policy's target.

Values are rounded to 4 significant digits. The file has the goals columns
(:data:`perfmodel.scoring.goals.GOAL_COLUMNS`; ``floor`` and ``agreed_on`` empty — the policy's floor
stays; fill in ``agreed_on`` when the goal is agreed) and then the figures that justify each
suggestion: ``history_periods`` (how many), ``history_values`` ("2025Q4=4.21;…"),
``history_median``, ``history_best``, ``history_trend`` (least-squares slope per period),
``stretch_value`` (step 3 before the bounds), ``policy_floor``, ``policy_target`` and
``bounded_by`` ("target", "floor" or ""). The loader ignores the extra columns, so the file
loads back as a goals table once ``agreed_on`` is filled in.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from perfmodel.scoring.goals import GOAL_COLUMNS
from perfmodel.scoring.policy import GOAL_RULES
from perfmodel.analysis.lint_goals import goal_history, trend_slope

__all__ = ["FLOOR_SHARE", "STRETCH", "SUGGEST_COLUMNS", "WINDOW", "suggest_goals"]

WINDOW = 4
STRETCH = 0.5
FLOOR_SHARE = 0.25
#: Columns of :func:`suggest_goals`.
SUGGEST_COLUMNS = GOAL_COLUMNS + ["history_periods", "history_values", "history_median", "history_best",
                                  "history_trend", "stretch_value", "policy_floor", "policy_target", "bounded_by"]
NOTE = {"en": "suggested from {n} past period(s), to review and agree",
        "none": "suggested: no past period with a value, the policy's target"}


def _round(x: float) -> float:
    if not math.isfinite(x) or x == 0:
        return x
    return float(f"{x:.4g}")


def suggest_one(values, rule) -> tuple[float, float, str]:
    """The stretch rule on one history (see the module docstring).

    Returns
    -------
    (float, float, str)
        The suggested target (rounded), the stretch value before the bounds (NaN without
        history), and what bounded it ("target", "floor" or "").

    Examples
    --------
    The efficiency preset scores csat linearly from 3.8 to 4.3. Halfway from the median 4.125
    to the best 4.2 is 4.1625; a stretch past the target is held at 4.3; one below the floor
    is raised to a quarter of the way from the floor to the target, 3.925:

    >>> from perfmodel.scoring.policy import load_policy
    >>> csat = load_policy("efficiency").indicators["csat"]
    >>> suggest_one([4.0, 4.1, 4.15, 4.2], csat)
    (4.162, 4.1625, '')
    >>> suggest_one([4.4, 4.5, 4.6, 4.5], csat)
    (4.3, 4.55, 'target')
    >>> target, stretch, bound = suggest_one([3.0, 3.2], csat)
    >>> target, round(stretch, 6), bound
    (3.925, 3.15, 'floor')
    >>> suggest_one([], csat)  # no history: the policy's target
    (4.3, nan, 'target')
    """
    higher = rule.direction == "higher"
    target = rule.target if rule.target is not None else 0.0
    v = np.asarray(values, dtype=float)
    if not len(v):
        return _round(float(target)), float("nan"), "target"
    base = float(np.median(v))
    best = float(v.max() if higher else v.min())
    stretch = base + STRETCH * (best - base)
    sign = 1.0 if higher else -1.0
    value, bound = stretch, ""
    if sign * (value - target) > 0:
        value, bound = float(target), "target"
    if rule.rule == "linear":
        low = rule.floor + FLOOR_SHARE * (target - rule.floor)
        if sign * (value - low) < 0:
            value, bound = low, "floor"
    if rule.rule == "ratio" and value <= 0:
        value, bound = float(target), "target"
    return _round(value), stretch, bound


def suggest_goals(wide: pd.DataFrame, policy, period: str) -> pd.DataFrame:
    """One suggested target per supervisor and weighted indicator for ``period``.

    Parameters
    ----------
    wide : pandas.DataFrame
        Wide panel of the data's periods of the policy's kind (``supervisor_id``,
        ``period``, one column per indicator).
    policy : Policy
    period : str
        The period the goals are for (it may lie after the data).

    Returns
    -------
    pandas.DataFrame
        :data:`SUGGEST_COLUMNS`, one row per supervisor of ``wide`` and weighted indicator
        with a ratio, linear, gate or deduction rule, sorted by supervisor then policy order.
    Examples
    --------
    The stretch is halfway from the median of the last four periods to the best of them:
    S1's csat 4.125 + (4.2 − 4.125) / 2 = 4.1625 (4 significant digits: 4.162). S2's
    4.55 would pass the policy's target, so the target 4.3 is suggested instead:

    >>> import pandas as pd
    >>> from perfmodel.scoring.policy import load_policy
    >>> wide = pd.DataFrame({"supervisor_id": ["S1"] * 4 + ["S2"] * 4,
    ...                      "period": ["2025Q4", "2026Q1", "2026Q2", "2026Q3"] * 2,
    ...                      "csat": [4.0, 4.1, 4.15, 4.2, 4.4, 4.5, 4.6, 4.5]})
    >>> s = suggest_goals(wide, load_policy("efficiency"), "2026Q4")
    >>> print(s.loc[s["indicator"] == "csat", ["supervisor_id", "target", "history_median",
    ...                                        "history_best", "stretch_value", "bounded_by"]].to_string())
       supervisor_id  target  history_median  history_best  stretch_value bounded_by
    0             S1   4.162           4.125           4.2          4.162
    14            S2   4.300           4.500           4.6          4.550     target
    """
    inds = [i for i in policy.weighted_indicators if policy.indicators[i].rule in GOAL_RULES
            and policy.indicators[i].weight > 0]
    rows = []
    for sid in sorted(pd.unique(wide["supervisor_id"].astype(str))):
        for ind in inds:
            rule = policy.indicators[ind]
            hist = goal_history(wide, sid, ind, period).tail(WINDOW)
            values = hist["value"].to_numpy(dtype=float)
            target, stretch, bound = suggest_one(values, rule)
            n = len(values)
            rows.append({
                "supervisor_id": sid, "period": str(period), "indicator": ind, "target": target,
                "floor": np.nan, "agreed_on": "",
                "note": NOTE["en"].format(n=n) if n else NOTE["none"],
                "history_periods": n,
                "history_values": ";".join(f"{p}={_round(v):g}" for p, v in zip(hist["period"], values)),
                "history_median": _round(float(np.median(values))) if n else np.nan,
                "history_best": _round(float(values.max() if rule.direction == "higher" else values.min()))
                if n else np.nan,
                "history_trend": _round(trend_slope(values)),
                "stretch_value": _round(stretch),
                "policy_floor": np.nan if rule.floor is None else rule.floor,
                "policy_target": np.nan if rule.target is None else rule.target,
                "bounded_by": bound})
    return pd.DataFrame(rows, columns=SUGGEST_COLUMNS)
