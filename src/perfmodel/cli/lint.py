"""``perfmodel lint``: the SMART check of a policy.

Exit codes follow the project rule (0 ok, 1 a check failed, 2 bad input): the policy is the
subject of the check, so everything SMART asks of it is a finding and an error finding exits
1 — including an indicator id that is not in the catalogue, which SMART "Specific" reports
with the closest id while the other findings are still shown. A policy that cannot be read
at all (file or preset not found, broken YAML, any other invalid key or value), a --data
folder that cannot be loaded, or a wrong argument is bad input: one line, exit 2.
"""
from __future__ import annotations

from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only

# Console text around the findings table; the messages themselves are perfmodel.analysis.lint.MESSAGES.
TEXT: dict[str, dict[str, str]] = messages.group("lint")


def register(subparsers) -> None:
    """Add the ``lint`` command.

    Returns
    -------
    None
        The ``lint`` parser is added to ``subparsers`` with :func:`handler` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["lint"].parse_args(["--policy", "quality", "--lag", "2"])
    >>> args.policy, args.data, args.lag, args.lang, args.out, args.func.__name__
    ('quality', None, 2, 'en', None, 'handler')
    """
    import argparse

    p = subparsers.add_parser(
        "lint", help="check a policy against SMART (exit 1 on an error finding)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Report SMART findings for a policy: Specific (catalogue ids), Measurable\n"
                    "(tables present), Achievable (target reached by 10-90 % of the history),\n"
                    "Relevant (process indicators predict results, or a declared reason),\n"
                    "Time-bound (a period is set). --lang zh words the findings in Chinese.\n"
                    "With --data holding a goals table, each agreed goal is checked too: Specific\n"
                    "(its rule has a target), Measurable, Achievable against the supervisor's own\n"
                    "history, Relevant (weighted in the policy), Time-bound (agreed before the period).",
        epilog="exit status:\n"
               "  0  no error finding\n"
               "  1  the check ran and found at least one error finding. An indicator id that\n"
               "     is not in the catalogue is such a finding (SMART Specific, naming the\n"
               "     closest id) and is listed with all the other findings; 'perfmodel policy\n"
               "     check' and the scoring commands refuse that policy with exit 2 instead.\n"
               "  2  the check could not run: the policy file or preset is missing, unreadable\n"
               "     or invalid in any other way, --data cannot be loaded, or an argument is\n"
               "     wrong (one line on stderr naming the file and key).")
    p.add_argument("--policy", required=True, metavar="FILE|PRESET",
                   help="policy YAML file or preset (efficiency, quality)")
    p.add_argument("--data", help="dataset folder (needed for M, A and the R test)")
    p.add_argument("--lag", type=int, default=1, help="periods between process and result (default 1)")
    p.add_argument("--lang", default="en", choices=["en", "zh"],
                   help="language of the messages and of the table (default en)")
    p.add_argument("--out", help="also write the findings to a file (.csv, .parquet or .xlsx): "
                                 "indicator, letter, severity as codes, message in --lang; with agreed "
                                 "goals in --data, supervisor_id and period first and the goals' findings "
                                 "after the policy's")
    p.set_defaults(func=handler)


