"""Working caches of killed report runs are removed; those of live runs never are.

A report run records its owner (pid, host, boot, process start) in ``<run>/.running``
before it writes ``<run>/.cache``. The next ``perfmodel report`` under the same ``--out``,
or ``perfmodel report --clean-stale``, removes the cache of every run whose process is
gone, and leaves the run incomplete (no manifest).
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixtures import PERIOD, perfmodel_in, small_dataset, tiny_notebooks
from perfmodel.audit import manifest as audit
from perfmodel.audit.runs import list_runs
from perfmodel.reporting import cleanup, runner

RUN_A = "20260101T000000Z-0000000a"
RUN_B = "20260101T000000Z-0000000b"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return small_dataset(tmp_path_factory.mktemp("cleanup") / "data")


def fake_run(out: Path, run_id: str, owner: dict | None, period: str = PERIOD) -> Path:
    """A run folder with a cache holding a file, and an owner record when given."""
    run = out / period / run_id
    (run / ".cache").mkdir(parents=True)
    (run / ".cache" / "dataset.pkl").write_bytes(b"personal")
    (run / "scores.csv").write_text("supervisor_id\n", encoding="utf-8")
    if owner is not None:
        (run / ".running").write_text(json.dumps(owner), encoding="utf-8")
    return run


def finished_pid() -> int:
    """The id of a process that has ended and been reaped."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


# --------------------------------------------------------------------------- owner records

def test_the_cache_folder_is_the_runners():
    assert cleanup.CACHE_DIR == runner.CACHE_DIR


def test_claim_records_this_process_and_release_removes_cache_then_record(tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    path = cleanup.claim(run)
    rec = json.loads(path.read_text(encoding="utf-8"))
    assert rec["pid"] == os.getpid() and rec["host"] == socket.gethostname()
    if Path("/proc/self/stat").exists():  # Linux: field 22 of /proc/<pid>/stat
        stat = Path(f"/proc/{os.getpid()}/stat").read_text()
        assert rec["process_start"] == int(stat[stat.rfind(")") + 2:].split()[19])
        assert rec["boot_id"] == Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    assert cleanup.owner_state(rec) == "running"
    assert not [p for p in run.iterdir() if p.name.startswith(".running-")]  # no temporary left
    assert audit.hash_outputs(run) == []  # the record is not an output
    (run / ".cache").mkdir()
    cleanup.release(run)
    assert list(run.iterdir()) == []


def test_owner_state_tells_gone_from_running():
    me = cleanup.owner_record()
    assert cleanup.owner_state(me) == "running"
    assert cleanup.owner_state({**me, "pid": finished_pid()}) == "gone"
    assert cleanup.owner_state({**me, "host": me["host"] + "-elsewhere"}) == "other host"
    if me["process_start"] is not None:  # the same pid started at another time: reused
        assert cleanup.owner_state({**me, "process_start": me["process_start"] - 1}) == "gone"
    if me["boot_id"] is not None:  # recorded before the machine restarted
        assert cleanup.owner_state({**me, "boot_id": "0" * 36}) == "gone"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process states from /proc")
def test_a_killed_process_not_yet_reaped_is_gone():
    p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        rec = cleanup.owner_record(p.pid)
        assert cleanup.owner_state(rec) == "running"
        p.kill()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{p.pid}/stat").read_text().split(") ")[1][0] != "Z":
            time.sleep(0.02)
        assert cleanup.owner_state(rec) == "gone"  # a zombie: os.kill(pid, 0) still succeeds
    finally:
        p.kill()
        p.wait()


# --------------------------------------------------------------------------- clean_stale

