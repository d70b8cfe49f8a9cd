"""Goals agreed with each supervisor (共同确定的目标): which apply, and binding them to a policy.

A dataset may hold a ``goals`` table (supervisor_id, period, indicator, target, floor,
agreed_on, note). A goal *applies* to a policy when

- its indicator is in the catalogue and weighted in the policy,
- the policy scores that indicator with a rule that has a target (ratio, linear, gate,
  deduction; a bands or percentile rule has none to replace),
- its period is of the policy's kind (a monthly goal does not replace a quarterly target),
- and the rule stays valid with it: a ratio target above 0; for linear, the floor (the
  agreed one, or the policy's when none was agreed) on the worse side of the target.

A goal that does not apply is never used; ``perfmodel lint --data`` says why
(:func:`perfmodel.analysis.lint.lint_goals`). With ``goals: replace`` in the policy, the goals that
apply replace the policy's target (and floor) for their supervisor and period in every score
(:func:`perfmodel.scoring.scores.indicator_scores`); with ``goals: report`` (the default) they are
only shown beside the policy's targets.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from perfmodel.core import catalogue as cat
from perfmodel.scoring.policy import GOAL_RULES, AgreedTarget

__all__ = ["GOAL_COLUMNS", "STATUS_COLUMNS", "bind_goals", "goal_status", "goals_of", "goals_table",
           "trusted_goals"]

#: Columns of a goals table (SPEC §1).
GOAL_COLUMNS = ["supervisor_id", "period", "indicator", "target", "floor", "agreed_on", "note"]
#: Columns :func:`goal_status` adds.
STATUS_COLUMNS = ["rule", "policy_target", "policy_floor", "applies", "not_applied"]


def goals_table(dataset) -> pd.DataFrame | None:
    """The dataset's validated goals (None when it has no goals table).

    Returns
    -------
    pandas.DataFrame or None
        :data:`GOAL_COLUMNS` (floor and note may be missing), sorted by supervisor,
        period and indicator.

    Examples
    --------
    >>> import perfmodel
    >>> from perfmodel.data.demo import demo_dataset
    >>> ds = demo_dataset(goals=True)  # S1 csat 4.5; S2 csat 4.0, tickets_per_staff_day 12
    >>> goals_table(ds)[["supervisor_id", "period", "indicator", "target", "agreed_on"]]
      supervisor_id  period              indicator  target  agreed_on
    0            S1  2026Q3                   csat     4.5 2026-06-20
    1            S2  2026Q3                   csat     4.0 2026-06-20
    2            S2  2026Q3  tickets_per_staff_day    12.0 2026-06-20
    """
    tables = getattr(dataset, "tables", None) or {}
    goals = tables.get("goals")
    if goals is None:
        return None
    out = goals.copy()
    for col in GOAL_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan if col in ("floor", "target") else None
    out = out[GOAL_COLUMNS]
    for col in ("supervisor_id", "period", "indicator"):
        out[col] = out[col].astype(str)
    return out.sort_values(["supervisor_id", "period", "indicator"], kind="mergesort").reset_index(drop=True)


def trusted_goals(folder) -> pd.DataFrame | None:
    """The goals of a trusted folder of clean Parquet tables (``goals.parquet``, not validated).

    Returns
    -------
    pandas.DataFrame or None
        :data:`GOAL_COLUMNS` as :func:`goals_table` gives them; None without the file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> trusted_goals(folder) is None
    True
    >>> pd.DataFrame({"supervisor_id": ["S1"], "period": ["2026Q3"], "indicator": ["csat"],
    ...               "target": [4.5], "floor": [float("nan")],
    ...               "agreed_on": pd.to_datetime(["2026-06-20"]),
    ...               "note": ["季度绩效面谈确定"]}).to_parquet(folder / "goals.parquet")
    >>> trusted_goals(folder)
      supervisor_id  period indicator  target  floor  agreed_on      note
    0            S1  2026Q3      csat     4.5    NaN 2026-06-20  季度绩效面谈确定
    """
    from pathlib import Path

    path = Path(folder) / "goals.parquet"
    if not path.is_file():
        return None
    from types import SimpleNamespace

    return goals_table(SimpleNamespace(tables={"goals": pd.read_parquet(path)}))


def goal_status(goals: pd.DataFrame, policy) -> pd.DataFrame:
    """Whether each agreed goal applies to ``policy``, and why not.

    Parameters
    ----------
    goals : pandas.DataFrame
        A goals table (:data:`GOAL_COLUMNS`).
    policy : Policy

    Returns
    -------
    pandas.DataFrame
        The goals' columns plus ``rule`` (the policy's rule, "" when not in the policy),
        ``policy_target``, ``policy_floor`` (NaN when the rule has none), ``applies``
        (bool) and ``not_applied``: "" when it applies, else the first reason code of
        ``not_in_catalogue``, ``not_in_policy``, ``rule_without_target``,
        ``period_kind``, ``ratio_target``, ``floor_side``.

    Examples
    --------
    The ``efficiency`` preset ranks ``tickets_per_staff_day`` by percentile: there is no
    target for an agreed goal to replace.

    >>> import perfmodel
    >>> from perfmodel.data.demo import demo_dataset
    >>> ds = demo_dataset(goals=True)  # S1 csat 4.5; S2 csat 4.0, tickets_per_staff_day 12
    >>> status = goal_status(goals_table(ds), perfmodel.load_policy("efficiency"))
    >>> print(status[["supervisor_id", "indicator", "target", "rule", "policy_target", "applies",
    ...               "not_applied"]].to_string())
      supervisor_id              indicator  target        rule  policy_target  applies          not_applied
    0            S1                   csat     4.5      linear            4.3     True
    1            S2                   csat     4.0      linear            4.3     True
    2            S2  tickets_per_staff_day    12.0  percentile            NaN    False  rule_without_target
    """
    from perfmodel.core.periods import parse_period

    out = goals.reset_index(drop=True).copy()
    rules, p_target, p_floor, reasons = [], [], [], []
    known = set(cat.indicator_ids())
    for g in out.itertuples(index=False):
        rule = policy.indicators.get(g.indicator) if g.indicator in policy.weighted_indicators else None
        rules.append(rule.rule if rule is not None else "")
        p_target.append(np.nan if rule is None or rule.target is None else float(rule.target))
        p_floor.append(np.nan if rule is None or rule.floor is None else float(rule.floor))
        reasons.append(_why_not(g, rule, policy, known, parse_period))
    out["rule"] = rules
    out["policy_target"] = np.asarray(p_target, dtype=float)
    out["policy_floor"] = np.asarray(p_floor, dtype=float)
    out["not_applied"] = reasons
    out["applies"] = out["not_applied"] == ""
    return out


def _why_not(goal, rule, policy, known, parse_period) -> str:
    if goal.indicator not in known:
        return "not_in_catalogue"
    if rule is None:
        return "not_in_policy"
    if rule.rule not in GOAL_RULES:
        return "rule_without_target"
    if policy.period is not None and parse_period(goal.period).kind != policy.period:
        return "period_kind"
    target = float(goal.target)
    if rule.rule == "ratio" and not target > 0:
        return "ratio_target"
    if rule.rule == "linear":
        floor = rule.floor if _empty(goal.floor) else float(goal.floor)
        if floor == target or (rule.direction == "higher") != (floor < target):
            return "floor_side"
    return ""


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def bind_goals(policy, goals: pd.DataFrame | None):
    """The policy with the dataset's agreed goals that apply to it.

    Parameters
    ----------
    policy : Policy
    goals : pandas.DataFrame or None
        A goals table (:func:`goals_table`); None or empty leaves the policy as it is.

    Returns
    -------
    Policy
        ``policy`` with :attr:`~perfmodel.scoring.policy.Policy.agreed` set to the goals that
        apply (see :func:`goal_status`); scores use them only when the policy says
        ``goals: replace``. The policy's text and SHA-256 are unchanged (the goals are
        data: their file's SHA-256 is recorded with the other inputs).

    Examples
    --------
    With ``goals: replace``, a csat of 4.3 scores (4.3 − 3.8) / (4.5 − 3.8) × 100 = 71.43
    against S1's agreed 4.5, and (4.3 − 3.8) / (4.0 − 3.8) × 100 = 250, capped at 120,
    against S2's 4.0:

    >>> import perfmodel
    >>> from perfmodel.data.demo import demo_dataset
    >>> ds = demo_dataset(goals=True)  # S1 csat 4.5; S2 csat 4.0, tickets_per_staff_day 12
    >>> from perfmodel.scoring.policy import policy_from_dict
    >>> policy = policy_from_dict({**perfmodel.load_policy("efficiency").to_dict(), "goals": "replace"})
    >>> bound = bind_goals(policy, goals_table(ds))
    >>> panel = pd.DataFrame({"supervisor_id": ["S1", "S2"], "period": "2026Q3", "csat": [4.3, 4.3]})
    >>> perfmodel.score(panel, bound)[["supervisor_id", "score_csat", "agreed"]].round(2)
      supervisor_id  score_csat agreed
    0            S1       71.43   csat
    1            S2      120.00   csat
    """
    if goals is None or not len(goals):
        return policy
    status = goal_status(goals, policy)
    ok = status[status["applies"]]
    agreed = tuple(
        AgreedTarget(str(g.supervisor_id), str(g.period), str(g.indicator), float(g.target),
                     None if _empty(g.floor) or g.rule != "linear" else float(g.floor))
        for g in ok.itertuples(index=False))
    return replace(policy, agreed=agreed)


def goals_of(policy, period: str, supervisor_id=None) -> pd.DataFrame:
    """The agreed goals bound to ``policy`` for one period (and supervisor), beside the policy's.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period``, ``indicator``, ``policy_target``, ``agreed_target``,
        ``policy_floor``, ``agreed_floor`` (NaN when the floor is the policy's) and
        ``replaces`` (True when the policy scores with the agreed target). Sorted by
        supervisor, then the policy's order of indicators.

    Examples
    --------
    >>> import perfmodel
    >>> from perfmodel.data.demo import demo_dataset
    >>> ds = demo_dataset(goals=True)  # S1 csat 4.5; S2 csat 4.0, tickets_per_staff_day 12
    >>> bound = bind_goals(perfmodel.load_policy("efficiency"), goals_table(ds))
    >>> print(goals_of(bound, "2026Q3").to_string())
      supervisor_id  period indicator  policy_target  agreed_target  policy_floor  agreed_floor  replaces
    0            S1  2026Q3      csat            4.3            4.5           3.8           NaN     False
    1            S2  2026Q3      csat            4.3            4.0           3.8           NaN     False
    """
    order = {ind: j for j, ind in enumerate(policy.weighted_indicators)}
    rows = []
    for g in policy.agreed:
        if g.period != str(period) or (supervisor_id is not None and g.supervisor_id != str(supervisor_id)):
            continue
        rule = policy.indicators[g.indicator]
        rows.append({"supervisor_id": g.supervisor_id, "period": g.period, "indicator": g.indicator,
                     "policy_target": np.nan if rule.target is None else float(rule.target),
                     "agreed_target": g.target,
                     "policy_floor": np.nan if rule.floor is None else float(rule.floor),
                     "agreed_floor": np.nan if g.floor is None else g.floor,
                     "replaces": policy.goals == "replace", "_o": order.get(g.indicator, 0)})
    cols = ["supervisor_id", "period", "indicator", "policy_target", "agreed_target", "policy_floor",
            "agreed_floor", "replaces"]
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows).sort_values(["supervisor_id", "_o"], kind="mergesort")
    return out[cols].reset_index(drop=True)
