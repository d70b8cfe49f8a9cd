"""Figures for reports: one seaborn theme, a CJK font for Chinese labels, labelled charts.

Chinese labels need a font with CJK glyphs. The font file ships in the PyPI package
``mplfonts`` (Noto Sans CJK SC); :func:`setup` registers it with matplotlib's font manager
from the package folder, so nothing is downloaded and no system font is needed. Without the
package, Chinese text falls back to the fonts matplotlib finds (possibly missing glyphs).
Each chart called with ``lang="zh"`` outside a report (in a notebook of one's own) uses the
CJK font by itself (:func:`perfmodel.core.fonts.cjk_when_zh`).
"""
from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.ticker import MaxNLocator, PercentFormatter
from scipy import stats as sps

from perfmodel.core.deprecation import keyword_only
from perfmodel.core.fonts import (  # noqa: F401  (public here too: the report's font)
    CJK_FONT_FILE,
    CJK_FONT_NAME,
    cjk_font_path,
    cjk_when_zh,
    register_cjk_font,
)
from perfmodel.core.i18n import check_lang, indicator_label, t
from perfmodel.core import catalogue
from perfmodel.core import messages

RATING_ORDER = ["S", "A", "B", "C", "D"]
RATING_COLOURS = {"S": "#1b7837", "A": "#5aae61", "B": "#9970ab", "C": "#e08214", "D": "#b2182b"}

@keyword_only("lang")
def setup(*, lang: str = "en") -> str:
    """Set the report theme: seaborn ``whitegrid``, readable sizes, a font that has every glyph.

    Parameters
    ----------
    lang : {"en", "zh"}
        Language of the labels. Chinese names of supervisors or teams appear in English
        reports too, so the CJK font is used in both languages.

    Returns
    -------
    str
        The language, checked.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> setup(lang="zh")
    'zh'
    >>> plt.rcParams["figure.dpi"], plt.rcParams["axes.unicode_minus"]
    (96.0, False)
    >>> plt.rcParams["font.sans-serif"][-1]
    'DejaVu Sans'
    """
    lang = check_lang(lang)
    cjk = register_cjk_font()
    # Matplotlib's per-glyph fallback does not reach this OpenType (CFF) font, so the CJK
    # font comes first in both languages; its Latin glyphs serve English text.
    families = [cjk, "DejaVu Sans"] if cjk else ["DejaVu Sans"]
    sns.set_theme(style="whitegrid", context="notebook", font=families[0],
                  rc={"font.sans-serif": families, "font.family": "sans-serif",
                      "axes.unicode_minus": False, "figure.dpi": 96, "savefig.dpi": 96,
                      "figure.figsize": (7.5, 4.0), "axes.titlesize": 12, "axes.titleweight": "bold"})
    # The font manager logs a warning per glyph it cannot find; with the CJK font
    # registered there are none, and without it one notice is enough.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    return lang


def finish(fig):
    """Lay out a figure and close it in pyplot, so that it is displayed once (by the caller).

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> finish(fig) is fig
    True
    >>> plt.fignum_exists(fig.number)  # closed in pyplot, still drawable by the caller
    False
    """
    fig.tight_layout()
    plt.close(fig)  # the caller displays the returned figure once; no second inline copy
    return fig


_finish = finish


def rate_axis(ax, axis: str = "y", pad: float = 0.02, min_span: float = 0.1):
    """Keep a rate axis within [0, 1] (plus a small margin) and write its ticks in plain numbers.

    Without this, rates that are all 0 (or differ by float noise) get an axis such as
    ``0 … −1.4`` with a ``1e−17`` offset written above it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    axis : {"y", "x"}
    pad : float
        Margin allowed outside [0, 1].
    min_span : float
        The axis shows at least this range.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.

    Examples
    --------
    All rates 0: the axis keeps 0.1 of room from just below 0 instead of a ``1e-17`` offset.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0.0, 0.0])
    >>> [round(float(v), 2) for v in rate_axis(ax).get_ylim()]
    [-0.02, 0.08]
    >>> plt.close(fig)
    """
    get, set_ = (ax.get_ylim, ax.set_ylim) if axis == "y" else (ax.get_xlim, ax.set_xlim)
    lo, hi = get()
    lo, hi = max(min(lo, hi), -pad), min(max(lo, hi), 1.0 + pad)
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo < min_span:
        mid = (lo + hi) / 2 if np.isfinite(lo) and np.isfinite(hi) else 0.0
        lo = min(max(-pad, mid - min_span / 2), 1.0 + pad - min_span)
        hi = lo + min_span
    set_(lo, hi)
    ax.ticklabel_format(axis=axis, style="plain", useOffset=False)
    return ax


