"""The derivation of :func:`perfmodel.analysis.explain.explain` as text, in English or Chinese."""
from __future__ import annotations

import math

from perfmodel.core import catalogue as cat
from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.i18n import check_lang, indicator_label
from perfmodel.core.numbers import format_number, shown_values

#: The words of the derivation (a view of the ``explain`` group of :mod:`perfmodel.core.messages`).
WORDS = messages.group("explain")
SEP = messages.group("common")["list_sep"]


@keyword_only("lang")
def word(key: str, *, lang: str, **values):
    """The text ``key`` in ``lang``, filled with ``values``.

    Examples
    --------
    >>> word("total", lang="en", score="77.25", rating="B")
    'Total 77.25 (sum of the contributions) -> rating B'
    >>> word("total", lang="zh", score="77.25", rating="B")
    '总分 77.25（各项贡献之和）→ 评级 B'
    """
    entry = WORDS[key][lang]
    return entry.format(**shown_values(values)) if isinstance(entry, str) else entry


def number(indicator: str, value: float, signed: bool = False) -> str:
    """An indicator value in its unit (shares in percent points, hours with h); "—" when missing.

    Examples
    --------
    >>> number("complaint_resolution_rate", 0.8), number("first_response_hours", 3.5), number("csat", 4.05)
    ('80.0 %', '3.5 h', '4.05')
    >>> number("complaint_resolution_rate", 0.025, signed=True), number("csat", float("nan"))
    ('+2.5 pt', '—')
    """
    if value is None or not math.isfinite(value):
        return "—"
    try:
        unit = cat.indicator(indicator).get("unit", "")
    except KeyError:
        unit = ""
    sign = "+" if signed else ""
    if unit == "share":  # the share as a percent, rounded as Excel shows it (0.9125 -> 91.3)
        return format_number(value, f"{sign}.1%")[:-1] + (" pt" if signed else " %")
    if unit == "hours":
        return format_number(value, f"{sign}.1f") + " h"
    return format_number(value, f"{sign}.2f")


def _enough(indicator: str, x: float, change: float) -> float:
    """``x`` rounded away from the current value to the precision :func:`number` prints.

    A change printed rounded to the nearest would sometimes fall just short of the next
    band (4.4533 printed as 4.45); rounded in the direction of ``change`` it is enough.
    """
    try:
        unit = cat.indicator(indicator).get("unit", "")
    except KeyError:
        unit = ""
    step = 0.001 if unit == "share" else 0.1 if unit == "hours" else 0.01
    # the tolerance keeps a value already on the grid (0.9 held as 0.90000000001) where it is
    if change > 0:
        return math.ceil(x / step - 1e-9) * step
    return math.floor(x / step + 1e-9) * step


def _plain(x: float, fmt: str = ".2f") -> str:
    return "—" if x is None or not math.isfinite(x) else format_number(x, fmt)


