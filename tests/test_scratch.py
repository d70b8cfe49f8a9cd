"""Private working folders of the engines: owned, private, and removed after a killed owner."""
from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd

from perfmodel import engines, owners

CHILD = """
import sys, time
import pandas as pd
from perfmodel import engines
eng = engines.connect("duckdb")
frame = pd.DataFrame({"ticket_id": [f"T{i:07d}" for i in range(engines.FILE_ROWS)], "supervisor_id": "S1"})
eng.register("tickets", frame)
print(eng.__dict__["_folder"], flush=True)
time.sleep(600)
"""


def test_a_killed_process_leaves_a_folder_that_the_next_engine_removes(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    try:
        folder = Path(proc.stdout.readline().strip())
        assert folder.is_dir() and (folder / "tickets.parquet").is_file()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        owner = json.loads((folder / owners.OWNER).read_text())
        assert owner["pid"] == proc.pid
        # its owner is alive: a new engine leaves it alone
        engines.connect("duckdb").close()
        assert folder.is_dir()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert folder.is_dir()  # SIGKILL: nothing could clean up
    engines.connect("duckdb").close()
    assert not folder.exists()


def test_a_folder_without_an_owner_record_is_left_alone(tmp_path):
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=engines.SCRATCH_PREFIX))
    try:
        assert owners.remove_stale(engines.SCRATCH_PREFIX) == [] or folder.is_dir()
        assert folder.is_dir()
    finally:
        folder.rmdir()


def test_the_engine_removes_its_folder_when_done():
    eng = engines.connect("duckdb")
    frame = pd.DataFrame({"x": range(engines.FILE_ROWS)})
    eng.register("big", frame)
    folder = eng.__dict__["_folder"]
    assert folder.is_dir()
    eng.close()
    del eng
    import gc

    gc.collect()
    assert not folder.exists()
