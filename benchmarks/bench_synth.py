"""Benchmark: ``perfmodel.data.synth.generate`` at 10 million tickets (parquet).

Goals: ≤ 60 s wall time and ≤ 4 GB peak memory on 2 cores. The baseline, run in the same
invocation, writes the same number of random ticket rows (same columns and types) with
numpy + pyarrow alone; the ratio says what the simulation costs on top of writing.

Each measurement runs in its own child process so that its peak resident memory
(``resource.getrusage``) is its own. Output goes to ``benchmarks/_data/`` (git-ignored).

    .venv/bin/python benchmarks/bench_synth.py [--tickets 10000000] [--supervisors 2000]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
GOAL_SECONDS = 60.0
GOAL_GB = 4.0


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_generate(tickets: int, supervisors: int) -> dict:
    from perfmodel.data.synth import generate

    out = DATA / "synth_10m"
    shutil.rmtree(out, ignore_errors=True)
    t0, cpu0 = time.perf_counter(), _cpu_s()
    summary = generate(out, seed=1, supervisors=supervisors, start="2024Q4", end="2026Q3",
                       tickets=tickets, fmt="parquet")
    wall = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in out.iterdir())
    return {"wall_s": wall, "cpu_s": _cpu_s() - cpu0, "peak_gb": _peak_gb(),
            "rows": sum(summary["rows"].values()),
            "tickets": summary["rows"]["tickets"], "mb": size / 2**20}


def run_baseline(tickets: int, supervisors: int) -> dict:
    """Random ticket rows of the same schema, numpy + pyarrow only, one parquet file."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    out = DATA / "baseline_10m"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t0, cpu0 = time.perf_counter(), _cpu_s()
    rng = np.random.Generator(np.random.PCG64(1))
    n = tickets
    start = 1727740800  # 2024-10-01

    def ids(prefix, nums, width):
        s = pc.utf8_lpad(pc.cast(pa.array(nums), pa.string()), width, "0")
        return pc.binary_join_element_wise(prefix, s, "")

    created = start + rng.integers(0, 730 * 86400, n)
    table = pa.table({
        "ticket_id": ids("T", np.arange(1, n + 1), 8),
        "supervisor_id": ids("S", rng.integers(1, supervisors + 1, n), 4),
        "created_at": pa.array(created, pa.timestamp("s")),
        "staff_id": ids("E", rng.integers(1, 30000, n), 5),
        "customer_id": ids("C", rng.integers(1, 400000, n), 6),
        "first_response_at": pa.array(created + rng.integers(60, 86400, n), pa.timestamp("s")),
        "resolved_at": pa.array(created + rng.integers(3600, 10 * 86400, n), pa.timestamp("s")),
        "due_at": pa.array(created + 48 * 3600, pa.timestamp("s")),
        "is_complaint": pa.array(rng.random(n) < 0.12),
        "reopened": pa.array(rng.poisson(0.07, n)),
        "cost": pa.array(np.round(rng.lognormal(5.2, 0.7, n), 2)),
    })
    pq.write_table(table, out / "tickets.parquet", compression="zstd")
    wall = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in out.iterdir())
    return {"wall_s": wall, "cpu_s": _cpu_s() - cpu0, "peak_gb": _peak_gb(), "rows": n,
            "tickets": n, "mb": size / 2**20}


def _child(kind: str, tickets: int, supervisors: int) -> dict:
    cmd = [sys.executable, __file__, "--one", kind, "--tickets", str(tickets),
           "--supervisors", str(supervisors)]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=10_000_000)
    ap.add_argument("--supervisors", type=int, default=2000)
    ap.add_argument("--one", choices=["generate", "baseline"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    if args.one:
        fn = run_generate if args.one == "generate" else run_baseline
        print(json.dumps(fn(args.tickets, args.supervisors)))
        return 0
    print(f"synth benchmark: {args.tickets:,} tickets, {args.supervisors:,} supervisors, "
          f"8 quarters, parquet")
    gen = _child("generate", args.tickets, args.supervisors)
    base = _child("baseline", args.tickets, args.supervisors)
    for name, r in (("generate", gen), ("baseline", base)):
        print(f"  {name:9s} wall {r['wall_s']:7.1f} s   cpu {r['cpu_s']:7.1f} s   peak RSS {r['peak_gb']:5.2f} GB   "
              f"rows {r['rows']:>12,}   files {r['mb']:8.1f} MB")
    print(f"  ratio generate/baseline: wall {gen['wall_s'] / base['wall_s']:.2f}x, "
          f"cpu {gen['cpu_s'] / base['cpu_s']:.2f}x, "
          f"memory {gen['peak_gb'] / base['peak_gb']:.2f}x")
    ok_t = gen["wall_s"] <= GOAL_SECONDS
    ok_m = gen["peak_gb"] <= GOAL_GB
    load = os.getloadavg()[0]
    print(f"  load average during the run: {load:.1f} on {os.cpu_count()} cores "
          "(wall time is only meaningful on an otherwise idle machine)")
    print(f"  goal wall ≤ {GOAL_SECONDS:.0f} s: {'met' if ok_t else 'MISSED'};  "
          f"goal memory ≤ {GOAL_GB:.0f} GB: {'met' if ok_m else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
