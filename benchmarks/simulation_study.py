"""Is predictive_validity right? Checked against the truth of perfmodel.data.synth.

For each replication, ``perfmodel.data.synth.generate`` writes a synthetic company (tables +
ground_truth.json) in two worlds: ``default`` (six true lag-1 effects) and ``zero`` (no
effect at all). The indicators are computed from the written tables with
``perfmodel.indicators.compute_indicators`` (as a user would), and the full grid of
``predictive_validity`` (12 process x 5 result indicators) is compared with the truth.

Figures printed:

* power      -- share of the true effects (default world) with verdict ``predicts``
                (BH-adjusted, expected sign), and with raw p < 0.05;
* FPR        -- null world: share of pairs with p < 0.05 (per-test size, goal 5 % +- 2 %),
                and share of replications with any ``predicts`` verdict;
* coverage   -- share of 95 % intervals that contain the true coefficient, over every pair of
                both worlds (goal 95 % +- 2 %), and over the true effects alone.

Usage: ``python benchmarks/simulation_study.py [--reps 200] [--supervisors 40] [--tickets 24000] [--jobs 2]``
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def one_replication(args) -> pd.DataFrame:
    """Generate one synthetic company, compute the indicators, run the grid; tidy rows."""
    rep, world, supervisors, start, end, tickets, seed = args
    from perfmodel.indicators import compute_indicators, wide_panel
    from perfmodel.analysis.stats import predictive_validity
    from perfmodel.data.synth import generate

    with tempfile.TemporaryDirectory() as d:
        info = generate(d, seed=seed + rep, supervisors=supervisors, start=start, end=end,
                        tickets=tickets, effects=world, fmt="parquet")
        truth = pd.DataFrame(json.loads(info["ground_truth"].read_text(encoding="utf-8"))["effects"])
        panel = wide_panel(compute_indicators(d))
    res = predictive_validity(panel, oos=False, n_boot=499, seed=rep)
    out = res.merge(truth[["process", "result", "lag", "coef"]], on=["process", "result", "lag"],
                    suffixes=("", "_true"))
    out["rep"], out["world"] = rep, world
    return out[["rep", "world", "process", "result", "coef", "coef_true", "ci_low", "ci_high", "p",
                "p_adj", "verdict", "p_method", "n_obs"]]


def summarise(rows: pd.DataFrame) -> dict:
    """Power, false-positive rate and coverage from the stacked replication rows."""
    est = rows[rows.verdict != "insufficient data"]
    true = est[(est.world == "default") & (est.coef_true != 0)]
    null = est[est.world == "zero"]
    covered = (est.ci_low <= est.coef_true) & (est.coef_true <= est.ci_high)
    return {
        "replications": int(rows.rep.nunique()),
        "pairs_estimated": int(len(est)), "pairs_insufficient": int((rows.verdict == "insufficient data").sum()),
        "power": float((true.verdict == "predicts").mean()) if len(true) else np.nan,
        "power_raw": float((true.p < 0.05).mean()) if len(true) else np.nan,
        "fpr": float((null.p < 0.05).mean()) if len(null) else np.nan,
        "fpr_any_predicts": float(null.groupby("rep").verdict.apply(lambda v: (v == "predicts").any()).mean())
        if len(null) else np.nan,
        "fpr_null_pairs_default_world": float((est[(est.world == "default") & (est.coef_true == 0)].p < 0.05).mean()),
        "coverage": float(covered.mean()),
        "coverage_true_effects": float(covered[true.index].mean()) if len(true) else np.nan,
        "power_by_pair": true.groupby(["process", "result"]).verdict.apply(lambda v: (v == "predicts").mean()).round(3).to_dict(),
    }


def run_replications(n_rep: int = 200, supervisors: int = 40, start: str = "2024Q1",
                     end: str = "2025Q4", tickets: int | None = 24000, seed: int = 1000,
                     jobs: int = 2, worlds=("default", "zero"), progress: bool = False) -> dict:
    """Run ``n_rep`` replications in each world (in ``jobs`` processes); return the summary."""
    tasks = [(r, w, supervisors, start, end, tickets, seed) for r in range(n_rep) for w in worlds]
    parts = []
    if jobs > 1:
        with mp.get_context("spawn").Pool(jobs) as pool:
            for i, part in enumerate(pool.imap(one_replication, tasks, chunksize=2)):
                parts.append(part)
                if progress and (i + 1) % 20 == 0:
                    print(f"  {i + 1}/{len(tasks)} datasets", file=sys.stderr, flush=True)
    else:
        parts = [one_replication(t) for t in tasks]
    rows = pd.concat(parts, ignore_index=True)
    out = summarise(rows)
    out["rows"] = rows
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--supervisors", type=int, default=40)
    ap.add_argument("--start", default="2024Q1")
    ap.add_argument("--end", default="2025Q4")
    ap.add_argument("--tickets", type=int, default=24000,
                    help="tickets per dataset (default 24000: about 75 per supervisor and quarter)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--save", default=None, help="write the replication rows to this CSV")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    res = run_replications(a.reps, a.supervisors, a.start, a.end, a.tickets, a.seed, a.jobs, progress=True)
    secs = time.perf_counter() - t0
    rows = res.pop("rows")
    if a.save:
        rows.to_csv(a.save, index=False)
    print(f"simulation study: {res['replications']} replications x 2 worlds, {a.supervisors} supervisors, "
          f"{a.start}..{a.end}, {a.tickets} tickets, {secs:.0f} s on {a.jobs} processes")
    print(f"  p methods: {', '.join(sorted(rows.p_method.unique()))}")
    print(f"  power (verdict 'predicts', BH 5 %):   {res['power']:.3f}   (raw p < 0.05: {res['power_raw']:.3f})")
    for (proc, result), v in res["power_by_pair"].items():
        print(f"      {proc:>26} -> {result:<26} {v:.3f}")
    print(f"  false-positive rate, null world, p < 0.05: {res['fpr']:.3f}   (goal 0.05 +- 0.02)")
    print(f"      replications with any 'predicts' in the null world: {res['fpr_any_predicts']:.3f}")
    print(f"      null pairs of the default world, p < 0.05: {res['fpr_null_pairs_default_world']:.3f}")
    print(f"  coverage of the 95 % intervals, all pairs: {res['coverage']:.3f}   (goal 0.95 +- 0.02)")
    print(f"      true effects only: {res['coverage_true_effects']:.3f}")
    ok = abs(res["fpr"] - 0.05) <= 0.02 and abs(res["coverage"] - 0.95) <= 0.02
    print("  goals met" if ok else "  GOALS NOT MET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
