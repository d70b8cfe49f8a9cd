"""Ctrl-C during ``report --all`` ends with one line, no ipykernel or asyncio traceback (issue 17, item 11)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _kernels_under(root: int) -> int:
    """ipykernel processes descended from ``root`` (kernels run in a session of their own)."""
    parent, kernel = {}, set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            parent[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            if b"ipykernel_launcher" in (proc / "cmdline").read_bytes():
                kernel.add(int(proc.name))
        except (OSError, ValueError, IndexError):
            continue
    found = 0
    for pid in kernel:
        seen = pid
        while seen in parent and seen > 1:
            seen = parent[seen]
            if seen == root:
                found += 1
                break
    return found


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_during_report_all_prints_one_line(tmp_path, jobs):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    # its own process group, as a terminal makes one; Ctrl-C reaches the whole group
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfmodel", "report", "--data", "data/sample", "--policy", "quality",
         "--all", "--jobs", jobs, "--out", str(tmp_path / "reports")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 240
        while _kernels_under(proc.pid) == 0:  # interrupt while a notebook is running
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.5)
        time.sleep(3)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "ZMQError" not in err and "never retrieved" not in err, err
    lines = [line for line in err.strip().splitlines() if not line.startswith("data: ")]
    assert lines == ["perfmodel: interrupted"], err
