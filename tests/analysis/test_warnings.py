"""Warnings are PerfmodelWarning instances, filterable by class, not strings or DataFrame attrs."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from perfmodel.analysis import weights as W
from perfmodel.core.errors import MethodSkipped, PerfmodelWarning
from perfmodel.scoring.policy import load_policy


def _panel(base):
    rng = np.random.default_rng(2)
    ids = base.weighted_indicators
    panel = pd.DataFrame(rng.uniform(0.1, 1, (30, len(ids))), columns=ids)
    panel.insert(0, "period", "2026Q3")
    panel.insert(0, "supervisor_id", [f"S{i:02d}" for i in range(30)])
    return panel


def test_skipped_method_is_a_perfmodel_warning():
    base = load_policy("efficiency")
    # no process indicator has evidence of predicting a result: evidence cannot run
    empty = pd.DataFrame(columns=["process", "result", "coef", "se", "p_adj", "verdict"])
    with pytest.warns(MethodSkipped) as caught:
        t = W.compare_methods(_panel(base), base, methods=("equal", "evidence"), validity_table=empty)
    skipped = [w.message for w in caught if isinstance(w.message, MethodSkipped)]
    assert [w.method for w in skipped] == ["evidence"]
    assert isinstance(skipped[0], PerfmodelWarning) and skipped[0].reason
    assert set(t.method) == {"policy", "equal"}
    # kept for one version: the same reason under attrs
    assert t.attrs["skipped"] == {"evidence": skipped[0].reason}


def test_every_method_runs_without_warning():
    base = load_policy("efficiency")
    with warnings.catch_warnings():
        warnings.simplefilter("error", MethodSkipped)
        t = W.compare_methods(_panel(base), base, methods=("equal",))
    assert t.attrs["skipped"] == {}
