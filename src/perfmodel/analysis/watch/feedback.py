"""The mid-period coaching section of a supervisor's feedback page.

Shows one supervisor's own figures only: their results at risk, the projection and its
interval, the target, and the suggestions. No other supervisor's name or figures appear.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfmodel.core import catalogue as cat
from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only, old_order
from perfmodel.core.numbers import format_number, shown
from perfmodel.core.periods import parse_period
from perfmodel.analysis.watch.reasons import fmt_value, projection_reason, suggestion

_T = messages.group("watch_feedback")


@keyword_only("lang")
def feedback_table(result, supervisor_id: str, *, lang: str = "en") -> pd.DataFrame:
    """One supervisor's projections, formatted for a page.

    Parameters
    ----------
    result : WatchResult
        From :func:`perfmodel.analysis.watch.watch`.
    supervisor_id : str
        The supervisor the page is for; no other supervisor's rows are returned.
    lang : {"en", "zh"}
        Language of the column names and indicator names.

    Returns
    -------
    pandas.DataFrame
        One row per weighted result indicator, columns (in ``lang``): result, so far,
        projected, interval, target, risk of missing; sorted by risk, highest first.

    Examples
    --------
    S004's own projections only, the highest risk first:

    >>> import tempfile
    >>> import perfmodel
    >>> from perfmodel.analysis.watch import watch
    >>> from perfmodel.data.demo import demo_history
    >>> folder = str(demo_history(tempfile.mkdtemp()))
    >>> result = watch(perfmodel.load_dataset(folder), period="2026Q3", as_of="2026-08-16")
    >>> print(feedback_table(result, "S004", lang="zh").to_string())
          结果指标       目前    预计期末                区间      目标 未达目标概率
    0    回访好评率   80.0 %  78.3 %   69.0 % – 87.5 %  88.0 %    91%
    1    客户满意度     4.50    4.29       3.97 – 4.60    4.30    52%
    2    投诉解决率  100.0 %  81.3 %  54.4 % – 100.0 %  80.0 %    47%
    3    客户流失率    1.2 %   2.9 %     1.1 % – 4.7 %   3.0 %    46%
    4  售后成本控制率     0.72    0.96       0.88 – 1.05    1.00    29%
    """
    pr = result.projections[result.projections["supervisor_id"] == str(supervisor_id)]
    pr = pr.sort_values(["p_miss", "result"], ascending=[False, True], na_position="last")
    cols = _T["columns"][lang]
    rows = []
    for _, r in pr.iterrows():
        ind = r["result"]
        rows.append([cat.name(ind, lang=lang), fmt_value(ind, r["value_to_date"]),
                     fmt_value(ind, r["projected"]),
                     f"{fmt_value(ind, r['low'])} – {fmt_value(ind, r['high'])}",
                     fmt_value(ind, r["target"]),
                     "—" if not np.isfinite(r["p_miss"]) else format_number(r["p_miss"], ".0%")])
    return pd.DataFrame(rows, columns=cols)


@keyword_only("lang", "level")
def feedback_section(result, supervisor_id: str, *, lang: str = "en", level: float = 0.8) -> str:
    """The mid-period coaching section of one supervisor's feedback page, as Markdown.

    Lists the supervisor's results at risk with projection, interval, target and risk,
    and under each the suggestions of :attr:`WatchResult.warnings` (drivers with verdict
    ``predicts`` only). Uses the supervisor's own figures only.

    Returns
    -------
    str
        Markdown text (a heading, an introduction and one item per result at risk).

    Examples
    --------
    >>> import tempfile
    >>> import perfmodel
    >>> from perfmodel.analysis.watch import watch
    >>> from perfmodel.data.demo import demo_history
    >>> folder = str(demo_history(tempfile.mkdtemp()))
    >>> result = watch(perfmodel.load_dataset(folder), period="2026Q3", as_of="2026-08-16")
    >>> print(feedback_section(result, "S001", lang="en"))
    ### Mid-period check — 2026Q3, as of 2026-08-16
    <BLANKLINE>
    Figures cover 2026-07-01 up to (not including) 2026-08-16. The projection is the expected period-end value with an 80% interval; the risk is the probability of missing the target.
    <BLANKLINE>
    - **Return-visit positive rate**: 66.7 % so far, projected 69.5 % (59.8 % to 79.3 %), target 88.0 %; risk of missing 99%.
      - Why: so far 66.7 % is below the target and weighs 58 %; in earlier quarters values at this point moved toward 76.7 % by the end, below the target (77 % of the projection)
    - **Customer satisfaction**: 4.00 so far, projected 3.90 (3.65 to 4.16), target 4.30; risk of missing 97%.
      - Why: your history 3.85 (4 earlier quarters) is below the target and weighs 35 % in the projection; so far 4.00 is below the target and weighs 54 %; in earlier quarters values at this point moved toward 3.58 by the end, below the target (11 % of the projection)
    <BLANKLINE>
    For a result at risk without a process indicator below it, no process indicator has shown evidence of predicting it; talk it through together.
    <BLANKLINE>
    """
    sid = str(supervisor_id)
    p = result.period
    period_start, kind = parse_period(p).start, parse_period(p).kind
    as_of = pd.Timestamp(result.as_of)
    as_of_txt = str(as_of.date()) if as_of == as_of.normalize() else str(as_of)
    lines = [f"### {_T['title'][lang].format(period=p, as_of=as_of_txt)}", "",
             _T["intro"][lang].format(start=period_start.date(), as_of=as_of_txt,
                                      level=format_number(level, ".0%")), ""]
    pr = result.projections[(result.projections["supervisor_id"] == sid)
                            & result.projections["at_risk"]]
    pr = pr.sort_values(["p_miss", "result"], ascending=[False, True])
    if pr.empty:
        lines.append(_T["none"][lang])
        return "\n".join(lines) + "\n"
    w = result.warnings[result.warnings["supervisor_id"] == sid]
    no_reason = False
    for _, r in pr.iterrows():
        ind = r["result"]
        lines.append("- " + _T["risk_line"][lang].format(
            name=cat.name(ind, lang=lang), ptd=fmt_value(ind, r["value_to_date"]),
            proj=fmt_value(ind, r["projected"]), low=fmt_value(ind, r["low"]),
            high=fmt_value(ind, r["high"]), target=fmt_value(ind, r["target"]), p=shown(r["p_miss"])))
        # the page's language, whatever language the warnings were made in
        sug = [suggestion(ind, d["driver"], d["driver_value"], d["driver_reference"],
                          d["reference_kind"], d["coef"], kind, lang=lang)
               for _, d in w[w["result"] == ind].iterrows()]
        why = projection_reason(r, kind, lang=lang).strip()
        if why:  # what pulls the projection to the wrong side: history, trend or volume so far
            lines.append(f"  - {why[:1].upper()}{why[1:]}")
        no_reason |= not sug
        for s in sug:
            lines.append(f"  - {s}")
    if no_reason:  # said once for the page, not under every result
        lines += ["", _T["no_reason"][lang]]
    return "\n".join(lines) + "\n"


@keyword_only("lang")
def show_feedback(result, supervisor_id: str, *, lang: str = "en") -> None:
    """Display one supervisor's mid-period coaching section in a notebook.

    Shows :func:`feedback_section` (Markdown) and :func:`feedback_table` (HTML). Only the
    supervisor's own figures are shown.

    Examples
    --------
    The notebook shows a Markdown section and an HTML table of S004's own five results:

    >>> import tempfile
    >>> from unittest import mock
    >>> import perfmodel
    >>> from perfmodel.analysis.watch import watch
    >>> from perfmodel.data.demo import demo_history
    >>> folder = str(demo_history(tempfile.mkdtemp()))
    >>> result = watch(perfmodel.load_dataset(folder), period="2026Q3", as_of="2026-08-16")
    >>> shown = []
    >>> with mock.patch("IPython.display.display", shown.append):
    ...     show_feedback(result, "S004", lang="en")
    >>> [type(x).__name__ for x in shown], shown[0].data.splitlines()[0]
    (['Markdown', 'HTML'], '### Mid-period check — 2026Q3, as of 2026-08-16')
    >>> shown[1].data.count("</tr>") - 1, "S001" in shown[0].data + shown[1].data  # rows below the header
    (5, False)
    """
    from IPython.display import HTML, Markdown, display

    display(Markdown(feedback_section(result, supervisor_id, lang=lang)))
    table = feedback_table(result, supervisor_id, lang=lang)
    if len(table):
        display(HTML(table.to_html(index=False, escape=True, border=0, classes="dataframe")))


def _old_coaching_order(args, kwargs):
    """The call in the new order when made as ``coaching_watch(dataset, as_of, policy)``; else None."""
    if not (len(args) >= 3 or (len(args) == 2 and "as_of" not in kwargs)):
        return None
    moved = dict(zip(("as_of", "policy"), args[1:3]))
    if len(args) > 3 or set(moved) & set(kwargs):
        raise TypeError("coaching_watch() takes the dataset and the policy by position; pass as_of=... "
                        "by keyword")
    return (args[0],), {**kwargs, **moved}


@old_order("dataset, policy, as_of=...", _old_coaching_order)
def coaching_watch(dataset, policy="efficiency", *, as_of, engine: str = "duckdb"):
    """The :class:`~perfmodel.analysis.watch.WatchResult` of the period in progress at ``as_of``, cached.

    The report runner computes it once before the per-supervisor pages and every page
    calls it with the same arguments, so the pages reuse that result
    (:func:`~perfmodel.analysis.watch.cached_watch` with ``period=None``). The former
    order ``coaching_watch(dataset, as_of, policy)`` still works for one version, with a
    ``DeprecationWarning``.

    Returns
    -------
    WatchResult

    Examples
    --------
    The second page's call reads the result the first one stored (here in a temporary folder
    standing in for the temporary directory):

    >>> import os
    >>> import tempfile
    >>> from unittest import mock
    >>> import perfmodel
    >>> from perfmodel.data.demo import demo_history
    >>> folder = str(demo_history(tempfile.mkdtemp()))
    >>> ds = perfmodel.load_dataset(folder)
    >>> tmp = tempfile.mkdtemp()
    >>> with mock.patch.dict(os.environ, {"TMPDIR": tmp}), mock.patch.object(tempfile, "tempdir", tmp):
    ...     first = coaching_watch(ds, "efficiency", as_of="2026-08-16")
    ...     again = coaching_watch(ds, "efficiency", as_of="2026-08-16")
    >>> [name.startswith("perfmodel-watch-") for name in os.listdir(tmp)]
    [True]
    >>> again.period, again.projections.equals(first.projections)
    ('2026Q3', True)
    >>> first.headline()
    {'period': '2026Q3', 'as_of': '2026-08-16 00:00:00', 'at_risk': 6, 'supervisors_at_risk': 4}
    """
    from perfmodel.analysis.watch.cache import cached_watch

    return cached_watch(dataset, policy, as_of=as_of, engine=engine)


def _old_show_order(args, kwargs):
    """The call in the new order when made as ``show_mid_period(dataset, supervisor_id, as_of, policy)``."""
    if len(args) < 3:
        return None
    moved = dict(zip(("supervisor_id", "as_of", "policy", "lang"), args[1:5]))
    if len(args) > 5 or set(moved) & set(kwargs):
        raise TypeError("show_mid_period() takes the dataset and the policy by position; pass "
                        "supervisor_id=..., as_of=... by keyword")
    return (args[0],), {**kwargs, **moved}


@old_order("dataset, policy, supervisor_id=..., as_of=...", _old_show_order)
def show_mid_period(dataset, policy="efficiency", *, supervisor_id: str, as_of, lang: str = "en",
                    engine: str = "duckdb") -> None:
    """Display one supervisor's period-to-date warnings when ``as_of`` is set; nothing when it is empty.

    The feedback notebook's mid-period cell: :func:`coaching_watch` then
    :func:`show_feedback` (the supervisor's own figures only). The former order
    ``show_mid_period(dataset, supervisor_id, as_of, policy)`` still works for one
    version, with a ``DeprecationWarning``.

    Examples
    --------
    A closed period (``as_of`` empty) shows nothing; with ``as_of`` the supervisor's section:

    >>> import os
    >>> import tempfile
    >>> from unittest import mock
    >>> import perfmodel
    >>> from perfmodel.data.demo import demo_history
    >>> folder = str(demo_history(tempfile.mkdtemp()))
    >>> ds = perfmodel.load_dataset(folder)
    >>> tmp = tempfile.mkdtemp()
    >>> shown = []
    >>> with mock.patch.dict(os.environ, {"TMPDIR": tmp}), mock.patch.object(tempfile, "tempdir", tmp), \\
    ...         mock.patch("IPython.display.display", shown.append):
    ...     show_mid_period(ds, "efficiency", supervisor_id="S004", as_of="", lang="zh")
    ...     print(len(shown))
    ...     show_mid_period(ds, "efficiency", supervisor_id="S004", as_of="2026-08-16", lang="zh")
    0
    >>> [type(x).__name__ for x in shown], shown[0].data.splitlines()[0]
    (['Markdown', 'HTML'], '### 期中检查 — 2026Q3，截至 2026-08-16')
    """
    if as_of in (None, ""):
        return
    show_feedback(coaching_watch(dataset, policy, as_of=as_of, engine=engine), supervisor_id, lang=lang)