def test_clean_stale_removes_only_caches_whose_owner_is_gone(tmp_path):
    out = tmp_path / "reports"
    me = cleanup.owner_record()
    dead = fake_run(out, RUN_A, {**me, "pid": finished_pid()})
    live = fake_run(out, RUN_B, me)
    legacy = fake_run(out, "20260101T000000Z-0000000c", None)  # a cache without an owner record
    remote = fake_run(out, "20260101T000000Z-0000000d", {**me, "pid": finished_pid(), "host": "elsewhere"})
    not_a_run = out / PERIOD / "notes"
    (not_a_run / ".cache").mkdir(parents=True)
    result = cleanup.clean_stale(out)
    assert sorted(result.removed) == sorted([dead / ".cache", legacy / ".cache"])
    assert not (dead / ".cache").exists() and not (dead / ".running").exists()
    assert not (legacy / ".cache").exists()
    assert (live / ".cache" / "dataset.pkl").read_bytes() == b"personal" and (live / ".running").exists()
    assert (remote / ".cache").exists()
    assert (not_a_run / ".cache").is_dir()  # only folders named like a run are looked at
    assert sorted(p for p, _ in result.kept) == sorted([live / ".cache", remote / ".cache"])
    for run in (dead, live, legacy, remote):  # outputs untouched, nothing marks a run complete
        assert (run / "scores.csv").is_file() and not (run / audit.MANIFEST).exists()
    assert set(list_runs(out)["status"]) == {"incomplete"}
    assert cleanup.clean_stale(out).removed == []  # nothing left to do


def test_clean_stale_of_a_missing_folder_does_nothing(tmp_path):
    assert cleanup.clean_stale(tmp_path / "nowhere").removed == []


# --------------------------------------------------------------------------- real runs

