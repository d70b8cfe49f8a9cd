"""Replay past quarters as if it were mid-quarter and check the watch risks against outcomes.

For every quarter P of a dataset that has at least two earlier quarters, run
``perfmodel.analysis.watch.watch`` as of ``start(P) + 45 days`` (so only what was known then is used),
then compute P's real period-end values and ask, for each supervisor and weighted result
indicator: did it miss the policy target?  Prints

* calibration in bins of predicted risk (predicted mean vs observed miss rate),
* the Brier score against a climatology baseline (each indicator's miss rate over the
  quarters before P, the same for every supervisor) and the Brier skill score,
* coverage of the 80 % projection interval and the mean absolute error of the projection
  against the period-to-date value and the history prior alone.

Usage::

    python benchmarks/replay_calibration.py [--data data/sample] [--policy efficiency]
        [--offset-days 45] [--synth-supervisors N --synth-seed S] [--no-lag-variant]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from perfmodel import load_dataset
from perfmodel.indicators import compute_indicators
from perfmodel.core.periods import period_containing
from perfmodel.scoring.policy import load_policy
from perfmodel.analysis.watch import history_periods, watch

BINS = np.linspace(0, 1, 11)


def replay(data, policy, offset_days: int, lag_drivers: bool = True) -> pd.DataFrame:
    """One row per replayed supervisor x quarter x result: p_miss, projection, outcome."""
    t = data.tables["tickets"]["created_at"].dropna()
    last = period_containing(t.max(), "quarter")
    quarters = history_periods(data, last) + [last]
    finals = compute_indicators(data, [q.id for q in quarters], period_kind="quarter")
    finals = finals[["supervisor_id", "period", "indicator", "value"]].rename(
        columns={"indicator": "result", "value": "actual"})
    rows, warned = [], []
    for i, q in enumerate(quarters):
        if i < 2:
            continue
        as_of = q.start + pd.Timedelta(days=offset_days)
        t0 = time.perf_counter()
        res = watch(data, policy, period=q, as_of=as_of, lag_drivers=lag_drivers)
        pr = res.projections.merge(finals, on=["supervisor_id", "period", "result"], how="left")
        # climatology: the indicator's miss rate over the completed quarters before q
        before = finals[finals["period"] < q.id]
        clim = {}
        for r in pr["result"].unique():
            tgt = pr.loc[pr["result"] == r, "target"].iloc[0]
            v = before.loc[before["result"] == r, "actual"].dropna()
            d = pr.loc[pr["result"] == r, "direction"].iloc[0]
            clim[r] = float(((v < tgt) if d == "higher" else (v > tgt)).mean()) if len(v) else np.nan
        pr["p_clim"] = pr["result"].map(clim)
        print(f"  {q.id} as of {as_of.date()}: {len(pr)} projections, "
              f"{pr['p_miss'].notna().sum()} with a risk ({time.perf_counter() - t0:.1f} s)",
              flush=True)
        rows.append(pr)
        warned.append(res.warnings)
    out = pd.concat(rows, ignore_index=True)
    out.attrs["warnings"] = pd.concat(warned, ignore_index=True)
    out["missed"] = np.where(out["direction"] == "higher", out["actual"] < out["target"],
                             out["actual"] > out["target"]).astype(float)
    out.loc[out["actual"].isna(), "missed"] = np.nan
    return out


def calibration_table(df: pd.DataFrame) -> pd.DataFrame:
    """Bins of predicted risk: n, mean predicted, observed miss rate."""
    d = df.dropna(subset=["p_miss", "missed"])
    b = pd.cut(d["p_miss"], BINS, include_lowest=True)
    g = d.groupby(b, observed=True)
    return pd.DataFrame({"n": g.size(), "predicted": g["p_miss"].mean(),
                         "observed": g["missed"].mean()}).reset_index(names="bin")


def brier(df: pd.DataFrame) -> dict:
    d = df.dropna(subset=["p_miss", "missed", "p_clim"])
    bs = float(np.mean((d["p_miss"] - d["missed"]) ** 2))
    bc = float(np.mean((d["p_clim"] - d["missed"]) ** 2))
    return {"n": len(d), "brier": bs, "brier_climatology": bc, "skill": 1 - bs / bc if bc else np.nan,
            "base_rate": float(d["missed"].mean())}


def driver_truth(warnings: pd.DataFrame, truth_path: Path) -> None:
    """Share of warning reasons that name a real lag-1 effect of the synthetic company."""
    import json

    effects = json.loads(truth_path.read_text(encoding="utf-8")).get("effects", [])
    real = {(e["process"], e["result"]) for e in effects if e.get("lag", 1) == 1 and e["coef"] != 0}
    if warnings.empty:
        print("warning reasons: none")
        return
    pairs = warnings.drop_duplicates(["supervisor_id", "period", "result", "driver"])
    hit = pairs.apply(lambda r: (r["driver"], r["result"]) in real, axis=1)
    named = sorted({(d, r) for d, r in zip(pairs["driver"], pairs["result"])})
    print(f"warning reasons naming a true lag-1 effect (ground_truth.json): {hit.mean():.3f} "
          f"of {len(pairs)}; pairs used: "
          + ", ".join(f"{d}->{r}{'' if (d, r) in real else ' (not real)'}" for d, r in named))


def report(df: pd.DataFrame, label: str) -> None:
    print(f"\n== {label} ==")
    cal = calibration_table(df)
    print("calibration (bins of predicted risk of missing the target):")
    print(f"  {'bin':<14}{'n':>6}{'predicted':>11}{'observed':>10}")
    for _, r in cal.iterrows():
        print(f"  {str(r['bin']):<14}{int(r['n']):>6}{r['predicted']:>11.3f}{r['observed']:>10.3f}")
    b = brier(df)
    print(f"Brier {b['brier']:.4f} vs climatology {b['brier_climatology']:.4f} "
          f"(skill {b['skill']:+.3f}; n {b['n']}, base miss rate {b['base_rate']:.3f})")
    d = df.dropna(subset=["projected", "actual"])
    cover = float(((d["actual"] >= d["low"]) & (d["actual"] <= d["high"])).mean())
    print(f"80 % interval coverage {cover:.3f} (n {len(d)})")
    print("per result indicator: n, Brier, Brier climatology, MAE projection / to-date / prior, "
          "coverage")
    for r, g in d.groupby("result"):
        bb = brier(g)
        mae = (g["projected"] - g["actual"]).abs().mean()
        mae_x = (g["value_to_date"] - g["actual"]).abs().mean()
        mae_m = (g["prior"] - g["actual"]).abs().mean()
        cov = ((g["actual"] >= g["low"]) & (g["actual"] <= g["high"])).mean()
        print(f"  {r:<27}{bb['n']:>5} {bb['brier']:.4f} {bb['brier_climatology']:.4f}  "
              f"{mae:.4f} / {mae_x:.4f} / {mae_m:.4f}  {cov:.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data/sample")
    ap.add_argument("--policy", default="efficiency")
    ap.add_argument("--offset-days", type=int, default=45)
    ap.add_argument("--synth-supervisors", type=int, default=0,
                    help="also replay a synthetic dataset with this many supervisors")
    ap.add_argument("--synth-seed", type=int, default=7)
    ap.add_argument("--no-lag-variant", action="store_true",
                    help="also replay without the lagged process adjustment of the prior")
    args = ap.parse_args(argv)
    policy = load_policy(args.policy)
    sets = []
    if args.data:
        sets.append((args.data, load_dataset(args.data)))
    if args.synth_supervisors:
        from perfmodel.data.synth import generate
        tmp = Path(tempfile.mkdtemp(prefix="replay-synth-"))
        generate(out=tmp, seed=args.synth_seed, supervisors=args.synth_supervisors)
        sets.append((f"synth seed {args.synth_seed}, {args.synth_supervisors} supervisors",
                     load_dataset(tmp)))
    for label, data in sets:
        print(f"replaying {label} as of {args.offset_days} days into each quarter")
        df = replay(data, policy, args.offset_days)
        report(df, f"{label}: watch (history + period to date + lagged process effects)")
        truth = Path(data.source or ".") / "ground_truth.json"
        if truth.exists():
            driver_truth(df.attrs["warnings"], truth)
        if args.no_lag_variant:
            df2 = replay(data, policy, args.offset_days, lag_drivers=False)
            report(df2, f"{label}: variant without the lagged process adjustment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
