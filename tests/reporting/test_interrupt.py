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


def _collect_failed_task(exc: BaseException, caplog) -> list[str]:
    """Run a task that ends with ``exc`` inside the runner's quieting, drop it unretrieved."""
    import asyncio
    import gc

    from jupyter_core.utils import ensure_event_loop

    from perfmodel.reporting.runner import _quiet_interrupted_cell

    async def fail():
        raise exc

    with caplog.at_level("ERROR", logger="asyncio"), _quiet_interrupted_cell():
        loop = ensure_event_loop()
        task = loop.create_task(fail())
        loop.run_until_complete(asyncio.sleep(0.01))
        assert task.done()
        del task
        gc.collect()
    return [r.getMessage() for r in caplog.records if r.name == "asyncio"]


def test_a_cell_abandoned_by_ctrl_c_is_not_reported(caplog):
    from nbclient.exceptions import DeadKernelError

    assert _collect_failed_task(DeadKernelError("Kernel died"), caplog) == []


def test_other_unretrieved_task_errors_are_still_reported(caplog):
    messages = _collect_failed_task(ValueError("a real fault"), caplog)
    assert messages and "never retrieved" in messages[0]
