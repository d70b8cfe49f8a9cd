"""The derivation of :func:`perfmodel.explain.explain` as text, in English or Chinese."""
from __future__ import annotations

import math

from . import catalogue as cat
from .i18n import check_lang, indicator_label

WORDS = {
    "title": {"en": "Score of {who}, {period} (policy {policy} {version})",
              "zh": "{who} {period} 得分推导（政策 {policy} {version}）"},
    "header": {"en": ["indicator", "numerator", "denominator", "value", "rule", "score", "weight", "contribution"],
               "zh": ["指标", "分子", "分母", "数值", "计分规则", "指标得分", "总权重", "贡献"]},
    "result": {"en": "Result subtotal", "zh": "结果维度得分"},
    "process": {"en": "Process subtotal", "zh": "过程维度得分"},
    "total": {"en": "Total {score} (sum of the contributions) -> rating {rating}",
              "zh": "总分 {score}（各项贡献之和）→ 评级 {rating}"},
    "no_total": {"en": "No total: a dimension has no value, so no rating.",
                 "zh": "无总分：某一维度没有数值，因此没有评级。"},
    "top": {"en": "Rating {rating} is the best band.", "zh": "评级 {rating} 已是最高档。"},
    "forced": {"en": "Ratings follow a forced distribution (by rank), so no threshold separates the bands.",
               "zh": "评级按强制分布（按排名）确定，各档之间没有固定分数线。"},
    "forced_by": {"en": "Ratings follow a forced distribution by rank within each {by} (supervisors without one "
                        "form the group (none)), so no threshold separates the bands.",
                  "zh": "评级按强制分布在每个{by}内按排名确定（没有{by}的主管合为一组 (none)），各档之间没有固定分数线。"},
    "team": {"en": "team", "zh": "团队"},
    "region": {"en": "region", "zh": "区域"},
    "next": {"en": "Next band {label} from {threshold}: {distance} points away. Each of these changes alone "
                   "would close it:",
             "zh": "下一档 {label} 的分数线为 {threshold}，还差 {distance} 分。以下任一项单独改变即可达到："},
    "change": {"en": "  {label}: {delta} (from {value} to {target})",
               "zh": "  {label}：{delta}（由 {value} 到 {target}）"},
    "none_alone": {"en": "  no single indicator can close it alone (rules without an inverse, or the cap).",
                   "zh": "  没有任何单项指标能单独弥补（规则不可反推，或受得分上限限制）。"},
    "not_alone": {"en": "  cannot close it alone: {labels}", "zh": "  无法单独弥补：{labels}"},
    "rank": {"en": "Rank {rank} of {n}; over {draws} re-weightings (seed {seed}) the rank lies between {low} "
                   "and {high} (5 %-95 %) and the rating changes in {p} % of them.",
             "zh": "排名 {n} 人中第 {rank}；在 {draws} 次权重扰动（随机种子 {seed}）下，排名位于第 {low} 至第 {high} "
                   "名之间（5%-95%），评级改变的比例为 {p}%。"},
    "goals_replace": {"en": "Agreed targets (policy goals: replace; the scores above use them):",
                      "zh": "共同确定的目标（政策 goals: replace；以上得分按这些目标计算）："},
    "goals_report": {"en": "Agreed targets (policy goals: report; shown only, the scores use the policy's):",
                     "zh": "共同确定的目标（政策 goals: report；仅供参考，得分仍按政策目标计算）："},
    "goal": {"en": "  {label}: target {agreed} agreed (policy {policy})",
             "zh": "  {label}：约定目标 {agreed}（政策目标 {policy}）"},
    "goal_floor": {"en": ", floor {agreed} agreed (policy {policy})", "zh": "，约定下限 {agreed}（政策下限 {policy}）"},
}
SEP = {"en": ", ", "zh": "、"}


def word(key: str, lang: str, **values):
    """The text ``key`` in ``lang``, filled with ``values``."""
    entry = WORDS[key][lang]
    return entry.format(**values) if isinstance(entry, str) else entry


