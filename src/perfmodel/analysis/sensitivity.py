"""How fragile are the ranks and ratings to the choice of weights (and scoring rules)?

:func:`rank_uncertainty` draws many plausible weightings around a policy — the dimension
weight anywhere in the phase's range, the indicator weights perturbed around the policy's
by a Dirichlet distribution, and optionally another set of scoring rules — scores every
supervisor under each, and reports per supervisor the nominal rank, the median rank, the
5–95 % rank interval and the probability that the rating differs from the nominal one.
It also attributes the rank variance to the groups of weights with Sobol indices, so that
the analyst knows which disagreement matters: the result/process balance, the result
indicator weights, the process indicator weights or the rules.

Computation: indicator scores are computed once per rule set (``scoring.indicator_scores``);
each draw is then a weight vector, so totals for a chunk of draws are matrix products
(draws × indicators) · (indicators × supervisors), followed by one argsort per draw.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., & Tarantola, S. (2010).
Variance based sensitivity analysis of model output. Design and estimator for the total
sensitivity index. *Computer Physics Communications*, 181(2), 259–270.
Jansen, M. J. W. (1999). Analysis of variance designs for model output. *Computer Physics
Communications*, 117, 35–43.
OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, §7 (uncertainty and
sensitivity analysis).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from perfmodel.scoring import scores as scoring
from perfmodel.core import settings
from perfmodel.core.errors import PolicyError, UsageError
from perfmodel.scoring.policy import RULES, Policy, load_policy, policy_from_dict
from perfmodel.core.result import Result

__all__ = ["PHASE_RESULT_RANGE", "DEFAULT_CONCENTRATION", "RankUncertainty",
           "rank_uncertainty", "phase_result_range", "with_rule", "sobol_indices"]

#: Range of the result-dimension weight per phase (the seed: efficiency phase results
#: 60–70 %; service-quality phase process 40–50 %, i.e. results 50–60 %).
PHASE_RESULT_RANGE = {"efficiency": (0.60, 0.70), "quality": (0.50, 0.60)}
#: Half-width of the result-weight range of a ``custom`` policy around its own weight.
CUSTOM_HALF_WIDTH = 0.05
#: Default Dirichlet concentration: with weight w an indicator's weight has standard
#: deviation sqrt(w (1 − w) / (c + 1)), about ±0.06 for w = 0.3 at c = 50.
DEFAULT_CONCENTRATION = 50.0

_CHUNK_CELLS = 4_000_000  # draws × supervisors per chunk (≈ 32 MB of float64 per array)
KEYS = ["supervisor_id", "period"]


@dataclass(frozen=True)
class RankUncertainty(Result):
    """Result of :func:`rank_uncertainty` (a :class:`perfmodel.core.result.Result`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per supervisor and period (sorted by period, nominal rank, supervisor_id):
        ``supervisor_id``, ``period``, ``nominal_score``, ``nominal_rank`` (1 = best),
        ``median_rank``, ``rank_p05``, ``rank_p95`` (empirical quantiles of the rank over
        the draws), ``mean_score``, ``nominal_rating``, ``modal_rating``,
        ``p_rating_differs`` (share of draws whose rating differs from the nominal one),
        ``p_<label>`` per rating label, ``n_ranked`` (supervisors ranked in the period)
        and, per weight group g, ``s1_<g>`` and ``st_<g>`` (first-order and total Sobol
        indices of this supervisor's rank; NaN when the rank never changes; with a few
        thousand draws these per-supervisor estimates are noisy and may fall outside
        [0, 1] — read the pooled ones in ``sobol``). Supervisors without a total (a
        dimension with no value) have NaN ranks and empty ratings.
    sobol : pandas.DataFrame
        One row per period and group: ``period``, ``group``, ``first_order``, ``total``
        — indices of the rank variance pooled over the supervisors of the period
        (variance-weighted mean of the per-supervisor indices).
    draws : int
        Model evaluations used (a multiple of groups + 2, at most the draws asked for).
    seed : int
    result_range : tuple of float
        Range of the result-dimension weight.
    indicator_concentration : float or None
        Dirichlet concentration (None: indicator weights fixed).
    groups : list of str
        The weight groups varied: ``dimension_weight``, ``result_weights``,
        ``process_weights`` and, with alternative rules, ``rules``.
    rule_sets : list of str
        Names of the scoring rule sets drawn from (the policy's own first).
    """

    table: pd.DataFrame
    sobol: pd.DataFrame
    draws: int
    seed: int
    result_range: tuple[float, float]
    indicator_concentration: float | None
    groups: list[str] = field(default_factory=list)
    rule_sets: list[str] = field(default_factory=list)

    title = "Rank uncertainty"

    def headline(self) -> dict:
        """``draws``, ``seed``, ``result_range``, ``indicator_concentration``, ``groups``,
        ``rule_sets`` and ``fragile`` (rows whose rating differs in at least
        ``settings.FRAGILE`` of the draws)."""
        return {"draws": self.draws, "seed": self.seed,
                "result_range": f"{self.result_range[0]:g}–{self.result_range[1]:g}",
                "indicator_concentration": self.indicator_concentration,
                "groups": ", ".join(self.groups), "rule_sets": ", ".join(self.rule_sets),
                "fragile": len(self.fragile())}

    def summary(self, threshold: float | None = None):
        """The result as text (:meth:`perfmodel.core.result.Result.summary`): headline figures
        and the table per period (:meth:`by_period`).

        ``summary(threshold)`` returns :meth:`by_period` as before, for one version, with a
        DeprecationWarning.

        Returns
        -------
        str
        """
        if threshold is not None:
            import warnings

            warnings.warn("RankUncertainty.summary(threshold) is deprecated: call by_period(threshold) "
                          "for the table per period; summary() gives the text", DeprecationWarning,
                          stacklevel=2)
            return self.by_period(threshold)
        lines = [self.title, *self._lines(), self.by_period().to_string(index=False)]
        return "\n".join(lines)

    def by_period(self, threshold: float = settings.FRAGILE) -> pd.DataFrame:
        """One row per period: ``period``, ``n_ranked``, ``n_fragile`` (P(different rating)
        ≥ ``threshold``), ``mean_p_rating_differs``, ``mean_rank_interval`` (mean width of
        the 5–95 % rank interval) and ``total_<group>`` (pooled total Sobol index)."""
        rows = []
        for period, t in self.table.groupby("period", sort=True):
            t = t.dropna(subset=["nominal_rank"])
            row = {"period": period, "n_ranked": len(t),
                   "n_fragile": int((t["p_rating_differs"] >= threshold).sum()),
                   "mean_p_rating_differs": float(t["p_rating_differs"].mean()),
                   "mean_rank_interval": float((t["rank_p95"] - t["rank_p05"]).mean())}
            sob = self.sobol[self.sobol["period"] == period]
            row.update({f"total_{g}": float(v) for g, v in zip(sob["group"], sob["total"])})
            rows.append(row)
        return pd.DataFrame(rows)

    def fragile(self, threshold: float = settings.FRAGILE) -> pd.DataFrame:
        """Rows of :attr:`table` whose rating differs from the nominal one with probability
        ≥ ``threshold``, most fragile first."""
        t = self.table[self.table["p_rating_differs"] >= threshold]
        return t.sort_values(["p_rating_differs", "period", "supervisor_id"],
                             ascending=[False, True, True], kind="mergesort").reset_index(drop=True)


def phase_result_range(policy: Policy) -> tuple[float, float]:
    """Range of the result-dimension weight for the policy's phase.

    Returns
    -------
    tuple of float
        efficiency: (0.60, 0.70); quality: (0.50, 0.60); custom: the policy's result
        weight ± 0.05, clipped to [0, 1].

    Examples
    --------
    >>> from perfmodel.scoring.policy import load_policy, policy_from_dict
    >>> phase_result_range(load_policy("efficiency")), phase_result_range(load_policy("quality"))
    ((0.6, 0.7), (0.5, 0.6))
    >>> custom = policy_from_dict({
    ...     "name": "东区试行", "version": "1", "dimensions": {"result": 0.6, "process": 0.4},
    ...     "indicators": {
    ...         "csat": {"dimension": "result", "weight": 1.0, "rule": "ratio", "target": 4.6},
    ...         "timely_closure_rate": {"dimension": "process", "weight": 1.0, "rule": "ratio",
    ...                                 "target": 0.9}},
    ...     "ratings": {"bands": {"A": 85, "B": 0}}})
    >>> low, high = phase_result_range(custom)
    >>> custom.phase, round(low, 6), round(high, 6)
    ('custom', 0.55, 0.65)
    """
    if policy.phase in PHASE_RESULT_RANGE:
        return PHASE_RESULT_RANGE[policy.phase]
    r = _result_share(policy)
    return (max(0.0, r - CUSTOM_HALF_WIDTH), min(1.0, r + CUSTOM_HALF_WIDTH))


def _result_share(policy: Policy) -> float:
    total = sum(policy.dimensions.values())
    return policy.dimensions.get("result", 0.0) / total if total > 0 else 0.0


def with_rule(policy: Policy, rule: str) -> Policy:
    """The same policy with every indicator scored by one parameter-free rule.

    Only ``"percentile"`` (relative ranking within the period, 相对排名) needs no
    parameters, so it is the one rule that can replace all others.

    Returns
    -------
    Policy
        Same weights, dimensions, ratings; name suffixed with ``+<rule>``.

    Examples
    --------
    >>> from perfmodel.scoring.policy import load_policy
    >>> ranked = with_rule(load_policy("efficiency"), "percentile")
    >>> ranked.name, ranked.dimensions
    ('after-sales-supervisor-efficiency+percentile', {'result': 0.65, 'process': 0.35})
    >>> sorted({rule.rule for rule in ranked.indicators.values()})
    ['percentile']
    >>> with_rule(ranked, "linear")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: alternative rule 'linear': only 'percentile' can replace every rule; pass a policy file for other rule sets
    """
    if rule != "percentile":
        raise UsageError(f"alternative rule {rule!r}: only 'percentile' can replace every rule; "
                         f"pass a policy file for other rule sets")
    data = policy.to_dict()
    for entry in data["indicators"].values():
        for key in ("floor", "target", "points", "bands"):
            entry.pop(key, None)
        entry["rule"] = rule
    data["name"] = f"{data['name']}+{rule}"
    return policy_from_dict(data, source=f"{policy.source} with rule {rule}")


def _rule_sets(policy: Policy, rules) -> list[tuple[str, Policy]]:
    sets = [("policy", policy)]
    if rules is None:
        return sets
    if isinstance(rules, (str, Policy)):
        rules = [rules]
    items = rules.items() if isinstance(rules, Mapping) else [(None, r) for r in rules]
    for name, r in items:
        if isinstance(r, str) and r in RULES:
            alt, label = with_rule(policy, r), r
        else:
            alt = load_policy(r)
            label = alt.name
            missing = [i for i in policy.weighted_indicators if i not in alt.indicators]
            if missing:
                raise PolicyError(f"{alt.source}: indicators.{missing[0]}: missing; an alternative "
                                  f"rule set must score every indicator of {policy.source}")
        sets.append((str(name) if name is not None else label, alt))
    return sets


def sobol_indices(f_a: np.ndarray, f_b: np.ndarray, f_ab: list[np.ndarray]):
    """First-order (Saltelli 2010) and total (Jansen 1999) Sobol indices.

    Parameters
    ----------
    f_a, f_b : numpy.ndarray
        Outputs on the two independent base samples A and B, shape (N, ...) .
    f_ab : list of numpy.ndarray
        For each input group i, the outputs on A with group i taken from B.

    Returns
    -------
    tuple of numpy.ndarray
        ``(v, s1_num, st_num)``: the output variance (over A ∪ B) and, per group (first
        axis), the numerators V_i = mean(f_B (f_ABi − f_A)) and
        V_Ti = mean((f_A − f_ABi)²) / 2; divide by ``v`` for the indices. Numerators are
        returned so that indices can be pooled over several outputs.
    Examples
    --------
    For f = x1 + 2·x2 with x1, x2 uniform on [0, 1] the variance is 1/12 + 4/12 = 0.417
    and, the function being additive, both indices are 1/5 for x1 and 4/5 for x2:

    >>> rng = np.random.default_rng(1)
    >>> a, b = rng.uniform(size=(20000, 2)), rng.uniform(size=(20000, 2))
    >>> def f(x):
    ...     return x[:, 0] + 2 * x[:, 1]
    >>> f_ab = []
    >>> for i in range(2):
    ...     mixed = a.copy()
    ...     mixed[:, i] = b[:, i]
    ...     f_ab.append(f(mixed))
    >>> v, s1_num, st_num = sobol_indices(f(a), f(b), f_ab)
    >>> round(float(v), 3), (s1_num / v).round(1).tolist(), (st_num / v).round(1).tolist()
    (0.418, [0.2, 0.8], [0.2, 0.8])
    """
    def flt(x):
        x = np.asarray(x)
        return x if x.dtype.kind == "f" else x.astype(float)

    fa, fb = flt(f_a), flt(f_b)
    v = np.var(np.concatenate([fa, fb]), axis=0, ddof=1, dtype=np.float64)
    s1 = np.stack([np.mean(fb * (flt(x) - fa), axis=0, dtype=np.float64) for x in f_ab])
    st = np.stack([0.5 * np.mean((fa - flt(x)) ** 2, axis=0, dtype=np.float64) for x in f_ab])
    return v, s1, st


def _dirichlet(rng: np.random.Generator, w: np.ndarray, c: float | None, size: int) -> np.ndarray:
    """Draws of weights around ``w`` (zeros stay zero); fixed when ``c`` is None."""
    out = np.zeros((size, len(w)))
    pos = w > 0
    if c is None or not np.isfinite(c) or pos.sum() <= 1:
        out[:, pos] = w[pos] / w[pos].sum() if pos.any() else 0.0
        return out
    out[:, pos] = rng.dirichlet(c * w[pos] / w[pos].sum(), size=size)
    return out


def rank_uncertainty(panel: pd.DataFrame, policy, draws: int = settings.DRAWS, seed: int = settings.SEED,
                     result_range: tuple[float, float] | None = None,
                     indicator_concentration: float | None = DEFAULT_CONCENTRATION,
                     rules=None, supervisors: pd.DataFrame | None = None) -> RankUncertainty:
    """Monte Carlo uncertainty of ranks and ratings under plausible weights.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel (``supervisor_id``, ``period``, one column per indicator); usually one
        period. Ranks and ratings are computed within each period.
    policy : Policy, str or path
        The nominal policy (file or preset).
    draws : int, default :data:`perfmodel.core.settings.DRAWS` (2 000)
        Model evaluations. They follow a Saltelli design with N = draws // (k + 2) base
        draws for k weight groups; every evaluation is also a draw from the weight
        distribution, so all of them feed the rank and rating summaries.
    seed : int, default :data:`perfmodel.core.settings.SEED`
        Seed of the random generator; same inputs and seed give identical results.
    result_range : (low, high), optional
        Range of the result-dimension weight, drawn uniformly (process = 1 − result).
        Default :func:`phase_result_range`: efficiency 0.60–0.70, quality 0.50–0.60,
        custom the policy's weight ± 0.05.
    indicator_concentration : float or None, default 50
        Concentration c of the Dirichlet(c · w) distribution of the indicator weights of
        each dimension around the policy weights w (larger = closer). None keeps them fixed.
    rules : None, "percentile", Policy, path, or a list/mapping of them
        Alternative scoring rule sets; each draw uses the policy's own rules or one of
        these with equal probability (weights always come from the draw). An alternative
        policy must score every indicator of ``policy``; its weights are ignored.
    supervisors : pandas.DataFrame, optional
        ``supervisor_id`` and ``team``/``region``: needed when the policy's quotas apply by
        team or region (a draw's ratings then follow the ranks within each group).

    Returns
    -------
    RankUncertainty
        ``table`` (per supervisor), ``sobol`` (per group), settings; see the class.

    Notes
    -----
    Missing values are handled as the policy says (``renormalize``: the weights of the
    present indicators of a dimension are rescaled per supervisor and draw). Ranks are
    1 = best, ties broken by supervisor_id. With a forced distribution the rating of a
    draw follows the rank with the policy's quotas (largest remainder; within each team or
    region when the quotas apply by group); otherwise the bands. Rank quantiles are empirical (``inverted_cdf``), so they are ranks that occurred.

    Examples
    --------
    The nominal scores are those of :func:`perfmodel.score`; S2, 2.9 points above the A
    band's floor of 80, gets another rating in about one draw of five:

    >>> import pandas as pd
    >>> panel = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4"], "period": "2026Q3",
    ...                       "csat": [4.5, 4.1, 4.3, 3.9],
    ...                       "complaint_resolution_rate": [0.95, 0.80, 0.97, 0.70],
    ...                       "first_response_hours": [2.0, 3.0, 5.0, 8.0],
    ...                       "staff_turnover_rate": [0.05, 0.10, 0.02, 0.20]})
    >>> ru = rank_uncertainty(panel, "efficiency", draws=500, seed=7)
    >>> print(ru.table[["supervisor_id", "nominal_score", "nominal_rank", "rank_p05", "rank_p95",
    ...                 "nominal_rating", "p_rating_differs"]].round(3).to_string())
      supervisor_id  nominal_score  nominal_rank  rank_p05  rank_p95 nominal_rating  p_rating_differs
    0            S1        114.227           1.0       1.0       1.0              S              0.00
    1            S3         99.769           2.0       2.0       2.0              S              0.00
    2            S2         82.871           3.0       3.0       3.0              A              0.19
    3            S4         45.224           4.0       4.0       4.0              D              0.00
    >>> import perfmodel
    >>> perfmodel.score(panel, "efficiency")["score"].round(3).tolist()
    [114.227, 82.871, 99.769, 45.224]
    """
    policy = load_policy(policy)
    draws = int(draws)
    if policy.missing == "fail":
        # scoring.score raises on a missing value; so do we, with the same message
        scoring.score(panel, policy, groups=supervisors)
    sets = _rule_sets(policy, rules)
    groups = ["dimension_weight", "result_weights", "process_weights"]
    if len(sets) > 1:
        groups.append("rules")
    k = len(groups)
    n_base = draws // (k + 2)
    if n_base < 2:
        raise UsageError(f"draws={draws} is too few: give at least {2 * (k + 2)}")
    lo, hi = result_range if result_range is not None else phase_result_range(policy)
    if not 0 <= lo <= hi <= 1:
        raise UsageError(f"result_range {lo, hi}: give 0 ≤ low ≤ high ≤ 1")
    c = indicator_concentration
    if c is not None and not c > 0:
        raise UsageError("indicator_concentration must be > 0 (or None for fixed weights)")

    inds = policy.weighted_indicators
    res_cols = [j for j, i in enumerate(inds) if policy.indicators[i].dimension == "result"]
    proc_cols = [j for j, i in enumerate(inds) if policy.indicators[i].dimension == "process"]
    w_res = np.array([policy.indicators[inds[j]].weight for j in res_cols], dtype=float)
    w_proc = np.array([policy.indicators[inds[j]].weight for j in proc_cols], dtype=float)

    # --- inputs: Saltelli design, A | B | A_B(1) … A_B(k) --------------------------------
    rng = np.random.default_rng(seed)
    two = 2 * n_base
    g_dim = rng.uniform(lo, hi, size=two) if hi > lo else np.full(two, lo)
    g_res = _dirichlet(rng, w_res, c, two)
    g_proc = _dirichlet(rng, w_proc, c, two)
    g_rule = rng.integers(0, len(sets), size=two) if len(sets) > 1 else np.zeros(two, dtype=int)
    base = {"dimension_weight": g_dim, "result_weights": g_res, "process_weights": g_proc,
            "rules": g_rule}
    a = {g: v[:n_base] for g, v in base.items()}
    b = {g: v[n_base:] for g, v in base.items()}
    blocks = [a, b] + [{g: (b[g] if g == gi else a[g]) for g in base} for gi in groups]
    dimw = np.concatenate([blk["dimension_weight"] for blk in blocks])
    wres = np.concatenate([blk["result_weights"] for blk in blocks])
    wproc = np.concatenate([blk["process_weights"] for blk in blocks])
    rule_ix = np.concatenate([blk["rules"] for blk in blocks])
    n_eval = len(dimw)

    # --- scores once per rule set ----------------------------------------------------------
    score_sets = [scoring.indicator_scores(panel, p)[KEYS + inds] for _, p in sets]
    keys = score_sets[0][KEYS].reset_index(drop=True)
    labels = [label for label, _ in policy.rating_bands]
    nominal = scoring.score(panel, policy, groups=supervisors)[KEYS + ["score"]].reset_index(drop=True)
    quota_group = None
    if policy.forced_distribution is not None and policy.forced_by is not None:
        quota_group = scoring.supervisor_groups(keys["supervisor_id"], policy.forced_by, supervisors,
                                                panel).to_numpy()

    tables, sobols = [], []
    for period, rows in keys.groupby("period", sort=True).groups.items():
        rows = np.asarray(rows)
        mats = [s.iloc[rows][inds].to_numpy(dtype=float) for s in score_sets]
        out = _one_period(mats, res_cols, proc_cols, policy, dimw, wres, wproc, rule_ix,
                          nominal["score"].to_numpy()[rows], n_base, k, groups, labels,
                          None if quota_group is None else quota_group[rows])
        t, sob = out
        t.insert(0, "period", period)
        t.insert(0, "supervisor_id", keys["supervisor_id"].to_numpy()[rows])
        sob.insert(0, "period", period)
        tables.append(t)
        sobols.append(sob)
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    if len(table):
        table = table.sort_values(["period", "nominal_rank", "supervisor_id"],
                                  na_position="last", kind="mergesort").reset_index(drop=True)
    sobol = pd.concat(sobols, ignore_index=True) if sobols else pd.DataFrame()
    return RankUncertainty(table=table, sobol=sobol, draws=n_eval, seed=seed,
                           result_range=(float(lo), float(hi)), indicator_concentration=c,
                           groups=groups, rule_sets=[name for name, _ in sets])


def _dimension(w: np.ndarray, filled: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Renormalised dimension scores: (draws × p_d) weights, (n × p_d) scores -> draws × n."""
    num = w @ filled.T
    den = w @ present.T
    with np.errstate(divide="ignore", invalid="ignore"):
        num /= den
    num[den <= 0] = np.nan
    return num


