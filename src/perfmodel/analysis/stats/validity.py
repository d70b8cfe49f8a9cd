"""Predictive validity: does a process indicator predict a later result indicator?"""
from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
from scipy import stats as sps

from perfmodel.core import catalogue, settings
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.errors import UsageError
from perfmodel.core.result import ResultFrame
from perfmodel.analysis.stats import _fe
from perfmodel.analysis.stats._panel import check_level, dense, indicator_columns

COLUMNS = ["process", "result", "lag", "coef", "std_effect", "se", "ci_low", "ci_high", "t", "p",
           "p_adj", "p_method", "expected_sign", "verdict", "within_share", "oos_gain",
           "n_supervisors", "n_periods", "n_obs"]

WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


class ValidityTable(ResultFrame):
    """What :func:`predictive_validity` returns: its tidy table (a DataFrame) and a
    :class:`perfmodel.core.result.Result` (``summary()`` counts the verdicts)."""

    title = "Predictive validity of the process indicators"

    def headline(self) -> dict:
        """Pairs per verdict (``predicts``, ``contrary``, ``no evidence``, ``insufficient data``)."""
        if "verdict" not in self.columns:
            return {}
        counts = pd.Series(self["verdict"]).value_counts()
        return {v: int(counts.get(v, 0)) for v in ("predicts", "contrary", "no evidence", "insufficient data")}


def benjamini_hochberg(p) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (NaN stays NaN and does not count in m).

    The adjustment is statsmodels' ``multipletests(..., method="fdr_bh")`` over the finite
    p-values.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the order of ``p``.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, float("nan"), 0.03]).round(3).tolist()
    [0.03, 0.04, nan, 0.04]
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="fdr_bh")[1]
    return out


def _expected_sign(process: str, result: str) -> int:
    """+1 when a better process value should go with a higher result value, else -1.

    'Better' follows the catalogue directions: a lower-is-better process (response hours)
    should lower a lower-is-better result (churn), so the expected sign is
    direction(process) x direction(result) with higher = +1 and lower = -1.
    """
    def d(i):
        try:
            return 1 if catalogue.direction(i) == "higher" else -1
        except KeyError:
            return 1
    return d(process) * d(result)


def _grid_fit(yt: np.ndarray, xt: np.ndarray, w: np.ndarray, k_time: int):
    """Slope, CR1 variance (clusters = entities) and the small-sample pieces on a grid."""
    sxx = _fe.mm("it,it->", xt, xt)
    coef = _fe.mm("it,it->", xt, yt) / sxx
    u = (yt - coef * xt) * w
    scores = _fe.mm("it,it->i", xt, u)
    n = int(w.sum())
    g = int(np.count_nonzero(w.any(axis=1)))
    k = 1 + 1 + k_time                 # slope + intercept + free time effects
    ssc = (g / (g - 1)) * ((n - 1) / (n - k)) if g > 1 and n > k else np.nan
    var = ssc * _fe.mm("i,i->", scores, scores) / sxx ** 2
    return float(coef), float(var), g, ssc, sxx


def _wild_bootstrap_t(ab: _fe.AbsorbedGrid, ssc: float, w: np.ndarray) -> np.ndarray:
    """Bootstrap t statistics for the weights ``w`` (B x supervisors with data)."""
    present = ab.counts > 0
    yt, xt = ab.z[present, :, 0], ab.z[present, :, 1]
    a = _fe.mm("it,it->i", xt, yt)
    c = _fe.mm("it,it->i", xt, xt)
    sxx = c.sum()
    b_star = _fe.mm("bi,i->b", w, a) / sxx
    gam = _fe.mm("bi,it,ts->bs", w, yt, ab.minv)
    scores = w * a - _fe.mm("bt,it->bi", gam, xt) - b_star[:, None] * c
    se_star = np.sqrt(ssc * (scores ** 2).sum(axis=1)) / sxx
    with np.errstate(divide="ignore", invalid="ignore"):
        return b_star / se_star


def _wild_bootstrap_p(ab: _fe.AbsorbedGrid, t_obs: float, n_clusters: int, ssc: float,
                      n_boot: int, rng: np.random.Generator):
    """Wild cluster restricted bootstrap (WCR-t) p-value of H0: coef = 0, clusters = entities.

    Under H0 the restricted residuals are the two-way within residuals of y, u = y~; a
    bootstrap outcome is u * w_g, with one weight per supervisor. Its within transform only
    needs the time effects re-estimated (u * w_g already has zero supervisor means), so each
    draw reduces to cluster-level sums: with a_g = x~_g'u_g, c_g = x~_g'x~_g, the bootstrap
    slope is b* = w'a / sum(c), the time effects are g* = (D~'D~)^+ sum_g w_g u_g (the
    supervisor's row of the grid) and the cluster scores are
    w_g a_g - x~_g'g* - b* c_g. Cost O(B G T), no refit.
    """
    g = int(np.count_nonzero(ab.counts > 0))
    if n_clusters <= 12:
        w = WEBB[rng.integers(0, 6, size=(n_boot, g))]
        kind = "Webb"
    else:
        w = rng.choice(np.array([-1.0, 1.0]), size=(n_boot, g))
        kind = "Rademacher"
    t_star = _wild_bootstrap_t(ab, ssc, w)
    # (1 + #{|t*| >= |t|}) / (B + 1): a valid Monte Carlo p-value, never exactly 0
    p = float((1 + np.sum(np.abs(t_star) >= abs(t_obs))) / (n_boot + 1))
    return p, kind


