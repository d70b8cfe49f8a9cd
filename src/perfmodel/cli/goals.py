"""``perfmodel goals suggest``: suggested goals per supervisor, to review and agree."""
from __future__ import annotations

from perfmodel.core.errors import UsageError


def register(subparsers) -> None:
    """Add the ``goals`` command with its ``suggest`` subcommand.

    Returns
    -------
    None
        The parser is added to ``subparsers``; ``goals suggest`` has :func:`suggest` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["goals"].parse_args(["suggest", "--period", "2026Q4", "--data", "data/sample",
    ...                                         "--policy", "efficiency", "--out", "goals.xlsx"])
    >>> args.goals_command, args.period, args.policy, args.out, args.func.__name__
    ('suggest', '2026Q4', 'efficiency', 'goals.xlsx', 'suggest')
    """
    from perfmodel.cli import _Parser

    p = subparsers.add_parser("goals", help="suggest goals per supervisor from their own history",
                              description="Work with the goals agreed with each supervisor (goals table).")
    sub = p.add_subparsers(dest="goals_command", metavar="SUBCOMMAND", parser_class=_Parser)
    s = sub.add_parser(
        "suggest", help="write one suggested target per supervisor and weighted indicator",
        description="For the period P, suggest one target per supervisor and weighted indicator "
                    "(rules ratio, linear, gate, deduction) from the supervisor's last 4 periods: "
                    "halfway from their median to their best value, never better than the policy's "
                    "target nor worse than its floor (see perfmodel.analysis.goal_suggest). The file has the "
                    "goals columns (agreed_on empty: fill it in when agreed) and the history figures "
                    "behind each suggestion; it loads back as a goals table.")
    s.add_argument("--period", required=True, help="period the goals are for, e.g. 2026Q4 (may follow the data)")
    s.add_argument("--data", required=True, help="dataset folder, DuckDB file (.duckdb) or postgresql:// URL")
    s.add_argument("--policy", required=True, metavar="FILE|PRESET",
                   help="policy YAML file or preset (efficiency, quality)")
    s.add_argument("--out", required=True, help="output goals file (.csv, .parquet or .xlsx)")
    s.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"],
                   help="query engine for the indicators (default duckdb)")
    s.set_defaults(func=suggest)

    def show_help(args) -> int:
        p.print_help()
        return 2
    p.set_defaults(func=show_help)


def suggest(args) -> int:
    """Run ``perfmodel goals suggest``; return the exit code.

    Returns
    -------
    int
        0 when the suggested goals are written; bad input is a one-line error (exit code 2).

    Examples
    --------
    >>> import contextlib, os, sys, tempfile
    >>> from perfmodel.cli import main
    >>> from perfmodel.data.demo import demo_company
    >>> folder, out = str(demo_company(tempfile.mkdtemp())), tempfile.mkdtemp()
    >>> main(["goals", "suggest", "--data", folder, "--policy", "efficiency", "--period", "2025Q3",
    ...       "--out", os.path.join(out, "goals.csv")])  # doctest: +ELLIPSIS
    wrote ...goals.csv: 42 suggested goals for 3 supervisors, 2025Q3 (22 at the policy's target, 3 raised to the floor bound); fill in agreed_on once agreed
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["goals", "suggest", "--data", folder, "--policy", "efficiency", "--period", "2025Q3",
    ...           "--out", os.path.join(out, "goals.txt")])
    perfmodel: error: --out ...goals.txt: use a name ending in .csv, .parquet or .xlsx
    2
    """
    from pathlib import Path

    from perfmodel.data.exports import SUFFIXES, write_table
    from perfmodel.analysis.goal_suggest import suggest_goals
    from perfmodel.pipeline import run_pipeline
    from perfmodel.scoring.policy import check_period_kind, load_policy
    from perfmodel.cli._guards import check_output

    policy = load_policy(args.policy)
    if Path(args.out).suffix.lower() not in SUFFIXES:
        raise UsageError(f"--out {args.out}: use a name ending in .csv, .parquet or .xlsx")
    check_output(args.out, data=args.data, policy=args.policy)
    kind = check_period_kind(policy, args.period)
    run = run_pipeline(args.data, None, kind=kind, engine=args.engine)
    goals = suggest_goals(run.wide, policy, args.period)
    if not len(goals):
        raise UsageError(f"--policy {args.policy}: no weighted indicator with a target (ratio, linear, gate, "
                         f"deduction) to suggest goals for")
    write_table(goals, args.out, sort=False, sheet_name="goals")
    bounded = goals["bounded_by"].value_counts()
    print(f"wrote {args.out}: {len(goals)} suggested goals for {goals['supervisor_id'].nunique()} supervisors, "
          f"{args.period} ({int(bounded.get('target', 0))} at the policy's target, "
          f"{int(bounded.get('floor', 0))} raised to the floor bound); fill in agreed_on once agreed")
    return 0
