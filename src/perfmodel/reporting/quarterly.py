"""The quarterly page: headline, indicators, scores, trends, funnels, validity, fragility, SMART, data quality, run record."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from perfmodel.core import messages, settings
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.i18n import (
    indicator_label,
    t,
)
from perfmodel.reporting.context import ReportContext
from perfmodel.reporting.display import _median, figure, heading, md_escape, table, text

# targets: one module says what a target is, whether it is met and how to state it
from perfmodel.scoring.targets import fmt_value, meets, rule_for, target_text


def rating_counts(scores: pd.DataFrame, ratings: list[str]) -> pd.DataFrame:
    """Count supervisors per rating.

    Returns
    -------
    pandas.DataFrame
        ``rating`` (every band, best first, then unrated ``""`` if any), ``count``, ``share``.

    Examples
    --------
    >>> scores = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4"], "rating": ["A", "B", "A", ""]})
    >>> rating_counts(scores, ["S", "A", "B", "C"])
      rating  count  share
    0      S      0   0.00
    1      A      2   0.50
    2      B      1   0.25
    3      C      0   0.00
    4             1   0.25
    """
    labels = list(ratings) + ([""] if (scores["rating"] == "").any() else [])
    counts = scores["rating"].value_counts().reindex(labels, fill_value=0)
    n = max(int(counts.sum()), 1)
    return pd.DataFrame({"rating": labels, "count": counts.to_numpy(), "share": counts.to_numpy() / n})


@keyword_only("lang")
def rating_label(rating, *, lang: str = "en") -> str:
    """The rating as shown: the band label, or ``not rated`` (未评级) when there is none.

    Returns
    -------
    str

    Examples
    --------
    >>> rating_label("A", lang="zh"), rating_label("", lang="zh"), rating_label(None, lang="en")
    ('A', '未评级', 'not rated')
    """
    return t("not_rated", lang=lang) if rating is None or pd.isna(rating) or str(rating) == "" else str(rating)


def movers(scores_all: pd.DataFrame, period: str, previous: str | None, n: int = 5) -> pd.DataFrame:
    """The supervisors whose total score changed most since the previous period.

    Returns
    -------
    pandas.DataFrame
        Up to ``2n`` rows (the n largest rises then the n largest falls): ``supervisor_id``,
        ``previous_score``, ``score``, ``change``, ``previous_rating``, ``rating``; sorted by
        change descending, ties by id.

    Examples
    --------
    >>> scores_all = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3"] * 2,
    ...                            "period": ["2026Q2"] * 3 + ["2026Q3"] * 3,
    ...                            "score": [70.0, 80.0, 90.0, 78.5, 75.0, 90.0],
    ...                            "rating": ["B", "A", "S", "A", "B", "S"]})
    >>> movers(scores_all, "2026Q3", "2026Q2")  # S3 did not move
      supervisor_id  previous_score  score  change previous_rating rating
    0            S1            70.0   78.5     8.5               B      A
    1            S2            80.0   75.0    -5.0               A      B
    >>> len(movers(scores_all, "2024Q4", None))  # the first period: nothing to compare
    0
    """
    cols = ["supervisor_id", "previous_score", "score", "change", "previous_rating", "rating"]
    if previous is None:
        return pd.DataFrame(columns=cols)
    now = scores_all[scores_all["period"] == period][["supervisor_id", "score", "rating"]]
    before = scores_all[scores_all["period"] == previous][["supervisor_id", "score", "rating"]]
    both = now.merge(before, on="supervisor_id", suffixes=("", "_prev")).dropna(subset=["score", "score_prev"])
    both = both.assign(change=both["score"] - both["score_prev"]).rename(
        columns={"score_prev": "previous_score", "rating_prev": "previous_rating"})
    both = both.sort_values(["change", "supervisor_id"], ascending=[False, True], kind="mergesort")
    up = both[both["change"] > 0].head(n)
    down = both[both["change"] < 0].sort_values(["change", "supervisor_id"], kind="mergesort").head(n)
    out = pd.concat([up, down.iloc[::-1]])
    return out[cols].reset_index(drop=True)


def indicator_table(ctx: ReportContext) -> pd.DataFrame:
    """The policy's indicators in the period: weight, rule, target and attainment.

    Returns
    -------
    pandas.DataFrame
        One row per weighted indicator in policy order: ``indicator`` (display name),
        ``dimension``, ``weight`` (within its dimension), ``effective_weight`` (in the
        total), ``rule``, ``target`` (text), ``median_value`` (text, in the indicator's
        unit), ``met_target`` (share of the supervisors with a value who meet the rule's
        target, see :func:`met_target`; NaN when nobody has a value), ``median_score``,
        ``available`` (supervisors with a value).

    Examples
    --------
    A context made by hand: S2's csat 4.05 scores (4.05 − 3.8) / (4.3 − 3.8) × 100 = 50 and
    its closure rate 0.81 / 0.9 × 100 = 90, so its total is 0.7 × 50 + 0.3 × 90 = 62 (C).

    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> table = indicator_table(ctx)  # S1 alone meets each target: 1/3
    >>> table[["indicator", "effective_weight", "target"]]
                   indicator  effective_weight    target
    0  Customer satisfaction               0.7    ≥ 4.30
    1    Timely closure rate               0.3  ≥ 90.0 %
    >>> table[["median_value", "met_target", "median_score", "available"]]
      median_value  met_target  median_score  available
    0         4.05    0.333333          50.0          3
    1       81.0 %    0.333333          90.0          3
    """
    lang = ctx.lang
    summary = ctx.policy.summary().set_index("indicator")
    now = ctx.wide[ctx.wide["period"] == ctx.period]
    keyed = ctx.scores[["supervisor_id"]].astype({"supervisor_id": str}).merge(
        now.astype({"supervisor_id": str}), on="supervisor_id", how="left")
    rows = []
    for ind in ctx.policy.weighted_indicators:
        rule = ctx.policy.indicators[ind]
        values = now[ind] if ind in now else pd.Series(dtype=float)
        scol = f"score_{ind}"
        s = ctx.scores[scol] if scol in ctx.scores else pd.Series(np.nan, index=ctx.scores.index)
        x = keyed[ind].to_numpy(dtype=float) if ind in keyed else np.full(len(keyed), np.nan)
        met = meets(rule, x, s.to_numpy(dtype=float))
        if ctx.policy.goals == "replace" and ctx.policy.agreed:  # each against their own target
            met = np.array([meets(rule_for(ctx.policy, ind, sid, ctx.period), [v], [sc])[0] for sid, v, sc
                            in zip(keyed["supervisor_id"], x, s.to_numpy(dtype=float))])
        met = met[~np.isnan(met)]
        rows.append({"indicator": indicator_label(ind, lang=lang), "dimension": t(rule.dimension, lang=lang),
                     "weight": summary.loc[ind, "weight"],
                     "effective_weight": summary.loc[ind, "effective_weight"], "rule": t(f"rule_{rule.rule}", lang=lang),
                     "target": target_text(rule, lang=lang), "median_value": fmt_value(ind, _median(values)),
                     "met_target": float(met.mean()) if met.size else np.nan,
                     "median_score": _median(s), "available": int(values.notna().sum())})
    return pd.DataFrame(rows)


def scores_table(ctx: ReportContext) -> pd.DataFrame:
    """Scores and ratings of the period with names, best first.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``name``, ``team``, ``score``, ``result_score``,
        ``process_score``, ``rating``, ``missing`` (indicator names); sorted by score
        descending then id. With adjustments, ``rating_computed`` before ``rating`` (the
        final rating) and ``adjustment_reason``, ``adjustment_approved_by`` after it.

    Examples
    --------
    A context made by hand: S2's csat 4.05 scores (4.05 − 3.8) / (4.3 − 3.8) × 100 = 50 and
    its closure rate 0.81 / 0.9 × 100 = 90, so its total is 0.7 × 50 + 0.3 × 90 = 62 (C).

    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> scores_table(ctx)[["supervisor_id", "name", "score", "result_score", "process_score", "rating"]]
      supervisor_id name  score  result_score  process_score rating
    0            S1   王芳  100.0         100.0          100.0      A
    1            S2   李娜   62.0          50.0           90.0      C
    2            S3   张伟   15.0           0.0           50.0      C
    """
    df = ctx.scores.merge(ctx.supervisors, on="supervisor_id", how="left")
    df["missing"] = df["missing"].fillna("").map(
        lambda s: ", ".join(indicator_label(i, lang=ctx.lang) for i in s.split(";") if i))
    df = df.sort_values(["score", "supervisor_id"], ascending=[False, True], kind="mergesort", na_position="last")
    if "rating_computed" in df:
        return df[["supervisor_id", "name", "team", "score", "result_score", "process_score", "rating_computed",
                   "rating", "adjustment_reason", "adjustment_approved_by", "missing"]]
    return df[["supervisor_id", "name", "team", "score", "result_score", "process_score", "rating", "missing"]]


@keyword_only("lang")
def data_quality_tables(dataset, *, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Row accounts and quarantine reasons of a loaded dataset (or its :class:`~perfmodel.results.DataSummary`).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The account (``table``, ``file``, ``rows_read``, ``rows_used``,
        ``rows_quarantined``) and the quarantine counted by ``table`` and ``reason``
        (``rows``), most frequent first; table names and reasons in ``lang`` (reasons
        worded from ``reason_code`` and ``reason_params``).

    Examples
    --------
    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2", "T3"], "supervisor_id": ["S1", "S9", "S1"],
    ...                              "created_at": ["2026-07-02 09:00", "2026-08-11", "2026-08-12"]})})
    >>> account, reasons = data_quality_tables(ds, lang="zh")
    >>> account
      table                 file  rows_read  rows_used  rows_quarantined
    0    主管  supervisors (frame)          1          1                 0
    1    工单      tickets (frame)          3          2                 1
    >>> reasons
      table                   reason  rows
    0    工单  supervisor_id“S9”不在主管表中     1
    """
    from perfmodel.core.i18n import reason_text, table_label

    account = dataset.account.copy()
    if "file" in account:
        account["file"] = account["file"].map(lambda p: Path(str(p)).name if isinstance(p, (str, Path)) else p)
    if "table" in account:
        account["table"] = account["table"].map(lambda x: table_label(x, lang=lang))
    q = dataset.quarantine
    if q is None or q.empty:
        reasons = pd.DataFrame(columns=["table", "reason", "rows"])
    else:
        if lang != "en":
            q = q.assign(table=q["table"].map(lambda x: table_label(x, lang=lang)))
            if "reason_code" in q.columns:
                q = q.assign(reason=[reason_text(c, p, lang=lang, english=r) for c, p, r in
                                     zip(q["reason_code"], q["reason_params"], q["reason"])])
        reasons = (q.groupby(["table", "reason"], sort=True).size().rename("rows").reset_index()
                   .sort_values(["rows", "table", "reason"], ascending=[False, True, True], kind="mergesort"))
    return account.reset_index(drop=True), reasons.reset_index(drop=True)



