"""Panel regression with entity (and time) fixed effects and cluster-robust errors."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats as sps

from perfmodel.core.deprecation import keyword_only
from perfmodel.core.errors import PerfmodelWarning, UsageError
from perfmodel.core.result import ResultFrame
from perfmodel.analysis.stats import _fe
from perfmodel.analysis.stats._panel import check_level, check_unique

EFFECTS = ("entity", "twoway")


class RegressionTable(ResultFrame):
    """What :func:`panel_regression` returns: its tidy table (a DataFrame) and a
    :class:`perfmodel.core.result.Result` (``summary()`` adds ``n_obs``, ``n_groups``,
    ``n_clusters``)."""

    title = "Fixed-effects panel regression (cluster-robust CR1)"

    def headline(self) -> dict:
        """``n_obs``, ``n_groups`` and ``n_clusters`` of the fit (empty for an empty table)."""
        if not len(self):
            return {}
        first = self.iloc[0]
        return {k: int(first[k]) for k in ("n_obs", "n_groups", "n_clusters")}

# Below this many clusters cluster-robust t tests over-reject (Cameron and Miller 2015,
# section VI); predictive_validity switches to a wild cluster bootstrap at the same point.
FEW_CLUSTERS = 30

# A regressor whose sum of squares after the fixed effects is below this share of its own
# total sum of squares has no variation left: what remains is rounding noise.
WITHIN_TOLERANCE = 1e-12


@keyword_only("entity", "time", "effects", "cluster", "alpha")
def panel_regression(df: pd.DataFrame, y: str, x, *, entity: str, time: str,
                     effects: str = "entity", cluster: str | None = None,
                     alpha: float = 0.05) -> pd.DataFrame:
    """Fixed-effects panel regression with cluster-robust (CR1) standard errors.

    Fits ``y_it = a_i [+ d_t] + x_it' b + e_it`` by the within estimator on every row where
    ``y`` and all ``x`` are present (unbalanced panels are fine).

    Parameters
    ----------
    df : pandas.DataFrame
        Long panel, one row per entity x time.
    y : str
        Outcome column.
    x : str or list of str
        Regressor column(s).
    entity, time : str
        Columns identifying the entity (e.g. ``supervisor_id``) and the period
        (keyword-only; by position they still work for one version, with a
        DeprecationWarning, as do ``effects``, ``cluster`` and ``alpha``).
    effects : {"entity", "twoway"}
        Entity fixed effects only, or entity and time fixed effects.
    cluster : str, optional
        Column to cluster the standard errors by; default ``entity``.
    alpha : float
        The confidence intervals are at level ``1 - alpha``; strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per regressor with columns ``term``, ``coef``, ``se`` (cluster-robust),
        ``t``, ``p`` (two-sided, Student t with G - 1 df), ``ci_low``, ``ci_high``,
        ``n_obs``, ``n_groups`` (entities), ``n_clusters``, ``df`` (G - 1),
        ``k`` (parameters counted in the small-sample factor) and ``ssc`` (that factor).

    Raises
    ------
    UsageError
        When a column is missing, ``effects`` or ``alpha`` is invalid, an (entity, time)
        pair has more than one row (the first one is named), a regressor has no variation
        left after the fixed effects (it is named), or all rows fall in one cluster.

    Warns
    -----
    PerfmodelWarning
        With fewer than ``FEW_CLUSTERS`` (30) clusters: the t(G - 1) p-values and
        intervals are then too optimistic; prefer a wild cluster bootstrap (as
        :func:`perfmodel.analysis.stats.predictive_validity` does).

    Notes
    -----
    The covariance is CR1 with the fixest / Stata ``xtreg, fe vce(cluster)`` small-sample
    factor ``G/(G-1) * (N-1)/(N-K)``. K counts the slopes, the intercept and every fixed
    effect *not* nested in the clusters: with ``cluster = entity``, K = p + 1 for
    ``effects="entity"`` and K = p + T for ``effects="twoway"`` (T - 1 free time effects
    plus the intercept). Fixed effects that are not nested in the clusters (entity effects
    clustered by period, say) count in full. p-values and intervals use t(G - 1).

    Time effects are partialled out exactly (not by iteration): see
    :mod:`perfmodel.analysis.stats._fe`.

    References
    ----------
    Cameron, A. C. and Miller, D. L. (2015). A practitioner's guide to cluster-robust
    inference. Journal of Human Resources 50(2), 317-372.
    Berge, L. fixest vignette "On standard-errors" (``ssc``, ``fixef.K = "nested"``).

    Examples
    --------
    >>> from statsmodels.datasets import grunfeld
    >>> g = grunfeld.load_pandas().data
    >>> g = g[g.firm != "American Steel"]
    >>> panel_regression(g, "invest", ["value", "capital"], entity="firm", time="year")[["term", "coef"]].round(4)
          term    coef
    0    value  0.1101
    1  capital  0.3101
    """
    xs = [x] if isinstance(x, str) else list(x)
    if effects not in EFFECTS:
        raise UsageError(f"effects={effects!r}: use 'entity' or 'twoway'")
    check_level(alpha, "panel_regression")
    cluster = entity if cluster is None else cluster
    cols = [y, *xs, entity, time, cluster]
    missing = [c for c in dict.fromkeys(cols) if c not in df.columns]
    if missing:
        raise UsageError(f"panel_regression: column(s) {missing} not in the data")
    data = df[list(dict.fromkeys(cols))]
    num = data[[y, *xs]].apply(pd.to_numeric, errors="coerce").astype(float)
    ok = np.isfinite(num.to_numpy()).all(axis=1) & data[[entity, time, cluster]].notna().all(axis=1).to_numpy()
    check_unique(data.loc[ok], entity=entity, time=time)
    num = num.to_numpy()[ok]
    ent, n_ent = _fe.codes(data[entity].to_numpy()[ok].astype(str))
    tim, n_tim = _fe.codes(data[time].to_numpy()[ok].astype(str))
    clu, n_clu = _fe.codes(data[cluster].to_numpy()[ok].astype(str))
    n = len(ent)
    if n == 0:
        raise UsageError(f"panel_regression: no row has {y} and {', '.join(xs)} all present")
    ab = _fe.absorb(num, entity=ent, n_entity=n_ent, time=tim if effects == "twoway" else None, n_time=n_tim)
    # K: intercept + fixed effects not nested in the clusters (fixest "nested").
    k_extra = 1
    if not _fe.is_nested(ent, clu):
        k_extra += n_ent - 1
    if effects == "twoway":
        k_extra += 0 if _fe.is_nested(tim, clu) else ab.k_time
    xt = ab.z[:, 1:]
    # Compared with the regressor's own total sum of squares, not with 1: a level of 1e6
    # leaves residuals of 1e-10 that a rank test takes for variation.
    ss_total = ((num - num.mean(axis=0)) ** 2).sum(axis=0)
    ss_within = (ab.z ** 2).sum(axis=0)
    effects_of = entity if effects == "entity" else f"{entity} and {time}"
    for j, name in enumerate([y, *xs]):
        if not ss_total[j] > 0 or ss_within[j] <= WITHIN_TOLERANCE * ss_total[j]:
            role = "outcome" if j == 0 else "regressor"
            raise UsageError(f"panel_regression: {role} {name!r} has no variation left after the "
                             f"fixed effects of {effects_of}; leave it out")
    if np.linalg.matrix_rank(xt) < xt.shape[1]:
        raise UsageError(f"panel_regression: {', '.join(xs)} are collinear after the fixed effects; "
                         "leave one out")
    n_clusters = int(np.count_nonzero(np.bincount(clu, minlength=n_clu)))
    if n_clusters < 2:
        raise UsageError(f"panel_regression: every row is in one {cluster} cluster; cluster-robust "
                         "errors need at least 2 clusters (better 30 or more)")
    if n_clusters < FEW_CLUSTERS:  # stacklevel 3: past the keyword_only wrapper, at the caller
        warnings.warn(f"panel_regression: only {n_clusters} {cluster} clusters; with fewer than "
                      f"{FEW_CLUSTERS} the t({n_clusters - 1}) p-values and intervals are too "
                      "optimistic -- prefer a wild cluster bootstrap", PerfmodelWarning, stacklevel=3)
    fit = _fe.cluster_fit(ab.z[:, 0], xt, clu, n_clu, k_extra)
    se = np.sqrt(np.diag(fit.vcov))
    tval = fit.coef / se
    p = 2 * sps.t.sf(np.abs(tval), fit.df)
    q = sps.t.ppf(1 - alpha / 2, fit.df)
    return RegressionTable({
        "term": xs, "coef": fit.coef, "se": se, "t": tval, "p": p,
        "ci_low": fit.coef - q * se, "ci_high": fit.coef + q * se,
        "n_obs": n, "n_groups": int(np.count_nonzero(ab.counts)), "n_clusters": fit.n_clusters,
        "df": fit.df, "k": fit.k, "ssc": fit.ssc,
    })
