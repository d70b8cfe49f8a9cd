"""Panel regression, reliability and Cronbach's alpha against published and independent results."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from linearmodels.panel import PanelOLS
from scipy import stats as sps
from statsmodels.datasets import grunfeld

from perfmodel.core.errors import PerfmodelWarning, UsageError
from perfmodel.analysis.stats import cronbach_alpha, panel_regression, reliability

# Grunfeld has 10 firms and 20 years: the few-clusters warning is expected there and is
# tested on its own below.
pytestmark = pytest.mark.filterwarnings("ignore::perfmodel.core.errors.PerfmodelWarning")


@pytest.fixture(scope="module")
def grunfeld10():
    """Grunfeld investment data, the 10 firms x 20 years used by Baltagi and Stata."""
    g = grunfeld.load_pandas().data
    g = g[g.firm != "American Steel"].copy()
    g["year"] = g.year.astype(int)
    assert g.shape == (200, 5)
    return g


def _lm(df, effects, entity="firm", time="year"):
    d = df.set_index([entity, time])
    return PanelOLS(d.invest, d[["value", "capital"]], entity_effects=True,
                    time_effects=effects == "twoway").fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True,
        auto_df=False, count_effects=False)


def test_grunfeld_one_way_matches_published(grunfeld10):
    # Baltagi, Econometric Analysis of Panel Data, Table 2.1 (Grunfeld, within/FE):
    # value 0.1101 (0.0119), capital 0.3101 (0.0174) [conventional SEs].
    # Stata `webuse grunfeld; xtreg invest mvalue kstock, fe vce(cluster company)`:
    # mvalue .1101238 (robust SE .0151945), kstock .3100653 (.0527518).
    r = panel_regression(grunfeld10, "invest", ["value", "capital"], "firm", "year").set_index("term")
    assert r.loc["value", "coef"] == pytest.approx(0.1101238, abs=5e-7)
    assert r.loc["capital", "coef"] == pytest.approx(0.3100653, abs=5e-7)
    assert r.loc["value", "se"] == pytest.approx(0.0151945, abs=5e-7)
    assert r.loc["capital", "se"] == pytest.approx(0.0527518, abs=5e-7)
    assert (r.n_obs == 200).all() and (r.n_groups == 10).all() and (r.df == 9).all()
    # K = 2 slopes + intercept; the firm effects are nested in the firm clusters
    assert (r.k == 3).all()
    assert r.ssc.iloc[0] == pytest.approx(10 / 9 * 199 / 197)
    # t(G-1) inference
    assert r.loc["value", "p"] == pytest.approx(2 * sps.t.sf(0.1101238 / 0.0151945, 9), rel=1e-4)
    q = sps.t.ppf(0.975, 9)
    assert r.loc["value", "ci_low"] == pytest.approx(0.1101238 - q * 0.0151945, abs=1e-6)


def test_grunfeld_two_way_matches_published(grunfeld10):
    # Baltagi, Econometric Analysis of Panel Data, Table 3.1 (two-way within estimator),
    # rounded to three decimals: value 0.118, capital 0.358.
    r = panel_regression(grunfeld10, "invest", ["value", "capital"], "firm", "year",
                         effects="twoway").set_index("term")
    assert round(r.loc["value", "coef"], 3) == 0.118
    assert round(r.loc["capital", "coef"], 3) == 0.358
    assert (r.k == 2 + 20).all()  # slopes + 19 free year effects + intercept


@pytest.mark.parametrize("effects", ["entity", "twoway"])
def test_matches_linearmodels_with_exact_small_sample_ratio(grunfeld10, effects):
    ours = panel_regression(grunfeld10, "invest", ["value", "capital"], "firm", "year",
                            effects=effects).set_index("term")
    lm = _lm(grunfeld10, effects)
    np.testing.assert_allclose(ours.coef, lm.params[ours.index], rtol=1e-9)
    # linearmodels (debiased, group_debias, effects not counted) scales by
    # G/(G-1) (n-1)/(n-k) with k the slopes; fixest/xtreg "nested" uses K = k + 1 (+ T - 1).
    n, k = 200, 2
    big_k = 3 if effects == "entity" else 22
    ratio = np.sqrt((n - k) / (n - big_k))
    np.testing.assert_allclose(ours.se, lm.std_errors[ours.index] * ratio, rtol=1e-9)


@pytest.mark.parametrize("effects, formula", [
    ("entity", "invest ~ value + capital | firm"),
    ("twoway", "invest ~ value + capital | firm + year"),
])
def test_matches_pyfixest(grunfeld10, effects, formula):
    # pyfixest follows fixest: CRV1 with K = slopes + non-nested effects + 1 ("nested"),
    # G/(G-1) and (n-1)/(n-K), t(G-1): the same conventions as ours, so no ratio is needed.
    import pyfixest as pf
    ours = panel_regression(grunfeld10, "invest", ["value", "capital"], "firm", "year",
                            effects=effects).set_index("term")
    fit = pf.feols(formula, data=grunfeld10, vcov={"CRV1": "firm"})
    np.testing.assert_allclose(ours.coef, fit.coef()[ours.index], rtol=1e-9)
    np.testing.assert_allclose(ours.se, fit.se()[ours.index], rtol=1e-9)
    np.testing.assert_allclose(ours.p, fit.pvalue()[ours.index], rtol=1e-6)


def test_unbalanced_matches_dummy_ols(grunfeld10):
    rng = np.random.default_rng(7)
    df = grunfeld10.drop(index=rng.choice(grunfeld10.index, 37, replace=False))
    df = df.sample(frac=1.0, random_state=1)  # row order must not matter
    ours = panel_regression(df, "invest", ["value", "capital"], "firm", "year",
                            effects="twoway").set_index("term")
    m = smf.ols("invest ~ value + capital + C(firm) + C(year)", df).fit(
        cov_type="cluster", cov_kwds={"groups": df.firm.astype("category").cat.codes})
    np.testing.assert_allclose(ours.coef, m.params[ours.index], rtol=1e-8)
    # statsmodels counts every dummy in K: K_sm = 2 + 9 + 19 + 1; ours drops the 9 nested firm dummies
    n = len(df)
    ratio = np.sqrt((n - 31) / (n - 22))
    np.testing.assert_allclose(ours.se, m.bse[ours.index] * ratio, rtol=1e-8)
    assert (ours.n_obs == n).all()


def test_clusters_not_nesting_entities_count_entity_effects(grunfeld10):
    # clustered by year: the firm effects are not nested, so they count in full, as in
    # OLS with firm dummies (K = 2 + 9 + 1 in both).
    ours = panel_regression(grunfeld10, "invest", ["value", "capital"], "firm", "year",
                            cluster="year").set_index("term")
    m = smf.ols("invest ~ value + capital + C(firm)", grunfeld10).fit(
        cov_type="cluster", cov_kwds={"groups": grunfeld10.year.astype(int)})
    np.testing.assert_allclose(ours.se, m.bse[ours.index], rtol=1e-8)
    assert (ours.df == 19).all()


def test_bad_arguments(grunfeld10):
    with pytest.raises(UsageError):
        panel_regression(grunfeld10, "invest", "nope", "firm", "year")
    with pytest.raises(UsageError):
        panel_regression(grunfeld10, "invest", "value", "firm", "year", effects="random")
    g = grunfeld10.assign(const=1.0)
    with pytest.raises(UsageError):
        panel_regression(g, "invest", "const", "firm", "year")


# --------------------------------------------------------------------------- reliability

# Shrout & Fleiss (1979), Psychological Bulletin 86(2), Table 2: 6 targets rated by 4 judges.
# Published: ICC(1,1) = .17.
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8],
                          [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], dtype=float)


def _sf_panel():
    rows = [{"supervisor_id": f"s{i}", "period": f"2025Q{j + 1}", "x": SHROUT_FLEISS[i, j]}
            for i in range(6) for j in range(4)]
    return pd.DataFrame(rows)


def test_icc1_matches_shrout_fleiss():
    r = reliability(_sf_panel(), indicators=["x"]).set_index("indicator")
    assert round(r.loc["x", "icc"], 2) == 0.17
    # by hand: BMS = 11.24, WMS = 6.26, k = 4 -> (BMS - WMS) / (BMS + 3 WMS)
    bms = 4 * SHROUT_FLEISS.mean(1).var(ddof=1)
    wms = ((SHROUT_FLEISS - SHROUT_FLEISS.mean(1, keepdims=True)) ** 2).sum() / 18
    assert r.loc["x", "icc"] == pytest.approx((bms - wms) / (bms + 3 * wms))
    assert r.loc["x", "n_obs"] == 24 and r.loc["x", "n_supervisors"] == 6


def test_rank_stability_is_mean_spearman_of_consecutive_periods():
    r = reliability(_sf_panel(), indicators=["x"]).set_index("indicator")
    rhos = [sps.spearmanr(SHROUT_FLEISS[:, j], SHROUT_FLEISS[:, j + 1]).statistic for j in range(3)]
    assert r.loc["x", "rank_stability"] == pytest.approx(np.mean(rhos))


def test_icc_unbalanced_by_hand():
    # groups a: [1, 3], b: [4, 6, 8]; N = 5, k = 2 groups
    df = pd.DataFrame({"supervisor_id": list("aabbb"), "period": [1, 2, 1, 2, 3],
                       "x": [1.0, 3.0, 4.0, 6.0, 8.0]})
    # grand mean 4.4; SSB = 2*(2-4.4)^2 + 3*(6-4.4)^2 = 19.2; SSW = 2 + 8 = 10
    msb, msw = 19.2 / 1, 10 / 3
    n0 = (5 - (4 + 9) / 5) / 1  # = 2.4
    r = reliability(df, indicators=["x"]).set_index("indicator")
    assert r.loc["x", "icc"] == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw))


def test_cronbach_alpha_hand_worked():
    # 5 respondents x 3 items. Item variances (ddof=1): 1.5, 1.7, 0.2 -> sum 3.4.
    # Totals 6, 9, 12, 10, 13 -> variance 7.5. alpha = 3/2 * (1 - 3.4/7.5) = 0.82
    df = pd.DataFrame({"a": [1, 3, 4, 3, 4], "b": [2, 3, 5, 4, 5], "c": [3, 3, 3, 3, 4]})
    assert df.var().tolist() == pytest.approx([1.5, 1.7, 0.2])
    items_var = df.var().sum()
    total_var = df.sum(axis=1).var()
    expected = 3 / 2 * (1 - items_var / total_var)
    r = cronbach_alpha(df, ["a", "b", "c"])
    assert r.loc[0, "alpha"] == pytest.approx(expected)
    assert r.loc[0, "alpha"] == pytest.approx(0.82, abs=1e-12)
    assert r.loc[0, "n"] == 5 and r.loc[0, "k"] == 3
    # Feldt (1965) interval: 1 - (1 - alpha) F_{1-a/2}(n-1, (n-1)(k-1)) and F_{a/2}
    f_hi, f_lo = sps.f.ppf([0.975, 0.025], 4, 8)
    assert r.loc[0, "ci_low"] == pytest.approx(1 - (1 - expected) * f_hi)
    assert r.loc[0, "ci_high"] == pytest.approx(1 - (1 - expected) * f_lo)


def test_cronbach_alpha_listwise_and_errors():
    df = pd.DataFrame({"a": [1, 3, 4, 3, 4, np.nan], "b": [2, 3, 5, 4, 5, 1], "c": [3, 3, 3, 3, 4, 2]})
    r = cronbach_alpha(df, ["a", "b", "c"])
    assert r.loc[0, "n"] == 5
    with pytest.raises(UsageError):
        cronbach_alpha(df, ["a"])


def test_cronbach_alpha_equals_published_icc3k_of_shrout_fleiss():
    # Cronbach's alpha with the judges as items is ICC(3,k); Shrout & Fleiss (1979) report
    # ICC(3,4) = .91 for their Table 2 data. The interval follows Feldt, Woodruff & Salih
    # (1987), formulas 6-7 (as in R cocron::cronbach.alpha.CI).
    df = pd.DataFrame(SHROUT_FLEISS, columns=["j1", "j2", "j3", "j4"])
    r = cronbach_alpha(df, ["j1", "j2", "j3", "j4"])
    assert round(r.loc[0, "alpha"], 2) == 0.91


def test_cronbach_alpha_ci_level_and_deprecated_alpha():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    # alpha by hand: item variances 2.5, 2.3, 1.5; totals 4, 7, 9, 13, 14 have variance 17.3
    r = cronbach_alpha(df, ["a", "b", "c"], ci=0.90).iloc[0]
    assert r["alpha"] == pytest.approx(1.5 * (1 - 6.3 / 17.3))
    lo = 1 - (1 - r["alpha"]) * sps.f.ppf(0.95, 4, 8)
    assert r["ci_low"] == pytest.approx(lo)
    with pytest.warns(DeprecationWarning, match="ci=0.9"):
        old = cronbach_alpha(df, ["a", "b", "c"], alpha=0.10)
    pd.testing.assert_frame_equal(old, cronbach_alpha(df, ["a", "b", "c"], ci=0.90))
    with pytest.raises(UsageError, match="ci=95"):
        cronbach_alpha(df, ["a", "b", "c"], ci=95)
