"""Faults: a killed run, a failing notebook, two runs at once, a reports folder that cannot be written.

A run is complete only when its ``manifest.json`` says so; the manifest is written last
(atomically), so whatever happens before it leaves a folder that no reader takes for a
complete run. Notes on ``root``: tests here run as root in CI, and ``chmod`` does not stop
root from writing, so "read-only" is tested with an ``--out`` below a regular file (which
stops everyone), with ``os.access`` made to say no (what a normal user on a read-only
folder sees), and with a real read-only folder only when the tests do not run as root.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from fixtures import PERIOD, perfmodel_in, small_dataset, tiny_notebooks
from perfmodel.audit import manifest as audit
from perfmodel.audit.runs import list_runs
from perfmodel.core.errors import UsageError
from perfmodel.reporting import runner


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return small_dataset(tmp_path_factory.mktemp("faults") / "data")


def runs(out: Path):
    return list_runs(out)


# --------------------------------------------------------------------------- killed mid-way

def private_tmp(tmp_path: Path) -> tuple[Path, dict]:
    """A temp folder of its own for a child run (TMPDIR), and the environment naming it."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    return tmp, {**os.environ, "TMPDIR": str(tmp)}


def caches_in(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.glob("perfmodel-cache-*"))


def test_a_run_killed_midway_does_not_look_complete(data, tmp_path):
    out = tmp_path / "reports"
    tmp, env = private_tmp(tmp_path)
    before = caches_in(tmp)
    proc = subprocess.Popen([sys.executable, "-m", "perfmodel", "report", "--period", PERIOD, "--data",
                             str(data), "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, env=env)

    def cache_written() -> bool:  # the pickled dataset and panel exist, wherever the run puts them
        return bool(list(tmp.glob("perfmodel-cache-*/panel.parquet"))
                    or list((out / PERIOD).glob("*/.cache/panel.parquet")))

    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not cache_written():
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.05)
        assert cache_written(), "no cache appeared"
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its kernel: only processes started here
    finally:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    # the personal data the run cached is inside its own folder, nowhere else
    assert caches_in(tmp) == before == []
    [run] = list((out / PERIOD).iterdir())
    assert not (run / audit.MANIFEST).exists()
    assert (run / runner.CACHE_DIR / "panel.parquet").is_file()
    listed = runs(out)
    assert listed["status"].tolist() == ["incomplete"]
    # nothing treats it as a run: verifying fails, and an audit finds no complete run
    verify = subprocess.run([sys.executable, "-m", "perfmodel", "audit", "verify", str(run)],
                            capture_output=True, text=True, timeout=300)
    assert verify.returncode != 0 and "Traceback" not in verify.stderr
    assert len(verify.stderr.strip().splitlines()) == 1
    with pytest.raises(UsageError, match="no complete run to audit"):
        runner.validate(period=PERIOD, notebook="audit", data_dir=data, out=out)


# --------------------------------------------------------------------------- a notebook that raises

def test_a_notebook_that_raises_leaves_a_failed_run_with_its_error_notebook(data, tmp_path):
    nbdir = tiny_notebooks(tmp_path / "nb", fail=True)
    out = tmp_path / "reports"
    tmp, env = private_tmp(tmp_path)
    proc = subprocess.run(perfmodel_in(nbdir, "report", "--period", PERIOD, "--data", data, "--out", out),
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "notebook broke" in proc.stderr
    [run] = list((out / PERIOD).iterdir())
    manifest = json.loads((run / audit.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert "RuntimeError" in manifest["errors"][0] and "出错" in manifest["errors"][0]
    assert "notebook broke" in (run / audit.FAILED).read_text(encoding="utf-8")
    nb = nbformat.read(str(run / runner.NOTEBOOKS["quarterly"]), as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "RuntimeError"
    assert not (run / runner.CACHE_DIR).exists() and caches_in(tmp) == []
    assert not [o for o in manifest["outputs"] if ".cache" in o["path"]]
    assert runs(out)["status"].tolist() == ["failed"]


# --------------------------------------------------------------------------- two runs at once

def test_two_runs_of_the_same_period_at_once_finish_in_distinct_folders(data, tmp_path):
    nbdir = tiny_notebooks(tmp_path / "nb", sleep=1.0)
    out = tmp_path / "reports"
    cmd = perfmodel_in(nbdir, "report", "--period", PERIOD, "--data", data, "--out", out)
    tmp, env = private_tmp(tmp_path)
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (stdout, stderr) in zip(procs, results):
        assert p.returncode == 0, stderr[-2000:]
    folders = [Path(stdout.strip().splitlines()[-1]).parent for stdout, _ in results]
    assert folders[0] != folders[1] and all(f.parent == out / PERIOD for f in folders)
    listed = runs(out)
    assert sorted(listed["path"]) == sorted(map(str, folders))
    assert listed["status"].tolist() == ["complete", "complete"]
    for f in folders:  # each folder is whole: its own manifest, outputs matching it
        manifest = json.loads((f / audit.MANIFEST).read_text(encoding="utf-8"))
        assert manifest["run_id"] == f.name
        assert not (f / runner.CACHE_DIR).exists()  # the cache is gone once the run is complete
        assert not [o for o in manifest["outputs"] if ".cache" in o["path"]]
    assert caches_in(tmp) == []
    assert (folders[0] / "scores.csv").read_bytes() == (folders[1] / "scores.csv").read_bytes()


# --------------------------------------------------------------------------- reports folder not writable

def _one_line_exit_2(proc) -> str:
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    return lines[0]


def test_reports_below_a_regular_file_is_one_line_exit_2(data, tmp_path):
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder\n")
    proc = subprocess.run([sys.executable, "-m", "perfmodel", "report", "--period", PERIOD, "--data", str(data),
                           "--out", str(blocker / "q3")], capture_output=True, text=True, timeout=300)
    line = _one_line_exit_2(proc)
    assert f"--out {blocker / 'q3'}" in line and "is a file, not a folder" in line
    assert blocker.read_text() == "not a folder\n"


def test_read_only_reports_folder_as_seen_by_a_normal_user(data, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    out.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == out else real_access(p, mode, **kw))
    with pytest.raises(UsageError) as info:
        runner.validate(period=PERIOD, data_dir=data, out=out / "sub")
    assert str(info.value) == f"--out {out / 'sub'}: {out} is read-only for this user; give a folder you can write to"
    assert list(out.iterdir()) == []


def test_a_run_folder_that_cannot_be_created_is_one_line(tmp_path, monkeypatch):
    # e.g. a read-only file system, where even root cannot write
    def refuse(path, *args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(runner.os, "mkdir", refuse)
    with pytest.raises(UsageError) as info:
        runner.create_run_dir(tmp_path / "reports", PERIOD)
    assert "cannot create a run folder (Read-only file system)" in str(info.value)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write into a read-only folder")
def test_chmod_read_only_reports_folder(data, tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    out.chmod(0o555)
    try:
        proc = subprocess.run([sys.executable, "-m", "perfmodel", "report", "--period", PERIOD, "--data",
                               str(data), "--out", str(out)], capture_output=True, text=True, timeout=300)
    finally:
        out.chmod(0o755)
    assert "read-only" in _one_line_exit_2(proc)
