"""Private working folders of the engines: owned, private, and removed after a killed owner."""
from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd

from perfmodel.indicators import engines
from perfmodel.core import owners

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
        assert folder.is_dir() and list((folder / "tickets").glob("part-*.parquet"))
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


def _fake_filesystems(monkeypatch, memory: set[str]):
    """Pretend the folders in ``memory`` (and everything under them) are tmpfs, others ext4."""

    def kind(path):
        path = Path(path).resolve()
        if any(path == m or m in path.parents for m in map(Path, memory)):
            return "tmpfs"
        return "ext4"

    monkeypatch.setattr(owners, "_filesystem_type", kind)


def test_tables_go_to_the_cache_folder_on_disk_when_tmp_lives_in_memory(tmp_path, monkeypatch):
    tmp, cache = tmp_path / "tmp", tmp_path / "home-cache"
    tmp.mkdir()
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(owners.tempfile, "gettempdir", lambda: str(tmp))
    _fake_filesystems(monkeypatch, {str(tmp.resolve())})
    assert owners.scratch_root() == cache / "perfmodel" / "tmp"
    folder = owners.private_folder(engines.SCRATCH_PREFIX)
    try:
        assert folder.parent == cache / "perfmodel" / "tmp"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert not list(tmp.iterdir())
    finally:
        import shutil

        shutil.rmtree(folder)


def test_an_explicit_tmpdir_or_a_disk_tmp_is_kept(tmp_path, monkeypatch):
    tmp, cache = tmp_path / "tmp", tmp_path / "home-cache"
    tmp.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(owners.tempfile, "gettempdir", lambda: str(tmp))
    monkeypatch.delenv("TMPDIR", raising=False)
    _fake_filesystems(monkeypatch, set())
    assert owners.scratch_root() == tmp  # on disk
    _fake_filesystems(monkeypatch, {str(tmp.resolve())})
    monkeypatch.setenv("TMPDIR", str(tmp))  # the user chose it: respected even in memory
    assert owners.scratch_root() == tmp
    monkeypatch.delenv("TMPDIR")
    _fake_filesystems(monkeypatch, {str(tmp.resolve()), str(cache.resolve())})
    assert owners.scratch_root() == tmp  # the cache folder is in memory too: nothing gained


def test_filesystem_type_reads_the_mount_table():
    # the root file system and /proc are always mounted; /proc is of type proc
    assert owners._filesystem_type(Path("/proc/self")) == "proc"
    assert owners._filesystem_type(Path("/")) not in (None, "proc")