class _RuleSet:
    """Indicator scores of one rule set, prepared for the products of every chunk."""

    def __init__(self, s: np.ndarray, res_cols, proc_cols, renorm: bool):
        present = ~np.isnan(s)
        filled = np.where(present, s, 0.0)
        self.res_cols, self.proc_cols = res_cols, proc_cols
        self.all_cols = list(res_cols) + list(proc_cols)
        # one product per chunk when no renormalisation is needed (nothing missing)
        self.simple = not renorm or bool(present[:, self.all_cols].all())
        self.filled_all = np.ascontiguousarray(filled[:, self.all_cols])
        self.parts = []
        for cols in (res_cols, proc_cols):
            self.parts.append((filled[:, cols], present[:, cols].astype(float)) if cols else None)

    def totals(self, dw: np.ndarray, wr: np.ndarray, wp: np.ndarray) -> np.ndarray:
        nr = len(self.res_cols)
        if self.simple:
            # a dimension without indicators contributes nothing, as in scoring.score
            eff = np.empty((len(dw), len(self.all_cols)))
            eff[:, :nr] = wr * dw[:, None]
            eff[:, nr:] = wp * (1.0 - dw)[:, None]
            return eff @ self.filled_all.T
        res = _dimension(wr, *self.parts[0]) if self.parts[0] else None
        proc = _dimension(wp, *self.parts[1]) if self.parts[1] else None
        if res is None:
            return proc * (1.0 - dw)[:, None]
        if proc is None:
            return res * dw[:, None]
        res *= dw[:, None]
        proc *= (1.0 - dw)[:, None]
        res += proc
        return res


