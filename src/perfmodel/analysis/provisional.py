"""Scores of a period, mid-period (provisional) or closed (final), indicator by indicator.

A mid-period page must compare like with like: a quarter's targets are period-end targets,
so part of a quarter is scored on the values it is expected to end with. For each weighted
indicator of the policy the value scored has a ``basis``:

- ``projected`` — the period-end projection of :func:`perfmodel.analysis.watch.watch` (the same
  numbers ``perfmodel watch`` prints for that as-of instant);
- ``to_date`` — no projection exists (process indicators, or a result without enough
  history): the period-to-date value, made comparable with a whole-period target. Counts
  that accumulate over the period (churn, staff turnover, promotions) are pro-rated to the
  whole period (value ÷ elapsed share); the cost budget is pro-rated by
  :func:`perfmodel.analysis.watch.period_to_date`; shares, means and medians are taken as they are;
- ``final`` — the period is closed: the indicator values ``perfmodel score`` uses.

:func:`score_table` is the one implementation of the per-indicator table (score, effective
weight, contribution); the contributions of a row sum to its total score.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfmodel.core.errors import UsageError
from perfmodel.core.periods import Period, parse_period
from perfmodel.analysis.watch.core import ACCUMULATING as PRO_RATED

SCORE_COLUMNS = ["supervisor_id", "period", "as_of", "indicator", "value", "basis", "score", "weight",
                 "contribution"]
BASES = ("projected", "to_date", "final")
FEEDBACK_SCORES = "feedback_scores.csv"  # in the run folder of a feedback report

# Counts that grow with the days elapsed (PRO_RATED): their share so far is pro-rated to the
# whole period, the same list watch uses to compare a value so far with a target.
# Already made comparable by perfmodel.analysis.watch.period_to_date (the budget is pro-rated there).
BUDGET_PRO_RATED = ("cost_control_rate",)


def _policy(policy):
    from perfmodel.scoring.policy import Policy, load_policy

    return policy if isinstance(policy, Policy) else load_policy(policy)


def score_table(panel: pd.DataFrame, policy) -> pd.DataFrame:
    """Per supervisor, period and weighted indicator: value, score, effective weight, contribution.

    ``weight`` is the dimension weight × the indicator's effective weight within its
    dimension (renormalised over the indicators present when the policy says
    ``missing: renormalize``), so ``contribution = weight × score`` and the contributions of
    a supervisor and period sum to the total of :func:`perfmodel.scoring.scores.score`.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel: ``supervisor_id``, ``period`` and one column per indicator id.
    policy : Policy, str or path
        A policy or what :func:`perfmodel.scoring.policy.load_policy` accepts.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period``, ``indicator``, ``value`` (NaN when missing),
        ``score`` (0…cap, NaN when missing), ``weight`` (0 for a missing indicator; NaN on
        rows without a total), ``contribution`` (``weight × score``; 0 when missing). Rows by
        period, supervisor_id, then policy order of the indicators.

    Examples
    --------
    S1: 0.3 × 75 + 0.3 × 100 + 0.4 × 90 = 88.5. S2 has no complaint resolution rate, so csat
    carries the whole result weight (0.6): 0.6 × 25 + 0.4 × 105.56 = 57.22, the totals of
    :func:`perfmodel.scoring.scores.score`:

    >>> from perfmodel.scoring.policy import policy_from_dict
    >>> from perfmodel.scoring.scores import score
    >>> policy = policy_from_dict({
    ...     "name": "东区试行", "version": "1", "dimensions": {"result": 0.6, "process": 0.4},
    ...     "indicators": {
    ...         "csat": {"dimension": "result", "weight": 0.5, "rule": "linear",
    ...                  "floor": 3.8, "target": 4.6},
    ...         "complaint_resolution_rate": {"dimension": "result", "weight": 0.5, "rule": "ratio",
    ...                                       "target": 0.8},
    ...         "timely_closure_rate": {"dimension": "process", "weight": 1.0, "rule": "ratio",
    ...                                 "target": 0.9}},
    ...     "ratings": {"bands": {"A": 85, "B": 70, "C": 0}}})
    >>> wide = pd.DataFrame({"supervisor_id": ["S1", "S2"], "period": "2026Q3", "csat": [4.4, 4.0],
    ...                      "complaint_resolution_rate": [0.8, None],
    ...                      "timely_closure_rate": [0.81, 0.95]})
    >>> table = score_table(wide, policy)
    >>> table[["supervisor_id", "indicator", "score", "weight", "contribution"]].round(2)
      supervisor_id                  indicator   score  weight  contribution
    0            S1                       csat   75.00     0.3         22.50
    1            S1  complaint_resolution_rate  100.00     0.3         30.00
    2            S1        timely_closure_rate   90.00     0.4         36.00
    3            S2                       csat   25.00     0.6         15.00
    4            S2  complaint_resolution_rate     NaN     0.0          0.00
    5            S2        timely_closure_rate  105.56     0.4         42.22
    >>> table.groupby("supervisor_id")["contribution"].sum().round(4).tolist()
    [88.5, 57.2222]
    >>> score(wide, policy)["score"].round(4).tolist()
    [88.5, 57.2222]
    """
    from perfmodel.scoring.scores import _combine, indicator_scores

    pol = _policy(policy)
    scores = indicator_scores(panel, pol)
    eff, _, _, _ = _combine(scores, pol)
    inds = pol.weighted_indicators
    values = panel.set_index(["supervisor_id", "period"])
    frames = []
    for j, ind in enumerate(inds):
        s = scores[ind].to_numpy(dtype=float)
        keys = pd.MultiIndex.from_frame(scores[["supervisor_id", "period"]])
        v = (values[ind].reindex(keys).to_numpy(dtype=float) if ind in values.columns
             else np.full(len(scores), np.nan))
        frames.append(pd.DataFrame({"supervisor_id": scores["supervisor_id"].to_numpy(),
                                    "period": scores["period"].to_numpy(), "indicator": ind,
                                    "value": v, "score": s, "weight": eff[:, j],
                                    "contribution": eff[:, j] * np.nan_to_num(s), "_order": j}))
    if not frames:
        return pd.DataFrame(columns=["supervisor_id", "period", "indicator", "value", "score", "weight",
                                     "contribution"])
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["period", "supervisor_id", "_order"], kind="mergesort")
    return out.drop(columns="_order").reset_index(drop=True)


def _is_closed(p: Period, as_of) -> bool:
    if as_of in (None, ""):
        return True
    from perfmodel.analysis.watch import as_of_timestamp

    return as_of_timestamp(as_of) >= p.end


def period_values(dataset, period, as_of=None, policy="efficiency", *, engine: str = "duckdb",
                  watch_result=None, panel=None) -> pd.DataFrame:
    """The value each weighted indicator is scored on, and its basis.

    Parameters
    ----------
    dataset : Dataset
        The loaded dataset (nothing stamped at or after ``as_of`` is used).
    period : str or Period
        The period scored.
    as_of : str or datetime-like, optional
        Mid-period instant, in ``(start, end]``; None, empty or ``end`` or later means the
        period is closed (basis ``final``).
    policy : Policy, str or path
        The scoring policy.
    engine : str
        Indicator engine.
    watch_result : WatchResult, optional
        The :func:`perfmodel.analysis.watch.watch` result of this period and as-of instant, when the
        caller has it; otherwise it is computed (through the watch cache).
    panel : pandas.DataFrame, optional
        The pipeline's long indicator panel, when the caller has it: a closed period is then
        scored on its values instead of computing them again (``dataset`` then needs only its
        ``supervisors`` and ``goals`` tables, as a folder checked in the engine keeps them).

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period``, ``as_of`` (ISO instant, "" when final),
        ``indicator``, ``value``, ``basis`` (``projected``, ``to_date`` or ``final``),
        ``method`` (how a ``to_date`` value is made comparable: ``pro_rated``,
        ``budget_pro_rated`` or ``as_measured``; "" otherwise). One row per supervisor of
        the supervisors table and weighted indicator.

    Examples
    --------
    A closed period is scored on the values ``perfmodel score`` uses (basis ``final``):

    >>> import tempfile
    >>> from perfmodel import load_dataset
    >>> from perfmodel.data.synth import generate
    >>> folder = tempfile.mkdtemp()
    >>> _ = generate(folder, seed=7, supervisors=2, start="2026Q2", end="2026Q3", tickets=40)
    >>> values = period_values(load_dataset(folder), "2026Q3", policy="efficiency")
    >>> values[["supervisor_id", "indicator", "value", "basis"]].head(3)
      supervisor_id                  indicator     value  basis
    0          S001                       csat  4.333333  final
    1          S001  complaint_resolution_rate  0.666667  final
    2          S001          cost_control_rate  1.225591  final
    """
    from perfmodel.pipeline import indicators_step
    from perfmodel.analysis.watch import cached_watch, check_as_of, cut_dataset

    pol = _policy(policy)
    p = parse_period(period) if not isinstance(period, Period) else period
    sups = sorted(dataset.tables["supervisors"]["supervisor_id"].astype(str))
    inds = list(pol.weighted_indicators)
    grid = pd.MultiIndex.from_product([sups, inds], names=["supervisor_id", "indicator"]).to_frame(index=False)
    if _is_closed(p, as_of):
        if panel is not None:  # the pipeline's values of the period: one path, one answer
            long = panel[(panel["period"].astype(str) == p.id) & panel["indicator"].isin(inds)]
        else:
            data = dataset if as_of in (None, "") else cut_dataset(dataset, as_of)
            from perfmodel.indicators import indicator_parameters

            long = indicators_step(data, [p.id], kind=p.kind, engine=engine, indicators=inds,
                                   parameters=indicator_parameters(pol))
        vals = long[["supervisor_id", "indicator", "value"]]
        out = grid.merge(vals, on=["supervisor_id", "indicator"], how="left")
        out["basis"], out["method"], out["as_of"] = "final", "", ""
    else:
        ts = check_as_of(p, as_of)
        res = watch_result if watch_result is not None else cached_watch(dataset, pol, period=p.id,
                                                                         as_of=ts, engine=engine)
        if res.period != p.id or pd.Timestamp(res.as_of) != ts:
            raise UsageError(f"watch result of {res.period} as of {res.as_of}: not {p.id} as of {ts}")
        ptd = res.period_to_date[["supervisor_id", "indicator", "value", "elapsed"]]
        out = grid.merge(ptd, on=["supervisor_id", "indicator"], how="left")
        elapsed = float((ts - p.start) / (p.end - p.start))
        acc = out["indicator"].isin(PRO_RATED)
        out.loc[acc, "value"] = out.loc[acc, "value"] / elapsed
        out["method"] = np.where(acc, "pro_rated",
                                 np.where(out["indicator"].isin(BUDGET_PRO_RATED), "budget_pro_rated",
                                          "as_measured"))
        out["basis"] = "to_date"
        proj = res.projections[["supervisor_id", "result", "projected"]].rename(columns={"result": "indicator"})
        proj = proj[np.isfinite(proj["projected"].astype(float))]
        out = out.merge(proj, on=["supervisor_id", "indicator"], how="left")
        has = out["projected"].notna()
        out.loc[has, "value"] = out.loc[has, "projected"].astype(float)
        out.loc[has, "basis"] = "projected"
        out.loc[has, "method"] = ""
        out["as_of"] = ts.isoformat()
        out = out.drop(columns=["projected", "elapsed"])
    out["period"] = p.id
    out["value"] = out["value"].astype(float)
    return out[["supervisor_id", "period", "as_of", "indicator", "value", "basis", "method"]]


def values_panel(values: pd.DataFrame) -> pd.DataFrame:
    """The wide panel (``supervisor_id``, ``period``, one column per indicator) of :func:`period_values`.

    Returns
    -------
    pandas.DataFrame
        One row per supervisor, sorted by supervisor_id.

    Examples
    --------
    >>> values = pd.DataFrame({"supervisor_id": ["S2", "S2", "S1", "S1"], "period": "2026Q3",
    ...                        "indicator": ["csat", "timely_closure_rate"] * 2,
    ...                        "value": [4.0, 0.95, 4.4, 0.81]})
    >>> values_panel(values)
      supervisor_id  period  csat  timely_closure_rate
    0            S1  2026Q3   4.4                 0.81
    1            S2  2026Q3   4.0                 0.95
    """
    w = values.pivot(index=["supervisor_id", "period"], columns="indicator", values="value").reset_index()
    w.columns.name = None
    return w.sort_values("supervisor_id", kind="mergesort").reset_index(drop=True)


def period_scores(dataset, period, as_of=None, policy="efficiency", *, engine: str = "duckdb",
                  watch_result=None, panel=None) -> pd.DataFrame:
    """Per-indicator scores of a period: provisional mid-period, final once it is closed.

    The values of :func:`period_values` scored with :func:`score_table`. Mid-period, a
    result indicator that ``perfmodel watch`` projects is scored on that projection; a
    closed period gives the scores of ``perfmodel score``.

    Parameters
    ----------
    dataset, period, as_of, policy, engine, watch_result, panel
        As for :func:`period_values`.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period``, ``as_of``, ``indicator``, ``value``, ``basis``,
        ``score``, ``weight``, ``contribution`` (see :func:`score_table`); per supervisor the
        contributions sum to the total score. Rows by supervisor_id, then policy order.

    Examples
    --------
    Once the period is closed the totals are those of the pipeline (``perfmodel score``):

    >>> import tempfile
    >>> from perfmodel import load_dataset
    >>> from perfmodel.data.synth import generate
    >>> from perfmodel.pipeline import run_pipeline
    >>> folder = tempfile.mkdtemp()
    >>> _ = generate(folder, seed=7, supervisors=2, start="2026Q2", end="2026Q3", tickets=40)
    >>> ds = load_dataset(folder)
    >>> totals(period_scores(ds, "2026Q3", policy="efficiency"))
      supervisor_id  period      score
    0          S001  2026Q3  80.640768
    1          S002  2026Q3  72.215751
    >>> run = run_pipeline(ds, "efficiency", period="2026Q3")
    >>> run.scores_of()[["supervisor_id", "score"]]
      supervisor_id      score
    0          S001  80.640768
    1          S002  72.215751

    Given the pipeline's panel, a closed period is scored on its values, not computed again:

    >>> period_scores(ds, "2026Q3", policy="efficiency", panel=run.panel).equals(
    ...     period_scores(ds, "2026Q3", policy="efficiency"))
    True
    """
    from perfmodel.scoring.goals import bind_goals, goals_table

    pol = bind_goals(_policy(policy), goals_table(dataset))  # as the pipeline does: agreed goals apply
    values = period_values(dataset, period, as_of, pol, engine=engine, watch_result=watch_result, panel=panel)
    table = score_table(values_panel(values), pol)
    out = values[["supervisor_id", "period", "as_of", "indicator", "basis"]].merge(
        table, on=["supervisor_id", "period", "indicator"], how="left")
    return out[SCORE_COLUMNS].reset_index(drop=True)


def totals(scores: pd.DataFrame) -> pd.DataFrame:
    """The total score of each supervisor and period of a :func:`period_scores` table.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period``, ``score`` (Σ contribution; NaN when a weight is NaN,
        i.e. the total is undefined).

    Examples
    --------
    A missing weight makes the total undefined:

    >>> scores = pd.DataFrame({"supervisor_id": ["S1", "S1", "S2", "S2"], "period": "2026Q3",
    ...                        "contribution": [22.5, 36.0, 15.0, 0.0],
    ...                        "weight": [0.6, 0.4, 0.6, float("nan")]})
    >>> totals(scores)
      supervisor_id  period  score
    0            S1  2026Q3   58.5
    1            S2  2026Q3    NaN
    """
    g = scores.groupby(["supervisor_id", "period"], sort=True)
    out = g["contribution"].sum().rename("score").reset_index()
    undefined = g["weight"].apply(lambda w: w.isna().any()).to_numpy()
    out.loc[undefined, "score"] = np.nan
    return out


def write_scores(scores: pd.DataFrame, path) -> None:
    """Write a :func:`period_scores` table as UTF-8 CSV, byte for byte the same for the same inputs.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> scores = pd.DataFrame({"supervisor_id": ["S1"], "period": "2026Q3",
    ...                        "as_of": "2026-08-15T00:00:00", "indicator": ["csat"],
    ...                        "value": [4.4], "basis": ["projected"], "score": [75.0],
    ...                        "weight": [0.3], "contribution": [22.5]})
    >>> path = Path(tempfile.mkdtemp()) / FEEDBACK_SCORES
    >>> write_scores(scores, path)
    >>> print(path.read_text(encoding="utf-8"), end="")
    supervisor_id,period,as_of,indicator,value,basis,score,weight,contribution
    S1,2026Q3,2026-08-15T00:00:00,csat,4.4,projected,75,0.3,22.5
    """
    from perfmodel.core.atomic import write_atomic

    text = scores[SCORE_COLUMNS].to_csv(index=False, lineterminator="\n", float_format="%.10g")
    write_atomic(path, text.encode("utf-8"))
