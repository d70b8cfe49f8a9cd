"""The SMART check of a policy (SPEC §4; ``perfmodel lint``).

Each finding names an indicator (or "" for the policy as a whole), the SMART letter, a
severity and a message that says what to do:

- **S**pecific — every indicator exists in the catalogue (error); a ``percentile`` rule has
  no absolute target to agree on with the supervisor (warning).
- **M**easurable — the indicator's source tables are present in the data (error; needs data)
  and it has at least one value (warning).
- **A**chievable — the target was reached by at least 10 % of the supervisor-periods in the
  history given (error below) and at most 90 % (warning above: no stretch). "Reached"
  means the value meets the rule's target (``ratio``, ``linear``, ``gate``,
  ``deduction``), or reaches the lowest band worth 100 points or more (``bands``; the
  first band when none is worth 100). Percentile rules are relative and not checked.
- **R**elevant — each weighted process indicator has a declared ``relevance:`` reason, or
  :func:`perfmodel.stats.predictive_validity` finds that it ``predicts`` a result indicator
  of the policy one period later. No reason and a test without evidence is an error; no
  reason and no test possible (no data, too little history, statistics unavailable) is a
  warning.
- **T**ime-bound — the policy sets ``period: quarter`` or ``month`` (error).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import catalogue as cat
from .policy import IndicatorRule, Policy, load_policy

COLUMNS = ["indicator", "letter", "severity", "message"]
LETTERS = "SMART"
LOW, HIGH = 0.10, 0.90
MIN_HISTORY = 10


def lint(policy, data=None, *, panel: pd.DataFrame | None = None, validity: pd.DataFrame | None = None,
         lag: int = 1) -> pd.DataFrame:
    """Check a policy against SMART.

    Parameters
    ----------
    policy : Policy, str or path
        A policy or a file/preset (read leniently: unknown indicators become S findings).
    data : Dataset or path, optional
        The history to check against (M, A and R need it).
    panel : pandas.DataFrame, optional
        A wide indicator panel of that history, when already computed (otherwise computed
        from ``data`` with :func:`perfmodel.indicators.compute_indicators`).
    validity : pandas.DataFrame, optional
        Output of :func:`perfmodel.stats.predictive_validity` to use instead of running it.
    lag : int
        Periods between process and result in the validity test.

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``indicator`` ("" for the policy as a whole), ``letter``
        (S, M, A, R or T), ``severity`` (``error`` or ``warning``), ``message``. Sorted by
        letter in SMART order, then in policy order. No rows = nothing to report.
    """
    if not isinstance(policy, Policy):
        policy = load_policy(policy, strict=False)
    findings: list[dict] = []

    def add(ind, letter, severity, message):
        findings.append({"indicator": ind, "letter": letter, "severity": severity, "message": message})

    # S ---------------------------------------------------------------------------------
    for ind in policy.unknown_indicators:
        add(ind, "S", "error", f"not an indicator of the catalogue; use a catalogue id "
                               f"(see `perfmodel indicators --list`)")
    for ind, r in policy.indicators.items():
        if r.known and r.rule == "percentile":
            add(ind, "S", "warning", "rule percentile ranks supervisors against each other: there is "
                                     "no absolute target to agree on; consider ratio or linear")
    known = [k for k, r in policy.indicators.items() if r.known]

    dataset = _dataset(data) if data is not None else None
    if dataset is not None and panel is None:
        panel = _panel(dataset, policy)

    # M ---------------------------------------------------------------------------------
    if dataset is None and panel is None:
        add("", "M", "warning", "not checked: give the data (--data DIR) to check that every "
                                "indicator can be measured")
    else:
        tables = set(dataset.tables) if dataset is not None else None
        for ind in known:
            if tables is not None:
                absent = [t for t in cat.indicator(ind)["tables"] if t not in tables]
                if absent:
                    add(ind, "M", "error", f"table{'s' if len(absent) > 1 else ''} "
                                           f"{', '.join(absent)} absent from the data: "
                                           f"{ind} cannot be measured; supply "
                                           f"{'them' if len(absent) > 1 else 'it'} or drop {ind}")
                    continue
            if panel is not None and (ind not in panel.columns or panel[ind].notna().sum() == 0):
                add(ind, "M", "warning", f"no value in any supervisor-period of the data; check "
                                         f"the source tables of {ind}")

    # A ---------------------------------------------------------------------------------
    if panel is None:
        add("", "A", "warning", "not checked: give the data (--data DIR) to check that targets "
                                "are achievable")
    else:
        for ind in known:
            r = policy.indicators[ind]
            if r.rule == "percentile" or ind not in panel.columns:
                continue
            x = pd.to_numeric(panel[ind], errors="coerce").dropna().to_numpy(dtype=float)
            reached, what = _reached(x, r)
            if len(x) < MIN_HISTORY:
                if len(x):
                    add(ind, "A", "warning", f"only {len(x)} supervisor-periods with a value; too "
                                             f"little history to judge {what}")
                continue
            share = reached.mean()
            if share < LOW:
                add(ind, "A", "error", f"{what} reached by {share:.0%} of {len(x)} supervisor-periods "
                                       f"(below {LOW:.0%}): not achievable; move it toward the "
                                       f"median {np.median(x):.4g}")
            elif share > HIGH:
                add(ind, "A", "warning", f"{what} reached by {share:.0%} of {len(x)} supervisor-periods "
                                         f"(above {HIGH:.0%}): no stretch; move it beyond the "
                                         f"median {np.median(x):.4g}")

    # R ---------------------------------------------------------------------------------
    need = [k for k in known if policy.indicators[k].dimension == "process"
            and policy.indicators[k].weight > 0 and not policy.indicators[k].relevance]
    if need:
        results = [k for k in known if policy.indicators[k].dimension == "result"]
        verdicts, why_not = _verdicts(panel, need, results, validity, lag)
        for ind in need:
            v = verdicts.get(ind)
            if v is None:
                add(ind, "R", "warning", f"no declared relevance and {why_not}; add relevance: "
                                         f"<reason> to the indicator")
            elif "predicts" in v:
                continue
            elif set(v) <= {"insufficient data"}:
                add(ind, "R", "warning", "no declared relevance and too little history to test "
                                         "whether it predicts a result; add relevance: <reason>")
            else:
                add(ind, "R", "error", f"no declared relevance and no evidence that it predicts a "
                                       f"result indicator {lag} period(s) later "
                                       f"({', '.join(sorted(set(v)))}); add relevance: <reason> "
                                       f"or drop it")

    # T ---------------------------------------------------------------------------------
    if policy.period is None:
        add("", "T", "error", "no period set; add period: quarter or period: month")

    out = pd.DataFrame(findings, columns=COLUMNS)
    order = {k: i for i, k in enumerate([""] + list(policy.indicators))}
    out["_l"] = out["letter"].map(LETTERS.index)
    out["_i"] = out["indicator"].map(order)
    return out.sort_values(["_l", "_i"], kind="mergesort").drop(columns=["_l", "_i"]).reset_index(drop=True)


def _reached(x: np.ndarray, r: IndicatorRule):
    """Boolean array 'target reached' and a description of the target."""
    higher = r.direction == "higher"
    if r.rule == "bands":
        full = [t for t, s in r.bands if s >= 100]
        t = full[-1] if full else r.bands[0][0]
        what = f"band threshold {t:g} (rule bands)"
    elif r.rule == "deduction":
        t = r.target if r.target is not None else 0.0
        what = f"target {t:g} (rule deduction)"
    else:
        t = r.target
        what = f"target {t:g} (rule {r.rule})"
    return ((x >= t) if higher else (x <= t)), what


def _dataset(data):
    from .dataset import Dataset
    if isinstance(data, Dataset):
        return data
    from .loader import load_dataset
    return load_dataset(data)


def _panel(dataset, policy: Policy) -> pd.DataFrame | None:
    try:
        from .indicators import compute_indicators, wide_panel
    except ImportError:  # pragma: no cover - the indicators module ships with the package
        return None
    long = compute_indicators(dataset, None, period_kind=policy.period or "quarter")
    return wide_panel(long)


def _verdicts(panel, process, results, validity, lag):
    """Map process indicator -> list of verdicts against the results; and why when none."""
    if validity is None:
        if panel is None:
            return {}, "no data to test predictive validity (--data DIR)"
        if not results:
            return {}, "no result indicator in the policy to test against"
        try:
            from .stats import predictive_validity
        except ImportError:
            return {}, "predictive validity is not available in this installation"
        present_p = [p for p in process if p in panel.columns]
        present_r = [r for r in results if r in panel.columns]
        if not present_p or not present_r:
            return {}, "the data hold no values to test predictive validity"
        validity = predictive_validity(panel, process=present_p, results=present_r, lag=lag, oos=False)
    verdicts: dict[str, list[str]] = {}
    rows = validity[validity["process"].isin(process) & validity["result"].isin(results)]
    for p, group in rows.groupby("process"):
        verdicts[p] = group["verdict"].astype(str).tolist()
    return verdicts, "predictive validity was not tested for it"
