"""Vectorised helpers of the synthetic company: Arrow columns, integer draws, group means."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

def _secs(ts: pd.Timestamp) -> int:
    return int(pd.Timestamp(ts).value // 1_000_000_000)


def _ids(prefix: str, numbers: np.ndarray, width: int, mask: np.ndarray | None = None) -> pa.Array:
    """``prefix`` + zero-padded numbers as an Arrow string array (null where ``mask``)."""
    arr = pa.array(np.asarray(numbers, dtype=np.int64), mask=mask)
    padded = pc.utf8_lpad(pc.cast(arr, pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, padded, "")


def _lookup(values, index: np.ndarray) -> pa.Array:
    """``values[index]`` as a plain Arrow array (null where ``index`` < 0)."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    idx = pa.array(np.asarray(index, dtype=np.int64), mask=np.asarray(index) < 0)
    return values.take(idx)


def _width(n: int) -> int:
    return max(3, len(str(max(int(n), 1))))


def _ts(secs: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(secs, dtype=np.int64), mask=missing, type=pa.timestamp("s"))


def _date(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), mask=missing, type=pa.date32())


def _integer_with_mean(rng, mu: np.ndarray) -> np.ndarray:
    """Integers floor(mu) or floor(mu)+1 with expectation exactly ``mu``."""
    lo = np.floor(mu)
    return (lo + (rng.random(mu.shape) < (mu - lo))).astype(np.int64)


def _score_1_5(rng, mu: np.ndarray) -> np.ndarray:
    """Integer scores 1..5 with expectation exactly ``mu`` (``mu`` in [1.3, 4.8])."""
    uniform = rng.random(mu.shape) < 0.1
    inner = _integer_with_mean(rng, (mu - 0.3) / 0.9)
    return np.where(uniform, rng.integers(1, 6, mu.shape), inner)


class _Clip:
    """Clip to a range and count how many values had to be clipped."""

    def __init__(self):
        self.count = 0

    def __call__(self, x, lo, hi):
        x = np.asarray(x, dtype=float)
        self.count += int(np.count_nonzero((x < lo) | (x > hi)))
        return np.clip(x, lo, hi)


def _rank_within(groups: np.ndarray, eligible: np.ndarray, rng) -> np.ndarray:
    """Random rank 0, 1, ... of each eligible row within its group (groups sorted)."""
    key = rng.random(groups.size)
    order = np.lexsort((key, ~eligible, groups))
    g = groups[order]
    first = np.searchsorted(g, g, side="left")
    rank = np.empty(groups.size, dtype=np.int64)
    rank[order] = np.arange(groups.size) - first
    return np.where(eligible, rank, np.iinfo(np.int64).max)


def _group_mean(groups: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    num = np.bincount(groups, weights=values, minlength=n_groups)
    den = np.bincount(groups, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.maximum(den, 1), np.nan)

