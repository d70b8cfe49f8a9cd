"""Run manifests and ``perfmodel audit verify``: tampering is found and named, untouched runs verify."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fixtures import PERIOD, data_only_run, small_dataset
from perfmodel.audit import manifest as audit
from perfmodel.audit.runs import latest_run, list_runs
from perfmodel.audit.verify import check_run, verify_run
from perfmodel.core.errors import CheckFailed


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """The fixture dataset and one recorded run of it (never modified by tests)."""
    base = tmp_path_factory.mktemp("audit")
    data = small_dataset(base / "data")
    run = data_only_run(data, base / "reports")
    return data, run


@pytest.fixture
def run_copy(pristine, tmp_path):
    """A private copy of the dataset and a run of it, sealed in its own reports folder's ledger.

    (Rewriting a copied run's manifest to point at the copy would be tampering itself.)
    """
    data, _ = pristine
    data2 = Path(shutil.copytree(data, tmp_path / "data"))
    return data2, data_only_run(data2, tmp_path / "reports")


def _sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "perfmodel", *args], capture_output=True, text=True,
                          encoding="utf-8")


def test_manifest_records_inputs_policy_versions_and_outputs(pristine):
    data, run = pristine
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "complete" and m["period"] == PERIOD and m["engine"] == "duckdb"
    # every input file, hashed independently here
    files = sorted(p.name for p in Path(data).iterdir() if p.is_file())
    assert [i["path"] for i in m["inputs"]] == files
    for i in m["inputs"]:
        assert i["sha256"] == _sha(Path(data) / i["path"])
    # the full policy text and its hash
    preset = (Path(audit.__file__).parents[1] / "scoring" / "policies" / "efficiency.yaml").read_text(encoding="utf-8")
    assert m["policy"]["text"] == preset
    assert m["policy"]["sha256"] == hashlib.sha256(preset.encode("utf-8")).hexdigest()
    assert m["policy"]["name"] == "after-sales-supervisor-efficiency" and m["policy"]["version"] == "2026.1"
    for lib in ("perfmodel", "pandas", "numpy", "duckdb", "ibis-framework", "statsmodels", "python"):
        assert m["versions"][lib], lib
    # every output (and not the manifest itself)
    outs = {o["path"]: o["sha256"] for o in m["outputs"]}
    assert set(outs) == {"indicators.csv", "scores.csv"}
    for name, h in outs.items():
        assert h == _sha(run / name)
    # written atomically: no temporary file left behind, readable by others
    assert not [p for p in run.iterdir() if p.name.startswith(".manifest-")]
    assert os.stat(run / "manifest.json").st_mode & 0o044


def test_untouched_run_verifies(run_copy):
    _, run = run_copy
    assert verify_run(run).ok
    r = _cli("audit", "verify", str(run))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "verified"


def _change_one_budget_byte(data: Path) -> str:
    """Change one digit of the first budget of the period; return that supervisor's id."""
    path = data / "budgets.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    header = rows[0]
    i_sup, i_per, i_bud = header.index("supervisor_id"), header.index("period"), header.index("budget")
    k = next(n for n, r in enumerate(rows[1:], 1) if r[i_per] == PERIOD)
    sup = rows[k][i_sup]
    raw = path.read_bytes()
    old_line = ",".join(rows[k]).encode("utf-8")
    budget = rows[k][i_bud]
    new_budget = ("9" if budget[0] != "9" else "1") + budget[1:]  # one byte: the leading digit
    new_line = ",".join(rows[k][:i_bud] + [new_budget] + rows[k][i_bud + 1:]).encode("utf-8")
    assert raw.count(old_line) == 1 and len(new_line) == len(old_line)
    path.write_bytes(raw.replace(old_line, new_line))
    return sup


def test_one_byte_of_a_data_file(run_copy):
    data, run = run_copy
    sup = _change_one_budget_byte(data)
    with pytest.raises(CheckFailed) as exc:
        verify_run(run)
    msg = str(exc.value)
    assert "input budgets.csv changed" in msg
    assert "recomputed scores.csv differs" in msg
    assert f"supervisor {sup}: score" in msg
    r = _cli("audit", "verify", str(run))
    assert r.returncode == 1
    assert "input budgets.csv changed" in r.stderr and "Traceback" not in r.stderr


def _edit_manifest_policy(run: Path, old: str, new: str):
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert m["policy"]["text"].count(old) == 1
    m["policy"]["text"] = m["policy"]["text"].replace(old, new)
    (run / "manifest.json").write_text(json.dumps(m, ensure_ascii=False, indent=2), encoding="utf-8")


def test_one_weight_of_the_recorded_policy(run_copy):
    _, run = run_copy
    # csat 0.30 -> 0.25 and complaint resolution 0.25 -> 0.30 keeps the weights summing to 1,
    # so the tampered text is still a valid policy and the scores are recomputed with it
    _edit_manifest_policy(run, "csat:                      {dimension: result, weight: 0.30",
                          "csat:                      {dimension: result, weight: 0.25")
    _edit_manifest_policy(run, "complaint_resolution_rate: {dimension: result, weight: 0.25",
                          "complaint_resolution_rate: {dimension: result, weight: 0.30")
    result = check_run(run)
    assert not result.ok
    assert any("policy text in the manifest does not match its recorded sha256" in m for m in result.mismatches)
    assert any(m.startswith("recomputed scores.csv differs") for m in result.mismatches)
    # the per-supervisor differences equal 0.65 * 0.05 * (complaint score - csat score), by hand
    scores = pd.read_csv(run / "scores.csv", dtype={"supervisor_id": str})
    expected = 0.65 * 0.05 * (scores["score_complaint_resolution_rate"] - scores["score_csat"])
    got = result.score_changes.set_index("supervisor_id")["difference"]
    exp = pd.Series(expected.to_numpy(), index=scores["supervisor_id"])
    exp = exp[exp.abs() > 1e-6]
    assert sorted(got.index) == sorted(exp.index)
    assert (got - exp.reindex(got.index)).abs().max() < 1e-6
    sup = got.abs().idxmax()
    assert any(m.startswith(f"supervisor {sup}: score") for m in result.mismatches)


def test_a_single_weight_that_breaks_the_policy_is_named(run_copy):
    _, run = run_copy
    _edit_manifest_policy(run, "csat:                      {dimension: result, weight: 0.30",
                          "csat:                      {dimension: result, weight: 0.40")
    result = check_run(run)
    text = "\n".join(result.mismatches)
    assert "does not match its recorded sha256" in text
    assert "not a valid policy" in text and "csat" in text


def test_an_added_row(run_copy):
    data, run = run_copy
    path = data / "tickets.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    header = rows[0]
    i_id, i_created, i_sup = header.index("ticket_id"), header.index("created_at"), header.index("supervisor_id")
    src = next(r for r in rows[1:] if r[i_created].startswith("2026-08"))
    extra = list(src)
    extra[i_id] = "T-ADDED-1"
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(extra)
    result = check_run(run)
    text = "\n".join(result.mismatches)
    assert "input tickets.csv changed" in text
    assert "recomputed indicators.csv differs" in text
    assert src[i_sup] in set(result.score_changes["supervisor_id"])


def test_a_removed_output(run_copy):
    _, run = run_copy
    (run / "scores.csv").unlink()
    with pytest.raises(CheckFailed, match="output scores.csv is missing"):
        verify_run(run)
    r = _cli("audit", "verify", str(run))
    assert r.returncode == 1 and "output scores.csv is missing" in r.stderr


def test_a_changed_or_extra_output_and_a_missing_manifest(run_copy):
    _, run = run_copy
    with (run / "indicators.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n")
    (run / "notes.txt").write_text("x", encoding="utf-8")
    text = "\n".join(check_run(run).mismatches)
    assert "output indicators.csv differs from its recorded sha256" in text
    assert "output notes.txt is not in the manifest" in text
    (run / "manifest.json").unlink()
    with pytest.raises(CheckFailed, match="no manifest.json; the run is incomplete"):
        verify_run(run)


def test_same_inputs_give_byte_identical_csvs_across_processes(pristine, tmp_path):
    data, run = pristine
    code = ("import sys; from fixtures import data_only_run; "
            "print(data_only_run(sys.argv[1], sys.argv[2]))")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1]) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run([sys.executable, "-c", code, str(data), str(tmp_path / "reports")], capture_output=True,
                       text=True, env=env)
    assert r.returncode == 0, r.stderr
    other = Path(r.stdout.strip().splitlines()[-1])
    assert other != run
    for name in ("scores.csv", "indicators.csv"):
        assert (other / name).read_bytes() == (run / name).read_bytes(), name
    text = (run / "scores.csv").read_text(encoding="utf-8")
    assert "T" not in text.split("\n", 1)[1].split(",")[1]  # no timestamps in data rows (period ids only)


