"""Reasons for a warning: the process indicators behind a result at risk, in plain words.

A process indicator is named as a driver of a result only when predictive validity gave
the pair the verdict ``predicts`` and its coefficient says that improving the process
indicator improves the result; and only for a supervisor whose own value is on the wrong
side of the reference (the policy target, or else the supervisor's own usual level).
Nothing here uses another supervisor's figures.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from perfmodel.core import catalogue as cat
from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.numbers import format_number, shown_values

PREDICTS = "predicts"

# The size of a "step" used in sentences, by unit (a 10-point rise in a share ...).
STEP_BY_UNIT = {"share": 0.10, "score": 0.5, "hours": 4.0, "points": 5.0, "ratio": 0.1,
                "count": 1.0, "currency": 10.0}
STEP_BY_INDICATOR = {"tickets_per_staff_day": 1.0, "backlog_ratio": 0.05}

# One plain action per process indicator.
ACTIONS = messages.group("watch_actions")

_WORDS = messages.group("watch_words")


def fmt_value(ind: str, value: float, *, signed: bool = False) -> str:
    """Format a value of indicator ``ind`` in its unit (shares as percent, hours with h).

    Examples
    --------
    >>> fmt_value("csat", 4.256), fmt_value("complaint_resolution_rate", 0.8123)
    ('4.26', '81.2 %')
    >>> fmt_value("first_response_hours", 3.46), fmt_value("complaint_resolution_rate", 0.025, signed=True)
    ('3.5 h', '+2.5 pt')
    >>> fmt_value("csat", float("nan"))
    '—'
    """
    if value is None or not np.isfinite(value):
        return "—"
    unit = cat.indicator(ind).get("unit", "")
    sign = "+" if signed else ""
    if unit == "share":  # rounded as Excel shows it (see perfmodel.core.numbers)
        return format_number(value, f"{sign}.1%")[:-1] + (" pt" if signed else " %")
    if unit == "hours":
        return format_number(value, f"{sign}.1f") + " h"
    if unit in ("score", "ratio"):
        return format_number(value, f"{sign}.2f")
    return format_number(value, f"{sign}.1f")


def _fmt_step(ind: str, step: float, *, lang: str = "en") -> str:
    unit = cat.indicator(ind).get("unit", "")
    if unit == "share":
        return messages.text("watch_words.step_share", lang=lang, step=f"{100 * step:g}")
    if unit == "hours":
        return messages.text("watch_words.step_hours", lang=lang, step=f"{step:g}")
    return f"{step:g}"


def step_of(ind: str) -> float:
    """The step used in sentences for indicator ``ind`` (e.g. 0.10 for a share).

    Examples
    --------
    >>> step_of("training_completion_rate"), step_of("first_response_hours"), step_of("csat")
    (0.1, 4.0, 0.5)
    """
    return STEP_BY_INDICATOR.get(ind, STEP_BY_UNIT.get(cat.indicator(ind).get("unit", ""), 1.0))


@keyword_only("lang")
def suggestion(result: str, process: str, value: float, reference: float, reference_kind: str,
               coef: float, period_kind: str = "quarter", *, lang: str = "en") -> str:
    """One plain sentence: the process value against its reference, the past effect, an action.

    ``coef`` is the change of ``result`` per unit of ``process`` one period earlier.
    For example (en): ``Training completion rate 55.0 % vs target 90.0 %; in past data a
    10-point rise went with +0.08 customer satisfaction the next quarter. Plan time for the
    overdue courses.``

    Examples
    --------
    A coefficient of 0.8 csat per unit of training completion: a 10-point rise goes with
    0.8 × 0.1 = +0.08:

    >>> print(suggestion("csat", "training_completion_rate", 0.55, 0.90, "target", 0.8))
    Training completion rate 55.0 % vs target 90.0 %; in past data a 10-point rise went with +0.08 customer satisfaction the next quarter. Plan time for the overdue courses.
    >>> print(suggestion("csat", "training_completion_rate", 0.55, 0.90, "target", 0.8, lang="zh"))
    培训完成率为 55.0 %，目标 90.0 %；历史数据中该指标提高 10 个百分点，下一季度客户满意度随之变化 +0.08。建议：为逾期未完成的培训课程安排时间。
    """
    step = step_of(process)
    better = 1.0 if cat.direction(process) == "higher" else -1.0
    effect = coef * better * step
    move = "rise" if better > 0 else "cut"
    action = ACTIONS.get(process, {}).get(lang, "")
    pname, rname = cat.name(process, lang=lang), cat.name(result, lang=lang)
    kind = _WORDS.get(period_kind, _WORDS["quarter"])[lang]
    ref_word = _WORDS[reference_kind][lang]
    text = messages.text("watch_words.suggestion", lang=lang, process=pname, value=fmt_value(process, value),
                         reference_word=ref_word, reference=fmt_value(process, reference),
                         step=_fmt_step(process, step, lang=lang), move=_WORDS[move][lang],
                         effect=fmt_value(result, effect, signed=True),
                         # English names the result mid-sentence, in lower case
                         result=rname.lower() if lang == "en" else rname, kind=kind)
    return text + (messages.text("watch_words.action", lang=lang, action=f"{action[0].upper()}{action[1:]}")
                   if action else "")


def drivers_for(result: str, validity: pd.DataFrame) -> pd.DataFrame:
    """The process indicators that predict ``result`` (verdict ``predicts``) in the right way.

    Parameters
    ----------
    result : str
        A result indicator id.
    validity : pandas.DataFrame
        Rows of :func:`perfmodel.analysis.stats.predictive_validity` with at least ``process``,
        ``result``, ``coef``, ``p_adj`` and ``verdict``.

    Returns
    -------
    pandas.DataFrame
        The matching validity rows (same columns) whose ``coef`` says that improving the
        process indicator (in its better direction) moves the result in its better
        direction.

    Examples
    --------
    Compliance predicts csat, but the wrong way round (more compliance, lower csat), so it is
    not a driver; a faster first response (fewer hours) goes with a higher csat, so it is:

    >>> validity = pd.DataFrame({
    ...     "process": ["training_completion_rate", "first_response_hours", "compliance_rate",
    ...                 "first_response_hours"],
    ...     "result": ["csat", "csat", "csat", "followup_positive_rate"],
    ...     "coef": [0.8, -0.02, -1.0, -0.01], "se": [0.2, 0.005, 0.3, 0.004],
    ...     "p_adj": [0.01, 0.02, 0.03, 0.04], "verdict": "predicts"})
    >>> drivers_for("csat", validity)[["process", "result", "coef"]]
                        process result  coef
    0  training_completion_rate   csat  0.80
    1      first_response_hours   csat -0.02
    """
    if validity is None or validity.empty:
        return pd.DataFrame(columns=["process", "result", "coef", "se", "p_adj", "verdict"])
    v = validity[(validity["result"] == result) & (validity["verdict"] == PREDICTS)]
    if "lag" in v.columns:
        v = v[v["lag"] == 1] if (v["lag"] == 1).any() else v
    keep = []
    for _, row in v.iterrows():
        sign_p = 1.0 if cat.direction(row["process"]) == "higher" else -1.0
        sign_r = 1.0 if cat.direction(result) == "higher" else -1.0
        keep.append(bool(np.isfinite(row["coef"]) and row["coef"] * sign_p * sign_r > 0))
    return v[keep] if len(v) else v


def behind(process: str, value: float, reference: float) -> float:
    """How far ``value`` is on the wrong side of ``reference`` (0 when it is not behind).

    Examples
    --------
    >>> round(behind("training_completion_rate", 0.55, 0.90), 6)  # 35 points below
    0.35
    >>> behind("first_response_hours", 5.0, 4.0), behind("first_response_hours", 3.0, 4.0)
    (1.0, 0.0)
    """
    if value is None or reference is None or not (math.isfinite(value) and math.isfinite(reference)):
        return 0.0
    gap = reference - value if cat.direction(process) == "higher" else value - reference
    return max(gap, 0.0)


# --- why a projection misses its target ------------------------------------------------------

DRIVERS = ("history", "trend_so_far", "volume_so_far", "usual_level", "spread")
MIN_WEIGHT = 0.05  # a part of the projection weighing less than this is not named as a driver
LOW_WEIGHT = 0.5   # a value so far weighing less than this leaves the projection to the rest

# What the denominator of a projected result counts, for "rests on 27 surveys".
VOLUME_WORDS = messages.group("watch_volume")

_WHY = messages.group("watch_why")


@keyword_only("lang")
def why_word(key: str, *, lang: str = "en", **values) -> str:
    """A word or sentence of the projection reasons in ``lang`` (``en`` or ``zh``).

    Examples
    --------
    >>> why_word("below"), why_word("below", lang="zh")
    ('below', '低于')
    """
    entry = _WHY[key]
    return entry.get(lang, entry["en"]).format(**shown_values(values))


def _num(row, key) -> float:
    v = row.get(key, math.nan)
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _misses(value: float, target: float, direction: str) -> bool:
    if not (math.isfinite(value) and math.isfinite(target)):
        return False
    return value < target if direction == "higher" else value > target


def projection_drivers(row) -> list[str]:
    """What drives the projection of a result to the wrong side of its target.

    The projection is a weighted mean of the value so far, the supervisor's history and
    the level earlier periods moved toward
    (:func:`perfmodel.analysis.watch.projection.projection_weights`); a part that weighs at least
    ``MIN_WEIGHT`` and lies on the wrong side of the target drives the risk.

    Parameters
    ----------
    row : mapping
        A projection row with ``direction``, ``target``, ``so_far_comparable`` (the value
        so far, comparable with the whole-period target), ``prior``, ``usual`` and the
        weights ``weight_so_far``, ``weight_history``, ``weight_usual``.

    Returns
    -------
    list of str
        In this order, those that apply: ``history`` (the prior misses the target),
        ``trend_so_far`` (the value so far misses it), ``volume_so_far`` (the value so far
        meets the target, or nothing was measured, but it weighs less than ``LOW_WEIGHT``),
        ``usual_level`` (earlier periods moved toward a level that misses it); or
        ``["spread"]`` when none applies (the projection is near the target and its
        interval wide).

    Examples
    --------
    The supervisor's history (84.1 %) misses the 90 % target and weighs 62 %; the value so
    far meets it but weighs only 31 %:

    >>> row = {"result": "followup_positive_rate", "direction": "higher", "target": 0.9,
    ...        "so_far_comparable": 0.926, "prior": 0.841, "usual": 0.95,
    ...        "weight_so_far": 0.31, "weight_history": 0.62, "weight_usual": 0.07}
    >>> projection_drivers(row)
    ['history', 'volume_so_far']
    >>> projection_drivers({**row, "prior": 0.93})  # nothing on the wrong side: the spread
    ['spread']
    """
    direction, target = row["direction"], _num(row, "target")
    ws, wh, wu = _num(row, "weight_so_far"), _num(row, "weight_history"), _num(row, "weight_usual")
    so_far = _num(row, "so_far_comparable")
    out = []
    if _misses(_num(row, "prior"), target, direction) and not wh < MIN_WEIGHT:
        out.append("history")
    usual = _misses(_num(row, "usual"), target, direction) and wu >= MIN_WEIGHT
    if _misses(so_far, target, direction):
        if not ws < MIN_WEIGHT:
            out.append("trend_so_far")
    elif (out or usual) and (not math.isfinite(so_far) or ws < LOW_WEIGHT):
        out.append("volume_so_far")
    if usual:
        out.append("usual_level")
    return out or ["spread"]


def _share(w: float) -> str:
    return "—" if not math.isfinite(w) else format_number(w, ".0%")[:-1] + " %"


@keyword_only("lang")
def projection_reason(row, period_kind: str = "quarter", *, lang: str = "en") -> str:
    """One line saying why a result is at risk: history, trend so far, volume so far, usual level.

    ``row`` is a row of :attr:`perfmodel.analysis.watch.WatchResult.projections`. For example
    (en): ``    why: your history 84.1 % (6 earlier quarters) is below the target and
    weighs 62 % in the projection; so far 92.6 % meets the target but rests on 27
    reached return visits, so it weighs only 31 %``.

    Returns
    -------
    str
        The indented line in ``lang``; "" when the row names no driver.

    Examples
    --------
    >>> row = {"result": "followup_positive_rate", "direction": "higher", "target": 0.9,
    ...        "projected": 0.87, "value_to_date": 0.926, "denominator_to_date": 27,
    ...        "so_far_comparable": 0.926, "prior": 0.841, "n_hist": 6, "usual": 0.95,
    ...        "weight_so_far": 0.31, "weight_history": 0.62, "weight_usual": 0.07,
    ...        "drivers": "history;volume_so_far"}
    >>> print(projection_reason(row))
        why: your history 84.1 % (6 earlier quarters) is below the target and weighs 62 % in the projection; so far 92.6 % meets the target but rests on 27 reached return visits, so it weighs only 31 %
    >>> print(projection_reason(row, lang="zh"))
        原因：您的历史水平 84.1 %（此前 6 个季度）低于目标，在预测中占 62 %；目前 92.6 %已达目标，但仅基于 27 次接通回访，在预测中只占 31 %
    """
    drivers = [d for d in str(row.get("drivers", "") or "").split(";") if d]
    if not drivers:
        return ""
    ind = row["result"]
    side = why_word("below" if row["direction"] == "higher" else "above", lang=lang)
    x, xc = _num(row, "value_to_date"), _num(row, "so_far_comparable")
    pro = why_word("pro", lang=lang, v=fmt_value(ind, xc)) if math.isfinite(x) and abs(xc - x) > 1e-12 else ""
    n_hist = int(_num(row, "n_hist")) if math.isfinite(_num(row, "n_hist")) else 0
    kind_code = period_kind if period_kind in ("quarter", "month") else "quarter"
    kind = messages.text(f"periods.{kind_code}", lang=lang)
    kinds = messages.text(f"periods.{kind_code}s", lang=lang)
    parts = []
    for d in drivers:
        if d == "history":
            parts.append(why_word("history" if n_hist > 0 else "history_fallback", lang=lang,
                                  m=fmt_value(ind, _num(row, "prior")), n=n_hist,
                                  kind=kind if n_hist == 1 else kinds, side=side,
                                  share=_share(_num(row, "weight_history"))))
        elif d == "trend_so_far":
            parts.append(why_word("trend_so_far", lang=lang, x=fmt_value(ind, x), pro=pro, side=side,
                                  share=_share(_num(row, "weight_so_far"))))
        elif d == "volume_so_far":
            if not math.isfinite(x):
                parts.append(why_word("volume_nothing", lang=lang))
                continue
            n = _num(row, "denominator_to_date")
            unit = VOLUME_WORDS.get(ind, {}).get(lang)
            volume = (why_word("volume", lang=lang, n=f"{n:g}", unit=unit) if unit and math.isfinite(n)
                      else why_word("little", lang=lang))
            parts.append(why_word("volume_so_far", lang=lang, x=fmt_value(ind, x), pro=pro, volume=volume,
                                  share=_share(_num(row, "weight_so_far"))))
        elif d == "usual_level":
            parts.append(why_word("usual_level", lang=lang, kind=kinds, u=fmt_value(ind, _num(row, "usual")),
                                  side=side, share=_share(_num(row, "weight_usual"))))
        else:
            parts.append(why_word("spread", lang=lang, p=fmt_value(ind, _num(row, "projected"))))
    return why_word("prefix", lang=lang) + why_word("sep", lang=lang).join(parts)
