"""Weights from the data: equal, entropy, CRITIC and principal components."""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from perfmodel.analysis.weights.common import (
    WeightsDataError,
    _complete_matrix,
    _directions,
    _frame,
    _minmax,
    _normalise,
    lopsided_warnings,
)
from perfmodel.core.errors import UsageError

# --------------------------------------------------------------------------- equal

def equal(indicators: Iterable[str]) -> pd.DataFrame:
    """Equal weights.

    Parameters
    ----------
    indicators : iterable of str
        Indicator ids.

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator``, ``weight`` (1/n each).

    Examples
    --------
    >>> equal(["csat", "complaint_resolution_rate"])
                       indicator  weight
    0                       csat     0.5
    1  complaint_resolution_rate     0.5
    """
    inds = list(indicators)
    if not inds:
        raise UsageError("equal weights need at least one indicator")
    return _frame(np.full(len(inds), 1.0 / len(inds)), inds)


# --------------------------------------------------------------------------- entropy

def entropy(panel: pd.DataFrame, indicators: Iterable[str] | None = None,
            directions: Mapping[str, str] | None = None, *,
            normalization: str = "minmax") -> pd.DataFrame:
    """Entropy weights: indicators whose values vary more across supervisors weigh more.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel, one column per indicator (other columns ignored).
    indicators : iterable of str, optional
        Columns to weigh (default: every result and process indicator of the catalogue
        present in ``panel``).
    directions : mapping, optional
        ``{indicator: "higher"|"lower"}``; defaults to the catalogue's direction.
    normalization : {"minmax", "none"}
        ``"minmax"`` (default): x' = (x − min)/(max − min), reversed for lower-is-better
        indicators, so the best value is 1. ``"none"``: values used as given (must be ≥ 0,
        e.g. an already normalised decision matrix); directions are then ignored.

    Returns
    -------
    pandas.DataFrame
        One row per indicator: ``indicator``, ``weight``, ``direction``, ``entropy``
        (e_j, 0..1), ``diversity`` (d_j = 1 − e_j), ``n_obs`` (rows used).

    Notes
    -----
    p_ij = x'_ij / Σ_i x'_ij, e_j = −Σ_i p_ij ln p_ij / ln m (0 ln 0 = 0),
    w_j = d_j / Σ_k d_k. A constant indicator carries no information: e_j = 1, weight 0.
    Rows with any selected indicator missing are left out (listwise).

    Examples
    --------
    Min–max normalised, csat is (0, 1/3, 2/3, 1) and the turnover rate, reversed,
    (1, 1, 1, 0): e = −(⅙ ln ⅙ + ⅓ ln ⅓ + ½ ln ½) / ln 4 = 0.7296 and ln 3 / ln 4 = 0.7925.

    >>> import pandas as pd
    >>> panel = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4"],
    ...                       "csat": [4.0, 4.2, 4.4, 4.6],
    ...                       "staff_turnover_rate": [0.10, 0.10, 0.10, 0.20]})
    >>> entropy(panel).round(4)
                 indicator  weight direction  entropy  diversity  n_obs
    0                 csat  0.5658    higher   0.7296     0.2704      4
    1  staff_turnover_rate  0.4342     lower   0.7925     0.2075      4
    """
    x, inds = _complete_matrix(panel, indicators, min_rows=2)
    dirs = _directions(inds, directions)
    if normalization == "minmax":
        z = _minmax(x, dirs)
    elif normalization == "none":
        if np.any(x < 0):
            raise UsageError("normalization='none' needs non-negative values; use 'minmax'")
        z = x
    else:
        raise UsageError(f"unknown normalization {normalization!r}: use 'minmax' or 'none'")
    m = z.shape[0]
    col = z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(col > 0, z / np.where(col > 0, col, 1.0), 0.0)
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(m)
    e = np.where(col > 0, e, 1.0)  # an all-zero column tells nothing
    d = 1.0 - e
    w = _normalise(d, "entropy")
    out = _frame(w, inds, direction=dirs, entropy=e, diversity=d, n_obs=m)
    out.attrs.update(method="entropy", normalization=normalization, n_obs=m,
                     warnings=lopsided_warnings(out, x, "entropy"))
    return out


# --------------------------------------------------------------------------- CRITIC

