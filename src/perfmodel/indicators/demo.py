"""A small indicator panel and engine context for the docstring Examples.

Every function returns new objects built from the same literals (deterministic and small).
"""
from __future__ import annotations

import pandas as pd

__all__ = ["demo_engine_context", "demo_long", "demo_panel"]


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
