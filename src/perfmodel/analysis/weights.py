"""Indicator weights: from judgements (AHP), from the data (entropy, CRITIC, PCA) and from
evidence of predictive validity.

Every function returns weights that sum to 1 over the indicators it was given, as a tidy
table with one row per indicator (columns ``indicator``, ``weight`` plus columns that show
how the weight was obtained). :func:`ahp` returns an :class:`AhpResult` whose ``weights``
attribute is such a table and whose fields carry the consistency figures.

Which indicators to weigh together is the caller's choice; a scoring policy normalises
weights *within* a dimension, so the usual call passes the indicators of one dimension.

Data-driven methods (:func:`entropy`, :func:`critic`, :func:`pca`) take a wide panel
(one row per supervisor × period, one column per indicator, as produced by
``perfmodel.indicators.wide_panel``) and use the rows on which *every* selected indicator is
present (listwise deletion), so all indicators are judged on the same sample; the number of
rows used is the ``n_obs`` column.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Alonso, J. A., & Lamata, M. T. (2006). Consistency in the analytic hierarchy process: a new
approach. *Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems*, 14(4), 445–459.
Diakoulaki, D., Mavrotas, G., & Papayannakis, L. (1995). Determining objective weights in
multiple criteria problems: the CRITIC method. *Computers & Operations Research*, 22(7),
763–770.
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*, section 6.1 (weights based on principal components / factor analysis).
"""
from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from perfmodel.core import catalogue
from perfmodel.core.errors import DataError, MethodSkipped, PerfmodelWarning, UsageError
from perfmodel.core.result import Result, Unpackable
from perfmodel.core.hashing import sha256_file

__all__ = [
    "RANDOM_INDEX", "CR_THRESHOLD", "AhpResult", "equal", "ahp", "read_pairwise_csv",
    "entropy", "critic", "pca", "evidence", "varimax", "apply_weights", "policy_yaml",
    "write_policy", "read_policy_with_provenance", "sha256_file",
]

#: Random consistency index by matrix order n, per published table.
#: ``saaty``: Saaty (1980), *The Analytic Hierarchy Process*, n = 1..15 (the value 1.48 at
#: n = 12 is as published). ``alonso_lamata``: Alonso & Lamata (2006), 100 000 random
#: matrices per order, n = 3..15.
RANDOM_INDEX: dict[str, dict[int, float]] = {
    "saaty": {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
              10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59},
    "alonso_lamata": {1: 0.0, 2: 0.0, 3: 0.5245, 4: 0.8815, 5: 1.1086, 6: 1.2479, 7: 1.3417,
                      8: 1.4056, 9: 1.4499, 10: 1.4854, 11: 1.5141, 12: 1.5365, 13: 1.5551,
                      14: 1.5713, 15: 1.5838},
}

#: Saaty's rule of thumb: judgements with a consistency ratio above this should be revised.
CR_THRESHOLD = 0.1

#: Weights are written for people: this many decimals, still summing exactly to 1.
WEIGHT_DECIMALS = 4

#: A data-driven weight is lopsided when one indicator takes LOPSIDED_SHARE of the
#: indicators weighed together or LOPSIDED_MULTIPLE times an equal share, whichever is
#: less, and at least LOPSIDED_FACTOR times an equal share (of two, 0.75).
LOPSIDED_SHARE = 0.5
LOPSIDED_MULTIPLE = 3.0
LOPSIDED_FACTOR = 1.5

_RECIPROCAL_RTOL = 0.02  # 1/3 written as 0.33 must pass, 3 against 1/2 must not


# --------------------------------------------------------------------------- helpers

def _frame(weights: np.ndarray, indicators: list[str], **columns) -> pd.DataFrame:
    df = pd.DataFrame({"indicator": indicators, "weight": np.asarray(weights, dtype=float)})
    for k, v in columns.items():
        df[k] = v
    return df


def _directions(indicators: list[str], directions: Mapping[str, str] | None) -> list[str]:
    out = []
    for ind in indicators:
        d = (directions or {}).get(ind)
        if d is None:
            try:
                d = catalogue.direction(ind)
            except KeyError:
                raise UsageError(f"indicator {ind!r} is not in the catalogue: give its direction "
                                 f"(directions={{{ind!r}: 'higher'|'lower'}})") from None
        if d not in catalogue.DIRECTIONS:
            raise UsageError(f"direction of {ind!r} is {d!r}: use 'higher' or 'lower'")
        out.append(d)
    return out


def _default_indicators(panel: pd.DataFrame) -> list[str]:
    ids = [i for i in catalogue.indicator_ids() if catalogue.dimension(i) in ("result", "process")]
    return [i for i in ids if i in panel.columns]