def critic(panel: pd.DataFrame, indicators: Iterable[str] | None = None,
           directions: Mapping[str, str] | None = None) -> pd.DataFrame:
    """CRITIC weights (Diakoulaki et al. 1995): contrast × conflict.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel, one column per indicator.
    indicators : iterable of str, optional
        Columns to weigh (default: result and process indicators present).
    directions : mapping, optional
        ``{indicator: "higher"|"lower"}``; defaults to the catalogue.

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``weight``, ``direction``, ``std`` (standard deviation of the
        min–max normalised values, ddof=1), ``conflict`` (Σ_k (1 − r_jk)),
        ``information`` (C_j = std × conflict), ``n_obs``.

    Notes
    -----
    Values are min–max normalised with lower-is-better indicators reversed (so that a
    correlation of +1 means "agree on who is good"); r_jk is Pearson's correlation of the
    normalised columns (0 where a column is constant). w_j = C_j / Σ_k C_k. The ddof of the
    standard deviation cancels in the weights.

    Examples
    --------
    >>> from perfmodel.indicators.demo import demo_spread
    >>> panel = demo_spread()
    >>> w = critic(panel)
    >>> w[["indicator", "weight", "direction", "information"]].round(4)
                    indicator  weight direction  information
    0                    csat  0.4737    higher       1.1170
    1  followup_positive_rate  0.2364    higher       0.5576
    2     staff_turnover_rate  0.2898     lower       0.6834

    The same information from pandas: normalise, reverse the turnover rate, then
    standard deviation × Σ (1 − r):

    >>> z = panel[w["indicator"]]
    >>> z = (z - z.min()) / (z.max() - z.min())
    >>> z["staff_turnover_rate"] = 1 - z["staff_turnover_rate"]
    >>> (z.std() * (1 - z.corr()).sum()).round(4).tolist()
    [1.117, 0.5576, 0.6834]
    """
    x, inds = _complete_matrix(panel, indicators, min_rows=3)
    dirs = _directions(inds, directions)
    z = _minmax(x, dirs)
    sd = z.std(axis=0, ddof=1)
    zc = z - z.mean(axis=0)
    norms = np.sqrt((zc ** 2).sum(axis=0))
    safe = np.where(norms > 0, norms, 1.0)
    r = (zc.T @ zc) / np.outer(safe, safe)
    r[norms == 0, :] = 0.0
    r[:, norms == 0] = 0.0
    np.fill_diagonal(r, 1.0)
    conflict = (1.0 - r).sum(axis=0)
    c = sd * conflict
    w = _normalise(c, "CRITIC")
    out = _frame(w, inds, direction=dirs, std=sd, conflict=conflict, information=c,
                 n_obs=z.shape[0])
    out.attrs.update(method="critic", n_obs=z.shape[0], warnings=lopsided_warnings(out, x, "CRITIC"))
    return out


# --------------------------------------------------------------------------- PCA

def varimax(loadings: np.ndarray) -> np.ndarray:
    """Varimax rotation of a loading matrix (Kaiser 1958; raw, without row normalisation).

    The rotation is statsmodels' ``rotate_factors(..., "varimax")`` with its own stopping
    rule (gradient norm below 1e-5); its columns are then put in a fixed order (largest sum
    of squared loadings first) with a fixed sign (the largest-magnitude entry of each column
    positive), so the same input always gives the same components.

    The varimax criterion is flat near its optimum: on the sample's 17 indicators, running
    the same algorithm 10,000 iterations further moves loadings by at most 2.3e-5 and no
    weight at four decimals, while taking 8-10 s instead of a few milliseconds.

    Parameters
    ----------
    loadings : numpy.ndarray
        p × k matrix.

    Returns
    -------
    numpy.ndarray
        The rotated p × k loadings.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[0.8, 0.3], [0.7, 0.4], [0.2, 0.9], [0.3, 0.8]])
    >>> r = varimax(a)
    >>> bool(np.allclose((r ** 2).sum(), (a ** 2).sum()))  # a rotation keeps the communalities
    True
    """
    a = np.asarray(loadings, dtype=float)
    if a.shape[1] < 2:
        return a.copy()
    from statsmodels.multivariate.factor_rotation import rotate_factors

    rotated = rotate_factors(a, "varimax")[0]
    order = np.argsort(-(rotated ** 2).sum(axis=0), kind="stable")
    rotated = rotated[:, order]
    sign = np.sign(rotated[np.argmax(np.abs(rotated), axis=0), np.arange(rotated.shape[1])])
    return rotated * np.where(sign == 0, 1.0, sign)


