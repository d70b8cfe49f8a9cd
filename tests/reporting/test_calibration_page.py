"""The weight calibration page: both languages, report tables, the proposed policy in the run folder, --matrix."""
from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from fixtures import small_dataset
from perfmodel.analysis.weights.pairwise import read_pairwise_csv

PERIOD = "2026Q2"
# cyclic judgements a > b > c > a: as inconsistent as 3 × 3 gets
BAD = ("indicator,csat,complaint_resolution_rate,cost_control_rate\n"
       "csat,1,9,1/9\ncomplaint_resolution_rate,1/9,1,9\ncost_control_rate,9,1/9,1\n")


def _report(data, out, *extra):
    return subprocess.run([sys.executable, "-m", "perfmodel", "report", "--data", str(data), "--out", str(out),
                           "--period", PERIOD, "--notebook", "calibration", *extra],
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("calibration")
    data = small_dataset(root / "data")
    (root / "bad.csv").write_text(BAD, encoding="utf-8")
    zh = _report(data, root / "reports", "--lang", "zh")
    bad = _report(data, root / "reports", "--matrix", str(root / "bad.csv"))
    for r in (zh, bad):
        assert r.returncode == 0, r.stderr[-3000:]
    return root, zh, bad


def _run_dir(result) -> Path:
    return Path(result.stdout.strip().splitlines()[-1]).parent


@pytest.mark.slow
def test_the_chinese_page_is_a_finished_report(runs):
    root, zh, _ = runs
    assert "Unable to parse" not in zh.stderr, zh.stderr
    page = (_run_dir(zh) / "weight_calibration.html").read_text(encoding="utf-8")
    assert page.count("合成示例数据") == 1  # the fixture data is made by perfmodel synth
    for heading in ("权重校准 — " + PERIOD, "两两比较判断", "各方法权重对比", "评级稳健性", "建议方案", "一致性比率"):
        assert heading in page, heading
    for english in ("Weight calibration", "Methods side by side", "fragile ratings under", "saved /"):
        assert english not in page, english
    assert "<th></th>" not in page  # no DataFrame index column
    assert not re.search(r"<td[^>]*>\d+\.0</td>", page)  # ranks and counts as integers
    assert "2,000" in page  # draws (settings.DRAWS) with a thousands separator


@pytest.mark.slow
def test_the_proposed_policy_is_saved_in_the_run_with_the_matrix_named_and_hashed(runs):
    root, zh, _ = runs
    run = _run_dir(zh)
    text = (run / "calibrated_policy.yaml").read_text(encoding="utf-8")
    page = htmllib.unescape((run / "weight_calibration.html").read_text(encoding="utf-8"))
    assert text.strip() in page  # printed complete, from its first line
    prov = yaml.safe_load(text)["provenance"]
    matrix_file = run / prov["pairwise_matrix"]["path"]
    assert prov["pairwise_matrix"]["sha256"] == hashlib.sha256(matrix_file.read_bytes()).hexdigest()
    assert prov["pairwise_matrix"]["source"] == "notebook parameters"
    # the notebook's default judgements, read back from the saved file
    m = read_pairwise_csv(matrix_file)
    assert list(m.index)[:2] == ["csat", "complaint_resolution_rate"]
    assert m.loc["csat", "customer_churn_rate"] == 3 and m.loc["customer_churn_rate", "csat"] == pytest.approx(1 / 3)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    outputs = {o["path"] for o in manifest["outputs"]}
    assert {"calibrated_policy.yaml", "pairwise_matrix.csv"} <= outputs
    v = subprocess.run([sys.executable, "-m", "perfmodel", "audit", "verify", str(run)], capture_output=True,
                       text=True)
    assert v.returncode == 0 and v.stdout.strip() == "verified", v.stdout + v.stderr


@pytest.mark.slow
def test_an_inconsistent_matrix_is_shown_with_its_cr_and_proposes_nothing(runs):
    root, _, bad = runs
    run = _run_dir(bad)
    page = (run / "weight_calibration.html").read_text(encoding="utf-8")
    a = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    lmax = max(np.linalg.eigvals(a).real)
    cr = (lmax - 3) / 2 / 0.58  # Saaty's RI for n = 3
    assert f"CR = {cr:.3f}" in page
    assert "No policy proposed" in page and "bad.csv" in page
    assert page.count("Synthetic sample data") == 1
    assert not (run / "calibrated_policy.yaml").exists()
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["matrix"] == str(root / "bad.csv")


@pytest.mark.parametrize("extra, needle", [
    (["--notebook", "quarterly", "--matrix", "x.csv"], "--matrix is for --notebook calibration"),
    (["--notebook", "calibration", "--matrix", "missing.csv"], "missing.csv: file not found"),
])
def test_bad_matrix_arguments_are_one_line(extra, needle, tmp_path):
    data = small_dataset(tmp_path / "data")
    r = subprocess.run([sys.executable, "-m", "perfmodel", "report", "--data", str(data), "--out",
                        str(tmp_path / "reports"), "--period", PERIOD, *extra], capture_output=True, text=True)
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_a_non_reciprocal_matrix_is_refused_before_the_run(tmp_path):
    data = small_dataset(tmp_path / "data")
    (tmp_path / "m.csv").write_text("indicator,csat,cost_control_rate\ncsat,1,3\ncost_control_rate,3,1\n",
                                    encoding="utf-8")
    r = _report(data, tmp_path / "reports", "--matrix", str(tmp_path / "m.csv"))
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").rglob("manifest.json"))
