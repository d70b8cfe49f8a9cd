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
  :func:`perfmodel.analysis.stats.predictive_validity` finds that it ``predicts`` a result indicator
  of the policy one period later. No reason and a test without evidence is an error; no
  reason and no test possible (no data, too little history, statistics unavailable) is a
  warning.
- **T**ime-bound — the policy sets ``period: quarter`` or ``month`` (error).

Messages are in English or Simplified Chinese (``lang="zh"``); their templates are the data
:data:`MESSAGES`, one entry per kind of finding with a text per language, and Chinese
messages name an indicator as "中文名称（id）" so it can be found in the policy file.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

import numpy as np
import pandas as pd

from perfmodel.core import catalogue as cat
from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only, old_order
from perfmodel.core.errors import UsageError
from perfmodel.core.i18n import check_lang, t
from perfmodel.scoring.policy import IndicatorRule, Policy, load_policy, presets
from perfmodel.scoring.targets import reaches, target_value
from perfmodel.core.numbers import shown_values

COLUMNS = ["indicator", "letter", "severity", "message"]
LETTERS = "SMART"
LOW, HIGH = 0.10, 0.90
MIN_HISTORY = 10

# The names of the SMART letters (SPEC seed: 明确性, 可衡量性, 可实现性, 相关性, 时限性).
LETTER_NAMES: dict[str, dict[str, str]] = messages.group("smart_letters")

# Message templates per finding and language, filled with str.format. A template may ignore
# values it has no use for (English plurals, Chinese names). Fields: ``ind`` the indicator
# id; ``label`` its name for the language (the id in English, "名称（id）" in Chinese);
# ``what`` the target as described by the ``target_*`` templates.
MESSAGES: dict[str, dict[str, str]] = messages.group("smart")

# How a list is joined in a sentence.
SEPARATOR = messages.group("common")["list_sep"]


@keyword_only("lang")
def message(key: str, *, lang: str = "en", **values) -> str:
    """Return the SMART message ``key`` in ``lang`` filled with ``values``.

    ``values`` may hold more fields than the template uses.

    Returns
    -------
    str
        The message text.

    Examples
    --------
    >>> message("label", lang="zh", ind="csat", name="客户满意度")
    '客户满意度（csat）'
    >>> message("label", lang="en", ind="csat", name="客户满意度")  # English names the id only
    'csat'
    >>> message("short_history", lang="en", n=3, what="the target 4.3")
    'only 3 supervisor-periods with a value; too little history to judge the target 4.3'
    """
    return MESSAGES[key][check_lang(lang)].format(**shown_values(values))


def _label(ind: str, *, lang: str) -> str:
    """An indicator as a message names it: the id in English, "名称（id）" in Chinese."""
    if ind not in cat.indicator_ids():
        return ind
    return message("label", lang=lang, ind=ind, name=cat.name(ind, lang=lang))


def _is_policy(x) -> bool:
    """Whether ``x`` can only be a policy: a Policy, a preset name or a YAML file name."""
    if isinstance(x, Policy):
        return True
    if isinstance(x, (str, os.PathLike)):
        return str(x) in presets() or Path(x).suffix.lower() in (".yaml", ".yml")
    return False


def _old_lint_order(args, kwargs):
    """The call in the new order when it was made as ``lint(policy, data)``; None otherwise."""
    if not args or "policy" in kwargs or not _is_policy(args[0]):
        return None
    if len(args) > 1 and _is_policy(args[1]):
        return None
    data = args[1] if len(args) > 1 else kwargs.pop("data", None)
    return (data, args[0], *args[2:]), kwargs


