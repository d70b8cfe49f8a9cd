"""``perfmodel synth``: write a synthetic after-sales dataset with known ground truth."""
from __future__ import annotations

from ..errors import UsageError


def register(subparsers) -> None:
    """Add the ``synth`` command."""
    p = subparsers.add_parser(
        "synth",
        help="write a synthetic dataset with known true effects",
        description=("Write every table of the data contract for a synthetic after-sales "
                     "company, plus ground_truth.json with the true lag-1 effect of every "
                     "process indicator on every result indicator."),
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write")
    p.add_argument("--seed", type=int, default=20261, help="random seed (default 20261)")
    p.add_argument("--supervisors", type=int, default=30, help="number of supervisors (default 30)")
    p.add_argument("--start", default="2024Q4", help="first period (default 2024Q4)")
    p.add_argument("--end", default="2026Q3", help="last period (default 2026Q3)")
    p.add_argument("--tickets", type=int, default=None,
                   help="total tickets (default 300 per supervisor per quarter)")
    p.add_argument("--effects", default="default", choices=["default", "zero"],
                   help="'zero' = null world, no process indicator affects any result")
    p.add_argument("--format", dest="fmt", default="csv", choices=["csv", "parquet"],
                   help="file format of the tables (default csv)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from ..synth import generate

    if args.tickets is not None and args.tickets < 1:
        raise UsageError(f"--tickets {args.tickets}: use a positive number")
    summary = generate(args.out, seed=args.seed, supervisors=args.supervisors, start=args.start,
                       end=args.end, tickets=args.tickets, effects=args.effects, fmt=args.fmt)
    for name, n in summary["rows"].items():
        print(f"{name:13s} {n:>10,d} rows  {summary['files'][name]}")
    print(f"ground truth  {summary['ground_truth']}")
    return 0
