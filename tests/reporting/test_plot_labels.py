"""Charts name their outliers (on pages for everyone only) and show shares as percent."""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfmodel.reporting import plotting
from perfmodel.analysis.profiling import funnel
from perfmodel.reporting.plotting import funnel_plot


def _scores():
    # S09 has a result score far above the others' (Tukey's upper fence is 75)
    result = [70, 72, 71, 69, 73, 70, 72, 71, 95, 70]
    process = [60, 61, 59, 60, 62, 61, 60, 59, 61, 60]
    return pd.DataFrame({"supervisor_id": [f"S{i:02d}" for i in range(1, 11)], "result_score": result,
                         "process_score": process, "rating": ["B"] * 10})


def _labels(ax) -> set[str]:
    return {a.get_text() for a in ax.texts}


def test_scatter_outliers_are_outside_tukeys_fences_by_hand():
    scores = _scores()
    q1, q3 = 70.0, 72.0  # sorted 69 70 70 70 71 71 72 72 73 95: positions 2.25 and 6.75 (linear)
    assert np.percentile(scores["result_score"], [25, 75]).tolist() == [q1, q3]
    assert q3 + 1.5 * (q3 - q1) < 95
    assert plotting.scatter_outliers(scores)["supervisor_id"].tolist() == ["S09"]


def test_the_scatter_names_outliers_but_no_one_else_on_a_personal_page():
    fig = plotting.result_process_scatter(_scores())
    assert _labels(fig.axes[0]) == {"S09"}
    own = plotting.result_process_scatter(_scores(), highlight="S01")
    assert "S09" not in _labels(own.axes[0])


def test_every_point_outside_a_funnel_limit_is_named():
    rng = np.random.default_rng(1)
    n = 12
    den = rng.integers(80, 120, n).astype(float)
    num = np.round(den * 0.8)
    num[3] = np.round(den[3] * 0.45)  # far below
    num[7] = np.round(den[7] * 0.99)  # above
    long = pd.DataFrame({"supervisor_id": [f"S{i:02d}" for i in range(n)], "period": "2026Q2",
                         "indicator": "complaint_resolution_rate", "value": num / den, "numerator": num,
                         "denominator": den, "available": True})
    f = funnel(long, "complaint_resolution_rate", "2026Q2")
    outside = set(f.loc[f["flag"] != "within", "supervisor_id"])
    assert "S03" in outside
    ax = funnel_plot(f)
    assert _labels(ax) == outside


def test_trend_axes_of_shares_are_in_percent():
    wide = pd.DataFrame({"period": ["2026Q1", "2026Q2"] * 2, "supervisor_id": ["A", "A", "B", "B"],
                         "complaint_resolution_rate": [0.80, 0.88, 0.84, 0.90], "csat": [4.1, 4.3, 4.2, 4.4]})
    fig = plotting.indicator_trends(wide, ["complaint_resolution_rate", "csat"])
    fig.canvas.draw()
    share, score = fig.axes[0], fig.axes[1]
    share_ticks = [t.get_text() for t in share.get_yticklabels() if t.get_text()]
    assert share_ticks and all(t.endswith("%") for t in share_ticks), share_ticks
    assert any(t.startswith(("8", "9")) for t in share_ticks)  # 82 %, 88 %: not 0.88
    assert not any("%" in t.get_text() for t in score.get_yticklabels())


def test_funnel_axes_on_the_page_are_in_percent(monkeypatch):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.62, 0.93])
    plotting.rate_axis(ax)
    plotting.percent_axis(ax)
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks) and "70 %" in [t.replace(".0 ", " ") for t in ticks], ticks
    plt.close(fig)