def test_list_runs_is_append_only_history(pristine, tmp_path):
    data, _ = pristine
    out = tmp_path / "reports"
    first = data_only_run(data, out)
    second = data_only_run(data, out)
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    (out / PERIOD / "20990101T000000Z-deadbeef").mkdir()  # a run that never finished
    runs = list_runs(out)
    assert list(runs["run_id"]) == sorted([first.name, second.name, "20990101T000000Z-deadbeef"])
    assert list(runs["status"]) == ["complete", "complete", "incomplete"]
    assert set(runs["policy_name"].dropna()) == {"after-sales-supervisor-efficiency"}
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before  # the second run did not touch it
    r = _cli("audit", "list", "--reports", str(out))
    assert r.returncode == 0, r.stderr
    assert PERIOD in r.stdout and first.name in r.stdout and "incomplete" in r.stdout
    assert "after-sales-supervisor-efficiency 2026.1" in r.stdout


def test_verify_of_a_missing_folder_is_a_usage_error():
    r = _cli("audit", "verify", "/nonexistent/run")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "not found" in r.stderr


def test_a_data_folder_that_does_not_exist_is_a_usage_error_and_a_moved_one_a_failed_check(run_copy, tmp_path):
    data, run = run_copy
    r = _cli("audit", "verify", str(run), "--data", str(tmp_path / "nowhere"))
    assert r.returncode == 2
    assert r.stderr == (f"perfmodel: error: --data {tmp_path / 'nowhere'}: no such folder; give the folder "
                        f"the run read (recorded: {data})\n")
    shutil.move(data, tmp_path / "moved")  # the recorded folder is gone: the check fails (exit 1)
    r = _cli("audit", "verify", str(run))
    assert r.returncode == 1 and f"input folder {data} is missing" in r.stderr
    r = _cli("audit", "verify", str(run), "--data", str(tmp_path / "moved"))  # found where it went
    assert r.returncode == 0, r.stderr


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_give_byte_identical_csvs(pristine, tmp_path):
    pytest.importorskip("pyspark")
    from perfmodel.data.loader import load_dataset
    from perfmodel.scoring.policy import load_policy

    data, run = pristine
    tables = audit.compute_tables(load_dataset(data), load_policy("efficiency"), PERIOD, engine="spark")
    audit.write_tables(tables, tmp_path)
    for name in ("scores.csv", "indicators.csv"):
        assert (tmp_path / name).read_bytes() == (run / name).read_bytes(), name


