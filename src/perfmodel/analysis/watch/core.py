"""Period-to-date early warnings: cut, project, warn.

:func:`watch` is the one entry point. Everything it computes comes from the dataset cut at
the as-of instant (:func:`~perfmodel.data.cut.cut_dataset`), so no event after that
instant can change its output.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from perfmodel.core import catalogue as cat
from perfmodel.core.deprecation import keyword_only, old_order
from perfmodel.data.dataset import Dataset
from perfmodel.core.errors import PerfmodelError, UsageError
from perfmodel.core.periods import Period, parse_period, period_containing
from perfmodel.core.result import Result
from perfmodel.scoring.targets import rule_for, stated_target
from perfmodel.analysis.watch import projection as proj
from perfmodel.analysis.watch import reasons
from perfmodel.data.cut import as_of_timestamp, cut_dataset
from perfmodel.analysis.watch.text import as_of_error, period_name, text

PROJECTION_COLUMNS = ["supervisor_id", "period", "as_of", "result", "direction", "value_to_date",
                      "denominator_to_date", "prior", "n_hist", "lag_adjustment", "projected",
                      "low", "high", "target", "gap", "p_miss", "at_risk", "so_far_comparable",
                      "weight_so_far", "weight_history", "weight_usual", "usual", "drivers"]
WARNING_COLUMNS = ["supervisor_id", "period", "as_of", "result", "p_miss", "projected", "low",
                   "high", "target", "gap", "driver", "driver_value", "driver_reference",
                   "reference_kind", "coef", "se", "p_adj", "verdict", "suggestion"]


# Counts that accumulate over the period: their share so far is compared with a whole-period
# target only once pro-rated (value so far ÷ elapsed share of the period).
ACCUMULATING = ("customer_churn_rate", "staff_turnover_rate", "promotion_rate")

# how a projection mixes the value so far, the history and the usual level (projection_weights)
WEIGHTS = ("weight_so_far", "weight_history", "weight_usual", "usual")

# the values an indicator can take, by unit (projections and intervals are clipped to it)
_RANGE = {"share": (0.0, 1.0), "score": (1.0, 5.0)}


@dataclass
class WatchResult(Result):
    """What :func:`watch` found (a :class:`perfmodel.core.result.Result`: ``table`` is
    :attr:`projections`, ``summary()`` counts the results at risk).

    Attributes
    ----------
    period, as_of : str, pandas.Timestamp
        The period in progress and the as-of instant.
    period_to_date : pandas.DataFrame
        Long indicator table for ``[start(P), as_of)`` (columns of
        :func:`perfmodel.indicators.compute_indicators` plus ``elapsed``, the share of the
        period gone by).
    projections : pandas.DataFrame
        One row per supervisor and weighted result indicator: ``supervisor_id``,
        ``period``, ``as_of``, ``result``, ``direction``, ``value_to_date``,
        ``denominator_to_date``, ``prior``, ``n_hist``, ``lag_adjustment``, ``projected``,
        ``low``, ``high`` (central ``level`` interval, clipped to the values the indicator
        can take), ``target``, ``gap`` (projected −
        target), ``p_miss`` (probability of missing the target at period end), ``at_risk``
        (``p_miss >= threshold``), ``so_far_comparable`` (``value_to_date``; counts that
        accumulate pro-rated to the whole period), ``weight_so_far`` (share of the
        projection carried by the value so far), ``weight_history`` (by ``prior``),
        ``weight_usual`` and ``usual`` (the level earlier periods moved toward by their
        end, and its weight; see :func:`perfmodel.analysis.watch.projection.projection_weights`),
        ``drivers`` (what drives a result at risk, ";"-joined: ``history``,
        ``trend_so_far``, ``volume_so_far``, ``usual_level`` or ``spread``, see
        :func:`perfmodel.analysis.watch.reasons.projection_drivers`; "" when not at risk).
    warnings : pandas.DataFrame
        One row per supervisor, result at risk and driver: ``supervisor_id``, ``period``,
        ``as_of``, ``result``, ``p_miss``, ``projected``, ``low``, ``high``, ``target``,
        ``gap``, ``driver`` (process indicator), ``driver_value`` (period to date),
        ``driver_reference``, ``reference_kind`` (``target`` or ``own_average``),
        ``coef``, ``se``, ``p_adj``, ``verdict`` (always ``predicts``), ``suggestion``.
        A result at risk without such a driver is in ``projections`` only.
    validity : pandas.DataFrame
        The predictive-validity rows used (fitted on completed periods before ``period``).
    fits : dict
        Result indicator -> :class:`~perfmodel.analysis.watch.projection.Fit` (or None).
    """

    period: str
    as_of: pd.Timestamp
    period_to_date: pd.DataFrame
    projections: pd.DataFrame
    warnings: pd.DataFrame
    validity: pd.DataFrame
    fits: dict = field(default_factory=dict)


    title = "Mid-period watch"

    @property
    def table(self) -> pd.DataFrame:
        """:attr:`projections`."""
        return self.projections

    def headline(self) -> dict:
        """``period``, ``as_of``, ``at_risk`` (projections at risk) and ``supervisors_at_risk``."""
        risk = self.projections[self.projections["at_risk"].fillna(False).astype(bool)] if len(self.projections) else self.projections
        return {"period": self.period, "as_of": str(self.as_of), "at_risk": len(risk),
                "supervisors_at_risk": risk["supervisor_id"].nunique() if len(risk) else 0}


def rule_target(rule) -> float | None:
    """The target value the policy states for ``rule`` (:func:`perfmodel.scoring.targets.stated_target`).

    Returns
    -------
    float or None
        None for rules without a stated target (percentile, deduction without target).

    Examples
    --------
    >>> from perfmodel.scoring.policy import load_policy
    >>> pol = load_policy("efficiency")
    >>> rule_target(pol.indicators["complaint_resolution_rate"]), rule_target(pol.indicators["tickets_per_staff_day"])
    (0.8, None)
    """
    return stated_target(rule)


def partial_period(period: Period, as_of: pd.Timestamp) -> Period:
    """The part ``[start(P), as_of)`` of ``period``, keeping its id (``end`` = ``as_of``).

    Examples
    --------
    >>> from perfmodel.core.periods import parse_period
    >>> part = partial_period(parse_period("2026Q3"), pd.Timestamp("2026-08-16"))
    >>> part.id, str(part.start), str(part.end), part.days
    ('2026Q3', '2026-07-01 00:00:00', '2026-08-16 00:00:00', 46)
    """
    end = min(max(as_of, period.start), period.end)
    return Period(period.start, end, period.kind, period.id)


@keyword_only("lang")
def check_as_of(period, as_of, *, lang: str = "en") -> pd.Timestamp:
    """Return the as-of instant of a watch of ``period``; UsageError unless it is in ``(start, end]``.

    At the first instant of the period nothing of it has happened yet; ``end`` (the first
    instant of the next period) covers the whole period.

    Returns
    -------
    pandas.Timestamp
        ``as_of`` as a naive local instant (a date means 00:00 of that day).

    Raises
    ------
    UsageError
        One line in ``lang`` naming the instant and the accepted range.

    Examples
    --------
    >>> from perfmodel.core.periods import parse_period
    >>> q3 = parse_period("2026Q3")
    >>> check_as_of(q3, "2026-08-16"), check_as_of(q3, "2026-10-01")
    (Timestamp('2026-08-16 00:00:00'), Timestamp('2026-10-01 00:00:00'))
    >>> check_as_of(q3, "2026-07-01", lang="zh")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: --as-of 2026-07-01 00:00:00 是 2026Q3 的第一个时刻：该期还没有发生任何事；请给出 2026Q3 内更晚的时间（晚于 2026-07-01 00:00，且不晚于 2026-10-01 00:00）
    """
    p = parse_period(period) if not isinstance(period, Period) else period
    ts = as_of_timestamp(as_of, lang=lang)
    if not (p.start < ts <= p.end):
        raise UsageError(as_of_error(ts, p, lang=lang))
    return ts


def _compute(data: Dataset, periods, kind: str, engine: str, indicators=None, parameters=None) -> pd.DataFrame:
    from perfmodel.pipeline import indicators_step
    return indicators_step(data, periods, kind=kind, engine=engine, indicators=indicators,
                           parameters=parameters)


def period_to_date(dataset: Dataset, period, as_of, *, engine: str = "duckdb",
                   indicators=None, parameters=None, _cut: bool = True) -> pd.DataFrame:
    """Every indicator of ``period`` on its part before ``as_of``, from what was known then.

    The dataset is cut at ``as_of`` and the indicators of SPEC §3 are computed for
    ``[start(P), as_of)``. The budget of ``cost_control_rate`` is prorated to the elapsed
    share of the period, so the value compares with a full-period target.

    ``indicators`` (a list of ids) limits the work to those indicators; ``parameters``
    are the policy's indicator parameters (:func:`perfmodel.indicators.indicator_parameters`).

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period`` (the id of ``period``), ``indicator``, ``value``,
        ``numerator``, ``denominator``, ``available``, ``elapsed`` (share of the period
        gone by at ``as_of``).

    Examples
    --------
    On 16 August half of 2026Q3 has gone by (46 of 92 days). T2 was resolved later that day,
    so it still counts as open; T3 does not exist yet. The cost so far, 180, is set against
    half the quarter's budget of 920:

    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
    ...     "tickets": pd.DataFrame({
    ...         "ticket_id": ["T1", "T2", "T3"], "supervisor_id": ["S1"] * 3,
    ...         "created_at": ["2026-07-02 09:00", "2026-08-10 14:00", "2026-08-20 08:00"],
    ...         "resolved_at": ["2026-07-03 10:00", "2026-08-16 09:00", None],
    ...         "cost": [100.0, 80.0, 60.0]}),
    ...     "budgets": pd.DataFrame({"supervisor_id": ["S1"], "period": ["2026Q3"], "budget": [920.0]})})
    >>> so_far = period_to_date(ds, "2026Q3", "2026-08-16",
    ...                         indicators=["backlog_ratio", "cost_control_rate"])
    >>> so_far[["indicator", "value", "numerator", "denominator", "elapsed"]].round(4)
               indicator   value  numerator  denominator  elapsed
    0      backlog_ratio  0.5000        1.0          2.0      0.5
    1  cost_control_rate  0.3913      180.0        460.0      0.5
    """
    p = parse_period(period) if not isinstance(period, Period) else period
    ts = as_of_timestamp(as_of)
    if not (p.start < ts):
        raise UsageError(f"--as-of {ts.date()}: must fall after the start of {p.id} ({p.start.date()})")
    part = partial_period(p, ts)
    data = cut_dataset(dataset, ts) if _cut else dataset
    out = _compute(data, [part], p.kind, engine, indicators, parameters).copy()
    out["period"] = p.id
    elapsed = (part.end - part.start) / (p.end - p.start)
    out["elapsed"] = float(elapsed)
    budget = out["indicator"] == "cost_control_rate"
    if budget.any() and elapsed < 1:
        out.loc[budget, "denominator"] = out.loc[budget, "denominator"] * elapsed
        den = out.loc[budget, "denominator"]
        out.loc[budget, "value"] = np.where(den > 0, out.loc[budget, "numerator"] / den, np.nan)
    return out.reset_index(drop=True)


def _wide(long: pd.DataFrame, what: str = "value") -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(columns=["supervisor_id", "period"])
    w = long.pivot_table(index=["supervisor_id", "period"], columns="indicator", values=what,
                         aggfunc="first", dropna=False).reset_index()
    w.columns.name = None
    return w


def history_periods(dataset: Dataset, period: Period) -> list[Period]:
    """Completed periods of the same kind before ``period`` that hold tickets, in order.

    Examples
    --------
    >>> from perfmodel import dataset_from_frames
    >>> from perfmodel.core.periods import parse_period
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["王芳"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T0", "T1"], "supervisor_id": ["S1", "S1"],
    ...                              "created_at": ["2026-02-10 09:00", "2026-08-10 14:00"]})})
    >>> [p.id for p in history_periods(ds, parse_period("2026Q3"))]
    ['2026Q1', '2026Q2']
    >>> history_periods(ds, parse_period("2026Q1"))
    []
    """
    t = dataset.tables["tickets"]["created_at"].dropna()
    t = t[t < period.start]
    if t.empty:
        return []
    first = period_containing(t.min(), period.kind)
    out = []
    q = first
    while q.start < period.start:
        out.append(q)
        q = q.next()
    return out


def _validity(hist_wide: pd.DataFrame, results: list[str]) -> pd.DataFrame:
    from perfmodel.analysis.stats import predictive_validity

    try:
        v = predictive_validity(hist_wide, results=results, lag=1, oos=False)
    except (PerfmodelError, ValueError, np.linalg.LinAlgError):
        # no usable evidence: no drivers, hence no warning with a reason
        return pd.DataFrame(columns=["process", "result", "coef", "se", "p_adj", "verdict"])
    return v.reset_index(drop=True)


def _is_period(x) -> bool:
    """Whether ``x`` is a period (a Period or a period id such as ``"2026Q3"``), not a policy."""
    if isinstance(x, Period):
        return True
    if not isinstance(x, str):
        return False
    try:
        parse_period(x)
    except PerfmodelError:
        return False
    return True


def _old_watch_order(args, kwargs):
    """The call in the new order when made as ``watch(dataset, period, as_of, policy)``; else None."""
    if len(args) < 2 or "period" in kwargs or not _is_period(args[1]):
        return None
    old = dict(zip(("period", "as_of", "policy"), args[1:4]))
    if len(args) > 4 or set(old) & set(kwargs):
        raise TypeError("watch() takes the dataset and the policy by position; pass period=..., "
                        "as_of=... by keyword")
    kwargs = {**kwargs, **old}
    return (args[0],), kwargs


@old_order("dataset, policy, period=..., as_of=...", _old_watch_order)
def watch(dataset: Dataset, policy="efficiency", *, period, as_of, threshold: float = 0.6,
          level: float = 0.8, lang: str = "en", engine: str = "duckdb",
          validity: pd.DataFrame | None = None, lag_drivers: bool = True) -> WatchResult:
    """Period-to-date indicators, period-end projections and warnings with reasons.

    The dataset comes first and the policy second, as in :func:`perfmodel.score`; the
    period and the as-of instant are keyword-only. The former order
    ``watch(dataset, period, as_of, policy)`` still works for one version, with a
    ``DeprecationWarning`` (recognised by a period id in the second place).

    Parameters
    ----------
    dataset : Dataset
        The dataset; only what is stamped before ``as_of`` is used.
    policy : str, path or Policy
        Supplies the weighted result indicators and their targets (default preset
        ``efficiency``).
    period : str or Period
        The period in progress (``"2026Q3"``).
    as_of : str or datetime-like
        The as-of instant; a date means 00:00 of that day (the day itself not yet begun).
        It must lie in ``(start(P), end(P)]``: at the first instant of the period nothing
        has happened yet, and ``end(P)`` covers the whole period.
    threshold : float
        A result is at risk when ``p_miss >= threshold``.
    level : float
        Coverage of the projection interval.
    lang : {"en", "zh"}
        Language of the suggestions and of the error messages.
    engine : str
        Indicator engine.
    validity : pandas.DataFrame, optional
        Predictive-validity rows to use instead of fitting them on the completed periods.
    lag_drivers : bool
        Move each supervisor's prior by the lagged process effects (default True).

    Returns
    -------
    WatchResult
        ``period_to_date``, ``projections``, ``warnings`` (see :class:`WatchResult`).
    Examples
    --------
    Halfway through 2026Q3, with four quarters of history; a result is at risk when the
    chance of missing its target at the end of the quarter is at least 60 %:

    >>> import tempfile
    >>> import perfmodel
    >>> from perfmodel.data.demo import demo_history
    >>> folder = str(demo_history(tempfile.mkdtemp()))
    >>> w = watch(perfmodel.load_dataset(folder), period="2026Q3", as_of="2026-08-16")
    >>> csat = w.projections[w.projections["result"] == "csat"]
    >>> print(csat[["supervisor_id", "value_to_date", "projected", "low", "high", "target",
    ...             "p_miss", "at_risk"]].round(3).to_string())
      supervisor_id  value_to_date  projected    low   high  target  p_miss  at_risk
    0          S001          4.000      3.902  3.647  4.158     4.3   0.970     True
    1          S002          3.571      3.750  3.464  4.036     4.3   0.987     True
    2          S003          4.143      4.017  3.766  4.269     4.3   0.923     True
    3          S004          4.500      4.289  3.974  4.603     4.3   0.519    False
    >>> bool(((w.projections["p_miss"] >= 0.6) == w.projections["at_risk"]).all())
    True
    >>> w.headline()
    {'period': '2026Q3', 'as_of': '2026-08-16 00:00:00', 'at_risk': 6, 'supervisors_at_risk': 4}
    """
    from perfmodel.scoring.policy import Policy, load_policy

    if lang not in ("en", "zh"):
        raise UsageError(f"--lang {lang!r}: use en or zh")
    from perfmodel.scoring.goals import bind_goals, goals_table

    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    pol = bind_goals(pol, goals_table(dataset))  # with goals: replace, each supervisor's agreed target
    p = parse_period(period) if not isinstance(period, Period) else period
    ts = check_as_of(p, as_of, lang=lang)
    if pol.period and pol.period != p.kind:
        raise UsageError(text("kind_mismatch", lang=lang, period=p.id, kind=p.kind, policy=pol.name,
                              kind_name=period_name(p.kind, lang=lang), policy_kind_name=period_name(pol.period, lang=lang)))
    data = cut_dataset(dataset, ts)
    offset = ts - p.start

    results = [i for i, r in pol.indicators.items()
               if r.dimension == "result" and r.weight > 0 and rule_target(r) is not None
               and i in cat.indicator_ids()]
    hist = history_periods(data, p)
    from perfmodel.indicators import indicator_parameters

    parameters = indicator_parameters(pol)
    hist_long = _compute(data, [q.id for q in hist], p.kind, engine, None, parameters) if hist else pd.DataFrame(
        columns=["supervisor_id", "period", "indicator", "value", "numerator", "denominator"])
    hist_wide = _wide(hist_long)
    if validity is None:
        validity = _validity(hist_wide, results) if len(hist) >= 3 else pd.DataFrame(
            columns=["process", "result", "coef", "se", "p_adj", "verdict"])

    ptd_now = period_to_date(data, p, ts, engine=engine, parameters=parameters, _cut=False)
    # earlier periods replayed at the same point of their own period
    replays = []
    for q in (hist[1:] if results else []):
        replays.append(period_to_date(data, q, min(q.start + offset, q.end), engine=engine,
                                      indicators=results, parameters=parameters))
    replay_long = pd.concat(replays, ignore_index=True) if replays else ptd_now.iloc[0:0]

    sups = sorted(dataset.tables["supervisors"]["supervisor_id"].astype(str))
    rows, fits = [], {}
    for r in results:
        rule = pol.indicators[r]
        direction = rule.direction
        drv = reasons.drivers_for(r, validity) if lag_drivers else reasons.drivers_for(r, None)
        betas = dict(zip(drv["process"], drv["coef"].astype(float)))
        priors = proj.prior_means(hist_wide if len(hist_wide) else
                                  pd.DataFrame({"supervisor_id": sups, "period": p.id}),
                                  r, betas, [q.id for q in hist[1:]] + [p.id])
        train = replay_long[replay_long["indicator"] == r][["supervisor_id", "period", "value",
                                                             "denominator"]]
        train = train.rename(columns={"value": "x", "denominator": "n"})
        final = hist_long[hist_long["indicator"] == r][["supervisor_id", "period", "value"]]
        train = train.merge(final.rename(columns={"value": "y"}), on=["supervisor_id", "period"],
                            how="inner").merge(priors.rename(columns={"prior": "m"}),
                                               on=["supervisor_id", "period"], how="inner")
        fit = proj.fit_projection(train)
        fits[r] = fit
        now = pd.DataFrame({"supervisor_id": sups})
        cur = ptd_now[ptd_now["indicator"] == r][["supervisor_id", "value", "denominator"]]
        now = now.merge(cur, on="supervisor_id", how="left").merge(
            priors[priors["period"] == p.id].drop(columns="period"), on="supervisor_id", how="left")
        target = np.array([rule_target(rule_for(pol, r, s, p.id)) for s in now["supervisor_id"]], dtype=float)
        if fit is None:
            pred = pd.DataFrame({c: np.nan for c in ("projected", "sd", "low", "high", *WEIGHTS)},
                                index=now.index)
            pm = np.full(len(now), np.nan)
        else:
            pred = proj.predict(fit, now["value"], now["denominator"], now["prior"], level)
            scale = float((ts - p.start) / (p.end - p.start)) if r in ACCUMULATING else 1.0
            pred = pd.concat([pred, proj.projection_weights(fit, now["value"], now["denominator"], scale)],
                             axis=1)
            pm = proj.p_miss(pred["projected"], pred["sd"], fit.df, target, direction)
            lo, hi = _RANGE.get(cat.indicator(r).get("unit"), (0.0, np.inf))
            pred[["projected", "low", "high"]] = pred[["projected", "low", "high"]].clip(lo, hi)
        elapsed = float((ts - p.start) / (p.end - p.start))
        comparable = now["value"] / elapsed if r in ACCUMULATING else now["value"]
        for i, row in now.iterrows():
            rows.append({"so_far_comparable": comparable.iat[i], **{c: pred[c].iat[i] for c in WEIGHTS},
"supervisor_id": row["supervisor_id"], "period": p.id, "as_of": ts,
                         "result": r, "direction": direction, "value_to_date": row["value"],
                         "denominator_to_date": row["denominator"], "prior": row["prior"],
                         "n_hist": row["n_hist"], "lag_adjustment": row["lag_adjustment"],
                         "projected": pred["projected"].iat[i], "low": pred["low"].iat[i],
                         "high": pred["high"].iat[i], "target": target[i],
                         "gap": pred["projected"].iat[i] - target[i], "p_miss": float(pm[i])})
    projections = pd.DataFrame(rows, columns=[c for c in PROJECTION_COLUMNS if c not in ("at_risk", "drivers")])
    projections["at_risk"] = projections["p_miss"] >= threshold
    projections["drivers"] = [
        ";".join(reasons.projection_drivers(pr)) if pr["at_risk"] else ""
        for _, pr in projections.iterrows()]
    projections = projections[PROJECTION_COLUMNS]
    warnings = _warnings(projections, ptd_now, hist_wide, validity, pol, p, lang=lang)
    return WatchResult(period=p.id, as_of=ts, period_to_date=ptd_now, projections=projections,
                       warnings=warnings, validity=validity, fits=fits)


def _warnings(projections, ptd_now, hist_wide, validity, pol, p, *, lang, max_drivers=3):
    now = ptd_now.set_index(["supervisor_id", "indicator"])["value"]
    rows = []
    at_risk = projections[projections["at_risk"]].sort_values(["supervisor_id", "p_miss", "result"],
                                                              ascending=[True, False, True])
    for _, pr in at_risk.iterrows():
        s, r = pr["supervisor_id"], pr["result"]
        drv = reasons.drivers_for(r, validity)
        cands = []
        for _, d in drv.iterrows():
            proc = d["process"]
            value = now.get((s, proc), np.nan)
            rule = rule_for(pol, proc, s, p.id) if proc in pol.indicators else None
            ref = rule_target(rule) if rule is not None else None
            kind = "target"
            if ref is None:
                own = hist_wide.loc[hist_wide["supervisor_id"] == s, proc] if proc in hist_wide else []
                ref = float(np.nanmean(own)) if len(own) and np.isfinite(own).any() else np.nan
                kind = "own_average"
            gap = reasons.behind(proc, float(value), float(ref))
            if gap > 0:
                cands.append((abs(d["coef"]) * gap, proc, value, ref, kind, d))
        cands.sort(key=lambda c: (-c[0], c[1]))
        for _, proc, value, ref, kind, d in cands[:max_drivers]:
            rows.append({"supervisor_id": s, "period": p.id, "as_of": pr["as_of"], "result": r,
                         "p_miss": pr["p_miss"], "projected": pr["projected"], "low": pr["low"],
                         "high": pr["high"], "target": pr["target"], "gap": pr["gap"],
                         "driver": proc, "driver_value": float(value), "driver_reference": float(ref),
                         "reference_kind": kind, "coef": float(d["coef"]),
                         "se": float(d["se"]) if "se" in d else np.nan,
                         "p_adj": float(d["p_adj"]), "verdict": d["verdict"],
                         "suggestion": reasons.suggestion(r, proc, float(value), float(ref), kind,
                                                          float(d["coef"]), p.kind, lang=lang)})
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)