def title_key(period: str) -> str:
    """The label key of the report title for a period id: ``monthly_title`` or ``quarterly_title``.

    Returns
    -------
    str

    Examples
    --------
    >>> title_key("2026-09"), title_key("2026Q3")
    ('monthly_title', 'quarterly_title')
    """
    from perfmodel.core.periods import parse_period

    return "monthly_title" if parse_period(period).kind == "month" else "quarterly_title"


def show_title(ctx: ReportContext, key: str | None = None):
    """Display the report title (monthly or quarterly, by the period) and the one-line scope.

    Returns
    -------
    None
        Displays the title (quarterly or monthly) and the scope line.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_title(ctx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    """
    heading(key or title_key(ctx.period), lang=ctx.lang, level=1, period=ctx.period)
    text(t("scope_text", lang=ctx.lang, n=len(ctx.scores), period=ctx.period, policy=md_escape(ctx.policy.name),
           version=ctx.policy.version))


def show_headline(ctx: ReportContext):
    """Headline: mean score, rating distribution (table and chart), biggest movers.

    Returns
    -------
    None
        Displays the mean score, the rating counts (table and chart) and the movers
        (:func:`movers`; here a note that there is no previous period).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from perfmodel.reporting import plotting
    >>> _ = plotting.setup(lang="en")
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_headline(ctx)  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    Figure(...)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    """
    from perfmodel.reporting import plotting

    lang = ctx.lang
    heading("headline", lang=lang)
    s = ctx.scores["score"].dropna()
    if len(s):
        text(t("mean_score", lang=lang, mean=float(s.mean()), median=_median(s)))
    flagged = int((ctx.scores["missing"].fillna("") != "").sum())
    if flagged:
        text(t("missing_flag", lang=lang, n=flagged))
    heading("rating_distribution", lang=lang, level=3)
    counts = rating_counts(ctx.scores, ctx.policy.ratings)
    table(counts.assign(rating=counts["rating"].map(lambda r: rating_label(r, lang=lang))), lang=lang,
          formats={"share": "{:.0%}"})
    figure(plotting.rating_distribution(ctx.scores, lang=lang, order=ctx.policy.ratings))
    if ctx.previous is None:
        heading("movers_no_previous", lang=lang, level=3)
        text(t("no_previous", lang=lang))
        return
    heading("movers", lang=lang, level=3, previous=ctx.previous)
    m = movers(ctx.scores_all, ctx.period, ctx.previous).merge(ctx.supervisors[["supervisor_id", "name"]],
                                                                on="supervisor_id", how="left")
    table(m[["supervisor_id", "name", "previous_score", "score", "change", "previous_rating", "rating"]], lang=lang,
          formats={"previous_score": "{:.1f}", "score": "{:.1f}", "change": "{:+.1f}"})


