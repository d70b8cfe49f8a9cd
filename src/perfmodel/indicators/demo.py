"""A small indicator panel and engine context for the docstring Examples.

Every function returns new objects built from the same literals (deterministic and small).
"""
from __future__ import annotations

import pandas as pd

__all__ = ["demo_engine_context", "demo_long", "demo_panel", "demo_rates", "demo_spread"]


def demo_panel() -> pd.DataFrame:
    """A wide indicator panel of three supervisors and two indicators in 2026Q3.

    S1 is at both targets of :func:`perfmodel.scoring.demo.demo_policy` (csat 4.3, timely
    closure 0.9), S2 half-way on csat and at 90 % of the closure target, S3 at the csat floor
    and at half the closure target.

    Returns
    -------
    pandas.DataFrame
        supervisor_id, period, csat, timely_closure_rate.

    Examples
    --------
    >>> demo_panel()
      supervisor_id  period  csat  timely_closure_rate
    0            S1  2026Q3  4.30                 0.90
    1            S2  2026Q3  4.05                 0.81
    2            S3  2026Q3  3.80                 0.45
    """
    return pd.DataFrame({"supervisor_id": ["S1", "S2", "S3"], "period": "2026Q3",
                         "csat": [4.3, 4.05, 3.8], "timely_closure_rate": [0.9, 0.81, 0.45]})


def demo_long() -> pd.DataFrame:
    """The panel of :func:`demo_panel` in the long form of :func:`perfmodel.compute_indicators`.

    Returns
    -------
    pandas.DataFrame
        supervisor_id, period, indicator, value, numerator, denominator (both NaN: the
        values are made up, not counted), available (True); csat rows first.

    Examples
    --------
    >>> long = demo_long()
    >>> long[["supervisor_id", "indicator", "value", "available"]].head(4)
      supervisor_id            indicator  value  available
    0            S1                 csat   4.30       True
    1            S2                 csat   4.05       True
    2            S3                 csat   3.80       True
    3            S1  timely_closure_rate   0.90       True
    >>> len(long), long["period"].unique().tolist(), bool(long[["numerator", "denominator"]].isna().all().all())
    (6, ['2026Q3'], True)
    """
    return demo_panel().melt(id_vars=["supervisor_id", "period"], var_name="indicator").assign(
        numerator=float("nan"), denominator=float("nan"), available=True)


def demo_rates() -> pd.DataFrame:
    """Complaint resolution rates of four supervisors of very different sizes in 2026Q3.

    S1 resolved 45 of 50 complaints (0.90), S2 18 of 20 (0.90), S3 90 of 100 (0.90) and S4
    30 of 50 (0.60): the same rate from 20 or 100 cases, and one low rate.

    Returns
    -------
    pandas.DataFrame
        The long panel of :func:`perfmodel.compute_indicators`: supervisor_id, period,
        indicator, numerator, denominator, value (numerator ÷ denominator), available.

    Examples
    --------
    >>> demo_rates()[["supervisor_id", "numerator", "denominator", "value"]]
      supervisor_id  numerator  denominator  value
    0            S1       45.0         50.0    0.9
    1            S2       18.0         20.0    0.9
    2            S3       90.0        100.0    0.9
    3            S4       30.0         50.0    0.6
    """
    long = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4"], "period": "2026Q3",
                         "indicator": "complaint_resolution_rate",
                         "numerator": [45.0, 18.0, 90.0, 30.0],
                         "denominator": [50.0, 20.0, 100.0, 50.0]})
    long["value"], long["available"] = long["numerator"] / long["denominator"], True
    return long


def demo_spread() -> pd.DataFrame:
    """A wide panel of five supervisors and three indicators that vary by different amounts.

    csat 4.0, 4.2, 4.4, 4.6, 4.3; staff_turnover_rate 0.10, 0.12, 0.08, 0.20, 0.15;
    followup_positive_rate 0.80, 0.85, 0.90, 0.70, 0.82 (S1 … S5): the data of the
    objective weighting methods' Examples.

    Returns
    -------
    pandas.DataFrame
        supervisor_id, csat, staff_turnover_rate, followup_positive_rate (no period column).

    Examples
    --------
    >>> demo_spread().drop(columns="supervisor_id").std().round(4).tolist()  # sample standard deviations
    [0.2236, 0.0469, 0.074]
    """
    return pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4", "S5"],
                         "csat": [4.0, 4.2, 4.4, 4.6, 4.3],
                         "staff_turnover_rate": [0.10, 0.12, 0.08, 0.20, 0.15],
                         "followup_positive_rate": [0.80, 0.85, 0.90, 0.70, 0.82]})


def demo_engine_context(engine, period: str = "2026-09", **frames):
    """The query context of one period with the given source tables registered in ``engine``.

    Parameters
    ----------
    engine
        A connection of :func:`perfmodel.indicators.engines.connect`.
    period : str
        The one requested period (month or quarter id).
    **frames : pandas.DataFrame
        Source tables by name (``tickets=...``, ``staff=...``), typed as the loader types them.

    Returns
    -------
    perfmodel.indicators.definitions.Context
        Of ``period``'s kind, with its period table (``k``, ``period``, ``start_day``,
        ``end_day``) and the frames registered under their names.

    Examples
    --------
    >>> from perfmodel.indicators.engines import connect
    >>> engine = connect()
    >>> audits = pd.DataFrame({"supervisor_id": ["S1"], "audited_on": pd.to_datetime(["2026-09-03"]),
    ...                        "items_checked": [20], "violations": [1]})
    >>> ctx = demo_engine_context(engine, audits=audits)
    >>> ctx.kind, [p.id for p in ctx.periods], sorted(ctx.tables)
    ('month', ['2026-09'], ['audits'])
    >>> engine.execute(ctx.period_table)  # 2026-09: 2026*12 + 8; days since 1970-01-01
           k   period  start_day  end_day
    0  24320  2026-09      20697    20727
    """
    from perfmodel.core.periods import parse_period
    from perfmodel.indicators.definitions import Context, day_number, period_key_of

    p = parse_period(period)
    table = engine.register("periods", pd.DataFrame({
        "k": [period_key_of(p)], "period": [p.id],
        "start_day": [day_number(p.start)], "end_day": [day_number(p.end)]}))
    return Context(kind=p.kind, periods=[p], period_table=table,
                   tables={name: engine.register(name, f) for name, f in frames.items()})
