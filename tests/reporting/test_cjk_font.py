"""A chart called with lang="zh" outside a report draws its Chinese text in the CJK font.

Each check runs in a fresh Python process, where the report set-up
(perfmodel.reporting.plotting.setup) has never run and matplotlib has its default fonts
(DejaVu Sans, which has no CJK glyphs: Chinese text drawn with it shows as boxes).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from perfmodel.core.fonts import cjk_font_path

SRC = Path(__file__).resolve().parents[2] / "src"

pytestmark = pytest.mark.skipif(cjk_font_path() is None, reason="pip install mplfonts (Noto Sans CJK SC)")

SCRIPT = r"""
import json, warnings
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

before = (list(plt.rcParams["font.family"]), list(plt.rcParams["font.sans-serif"]))
from perfmodel.analysis.weights import compare_methods, plot_comparison
from perfmodel.reporting import plotting
from perfmodel.scoring.policy import load_policy

table = compare_methods(pd.DataFrame({"supervisor_id": ["S1"], "period": ["2026Q3"]}),
                        load_policy("efficiency"), methods=("equal",))
scores = pd.DataFrame({"supervisor_id": ["S01", "S02", "S03"], "rating": ["A", "B", "B"],
                       "score": [88.0, 72.0, 70.0], "result_score": [90.0, 70.0, 71.0],
                       "process_score": [85.0, 75.0, 68.0]})
out = {}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for name, lang, fig in [
            ("plot_comparison", "zh", plot_comparison(table, lang="zh")),
            ("rating_distribution", "zh", plotting.rating_distribution(scores, lang="zh")),
            ("result_process_scatter", "zh", plotting.result_process_scatter(scores, lang="zh")),
            ("plot_comparison_en", "en", plot_comparison(table, lang="en"))]:
        fig = getattr(fig, "figure", fig)
        fig.canvas.draw()  # ticks are made when drawn
        ax = fig.axes[0]
        labels = [t for t in ax.get_yticklabels() + ax.get_xticklabels() if t.get_text()]
        out[name] = {"title": ax.get_title(), "title_font": ax.title.get_fontname(),
                     "title_file": ax.title.get_fontproperties().get_file() or
                                   matplotlib.font_manager.findfont(ax.title.get_fontproperties()),
                     "tick_fonts": sorted({t.get_fontname() for t in labels})}
out["glyph_warnings"] = [str(w.message) for w in caught if "missing from font" in str(w.message)]
out["rc_kept"] = before == (list(plt.rcParams["font.family"]), list(plt.rcParams["font.sans-serif"]))
print(json.dumps(out, ensure_ascii=False))
"""


def test_zh_charts_use_the_cjk_font_without_the_report_set_up():
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    # titles from messages.yaml (labels.result, labels.rating_distribution, labels.result_vs_process)
    assert out["plot_comparison"]["title"] == "结果"
    for name in ("plot_comparison", "rating_distribution", "result_process_scatter"):
        assert out[name]["title_font"] == "Noto Sans CJK SC", name
        assert Path(out[name]["title_file"]).name == "NotoSansCJKsc-Regular.otf", name
        assert out[name]["tick_fonts"] == ["Noto Sans CJK SC"], name
    assert out["glyph_warnings"] == []  # no box drawn for a missing glyph
    # English charts and the user's own settings are left as they were
    assert out["plot_comparison_en"]["title_font"] == "DejaVu Sans"
    assert out["rc_kept"] is True


def test_after_the_report_set_up_the_font_settings_are_the_reports():
    # in a report the set-up already puts the CJK font first: the charts change nothing
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from perfmodel.core.fonts import cjk_fonts
    from perfmodel.reporting import plotting

    with matplotlib.rc_context():  # this process's settings are restored after the test
        plotting.setup(lang="zh")
        before = dict(plt.rcParams)
        with cjk_fonts(lang="zh") as family:
            assert family is None
            assert dict(plt.rcParams) == before