def show_indicators(ctx: ReportContext):
    """The indicator table with targets and attainment.

    Returns
    -------
    None
        Displays a heading and the table of :func:`indicator_table`.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_indicators(ctx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    """
    heading("indicator_table", lang=ctx.lang)
    table(indicator_table(ctx), lang=ctx.lang, formats={"weight": "{:.2f}", "effective_weight": "{:.1%}",
                                           "met_target": "{:.0%}", "median_score": "{:.0f}"})
    from perfmodel.reporting.goals_page import show_goals_summary

    show_goals_summary(ctx)  # the period's agreed goals, and whether the scores use them


def show_scores(ctx: ReportContext):
    """Scores and ratings of every supervisor, best first.

    Returns
    -------
    None
        Displays a heading and the table of :func:`scores_table`.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_scores(ctx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    """
    heading("scores_and_ratings", lang=ctx.lang)
    table(scores_table(ctx), lang=ctx.lang, formats={"score": "{:.1f}", "result_score": "{:.1f}", "process_score": "{:.1f}"})
    if "rating_computed" in ctx.scores:
        show_adjustments(ctx)


def show_adjustments(ctx: ReportContext):
    """How many ratings the review meeting changed and, under a forced distribution, how far from the quotas.

    Returns
    -------
    None
        Displays how many ratings were changed (with the adjustments file's sha256) and,
        under a forced distribution, whether the quotas still hold. For a context whose
        scores went through :func:`perfmodel.scoring.adjustments.apply_adjustments` (they have
        ``rating_computed``).

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> import tempfile
    >>> from perfmodel.data.demo import demo_adjustments
    >>> from perfmodel.scoring.adjustments import apply_adjustments
    >>> path = demo_adjustments(tempfile.mkdtemp(), "S2", "C", "B")
    >>> ctx.scores = apply_adjustments(ctx.scores, path, ctx.policy)
    >>> ctx.scores[["supervisor_id", "rating_computed", "rating"]]
      supervisor_id rating_computed rating
    0            S1               A      A
    1            S2               C      B
    2            S3               C      C
    >>> show_adjustments(ctx)  # one rating changed; no forced distribution, no quotas
    <IPython.core.display.Markdown object>
    """
    from perfmodel.scoring.adjustments import quota_breaks

    s = ctx.scores
    n = int((s["rating"].astype(str) != s["rating_computed"].astype(str)).sum())
    sha = str(ctx.cache.get("adjustments_sha256") or "—")[:12]
    text(t("adjustments_text", lang=ctx.lang, n=n, sha=sha))
    breaks = quota_breaks(s, ctx.policy, ctx.supervisors)
    if breaks is None:
        return
    if breaks.empty:
        text(t("adjustments_keep_quotas", lang=ctx.lang))
        return
    text(t("adjustments_break_quotas", lang=ctx.lang, n=int(breaks["difference"].clip(lower=0).sum())))
    shown = breaks.assign(group=breaks["group"].where(breaks["group"] != "all", t("quota_all", lang=ctx.lang)))
    table(shown.rename(columns={"group": "review_group", "quota": "break_quota", "final": "break_final",
                                "difference": "break_difference"}), lang=ctx.lang, formats={"break_difference": "{:+d}"})


