"""Rater leniency: an additive rater effect, estimated and taken out of rated scores.

Peer reviews (``collaboration_score``) and manager ratings (``manager_rating``) are
judgements: a lenient rater lifts everyone they rate. The model is the two-way additive
one,

    score(rating i) = a[supervisor of i] + b[rater of i] + noise,   sum of b over raters = 0,

fitted by least squares on **every rating up to the end of the period** (ratings of
earlier periods tell how lenient a rater is, too). The supervisor effects are absorbed
(Frisch–Waugh–Lovell): the rater effects solve the reduced normal equations

    (diag(n_r) − N diag(1/n_s) Nᵀ) b = Σ_r y − N ȳ_s,

where ``N`` counts the ratings of rater r for supervisor s, ``n_r`` and ``n_s`` are the
ratings per rater and per supervisor, ``Σ_r y`` the sum of a rater's scores and ``ȳ_s`` a
supervisor's mean score. The sum-to-zero constraint is imposed by effect coding
(``b = C c`` with ``C = [I; −1ᵀ]``), and the reduced system is solved with
:func:`numpy.linalg.lstsq`. This is the exact least-squares solution that alternating
means converge to; ``b`` is a rater's leniency in score points against the average rater.

The corrected value of a supervisor in period P is the mean over P's ratings of
``score − b[rater]``, clipped to the 1–5 scale of the ratings (a lenient rater's 5 for a
strong supervisor stays 5, never 5.4); its numerator is that mean × the number of ratings.

**When the correction is applied.** A lenient rater can be told from a strong team only
when raters rate overlapping sets of supervisors. For each indicator and period the
ratings up to end(P) must satisfy all of:

* at least two raters;
* every rater has at least :data:`MIN_RATINGS` ratings (``k = 5``) of at least
  :data:`MIN_SUPERVISORS` different supervisors (``m = 3``);
* the bipartite graph of raters and the supervisors they rated is connected (otherwise
  the groups' levels cannot be compared: a manager who rates only her own team);
* every rater effect is estimated precisely enough: its standard error is at most
  :data:`MAX_RELATIVE_SE` (0.5) times the noise of a single rating. The standard error
  in those units depends only on who rated whom (the square root of the diagonal of
  ``C (Cᵀ A C)⁺ Cᵀ``, ``A`` the reduced normal matrix), so the rule does not rest on a
  noise estimate from a handful of ratings. A design that is barely connected (a chain
  of raters linked by one shared supervisor each) fails it, and a correction there
  would add more error than the leniency it removes.

Otherwise the raw mean is used for that period and the reason is kept
(:data:`REASONS`), so the pages can say why. The step runs in Python on the rating rows
the engine returns (:func:`perfmodel.indicators.compute_indicators`), so DuckDB and
Spark give the same panel.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.numbers import shown_values

__all__ = ["MIN_RATINGS", "MIN_SUPERVISORS", "MAX_RELATIVE_SE", "SCALE", "RATED", "REASONS", "rater_effects",
           "overlap_problem", "correct_means", "reason_text"]

#: k: ratings each rater needs (up to the end of the period) before any correction.
MIN_RATINGS = 5
#: m: different supervisors each rater needs to have rated.
MIN_SUPERVISORS = 3
#: Largest standard error of a rater effect, in units of the noise (residual standard
#: deviation) of a single rating: 0.5 = each effect rests on at least the equivalent of
#: four independent comparisons with other raters.
MAX_RELATIVE_SE = 0.5
#: The scale of the ratings; corrected means are clipped to it.
SCALE = (1.0, 5.0)

#: Corrected indicator -> (table, rater column, date column, score column, raw indicator).
RATED = {
    "collaboration_score": ("peer_reviews", "reviewer_id", "reviewed_on", "collaboration",
                            "collaboration_score_raw"),
    "manager_rating": ("manager_ratings", "rater_id", "rated_on", "score", "manager_rating_raw"),
}

#: Why a correction was not applied, in English and Chinese ({...} filled from the detail).
REASONS = messages.group("leniency")


@keyword_only("lang")
def reason_text(reason: str, detail: dict | None = None, *, lang: str = "en", anonymous: bool = False) -> str:
    """Return the sentence for a correction ``reason`` code (see :data:`REASONS`) in ``lang``.

    ``anonymous``: name no rater ("one rater" instead of "rater E002"), for pages that a
    rated supervisor reads (peer reviewers are often the supervisor's own staff).

    Examples
    --------
    >>> print(reason_text("few_ratings", {"rater": "E002", "n": 3, "k": 5}))
    rater E002 has 3 ratings up to the end of the period; at least 5 are needed to tell a lenient rater from a strong team
    >>> print(reason_text("few_ratings", {"rater": "E002", "n": 3, "k": 5}, "zh", anonymous=True))
    一位评价人截至期末只有 3 条评价，至少需要 5 条才能区分评价宽松与团队确实优秀
    """
    lang = "zh" if lang == "zh" else "en"
    detail = dict(detail or {})
    rater = detail.get("rater")
    if anonymous:
        detail["who"] = messages.text("leniency.who_anonymous", lang=lang)
    else:
        detail["who"] = messages.text("leniency.who_rater", lang=lang, rater=rater)
    return REASONS[reason][lang].format(**shown_values(detail))


def _codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and the code of each value (deterministic order)."""
    levels, codes = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return levels, codes


def overlap_problem(ratings: pd.DataFrame, *, rater: str = "rater_id", rated: str = "supervisor_id",
                    min_ratings: int = MIN_RATINGS, min_supervisors: int = MIN_SUPERVISORS,
                    max_relative_se: float = MAX_RELATIVE_SE):
    """Check whether raters and rated supervisors overlap enough to estimate rater effects.

    Parameters
    ----------
    ratings : pandas.DataFrame
        One row per rating, with the ``rater`` and ``rated`` columns.
    min_ratings, min_supervisors : int
        ``k`` and ``m`` of the module documentation.
    max_relative_se : float
        Largest standard error of a rater effect, in units of the noise of one rating.

    Returns
    -------
    (str, dict) or None
        None when the correction can be applied; else a reason code of :data:`REASONS`
        and its detail (the first rater, in id order, that breaks a rule).

    Examples
    --------
    Two raters, each rating all three supervisors twice: the correction can be applied.
    With one rater, fewer than five ratings, or two raters who rate different teams, it cannot:

    >>> base = {"s1": 4.0, "s2": 3.0, "s3": 2.0}
    >>> ratings = pd.DataFrame([(r, s, base[s]) for r in "AB" for s in base for _ in range(2)],
    ...                        columns=["rater_id", "supervisor_id", "score"])
    >>> overlap_problem(ratings) is None
    True
    >>> overlap_problem(ratings[ratings["rater_id"] == "A"])
    ('single_rater', {'rater': 'A'})
    >>> overlap_problem(ratings[ratings["supervisor_id"] != "s3"])
    ('few_ratings', {'rater': 'A', 'n': 4, 'k': 5})
    >>> own_teams = pd.DataFrame({"rater_id": ["A"] * 6 + ["B"] * 6,
    ...                           "supervisor_id": ["s1", "s2", "s3"] * 2 + ["s4", "s5", "s6"] * 2,
    ...                           "score": 3.0})
    >>> overlap_problem(own_teams)
    ('disconnected', {'groups': 2})
    """
    if len(ratings) == 0:
        return "no_ratings", {}
    raters, r = _codes(ratings[rater])
    sups, s = _codes(ratings[rated])
    if len(raters) < 2:
        return "single_rater", {"rater": str(raters[0])}
    n_ratings = np.bincount(r, minlength=len(raters))
    pairs = np.unique(np.stack([r, s], axis=1), axis=0)
    n_sups = np.bincount(pairs[:, 0], minlength=len(raters))
    for i, name in enumerate(raters):
        if n_ratings[i] < min_ratings:
            return "few_ratings", {"rater": str(name), "n": int(n_ratings[i]), "k": int(min_ratings)}
        if n_sups[i] < min_supervisors:
            return "few_supervisors", {"rater": str(name), "n": int(n_sups[i]), "m": int(min_supervisors)}
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    # nodes: raters 0..R-1, supervisors R..R+S-1; an edge for each rater-supervisor pair
    size = len(raters) + len(sups)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1] + len(raters))), shape=(size, size))
    groups, _ = connected_components(graph, directed=False)
    if groups > 1:
        return "disconnected", {"groups": int(groups)}
    lhs, _, _ = _reduced(ratings.assign(_y=0.0), rater, rated, "_y")
    coding = _coding(len(raters))
    spread = np.sqrt(np.diag(coding @ np.linalg.pinv(coding.T @ lhs @ coding) @ coding.T))
    worst = int(np.argmax(spread))
    if spread[worst] > max_relative_se:
        return "imprecise", {"rater": str(raters[worst]), "se": round(float(spread[worst]), 2),
                             "limit": max_relative_se}
    return None


