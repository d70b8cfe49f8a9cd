"""The feedback page of one supervisor: position, targets, trend, strengths and gaps (their own data only)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfmodel.core.errors import UsageError
from perfmodel.core.i18n import (
    coaching_topic,
    indicator_label,
    ordinal,
    t,
)
from perfmodel.reporting.context import ReportContext
from perfmodel.reporting.display import figure, heading, md_escape, table, text
from perfmodel.reporting.mid_period import mark_partial, provisional, word

# targets: one module says what a target is, whether it is met and how to state it
from perfmodel.scoring.targets import fmt_value, meets, rule_for, target_text


def _check_supervisor(ctx: ReportContext, supervisor_id) -> str:
    sid = str(supervisor_id)
    if sid not in set(ctx.scores["supervisor_id"].astype(str)):
        raise UsageError(f"supervisor_id {sid!r}: not scored in {ctx.period}; pick one of the supervisors "
                         f"in supervisors.csv with tickets in the period")
    return sid


def pick_supervisor(ctx: ReportContext, supervisor_id="") -> str:
    """Return ``supervisor_id`` checked against the period's scores, or the first scored id when empty.

    Returns
    -------
    str

    Raises
    ------
    UsageError
        One line when the supervisor is not scored in the period (or nobody is).

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> pick_supervisor(ctx), pick_supervisor(ctx, "S3")
    ('S1', 'S3')
    >>> pick_supervisor(ctx, "S9")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: supervisor_id 'S9': not scored in 2026Q3; pick one of the supervisors ...
    """
    if supervisor_id in (None, ""):
        ids = sorted(ctx.scores["supervisor_id"].astype(str))
        if not ids:
            raise UsageError(f"no supervisor is scored in {ctx.period}")
        return ids[0]
    return _check_supervisor(ctx, supervisor_id)


def percentile_of(scores: pd.Series, value: float) -> float:
    """Percentile rank of ``value`` among ``scores`` (mean rank convention, 0..100).

    Share of scores below plus half the share equal, times 100 (the same convention as
    ``scipy.stats.percentileofscore(kind="mean")``).

    Returns
    -------
    float
        0..100; NaN when ``scores`` holds no number or ``value`` is not finite.

    Examples
    --------
    One score of five below 70 and two equal to it: 100 × (1/5 + ½ × 2/5) = 40.

    >>> percentile_of([60, 70, 70, 80, 90], 70)
    40.0
    >>> from scipy.stats import percentileofscore
    >>> float(percentileofscore([60, 70, 70, 80, 90], 70, kind="mean"))
    40.0
    >>> percentile_of([], 70)
    nan
    """
    s = pd.Series(scores).dropna().to_numpy(dtype=float)
    if not len(s) or not np.isfinite(value):
        return float("nan")
    return float(100.0 * ((s < value).mean() + 0.5 * (s == value).mean()))


def own_indicator_table(ctx: ReportContext, supervisor_id: str) -> pd.DataFrame:
    """One supervisor's weighted indicators: value, target, indicator score, points lost.

    Returns
    -------
    pandas.DataFrame
        ``indicator`` (id), ``label``, ``dimension``, ``effective_weight``, ``value``
        (text), ``target`` (text), ``indicator_score`` (0..cap, NaN when missing),
        ``points_lost`` (effective weight × max(0, 100 − score): what the gap costs in
        the total), ``agreed_target`` (text: the supervisor's agreed target, "" when none;
        with ``goals: replace`` it is also the ``target``, marked agreed), ``met`` (1.0
        when the value meets the rule's target as
        :func:`met_target` defines it, 0.0 when not, NaN when missing), ``basis`` (on a
        mid-period page, the words for how the value was obtained, e.g. ``projected``; ""
        otherwise, see :func:`perfmodel.reporting.mid_period.mid_period_context`); policy order.

    Examples
    --------
    A context made by hand: S2's csat 4.05 scores (4.05 − 3.8) / (4.3 − 3.8) × 100 = 50 and
    its closure rate 0.81 / 0.9 × 100 = 90, so it loses 0.7 × (100 − 50) = 35 and 0.3 × (100 − 90) = 3 points.

    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> own_indicator_table(ctx, "S2")[["indicator", "value", "target", "indicator_score",
    ...                                  "points_lost", "met"]]
                 indicator   value    target  indicator_score  points_lost  met
    0                 csat    4.05    ≥ 4.30             50.0         35.0  0.0
    1  timely_closure_rate  81.0 %  ≥ 90.0 %             90.0          3.0  0.0
    """
    from perfmodel.reporting.mid_period import basis_labels

    sid = _check_supervisor(ctx, supervisor_id)
    own_w = ctx.wide[(ctx.wide["period"] == ctx.period) & (ctx.wide["supervisor_id"].astype(str) == sid)]
    own_s = ctx.scores[ctx.scores["supervisor_id"].astype(str) == sid].iloc[0]
    summary = ctx.policy.summary().set_index("indicator")
    bases = basis_labels(ctx, sid)
    rows = []
    from perfmodel.reporting.goals_page import own_goals

    agreed = own_goals(ctx, sid)
    replaces = ctx.policy.goals == "replace"
    for ind in ctx.policy.weighted_indicators:
        rule = rule_for(ctx.policy, ind, sid, ctx.period)  # the agreed target when it replaces the policy's
        val = own_w[ind].iloc[0] if ind in own_w and len(own_w) else np.nan
        sc = own_s.get(f"score_{ind}", np.nan)
        ew = float(summary.loc[ind, "effective_weight"])
        rows.append({"indicator": ind, "label": indicator_label(ind, lang=ctx.lang), "dimension": rule.dimension,
                     "effective_weight": ew, "value": fmt_value(ind, val),
                     "target": target_text(rule, lang=ctx.lang) + (t("agreed_mark", lang=ctx.lang)
                                                             if replaces and ind in agreed else ""),
                     "agreed_target": agreed.get(ind, ""),
                     "indicator_score": sc,
                     "points_lost": ew * max(0.0, 100.0 - sc) if pd.notna(sc) else np.nan,
                     "met": float(meets(rule, [val], [sc])[0]), "basis": bases.get(ind, "")})
    return pd.DataFrame(rows)


def strengths_and_gaps(ctx: ReportContext, supervisor_id: str, n: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The supervisor's strengths (targets met, highest score first) and gaps (targets not met,
    most points lost first); "met" as :func:`met_target` defines it per rule.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Up to ``n`` rows each of :func:`own_indicator_table`.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> strengths, gaps = strengths_and_gaps(ctx, "S1")  # both targets met
    >>> strengths[["indicator", "indicator_score"]], len(gaps)
    (             indicator  indicator_score
    0                 csat            100.0
    1  timely_closure_rate            100.0, 0)
    >>> strengths, gaps = strengths_and_gaps(ctx, "S2")  # neither: csat costs most
    >>> len(strengths), gaps[["indicator", "points_lost"]]
    (0,              indicator  points_lost
    0                 csat         35.0
    1  timely_closure_rate          3.0)
    """
    own = own_indicator_table(ctx, supervisor_id)
    strengths = own[own["met"] == 1.0].sort_values(
        ["indicator_score", "effective_weight", "indicator"], ascending=[False, False, True], kind="mergesort")
    gaps = own[own["met"] == 0.0].sort_values(
        ["points_lost", "indicator"], ascending=[False, True], kind="mergesort")
    return strengths.head(n).reset_index(drop=True), gaps.head(n).reset_index(drop=True)


