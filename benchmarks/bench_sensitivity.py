"""Benchmark: perfmodel.analysis.sensitivity.rank_uncertainty against a plain NumPy baseline.

Workload: 10 000 draws × 2 000 supervisors × 20 indicators (one period). The baseline is
the least one can do: one matrix product of the indicator scores by the draws' effective
weights, then an argsort per draw. rank_uncertainty does that plus missing-value
renormalisation, ratings, rank quantiles and Sobol indices. Goal: at most 2× the baseline.

Run: .venv/bin/python benchmarks/bench_sensitivity.py [--draws N] [--supervisors N]
"""
from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from perfmodel.scoring import scores as scoring
from perfmodel.scoring.policy import load_policy, policy_from_dict
from perfmodel.analysis.sensitivity import rank_uncertainty

EXTRA = {  # three diagnostic indicators weighed as results, to reach 20 indicators
    "csat_attitude": {"dimension": "result", "weight": 0.1, "rule": "linear", "floor": 3.8, "target": 4.6},
    "csat_resolution": {"dimension": "result", "weight": 0.1, "rule": "linear", "floor": 3.8, "target": 4.6},
    "csat_speed": {"dimension": "result", "weight": 0.1, "rule": "linear", "floor": 3.8, "target": 4.6},
}


def policy20():
    data = load_policy("efficiency").to_dict()
    data["indicators"].update(EXTRA)
    res = [k for k, v in data["indicators"].items() if v["dimension"] == "result"]
    total = sum(data["indicators"][k]["weight"] for k in res)
    for k in res:
        data["indicators"][k]["weight"] /= total
    return policy_from_dict(data, source="benchmark policy")


def panel_for(policy, n, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"supervisor_id": [f"S{i:05d}" for i in range(n)], "period": "2026Q3"})
    for ind, rule in policy.indicators.items():
        lo, hi = (rule.floor, rule.target) if rule.floor is not None and rule.target is not None else (0.0, 1.0)
        if rule.rule == "ratio":
            lo, hi = 0.5 * rule.target, 1.5 * rule.target
        if rule.rule == "bands":
            ts = [t for t, _ in rule.bands]
            lo, hi = min(ts) * 0.9, max(ts) * 1.05
        a, b = min(lo, hi), max(lo, hi)
        df[ind] = rng.uniform(a - 0.1 * (b - a), b + 0.1 * (b - a), n)
    return df


def baseline(scores: np.ndarray, policy, draws: int, seed: int) -> np.ndarray:
    """Effective weights per draw (same distributions), one product, one argsort per draw."""
    rng = np.random.default_rng(seed)
    inds = policy.weighted_indicators
    res = np.array([policy.indicators[i].dimension == "result" for i in inds])
    w = np.array([policy.indicators[i].weight for i in inds])
    r = rng.uniform(0.60, 0.70, draws)
    wr = rng.dirichlet(50 * w[res], draws)
    wp = rng.dirichlet(50 * w[~res], draws)
    eff = np.empty((draws, len(inds)))
    eff[:, res] = r[:, None] * wr
    eff[:, ~res] = (1 - r)[:, None] * wp
    totals = eff @ scores.T
    return np.argsort(-totals, axis=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--supervisors", type=int, default=2_000)
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    args = ap.parse_args()

    pol = policy20()
    panel = panel_for(pol, args.supervisors)
    print(f"workload: {args.draws} draws x {args.supervisors} supervisors x "
          f"{len(pol.weighted_indicators)} indicators")

    # interleaved, best of N: the machine is shared, so load changes between runs
    t_base, t_ours = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        s = scoring.indicator_scores(panel, pol)[pol.weighted_indicators].to_numpy(dtype=float)
        order = baseline(s, pol, args.draws, 0)
        t_base.append(time.perf_counter() - t0)
        del order
        t0 = time.perf_counter()
        res = rank_uncertainty(panel, pol, draws=args.draws, seed=0)
        t_ours.append(time.perf_counter() - t0)
    base, ours = min(t_base), min(t_ours)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"baseline (scores, one product, argsort per draw): {base:.2f} s")
    print(f"rank_uncertainty (+ renormalisation, ratings, quantiles, Sobol): {ours:.2f} s "
          f"({res.draws} evaluations)")
    print(f"ratio rank_uncertainty / baseline: {ours / base:.2f} (goal <= 2.00) "
          f"{'OK' if ours / base <= 2 else 'ABOVE GOAL'}")
    print(f"peak resident memory of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
