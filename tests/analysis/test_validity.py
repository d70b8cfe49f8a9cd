"""Predictive validity: checked against an independent regression, a brute-force bootstrap
and simulated panels with known effects."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from linearmodels.panel import PanelOLS
from statsmodels.stats.multitest import multipletests

from perfmodel.core.errors import UsageError
from perfmodel.analysis.stats import benjamini_hochberg, panel_regression, predictive_validity, simulate_panel
from perfmodel.analysis.stats import _fe
from perfmodel.analysis.stats.validity import WEBB, _wild_bootstrap_t

PROC = ["first_response_hours", "reopen_rate", "compliance_rate"]
RES = ["csat", "customer_churn_rate"]
EFFECT = [{"process": "first_response_hours", "result": "csat", "lag": 1, "coef": -0.4}]


def _lagged_long(panel, process, result, lag=1):
    """The regression sample built the plain pandas way: result_t next to process_{t-lag}."""
    periods = sorted(panel.period.unique())
    pos = {p: i for i, p in enumerate(periods)}
    df = panel[["supervisor_id", "period", result]].copy()
    src = panel[["supervisor_id", "period", process]].copy()
    src["period"] = [periods[pos[p] + lag] if pos[p] + lag < len(periods) else None for p in src.period]
    df = df.merge(src.dropna(subset=["period"]), on=["supervisor_id", "period"], how="inner")
    return df.dropna()


@pytest.fixture(scope="module")
def sim():
    panel, truth = simulate_panel(120, "2023Q1", "2025Q4", effects=EFFECT, process=PROC,
                                  results=RES, seed=11, missing=0.1)
    return panel, truth


def test_pair_equals_panel_regression_and_linearmodels(sim):
    panel, _ = sim
    r = predictive_validity(panel, PROC, RES, oos=False).set_index(["process", "result"])
    row = r.loc[("first_response_hours", "csat")]
    long = _lagged_long(panel, "first_response_hours", "csat")
    ref = panel_regression(long, "csat", "first_response_hours", "supervisor_id", "period",
                           effects="twoway").iloc[0]
    assert row.coef == pytest.approx(ref.coef, rel=1e-9)
    assert row.se == pytest.approx(ref.se, rel=1e-9)
    assert row.n_obs == ref.n_obs == len(long)
    assert row.ci_low == pytest.approx(ref.ci_low, rel=1e-9)
    # and linearmodels, with the exact ratio of the two small-sample conventions
    d = long.assign(t=long.period.rank(method="dense").astype(int)).set_index(["supervisor_id", "t"])
    lm = PanelOLS(d.csat, d[["first_response_hours"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True,
        auto_df=False, count_effects=False)
    n, n_t = len(long), long.period.nunique()
    assert row.coef == pytest.approx(lm.params.iloc[0], rel=1e-9)
    assert row.se == pytest.approx(lm.std_errors.iloc[0] * np.sqrt((n - 1) / (n - 1 - n_t)), rel=1e-9)
    # and plain OLS with dummies (coefficient only)
    m = smf.ols("csat ~ first_response_hours + C(supervisor_id) + C(period)", long).fit()
    assert row.coef == pytest.approx(m.params["first_response_hours"], rel=1e-8)


def test_recovers_known_effect(sim):
    panel, truth = sim
    r = predictive_validity(panel, PROC, RES).set_index(["process", "result"])
    row = r.loc[("first_response_hours", "csat")]
    assert row.ci_low <= -0.4 <= row.ci_high
    assert row.verdict == "predicts" and row.expected_sign == 1 * -1
    assert row.p_method == "CR1 t(G-1)" and row.n_supervisors == 120
    assert row.oos_gain > 0.02
    assert row.std_effect == pytest.approx(row.coef * _within_sd(panel, "first_response_hours", row), rel=0.05)
    assert (r.drop(index=("first_response_hours", "csat")).verdict != "predicts").all()
    assert len(r) == len(PROC) * len(RES)


def _within_sd(panel, col, row):
    x = panel[["supervisor_id", col]].dropna()
    xe = x[col] - x.groupby("supervisor_id")[col].transform("mean")
    return np.sqrt((xe ** 2).sum() / (len(xe) - x.supervisor_id.nunique()))


def test_within_share_by_hand():
    # lagged sample: x of 2025Q1..Q3 -> a: 1, 2, 3; b: 11, 14, 12
    panel = pd.DataFrame({"supervisor_id": ["a"] * 4 + ["b"] * 4,
                          "period": ["2025Q1", "2025Q2", "2025Q3", "2025Q4"] * 2,
                          "reopen_rate": [1, 2, 3, 4, 11, 14, 12, 0.0],
                          "csat": [0, 1, 0, 2, 1, 0, 3, 1.0]})
    r = predictive_validity(panel, ["reopen_rate"], ["csat"], min_obs=1, min_periods=1,
                            min_supervisors=2, bootstrap_below=0, oos=False).iloc[0]
    ss_within = (1 + 0 + 1) + ((11 - 37 / 3) ** 2 + (14 - 37 / 3) ** 2 + (12 - 37 / 3) ** 2)
    xs = np.array([1, 2, 3, 11, 14, 12.0])
    ss_total = ((xs - xs.mean()) ** 2).sum()
    assert r.within_share == pytest.approx(ss_within / ss_total)
    assert r.n_obs == 6 and r.n_periods == 3
    assert r.std_effect == pytest.approx(r.coef * np.sqrt(ss_within / (6 - 2)))


def test_lag_follows_the_calendar_not_the_rows():
    # nobody has 2025Q2: csat in 2025Q3 must not be paired with 2025Q1
    rng = np.random.default_rng(0)
    rows = []
    for s in range(40):
        for p in ["2024Q3", "2024Q4", "2025Q1", "2025Q3", "2025Q4"]:
            rows.append({"supervisor_id": f"s{s}", "period": p, "reopen_rate": rng.normal(),
                         "csat": rng.normal()})
    panel = pd.DataFrame(rows)
    r = predictive_validity(panel, ["reopen_rate"], ["csat"], min_obs=1, oos=False).iloc[0]
    # pairs: 2024Q4<-2024Q3, 2025Q1<-2024Q4, 2025Q4<-2025Q3  => 3 periods x 40
    assert r.n_obs == 120 and r.n_periods == 3


# 8 supervisors: the few-clusters warning of the reference regression is expected here
@pytest.mark.filterwarnings("ignore::perfmodel.core.errors.PerfmodelWarning")
def test_bootstrap_matches_brute_force_refits():
    panel, _ = simulate_panel(8, "2024Q1", "2025Q4", effects=EFFECT, process=PROC[:1],
                              results=RES[:1], seed=3, missing=0.15)
    long = _lagged_long(panel, "first_response_hours", "csat")
    ents = sorted(long.supervisor_id.unique())
    # the grid the function builds
    per = sorted(panel.period.unique())[1:]
    ym = long.pivot(index="supervisor_id", columns="period", values="csat").reindex(index=ents, columns=per)
    xm = long.pivot(index="supervisor_id", columns="period", values="first_response_hours").reindex(index=ents, columns=per)
    valid = ym.notna().to_numpy() & xm.notna().to_numpy()
    z = np.stack([ym.fillna(0).to_numpy(), xm.fillna(0).to_numpy()], axis=-1)
    ab = _fe.absorb_grid(z, valid)
    ref = panel_regression(long, "csat", "first_response_hours", "supervisor_id", "period", effects="twoway").iloc[0]
    w = WEBB[np.random.default_rng(1).integers(0, 6, size=(5, len(ents)))]
    t_fast = _wild_bootstrap_t(ab, ref.ssc, w)
    # brute force: y* = fitted under H0 (two-way FE only) + restricted residual * w_g, refit
    u = pd.Series(ab.z[:, :, 0][valid], index=pd.MultiIndex.from_arrays(
        [np.array(ents)[np.nonzero(valid)[0]], np.array(per)[np.nonzero(valid)[1]]]))
    key = pd.MultiIndex.from_frame(long[["supervisor_id", "period"]])
    resid = u.reindex(key).to_numpy()
    fitted0 = long.csat.to_numpy() - resid
    widx = long.supervisor_id.map({e: i for i, e in enumerate(ents)}).to_numpy()
    for b in range(len(w)):
        star = long.assign(csat=fitted0 + resid * w[b, widx])
        rb = panel_regression(star, "csat", "first_response_hours", "supervisor_id", "period",
                              effects="twoway").iloc[0]
        assert t_fast[b] == pytest.approx(rb.t, rel=1e-8)


def test_bootstrap_is_deterministic_and_labelled():
    panel, _ = simulate_panel(10, "2023Q1", "2025Q4", effects=EFFECT, process=PROC, results=RES, seed=5)
    a = predictive_validity(panel, PROC, RES, n_boot=199, seed=1, oos=False)
    b = predictive_validity(panel, PROC, RES, n_boot=199, seed=1, oos=False)
    pd.testing.assert_frame_equal(a, b)
    assert (a.p_method == "wild cluster bootstrap (Webb, B=199)").all()
    # p is (1 + count) / (B + 1)
    counts = a.p.to_numpy() * 200
    assert np.allclose(counts, np.round(counts)) and (counts >= 1).all()
    panel20, _ = simulate_panel(20, "2023Q1", "2025Q4", process=PROC, results=RES, seed=5)
    c = predictive_validity(panel20, PROC, RES, n_boot=99, oos=False)
    assert (c.p_method == "wild cluster bootstrap (Rademacher, B=99)").all()


def test_bootstrap_size_under_the_null():
    # 10 supervisors: Webb weights; rejection at 5 % should be near 5 %
    rej = []
    for s in range(150):
        panel, _ = simulate_panel(10, "2024Q1", "2025Q4", process=PROC[:1], results=RES[:1], seed=100 + s)
        r = predictive_validity(panel, PROC[:1], RES[:1], n_boot=199, seed=s, oos=False).iloc[0]
        rej.append(r.p < 0.05)
    assert 0.01 <= np.mean(rej) <= 0.11


def test_benjamini_hochberg_matches_statsmodels():
    p = np.array([0.01, 0.04, 0.03, 0.2, np.nan, 0.001, 0.5])
    ok = ~np.isnan(p)
    expected = multipletests(p[ok], method="fdr_bh")[1]
    got = benjamini_hochberg(p)
    assert np.isnan(got[4])
    np.testing.assert_allclose(got[ok], expected)


def test_insufficient_data_and_contrary():
    rng = np.random.default_rng(2)
    rows = []
    for s in range(60):
        for i, p in enumerate(["2025Q1", "2025Q2", "2025Q3", "2025Q4"]):
            x = rng.normal()
            rows.append({"supervisor_id": f"s{s}", "period": p, "compliance_rate": x,
                         "promotion_rate": 1.0,  # never varies
                         "csat": np.nan if s > 3 else rng.normal()})
    panel = pd.DataFrame(rows)
    r = predictive_validity(panel, ["compliance_rate", "promotion_rate"], ["csat"], oos=False)
    assert (r.verdict == "insufficient data").all()
    assert r.coef.isna().all() and r.p_adj.isna().all()
    # compliance (higher is better) lowering later csat: significant but the wrong way round
    panel2, _ = simulate_panel(80, "2023Q1", "2025Q4", process=["compliance_rate"], results=["csat"],
                               effects=[{"process": "compliance_rate", "result": "csat", "lag": 1, "coef": -0.5}],
                               seed=4)
    r2 = predictive_validity(panel2, ["compliance_rate"], ["csat"], oos=False).iloc[0]
    assert r2.verdict == "contrary" and r2.expected_sign == 1


def test_bad_arguments(sim):
    panel, _ = sim
    with pytest.raises(UsageError):
        predictive_validity(panel, ["nope"], RES)
    with pytest.raises(UsageError):
        predictive_validity(panel, PROC, RES, lag=0)
    with pytest.raises(UsageError):
        predictive_validity(pd.concat([panel, panel.head(1)]), PROC, RES)


def test_default_grid_is_catalogue_process_by_result():
    panel, _ = simulate_panel(40, "2024Q1", "2025Q4", seed=1)
    r = predictive_validity(panel, oos=False)
    # 15 process indicators (12 + the three business-hours clocks) x 5 result indicators
    assert len(r) == 15 * 5
    assert r.groupby("process").size().eq(5).all()


def _simulation_study():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "simulation_study.py"
    spec = importlib.util.spec_from_file_location("simulation_study", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_simulation_fast():
    """Two replications per world of benchmarks/simulation_study.py (synth -> indicators ->
    validity), tolerant bounds: 2 x 6 true effects and 2 x 60 null pairs."""
    res = _simulation_study().run_replications(n_rep=2, supervisors=40, seed=77, jobs=1)
    assert res["pairs_insufficient"] == 0
    assert res["power"] >= 0.5        # about 0.7 expected at 24,000 tickets; ~0.05 if broken
    assert res["fpr"] <= 0.12
    assert res["coverage"] >= 0.85


def test_cli_writes_table_prints_predicting_pairs_and_is_deterministic(tmp_path, capsys):
    from perfmodel.cli import main
    from perfmodel.data.synth import generate

    data = tmp_path / "data"
    generate(data, seed=3, supervisors=12, start="2024Q1", end="2025Q4", fmt="parquet")
    outs = []
    for name in ("a.csv", "b.csv"):
        rc = main(["validity", "--data", str(data), "--boot", "199", "--out", str(tmp_path / name)])
        assert rc == 0
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]
    printed = capsys.readouterr().out
    table = pd.read_csv(tmp_path / "a.csv")
    assert len(table) == 75  # 15 process x 5 result indicators
    assert set(table.p_method) == {"wild cluster bootstrap (Webb, B=199)"}  # 12 supervisors
    for _, r in table[table.verdict == "predicts"].iterrows():
        assert f"{r.process} -> {r.result}" in printed
    assert main(["validity", "--data", str(data), "--lag", "0", "--out", str(tmp_path / "c.csv")]) == 2


def test_oos_gain_matches_refits_with_dummies():
    """Expanding-window out-of-sample gain recomputed with statsmodels OLS and dummies."""
    panel, _ = simulate_panel(25, "2023Q1", "2025Q1", effects=EFFECT, process=PROC[:1],
                              results=RES[:1], seed=8, missing=0.1)
    got = predictive_validity(panel, PROC[:1], RES[:1], bootstrap_below=0).iloc[0].oos_gain
    long = _lagged_long(panel, "first_response_hours", "csat").rename(
        columns={"first_response_hours": "x", "csat": "y"})
    periods = sorted(long.period.unique())
    m = len(periods)
    first = max(3, int(np.ceil(2 * m / 3)))
    sse0 = sse1 = 0.0
    for tau in periods[first:]:
        train = long[long.period < tau]
        test = long[(long.period == tau) & long.supervisor_id.isin(train.supervisor_id)]
        f0 = smf.ols("y ~ C(supervisor_id) + C(period)", train).fit()
        f1 = smf.ols("y ~ x + C(supervisor_id) + C(period)", train).fit()

        def entity_part(fit, sid):
            # intercept + supervisor effect; the (unknown) effect of period tau is left out
            return fit.params["Intercept"] + fit.params.get(f"C(supervisor_id)[T.{sid}]", 0.0)

        e0 = test.y - np.array([entity_part(f0, s) for s in test.supervisor_id])
        e1 = test.y - np.array([entity_part(f1, s) for s in test.supervisor_id]) - f1.params["x"] * test.x
        sse0 += ((e0 - e0.mean()) ** 2).sum()
        sse1 += ((e1 - e1.mean()) ** 2).sum()
    assert got == pytest.approx(1 - sse1 / sse0, rel=1e-8)


def test_cli_summary_has_no_dangling_colon_when_nothing_predicts(tmp_path, capsys, monkeypatch):
    import perfmodel.analysis.stats as stats
    from perfmodel.cli import main
    from perfmodel.data.synth import generate

    real = stats.predictive_validity

    def nothing_predicts(*args, **kwargs):
        res = real(*args, **kwargs)
        return res.assign(verdict=res["verdict"].replace({"predicts": "no evidence", "contrary": "no evidence"}))

    monkeypatch.setattr(stats, "predictive_validity", nothing_predicts)
    data = tmp_path / "data"
    generate(data, seed=3, supervisors=6, start="2025Q1", end="2025Q4")
    assert main(["validity", "--data", str(data), "--boot", "99", "--out", str(tmp_path / "v.csv")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].endswith("0 predict at 5 % (BH-adjusted), lag 1."), lines[0]
    assert lines[1].startswith("written:")
