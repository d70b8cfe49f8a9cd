"""``perfmodel validity``: do the process indicators predict the later result indicators?"""
from __future__ import annotations

from pathlib import Path

from perfmodel.core import settings
from perfmodel.core.errors import UsageError


def register(subparsers) -> None:
    """Add the ``validity`` command.

    Returns
    -------
    None
        The ``validity`` parser is added to ``subparsers`` with :func:`handler` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["validity"].parse_args(["--data", "data/sample", "--out", "validity.csv"])
    >>> args.data, args.lag, args.period, args.period_kind, args.seed, args.boot, args.out
    ('data/sample', 1, None, 'quarter', 2026, 999, 'validity.csv')
    """
    p = subparsers.add_parser(
        "validity", help="test whether each process indicator predicts each result indicator later",
        description="Compute the indicator panel of a dataset and, for every process x result "
                    "indicator pair, fit result[t] on process[t - lag] with supervisor and period "
                    "fixed effects and standard errors clustered by supervisor (wild cluster "
                    "bootstrap with fewer than 30 supervisors); p-values adjusted by "
                    "Benjamini-Hochberg over the grid. Writes one row per pair and prints the "
                    "pairs whose verdict is 'predicts'.")
    p.add_argument("--data", required=True, help="dataset folder, DuckDB file (.duckdb) or postgresql:// URL")
    p.add_argument("--lag", type=int, default=settings.LAG,
                   help=f"periods between process and result (default {settings.LAG})")
    p.add_argument("--period", metavar="P",
                   help="use the data up to and including this period, as the report of P does "
                        "(default: every period of the data)")
    p.add_argument("--period-kind", default="quarter", choices=["quarter", "month"], dest="period_kind",
                   help="period of the panel (default quarter)")
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    p.add_argument("--seed", type=int, default=settings.SEED,
                   help=f"seed of the wild bootstrap (default {settings.SEED}, as on the report pages)")
    p.add_argument("--boot", type=int, default=settings.BOOT,
                   help=f"bootstrap draws (default {settings.BOOT})")
    p.add_argument("--out", required=True, help="output table (.csv, .parquet or .xlsx)")
    p.add_argument("--pseudonymize", action="store_true",
                   help="replace supervisor and staff ids and names by salted hashes (P-xxxxxxxxxxxx)")
    p.add_argument("--salt-file", dest="salt_file", metavar="PATH",
                   help="secret salt for --pseudonymize, kept outside the outputs (created if absent)")
    p.set_defaults(func=handler)


def handler(args) -> int:
    """Run ``perfmodel validity``: write the process x result grid, print the pairs that predict.

    Returns
    -------
    int
        0 when the table is written; bad input is a one-line error (exit code 2).

    Examples
    --------
    Three supervisors over three quarters are too few to estimate any pair:

    >>> import contextlib, os, sys, tempfile
    >>> from perfmodel.cli import main
    >>> from perfmodel.data.synth import generate
    >>> folder, out = tempfile.mkdtemp(), tempfile.mkdtemp()
    >>> _ = generate(folder, supervisors=3, start="2025Q1", end="2025Q3", tickets=90)
    >>> main(["validity", "--data", folder, "--boot", "99",
    ...       "--out", os.path.join(out, "validity.csv")])  # doctest: +ELLIPSIS
    75 pairs, 0 estimated (none); 0 predict at 5 % (BH-adjusted), lag 1.
    written: ...validity.csv
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["validity", "--data", folder, "--lag", "0", "--out", os.path.join(out, "validity.csv")])
    perfmodel: error: --lag 0: use 1 or more
    2
    """
    from perfmodel.data.exports import write_table
    from perfmodel.pipeline import run_pipeline
    from perfmodel.analysis.stats import predictive_validity
    from perfmodel.cli._guards import report_quarantine

    if args.lag < 1:
        raise UsageError(f"--lag {args.lag}: use 1 or more")
    if args.boot < 99:
        raise UsageError(f"--boot {args.boot}: use at least 99 draws")
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet", ".xlsx"):
        raise UsageError(f"--out {out}: use a .csv, .parquet or .xlsx file name")
    from perfmodel.data.privacy import pseudonymize, salt_for

    from perfmodel.core.periods import parse_period

    salt = salt_for(args.pseudonymize, args.salt_file, outputs=[out])
    kind = parse_period(args.period).kind if args.period else args.period_kind
    run = run_pipeline(args.data, period=args.period, history=True, kind=kind, engine=args.engine)
    report_quarantine(run.dataset, out_option=None)
    panel = run.wide
    res = predictive_validity(panel, lag=args.lag, seed=args.seed, n_boot=args.boot)
    if salt is not None:
        res = pseudonymize(res, salt)
    write_table(res, out)
    hits = res[res["verdict"] == "predicts"].sort_values(["p_adj", "process", "result"])
    n_est = int((res["verdict"] != "insufficient data").sum())
    method = ", ".join(sorted(m for m in res["p_method"].unique() if m))
    print(f"{len(res)} pairs, {n_est} estimated ({method or 'none'}); "
          f"{len(hits)} predict at 5 % (BH-adjusted), lag {args.lag}{':' if len(hits) else '.'}")
    for _, r in hits.iterrows():
        print(f"  {r['process']} -> {r['result']}: coef {r['coef']:.4g} "
              f"(95% CI {r['ci_low']:.4g} .. {r['ci_high']:.4g}), std effect {r['std_effect']:.3g}, "
              f"p_adj {r['p_adj']:.3g}, out-of-sample gain {r['oos_gain']:.1%}")
    contrary = res[res["verdict"] == "contrary"]
    for _, r in contrary.iterrows():
        print(f"  contrary: {r['process']} -> {r['result']}: coef {r['coef']:.4g}, p_adj {r['p_adj']:.3g}")
    print(f"written: {out}")
    return 0