def percent_axis(ax, axis: str = "y"):
    """Write the ticks of a share axis (0..1) as percent: ``88 %`` instead of ``0.88``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [0.5, 0.9])
    >>> ax.set_yticks([0.5, 0.75, 1.0])  # doctest: +ELLIPSIS
    [...]
    >>> fig.canvas.draw()
    >>> [label.get_text() for label in percent_axis(ax).get_yticklabels()]
    ['50 %', '75 %', '100 %']
    >>> plt.close(fig)
    """
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0, decimals=None, symbol=" %"))
    return ax


@keyword_only("lang", "order")
@cjk_when_zh
def rating_distribution(scores: pd.DataFrame, *, lang: str = "en", order: list[str] | None = None):
    """Bar chart of the number of supervisors per rating (every band shown).

    ``order`` lists the policy's labels best first (``Policy.ratings``); without it the
    order is S..D or, for other labels, by the best score that earned each.

    Supervisors without a rating (no total score) get a grey bar labelled ``not rated``
    (未评级), after the bands.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    Five supervisors, one without a total score: every band S..D gets a bar (C with 0),
    the unrated one a grey bar at the end, and each bar is labelled with its count.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"supervisor_id": ["S01", "S02", "S03", "S04", "S05"],
    ...                        "rating": ["A", "B", "B", None, "D"],
    ...                        "score": [88.0, 72.0, 70.0, None, 40.0]})
    >>> ax = rating_distribution(scores, lang="en").axes[0]
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['S', 'A', 'B', 'C', 'D', 'not rated']
    >>> len(ax.patches), [text.get_text() for text in ax.texts]
    (6, ['0', '1', '2', '0', '1', '1'])
    >>> ax.get_title(), ax.get_xlabel(), ax.get_ylabel()
    ('Rating distribution', 'Rating', 'Supervisors')
    """
    ratings = scores["rating"].fillna("").astype(str)
    order = (list(order) if order else _ratings(scores)) + ([""] if (ratings == "").any() else [])
    counts = ratings.value_counts().reindex(order, fill_value=0)
    colours = rating_palette([r for r in order if r])
    counts.index = [r if r else t("not_rated", lang=lang) for r in counts.index]  # unrated: a labelled grey bar
    fig, ax = plt.subplots(figsize=(6, 3.2))
    sns.barplot(x=counts.index, y=counts.values, hue=counts.index, ax=ax, legend=False,
                palette=[colours.get(r, "#777777") for r in counts.index])
    for i, v in enumerate(counts.values):
        ax.text(i, v, str(int(v)), ha="center", va="bottom")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(t("rating", lang=lang))
    ax.set_ylabel(t("supervisors", lang=lang))
    ax.set_title(t("rating_distribution", lang=lang))
    return _finish(fig)


def _ratings(scores: pd.DataFrame) -> list[str]:
    """The rating labels, best first.

    S..D (every band, seen or not) when the labels are those; a policy's own labels
    (优/良/中/差, Exceeds/Meets/...) are ordered by the best total score that earned
    each, which is the order of the policy's bands.
    """
    seen = [r for r in scores["rating"].dropna().unique().tolist() if r != ""]
    if set(seen) <= set(RATING_ORDER):
        return list(RATING_ORDER)
    score = "score" if "score" in scores else None
    if score is None:
        return sorted(seen)
    best = scores[scores["rating"].isin(seen)].groupby("rating")[score].max()
    return sorted(seen, key=lambda r: (-best.get(r, -np.inf) if pd.notna(best.get(r)) else np.inf, r))