def number(indicator: str, value: float, signed: bool = False) -> str:
    """An indicator value in its unit (shares in percent points, hours with h); "—" when missing."""
    if value is None or not math.isfinite(value):
        return "—"
    try:
        unit = cat.indicator(indicator).get("unit", "")
    except KeyError:
        unit = ""
    sign = "+" if signed else ""
    if unit == "share":
        return f"{100 * value:{sign}.1f} %" if not signed else f"{100 * value:+.1f} pt"
    if unit == "hours":
        return f"{value:{sign}.1f} h"
    return f"{value:{sign}.2f}" if not signed else f"{value:+.2f}"


def _plain(x: float, fmt: str = ".2f") -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:{fmt}}"


def render(ex, lang: str = "en") -> str:
    """Lines of text deriving the score of an :class:`~perfmodel.explain.Explanation`.

    Returns
    -------
    str
    """
    lang = check_lang(lang)
    pol = ex.policy
    who = f"{ex.name} ({ex.supervisor_id})" if ex.name else ex.supervisor_id
    lines = [word("title", lang, who=who, period=ex.period, policy=pol.name, version=pol.version), ""]
    rows = [word("header", lang)]
    for r in ex.table.itertuples():
        rows.append([indicator_label(r.indicator, lang), _plain(r.numerator, "g"), _plain(r.denominator, "g"),
                     number(r.indicator, r.value), r.rule, _plain(r.score), _plain(100 * r.weight, ".1f") + " %",
                     _plain(r.contribution)])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        lines.append("  ".join(_pad(cell, w, right=i not in (0, 4)) for i, (cell, w) in enumerate(zip(row, widths))))
    lines.append("")
    goals = getattr(ex, "goals", None)
    if goals is not None and len(goals):
        lines.append(word("goals_replace" if bool(goals["replaces"].iloc[0]) else "goals_report", lang))
        for g in goals.itertuples():
            line = word("goal", lang, label=indicator_label(g.indicator, lang),
                        agreed=number(g.indicator, g.agreed_target), policy=number(g.indicator, g.policy_target))
            if math.isfinite(g.agreed_floor):
                line += word("goal_floor", lang, agreed=number(g.indicator, g.agreed_floor),
                             policy=number(g.indicator, g.policy_floor))
            lines.append(line)
        lines.append("")
    dims = pol.dimensions
    total_w = sum(dims.values()) or 1.0
    lines.append(f"{word('result', lang)}: {_plain(ex.result_score)} × {100 * dims.get('result', 0) / total_w:.0f} %")
    lines.append(f"{word('process', lang)}: {_plain(ex.process_score)} × {100 * dims.get('process', 0) / total_w:.0f} %")
    if not math.isfinite(ex.score):
        lines.append(word("no_total", lang))
        return "\n".join(lines) + "\n"
    lines.append(word("total", lang, score=f"{ex.score:.2f}", rating=ex.rating or "—"))
    by = getattr(ex.policy, "forced_by", None)
    if ex.forced and by:
        lines.append(word("forced_by", lang, by=word(by, lang)))
    elif ex.forced:
        lines.append(word("forced", lang))
    elif ex.next_band is None:
        lines.append(word("top", lang, rating=ex.rating))
    else:
        lines.append(word("next", lang, label=ex.next_band, threshold=f"{ex.next_threshold:g}",
                          distance=f"{ex.distance:.2f}"))
        can = ex.table[ex.table["to_next_band"].notna()]
        for r in can.itertuples():
            lines.append(word("change", lang, label=indicator_label(r.indicator, lang),
                              delta=number(r.indicator, r.to_next_band, signed=True),
                              value=number(r.indicator, r.value), target=number(r.indicator, r.value + r.to_next_band)))
        cannot = ex.table.loc[ex.table["to_next_band"].isna(), "indicator"]
        if can.empty:
            lines.append(word("none_alone", lang))
        elif len(cannot):
            lines.append(word("not_alone", lang, labels=SEP[lang].join(indicator_label(i, lang) for i in cannot)))
    if math.isfinite(ex.rank):
        lines.append(word("rank", lang, rank=int(ex.rank), n=ex.n_ranked, draws=f"{ex.draws:,}", seed=ex.seed,
                          low=int(round(ex.rank_low)), high=int(round(ex.rank_high)),
                          p=f"{100 * ex.p_rating_differs:.0f}"))
    return "\n".join(lines) + "\n"


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(s))


def _pad(s: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(s))
    return fill + s if right else s + fill
