"""The agreed goals on the pages: per indicator on the quarterly page, the supervisor's own on
the feedback page. Whether they replaced the policy's targets is said on both."""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfmodel.core.deprecation import keyword_only
from perfmodel.core.i18n import indicator_label, t

__all__ = ["goal_findings", "goal_findings_summary", "goals_summary", "own_goals", "show_goal_findings",
           "show_goals_summary", "show_own_goals_note"]


def goals_summary(ctx) -> pd.DataFrame:
    """The period's agreed goals per indicator, beside the policy's target.

    Returns
    -------
    pandas.DataFrame
        One row per weighted indicator with at least one agreed goal in the period, policy
        order: ``indicator`` (display name), ``policy_target`` (text), ``goals`` (supervisors
        with an agreed goal), ``agreed_low``, ``agreed_high`` (the easiest and hardest agreed
        targets, text), ``met_agreed`` (share of those supervisors with a value who meet
        their agreed target), ``used_in_score`` (yes/no in ``lang``). Empty without goals.

    Examples
    --------
    S1 agreed a csat of 4.5 and S2 of 4.0 for 2026Q3; S1 has 4.3 (not met), S2 4.05 (met):

    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context(goals=True)
    >>> summary = goals_summary(ctx)
    >>> summary[["indicator", "policy_target", "goals", "agreed_low", "agreed_high"]]
                   indicator policy_target  goals agreed_low agreed_high
    0  Customer satisfaction          4.30      2       4.00        4.50
    >>> summary[["met_agreed", "used_in_score"]]  # the policy does not say goals: replace
       met_agreed used_in_score
    0         0.5            no
    """
    from perfmodel.scoring.goals import goals_of
    from perfmodel.scoring.targets import fmt_value

    pol = ctx.policy
    goals = goals_of(pol, ctx.period)
    cols = ["indicator", "policy_target", "goals", "agreed_low", "agreed_high", "met_agreed", "used_in_score"]
    if goals.empty:
        return pd.DataFrame(columns=cols)
    now = ctx.wide[ctx.wide["period"] == ctx.period].astype({"supervisor_id": str}).set_index("supervisor_id")
    rows = []
    for ind, g in goals.groupby("indicator", sort=False):
        higher = pol.indicators[ind].direction == "higher"
        x = now[ind].reindex(g["supervisor_id"]).to_numpy(dtype=float) if ind in now else np.full(len(g), np.nan)
        target = g["agreed_target"].to_numpy(dtype=float)
        have = ~np.isnan(x)
        met = (x >= target) if higher else (x <= target)
        easy, hard = (target.min(), target.max()) if higher else (target.max(), target.min())
        rows.append({"indicator": indicator_label(ind, lang=ctx.lang),
                     "policy_target": fmt_value(ind, g["policy_target"].iloc[0]), "goals": len(g),
                     "agreed_low": fmt_value(ind, easy), "agreed_high": fmt_value(ind, hard),
                     "met_agreed": float(met[have].mean()) if have.any() else np.nan,
                     "used_in_score": t("yes" if pol.goals == "replace" else "no", lang=ctx.lang)})
    return pd.DataFrame(rows, columns=cols)


def show_goals_summary(ctx) -> None:
    """The agreed goals of the period per indicator, and whether the scores use them (nothing without goals).

    Returns
    -------
    None
        Displays a heading, a sentence and the table of :func:`goals_summary`.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context(goals=True)
    >>> show_goals_summary(ctx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    """
    from perfmodel.reporting.display import heading, table, text

    summary = goals_summary(ctx)
    if summary.empty:
        return
    heading("agreed_goals", lang=ctx.lang, level=3)
    text(t("goals_replace_text" if ctx.policy.goals == "replace" else "goals_report_text", lang=ctx.lang))
    table(summary, lang=ctx.lang, formats={"met_agreed": "{:.0%}"})