@keyword_only("lang")
def render(ex, *, lang: str = "en") -> str:
    """Lines of text deriving the score of an :class:`~perfmodel.analysis.explain.Explanation`.

    Returns
    -------
    str

    Examples
    --------
    The changes that would lift S1 to the next band, each rounded so that the value printed is
    enough (csat needs 4.4533: 4.45 would not do):

    >>> import pandas as pd
    >>> from perfmodel.analysis.explain import derive
    >>> from perfmodel.scoring.policy import policy_from_dict
    >>> policy = policy_from_dict({
    ...     "name": "东区试行", "version": "1", "dimensions": {"result": 0.6, "process": 0.4},
    ...     "indicators": {
    ...         "csat": {"dimension": "result", "weight": 1.0, "rule": "linear",
    ...                  "floor": 3.8, "target": 4.6},
    ...         "timely_closure_rate": {"dimension": "process", "weight": 1.0, "rule": "ratio",
    ...                                 "target": 0.9}},
    ...     "ratings": {"bands": {"A": 85, "B": 70, "C": 0}}})
    >>> wide = pd.DataFrame({"supervisor_id": ["S1", "S2"], "period": "2026Q3",
    ...                      "csat": [4.4, 4.0], "timely_closure_rate": [0.81, 0.95]})
    >>> ex = derive(wide, wide.iloc[:0], policy, "S1", "2026Q3",
    ...             pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}), draws=0)
    >>> text = render(ex)
    >>> print(text.splitlines()[0])
    Score of 王芳 (S1), 2026Q3 (policy 东区试行 1)
    >>> print("\\n".join(text.splitlines()[-6:]))
    Result subtotal: 75.00 × 60 %
    Process subtotal: 90.00 × 40 %
    Total 81.00 (sum of the contributions) -> rating B
    Next band A from 85: 4.00 points away. Each of these changes alone would close it:
      Customer satisfaction: +0.06 (from 4.40 to 4.46)
      Timely closure rate: +9.0 pt (from 81.0 % to 90.0 %)
    >>> print("\\n".join(render(ex, "zh").splitlines()[-3:]))
    下一档 A 的分数线为 85，还差 4.00 分。以下任一项单独改变即可达到：
      客户满意度：+0.06（由 4.40 到 4.46）
      工单及时关闭率：+9.0 pt（由 81.0 % 到 90.0 %）
    """
    lang = check_lang(lang)
    pol = ex.policy
    who = f"{ex.name} ({ex.supervisor_id})" if ex.name else ex.supervisor_id
    lines = [word("title", lang=lang, who=who, period=ex.period, policy=pol.name, version=pol.version), ""]
    rows = [word("header", lang=lang)]
    for r in ex.table.itertuples():
        rows.append([indicator_label(r.indicator, lang=lang), _plain(r.numerator, "g"), _plain(r.denominator, "g"),
                     number(r.indicator, r.value), r.rule, _plain(r.score), _plain(100 * r.weight, ".1f") + " %",
                     _plain(r.contribution)])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        lines.append("  ".join(_pad(cell, w, right=i not in (0, 4)) for i, (cell, w) in enumerate(zip(row, widths))))
    lines.append("")
    goals = getattr(ex, "goals", None)
    if goals is not None and len(goals):
        lines.append(word("goals_replace" if bool(goals["replaces"].iloc[0]) else "goals_report", lang=lang))
        for g in goals.itertuples():
            line = word("goal", lang=lang, label=indicator_label(g.indicator, lang=lang),
                        agreed=number(g.indicator, g.agreed_target), policy=number(g.indicator, g.policy_target))
            if math.isfinite(g.agreed_floor):
                line += word("goal_floor", lang=lang, agreed=number(g.indicator, g.agreed_floor),
                             policy=number(g.indicator, g.policy_floor))
            lines.append(line)
        lines.append("")
    dims = pol.dimensions
    total_w = sum(dims.values()) or 1.0
    lines.append(f"{word('result', lang=lang)}: {_plain(ex.result_score)} × {_plain(100 * dims.get('result', 0) / total_w, '.0f')} %")
    lines.append(f"{word('process', lang=lang)}: {_plain(ex.process_score)} × "
                 f"{_plain(100 * dims.get('process', 0) / total_w, '.0f')} %")
    if not math.isfinite(ex.score):
        lines.append(word("no_total", lang=lang))
        return "\n".join(lines) + "\n"
    lines.append(word("total", lang=lang, score=_plain(ex.score), rating=ex.rating or "—"))
    by = getattr(ex.policy, "forced_by", None)
    if ex.forced and by:
        lines.append(word("forced_by", lang=lang, by=word(by, lang=lang)))
    elif ex.forced:
        lines.append(word("forced", lang=lang))
    elif ex.next_band is None:
        lines.append(word("top", lang=lang, rating=ex.rating))
    else:
        lines.append(word("next", lang=lang, label=ex.next_band, threshold=f"{ex.next_threshold:g}",
                          distance=_plain(ex.distance)))
        can = ex.table[ex.table["to_next_band"].notna()]
        for r in can.itertuples():
            lines.append(word("change", lang=lang, label=indicator_label(r.indicator, lang=lang),
                              delta=number(r.indicator, _enough(r.indicator, r.to_next_band, r.to_next_band), signed=True),
                              value=number(r.indicator, r.value),
                              target=number(r.indicator, _enough(r.indicator, r.value + r.to_next_band, r.to_next_band))))
        cannot = ex.table.loc[ex.table["to_next_band"].isna(), "indicator"]
        if can.empty:
            lines.append(word("none_alone", lang=lang))
        elif len(cannot):
            lines.append(word("not_alone", lang=lang, labels=SEP[lang].join(indicator_label(i, lang=lang) for i in cannot)))
    if math.isfinite(ex.rank):
        lines.append(word("rank", lang=lang, rank=int(ex.rank), n=ex.n_ranked, draws=f"{ex.draws:,}", seed=ex.seed,
                          low=int(round(ex.rank_low)), high=int(round(ex.rank_high)),
                          p=_plain(100 * ex.p_rating_differs, ".0f")))
    return "\n".join(lines) + "\n"


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(s))


def _pad(s: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(s))
    return fill + s if right else s + fill
