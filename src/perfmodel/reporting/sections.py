"""What the report notebooks show: tables, charts and text in English or Chinese.

The notebooks hold parameters and one call per section; everything they display is built
here from the data by perfmodel's own functions (indicators, scoring, stats, profiling,
sensitivity, the SMART check, audit). Each ``show_*`` function displays a heading and its
content; the ``*_table`` functions return plain DataFrames for reuse and tests.

Tables are displayed as HTML without random ids, and figures as PNG, so that an executed
notebook is reproducible cell by cell (nbval).
"""
from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from perfmodel.core import catalogue as cat
from perfmodel.core import messages, settings
from perfmodel.core.errors import PerfmodelError, UsageError
from perfmodel.audit.manifest import ADJUSTMENTS_FILE
from perfmodel.reporting.inert import visible
from perfmodel.core.i18n import check_lang, coaching_topic, columns, indicator_label, ordinal, t
# targets: one module says what a target is, whether it is met and how to state it
from perfmodel.scoring.targets import PERCENTILE_TARGET, band_target, fmt_value, target_text  # noqa: F401 - re-exported
from perfmodel.scoring.targets import meets, rule_for
from perfmodel.scoring.targets import meets as met_target  # noqa: F401 - the former name
from perfmodel.reporting.paths import resolve_path

# --------------------------------------------------------------------------- display helpers


def _display(*objs):
    from IPython.display import display

    for o in objs:
        display(o)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:<>])")


