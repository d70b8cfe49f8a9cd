"""Weights from pairwise judgements: the analytic hierarchy process (AHP)."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from perfmodel.analysis.weights.common import (
    _RECIPROCAL_RTOL,
    CR_THRESHOLD,
    RANDOM_INDEX,
    WeightsDataError,
    _frame,
    weights_text,
)
from perfmodel.core.errors import DataError, UsageError
from perfmodel.core.numbers import format_number
from perfmodel.core.result import Result, Unpackable

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
        """A sentence to show the analyst when CR > 0.1 (in English), else None;
        :meth:`consistency_warning` words it in either language."""
        return self.consistency_warning(lang="en")

    def consistency_warning(self, *, lang: str = "en") -> str | None:
        """Return the warning for CR > 0.1 in ``lang`` (``en`` or ``zh``), or None when consistent.

        Examples
        --------
        >>> res = ahp([[1, 9, 1/9], [1/9, 1, 9], [9, 1/9, 1]], labels=["a", "b", "c"])
        >>> res.consistency_warning(lang="zh")[:18]
        '一致性比率 6.130 > 0.1：'
        >>> ahp([[1, 3], [1/3, 1]]).consistency_warning() is None
        True
        """
        if self.consistent:
            return None
        return weights_text("ahp_inconsistent", lang=lang, cr=format_number(self.consistency_ratio, ".3f"),
                            threshold=CR_THRESHOLD)

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


def _parse_cell(text: str, where: dict) -> float:
    s = str(text).strip()
    if not s:
        raise WeightsDataError("pairwise_cell_empty", **where)
    try:
        v = float(Fraction(s)) if "/" in s else float(s)
    except (ValueError, ZeroDivisionError):
        raise WeightsDataError("pairwise_cell_not_number", value=s, **where) from None
    if not (np.isfinite(v) and v > 0):
        raise WeightsDataError("pairwise_cell_not_positive", value=s, **where)
    return v


def _read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else GB18030/GBK as Excel saves it in China."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise WeightsDataError("pairwise_not_found", file=str(path)) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise WeightsDataError("pairwise_encoding", file=str(path))


def _check_judgements(path: Path, labels: list[str], cells: list[list[str]], values: list[list[float]]) -> None:
    """Diagonal 1 and reciprocal cells, each failure named by file, row and column (rows count from 1)."""
    for i, row_id in enumerate(labels):
        if not np.isclose(values[i][i], 1.0):
            raise WeightsDataError("pairwise_diagonal", file=str(path), row=i + 2, row_id=row_id,
                                   column=row_id, value=cells[i][i].strip())
    for i, row_id in enumerate(labels):
        for j in range(i + 1, len(labels)):
            if not np.isclose(values[i][j] * values[j][i], 1.0, rtol=_RECIPROCAL_RTOL, atol=0):
                expected = Fraction(1 / values[i][j]).limit_denominator(1000)
                raise WeightsDataError("pairwise_not_reciprocal", file=str(path), row=i + 2, row_id=row_id,
                                       column=labels[j], value=cells[i][j].strip(), row2=j + 2,
                                       value2=cells[j][i].strip(), expected=str(expected))


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
        Float matrix with the ids as index and columns; the consistency of the judgements
        is measured by :func:`ahp`.

    Raises
    ------
    WeightsDataError
        The file is missing or not UTF-8/GB18030 text, a row has the wrong number of cells,
        a cell is empty, not a number or not positive, the first column and the header list
        different ids, a diagonal cell is not 1, or a cell is not the reciprocal of its
        mirror. The message names the file, the row and the column and says what to write;
        ``text(lang="zh")`` words it in Chinese.

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
    text = _read_text(path)
    rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise WeightsDataError("pairwise_too_short", file=str(path))
    header = [c.strip() for c in rows[0][1:]]
    labels, cells, values = [], [], []
    for k, r in enumerate(rows[1:], start=2):
        if len(r) != len(header) + 1:
            raise WeightsDataError("pairwise_row_length", file=str(path), row=k, cells=len(r),
                                   expected=len(header) + 1)
        labels.append(r[0].strip())
        cells.append(r[1:])
        values.append([_parse_cell(c, {"file": str(path), "row": k, "row_id": r[0].strip(), "column": header[j]})
                       for j, c in enumerate(r[1:])])
    if labels != header:
        raise WeightsDataError("pairwise_ids_differ", file=str(path), labels=labels, header=header)
    _check_judgements(path, labels, cells, values)
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
