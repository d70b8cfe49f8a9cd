"""The indicator panel: every catalogue indicator for every supervisor and period.

The computations are Ibis expressions (:mod:`perfmodel.indicators.definitions`), run on
DuckDB (default, in process) or Spark (``engine="spark"``) with identical results.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from perfmodel.core import catalogue as _catalogue
from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only
from perfmodel.data.dataset import Dataset
from perfmodel.indicators.engines import Engine, connect
from perfmodel.core.errors import DataError, PeriodError, UsageError
from perfmodel.core.periods import KINDS, Period, parse_period, period_containing, period_range
from perfmodel.indicators.leniency import RATED, correct_panel
from perfmodel.data.schema import TABLES
from perfmodel.data.workcalendar import CLOCK_COLUMNS
from perfmodel.indicators.definitions import (
    BUSINESS_INDICATORS, UNUSED_COLUMNS, Context, day_number, panel_expr, period_key_of,
)

LONG_COLUMNS = ["supervisor_id", "period", "indicator", "value", "numerator", "denominator", "available"]

__all__ = ["compute_indicators", "wide_panel", "resolve_periods", "required_tables",
           "catalogue_listing", "indicator_parameters", "LONG_COLUMNS"]

_ARROW_TYPES = {"id": "string", "text": "string", "period": "string", "timestamp": "timestamp",
                "date": "timestamp", "bool": "boolean", "float": "float64"}


def required_tables(indicator: str) -> list[str]:
    """Return the source tables an indicator needs (from the catalogue).

    Examples
    --------
    >>> required_tables("csat"), required_tables("tickets_per_staff_day")
    (['tickets', 'surveys'], ['tickets', 'staff'])
    """
    return list(_catalogue.indicator(indicator)["tables"])


def resolve_periods(periods, *, period_kind: str = "quarter", first=None, last=None) -> list[Period]:
    """Turn the ``periods`` argument of :func:`compute_indicators` into Period objects.

    Parameters
    ----------
    periods : None, str, Period or list of those
        ``None`` means every period of ``period_kind`` from the one containing ``first``
        to the one containing ``last``.
    period_kind : {"quarter", "month"}
        Used only when ``periods`` is None.
    first, last : timestamp, optional
        Earliest and latest event (:func:`perfmodel.core.periods.data_span`; needed when
        ``periods`` is None).

    Returns
    -------
    list of Period
        Distinct, of one kind, in time order.

    Raises
    ------
    PeriodError
        On a malformed id, mixed quarters and months, or no tickets to take the range from.

    Examples
    --------
    Without periods, every quarter from the first event to the last; ids are parsed,
    de-duplicated and put in time order:

    >>> [p.id for p in resolve_periods(None, first=pd.Timestamp("2026-02-10"),
    ...                                last=pd.Timestamp("2026-07-01"))]
    ['2026Q1', '2026Q2', '2026Q3']
    >>> [p.id for p in resolve_periods(["2026Q3", "2026Q1", "2026Q3"])]
    ['2026Q1', '2026Q3']
    >>> resolve_periods(["2026Q3", "2026-07"])
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.PeriodError: periods 2026-07, 2026Q3: use only quarters or only months
    """
    if periods is None:
        if period_kind not in KINDS:
            raise PeriodError(f"period kind {period_kind!r}: use 'quarter' or 'month'")
        if first is None or pd.isna(first):
            raise PeriodError("no event dates in the data: give the period explicitly (e.g. 2026Q3)")
        return period_range(period_containing(first, period_kind).id, period_containing(last, period_kind).id)
    if isinstance(periods, (str, Period)):
        periods = [periods]
    out = sorted({p if isinstance(p, Period) else parse_period(p) for p in periods})
    if not out:
        raise PeriodError("no period given: give a period id such as 2026Q3 or 2026-09")
    kinds = {p.kind for p in out}
    if len(kinds) > 1:
        raise PeriodError(f"periods {', '.join(p.id for p in out)}: use only quarters or only months")
    return out


def _check_indicators(indicators) -> list[str]:
    known = _catalogue.indicator_ids()
    if indicators is None:
        return known
    if isinstance(indicators, str):
        indicators = [indicators]
    unknown = [i for i in indicators if i not in known]
    if unknown:
        from perfmodel.core.errors import did_you_mean  # the same "did you mean" as a policy's unknown indicator

        raise UsageError(f"indicator {unknown[0]!r} is not in the catalogue; {did_you_mean(str(unknown[0]), known)}"
                         f"see `perfmodel indicators --list`")
    return [i for i in known if i in set(indicators)]


def _typed(table, name: str):
    """Give an Ibis table every contract column of ``name`` with its contract type."""
    import ibis

    cols = {}
    present = set(table.columns)
    for col in TABLES[name].columns:
        typ = _ARROW_TYPES[col.kind]
        if col.name in present:
            cols[col.name] = table[col.name] if table[col.name].type().is_timestamp() and typ == "timestamp" \
                else table[col.name].cast(typ)
        else:
            cols[col.name] = ibis.null(typ)
    return table.select(**cols)


def _source_tables(data, engine: Engine, trusted: bool):
    """Register the dataset's tables; return (ibis tables, first event, last event, calendar, origin).

    ``origin`` is the Dataset, or the folder of trusted Parquet files.
    """
    from perfmodel.data.enginecheck import CheckedFolder

    if isinstance(data, CheckedFolder):
        return _checked_tables(data, engine)
    if isinstance(data, (str, Path)):
        folder = Path(data)
        if trusted:
            return _parquet_tables(folder, engine)
        from perfmodel.data.loader import load_dataset

        data = load_dataset(folder)
    if not isinstance(data, Dataset):
        raise UsageError("data: give a Dataset (perfmodel.load_dataset) or a dataset folder")
    if not data.has("supervisors") or not data.has("tickets"):
        raise DataError("dataset: the supervisors and tickets tables are mandatory")
    tables = {}
    for name, frame in data.tables.items():
        if name not in TABLES:
            continue
        keep = [c.name for c in TABLES[name].columns if c.name in frame.columns]
        tables[name] = _typed(engine.register(name, frame, columns=keep), name)
    from perfmodel.core.periods import data_span

    try:
        first, last = data_span(data)
    except DataError:  # only needed when no period is given, which resolve_periods then refuses
        first = last = None
    return tables, first, last, data.calendar, data


def _checked_tables(checked, engine: Engine):
    """The clean rows of a folder validated in the engine (:func:`perfmodel.data.enginecheck.check_folder`).

    Each table is a view over its Parquet file less the quarantined rows, its cells
    parsed in SQL as the check parsed them; nothing is copied.
    """
    import pyarrow as pa

    tables = {}
    for name in checked.typed:
        bad = engine.register(f"{name}__quarantined", pa.table({"_row": pa.array(checked.bad_rows[name], pa.int64())}))
        tables[name] = _typed(engine.sql_view(name, checked.clean_sql(name, bad.get_name())), name)
    _, (first, last) = checked.coverage()
    return tables, first, last, checked.dataset.calendar, checked


def _parquet_tables(folder: Path, engine: Engine):
    """Read ``<table>.parquet`` files directly in the engine (no Python-side validation)."""
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder; give the folder that holds the tables")
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.parquet"
        if path.exists():
            used = [c.name for c in TABLES[name].columns if (name, c.name) not in UNUSED_COLUMNS]
            # Views over the files, tickets included: each family's scan decodes only the
            # columns it reads (the text ticket_id only where surveys and follow-ups are
            # joined), which is faster and lighter than decoding every column into memory first.
            tables[name] = _typed(engine.read_parquet(name, path, used, materialize=False), name)
    for name in ("supervisors", "tickets"):
        if name not in tables:
            raise DataError(f"{folder / (name + '.parquet')}: missing; the trusted (Parquet) path "
                            f"needs every table as Parquet")
    from perfmodel.data.readers import trusted_span
    from perfmodel.data.workcalendar import load_calendar

    first, last = trusted_span(folder)
    return tables, first, last, load_calendar(folder), folder


def compute_indicators(data, periods=None, *, period_kind: str = "quarter", engine: str = "duckdb",
                       indicators=None, trusted: bool = False, calendar=None,
                       parameters: dict | None = None) -> pd.DataFrame:
    """Compute the indicator catalogue for every supervisor and period.

    Parameters
    ----------
    data : Dataset, CheckedFolder or path
        A validated dataset, a folder of Parquet tables validated in the engine
        (:func:`perfmodel.data.enginecheck.check_folder`, DuckDB only), or a dataset folder
        (read with :func:`perfmodel.load_dataset`).
    periods : None, str or list of str
        A period id (``"2026Q3"``, ``"2026-09"``), a list of ids of one kind, or None for
        every period of the data (:func:`perfmodel.core.periods.data_periods`: from the one
        holding the earliest event the indicators use to the one holding the latest).
    period_kind : {"quarter", "month"}
        Kind of period when ``periods`` is None (otherwise the ids decide).
    engine : {"duckdb", "spark"}
        Where the expressions run; both give the same numbers.
    indicators : list of str, optional
        Catalogue ids to compute (default: all).
    trusted : bool
        With a folder of Parquet files that are known to be clean, let the engine read
        them directly instead of loading and validating them in Python (much faster on
        large data; no quarantine).
    calendar : perfmodel.data.workcalendar.WorkCalendar, optional
        The working calendar of the business-hours indicators (default: the dataset's
        ``calendar.yaml``, else 09:00–18:00 on official working days).
    parameters : dict, optional
        Indicator parameters by id, e.g. ``{"timely_closure_business_rate":
        {"within_hours": 16}}`` (a policy's, see :func:`indicator_parameters`); the
        catalogue's defaults otherwise.

    Returns
    -------
    pandas.DataFrame
        Long table, one row per supervisor (every row of ``supervisors``) × period ×
        indicator, sorted by ``supervisor_id``, ``period``, ``indicator`` (alphabetical).
        Columns:

        - ``supervisor_id`` (str), ``period`` (str id), ``indicator`` (str);
        - ``value`` (float): ``numerator / denominator``, or the median for
          ``first_response_hours`` and ``first_response_business_hours``; NaN when the
          denominator is 0 or missing;
        - ``numerator``, ``denominator`` (float): for rates the two counts; for means the
          sum and the count; for the median NaN and the count; for
          ``cost_control_rate`` the cost and the budget (NaN when no budget is set); for
          ``compliance_rate`` the items without violation and the items checked; for
          turnover and promotion the count and the mean headcount;
        - ``available`` (bool): False when a source table of the indicator is absent;
          then value, numerator and denominator are NaN (unavailable, not zero).

        ``collaboration_score`` and ``manager_rating`` are corrected for rater leniency
        (:mod:`perfmodel.indicators.leniency`, the same Python step after every engine); their
        numerator is then the corrected mean × the number of ratings. ``attrs["leniency"]``
        holds one record per corrected indicator and period (keys
        :data:`perfmodel.indicators.leniency.STATUS_COLUMNS`: applied or why not) and
        ``attrs["rater_effects"]`` the estimated rater effects
        (:data:`perfmodel.indicators.leniency.EFFECT_COLUMNS`).

    Raises
    ------
    PeriodError
        On a malformed period id or mixed period kinds.
    UsageError
        On an unknown indicator id or engine.
    DataError
        When the dataset cannot be read.

    Examples
    --------
    Two supervisors, five tickets (T5 names an unknown supervisor and is quarantined). S1 has
    two complaints in 2026Q3, one resolved: a complaint resolution rate of 1/2; T2 is still
    open at the end of the quarter, against two tickets created: a backlog ratio of 1/2.

    >>> import tempfile
    >>> from perfmodel.data.demo import demo_folder
    >>> folder = demo_folder(tempfile.mkdtemp())
    >>> long = compute_indicators(folder, "2026Q3",
    ...                           indicators=["complaint_resolution_rate", "backlog_ratio"])
    >>> print(long.to_string())
      supervisor_id  period                  indicator  value  numerator  denominator  available
    0            S1  2026Q3              backlog_ratio    0.5        1.0          2.0       True
    1            S1  2026Q3  complaint_resolution_rate    0.5        1.0          2.0       True
    2            S2  2026Q3              backlog_ratio    0.0        0.0          2.0       True
    3            S2  2026Q3  complaint_resolution_rate    1.0        1.0          1.0       True
    """
    ids = _check_indicators(indicators)
    if periods is not None:
        resolve_periods(periods)  # fail on a bad id before any work
    with connect(engine) as eng:
        tables, first, last, own_calendar, origin = _source_tables(data, eng, trusted)
        plist = resolve_periods(periods, period_kind=period_kind, first=first, last=last)
        available = [i for i in ids if all(t in tables for t in required_tables(i))]
        supervisors = eng.execute(tables["supervisors"].select("supervisor_id"))["supervisor_id"]
        frame = pd.DataFrame({
            "k": [period_key_of(p) for p in plist],
            "period": [p.id for p in plist],
            "start_day": [day_number(p.start) for p in plist],
            "end_day": [day_number(p.end) for p in plist],
        }).astype({"k": "int64", "start_day": "int64", "end_day": "int64"})
        ctx = Context(kind=plist[0].kind, periods=plist, tables=tables,
                      period_table=eng.register("periods", frame), parameters=parameters)
        if any(i in BUSINESS_INDICATORS for i in available):
            _register_calendar(ctx, eng, calendar or own_calendar, *ticket_clock_span(origin))
        status, effects = [], []
        if available:
            wide = eng.execute(panel_expr(ctx, tables["supervisors"], available))
            corrected = [i for i in available if i in RATED]
            if corrected:
                wide, status, effects = correct_panel(wide, _ratings(eng, ctx, corrected), plist)
        else:
            wide = pd.DataFrame({"supervisor_id": [], "period": []})
    long = _long(wide, supervisors, plist, ids, available)
    long.attrs["leniency"] = status
    long.attrs["rater_effects"] = effects
    return long


def _ratings(eng: Engine, ctx: Context, indicators: list[str]) -> dict:
    """The rating rows of each leniency-corrected indicator up to the end of the last period.

    Returns
    -------
    dict
        Indicator id -> DataFrame ``supervisor_id``, ``rater_id``, ``at``, ``score``.
    """
    out = {}
    for ind in indicators:
        table, rater, at, score, _ = RATED[ind]
        t = ctx.tables[table]
        t = t.filter(t[at] < ctx.last_end)
        out[ind] = eng.execute(t.select(supervisor_id=t.supervisor_id, rater_id=t[rater], at=t[at],
                                        score=t[score].cast("float64")))
    return out


def ticket_clock_span(origin) -> tuple:
    """Earliest and latest instant of the tickets' clocks (created, first response, resolved).

    ``origin``: a Dataset (from its frame) or a folder of Parquet files (from the
    column statistics of ``tickets.parquet``, read in full only where a row group has
    none). Returns ``(first, last)`` timestamps, NaT when the tickets have none.

    Examples
    --------
    From the earliest ``created_at`` to the latest of any clock (T2 resolved in October):

    >>> import tempfile
    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S1", "S1"],
    ...                              "created_at": ["2026-07-02 09:00", "2026-08-10 14:00"],
    ...                              "first_response_at": ["2026-07-02 10:00", None],
    ...                              "resolved_at": ["2026-07-03 10:00", "2026-10-02 11:00"]})})
    >>> ticket_clock_span(ds)
    (Timestamp('2026-07-02 09:00:00'), Timestamp('2026-10-02 11:00:00'))
    >>> folder = Path(tempfile.mkdtemp())
    >>> ds.tables["tickets"].to_parquet(folder / "tickets.parquet")
    >>> ticket_clock_span(folder)  # the same, from the Parquet column statistics
    (Timestamp('2026-07-02 09:00:00'), Timestamp('2026-10-02 11:00:00'))
    """
    if hasattr(origin, "clock_span"):  # validated in the engine: measured there on the clean rows
        return origin.clock_span
    if isinstance(origin, Dataset):
        frame = origin.tables["tickets"]
        cols = [frame[c] for c in CLOCK_COLUMNS if c in frame]
        lows = [c.min() for c in cols[:1]]
        highs = [c.max() for c in cols]
    else:
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        path = Path(origin) / "tickets.parquet"
        meta = pq.ParquetFile(path).metadata
        names = meta.schema.names
        lows, highs = [], []
        for col in CLOCK_COLUMNS:
            if col not in names:
                continue
            i = names.index(col)
            groups = [meta.row_group(g) for g in range(meta.num_row_groups)]
            stats = [(g.column(i).statistics, g.num_rows) for g in groups]
            # a row group of nulls only has no min/max, and needs none
            usable = all(st is not None and (st.has_min_max or st.null_count == n) for st, n in stats)
            if usable:
                found = [(st.min, st.max) for st, _n in stats if st.has_min_max]
            else:
                span = pc.min_max(pq.read_table(path, columns=[col]).column(col))
                found = [(span["min"].as_py(), span["max"].as_py())]
            found = [(lo, hi) for lo, hi in found if lo is not None]
            if found:
                if col == "created_at":
                    lows.append(min(lo for lo, _ in found))
                highs.append(max(hi for _, hi in found))
    lows = [pd.Timestamp(v) for v in lows if not pd.isna(v)]
    highs = [pd.Timestamp(v) for v in highs if not pd.isna(v)]
    return (min(lows) if lows else pd.NaT), (max(highs) if highs else pd.NaT)


def _register_calendar(ctx: Context, eng: Engine, calendar, first, last) -> None:
    """Put the working calendar's day table and each supervisor's pattern into the engine.

    The day table runs from the earliest creation of a ticket (or the first period's
    start) to the latest instant of a ticket clock (or the last period's end): every
    instant the business-hours measures look up (:func:`ticket_clock_span`). Only the
    years of the requested periods are warned about when no official list covers them.
    """
    from perfmodel.data.workcalendar import WorkCalendar, day_table, supervisor_calendars

    calendar = calendar or WorkCalendar()
    ctx.lunch = any(h.lunch is not None for h in calendar.patterns())
    lo = ctx.periods[0].start if pd.isna(first) else min(ctx.periods[0].start, pd.Timestamp(first))
    hi = ctx.periods[-1].end if pd.isna(last) else max(ctx.periods[-1].end, pd.Timestamp(last))
    days = day_table(calendar, lo.date(), hi.date(), [p.end.date() for p in ctx.span],
                     warn_within=(ctx.periods[0].start.date(), (ctx.periods[-1].end - pd.Timedelta(days=1)).date()))
    ctx.work_days = eng.register("work_days", days)
    if len(calendar.patterns()) > 1:
        sups = eng.execute(ctx.tables["supervisors"].select("supervisor_id", "team"))
        ctx.supervisor_cal = eng.register("supervisor_calendars", supervisor_calendars(calendar, sups))


def indicator_parameters(policy) -> dict:
    """The indicator parameters a policy sets (e.g. ``within_hours``), by indicator id.

    Returns
    -------
    dict
        ``{indicator: {parameter: value}}``; empty without a policy or parameters.

    Examples
    --------
    >>> from perfmodel.scoring.policy import policy_from_dict
    >>> policy = policy_from_dict({
    ...     "name": "试行", "version": "1", "dimensions": {"result": 0.6, "process": 0.4},
    ...     "indicators": {
    ...         "csat": {"dimension": "result", "weight": 1.0, "rule": "linear",
    ...                  "floor": 3.8, "target": 4.3},
    ...         "timely_closure_business_rate": {"dimension": "process", "weight": 1.0,
    ...                                          "rule": "ratio", "target": 0.9,
    ...                                          "within_hours": 16}},
    ...     "ratings": {"bands": {"A": 80, "B": 0}}})
    >>> indicator_parameters(policy)
    {'timely_closure_business_rate': {'within_hours': 16.0}}
    >>> indicator_parameters(None)
    {}
    """
    out = {}
    for ind, rule in (getattr(policy, "indicators", None) or {}).items():
        hours = getattr(rule, "within_hours", None)
        if hours is not None:
            out[ind] = {"within_hours": hours}
    return out


def _long(wide: pd.DataFrame, supervisors: pd.Series, plist: list[Period], ids: list[str],
          available: list[str]) -> pd.DataFrame:
    """Reshape the engine's wide result to the long table, already in its sort order.

    The grid supervisor × period × indicator is built in sorted order (supervisor ids and
    period ids as strings, indicator ids alphabetically), so the values of each field are
    the engine's (grid × indicator) matrix read row by row; no sort of the long table.
    """
    sup = sorted(pd.unique(supervisors.astype(str)))
    pids = sorted(p.id for p in plist)
    inds = sorted(ids)
    grid = pd.MultiIndex.from_product([sup, pids], names=["supervisor_id", "period"])
    wide = wide.astype({"supervisor_id": str, "period": str}).set_index(["supervisor_id", "period"])
    wide = wide.reindex(grid)
    n_grid, n_ind = len(grid), len(inds)
    out = {
        "supervisor_id": np.repeat(np.asarray(sup, dtype=object), len(pids) * n_ind),
        "period": np.tile(np.repeat(np.asarray(pids, dtype=object), n_ind), len(sup)),
        "indicator": np.tile(np.asarray(inds, dtype=object), n_grid),
    }
    for field in ("value", "numerator", "denominator"):
        matrix = np.full((n_grid, n_ind), np.nan)
        for j, ind in enumerate(inds):
            if ind in available:
                matrix[:, j] = wide[f"{ind}__{field}"].to_numpy(dtype="float64", na_value=np.nan)
        out[field] = matrix.ravel()
    out["available"] = np.tile(np.array([i in available for i in inds], dtype=bool), n_grid)
    return pd.DataFrame(out, columns=LONG_COLUMNS)


def wide_panel(long: pd.DataFrame) -> pd.DataFrame:
    """Pivot the long table of :func:`compute_indicators` to one column per indicator.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period`` and one float column per indicator id (catalogue
        order, only those present in ``long``) holding ``value``; sorted by
        supervisor_id and period.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"supervisor_id": ["S2", "S1", "S2", "S1"],
    ...                      "period": ["2026Q3"] * 4,
    ...                      "indicator": ["backlog_ratio", "backlog_ratio", "csat", "csat"],
    ...                      "value": [0.0, 0.5, 4.2, 3.9]})
    >>> wide_panel(long)
      supervisor_id  period  csat  backlog_ratio
    0            S1  2026Q3   3.9            0.5
    1            S2  2026Q3   4.2            0.0
    """
    order = [i for i in _catalogue.indicator_ids() if i in set(long["indicator"])]
    order += sorted(set(long["indicator"]) - set(order))
    wide = long.pivot(index=["supervisor_id", "period"], columns="indicator", values="value")
    wide = wide.reindex(columns=order).astype("float64").reset_index()
    wide.columns.name = None
    return wide.sort_values(["supervisor_id", "period"], kind="mergesort").reset_index(drop=True)


@keyword_only("lang")
def catalogue_listing(*, lang: str = "en") -> pd.DataFrame:
    """The catalogue as a display table.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``name``, ``dimension``, ``direction``, ``unit``, ``definition``
        in catalogue order; names, definitions and the values of dimension, direction and
        unit in ``lang`` (``en`` or ``zh``: 结果/过程/诊断, 越高越好/越低越好, 占比/评分/...).

    Examples
    --------
    >>> listing = catalogue_listing()
    >>> len(listing), list(listing.columns)
    (28, ['id', 'name', 'dimension', 'direction', 'unit', 'definition'])
    >>> listing[["id", "name", "dimension", "direction"]].head(2)
                  id                                name   dimension direction
    0           csat               Customer satisfaction      result    higher
    1  csat_attitude  Satisfaction with service attitude  diagnostic    higher
    >>> catalogue_listing("zh")[["id", "name", "dimension", "direction", "unit"]].head(2)
                  id     name dimension direction unit
    0           csat    客户满意度        结果      越高越好   评分
    1  csat_attitude  服务态度满意度        诊断      越高越好   评分
    """
    from perfmodel.core.i18n import t

    cat = _catalogue.catalogue()
    suffix = "zh" if lang == "zh" else "en"
    dimension, direction, unit = cat["dimension"], cat["direction"], cat["unit"]
    if lang == "zh":
        units = {unit: entry["zh"] for unit, entry in messages.group("units").items()}
        dimension = dimension.map(lambda v: t(v, lang="zh"))
        direction = direction.map(lambda v: t(v, lang="zh"))
        unit = unit.map(lambda v: units.get(v, v))
    return pd.DataFrame({
        "id": cat["indicator"], "name": cat[f"name_{suffix}"], "dimension": dimension,
        "direction": direction, "unit": unit, "definition": cat[f"definition_{suffix}"],
    })
