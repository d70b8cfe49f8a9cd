"""Fixed-effects least squares with cluster-robust covariance (the engine of ``stats``).

Entity effects are swept out by demeaning within entity. Time effects (two-way models)
are partialled out exactly by Frisch-Waugh-Lovell: after the entity demeaning, the
(entity-demeaned) time dummies ``D~`` satisfy ``D~'D~ = diag(n_t) - C' diag(1/n_i) C`` with
``C`` the entity x time count matrix, and ``D~'z = D'z`` for an entity-demeaned ``z``, so
the projection needs only group sums and one small T x T pseudo-inverse -- no iteration
and no N x T dummy matrix. The rank of that matrix is the number of free time effects
(T - 1 in a connected panel), which also gives the degrees of freedom they use.

Small-sample convention (fixest ``ssc(adj=TRUE, fixef.K="nested", cluster.adj=TRUE)``,
identical to Stata ``xtreg, fe vce(cluster id)`` / ``areg``-with-nesting):

    V = G/(G-1) * (N-1)/(N-K) * (X~'X~)^-1 (sum_g S_g S_g') (X~'X~)^-1

with S_g = X~_g' u_g the score of cluster g, N the observations, G the clusters and K the
slopes + 1 (the intercept) + the free time effects; the entity effects, being nested in the
clusters, are not counted. Inference uses Student t with G - 1 degrees of freedom.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def mm(spec: str, *arrays) -> np.ndarray:
    """Small products without BLAS threads.

    Multithreaded BLAS pays a wake-up cost on every call; for the many tall-and-thin
    products here (n x 2, G x T) that cost dominates on a shared machine, so they go through
    ``einsum`` (single-threaded, no BLAS).
    """
    return np.einsum(spec, *arrays)


def codes(values) -> tuple[np.ndarray, int]:
    """Return integer codes 0..L-1 of ``values`` (sorted level order) and L."""
    uniq, inv = np.unique(np.asarray(values), return_inverse=True)
    return inv.astype(np.int64).ravel(), len(uniq)


def group_sums(index: np.ndarray, z: np.ndarray, n_groups: int) -> np.ndarray:
    """Column sums of ``z`` (n x k) per group -> (n_groups x k)."""
    if z.ndim == 1:
        return np.bincount(index, weights=z, minlength=n_groups)
    out = np.empty((n_groups, z.shape[1]))
    for j in range(z.shape[1]):
        out[:, j] = np.bincount(index, weights=z[:, j], minlength=n_groups)
    return out


@dataclass
class Absorbed:
    """Result of sweeping the fixed effects out of a block of columns."""

    z: np.ndarray            # (n x k) residualised columns
    entity_means: np.ndarray  # (G_e x k) entity means of the raw columns
    gamma: np.ndarray | None  # (T x k) time-effect coefficients on the demeaned dummies
    k_time: int              # number of free time effects (0 for one-way)
    counts: np.ndarray       # (G_e,) observations per entity
    cells: np.ndarray | None = None  # (G_e x T) entity x time counts (two-way only)
    minv: np.ndarray | None = None   # (T x T) pseudo-inverse of D~'D~ (two-way only)


def absorb(z: np.ndarray, *, entity: np.ndarray, n_entity: int, time: np.ndarray | None = None,
           n_time: int = 0) -> Absorbed:
    """Sweep entity (and, if ``time`` is given, time) fixed effects out of ``z``.

    Parameters
    ----------
    z : ndarray, shape (n, k)
    entity, time : int arrays of codes, shape (n,)
    """
    z = np.asarray(z, dtype=float)
    if z.ndim == 1:
        z = z[:, None]
    cnt = np.bincount(entity, minlength=n_entity).astype(float)
    safe = np.where(cnt > 0, cnt, 1.0)
    means = group_sums(entity, z, n_entity) / safe[:, None]
    ze = z - means[entity]
    if time is None:
        return Absorbed(ze, means, None, 0, cnt)
    c = np.bincount(entity * n_time + time, minlength=n_entity * n_time).reshape(n_entity, n_time)
    c = c.astype(float)
    m = np.diag(c.sum(axis=0)) - mm("it,is->ts", c / safe[:, None], c)
    b = group_sums(time, ze, n_time)
    # eigen-decomposition: a symmetric PSD matrix; its numerical rank is the number of
    # free time effects (T - number of connected components of the bipartite graph).
    w, v = np.linalg.eigh(m)
    tol = max(m.shape) * np.finfo(float).eps * max(w.max(), 1.0) * 1e3
    keep = w > tol
    minv = (v[:, keep] / w[keep]) @ v[:, keep].T
    gamma = minv @ b
    zt = ze - gamma[time] + (mm("it,tk->ik", c, gamma) / safe[:, None])[entity]
    return Absorbed(zt, means, gamma, int(keep.sum()), cnt, c, minv)


def is_nested(inner: np.ndarray, outer: np.ndarray) -> bool:
    """True when every level of ``inner`` lies within a single level of ``outer``."""
    pairs = np.unique(np.stack([inner, outer], axis=1), axis=0)
    return len(pairs) == len(np.unique(inner))


@dataclass
class Fit:
    """Coefficients and cluster-robust covariance of a fixed-effects regression."""

    coef: np.ndarray
    vcov: np.ndarray
    resid: np.ndarray
    n_obs: int
    n_clusters: int
    k: int                 # parameters counted in (N-1)/(N-K)
    df: int                # degrees of freedom of the t reference (G - 1)
    ssc: float             # G/(G-1) * (N-1)/(N-K)
    xtx: np.ndarray
    scores: np.ndarray     # (G x p) cluster scores X~_g' u_g


def cluster_fit(y: np.ndarray, x: np.ndarray, cluster: np.ndarray, n_cluster: int,
                k_extra: int) -> Fit:
    """OLS of residualised ``y`` on residualised ``x`` with CR1 covariance.

    ``k_extra`` is the number of parameters absorbed before this step that count in K
    (the intercept and the fixed effects not nested in the clusters).
    """
    if x.ndim == 1:
        x = x[:, None]
    n, p = x.shape
    xtx = mm("ij,ik->jk", x, x)
    coef = np.linalg.solve(xtx, mm("ij,i->j", x, y))
    resid = y - mm("ij,j->i", x, coef)
    scores = group_sums(cluster, x * resid[:, None], n_cluster)
    g = int(np.count_nonzero(np.bincount(cluster, minlength=n_cluster)))
    k = p + k_extra
    ssc = (g / (g - 1)) * ((n - 1) / (n - k)) if g > 1 and n > k else np.nan
    bread = np.linalg.inv(xtx)
    vcov = bread @ (scores.T @ scores) @ bread * ssc
    return Fit(coef, vcov, resid, n, g, k, g - 1, ssc, xtx, scores)


@dataclass
class AbsorbedGrid:
    """Two-way within transform of columns held on a dense entity x time grid."""

    z: np.ndarray            # (G x T x k) residualised values, 0 outside the mask
    entity_means: np.ndarray  # (G x k)
    gamma: np.ndarray        # (T x k)
    k_time: int
    counts: np.ndarray       # (G,)
    minv: np.ndarray         # (T x T)
    back: np.ndarray         # (G x k) entity means of the fitted time effects


def _pinv_psd(m: np.ndarray) -> tuple[np.ndarray, int]:
    w, v = np.linalg.eigh(m)
    tol = max(m.shape) * np.finfo(float).eps * max(w.max(initial=0.0), 1.0) * 1e3
    keep = w > tol
    return mm("ik,jk->ij", v[:, keep] / w[keep], v[:, keep]), int(keep.sum())


def absorb_grid(z: np.ndarray, mask: np.ndarray) -> AbsorbedGrid:
    """Two-way (entity + time) within transform on a dense grid.

    The same algebra as :func:`absorb` with ``C = mask`` (at most one observation per
    entity and period), but on contiguous G x T arrays, which is several times faster than
    gathering by index and lets an expanding time window be a slice.

    Parameters
    ----------
    z : ndarray (G x T x k)
        Values; cells outside ``mask`` are ignored (may hold anything finite).
    mask : bool ndarray (G x T)
    """
    w = mask.astype(float)
    cnt = w.sum(axis=1)
    safe = np.where(cnt > 0, cnt, 1.0)
    zw = z * w[:, :, None]
    means = zw.sum(axis=1) / safe[:, None]
    ze = (z - means[:, None, :]) * w[:, :, None]
    share = w / safe[:, None]
    m = np.diag(w.sum(axis=0)) - mm("it,is->ts", share, w)
    minv, k_time = _pinv_psd(m)
    gamma = mm("ts,sk->tk", minv, ze.sum(axis=0))
    back = mm("it,tk->ik", share, gamma)           # entity means of the time effects
    zt = (ze - gamma[None, :, :] + back[:, None, :]) * w[:, :, None]
    return AbsorbedGrid(zt, means, gamma, k_time, cnt, minv, back)
