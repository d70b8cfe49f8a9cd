"""Benchmark of ``perfmodel report`` on the bundled sample (data/sample).

1. One quarterly report for the latest quarter, as ``make report`` runs it (a new process,
   so the time includes imports and the kernel start). Goal: at most 30 s wall.
2. Every complete quarter of the sample, one after the other (``--all --jobs 1``) against
   ``--all --jobs 2``. Goal: the parallel run takes at most 0.65 x the sequential time.

Prints the figures and exits 1 when a goal is missed. Reports go to a temporary folder.

Usage: python benchmarks/bench_report.py [--data data/sample] [--skip-all]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_ONE = 30.0
GOAL_RATIO = 0.65


def _run(args: list[str], out: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "perfmodel", "report", *args, "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"perfmodel report {' '.join(args)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return dt, r.stdout.strip().splitlines()[-1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data/sample")
    ap.add_argument("--skip-all", action="store_true", help="only the single report")
    args = ap.parse_args()
    data = ROOT / args.data
    if not (data / "tickets.csv").exists():
        sys.exit(f"{data}: no sample data; run `make sample` first")
    common = ["--data", str(data), "--policy", "efficiency"]
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        tmp = Path(tmp)
        one, html = _run(["--period", "latest", *common], tmp / "one")
        size = Path(html).stat().st_size / 1e6
        met = one <= GOAL_ONE
        ok &= met
        print(f"quarterly report (latest)       {one:7.1f} s wall   goal <= {GOAL_ONE:.0f} s  "
              f"{'ok' if met else 'MISSED'}   (HTML {size:.1f} MB)")
        if not args.skip_all:
            seq, _ = _run(["--all", "--jobs", "1", *common], tmp / "seq")
            par, _ = _run(["--all", "--jobs", "2", *common], tmp / "par")
            n = len(list((tmp / "seq").glob("*/*/manifest.json")))
            ratio = par / seq
            met = ratio <= GOAL_RATIO
            ok &= met
            print(f"--all, one after the other      {seq:7.1f} s wall   ({n} quarters, {seq / max(n, 1):.1f} s each)")
            print(f"--all --jobs 2                  {par:7.1f} s wall   ratio {ratio:.2f}   goal <= {GOAL_RATIO}  "
                  f"{'ok' if met else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
