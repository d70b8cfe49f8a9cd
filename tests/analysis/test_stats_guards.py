"""Statistics that must refuse or warn instead of answering silently and wrongly.

Each expected value is worked out apart from perfmodel: by hand, with statsmodels OLS on a
frame lagged with plain pandas, or with scipy.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats as sps

from perfmodel.core.errors import PerfmodelWarning, UsageError
from perfmodel.analysis.stats import panel_regression, predictive_validity, reliability


def _panel(n_sup, periods, seed, *, effect=0.5):
    """Wide panel: csat_t depends on first_response_hours_{t-1} (one step back in ``periods``)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_sup):
        a = rng.normal()
        x = rng.normal(size=len(periods))
        for j, p in enumerate(periods):
            prev = x[j - 1] if j else 0.0
            rows.append({"supervisor_id": f"S{i:03d}", "period": p, "first_response_hours": x[j],
                         "csat": a + effect * prev + rng.normal()})
    return pd.DataFrame(rows)


def _hand_lagged(panel, step):
    """result at t next to process at the period numbered t - 1 (``step`` maps id -> number)."""
    df = panel.assign(t=panel.period.map(step))
    src = df[["supervisor_id", "t", "first_response_hours"]].assign(t=lambda d: d.t + 1)
    out = df[["supervisor_id", "t", "csat"]].merge(src, on=["supervisor_id", "t"])
    return out.dropna()


# --------------------------------------------------------------------------- predictive validity

@pytest.mark.parametrize("n_sup", [12, 40])
def test_constant_outcome_is_insufficient_data(n_sup):
    # 12 supervisors -> bootstrap path (used to say "contrary" with p = 1/(B+1));
    # 40 -> CR1 path (used to say "no evidence" with SE 0). Nothing can be predicted.
    panel = _panel(n_sup, [f"2025Q{q}" for q in range(1, 5)] + ["2026Q1", "2026Q2"], 3)
    panel["csat"] = 4.2
    r = predictive_validity(panel, ["first_response_hours"], ["csat"], oos=False).iloc[0]
    assert r.verdict == "insufficient data"
    assert np.isnan(r.coef) and np.isnan(r.p) and np.isnan(r.se)


def test_integer_periods_follow_numeric_order():
    periods = list(range(1, 13))
    panel = _panel(40, periods, 5)
    panel["period"] = panel.period.astype(str)   # "1" .. "12", as read from a CSV
    long = _hand_lagged(panel, int)
    ols = smf.ols("csat ~ first_response_hours + C(supervisor_id) + C(t)", long).fit()
    r = predictive_validity(panel, ["first_response_hours"], ["csat"], oos=False).iloc[0]
    assert r.n_obs == len(long) == 40 * 11
    assert r.coef == pytest.approx(ols.params["first_response_hours"], rel=1e-9)
    # text order ("1", "10", "11", "12", "2", ...) pairs other periods with the same n
    text_order = {p: i for i, p in enumerate(sorted(panel.period.unique()))}
    wrong = smf.ols("csat ~ first_response_hours + C(supervisor_id) + C(t)",
                    _hand_lagged(panel, text_order)).fit()
    assert abs(wrong.params["first_response_hours"] - r.coef) > 0.05


def test_integer_periods_never_bridge_a_missing_period():
    panel = _panel(40, list(range(1, 10)), 8)
    panel = panel[panel.period != 5]             # nobody has period 5
    long = _hand_lagged(panel, int)              # 6 has no lag; 5 is not there to lag 4 into
    assert set(long.t) == {2, 3, 4, 7, 8, 9}
    ols = smf.ols("csat ~ first_response_hours + C(supervisor_id) + C(t)", long).fit()
    r = predictive_validity(panel, ["first_response_hours"], ["csat"], oos=False).iloc[0]
    assert r.n_obs == len(long) == 40 * 6
    assert r.coef == pytest.approx(ols.params["first_response_hours"], rel=1e-9)


@pytest.mark.parametrize("ids", [["p1", "p2", "p3", "p4"],
                                 ["2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"],
                                 ["2025Q1", "2025Q2", "2025-07", "2025-08"]])
def test_period_ids_without_a_trustworthy_order_are_refused(ids):
    panel = _panel(40, ids, 1)
    with pytest.raises(UsageError, match=r"^period '.*'|^period: mixes") as e:
        predictive_validity(panel, ["first_response_hours"], ["csat"], oos=False)
    assert "\n" not in str(e.value)


def test_validity_alpha_outside_unit_interval():
    panel = _panel(40, list(range(1, 6)), 1)
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(UsageError, match="alpha"):
            predictive_validity(panel, ["first_response_hours"], ["csat"], alpha=bad, oos=False)


