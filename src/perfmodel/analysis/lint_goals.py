"""SMART per agreed goal (``perfmodel lint --data`` on a dataset with a ``goals`` table).

Each goal of the ``goals`` table is checked on its own:

- **S**pecific — the policy scores the indicator with a rule that has a target (ratio,
  linear, gate, deduction); a goal for a ``bands`` or ``percentile`` indicator has nothing
  to replace (error, not applied).
- **M**easurable — the indicator is in the catalogue (error, not applied), its source
  tables are in the data (error) and the supervisor has a value of it in some period of the
  data (warning: not available for that supervisor).
- **A**chievable — against the supervisor's own history: the share of their past periods
  (periods of the policy's kind before the goal's, with a value) that reached the target,
  and their trend (least-squares slope per period, improving or worsening as the indicator's
  direction says). With fewer than :data:`MIN_OWN` past periods the target is judged against
  every supervisor's past periods instead, and the message says so. Below 10 % reached is an
  error, above 90 % a warning (no stretch), in between a note that gives the figures. A
  target that breaks its rule (a ratio target of 0 or less, a linear floor on the wrong side
  of the target) is an error and the goal is not applied.
- **R**elevant — the indicator is weighted in the policy (error, not applied, when it is
  not in the policy; warning when its weight is 0).
- **T**ime-bound — the goal's period is of the policy's kind (error, not applied
  otherwise) and it was agreed before the period started (warning when agreed on or after
  the first day).

Messages are in English or Chinese (``lang``); templates are the data :data:`MESSAGES`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfmodel.core import catalogue as cat
from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only
from perfmodel.scoring.goals import goal_status
from perfmodel.core.i18n import check_lang
from perfmodel.scoring.targets import reaches
from perfmodel.core.numbers import shown_values

__all__ = ["GOAL_FINDING_COLUMNS", "MESSAGES", "goal_history", "lint_goals"]

#: Columns of :func:`lint_goals`.
GOAL_FINDING_COLUMNS = ["supervisor_id", "period", "indicator", "letter", "severity", "message"]
#: Fewer own past periods than this: judged against the population.
MIN_OWN = 4
LOW, HIGH = 0.10, 0.90

MESSAGES: dict[str, dict[str, str]] = messages.group("smart_goals")


def _msg(key: str, *, lang: str, **values) -> str:
    return MESSAGES[key][lang].format(**shown_values(values))


def _label(ind: str, *, lang: str) -> str:
    if ind not in cat.indicator_ids():
        return ind
    return messages.text("smart.label", lang=lang, ind=ind, name=cat.name(ind, lang=lang))


def _num(indicator: str, x: float) -> str:
    from perfmodel.analysis.explain_text import number

    return number(indicator, float(x))


def goal_history(panel: pd.DataFrame, supervisor_id: str, indicator: str, period: str) -> pd.DataFrame:
    """A supervisor's values of one indicator in the periods before ``period``.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel (``supervisor_id``, ``period``, one column per indicator), one kind of period.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``value``: the periods before ``period`` with a value, in time order.

    Examples
    --------
    Periods are ordered by the calendar, and a period without a value is left out:

    >>> wide = pd.DataFrame({"supervisor_id": ["S1"] * 4, "period": ["2026Q2", "2025Q4", "2026Q1", "2026Q3"],
    ...                      "csat": [4.15, 4.0, None, 4.2]})
    >>> goal_history(wide, "S1", "csat", "2026Q3")
       period  value
    0  2025Q4   4.00
    1  2026Q2   4.15
    """
    from perfmodel.core.periods import parse_period

    if indicator not in panel.columns:
        return pd.DataFrame({"period": pd.Series([], dtype=object), "value": pd.Series([], dtype=float)})
    start = parse_period(period).start
    mine = panel[(panel["supervisor_id"].astype(str) == str(supervisor_id))][["period", indicator]]
    mine = mine[mine[indicator].notna()]
    mine = mine[np.array([parse_period(p).start < start for p in mine["period"].astype(str)], dtype=bool)]
    out = pd.DataFrame({"period": mine["period"].astype(str).to_numpy(),
                        "value": mine[indicator].to_numpy(dtype=float)})
    order = np.argsort([parse_period(p).start for p in out["period"]], kind="stable")
    return out.iloc[order].reset_index(drop=True)


def trend_slope(values) -> float:
    """Least-squares slope of ``values`` per period (equally spaced, in order); NaN below 2 values.

    Examples
    --------
    >>> round(trend_slope([4.0, 4.1, 4.15, 4.2]), 4)  # numpy.polyfit(range(4), values, 1) gives 0.065
    0.065
    >>> trend_slope([4.0])
    nan
    """
    y = np.asarray(values, dtype=float)
    if len(y) < 2:
        return float("nan")
    x = np.arange(len(y), dtype=float)
    return float(np.polyfit(x, y, 1)[0])


def reached(values, rule, target: float) -> np.ndarray:
    """Whether each value meets ``target`` in the direction of ``rule`` (SPEC §4 "meets").

    Examples
    --------
    >>> from perfmodel.scoring.policy import load_policy
    >>> policy = load_policy("efficiency")
    >>> reached([4.2, 4.3, 4.4], policy.indicators["csat"], 4.3).tolist()
    [False, True, True]
    >>> reached([0.02, 0.03, 0.05], policy.indicators["customer_churn_rate"], 0.03).tolist()
    [True, True, False]
    """
    return reaches(values, target, rule.direction)


@keyword_only("lang")
def lint_goals(goals: pd.DataFrame, policy, panel: pd.DataFrame | None, tables=None,
               *, lang: str = "en") -> pd.DataFrame:
    """Check each agreed goal against SMART (see the module docstring).

    Parameters
    ----------
    goals : pandas.DataFrame
        A goals table (:data:`perfmodel.scoring.goals.GOAL_COLUMNS`).
    policy : Policy
    panel : pandas.DataFrame or None
        Wide panel of the data's periods of the policy's kind (None: A and the M value
        check are skipped).
    tables : iterable of str, optional
        Names of the tables the data holds (M).
    lang : {"en", "zh"}

    Returns
    -------
    pandas.DataFrame
        :data:`GOAL_FINDING_COLUMNS`, one row per finding; ``severity`` is ``error``,
        ``warning`` or ``info`` (the Achievable figures of a goal that passes). Sorted by
        supervisor, period, indicator, then SMART order.

    Examples
    --------
    S1 has three past quarters of csat, fewer than four, so the csat goal is judged against
    every supervisor's past quarters: 4.25 was reached in S2's four of the seven. The
    compliance goal cannot replace a ``bands`` rule, has no value, and was agreed late:

    >>> from perfmodel.scoring.policy import load_policy
    >>> wide = pd.DataFrame({"supervisor_id": ["S1"] * 4 + ["S2"] * 4,
    ...                      "period": ["2026Q2", "2025Q4", "2026Q1", "2026Q3"] * 2,
    ...                      "csat": [4.15, 4.0, None, 4.2, 4.4, 4.5, 4.6, 4.5]})
    >>> goals = pd.DataFrame({"supervisor_id": ["S1", "S1"], "period": ["2026Q4", "2026Q4"],
    ...                       "indicator": ["csat", "compliance_rate"], "target": [4.25, 0.99],
    ...                       "floor": [float("nan")] * 2,
    ...                       "agreed_on": pd.to_datetime(["2026-09-20", "2026-10-05"]),
    ...                       "note": ["", ""]})
    >>> findings = lint_goals(goals, load_policy("efficiency"), wide,
    ...                       tables=["supervisors", "tickets", "surveys", "audits"], lang="en")
    >>> for f in findings.itertuples():
    ...     print(f.indicator, f.letter, f.severity, "|", f.message)
    compliance_rate S error | rule bands of compliance_rate has no target to agree on; the goal is not applied
    compliance_rate M warning | compliance_rate has no value for S1 in any period of the data: not available for this supervisor
    compliance_rate T warning | agreed on 2026-10-05, not before 2026Q4 started on 2026-10-01
    csat A info | S1 has only 3 past quarter(s) with a value (fewer than 4), so judged against all supervisors: target 4.25 reached in 4 of 7 supervisor-quarters (57%): achievable with stretch
    """
    from perfmodel.core.periods import parse_period

    lang = check_lang(lang)
    status = goal_status(goals, policy)
    kind = policy.period or "quarter"
    kind_word = messages.text(f"periods.{kind}", lang=lang)
    rows: list[dict] = []
    for g in status.itertuples(index=False):
        sid, period, ind = str(g.supervisor_id), str(g.period), str(g.indicator)

        def add(letter, severity, key, **values):
            rows.append({"supervisor_id": sid, "period": period, "indicator": ind, "letter": letter,
                         "severity": severity,
                         "message": _msg(key, lang=lang, ind=ind, label=_label(ind, lang=lang), sid=sid, period=period,
                                         **values)})

        why = g.not_applied
        target_text = _num(ind, g.target) if ind in cat.indicator_ids() else f"{g.target:g}"
        # S
        if why == "rule_without_target":
            add("S", "error", "rule_without_target", rule=g.rule)
        # M
        if why == "not_in_catalogue":
            add("M", "error", "not_in_catalogue")
            continue
        if tables is not None:
            absent = [x for x in cat.indicator(ind)["tables"] if x not in set(tables)]
            if absent:
                add("M", "error", "tables_absent", tables=", ".join(absent))
        if panel is not None and (ind not in panel.columns or not panel.loc[
                panel["supervisor_id"].astype(str) == sid, ind].notna().any()):
            add("M", "warning", "no_value")
        # A
        rule = policy.indicators.get(ind) if ind in policy.weighted_indicators else None
        if why in ("ratio_target", "floor_side"):
            floor = g.policy_floor if pd.isna(g.floor) else g.floor
            add("A", "error", why, target=target_text, floor=_num(ind, floor),
                direction=messages.text(f"labels.{rule.direction}", lang=lang))
        elif panel is not None and why == "":  # a goal that is not applied is not judged on its figures
            _achievable(add, panel, rule, ind, sid, period, float(g.target), target_text, kind, kind_word, lang=lang)
        # R
        if why == "not_in_policy":
            add("R", "error", "not_in_policy")
        elif rule is not None and rule.weight == 0:
            add("R", "warning", "zero_weight")
        # T
        p = parse_period(period)
        if why == "period_kind":
            add("T", "error", "period_kind", kind=messages.text(f"period_kinds.{p.kind}", lang=lang),
                policy_kind=messages.text(f"periods.{policy.period}", lang=lang))
        agreed = pd.Timestamp(g.agreed_on)
        if agreed >= p.start:
            add("T", "warning", "late", agreed=agreed.strftime("%Y-%m-%d"), start=p.start.strftime("%Y-%m-%d"))
    out = pd.DataFrame(rows, columns=GOAL_FINDING_COLUMNS)
    out["_l"] = out["letter"].map("SMART".index)
    out = out.sort_values(["supervisor_id", "period", "indicator", "_l"], kind="mergesort")
    return out.drop(columns="_l").reset_index(drop=True)


def _achievable(add, panel, rule, ind, sid, period, target, target_text, kind, kind_word, *, lang):
    """Add the A finding of one goal: own history, or the population when it is short."""
    if rule is None:  # not in the policy: the direction is the catalogue's
        from types import SimpleNamespace

        rule = SimpleNamespace(direction=cat.direction(ind))
    own = goal_history(panel, sid, ind, period)
    if len(own) >= MIN_OWN:
        values = own["value"].to_numpy()
        slope = trend_slope(values)
        figures = _msg("own", lang=lang, target=target_text, hit=int(reached(values, rule, target).sum()), n=len(values),
                       kind=kind_word, sid=sid, share=reached(values, rule, target).mean(),
                       trend=_trend(slope, rule, ind, kind_word, lang=lang))
    else:
        from perfmodel.core.periods import parse_period

        start = parse_period(period).start
        if ind not in panel.columns:
            return
        before = panel[np.array([parse_period(p).start < start for p in panel["period"].astype(str)], dtype=bool)]
        values = before[ind].dropna().to_numpy(dtype=float)
        if not len(values):
            add("A", "warning", "no_history", target=target_text, kind=kind_word)
            return
        figures = _msg("population", lang=lang, own=len(own), min_own=MIN_OWN, kind=kind_word, target=target_text,
                       hit=int(reached(values, rule, target).sum()), n=len(values), sid=sid,
                       share=reached(values, rule, target).mean())
    share = reached(values, rule, target).mean()
    median = _num(ind, np.median(values))
    if share < LOW:
        add("A", "error", "too_hard", figures=figures, low=LOW, median=median)
    elif share > HIGH:
        add("A", "warning", "too_easy", figures=figures, high=HIGH, median=median)
    else:
        add("A", "info", "fair", figures=figures)


def _trend(slope: float, rule, ind: str, kind_word: str, *, lang: str) -> str:
    if not np.isfinite(slope):
        return _msg("trend_none", lang=lang)
    from perfmodel.analysis.explain_text import number

    shown = number(ind, slope, signed=True)
    if not any(ch in "123456789" for ch in shown):
        # a slope that rounds to zero in the indicator's unit ("-0.00 per quarter") is flat:
        # calling it worsening would show a number that contradicts its word
        return _msg("trend_flat", lang=lang)
    better = (slope > 0) == (rule.direction == "higher")
    return _msg("trend_up" if better else "trend_down", lang=lang, slope=shown, kind=kind_word)
