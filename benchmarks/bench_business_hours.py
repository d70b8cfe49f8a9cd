"""Benchmark: what the three business-hours indicators add to the trusted indicator run.

Goal (issue 19): ``first_response_business_hours``, ``complaint_handling_business_hours``
and ``timely_closure_business_rate`` add at most 25 % to the trusted indicator run
(``compute_indicators(folder, trusted=True)``, DuckDB on the Parquet files), against the
same run with them left out (``indicators=`` every other catalogue id, as
``perfmodel indicators --indicator ...`` would select them).

The two runs alternate, each in its own child process, ``--repeat`` times; the medians
are compared. The data are the ones of ``bench_indicators.py`` (``perfmodel.data.synth``, eight
quarters, Parquet, with its ``calendar.yaml``: lunch breaks and per-team hours), written
once to ``benchmarks/_data`` and reused.

    .venv/bin/python benchmarks/bench_business_hours.py [--tickets 10000000] [--supervisors 2000] [--repeat 3]

``--data FOLDER`` measures an existing folder of Parquet tables instead (for example the
one a main checkout already wrote), without writing anything.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_indicators import _peak_gb, ensure_data  # noqa: E402

GOAL = 1.25
BUSINESS = ("first_response_business_hours", "complaint_handling_business_hours",
            "timely_closure_business_rate")


def run(folder: Path, with_business: bool) -> dict:
    from perfmodel.core import catalogue
    from perfmodel.indicators import compute_indicators

    ids = [i for i in catalogue.indicator_ids() if with_business or i not in BUSINESS]
    t0, c0 = time.perf_counter(), time.process_time()
    long = compute_indicators(folder, period_kind="quarter", trusted=True, indicators=ids)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"wall_s": wall, "cpu_s": cpu, "peak_gb": _peak_gb(), "rows": len(long), "indicators": len(ids)}


def _child(kind: str, folder: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, "--folder", str(folder)]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=10_000_000)
    ap.add_argument("--supervisors", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", choices=["with", "without"])
    ap.add_argument("--folder")
    ap.add_argument("--data", help="an existing folder of Parquet tables to measure (nothing is written)")
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run(Path(args.folder), args.child == "with")))
        return 0
    if args.data:
        folder = Path(args.data)
        import pyarrow.parquet as pq

        size = f"{pq.ParquetFile(folder / 'tickets.parquet').metadata.num_rows:,} tickets"
    else:
        folder = ensure_data(args.tickets, args.supervisors)
        size = f"{args.tickets:,} tickets, {args.supervisors} supervisors"
    calendar = "with calendar.yaml" if (folder / "calendar.yaml").exists() else "default calendar"
    print(f"data: {folder} ({size}, {calendar})", flush=True)
    runs = {"without": [], "with": []}
    for i in range(args.repeat):
        for kind in ("without", "with"):
            r = _child(kind, folder)
            runs[kind].append(r)
            print(f"  run {i + 1} {kind:7s}: {r['wall_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU, peak {r['peak_gb']:.2f} GB, "
                  f"{r['indicators']} indicators, {r['rows']:,} rows", flush=True)
    without = statistics.median(r["wall_s"] for r in runs["without"])
    with_ = statistics.median(r["wall_s"] for r in runs["with"])
    ratio = with_ / without
    # CPU time (all threads of the child) is less disturbed by other work on a shared machine
    cpu_without = statistics.median(r["cpu_s"] for r in runs["without"])
    cpu_with = statistics.median(r["cpu_s"] for r in runs["with"])
    print(f"trusted run without the business-hours indicators: {without:.2f} s wall, {cpu_without:.2f} s CPU "
          f"(medians of {args.repeat})")
    print(f"trusted run with them:                             {with_:.2f} s wall, {cpu_with:.2f} s CPU")
    print(f"added: {100 * (ratio - 1):.1f} % wall, {100 * (cpu_with / cpu_without - 1):.1f} % CPU "
          f"(goal <= {100 * (GOAL - 1):.0f} %): {'ok' if ratio <= GOAL else 'MISSED'}")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