def _oos_gain(z: np.ndarray, valid: np.ndarray, min_train: int) -> float:
    """Relative reduction in out-of-sample MSE from adding the lagged predictor.

    Expanding window: each of the last third of the periods (with at least ``min_train``
    earlier periods that have data) is predicted from a two-way FE fit on all earlier
    periods, by the supervisor effect alone (baseline) and by the supervisor effect +
    coef x predictor. The unknown effect of the predicted period is common to both models
    and is removed by centring the errors within that period. Returns
    1 - MSE(model) / MSE(baseline).

    Each training window is a prefix of the periods, so the fits are built from running
    sums over time (per supervisor: count, sum x, sum y, sum xy, sum xx) and the T x T
    normal matrix of the time effects: by FWL, x~'y~ = xe'ye - Bx' M^+ By with xe, ye the
    supervisor-demeaned values and B = D'(.) their period sums.
    """
    w = valid.astype(float)
    x, y = z[:, :, 1] * w, z[:, :, 0] * w
    run = {k: np.cumsum(v, axis=1) for k, v in
           {"n": w, "x": x, "y": y, "xy": x * y, "xx": x * x}.items()}
    ts = np.flatnonzero(valid.any(axis=0))
    m = len(ts)
    first = max(min_train, int(np.ceil(2 * m / 3)))
    sse0 = sse1 = 0.0
    for tau in ts[first:]:
        cnt = run["n"][:, tau - 1]
        seen = cnt > 0
        safe = np.where(seen, cnt, 1.0)
        xbar, ybar = run["x"][:, tau - 1] / safe, run["y"][:, tau - 1] / safe
        wt = w[:, :tau]
        bx = x[:, :tau].sum(axis=0) - _fe.mm("it,i->t", wt, xbar)
        by = y[:, :tau].sum(axis=0) - _fe.mm("it,i->t", wt, ybar)
        share = wt / safe[:, None]
        minv, _ = _fe._pinv_psd(np.diag(wt.sum(axis=0)) - _fe.mm("it,is->ts", share, wt))
        mbx, mby = minv @ bx, minv @ by
        sxx = run["xx"][:, tau - 1].sum() - (cnt * xbar * xbar).sum() - bx @ mbx
        sxy = run["xy"][:, tau - 1].sum() - (cnt * xbar * ybar).sum() - bx @ mby
        if sxx <= 0:
            continue
        beta = sxy / sxx
        back0 = _fe.mm("it,t->i", share, mby)                 # supervisor mean of the time effects
        back1 = _fe.mm("it,t->i", share, mby - beta * mbx)
        test = valid[:, tau] & seen
        if test.sum() < 2:
            continue
        yt, xt = z[test, tau, 0], z[test, tau, 1]
        e0 = yt - (ybar - back0)[test]
        e1 = yt - (ybar - beta * xbar - back1)[test] - beta * xt
        sse0 += ((e0 - e0.mean()) ** 2).sum()
        sse1 += ((e1 - e1.mean()) ** 2).sum()
    return float(1 - sse1 / sse0) if sse0 > 0 else np.nan