def own_goals(ctx, supervisor_id: str) -> dict:
    """The supervisor's agreed target of each indicator in the period, as text.

    Returns
    -------
    dict
        indicator id -> agreed target text (only the indicators with an agreed goal).

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context(goals=True)
    >>> own_goals(ctx, "S1"), own_goals(ctx, "S3")
    ({'csat': '4.50'}, {})
    """
    from perfmodel.scoring.goals import goals_of
    from perfmodel.scoring.targets import fmt_value

    goals = goals_of(ctx.policy, ctx.period, supervisor_id)
    return {g.indicator: fmt_value(g.indicator, g.agreed_target) for g in goals.itertuples()}


def show_own_goals_note(ctx, supervisor_id: str) -> None:
    """One sentence saying whether this supervisor's agreed targets replaced the policy's (nothing without goals).

    Returns
    -------
    None

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context(goals=True)
    >>> show_own_goals_note(ctx, "S1")
    <IPython.core.display.Markdown object>
    >>> show_own_goals_note(ctx, "S3")  # no agreed goal: nothing
    """
    from perfmodel.reporting.display import text

    if own_goals(ctx, supervisor_id):
        text(t("goals_replace_text" if ctx.policy.goals == "replace" else "goals_report_text", lang=ctx.lang))


def goal_findings(ctx) -> pd.DataFrame:
    """SMART per agreed goal (:func:`perfmodel.analysis.lint_goals.lint_goals`) for the goals of the period.

    Each goal is judged on the panel of the page (the data's periods up to the report's),
    so Achievable looks at the supervisor's periods before the goal's, as ``perfmodel
    lint --data`` does. Computed once per page (``ctx.cache``).

    Returns
    -------
    pandas.DataFrame
        :data:`perfmodel.analysis.lint_goals.GOAL_FINDING_COLUMNS` (``supervisor_id``, ``period``,
        ``indicator``, ``letter``, ``severity``, ``message`` in ``ctx.lang``); empty
        without goals for the period.

    Examples
    --------
    The data below hold no survey table, so csat cannot be measured (M, an error), and
    no quarter before 2026Q3 (A, a warning). S2's goal of 12 tickets per staff-day cannot
    be measured either (no staff table: an error; no value in the panel: a warning), and the
    policy does not score that indicator (R, an error):

    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context(goals=True)
    >>> findings = goal_findings(ctx)
    >>> findings[["supervisor_id", "indicator", "letter", "severity"]]
      supervisor_id              indicator letter severity
    0            S1                   csat      M    error
    1            S1                   csat      A  warning
    2            S2                   csat      M    error
    3            S2                   csat      A  warning
    4            S2  tickets_per_staff_day      M    error
    5            S2  tickets_per_staff_day      M  warning
    6            S2  tickets_per_staff_day      R    error
    >>> print(findings["message"][0])
    table(s) surveys absent from the data: csat cannot be measured
    """
    from perfmodel.analysis.lint_goals import GOAL_FINDING_COLUMNS, lint_goals

    key = ("goal_findings", ctx.period, ctx.lang)
    if key in ctx.cache:
        return ctx.cache[key]
    goals = getattr(ctx.data, "goals", None)
    if goals is None or not len(goals):
        out = pd.DataFrame(columns=GOAL_FINDING_COLUMNS)
    else:
        goals = goals[goals["period"].astype(str) == str(ctx.period)]
        tables = getattr(ctx.data, "tables", None)
        out = (lint_goals(goals, ctx.policy, ctx.wide, tables, lang=ctx.lang) if len(goals)
               else pd.DataFrame(columns=GOAL_FINDING_COLUMNS))
    ctx.cache[key] = out
    return out


