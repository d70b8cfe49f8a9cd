"""Result objects share one base: a tidy .table, a text .summary() and an HTML repr."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from perfmodel.analysis import weights as W
from perfmodel.core.result import Result


def test_ahp_result_is_a_result():
    # 2 x 2, a12 = 3: weights 3/4 and 1/4, lambda_max = 2, every 2 x 2 matrix consistent (CR 0)
    res = W.ahp([[1, 3], [1 / 3, 1]], labels=["csat", "reopen_rate"])
    assert isinstance(res, Result)
    assert res.table is res.weights
    assert res.table["weight"].tolist() == pytest.approx([0.75, 0.25])
    text = res.summary()
    assert text.splitlines()[0] == "AHP weights"
    assert "lambda_max: 2" in text and "consistency_ratio: 0" in text and "consistent: True" in text
    assert "csat" in text and "0.75" in text
    page = res._repr_html_()
    assert page.startswith("<div><strong>AHP weights</strong>") and "<table" in page and "reopen_rate" in page


def test_ahp_unpacking_warns_but_works():
    res = W.ahp([[1, 3], [1 / 3, 1]], labels=["csat", "reopen_rate"])
    with pytest.warns(DeprecationWarning, match="unpacking a AhpResult is deprecated"):
        weights, cr, lam = res
    assert weights is res.weights and cr == 0.0 and lam == pytest.approx(2.0)
    # attribute access does not warn
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert res.consistency_ratio == 0.0 and res.consistent


def _panel(n=12):
    rng = np.random.default_rng(4)
    from perfmodel.scoring.policy import load_policy

    ids = load_policy("efficiency").weighted_indicators
    df = pd.DataFrame(rng.uniform(0.2, 1.0, (n, len(ids))), columns=ids)
    df.insert(0, "period", "2026Q3")
    df.insert(0, "supervisor_id", [f"S{i:02d}" for i in range(n)])
    return df


def test_rank_uncertainty_is_a_result():
    from perfmodel.analysis.sensitivity import rank_uncertainty

    res = rank_uncertainty(_panel(), "efficiency", draws=60, seed=1)
    assert isinstance(res, Result) and isinstance(res.table, pd.DataFrame)
    text = res.summary()
    assert isinstance(text, str) and text.splitlines()[0] == "Rank uncertainty"
    assert f"draws: {res.draws}" in text and "seed: 1" in text
    by = res.by_period(0.2)
    assert by["n_ranked"].tolist() == [12]
    # the former table-returning call keeps working for one version
    with pytest.warns(DeprecationWarning, match="by_period"):
        old = res.summary(0.2)
    pd.testing.assert_frame_equal(old, by)
    assert "<table" in res._repr_html_()


def test_explanation_is_a_result():
    from pathlib import Path

    from perfmodel.analysis.explain import explain
    from perfmodel.pipeline import run_pipeline

    run = run_pipeline(Path(__file__).resolve().parents[2] / "data" / "sample", "efficiency", period="2026Q3")
    ex = explain(run, None, "S001", "2026Q3", draws=60)
    assert isinstance(ex, Result) and ex.table is not None
    text = ex.summary()
    assert text.splitlines()[0].startswith("Score of S001")
    assert f"rating: {ex.rating}" in text and f"score: {ex.score:.4g}" in text
    assert "<table" in ex._repr_html_()


def test_simulated_panel_is_a_result_and_still_unpacks():
    from perfmodel.analysis.stats import simulate_panel

    effect = [{"process": "reopen_rate", "result": "csat", "lag": 1, "coef": -0.5}]
    sim = simulate_panel(4, "2026Q1", "2026Q3", effects=effect, process=["reopen_rate"], results=["csat"], seed=3)
    assert isinstance(sim, Result) and sim.table is sim.panel
    assert sim.panel.shape == (4 * 3, 4)  # 4 supervisors x 3 quarters; id, period, 2 indicators
    assert "effects: reopen_rate -> csat (lag 1): -0.5" in sim.summary()
    with pytest.warns(DeprecationWarning, match="unpacking a SimulatedPanel"):
        panel, truth = sim
    assert panel is sim.panel and truth["coef"].tolist() == [-0.5]


def test_quota_effect_and_watch_result_are_results():
    from perfmodel.scoring.quotas import QuotaEffect
    from perfmodel.analysis.watch import WatchResult

    counts = pd.DataFrame({"group": ["all", "all"], "rating": ["A", "B"], "from_bands": [3, 1],
                           "after_quota": [1, 3], "difference": [-2, 2]})
    changed = pd.DataFrame({"supervisor_id": ["S1", "S2"]})
    q = QuotaEffect(counts, changed, "team", None)
    assert q.table is counts and "changed: 2" in q.summary() and "quota_by: period" in q.summary()
    proj = pd.DataFrame({"supervisor_id": ["S1", "S1", "S2"], "result": ["csat", "reopen_rate", "csat"],
                         "at_risk": [True, True, False]})
    w = WatchResult("2026Q3", pd.Timestamp("2026-08-15"), pd.DataFrame(), proj, pd.DataFrame(), pd.DataFrame())
    text = w.summary()
    assert w.table is proj and "at_risk: 2" in text and "supervisors_at_risk: 1" in text
    assert "<table" in w._repr_html_()


def test_statistics_are_frames_and_results():
    from perfmodel.core.result import ResultFrame
    from perfmodel.analysis.stats import (
        cronbach_alpha, panel_regression, predictive_validity, reliability, simulate_panel,
    )

    # the figures themselves are checked against pingouin and linearmodels in test_stats
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    alpha = cronbach_alpha(df, ["a", "b", "c"])
    assert isinstance(alpha, ResultFrame) and isinstance(alpha, Result) and isinstance(alpha, pd.DataFrame)
    assert alpha.summary().splitlines()[0] == "Cronbach's alpha"
    assert type(alpha.table) is pd.DataFrame and type(alpha.round(2)) is pd.DataFrame
    rel = reliability(df.assign(supervisor_id=list("ABCDE"), period="2026Q1"), ["a"])
    assert isinstance(rel, Result) and "Reliability" in rel.summary()
    sim = simulate_panel(40, process=["reopen_rate"], results=["csat"], seed=1)
    v = predictive_validity(sim.panel, ["reopen_rate"], ["csat"], oos=False)
    assert isinstance(v, Result) and f"{v['verdict'].iloc[0]}: 1" in v.summary()
    g = sim.panel.assign(x=sim.panel["reopen_rate"])
    reg = panel_regression(g, "csat", "x", entity="supervisor_id", time="period")
    assert isinstance(reg, Result)
    assert f"n_obs: {int(reg['n_obs'].iloc[0])}" in reg.summary() and "n_clusters: 40" in reg.summary()
