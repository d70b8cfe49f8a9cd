"""Funnel limits and beta-binomial shrinkage, checked by hand."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import optimize, stats as sps  # noqa: E402

from perfmodel.core.errors import UsageError  # noqa: E402
from perfmodel.analysis.profiling import fit_beta_binomial, funnel, shrink_rates  # noqa: E402
from perfmodel.reporting.plotting import funnel_plot  # noqa: E402

IND = "complaint_resolution_rate"


def _long(nums, dens, period="2025Q4", indicator=IND):
    return pd.DataFrame({
        "supervisor_id": [f"张{i}" for i in range(len(nums))], "period": period,
        "indicator": indicator, "value": np.array(nums, float) / np.array(dens, float),
        "numerator": np.array(nums, float), "denominator": np.array(dens, float), "available": True})


def test_binomial_limits_by_hand():
    long = _long([5, 40, 90, 30], [10, 50, 100, 40])
    f = funnel(long, IND, overdispersion=None).set_index("supervisor_id")
    p = 165 / 200
    assert (f.target == p).all()
    for sid, n in zip(f.index, [10, 50, 100, 40]):
        half95 = 1.959963984540054 * np.sqrt(p * (1 - p) / n)
        half998 = 3.090232306167813 * np.sqrt(p * (1 - p) / n)
        assert f.loc[sid, "lower_95"] == pytest.approx(max(p - half95, 0))
        assert f.loc[sid, "upper_95"] == pytest.approx(min(p + half95, 1))
        assert f.loc[sid, "lower_998"] == pytest.approx(max(p - half998, 0))
        assert f.loc[sid, "upper_998"] == pytest.approx(min(p + half998, 1))
    # 5/10 = 0.5: z = (0.5 - 0.825) / sqrt(0.825 * 0.175 / 10) = -2.70 -> below 95 %, not 99.8 %
    assert f.loc["张0", "z"] == pytest.approx((0.5 - p) / np.sqrt(p * (1 - p) / 10))
    assert f.loc["张0", "flag"] == "below 95%"
    assert f.loc["张3", "flag"] == "within"      # 30/40: z = -1.25
    assert f.loc["张2", "flag"] == "above 95%"   # 90/100: z = 0.075 / 0.0380 = 1.97
    assert (f.phi == 1).all() and (f.tau2 == 0).all()


def test_multiplicative_overdispersion_by_hand():
    nums = [55, 60, 62, 66, 70, 72, 75, 78, 80, 88]
    dens = [100] * 10
    long = _long(nums, dens)
    f = funnel(long, IND, overdispersion="multiplicative", winsor=0.1)
    p = sum(nums) / 1000
    z = (np.array(nums) / 100 - p) / np.sqrt(p * (1 - p) / 100)
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    assert phi > 1
    assert f.phi.iloc[0] == pytest.approx(phi)
    half = 1.959963984540054 * np.sqrt(phi * p * (1 - p) / 100)
    assert p + half < 1
    assert f.upper_95.iloc[0] == pytest.approx(p + half)
    assert f.z.to_numpy() == pytest.approx(z / np.sqrt(phi))


def test_additive_dersimonian_laird_by_hand():
    nums = [20, 35, 50, 61, 70, 80, 88, 95, 97, 99]
    dens = [100, 120, 140, 160, 180, 200, 220, 240, 260, 280]
    f = funnel(_long(nums, dens), IND, overdispersion="additive", winsor=0.1)
    n = np.array(dens, float)
    p = sum(nums) / n.sum()
    s2 = p * (1 - p) / n
    z = (np.array(nums) / n - p) / np.sqrt(s2)
    lo, hi = np.quantile(z, [0.1, 0.9])
    q = np.sum(np.clip(z, lo, hi) ** 2)
    w = 1 / s2
    tau2 = max(0, (q - 9) / (w.sum() - (w ** 2).sum() / w.sum()))
    assert tau2 > 0
    assert f.tau2.iloc[0] == pytest.approx(tau2)
    assert f.upper_998.to_numpy() == pytest.approx(np.clip(p + 3.090232306167813 * np.sqrt(s2 + tau2), 0, 1))


def test_periods_are_summed_and_signal_follows_direction():
    a = _long([1, 80, 50], [10, 100, 60], period="2025Q3")
    b = _long([1, 85, 50], [10, 100, 60], period="2025Q4")
    f = funnel(pd.concat([a, b]), IND, overdispersion=None).set_index("supervisor_id")
    assert f.loc["张0", "numerator"] == 2 and f.loc["张0", "denominator"] == 20
    assert f.loc["张0", "n_periods"] == 2 and f.period.iloc[0] == "2025Q3..2025Q4"
    assert f.loc["张0", "flag"] == "below 99.8%" and f.loc["张0", "signal"] == "worse"
    only = funnel(pd.concat([a, b]), IND, period="2025Q4", overdispersion=None)
    assert only.denominator.sum() == 170
    # churn is lower-is-better: a high churn rate is "worse"
    c = _long([30, 5, 6, 5], [100, 100, 100, 100], indicator="customer_churn_rate")
    fc = funnel(c, "customer_churn_rate", overdispersion=None).set_index("supervisor_id")
    assert fc.loc["张0", "flag"] == "above 99.8%" and fc.loc["张0", "signal"] == "worse"


@pytest.mark.filterwarnings("ignore:invalid value encountered in divide")
def test_unavailable_and_empty_denominators_are_left_out():
    long = _long([5, 40, 0], [10, 50, 0])
    long.loc[1, "available"] = False
    f = funnel(long, IND, overdispersion=None)
    assert list(f.supervisor_id) == ["张0"]


def test_errors():
    with pytest.raises(UsageError):
        funnel(_long([5], [10]), "csat")
    with pytest.raises(UsageError):
        funnel(_long([15], [10]), IND)  # numerator above denominator: not a rate
    with pytest.raises(UsageError):
        funnel(_long([5], [10]), IND, overdispersion="quadratic")


def test_posterior_by_hand_with_given_prior():
    # prior Beta(2, 8); 3 of 10 -> posterior Beta(5, 15): mean 5/20 = 0.25
    s = shrink_rates(_long([3, 40], [10, 100]), IND, prior=(2, 8)).set_index("supervisor_id")
    assert s.loc["张0", "posterior_mean"] == pytest.approx(0.25)
    assert s.loc["张0", "ci_low"] == pytest.approx(sps.beta.ppf(0.025, 5, 15))
    assert s.loc["张0", "ci_high"] == pytest.approx(sps.beta.ppf(0.975, 5, 15))
    assert s.loc["张0", "shrinkage"] == pytest.approx(10 / 20)
    # 40 of 100 -> Beta(42, 68): mean 42/110
    assert s.loc["张1", "posterior_mean"] == pytest.approx(42 / 110)
    assert s.loc["张1", "shrinkage"] == pytest.approx(10 / 110)


def test_method_of_moments_by_hand():
    k = np.array([2, 5, 9, 12, 3, 7], float)
    n = np.array([20, 20, 20, 20, 20, 20], float)
    r = k / n
    mu = k.sum() / n.sum()                      # 38 / 120
    v = r.var(ddof=1)
    rho = (v / (mu * (1 - mu)) - 1 / 20) / (1 - 1 / 20)
    a, b = fit_beta_binomial(k, n, "mom")
    assert a + b == pytest.approx(1 / rho - 1)
    assert a / (a + b) == pytest.approx(mu)


def test_mle_maximises_the_beta_binomial_likelihood():
    rng = np.random.default_rng(3)
    n = rng.integers(5, 200, size=60)
    k = rng.binomial(n, rng.beta(4, 12, size=60))
    a, b = fit_beta_binomial(k, n, "mle")

    def negll(ab):
        return -sps.betabinom.logpmf(k, n, ab[0], ab[1]).sum()

    ref = optimize.minimize(negll, [1.0, 1.0], method="Nelder-Mead", bounds=[(1e-3, 1e4)] * 2,
                            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 20000})
    assert negll([a, b]) <= ref.fun + 1e-6
    assert a == pytest.approx(ref.x[0], rel=1e-3) and b == pytest.approx(ref.x[1], rel=1e-3)
    s = shrink_rates(_long(k, n), IND)
    # a small team moves further towards the prior mean than a large one
    small, large = s.denominator.idxmin(), s.denominator.idxmax()
    assert s.shrinkage[small] > s.shrinkage[large]
    assert s.prior_mean.iloc[0] == pytest.approx(a / (a + b), rel=1e-5)


def test_no_overdispersion_pools_completely():
    long = _long([50, 50, 50, 50], [100, 100, 100, 100])
    s = shrink_rates(long, IND, method="mom")
    assert (s.posterior_mean == 0.5).all() and (s.shrinkage == 1).all()


def test_funnel_plot_draws(tmp_path):
    nums = [20, 35, 50, 61, 70, 80, 88, 95, 97, 99]
    f = funnel(_long(nums, [100] * 9 + [160]), IND)
    for lang in ("en", "zh"):
        ax = funnel_plot(f, lang=lang)
        assert len(ax.lines) == 5  # two limits x two levels + target
        ax.figure.savefig(tmp_path / f"funnel_{lang}.png")
        assert (tmp_path / f"funnel_{lang}.png").stat().st_size > 0