def show_feedback_title(ctx: ReportContext, supervisor_id: str):
    """Title with the supervisor's own name.

    Returns
    -------
    None
        Displays the title naming the supervisor (王芳 (S1)), escaped.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_feedback_title(ctx, "S2")
    <IPython.core.display.Markdown object>
    """
    sid = _check_supervisor(ctx, supervisor_id)
    name = ctx.supervisors.loc[ctx.supervisors["supervisor_id"].astype(str) == sid, "name"]
    label = f"{name.iloc[0]} ({sid})" if len(name) else sid
    heading("feedback_title", lang=ctx.lang, level=1, name=label, period=ctx.period)


def show_position(ctx: ReportContext, supervisor_id: str):
    """The supervisor's rating and position as a percentile only (no other supervisor's figures).

    Returns
    -------
    None
        Displays a heading and one sentence.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_position(ctx, "S2")  # 62.0, the 50th percentile of 3 (see percentile_of)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    """
    sid = _check_supervisor(ctx, supervisor_id)
    row = ctx.scores[ctx.scores["supervisor_id"].astype(str) == sid].iloc[0]
    pct = percentile_of(ctx.scores["score"], row["score"])
    heading("position", lang=ctx.lang)
    prefix = word("position_prefix", lang=ctx.lang) if provisional(ctx) else ""
    text(prefix + t("position_text", lang=ctx.lang, score=float(row["score"]), pct=ordinal(pct, lang=ctx.lang),
                    n=int(ctx.scores["score"].notna().sum()), period=ctx.period, rating=row["rating"] or "—"))
    if "rating_computed" in row.index and str(row["rating_computed"]) != str(row["rating"]):
        # only this supervisor's own adjustment: the page names no one else
        text(t("own_adjustment", lang=ctx.lang, computed=row["rating_computed"], final=row["rating"],
               reason=md_escape(row["adjustment_reason"]), by=md_escape(row["adjustment_approved_by"]),
               on=row["adjustment_approved_on"]))