def _coding(R: int) -> np.ndarray:
    """Effect coding: b = C c with sum(b) = 0."""
    return np.vstack([np.eye(R - 1), -np.ones((1, R - 1))])


def _reduced(ratings: pd.DataFrame, rater: str, rated: str, score: str):
    """The reduced normal equations (lhs, rhs) and the rater x supervisor counts."""
    _, r = _codes(ratings[rater])
    _, s = _codes(ratings[rated])
    y = ratings[score].to_numpy(dtype="float64")
    R, S = int(r.max()) + 1, int(s.max()) + 1
    counts = np.zeros((R, S))
    np.add.at(counts, (r, s), 1.0)
    n_s = counts.sum(axis=0)
    sum_s = np.bincount(s, weights=y, minlength=S)
    # after absorbing the supervisor effects (Frisch-Waugh-Lovell)
    lhs = np.diag(counts.sum(axis=1)) - (counts / n_s) @ counts.T
    rhs = np.bincount(r, weights=y, minlength=R) - counts @ (sum_s / n_s)
    return lhs, rhs, counts


def rater_effects(ratings: pd.DataFrame, *, rater: str = "rater_id", rated: str = "supervisor_id",
                  score: str = "score") -> pd.DataFrame:
    """Least-squares rater effects of the two-way additive model (sum-to-zero).

    Fits ``score = a[rated] + b[rater] + noise`` with ``sum(b) = 0`` exactly, by the
    reduced normal equations of the module documentation (supervisor effects absorbed),
    solved with :func:`numpy.linalg.lstsq`. The caller checks the overlap first
    (:func:`overlap_problem`); on a disconnected design the minimum-norm solution is
    returned, which is not meaningful.

    Parameters
    ----------
    ratings : pandas.DataFrame
        One row per rating with the ``rater``, ``rated`` and ``score`` columns.

    Returns
    -------
    pandas.DataFrame
        One row per rater, sorted by id: ``rater_id`` (str), ``effect`` (float, score
        points above the average rater), ``n_ratings`` (int), ``n_supervisors`` (int).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"rater_id": ["A", "A", "B", "B"], "supervisor_id": ["s1", "s2", "s1", "s2"],
    ...                   "score": [4.0, 3.0, 4.0, 2.0]})
    >>> rater_effects(r)["effect"].round(2).tolist()
    [0.25, -0.25]
    """
    raters = _codes(ratings[rater])[0]
    lhs, rhs, counts = _reduced(ratings, rater, rated, score)
    R = len(raters)
    if R == 1:
        effects = np.zeros(1)
    else:
        coding = _coding(R)
        c = np.linalg.lstsq(coding.T @ lhs @ coding, coding.T @ rhs, rcond=None)[0]
        effects = coding @ c
    n_sups = (counts > 0).sum(axis=1)
    return pd.DataFrame({"rater_id": raters.astype(str), "effect": effects,
                         "n_ratings": counts.sum(axis=1).astype(int), "n_supervisors": n_sups.astype(int)})


