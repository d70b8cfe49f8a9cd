"""The validity-study page: reliability and the evidence by lag."""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfmodel.core.i18n import (
    indicator_label,
)
from perfmodel.reporting.context import ReportContext
from perfmodel.reporting.display import figure, heading, table
from perfmodel.reporting.quarterly import _validity_block

# targets: one module says what a target is, whether it is met and how to state it


def show_reliability(ctx: ReportContext):
    """Reliability of each indicator (ICC, rank stability across periods).

    Returns
    -------
    None
        Displays a heading and the table of :func:`perfmodel.analysis.stats.reliability`.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_reliability(ctx)  # one period: ICC and rank stability are NaN
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    """
    from perfmodel.analysis.stats import reliability

    heading("reliability", lang=ctx.lang)
    rel = reliability(ctx.wide)
    rel = rel.assign(indicator=rel["indicator"].map(lambda i: indicator_label(i, lang=ctx.lang)))
    table(rel, lang=ctx.lang, formats={"icc": "{:.2f}", "rank_stability": "{:.2f}"})


def show_validity_by_lag(ctx: ReportContext, lags=(1, 2)):
    """Predictive validity at several lags, with a heat map of standardised effects at lag 1.

    Returns
    -------
    None
        Displays a heading, then per lag the sentence, the note on random draws and the
        table; the heat map only when some effect could be estimated.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_validity_by_lag(ctx)  # one period: no lagged pair, no heat map
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    """
    from perfmodel.reporting import plotting

    heading("evidence", lang=ctx.lang)
    for lag in lags:
        _validity_block(ctx, lag)
    res = ctx.cache[("validity", lags[0])]
    if np.isfinite(pd.to_numeric(res["std_effect"], errors="coerce")).any():
        figure(plotting.validity_heatmap(res, lang=ctx.lang))
