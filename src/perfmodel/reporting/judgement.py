"""The feedback page's human judgement: self rating against the manager's, one supervisor only."""
from __future__ import annotations

import math

import pandas as pd

from perfmodel.core.i18n import indicator_label, t
from perfmodel.core.numbers import format_number
from perfmodel.indicators.leniency import RATED, STATUS_COLUMNS, reason_text

#: The rows of the table, in order.
ROWS = ("self_rating", "manager_rating", "manager_rating_raw")


def judgement_table(long: pd.DataFrame, supervisor_id: str, period: str) -> pd.DataFrame:
    """The supervisor's self rating, manager rating (corrected and raw) and the gap.

    Parameters
    ----------
    long : pandas.DataFrame
        The long indicator panel (columns of :func:`perfmodel.compute_indicators`).

    Returns
    -------
    pandas.DataFrame
        One row per indicator of :data:`ROWS` that the data has (the rating tables may be
        absent): ``indicator``, ``value`` (NaN when the supervisor has no rating in the
        period), ``ratings`` (the number of item scores behind it), and ``gap`` (self
        rating − this value; NaN on the self-rating row or when either is missing).
        Only this supervisor's figures; no rows when neither table is present.

    Examples
    --------
    >>> long = pd.DataFrame({"supervisor_id": ["S1"] * 3 + ["S2"], "period": "2026Q3",
    ...                      "indicator": ["self_rating", "manager_rating", "manager_rating_raw",
    ...                                    "self_rating"],
    ...                      "value": [4.5, 4.1, 3.8, 3.0], "denominator": [5, 15, 15, 5],
    ...                      "available": True})
    >>> judgement_table(long, "S1", "2026Q3")  # gaps 4.5 - 4.1 and 4.5 - 3.8
                indicator  value  ratings  gap
    0         self_rating    4.5      5.0  NaN
    1      manager_rating    4.1     15.0  0.4
    2  manager_rating_raw    3.8     15.0  0.7
    >>> judgement_table(long, "S2", "2026Q3")  # S1's figures never appear
         indicator  value  ratings  gap
    0  self_rating    3.0      5.0  NaN
    """
    rows = long[(long["supervisor_id"].astype(str) == str(supervisor_id)) & (long["period"] == period)
                & long["indicator"].isin(ROWS) & long["available"].astype(bool)]
    rows = rows.set_index("indicator")
    present = [i for i in ROWS if i in rows.index]
    own = rows.loc["self_rating", "value"] if "self_rating" in rows.index else math.nan
    out = pd.DataFrame({
        "indicator": present,
        "value": [float(rows.loc[i, "value"]) for i in present],
        "ratings": [float(rows.loc[i, "denominator"]) for i in present],
    })
    out["gap"] = [math.nan if i == "self_rating" else own - v for i, v in zip(out["indicator"], out["value"])]
    return out


def leniency_status(long: pd.DataFrame, period: str) -> pd.DataFrame:
    """Whether the leniency correction was applied in ``period``, per corrected indicator.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`perfmodel.indicators.leniency.STATUS_COLUMNS`, the rows of ``period``
        (none when the panel carries no status, e.g. a panel read from an old run).

    Examples
    --------
    >>> long = pd.DataFrame(columns=["supervisor_id", "period", "indicator", "value"])
    >>> long.attrs["leniency"] = [
    ...     {"indicator": "manager_rating", "period": "2026Q3", "applied": True, "reason": "",
    ...      "detail": "", "n_raters": 4, "n_ratings": 60},
    ...     {"indicator": "manager_rating", "period": "2026Q2", "applied": False,
    ...      "reason": "too_few_raters", "detail": "", "n_raters": 1, "n_ratings": 15}]
    >>> leniency_status(long, "2026Q3")
            indicator  period  applied reason detail  n_raters  n_ratings
    0  manager_rating  2026Q3     True                       4         60
    >>> len(leniency_status(pd.DataFrame(), "2026Q3"))
    0
    """
    status = pd.DataFrame(long.attrs.get("leniency", []), columns=STATUS_COLUMNS)
    return status[status["period"] == period].reset_index(drop=True)


def show_judgement(ctx, supervisor_id: str) -> None:
    """Display the gap between the supervisor's self rating and the manager rating, and the correction used.

    Returns
    -------
    None
        Displays nothing when the data has neither rating table.

    Examples
    --------
    >>> import pandas as pd
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> show_judgement(ctx, "S2")  # no ratings in this panel: no section
    >>> ratings = pd.DataFrame({"supervisor_id": "S2", "period": "2026Q3",
    ...                         "indicator": ["self_rating", "manager_rating"], "value": [4.5, 4.1],
    ...                         "denominator": [5, 15], "available": True})
    >>> ctx.long = pd.concat([ctx.long, ratings], ignore_index=True)
    >>> show_judgement(ctx, "S2")  # the table, then the gap of 0.40 in words
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    <IPython.core.display.Markdown object>
    """
    from perfmodel.reporting.display import heading, table, text

    lang = ctx.lang
    own = judgement_table(ctx.long, supervisor_id, ctx.period)
    if own.empty:
        return  # neither table in the data: the page has no such section
    heading("judgement", lang=lang)
    if own["value"].isna().all():
        text(t("judgement_none", lang=lang, period=ctx.period))
    else:
        shown = own.assign(indicator=own["indicator"].map(lambda i: indicator_label(i, lang=lang)))
        table(shown, lang=lang, formats={"value": "{:.2f}", "ratings": "{:,.0f}", "gap": "{:+.2f}"})
        gap = own.loc[own["indicator"] == "manager_rating", "gap"]
        if len(gap) and pd.notna(gap.iloc[0]):
            g = float(gap.iloc[0])
            key = "judgement_gap_above" if g > 0.05 else "judgement_gap_below" if g < -0.05 else "judgement_gap_even"
            text(t(key, lang=lang, gap=format_number(abs(g), ".2f")))
    notes = []
    for r in leniency_status(ctx.long, ctx.period).itertuples():
        if r.indicator not in RATED or r.reason == "no_ratings":
            continue
        label = indicator_label(r.indicator, lang=lang)
        if r.applied:
            notes.append(t("leniency_applied", lang=lang, indicator=label, raters=r.n_raters))
        else:
            notes.append(t("leniency_not_applied", lang=lang, indicator=label,
                           reason=reason_text(r.reason, r.detail, lang=lang, anonymous=True)))
    if notes:
        text("\n".join(f"- {n}" for n in notes))
