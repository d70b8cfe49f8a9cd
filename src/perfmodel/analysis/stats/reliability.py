"""How reliably an indicator measures the supervisor: ICC(1), rank stability, Cronbach's alpha."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from perfmodel.core.deprecation import keyword_only
from perfmodel.core.errors import UsageError
from perfmodel.core.result import ResultFrame
from perfmodel.analysis.stats._panel import indicator_columns, period_positions


class ReliabilityTable(ResultFrame):
    """What :func:`reliability` returns: its tidy table (a DataFrame) and a
    :class:`perfmodel.core.result.Result`."""

    title = "Reliability of the indicators (ICC(1), rank stability)"


class CronbachAlpha(ResultFrame):
    """What :func:`cronbach_alpha` returns: its one-row table (a DataFrame) and a
    :class:`perfmodel.core.result.Result`."""

    title = "Cronbach's alpha"


def _icc1(values: np.ndarray, groups: np.ndarray) -> float:
    """One-way random-effects ICC(1) from the ANOVA mean squares (unbalanced-safe)."""
    _, g = np.unique(groups, return_inverse=True)
    n_i = np.bincount(g).astype(float)
    k, n = len(n_i), len(values)
    if k < 2 or n - k < 1:
        return np.nan
    means = np.bincount(g, weights=values) / n_i
    grand = values.mean()
    msb = (n_i * (means - grand) ** 2).sum() / (k - 1)
    msw = ((values - means[g]) ** 2).sum() / (n - k)
    n0 = (n - (n_i ** 2).sum() / n) / (k - 1)
    denom = msb + (n0 - 1) * msw
    return float((msb - msw) / denom) if denom > 0 else np.nan


def _rank_stability(sub: pd.DataFrame, col: str, entity: str, time: str) -> tuple[float, int]:
    wide = sub.pivot_table(index=entity, columns=time, values=col, aggfunc="first")
    pos = period_positions(wide.columns, time)
    by_pos = {pos[str(c).strip()]: c for c in wide.columns}
    rhos = []
    # only calendar neighbours: a period missing from the data breaks the chain
    for i in sorted(by_pos):
        if i + 1 not in by_pos:
            continue
        a, b = by_pos[i], by_pos[i + 1]
        pair = wide[[a, b]].dropna()
        if len(pair) >= 3 and pair[a].nunique() > 1 and pair[b].nunique() > 1:
            rhos.append(sps.spearmanr(pair[a], pair[b]).statistic)
    return (float(np.mean(rhos)) if rhos else np.nan), len(rhos)


@keyword_only("entity", "time")
def reliability(panel: pd.DataFrame, indicators=None, *, entity: str = "supervisor_id",
                time: str = "period") -> pd.DataFrame:
    """Reliability of each indicator as a measure of the supervisor.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel: ``entity``, ``time`` and one column per indicator.
    indicators : list of str, optional
        Indicator columns to assess; default every catalogue indicator present.
    entity, time : str
        Column names of the supervisor and the period (keyword-only; by position they
        still work for one version, with a DeprecationWarning). Periods are ids such as ``2026Q3``
        or ``2026-09``, or whole numbers; see
        :func:`perfmodel.analysis.stats._panel.period_positions`.

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator``, ``icc`` (one-way random-effects ICC(1):
        the share of the variance that lies between supervisors), ``rank_stability``
        (Spearman correlation of the supervisors' values in consecutive periods, averaged
        over the pairs of periods), ``n_period_pairs`` (pairs of periods adjacent on the
        calendar -- a missing period is not bridged -- with at least 3 supervisors in
        common), ``n_obs``, ``n_supervisors``, ``n_periods``.

    Notes
    -----
    ICC(1) = (MSB - MSW) / (MSB + (n0 - 1) MSW), the one-way ANOVA estimator of Shrout and
    Fleiss (1979) with, for unbalanced panels, ``n0 = (N - sum n_i^2 / N) / (k - 1)``.
    An ICC near 0 says the indicator mostly moves with the period or with noise, not with
    the supervisor: judging supervisors on it is close to a lottery.

    References
    ----------
    Shrout, P. E. and Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
    reliability. Psychological Bulletin 86(2), 420-428.

    Examples
    --------
    Two supervisors who keep their distance in every period: all the variance is between
    them (ICC 1) and they keep their order (rank stability 1).

    >>> import pandas as pd
    >>> panel = pd.DataFrame({"supervisor_id": ["A", "B"] * 3 + ["C"] * 3,
    ...                       "period": ["2026Q1", "2026Q1", "2026Q2", "2026Q2", "2026Q3", "2026Q3",
    ...                                  "2026Q1", "2026Q2", "2026Q3"],
    ...                       "csat": [4.0, 3.0, 4.0, 3.0, 4.0, 3.0, 2.0, 2.0, 2.0]})
    >>> reliability(panel, ["csat"])[["indicator", "icc", "rank_stability", "n_period_pairs"]]
      indicator  icc  rank_stability  n_period_pairs
    0      csat  1.0             1.0               2
    """
    cols = indicator_columns(panel, indicators, entity=entity, time=time)
    rows = []
    for col in cols:
        sub = panel[[entity, time, col]].copy()
        sub[col] = pd.to_numeric(sub[col], errors="coerce")
        sub = sub[np.isfinite(sub[col].to_numpy(dtype=float))]
        icc = _icc1(sub[col].to_numpy(dtype=float), sub[entity].astype(str).to_numpy()) if len(sub) else np.nan
        rho, n_pairs = _rank_stability(sub, col, entity, time) if len(sub) else (np.nan, 0)
        rows.append({"indicator": col, "icc": icc, "rank_stability": rho, "n_period_pairs": n_pairs,
                     "n_obs": len(sub), "n_supervisors": sub[entity].nunique(),
                     "n_periods": sub[time].nunique()})
    return ReliabilityTable(rows, columns=["indicator", "icc", "rank_stability", "n_period_pairs",
                                       "n_obs", "n_supervisors", "n_periods"])


def cronbach_alpha(df: pd.DataFrame, items, *, ci: float = 0.95, alpha: float | None = None) -> pd.DataFrame:
    """Cronbach's alpha of a set of items (e.g. the survey sub-scores), listwise complete.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent.
    items : list of str
        At least two item columns.
    ci : float
        Level of the confidence interval (default 0.95), as in ``pingouin.cronbach_alpha``.
    alpha : float, optional
        Deprecated: the interval's ``1 - level``; use ``ci`` (``alpha`` is also the name
        of the result column).

    Returns
    -------
    pandas.DataFrame
        One row: ``alpha`` (Cronbach's alpha), ``ci_low``, ``ci_high`` (Feldt's F-based
        interval), ``n`` (complete respondents), ``k`` (items).

    Notes
    -----
    alpha = k / (k - 1) * (1 - sum of item variances / variance of the total), variances
    with ddof = 1. Feldt (1965): the bounds are 1 - (1 - alpha) F_q(n - 1, (n - 1)(k - 1))
    for q = 1 - a/2 and a/2. The same definitions as ``pingouin.cronbach_alpha``.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika 16, 297-334. Feldt, L. S. (1965). Psychometrika 30, 357-370.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> cronbach_alpha(df, ["a", "b", "c"]).round(4)[["alpha", "n", "k"]]
        alpha  n  k
    0  0.9538  5  3
    """
    if alpha is not None:
        import warnings

        warnings.warn("cronbach_alpha(alpha=...) is deprecated: give the interval's level as "
                      f"ci={1 - alpha:g}", DeprecationWarning, stacklevel=2)
        ci = 1 - alpha
    if not 0 < ci < 1:
        raise UsageError(f"cronbach_alpha: ci={ci!r}: give a level between 0 and 1, e.g. 0.95")
    alpha = 1 - ci
    items = list(items)
    if len(items) < 2:
        raise UsageError("cronbach_alpha needs at least two item columns")
    absent = [c for c in items if c not in df.columns]
    if absent:
        raise UsageError(f"cronbach_alpha: column(s) {absent} not in the data")
    x = df[items].apply(pd.to_numeric, errors="coerce").dropna()
    n, k = x.shape
    if n < 2:
        a, lo, hi = np.nan, np.nan, np.nan
    else:
        total_var = x.sum(axis=1).var(ddof=1)
        a = k / (k - 1) * (1 - x.var(ddof=1).sum() / total_var) if total_var > 0 else np.nan
        f_hi, f_lo = sps.f.ppf([1 - alpha / 2, alpha / 2], n - 1, (n - 1) * (k - 1))
        lo, hi = 1 - (1 - a) * f_hi, 1 - (1 - a) * f_lo
    return CronbachAlpha([{"alpha": a, "ci_low": lo, "ci_high": hi, "n": n, "k": k}])