def rating_palette(labels) -> dict[str, str]:
    """A colour for each rating label, best first in ``labels``.

    S..D keep their fixed colours; any other labels get colours spread evenly from
    green (best) through yellow to red (worst), so a policy with its own labels plots
    like the default one.

    Returns
    -------
    dict[str, str]
        Label -> hex colour.

    Examples
    --------
    >>> rating_palette(["S", "A"])
    {'S': '#1b7837', 'A': '#5aae61'}
    >>> rating_palette(["优", "良", "差"])  # a policy's own labels: green to red
    {'优': '#199750', '良': '#feffbe', '差': '#d62f27'}
    """
    labels = [str(x) for x in labels]
    if set(labels) <= set(RATING_COLOURS):
        return {r: RATING_COLOURS[r] for r in labels}
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["RdYlGn"]
    n = len(labels)
    spots = [0.9 - 0.8 * i / (n - 1) for i in range(n)] if n > 1 else [0.9]
    return {label: to_hex(cmap(x)) for label, x in zip(labels, spots)}


@keyword_only("lang", "highlight", "order")
@cjk_when_zh
def result_process_scatter(scores: pd.DataFrame, *, lang: str = "en", highlight: str | None = None,
                           order: list[str] | None = None):
    """Scatter of result score (y) against process score (x), coloured by rating.

    Parameters
    ----------
    highlight : str, optional
        A supervisor id to mark (used only where that supervisor may see the chart).
    order : list of str, optional
        The rating labels best first (as for :func:`rating_distribution`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    On one supervisor's page the chart rings that supervisor's point and names nobody.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"supervisor_id": ["S01", "S02", "S03", "S05"],
    ...                        "rating": ["A", "B", "B", "D"],
    ...                        "result_score": [90.0, 70.0, 72.0, 30.0],
    ...                        "process_score": [85.0, 74.0, 68.0, 50.0]})
    >>> ax = result_process_scatter(scores, lang="en", highlight="S02").axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel(), ax.get_title()
    ('Process score', 'Result score', 'Result vs process score')
    >>> legend = ax.get_legend()
    >>> legend.get_title().get_text(), [text.get_text() for text in legend.get_texts()]
    ('Rating', ['A', 'B', 'D'])
    >>> ring = ax.collections[-1]
    >>> ring.get_offsets().tolist(), len(ax.texts)
    ([[74.0, 70.0]], 0)
    """
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    order = [r for r in (list(order) if order else _ratings(scores)) if r in set(scores["rating"])]
    sns.scatterplot(data=scores, x="process_score", y="result_score", hue="rating", hue_order=order,
                    palette=rating_palette(order), s=60, ax=ax)
    lo = float(np.nanmin([scores["process_score"].min(), scores["result_score"].min(), 0]))
    hi = float(np.nanmax([scores["process_score"].max(), scores["result_score"].max(), 100]))
    ax.plot([lo, hi], [lo, hi], ls="--", lw=1, color="#888888")
    if highlight is None:  # a page for everyone: name the supervisors far from the rest
        for r in scatter_outliers(scores).itertuples(index=False):
            ax.annotate(str(r.supervisor_id), (r.process_score, r.result_score), fontsize=8,
                        xytext=(4, 4), textcoords="offset points")
    else:  # one supervisor's page: their own point only, nobody else is named
        row = scores[scores["supervisor_id"] == highlight]
        ax.scatter(row["process_score"], row["result_score"], s=220, facecolors="none",
                   edgecolors="black", linewidths=2)
    ax.set_xlabel(t("process_score", lang=lang))
    ax.set_ylabel(t("result_score", lang=lang))
    ax.set_title(t("result_vs_process", lang=lang))
    ax.legend(title=t("rating", lang=lang), loc="lower right")
    return _finish(fig)


def _unit(indicator: str) -> str:
    from perfmodel.core import catalogue

    try:
        return catalogue.indicator(indicator).get("unit", "")
    except KeyError:
        return ""


