"""Weights from the evidence of predictive validity."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from perfmodel.analysis.weights.common import WeightsDataError
from perfmodel.core.errors import DataError, UsageError

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

    Examples
    --------
    First response predicts two results (|−0.30| + |0.10| = 0.4), compliance one (0.2),
    training none: weights 0.4/0.6, 0.2/0.6 and 0. With ``aggregate="max"`` and a floor of
    0.05 every indicator stays: 0.30, 0.20 and 0.05 out of 0.55:

    >>> validity = pd.DataFrame({
    ...     "process": ["first_response_hours", "first_response_hours", "compliance_rate",
    ...                 "training_completion_rate"],
    ...     "result": ["csat", "complaint_resolution_rate", "csat", "csat"],
    ...     "std_effect": [-0.30, 0.10, 0.20, 0.05],
    ...     "verdict": ["predicts", "predicts", "predicts", "no evidence"]})
    >>> evidence(validity)[["indicator", "weight", "evidence", "n_predicts", "floored"]].round(4)
                      indicator  weight  evidence  n_predicts  floored
    0      first_response_hours  0.6667       0.4           2    False
    1           compliance_rate  0.3333       0.2           1    False
    2  training_completion_rate  0.0000       0.0           0     True
    >>> evidence(validity, floor=0.05, aggregate="max")["weight"].round(4).tolist()
    [0.5455, 0.3636, 0.0909]
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
        raise WeightsDataError("validity_empty")
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
        raise WeightsDataError("no_verdict", verdict=repr(verdict))
    out.insert(1, "weight", raw / raw.sum())
    out.attrs.update(method="evidence", floor=floor, aggregate=aggregate, verdict=verdict)
    return out
