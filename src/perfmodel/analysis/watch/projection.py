"""Projecting a result indicator to the end of the period, with an interval and a risk.

The method is deliberately small, and it is fitted on the dataset's own history:

1. **Prior** ``m`` — what the supervisor's history says about this period: the mean of
   their earlier period-end values, moved by the lagged process effects that predictive
   validity found (``coef`` × how far last period's process value lies from the
   supervisor's own usual level). Without any own history, the mean of every supervisor in
   the latest earlier period.
2. **Shrinkage** ``z = (n·x + k0·m) / (n + k0)`` — the period-to-date value ``x`` weighed
   by its denominator ``n`` (surveys, tickets, customers ...) against the prior.
3. **Calibration** ``y = a + b·z + c·m`` — ordinary least squares on earlier periods
   replayed at the same point of their own period (same days elapsed), which also
   removes the known lean of period-to-date values (churn and cost accumulate; recent
   complaints are not yet resolved). ``k0`` is chosen on a grid by the smallest residual
   sum of squares.
4. **Predictive distribution** — Student t with ``N - 3`` degrees of freedom and scale
   ``sigma·sqrt(1 + leverage)``, ``sigma`` the residual standard deviation of the fit.

The probability of missing a target respects the indicator direction: for a
higher-is-better indicator a miss is a period-end value below the target; for a
lower-is-better one, above it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _st

MIN_ROWS = 12  # fewer replayed supervisor-periods than this: no projection
K0_GRID = (0.0, 0.0625, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, np.inf)  # x median n


@dataclass(frozen=True)
class Fit:
    """A fitted projection for one result indicator.

    Attributes
    ----------
    k0 : float
        Prior strength in units of the denominator (``inf`` = the period-to-date value
        carries no weight).
    coef : numpy.ndarray
        ``a, b, c`` of ``y = a + b·z + c·m``.
    sigma : float
        Residual standard deviation.
    df : int
        Residual degrees of freedom.
    xtx_inv : numpy.ndarray
        ``(X'X)^-1`` of the fit, for the leverage of a new row.
    n_rows : int
        Replayed supervisor-periods used.
    """

    k0: float
    coef: np.ndarray
    sigma: float
    df: int
    xtx_inv: np.ndarray
    n_rows: int


def prior_means(wide: pd.DataFrame, result: str, drivers: dict[str, float],
                periods: list[str]) -> pd.DataFrame:
    """History-based prior of a result indicator for each supervisor and period.

    Parameters
    ----------
    wide : pandas.DataFrame
        Period-end values: ``supervisor_id``, ``period`` and one column per indicator,
        for completed periods only.
    result : str
        The result indicator.
    drivers : dict
        Process indicator -> lag-1 coefficient (result change per unit of the process
        indicator in the previous period, within a supervisor).
    periods : list of str
        The periods to give a prior for, in time order (a period may be absent from
        ``wide``: the one in progress).

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period``, ``prior`` (NaN when nothing is known), ``n_hist``
        (own earlier periods with a value; 0 means the prior is the latest cross-section
        mean), ``lag_adjustment`` (the part of ``prior`` due to the lagged drivers).

    Examples
    --------
    S1's csat prior for 2026Q4 is the mean of its three quarters, 4.2; with a lag-1 effect of
    2.0 per unit of compliance, S1's 0.97 in 2026Q3 lies 0.045 above its usual 0.925 (the
    compliance before its earlier quarters), which adds 0.09:

    >>> wide = pd.DataFrame({"supervisor_id": ["S1"] * 3 + ["S2"] * 2,
    ...                      "period": ["2026Q1", "2026Q2", "2026Q3", "2026Q2", "2026Q3"],
    ...                      "csat": [4.0, 4.2, 4.4, 3.8, 4.0],
    ...                      "compliance_rate": [0.90, 0.95, 0.97, 0.92, 0.90]})
    >>> prior_means(wide, "csat", {}, ["2026Q3", "2026Q4"])
      supervisor_id  period  prior  n_hist  lag_adjustment
    0            S1  2026Q3    4.1       2             0.0
    1            S2  2026Q3    3.8       1             0.0
    2            S1  2026Q4    4.2       3             0.0
    3            S2  2026Q4    3.9       2             0.0
    >>> prior_means(wide, "csat", {"compliance_rate": 2.0}, ["2026Q4"]).round(6)
      supervisor_id  period  prior  n_hist  lag_adjustment
    0            S1  2026Q4   4.29       3            0.09
    1            S2  2026Q4   3.86       2           -0.04
    """
    order = sorted(set(wide["period"]).union(periods))
    pos = {p: i for i, p in enumerate(order)}
    sups = sorted(set(wide["supervisor_id"]))
    row_of = {s: i for i, s in enumerate(sups)}
    ri = wide["supervisor_id"].map(row_of).to_numpy()
    ci = wide["period"].map(pos).to_numpy()

    def dense(col):
        a = np.full((len(sups), len(order)), np.nan)
        if col in wide.columns:
            a[ri, ci] = wide[col].to_numpy(dtype=float)
        return a

    y = dense(result)
    lagged = {d: np.column_stack([np.full(len(sups), np.nan), dense(d)[:, :-1]])
              for d, beta in drivers.items() if d in wide.columns and np.isfinite(beta)}
    frames = []
    for q in periods:
        qi = pos[q]
        hist = y[:, :qi]
        has = np.isfinite(hist)
        n_hist = has.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            prior = np.where(n_hist > 0, np.nansum(hist, axis=1) / np.maximum(n_hist, 1), np.nan)
            adj = np.zeros(len(sups))
            for d, lag in lagged.items():
                now = lag[:, qi]
                past = np.where(has, lag[:, :qi], np.nan)
                n_past = np.isfinite(past).sum(axis=1)
                mean_past = np.nansum(past, axis=1) / np.maximum(n_past, 1)
                ok = np.isfinite(now) & (n_past > 0)
                adj += np.where(ok, drivers[d] * (now - mean_past), 0.0)
        counts = has.sum(axis=0)
        cross = np.nansum(hist, axis=0)[counts > 0] / counts[counts > 0]
        fallback = float(cross[-1]) if len(cross) else np.nan
        frames.append(pd.DataFrame({
            "supervisor_id": sups, "period": q,
            "prior": np.where(n_hist > 0, prior + adj, fallback),
            "n_hist": n_hist.astype(int), "lag_adjustment": np.where(n_hist > 0, adj, 0.0)}))
    if not frames:
        return pd.DataFrame(columns=["supervisor_id", "period", "prior", "n_hist", "lag_adjustment"])
    return pd.concat(frames, ignore_index=True)


def _design(x, n, m, k0):
    x = np.asarray(x, float)
    n = np.asarray(n, float)
    m = np.asarray(m, float)
    has_x = np.isfinite(x) & np.isfinite(n) & (n > 0)
    if np.isinf(k0):
        z = m.copy()
    else:
        w = np.where(has_x, n / (n + k0) if k0 > 0 else 1.0, 0.0)
        z = np.where(has_x, w * np.where(has_x, x, 0.0) + (1 - w) * m, m)
    return np.column_stack([np.ones_like(z), z, m])


def fit_projection(rows: pd.DataFrame) -> Fit | None:
    """Fit the projection of one result indicator on replayed earlier periods.

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per supervisor and earlier period with ``x`` (period-to-date value at the
        same point of that period), ``n`` (its denominator), ``m`` (prior) and ``y`` (the
        period-end value).

    Returns
    -------
    Fit or None
        None when fewer than ``MIN_ROWS`` rows have both a prior and a period-end value.

    Examples
    --------
    With a denominator of 30 for every row the best prior strength is 0 (the value so far is
    taken as it is), and the coefficients are those of ordinary least squares:

    >>> rng = np.random.default_rng(0)
    >>> m = np.linspace(3.8, 4.6, 20)
    >>> x = m + rng.normal(0, 0.1, 20)
    >>> y = 0.2 + 0.7 * x + 0.25 * m + rng.normal(0, 0.03, 20)
    >>> rows = pd.DataFrame({"x": x, "n": 30.0, "m": m, "y": y})
    >>> fit = fit_projection(rows)
    >>> fit.k0, fit.coef.round(4), fit.df, fit.n_rows
    (0.0, array([0.1477, 0.7072, 0.2557]), 17, 20)
    >>> np.linalg.lstsq(np.column_stack([np.ones(20), x, m]), y, rcond=None)[0].round(4)
    array([0.1477, 0.7072, 0.2557])
    >>> fit_projection(rows.head(MIN_ROWS - 1)) is None
    True
    """
    ok = rows[np.isfinite(rows["y"].astype(float)) & np.isfinite(rows["m"].astype(float))]
    if len(ok) < MIN_ROWS:
        return None
    y = ok["y"].to_numpy(float)
    n_pos = ok["n"].astype(float)
    med = float(n_pos[n_pos > 0].median()) if (n_pos > 0).any() else 1.0
    best = None
    for g in K0_GRID:
        k0 = g * med if np.isfinite(g) else np.inf
        X = _design(ok["x"], ok["n"], ok["m"], k0)
        beta, *_ = np.linalg.lstsq(X, y, rcond=None)
        sse = float(np.sum((y - X @ beta) ** 2))
        if best is None or sse < best[0] - 1e-12:
            best = (sse, k0, beta, X)
    sse, k0, beta, X = best
    dof = len(y) - X.shape[1]
    return Fit(k0=k0, coef=beta, sigma=float(np.sqrt(sse / dof)) if dof > 0 else np.nan, df=int(dof),
               xtx_inv=np.linalg.pinv(X.T @ X), n_rows=int(len(y)))


def predict(fit: Fit, x, n, m, level: float = 0.8) -> pd.DataFrame:
    """Period-end prediction from a :class:`Fit`.

    Returns
    -------
    pandas.DataFrame
        ``projected`` (mean), ``sd`` (predictive scale), ``low`` and ``high`` (central
        ``level`` interval), aligned with the inputs.

    Examples
    --------
    Without a value so far the projection rests on the prior: 0.1477 + (0.7072 + 0.2557) × 4.2:

    >>> rng = np.random.default_rng(0)
    >>> m = np.linspace(3.8, 4.6, 20)
    >>> x = m + rng.normal(0, 0.1, 20)
    >>> rows = pd.DataFrame({"x": x, "n": 30.0, "m": m,
    ...                      "y": 0.2 + 0.7 * x + 0.25 * m + rng.normal(0, 0.03, 20)})
    >>> predict(fit_projection(rows), [4.3, np.nan], [30, 0], [4.2, 4.2]).round(4)
       projected     sd     low    high
    0     4.2627  0.024  4.2307  4.2948
    1     4.1920  0.023  4.1613  4.2227
    """
    X = _design(x, n, m, fit.k0)
    mean = X @ fit.coef
    lev = np.einsum("ij,jk,ik->i", X, fit.xtx_inv, X)
    sd = fit.sigma * np.sqrt(1.0 + lev)
    q = _st.t.ppf(0.5 + level / 2, fit.df)
    out = pd.DataFrame({"projected": mean, "sd": sd, "low": mean - q * sd, "high": mean + q * sd})
    out[~np.isfinite(np.asarray(m, float))] = np.nan
    return out


def p_miss(mean, sd, df, target, direction: str):
    """Probability that the period-end value misses ``target``.

    A miss is a value below the target when higher is better (``direction == "higher"``)
    and above it when lower is better, under a Student t with ``df`` degrees of freedom,
    location ``mean`` and scale ``sd``.

    Returns
    -------
    numpy.ndarray
        Probabilities in [0, 1] (NaN where the mean, scale or target is missing).

    Examples
    --------
    A csat projected at 4.0 ± 0.2 against a target of 4.3 misses with probability
    P(t₁₀ < 1.5); a churn rate projected at 0.02 ± 0.01 against 0.03, P(t₁₀ > 1):

    >>> p_miss(np.array([4.0, 4.4, np.nan]), np.array([0.2, 0.2, 0.2]), 10,
    ...        np.array([4.3, 4.3, 4.3]), "higher").round(4).tolist()
    [0.9177, 0.3139, nan]
    >>> from scipy import stats
    >>> round(float(stats.t.cdf(1.5, 10)), 4), round(float(stats.t.sf(1.0, 10)), 4)
    (0.9177, 0.1704)
    >>> p_miss(np.array([0.02]), np.array([0.01]), 10, np.array([0.03]), "lower").round(4).tolist()
    [0.1704]
    """
    mean = np.asarray(mean, float)
    sd = np.asarray(sd, float)
    t = (np.asarray(target, float) - mean) / np.where(sd > 0, sd, np.nan)
    below = _st.t.cdf(t, df)
    return below if direction == "higher" else 1.0 - below




def projection_weights(fit: Fit, x, n, scale: float = 1.0) -> pd.DataFrame:
    """How a projection mixes the value so far, the supervisor's history and a usual level.

    With ``y = a + b·z + c·m`` and ``z = w·x + (1 − w)·m``, ``w = n / (n + k0)``, and the
    value so far made comparable with a whole-period value as ``x' = x / scale`` (a count
    that accumulates: ``scale`` is the elapsed share of the period), the projection is the
    weighted mean ``y = ws·x' + wh·m + wu·u`` with ``ws = b·w·scale``,
    ``wh = b·(1 − w) + c``, ``wu = 1 − ws − wh`` and ``u = a / wu``: ``u`` is the level
    that earlier periods' values moved toward by their end.

    Returns
    -------
    pandas.DataFrame
        ``weight_so_far`` (``ws``; 0 when nothing was measured so far),
        ``weight_history`` (``wh``), ``weight_usual`` (``wu``) and ``usual`` (``u``; NaN
        when ``wu`` is 0 within 1e-6), aligned with the inputs.

    Examples
    --------
    The weights of the value so far, the history and the usual level add up to one:

    >>> rng = np.random.default_rng(0)
    >>> m = np.linspace(3.8, 4.6, 20)
    >>> x = m + rng.normal(0, 0.1, 20)
    >>> rows = pd.DataFrame({"x": x, "n": 30.0, "m": m,
    ...                      "y": 0.2 + 0.7 * x + 0.25 * m + rng.normal(0, 0.03, 20)})
    >>> weights = projection_weights(fit_projection(rows), [4.3, np.nan], [30, 0])
    >>> weights.round(4)
       weight_so_far  weight_history  weight_usual   usual
    0         0.7072          0.2557        0.0371  3.9842
    1         0.0000          0.9629        0.0371  3.9842
    >>> weights[["weight_so_far", "weight_history", "weight_usual"]].sum(axis=1).round(12).tolist()
    [1.0, 1.0]
    """
    x = np.asarray(x, float)
    n = np.asarray(n, float)
    has_x = np.isfinite(x) & np.isfinite(n) & (n > 0)
    if np.isinf(fit.k0):
        w = np.zeros(len(x))
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(has_x, n / (n + fit.k0) if fit.k0 > 0 else 1.0, 0.0)
    a, b, c = (float(v) for v in fit.coef)
    ws = b * w * float(scale)
    wh = b * (1 - w) + c
    wu = 1.0 - ws - wh
    with np.errstate(invalid="ignore", divide="ignore"):
        usual = np.where(np.abs(wu) > 1e-6, a / np.where(wu == 0, 1.0, wu), np.nan)
    return pd.DataFrame({"weight_so_far": ws, "weight_history": wh, "weight_usual": wu, "usual": usual})