@keyword_only("entity", "time")
def predictive_validity(panel: pd.DataFrame, process=None, results=None, lag: int = settings.LAG, *,
                        entity: str = "supervisor_id", time: str = "period",
                        alpha: float = settings.ALPHA, min_obs: int = 30, min_periods: int = 3,
                        min_supervisors: int = 5, bootstrap_below: int = 30,
                        n_boot: int = settings.BOOT, seed: int = settings.SEED, oos: bool = True,
                        oos_min_train: int = 3) -> pd.DataFrame:
    """Test whether each process indicator predicts each result indicator ``lag`` periods later.

    For every process x result pair, fits the two-way fixed-effects regression
    ``result[i, t] = a_i + d_t + coef * process[i, t - lag] + e[i, t]`` on the supervisors and
    periods where both are present, with standard errors clustered by supervisor.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel: ``entity``, ``time`` (period ids such as ``2026Q3``) and one column per
        indicator, as returned by :func:`perfmodel.indicators.wide_panel`.
    process, results : list of str, optional
        Predictor and outcome columns; default the catalogue's process and result indicators
        present in ``panel``.
    lag : int
        Periods between predictor and outcome (on the calendar: a period absent from the
        data still counts).
    entity, time : str
        Column names of the supervisor and the period (keyword-only; by position they
        still work for one version, with a DeprecationWarning).
    alpha : float
        Level of the tests (on the BH-adjusted p) and of the intervals (1 - alpha).
    min_obs, min_periods, min_supervisors : int
        Below these (observations, distinct outcome periods, supervisors) the row says
        ``insufficient data`` and carries no estimate.
    bootstrap_below : int
        With fewer supervisors than this, p comes from a wild cluster bootstrap.
    n_boot, seed : int
        Bootstrap draws and seed (defaults :data:`perfmodel.core.settings.BOOT` and
        :data:`perfmodel.core.settings.SEED`); the seed with the pair's names makes every p reproducible.
    oos : bool
        Compute the out-of-sample gain (set False to save time).
    oos_min_train : int
        Minimum number of training periods before a period is predicted out of sample.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``process``, ``result``, ``lag``, ``coef`` (two-way FE estimate),
        ``std_effect`` (coef x the within-supervisor SD of the predictor: the change in the
        result for a one-SD change of a supervisor's own process indicator), ``se``
        (cluster-robust CR1), ``ci_low``, ``ci_high`` (t(G - 1) interval), ``t``, ``p``,
        ``p_adj`` (Benjamini-Hochberg over the grid), ``p_method`` (``CR1 t(G-1)`` or
        ``wild cluster bootstrap (Rademacher|Webb, B=...)``), ``expected_sign`` (+1/-1 from
        the catalogue directions), ``verdict``, ``within_share`` (within-supervisor share of
        the predictor's variance), ``oos_gain`` (relative MSE reduction out of sample),
        ``n_supervisors``, ``n_periods``, ``n_obs``.

    Raises
    ------
    UsageError
        When ``lag`` or ``alpha`` is invalid, a column is missing, a (supervisor, period)
        pair has more than one row, or the period ids are neither ``2026Q3`` / ``2026-09``
        ids of one kind nor whole numbers (text would order "10" before "2").

    Notes
    -----
    Verdicts: ``predicts`` when p_adj < alpha and the sign of coef is the expected one (a
    better process value goes with a better later result); ``contrary`` when p_adj < alpha
    with the opposite sign (worth a look: a trade-off or gaming); ``no evidence`` otherwise;
    ``insufficient data`` when the pair has too few observations, periods or supervisors,
    or the predictor or the outcome has no variation left after the supervisor and period
    effects (a constant outcome has a zero standard error and nothing to predict).

    Inference: CR1 with the fixest / ``xtreg`` small-sample factor (see
    :func:`perfmodel.analysis.stats.panel_regression`; K = slope + intercept + T - 1 free time
    effects, the supervisor effects being nested in the clusters), p from
    t(G - 1). With fewer than ``bootstrap_below`` supervisors, cluster-robust t tests
    over-reject, so p comes from the wild cluster restricted bootstrap (WCR-t, null
    imposed) with Rademacher weights, or Webb's six-point weights for 12 supervisors or
    fewer; the interval stays the CR1 t(G - 1) one.

    The two-way effects absorb anything common to all supervisors in a period (seasonality,
    a product recall) and anything constant for a supervisor (team size, region); what
    remains is whether a supervisor's *own changes* in the process indicator precede changes
    in the result. This is evidence of prediction, not proof of cause.

    References
    ----------
    Cameron, Gelbach and Miller (2008). Bootstrap-based improvements for inference with
    clustered errors. Review of Economics and Statistics 90(3), 414-427.
    Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered errors.
    Canadian Journal of Economics 56(3), 839-858.
    Benjamini, Y. and Hochberg, Y. (1995). JRSS B 57(1), 289-300.

    Examples
    --------
    A simulated panel where first response time lowers next quarter's csat (coef -0.5) and
    the reopen rate does nothing:

    >>> from perfmodel.analysis.stats import simulate_panel
    >>> sim = simulate_panel(60, effects=[{"process": "first_response_hours", "result": "csat",
    ...                                    "lag": 1, "coef": -0.5}],
    ...                      process=["first_response_hours", "reopen_rate"], results=["csat"], seed=2)
    >>> predictive_validity(sim.panel, ["first_response_hours", "reopen_rate"], ["csat"], oos=False)[["process", "verdict"]]
                    process      verdict
    0  first_response_hours     predicts
    1           reopen_rate  no evidence
    """
    if int(lag) != lag or lag < 1:
        raise UsageError(f"lag={lag!r}: use a whole number of periods, 1 or more")
    check_level(alpha)
    lag = int(lag)
    if process is None:
        process = [c for c in catalogue.ids_of("process") if c in panel.columns]
    if results is None:
        results = [c for c in catalogue.ids_of("result") if c in panel.columns]
    process = indicator_columns(panel, process, entity=entity, time=time)
    results = indicator_columns(panel, results, entity=entity, time=time)
    ents, _, arr = dense(panel, list(dict.fromkeys([*process, *results])), entity=entity, time=time)
    n_ent = len(ents)
    n_t = next(iter(arr.values())).shape[1] if arr else 0
    rows = []
    for p_col in process:
        xm = arr[p_col][:, :max(n_t - lag, 0)]
        for r_col in results:
            if r_col == p_col:
                continue
            ym = arr[r_col][:, lag:]
            rows.append(_one_pair(p_col, r_col, lag, ym, xm, n_ent, n_t - lag, alpha, min_obs,
                                  min_periods, min_supervisors, bootstrap_below, n_boot, seed,
                                  oos, oos_min_train))
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["p_adj"] = benjamini_hochberg(out["p"].to_numpy(dtype=float))
    sig = out["p_adj"] < alpha
    right = np.sign(out["coef"]) == out["expected_sign"]
    insufficient = out["verdict"] == "insufficient data"
    out["verdict"] = np.where(insufficient, "insufficient data",
                              np.where(sig & right, "predicts",
                                       np.where(sig, "contrary", "no evidence")))
    return ValidityTable(out)


