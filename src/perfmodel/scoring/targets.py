"""The target of an indicator: what it is, whether a value meets it, and how to state it.

One answer for scoring, the report pages, the SMART check and the mid-period watch
(SPEC §4). The target of an indicator for a supervisor and period is the policy rule's,
unless the policy says ``goals: replace`` and an agreed goal (共同确定的目标) applies: then
the agreed target (and floor) stands in its place.

What "the target" is, per rule:

============  =============================================================================
rule          target value (x meets it when x ≥ it, or x ≤ it when lower is better)
============  =============================================================================
ratio         ``target``
linear        ``target`` (the ``floor`` scores 0)
gate          ``target``
deduction     ``target``, 0 when not set: the value at which nothing is deducted
bands         the threshold of the target band (:func:`band_target`): the least demanding
              band that scores 100 (the bands' highest points when none reaches 100)
percentile    no value: the target is the median rank, a score of
              :data:`PERCENTILE_TARGET` among the supervisors of the period
============  =============================================================================
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfmodel.core import catalogue as cat
from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.numbers import format_number

__all__ = ["PERCENTILE_TARGET", "Target", "agreed_arrays", "band_target", "fmt_value", "meets", "reaches",
           "rule_for", "stated_target", "target_for", "target_table", "target_text", "target_value"]

#: A percentile rule has no target in the policy: the target is the median rank (a score of
#: 50 = percentile rank 50 among the supervisors of the period with a value).
PERCENTILE_TARGET = 50.0

_TOL = 1e-9


def rule_for(policy, indicator: str, supervisor_id=None, period=None):
    """The rule that scores ``indicator`` for one supervisor and period under ``policy``.

    Returns
    -------
    IndicatorRule
        The policy's rule; with ``goals: replace``, the agreed target (and floor) of that
        supervisor and period in place of the policy's. Without a supervisor or period,
        the policy's rule.

    Examples
    --------
    >>> from perfmodel.scoring.policy import load_policy
    >>> pol = load_policy("efficiency")
    >>> rule_for(pol, "csat").target
    4.3
    """
    if supervisor_id is None or period is None:
        return policy.indicators[indicator]
    return policy.rule_for(indicator, supervisor_id, period)


def band_target(rule) -> tuple[float, float] | None:
    """The band that counts as the target of a ``bands`` rule.

    The target level is 100 points (the bands' highest points when no band gives 100);
    the target band is the least demanding band that scores at least that level (lowest
    threshold when higher is better, highest when lower is better).

    Returns
    -------
    (float, float) or None
        ``(threshold, points)``; None when the rule has no bands.

    Examples
    --------
    >>> from perfmodel.scoring.policy import IndicatorRule
    >>> r = IndicatorRule("compliance_rate", "process", 1.0, "bands", "higher",
    ...                   bands=((0.98, 120), (0.95, 100), (0.90, 60)))
    >>> band_target(r)
    (0.95, 100.0)
    """
    if not getattr(rule, "bands", None):
        return None
    level = min(100.0, max(float(p) for _, p in rule.bands))
    reaching = [(float(th), float(p)) for th, p in rule.bands if float(p) >= level - _TOL]
    pick = min if rule.direction == "higher" else max
    return pick(reaching, key=lambda b: b[0])


def target_value(rule) -> float | None:
    """The value an indicator must reach to meet the target of ``rule`` (see the module table).

    Returns
    -------
    float or None
        None for ``percentile`` (its target is a rank, not a value) and for a rule
        without a target.

    Examples
    --------
    >>> from perfmodel.scoring.policy import IndicatorRule
    >>> target_value(IndicatorRule("reopen_rate", "process", 1.0, "deduction", "lower", points=500.0))
    0.0
    """
    kind = getattr(rule, "rule", None)
    if kind == "bands":
        band = band_target(rule)
        return None if band is None else band[0]
    if kind == "deduction" and rule.target is None:
        return 0.0
    if kind == "percentile" or getattr(rule, "target", None) is None:
        return None
    return float(rule.target)


def stated_target(rule) -> float | None:
    """The target value the policy states: as :func:`target_value`, but None for a
    deduction without a ``target`` (the policy names no level to aim at; the watch then
    compares a driver with the supervisor's own average).

    Returns
    -------
    float or None

    Examples
    --------
    >>> from perfmodel.scoring.policy import IndicatorRule
    >>> print(stated_target(IndicatorRule("reopen_rate", "process", 1.0, "deduction", "lower", points=500.0)))
    None
    """
    if getattr(rule, "rule", None) == "deduction" and rule.target is None:
        return None
    return target_value(rule)


def reaches(values, target, direction: str) -> np.ndarray:
    """Whether each value reaches ``target``: x ≥ target, or x ≤ target when ``direction``
    is ``"lower"`` (SPEC §4 "meets").

    Returns
    -------
    numpy.ndarray of bool
        False where the value (or the target) is NaN.

    Examples
    --------
    >>> reaches([0.04, 0.05, 0.06], 0.05, "lower")
    array([ True,  True, False])
    """
    x = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return (x >= target) if direction == "higher" else (x <= target)


def meets(rule, values, scores=None, *, periods=None) -> np.ndarray:
    """Whether each value meets the target of ``rule`` (SPEC §4 "meets").

    - ``ratio``, ``linear``, ``gate``, ``deduction``: x ≥ :func:`target_value` (x ≤ it
      when lower is better);
    - ``bands``: the band score reaches the target band's points (:func:`band_target`);
    - ``percentile``: the score is at least :data:`PERCENTILE_TARGET`.

    Parameters
    ----------
    rule : IndicatorRule
        Agreed targets already in place (see :func:`rule_for`).
    values : array-like of float
        Indicator values (NaN = missing).
    scores : array-like of float, optional
        The values' scores under ``rule``; computed with
        :func:`perfmodel.scoring.scores.rule_score` when omitted (bands and percentile need them).
    periods : array-like, optional
        The period of each value, for percentile ranks computed here.

    Returns
    -------
    numpy.ndarray
        1.0 (met), 0.0 (not met) or NaN where the value is missing.

    Examples
    --------
    >>> from perfmodel.scoring.policy import IndicatorRule
    >>> r = IndicatorRule("csat", "result", 1.0, "linear", "higher", floor=3.8, target=4.3)
    >>> meets(r, [4.3, 4.29, float("nan")])
    array([ 1.,  0., nan])
    """
    x = np.asarray(values, dtype=float)
    if rule.rule in ("ratio", "linear", "gate", "deduction"):
        target = target_value(rule)
        met = reaches(x, np.nan if target is None else target, rule.direction)
    else:
        if scores is None:
            from perfmodel.scoring.scores import rule_score

            scores = rule_score(x, rule, periods)
        sc = np.asarray(scores, dtype=float)
        if rule.rule == "bands":
            band = band_target(rule)
            met = sc >= band[1] - _TOL if band else np.zeros(x.shape, dtype=bool)
        elif rule.rule == "percentile":
            met = sc >= PERCENTILE_TARGET - _TOL
        else:  # pragma: no cover - the validator admits only known rules
            met = sc >= 100 - _TOL
    out = np.where(met, 1.0, 0.0)
    out[np.isnan(x)] = np.nan
    return out


def agreed_arrays(panel: pd.DataFrame, policy, indicator: str):
    """Per row of ``panel``, the agreed target and floor of ``indicator`` (NaN where none applies).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray) or (None, None)
        None, None when the policy does not replace its targets or no goal concerns
        ``indicator``.

    Examples
    --------
    >>> import pandas as pd
    >>> from perfmodel.scoring.policy import load_policy
    >>> agreed_arrays(pd.DataFrame({"supervisor_id": ["S01"], "period": ["2026Q1"]}),
    ...               load_policy("efficiency"), "csat")
    (None, None)
    """
    if getattr(policy, "goals", "report") != "replace":
        return None, None
    goals = [g for g in policy.agreed if g.indicator == indicator]
    if not goals:
        return None, None
    lookup = {(g.supervisor_id, g.period): g for g in goals}
    found = [lookup.get(k) for k in zip(panel["supervisor_id"].astype(str), panel["period"].astype(str))]
    targets = np.array([np.nan if g is None else g.target for g in found], dtype=float)
    floors = np.array([np.nan if g is None or g.floor is None else g.floor for g in found], dtype=float)
    return targets, floors


# --------------------------------------------------------------------------- showing

def fmt_value(indicator: str, value) -> str:
    """Format an indicator value in its unit: shares as percent, hours with h, scores with 2 decimals.

    Returns
    -------
    str
        ``"—"`` for a missing value.

    Examples
    --------
    >>> fmt_value("complaint_resolution_rate", 0.8), fmt_value("first_response_hours", 4), fmt_value("csat", 4.3)
    ('80.0 %', '4.0 h', '4.30')
    """
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or pd.isna(value):
        return "—"
    try:
        unit = cat.indicator(indicator).get("unit", "")
    except KeyError:
        unit = ""
    value = float(value)
    if unit == "share":  # rounded as Excel shows it (see perfmodel.core.numbers)
        return format_number(value, ".1%")[:-1] + " %"
    if unit == "hours":
        return format_number(value, ".1f") + " h"
    return format_number(value, ".2f")


def _deduction_text(rule, *, lang: str) -> str:
    """``≤ 5.0 %, −5 per +1 pt``: the target (default 0) and the points lost per step away from it."""
    if rule.points is None:
        return "—"
    ind = rule.indicator
    try:
        unit = cat.indicator(ind).get("unit", "")
    except KeyError:
        unit = ""
    # one step: a percentage point for shares, an hour for hours, one unit otherwise
    step = {"share": 0.01, "hours": 1.0}.get(unit, 1.0)
    step_word = messages.text(f"rule_text.deduction_step_{unit}", lang=lang) if unit in ("share", "hours") else ""
    lost = rule.points * step
    target = target_value(rule)
    sign = "≥" if rule.direction == "higher" else "≤"
    return messages.text("rule_text.deduction", lang=lang, sign=sign, target=fmt_value(ind, target), lost=f"{lost:g}",
                         way=messages.text(f"rule_text.deduction_way_{rule.direction}", lang=lang), step=step_word)


@keyword_only("lang")
def target_text(rule, *, lang: str = "en") -> str:
    """State the target of a rule in the indicator's unit (target value, target band or deduction points).

    ``lang`` is keyword-only; ``target_text(rule, "zh")`` still works for one version, with
    a DeprecationWarning.

    Returns
    -------
    str
        E.g. ``"≥ 80.0 %"``, ``"≤ 5.0 %, −5 per +1 pt"``, ``"P50"`` (``"第 50 百分位"``);
        ``"—"`` when the rule has no target.

    Examples
    --------
    >>> from perfmodel.scoring.policy import IndicatorRule
    >>> target_text(IndicatorRule("complaint_resolution_rate", "result", 1.0, "ratio", "higher", target=0.8))
    '≥ 80.0 %'
    >>> target_text(IndicatorRule("tickets_per_staff_day", "process", 1.0, "percentile", "higher"), lang="zh")
    '第 50 百分位'
    """
    if rule.rule == "deduction":
        return _deduction_text(rule, lang=lang)
    if rule.rule == "percentile":
        return messages.text("rule_text.percentile", lang=lang, k=f"{PERCENTILE_TARGET:g}")
    value = target_value(rule)
    if value is None:
        return "—"
    sign = "≥" if rule.direction == "higher" else "≤"
    return f"{sign} {fmt_value(rule.indicator, value)}"


# --------------------------------------------------------------------------- one object

@dataclass(frozen=True)
class Target:
    """The target of one indicator for one supervisor and period under a policy.

    Attributes
    ----------
    indicator, supervisor_id, period : str
        ``supervisor_id`` and ``period`` are None for the policy's own target.
    rule : IndicatorRule
        The rule that scores it (the agreed target in place when one replaces the policy's).
    value, floor : float or None
        :func:`target_value` of the rule, and its floor (linear rules).
    agreed : bool
        Whether an agreed goal replaces the policy's target.
    """

    indicator: str
    supervisor_id: str | None
    period: str | None
    rule: object
    value: float | None
    floor: float | None
    agreed: bool

    def meets(self, values, scores=None, *, periods=None) -> np.ndarray:
        """:func:`meets` of this target's rule (1.0, 0.0, NaN per value)."""
        return meets(self.rule, values, scores, periods=periods)

    def text(self, *, lang: str = "en") -> str:
        """:func:`target_text` of this target's rule."""
        return target_text(self.rule, lang=lang)


def target_for(policy, indicator: str, supervisor_id=None, period=None) -> Target:
    """The target (and floor) of ``indicator`` for a supervisor and period under ``policy``.

    Returns
    -------
    Target

    Examples
    --------
    >>> from perfmodel.scoring.policy import load_policy
    >>> t = target_for(load_policy("efficiency"), "complaint_resolution_rate")
    >>> t.value, t.agreed, t.text(lang="zh")
    (0.8, False, '≥ 80.0 %')
    """
    rule = rule_for(policy, indicator, supervisor_id, period)
    agreed = (supervisor_id is not None and period is not None and getattr(policy, "goals", "report") == "replace"
              and policy.agreed_for(indicator, supervisor_id, period) is not None)
    floor = rule.floor if rule.rule == "linear" else None
    return Target(indicator, None if supervisor_id is None else str(supervisor_id),
                  None if period is None else str(period), rule, target_value(rule),
                  None if floor is None else float(floor), bool(agreed))


TARGET_COLUMNS = ["indicator", "supervisor_id", "period", "rule", "direction", "target", "floor",
                  "agreed", "text"]


def target_table(policy, pairs=None, *, lang: str = "en") -> pd.DataFrame:
    """The targets of every indicator of ``policy``, per supervisor and period when given.

    Parameters
    ----------
    policy : Policy
    pairs : iterable of (supervisor_id, period), optional
        Without it, one row per indicator with the policy's own target.
    lang : {"en", "zh"}
        Language of ``text``.

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``supervisor_id``, ``period`` (None for the policy's target),
        ``rule``, ``direction``, ``target`` (float, NaN for percentile), ``floor`` (float,
        NaN unless linear), ``agreed`` (bool), ``text`` (:func:`target_text`).

    Examples
    --------
    >>> from perfmodel.scoring.policy import load_policy
    >>> table = target_table(load_policy("efficiency")).set_index("indicator")
    >>> table.loc["csat", "rule"], float(table.loc["csat", "target"]), float(table.loc["csat", "floor"])
    ('linear', 4.3, 3.8)
    """
    keys = [(None, None)] if pairs is None else [(str(s), str(p)) for s, p in pairs]
    rows = []
    for ind in policy.indicators:
        for sid, per in keys:
            t = target_for(policy, ind, sid, per)
            rows.append({"indicator": ind, "supervisor_id": sid, "period": per, "rule": t.rule.rule,
                         "direction": t.rule.direction, "target": np.nan if t.value is None else t.value,
                         "floor": np.nan if t.floor is None else t.floor, "agreed": t.agreed,
                         "text": t.text(lang=lang)})
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)