@old_order("data, policy", _old_lint_order)
def lint(data=None, policy=None, *, panel: pd.DataFrame | None = None,
         validity: pd.DataFrame | None = None, lag: int = 1, lang: str = "en",
         tables=None) -> pd.DataFrame:
    """Check a policy against SMART.

    The data come first and the policy second, as in :func:`perfmodel.score`. The former
    order ``lint(policy, data)`` still works for one version, with a ``DeprecationWarning``
    (recognised by a policy, a preset name or a ``.yaml`` file in the first place).

    Parameters
    ----------
    data : Dataset or path, optional
        The history to check against (M, A and R need it). Without it (``data=None``)
        only the policy itself is checked, or the ``panel`` when one is given.
    policy : Policy, str or path
        A policy or a file/preset (read leniently: unknown indicators become S findings).
    panel : pandas.DataFrame, optional
        A wide indicator panel of that history, when already computed (otherwise computed
        from ``data`` with :func:`perfmodel.indicators.compute_indicators`).
    validity : pandas.DataFrame, optional
        Output of :func:`perfmodel.analysis.stats.predictive_validity` to use instead of running it.
    tables : iterable of str, optional
        Names of the tables the data holds, when ``data`` is not given (a report made from
        a run's results); M then names the tables an indicator needs that are absent.
    lag : int
        Periods between process and result in the validity test (a whole number, 1 or more).
    lang : {"en", "zh"}
        Language of the messages (see :data:`MESSAGES`); the other columns are codes and do
        not change with the language.

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``indicator`` ("" for the policy as a whole), ``letter``
        (S, M, A, R or T), ``severity`` (``error`` or ``warning``), ``message`` in ``lang``.
        Sorted by letter in SMART order, then in policy order. No rows = nothing to report.

    Raises
    ------
    UsageError
        No policy is given, ``lang`` is not "en" or "zh", or ``lag`` is not a whole number
        of 1 or more.
    PolicyError
        The policy cannot be read (any fault but an indicator missing from the catalogue).

    Examples
    --------
    Without data only the policy itself is checked:

    >>> findings = lint(policy="efficiency")
    >>> findings[["indicator", "letter", "severity"]]
                   indicator letter severity
    0  tickets_per_staff_day      S  warning
    1                             M  warning
    2                             A  warning
    >>> print(findings.loc[0, "message"])
    rule percentile ranks supervisors against each other: there is no absolute target to agree on; consider ratio or linear
    >>> print(lint(None, "efficiency", lang="zh").loc[1, "message"])
    未检查：请提供数据（--data DIR），以检查每个指标能否计量
    """
    check_lang(lang)
    if policy is None:
        raise UsageError(message("no_policy", lang=lang))
    lag = _whole_lag(lag)
    if not isinstance(policy, Policy):
        policy = load_policy(policy, strict=False)
    findings: list[dict] = []

    def add(ind, letter, severity, key, **values):
        findings.append({"indicator": ind, "letter": letter, "severity": severity,
                         "message": message(key, lang=lang, ind=ind, label=_label(ind, lang=lang), **values)})

    # S ---------------------------------------------------------------------------------
    for ind in policy.unknown_indicators:
        close = difflib.get_close_matches(ind, list(cat.indicator_ids()), n=1, cutoff=0.6)
        suggest = message("suggest", lang=lang, close=close[0], label=_label(close[0], lang=lang)) if close else ""
        add(ind, "S", "error", "unknown", suggest=suggest)
    for ind, r in policy.indicators.items():
        if r.known and r.rule == "percentile":
            add(ind, "S", "warning", "percentile")
    known = [k for k, r in policy.indicators.items() if r.known]

    dataset = _dataset(data) if data is not None else None
    if dataset is not None and panel is None:
        panel = _panel(dataset, policy)

    # M ---------------------------------------------------------------------------------
    if dataset is None and panel is None:
        add("", "M", "warning", "m_not_checked")
    else:
        tables = set(dataset.tables) if dataset is not None else (set(tables) if tables is not None else None)
        for ind in known:
            if tables is not None:
                absent = [x for x in cat.indicator(ind)["tables"] if x not in tables]
                if absent:
                    many = len(absent) > 1
                    add(ind, "M", "error", "tables_absent", tables=SEPARATOR[lang].join(absent),
                        s="s" if many else "", them="them" if many else "it")
                    continue
            if panel is not None and (ind not in panel.columns or panel[ind].notna().sum() == 0):
                add(ind, "M", "warning", "no_value")

    # A ---------------------------------------------------------------------------------
    if panel is None:
        add("", "A", "warning", "a_not_checked")
    else:
        for ind in known:
            r = policy.indicators[ind]
            if r.rule == "percentile" or ind not in panel.columns:
                continue
            x = pd.to_numeric(panel[ind], errors="coerce").dropna().to_numpy(dtype=float)
            reached, what = _reached(x, r, lang=lang)
            if len(x) < MIN_HISTORY:
                if len(x):
                    add(ind, "A", "warning", "short_history", n=len(x), what=what)
                continue
            share = reached.mean()
            figures = dict(what=what, share=share, n=len(x), low=LOW, high=HIGH, median=np.median(x))
            if share < LOW:
                add(ind, "A", "error", "too_hard", **figures)
            elif share > HIGH:
                add(ind, "A", "warning", "too_easy", **figures)

    # R ---------------------------------------------------------------------------------
    need = [k for k in known if policy.indicators[k].dimension == "process"
            and policy.indicators[k].weight > 0 and not policy.indicators[k].relevance]
    if need:
        results = [k for k in known if policy.indicators[k].dimension == "result"]
        verdicts, why_not = _verdicts(panel, need, results, validity, lag)
        for ind in need:
            v = verdicts.get(ind)
            if v is None:
                add(ind, "R", "warning", "r_untested", why_not=message(why_not, lang=lang))
            elif "predicts" in v:
                continue
            elif set(v) <= {"insufficient data"}:
                add(ind, "R", "warning", "r_short_history")
            else:
                add(ind, "R", "error", "r_no_evidence", lag=lag,
                    verdicts=SEPARATOR[lang].join(t(x, lang=lang) for x in sorted(set(v))))

    # T ---------------------------------------------------------------------------------
    if policy.period is None:
        add("", "T", "error", "no_period")

    out = pd.DataFrame(findings, columns=COLUMNS)
    order = {k: i for i, k in enumerate([""] + list(policy.indicators))}
    out["_l"] = out["letter"].map(LETTERS.index)
    out["_i"] = out["indicator"].map(order)
    return out.sort_values(["_l", "_i"], kind="mergesort").drop(columns=["_l", "_i"]).reset_index(drop=True)


