"""Human judgement for the synthetic company: manager ratings and self-assessments.

Drawn from their own random stream (``numpy.random.default_rng([seed, JUDGEMENT_STREAM])``),
after every other table, so adding them leaves every other file byte-identical.

Model, supervisor ``s`` and period ``t``:

* a true manager-rating level ``mu[s, t] = 3.6 + 0.25 a[s] + 0.1 e[s, t]`` (``a``, ``e``
  standard normal), clipped to [1.3, 4.7];
* ``raters`` managers, each with a known **leniency** ``b[r]`` uniform in
  ``[−leniency, +leniency]`` (written to ``ground_truth.json``);
* each period every supervisor is rated by one manager, dealt at random, and each manager
  then rates further supervisors until she has rated ``min_rated`` (raters rotate, so
  a lenient manager can be told from a strong team);
* a rating scores every item of :data:`ITEMS`: the neutral judgement ``x = mu[s, t] +
  N(0, 0.3)`` plus the rater's leniency, rounded to one decimal and clipped to 1–5;
* the *true* manager rating of ``s`` in ``t`` is the mean of the neutral ``x`` over the
  items rated in ``t``: what the same ratings would have been from a rater of zero
  leniency (``realised["manager_rating"]``);
* a self-assessment scores every item once a period: ``mu[s, t] + c[s] + N(0, 0.3)``
  rounded to one decimal, where ``c[s] ~ N(0.3, 0.3)`` is the supervisor's
  self-enhancement (most rate themselves above their manager's view).

With ``peer_raters`` set (a design for leniency studies), the peer reviews are drawn the
same way from a pool of that many reviewers with known leniency (``P01``, ...) instead of
each staff member reviewing their own supervisor, centred on their own level
``3.8 + 0.25 a'[s] + 0.1 e'[s, t]``; the true collaboration score is again the neutral
mean. The return visits were drawn from the staff reviews the company made before (not
written), so in this design the lag effect of collaboration on the positive return-visit
rate in ``ground_truth.json`` is not in the data.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from perfmodel.data.synth.arrays import _date, _ids, _lookup

#: Second word of the seed of this stream: independent of the company's draws.
JUDGEMENT_STREAM = 18
#: The items a manager rating and a self-assessment score (评价项目).
ITEMS = ("客户导向", "团队管理", "执行力", "沟通协作")
_DAY = 86400


def default_raters(n_supervisors: int) -> int:
    """Number of rating managers when not given: 8, or one per 5 supervisors when more.

    Examples
    --------
    >>> default_raters(10), default_raters(40), default_raters(41)
    (8, 8, 9)
    """
    return max(8, -(-int(n_supervisors) // 5))


def _assign(rng, S: int, R: int, min_rated: int) -> tuple[np.ndarray, np.ndarray]:
    """One period's (rater, supervisor) pairs: everyone rated once, every rater ≥ min_rated."""
    perm = rng.permutation(S)
    rater = np.arange(S) % R
    pairs = {(int(r), int(s)) for r, s in zip(rater, perm)}
    need = min(min_rated, S)
    for r in range(R):
        mine = {s for q, s in pairs if q == r}
        if len(mine) < need:
            others = np.array([s for s in range(S) if s not in mine])
            for s in rng.choice(others, need - len(mine), replace=False):
                pairs.add((r, int(s)))
    pairs = sorted(pairs)
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def _ratings(rng, company, centre: np.ndarray, leniency: np.ndarray, min_rated: int, items: tuple):
    """Draw rotating ratings of every period; return columns and the neutral means (S, T)."""
    S, T, R = company.S, company.T, len(leniency)
    cols = {"rater": [], "sup": [], "day": [], "item": [], "score": []}
    neutral_sum = np.zeros((S, T))
    neutral_n = np.zeros((S, T))
    end_day = company.p_end // _DAY
    for t in range(T):
        rater, sup = _assign(rng, S, R, min_rated)
        day = end_day[t] - rng.integers(1, 21, rater.size)
        for i, item in enumerate(items):
            x = centre[sup, t] + rng.normal(0, 0.3, sup.size)
            score = np.clip(np.round(x + leniency[rater], 1), 1.0, 5.0)
            np.add.at(neutral_sum[:, t], sup, x)
            np.add.at(neutral_n[:, t], sup, 1.0)
            cols["rater"].append(rater); cols["sup"].append(sup); cols["day"].append(day)
            cols["item"].append(np.full(sup.size, i)); cols["score"].append(score)
    cols = {k: np.concatenate(v) for k, v in cols.items()}
    truth = np.divide(neutral_sum, neutral_n, out=np.full((S, T), np.nan), where=neutral_n > 0)
    return cols, truth


def _rater_table(company, cols, prefix: str, width: int, items: tuple, rater_col: str, day_col: str,
                 score_col: str, with_item: bool) -> pa.Table:
    order = np.lexsort((cols["item"], cols["rater"], cols["day"], cols["sup"]))
    out = {
        "supervisor_id": company.sup_ids(cols["sup"][order]),
        rater_col: _ids(prefix, cols["rater"][order] + 1, width),
        day_col: _date(cols["day"][order]),
    }
    if with_item:
        out["item"] = _lookup(pa.array(list(items), pa.string()), cols["item"][order])
    out[score_col] = pa.array(cols["score"][order])
    if rater_col == "rater_id":  # the contract's column order: rater_id first
        out = {k: out[k] for k in ("rater_id", "supervisor_id", "rated_on", "item", "score")}
    return pa.table(out)


