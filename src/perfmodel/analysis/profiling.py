"""Judging small teams fairly: funnel plots and empirical-Bayes shrinkage of rates.

A supervisor with 8 complaints who resolved 5 has a 62.5 % resolution rate; one with 400
who resolved 250 has the same rate but far more evidence. :func:`funnel` says whether a
rate is outside what chance alone would give at its denominator (control limits around the
pooled rate, widened for over-dispersion), and :func:`shrink_rates` pulls each rate towards
the pooled one in proportion to how little evidence it rests on (beta-binomial empirical
Bayes). :func:`perfmodel.reporting.plotting.funnel_plot` draws the funnel.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import special
from scipy import stats as sps

from perfmodel.core import catalogue
from perfmodel.core.errors import UsageError

LEVELS = (0.95, 0.998)

def _level_tag(level: float) -> str:
    """0.95 -> '95', 0.998 -> '998' (column suffix)."""
    return f"{level * 100:g}".replace(".", "")


def _rates(long: pd.DataFrame, indicator: str, period, *, entity: str) -> tuple[pd.DataFrame, str]:
    """Numerator and denominator per supervisor (summed over the periods asked for)."""
    need = {entity, "period", "indicator", "numerator", "denominator"}
    missing = need - set(long.columns)
    if missing:
        raise UsageError(f"the indicator table lacks column(s) {sorted(missing)}; pass the long "
                         "table of compute_indicators")
    sub = long[long["indicator"] == indicator]
    if sub.empty:
        raise UsageError(f"indicator {indicator!r} is not in the indicator table")
    if period is not None:
        periods = [period] if isinstance(period, str) else list(period)
        sub = sub[sub["period"].astype(str).isin(periods)]
        if sub.empty:
            raise UsageError(f"indicator {indicator!r} has no rows for period(s) {', '.join(periods)}")
    if "available" in sub.columns:
        sub = sub[sub["available"].fillna(False).astype(bool)]
    num = pd.to_numeric(sub["numerator"], errors="coerce")
    den = pd.to_numeric(sub["denominator"], errors="coerce")
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    sub = sub.assign(numerator=num, denominator=den)[ok]
    if sub.empty:
        raise UsageError(f"indicator {indicator!r} has no supervisor with a positive denominator")
    if ((sub["numerator"] < 0) | (sub["numerator"] > sub["denominator"] + 1e-9)).any():
        raise UsageError(f"indicator {indicator!r} is not a rate (numerator outside 0..denominator); "
                         "funnel plots and shrinkage need a share such as complaint_resolution_rate")
    ps = sorted(sub["period"].astype(str).unique())
    label = ps[0] if len(ps) == 1 else f"{ps[0]}..{ps[-1]}"
    agg = (sub.groupby(entity, sort=True)
           .agg(numerator=("numerator", "sum"), denominator=("denominator", "sum"),
                n_periods=("period", "nunique"))
           .reset_index())
    agg["rate"] = agg["numerator"] / agg["denominator"]
    return agg, label


def funnel(long: pd.DataFrame, indicator: str, period=None, *, levels=LEVELS,
           overdispersion: str | None = "multiplicative", winsor: float = 0.1,
           entity: str = "supervisor_id") -> pd.DataFrame:
    """Funnel-plot control limits for a rate indicator, one row per supervisor.

    Parameters
    ----------
    long : pandas.DataFrame
        Long indicator table (``supervisor_id``, ``period``, ``indicator``, ``value``,
        ``numerator``, ``denominator``, ``available``), as from
        :func:`perfmodel.indicators.compute_indicators`.
    indicator : str
        A rate (share) indicator, e.g. ``complaint_resolution_rate``.
    period : str or list of str, optional
        Period(s) to use; with several, numerators and denominators are summed per
        supervisor. Default: every period in ``long``.
    levels : tuple of float
        Two-sided coverage of the control limits (default 95 % and 99.8 %).
    overdispersion : {"multiplicative", "additive", None}
        ``multiplicative``: inflate the binomial variance by phi, the mean of the squared
        winsorised z-scores (applied only when phi > 1). ``additive``: add a between-
        supervisor variance tau^2 (DerSimonian-Laird on the winsorised z-scores). None: pure
        binomial limits.
    winsor : float
        Share winsorised at each end of the z-scores when estimating over-dispersion.
    entity : str
        Supervisor column.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``numerator``, ``denominator``, ``n_periods``, ``rate``, ``target``
        (pooled rate sum(numerator) / sum(denominator)), ``lower_95``, ``upper_95``,
        ``lower_998``, ``upper_998`` (one pair per level, clipped to [0, 1]), ``z`` (the
        over-dispersion-adjusted z-score), ``flag`` (``above 99.8%``, ``above 95%``,
        ``within``, ``below 95%``, ``below 99.8%``), ``signal`` (``better`` / ``worse`` for a
        flag outside the 99.8 % limits, by the catalogue direction, else empty), ``phi``,
        ``tau2``, ``method``, ``indicator``, ``period``.

    Notes
    -----
    Limits at level L for denominator n: target +- z_{(1+L)/2} * sqrt(phi * p(1-p)/n)
    (multiplicative) or target +- z * sqrt(p(1-p)/n + tau^2) (additive), p the target.

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24, 1185-1202. Spiegelhalter, D. J. (2005). Handling
    over-dispersion of performance indicators. Quality and Safety in Health Care 14, 347-351.

    Examples
    --------
    The pooled rate is 183 / 220 = 0.8318; for S4 (n = 50) the binomial standard error is
    √(0.8318 × 0.1682 / 50) = 0.0529, so z = (0.6 − 0.8318) / 0.0529 = −4.38:

    >>> from perfmodel.indicators.demo import demo_rates
    >>> long = demo_rates()  # 45/50, 18/20, 90/100 and 30/50 complaints resolved
    >>> f = funnel(long, "complaint_resolution_rate", overdispersion=None)
    >>> f[["supervisor_id", "rate", "target", "lower_95", "upper_95", "z", "flag", "signal"]].round(4)
      supervisor_id  rate  target  lower_95  upper_95       z         flag signal
    0            S1   0.9  0.8318    0.7281    0.9355  1.2890       within
    1            S2   0.9  0.8318    0.6679    0.9957  0.8152       within
    2            S3   0.9  0.8318    0.7585    0.9051  1.8229       within
    3            S4   0.6  0.8318    0.7281    0.9355 -4.3826  below 99.8%  worse
    """
    if overdispersion not in ("multiplicative", "additive", None):
        raise UsageError(f"overdispersion={overdispersion!r}: use 'multiplicative', 'additive' or None")
    agg, label = _rates(long, indicator, period, entity=entity)
    p0 = agg["numerator"].sum() / agg["denominator"].sum()
    n = agg["denominator"].to_numpy(dtype=float)
    var = p0 * (1 - p0) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (agg["rate"].to_numpy() - p0) / np.sqrt(var)
    phi, tau2 = 1.0, 0.0
    k = len(agg)
    if overdispersion and k >= 3 and 0 < p0 < 1:
        lo, hi = np.quantile(z, [winsor, 1 - winsor])
        zw = np.clip(z, lo, hi)
        if overdispersion == "multiplicative":
            phi = max(float(np.mean(zw ** 2)), 1.0)
        else:
            w = 1 / var
            tau2 = max(0.0, float((np.sum(zw ** 2) - (k - 1)) / (w.sum() - (w ** 2).sum() / w.sum())))
    total = phi * var + tau2
    out = agg.copy()
    out["target"] = p0
    flag = np.full(k, "within", dtype=object)
    for level in sorted(levels):
        q = sps.norm.ppf(0.5 + level / 2)
        tag = _level_tag(level)
        lower = np.clip(p0 - q * np.sqrt(total), 0, 1)
        upper = np.clip(p0 + q * np.sqrt(total), 0, 1)
        out[f"lower_{tag}"], out[f"upper_{tag}"] = lower, upper
        pct = f"{level * 100:g}%"
        flag = np.where(out["rate"] > upper, f"above {pct}", np.where(out["rate"] < lower, f"below {pct}", flag))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["z"] = (out["rate"] - p0) / np.sqrt(total)
    out["flag"] = flag
    top = f"{max(levels) * 100:g}%"
    try:
        higher_better = catalogue.direction(indicator) == "higher"
    except KeyError:
        higher_better = True
    out["signal"] = np.select(
        [out["flag"] == f"above {top}", out["flag"] == f"below {top}"],
        ["better" if higher_better else "worse", "worse" if higher_better else "better"], "")
    out["phi"], out["tau2"] = phi, tau2
    out["method"] = overdispersion or "binomial"
    out["indicator"], out["period"] = indicator, label
    return out.reset_index(drop=True)


def _betabinom_negll(params, k, n):
    a, b = np.exp(params)
    return -np.sum(special.betaln(k + a, n - k + b) - special.betaln(a, b))


def fit_beta_binomial(k, n, method: str = "mle") -> tuple[float, float]:
    """Fit the beta prior (alpha, beta) of a beta-binomial model to counts ``k`` of ``n``.

    Parameters
    ----------
    k, n : array-like
        Successes and trials per supervisor.
    method : {"mle", "mom"}
        Maximum likelihood (the default) or the method of moments.

    Returns
    -------
    (alpha, beta) : tuple of float
        ``alpha + beta`` is ``inf`` when the rates vary no more than binomial noise (no
        between-supervisor variation: every rate shrinks to the pooled one).

    Notes
    -----
    Method of moments with unequal n: with mu the pooled rate Σk / Σn, v the variance
    (ddof=1) of the rates and h the mean of 1/n, the intra-class correlation is
    rho = (v / (mu (1 - mu)) - h) / (1 - h), and alpha + beta = 1/rho - 1.

    Examples
    --------
    By moments: mu = 183/220 = 0.8318, v = 0.0225 (rates .9, .9, .9, .6), h = 0.025, so
    rho = (0.0225 / 0.1399 − 0.025) / 0.975 = 0.1393 and alpha + beta = 6.178:

    >>> import numpy as np
    >>> k, n = np.array([45, 18, 90, 30]), np.array([50, 20, 100, 50])
    >>> [round(float(x), 3) for x in fit_beta_binomial(k, n, "mom")]
    [5.139, 1.039]

    The maximum-likelihood prior; scipy's beta-binomial likelihood is lower around it:

    >>> a, b = fit_beta_binomial(k, n)
    >>> round(a, 2), round(b, 2)
    (10.35, 2.26)
    >>> from scipy.stats import betabinom
    >>> def loglik(a, b):
    ...     return betabinom.logpmf(k, n, a, b).sum()
    >>> all(loglik(a, b) > loglik(a * f, b * g) for f in (0.99, 1.01) for g in (0.99, 1, 1.01))
    True
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    r = k / n
    mu = k.sum() / n.sum()
    if not 0 < mu < 1 or len(k) < 2:
        return (np.inf, np.inf)
    v = r.var(ddof=1)
    h = np.mean(1 / n)
    rho = (v / (mu * (1 - mu)) - h) / (1 - h) if h < 1 else 0.0
    if method == "mom":
        if rho <= 0:
            return (np.inf, np.inf)
        s = 1 / rho - 1
        return (mu * s, (1 - mu) * s)
    if method != "mle":
        raise UsageError(f"method={method!r}: use 'mle' or 'mom'")
    s0 = 1 / rho - 1 if 0 < rho < 1 else 100.0
    x0 = np.log([mu * s0, (1 - mu) * s0])
    res = optimize.minimize(_betabinom_negll, x0, args=(k, n), method="L-BFGS-B",
                            bounds=[(-12, 16), (-12, 16)], options={"ftol": 1e-15, "gtol": 1e-10})
    a, b = np.exp(res.x)
    # the likelihood keeps rising as alpha + beta -> inf when there is no over-dispersion
    if a + b > 1e6:
        return (np.inf, np.inf)
    return (float(a), float(b))


