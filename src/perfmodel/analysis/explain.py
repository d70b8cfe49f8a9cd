"""Why a supervisor got their score and rating: the whole derivation, indicator by indicator.

For one supervisor and period, :func:`explain` lays out for every weighted indicator of the
policy: numerator and denominator → value → rule with its parameters → indicator score →
overall weight → contribution (the contributions sum to the total score; the per-indicator
rows are those of :func:`perfmodel.analysis.provisional.score_table`, the table the feedback pages
and ``feedback_scores.csv`` use). Then the result and process subtotals, the total and its
rating band, the distance to the next band and, for indicators whose rule can be inverted
(ratio, linear, deduction), the change in the indicator's own value that alone would close
that distance; and, from the sensitivity analysis, the rank interval and the chance that the
rating changes when the weights move.

Closing the distance: with ``d`` the points missing to the next band's threshold and ``w``
an indicator's overall weight, its score must rise by ``d / w``. The value that scores
``s + d / w`` is found by inverting the rule (ratio: ``x = s·t/100`` when higher is better,
``x = 100·t/s`` when lower; linear: ``x = f + s·(t − f)/100``; deduction:
``x = t ± (s − 100)/p``). When that score lies above the rule's cap the indicator cannot
close the distance alone (no value is given). The weights of the other indicators are held
as they are (with ``missing: renormalize`` an indicator that is missing has no weight and
cannot close anything).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from perfmodel.core import settings
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.errors import UsageError
from perfmodel.core.result import Result
from perfmodel.scoring.targets import rule_for

__all__ = ["EXPLAIN_COLUMNS", "Explanation", "derive", "explain", "rule_text"]

#: Columns of :attr:`Explanation.table` (and of ``perfmodel explain --out``).
EXPLAIN_COLUMNS = ["supervisor_id", "period", "indicator", "value", "numerator", "denominator", "rule", "score",
                   "weight", "contribution"]
INVERTIBLE = ("ratio", "linear", "deduction")


@dataclass
class Explanation(Result):
    """The derivation of one supervisor's score in one period (a :class:`perfmodel.core.result.Result`:
    ``table`` is the derivation, ``summary()`` the score, rating and next band above it).

    Attributes
    ----------
    table : pandas.DataFrame
        :data:`EXPLAIN_COLUMNS`, one row per weighted indicator in policy order, plus
        ``dimension`` and ``to_next_band`` (the change in the indicator's own value that alone
        reaches the next band; NaN when the rule cannot be inverted, the cap forbids it or
        there is no next band).
    supervisor_id, period, name : str
    result_score, process_score, score : float
        Dimension subtotals and the total (NaN when undefined).
    rating : str
    next_band : str or None
        The next better rating label (None at the top, or under a forced distribution).
    next_threshold, distance : float
        Its threshold and the points missing to reach it (NaN without a next band).
    forced : bool
        The policy rates by forced distribution (ranks, not thresholds).
    rank, rank_low, rank_high, n_ranked : float
        Nominal rank (1 = best) and its 5 %-95 % interval over the re-weightings.
    p_rating_differs : float
        Share of re-weightings that give another rating.
    draws, seed : int
        Of the sensitivity analysis.
    goals : pandas.DataFrame
        The supervisor's agreed goals of the period (columns of
        :func:`perfmodel.scoring.goals.goals_of`); ``replaces`` says whether the score used them.
    """

    table: pd.DataFrame
    supervisor_id: str
    period: str
    name: str
    result_score: float
    process_score: float
    score: float
    rating: str
    next_band: str | None
    next_threshold: float
    distance: float
    forced: bool
    rank: float
    rank_low: float
    rank_high: float
    n_ranked: int
    p_rating_differs: float
    draws: int = settings.DRAWS
    seed: int = settings.SEED
    policy: object = field(default=None, repr=False)
    goals: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def title(self) -> str:
        """``Score of <supervisor_id> (<name>) in <period>``."""
        who = f"{self.supervisor_id} ({self.name})" if self.name and self.name != self.supervisor_id else self.supervisor_id
        return f"Score of {who} in {self.period}"

    def headline(self) -> dict:
        """``score``, ``rating``, ``result_score``, ``process_score``, ``next_band``,
        ``distance`` and ``rank`` (of ``n_ranked``, with its 5–95 % interval)."""
        return {"score": self.score, "rating": self.rating, "result_score": self.result_score,
                "process_score": self.process_score, "next_band": self.next_band or "—",
                "distance": self.distance,
                "rank": f"{self.rank:g} of {self.n_ranked} ({self.rank_low:g}–{self.rank_high:g})"}

    def to_csv(self, path) -> None:
        """Write :attr:`table` (:data:`EXPLAIN_COLUMNS`) as UTF-8 CSV, byte-identical for the same inputs."""
        from perfmodel.core.atomic import write_atomic

        text = self.table[EXPLAIN_COLUMNS].to_csv(index=False, lineterminator="\n", float_format="%.10g")
        write_atomic(path, text.encode("utf-8"))

    @keyword_only("lang")
    def text(self, *, lang: str = "en") -> str:
        """The derivation as lines of text in ``lang`` (``en`` or ``zh``)."""
        from perfmodel.analysis.explain_text import render

        return render(self, lang=lang)


def rule_text(rule, agreed=None) -> str:
    """A policy rule with its parameters, e.g. ``linear(floor=3.8, target=4.3, higher)``.

    With ``agreed`` (the :class:`~perfmodel.scoring.policy.AgreedTarget` the score used), the
    agreed target and floor are shown and marked, e.g.
    ``linear(floor=4 agreed, target=4.5 agreed, higher, cap=120)``.

    Returns
    -------
    str

    Examples
    --------
    >>> from perfmodel.scoring.policy import load_policy
    >>> policy = load_policy("efficiency")
    >>> rule_text(policy.indicators["csat"])
    'linear(floor=3.8, target=4.3, higher, cap=120)'
    >>> rule_text(policy.indicators["staff_turnover_rate"])
    'bands(bands=0.03:100/0.06:80/0.1:60/0.15:30, lower, cap=120)'
    """
    params = []
    tag = " agreed" if agreed is not None else ""
    ftag = " agreed" if agreed is not None and agreed.floor is not None else ""
    if agreed is not None:
        rule = agreed.apply(rule)
    if rule.rule in ("ratio", "gate"):
        params.append(f"target={rule.target:g}{tag}")
    elif rule.rule == "linear":
        params += [f"floor={rule.floor:g}{ftag}", f"target={rule.target:g}{tag}"]
    elif rule.rule == "deduction":
        params += [f"target={(rule.target if rule.target is not None else 0.0):g}{tag}", f"points={rule.points:g}"]
    elif rule.rule == "bands":
        params.append("bands=" + "/".join(f"{t:g}:{p:g}" for t, p in rule.bands))
    params.append(rule.direction)
    params.append(f"cap={rule.cap:g}")
    return f"{rule.rule}({', '.join(params)})"


def value_for_score(rule, score: float) -> float:
    """The indicator value that scores ``score`` under ``rule`` (ratio, linear, deduction).

    Returns
    -------
    float
        NaN when the rule cannot be inverted or ``score`` lies outside (0, cap].

    Examples
    --------
    60 points of csat, linear from 3.8 to 4.3: 3.8 + 0.6 × 0.5 = 4.1.

    >>> from perfmodel.scoring.policy import load_policy
    >>> policy = load_policy("efficiency")
    >>> round(value_for_score(policy.indicators["csat"], 60.0), 6)
    4.1
    >>> round(value_for_score(policy.indicators["complaint_resolution_rate"], 100.0), 6)
    0.8
    >>> value_for_score(policy.indicators["csat"], 130.0)  # above the cap of 120
    nan
    """
    if rule.rule not in INVERTIBLE or not (0.0 < score <= rule.cap + 1e-12):
        return float("nan")
    higher = rule.direction == "higher"
    if rule.rule == "ratio":
        return score * rule.target / 100.0 if higher else 100.0 * rule.target / score
    if rule.rule == "linear":
        return rule.floor + score * (rule.target - rule.floor) / 100.0
    base = rule.target if rule.target is not None else 0.0
    step = (score - 100.0) / rule.points
    return base + step if higher else base - step


def explain(data, policy, supervisor_id: str, period: str, *, engine: str = "duckdb",
            draws: int = settings.DRAWS, seed: int = settings.SEED) -> Explanation:
    """Derive one supervisor's score and rating of one period, step by step.

    Parameters
    ----------
    data : PipelineResult, Dataset, str or pathlib.Path
        A pipeline result holding ``period`` with scores, or what
        :func:`perfmodel.pipeline.run_pipeline` reads.
    policy : Policy, str or path
        The scoring policy (ignored when ``data`` is a pipeline result with a policy).
    supervisor_id, period : str
    draws, seed : int
        Of the sensitivity analysis (:func:`perfmodel.analysis.sensitivity.rank_uncertainty`), as the
        pages and ``perfmodel sensitivity`` run it.

    Returns
    -------
    Explanation

    Raises
    ------
    UsageError
        The supervisor has no row in that period.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.data.synth import generate
    >>> folder = tempfile.mkdtemp()
    >>> _ = generate(folder, seed=1, supervisors=4, start="2026Q2", end="2026Q3", tickets=200)
    >>> e = explain(folder, "efficiency", "S003", "2026Q3", draws=200)
    >>> e.name, e.rating, e.next_band, e.next_threshold, round(e.distance, 2)
    ('袁强', 'D', 'C', 60.0, 2.57)
    >>> print(e.table[["indicator", "value", "score", "weight", "contribution"]].head(3)
    ...       .round(3).to_string())
                       indicator  value  score  weight  contribution
    0                       csat  3.556    0.0   0.195           0.0
    1  complaint_resolution_rate  1.000  120.0   0.162          19.5
    2          cost_control_rate  0.773  110.0   0.130          14.3

    The contributions add up to the score, 2.57 points below the C band's 60:

    >>> round(float(e.table["contribution"].sum()), 2), round(e.score, 2)
    (57.43, 57.43)
    """
    from perfmodel.pipeline import PipelineResult, run_pipeline

    if isinstance(data, PipelineResult) and data.scores is not None and period in data.periods:
        res = data
    else:
        res = run_pipeline(data, policy, period=period, engine=engine)
    period = res.period if period == "latest" else period
    return derive(res.wide[res.wide["period"] == period], res.indicators_of(period), res.policy, supervisor_id,
                  period, res.supervisors, draws=draws, seed=seed)


def derive(wide: pd.DataFrame, long: pd.DataFrame, policy, supervisor_id: str, period: str,
           supervisors: pd.DataFrame | None = None, *, draws: int = settings.DRAWS,
           seed: int = settings.SEED) -> Explanation:
    """The :class:`Explanation` of one supervisor from a period's panels (what :func:`explain` and
    the feedback pages share).

    Parameters
    ----------
    wide : pandas.DataFrame
        Wide panel of the period, every supervisor (percentile rules rank among them).
    long : pandas.DataFrame
        Long indicator rows of the period (numerators and denominators); may be empty.
    supervisors : pandas.DataFrame, optional
        ``supervisor_id``, ``name``.
    draws : int
        0 skips the sensitivity analysis (rank fields NaN).

    Returns
    -------
    Explanation

    Examples
    --------
    S1 scores 75 on csat ((4.4 − 3.8) / 0.8) and 90 on timely closure (0.81 / 0.9): a total
    of 0.6 × 75 + 0.4 × 90 = 81, four points below A. Alone, csat would have to rise by
    4 / 0.6 points of score, 0.0533; timely closure by 4 / 0.4 points, 9 percentage points:

    >>> from perfmodel.scoring.policy import policy_from_dict
    >>> policy = policy_from_dict({
    ...     "name": "东区试行", "version": "1", "dimensions": {"result": 0.6, "process": 0.4},
    ...     "indicators": {
    ...         "csat": {"dimension": "result", "weight": 1.0, "rule": "linear",
    ...                  "floor": 3.8, "target": 4.6},
    ...         "timely_closure_rate": {"dimension": "process", "weight": 1.0, "rule": "ratio",
    ...                                 "target": 0.9}},
    ...     "ratings": {"bands": {"A": 85, "B": 70, "C": 0}}})
    >>> wide = pd.DataFrame({"supervisor_id": ["S1", "S2"], "period": "2026Q3",
    ...                      "csat": [4.4, 4.0], "timely_closure_rate": [0.81, 0.95]})
    >>> ex = derive(wide, wide.iloc[:0], policy, "S1", "2026Q3", draws=0)
    >>> round(ex.score, 6), ex.rating, ex.next_band, round(ex.distance, 6)
    (81.0, 'B', 'A', 4.0)
    >>> ex.table[["indicator", "value", "score", "weight", "contribution", "to_next_band"]].round(4)
                 indicator  value  score  weight  contribution  to_next_band
    0                 csat   4.40   75.0     0.6          45.0        0.0533
    1  timely_closure_rate   0.81   90.0     0.4          36.0        0.0900
    """
    from perfmodel.scoring.goals import goals_of
    from perfmodel.analysis.provisional import score_table
    from perfmodel.scoring.scores import score
    from perfmodel.analysis.sensitivity import rank_uncertainty

    pol, sid = policy, str(supervisor_id)
    scores = score(wide, pol, groups=supervisors if pol.forced_by else None)
    row = scores[scores["supervisor_id"].astype(str) == sid]
    if row.empty:
        known = ", ".join(scores["supervisor_id"].astype(str).head(5))
        raise UsageError(f"{sid}: no supervisor with that id has a score in {period} (ids look like {known}, ...)")
    row = row.iloc[0]
    table = score_table(wide, pol)  # the whole period: percentile rules rank among everyone
    table = table[table["supervisor_id"].astype(str) == sid].reset_index(drop=True)
    own = long[long["supervisor_id"].astype(str) == sid].set_index("indicator") if len(long) else None
    for col in ("numerator", "denominator"):
        table[col] = (table["indicator"].map(own[col]).astype(float) if own is not None
                      else np.full(len(table), np.nan))
    used = (lambda i: pol.agreed_for(i, sid, period)) if pol.goals == "replace" else (lambda i: None)
    table["rule"] = table["indicator"].map(lambda i: rule_text(pol.indicators[i], used(i)))
    table["dimension"] = table["indicator"].map(lambda i: pol.indicators[i].dimension)
    table["supervisor_id"] = table["supervisor_id"].astype(str)

    total = float(row["score"])
    forced = pol.forced_distribution is not None
    next_band, threshold = _next_band(pol, str(row["rating"]), forced)
    distance = threshold - total if next_band is not None and np.isfinite(total) else float("nan")
    table["to_next_band"] = [
        _change_to_close(rule_for(pol, r.indicator, sid, period), r.value, r.score, r.weight, distance)
        for r in table.itertuples()]

    rank = low = high = p_differs = float("nan")
    n_ranked = int(scores["score"].notna().sum())
    if draws > 0:
        unc = rank_uncertainty(wide, pol, draws=draws, seed=seed, supervisors=supervisors).table
        me = unc[unc["supervisor_id"].astype(str) == sid].iloc[0]
        rank, low, high = float(me["nominal_rank"]), float(me["rank_p05"]), float(me["rank_p95"])
        p_differs, n_ranked = float(me["p_rating_differs"]), int(me["n_ranked"])
    name = ""
    if supervisors is not None and len(supervisors):
        found = supervisors.loc[supervisors["supervisor_id"].astype(str) == sid, "name"]
        name = str(found.iloc[0]) if len(found) and pd.notna(found.iloc[0]) else ""
    return Explanation(
        table=table[EXPLAIN_COLUMNS + ["dimension", "to_next_band"]].reset_index(drop=True),
        supervisor_id=sid, period=period, name=name,
        result_score=float(row["result_score"]), process_score=float(row["process_score"]), score=total,
        rating=str(row["rating"]), next_band=next_band, next_threshold=threshold, distance=distance,
        forced=forced, rank=rank, rank_low=low, rank_high=high, n_ranked=n_ranked,
        p_rating_differs=p_differs, draws=draws, seed=seed, policy=pol, goals=goals_of(pol, period, sid))


def _next_band(policy, rating: str, forced: bool) -> tuple[str | None, float]:
    """The next better label and its threshold; (None, NaN) at the top or under forced distribution."""
    if forced:
        return None, float("nan")
    bands = list(policy.rating_bands)  # best first
    labels = [label for label, _ in bands]
    if not rating:
        return None, float("nan")
    i = labels.index(rating)
    if i == 0:
        return None, float("nan")
    label, threshold = bands[i - 1]
    return label, float(threshold)


def _change_to_close(rule, value: float, score: float, weight: float, distance: float) -> float:
    """The change in ``value`` that alone adds ``distance`` points to the total (NaN when impossible)."""
    if not np.isfinite(distance) or not np.isfinite(value) or not np.isfinite(score) \
            or not np.isfinite(weight) or weight <= 0 or rule.rule not in INVERTIBLE:
        return float("nan")
    needed = score + distance / weight
    if needed > rule.cap + 1e-9:
        return float("nan")
    return float(value_for_score(rule, needed) - value)