def correct_means(ratings: pd.DataFrame, effects: pd.DataFrame, *, rater: str = "rater_id",
                  rated: str = "supervisor_id", score: str = "score") -> pd.DataFrame:
    """Mean corrected score of each rated supervisor: mean of ``score − effect[rater]``, clipped to 1–5.

    Parameters
    ----------
    ratings : pandas.DataFrame
        The ratings of one period (``rater``, ``rated``, ``score`` columns).
    effects : pandas.DataFrame
        :func:`rater_effects` output; a rater missing from it counts as effect 0.

    Returns
    -------
    pandas.DataFrame
        One row per rated supervisor, sorted by id: ``supervisor_id``, ``value`` (the
        clipped corrected mean), ``n`` (number of ratings).

    Examples
    --------
    Rater A gives half a point more than each supervisor's level, B half a point less; taking
    the rater effects out gives back the levels 4, 3 and 2:

    >>> base = {"s1": 4.0, "s2": 3.0, "s3": 2.0}
    >>> ratings = pd.DataFrame([(r, s, base[s] + (0.5 if r == "A" else -0.5))
    ...                         for r in "AB" for s in base for _ in range(2)],
    ...                        columns=["rater_id", "supervisor_id", "score"])
    >>> effects = rater_effects(ratings)
    >>> effects
      rater_id  effect  n_ratings  n_supervisors
    0        A    0.5          6              3
    1        B   -0.5          6              3
    >>> correct_means(ratings, effects)
      supervisor_id  value  n
    0            s1    4.0  4
    1            s2    3.0  4
    2            s3    2.0  4
    """
    effect = ratings[rater].astype(str).map(effects.set_index("rater_id")["effect"]).fillna(0.0)
    frame = pd.DataFrame({"supervisor_id": ratings[rated].astype(str).to_numpy(),
                          "corrected": ratings[score].to_numpy(dtype="float64") - effect.to_numpy()})
    out = frame.groupby("supervisor_id", sort=True)["corrected"].agg(["mean", "count"]).reset_index()
    return pd.DataFrame({"supervisor_id": out["supervisor_id"],
                         "value": out["mean"].clip(*SCALE).to_numpy(),
                         "n": out["count"].to_numpy(dtype=int)})


#: Columns of the table that says, per corrected indicator and period, what was done.
STATUS_COLUMNS = ["indicator", "period", "applied", "reason", "detail", "n_raters", "n_ratings"]
#: Columns of the table of estimated rater effects.
EFFECT_COLUMNS = ["indicator", "period", "rater_id", "effect", "n_ratings", "n_supervisors"]


