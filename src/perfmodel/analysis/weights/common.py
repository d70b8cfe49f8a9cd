"""What every weighting method shares: constants, normalisation, rounding, lopsided weights."""
from __future__ import annotations

import warnings
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from perfmodel.core import catalogue
from perfmodel.core.errors import DataError, PerfmodelWarning, UsageError

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
