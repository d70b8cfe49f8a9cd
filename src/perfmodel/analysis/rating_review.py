"""Rating review across groups (评级校准): are some teams or regions rated above or below the rest?

For one period, each group's scores and rating distribution are set against the rest of
the population, on the computed scores (before any quota or adjustment). The test for a
group is a permutation test of the difference between the group's mean score and the mean
of everyone else (two-sided; :func:`scipy.stats.permutation_test`, exact when the number of
distinct splits is at most the resamples asked for, so small groups are handled exactly).
The p-values of the groups are adjusted together by Benjamini-Hochberg
(:func:`statsmodels.stats.multitest.multipletests`); a group is flagged ``above`` or
``below`` when its adjusted p-value is below ``alpha``. A group of one supervisor is shown
but not tested (a single score says nothing about a rater's leniency).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfmodel.core import settings
from perfmodel.core.errors import UsageError

__all__ = ["GROUP_COLUMNS", "RatingReview", "rating_review"]

GROUP_COLUMNS = ["group", "n", "mean_score", "median_score", "rest_mean", "difference", "p_value", "p_adj",
                 "flag"]
BY = ("team", "region")
NO_GROUP = "—"


@dataclass
class RatingReview:
    """Result of :func:`rating_review`.

    Attributes
    ----------
    groups : pandas.DataFrame
        :data:`GROUP_COLUMNS`, one row per group (largest first, then by name): ``n``
        supervisors with a score, ``mean_score``, ``median_score``, ``rest_mean`` (everyone
        else), ``difference`` (mean − rest mean), ``p_value`` (permutation, two-sided; NaN
        for a group of one), ``p_adj`` (Benjamini-Hochberg over the tested groups), ``flag``
        (``above``, ``below`` or "").
    distribution : pandas.DataFrame
        ``group`` (the population last, named ``all``) and per rating label the share of the
        group's supervisors with it.
    by, period : str
    permutations, seed : int
    alpha : float
    """

    groups: pd.DataFrame
    distribution: pd.DataFrame
    by: str
    period: str
    permutations: int
    seed: int
    alpha: float


def rating_review(scores: pd.DataFrame, supervisors: pd.DataFrame, ratings, *, by: str = "team",
                  permutations: int = settings.PERMUTATIONS, seed: int = settings.SEED,
                  alpha: float = settings.ALPHA, bands=None) -> RatingReview:
    """Compare each group's scores and ratings with the rest of the population.

    Parameters
    ----------
    scores : pandas.DataFrame
        Scores of one period (columns of :func:`perfmodel.scoring.scores.score`).
    supervisors : pandas.DataFrame
        ``supervisor_id`` and the ``by`` column.
    ratings : sequence of str
        The policy's rating labels, best first.
    by : {"team", "region"}
    permutations : int
        Resamples of the permutation test (exact below that many distinct splits).
    seed : int
    alpha : float
        Level of the adjusted p-values for a flag.
    bands : sequence of (label, threshold), optional
        The policy's rating bands: the rating distribution is then the one the bands give
        the computed scores (before any quota or adjustment), else the ``rating`` column.

    Returns
    -------
    RatingReview

    Raises
    ------
    UsageError
        ``by`` is not team or region, the data has no such column, or ``scores`` spans
        several periods.

    Examples
    --------
    The four best scores all in 华东: of the C(8, 4) = 70 equally likely splits of eight
    supervisors into two teams of four, only that one and its mirror are as extreme, so the
    exact two-sided p-value is 2/70 = 0.0286:

    >>> import pandas as pd
    >>> scores = pd.DataFrame({"supervisor_id": [f"S{i}" for i in range(1, 9)], "period": "2026Q3",
    ...                        "score": [95.0, 91.0, 88.0, 84.0, 72.0, 70.0, 65.0, 58.0],
    ...                        "rating": ["S", "S", "A", "A", "B", "B", "C", "D"]})
    >>> teams = pd.DataFrame({"supervisor_id": scores["supervisor_id"],
    ...                       "team": ["华东"] * 4 + ["华北"] * 4})
    >>> review = rating_review(scores, teams, ["S", "A", "B", "C", "D"], permutations=999, seed=1)
    >>> print(review.groups.round(4).to_string())
      group  n  mean_score  median_score  rest_mean  difference  p_value   p_adj   flag
    0    华东  4       89.50          89.5      66.25       23.25   0.0286  0.0286  above
    1    华北  4       66.25          67.5      89.50      -23.25   0.0286  0.0286  below
    >>> review.distribution
      group     S     A     B      C      D
    0    华东  0.50  0.50  0.00  0.000  0.000
    1    华北  0.00  0.00  0.50  0.250  0.250
    2   all  0.25  0.25  0.25  0.125  0.125
    """
    from scipy.stats import permutation_test
    from statsmodels.stats.multitest import multipletests

    if by not in BY:
        raise UsageError(f"--by {by}: use team or region")
    if by not in supervisors or supervisors[by].isna().all():
        raise UsageError(f"--by {by}: the supervisors table has no {by} column with values; add it or use "
                         f"--by {'region' if by == 'team' else 'team'}")
    periods = pd.unique(scores["period"].astype(str))
    if len(periods) != 1:
        raise UsageError(f"scores: give one period (got {len(periods)})")
    if not 0 < alpha < 1:
        raise UsageError(f"alpha {alpha}: give a level between 0 and 1")
    groups_of = supervisors.assign(supervisor_id=supervisors["supervisor_id"].astype(str)).set_index(
        "supervisor_id")[by]
    frame = scores.assign(supervisor_id=scores["supervisor_id"].astype(str))
    frame = frame[frame["score"].notna()].copy()
    frame["group"] = frame["supervisor_id"].map(groups_of).astype(object).where(lambda g: g.notna(), NO_GROUP)
    frame["group"] = frame["group"].astype(str)
    if bands is not None:
        from perfmodel.scoring.scores import rate

        frame["rating"] = rate(frame["score"], bands).to_numpy()
    x = frame["score"].to_numpy(dtype=float)

    def mean_difference(a, b, axis):
        return np.mean(a, axis=axis) - np.mean(b, axis=axis)

    rows = []
    for i, (name, g) in enumerate(sorted(frame.groupby("group", sort=True), key=lambda kv: (-len(kv[1]), kv[0]))):
        inside = frame["group"].to_numpy() == name
        a, b = x[inside], x[~inside]
        p = np.nan
        if len(a) >= 2 and len(b) >= 2:  # scipy needs two observations in each sample
            res = permutation_test((a, b), mean_difference, vectorized=True, n_resamples=permutations,
                                   alternative="two-sided", permutation_type="independent",
                                   random_state=np.random.default_rng([seed, i]))
            p = float(res.pvalue)
        rows.append({"group": name, "n": int(len(a)), "mean_score": float(a.mean()),
                     "median_score": float(np.median(a)), "rest_mean": float(b.mean()) if len(b) else np.nan,
                     "difference": float(a.mean() - b.mean()) if len(b) else np.nan, "p_value": p})
    groups = pd.DataFrame(rows, columns=GROUP_COLUMNS[:7])
    tested = groups["p_value"].notna().to_numpy()
    groups["p_adj"] = np.nan
    if tested.any():
        groups.loc[tested, "p_adj"] = multipletests(groups.loc[tested, "p_value"], method="fdr_bh")[1]
    groups["flag"] = np.where(groups["p_adj"] < alpha, np.where(groups["difference"] > 0, "above", "below"), "")

    labels = list(ratings)
    dist = pd.crosstab(frame["group"], pd.Categorical(frame["rating"], categories=labels), normalize="index",
                       dropna=False)
    dist = dist.reindex(groups["group"]).fillna(0.0)
    everyone = frame["rating"].value_counts(normalize=True).reindex(labels).fillna(0.0)
    dist.loc["all"] = everyone.to_numpy()
    dist = dist.reset_index().rename(columns={"index": "group", "row_0": "group"})
    dist.columns = ["group", *labels]
    return RatingReview(groups=groups[GROUP_COLUMNS], distribution=dist, by=by, period=str(periods[0]),
                        permutations=permutations, seed=seed, alpha=alpha)
