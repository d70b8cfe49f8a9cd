"""The feedback page's derivation of the score: the table of ``perfmodel explain``, one supervisor only."""
from __future__ import annotations

import pandas as pd

from perfmodel.core.i18n import indicator_label, t
from perfmodel.core.numbers import format_number


def derivation(ctx, supervisor_id: str):
    """The :class:`~perfmodel.analysis.explain.Explanation` of a supervisor on a report context.

    Mid-period the values are those the page scores (see
    :func:`perfmodel.reporting.mid_period.mid_period_context`); the sensitivity analysis is not
    run (draws 0): the page shows the supervisor's own derivation only.

    Returns
    -------
    perfmodel.analysis.explain.Explanation

    Examples
    --------
    S2's csat scores 50 and its closure rate 90: 0.7 × 50 + 0.3 × 90 = 35 + 27 = 62.

    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> ex = derivation(ctx, "S2")
    >>> ex.score, ex.rating
    (62.0, 'C')
    >>> ex.table[["indicator", "value", "score", "weight", "contribution"]]
                 indicator  value  score  weight  contribution
    0                 csat   4.05   50.0     0.7          35.0
    1  timely_closure_rate   0.81   90.0     0.3          27.0
    """
    from perfmodel.analysis.explain import derive

    wide = ctx.wide[ctx.wide["period"] == ctx.period]
    long = ctx.long[ctx.long["period"] == ctx.period]
    return derive(wide, long, ctx.policy, supervisor_id, ctx.period, ctx.supervisors, draws=0)


def show_derivation(ctx, supervisor_id: str) -> None:
    """Display how the supervisor's total is made: value, rule, score, weight and contribution per indicator.

    Returns
    -------
    None
        Displays a heading, the table of :func:`derivation` and the total with the rating.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_derivation(ctx, "S2")
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    <IPython.core.display.Markdown object>
    """
    from perfmodel.reporting.mid_period import provisional
    from perfmodel.scoring.targets import fmt_value
    from perfmodel.reporting.display import heading, table, text

    ex = derivation(ctx, supervisor_id)
    heading("score_derivation", lang=ctx.lang)
    shown = ex.table.assign(
        indicator=ex.table["indicator"].map(lambda i: indicator_label(i, lang=ctx.lang)),
        value=[fmt_value(i, v) for i, v in zip(ex.table["indicator"], ex.table["value"])])
    if provisional(ctx):  # mid-period: the counts behind a projected value are not those of the page
        shown = shown.drop(columns=["numerator", "denominator"])
    shown = shown.rename(columns={"denominator": "explain_denominator", "score": "indicator_score",
                                  "weight": "effective_weight"})
    cols = [c for c in ["indicator", "numerator", "explain_denominator", "value", "rule", "indicator_score",
                        "effective_weight", "contribution"] if c in shown]
    table(shown[cols], lang=ctx.lang, formats={"numerator": _count, "explain_denominator": _count,
                                  "indicator_score": "{:.1f}", "effective_weight": "{:.1%}",
                                  "contribution": "{:.2f}"})
    text(t("derivation_text", lang=ctx.lang, score=format_number(ex.score, ".2f"), rating=ex.rating or "—"))


def _count(v) -> str:
    if v is None or pd.isna(v):
        return "—"
    return f"{v:,.0f}" if float(v).is_integer() else format_number(v, ",.2f")
