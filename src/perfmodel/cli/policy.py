"""``perfmodel policy``: check or show a policy, or compare two policies."""
from __future__ import annotations


def register(subparsers) -> None:
    """Add the ``policy`` command with its ``check``, ``show`` and ``diff`` subcommands.

    Returns
    -------
    None
        The parser is added to ``subparsers``; ``policy_command`` names the subcommand and
        ``func`` is :func:`check`, :func:`show` or :func:`diff`.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["policy"].parse_args(["diff", "efficiency", "quality", "--period", "2025Q2"])
    >>> args.policy_command, args.old, args.new, args.period, args.data, args.func.__name__
    ('diff', 'efficiency', 'quality', '2025Q2', None, 'diff')
    """
    from perfmodel.cli import _Parser

    p = subparsers.add_parser("policy", help="check or show a policy, or compare two policies",
                              description="Work with scoring policies (YAML files or presets).")
    sub = p.add_subparsers(dest="policy_command", metavar="SUBCOMMAND", parser_class=_Parser)

    c = sub.add_parser("check", help="validate a policy and print its indicators",
                       description="Validate a policy (exit 2 with one line naming the key "
                                   "path when it is invalid) and print its indicators.")
    c.add_argument("policy", metavar="FILE|PRESET")
    c.set_defaults(func=check)

    s = sub.add_parser("show", help="print a policy's YAML (e.g. a preset to start your own from)",
                       description="Print the text of a policy file or preset exactly as stored.")
    s.add_argument("policy", metavar="FILE|PRESET")
    s.set_defaults(func=show)

    d = sub.add_parser("diff", help="what changes between two policies, per setting and per supervisor",
                       description="List the settings that differ between OLD and NEW; with "
                                   "--data, score both and show each supervisor's old and new "
                                   "score and rating and the indicators that moved the score most.")
    d.add_argument("old", metavar="OLD", help="policy file or preset")
    d.add_argument("new", metavar="NEW", help="policy file or preset")
    d.add_argument("--data", help="dataset folder, DuckDB file (.duckdb) or postgresql:// URL")
    d.add_argument("--period", help="period to score, e.g. 2026Q3 (default: every period)")
    d.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    d.add_argument("--out", help="write the per-supervisor comparison (.csv, .parquet or .xlsx)")
    d.set_defaults(func=diff)
    p.set_defaults(func=_help(p))


def _help(parser):
    def show(args) -> int:
        parser.print_help()
        return 2
    return show


def show(args) -> int:
    """Run ``perfmodel policy show``: print the policy text (validated first).

    Returns
    -------
    int
        0; an invalid or missing policy raises a one-line error instead (exit code 2).

    Examples
    --------
    >>> from perfmodel.cli import main
    >>> main(["policy", "show", "efficiency"])  # doctest: +ELLIPSIS
    # Preset "efficiency" ...
    name: after-sales-supervisor-efficiency
    version: "2026.1"
    ...
    ratings:
      bands: {S: 90, A: 80, B: 70, C: 60, D: 0}
      forced_distribution: null
    0
    """
    from perfmodel.scoring.policy import load_policy

    print(load_policy(args.policy).text, end="")
    return 0


def check(args) -> int:
    """Run ``perfmodel policy check``: validate a policy and print its indicators.

    Returns
    -------
    int
        0 when the policy is valid; an invalid one raises a one-line error naming the key
        path (exit code 2).

    Examples
    --------
    >>> import contextlib, sys
    >>> from perfmodel.cli import main
    >>> main(["policy", "check", "efficiency"])  # doctest: +ELLIPSIS
    preset efficiency: after-sales-supervisor-efficiency 2026.1 (sha256 4894652bd781) is valid: period quarter, phase efficiency, dimensions result 0.65, process 0.35, missing renormalize
    indicator                  dimension  weight  rule        direction  floor  target  points  bands...cap
    ...
    csat                       result     0.3     linear      higher     3.8    4.3...120.0
    ...
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["policy", "check", "nope.yaml"])
    perfmodel: error: nope.yaml: policy file not found; give a YAML file or a preset (efficiency, quality)
    2
    """
    from perfmodel.scoring.policy import load_policy
    from perfmodel.cli.indicators import aligned

    policy = load_policy(args.policy)
    dims = ", ".join(f"{k} {v:g}" for k, v in policy.dimensions.items())
    print(f"{policy.source}: {policy.name} {policy.version} (sha256 {policy.sha256[:12]}) is valid: "
          f"period {policy.period or 'not set'}, phase {policy.phase}, dimensions {dims}, "
          f"missing {policy.missing}")
    summary = policy.summary().drop(columns=["effective_weight"])
    print(aligned(summary.astype(object).where(summary.notna(), "")))
    return 0


def diff(args) -> int:
    """Run ``perfmodel policy diff``: the settings that differ, and with ``--data`` the scores.

    Returns
    -------
    int
        0; ``--out`` or ``--period`` without ``--data`` is a one-line error (exit code 2).

    Examples
    --------
    >>> import contextlib, sys
    >>> from perfmodel.cli import main
    >>> main(["policy", "diff", "efficiency", "quality"])  # doctest: +ELLIPSIS
    after-sales-supervisor-efficiency 2026.1 (4894652bd781) -> after-sales-supervisor-quality 2026.1 (8814ee5558c8)
    path...old...new
    ...
    phase...efficiency...quality
    dimensions.result...0.65...0.55
    dimensions.process...0.35...0.45
    ...
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["policy", "diff", "efficiency", "quality", "--period", "2025Q2"])  # doctest: +ELLIPSIS
    after-sales-supervisor-efficiency 2026.1 ...
    perfmodel: error: perfmodel policy diff: --out and --period need --data DIR
    2
    """
    from perfmodel.core.errors import UsageError
    from perfmodel.scoring.policy import load_policy
    from perfmodel.scoring.diff import compare_scores, describe, diff_policies
    from perfmodel.cli.indicators import aligned
    from perfmodel.cli.score import run_for

    old, new = load_policy(args.old), load_policy(args.new)
    print(describe(old, new))
    changes = diff_policies(old, new)
    if len(changes):
        print(aligned(changes.astype(object).where(changes.notna(), "(absent)")))
    else:
        print("no setting differs")
    if not args.data:
        if args.out or args.period:
            raise UsageError("perfmodel policy diff: --out and --period need --data DIR")
        return 0
    if old.period and new.period and old.period != new.period:
        raise UsageError(f"{args.old} scores by {old.period} but {args.new} by {new.period}; "
                         f"compare policies of the same period kind")
    from perfmodel.cli._guards import check_output

    check_output(args.out, data=args.data, inputs=[args.old, args.new])
    from perfmodel.scoring.goals import bind_goals, goals_table

    run = run_for(args.data, new, args.period, args.engine)
    old, new = bind_goals(old, goals_table(run.dataset)), run.policy  # each uses the agreed goals as it says
    table = compare_scores(run.wide, old, new, groups=run.supervisors)
    if args.out:
        from perfmodel.data.exports import write_table
        write_table(table, args.out)
        print(f"wrote {args.out}")
    shown = table.assign(_a=table["delta"].abs()).sort_values(
        ["_a", "period", "supervisor_id"], ascending=[False, True, True], kind="mergesort",
        na_position="last").drop(columns="_a")
    print(aligned(shown.round(2).astype(object).where(shown.notna(), "")))
    changed = int((table["old_rating"] != table["new_rating"]).sum())
    print(f"{changed} of {len(table)} supervisor-periods change rating; mean change "
          f"{table['delta'].mean():+.2f} points")
    return 0