def handler(args) -> int:
    """Run ``perfmodel lint``; return 1 when a finding is an error, else 0.

    Returns
    -------
    int
        1 when a finding (of the policy or, with ``--data``, of a goal) is an error, else 0.

    Examples
    --------
    Without ``--data`` the checks that need data are reported as not checked:

    >>> import contextlib, sys
    >>> from perfmodel.cli import main
    >>> main(["lint", "--policy", "efficiency"])  # doctest: +ELLIPSIS
    SMART check of preset efficiency: after-sales-supervisor-efficiency 2026.1 (sha256 4894652bd781)
    indicator              letter  severity  message
    ...
    tickets_per_staff_day  S       warning   rule percentile ranks supervisors against each other: ...
                           M       warning   not checked: give the data (--data DIR) to check that every indicator can be measured
                           A       warning   not checked: give the data (--data DIR) to check that targets are achievable
    0 errors, 3 warnings
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["lint", "--policy", "efficiency", "--lag", "0"])
    perfmodel: error: perfmodel lint: --lag 0: use a whole number of periods, 1 or more
    2
    """
    from perfmodel.core.errors import UsageError
    from perfmodel.scoring.policy import load_policy
    from perfmodel.analysis.lint import lint
    from perfmodel.cli.indicators import aligned
    import pandas as pd

    if args.lag < 1:
        raise UsageError.worded("errors.lag_too_small", lag=args.lag)
    policy = load_policy(args.policy, strict=False)
    data, goal_findings, n_goals = args.data, None, 0
    if args.data:
        from perfmodel.scoring.goals import goals_table
        from perfmodel.data.loader import load_dataset

        data = load_dataset(args.data)
        goals = goals_table(data)
        if goals is not None and len(goals):
            from perfmodel.analysis.lint import _panel
            from perfmodel.analysis.lint_goals import lint_goals

            panel = _panel(data, policy)
            findings = lint(data, policy, panel=panel, lag=args.lag, lang=args.lang)
            goal_findings, n_goals = lint_goals(goals, policy, panel, data.tables, lang=args.lang), len(goals)
    if goal_findings is None:
        findings = lint(data, policy, lag=args.lag, lang=args.lang)
    if args.out:
        from perfmodel.data.exports import write_table
        write_table(findings if goal_findings is None else with_goal_findings(findings, goal_findings),
                    args.out, sort=False)
    every = findings if goal_findings is None else pd.concat([findings, goal_findings])
    errors = int((every["severity"] == "error").sum())
    warnings = int((every["severity"] == "warning").sum())
    print(TEXT["header"][args.lang].format(source=source_label(policy.source, lang=args.lang), name=policy.name,
                                           version=policy.version, sha=policy.sha256[:12]))
    if len(findings):
        print(aligned(findings if args.lang == "en" else display(findings, lang=args.lang)))
    if goal_findings is not None:
        print(TEXT["goals"][args.lang].format(n=n_goals, s="s" if n_goals != 1 else "", mode=policy.goals))
        if len(goal_findings):
            print(aligned(display_goals(goal_findings, lang=args.lang)))
    print(TEXT["summary"][args.lang].format(errors=errors, warnings=warnings,
                                            es="s" if errors != 1 else "",
                                            ws="s" if warnings != 1 else ""))
    return 1 if errors else 0


def with_goal_findings(findings, goal_findings):
    """The policy's findings then the goals', in one table for ``--out``.

    Returns
    -------
    pandas.DataFrame
        ``supervisor_id``, ``period`` (empty for a finding on the policy), ``indicator``,
        ``letter``, ``severity``, ``message``.

    Examples
    --------
    >>> from perfmodel.analysis.lint import lint
    >>> from perfmodel.scoring.policy import load_policy
    >>> import pandas as pd
    >>> goal_findings = pd.DataFrame({
    ...     "supervisor_id": ["S002"], "period": ["2025Q2"], "indicator": ["first_response_hours"],
    ...     "letter": ["A"], "severity": ["error"],
    ...     "message": ["floor 12.0 h is not on the worse side of target 12.2 h"]})
    >>> table = with_goal_findings(lint(None, load_policy("efficiency")), goal_findings)
    >>> table[["supervisor_id", "period", "indicator", "letter", "severity"]]
      supervisor_id  period              indicator letter severity
    0                        tickets_per_staff_day      S  warning
    1                                                   M  warning
    2                                                   A  warning
    3          S002  2025Q2   first_response_hours      A    error
    """
    import pandas as pd

    policy_rows = findings.copy()
    policy_rows.insert(0, "period", "")
    policy_rows.insert(0, "supervisor_id", "")
    return pd.concat([policy_rows, goal_findings[policy_rows.columns]], ignore_index=True)