def _one_pair(p_col, r_col, lag, ym, xm, n_ent, n_t, alpha, min_obs, min_periods,
              min_supervisors, bootstrap_below, n_boot, seed, oos, oos_min_train) -> dict:
    row = dict.fromkeys(COLUMNS, np.nan)
    row.update(process=p_col, result=r_col, lag=lag, p_method="", verdict="insufficient data",
               expected_sign=_expected_sign(p_col, r_col))
    if n_t <= 0:
        row.update(n_supervisors=0, n_periods=0, n_obs=0)
        return row
    valid = np.isfinite(ym) & np.isfinite(xm)
    n = int(valid.sum())
    g = int(np.count_nonzero(valid.any(axis=1)))
    n_periods = int(np.count_nonzero(valid.any(axis=0)))
    row.update(n_supervisors=g, n_periods=n_periods, n_obs=n)
    if n < min_obs or n_periods < min_periods or g < min_supervisors:
        return row
    z = np.stack([np.where(valid, ym, 0.0), np.where(valid, xm, 0.0)], axis=-1)
    w = valid.astype(float)
    ab = _fe.absorb_grid(z, valid)
    x = z[:, :, 1]
    # within-supervisor variation of the predictor
    xe = (x - ab.entity_means[:, 1][:, None]) * w
    ss_within = float(_fe.mm("it,it->", xe, xe))
    xbar = x.sum() / n
    ss_total = float((((x - xbar) * w) ** 2).sum())
    sxx = float(_fe.mm("it,it->", ab.z[:, :, 1], ab.z[:, :, 1]))
    row["within_share"] = ss_within / ss_total if ss_total > 0 else np.nan
    if ss_total <= 0 or sxx <= 1e-12 * ss_total:
        return row
    # The outcome needs variation left after the effects too: a constant result gives a zero
    # standard error, and the bootstrap would then call any slope significant.
    y = z[:, :, 0]
    ss_total_y = float((((y - y.sum() / n) * w) ** 2).sum())
    syy = float(_fe.mm("it,it->", ab.z[:, :, 0], ab.z[:, :, 0]))
    if ss_total_y <= 0 or syy <= 1e-12 * ss_total_y:
        return row
    coef, var, n_clusters, ssc, _ = _grid_fit(ab.z[:, :, 0], ab.z[:, :, 1], w, ab.k_time)
    se = float(np.sqrt(var))
    if not (np.isfinite(se) and se > 0):
        return row
    t = coef / se if se > 0 else np.nan
    df = n_clusters - 1
    q = sps.t.ppf(1 - alpha / 2, df)
    if n_clusters < bootstrap_below:
        key = zlib.crc32(f"{p_col}|{r_col}|{lag}".encode())
        rng = np.random.default_rng([int(seed), key])
        p, kind = _wild_bootstrap_p(ab, t, n_clusters, ssc, n_boot, rng)
        method = f"wild cluster bootstrap ({kind}, B={n_boot})"
    else:
        p = float(2 * sps.t.sf(abs(t), df))
        method = "CR1 t(G-1)"
    row.update(coef=coef, se=se, t=t, p=p, p_method=method, ci_low=coef - q * se,
               ci_high=coef + q * se, std_effect=coef * np.sqrt(ss_within / max(n - g, 1)),
               within_share=ss_within / ss_total, verdict="")
    if oos:
        row["oos_gain"] = _oos_gain(z, valid, oos_min_train)
    return row