def show_result_vs_process(ctx: ReportContext):
    """Scatter of result against process score.

    Returns
    -------
    None
        Displays a heading and the scatter.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from perfmodel.reporting import plotting
    >>> _ = plotting.setup(lang="en")
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_result_vs_process(ctx)  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    Figure(...)
    """
    from perfmodel.reporting import plotting

    heading("result_vs_process", lang=ctx.lang)
    figure(plotting.result_process_scatter(ctx.scores.dropna(subset=["score"]), lang=ctx.lang,
                                          order=ctx.policy.ratings))


def show_trends(ctx: ReportContext):
    """Score distribution per period and the medians of the weighted result indicators.

    Returns
    -------
    None
        Displays a heading, the score distribution and the indicator medians.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from perfmodel.reporting import plotting
    >>> _ = plotting.setup(lang="en")
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_trends(ctx)  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    Figure(...)
    Figure(...)
    """
    from perfmodel.reporting import plotting

    heading("trends", lang=ctx.lang)
    figure(plotting.score_trend(ctx.scores_all.dropna(subset=["score"]), lang=ctx.lang))
    inds = [i for i in ctx.policy.of_dimension("result") if i in ctx.wide]
    if inds:
        figure(plotting.indicator_trends(ctx.wide, inds, lang=ctx.lang))


RATE_INDICATORS = ("complaint_resolution_rate", "timely_closure_rate", "followup_positive_rate",
                   "reopen_rate")


def funnel_flags(long: pd.DataFrame, period: str, indicators=RATE_INDICATORS) -> pd.DataFrame:
    """Supervisors outside the 99.8 % funnel limits of a rate in the period.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``indicator``, ``rate``, ``target`` (pooled rate),
        ``denominator``, ``signal`` (better/worse); sorted by indicator then id.

    Examples
    --------
    Ten supervisors with 100 complaints each; the pooled rate is 760 / 1000 = 0.76 and the
    99.8 % limits 0.76 ± 3.09 × √(0.76 × 0.24 / 100) = 0.628 .. 0.892, so only S10 (0.40)
    is outside:

    >>> resolved = [80, 81, 79, 80, 82, 78, 80, 81, 79, 40]
    >>> long = pd.DataFrame({"supervisor_id": [f"S{i:02d}" for i in range(1, 11)], "period": "2026Q3",
    ...                      "indicator": "complaint_resolution_rate",
    ...                      "value": [r / 100 for r in resolved], "numerator": resolved,
    ...                      "denominator": 100})
    >>> funnel_flags(long, "2026Q3")
      supervisor_id                  indicator  rate  target  denominator signal
    0           S10  complaint_resolution_rate   0.4    0.76          100  worse
    """
    from perfmodel.analysis.profiling import funnel

    rows = []
    for ind in indicators:
        sub = long[(long["indicator"] == ind) & (long["period"] == period)]
        if sub["denominator"].fillna(0).sum() <= 0:
            continue
        f = funnel(sub, ind, period)
        rows.append(f[f["signal"].fillna("") != ""][["supervisor_id", "indicator", "rate", "target",
                                                     "denominator", "signal"]])
    cols = ["supervisor_id", "indicator", "rate", "target", "denominator", "signal"]
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.concat(rows).sort_values(["indicator", "supervisor_id"], kind="mergesort").reset_index(drop=True)


