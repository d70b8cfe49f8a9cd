"""What changes between two policies, and what it does to each supervisor (``perfmodel policy diff``).

:func:`diff_policies` lists the settings that differ (targets, weights, rules, bands,
ratings, ...) by key path. :func:`compare_scores` scores a panel under both policies and,
per supervisor, says which indicators moved the total most: the contribution of an
indicator is dimension weight × effective indicator weight × indicator score (the
effective weight is the policy weight after ``missing: renormalize`` spread the weights
of missing indicators), so the contributions of a row add up to its total and the
contribution changes add up to the change of the total.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from perfmodel.scoring.policy import Policy, load_policy
from perfmodel.scoring.scores import KEYS, contributions, score

TOP_MOVERS = 3


def _flatten(data, prefix="") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, path + "."))
        elif value is not None:
            out[path] = value
    return out


def _show(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def diff_policies(old, new) -> pd.DataFrame:
    """List the settings that differ between two policies.

    Parameters
    ----------
    old, new : Policy, str or path
        Policies, files or preset names.

    Returns
    -------
    pandas.DataFrame
        One row per changed setting: ``path`` (key path such as
        ``indicators.csat.target``, ``dimensions.result``, ``ratings.bands.S``), ``old`` and
        ``new`` (the values as text; None when the setting is absent on that side, e.g. an
        indicator added or dropped). Rows follow the order of the old policy, then the
        settings only the new one has.

    Examples
    --------
    >>> d = diff_policies("efficiency", "quality")
    >>> d[d["path"].str.startswith(("dimensions", "indicators.csat."))].reset_index(drop=True)
                         path   old   new
    0       dimensions.result  0.65  0.55
    1      dimensions.process  0.35  0.45
    2  indicators.csat.weight   0.3  0.35
    3  indicators.csat.target   4.3  4.35
    """
    a = _flatten(load_policy(old).to_dict())
    b = _flatten(load_policy(new).to_dict())
    rows = []
    for path in list(a) + [p for p in b if p not in a]:
        va, vb = _show(a.get(path)), _show(b.get(path))
        if va != vb:
            rows.append({"path": path, "old": va, "new": vb})
    return pd.DataFrame(rows, columns=["path", "old", "new"])


def compare_scores(panel: pd.DataFrame, old, new, *, top: int = TOP_MOVERS, groups=None) -> pd.DataFrame:
    """Score a panel under two policies and explain each supervisor's change.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide indicator panel (``supervisor_id``, ``period``, one column per indicator).
    old, new : Policy, str or path
        The policies to compare.
    groups : pandas.DataFrame, optional
        The supervisors table (``supervisor_id``, ``team``, ``region``), needed when a
        policy applies its quotas by team or region.
    top : int
        How many indicators to name in ``top_movers``.

    Returns
    -------
    pandas.DataFrame
        One row per supervisor and period (sorted by period, supervisor_id):
        ``supervisor_id``, ``period``, ``old_score``, ``new_score``, ``delta`` (new − old),
        ``old_rating``, ``new_rating``, ``top_movers`` (the indicators whose contribution
        changed most, largest absolute change first, as ``"csat +3.20; reopen_rate -1.10"``;
        "" when nothing moved or a total is missing).

    Examples
    --------
    Under ``quality`` S1's csat of 4.05 scores (4.05 − 3.8) / (4.35 − 3.8) × 100 = 45.45
    and weighs 0.55 (25.0 points, 7.5 fewer than the 0.65 × 50 of ``efficiency``); its
    turnover rate of 0.10 scores (0.15 − 0.10) / 0.12 × 100 = 41.67 at 0.45 (18.75 points,
    2.25 fewer than 0.35 × 60). The ratings of ``quality`` follow its quotas:

    >>> import pandas as pd
    >>> panel = pd.DataFrame({"supervisor_id": ["S1", "S2"], "period": "2026Q3",
    ...                       "csat": [4.05, 4.5], "staff_turnover_rate": [0.10, 0.20]})
    >>> print(compare_scores(panel, "efficiency", "quality").to_string())
      supervisor_id  period  old_score  new_score  delta old_rating new_rating                             top_movers
    0            S1  2026Q3       53.5      43.75  -9.75          D          B  csat -7.50; staff_turnover_rate -2.25
    1            S2  2026Q3       78.0      66.00 -12.00          B          A                            csat -12.00
    """
    old_p, new_p = load_policy(old), load_policy(new)
    s_old, s_new = score(panel, old_p, groups=groups), score(panel, new_p, groups=groups)
    c_old, c_new = contributions(panel, old_p), contributions(panel, new_p)
    inds = list(dict.fromkeys(old_p.weighted_indicators + new_p.weighted_indicators))
    a = c_old.reindex(columns=KEYS + inds)
    b = c_new.reindex(columns=KEYS + inds)
    # indicators absent from one policy contribute 0 there
    for ind in inds:
        if ind not in old_p.weighted_indicators:
            a[ind] = np.where(s_old["score"].notna(), 0.0, np.nan)
        if ind not in new_p.weighted_indicators:
            b[ind] = np.where(s_new["score"].notna(), 0.0, np.nan)
    change = b[inds].to_numpy(dtype=float) - a[inds].to_numpy(dtype=float)
    movers = []
    for row in change:
        if np.isnan(row).any():
            movers.append("")
            continue
        order = sorted(range(len(inds)), key=lambda j: (-abs(row[j]), j))
        named = [f"{inds[j]} {row[j]:+.2f}" for j in order[:top] if abs(row[j]) >= 0.005]
        movers.append("; ".join(named))
    out = s_old[KEYS].copy()
    out["old_score"] = s_old["score"].to_numpy()
    out["new_score"] = s_new["score"].to_numpy()
    out["delta"] = out["new_score"] - out["old_score"]
    out["old_rating"] = s_old["rating"].to_numpy()
    out["new_rating"] = s_new["rating"].to_numpy()
    out["top_movers"] = movers
    return out


def describe(old: Policy, new: Policy) -> str:
    """One line naming both policies (name, version, first 12 hex digits of the SHA-256).

    Examples
    --------
    The digests are those of the policies' YAML texts:

    >>> from perfmodel.core.hashing import sha256_text
    >>> from perfmodel.scoring.policy import load_policy, read_policy_text
    >>> describe(load_policy("efficiency"), load_policy("quality"))
    'after-sales-supervisor-efficiency 2026.1 (4894652bd781) -> after-sales-supervisor-quality 2026.1 (8814ee5558c8)'
    >>> sha256_text(read_policy_text("efficiency")[0])[:12]
    '4894652bd781'
    """
    return (f"{old.name} {old.version} ({old.sha256[:12]}) -> {new.name} {new.version} "
            f"({new.sha256[:12]})")