def shrink_rates(long: pd.DataFrame, indicator: str, period=None, *, method: str = "mle",
                 ci: float = 0.95, prior: tuple[float, float] | None = None,
                 entity: str = "supervisor_id") -> pd.DataFrame:
    """Empirical-Bayes (beta-binomial) shrinkage of a rate indicator per supervisor.

    Parameters
    ----------
    long : pandas.DataFrame
        Long indicator table with ``numerator`` and ``denominator``.
    indicator : str
        A rate (share) indicator.
    period : str or list of str, optional
        Period(s) to use (summed per supervisor); default all.
    method : {"mle", "mom"}
        How the beta prior is fitted across supervisors.
    ci : float
        Level of the equal-tailed credible interval.
    prior : (alpha, beta), optional
        Use this prior instead of fitting one.
    entity : str
        Supervisor column.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``numerator``, ``denominator``, ``n_periods``, ``rate`` (raw),
        ``posterior_mean``, ``ci_low``, ``ci_high`` (credible interval of the supervisor's
        true rate), ``shrinkage`` (weight on the prior mean, (alpha+beta)/(alpha+beta+n)),
        ``prior_alpha``, ``prior_beta``, ``prior_mean``, ``method``, ``indicator``, ``period``.

    Notes
    -----
    The posterior of a supervisor with k successes out of n is Beta(alpha + k, beta + n - k);
    its mean is (alpha + k) / (alpha + beta + n). With no over-dispersion the prior is a
    point mass at the pooled rate and every supervisor gets the pooled rate (shrinkage 1,
    interval of zero width).

    References
    ----------
    Efron, B. and Morris, C. (1975). Data analysis using Stein's estimator and its
    generalizations. JASA 70, 311-319. Gelman et al., Bayesian Data Analysis, 3rd ed., ch. 5.

    Examples
    --------
    With a Beta(8, 2) prior, S2 (18 of 20) has posterior mean (8 + 18) / (10 + 20) = 0.8667
    and shrinkage 10 / 30 = 0.3333; S3, with five times the cases, moves less:

    >>> from perfmodel.indicators.demo import demo_rates
    >>> long = demo_rates()  # 45/50, 18/20, 90/100 and 30/50 complaints resolved
    >>> s = shrink_rates(long, "complaint_resolution_rate", prior=(8, 2))
    >>> s[["supervisor_id", "rate", "posterior_mean", "ci_low", "ci_high", "shrinkage"]].round(4)
      supervisor_id  rate  posterior_mean  ci_low  ci_high  shrinkage
    0            S1   0.9          0.8833  0.7917   0.9509     0.1667
    1            S2   0.9          0.8667  0.7265   0.9611     0.3333
    2            S3   0.9          0.8909  0.8266   0.9418     0.0909
    3            S4   0.6          0.6333  0.5087   0.7496     0.1667
    """
    agg, label = _rates(long, indicator, period, entity=entity)
    k = agg["numerator"].to_numpy(dtype=float)
    n = agg["denominator"].to_numpy(dtype=float)
    if prior is not None:
        a, b = map(float, prior)
        how = "given"
    else:
        a, b = fit_beta_binomial(k, n, method)
        how = method
    out = agg.copy()
    if np.isinf(a):
        mu = k.sum() / n.sum()
        out["posterior_mean"], out["ci_low"], out["ci_high"] = mu, mu, mu
        out["shrinkage"] = 1.0
        prior_mean = mu
    else:
        pa, pb = a + k, b + n - k
        out["posterior_mean"] = pa / (pa + pb)
        out["ci_low"] = sps.beta.ppf((1 - ci) / 2, pa, pb)
        out["ci_high"] = sps.beta.ppf((1 + ci) / 2, pa, pb)
        out["shrinkage"] = (a + b) / (a + b + n)
        prior_mean = a / (a + b)
    out["prior_alpha"], out["prior_beta"], out["prior_mean"] = a, b, prior_mean
    out["method"], out["indicator"], out["period"] = how, indicator, label
    return out.reset_index(drop=True)


def __getattr__(name):
    # funnel_plot moved to perfmodel.reporting.plotting beside the other charts; the old
    # name works for one more version.
    if name == "funnel_plot":
        import importlib
        import warnings

        warnings.warn("perfmodel.profiling.funnel_plot is now perfmodel.reporting.plotting.funnel_plot",
                      DeprecationWarning, stacklevel=2)
        return importlib.import_module("perfmodel.reporting.plotting").funnel_plot
    raise AttributeError(f"module 'perfmodel.analysis.profiling' has no attribute {name!r}")