def _manifest_only_run(out: Path, period: str, run_id: str, **fields) -> Path:
    run = out / period / run_id
    run.mkdir(parents=True)
    (run / "manifest.json").write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
    return run


def test_audit_list_shows_notebook_language_data_and_policy_and_takes_out_like_report(tmp_path):
    out = tmp_path / "reports"
    _manifest_only_run(out, PERIOD, "20260101T000000Z-0000000a", status="complete", created_at="2026-01-01T00:00:00Z",
                       data_dir="/数据/售后", parameters={"notebook": "quarterly", "lang": "zh"},
                       policy={"name": "after-sales", "version": "2026.1"})
    _manifest_only_run(out, PERIOD, "20260101T000000Z-0000000b", status="complete", data_dir="/data/x",
                       parameters={"notebook": "calibration", "lang": "en"}, policy={"name": "p", "version": "1"})
    (out / PERIOD / "20260101T000000Z-0000000c").mkdir()
    bad = out / PERIOD / "20260101T000000Z-0000000d"
    bad.mkdir()
    (bad / "manifest.json").write_text("[1, 2]", encoding="utf-8")  # JSON, but not a manifest
    runs = list_runs(out)
    assert runs[["notebook", "lang", "data_dir"]].values.tolist() == [
        ["quarterly", "zh", "/数据/售后"], ["calibration", "en", "/data/x"], [None, None, None], [None, None, None]]
    assert runs["status"].tolist() == ["complete", "complete", "incomplete", "unreadable"]
    r = _cli("audit", "list", "--out", str(out))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == PERIOD
    first = lines[1].split()
    assert first == ["20260101T000000Z-0000000a", "complete", "quarterly", "zh", "after-sales", "2026.1",
                     "2026-01-01T00:00:00Z", "data:", "/数据/售后"]
    assert lines[2].split()[2:4] == ["calibration", "en"] and lines[2].endswith("data: /data/x")
    assert _cli("audit", "list", "--reports", str(out)).stdout == r.stdout  # the former name still works
    assert "--reports" not in _cli("audit", "list", "--help").stdout


def test_latest_run_is_the_latest_quarterly_report_of_the_period(tmp_path):
    out = tmp_path / "reports"
    q = _manifest_only_run(out, PERIOD, "20260101T000000Z-0000000a", status="complete",
                           parameters={"notebook": "quarterly"})
    _manifest_only_run(out, PERIOD, "20260102T000000Z-0000000b", status="complete",
                       parameters={"notebook": "calibration"})
    _manifest_only_run(out, PERIOD, "20260103T000000Z-0000000c", status="failed",
                       parameters={"notebook": "quarterly"})
    assert latest_run(out, PERIOD) == q
    assert latest_run(out, PERIOD, notebook=None).name == "20260102T000000Z-0000000b"
    assert latest_run(out, "2026Q2") is None
    later = _manifest_only_run(out, "2026Q4", "20260101T000000Z-0000000d", status="complete",
                               parameters={"notebook": "quarterly"})
    assert latest_run(out, None) == later  # any period: the latest run id