def _complete_matrix(panel: pd.DataFrame, indicators: Iterable[str] | None,
                     min_rows: int = 3) -> tuple[np.ndarray, list[str]]:
    """Return the rows of ``panel`` on which every indicator is present, as floats."""
    inds = list(indicators) if indicators is not None else _default_indicators(panel)
    if not inds:
        raise UsageError("no indicator to weigh: pass indicators=[...] or a panel with "
                         "indicator columns")
    if len(set(inds)) != len(inds):
        raise UsageError(f"indicators are repeated: {inds}")
    missing = [i for i in inds if i not in panel.columns]
    if missing:
        raise DataError(f"the panel has no column {missing[0]!r}: compute that indicator or "
                        f"leave it out of indicators")
    sub = panel[inds].apply(pd.to_numeric, errors="coerce").astype(float)
    sub = sub.replace([np.inf, -np.inf], np.nan)
    complete = sub.dropna()
    if len(complete) < min_rows:
        worst = sub.isna().sum().idxmax()
        raise DataError(f"only {len(complete)} panel rows have every indicator present (need "
                        f"{min_rows}); {worst!r} is missing most often "
                        f"({int(sub[worst].isna().sum())} of {len(sub)} rows): widen the period "
                        f"range or leave it out")
    return complete.to_numpy(), inds


