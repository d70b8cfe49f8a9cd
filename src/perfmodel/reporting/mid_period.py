"""Feedback pages of a period in progress: provisional scores on projected period-end values.

A page made with an as-of instant scores the period with :func:`perfmodel.analysis.provisional.period_scores`
(the projections of ``perfmodel watch`` for that instant), says so at the top, names the
basis of each value, and marks the partial period on its charts.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.numbers import shown_values

WORDS: dict[str, dict[str, str]] = messages.group("mid_period")


@keyword_only("lang")
def word(key: str, *, lang: str = "en", **values) -> str:
    """The page text ``key`` in ``lang`` (``en`` or ``zh``), filled with ``values``.

    Returns
    -------
    str
        The ``mid_period`` entry of the message catalogue.

    Examples
    --------
    >>> word("partial", lang="zh", as_of="2026-08-15"), word("partial", as_of="2026-08-15")
    ('暂定（截至 2026-08-15）', 'provisional (as of 2026-08-15)')
    >>> word("to_date.pro_rated", lang="en")
    'so far, pro-rated'
    """
    entry = WORDS[key]
    return entry.get(lang, entry["en"]).format(**shown_values(values))


def as_of_text(as_of) -> str:
    """An as-of instant as a page shows it: the date at midnight, else date and time.

    Returns
    -------
    str
        ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` (seconds dropped).

    Examples
    --------
    >>> as_of_text("2026-08-15"), as_of_text("2026-08-15 14:30:59")
    ('2026-08-15', '2026-08-15 14:30')
    """
    ts = pd.Timestamp(as_of)
    return str(ts.date()) if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")


def mid_period_context(ctx, as_of):
    """The report context of a feedback page, with the period scored as of ``as_of``.

    Without ``as_of`` (None or "") ``ctx`` is returned unchanged. Otherwise a copy is
    returned whose current-period values (``wide``) and scores (``scores``, and the
    current period's rows of ``scores_all``) are those of
    :func:`perfmodel.analysis.provisional.period_scores`, and whose ``cache["provisional"]`` holds
    ``as_of`` (the instant) and ``table`` (the per-indicator score table).

    Returns
    -------
    ReportContext

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> mid_period_context(ctx, None) is ctx, mid_period_context(ctx, "") is ctx
    (True, True)
    >>> mid_period_context(ctx, "2026-08-15")  # no raw tables and no results for that instant
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: as of 2026-08-15: the run's results hold no mid-period figures for this instant; run perfmodel report --as-of again
    """
    if as_of in (None, ""):
        return ctx
    from perfmodel.analysis.provisional import values_panel
    from perfmodel.scoring.scores import score

    mid = mid_period_results(ctx, as_of)
    ts, values, table = mid["as_of"], mid["values"], mid["table"]
    now = values_panel(values).drop(columns="period").set_index("supervisor_id")
    # only supervisors scored in the period keep a page; their other columns (diagnostics) stay
    current = ctx.wide[ctx.wide["period"] == ctx.period].set_index("supervisor_id")
    for col in now.columns:
        current[col] = now[col].reindex(current.index).to_numpy(dtype=float)
    current = current.reset_index()[ctx.wide.columns.union(now.columns, sort=False)]
    wide = pd.concat([ctx.wide[ctx.wide["period"] != ctx.period], current], ignore_index=True)
    groups = ctx.supervisors if ctx.policy.forced_by else None
    scores = score(current, ctx.policy, groups=groups).reset_index(drop=True)
    scores_all = pd.concat([ctx.scores_all[ctx.scores_all["period"] != ctx.period], scores],
                           ignore_index=True).sort_values(["period", "supervisor_id"], kind="mergesort")
    cache = dict(ctx.cache)
    cache["provisional"] = {"as_of": ts, "table": table, "values": values}
    return dataclasses.replace(ctx, wide=wide, scores=scores, scores_all=scores_all.reset_index(drop=True),
                               cache=cache)


def compute_mid_period(dataset, period: str, as_of, policy, *, engine: str = "duckdb") -> dict:
    """What the feedback pages of a period in progress show, computed once from the data.

    Returns
    -------
    dict
        ``as_of`` (Timestamp), ``watch`` (:func:`perfmodel.analysis.watch.coaching_watch`: the period
        in progress at ``as_of``), ``values`` and ``table`` (:func:`perfmodel.analysis.provisional.period_values`
        and :func:`~perfmodel.analysis.provisional.period_scores` of ``period`` as of ``as_of``).

    Examples
    --------
    Four supervisors halfway through 2026Q3 (the watch result is cached in a temporary
    folder standing in for the temporary directory):

    >>> import os
    >>> import tempfile
    >>> from unittest import mock
    >>> import perfmodel
    >>> from perfmodel.data.demo import demo_history
    >>> folder = str(demo_history(tempfile.mkdtemp()))
    >>> ds = perfmodel.load_dataset(folder)
    >>> tmp = tempfile.mkdtemp()
    >>> with mock.patch.dict(os.environ, {"TMPDIR": tmp}), mock.patch.object(tempfile, "tempdir", tmp):
    ...     mid = compute_mid_period(ds, period="2026Q3", as_of="2026-08-16", policy="efficiency")
    >>> sorted(mid), str(mid["as_of"]), mid["watch"].period
    (['as_of', 'table', 'values', 'watch'], '2026-08-16 00:00:00', '2026Q3')
    >>> values, table = mid["values"], mid["table"]
    >>> sorted(values["basis"].unique()), values["supervisor_id"].nunique()
    (['projected', 'to_date'], 4)
    >>> table.groupby("supervisor_id")["weight"].sum().round(6).tolist()  # the policy's weights
    [1.0, 1.0, 1.0, 1.0]
    >>> scored = table.dropna(subset=["score"])  # contribution = indicator score x weight
    >>> bool(((scored["contribution"] - scored["score"] * scored["weight"]).abs() < 1e-9).all())
    True
    """
    from perfmodel.analysis.provisional import period_scores, period_values
    from perfmodel.analysis.watch import as_of_timestamp, cached_watch, coaching_watch

    ts = as_of_timestamp(as_of)
    coaching = coaching_watch(dataset, policy, as_of=ts, engine=engine)
    res = coaching if coaching.period == period else cached_watch(dataset, policy, period=period,
                                                                  as_of=ts, engine=engine)
    return {"as_of": ts, "watch": coaching,
            "values": period_values(dataset, period, ts, policy, engine=engine, watch_result=res),
            "table": period_scores(dataset, period, ts, policy, engine=engine, watch_result=res)}


def mid_period_results(ctx, as_of) -> dict:
    """The mid-period results of a page: those the runner computed, else computed from ``ctx.dataset``.

    Returns
    -------
    dict
        See :func:`compute_mid_period`.

    Raises
    ------
    UsageError
        The context was read from a run's results made for another as-of instant (or none).

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> ctx.dataset is None, "mid_period" in ctx.cache  # made by hand: nothing to compute from
    (True, False)
    >>> mid_period_results(ctx, "2026-08-15")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: as of 2026-08-15: the run's results hold no mid-period figures for this instant; run perfmodel report --as-of again
    """
    from perfmodel.core.errors import UsageError
    from perfmodel.analysis.watch import as_of_timestamp

    ts = as_of_timestamp(as_of)
    mid = ctx.cache.get("mid_period")
    if mid is not None and mid["as_of"] == ts:
        return mid
    if ctx.dataset is None:
        raise UsageError(f"as of {as_of_text(ts)}: the run's results hold no mid-period figures for this "
                         "instant; run perfmodel report --as-of again")
    mid = ctx.cache["mid_period"] = compute_mid_period(ctx.dataset, ctx.period, ts, ctx.policy, engine=ctx.engine)
    return mid


def show_coaching(ctx, supervisor_id: str, as_of) -> None:
    """Display one supervisor's period-to-date warnings when ``as_of`` is set; nothing when it is empty.

    The feedback page's mid-period cell (:func:`perfmodel.analysis.watch.show_feedback` on the
    supervisor's own figures only), from the results the runner computed.

    Returns
    -------
    None

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_coaching(ctx, "S2", "")  # a closed period: nothing
    """
    if as_of in (None, ""):
        return
    from perfmodel.analysis.watch import show_feedback

    show_feedback(mid_period_results(ctx, as_of)["watch"], supervisor_id, lang=ctx.lang)


def provisional(ctx) -> dict | None:
    """What :func:`mid_period_context` recorded (``as_of``, ``table``, ``values``), or None.

    Returns
    -------
    dict or None

    Examples
    --------
    >>> import pandas as pd
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> provisional(ctx) is None  # a closed period
    True
    >>> ctx.cache["provisional"] = {"as_of": pd.Timestamp("2026-08-15"), "table": None,
    ...     "values": pd.DataFrame({"supervisor_id": "S2", "indicator": ["csat", "timely_closure_rate"],
    ...                             "basis": ["projected", "to_date"],
    ...                             "method": ["", "as_measured"]})}
    >>> sorted(provisional(ctx))
    ['as_of', 'table', 'values']
    """
    return ctx.cache.get("provisional")


def basis_labels(ctx, supervisor_id: str) -> dict[str, str]:
    """Indicator id -> the words for the basis of its value on this page (empty when final).

    Returns
    -------
    dict of str to str
        The ``mid_period`` words in ``ctx.lang`` (``projected``, ``so far``...).

    Examples
    --------
    >>> import pandas as pd
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> basis_labels(ctx, "S2")  # a closed period: every value is final
    {}
    >>> ctx.cache["provisional"] = {"as_of": pd.Timestamp("2026-08-15"), "table": None,
    ...     "values": pd.DataFrame({"supervisor_id": "S2", "indicator": ["csat", "timely_closure_rate"],
    ...                             "basis": ["projected", "to_date"],
    ...                             "method": ["", "as_measured"]})}
    >>> basis_labels(ctx, "S2")
    {'csat': 'projected', 'timely_closure_rate': 'so far'}
    >>> ctx.lang = "zh"
    >>> basis_labels(ctx, "S2")
    {'csat': '预计期末', 'timely_closure_rate': '目前'}
    """
    info = provisional(ctx)
    if info is None:
        return {}
    v = info["values"]
    v = v[v["supervisor_id"].astype(str) == str(supervisor_id)]
    out = {}
    for r in v.itertuples():
        key = r.basis if r.basis != "to_date" else f"to_date.{r.method}"
        out[r.indicator] = word(key, lang=ctx.lang)
    return out


def show_note(ctx) -> None:
    """Display the provisional note of a mid-period page (nothing for a closed period).

    Returns
    -------
    None

    Examples
    --------
    >>> import pandas as pd
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_note(ctx)  # a closed period: no note
    >>> ctx.cache["provisional"] = {"as_of": pd.Timestamp("2026-08-15"), "table": None,
    ...     "values": pd.DataFrame({"supervisor_id": "S2", "indicator": ["csat", "timely_closure_rate"],
    ...                             "basis": ["projected", "to_date"],
    ...                             "method": ["", "as_measured"]})}
    >>> show_note(ctx)
    <IPython.core.display.Markdown object>
    >>> print(word("note", lang="en", period="2026Q3", as_of="2026-08-15")[:60])
    **Provisional.** 2026Q3 is in progress: these scores use dat
    """
    from perfmodel.reporting.display import text

    info = provisional(ctx)
    if info is not None:
        text(word("note", lang=ctx.lang, period=ctx.period, as_of=as_of_text(info["as_of"])))


def mark_partial(fig, ctx, positions=None, title: bool = False):
    """Mark a figure as showing a period in progress; return it.

    ``positions`` are the x positions of the partial period on the first axes (a band and
    a label are drawn there); with ``title`` the axes title says provisional.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig`` (unchanged for a closed period).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import pandas as pd
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> fig = Figure()
    >>> ax = fig.add_subplot()
    >>> _ = ax.bar([0, 1], [80, 62]), ax.set_title("S2")
    >>> mark_partial(fig, ctx, positions=[1], title=True) is fig, ax.get_title()
    (True, 'S2')
    >>> ctx.cache["provisional"] = {"as_of": pd.Timestamp("2026-08-15"), "table": None,
    ...     "values": pd.DataFrame({"supervisor_id": "S2", "indicator": ["csat", "timely_closure_rate"],
    ...                             "basis": ["projected", "to_date"],
    ...                             "method": ["", "as_measured"]})}
    >>> _ = mark_partial(fig, ctx, positions=[1], title=True)
    >>> ax.get_title(), [bar.get_hatch() for bar in ax.patches[:2]], len(ax.texts)
    ('S2 — provisional (as of 2026-08-15)', ['//', '//'], 1)
    """
    info = provisional(ctx)
    if info is None or not fig.axes:
        return fig
    ax = fig.axes[0]
    label = word("partial", lang=ctx.lang, as_of=as_of_text(info["as_of"]))
    for x in positions or ():
        ax.axvspan(x - 0.4, x + 0.4, color="#999999", alpha=0.18, lw=0, hatch="//")
        ax.annotate(label, xy=(x, 0.03), xycoords=("data", "axes fraction"), rotation=90, ha="center",
                    va="bottom", fontsize=8, color="#444444")
    if title:
        ax.set_title(f"{ax.get_title()} — {label}")
        for bar in ax.patches:
            bar.set_hatch("//")
    return fig
