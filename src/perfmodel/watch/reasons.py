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

from .. import catalogue as cat

PREDICTS = "predicts"

# The size of a "step" used in sentences, by unit (a 10-point rise in a share ...).
STEP_BY_UNIT = {"share": 0.10, "score": 0.5, "hours": 4.0, "points": 5.0, "ratio": 0.1,
                "count": 1.0, "currency": 10.0}
STEP_BY_INDICATOR = {"tickets_per_staff_day": 1.0, "backlog_ratio": 0.05}

# One plain action per process indicator.
ACTIONS = {
    "first_response_hours": {"en": "check staffing at peak hours and the first-reply routine",
                             "zh": "检查高峰时段排班和首次回复流程"},
    "complaint_handling_hours": {"en": "review open complaints weekly and escalate the oldest",
                                 "zh": "每周复盘未结投诉，优先升级处理最久的投诉"},
    "timely_closure_rate": {"en": "go through tickets nearing their due time every day",
                            "zh": "每日跟进临近截止时间的工单"},
    "backlog_ratio": {"en": "plan a backlog clean-up and watch new intake",
                      "zh": "安排积压工单清理并关注新增工单量"},
    "tickets_per_staff_day": {"en": "look at workload balance across the team",
                              "zh": "检查团队内部工作量分配"},
    "reopen_rate": {"en": "review reopened tickets for root causes",
                    "zh": "分析重开工单的根本原因"},
    "compliance_rate": {"en": "walk the team through the audit findings",
                        "zh": "与团队逐条复盘稽核发现的问题"},
    "collaboration_score": {"en": "talk with the team about hand-overs and cooperation",
                            "zh": "与团队沟通工作交接与协作"},
    "training_completion_rate": {"en": "plan time for the overdue courses",
                                 "zh": "为逾期未完成的培训课程安排时间"},
    "skill_gain": {"en": "follow up training with practice on real cases",
                   "zh": "培训后结合真实案例进行练习"},
    "staff_turnover_rate": {"en": "hold stay conversations with experienced staff",
                            "zh": "与骨干员工进行留任沟通"},
    "promotion_rate": {"en": "discuss development paths with strong performers",
                       "zh": "与表现突出的员工讨论发展路径"},
}

_WORDS = {
    "target": {"en": "target", "zh": "目标"},
    "own_average": {"en": "your usual", "zh": "您以往平均"},
    "rise": {"en": "rise", "zh": "提高"},
    "cut": {"en": "cut", "zh": "降低"},
    "quarter": {"en": "the next quarter", "zh": "下一季度"},
    "month": {"en": "the next month", "zh": "下个月"},
}


def fmt_value(ind: str, value: float, *, signed: bool = False) -> str:
    """Format a value of indicator ``ind`` in its unit (shares as percent, hours with h)."""
    if value is None or not np.isfinite(value):
        return "—"
    unit = cat.indicator(ind).get("unit", "")
    sign = "+" if signed else ""
    if unit == "share":
        return f"{100 * value:{sign}.1f} %" if not signed else f"{100 * value:{sign}.1f} pt"
    if unit == "hours":
        return f"{value:{sign}.1f} h"
    if unit in ("score", "ratio"):
        return f"{value:{sign}.2f}"
    return f"{value:{sign}.1f}"


def _fmt_step(ind: str, step: float) -> str:
    unit = cat.indicator(ind).get("unit", "")
    if unit == "share":
        return f"{100 * step:g}-point"
    if unit == "hours":
        return f"{step:g} h"
    return f"{step:g}"


def step_of(ind: str) -> float:
    """The step used in sentences for indicator ``ind`` (e.g. 0.10 for a share)."""
    return STEP_BY_INDICATOR.get(ind, STEP_BY_UNIT.get(cat.indicator(ind).get("unit", ""), 1.0))


def suggestion(result: str, process: str, value: float, reference: float, reference_kind: str,
               coef: float, period_kind: str = "quarter", lang: str = "en") -> str:
    """One plain sentence: the process value against its reference, the past effect, an action.

    ``coef`` is the change of ``result`` per unit of ``process`` one period earlier.
    For example (en): ``Training completion rate 55.0 % vs target 90.0 %; in past data a
    10-point rise went with +0.08 customer satisfaction the next quarter. Plan time for the
    overdue courses.``
    """
    step = step_of(process)
    better = 1.0 if cat.direction(process) == "higher" else -1.0
    effect = coef * better * step
    move = "rise" if better > 0 else "cut"
    action = ACTIONS.get(process, {}).get(lang, "")
    pname, rname = cat.name(process, lang), cat.name(result, lang)
    kind = _WORDS.get(period_kind, _WORDS["quarter"])[lang]
    ref_word = _WORDS[reference_kind][lang]
    if lang == "zh":
        step_txt = _fmt_step(process, step).replace("-point", " 个百分点")
        text = (f"{pname}为 {fmt_value(process, value)}，{ref_word} {fmt_value(process, reference)}；"
                f"历史数据中该指标{_WORDS[move]['zh']} {step_txt}，{kind}{rname}随之变化 "
                f"{fmt_value(result, effect, signed=True)}。")
        return text + (f"建议：{action}。" if action else "")
    text = (f"{pname} {fmt_value(process, value)} vs {ref_word} {fmt_value(process, reference)}; "
            f"in past data a {_fmt_step(process, step)} {move} went with "
            f"{fmt_value(result, effect, signed=True)} {rname.lower()} {kind}.")
    return text + (f" {action[0].upper()}{action[1:]}." if action else "")


def drivers_for(result: str, validity: pd.DataFrame) -> pd.DataFrame:
    """The process indicators that predict ``result`` (verdict ``predicts``) in the right way.

    Parameters
    ----------
    result : str
        A result indicator id.
    validity : pandas.DataFrame
        Rows of :func:`perfmodel.stats.predictive_validity` with at least ``process``,
        ``result``, ``coef``, ``p_adj`` and ``verdict``.

    Returns
    -------
    pandas.DataFrame
        The matching validity rows (same columns) whose ``coef`` says that improving the
        process indicator (in its better direction) moves the result in its better
        direction.
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
    """How far ``value`` is on the wrong side of ``reference`` (0 when it is not behind)."""
    if value is None or reference is None or not (math.isfinite(value) and math.isfinite(reference)):
        return 0.0
    gap = reference - value if cat.direction(process) == "higher" else value - reference
    return max(gap, 0.0)