def _minmax(x: np.ndarray, directions: list[str]) -> np.ndarray:
    """Min–max normalise each column to [0, 1], 1 = best; a constant column becomes 0."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    up = (x - lo) / safe
    z = np.where(np.array([d == "lower" for d in directions]), 1.0 - up, up)
    return np.where(span > 0, z, 0.0)


def _normalise(w: np.ndarray, what: str) -> np.ndarray:
    total = float(np.sum(w))
    if not np.isfinite(total) or total <= 0:
        raise DataError(f"{what}: every indicator got zero weight (no variation in the data); "
                        f"widen the period range or use another method")
    return w / total


def round_weights(weights, decimals: int = WEIGHT_DECIMALS) -> list[float]:
    """Round non-negative weights to ``decimals`` places so that they sum exactly to 1.

    Largest-remainder (Hamilton) rounding: each weight, scaled to sum to 1, gets the whole
    number of units of 10**-decimals below it; the units still missing go one each to the
    weights with the largest remainders (the earlier one on a tie).

    Returns
    -------
    list of float
        The rounded weights, in the given order; their decimal texts sum to exactly 1.

    Raises
    ------
    UsageError
        When a weight is negative or not finite, or all are zero.

    Examples
    --------
    Thirds round to 0.3333 each and leave one unit of 0.0001, which goes to the first:

    >>> round_weights([1, 1, 1])
    [0.3334, 0.3333, 0.3333]
    >>> round_weights([2, 1, 1])
    [0.5, 0.25, 0.25]
    """
    w = np.asarray(list(weights), dtype=float)
    if w.size == 0:
        return []
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise UsageError("weights must be finite, ≥ 0 and not all zero")
    unit = 10 ** int(decimals)
    scaled = w / w.sum() * unit
    units = np.floor(scaled + 1e-9).astype(np.int64)  # 0.29999999999 * 10**4 is 2999.99...: one unit
    remainder = scaled - units
    missing = int(unit - units.sum())
    order = sorted(range(w.size), key=lambda i: (-remainder[i], i))
    for i in order[:max(missing, 0)]:
        units[i] += 1
    return [int(u) / unit for u in units]


def lopsided_warnings(table: pd.DataFrame, values: np.ndarray, method: str) -> list[str]:
    """Explain a data-driven weight that takes most of the indicators weighed together.

    Each text is issued as a :class:`~perfmodel.core.errors.PerfmodelWarning`; the methods also
    keep the list in their table's ``attrs["warnings"]`` for one version (deprecated:
    catch the warnings instead).

    Parameters
    ----------
    table : pandas.DataFrame
        ``indicator``/``weight`` rows of one method on one set of indicators.
    values : numpy.ndarray
        The raw values the weights came from, one column per row of ``table``.
    method : str
        The method's name, for the message.

    Returns
    -------
    list of str
        One sentence per lopsided weight (see :data:`LOPSIDED_SHARE`): its weight, the equal
        share, and why
        (the share of its values that are 0, or that are its most common value, when that
        is at least half: a few other values then make it look informative). Empty when
        no weight is lopsided. Each sentence is also issued as a :class:`PerfmodelWarning`.
    """
    k = len(table)
    if k < 2:
        return []
    out = []
    for j, (ind, w) in enumerate(zip(table["indicator"].astype(str), table["weight"].astype(float))):
        if w < max(min(LOPSIDED_SHARE, LOPSIDED_MULTIPLE / k), LOPSIDED_FACTOR / k):
            continue
        col = values[:, j]
        n = col.size
        text = (f"{method} weight of {ind} is {w:.2f} of the {k} indicators weighed together "
                f"(equal would be {1 / k:.2f})")
        zeros = float(np.mean(col == 0)) if n else 0.0
        uniq, counts = np.unique(col, return_counts=True)
        common = uniq[np.argmax(counts)] if n else np.nan
        common_share = float(counts.max() / n) if n else 0.0
        if zeros >= 0.5:
            text += (f": {zeros:.0%} of its {n} values are 0, so the few non-zero values make it look "
                     f"informative; check the indicator or leave it out")
        elif common_share >= 0.5:
            text += (f": {common_share:.0%} of its {n} values are {common:.4g}, so the few other values "
                     f"make it look informative; check the indicator or leave it out")
        else:
            text += ": its values vary far more than the others'; check for outliers before using it"
        out.append(text)
        warnings.warn(text, PerfmodelWarning, stacklevel=3)
    return out


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


# --------------------------------------------------------------------------- AHP

@dataclass(frozen=True)
class AhpResult(Unpackable, Result):
    """The outcome of :func:`ahp` (a :class:`perfmodel.core.result.Result`: ``table`` is
    :attr:`weights`, ``summary()`` states λmax, CI, RI and CR).

    Attributes
    ----------
    weights : pandas.DataFrame
        Columns ``indicator``, ``weight`` (the normalised principal eigenvector, summing
        to 1), in the order of the matrix rows.
    lambda_max : float
        Principal eigenvalue λmax of the pairwise matrix (= n for a perfectly consistent one).
    consistency_index : float
        CI = (λmax − n) / (n − 1) (0 for n ≤ 2).
    random_index : float
        RI for order n from the chosen table.
    consistency_ratio : float
        CR = CI / RI (0 for n ≤ 2, where every reciprocal matrix is consistent).
    random_index_table : str
        Name of the RI table (a key of :data:`RANDOM_INDEX`, or ``"custom"``).
    n : int
        Order of the matrix.

    Unpacking gives ``weights, consistency_ratio, lambda_max`` (deprecated: read the
    attributes).
    """

    title = "AHP weights"
    _unpack = ("weights", "consistency_ratio", "lambda_max")

    weights: pd.DataFrame
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float
    random_index_table: str
    n: int

    @property
    def consistent(self) -> bool:
        """True when CR ≤ :data:`CR_THRESHOLD` (0.1): the judgements may be used as they are."""
        return bool(self.consistency_ratio <= CR_THRESHOLD)

    @property
    def warning(self) -> str | None:
        """A sentence to show the analyst when CR > 0.1, else None."""
        if self.consistent:
            return None
        return (f"consistency ratio {self.consistency_ratio:.3f} > {CR_THRESHOLD}: the pairwise "
                f"judgements contradict each other; revise the matrix before using the weights")

    @property
    def table(self) -> pd.DataFrame:
        """:attr:`weights`: ``indicator``, ``weight``."""
        return self.weights

    def headline(self) -> dict:
        """``n``, ``lambda_max``, ``consistency_index``, ``random_index`` (and its table),
        ``consistency_ratio``, ``consistent``."""
        return {"n": self.n, "lambda_max": self.lambda_max, "consistency_index": self.consistency_index,
                "random_index": f"{self.random_index:.4g} ({self.random_index_table})",
                "consistency_ratio": self.consistency_ratio, "consistent": self.consistent}


def _parse_cell(text: str, where: str) -> float:
    s = str(text).strip()
    if not s:
        raise DataError(f"{where} is empty: write a positive number such as 3 or 1/3")
    try:
        v = float(Fraction(s)) if "/" in s else float(s)
    except (ValueError, ZeroDivisionError):
        raise DataError(f"{where} is {s!r}: write a positive number such as 3 or 1/3") from None
    return v


def read_pairwise_csv(path: str | Path) -> pd.DataFrame:
    """Read a pairwise comparison matrix from a CSV file.

    Format: a square table whose header row and first column both list the indicator ids
    in the same order (the top-left cell is ignored, e.g. ``indicator``). Cell (row i,
    column j) says how much more important indicator i is than indicator j on Saaty's
    1–9 scale; values may be written as fractions (``1/3``). The diagonal is 1 and the
    matrix must be reciprocal (a_ji = 1/a_ij). UTF-8 with or without BOM::

        indicator,csat,complaint_resolution_rate,customer_churn_rate
        csat,1,3,5
        complaint_resolution_rate,1/3,1,2
        customer_churn_rate,1/5,1/2,1

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.

    Returns
    -------
    pandas.DataFrame
        Float matrix with the ids as index and columns. Validation of the values is done by
        :func:`ahp`.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "pairs.csv"
    >>> _ = path.write_text("indicator,csat,complaint_resolution_rate,customer_churn_rate\\n"
    ...                     "csat,1,3,5\\ncomplaint_resolution_rate,1/3,1,2\\n"
    ...                     "customer_churn_rate,1/5,1/2,1\\n", encoding="utf-8")
    >>> matrix = read_pairwise_csv(path)
    >>> print(matrix.round(3).to_string())
                                csat  complaint_resolution_rate  customer_churn_rate
    csat                       1.000                        3.0                  5.0
    complaint_resolution_rate  0.333                        1.0                  2.0
    customer_churn_rate        0.200                        0.5                  1.0
    >>> ahp(matrix).weights.round(4)
                       indicator  weight
    0                       csat  0.6483
    1  complaint_resolution_rate  0.2297
    2        customer_churn_rate  0.1220
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{path}: pairwise matrix file not found") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text; save the matrix as CSV UTF-8") from None
    rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise DataError(f"{path}: a pairwise matrix needs a header row and one row per indicator")
    header = [c.strip() for c in rows[0][1:]]
    labels, values = [], []
    for k, r in enumerate(rows[1:], start=2):
        if len(r) != len(header) + 1:
            raise DataError(f"{path}: row {k} has {len(r)} cells, expected {len(header) + 1} "
                            f"(the id and one value per column)")
        labels.append(r[0].strip())
        values.append([_parse_cell(c, f"{path}: row {k} ({r[0].strip()}), column {header[j]!r}")
                       for j, c in enumerate(r[1:])])
    if labels != header:
        raise DataError(f"{path}: the first column {labels} must list the same ids in the same "
                        f"order as the header {header}")
    return pd.DataFrame(values, index=labels, columns=header, dtype=float)