def judgement(company, seed: int, *, raters: int | None = None, leniency: float = 0.5, min_rated: int = 5,
              peer_raters: int | None = None) -> dict:
    """Add ``manager_ratings`` and ``self_assessments`` (and pooled peer reviews) to ``company``.

    Parameters
    ----------
    company : perfmodel.data.synth.company._Company
        A company after :meth:`run`; its ``tables`` and ``realised`` are extended.
    seed : int
        The dataset's seed (the stream is ``[seed, JUDGEMENT_STREAM]``).
    raters : int, optional
        Rating managers (default :func:`default_raters`).
    leniency : float
        Half-width of the uniform leniency of raters, in score points.
    min_rated : int
        Supervisors each rater rates at least per period.
    peer_raters : int, optional
        Replace the peer reviews by reviews from a pool of this many reviewers.

    Returns
    -------
    dict
        ``manager_raters`` and (with ``peer_raters``) ``peer_reviewers``: lists of
        ``{"rater_id", "leniency"}``, for ``ground_truth.json``.

    Examples
    --------
    Two managers each rate all three supervisors on four items in each of three quarters
    (3 × 3 × 2 × 4 = 72 ratings); every supervisor assesses themself on the same items
    (3 × 3 × 4 = 36 rows):

    >>> from perfmodel.core.periods import period_range
    >>> from perfmodel.data.synth.company import _Company
    >>> company = _Company(np.random.Generator(np.random.PCG64(7)), 3,
    ...                    period_range("2026Q1", "2026Q3"), 60, {}).run()
    >>> truth = judgement(company, 7, raters=2, min_rated=3)
    >>> [rater["rater_id"] for rater in truth["manager_raters"]]
    ['M01', 'M02']
    >>> company.tables["manager_ratings"].num_rows, company.tables["self_assessments"].num_rows
    (72, 36)
    >>> company.tables["manager_ratings"].to_pandas().head(4)
      rater_id supervisor_id    rated_on  item  score
    0      M01          S001  2026-03-26  客户导向    2.5
    1      M01          S001  2026-03-26  团队管理    2.6
    2      M01          S001  2026-03-26   执行力    3.1
    3      M01          S001  2026-03-26  沟通协作    2.5
    """
    rng = np.random.default_rng([int(seed), JUDGEMENT_STREAM])
    S, T = company.S, company.T
    R = default_raters(S) if raters is None else int(raters)
    level = rng.standard_normal(S)[:, None]
    shock = rng.standard_normal((S, T))
    mu = np.clip(3.6 + 0.25 * level + 0.1 * shock, 1.3, 4.7)
    b = rng.uniform(-leniency, leniency, R)
    cols, truth = _ratings(rng, company, mu, b, min_rated, ITEMS)
    width = max(2, len(str(R)))
    company.tables["manager_ratings"] = _rater_table(company, cols, "M", width, ITEMS, "rater_id", "rated_on",
                                                     "score", True)
    company.realised["manager_rating"] = truth

    bias = rng.normal(0.3, 0.3, S)
    end_day = company.p_end // _DAY
    sup = np.repeat(np.arange(S), T * len(ITEMS))
    t_idx = np.tile(np.repeat(np.arange(T), len(ITEMS)), S)
    item = np.tile(np.arange(len(ITEMS)), S * T)
    day = end_day[t_idx] - np.repeat(rng.integers(1, 21, S * T), len(ITEMS))
    score = np.clip(np.round(mu[sup, t_idx] + bias[sup] + rng.normal(0, 0.3, sup.size), 1), 1.0, 5.0)
    order = np.lexsort((item, day, sup))
    company.tables["self_assessments"] = pa.table({
        "supervisor_id": company.sup_ids(sup[order]),
        "assessed_on": _date(day[order]),
        "item": _lookup(pa.array(list(ITEMS), pa.string()), item[order]),
        "score": pa.array(score[order]),
    })
    out = {"manager_raters": [{"rater_id": f"M{r + 1:0{width}d}", "leniency": float(b[r])} for r in range(R)]}

    if peer_raters:
        P = int(peer_raters)
        pb = rng.uniform(-leniency, leniency, P)
        level = rng.standard_normal(S)[:, None]
        shock = rng.standard_normal((S, T))
        centre = np.clip(3.8 + 0.25 * level + 0.1 * shock, 1.3, 4.7)
        pcols, ptruth = _ratings(rng, company, centre, pb, min_rated, ("collaboration",))
        pw = max(2, len(str(P)))
        company.tables["peer_reviews"] = _rater_table(company, pcols, "P", pw, (), "reviewer_id", "reviewed_on",
                                                      "collaboration", False)
        company.realised["collaboration_score"] = ptruth
        out["peer_reviewers"] = [{"rater_id": f"P{r + 1:0{pw}d}", "leniency": float(pb[r])} for r in range(P)]
    return out