def scatter_outliers(scores: pd.DataFrame) -> pd.DataFrame:
    """The supervisors labelled on the result/process scatter: outside Tukey's fences.

    A supervisor is an outlier when the result score, the process score or their gap
    (result − process) lies below Q1 − 1.5·IQR or above Q3 + 1.5·IQR of the supervisors
    shown.

    Returns
    -------
    pandas.DataFrame
        The rows of ``scores`` that are outliers (``supervisor_id``, ``process_score``,
        ``result_score`` and the other columns), sorted by id.

    Examples
    --------
    F's result score (20) is far below the others' (61..69): Q1 = 61.5, Q3 = 66.5, so the
    lower fence is 61.5 - 1.5 * 5 = 54.

    >>> import pandas as pd
    >>> scores = pd.DataFrame({"supervisor_id": list("ABCDEF"),
    ...                        "process_score": [60, 62, 64, 66, 68, 70],
    ...                        "result_score": [61, 63, 65, 67, 69, 20]})
    >>> scatter_outliers(scores)["supervisor_id"].tolist()
    ['F']
    >>> len(scatter_outliers(scores.head(3)))  # fewer than 4 points: nobody is singled out
    0
    """
    s = scores.dropna(subset=["process_score", "result_score"])
    if len(s) < 4:  # quartiles of fewer points say nothing
        return s.iloc[0:0]
    out = pd.Series(False, index=s.index)
    for values in (s["result_score"], s["process_score"], s["result_score"] - s["process_score"]):
        q1, q3 = np.percentile(values.to_numpy(dtype=float), [25, 75])
        iqr = q3 - q1
        out |= (values < q1 - 1.5 * iqr) | (values > q3 + 1.5 * iqr)
    return s[out].sort_values("supervisor_id", kind="mergesort")


@keyword_only("lang")
@cjk_when_zh
def score_trend(scores_all: pd.DataFrame, *, lang: str = "en"):
    """Distribution of total scores per period (box plot) with the median line.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> scores_all = pd.DataFrame({"supervisor_id": ["A", "B", "C"] * 2,
    ...                            "period": ["2026Q1"] * 3 + ["2026Q2"] * 3,
    ...                            "score": [60.0, 70.0, 80.0, 65.0, 75.0, 90.0]})
    >>> ax = score_trend(scores_all, lang="en").axes[0]
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['2026Q1', '2026Q2']
    >>> median = ax.get_legend().legend_handles[0]
    >>> median.get_label(), ax.lines[-1].get_ydata().tolist()
    ('Median', [70.0, 75.0])
    >>> ax.get_title(), ax.get_ylabel()
    ('Total score by period', 'Total score')
    """
    periods = sorted(scores_all["period"].unique())
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    sns.boxplot(data=scores_all, x="period", y="score", order=periods, color="#c6dbef", ax=ax,
                fliersize=2)
    med = scores_all.groupby("period")["score"].median().reindex(periods)
    ax.plot(range(len(periods)), med.values, marker="o", color="#08519c", label=t("median", lang=lang))
    ax.set_xlabel(t("period", lang=lang))
    ax.set_ylabel(t("score", lang=lang))
    ax.set_title(t("score_trend", lang=lang))
    ax.legend(loc="lower right")
    return _finish(fig)