def _as_matrix(matrix, labels) -> tuple[np.ndarray, list[str]]:
    if isinstance(matrix, (str, Path)):
        matrix = read_pairwise_csv(matrix)
    if isinstance(matrix, pd.DataFrame):
        idx = [str(i) for i in matrix.index]
        cols = [str(c) for c in matrix.columns]
        if idx != cols:
            if sorted(idx) != sorted(cols):
                raise UsageError(f"pairwise matrix rows {idx} and columns {cols} must name the "
                                 f"same indicators")
            matrix = matrix.loc[:, matrix.index]
        a = matrix.to_numpy(dtype=float)
        labels = idx if labels is None else list(labels)
    else:
        a = np.asarray(matrix, dtype=float)
        labels = [f"c{i + 1}" for i in range(a.shape[0])] if labels is None else list(labels)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise UsageError(f"pairwise matrix must be square, got shape {a.shape}")
    if len(labels) != a.shape[0]:
        raise UsageError(f"{len(labels)} labels for a {a.shape[0]}×{a.shape[0]} matrix")
    return a, labels


def ahp(matrix, random_index: str | Mapping[int, float] = "saaty", *,
        labels: Iterable[str] | None = None) -> AhpResult:
    """Weights from a pairwise comparison matrix (Saaty's eigenvector method).

    Parameters
    ----------
    matrix : pandas.DataFrame, array-like, str or pathlib.Path
        Square positive reciprocal matrix; a DataFrame's index (= columns) gives the
        indicator ids; a path is read with :func:`read_pairwise_csv`.
    random_index : {"saaty", "alonso_lamata"} or mapping
        Random-index table used for the consistency ratio (see :data:`RANDOM_INDEX`), or a
        mapping n -> RI of one's own.
    labels : iterable of str, optional
        Ids for an array ``matrix`` (default ``c1 … cn``).

    Returns
    -------
    AhpResult
        ``weights`` (columns ``indicator``, ``weight``), ``lambda_max``,
        ``consistency_index``, ``random_index``, ``consistency_ratio``, ``consistent``
        (CR ≤ 0.1) and ``warning``; unpacks as ``weights, consistency_ratio, lambda_max``.

    Raises
    ------
    UsageError
        The matrix is not square, not positive, has a diagonal other than 1, is not
        reciprocal, or is larger than the random-index table.

    Notes
    -----
    The weights are the principal (Perron) eigenvector w of A, A w = λmax w, scaled to sum
    to 1. CI = (λmax − n)/(n − 1), CR = CI / RI(n). A CR above 0.1 is flagged, not refused:
    the analyst decides whether to revise the judgements.

    Examples
    --------
    >>> res = ahp([[1, 3], [1/3, 1]], labels=["csat", "reopen_rate"])
    >>> res.weights.weight.round(2).tolist()
    [0.75, 0.25]
    >>> print(res.summary())
    AHP weights
    n: 2
    lambda_max: 2
    consistency_index: 0
    random_index: 0 (saaty)
    consistency_ratio: 0
    consistent: True
      indicator  weight
           csat    0.75
    reopen_rate    0.25
    """
    a, labels = _as_matrix(matrix, labels)
    n = a.shape[0]
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise UsageError("pairwise matrix values must be positive numbers")
    if not np.allclose(np.diag(a), 1.0):
        bad = labels[int(np.argmax(np.abs(np.diag(a) - 1)))]
        raise UsageError(f"pairwise matrix diagonal must be 1 (row {bad!r})")
    prod = a * a.T
    if not np.allclose(prod, 1.0, rtol=_RECIPROCAL_RTOL, atol=0):
        i, j = np.unravel_index(int(np.argmax(np.abs(prod - 1))), a.shape)
        raise UsageError(f"pairwise matrix is not reciprocal at ({labels[i]!r}, {labels[j]!r}): "
                         f"{a[i, j]:g} and {a[j, i]:g}; cell (j, i) must be 1 / cell (i, j)")
    if isinstance(random_index, str):
        if random_index not in RANDOM_INDEX:
            raise UsageError(f"unknown random_index {random_index!r}: use one of "
                             f"{sorted(RANDOM_INDEX)}")
        table, table_name = RANDOM_INDEX[random_index], random_index
    else:
        table, table_name = dict(random_index), "custom"
    if n not in table:
        raise UsageError(f"the {table_name!r} random-index table stops at n = {max(table)}; "
                         f"split the {n} indicators into smaller groups")
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = float(table[n])
    cr = ci / ri if n > 2 and ri > 0 else 0.0
    weights = _frame(w, labels)
    res = AhpResult(weights=weights, lambda_max=lam, consistency_index=float(ci),
                    random_index=ri, consistency_ratio=float(cr),
                    random_index_table=table_name, n=n)
    weights.attrs.update(method="ahp", lambda_max=lam, consistency_index=float(ci),
                         random_index=ri, consistency_ratio=float(cr),
                         random_index_table=table_name, consistent=res.consistent)
    return res


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
    w = _normalise(d, "entropy weights")
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
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4", "S5"],
    ...                       "csat": [4.0, 4.2, 4.4, 4.6, 4.3],
    ...                       "staff_turnover_rate": [0.10, 0.12, 0.08, 0.20, 0.15],
    ...                       "followup_positive_rate": [0.80, 0.85, 0.90, 0.70, 0.82]})
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
    w = _normalise(c, "CRITIC weights")
    out = _frame(w, inds, direction=dirs, std=sd, conflict=conflict, information=c,
                 n_obs=z.shape[0])
    out.attrs.update(method="critic", n_obs=z.shape[0], warnings=lopsided_warnings(out, x, "CRITIC"))
    return out


