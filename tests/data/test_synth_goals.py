"""The synthetic agreed goals are achievable: never beyond the supervisor's best earlier period."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from perfmodel.indicators import compute_indicators, wide_panel
from perfmodel.core.periods import parse_period
from perfmodel.data.synth.goals import _round_achievable

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
HIGHER = {"csat": True, "complaint_resolution_rate": True, "first_response_hours": False,
          "timely_closure_rate": True}


def test_rounding_goes_to_the_easier_side():
    # 0.9375 (15 of 16) rounded to the nearest hundredth would be 0.94, above the best
    assert _round_achievable(0.9375, 2, "higher") == 0.93
    assert _round_achievable(0.93, 2, "higher") == 0.93  # already on the grid (0.9299999...)
    assert _round_achievable(2.81, 1, "lower") == 2.9
    assert _round_achievable(2.8, 1, "lower") == 2.8


def test_every_sample_goal_was_reached_by_the_supervisor_in_an_earlier_period():
    goals = pd.read_csv(SAMPLE / "goals.csv", dtype={"supervisor_id": str})
    panel = wide_panel(compute_indicators(SAMPLE, period_kind="quarter", indicators=list(HIGHER)))
    panel["start"] = [parse_period(p).start for p in panel["period"]]
    for g in goals.itertuples():
        start = parse_period(g.period).start
        past = panel[(panel["supervisor_id"] == g.supervisor_id) & (panel["start"] < start)]
        values = past.sort_values("start")[g.indicator].dropna().to_numpy()[-4:]  # the generator's window
        best = values.max() if HIGHER[g.indicator] else values.min()
        reached = g.target <= best + 1e-12 if HIGHER[g.indicator] else g.target >= best - 1e-12
        assert reached, (g.supervisor_id, g.period, g.indicator, g.target, np.round(values, 4))