def md_escape(value) -> str:
    """Text from the data made inert in Markdown: no HTML, no links, no emphasis.

    ``<script>`` becomes ``&lt;script&gt;`` and every Markdown punctuation mark is escaped
    with a backslash (``http\\://x`` is not turned into a link); control and bidi
    characters become U+FFFD (:func:`perfmodel.reporting.inert.visible`).
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _html.escape(visible(str(value)), quote=False))


def heading(key: str, lang: str, level: int = 2, **values):
    """Display a heading from the label table; the values (names from the data) are escaped."""
    from IPython.display import Markdown

    safe = {k: md_escape(v) for k, v in values.items()}
    _display(Markdown(f"{'#' * level} {t(key, lang, **safe)}"))


def text(body: str):
    """Display a paragraph of Markdown text."""
    from IPython.display import Markdown

    _display(Markdown(body))


# Text that reads as a number (a value with its unit or sign): right-aligned like numbers.
_NUMBER_TEXT = re.compile(r"^(?:[≥≤<>±+\-−]\s*)?[-−+]?[\d,]*\.?\d+(?:e[-+]?\d+)?\s*(?:%|h|B|pt)?$|^—?$"
                          r"|^\d+–\d+$")  # and a range of ranks, 13–28
# Columns of sentences, which may wrap; every other cell stays on one line (ids, names, labels).
WRAP_COLUMNS = frozenset({"message", "reason", "record", "missing"})


def _is_number_column(original: pd.Series, shown: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(original) and not pd.api.types.is_bool_dtype(original):
        return True
    cells = [str(v).strip() for v in shown if not (v is None or (not isinstance(v, str) and pd.isna(v)))]
    return bool(cells) and all(_NUMBER_TEXT.match(c) for c in cells)


def html_table(shown: pd.DataFrame, numbers, wrap=()) -> str:
    """A plain HTML table: numbers right-aligned, text left-aligned, short text kept on one line.

    Parameters
    ----------
    shown : pandas.DataFrame
        The cells as displayed (already formatted; NA shown as ``—``).
    numbers : sequence of bool
        Per column (by position): right-align it as a number.
    wrap : sequence of bool, optional
        Per column: its text may wrap (sentences); other cells never wrap (headers may).

    Returns
    -------
    str
        ``<table class="dataframe">`` with inline styles (the same in JupyterLab and in the
        exported page), every cell escaped, no ids.
    """
    wrap = list(wrap) or [False] * shown.shape[1]

    def style(j, header=False):
        align = "right" if numbers[j] else "left"
        # a header of several words may wrap, so that a wide table still fits the page
        return f"text-align: {align};" + ("" if wrap[j] or header else " white-space: nowrap;")

    def cell(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return "—"
        return _html.escape(visible(str(v)))

    head = "".join(f'<th style="{style(j, header=True)}">{cell(c)}</th>' for j, c in enumerate(shown.columns))
    rows = "\n".join("<tr>" + "".join(f'<td style="{style(j)}">{cell(v)}</td>' for j, v in enumerate(row))
                      + "</tr>" for row in shown.itertuples(index=False, name=None))
    return (f'<table border="0" class="dataframe">\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{rows}\n</tbody>\n</table>")


# Integer columns that are identifiers or settings, not counts: never written 2,026.
NOT_COUNTS = frozenset({"seed", "year", "lag", "row", "line", "version"})


def count_columns(df: pd.DataFrame) -> list[str]:
    """Return the integer columns of ``df`` that hold counts (every one but :data:`NOT_COUNTS`)."""
    return [c for c in df.columns if pd.api.types.is_integer_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            and str(c) not in NOT_COUNTS]


def table(df: pd.DataFrame, lang: str = "en", formats: dict | None = None, rename: bool = True,
          max_rows: int | None = None):
    """Display a DataFrame as a plain HTML table, labels in ``lang``, numbers formatted.

    Numbers (and text that reads as a number, e.g. ``≥ 4.30``, ``19.5 %``) are
    right-aligned, other text left-aligned; ids, names and labels stay on one line, the
    sentences of :data:`WRAP_COLUMNS` may wrap (see :func:`html_table`).

    Parameters
    ----------
    formats : dict, optional
        Column -> format string (``"{:.1f}"``) or callable, applied before renaming.
        Counts (see :func:`count_columns`) get thousands separators (``72,000``) unless
        a format is given for them.
    """
    from IPython.display import HTML

    df = df.reset_index(drop=True)
    if max_rows is not None:
        df = df.head(max_rows)
    shown = df.copy()
    formats = {**{c: "{:,}" for c in count_columns(df)}, **(formats or {})}
    for col, fmt in formats.items():
        if col in shown:
            f = fmt if callable(fmt) else (lambda v, fmt=fmt: "" if pd.isna(v) else fmt.format(v))
            shown[col] = shown[col].map(f)
    numbers = [_is_number_column(df.iloc[:, j], shown.iloc[:, j]) for j in range(df.shape[1])]
    wrap = [c in WRAP_COLUMNS for c in df.columns]
    if rename:
        shown = columns(shown, lang)
    _display(HTML(html_table(shown, numbers, wrap)))
    return df


def figure(fig):
    """Display a matplotlib figure (as PNG)."""
    _display(fig)


def _median(values) -> float:
    # The median of the values present; NaN (without numpy's empty-slice warning) when none is.
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")


# --------------------------------------------------------------------------- context

@dataclass
class ReportContext:
    """Everything a report shows, computed once.

    Attributes
    ----------
    period : str
        The report period.
    periods : list of str
        Every period of the data up to and including ``period``.
    long, wide : pandas.DataFrame
        The indicator panel (long and wide) over ``periods``.
    scores_all, scores : pandas.DataFrame
        Scores over ``periods`` and of ``period`` only.
    supervisors : pandas.DataFrame
        supervisor_id, name, team, region.
    dataset : Dataset or None
        The loaded raw tables when the context was computed from the data folder; None when
        it was read from a run's results (a report's kernel never holds the raw tables).
    data : perfmodel.results.DataSummary
        The tables present, the quarantine, the row account and the supervisors.
    """

    data_dir: Path
    policy_spec: str
    period: str
    lang: str
    engine: str
    seed: int
    run_id: str
    dataset: object
    policy: object
    periods: list[str]
    long: pd.DataFrame
    wide: pd.DataFrame
    scores_all: pd.DataFrame
    scores: pd.DataFrame
    supervisors: pd.DataFrame
    data: object = None
    cache: dict = field(default_factory=dict)

    @property
    def previous(self) -> str | None:
        """The period before ``period`` when the data has it."""
        i = self.periods.index(self.period)
        return self.periods[i - 1] if i > 0 else None


def build_context(data_dir="data/sample", policy="efficiency", period="latest", lang="en",
                  engine="duckdb", seed=None, run_id="", cache="", pseudonymized=False) -> ReportContext:
    """Load the data, compute the indicator panel and the scores for every period up to ``period``.

    Parameters
    ----------
    data_dir : path
        Dataset folder, relative to the current folder or to the repository root.
    policy : str or path
        Policy file or preset.
    period : str
        Period id, or ``latest`` (the latest complete period in the data).
    cache : path or ""
        A results folder written by ``perfmodel report`` (:func:`perfmodel.results.save_results`:
        the indicator panel of these periods, the quarantine and row account, the
        supervisors' names, mid-period results): the page is then made from the run's
        results, never from the raw tables. When empty or gone, everything is computed here
        from ``data_dir``.
    pseudonymized : bool
        Set by ``perfmodel report --pseudonymize``: the cache holds pseudonymized data
        (every supervisor and staff id and name replaced, see
        :func:`perfmodel.data.privacy.pseudonymize_dataset`), and the data must come from it;
        the real data folder is then read only for the hashes of its files.

    Returns
    -------
    ReportContext

    Raises
    ------
    PerfmodelError
        One line naming a missing folder, an unknown policy or a period outside the data,
        or, when ``pseudonymized``, a missing cache (the real data is never read then).
    """
    from perfmodel.reporting import plotting
    from perfmodel.core.periods import parse_period
    from perfmodel.pipeline import run_pipeline
    from perfmodel.scoring.policy import load_policy
    from perfmodel.results import has_results, load_results, missing_result, summarize
    from perfmodel.scoring.scores import score

    lang = plotting.setup(check_lang(lang))
    seed = settings.SEED if seed in (None, "") else int(seed)
    from perfmodel.reporting.runner import _data_source

    folder = _data_source(data_dir)  # a folder, a DuckDB file or a PostgreSQL URL
    pol_spec = str(resolve_path(policy)) if str(policy).endswith((".yaml", ".yml")) else str(policy)
    pol = load_policy(pol_spec)
    cache = Path(cache) if cache else None
    if has_results(cache):
        # the runner's pipeline outputs: the same figures as the run's CSV files
        summary, long, mid = load_results(cache)
        periods = sorted(pd.unique(long["period"].astype(str)), key=lambda p: parse_period(p).start)
        if period not in periods:
            raise UsageError(f"{period}: not among the periods of the run's results ({', '.join(periods)})")
        from perfmodel.scoring.goals import bind_goals

        pol = bind_goals(pol, summary.goals)  # the run's agreed goals, as the pipeline binds them
        scores_all = score(_wide(long), pol, groups=summary.supervisors if pol.forced_by else None)
        adjusted = cache.parent / ADJUSTMENTS_FILE  # copied into the run folder by the runner
        adjustments = None
        if adjusted.is_file():
            from perfmodel.scoring.adjustments import apply_adjustments, read_adjustments

            adjustments = read_adjustments(adjusted)
            scores_all = apply_adjustments(scores_all, adjustments, pol, later_periods=True)
        scores = scores_all[scores_all["period"] == period].reset_index(drop=True)
        ctx = ReportContext(folder, pol_spec, period, lang, engine, seed, str(run_id or ""), None, pol,
                            periods, long, _wide(long), scores_all, scores, summary.supervisors, data=summary)
        if mid is not None:
            ctx.cache["mid_period"] = mid
        if adjustments is not None:
            ctx.cache["adjustments_sha256"] = adjustments.sha256
        return ctx
    _refuse_real_data(pseudonymized, cache, missing_result(cache))
    res = run_pipeline(folder, pol, period=period, history=True, engine=engine)
    return ReportContext(folder, pol_spec, res.period, lang, engine, seed, str(run_id or ""), res.dataset,
                         res.policy, res.periods, res.panel, res.wide, res.scores, res.scores_of(), res.supervisors,
                         data=summarize(res.dataset))


def _wide(long: pd.DataFrame) -> pd.DataFrame:
    from perfmodel.indicators import wide_panel

    return wide_panel(long)


def _refuse_real_data(pseudonymized: bool, cache, name: str) -> None:
    # A pseudonymized page is made from the cache the runner pseudonymized, never from the data folder.
    if pseudonymized:
        where = cache / name if cache is not None else "(no cache given)"
        raise UsageError(f"pseudonymized report: the pseudonymized data {where} is missing, and the real "
                         f"data is not read for such a page; run perfmodel report --pseudonymize again")


# --------------------------------------------------------------------------- quarterly: tables

def rating_counts(scores: pd.DataFrame, ratings: list[str]) -> pd.DataFrame:
    """Count supervisors per rating.

    Returns
    -------
    pandas.DataFrame
        ``rating`` (every band, best first, then unrated ``""`` if any), ``count``, ``share``.
    """
    labels = list(ratings) + ([""] if (scores["rating"] == "").any() else [])
    counts = scores["rating"].value_counts().reindex(labels, fill_value=0)
    n = max(int(counts.sum()), 1)
    return pd.DataFrame({"rating": labels, "count": counts.to_numpy(), "share": counts.to_numpy() / n})


def rating_label(rating, lang: str = "en") -> str:
    """The rating as shown: the band label, or ``not rated`` (未评级) when there is none."""
    return t("not_rated", lang) if rating is None or pd.isna(rating) or str(rating) == "" else str(rating)


def movers(scores_all: pd.DataFrame, period: str, previous: str | None, n: int = 5) -> pd.DataFrame:
    """The supervisors whose total score changed most since the previous period.

    Returns
    -------
    pandas.DataFrame
        Up to ``2n`` rows (the n largest rises then the n largest falls): ``supervisor_id``,
        ``previous_score``, ``score``, ``change``, ``previous_rating``, ``rating``; sorted by
        change descending, ties by id.
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
        rows.append({"indicator": indicator_label(ind, lang), "dimension": t(rule.dimension, lang),
                     "weight": summary.loc[ind, "weight"],
                     "effective_weight": summary.loc[ind, "effective_weight"], "rule": t(f"rule_{rule.rule}", lang),
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
    """
    df = ctx.scores.merge(ctx.supervisors, on="supervisor_id", how="left")
    df["missing"] = df["missing"].fillna("").map(
        lambda s: ", ".join(indicator_label(i, ctx.lang) for i in s.split(";") if i))
    df = df.sort_values(["score", "supervisor_id"], ascending=[False, True], kind="mergesort", na_position="last")
    if "rating_computed" in df:
        return df[["supervisor_id", "name", "team", "score", "result_score", "process_score", "rating_computed",
                   "rating", "adjustment_reason", "adjustment_approved_by", "missing"]]
    return df[["supervisor_id", "name", "team", "score", "result_score", "process_score", "rating", "missing"]]


def data_quality_tables(dataset, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Row accounts and quarantine reasons of a loaded dataset (or its :class:`~perfmodel.results.DataSummary`).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The account (``table``, ``file``, ``rows_read``, ``rows_used``,
        ``rows_quarantined``) and the quarantine counted by ``table`` and ``reason``
        (``rows``), most frequent first; table names and reasons in ``lang`` (reasons
        worded from ``reason_code`` and ``reason_params``).
    """
    from perfmodel.core.i18n import reason_text, table_label

    account = dataset.account.copy()
    if "file" in account:
        account["file"] = account["file"].map(lambda p: Path(str(p)).name if isinstance(p, (str, Path)) else p)
    if "table" in account:
        account["table"] = account["table"].map(lambda x: table_label(x, lang))
    q = dataset.quarantine
    if q is None or q.empty:
        reasons = pd.DataFrame(columns=["table", "reason", "rows"])
    else:
        if lang != "en":
            q = q.assign(table=q["table"].map(lambda x: table_label(x, lang)))
            if "reason_code" in q.columns:
                q = q.assign(reason=[reason_text(c, p, lang, r) for c, p, r in
                                     zip(q["reason_code"], q["reason_params"], q["reason"])])
        reasons = (q.groupby(["table", "reason"], sort=True).size().rename("rows").reset_index()
                   .sort_values(["rows", "table", "reason"], ascending=[False, True, True], kind="mergesort"))
    return account.reset_index(drop=True), reasons.reset_index(drop=True)


# --------------------------------------------------------------------------- quarterly: sections

def title_key(period: str) -> str:
    """The label key of the report title for a period id: ``monthly_title`` or ``quarterly_title``."""
    from perfmodel.core.periods import parse_period

    return "monthly_title" if parse_period(period).kind == "month" else "quarterly_title"


def show_title(ctx: ReportContext, key: str | None = None):
    """Display the report title (monthly or quarterly, by the period) and the one-line scope."""
    heading(key or title_key(ctx.period), ctx.lang, level=1, period=ctx.period)
    text(t("scope_text", ctx.lang, n=len(ctx.scores), period=ctx.period, policy=md_escape(ctx.policy.name),
           version=ctx.policy.version))


def show_headline(ctx: ReportContext):
    """Headline: mean score, rating distribution (table and chart), biggest movers."""
    from perfmodel.reporting import plotting

    lang = ctx.lang
    heading("headline", lang)
    s = ctx.scores["score"].dropna()
    if len(s):
        text(t("mean_score", lang, mean=float(s.mean()), median=_median(s)))
    flagged = int((ctx.scores["missing"].fillna("") != "").sum())
    if flagged:
        text(t("missing_flag", lang, n=flagged))
    heading("rating_distribution", lang, level=3)
    counts = rating_counts(ctx.scores, ctx.policy.ratings)
    table(counts.assign(rating=counts["rating"].map(lambda r: rating_label(r, lang))), lang, {"share": "{:.0%}"})
    figure(plotting.rating_distribution(ctx.scores, lang, order=ctx.policy.ratings))
    if ctx.previous is None:
        heading("movers_no_previous", lang, level=3)
        text(t("no_previous", lang))
        return
    heading("movers", lang, level=3, previous=ctx.previous)
    m = movers(ctx.scores_all, ctx.period, ctx.previous).merge(ctx.supervisors[["supervisor_id", "name"]],
                                                                on="supervisor_id", how="left")
    table(m[["supervisor_id", "name", "previous_score", "score", "change", "previous_rating", "rating"]], lang,
          {"previous_score": "{:.1f}", "score": "{:.1f}", "change": "{:+.1f}"})


def show_indicators(ctx: ReportContext):
    """The indicator table with targets and attainment."""
    heading("indicator_table", ctx.lang)
    table(indicator_table(ctx), ctx.lang, {"weight": "{:.2f}", "effective_weight": "{:.1%}",
                                           "met_target": "{:.0%}", "median_score": "{:.0f}"})
    from perfmodel.reporting.goals_page import show_goals_summary

    show_goals_summary(ctx)  # the period's agreed goals, and whether the scores use them


def show_scores(ctx: ReportContext):
    """Scores and ratings of every supervisor, best first."""
    heading("scores_and_ratings", ctx.lang)
    table(scores_table(ctx), ctx.lang, {"score": "{:.1f}", "result_score": "{:.1f}", "process_score": "{:.1f}"})
    if "rating_computed" in ctx.scores:
        show_adjustments(ctx)


def show_adjustments(ctx: ReportContext):
    """How many ratings the review meeting changed and, under a forced distribution, how far from the quotas."""
    from perfmodel.scoring.adjustments import quota_breaks

    s = ctx.scores
    n = int((s["rating"].astype(str) != s["rating_computed"].astype(str)).sum())
    sha = str(ctx.cache.get("adjustments_sha256") or "—")[:12]
    text(t("adjustments_text", ctx.lang, n=n, sha=sha))
    breaks = quota_breaks(s, ctx.policy, ctx.supervisors)
    if breaks is None:
        return
    if breaks.empty:
        text(t("adjustments_keep_quotas", ctx.lang))
        return
    text(t("adjustments_break_quotas", ctx.lang, n=int(breaks["difference"].clip(lower=0).sum())))
    shown = breaks.assign(group=breaks["group"].where(breaks["group"] != "all", t("quota_all", ctx.lang)))
    table(shown.rename(columns={"group": "review_group", "quota": "break_quota", "final": "break_final",
                                "difference": "break_difference"}), ctx.lang, {"break_difference": "{:+d}"})


def show_result_vs_process(ctx: ReportContext):
    """Scatter of result against process score."""
    from perfmodel.reporting import plotting

    heading("result_vs_process", ctx.lang)
    figure(plotting.result_process_scatter(ctx.scores.dropna(subset=["score"]), ctx.lang,
                                          order=ctx.policy.ratings))


def show_trends(ctx: ReportContext):
    """Score distribution per period and the medians of the weighted result indicators."""
    from perfmodel.reporting import plotting

    heading("trends", ctx.lang)
    figure(plotting.score_trend(ctx.scores_all.dropna(subset=["score"]), ctx.lang))
    inds = [i for i in ctx.policy.of_dimension("result") if i in ctx.wide]
    if inds:
        figure(plotting.indicator_trends(ctx.wide, inds, ctx.lang))


RATE_INDICATORS = ("complaint_resolution_rate", "timely_closure_rate", "followup_positive_rate",
                   "reopen_rate")


def funnel_flags(long: pd.DataFrame, period: str, indicators=RATE_INDICATORS) -> pd.DataFrame:
    """Supervisors outside the 99.8 % funnel limits of a rate in the period.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``indicator``, ``rate``, ``target`` (pooled rate),
        ``denominator``, ``signal`` (better/worse); sorted by indicator then id.
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
    """
    f = f.copy()
    for col in f.columns:
        if col in ("rate", "target") or str(col).startswith(("lower_", "upper_")):
            f[col] = pd.to_numeric(f[col], errors="coerce").clip(0.0, 1.0)
    return f


def show_funnels(ctx: ReportContext, indicators=RATE_INDICATORS):
    """Funnel plots of the rates of the period (numerator/denominator, control limits)."""
    import matplotlib.pyplot as plt

    from perfmodel.analysis.profiling import funnel
    from perfmodel.reporting.plotting import funnel_plot
    from perfmodel.reporting.plotting import finish, percent_axis, rate_axis

    heading("funnels", ctx.lang)
    long = ctx.long[(ctx.long["period"] == ctx.period) & ctx.long["indicator"].isin(indicators)]
    present = [i for i in indicators if long.loc[long["indicator"] == i, "denominator"].fillna(0).sum() > 0]
    if not present:
        text(t("not_available", ctx.lang, reason="—"))
        return
    cols = 2
    rows = (len(present) + 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(11, 4.2 * rows), squeeze=False)
    for k, ind in enumerate(present):
        ax = axes[k // cols][k % cols]
        funnel_plot(clip_rates(funnel(long, ind, ctx.period)), ax=ax, lang=ctx.lang)
        rate_axis(ax)
        percent_axis(ax)  # rates as the table below states them (88 %, not 0.88)
        ax.set_title(indicator_label(ind, ctx.lang))
    for k in range(len(present), rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    figure(finish(fig))
    flags = funnel_flags(ctx.long, ctx.period, present)
    if len(flags):
        flags = flags.merge(ctx.supervisors[["supervisor_id", "name"]], on="supervisor_id", how="left")
        flags["indicator"] = flags["indicator"].map(lambda i: indicator_label(i, ctx.lang))
        flags["signal"] = flags["signal"].map(lambda x: t(x, ctx.lang))
        table(flags[["supervisor_id", "name", "indicator", "rate", "target", "denominator", "signal"]]
              .rename(columns={"target": "pooled_rate"}), ctx.lang,
              {"rate": "{:.1%}", "pooled_rate": "{:.1%}", "denominator": "{:,.0f}"})


def validity_table(wide: pd.DataFrame, lag: int = settings.LAG, seed: int = settings.SEED,
                   n_boot: int = settings.BOOT) -> pd.DataFrame:
    """Predictive validity of the process indicators for the result indicators.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`perfmodel.analysis.stats.predictive_validity`, sorted by verdict then p.
    """
    from perfmodel.analysis.stats import predictive_validity

    res = predictive_validity(wide, lag=lag, seed=seed, n_boot=n_boot, bootstrap_below=BOOTSTRAP_BELOW)
    order = {"predicts": 0, "contrary": 1, "no evidence": 2, "insufficient data": 3}
    return res.assign(_o=res["verdict"].map(order).fillna(9)).sort_values(
        ["_o", "p_adj", "process", "result"], kind="mergesort").drop(columns="_o").reset_index(drop=True)


#: Fewer supervisors than this: validity p-values from the wild cluster bootstrap.
BOOTSTRAP_BELOW = 30


def draws_note(kind: str, lang: str, *, seed: int, draws: int, n: int = 0) -> str:
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
    """
    if kind == "fragility":
        return t("draws_fragility", lang, draws=int(draws), seed=int(seed))
    if n:
        return t("draws_bootstrap", lang, n=int(n), draws=int(draws), seed=int(seed), below=BOOTSTRAP_BELOW)
    return t("draws_none", lang, below=BOOTSTRAP_BELOW)


def _validity_display(res: pd.DataFrame, lang: str, max_rows: int = 12) -> pd.DataFrame:
    shown = res[res["verdict"].isin(["predicts", "contrary"])]
    if shown.empty:
        shown = res.head(max_rows)
    return pd.DataFrame({
        "process_indicator": shown["process"].map(lambda i: indicator_label(i, lang)),
        "result_indicator": shown["result"].map(lambda i: indicator_label(i, lang)),
        "std_effect": shown["std_effect"], "p_adj": shown["p_adj"],
        "verdict": shown["verdict"].map(lambda v: t(v, lang)),
        "n_obs": shown["n_obs"]}).head(max_rows)


def show_validity(ctx: ReportContext, lag: int = 1):
    """Predictive-validity evidence: which process indicators predict results."""
    heading("validity", ctx.lang)
    _validity_block(ctx, lag)


def _validity_block(ctx: ReportContext, lag: int) -> pd.DataFrame:
    # The validity grid of one lag (computed once per context), its summary line and table.
    res = ctx.cache.get(("validity", lag))
    if res is None:
        res = ctx.cache[("validity", lag)] = validity_table(ctx.wide, lag=lag, seed=ctx.seed)
    tested = res[res["verdict"] != "insufficient data"]
    text(t("validity_text", ctx.lang, n=int((res["verdict"] == "predicts").sum()), total=len(tested), lag=lag))
    booted = int(res["p_method"].astype(str).str.startswith("wild cluster bootstrap").sum())
    text(draws_note("bootstrap", ctx.lang, seed=ctx.seed, draws=settings.BOOT, n=booted))
    table(_validity_display(res, ctx.lang), ctx.lang, {"std_effect": "{:+.3f}", "p_adj": "{:.3f}"})
    return res


def show_fragility(ctx: ReportContext, draws: int = settings.DRAWS, threshold: float = settings.FRAGILE):
    """Rating fragility: how often each supervisor keeps the rating when weights move."""
    from perfmodel.reporting import plotting

    heading("rating_fragility", ctx.lang)
    try:
        from perfmodel.analysis.sensitivity import rank_uncertainty
    except ImportError as exc:  # pragma: no cover
        text(t("not_available", ctx.lang, reason=md_escape(exc)))
        return
    wide = ctx.wide[ctx.wide["period"] == ctx.period]
    res = rank_uncertainty(wide, ctx.policy, draws=draws, seed=ctx.seed, supervisors=ctx.supervisors)
    frag = fragility_table(res, ctx.supervisors)
    # fragile as the command line and the calibration notebook count it (RankUncertainty.fragile)
    fragile = frag["supervisor_id"].isin(res.fragile(threshold)["supervisor_id"].astype(str))
    text(t("fragility_text", ctx.lang, n=int(fragile.sum()), total=len(frag), keep=round(100 * (1 - threshold))))
    text(draws_note("fragility", ctx.lang, seed=ctx.seed, draws=draws))
    figure(plotting.fragility_plot(frag.assign(label=frag["supervisor_id"] + " " + frag["name"].fillna("")),
                                   ctx.lang))
    shown = frag[fragile]
    if "rating_computed" in ctx.scores:  # the draws move the computed rating, not the meeting's final one
        shown = shown.rename(columns={"rating": "rating_computed"})
    table(shown, ctx.lang, {"p_same_rating": "{:.0%}"})


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
    """
    from perfmodel.analysis.lint import lint

    validity = ctx.cache.get(("validity", 1))
    findings = lint(ctx.policy, panel=ctx.wide, tables=ctx.data.tables, validity=validity, lang=ctx.lang)
    k = 1 if ctx.lang == "zh" else 0
    return pd.DataFrame({
        "check": findings["letter"].map(lambda x: f"{x} {SMART_LETTERS.get(x, (x, x))[k]}"),
        "indicator": findings["indicator"].map(lambda i: indicator_label(i, ctx.lang) if i else "—"),
        "severity": findings["severity"].map(lambda x: t(x, ctx.lang)),
        "message": findings["message"]})


def show_smart(ctx: ReportContext):
    """Findings of the SMART check of the policy against the data, then of each agreed goal of the period."""
    from perfmodel.reporting.goals_page import show_goal_findings

    heading("smart_findings", ctx.lang)
    findings = smart_table(ctx)
    if findings.empty:
        text(t("no_findings", ctx.lang))
    else:
        table(findings, ctx.lang)
    show_goal_findings(ctx)  # each agreed goal of the period on its own


def show_data_quality(ctx: ReportContext):
    """Row accounts per table (read = used + quarantined) and the quarantine reasons."""
    heading("data_quality", ctx.lang)
    account, reasons = data_quality_tables(ctx.data, ctx.lang)
    table(account, ctx.lang)
    if not reasons.empty:
        table(reasons, ctx.lang, max_rows=20)


def manifest_table(ctx: ReportContext) -> pd.DataFrame:
    """What the run reads: input files and the policy with their SHA-256, key library versions.

    Returns
    -------
    pandas.DataFrame
        ``item``, ``value``, ``sha256`` (first 16 hex digits).
    """
    from perfmodel.audit import manifest as audit

    inputs = audit.describe_inputs(ctx.data_dir, ctx.policy_spec)
    lang = ctx.lang
    rows = [(t("item_run", lang), ctx.run_id or "—", ""), (t("item_period", lang), ctx.period, ""),
            (t("item_policy", lang), f"{ctx.policy.name} {ctx.policy.version}", inputs["policy"]["sha256"][:16]),
            (t("item_engine", lang), ctx.engine, ""), (t("item_seed", lang), str(ctx.seed), "")]
    # a file shows its size, a database table (see perfmodel.data.dbsource) its row count
    rows += [(t("item_input", lang, name=i["path"]),
              f"{i['bytes']:,} B" if "bytes" in i else f"{t('rows', lang)}: {i['rows']:,}", i["sha256"][:16])
             for i in inputs["inputs"]]
    versions = audit.library_versions()
    rows += [(k, versions.get(k) or "—", "") for k in ("perfmodel", "python", "pandas", "numpy", "duckdb",
                                                        "ibis-framework", "statsmodels")]
    return pd.DataFrame(rows, columns=["item", "value", "sha256"])


def show_manifest(ctx: ReportContext):
    """The run record: inputs and policy with hashes, versions (outputs are in manifest.json)."""
    heading("manifest_summary", ctx.lang)
    table(manifest_table(ctx), ctx.lang)


# --------------------------------------------------------------------------- feedback

from perfmodel.reporting.mid_period import mark_partial, mid_period_context, provisional, show_coaching, word  # noqa: E402,F401 - feedback pages
from perfmodel.reporting.derivation import show_derivation  # noqa: E402,F401 - feedback pages
from perfmodel.reporting.judgement import show_judgement  # noqa: E402,F401 - feedback pages
from perfmodel.reporting.review import show_rating_review  # noqa: E402,F401 - quarterly page
from perfmodel.reporting.mid_period import show_note as show_provisional_note  # noqa: E402,F401 - the notebook's mid-period cell

def _check_supervisor(ctx: ReportContext, supervisor_id) -> str:
    sid = str(supervisor_id)
    if sid not in set(ctx.scores["supervisor_id"].astype(str)):
        raise UsageError(f"supervisor_id {sid!r}: not scored in {ctx.period}; pick one of the supervisors "
                         f"in supervisors.csv with tickets in the period")
    return sid


def pick_supervisor(ctx: ReportContext, supervisor_id="") -> str:
    """Return ``supervisor_id`` checked against the period's scores, or the first scored id when empty."""
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
        rows.append({"indicator": ind, "label": indicator_label(ind, ctx.lang), "dimension": rule.dimension,
                     "effective_weight": ew, "value": fmt_value(ind, val),
                     "target": target_text(rule, lang=ctx.lang) + (t("agreed_mark", ctx.lang)
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
    """
    own = own_indicator_table(ctx, supervisor_id)
    strengths = own[own["met"] == 1.0].sort_values(
        ["indicator_score", "effective_weight", "indicator"], ascending=[False, False, True], kind="mergesort")
    gaps = own[own["met"] == 0.0].sort_values(
        ["points_lost", "indicator"], ascending=[False, True], kind="mergesort")
    return strengths.head(n).reset_index(drop=True), gaps.head(n).reset_index(drop=True)


def show_feedback_title(ctx: ReportContext, supervisor_id: str):
    """Title with the supervisor's own name."""
    sid = _check_supervisor(ctx, supervisor_id)
    name = ctx.supervisors.loc[ctx.supervisors["supervisor_id"].astype(str) == sid, "name"]
    label = f"{name.iloc[0]} ({sid})" if len(name) else sid
    heading("feedback_title", ctx.lang, level=1, name=label, period=ctx.period)


def show_position(ctx: ReportContext, supervisor_id: str):
    """The supervisor's rating and position as a percentile only (no other supervisor's figures)."""
    sid = _check_supervisor(ctx, supervisor_id)
    row = ctx.scores[ctx.scores["supervisor_id"].astype(str) == sid].iloc[0]
    pct = percentile_of(ctx.scores["score"], row["score"])
    heading("position", ctx.lang)
    prefix = word("position_prefix", ctx.lang) if provisional(ctx) else ""
    text(prefix + t("position_text", ctx.lang, score=float(row["score"]), pct=ordinal(pct, ctx.lang),
                    n=int(ctx.scores["score"].notna().sum()), period=ctx.period, rating=row["rating"] or "—"))
    if "rating_computed" in row.index and str(row["rating_computed"]) != str(row["rating"]):
        # only this supervisor's own adjustment: the page names no one else
        text(t("own_adjustment", ctx.lang, computed=row["rating_computed"], final=row["rating"],
               reason=md_escape(row["adjustment_reason"]), by=md_escape(row["adjustment_approved_by"]),
               on=row["adjustment_approved_on"]))


def show_targets(ctx: ReportContext, supervisor_id: str):
    """Targets vs actual: the supervisor's own indicator values, targets and scores."""
    from perfmodel.reporting import plotting

    heading("targets_vs_actual", ctx.lang)
    own = own_indicator_table(ctx, supervisor_id)
    cols = ["label", "dimension", "effective_weight", "value", "target", "indicator_score"]
    shown = own.assign(dimension=lambda d: d["dimension"].map(lambda x: t(x, ctx.lang)))
    if provisional(ctx):  # a mid-period value says how it was made comparable with the target
        cols.insert(4, "basis")
        shown = shown.rename(columns={"basis": word("basis", ctx.lang)})
        cols[4] = word("basis", ctx.lang)
    from perfmodel.reporting.goals_page import show_own_goals_note

    if ctx.policy.goals != "replace" and (own["agreed_target"] != "").any():  # shown beside, not used
        cols.insert(cols.index("target") + 1, "agreed_target")
    table(shown[cols].rename(columns={"label": "indicator"}),
          ctx.lang, {"effective_weight": "{:.1%}", "indicator_score": "{:.0f}"})
    show_own_goals_note(ctx, supervisor_id)
    figure(mark_partial(plotting.attainment_bars(own, ctx.lang), ctx, title=True))


def show_own_trend(ctx: ReportContext, supervisor_id: str):
    """The supervisor's own total, result and process scores over the periods."""
    from perfmodel.reporting import plotting

    sid = _check_supervisor(ctx, supervisor_id)
    heading("your_trend", ctx.lang)
    own_periods = sorted(ctx.scores_all.loc[ctx.scores_all["supervisor_id"] == sid, "period"])
    at = [own_periods.index(ctx.period)] if ctx.period in own_periods else []
    figure(mark_partial(plotting.own_trend(ctx.scores_all, sid, ctx.lang), ctx, positions=at))


def show_strengths_gaps(ctx: ReportContext, supervisor_id: str):
    """Strengths, gaps and the coaching topics suggested for the gaps."""
    strengths, gaps = strengths_and_gaps(ctx, supervisor_id)
    lang = ctx.lang

    def items(df):
        # mid-period: the value is named by its basis (projected, so far ...)
        return "\n".join("- " + t("strength_item", lang, label=r.label,
                                  value=f"{r.value} ({r.basis})" if r.basis else r.value, target=r.target,
                                  score=float(r.indicator_score)) for r in df.itertuples())

    heading("strengths", lang)
    text(items(strengths) if len(strengths) else t("no_strengths", lang))
    heading("gaps", lang)
    text(items(gaps) if len(gaps) else t("no_gaps", lang))
    heading("coaching", lang)
    if len(gaps):
        text("\n".join(f"- {coaching_topic(i, lang)}" for i in gaps["indicator"]))
    else:
        text(t("no_gaps", lang))


# --------------------------------------------------------------------------- validity study

def show_reliability(ctx: ReportContext):
    """Reliability of each indicator (ICC, rank stability across periods)."""
    from perfmodel.analysis.stats import reliability

    heading("reliability", ctx.lang)
    rel = reliability(ctx.wide)
    rel = rel.assign(indicator=rel["indicator"].map(lambda i: indicator_label(i, ctx.lang)))
    table(rel, ctx.lang, {"icc": "{:.2f}", "rank_stability": "{:.2f}"})


def show_validity_by_lag(ctx: ReportContext, lags=(1, 2)):
    """Predictive validity at several lags, with a heat map of standardised effects at lag 1."""
    from perfmodel.reporting import plotting

    heading("evidence", ctx.lang)
    for lag in lags:
        _validity_block(ctx, lag)
    res = ctx.cache[("validity", lags[0])]
    if np.isfinite(pd.to_numeric(res["std_effect"], errors="coerce")).any():
        figure(plotting.validity_heatmap(res, ctx.lang))


# --------------------------------------------------------------------------- policy audit

@dataclass
class AuditContext:
    """A run folder, its manifest, its verification and an optional second policy.

    ``run_dir`` and ``manifest`` are None when no run was found to audit.
    """

    run_dir: Path | None
    manifest: dict | None
    verification: object
    lang: str
    other_policy: object | None


def build_audit_context(run_dir="", other_policy="", lang="en", reports="reports") -> AuditContext:
    """Read a run's manifest, verify the run, and load the second policy if given.

    Parameters
    ----------
    run_dir : path or ""
        The run folder; empty for the latest complete quarterly report run under
        ``reports`` (the published report, not a calibration or an audit).
    other_policy : str or path or ""
        A second policy (preset or YAML file) to compare with the recorded one.
    lang : {"en", "zh"}
    reports : path
        The reports folder searched when ``run_dir`` is empty.

    Returns
    -------
    AuditContext
    """
    from perfmodel.audit import manifest as audit
    from perfmodel.reporting import plotting
    from perfmodel.scoring.policy import load_policy

    lang = plotting.setup(check_lang(lang))
    if run_dir:
        folder = resolve_path(run_dir)
    else:
        folder = audit.latest_run(resolve_path(reports), None, notebook="quarterly")
    other = None
    if other_policy:
        spec = str(resolve_path(other_policy)) if str(other_policy).endswith((".yaml", ".yml")) else str(other_policy)
        other = load_policy(spec)
    if folder is None:
        return AuditContext(None, None, None, lang, other)
    manifest = audit.read_manifest(folder)
    verification = audit.check_run(folder)
    return AuditContext(folder, manifest, verification, lang, other)


def show_verification(actx: AuditContext):
    """The verification result: verified, or each mismatch."""
    lang = actx.lang
    if actx.manifest is None:
        heading("audit_title", lang, level=1, run="—")
        text(t("no_run", lang))
        return
    m = actx.manifest
    heading("audit_title", lang, level=1, run=f"{m.get('period')} / {m.get('run_id')}")
    notebook = (m.get("parameters") or {}).get("notebook") or "—"
    shown = {"notebook": notebook, "run": m.get("run_id"), "period": m.get("period"),
             "created": m.get("created_at") or "—", "data": m.get("data_dir"), "path": actx.run_dir}
    text(t("audited_run", lang, **{k: md_escape(v) for k, v in shown.items()}))  # values from files: inert
    heading("verification", lang)
    v = actx.verification
    if v.ok:
        text(f"**{t('verified', lang)}**")
    else:
        text(f"**{t('not_verified', lang, n=len(v.mismatches))}**\n\n" +
             # a finding may quote a tampered page: inert text, never a code span it could close
             "\n".join(f"- {md_escape(m)}" for m in v.mismatches))


def show_recorded_policy(actx: AuditContext):
    """The policy as recorded in the manifest: its identity, hash, summary table and full text."""
    from perfmodel.audit import manifest as audit

    lang = actx.lang
    if actx.manifest is None:
        return
    heading("recorded_policy", lang)
    pol = actx.manifest["policy"]
    text(f"`{pol.get('name')}` {pol.get('version')} — sha256 `{pol.get('sha256', '')[:16]}`")
    try:
        policy = audit.load_policy_text(pol["text"])
        summary = policy.summary()
        # the target as the other pages state it (>= 80.0 %, not 0.8)
        summary["target"] = [target_text(policy.indicators[i], lang=lang) for i in summary["indicator"]]
        summary["indicator"] = summary["indicator"].map(lambda i: indicator_label(i, lang))
        summary["dimension"] = summary["dimension"].map(lambda d: t(d, lang))
        summary["rule"] = summary["rule"].map(lambda r: t(f"rule_{r}", lang))
        table(summary[["indicator", "dimension", "weight", "effective_weight", "rule", "target"]], lang,
              {"weight": "{:.2f}", "effective_weight": "{:.1%}"})
    except PerfmodelError as exc:
        text(t("not_available", lang, reason=md_escape(exc)))
    text("```yaml\n" + pol["text"].rstrip() + "\n```")


def rating_changes(recorded_scores: pd.DataFrame, other_scores: pd.DataFrame) -> pd.DataFrame:
    """Compare the ratings of the recorded run with those of another policy.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``old_score``, ``new_score``, ``change``, ``old_rating``,
        ``new_rating``; the supervisors whose rating changes, largest absolute score
        change first.
    """
    a = recorded_scores[["supervisor_id", "score", "rating"]].astype({"supervisor_id": str})
    b = other_scores[["supervisor_id", "score", "rating"]].astype({"supervisor_id": str})
    m = a.merge(b, on="supervisor_id", suffixes=("_old", "_new"))
    m = m.rename(columns={"score_old": "old_score", "score_new": "new_score", "rating_old": "old_rating",
                          "rating_new": "new_rating"})
    m["old_rating"] = m["old_rating"].fillna("")
    m["new_rating"] = m["new_rating"].fillna("")
    m["change"] = m["new_score"] - m["old_score"]
    m = m[m["old_rating"] != m["new_rating"]]
    m = m.assign(_a=m["change"].abs()).sort_values(["_a", "supervisor_id"], ascending=[False, True], kind="mergesort")
    return m[["supervisor_id", "old_score", "new_score", "change", "old_rating", "new_rating"]].reset_index(drop=True)


def show_policy_effect(actx: AuditContext):
    """Re-score the run's recorded indicators with the second policy; show the rating changes."""
    from perfmodel.indicators import wide_panel
    from perfmodel.scoring.scores import score

    lang = actx.lang
    if actx.manifest is None:
        return
    heading("policy_effect", lang)
    if actx.other_policy is None:
        text(t("no_second_policy", lang))
        return
    ind = pd.read_csv(actx.run_dir / "indicators.csv", dtype={"supervisor_id": str, "period": str,
                                                               "indicator": str}, encoding="utf-8-sig")
    recorded = pd.read_csv(actx.run_dir / "scores.csv", dtype={"supervisor_id": str, "rating": str},
                           encoding="utf-8-sig")
    people = recorded if actx.other_policy.forced_by in recorded.columns else None
    other = score(wide_panel(ind), actx.other_policy, groups=people)
    text(f"`{actx.manifest['policy'].get('name')}` {actx.manifest['policy'].get('version')} → "
         f"`{actx.other_policy.name}` {actx.other_policy.version}")
    cross = pd.crosstab(recorded["rating"].fillna(""), other.set_index("supervisor_id").reindex(
        recorded["supervisor_id"])["rating"].fillna("").to_numpy(), rownames=[t("old_rating", lang)],
        colnames=[t("new_rating", lang)])
    from IPython.display import HTML

    _display(HTML(cross.to_html(border=0)))
    table(rating_changes(recorded, other), lang, {"old_score": "{:.1f}", "new_score": "{:.1f}", "change": "{:+.1f}"})
