"""Scores from an indicator panel and a policy (SPEC §4).

Data flow: a wide panel (``supervisor_id``, ``period``, one column per indicator id) →
:func:`indicator_scores` (each value mapped to 0…cap by its rule) → dimension scores
(weighted means) → total → rating (bands, or a forced distribution within each period).

Rules, for a value x (t = target, f = floor, p = points, every score clipped to [0, cap]):

============  ===============================  ========================================
rule          higher is better                 lower is better
============  ===============================  ========================================
ratio         100·x/t                          100·t/x  (x ≤ 0 scores the cap)
linear        100·(x − f)/(t − f)               same formula, with f > t
bands         score of the first band with     score of the first band with
              x ≥ threshold, else 0            x ≤ threshold, else 0
gate          100 if x ≥ t else 0              100 if x ≤ t else 0
deduction     100 + p·(x − t)                  100 − p·(x − t)   (t defaults to 0)
percentile    100·(r − 1)/(n − 1)              same on −x
============  ===============================  ========================================

Percentile: r is the rank of x among the n supervisors of the same period that have a
value, ranked from worst (1) to best (n); tied values share the mean of their ranks
(``method="average"``). The worst supervisor scores 0, the best 100, and a period where
all values tie (or only one supervisor has a value) gives everyone 50.

Ratings compare the total rounded to 9 decimals, so that a total of 90 computed as
89.99999999999999 still reaches a threshold of 90.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from perfmodel.core.errors import DataError, PolicyError, UsageError
from perfmodel.scoring.policy import IndicatorRule, Policy, load_policy
from perfmodel.scoring.targets import agreed_arrays  # noqa: F401 - the agreed targets per row, re-exported

KEYS = ["supervisor_id", "period"]
ROUND = 9  # decimals used when comparing totals (ratings, ranking ties)


# ---------------------------------------------------------------------------------------
# One indicator
# ---------------------------------------------------------------------------------------

def rule_score(values, rule: IndicatorRule, periods=None, *, targets=None, floors=None) -> np.ndarray:
    """Map indicator values to 0…cap scores with one rule.

    Parameters
    ----------
    values : array-like of float
        Indicator values (NaN = missing).
    rule : IndicatorRule
        The indicator's entry of a policy.
    periods : array-like, optional
        Period of each value; needed by ``percentile`` (ranks are taken within a period).
        When omitted all values form one group.
    targets, floors : array-like of float, optional
        Per value, an agreed target (and floor) in place of the rule's; NaN keeps the
        rule's. Used by ratio, linear, gate and deduction (see :mod:`perfmodel.scoring.goals`).

    Returns
    -------
    numpy.ndarray
        Scores in [0, rule.cap]; NaN where the value is NaN.

    Examples
    --------
    csat in the ``efficiency`` preset is linear from the floor 3.8 (0) to the target 4.3
    (100), capped at 120; the turnover rate scores by bands (at most 0.10: 60 points):

    >>> import numpy as np
    >>> from perfmodel.scoring.policy import load_policy
    >>> policy = load_policy("efficiency")
    >>> rule_score([3.8, 4.05, 4.3, 4.6, np.nan], policy.indicators["csat"]).tolist()
    [0.0, 50.0, 100.0, 120.0, nan]
    >>> rule_score([0.05, 0.10, 0.20], policy.indicators["staff_turnover_rate"]).tolist()
    [80.0, 60.0, 0.0]
    """
    x = np.asarray(values, dtype=float)
    higher = rule.direction == "higher"
    cap = rule.cap
    if targets is not None or floors is not None:
        rule = _PerRow(rule, len(x), targets, floors)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if rule.rule == "ratio":
            if higher:
                s = 100.0 * x / rule.target
            else:
                s = np.where(x <= 0, cap, 100.0 * rule.target / x)
        elif rule.rule == "linear":
            s = 100.0 * (x - rule.floor) / (rule.target - rule.floor)
        elif rule.rule == "bands":
            s = np.zeros_like(x)
            done = np.zeros(x.shape, dtype=bool)
            for threshold, points in rule.bands:
                hit = (x >= threshold) if higher else (x <= threshold)
                hit &= ~done
                s = np.where(hit, points, s)
                done |= hit
        elif rule.rule == "gate":
            meets = (x >= rule.target) if higher else (x <= rule.target)
            s = np.where(meets, 100.0, 0.0)
        elif rule.rule == "deduction":
            base = rule.target if rule.target is not None else 0.0
            sign = 1.0 if higher else -1.0
            s = 100.0 + sign * rule.points * (x - base)
        elif rule.rule == "percentile":
            s = _percentile(x if higher else -x, periods)
        else:  # pragma: no cover - the validator admits only known rules
            raise PolicyError(f"indicators.{rule.indicator}.rule: unknown rule {rule.rule!r}")
    s = np.clip(np.asarray(s, dtype=float), 0.0, cap) + 0.0  # + 0.0 turns -0.0 into 0.0
    s[np.isnan(x)] = np.nan
    return s


class _PerRow:
    """A rule whose target and floor are arrays: the agreed value per row, else the rule's."""

    def __init__(self, rule: IndicatorRule, n: int, targets, floors):
        self._rule = rule
        # a deduction without a target counts its points from 0 (see rule_score)
        default = 0.0 if rule.target is None and rule.rule == "deduction" else rule.target
        self.target = _per_row(default, n, targets)
        self.floor = _per_row(rule.floor, n, floors)

    def __getattr__(self, name):
        return getattr(self._rule, name)


