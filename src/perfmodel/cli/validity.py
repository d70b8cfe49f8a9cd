"""``perfmodel validity``: do the process indicators predict the later result indicators?"""
from __future__ import annotations

from pathlib import Path

from ..errors import UsageError


def register(subparsers) -> None:
    """Add the ``validity`` command."""
    p = subparsers.add_parser(
        "validity", help="test whether each process indicator predicts each result indicator later",
        description="Compute the indicator panel of a dataset and, for every process x result "
                    "indicator pair, fit result[t] on process[t - lag] with supervisor and period "
                    "fixed effects and standard errors clustered by supervisor (wild cluster "
                    "bootstrap with fewer than 30 supervisors); p-values adjusted by "
                    "Benjamini-Hochberg over the grid. Writes one row per pair and prints the "
                    "pairs whose verdict is 'predicts'.")
    p.add_argument("--data", required=True, help="dataset folder")
    p.add_argument("--lag", type=int, default=1, help="periods between process and result (default 1)")
    p.add_argument("--period-kind", default="quarter", choices=["quarter", "month"], dest="period_kind",
                   help="period of the panel (default quarter)")
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    p.add_argument("--seed", type=int, default=0, help="seed of the wild bootstrap (default 0)")
    p.add_argument("--boot", type=int, default=999, help="bootstrap draws (default 999)")
    p.add_argument("--out", required=True, help="output table (.csv, .parquet or .xlsx)")
    p.add_argument("--pseudonymize", action="store_true",
                   help="replace supervisor and staff ids and names by salted hashes (P-xxxxxxxxxxxx)")
    p.add_argument("--salt-file", dest="salt_file", metavar="PATH",
                   help="secret salt for --pseudonymize, kept outside the outputs (created if absent)")
    p.set_defaults(func=handler)


def handler(args) -> int:
    from ..exports import write_table
    from ..indicators import compute_indicators, wide_panel
    from ..stats import predictive_validity

    if args.lag < 1:
        raise UsageError(f"--lag {args.lag}: use 1 or more")
    if args.boot < 99:
        raise UsageError(f"--boot {args.boot}: use at least 99 draws")
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet", ".xlsx"):
        raise UsageError(f"--out {out}: use a .csv, .parquet or .xlsx file name")
    from ..privacy import pseudonymize, salt_for

    salt = salt_for(args.pseudonymize, args.salt_file, outputs=[out])
    long = compute_indicators(args.data, period_kind=args.period_kind, engine=args.engine)
    panel = wide_panel(long)
    res = predictive_validity(panel, lag=args.lag, seed=args.seed, n_boot=args.boot)
    if salt is not None:
        res = pseudonymize(res, salt)
    write_table(res, out)
    hits = res[res["verdict"] == "predicts"].sort_values(["p_adj", "process", "result"])
    n_est = int((res["verdict"] != "insufficient data").sum())
    method = ", ".join(sorted(m for m in res["p_method"].unique() if m))
    print(f"{len(res)} pairs, {n_est} estimated ({method or 'none'}); "
          f"{len(hits)} predict at 5 % (BH-adjusted), lag {args.lag}:")
    for _, r in hits.iterrows():
        print(f"  {r['process']} -> {r['result']}: coef {r['coef']:.4g} "
              f"(95% CI {r['ci_low']:.4g} .. {r['ci_high']:.4g}), std effect {r['std_effect']:.3g}, "
              f"p_adj {r['p_adj']:.3g}, out-of-sample gain {r['oos_gain']:.1%}")
    contrary = res[res["verdict"] == "contrary"]
    for _, r in contrary.iterrows():
        print(f"  contrary: {r['process']} -> {r['result']}: coef {r['coef']:.4g}, p_adj {r['p_adj']:.3g}")
    print(f"written: {out}")
    return 0
