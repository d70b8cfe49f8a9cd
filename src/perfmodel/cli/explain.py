"""``perfmodel explain``: the derivation of one supervisor's score and rating."""
from __future__ import annotations

from perfmodel.core import messages, settings
from perfmodel.core.errors import UsageError


def register(subparsers) -> None:
    """Add the ``explain`` command.

    Returns
    -------
    None
        The ``explain`` parser is added to ``subparsers`` with :func:`handler` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["explain"].parse_args(["S001", "--period", "latest", "--data", "data/sample",
    ...                                           "--policy", "efficiency", "--lang", "zh"])
    >>> args.supervisor, args.period, args.policy, args.lang, args.out
    ('S001', 'latest', 'efficiency', 'zh', None)
    """
    p = subparsers.add_parser(
        "explain", help="show how one supervisor's score and rating were derived",
        description="For each weighted indicator: numerator and denominator, value, rule with its "
                    "parameters, indicator score, overall weight and contribution; the result and "
                    "process subtotals, the total and its rating, the distance to the next band and "
                    "the change in each indicator that alone would close it; the rank interval and "
                    "the chance that the rating changes when the weights move.")
    p.add_argument("supervisor", metavar="SUPERVISOR", help="supervisor id, e.g. S001")
    p.add_argument("--period", required=True, help="period, e.g. 2026Q3, or latest")
    p.add_argument("--data", required=True, help="dataset folder")
    p.add_argument("--policy", required=True, metavar="FILE|PRESET",
                   help="policy YAML file or preset (efficiency, quality)")
    p.add_argument("--lang", default="en", choices=["en", "zh"], help="language of the text (default en)")
    p.add_argument("--out", metavar="FILE",
                   help="also write the per-indicator table as CSV (supervisor_id, period, indicator, value, "
                        "numerator, denominator, rule, score, weight, contribution)")
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"],
                   help="query engine for the indicators (default duckdb)")
    p.add_argument("--draws", type=int, default=settings.DRAWS,
                   help=f"re-weightings of the sensitivity analysis (default {settings.DRAWS})")
    p.add_argument("--seed", type=int, default=settings.SEED,
                   help=f"seed of the sensitivity analysis (default {settings.SEED})")
    p.set_defaults(func=handler)


def handler(args) -> int:
    """Run ``perfmodel explain``; return the exit code.

    Returns
    -------
    int
        0 when the derivation is printed; bad input is a one-line error (exit code 2).

    Examples
    --------
    >>> import contextlib, sys, tempfile
    >>> from perfmodel.cli import main
    >>> from perfmodel.data.demo import demo_company
    >>> folder = str(demo_company(tempfile.mkdtemp()))
    >>> main(["explain", "S001", "--data", folder, "--policy", "efficiency", "--period", "2025Q2",
    ...       "--draws", "50"])  # doctest: +ELLIPSIS
    Score of ... (S001), 2025Q2 (policy after-sales-supervisor-efficiency 2026.1)
    ...
    Result subtotal: 67.63 × 65 %
    Process subtotal: 76.10 × 35 %
    Total 70.59 (sum of the contributions) -> rating B
    ...
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["explain", "S001", "--data", folder, "--policy", "efficiency", "--period", "2025Q2",
    ...           "--draws", "0"])
    perfmodel: error: --draws 0: give a whole number of 1 or more
    2
    """
    from pathlib import Path

    from perfmodel.analysis.explain import explain
    from perfmodel.scoring.policy import load_policy
    from perfmodel.cli._guards import check_output
    from perfmodel.cli.score import run_for

    if args.out and Path(args.out).suffix.lower() != ".csv":
        raise UsageError.worded("errors.out_csv_only", path=args.out)
    check_output(args.out, data=args.data, policy=args.policy)
    if args.draws < 1:
        raise UsageError.worded("errors.draws_too_few", draws=args.draws)
    policy = load_policy(args.policy)
    run = run_for(args.data, policy, args.period, args.engine)
    ex = explain(run, policy, args.supervisor, run.period, draws=args.draws, seed=args.seed)
    print(ex.text(lang=args.lang), end="")
    if args.out:
        ex.to_csv(args.out)
        print(messages.text("cli.wrote", lang=args.lang, path=args.out))
    return 0