def _band_index(total: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Index of the first band (best first) whose threshold the total reaches."""
    t = np.round(total, scoring.ROUND)
    idx = np.zeros(t.shape, dtype=np.int8)
    for thr in thresholds:
        idx += t < thr
    return idx


def _rank_quantiles(ranks: np.ndarray, qs) -> np.ndarray:
    """Empirical (inverted-CDF) quantiles of each column of ``ranks``: shape (len(qs), n).

    Equal to ``np.quantile(ranks, qs, axis=0, method="inverted_cdf")``, computed by one
    partition of the supervisor-major copy (faster on the integer ranks).
    """
    e = ranks.shape[0]
    ks = [min(e, max(1, int(np.ceil(q * e - 1e-9)))) - 1 for q in qs]  # 0-based order statistics
    rt = np.ascontiguousarray(ranks.T)
    part = np.partition(rt, sorted(set(ks)), axis=1)
    return part[:, ks].T.astype(float)


def _one_period(mats, res_cols, proc_cols, policy, dimw, wres, wproc, rule_ix, nominal_total,
                n_base, k, groups, labels, quota_group=None):
    n = mats[0].shape[0]
    renorm = policy.missing == "renormalize"
    sets = [_RuleSet(s, res_cols, proc_cols, renorm) for s in mats]
    valid = ~np.isnan(nominal_total)
    n_valid = int(valid.sum())
    thresholds = np.array([t for _, t in policy.rating_bands], dtype=float)
    pos_label = None
    if policy.forced_distribution is not None and n_valid:
        counts = scoring.largest_remainder(n_valid, [q for _, q in policy.forced_distribution])
        pos_label = np.repeat(np.arange(len(counts), dtype=np.int8), counts)
        pos_label = np.concatenate([pos_label, np.full(n - n_valid, -1, dtype=np.int8)])

    # nominal: the policy's own weights and rules; ties broken by supervisor_id
    order = np.argsort(np.where(valid, -nominal_total, np.inf), kind="stable")
    nom_rank = np.empty(n, dtype=np.int64)
    nom_rank[order] = np.arange(1, n + 1)
    by_group = None
    if quota_group is not None and policy.forced_distribution is not None:
        # quotas within each team/region: (member positions, label of the k-th best member)
        shares = [q for _, q in policy.forced_distribution]
        by_group = []
        for g in pd.unique(quota_group):
            members = np.flatnonzero((quota_group == g) & valid)
            if members.size:
                counts = scoring.largest_remainder(members.size, shares)
                by_group.append((members, np.repeat(np.arange(len(counts), dtype=np.int8), counts)))
        pos_label = None
        nom_idx = np.full(n, -1)
        for members, labels_of in by_group:
            inner = np.argsort(nom_rank[members], kind="stable")
            nom_idx[members[inner]] = labels_of
    elif pos_label is not None:
        nom_idx = pos_label[nom_rank - 1].astype(int)
    else:
        nom_idx = _band_index(nominal_total, thresholds).astype(int)
    nom_idx = np.where(valid, nom_idx, -1)

    n_eval = len(dimw)
    rank_dtype = np.int16 if n < 32_000 else np.int32
    desc = np.arange(n, 0, -1, dtype=rank_dtype)[None, :]  # ascending sort -> rank 1 = best
    all_ranks = np.empty((n_eval, n), dtype=rank_dtype)
    label_counts = np.zeros((n, len(labels)), dtype=np.int64)
    differs = np.zeros(n, dtype=np.int64)
    score_sum = np.zeros(n)
    invalid = np.flatnonzero(~valid)
    chunk = max(1, _CHUNK_CELLS // max(n, 1))
    for start in range(0, n_eval, chunk):
        sl = slice(start, min(start + chunk, n_eval))
        if len(sets) == 1:
            tot = sets[0].totals(dimw[sl], wres[sl], wproc[sl])
        else:
            tot = np.empty((sl.stop - sl.start, n))
            rix = rule_ix[sl]
            for r in np.unique(rix):
                sel = rix == r
                tot[sel] = sets[r].totals(dimw[sl][sel], wres[sl][sel], wproc[sl][sel])
        if invalid.size:
            tot[:, invalid] = -np.inf
        # draws: ties (equal totals) are broken by the sort, deterministically
        order = np.argsort(tot, axis=1)
        rk = all_ranks[sl]
        np.put_along_axis(rk, order, desc, axis=1)
        if by_group is not None:
            idx = np.full(tot.shape, -1, dtype=np.int8)
            for members, labels_of in by_group:
                inner = np.argsort(-tot[:, members], axis=1, kind="stable")  # best first
                place = np.empty_like(inner)
                np.put_along_axis(place, inner, np.arange(members.size)[None, :], axis=1)
                idx[:, members] = labels_of[place]
        elif pos_label is not None:
            idx = pos_label[rk - 1]
        else:
            idx = _band_index(tot, thresholds)
        for j in range(len(labels)):
            label_counts[:, j] += np.count_nonzero(idx == j, axis=0)
        differs += np.count_nonzero(idx != nom_idx[None, :], axis=0)
        score_sum += tot.sum(axis=0)

    q = _rank_quantiles(all_ranks, [0.05, 0.5, 0.95])
    blocks = [all_ranks[i * n_base:(i + 1) * n_base].astype(np.float32) for i in range(k + 2)]
    v, s1n, stn = sobol_indices(blocks[0], blocks[1], blocks[2:])
    v_valid = np.where(valid, v, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = np.where(v_valid > 0, s1n / v_valid, np.nan)
        st = np.where(v_valid > 0, stn / v_valid, np.nan)
        pool = v_valid.sum()
        pooled_s1 = (s1n * (v_valid > 0)).sum(axis=1) / pool if pool > 0 else np.full(k, np.nan)
        pooled_st = (stn * (v_valid > 0)).sum(axis=1) / pool if pool > 0 else np.full(k, np.nan)

    lab = np.array(labels + [""], dtype=object)
    t = pd.DataFrame({
        "nominal_score": nominal_total,
        "nominal_rank": np.where(valid, nom_rank, np.nan),
        "median_rank": np.where(valid, q[1], np.nan),
        "rank_p05": np.where(valid, q[0], np.nan),
        "rank_p95": np.where(valid, q[2], np.nan),
        "mean_score": np.where(valid, score_sum / n_eval, np.nan),
        "nominal_rating": lab[nom_idx],
        "modal_rating": np.where(valid, lab[np.argmax(label_counts, axis=1)], ""),
        "p_rating_differs": np.where(valid, differs / n_eval, np.nan),
    })
    for j, label in enumerate(labels):
        t[f"p_{label}"] = np.where(valid, label_counts[:, j] / n_eval, np.nan)
    t["n_ranked"] = n_valid
    for gi, g in enumerate(groups):
        t[f"s1_{g}"] = s1[gi]
        t[f"st_{g}"] = st[gi]
    sob = pd.DataFrame({"group": groups, "first_order": pooled_s1, "total": pooled_st})
    return t, sob
