"""The true effects of the synthetic company: coefficients, centres and the ground truth."""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfmodel.core.catalogue import ids_of, indicator
from perfmodel.core.errors import UsageError

#: True lag-1 effects (process, result) -> change in the result per unit of the process.
TRUE_EFFECTS: dict[tuple[str, str], float] = {
    ("training_completion_rate", "csat"): 0.8,
    ("compliance_rate", "csat"): 2.0,
    ("first_response_hours", "csat"): -0.02,
    ("staff_turnover_rate", "customer_churn_rate"): 0.15,
    ("timely_closure_rate", "complaint_resolution_rate"): 0.3,
    ("collaboration_score", "followup_positive_rate"): 0.04,
}

#: Centring constants (typical values) of the process indicators with an effect.
CENTRES: dict[str, float] = {
    "training_completion_rate": 0.80,
    "compliance_rate": 0.95,
    "first_response_hours": 4.0,
    "staff_turnover_rate": 0.06,
    "timely_closure_rate": 0.85,
    "collaboration_score": 3.8,
}


def _effect_term(x_prev: np.ndarray, process: str, result: str, betas: dict) -> np.ndarray:
    """beta * (x[s, t-1] - c) as an (S, T) array; zero for t = 0 and for missing x."""
    beta = betas.get((process, result), 0.0)
    term = np.zeros_like(x_prev)
    if beta:
        dev = x_prev[:, :-1] - CENTRES[process]
        term[:, 1:] = beta * np.nan_to_num(dev, nan=0.0)
    return term



def ground_truth(effects: str = "default") -> pd.DataFrame:
    """Return the true lag-1 effect of every process indicator on every result indicator.

    Parameters
    ----------
    effects : {"default", "zero"}
        ``"zero"`` gives the null world (every coefficient 0).

    Returns
    -------
    pandas.DataFrame
        One row per process × result pair of the catalogue (12 × 5), columns ``process``,
        ``result``, ``lag`` (1), ``coef`` (change in the result per unit of the process in
        the previous period; 0 = no effect) and ``units``.

    Examples
    --------
    Six of the 60 process × result pairs carry an effect:

    >>> truth = ground_truth()
    >>> truth.shape
    (60, 5)
    >>> truth[truth["coef"] != 0][["process", "result", "coef"]]
                         process                     result  coef
    0       first_response_hours                       csat -0.02
    6            compliance_rate                       csat  2.00
    8   training_completion_rate                       csat  0.80
    19       collaboration_score     followup_positive_rate  0.04
    26       timely_closure_rate  complaint_resolution_rate  0.30
    46       staff_turnover_rate        customer_churn_rate  0.15
    >>> print(truth.loc[0, "units"])
    change in csat (score) per 1 hours of first_response_hours in the previous period
    >>> float(ground_truth("zero")["coef"].abs().sum())
    0.0
    """
    if effects not in ("default", "zero"):
        raise UsageError(f"effects {effects!r}: use 'default' or 'zero'")
    rows = []
    for res in ids_of("result"):
        for proc in ids_of("process"):
            if indicator(proc).get("alternative_to"):
                continue  # another clock on a mechanism listed under its twin, not a mechanism
            coef = TRUE_EFFECTS.get((proc, res), 0.0) if effects == "default" else 0.0
            rows.append({
                "process": proc, "result": res, "lag": 1, "coef": float(coef),
                "units": (f"change in {res} ({indicator(res)['unit']}) per 1 "
                          f"{indicator(proc)['unit']} of {proc} in the previous period"),
            })
    return pd.DataFrame(rows)

