"""Benchmark: ``perfmodel.load_dataset`` on a large tickets CSV.

Goal: 10 million tickets load in ≤ 120 s and ≤ 8 GB peak memory on 2 cores. The
baseline, run in the same invocation on the same file, is the least a typed load needs:
``pyarrow.csv.read_csv`` with the column types given, converted to pandas — no checks,
no quarantine. The ratio says what validation costs on top of reading.

Each measurement runs in its own child process so that its peak resident memory is its
own. Files go to ``benchmarks/_data/`` (git-ignored).

    .venv/bin/python benchmarks/bench_loader.py [--tickets 1000000]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
GOAL_SECONDS_PER_10M = 120.0
GOAL_GB_PER_10M = 8.0


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux


def folder(tickets: int) -> Path:
    return DATA / f"loader_{tickets}"


def write_dataset(tickets: int, supervisors: int = 2000) -> Path:
    """A supervisors.csv and a tickets.csv of ``tickets`` rows, written with pyarrow."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    out = folder(tickets)
    if (out / "tickets.csv").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.Generator(np.random.PCG64(1))
    n = tickets

    def ids(prefix, nums, width):
        s = pc.utf8_lpad(pc.cast(pa.array(nums), pa.string()), width, "0")
        return pc.binary_join_element_wise(prefix, s, "")

    def iso(seconds):
        return pc.strftime(pa.array(seconds, pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S")

    sup = pa.table({"supervisor_id": ids("S", np.arange(1, supervisors + 1), 4),
                    "name": pa.array([f"主管{i}" for i in range(1, supervisors + 1)])})
    pacsv.write_csv(sup, out / "supervisors.csv")
    created = 1727740800 + rng.integers(0, 730 * 86400, n)  # from 2024-10-01
    resolved = created + rng.integers(3600, 10 * 86400, n)
    table = pa.table({
        "ticket_id": ids("T", np.arange(1, n + 1), 8),
        "supervisor_id": ids("S", rng.integers(1, supervisors + 1, n), 4),
        "created_at": iso(created),
        "staff_id": ids("E", rng.integers(1, 30000, n), 5),
        "customer_id": ids("C", rng.integers(1, 400000, n), 6),
        "first_response_at": iso(created + rng.integers(60, 86400, n)),
        "resolved_at": pc.if_else(pa.array(rng.random(n) < 0.9), iso(resolved), pa.scalar(None, pa.string())),
        "due_at": iso(created + 48 * 3600),
        "is_complaint": pc.if_else(pa.array(rng.random(n) < 0.12), "true", "false"),
        "reopened": pa.array(rng.poisson(0.07, n)),
        "cost": pa.array(np.round(rng.lognormal(5.2, 0.7, n), 2)),
    })
    pacsv.write_csv(table, out / "tickets.csv",
                    write_options=pacsv.WriteOptions(quoting_style="none"))
    return out


def run_load(tickets: int) -> dict:
    from perfmodel import load_dataset

    t0 = time.perf_counter()
    data = load_dataset(folder(tickets))
    wall = time.perf_counter() - t0
    acc = data.account.set_index("table")
    return {"wall_s": wall, "peak_gb": _peak_gb(), "rows": int(acc.loc["tickets", "rows_used"]),
            "quarantined": int(acc["rows_quarantined"].sum())}


def run_baseline(tickets: int) -> dict:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    ts = pa.timestamp("ns")
    types = {"ticket_id": pa.string(), "supervisor_id": pa.string(), "created_at": ts,
             "staff_id": pa.string(), "customer_id": pa.string(), "first_response_at": ts,
             "resolved_at": ts, "due_at": ts, "is_complaint": pa.bool_(),
             "reopened": pa.float64(), "cost": pa.float64()}
    t0 = time.perf_counter()
    for name in ("supervisors", "tickets"):
        table = pacsv.read_csv(folder(tickets) / f"{name}.csv",
                               convert_options=pacsv.ConvertOptions(column_types=types))
        frame = table.to_pandas()
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "peak_gb": _peak_gb(), "rows": len(frame), "quarantined": 0}


def _child(kind: str, tickets: int) -> dict:
    cmd = [sys.executable, __file__, "--one", kind, "--tickets", str(tickets)]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--one", choices=["load", "baseline"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        fn = run_load if args.one == "load" else run_baseline
        print(json.dumps(fn(args.tickets)))
        return 0
    out = write_dataset(args.tickets)
    mb = (out / "tickets.csv").stat().st_size / 2**20
    print(f"loader benchmark: tickets.csv with {args.tickets:,} rows ({mb:,.0f} MB)")
    load = _child("load", args.tickets)
    base = _child("baseline", args.tickets)
    for name, r in (("load", load), ("baseline", base)):
        print(f"  {name:9s} wall {r['wall_s']:7.1f} s   peak RSS {r['peak_gb']:5.2f} GB   "
              f"rows {r['rows']:>12,}   quarantined {r['quarantined']:,}")
    print(f"  ratio load/baseline: wall {load['wall_s'] / base['wall_s']:.2f}x, "
          f"memory {load['peak_gb'] / base['peak_gb']:.2f}x")
    scale = args.tickets / 10_000_000
    goal_s, goal_gb = GOAL_SECONDS_PER_10M * scale, GOAL_GB_PER_10M * scale
    print(f"  goal wall ≤ {goal_s:.0f} s: {'met' if load['wall_s'] <= goal_s else 'MISSED'};  "
          f"goal memory ≤ {goal_gb:.1f} GB: {'met' if load['peak_gb'] <= goal_gb else 'MISSED'}"
          + ("  (goals scaled from 10 M rows; memory has a fixed part, so small runs may miss it)"
             if scale < 1 else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