# --------------------------------------------------------------------------- PCA

def varimax(loadings: np.ndarray) -> np.ndarray:
    """Varimax rotation of a loading matrix (Kaiser 1958; raw, without row normalisation).

    The rotation is statsmodels' ``rotate_factors(..., "varimax")`` run to a tight
    tolerance; its columns are then put in a fixed order (largest sum of squared loadings
    first) with a fixed sign (the largest-magnitude entry of each column positive), so the
    same input always gives the same components.

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

    rotated = rotate_factors(a, "varimax", tol=1e-13, max_tries=10000)[0]
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
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4", "S5"],
    ...                       "csat": [4.0, 4.2, 4.4, 4.6, 4.3],
    ...                       "staff_turnover_rate": [0.10, 0.12, 0.08, 0.20, 0.15],
    ...                       "followup_positive_rate": [0.80, 0.85, 0.90, 0.70, 0.82]})
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
        raise DataError(f"indicator {bad!r} is constant over the {x.shape[0]} rows used: leave "
                        f"it out of a PCA weighting")
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
    w = _normalise(raw, "PCA weights")
    out = _frame(w, inds, component=comp + 1, loading=load[rows, comp],
                 squared_loading=scaled[rows, comp], component_share=share[comp],
                 n_obs=x.shape[0])
    out.attrs.update(method="pca", eigenvalues=vals.tolist(), explained=explained.tolist(),
                     n_components=k, rotation=rotation, n_obs=x.shape[0],
                     warnings=lopsided_warnings(out, x, "PCA"))
    return out


# --------------------------------------------------------------------------- evidence

_VALIDITY_COLUMNS = ("process", "result", "std_effect", "verdict")


def evidence(validity_table: pd.DataFrame, indicators: Iterable[str] | None = None, *,
             floor: float = 0.0, aggregate: str = "sum", verdict: str = "predicts") -> pd.DataFrame:
    """Process-indicator weights from evidence that they predict results.

    Parameters
    ----------
    validity_table : pandas.DataFrame
        The tidy output of ``perfmodel.analysis.stats.predictive_validity``: one row per
        (process, result) pair with at least ``process``, ``result``, ``std_effect`` and
        ``verdict`` (``p_adj`` is carried if present).
    indicators : iterable of str, optional
        Process indicators to weigh (default: every ``process`` value in the table). An
        indicator absent from the table counts as having no evidence.
    floor : float, default 0
        Smallest raw weight, in units of |std_effect|: an indicator without a ``predicts``
        verdict (or with weaker evidence) gets ``floor`` (0 drops it; a small positive floor
        keeps every indicator in the policy).
    aggregate : {"sum", "max", "mean"}
        How |std_effect| of the several results an indicator predicts are combined. "sum"
        rewards predicting several results.
    verdict : str, default "predicts"
        The verdict that counts as evidence.

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``weight``, ``evidence`` (aggregated |std_effect| over pairs with the
        verdict, 0 if none), ``n_pairs`` (rows in the table), ``n_predicts`` (rows with the
        verdict), ``predicts`` (the result indicators it predicts, comma-separated),
        ``floored`` (True when the weight comes from ``floor``, i.e. evidence ≤ floor).

    Raises
    ------
    DataError
        A required column is missing, or no indicator has evidence and ``floor`` is 0.
    """
    missing = [c for c in _VALIDITY_COLUMNS if c not in validity_table.columns]
    if missing:
        raise DataError(f"validity table has no column {missing[0]!r}: pass the output of "
                        f"perfmodel.analysis.stats.predictive_validity (columns process, result, "
                        f"std_effect, p_adj, verdict)")
    if aggregate not in ("sum", "max", "mean"):
        raise UsageError(f"unknown aggregate {aggregate!r}: use 'sum', 'max' or 'mean'")
    if floor < 0:
        raise UsageError("floor must be ≥ 0")
    t = validity_table.copy()
    t["process"] = t["process"].astype(str)
    inds = list(indicators) if indicators is not None else list(dict.fromkeys(t["process"]))
    if not inds:
        raise DataError("validity table is empty: run perfmodel validity on more periods")
    rows = []
    for ind in inds:
        mine = t[t["process"] == ind]
        good = mine[(mine["verdict"].astype(str) == verdict)
                    & pd.to_numeric(mine["std_effect"], errors="coerce").notna()]
        eff = pd.to_numeric(good["std_effect"]).abs()
        ev = float(getattr(eff, aggregate)()) if len(eff) else 0.0
        rows.append({"indicator": ind, "evidence": ev, "n_pairs": int(len(mine)),
                     "n_predicts": int(len(good)),
                     "predicts": ",".join(map(str, good["result"])),
                     "floored": not ev > floor})
    out = pd.DataFrame(rows)
    raw = np.maximum(out["evidence"].to_numpy(dtype=float), floor)
    if raw.sum() <= 0:
        raise DataError(f"no process indicator has verdict {verdict!r} in the validity table: "
                        f"keep the policy's weights, or give floor > 0 for equal weights")
    out.insert(1, "weight", raw / raw.sum())
    out.attrs.update(method="evidence", floor=floor, aggregate=aggregate, verdict=verdict)
    return out


# --------------------------------------------------------------------------- to a policy

PROVENANCE_KEY = "provenance"


def dataset_files(folder: str | Path) -> list[dict]:
    """Path and SHA-256 of every table file (.csv, .parquet, .xlsx) directly in ``folder``,
    sorted by name, for a provenance record."""
    files = sorted(f for f in Path(folder).iterdir()
                   if f.is_file() and f.suffix.lower() in (".csv", ".parquet", ".xlsx"))
    return [{"path": str(f), "sha256": sha256_file(f)} for f in files]


def apply_weights(policy, weights, *, result_weight: float | None = None,
                  version: str | None = None, note: str | None = None):
    """Return a new policy with the given indicator weights.

    Parameters
    ----------
    policy : Policy, str or path
        The base policy (file or preset).
    weights : pandas.DataFrame, mapping or list of DataFrames
        ``indicator``/``weight`` rows (the output of any method here), a mapping
        indicator -> weight, or several tables (e.g. one per dimension).
    result_weight : float, optional
        New weight of the result dimension (process gets 1 − it); default: keep the
        policy's dimension weights.
    version : str, optional
        Version of the new policy (default: the base version).
    note : str, optional
        Kept in the policy's ``note``.

    Returns
    -------
    Policy
        Validated, every weight rounded to :data:`WEIGHT_DECIMALS` places with each group
        (dimensions; indicators of one dimension) summing exactly to 1 (largest remainder,
        :func:`round_weights`). Within each dimension touched by ``weights`` the given indicators share
        what the dimension's other indicators leave (1 − their unchanged weights, i.e. all
        of it when every indicator of the dimension is given) in proportion to the new
        weights, so that the dimension's weights sum to 1.

    Raises
    ------
    UsageError
        An indicator is not in the policy, or a weight is negative.

    Examples
    --------
    In the ``efficiency`` preset the other three results keep 0.20 + 0.15 + 0.10; csat and
    the complaint resolution rate share the 0.55 left, half each:

    >>> pol = apply_weights("efficiency", {"csat": 0.5, "complaint_resolution_rate": 0.5},
    ...                     version="2026.2")
    >>> pol.version, [pol.indicators[i].weight for i in pol.weighted_indicators[:5]]
    ('2026.2', [0.275, 0.275, 0.2, 0.15, 0.1])
    """
    from perfmodel.scoring.policy import load_policy

    base = load_policy(policy)
    if isinstance(weights, Mapping):
        new = {str(k): float(v) for k, v in weights.items()}
    else:
        tables = [weights] if isinstance(weights, pd.DataFrame) else list(weights)
        new = {}
        for t in tables:
            new.update(dict(zip(t["indicator"].astype(str), t["weight"].astype(float))))
    unknown = [k for k in new if k not in base.indicators]
    if unknown:
        raise UsageError(f"indicator {unknown[0]!r} is not in policy {base.source}; weights can "
                         f"only be set for {', '.join(base.indicators)}")
    if any(not np.isfinite(v) or v < 0 for v in new.values()):
        raise UsageError("weights must be finite and ≥ 0")
    out: dict[str, float] = {}
    for dim in ("result", "process"):
        members = base.of_dimension(dim)
        given = [k for k in members if k in new]
        if not given:
            continue
        kept = sum(base.indicators[k].weight for k in members if k not in new)
        room = max(0.0, 1.0 - kept)
        total = sum(new[k] for k in given)
        if total <= 0:
            raise UsageError(f"the new weights of dimension {dim!r} are all zero")
        for k in given:
            out[k] = room * new[k] / total
    dims = None
    if result_weight is not None:
        if not 0 <= result_weight <= 1:
            raise UsageError(f"result weight {result_weight} must be between 0 and 1")
        dims = {"result": float(result_weight), "process": 1.0 - float(result_weight)}
    exact = base.with_weights(dimensions=dims, indicators=out, normalize=True)
    dims, inds = _rounded(exact)
    return base.with_weights(dimensions=dims, indicators=inds, version=version, note=note)


def _rounded(policy) -> tuple[dict, dict]:
    """The dimension weights and indicator weights of ``policy`` rounded to
    :data:`WEIGHT_DECIMALS` places by :func:`round_weights` (dimensions together, and the
    indicators of each dimension together, still sum to 1)."""
    names = list(policy.dimensions)
    dims = dict(zip(names, round_weights([policy.dimensions[d] for d in names])))
    inds = {}
    for d in names:
        members = policy.of_dimension(d)
        if members and sum(policy.indicators[k].weight for k in members) > 0:
            inds.update(zip(members, round_weights([policy.indicators[k].weight for k in members])))
        else:
            inds.update({k: policy.indicators[k].weight for k in members})
    return dims, inds


def policy_yaml(policy, provenance: Mapping | None = None) -> str:
    """YAML text of ``policy`` followed by a ``provenance:`` block.

    Returns
    -------
    str
        ``policy.to_yaml()`` then, when ``provenance`` is given, a comment line and the
        mapping under the key ``provenance`` (method, inputs with SHA-256, consistency,
        data periods). Deterministic: no wall-clock time is written.
    """
    import yaml

    text = policy.to_yaml()
    if provenance:
        block = yaml.safe_dump({PROVENANCE_KEY: _plain(provenance)}, sort_keys=False,
                               allow_unicode=True, default_flow_style=False, width=100)
        text = text.rstrip("\n") + "\n# how these weights were obtained (perfmodel weights)\n" + block
    return text


def read_policy_with_provenance(path: str | Path):
    """Read a policy written by :func:`write_policy` (or any policy file or preset).

    Reads with :func:`perfmodel.scoring.policy.load_policy`, the one policy reader, and sets the
    provenance aside with :func:`perfmodel.scoring.policy.split_provenance`.

    Returns
    -------
    tuple
        ``(policy, provenance)``: the validated Policy (the ``provenance`` block set aside)
        and the provenance mapping (empty when there is none).

    Examples
    --------
    >>> policy, provenance = read_policy_with_provenance("quality")
    >>> provenance
    {}
    """
    from perfmodel.scoring.policy import load_policy, split_provenance

    return split_provenance(load_policy(path))


def write_policy(policy, path: str | Path | None, provenance: Mapping | None = None, *,
                 overwrite: bool = False) -> Path:
    """Write a policy (with its provenance) to a YAML file.

    Refuses to write into the package's shipped presets, and to replace an existing file
    unless ``overwrite``. An empty ``path`` writes ``<name>-<version>.yaml`` into a new
    temporary folder.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    import tempfile
    from importlib import resources

    if not path:
        safe = "".join(c if c.isalnum() or c in "-_.+" else "_" for c in f"{policy.name}-{policy.version}")
        path = Path(tempfile.mkdtemp(prefix="perfmodel-policy-")) / f"{safe}.yaml"
    path = Path(path)
    presets_dir = Path(str(resources.files("perfmodel.scoring").joinpath("policies"))).resolve()
    if path.resolve().parent == presets_dir:
        raise UsageError(f"{path}: will not overwrite a shipped preset; write the new policy "
                         f"elsewhere (e.g. reports/policies/)")
    if path.exists() and not overwrite:
        raise UsageError(f"{path} exists; choose another --out or allow overwriting (--force)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(policy_yaml(policy, provenance), encoding="utf-8")
    return path


def _plain(obj):
    """Convert numpy scalars and tuples to plain YAML-safe Python values."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return float(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


# --------------------------------------------------------------------------- comparison

DATA_METHODS = ("entropy", "critic", "pca")


def make_provenance(method: str, base_policy, *, inputs: Iterable[Mapping] = (),
                    ahp_results: Mapping[str, AhpResult] | None = None,
                    panel: pd.DataFrame | None = None, **extra) -> dict:
    """The ``provenance`` mapping written with a reweighted policy.

    Returns
    -------
    dict
        ``method``; ``base_policy`` (source, name, version, sha256); ``consistency`` per
        AHP matrix (n, lambda_max, consistency_index, random_index, random_index_table,
        consistency_ratio, consistent); ``data`` (periods first..last, n_periods, n_rows,
        from and to: the first and last day the data cover) when a panel was used; ``inputs`` (path and sha256 of every file read); then
        ``extra``. Nothing time-dependent, so the same inputs give the same bytes.
    """
    prov: dict = {"method": method, "base_policy": {
        "source": base_policy.source, "name": base_policy.name, "version": base_policy.version,
        "sha256": base_policy.sha256}}
    if ahp_results:
        prov["consistency"] = {
            name: {"n": r.n, "lambda_max": round(r.lambda_max, 6),
                   "consistency_index": round(r.consistency_index, 6),
                   "random_index": r.random_index, "random_index_table": r.random_index_table,
                   "consistency_ratio": round(r.consistency_ratio, 6), "consistent": r.consistent}
            for name, r in ahp_results.items()}
    if panel is not None:
        ps = sorted(panel["period"].astype(str).unique()) if "period" in panel else []
        prov["data"] = {"periods": f"{ps[0]}..{ps[-1]}" if ps else None, "n_periods": len(ps),
                        "n_rows": int(len(panel))}
        if ps:
            from perfmodel.core.periods import parse_period
            first, last = parse_period(ps[0]), parse_period(ps[-1])
            prov["data"]["from"] = str(pd.Timestamp(first.start).date())
            prov["data"]["to"] = str((pd.Timestamp(last.end) - pd.Timedelta(days=1)).date())
    prov["inputs"] = [dict(i) for i in inputs]
    prov.update(extra)
    return prov


def compare_methods(panel: pd.DataFrame, policy, *, ahp_result: AhpResult | None = None,
                    methods: Iterable[str] = ("equal", "entropy", "critic", "pca", "evidence"),
                    validity_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Weights of the policy's indicators by several methods, side by side.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide panel (the history the data-driven methods learn from).
    policy : Policy, str or path
        Gives the indicators, their dimensions and the current weights.
    ahp_result : AhpResult, optional
        Judgement-based weights to include (method ``ahp``; its indicators' dimension is
        rescaled to sum to 1 as :func:`apply_weights` would).
    methods : iterable of str
        Among ``equal``, ``entropy``, ``critic``, ``pca``, ``evidence``. ``evidence`` runs
        ``perfmodel.analysis.stats.predictive_validity`` on ``panel`` unless ``validity_table`` is
        given. A method that cannot run on this data (e.g. no indicator with evidence) is
        left out with a :class:`~perfmodel.core.errors.MethodSkipped` warning (a
        :class:`~perfmodel.core.errors.PerfmodelWarning` carrying ``method`` and ``reason``).
        ``attrs["skipped"]`` (method -> reason) is still set for one version; it is
        deprecated: catch the warnings instead.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``indicator``, ``dimension``, ``method`` (``policy`` for the current
        weights), ``weight`` (within the dimension, summing to 1 per dimension and method).

    Examples
    --------
    Without a validity table that gives evidence, the ``evidence`` method cannot run; it is
    left out with a :class:`~perfmodel.core.errors.MethodSkipped` warning:

    >>> import warnings
    >>> import pandas as pd
    >>> from perfmodel.core.errors import MethodSkipped
    >>> from perfmodel.scoring.policy import load_policy
    >>> pol = load_policy("efficiency")
    >>> panel = pd.DataFrame({"supervisor_id": ["S1"], "period": ["2026Q3"]})
    >>> none = pd.DataFrame(columns=["process", "result", "coef", "se", "p_adj", "verdict"])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     table = compare_methods(panel, pol, methods=("equal", "evidence"), validity_table=none)
    >>> sorted(set(table["method"])), [w.message.method for w in caught if w.category is MethodSkipped]
    (['equal', 'policy'], ['evidence'])
    """
    from perfmodel.core.errors import PerfmodelError
    from perfmodel.scoring.policy import load_policy

    base = load_policy(policy)
    rows = []

    def add(method, pol):
        for ind in pol.weighted_indicators:
            rows.append({"indicator": ind, "dimension": pol.indicators[ind].dimension,
                         "method": method, "weight": pol.indicators[ind].weight})

    add("policy", base)
    skipped = {}
    if ahp_result is not None:
        add("ahp", apply_weights(base, ahp_result.weights))
    for m in methods:
        try:
            if m == "equal":
                tables = [equal(base.of_dimension(d)) for d in ("result", "process")
                          if base.of_dimension(d)]
            elif m in DATA_METHODS:
                fn = globals()[m]
                tables = [fn(panel, base.of_dimension(d)) for d in ("result", "process")
                          if base.of_dimension(d)]
            elif m == "evidence":
                vt = validity_table
                if vt is None:
                    from perfmodel.analysis.stats import predictive_validity
                    vt = predictive_validity(panel, process=base.of_dimension("process"),
                                             results=base.of_dimension("result"), oos=False)
                tables = [evidence(vt, base.of_dimension("process"))]
            else:
                raise UsageError(f"unknown method {m!r}: use {', '.join(('equal',) + DATA_METHODS + ('evidence',))}")
            add(m, apply_weights(base, tables))
        except UsageError:
            raise
        except PerfmodelError as exc:
            skipped[m] = str(exc)
            warnings.warn(MethodSkipped(m, str(exc)), stacklevel=2)
    out = pd.DataFrame(rows)
    out.attrs["skipped"] = skipped  # deprecated: the MethodSkipped warnings say the same
    return out


def plot_comparison(table: pd.DataFrame, *, lang: str = "en"):
    """Bar chart of :func:`compare_methods`: one panel per dimension, one bar per method.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    dims = [d for d in ("result", "process") if d in set(table["dimension"])]
    heights = [max(2.0, 0.45 * table[table.dimension == d]["indicator"].nunique() + 1) for d in dims]
    fig, axes = plt.subplots(len(dims), 1, figsize=(9, sum(heights)),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    from perfmodel.core.i18n import t as label

    t = table.copy()
    t["label"] = [catalogue.name(i, lang) if i in catalogue.indicator_ids() else i for i in t["indicator"]]
    t["method"] = [label(f"method_{m}", lang) for m in t["method"]]
    for ax, d in zip(axes[:, 0], dims):
        sns.barplot(data=t[t.dimension == d], y="label", x="weight", hue="method", ax=ax, orient="h")
        ax.set_title(label(d, lang))
        ax.set_ylabel("")
        ax.set_xlabel(label("weight_within_dimension", lang))
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
