"""A report with the review meeting's adjustments: recorded, re-derived by ``audit verify``, listed per supervisor.

One real quarterly report with an adjustments file is made once; each case edits a copy of
its reports folder (ledger included).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

PERIOD = "2026Q3"
REASON = "大客户投诉经复核非本人责任"
APPROVER = "王总监"
LABELS = ["S", "A", "B", "C", "D"]


def perfmodel(*args):
    return subprocess.run([sys.executable, "-m", "perfmodel", *map(str, args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=600)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """(reports folder, run folder, adjusted supervisor, computed rating, final rating, adjustments file)."""
    from perfmodel.pipeline import run_pipeline
    from perfmodel.data.synth import generate

    root = tmp_path_factory.mktemp("adjust")
    data = root / "data"
    generate(data, seed=7, supervisors=4, start="2026Q2", end=PERIOD)
    scores = run_pipeline(data, "efficiency", period=PERIOD).scores_of()
    row = scores[scores["rating"] != ""].iloc[0]
    sid, computed = str(row["supervisor_id"]), str(row["rating"])
    final = next(label for label in LABELS if label != computed)
    adj = root / "adjustments.csv"
    adj.write_bytes(("supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on\n"
                     f"{sid},{PERIOD},{computed},{final},{REASON},{APPROVER},2026-10-12\n").encode("gb18030"))
    proc = perfmodel("report", "--period", PERIOD, "--data", data, "--out", root / "reports",
                     "--adjustments", adj)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = Path(proc.stdout.strip().splitlines()[-1]).parent
    return root / "reports", run, sid, computed, final, adj


@pytest.fixture
def copy(made, tmp_path):
    reports, run = made[0], made[1]
    reports2 = Path(shutil.copytree(reports, tmp_path / "reports"))
    return reports2, reports2 / run.relative_to(reports)


def test_run_records_and_applies_the_file(made):
    reports, run, sid, computed, final, adj = made
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["adjustments"]["sha256"] == hashlib.sha256(adj.read_bytes()).hexdigest()
    assert manifest["adjustments"]["rows"] == 1
    assert (run / "adjustments.csv").read_bytes() == adj.read_bytes()
    scores = pd.read_csv(run / "scores.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    own = scores[scores["supervisor_id"] == sid].iloc[0]
    assert (own["rating_computed"], own["rating"]) == (computed, final)
    assert (own["adjustment_reason"], own["adjustment_approved_by"], own["adjustment_approved_on"]) == (
        REASON, APPROVER, "2026-10-12")
    others = scores[scores["supervisor_id"] != sid]
    assert (others["rating"] == others["rating_computed"]).all() and (others["adjustment_reason"] == "").all()
    page = (run / "quarterly_report.html").read_text(encoding="utf-8")
    assert REASON in page and "Computed rating" in page and "ratings were changed at the review meeting" in page


def test_verify_re_derives_the_adjustment(copy):
    _, run = copy
    proc = perfmodel("audit", "verify", run)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "verified"


def test_tampered_adjustments_file_fails(copy):
    _, run = copy
    path = run / "adjustments.csv"
    path.write_bytes(path.read_bytes().replace(APPROVER.encode("gb18030"), "李经理".encode("gb18030")))
    proc = perfmodel("audit", "verify", run)
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert "adjustments.csv differs from the adjustments file the manifest records" in out


def test_published_final_rating_that_differs_fails(copy, made):
    _, run = copy
    sid, computed, final = made[2], made[3], made[4]
    path = run / "scores.csv"
    scores = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    scores.loc[scores["supervisor_id"] == sid, "rating"] = computed  # the meeting's change undone
    scores.to_csv(path, index=False, encoding="utf-8-sig")
    proc = perfmodel("audit", "verify", run)
    assert proc.returncode == 1
    assert f"supervisor {sid}: score" in proc.stdout + proc.stderr
    assert f"rating {computed} -> {final}" in proc.stdout + proc.stderr


def test_adjustment_that_no_longer_applies_fails(copy, made):
    _, run = copy
    sid, computed, final = made[2], made[3], made[4]
    wrong = next(label for label in LABELS if label not in (computed, final))
    path = run / "adjustments.csv"
    text = path.read_bytes().decode("gb18030").replace(f",{computed},{final},", f",{wrong},{final},")
    path.write_bytes(text.encode("gb18030"))
    proc = perfmodel("audit", "verify", run)
    assert proc.returncode == 1
    assert (f"cannot be applied again: adjustments.csv: row 2: from_rating is {wrong} but the computed rating "
            f"of {sid} in {PERIOD} is {computed}") in proc.stdout + proc.stderr


def test_audit_list_adjustments(copy, made):
    reports, run = copy
    sid, computed, final = made[2], made[3], made[4]
    proc = perfmodel("audit", "list", "--out", reports, "--adjustments")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines == [sid, f"  {PERIOD}  {computed} -> {final}  {REASON}  approved by {APPROVER} on 2026-10-12  "
                          f"(report {PERIOD}/{run.name}, quarterly)"]
    # a changed copy is still listed, and marked
    path = run / "adjustments.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    proc = perfmodel("audit", "list", "--out", reports, "--adjustments")
    assert proc.stdout.strip().splitlines()[-1].endswith("[changed]")