def clip_rates(f: pd.DataFrame) -> pd.DataFrame:
    """A funnel table with its rates, pooled rate and limits clipped to [0, 1] (float noise such
    as −1.4e−17 included), for plotting.

    Returns
    -------
    pandas.DataFrame
        A copy of ``f``; columns ``rate``, ``target``, ``lower_*`` and ``upper_*`` clipped.

    Examples
    --------
    >>> f = pd.DataFrame({"supervisor_id": ["S1", "S2"], "rate": [1.0000000000000002, 0.5],
    ...                   "target": [0.8, 0.8], "lower_998": [-1.4e-17, 0.6], "upper_998": [1.2, 0.95],
    ...                   "denominator": [3, 40]})
    >>> clip_rates(f)
      supervisor_id  rate  target  lower_998  upper_998  denominator
    0            S1   1.0     0.8        0.0       1.00            3
    1            S2   0.5     0.8        0.6       0.95           40
    """
    f = f.copy()
    for col in f.columns:
        if col in ("rate", "target") or str(col).startswith(("lower_", "upper_")):
            f[col] = pd.to_numeric(f[col], errors="coerce").clip(0.0, 1.0)
    return f


def show_funnels(ctx: ReportContext, indicators=RATE_INDICATORS):
    """Funnel plots of the rates of the period (numerator/denominator, control limits).

    Returns
    -------
    None
        Displays a heading and, per rate with counts, a funnel plot, then the supervisors
        outside the limits (:func:`funnel_flags`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from perfmodel.reporting import plotting
    >>> _ = plotting.setup(lang="en")
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_funnels(ctx)  # no rate here has counts: no funnel
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    """
    import matplotlib.pyplot as plt

    from perfmodel.analysis.profiling import funnel
    from perfmodel.reporting.plotting import (
        finish,
        funnel_plot,
        percent_axis,
        rate_axis,
    )

    heading("funnels", lang=ctx.lang)
    long = ctx.long[(ctx.long["period"] == ctx.period) & ctx.long["indicator"].isin(indicators)]
    present = [i for i in indicators if long.loc[long["indicator"] == i, "denominator"].fillna(0).sum() > 0]
    if not present:
        text(t("not_available", lang=ctx.lang, reason="—"))
        return
    cols = 2
    rows = (len(present) + 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(11, 4.2 * rows), squeeze=False)
    for k, ind in enumerate(present):
        ax = axes[k // cols][k % cols]
        funnel_plot(clip_rates(funnel(long, ind, ctx.period)), ax=ax, lang=ctx.lang)
        rate_axis(ax)
        percent_axis(ax)  # rates as the table below states them (88 %, not 0.88)
        ax.set_title(indicator_label(ind, lang=ctx.lang))
    for k in range(len(present), rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    figure(finish(fig))
    flags = funnel_flags(ctx.long, ctx.period, present)
    if len(flags):
        flags = flags.merge(ctx.supervisors[["supervisor_id", "name"]], on="supervisor_id", how="left")
        flags["indicator"] = flags["indicator"].map(lambda i: indicator_label(i, lang=ctx.lang))
        flags["signal"] = flags["signal"].map(lambda x: t(x, lang=ctx.lang))
        table(flags[["supervisor_id", "name", "indicator", "rate", "target", "denominator", "signal"]]
              .rename(columns={"target": "pooled_rate"}), lang=ctx.lang,
              formats={"rate": "{:.1%}", "pooled_rate": "{:.1%}", "denominator": "{:,.0f}"})


def validity_table(wide: pd.DataFrame, lag: int = settings.LAG, seed: int = settings.SEED,
                   n_boot: int = settings.BOOT) -> pd.DataFrame:
    """Predictive validity of the process indicators for the result indicators.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`perfmodel.analysis.stats.predictive_validity`, sorted by verdict then p.

    Examples
    --------
    One period gives no lagged pair; two give three pairs, still too few to judge:

    >>> import pandas as pd
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> wide = ctx.wide
    >>> validity_table(wide)[["process", "result", "lag", "verdict", "n_obs"]]
                   process result  lag            verdict  n_obs
    0  timely_closure_rate   csat    1  insufficient data      0
    >>> two = pd.concat([wide.assign(period="2026Q2"),
    ...                  wide.assign(period="2026Q3", csat=[4.4, 4.1, 3.7])])
    >>> validity_table(two, n_boot=99)[["process", "result", "lag", "verdict", "n_obs"]]
                   process result  lag            verdict  n_obs
    0  timely_closure_rate   csat    1  insufficient data      3
    """
    from perfmodel.analysis.stats import predictive_validity

    res = predictive_validity(wide, lag=lag, seed=seed, n_boot=n_boot, bootstrap_below=BOOTSTRAP_BELOW)
    order = {"predicts": 0, "contrary": 1, "no evidence": 2, "insufficient data": 3}
    return res.assign(_o=res["verdict"].map(order).fillna(9)).sort_values(
        ["_o", "p_adj", "process", "result"], kind="mergesort").drop(columns="_o").reset_index(drop=True)


#: Fewer supervisors than this: validity p-values from the wild cluster bootstrap.
BOOTSTRAP_BELOW = 30


@keyword_only("lang")
def draws_note(kind: str, *, lang: str, seed: int, draws: int, n: int = 0) -> str:
    """The sentence a page shows under a figure made from random draws.

    Parameters
    ----------
    kind : {"fragility", "bootstrap"}
        Rating fragility (``draws`` re-weightings) or validity p-values (``n`` pairs
        from a wild cluster bootstrap with ``draws`` draws; none: no random draws).
    lang : {"en", "zh"}
    seed, draws, n : int

    Returns
    -------
    str
        In ``lang``: the number of draws and the seed used (or that no draws were used).

    Examples
    --------
    >>> print(draws_note("fragility", lang="en", seed=42, draws=500))
    Random draws: 500 re-weightings, seed 42. The same seed and number of draws give the same figures.
    >>> print(draws_note("bootstrap", lang="zh", seed=42, draws=999, n=12))
    随机抽样：12 组关系的 p 值来自野聚类自助法，999 次抽样，随机种子 42（主管少于 30 位）。
    >>> print(draws_note("bootstrap", lang="en", seed=42, draws=999))
    No random draws: p-values from cluster-robust t tests (30 or more supervisors).
    """
    if kind == "fragility":
        return t("draws_fragility", lang=lang, draws=int(draws), seed=int(seed))
    if n:
        return t("draws_bootstrap", lang=lang, n=int(n), draws=int(draws), seed=int(seed), below=BOOTSTRAP_BELOW)
    return t("draws_none", lang=lang, below=BOOTSTRAP_BELOW)


def _validity_display(res: pd.DataFrame, *, lang: str, max_rows: int = 12) -> pd.DataFrame:
    shown = res[res["verdict"].isin(["predicts", "contrary"])]
    if shown.empty:
        shown = res.head(max_rows)
    return pd.DataFrame({
        "process_indicator": shown["process"].map(lambda i: indicator_label(i, lang=lang)),
        "result_indicator": shown["result"].map(lambda i: indicator_label(i, lang=lang)),
        "std_effect": shown["std_effect"], "p_adj": shown["p_adj"],
        "verdict": shown["verdict"].map(lambda v: t(v, lang=lang)),
        "n_obs": shown["n_obs"]}).head(max_rows)


def show_validity(ctx: ReportContext, lag: int = 1):
    """Predictive-validity evidence: which process indicators predict results.

    Returns
    -------
    None
        Displays a heading, how many process indicators predict a result, the sentence on
        random draws (:func:`draws_note`) and the evidence table.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_validity(ctx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    """
    heading("validity", lang=ctx.lang)
    _validity_block(ctx, lag)


def _validity_block(ctx: ReportContext, lag: int) -> pd.DataFrame:
    # The validity grid of one lag (computed once per context), its summary line and table.
    res = ctx.cache.get(("validity", lag))
    if res is None:
        res = ctx.cache[("validity", lag)] = validity_table(ctx.wide, lag=lag, seed=ctx.seed)
    tested = res[res["verdict"] != "insufficient data"]
    text(t("validity_text", lang=ctx.lang, n=int((res["verdict"] == "predicts").sum()), total=len(tested), lag=lag))
    booted = int(res["p_method"].astype(str).str.startswith("wild cluster bootstrap").sum())
    text(draws_note("bootstrap", lang=ctx.lang, seed=ctx.seed, draws=settings.BOOT, n=booted))
    table(_validity_display(res, lang=ctx.lang), lang=ctx.lang, formats={"std_effect": "{:+.3f}", "p_adj": "{:.3f}"})
    return res


def show_fragility(ctx: ReportContext, draws: int = settings.DRAWS, threshold: float = settings.FRAGILE):
    """Rating fragility: how often each supervisor keeps the rating when weights move.

    Returns
    -------
    None
        Displays a heading, how many ratings are fragile, the sentence on random draws
        (:func:`draws_note`), the chart and the fragile rows of :func:`fragility_table`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from perfmodel.reporting import plotting
    >>> _ = plotting.setup(lang="en")
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_fragility(ctx, draws=50)  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    Figure(...)
    <IPython.core.display.HTML object>
    """
    from perfmodel.reporting import plotting

    heading("rating_fragility", lang=ctx.lang)
    try:
        from perfmodel.analysis.sensitivity import rank_uncertainty
    except ImportError as exc:  # pragma: no cover
        text(t("not_available", lang=ctx.lang, reason=md_escape(exc)))
        return
    wide = ctx.wide[ctx.wide["period"] == ctx.period]
    res = rank_uncertainty(wide, ctx.policy, draws=draws, seed=ctx.seed, supervisors=ctx.supervisors)
    frag = fragility_table(res, ctx.supervisors)
    # fragile as the command line and the calibration notebook count it (RankUncertainty.fragile)
    fragile = frag["supervisor_id"].isin(res.fragile(threshold)["supervisor_id"].astype(str))
    text(t("fragility_text", lang=ctx.lang, n=int(fragile.sum()), total=len(frag), keep=round(100 * (1 - threshold))))
    text(draws_note("fragility", lang=ctx.lang, seed=ctx.seed, draws=draws))
    figure(plotting.fragility_plot(frag.assign(label=frag["supervisor_id"] + " " + frag["name"].fillna("")),
                                   lang=ctx.lang))
    shown = frag[fragile]
    if "rating_computed" in ctx.scores:  # the draws move the computed rating, not the meeting's final one
        shown = shown.rename(columns={"rating": "rating_computed"})
    table(shown, lang=ctx.lang, formats={"p_same_rating": "{:.0%}"})


def fragility_table(res, supervisors: pd.DataFrame) -> pd.DataFrame:
    """Per supervisor the probability of keeping the rating when the weights move.

    Parameters
    ----------
    res : RankUncertainty
        From :func:`perfmodel.analysis.sensitivity.rank_uncertainty` (one period).

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``name``, ``rating`` (nominal), ``p_same_rating``
        (1 − ``p_rating_differs``), ``modal_rating``, ``rank``, ``rank_range`` (5 %–95 %
        of the rank over the draws); least stable first, ties by id.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> res = SimpleNamespace(table=pd.DataFrame({
    ...     "supervisor_id": ["S1", "S2", "S3"], "nominal_rank": [1, 2, 3],
    ...     "nominal_rating": ["S", "A", "A"], "p_rating_differs": [0.0, 0.35, 0.35],
    ...     "modal_rating": ["S", "A", "A"], "rank_p05": [1, 2, 2], "rank_p95": [1, 3, 3]}))
    >>> names = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3"], "name": ["王芳", "李娜", "张伟"]})
    >>> fragility_table(res, names)
      supervisor_id name rating  p_same_rating modal_rating  rank rank_range
    0            S2   李娜      A           0.65            A     2        2–3
    1            S3   张伟      A           0.65            A     3        2–3
    2            S1   王芳      S           1.00            S     1        1–1
    """
    tab = res.table.dropna(subset=["nominal_rank"]).copy()
    out = pd.DataFrame({
        "supervisor_id": tab["supervisor_id"].astype(str), "rating": tab["nominal_rating"],
        "p_same_rating": 1.0 - tab["p_rating_differs"], "modal_rating": tab["modal_rating"],
        "rank": tab["nominal_rank"].astype(int),
        "rank_range": [f"{int(a)}–{int(b)}" for a, b in zip(tab["rank_p05"], tab["rank_p95"])]})
    out = out.merge(supervisors[["supervisor_id", "name"]].astype({"supervisor_id": str}), on="supervisor_id",
                    how="left")
    out = out[["supervisor_id", "name", "rating", "p_same_rating", "modal_rating", "rank", "rank_range"]]
    return out.sort_values(["p_same_rating", "supervisor_id"], kind="mergesort").reset_index(drop=True)


SMART_LETTERS = {letter: (entry["en"], entry["zh"]) for letter, entry in messages.group("smart_letters").items()}


def smart_table(ctx: ReportContext) -> pd.DataFrame:
    """Findings of :func:`perfmodel.analysis.lint.lint` for the policy on the data up to the period.

    Returns
    -------
    pandas.DataFrame
        ``check`` (letter and its name in ``lang``), ``indicator`` (display name),
        ``severity``, ``message`` (as the SMART check words it); SMART order.

    Examples
    --------
    The data below hold no survey table (csat cannot be measured) and the policy sets no
    period:

    >>> import pandas as pd
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> names = ctx.supervisors
    >>> from perfmodel import dataset_from_frames
    >>> from perfmodel.results import summarize
    >>> ds = dataset_from_frames({"supervisors": names,
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S9"],
    ...                              "created_at": ["2026-07-02 09:00", "2026-08-11"]})})
    >>> ctx.data = summarize(ds)
    >>> smart = smart_table(ctx)
    >>> smart[["check", "indicator", "severity"]]
              check              indicator severity
    0  M Measurable  Customer satisfaction    error
    1  A Achievable  Customer satisfaction  warning
    2  A Achievable    Timely closure rate  warning
    3    R Relevant    Timely closure rate  warning
    4  T Time-bound                      —    error
    >>> print(smart["message"][4])
    no period set; add period: quarter or period: month
    """
    from perfmodel.analysis.lint import lint

    validity = ctx.cache.get(("validity", 1))
    findings = lint(policy=ctx.policy, panel=ctx.wide, tables=ctx.data.tables, validity=validity, lang=ctx.lang)
    k = 1 if ctx.lang == "zh" else 0
    return pd.DataFrame({
        "check": findings["letter"].map(lambda x: f"{x} {SMART_LETTERS.get(x, (x, x))[k]}"),
        "indicator": findings["indicator"].map(lambda i: indicator_label(i, lang=ctx.lang) if i else "—"),
        "severity": findings["severity"].map(lambda x: t(x, lang=ctx.lang)),
        "message": findings["message"]})


def show_smart(ctx: ReportContext):
    """Findings of the SMART check of the policy against the data, then of each agreed goal of the period.

    Returns
    -------
    None
        Displays a heading and the table of :func:`smart_table` (or a sentence saying there
        is no finding), then :func:`perfmodel.reporting.goals_page.show_goal_findings`.

    Examples
    --------
    >>> import pandas as pd
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> names = ctx.supervisors
    >>> from perfmodel import dataset_from_frames
    >>> from perfmodel.results import summarize
    >>> ds = dataset_from_frames({"supervisors": names,
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S9"],
    ...                              "created_at": ["2026-07-02 09:00", "2026-08-11"]})})
    >>> ctx.data = summarize(ds)
    >>> show_smart(ctx)  # no agreed goals: no goal findings
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    """
    from perfmodel.reporting.goals_page import show_goal_findings

    heading("smart_findings", lang=ctx.lang)
    findings = smart_table(ctx)
    if findings.empty:
        text(t("no_findings", lang=ctx.lang))
    else:
        table(findings, lang=ctx.lang)
    show_goal_findings(ctx)  # each agreed goal of the period on its own


def show_data_quality(ctx: ReportContext):
    """Row accounts per table (read = used + quarantined) and the quarantine reasons.

    Returns
    -------
    None
        Displays a heading and the tables of :func:`data_quality_tables` (the reasons only
        when a row was quarantined).

    Examples
    --------
    >>> import pandas as pd
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> names = ctx.supervisors
    >>> from perfmodel import dataset_from_frames
    >>> from perfmodel.results import summarize
    >>> ds = dataset_from_frames({"supervisors": names,
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S9"],
    ...                              "created_at": ["2026-07-02 09:00", "2026-08-11"]})})
    >>> ctx.data = summarize(ds)
    >>> show_data_quality(ctx)  # T2 names S9, who is not a supervisor
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    <IPython.core.display.HTML object>
    """
    heading("data_quality", lang=ctx.lang)
    account, reasons = data_quality_tables(ctx.data, lang=ctx.lang)
    table(account, lang=ctx.lang)
    if not reasons.empty:
        table(reasons, lang=ctx.lang, max_rows=20)


def manifest_table(ctx: ReportContext) -> pd.DataFrame:
    """What the run reads: input files and the policy with their SHA-256, key library versions.

    Returns
    -------
    pandas.DataFrame
        ``item``, ``value``, ``sha256`` (first 16 hex digits).

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> pol = ctx.policy
    >>> import hashlib, tempfile
    >>> from pathlib import Path
    >>> data, policies = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    >>> _ = (data / "tickets.csv").write_text("ticket_id,supervisor_id\\nT1,S1\\n", encoding="utf-8")
    >>> _ = (policies / "east.yaml").write_text(pol.text, encoding="utf-8")
    >>> ctx.data_dir, ctx.policy_spec = data, str(policies / "east.yaml")
    >>> manifest = manifest_table(ctx)
    >>> manifest.iloc[[1, 2, 5]]
                    item   value            sha256
    1             period  2026Q3
    2             policy  east 1  032bed7f025dc5f1
    5  input tickets.csv    30 B  f8b6478633f53914
    >>> (hashlib.sha256((data / "tickets.csv").read_bytes()).hexdigest()[:16],
    ...  hashlib.sha256(pol.text.encode("utf-8")).hexdigest()[:16])
    ('f8b6478633f53914', '032bed7f025dc5f1')
    >>> manifest["item"].tolist()[6:]
    ['perfmodel', 'python', 'pandas', 'numpy', 'duckdb', 'ibis-framework', 'statsmodels']
    """
    from perfmodel.audit import manifest as audit

    inputs = audit.describe_inputs(ctx.data_dir, ctx.policy_spec)
    lang = ctx.lang
    rows = [(t("item_run", lang=lang), ctx.run_id or "—", ""), (t("item_period", lang=lang), ctx.period, ""),
            (t("item_policy", lang=lang), f"{ctx.policy.name} {ctx.policy.version}", inputs["policy"]["sha256"][:16]),
            (t("item_engine", lang=lang), ctx.engine, ""), (t("item_seed", lang=lang), str(ctx.seed), "")]
    # a file shows its size, a database table (see perfmodel.data.dbsource) its row count
    rows += [(t("item_input", lang=lang, name=i["path"]),
              f"{i['bytes']:,} B" if "bytes" in i else f"{t('rows', lang=lang)}: {i['rows']:,}", i["sha256"][:16])
             for i in inputs["inputs"]]
    versions = audit.library_versions()
    rows += [(k, versions.get(k) or "—", "") for k in ("perfmodel", "python", "pandas", "numpy", "duckdb",
                                                        "ibis-framework", "statsmodels")]
    return pd.DataFrame(rows, columns=["item", "value", "sha256"])


def show_manifest(ctx: ReportContext):
    """The run record: inputs and policy with hashes, versions (outputs are in manifest.json).

    Returns
    -------
    None
        Displays a heading and the table of :func:`manifest_table`.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> pol = ctx.policy
    >>> import hashlib, tempfile
    >>> from pathlib import Path
    >>> data, policies = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    >>> _ = (data / "tickets.csv").write_text("ticket_id,supervisor_id\\nT1,S1\\n", encoding="utf-8")
    >>> _ = (policies / "east.yaml").write_text(pol.text, encoding="utf-8")
    >>> ctx.data_dir, ctx.policy_spec = data, str(policies / "east.yaml")
    >>> show_manifest(ctx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    """
    heading("manifest_summary", lang=ctx.lang)
    table(manifest_table(ctx), lang=ctx.lang)
