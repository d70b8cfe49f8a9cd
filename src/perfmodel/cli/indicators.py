"""``perfmodel indicators``: list the catalogue, or compute the indicator panel."""
from __future__ import annotations

import unicodedata

from perfmodel.core import messages
from perfmodel.core.errors import UsageError


# Column headers of ``--list --lang zh``.
ZH_HEADERS = {column: entry["zh"] for column, entry in messages.group("indicator_list").items()}


def register(subparsers) -> None:
    """Add the ``indicators`` command.

    Returns
    -------
    None
        The ``indicators`` parser is added to ``subparsers`` with :func:`handler` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["indicators"].parse_args(
    ...     ["--data", "data/sample", "--period", "2026Q3", "--indicator", "csat", "--wide", "--out", "p.csv"])
    >>> args.data, args.period, args.indicators, args.wide, args.engine, args.out
    ('data/sample', '2026Q3', ['csat'], True, 'duckdb', 'p.csv')
    """
    p = subparsers.add_parser(
        "indicators", help="list the indicator catalogue or compute the indicator panel",
        description="Compute every catalogue indicator for every supervisor and period "
                    "(long table: supervisor_id, period, indicator, value, numerator, "
                    "denominator, available), or list the catalogue with --list.")
    p.add_argument("--list", action="store_true", help="print the catalogue and exit")
    p.add_argument("--lang", default="en", choices=["en", "zh"], help="language of --list")
    p.add_argument("--data", help="dataset folder, DuckDB file (.duckdb) or postgresql:// URL")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--period", help="one period, e.g. 2026Q3 or 2026-09")
    g.add_argument("--all", action="store_true",
                   help="every period from the first to the last ticket (default)")
    p.add_argument("--period-kind", dest="period_kind", default="quarter", choices=["quarter", "month"],
                   help="kind of period with --all (default quarter)")
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"],
                   help="query engine (default duckdb, embedded)")
    p.add_argument("--indicator", action="append", dest="indicators", metavar="ID",
                   help="compute only this indicator (repeatable)")
    p.add_argument("--wide", action="store_true", help="write one column per indicator")
    p.add_argument("--trusted", action="store_true",
                   help="read the folder's Parquet files directly in the engine, without "
                        "validation (for large data known to be clean); without it a folder of "
                        "Parquet files is validated inside DuckDB, other inputs in Python")
    p.add_argument("--out", help="output file (.csv, .parquet or .xlsx)")
    p.add_argument("--quarantine", metavar="FILE",
                   help="also write the rows the loader quarantined (table, file, row, column, reason, "
                        "record) to FILE (.csv, .parquet or .xlsx)")
    p.add_argument("--pseudonymize", action="store_true",
                   help="replace supervisor and staff ids and names by salted hashes (P-xxxxxxxxxxxx)")
    p.add_argument("--salt-file", dest="salt_file", metavar="PATH",
                   help="secret salt for --pseudonymize, kept outside the outputs (created if absent)")
    p.set_defaults(func=handler)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def aligned(df) -> str:
    """Render a DataFrame as a plain aligned text table (wide characters count double).

    Returns
    -------
    str
        The header, a rule of dashes, then one line per row; columns two spaces apart,
        missing values (None) blank, trailing spaces removed.

    Examples
    --------
    >>> import pandas as pd
    >>> print(aligned(pd.DataFrame({"supervisor_id": ["S001", "S002"], "score": [70.59, 86.66],
    ...                             "rating": ["B", None]})))
    supervisor_id  score  rating
    -------------  -----  ------
    S001           70.59  B
    S002           86.66
    """
    cols = list(df.columns)
    rows = [[str(c) for c in cols]] + [["" if v is None else str(v) for v in r]
                                       for r in df.itertuples(index=False)]
    widths = [max(_width(r[j]) for r in rows) for j in range(len(cols))]
    lines = []
    for n, r in enumerate(rows):
        cells = [r[j] + " " * (widths[j] - _width(r[j])) if j < len(cols) - 1 else r[j]
                 for j in range(len(cols))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def handler(args) -> int:
    """Run ``perfmodel indicators``; return the exit code.

    Returns
    -------
    int
        0 when the catalogue is listed or the panel written; bad input is a one-line
        error (exit code 2).

    Examples
    --------
    >>> import contextlib, os, sys, tempfile
    >>> from perfmodel.cli import main
    >>> from perfmodel.data.demo import demo_company
    >>> folder, out = str(demo_company(tempfile.mkdtemp())), tempfile.mkdtemp()
    >>> main(["indicators", "--data", folder, "--period", "2025Q2",
    ...       "--out", os.path.join(out, "panel.csv")])  # doctest: +ELLIPSIS
    wrote ...panel.csv
    3 supervisors x 1 periods (2025Q2) x 28 indicators on duckdb: 84 rows; 0 values missing (empty denominator); unavailable: none
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["indicators", "--data", folder, "--out", os.path.join(out, "panel.txt")])
    perfmodel: error: --out ...panel.txt: use a name ending in .csv, .parquet or .xlsx
    2
    """
    from perfmodel.indicators import catalogue_listing

    if args.list:
        listing = catalogue_listing(lang=args.lang)
        if args.lang == "zh":
            listing = listing.rename(columns=ZH_HEADERS)
        print(aligned(listing))
        return 0
    if not args.data:
        raise UsageError("perfmodel indicators: give --data DIR (or --list)")
    if not args.out:
        raise UsageError("perfmodel indicators: give --out FILE (.csv, .parquet or .xlsx)")
    from pathlib import Path

    from perfmodel.data.exports import SUFFIXES, write_table
    from perfmodel.indicators import wide_panel
    from perfmodel.core.periods import parse_period

    out = Path(args.out)
    if out.suffix.lower() not in SUFFIXES:
        raise UsageError(f"--out {out}: use a name ending in .csv, .parquet or .xlsx")
    if args.period:
        parse_period(args.period)  # a bad id fails before the data is read
    from perfmodel.data.privacy import pseudonymize, salt_for
    from perfmodel.pipeline import run_pipeline
    from perfmodel.cli._guards import check_output, report_quarantine

    check_output(out, data=args.data)
    check_output(args.quarantine, option="--quarantine", data=args.data, inputs=[])
    if args.quarantine and Path(args.quarantine).resolve() == out.resolve():
        raise UsageError(f"--quarantine {args.quarantine}: is also --out; choose another file")
    salt = salt_for(args.pseudonymize, args.salt_file, outputs=[out])
    if args.trusted and args.quarantine:  # Parquet read directly: no validation, so no quarantine
        raise UsageError("--quarantine: with --trusted nothing is validated, so nothing is quarantined")
    # a folder of Parquet tables on DuckDB is validated inside the engine (same quarantine);
    # the pipeline falls back to pandas for every other input
    run = run_pipeline(args.data, period=args.period, kind=args.period_kind, engine=args.engine,
                       indicators=args.indicators, trusted=args.trusted, validate="engine")
    if not args.trusted:
        report_quarantine(run.dataset, args.quarantine)
    long = run.panel
    table = wide_panel(long) if args.wide else long
    if salt is not None:
        table = pseudonymize(table, salt)
    write_table(table, out)
    periods = sorted(long["period"].unique())
    span = periods[0] if len(periods) == 1 else f"{periods[0]}..{periods[-1]}"
    unavailable = sorted(long.loc[~long["available"], "indicator"].unique())
    missing = int((long["available"] & long["value"].isna()).sum())
    print(f"wrote {out}")
    print(f"{long['supervisor_id'].nunique()} supervisors x {len(periods)} periods ({span}) x "
          f"{long['indicator'].nunique()} indicators on {args.engine}: {len(table)} rows; "
          f"{missing} values missing (empty denominator); "
          f"unavailable: {', '.join(unavailable) if unavailable else 'none'}")
    return 0
