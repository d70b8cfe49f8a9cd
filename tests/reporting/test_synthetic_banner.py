"""Runs on data made by ``perfmodel synth`` say so on every page; the feedback index page."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from perfmodel.reporting import runner
from perfmodel.reporting.html import feedback_index, notebook_to_html
from perfmodel.data.synth import generate
from perfmodel.data.synthetic import MARKER, is_synthetic

REPO = Path(__file__).resolve().parents[2]
EN, ZH = "Synthetic sample data", "合成示例数据"
PERIOD = "2026Q2"


def test_synth_marks_its_output_and_the_sample_carries_the_mark(tmp_path):
    generate(tmp_path / "made", seed=5, supervisors=3, start="2026Q1", end="2026Q2")
    doc = json.loads((tmp_path / "made" / MARKER).read_text(encoding="utf-8"))
    assert doc["generator"] == "perfmodel synth" and doc["seed"] == 5
    assert is_synthetic(tmp_path / "made")
    assert is_synthetic(REPO / "data" / "sample")
    real = tmp_path / "real"
    real.mkdir()
    assert not is_synthetic(real)
    (real / MARKER).write_text("{not json", encoding="utf-8")
    assert not is_synthetic(real)
    (real / MARKER).write_text('{"generator": "someone else"}', encoding="utf-8")
    assert not is_synthetic(real)


def test_the_banner_comes_first_in_the_notebook_and_its_page(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("print('hello')", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="hello\n")])]), str(path))
    runner.add_banner(path, ZH)
    runner.add_banner(path, ZH)  # once only
    nb = nbformat.read(str(path), as_version=4)
    assert [c.cell_type for c in nb.cells] == ["code", "code"]
    assert ZH in nb.cells[0].outputs[0]["data"]["text/html"]
    html = notebook_to_html(path)
    assert html.count(ZH) == 1 and html.index(ZH) < html.index("hello")
    assert not re.search(r'class="[^"]*\bjp-InputArea\b', html) and "notice added" not in html  # no code


def test_feedback_index_lists_names_teams_scores_and_ratings(tmp_path):
    pages = pd.DataFrame({"supervisor_id": ["S001", "S002"], "href": ["S001.html", "S002.html"],
                          "name": ["王芳", "李强"], "team": ["华东一组", "华北二组"],
                          "score": [1234.56, 88.04], "rating": ["S", "B"]})
    html = feedback_index(tmp_path / "index.html", pages, PERIOD, lang="zh", banner=ZH)
    assert "<title>绩效反馈 — 2026Q2</title>" in html and "<h1>绩效反馈 — 2026Q2</h1>" in html
    assert "，" not in html  # the title had a stray Chinese comma where the name would be
    assert "<style>" in html and ZH in html
    for text in ("王芳", "华北二组", ">1,234.6<", ">88.0<", "<td>S</td>", "<td>B</td>", "姓名", "评级"):
        assert text in html, text
    plain = feedback_index(tmp_path / "en.html", [("S001", "S001.html")], PERIOD, lang="en")
    assert "<h1>Performance feedback — 2026Q2</h1>" in plain and EN not in plain


@pytest.fixture(scope="module")
def feedback_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("banner")
    data = root / "data"
    generate(data, seed=11, supervisors=3, start="2025Q3", end=PERIOD)
    r = subprocess.run([sys.executable, "-m", "perfmodel", "report", "--data", str(data), "--period", PERIOD,
                        "--notebook", "feedback", "--lang", "zh", "--out", str(root / "reports")],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return root, Path(r.stdout.strip().splitlines()[-1]), r


@pytest.mark.slow
def test_every_page_of_a_synthetic_run_carries_the_banner(feedback_run):
    root, index, r = feedback_run
    folder = index.parent
    pages = sorted(folder.glob("S*.html"))
    assert [p.stem for p in pages] == ["S001", "S002", "S003"]
    for page in pages + [index]:
        assert page.read_text(encoding="utf-8").count(ZH) == 1, page.name
    for nb in sorted(folder.glob("S*.ipynb")):
        cells = nbformat.read(str(nb), as_version=4).cells
        assert ZH in cells[0].outputs[0]["data"]["text/html"], nb.name
    names = pd.read_csv(root / "data" / "supervisors.csv", dtype=str)
    text = index.read_text(encoding="utf-8")
    for name in names["name"]:
        assert name in text
    assert "KeyboardInterrupt" not in r.stderr and "IPKernelApp" not in r.stderr, r.stderr
    run = folder.parent
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["synthetic"] is True
    listed = subprocess.run([sys.executable, "-m", "perfmodel", "audit", "list", "--out", str(root / "reports")],
                            capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    line = next(ln for ln in listed.stdout.splitlines() if run.name in ln)
    for part in ("feedback", " zh ", "after-sales-supervisor-efficiency", f"data: {root / 'data'} (synthetic sample)"):
        assert part in line, (part, line)
    v = subprocess.run([sys.executable, "-m", "perfmodel", "audit", "verify", str(run)], capture_output=True,
                       text=True)
    assert v.returncode == 0 and v.stdout.strip() == "verified", v.stdout + v.stderr