def wait_for_cache(proc, out: Path, exclude=()) -> Path:
    """Wait until a run under ``out`` (not in ``exclude``) has written its cache; return the run folder."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        found = [p.parent.parent for p in (out / PERIOD).glob("*/.cache/results.json")
                 if p.parent.parent not in exclude]
        if found:
            return found[0]
        assert proc.poll() is None, "the run ended before its cache was seen"
        time.sleep(0.05)
    raise AssertionError("no cache appeared")


def stop(proc):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=60)


def killed_run(data, out: Path, nbdir: Path) -> Path:
    """Start a report run, SIGKILL it (and its kernel) once its cache is written; return its folder."""
    proc = subprocess.Popen(perfmodel_in(nbdir, "report", "--period", PERIOD, "--data", data, "--out", out),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        run = wait_for_cache(proc, out)
        os.killpg(proc.pid, signal.SIGKILL)  # only processes started here
    finally:
        stop(proc)
    assert proc.returncode == -signal.SIGKILL
    assert (run / ".cache" / "supervisors.parquet").is_file() and (run / ".running").is_file()
    assert not (run / audit.MANIFEST).exists()
    return run


def test_the_next_run_removes_the_cache_of_a_killed_run(data, tmp_path):
    out = tmp_path / "reports"
    killed = killed_run(data, out, tiny_notebooks(tmp_path / "slow", sleep=120))
    quick = tiny_notebooks(tmp_path / "quick", sleep=0)
    proc = subprocess.run(perfmodel_in(quick, "report", "--period", PERIOD, "--data", data, "--out", out),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"removed the working cache of an interrupted run: {killed / '.cache'}" in proc.stderr
    assert not (killed / ".cache").exists() and not (killed / ".running").exists()
    listed = list_runs(out).set_index("run_id")
    assert listed.loc[killed.name, "status"] == "incomplete"  # still never looks complete
    assert not (killed / audit.MANIFEST).exists() and not (killed / audit.FAILED).exists()
    new = Path(proc.stdout.strip().splitlines()[-1]).parent
    assert listed.loc[new.name, "status"] == "complete"
    assert not (new / ".cache").exists() and not (new / ".running").exists()


def test_clean_stale_command_removes_a_killed_runs_cache(data, tmp_path):
    out = tmp_path / "reports"
    killed = killed_run(data, out, tiny_notebooks(tmp_path / "slow", sleep=120))
    proc = subprocess.run([sys.executable, "-m", "perfmodel", "report", "--clean-stale", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"removed {killed / '.cache'}" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == f"1 stale cache(s) removed under {out}"
    assert not (killed / ".cache").exists()
    assert list_runs(out)["status"].tolist() == ["incomplete"]


def test_a_live_concurrent_runs_cache_is_never_removed(data, tmp_path):
    out = tmp_path / "reports"
    slow = tiny_notebooks(tmp_path / "slow", sleep=25)
    live = subprocess.Popen(perfmodel_in(slow, "report", "--period", PERIOD, "--data", data, "--out", out),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        running = wait_for_cache(live, out)
        clean = subprocess.run([sys.executable, "-m", "perfmodel", "report", "--clean-stale", "--out", str(out)],
                               capture_output=True, text=True, timeout=120)
        assert clean.returncode == 0 and f"kept {running / '.cache'} (running: pid {live.pid}" in clean.stdout
        quick = tiny_notebooks(tmp_path / "quick", sleep=0)
        other = subprocess.run(perfmodel_in(quick, "report", "--period", PERIOD, "--data", data, "--out", out),
                               capture_output=True, text=True, timeout=300)
        assert other.returncode == 0, other.stderr[-2000:]
        assert "removed the working cache" not in other.stderr
        assert live.poll() is None, "the live run should still be going"
        assert (running / ".cache" / "supervisors.parquet").is_file() and (running / ".cache" / "panel.parquet").is_file()
        stdout, stderr = live.communicate(timeout=300)
    finally:
        stop(live)
    assert live.returncode == 0, stderr[-2000:]
    assert not (running / ".cache").exists() and not (running / ".running").exists()
    assert list_runs(out)["status"].tolist() == ["complete", "complete"]


@pytest.mark.parametrize("signum, code, line", [
    (signal.SIGTERM, 128 + signal.SIGTERM, "perfmodel: terminated; the interrupted run stays incomplete"),
    (signal.SIGINT, 130, "perfmodel: interrupted"),  # Ctrl-C
], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_run_removes_its_own_cache_and_stays_incomplete(signum, code, line, data, tmp_path):
    out = tmp_path / "reports"
    slow = tiny_notebooks(tmp_path / "slow", sleep=120)
    proc = subprocess.Popen(perfmodel_in(slow, "report", "--period", PERIOD, "--data", data, "--out", out),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        run = wait_for_cache(proc, out)
        time.sleep(2)  # inside the notebook's sleep
        os.kill(proc.pid, signum)  # the run only, as `kill PID` does
        _, stderr = proc.communicate(timeout=90)
    finally:
        stop(proc)
    assert proc.returncode == code, stderr[-2000:]
    assert line in stderr
    # no traceback of ours (the stopped kernel may log its own)
    assert "perfmodel/cli/" not in stderr and "perfmodel/reports/" not in stderr
    assert not (run / ".cache").exists() and not (run / ".running").exists()
    assert not (run / audit.MANIFEST).exists()
    assert list_runs(out)["status"].tolist() == ["incomplete"]


def test_removing_a_stale_cache_appends_to_the_ledger_and_edits_no_entry(tmp_path):
    import hashlib
    import hmac

    from perfmodel.audit import ledger

    out = tmp_path / "reports"
    me = cleanup.owner_record()
    sealed = out / PERIOD / RUN_B
    sealed.mkdir(parents=True)
    ledger.append(out, {"kind": "run", "run": f"{PERIOD}/{RUN_B}", "status": "complete",
                        "manifest_sha256": "0" * 64})
    before = (out / "ledger.jsonl").read_bytes()
    dead = fake_run(out, RUN_A, {**me, "pid": finished_pid()})
    key = b"k" * 32
    assert cleanup.clean_stale(out, key=key).removed == [dead / ".cache"]
    after = (out / "ledger.jsonl").read_bytes()
    assert after.startswith(before)  # appended: the earlier entry is byte for byte the same
    first, entry = (json.loads(line) for line in after.decode("utf-8").splitlines())
    assert entry["kind"] == "stale-cache-removed" and entry["run"] == f"{PERIOD}/{RUN_A}"
    assert entry["seq"] == 2 and entry["prev"] == first["hash"]
    body = json.dumps({k: v for k, v in entry.items() if k not in ("hash", "hmac")}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert entry["hash"] == hashlib.sha256(body).hexdigest()
    assert entry["hmac"] == hmac.new(key, body, hashlib.sha256).hexdigest()
    assert cleanup.clean_stale(out).removed == [] and (out / "ledger.jsonl").read_bytes() == after