@keyword_only("lang")
def goal_findings_summary(findings: pd.DataFrame, *, lang: str = "en") -> pd.DataFrame:
    """Number of findings per SMART check and severity.

    Returns
    -------
    pandas.DataFrame
        One row per check with a finding, SMART order: ``check`` (letter and its name in
        ``lang``), ``errors``, ``warnings``, ``notes`` (int counts).

    Examples
    --------
    >>> findings = pd.DataFrame({"letter": ["S", "A", "A", "T", "M"],
    ...                          "severity": ["error", "warning", "info", "warning", "warning"]})
    >>> goal_findings_summary(findings, lang="en")
              check  errors  warnings  notes
    0    S Specific       1         0      0
    1  M Measurable       0         1      0
    2  A Achievable       0         1      1
    3  T Time-bound       0         1      0
    >>> goal_findings_summary(findings, lang="zh")["check"].tolist()
    ['S 明确性', 'M 可衡量性', 'A 可实现性', 'T 时限性']
    """
    from perfmodel.reporting.quarterly import SMART_LETTERS

    cols = ["check", "errors", "warnings", "notes"]
    if findings.empty:
        return pd.DataFrame(columns=cols)
    k = 1 if lang == "zh" else 0
    rows = []
    for letter in "SMART":
        f = findings[findings["letter"] == letter]
        if f.empty:
            continue
        n = f["severity"].value_counts()
        rows.append({"check": f"{letter} {SMART_LETTERS[letter][k]}", "errors": int(n.get("error", 0)),
                     "warnings": int(n.get("warning", 0)), "notes": int(n.get("info", 0))})
    return pd.DataFrame(rows, columns=cols)


def goal_errors(ctx, findings: pd.DataFrame) -> pd.DataFrame:
    """The errors among the goal findings, with the supervisor's name.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``name``, ``indicator`` (display name in ``ctx.lang``),
        ``check`` (letter), ``message``; sorted as :func:`lint_goals` sorts.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context(goals=True)
    >>> goal_errors(ctx, goal_findings(ctx))[["supervisor_id", "name", "indicator", "check"]]
      supervisor_id name                       indicator check
    0            S1   王芳           Customer satisfaction     M
    1            S2   李娜           Customer satisfaction     M
    2            S2   李娜  Tickets resolved per staff-day     M
    3            S2   李娜  Tickets resolved per staff-day     R
    """
    cols = ["supervisor_id", "name", "indicator", "check", "message"]
    err = findings[findings["severity"] == "error"]
    if err.empty:
        return pd.DataFrame(columns=cols)
    names = ctx.supervisors.astype({"supervisor_id": str}).set_index("supervisor_id")["name"]
    return pd.DataFrame({
        "supervisor_id": err["supervisor_id"].astype(str).to_numpy(),
        "name": names.reindex(err["supervisor_id"].astype(str)).fillna("").to_numpy(),
        "indicator": [indicator_label(i, lang=ctx.lang) for i in err["indicator"]],
        "check": err["letter"].to_numpy(), "message": err["message"].to_numpy()}, columns=cols)


def show_goal_findings(ctx) -> None:
    """SMART per agreed goal on the quarterly page: counts per check, then the errors (nothing without goals).

    For the managers' page only: the feedback pages show a supervisor their own goals and
    nobody else's findings.

    Returns
    -------
    None
        Displays a heading, a sentence, the counts of :func:`goal_findings_summary` and the
        errors of :func:`goal_errors` (or a sentence saying there are none).

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context(goals=True)
    >>> show_goal_findings(ctx)
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    """
    from perfmodel.reporting.display import heading, table, text

    findings = goal_findings(ctx)
    if findings.empty:
        return
    heading("goal_findings", lang=ctx.lang, level=3)
    text(t("goal_findings_text", lang=ctx.lang, period=ctx.period))
    table(goal_findings_summary(findings, lang=ctx.lang), lang=ctx.lang)
    errors = goal_errors(ctx, findings)
    if errors.empty:
        text(t("no_goal_errors", lang=ctx.lang))
        return
    text(t("goal_errors", lang=ctx.lang))
    table(errors, lang=ctx.lang)