@keyword_only("lang")
def display_goals(goal_findings, *, lang: str):
    """The per-goal findings labelled for reading in ``lang``.

    Returns
    -------
    pandas.DataFrame
        Columns (named in ``lang``): supervisor_id, period, indicator (name in ``lang``),
        check (letter and name), severity (in ``lang``), message.

    Examples
    --------
    >>> import pandas as pd
    >>> goal_findings = pd.DataFrame({
    ...     "supervisor_id": ["S002"], "period": ["2025Q2"], "indicator": ["first_response_hours"],
    ...     "letter": ["A"], "severity": ["error"],
    ...     "message": ["floor 12.0 h is not on the worse side of target 12.2 h"]})
    >>> shown = display_goals(goal_findings, lang="en")
    >>> list(shown.columns)
    ['Supervisor', 'Period', 'Indicator', 'Check', 'Severity', 'Finding']
    >>> shown.iloc[0, :5].tolist()
    ['S002', '2025Q2', 'First response time', 'A Achievable', 'error']
    """
    import pandas as pd

    from perfmodel.core.i18n import columns, indicator_label, t
    from perfmodel.analysis.lint import LETTER_NAMES

    shown = pd.DataFrame({
        "supervisor_id": goal_findings["supervisor_id"], "period": goal_findings["period"],
        "indicator": goal_findings["indicator"].map(lambda i: indicator_label(str(i), lang=lang)),
        "check": goal_findings["letter"].map(lambda x: f"{x} {LETTER_NAMES[x][lang]}"),
        "severity": goal_findings["severity"].map(lambda x: t(x, lang=lang)),
        "message": goal_findings["message"]})
    return columns(shown, lang=lang)


@keyword_only("lang")
def source_label(source: str, *, lang: str) -> str:
    """Return where a policy came from in ``lang``: ``preset efficiency`` is ``预设方案 efficiency`` in Chinese.

    Returns
    -------
    str
        The preset's name after the catalogue's word for a preset; a file path unchanged.

    Examples
    --------
    >>> source_label("preset efficiency", lang="en")
    'preset efficiency'
    >>> source_label("policies/mine.yaml", lang="zh")
    'policies/mine.yaml'
    >>> source_label("preset efficiency", lang="zh").endswith(" efficiency")
    True
    """
    if str(source).startswith("preset "):
        return messages.text("lint.preset", lang=lang, name=str(source)[len("preset "):])
    return str(source)


@keyword_only("lang")
def display(findings, *, lang: str):
    """Return the findings of :func:`perfmodel.analysis.lint.lint` labelled for reading in ``lang``.

    Returns
    -------
    pandas.DataFrame
        Columns (named in ``lang``): indicator (its catalogue name in ``lang``, the id when
        it is not in the catalogue), check (letter and its name), severity (in ``lang``),
        message.

    Examples
    --------
    >>> from perfmodel.analysis.lint import lint
    >>> from perfmodel.scoring.policy import load_policy
    >>> shown = display(lint(None, load_policy("efficiency")), lang="en")
    >>> list(shown.columns)
    ['Indicator', 'Check', 'Severity', 'Finding']
    >>> shown.iloc[0, :3].tolist()
    ['Tickets resolved per staff-day', 'S Specific', 'warning']
    """
    import pandas as pd

    from perfmodel.core.i18n import columns, indicator_label, t
    from perfmodel.analysis.lint import LETTER_NAMES

    shown = pd.DataFrame({
        "indicator": findings["indicator"].map(lambda i: indicator_label(str(i), lang=lang) if pd.notna(i) else ""),
        "check": findings["letter"].map(lambda x: f"{x} {LETTER_NAMES[x][lang]}"),
        "severity": findings["severity"].map(lambda x: t(x, lang=lang)),
        "message": findings["message"]})
    return columns(shown, lang=lang)
