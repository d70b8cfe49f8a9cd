"""The ledger of a reports folder: appends from parallel processes keep one chain; edits are named."""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import subprocess
from pathlib import Path

from fixtures import perfmodel_in, small_dataset, tiny_notebooks
from perfmodel.audit import ledger
from perfmodel.audit.verify import check_run


def _lines(reports: Path) -> list[dict]:
    return [json.loads(line) for line in (reports / "ledger.jsonl").read_text(encoding="utf-8").splitlines()]


def _body_hash(entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k not in ("hash", "hmac")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8")).hexdigest()


def _assert_one_chain(entries: list[dict]) -> None:
    """Checked by hand: numbered 1..n, each linked to the one before, each hash its content's."""
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    prev = "0" * 64
    for e in entries:
        assert e["prev"] == prev and e["hash"] == _body_hash(e)
        prev = e["hash"]


def _append_many(args):
    reports, tag, n = args
    for i in range(n):
        ledger.append(reports, {"kind": "run", "run": f"2026Q3/{tag}-{i}", "status": "complete",
                                "manifest_sha256": "0" * 64})


def test_appends_from_parallel_processes_keep_one_chain(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(_append_many, [(str(tmp_path), "a", 40), (str(tmp_path), "b", 40)])
    entries = _lines(tmp_path)
    assert len(entries) == 80
    _assert_one_chain(entries)
    assert sorted(e["run"] for e in entries) == sorted([f"2026Q3/a-{i}" for i in range(40)]
                                                       + [f"2026Q3/b-{i}" for i in range(40)])


def test_report_all_with_two_jobs_seals_every_run_once_in_one_chain(tmp_path):
    data = small_dataset(tmp_path / "data")
    nbdir = tiny_notebooks(tmp_path / "nb")
    out = tmp_path / "reports"
    proc = subprocess.run(perfmodel_in(nbdir, "report", "--all", "--jobs", "2", "--data", data, "--out", out),
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = sorted(p for p in out.glob("*/*") if p.is_dir())
    assert len(runs) == 4
    entries = _lines(out)
    _assert_one_chain(entries)
    assert sorted(e["run"] for e in entries) == sorted(f"{r.parent.name}/{r.name}" for r in runs)
    for e in entries:
        manifest = out / e["run"] / "manifest.json"
        assert e["kind"] == "run" and e["manifest_sha256"] == hashlib.sha256(manifest.read_bytes()).hexdigest()
    assert check_run(runs[-1]).ok


def _fake_sealed_runs(reports: Path, n: int) -> list[Path]:
    runs = []
    for i in range(n):
        run = reports / "2026Q3" / f"20260101T00000{i}Z-0000000{i}"
        run.mkdir(parents=True)
        (run / "manifest.json").write_text(f'{{"run": {i}}}\n', encoding="utf-8")
        ledger.seal_run(run, run / "manifest.json", status="complete")
        runs.append(run)
    return runs


def test_an_edited_entry_and_a_broken_chain_are_named(tmp_path):
    runs = _fake_sealed_runs(tmp_path, 3)
    path = tmp_path / "ledger.jsonl"
    assert ledger.check_run(runs[0], runs[0] / "manifest.json") == ([], [])
    lines = path.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["status"] = "failed"  # edited, hash left as it was
    lines[0] = json.dumps(first, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    findings, _ = ledger.check_run(runs[2], runs[2] / "manifest.json")
    assert findings == [f"ledger {path} line 1 (run {first['run']}): its hash does not match its content "
                        f"(the entry was edited)"]
    first["hash"] = _body_hash(first)  # the hash recomputed: now the next entry no longer follows it
    lines[0] = json.dumps(first, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    findings, _ = ledger.check_run(runs[2], runs[2] / "manifest.json")
    assert len(findings) == 1 and findings[0].startswith(f"ledger {path} line 2 (run ") \
        and "ledger chain broken" in findings[0]


def test_a_run_missing_from_the_ledger_or_sealed_twice_is_named(tmp_path):
    runs = _fake_sealed_runs(tmp_path, 2)
    extra = tmp_path / "2026Q3" / "20260101T000009Z-00000009"
    extra.mkdir()
    (extra / "manifest.json").write_text("{}\n", encoding="utf-8")
    findings, _ = ledger.check_run(extra, extra / "manifest.json")
    assert findings == [f"run 2026Q3/{extra.name} is not in the ledger {tmp_path / 'ledger.jsonl'}: its "
                        f"manifest was never sealed"]
    ledger.seal_run(runs[0], runs[0] / "manifest.json", status="complete")
    findings, _ = ledger.check_run(runs[0], runs[0] / "manifest.json")
    assert findings == [f"run 2026Q3/{runs[0].name} is sealed 2 times in the ledger (lines 1, 3); a run is "
                        f"sealed once"]
    (tmp_path / "ledger.jsonl").unlink()
    findings, _ = ledger.check_run(runs[1], runs[1] / "manifest.json")
    assert len(findings) == 1 and findings[0].startswith("no ledger ")


def test_a_damaged_last_line_is_not_extended(tmp_path):
    import pytest

    from perfmodel.core.errors import UsageError

    _fake_sealed_runs(tmp_path, 1)
    with open(tmp_path / "ledger.jsonl", "a", encoding="utf-8") as fh:
        fh.write("not json\n")
    with pytest.raises(UsageError, match="the last line is not a ledger entry"):
        ledger.append(tmp_path, {"kind": "run"})
    _, findings = ledger.read_entries(tmp_path)
    assert findings == [f"ledger {tmp_path / 'ledger.jsonl'} line 2: not a ledger entry (the ledger was edited)"]


def test_sign_key_options_are_one_line_errors(tmp_path, capsys):
    from perfmodel.cli import main

    out = tmp_path / "reports"
    assert main(["report", "--period", "2026Q3", "--out", str(out), "--sign-key", str(out / "k")]) == 2
    err = capsys.readouterr().err
    assert err == (f"perfmodel: error: --sign-key {out / 'k'}: keep the signing key outside {out.resolve()} "
                   f"(whoever can rewrite the ledger must not hold the key)\n")
    assert not out.exists()
    assert main(["audit", "verify", str(tmp_path), "--sign-key", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err == (f"perfmodel: error: --sign-key {tmp_path / 'none'}: not found; give the key "
                                       f"file the reports were sealed with\n")
    short = tmp_path / "short.key"
    short.write_text("abc\n", encoding="utf-8")
    assert main(["audit", "verify", str(tmp_path), "--sign-key", str(short)]) == 2
    assert "at least 16 bytes" in capsys.readouterr().err


def test_a_key_file_is_created_private_when_absent(tmp_path):
    import stat

    key = ledger.read_key(tmp_path / "keys" / "ledger.key", create=True)
    assert len(key) == 64 and int(key, 16) >= 0
    assert stat.S_IMODE((tmp_path / "keys" / "ledger.key").stat().st_mode) == 0o600
    assert ledger.read_key(tmp_path / "keys" / "ledger.key") == key  # read back, not replaced
