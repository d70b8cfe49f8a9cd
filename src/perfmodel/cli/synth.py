"""``perfmodel synth``: write a synthetic after-sales dataset with known ground truth."""
from __future__ import annotations

from perfmodel.core.errors import UsageError


def register(subparsers) -> None:
    """Add the ``synth`` command.

    Returns
    -------
    None
        The ``synth`` parser is added to ``subparsers``; its handler writes the dataset and
        prints one line per table.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["synth"].parse_args(["--out", "demo", "--supervisors", "3"])
    >>> args.out, args.seed, args.supervisors, args.start, args.end, args.fmt
    ('demo', 20261, 3, '2024Q4', '2026Q3', 'csv')

    Running it prints the rows of each table written:

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> args = sub.choices["synth"].parse_args(["--out", folder, "--supervisors", "3",
    ...                                         "--start", "2025Q1", "--end", "2025Q2", "--tickets", "60"])
    >>> args.func(args)  # doctest: +ELLIPSIS
    supervisors            3 rows  ...supervisors.csv
    staff                 42 rows  ...staff.csv
    ...
    tickets               60 rows  ...tickets.csv
    ...
    ground truth  ...ground_truth.json
    0
    """
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
    p.add_argument("--raters", type=int, default=None,
                   help="managers who rate supervisors (default 8, or one per 5 supervisors)")
    p.add_argument("--rater-leniency", type=float, default=0.5,
                   help="raters' leniency is uniform in +-this many score points (default 0.5)")
    p.add_argument("--min-rated", type=int, default=5,
                   help="supervisors each rater rates at least per period (default 5)")
    p.add_argument("--peer-raters", type=int, default=None,
                   help="draw peer reviews from a pool of this many reviewers of known leniency "
                        "(default: staff review their own supervisor)")
    p.add_argument("--force", action="store_true",
                   help="write into --out even when it already holds table files (they are replaced); "
                        "without it such a folder is refused")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from perfmodel.data.synth import generate

    if args.tickets is not None and args.tickets < 1:
        raise UsageError(f"--tickets {args.tickets}: use a positive number")
    _check_out(args.out, args.force)
    summary = generate(args.out, seed=args.seed, supervisors=args.supervisors, start=args.start,
                       end=args.end, tickets=args.tickets, effects=args.effects, fmt=args.fmt,
                       raters=args.raters, rater_leniency=args.rater_leniency, min_rated=args.min_rated,
                       peer_raters=args.peer_raters)
    for name, n in summary["rows"].items():
        print(f"{name:13s} {n:>10,d} rows  {summary['files'][name]}")
    print(f"ground truth  {summary['ground_truth']}")
    return 0


def _check_out(out, force: bool) -> None:
    """Refuse to write into a folder that already holds table files, unless ``force``."""
    from pathlib import Path

    from perfmodel.data.schema import TABLES

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--out {out}: is a file; give a folder")
    if force or not folder.is_dir():
        return
    from perfmodel.cli._guards import table_files

    found = sorted(p.name for p in table_files(folder))
    found += sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in found
                    and p.suffix.lower() in (".csv", ".parquet") and p.stem.strip().lower() in TABLES)
    if found:
        shown = ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")
        raise UsageError(f"--out {out}: already holds a dataset ({shown}); give a new folder, "
                         f"or --force to replace it")
