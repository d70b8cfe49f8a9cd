"""A policy with its own rating labels (优/良/中/差) runs through score, every page and plot (issue 17, item 8)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from perfmodel.reporting.plotting import (
    RATING_COLOURS, rating_distribution, rating_palette, result_process_scatter,
)

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "tests" / "fixtures" / "policies" / "chinese_rating_labels.yaml"
LABELS = ["优", "良", "中", "差"]


def _cli(*args, timeout=600):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, "-m", "perfmodel", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout)


def test_the_palette_derives_a_colour_for_any_labels():
    colours = rating_palette(LABELS)
    assert list(colours) == LABELS and len(set(colours.values())) == 4
    best, worst = to_rgb(colours["优"]), to_rgb(colours["差"])
    assert best[1] > best[0]      # green over red: the best label is greenish
    assert worst[0] > worst[1]    # the worst reddish
    assert rating_palette(["S", "A", "B", "C", "D"]) == RATING_COLOURS  # the default keeps its colours
    assert len(rating_palette(["only"])) == 1


def test_both_rating_plots_draw_own_labels_best_first():
    scores = pd.DataFrame({"supervisor_id": list("abcde"), "score": [91, 80, 79, 50, None],
                           "result_score": [90, 80, 70, 50, None], "process_score": [92, 80, 88, 50, None],
                           "rating": ["优", "良", "良", "差", None]})
    fig = rating_distribution(scores)
    ticks = [x.get_text() for x in fig.axes[0].get_xticklabels()]
    assert ticks == ["优", "良", "差", "not rated"]  # ordered by the best score earning each
    fig = rating_distribution(scores, order=LABELS)
    assert [x.get_text() for x in fig.axes[0].get_xticklabels()] == LABELS + ["not rated"]
    fig = result_process_scatter(scores.dropna(subset=["score"]), order=LABELS)
    assert [x.get_text() for x in fig.axes[0].get_legend().get_texts()] == ["优", "良", "差"]


def test_score_writes_the_policys_labels(tmp_path):
    out = tmp_path / "scores.csv"
    done = _cli("score", "--data", "data/sample", "--policy", str(POLICY), "--out", str(out))
    assert done.returncode == 0, done.stderr
    scores = pd.read_csv(out, encoding="utf-8-sig")
    assert set(scores["rating"].dropna()) == set(LABELS)


@pytest.mark.slow
def test_a_report_runs_with_the_policys_labels(tmp_path):
    done = _cli("report", "--data", "data/sample", "--policy", str(POLICY), "--period", "2026Q1",
                "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    (page,) = tmp_path.rglob("quarterly_report.html")
    html = page.read_text(encoding="utf-8")
    assert "missing keys" not in html and "Traceback" not in html
    assert html.count("data:image/png;base64") >= 2  # the rating bars and the scatter are drawn
    for label in LABELS:
        assert f"<td>{label}</td>" in html or f">{label}<" in html, label