def _per_row(default, n: int, agreed):
    base = np.full(n, np.nan if default is None else float(default))
    if agreed is None:
        return default if default is None else base
    agreed = np.asarray(agreed, dtype=float)
    out = np.where(np.isnan(agreed), base, agreed)
    return None if default is None and np.isnan(out).all() else out


def _percentile(x: np.ndarray, periods) -> np.ndarray:
    """100·(mean rank − 1)/(n − 1) within each period; 50 when n == 1."""
    groups = np.zeros(len(x), dtype=int) if periods is None else pd.Series(periods).to_numpy()
    frame = pd.DataFrame({"g": groups, "x": x})
    grouped = frame.groupby("g", sort=False)["x"]
    rank = grouped.rank(method="average").to_numpy()
    n = grouped.transform("count").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(n > 1, 100.0 * (rank - 1.0) / (n - 1.0), 50.0)
    return np.where(np.isnan(x), np.nan, pct)


# ---------------------------------------------------------------------------------------
# Panel
# ---------------------------------------------------------------------------------------

def _check_panel(panel: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    if not isinstance(panel, pd.DataFrame):
        raise DataError(f"panel: expected a DataFrame with {', '.join(KEYS)} and indicator columns, "
                        f"got {type(panel).__name__}")
    for k in KEYS:
        if k not in panel.columns:
            raise DataError(f"panel: column {k!r} is missing; a wide panel has supervisor_id, "
                            f"period and one column per indicator")
    if policy.unknown_indicators:
        raise PolicyError(f"{policy.source}: indicators.{policy.unknown_indicators[0]}: unknown "
                          f"indicator; remove it or use a catalogue id before scoring")
    dup = panel.duplicated(KEYS)
    if dup.any():
        row = panel.loc[dup].iloc[0]
        raise DataError(f"panel: supervisor {row['supervisor_id']}, period {row['period']} appears "
                        f"more than once; give one row per supervisor and period")
    out = panel.sort_values(["period", "supervisor_id"], kind="mergesort").reset_index(drop=True)
    for ind in policy.weighted_indicators:
        if ind in out.columns and not pd.api.types.is_numeric_dtype(out[ind]):
            converted = pd.to_numeric(out[ind], errors="coerce")
            bad = converted.isna() & out[ind].notna()
            if bad.any():
                raise DataError(f"panel: column {ind!r} holds {out[ind][bad].iloc[0]!r}, not a "
                                f"number; give numbers (empty = missing)")
            out[ind] = converted
    return out


def indicator_scores(panel: pd.DataFrame, policy) -> pd.DataFrame:
    """Score every weighted indicator of a policy.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel: ``supervisor_id``, ``period`` and one float column per indicator id
        (as :func:`perfmodel.indicators.wide_panel` returns it). A policy indicator without
        a column counts as missing everywhere.
    policy : Policy, str or path
        A policy or what :func:`perfmodel.scoring.policy.load_policy` accepts.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period`` and one column per policy indicator (policy order)
        holding its 0…cap score, NaN when the value is missing. Rows sorted by period,
        then supervisor_id. With ``goals: replace`` a supervisor's agreed target (and
        floor) for that period replaces the policy's (:mod:`perfmodel.scoring.goals`).

    Examples
    --------
    >>> import pandas as pd
    >>> from perfmodel.scoring.policy import load_policy
    >>> policy = load_policy("efficiency")
    >>> panel = pd.DataFrame({"supervisor_id": ["S1", "S2"], "period": "2026Q3",
    ...                       "csat": [4.05, 4.5], "staff_turnover_rate": [0.10, 0.20]})
    >>> indicator_scores(panel, policy)[["supervisor_id", "csat", "backlog_ratio", "staff_turnover_rate"]]
      supervisor_id   csat  backlog_ratio  staff_turnover_rate
    0            S1   50.0            NaN                 60.0
    1            S2  120.0            NaN                  0.0
    """
    policy = load_policy(policy)
    panel = _check_panel(panel, policy)
    out = panel[KEYS].copy()
    periods = panel["period"].to_numpy()
    for ind in policy.weighted_indicators:
        values = panel[ind].to_numpy(dtype=float) if ind in panel.columns else np.full(len(panel), np.nan)
        targets, floors = agreed_arrays(panel, policy, ind)
        out[ind] = rule_score(values, policy.indicators[ind], periods, targets=targets, floors=floors)
    return out


def _combine(scores: pd.DataFrame, policy: Policy):
    """Effective weights and dimension scores; see :func:`score` for the missing modes."""
    inds = policy.weighted_indicators
    s = scores[inds].to_numpy(dtype=float) if inds else np.zeros((len(scores), 0))
    present = ~np.isnan(s)
    if policy.missing == "fail" and not present.all():
        i, j = np.argwhere(~present)[0]
        raise DataError(f"supervisor {scores['supervisor_id'].iloc[i]}, period "
                        f"{scores['period'].iloc[i]}: indicator {inds[j]} is missing and the policy "
                        f"says missing: fail; supply its data or set missing: renormalize")
    filled = np.where(present, s, 0.0)
    n = len(scores)
    dim_total = sum(policy.dimensions.values())
    eff = np.zeros_like(filled)
    dim_scores = {}
    total = np.zeros(n)
    total_valid = np.ones(n, dtype=bool)
    for dim in ("result", "process"):
        cols = [j for j, ind in enumerate(inds) if policy.indicators[ind].dimension == dim]
        dw = policy.dimensions.get(dim, 0.0)
        if not cols:
            dim_scores[dim] = np.full(n, np.nan)
            continue
        w = np.array([policy.indicators[inds[j]].weight for j in cols], dtype=float)
        if policy.missing == "renormalize":
            denom = (present[:, cols] * w).sum(axis=1)
        else:  # zero (fail has raised when anything is missing)
            denom = np.full(n, w.sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(denom[:, None] > 0, w[None, :] / denom[:, None], 0.0)
        if policy.missing == "renormalize":
            share = share * present[:, cols]
        dscore = (share * filled[:, cols]).sum(axis=1)
        valid = denom > 0
        dim_scores[dim] = np.where(valid, dscore, np.nan)
        if dw > 0:
            total += dw / dim_total * dscore
            total_valid &= valid
        eff[:, cols] = share * (dw / dim_total)
    total = np.where(total_valid, total, np.nan)
    eff[~total_valid] = np.nan
    missing = [";".join(inds[j] for j in np.flatnonzero(~row)) for row in present]
    return eff, dim_scores, total, missing


def contributions(panel: pd.DataFrame, policy) -> pd.DataFrame:
    """Each indicator's contribution to the total score.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period`` and one column per policy indicator holding
        dimension weight × effective indicator weight × indicator score (0 when missing,
        NaN on rows without a total). Per row the contributions sum to ``score``.

    Examples
    --------
    Only csat is present among the results and only the turnover rate among the processes,
    so each carries its whole dimension (``missing: renormalize``): S1 gets
    0.65 × 50 = 32.5 and 0.35 × 60 = 21.0.

    >>> import pandas as pd
    >>> from perfmodel.scoring.policy import load_policy
    >>> policy = load_policy("efficiency")
    >>> panel = pd.DataFrame({"supervisor_id": ["S1", "S2"], "period": "2026Q3",
    ...                       "csat": [4.05, 4.5], "staff_turnover_rate": [0.10, 0.20]})
    >>> c = contributions(panel, policy)
    >>> c[["supervisor_id", "csat", "staff_turnover_rate"]]
      supervisor_id  csat  staff_turnover_rate
    0            S1  32.5                 21.0
    1            S2  78.0                  0.0
    >>> c.drop(columns=["supervisor_id", "period"]).sum(axis=1).tolist()
    [53.5, 78.0]
    >>> score(panel, policy)["score"].tolist()
    [53.5, 78.0]
    """
    policy = load_policy(policy)
    scores = indicator_scores(panel, policy)
    eff, _, _, _ = _combine(scores, policy)
    inds = policy.weighted_indicators
    out = scores[KEYS].copy()
    vals = eff * np.nan_to_num(scores[inds].to_numpy(dtype=float))
    for j, ind in enumerate(inds):
        out[ind] = vals[:, j]
    return out


def score(panel: pd.DataFrame, policy, *, groups=None) -> pd.DataFrame:
    """Score supervisors with a policy.

    A dimension score is the weighted mean of its indicators' scores; the total is
    Σ dimension weight × dimension score. Missing indicator values are handled as the
    policy says, and always flagged in ``missing``:

    - ``renormalize``: the weights of the missing indicators are spread over the present
      ones of the same dimension; a dimension with no value at all leaves the total empty
      (NaN, no rating) rather than silently judging on one dimension.
    - ``zero``: a missing indicator scores 0.
    - ``fail``: raise :class:`~perfmodel.core.errors.DataError` naming supervisor, period and
      indicator.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel (``supervisor_id``, ``period``, one column per indicator id).
    policy : Policy, str or path
        A policy, a YAML file or a preset name.
    groups : pandas.DataFrame, pandas.Series or mapping, optional
        The group of each supervisor when the policy's quotas apply by team or region
        (``Policy.forced_by``): a supervisors table with ``supervisor_id`` and that column,
        or a mapping supervisor_id → group. Without it a column of that name in ``panel``
        is used. Ignored by other policies. See :func:`supervisor_groups`.

    Returns
    -------
    pandas.DataFrame
        One row per supervisor and period, sorted by period then supervisor_id, columns
        ``supervisor_id``, ``period``, ``score`` (0…cap), ``result_score``,
        ``process_score``, ``rating`` (label; "" when the total is NaN), ``missing``
        (";"-joined indicator ids, "" if none) and ``score_<indicator>`` per policy
        indicator. With ``goals: replace``, also ``agreed`` (";"-joined indicators scored
        with the supervisor's agreed target, "" if none).

    Raises
    ------
    DataError
        When the panel lacks its key columns, repeats a key, or ``missing: fail`` meets a
        missing value.
    UsageError
        When the policy's quotas apply by group and no groups are given.

    Examples
    --------
    >>> import pandas as pd, perfmodel
    >>> panel = pd.DataFrame({"supervisor_id": ["S01"], "period": ["2026Q3"], "csat": [4.05]})
    >>> row = perfmodel.score(panel, "efficiency").iloc[0]
    >>> round(float(row["score_csat"]), 6)  # linear, floor 3.8, target 4.3: (4.05 - 3.8) / 0.5 * 100
    50.0
    >>> row["missing"].split(";")[:2]
    ['complaint_resolution_rate', 'cost_control_rate']
    """
    policy = load_policy(policy)
    scores = indicator_scores(panel, policy)
    _, dims, total, missing = _combine(scores, policy)
    out = scores[KEYS].copy()
    out["score"] = total
    out["result_score"] = dims["result"]
    out["process_score"] = dims["process"]
    if policy.forced_distribution is None:
        out["rating"] = rate(out["score"], policy.rating_bands)
    elif policy.forced_by is None:
        out["rating"] = forced_ratings(out, policy.forced_distribution)
    else:
        out["rating"] = forced_ratings(out, policy.forced_distribution,
                                       groups=supervisor_groups(out["supervisor_id"], policy.forced_by,
                                                                groups, panel))
    out["missing"] = missing
    for ind in policy.weighted_indicators:
        out[f"score_{ind}"] = scores[ind].to_numpy()
    if policy.goals == "replace":
        out["agreed"] = _agreed_column(out, policy)
    return out


def _agreed_column(scores: pd.DataFrame, policy) -> list[str]:
    """Per row, the ";"-joined indicators scored with an agreed target ("" if none)."""
    used = {}
    for g in policy.agreed:
        used.setdefault((g.supervisor_id, g.period), []).append(g.indicator)
    order = {ind: j for j, ind in enumerate(policy.weighted_indicators)}
    return [";".join(sorted((i for i in used.get(k, []) if i in order), key=order.get))
            for k in zip(scores["supervisor_id"].astype(str), scores["period"].astype(str))]


# ---------------------------------------------------------------------------------------
# Ratings
# ---------------------------------------------------------------------------------------

def rate(totals, bands) -> pd.Series:
    """Rating of each total: the first band (best first) whose threshold it reaches.

    Parameters
    ----------
    totals : array-like of float
    bands : sequence of (label, threshold)
        Best first, thresholds decreasing (``Policy.rating_bands``).

    Returns
    -------
    pandas.Series
        Labels (str); "" where the total is NaN.

    Examples
    --------
    >>> bands = [("S", 90.0), ("A", 80.0), ("B", 70.0), ("C", 60.0), ("D", 0.0)]
    >>> rate([95.0, 80.0, 79.9, float("nan")], bands).tolist()
    ['S', 'A', 'B', '']
    """
    t = np.round(np.asarray(totals, dtype=float), ROUND)
    labels = np.full(len(t), "", dtype=object)
    done = np.isnan(t)
    for label, threshold in bands:
        hit = ~done & (t >= threshold)
        labels[hit] = label
        done |= hit
    # a list has an ``index`` method too: only a pandas object gives its index to the labels
    index = totals.index if isinstance(totals, (pd.Series, pd.DataFrame)) else None
    return pd.Series(labels, index=index, dtype=object)


def largest_remainder(n: int, quotas) -> list[int]:
    """Split ``n`` places among quotas by the largest-remainder (Hamilton) method.

    Each label first gets ⌊q·n⌋ places; the places left go one each to the labels with
    the largest remainders q·n − ⌊q·n⌋; equal remainders go to the label listed first.
    Quotas are taken as exact decimals (0.15 is 3/20), so float noise never decides.

    Parameters
    ----------
    n : int
        Number of places (supervisors).
    quotas : sequence of float
        Shares summing to 1.

    Returns
    -------
    list of int
        Counts in the order of ``quotas``, summing to ``n``.

    Examples
    --------
    Five places at 10/20/50/15/5 %: floors 0, 1, 2, 0, 0 leave two places, which go to the
    remainders .75 (C) and .5 (S, listed before B's equal .5):

    >>> largest_remainder(5, [0.10, 0.20, 0.50, 0.15, 0.05])
    [1, 1, 2, 1, 0]
    >>> largest_remainder(3, [0.2, 0.6, 0.2])
    [1, 2, 0]
    """
    exact = [Fraction(str(q)) * n for q in quotas]
    counts = [int(e // 1) for e in exact]
    left = n - sum(counts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:max(left, 0)]:
        counts[i] += 1
    # Quotas summing to 1 within tolerance but below 1 could leave more places than labels.
    k = 0
    while sum(counts) < n:
        counts[order[k % len(order)]] += 1
        k += 1
    return counts


NO_GROUP = "(none)"  # the group of a supervisor without a team (region) under quotas by group


def supervisor_groups(supervisor_ids, by: str, groups=None, panel: pd.DataFrame | None = None) -> pd.Series:
    """The quota group of each supervisor: their team or region, ``"(none)"`` when empty.

    A supervisor without a team (region) is not dropped and not spread over the other
    groups: all such supervisors of a period form one group of their own named
    ``"(none)"``, with the same quotas.

    Parameters
    ----------
    supervisor_ids : array-like
        The ids to look up.
    by : {"team", "region"}
    groups : pandas.DataFrame, pandas.Series or mapping, optional
        A supervisors table (``supervisor_id`` and ``by``) or a mapping id → group.
    panel : pandas.DataFrame, optional
        Used when ``groups`` is None: its ``by`` column, aligned with ``supervisor_ids``.

    Returns
    -------
    pandas.Series
        Group labels (str), aligned with ``supervisor_ids``.

    Raises
    ------
    UsageError
        When neither ``groups`` nor a ``by`` column in ``panel`` is given.

    Examples
    --------
    >>> supervisor_groups(pd.Series(["S1", "S2", "S3"]), "team", {"S1": "华东", "S2": "华北"}).tolist()
    ['华东', '华北', '(none)']
    """
    ids = pd.Series(supervisor_ids).astype(str)
    if groups is None and panel is not None and by in panel.columns:
        found = pd.Series(panel[by].to_numpy(), index=panel["supervisor_id"].astype(str).to_numpy())
        groups = found[~found.index.duplicated()]
    if groups is None:
        raise UsageError(f"the policy applies its quotas by {by}: give the supervisors' {by} "
                         f"(the supervisors table) to score with it")
    if isinstance(groups, pd.DataFrame):
        if by not in groups.columns:
            raise UsageError(f"the policy applies its quotas by {by}, but the supervisors table has no {by} "
                             f"column; add it or remove by: {by} from ratings.forced_distribution")
        groups = pd.Series(groups[by].to_numpy(), index=groups["supervisor_id"].astype(str).to_numpy())
    mapping = pd.Series(groups) if not isinstance(groups, pd.Series) else groups
    mapping.index = mapping.index.astype(str)
    found = ids.map(mapping[~mapping.index.duplicated()])
    text = found.astype(object).where(found.notna(), "").astype(str).str.strip()
    return pd.Series(np.where(text == "", NO_GROUP, text), index=getattr(supervisor_ids, "index", None),
                     dtype=object)


def forced_ratings(scored: pd.DataFrame, quotas, *, groups=None) -> pd.Series:
    """Ratings by rank within each period (and group), with quotas by largest remainder.

    Supervisors of a period with a total are ranked by total (descending), then result
    score (descending, missing last), then supervisor_id (ascending); the first
    ``count[0]`` get the best label, and so on. Rows without a total get "". With
    ``groups`` the ranking and the largest-remainder split are done within each group of
    each period (a group of 3 with shares 20/60/20 gets 1/2/0: remainders .6, .8, .6).

    Parameters
    ----------
    scored : pandas.DataFrame
        With ``supervisor_id``, ``period``, ``score``, ``result_score``.
    quotas : sequence of (label, share)
        Best first (``Policy.forced_distribution``).
    groups : array-like, optional
        The quota group of each row (see :func:`supervisor_groups`), aligned with ``scored``.

    Returns
    -------
    pandas.Series
        Labels aligned with ``scored``.

    Examples
    --------
    Three supervisors at 20/60/20 %: one A, two B and no C, whatever their totals:

    >>> scored = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3"], "period": "2026Q3",
    ...                        "score": [55.0, 91.0, 72.0], "result_score": [50.0, 90.0, 70.0]})
    >>> forced_ratings(scored, [("A", 0.2), ("B", 0.6), ("C", 0.2)]).tolist()
    ['B', 'A', 'B']
    """
    labels = [label for label, _ in quotas]
    shares = [q for _, q in quotas]
    out = pd.Series("", index=scored.index, dtype=object)
    frame = scored[["supervisor_id", "period", "score", "result_score"]].copy()
    frame["_t"] = np.round(frame["score"].astype(float), ROUND)
    frame["_r"] = np.round(frame["result_score"].astype(float), ROUND)
    frame["_g"] = "" if groups is None else np.asarray(groups, dtype=object).astype(str)
    frame = frame[frame["_t"].notna()]
    for _, group in frame.groupby(["period", "_g"], sort=True):
        ordered = group.sort_values(["_t", "_r", "supervisor_id"], ascending=[False, False, True],
                                    na_position="last", kind="mergesort")
        counts = largest_remainder(len(ordered), shares)
        assigned = np.repeat(np.array(labels, dtype=object), counts)
        out.loc[ordered.index] = assigned
    return out