@keyword_only("lang")
@cjk_when_zh
def indicator_trends(wide_all: pd.DataFrame, indicators: list[str], *, lang: str = "en"):
    """Small multiples: the median of each indicator per period.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    One share indicator: one visible panel of three, the medians per period, ticks in percent.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> wide_all = pd.DataFrame({"supervisor_id": ["A", "B", "C"] * 2,
    ...                          "period": ["2026Q1"] * 3 + ["2026Q2"] * 3,
    ...                          "complaint_resolution_rate": [0.8, 0.9, 0.7, 0.85, 0.95, 0.9]})
    >>> fig = indicator_trends(wide_all, ["complaint_resolution_rate"], lang="zh")
    >>> fig.get_suptitle(), [ax.get_title() for ax in fig.axes if ax.get_visible()]
    ('各期指标中位数', ['投诉解决率'])
    >>> ax = fig.axes[0]
    >>> ax.lines[0].get_ydata().tolist(), [label.get_text() for label in ax.get_xticklabels()]
    ([0.8, 0.9], ['2026Q1', '2026Q2'])
    >>> ax.yaxis.get_major_formatter().format_pct(0.85, 1)
    '85 %'
    """
    periods = sorted(wide_all["period"].unique())
    n = max(len(indicators), 1)
    cols = 3
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(10, 2.6 * rows), squeeze=False)
    for k, ind in enumerate(indicators):
        ax = axes[k // cols][k % cols]
        med = wide_all.groupby("period")[ind].median().reindex(periods)
        ax.plot(range(len(periods)), med.values, marker="o")
        ax.set_xticks(range(len(periods)))
        ax.set_xticklabels(periods, rotation=45, fontsize=8)
        ax.set_title(indicator_label(ind, lang=lang), fontsize=10)
        if _unit(ind) == "share":  # as the tables show shares: 88 %, not 0.88
            percent_axis(ax)
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    fig.suptitle(t("indicator_trends", lang=lang))
    return _finish(fig)


@keyword_only("lang")
@cjk_when_zh
def own_trend(scores_all: pd.DataFrame, supervisor_id: str, *, lang: str = "en"):
    """One supervisor's total, result and process scores over the periods.

    Only that supervisor's own figures are drawn (feedback pages must not show others').

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    Only B's own three lines are drawn.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> scores_all = pd.DataFrame({"supervisor_id": ["A", "B"] * 2,
    ...                            "period": ["2026Q1", "2026Q1", "2026Q2", "2026Q2"],
    ...                            "score": [60.0, 70.0, 65.0, 75.0],
    ...                            "result_score": [55.0, 72.0, 60.0, 80.0],
    ...                            "process_score": [65.0, 68.0, 70.0, 70.0]})
    >>> ax = own_trend(scores_all, "B", lang="en").axes[0]
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['Total score', 'Result score', 'Process score']
    >>> [line.get_ydata().tolist() for line in ax.lines]
    [[70.0, 75.0], [72.0, 80.0], [68.0, 70.0]]
    >>> [label.get_text() for label in ax.get_xticklabels()], ax.get_title()
    (['2026Q1', '2026Q2'], 'Your scores over time')
    """
    own = scores_all[scores_all["supervisor_id"] == supervisor_id].sort_values("period")
    fig, ax = plt.subplots(figsize=(7, 3.5))
    x = range(len(own))
    for col, style in (("score", "-o"), ("result_score", "--s"), ("process_score", ":^")):
        ax.plot(x, own[col].values, style, label=t(col, lang=lang))
    ax.set_xticks(list(x))
    ax.set_xticklabels(own["period"].tolist(), rotation=30)
    ax.set_xlabel(t("period", lang=lang))
    ax.set_ylabel(t("score", lang=lang))
    ax.set_title(t("your_trend", lang=lang))
    ax.legend(loc="best", fontsize=9, framealpha=0.9)
    return _finish(fig)


@keyword_only("lang")
@cjk_when_zh
def attainment_bars(table: pd.DataFrame, *, lang: str = "en"):
    """Horizontal bars of indicator scores (0..cap) with the 100 line (target met).

    Parameters
    ----------
    table : pandas.DataFrame
        With columns ``label`` and ``indicator_score``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    A target met is green, one missed orange; an indicator without a score gets no bar.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.colors import to_hex
    >>> import pandas as pd
    >>> table = pd.DataFrame({"label": ["Resolution", "Response", "Audit"],
    ...                       "indicator_score": [110.0, 80.0, None]})
    >>> ax = attainment_bars(table, lang="en").axes[0]
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['Resolution', 'Response']
    >>> [to_hex(bar.get_facecolor()) for bar in ax.patches]
    ['#5aae61', '#e08214']
    >>> ax.get_xlabel(), ax.get_title()
    ('Indicator score (100 = target)', 'Targets vs actual')
    """
    data = table.dropna(subset=["indicator_score"])
    colours = ["#5aae61" if v >= 100 else "#e08214" for v in data["indicator_score"]]
    return _bars(data["label"], data["indicator_score"], colours, line=(100, "#333333"), bar_height=0.45,
                 min_bars=2, xlabel=t("indicator_score", lang=lang), title=t("targets_vs_actual", lang=lang))


def _bars(labels, values, colours, *, line, bar_height, min_bars, xlabel, title, xlim=None):
    """Horizontal bars, first row on top, with a dashed reference line at ``line = (x, colour)``."""
    fig, ax = plt.subplots(figsize=(7, bar_height * max(len(values), min_bars) + 1))
    ax.barh(labels, values, color=colours)
    ax.invert_yaxis()
    ax.axvline(line[0], color=line[1], lw=1, ls="--")
    if xlim is not None:
        ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return _finish(fig)


@keyword_only("lang")
@cjk_when_zh
def fragility_plot(table: pd.DataFrame, *, lang: str = "en"):
    """Bar chart of the probability that each supervisor keeps their rating.

    Parameters
    ----------
    table : pandas.DataFrame
        With columns ``label`` and ``p_same_rating``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    The least stable supervisor is drawn on top.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> table = pd.DataFrame({"label": ["A", "B", "C"], "p_same_rating": [0.9, 0.55, 0.7]})
    >>> ax = fragility_plot(table, lang="en").axes[0]
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['B', 'C', 'A']
    >>> [float(bar.get_width()) for bar in ax.patches]
    [0.55, 0.7, 0.9]
    >>> [float(v) for v in ax.get_xlim()], ax.get_title()
    ([0.0, 1.0], 'Rating fragility')
    """
    data = table.sort_values("p_same_rating")  # least stable on top
    return _bars(data["label"], data["p_same_rating"], "#6baed6", line=(0.8, "#b2182b"), bar_height=0.3,
                 min_bars=3, xlim=(0, 1), xlabel=t("p_same_rating", lang=lang), title=t("rating_fragility", lang=lang))


@keyword_only("lang")
@cjk_when_zh
def validity_heatmap(validity: pd.DataFrame, *, lang: str = "en"):
    """Heat map of standardised effects (process rows x result columns), significant cells marked.

    Parameters
    ----------
    validity : pandas.DataFrame
        Rows of :func:`perfmodel.analysis.stats.predictive_validity` (``process``, ``result``,
        ``std_effect``, ``verdict``).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    A star marks the cell whose verdict is significant; the colour bar is the second axes.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> validity = pd.DataFrame({"process": ["first_response_time"] * 2,
    ...                          "result": ["complaint_resolution_rate", "customer_satisfaction"],
    ...                          "std_effect": [0.4, -0.1], "verdict": ["predicts", "no_evidence"]})
    >>> fig = validity_heatmap(validity, lang="en")
    >>> ax = fig.axes[0]
    >>> [text.get_text() for text in ax.texts], len(fig.axes)
    (['*', ''], 2)
    >>> [label.get_text() for label in ax.get_xticklabels()][0], ax.get_title()
    ('Complaint resolution rate', 'Predictive validity')
    """
    data = validity.assign(process=validity["process"].map(lambda i: indicator_label(i, lang=lang)),
                           result=validity["result"].map(lambda i: indicator_label(i, lang=lang)))
    grid = data.pivot_table(index="process", columns="result", values="std_effect", aggfunc="first")
    marks = data.assign(m=np.where(data["verdict"].isin(["predicts", "contrary"]), "*", "")).pivot_table(
        index="process", columns="result", values="m", aggfunc="first").reindex_like(grid).fillna("")
    fig, ax = plt.subplots(figsize=(1.3 * max(grid.shape[1], 3) + 3, 0.45 * max(grid.shape[0], 3) + 1.5))
    lim = float(np.nanmax(np.abs(grid.to_numpy()))) if np.isfinite(grid.to_numpy()).any() else 1.0
    sns.heatmap(grid, annot=marks.to_numpy(), fmt="", cmap="RdBu_r", center=0, vmin=-lim, vmax=lim, ax=ax,
                cbar_kws={"label": t("std_effect", lang=lang)})
    ax.set_xlabel(t("result", lang=lang))
    ax.set_ylabel(t("process", lang=lang))
    ax.set_title(t("validity", lang=lang))
    return _finish(fig)


_FUNNEL_LABELS = {lang: {key: entry[lang] for key, entry in messages.group("funnel").items()} for lang in ("en", "zh")}


@keyword_only("lang", "annotate")
def funnel_plot(funnel_df: pd.DataFrame, ax=None, *, lang: str = "en", annotate: bool = True):
    """Draw a funnel plot from the output of :func:`perfmodel.analysis.profiling.funnel`.

    Parameters
    ----------
    funnel_df : pandas.DataFrame
        Output of :func:`perfmodel.analysis.profiling.funnel` (needs ``rate``, ``denominator``, ``target``, ``phi``,
        ``tau2``, ``flag`` and the ``lower_*``/``upper_*`` columns).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.
    lang : {"en", "zh"}
        Language of the labels (keyword-only; by position it still works for one
        version, with a DeprecationWarning, as does ``annotate``).
    annotate : bool
        Label every supervisor outside a limit (the points drawn in red).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from perfmodel.analysis.profiling import funnel
    >>> long = pd.DataFrame({"supervisor_id": ["A", "B", "C", "D"], "period": "2026Q3",
    ...                      "indicator": "complaint_resolution_rate", "value": [0.9, 0.8, 0.5, 0.85],
    ...                      "numerator": [90, 40, 25, 85], "denominator": [100, 50, 50, 100]})
    >>> ax = funnel_plot(funnel(long, "complaint_resolution_rate"), lang="zh")
    >>> ax.get_xlabel() != ""
    True
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    lab = _FUNNEL_LABELS["zh" if lang == "zh" else "en"]
    try:
        setup(lang=lang)
    except Exception:  # the theme is a nicety; the plot works without it
        pass
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    df = funnel_df
    p0 = float(df["target"].iloc[0])
    phi = float(df["phi"].iloc[0]) if "phi" in df else 1.0
    tau2 = float(df["tau2"].iloc[0]) if "tau2" in df else 0.0
    nmax = float(df["denominator"].max()) * 1.05
    grid = np.linspace(max(1.0, float(df["denominator"].min()) * 0.5), nmax, 300)
    sd = np.sqrt(phi * p0 * (1 - p0) / grid + tau2)
    tags = sorted({c.split("_", 1)[1] for c in df.columns if c.startswith("upper_")}, key=len)
    styles = ["--", ":"]
    for i, tag in enumerate(tags):
        level = float(tag[:2] + "." + tag[2:]) / 100 if len(tag) > 2 else float(tag) / 100
        q = sps.norm.ppf(0.5 + level / 2)
        name = lab["limit"].format(level=f"{level * 100:g}%")
        ax.plot(grid, np.clip(p0 + q * sd, 0, 1), styles[i % 2], color="0.35", lw=1, label=name)
        ax.plot(grid, np.clip(p0 - q * sd, 0, 1), styles[i % 2], color="0.35", lw=1)
    ax.axhline(p0, color="0.2", lw=1, label=lab["target"])
    inside = df["flag"] == "within"
    palette = sns.color_palette("deep")
    ax.scatter(df.loc[inside, "denominator"], df.loc[inside, "rate"], s=18, color=palette[0], zorder=3)
    ax.scatter(df.loc[~inside, "denominator"], df.loc[~inside, "rate"], s=26, color=palette[3], zorder=4)
    if annotate:  # every point drawn as outside a limit is named, not only those beyond the widest
        who = "supervisor_id" if "supervisor_id" in df else df.columns[0]
        for _, r in df[~inside].iterrows():
            ax.annotate(str(r[who]), (r["denominator"], r["rate"]), fontsize=8,
                        xytext=(3, 3), textcoords="offset points")
    ind = str(df["indicator"].iloc[0]) if "indicator" in df else ""
    try:
        title = catalogue.name(ind, lang="zh" if lang == "zh" else "en")
    except KeyError:
        title = ind
    ax.set_title(lab["title"].format(indicator=title))
    ax.set_xlabel(lab["denominator"])
    ax.set_ylabel(lab["rate"])
    ax.legend(loc="best", fontsize=8, frameon=False)  # not over a labelled point in a corner
    return ax
