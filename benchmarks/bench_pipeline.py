"""Benchmark: the command line's validated path against its trusted path, and memory of whole commands.

Goals (from the one-data-path issue), all measured on the same Parquet dataset written by
``perfmodel.data.synth`` (10 million tickets and 2,000 supervisors by default):

- validated ``perfmodel indicators`` at most 1.5x ``perfmodel indicators --trusted``
  (wall clock of the command, medians of alternating repetitions, the private working
  files of the temporary folder cleared before each);
- the trusted panel (computed in this process, as ``bench_indicators.py`` times it) at most 2x
  that script's floor (every ticket column the catalogue uses read once, surveys and
  follow-ups attributed to their tickets);
- peak memory of the whole process tree (children such as a report's kernel included, resident
  memory summed over the processes, sampled every 50 ms) at most 2 GB for ``indicators``,
  ``score --period P`` and ``report --period P``.

Each figure is printed with its goal and a verdict; the exit code is 0 whatever the verdicts
(figures, not tests).

    .venv/bin/python benchmarks/bench_pipeline.py [--tickets 10000000] [--supervisors 2000] [--reps 3]
        [--folder DIR] [--indicators-only]

``--folder`` times an existing Parquet dataset instead of the one written here;
``--indicators-only`` times only validated against trusted ``perfmodel indicators``. Beside
the wall clock, the CPU time of each command (user + system, its children included) is
printed: on a machine shared with other work it moves less than the wall clock.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

GOAL_VALIDATED = 1.5
GOAL_FLOOR = 2.0
GOAL_GB = 2.0
PERIOD = "2026Q3"


def tree_rss_gb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, summed, in GB (0 when gone)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**30


def run_command(args: list[str], workdir: Path) -> dict:
    """Run ``perfmodel <args>`` in a fresh temporary folder; wall seconds and peak tree memory."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-pipeline-", dir=workdir))
    env = dict(os.environ, TMPDIR=str(tmp), PERFMODEL_PROGRESS="0")
    cmd = [sys.executable, "-m", "perfmodel", *args]
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss_gb(proc.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stop.set()
    sampler.join()
    shutil.rmtree(tmp, ignore_errors=True)  # the private working files, before the next run
    if proc.returncode != 0:
        raise SystemExit(f"perfmodel {' '.join(args)} failed ({proc.returncode}): {err.strip()[-500:]}")
    return {"wall_s": wall, "cpu_s": cpu, "peak_gb": peak}


def verdict(value: float, goal: float) -> str:
    return "meets the goal" if value <= goal else "MISSES the goal"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tickets", type=int, default=10_000_000)
    ap.add_argument("--supervisors", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=3, help="alternating repetitions (default 3)")
    ap.add_argument("--folder", help="an existing folder of Parquet tables to time (nothing is written)")
    ap.add_argument("--indicators-only", action="store_true",
                    help="time only validated against trusted `perfmodel indicators`")
    args = ap.parse_args(argv)

    from bench_indicators import ensure_data, run_floor, run_panel

    folder = Path(args.folder) if args.folder else ensure_data(args.tickets, args.supervisors)
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    out = work / "out"
    try:
        common = ["--data", str(folder), "--out", str(out / "panel.parquet")]
        validated, trusted = [], []
        for rep in range(args.reps):  # alternating, so drift in the machine hits both alike
            validated.append(run_command(["indicators", *common], work))
            trusted.append(run_command(["indicators", "--trusted", *common], work))
            print(f"rep {rep + 1}: validated {validated[-1]['wall_s']:.1f} s (cpu {validated[-1]['cpu_s']:.1f} s), "
                  f"trusted {trusted[-1]['wall_s']:.1f} s (cpu {trusted[-1]['cpu_s']:.1f} s)", flush=True)
        if args.indicators_only:
            _print_validated(folder, validated, trusted, args.reps)
            return 0
        floor = statistics.median(run_floor(folder)["wall_s"] for _ in range(args.reps))
        panel = statistics.median(run_panel(folder)["wall_s"] for _ in range(args.reps))
        score = run_command(["score", "--data", str(folder), "--policy", "efficiency", "--period", PERIOD,
                             "--out", str(out / "scores.csv")], work)
        report = run_command(["report", "--data", str(folder), "--policy", "efficiency", "--period", PERIOD,
                              "--out", str(out / "reports")], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    _print_validated(folder, validated, trusted, args.reps)
    print(f"trusted panel (in process) {panel:.1f} s / floor {floor:.1f} s = {panel / floor:.2f}x "
          f"(goal <= {GOAL_FLOOR}x: {verdict(panel / floor, GOAL_FLOOR)})")
    peaks = {"indicators": max(r["peak_gb"] for r in validated), "score": score["peak_gb"],
             "report": report["peak_gb"]}
    for name, gb in peaks.items():
        print(f"peak memory of `perfmodel {name}` and its children: {gb:.2f} GB "
              f"(goal <= {GOAL_GB} GB: {verdict(gb, GOAL_GB)})")
    print(f"score {score['wall_s']:.1f} s, report {report['wall_s']:.1f} s")
    return 0


def _print_validated(folder: Path, validated: list[dict], trusted: list[dict], reps: int) -> None:
    """Print the medians of validated and trusted ``perfmodel indicators`` and their ratio vs the goal."""
    v = statistics.median(r["wall_s"] for r in validated)
    t = statistics.median(r["wall_s"] for r in trusted)
    vc = statistics.median(r["cpu_s"] for r in validated)
    tc = statistics.median(r["cpu_s"] for r in trusted)
    print(f"\n{folder}: {reps} alternating repetitions (medians)")
    print(f"validated indicators {v:.1f} s / trusted {t:.1f} s = {v / t:.2f}x "
          f"(goal <= {GOAL_VALIDATED}x: {verdict(v / t, GOAL_VALIDATED)})")
    print(f"cpu time: validated {vc:.1f} s / trusted {tc:.1f} s = {vc / tc:.2f}x")
    print(f"peak memory of validated indicators: {max(r['peak_gb'] for r in validated):.2f} GB, "
          f"trusted: {max(r['peak_gb'] for r in trusted):.2f} GB")


if __name__ == "__main__":
    raise SystemExit(main())