def _reached(x: np.ndarray, r: IndicatorRule, *, lang: str = "en"):
    """Boolean array 'target reached' and a description of the target in ``lang``."""
    rule_name = t(f"rule_{r.rule}", lang=lang)
    target = target_value(r)  # perfmodel.scoring.targets: the band threshold, a deduction's 0, ...
    if r.rule == "bands":
        what = message("target_bands", lang=lang, t=target, rule_name=rule_name)
    else:
        what = message("target_rule", lang=lang, t=target, rule=r.rule, rule_name=rule_name)
    return reaches(x, target, r.direction), what


def _whole_lag(lag) -> int:
    """``lag`` as an int; UsageError unless it is a whole number of 1 or more."""
    try:
        ok = not isinstance(lag, bool) and int(lag) == lag and lag >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise UsageError(f"lag={lag!r}: use a whole number of periods, 1 or more")
    return int(lag)


def _dataset(data):
    from perfmodel.pipeline import load
    return load(data)


def _panel(dataset, policy: Policy) -> pd.DataFrame:
    from perfmodel.indicators import wide_panel
    from perfmodel.pipeline import run_pipeline

    return wide_panel(run_pipeline(dataset, kind=policy.period or "quarter").panel)


def _verdicts(panel, process, results, validity, lag):
    """Map process indicator -> list of verdicts against the results; and why when none
    (a key of :data:`MESSAGES`)."""
    if validity is None:
        if panel is None:
            return {}, "why_no_data"
        if not results:
            return {}, "why_no_result"
        try:
            from perfmodel.analysis.stats import predictive_validity
        except ImportError:
            return {}, "why_unavailable"
        present_p = [p for p in process if p in panel.columns]
        present_r = [r for r in results if r in panel.columns]
        if not present_p or not present_r:
            return {}, "why_no_values"
        validity = predictive_validity(panel, process=present_p, results=present_r, lag=lag, oos=False)
    verdicts: dict[str, list[str]] = {}
    rows = validity[validity["process"].isin(process) & validity["result"].isin(results)]
    for p, group in rows.groupby("process"):
        verdicts[p] = group["verdict"].astype(str).tolist()
    return verdicts, "why_not_tested"