# --------------------------------------------------------------------------- reliability

def test_rank_stability_does_not_pair_across_a_gap():
    rng = np.random.default_rng(2)
    vals = rng.normal(size=(8, 3))
    ids = ["2025Q1", "2025Q2", "2025Q4"]         # 2025Q3 missing: only Q1-Q2 are neighbours
    df = pd.DataFrame([{"supervisor_id": f"s{i}", "period": ids[j], "x": vals[i, j]}
                       for i in range(8) for j in range(3)])
    r = reliability(df, indicators=["x"]).set_index("indicator")
    assert r.loc["x", "n_period_pairs"] == 1
    assert r.loc["x", "rank_stability"] == pytest.approx(sps.spearmanr(vals[:, 0], vals[:, 1]).statistic)


def test_rank_stability_orders_integer_periods_numerically():
    rng = np.random.default_rng(4)
    vals = rng.normal(size=(6, 11))
    df = pd.DataFrame([{"supervisor_id": f"s{i}", "period": str(j + 1), "x": vals[i, j]}
                       for i in range(6) for j in range(11)])
    r = reliability(df, indicators=["x"]).set_index("indicator")
    rhos = [sps.spearmanr(vals[:, j], vals[:, j + 1]).statistic for j in range(10)]
    assert r.loc["x", "n_period_pairs"] == 10
    assert r.loc["x", "rank_stability"] == pytest.approx(np.mean(rhos))


# --------------------------------------------------------------------------- panel regression

def _long(n_sup=40, n_t=6, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"sup": np.repeat([f"S{i:02d}" for i in range(n_sup)], n_t),
                       "t": np.tile(np.arange(1, n_t + 1), n_sup)})
    df["x"] = rng.normal(size=len(df))
    df["y"] = 0.3 * df.x + rng.normal(size=len(df))
    return df


def test_level_without_within_variation_is_refused_by_name():
    df = _long()
    rng = np.random.default_rng(9)
    budget = dict(zip(df.sup.unique(), 1e6 + rng.normal(0, 5e4, df.sup.nunique())))
    df["budget"] = df.sup.map(budget)            # one budget per supervisor, never changes
    with pytest.raises(UsageError, match="'budget' has no variation left"):
        panel_regression(df, "y", ["x", "budget"], "sup", "t")


def test_period_constant_regressor_in_two_way_is_refused_by_name():
    df = _long()
    df["season"] = df.t.map({1: 3.1, 2: 7.4, 3: 1.9, 4: 5.5, 5: 2.2, 6: 8.8}) * 1e5
    with pytest.raises(UsageError, match="'season' has no variation left"):
        panel_regression(df, "y", ["x", "season"], "sup", "t", effects="twoway")
    # with entity effects only it does vary within supervisors, and is fitted
    r = panel_regression(df, "y", ["x", "season"], "sup", "t")
    assert np.isfinite(r.se).all()


def test_constant_outcome_is_refused():
    df = _long().assign(y=2.0)
    with pytest.raises(UsageError, match="outcome 'y'"):
        panel_regression(df, "y", "x", "sup", "t")


def test_one_cluster_is_an_error():
    df = _long().assign(region="east")
    with pytest.raises(UsageError, match="one region cluster"):
        panel_regression(df, "y", "x", "sup", "t", cluster="region")


def test_few_clusters_warn_and_many_do_not():
    df = _long()
    df["half"] = np.where(df.sup < "S20", "a", "b")
    with pytest.warns(PerfmodelWarning, match=r"only 2 half clusters.*t\(1\)"):
        r = panel_regression(df, "y", "x", "sup", "t", cluster="half")
    # the t(1) reference is still what is reported
    assert r.df.iloc[0] == 1
    assert r.p.iloc[0] == pytest.approx(2 * sps.t.sf(abs(r.t.iloc[0]), 1))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfmodelWarning)
        panel_regression(df, "y", "x", "sup", "t")   # 40 supervisors: no warning


@pytest.mark.parametrize("alpha", [0, 1, 1.5, -0.05, "x"])
def test_alpha_outside_unit_interval_is_an_error(alpha):
    with pytest.raises(UsageError, match="alpha"):
        panel_regression(_long(), "y", "x", "sup", "t", alpha=alpha)


def test_duplicate_entity_period_rows_name_the_first():
    df = _long()
    df = pd.concat([df, df.iloc[[13, 7]]], ignore_index=True)   # S02 t=2 first, then S01 t=2
    with pytest.raises(UsageError, match=r"sup 'S02', t '2' \(and 2 duplicate row"):
        panel_regression(df, "y", "x", "sup", "t")