def correct_panel(wide: pd.DataFrame, ratings: dict, periods) -> tuple[pd.DataFrame, list, list]:
    """Replace the raw means of the corrected indicators in an engine's wide result.

    Parameters
    ----------
    wide : pandas.DataFrame
        The engine's wide result (``supervisor_id``, ``period``, ``<id>__value``,
        ``<id>__numerator``, ``<id>__denominator``), holding the raw means.
    ratings : dict
        Corrected indicator id -> DataFrame of its ratings up to the end of the last
        period: ``supervisor_id``, ``rater_id``, ``at`` (timestamp), ``score``.
    periods : list of Period
        The requested periods.

    Returns
    -------
    (pandas.DataFrame, list of dict, list of dict)
        The wide result with corrected ``value`` and ``numerator`` (value × number of
        ratings) where the correction applies; the status records (keys
        :data:`STATUS_COLUMNS`; ``detail`` a dict) and the rater-effect records (keys
        :data:`EFFECT_COLUMNS`), sorted by indicator and period.

    Examples
    --------
    The stricter rater B missed one rating of s1, so s1's raw mean is lifted by the lenient A:
    (3 × 4.5 + 2 × 3.5) / 5 = 4.1. Corrected, it is 4.0 (numerator 4.0 × 5 ratings):

    >>> from perfmodel.core.periods import parse_period
    >>> base = {"s1": 4.0, "s2": 3.0, "s3": 2.0}
    >>> ratings = pd.DataFrame([(r, s, base[s] + (0.5 if r == "A" else -0.5))
    ...                         for r in "AB" for s in base for _ in range(3)],
    ...                        columns=["rater_id", "supervisor_id", "score"]).drop(index=9)
    >>> ratings["at"] = pd.Timestamp("2026-09-20")
    >>> wide = pd.DataFrame({"supervisor_id": ["s1", "s2", "s3"], "period": "2026Q3",
    ...                      "manager_rating__value": [4.1, 3.0, 2.0],
    ...                      "manager_rating__numerator": [20.5, 18.0, 12.0],
    ...                      "manager_rating__denominator": [5.0, 6.0, 6.0]})
    >>> corrected, status, effects = correct_panel(wide, {"manager_rating": ratings},
    ...                                            [parse_period("2026Q3")])
    >>> corrected[["supervisor_id", "manager_rating__value", "manager_rating__numerator"]].round(6)
      supervisor_id  manager_rating__value  manager_rating__numerator
    0            s1                    4.0                       20.0
    1            s2                    3.0                       18.0
    2            s3                    2.0                       12.0
    >>> status[0]["applied"], status[0]["n_ratings"]
    (True, 17)
    >>> [(e["rater_id"], round(e["effect"], 6)) for e in effects]
    [('A', 0.5), ('B', -0.5)]
    """
    wide = wide.copy()
    status, effects_out = [], []
    keys = wide["supervisor_id"].astype(str) + "\x1f" + wide["period"].astype(str)
    for ind in sorted(ratings):
        rows = ratings[ind].dropna(subset=["score", "at", "rater_id"])
        # a fixed order, whatever order the engine returned the rows in: the same sums on every engine
        rows = rows.assign(rater_id=rows["rater_id"].astype(str), supervisor_id=rows["supervisor_id"].astype(str))
        rows = rows.sort_values(["at", "supervisor_id", "rater_id", "score"], kind="mergesort")
        for p in periods:
            window = rows[rows["at"] < p.end]
            problem = overlap_problem(window)
            n_raters = int(window["rater_id"].nunique())
            if problem is not None:
                status.append({"indicator": ind, "period": p.id, "applied": False, "reason": problem[0],
                               "detail": problem[1], "n_raters": n_raters, "n_ratings": int(len(window))})
                continue
            effects = rater_effects(window)
            for rec in effects.to_dict(orient="records"):
                effects_out.append({"indicator": ind, "period": p.id, **rec})
            status.append({"indicator": ind, "period": p.id, "applied": True, "reason": "applied",
                           "detail": {"raters": n_raters, "ratings": int(len(window))},
                           "n_raters": n_raters, "n_ratings": int(len(window))})
            means = correct_means(window[window["at"] >= p.start], effects)
            where = keys.map(pd.Series(np.arange(len(means)), index=means["supervisor_id"] + "\x1f" + p.id))
            hit = where.notna().to_numpy()
            idx = where[hit].astype(int).to_numpy()
            wide.loc[hit, f"{ind}__value"] = means["value"].to_numpy()[idx]
            wide.loc[hit, f"{ind}__numerator"] = means["value"].to_numpy()[idx] * means["n"].to_numpy()[idx]
    return wide, status, effects_out