def show_targets(ctx: ReportContext, supervisor_id: str):
    """Targets vs actual: the supervisor's own indicator values, targets and scores.

    Returns
    -------
    None
        Displays a heading, the table of :func:`own_indicator_table` and its bar chart.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_targets(ctx, "S2")  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    Figure(...)
    """
    from perfmodel.reporting import plotting

    heading("targets_vs_actual", lang=ctx.lang)
    own = own_indicator_table(ctx, supervisor_id)
    cols = ["label", "dimension", "effective_weight", "value", "target", "indicator_score"]
    shown = own.assign(dimension=lambda d: d["dimension"].map(lambda x: t(x, lang=ctx.lang)))
    if provisional(ctx):  # a mid-period value says how it was made comparable with the target
        cols.insert(4, "basis")
        shown = shown.rename(columns={"basis": word("basis", lang=ctx.lang)})
        cols[4] = word("basis", lang=ctx.lang)
    from perfmodel.reporting.goals_page import show_own_goals_note

    if ctx.policy.goals != "replace" and (own["agreed_target"] != "").any():  # shown beside, not used
        cols.insert(cols.index("target") + 1, "agreed_target")
    table(shown[cols].rename(columns={"label": "indicator"}),
          lang=ctx.lang, formats={"effective_weight": "{:.1%}", "indicator_score": "{:.0f}"})
    show_own_goals_note(ctx, supervisor_id)
    figure(mark_partial(plotting.attainment_bars(own, lang=ctx.lang), ctx, title=True))


def show_own_trend(ctx: ReportContext, supervisor_id: str):
    """The supervisor's own total, result and process scores over the periods.

    Returns
    -------
    None
        Displays a heading and the chart of :func:`perfmodel.reporting.plotting.own_trend`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_own_trend(ctx, "S2")  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    Figure(...)
    """
    from perfmodel.reporting import plotting

    sid = _check_supervisor(ctx, supervisor_id)
    heading("your_trend", lang=ctx.lang)
    own_periods = sorted(ctx.scores_all.loc[ctx.scores_all["supervisor_id"] == sid, "period"])
    at = [own_periods.index(ctx.period)] if ctx.period in own_periods else []
    figure(mark_partial(plotting.own_trend(ctx.scores_all, sid, lang=ctx.lang), ctx, positions=at))


def show_strengths_gaps(ctx: ReportContext, supervisor_id: str):
    """Strengths, gaps and the coaching topics suggested for the gaps.

    Returns
    -------
    None
        Displays headings and lists (see :func:`strengths_and_gaps`).

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_strengths_gaps(ctx, "S2")
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    """
    strengths, gaps = strengths_and_gaps(ctx, supervisor_id)
    lang = ctx.lang

    def items(df):
        # mid-period: the value is named by its basis (projected, so far ...)
        return "\n".join("- " + t("strength_item", lang=lang, label=r.label,
                                  value=f"{r.value} ({r.basis})" if r.basis else r.value, target=r.target,
                                  score=float(r.indicator_score)) for r in df.itertuples())

    heading("strengths", lang=lang)
    text(items(strengths) if len(strengths) else t("no_strengths", lang=lang))
    heading("gaps", lang=lang)
    text(items(gaps) if len(gaps) else t("no_gaps", lang=lang))
    heading("coaching", lang=lang)
    if len(gaps):
        text("\n".join(f"- {coaching_topic(i, lang=lang)}" for i in gaps["indicator"]))
    else:
        text(t("no_gaps", lang=lang))
