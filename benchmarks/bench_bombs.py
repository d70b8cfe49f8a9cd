"""Time and peak memory of refusing workbooks that unpack to far more than their size.

Writes workbooks whose cell D3 holds 80 MB and 800 MB of text (see
tests/fixtures/bad/make_corpus.py, ``xlsx_bomb``) and runs ``perfmodel indicators`` on each in a
subprocess, printing the exit code, the wall time and the peak resident memory. Nothing
is asserted; tests/data/test_bombs.py checks the outcome under a memory cap.

    python benchmarks/bench_bombs.py
"""
from __future__ import annotations

import importlib.util
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"


def _corpus():
    spec = importlib.util.spec_from_file_location("make_corpus_bench", BAD / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    corpus = _corpus()
    cli = Path(sys.executable).with_name("perfmodel")
    for megabytes in (80, 800):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            shutil.copy(BAD / "xlsx_bomb_cell" / "supervisors.csv", folder)
            corpus.xlsx_bomb(folder / "tickets.xlsx", megabytes << 20)
            size = (folder / "tickets.xlsx").stat().st_size
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            done = subprocess.run([str(cli), "indicators", "--data", str(folder), "--out",
                                   str(folder / "out.csv")], capture_output=True, text=True)
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            print(f"{megabytes:>4} MB cell in a {size / 1024:,.0f} KB workbook: exit {done.returncode}, "
                  f"{seconds:.1f} s, peak RSS {max(peak, before) / 1024:,.0f} MB "
                  f"(largest child so far); {done.stderr.strip()[:100]}")


if __name__ == "__main__":
    main()
