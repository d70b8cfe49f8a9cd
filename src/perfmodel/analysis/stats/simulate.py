"""Simulated wide indicator panels with known lagged effects (for power studies and checks)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfmodel.core import catalogue
from perfmodel.core.periods import period_range
from perfmodel.core.result import Result, Unpackable


def simulate_panel(n_supervisors: int = 200, start: str = "2024Q1", end: str = "2025Q4",
                   effects=None, process=None, results=None, seed: int = 0,
                   missing: float = 0.0, rho: float = 0.5, supervisor_sd: float = 1.0,
                   period_sd: float = 0.5, noise_sd: float = 1.0):
    """Draw a wide panel in which chosen process indicators drive later result indicators.

    Each process indicator is ``x[i, t] = m_i + l_t + v[i, t]`` with a supervisor level
    ``m_i ~ N(0, supervisor_sd)``, a period shock ``l_t ~ N(0, period_sd)`` and a stationary
    AR(1) within-supervisor part ``v`` (correlation ``rho``, variance 1). Each result is
    ``y[i, t] = a_i + d_t + sum(coef * x_p[i, t - lag]) + e[i, t]`` with ``e ~ N(0, noise_sd)``.
    The predictor is drawn for ``lag`` periods before ``start`` so every period has its lag.

    Parameters
    ----------
    n_supervisors : int
    start, end : str
        First and last period ids (quarters or months).
    effects : list of dict, optional
        True effects ``{"process", "result", "lag", "coef"}``; default none (the null world).
    process, results : list of str, optional
        Indicator columns; default the catalogue's process and result indicators.
    seed : int
    missing : float
        Share of cells set to NaN at random (independently per indicator).
    rho, supervisor_sd, period_sd, noise_sd : float
        See above.

    Returns
    -------
    SimulatedPanel
        ``panel`` (also its ``table``): ``supervisor_id``, ``period`` and one float column
        per indicator; ``truth``: the effects, ``process``, ``result``, ``lag``, ``coef``.
        ``panel, truth = simulate_panel(...)`` still works for one version, with a
        DeprecationWarning.

    Examples
    --------
    >>> sim = simulate_panel(3, "2026Q1", "2026Q2", process=["reopen_rate"], results=["csat"], seed=1)
    >>> sim.panel[["supervisor_id", "period"]].values.tolist()[:2], len(sim.truth)
    ([['S0000', '2026Q1'], ['S0000', '2026Q2']], 0)
    """
    process = list(process) if process is not None else catalogue.ids_of("process")
    results = list(results) if results is not None else catalogue.ids_of("result")
    effects = list(effects or [])
    rng = np.random.default_rng(seed)
    periods = [p.id for p in period_range(start, end)]
    n_t = len(periods)
    burn = max([int(e["lag"]) for e in effects] + [1])
    tt = n_t + burn
    g = n_supervisors
    xs = {}
    for p in process:
        v = np.empty((g, tt))
        v[:, 0] = rng.standard_normal(g)
        innov = np.sqrt(1 - rho ** 2)
        for t in range(1, tt):
            v[:, t] = rho * v[:, t - 1] + innov * rng.standard_normal(g)
        xs[p] = (supervisor_sd * rng.standard_normal(g)[:, None]
                 + period_sd * rng.standard_normal(tt)[None, :] + v)
    ys = {}
    for r in results:
        y = (supervisor_sd * rng.standard_normal(g)[:, None]
             + period_sd * rng.standard_normal(n_t)[None, :]
             + noise_sd * rng.standard_normal((g, n_t)))
        for e in effects:
            if e["result"] == r:
                lag = int(e["lag"])
                y = y + float(e["coef"]) * xs[e["process"]][:, burn - lag: burn - lag + n_t]
        ys[r] = y
    ids = [f"S{i:04d}" for i in range(g)]
    out = pd.DataFrame({"supervisor_id": np.repeat(ids, n_t), "period": np.tile(periods, g)})
    for p in process:
        out[p] = xs[p][:, burn:].ravel()
    for r in results:
        out[r] = ys[r].ravel()
    if missing > 0:
        for c in [*process, *results]:
            out.loc[rng.random(len(out)) < missing, c] = np.nan
    truth = pd.DataFrame(effects, columns=["process", "result", "lag", "coef"])
    return SimulatedPanel(out, truth, seed)


@dataclass(frozen=True)
class SimulatedPanel(Unpackable, Result):
    """What :func:`simulate_panel` drew (a :class:`perfmodel.core.result.Result`).

    Attributes
    ----------
    panel : pandas.DataFrame
        The wide panel (``table``).
    truth : pandas.DataFrame
        The true effects: ``process``, ``result``, ``lag``, ``coef``.
    seed : int
    """

    panel: pd.DataFrame
    truth: pd.DataFrame
    seed: int

    title = "Simulated panel"
    _unpack = ("panel", "truth")

    @property
    def table(self) -> pd.DataFrame:
        """:attr:`panel`."""
        return self.panel

    def headline(self) -> dict:
        """``supervisors``, ``periods``, ``effects`` (``process -> result (lag L): coef``) and ``seed``."""
        effects = "; ".join(f"{r.process} -> {r.result} (lag {r.lag}): {r.coef:g}" for r in self.truth.itertuples())
        return {"supervisors": self.panel["supervisor_id"].nunique(), "periods": self.panel["period"].nunique(),
                "effects": effects or "none", "seed": self.seed}