def pca(panel: pd.DataFrame, indicators: Iterable[str] | None = None,
        directions: Mapping[str, str] | None = None, *, n_components: int | None = None,
        rotation: str | None = "varimax") -> pd.DataFrame:
    """Weights from principal components, per the OECD/JRC Handbook (2008, §6.1).

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel, one column per indicator.
    indicators : iterable of str, optional
        Columns to weigh (default: result and process indicators present).
    directions : mapping, optional
        Used only to orient the loadings (lower-is-better indicators are negated so that a
        positive loading means "better"); the weights do not depend on it.
    n_components : int, optional
        Components to retain. Default: as in the Handbook's worked example (TAI, Tables
        16–17: four components kept, the fourth with eigenvalue 0.9 and 11 % of the
        variance) — the components that each explain more than 10 % of the variance,
        extended if needed until together they explain at least 60 % (at least one).
    rotation : {"varimax", None}
        Rotate the retained loadings (default varimax, as in the Handbook).

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``weight``, ``component`` (1-based component the indicator is
        assigned to), ``loading`` (its rotated loading there, sign kept),
        ``squared_loading`` (the squared loading scaled to unit sum within the component),
        ``component_share`` (that component's share of the variance explained by the
        retained ones), ``n_obs``. ``attrs`` holds ``eigenvalues``, ``explained`` (share
        of total variance per component) and ``n_components``.

    Notes
    -----
    On the correlation matrix of the indicators: loadings L = V √λ for the retained
    components, optionally varimax-rotated. For each component j the squared loadings are
    scaled to sum to 1 (dividing by the component's variance s_j = Σ_i L_ij²) and the
    component gets weight s_j / Σ_k s_k. Each indicator is assigned to the component on
    which its scaled squared loading is largest and gets (scaled squared loading) ×
    (component weight); the results are renormalised to sum to 1. Squaring makes the sign
    of a loading irrelevant (a negative loading is not a negative weight), and an
    indicator that loads on no retained component gets a small weight: that is the signal
    that it measures something the others do not, not a verdict on its importance.

    Examples
    --------
    >>> from perfmodel.indicators.demo import demo_spread
    >>> panel = demo_spread()
    >>> w = pca(panel)
    >>> w[["indicator", "weight", "component", "loading"]].round(4)
                    indicator  weight  component  loading
    0                    csat  0.3567          2   0.9705
    1  followup_positive_rate  0.3591          1   0.9737
    2     staff_turnover_rate  0.2842          1   0.8662
    >>> w.attrs["n_components"], [round(v, 4) for v in w.attrs["explained"]]
    (2, [0.7559, 0.2164, 0.0276])
    """
    x, inds = _complete_matrix(panel, indicators, min_rows=max(3, 2))
    dirs = _directions(inds, directions)
    p = x.shape[1]
    if p < 2:
        return _frame(np.ones(1), inds, component=1, loading=1.0, squared_loading=1.0,
                      component_share=1.0, n_obs=x.shape[0])
    sd = x.std(axis=0, ddof=1)
    if np.any(sd == 0):
        bad = inds[int(np.argmin(sd))]
        raise WeightsDataError("constant_for_pca", ind=bad, n=x.shape[0])
    z = (x - x.mean(axis=0)) / sd
    z = np.where(np.array([d == "lower" for d in dirs]), -z, z)
    corr = (z.T @ z) / (x.shape[0] - 1)
    vals, vecs = np.linalg.eigh(corr)
    order = np.argsort(vals)[::-1]
    vals, vecs = np.clip(vals[order], 0.0, None), vecs[:, order]
    # a deterministic sign: the largest-magnitude entry of each eigenvector is positive
    flip = np.sign(vecs[np.argmax(np.abs(vecs), axis=0), np.arange(p)])
    vecs = vecs * np.where(flip == 0, 1.0, flip)
    explained = vals / vals.sum()
    if n_components is None:
        k = max(int(np.sum(explained > 0.10)), 1)  # sorted: a leading block
        while k < p and explained[:k].sum() < 0.60:
            k += 1
    else:
        if not 1 <= int(n_components) <= p:
            raise UsageError(f"n_components must be between 1 and {p}")
        k = int(n_components)
    load = vecs[:, :k] * np.sqrt(vals[:k])
    if rotation == "varimax":
        load = varimax(load)
    elif rotation is not None:
        raise UsageError(f"unknown rotation {rotation!r}: use 'varimax' or None")
    sq = load ** 2
    s = sq.sum(axis=0)
    scaled = sq / np.where(s > 0, s, 1.0)
    share = s / s.sum()
    comp = np.argmax(scaled, axis=1)
    rows = np.arange(p)
    raw = scaled[rows, comp] * share[comp]
    w = _normalise(raw, "PCA")
    out = _frame(w, inds, component=comp + 1, loading=load[rows, comp],
                 squared_loading=scaled[rows, comp], component_share=share[comp],
                 n_obs=x.shape[0])
    out.attrs.update(method="pca", eigenvalues=vals.tolist(), explained=explained.tolist(),
                     n_components=k, rotation=rotation, n_obs=x.shape[0],
                     warnings=lopsided_warnings(out, x, "PCA"))
    return out
