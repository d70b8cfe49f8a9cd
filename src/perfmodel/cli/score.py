"""``perfmodel score``: score supervisors with a policy."""
from __future__ import annotations

from perfmodel.core.errors import UsageError
from perfmodel.core.numbers import round_half_up


def register(subparsers) -> None:
    """Add the ``score`` command.

    Returns
    -------
    None
        The ``score`` parser is added to ``subparsers`` with :func:`handler` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["score"].parse_args(["--data", "data/sample", "--policy", "quality",
    ...                                         "--period", "2026Q3", "--out", "scores.xlsx"])
    >>> args.data, args.policy, args.period, args.out, args.adjustments, args.func.__name__
    ('data/sample', 'quality', '2026Q3', 'scores.xlsx', None, 'handler')
    """
    p = subparsers.add_parser(
        "score", help="score supervisors with a policy (file or preset)",
        description="Compute the indicators of a dataset, score them with a policy and write "
                    "one row per supervisor and period: score, result_score, process_score, "
                    "rating, missing and score_<indicator>.")
    p.add_argument("--data", required=True, help="dataset folder, DuckDB file (.duckdb) or postgresql:// URL")
    p.add_argument("--policy", required=True, metavar="FILE|PRESET",
                   help="policy YAML file or preset (efficiency, quality)")
    p.add_argument("--period", help="period to score, e.g. 2026Q3 (default: every period of the data)")
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"],
                   help="query engine for the indicators (default duckdb)")
    p.add_argument("--out", help="output file (.csv, .parquet or .xlsx); without it the scores "
                                 "are printed")
    p.add_argument("--quarantine", metavar="FILE",
                   help="also write the rows the loader quarantined (table, file, row, column, reason, "
                        "record) to FILE (.csv, .parquet or .xlsx)")
    p.add_argument("--adjustments", metavar="FILE",
                   help="the review meeting's adjustments.csv (supervisor_id, period, from_rating, to_rating, "
                        "reason, approved_by, approved_on), applied after scoring and any quota; the output keeps "
                        "rating_computed beside the final rating")
    p.set_defaults(func=handler)


def run_for(data, policy, period, engine="duckdb", quarantine=None, adjustments=None, validate="pandas"):
    """The pipeline run of ``score`` and ``policy diff``: one period of the data, or all.

    ``data`` is a folder (quarantined rows are reported on stderr and written to
    ``quarantine`` when given; ``period`` must be in the data and of the policy's kind) or a
    loaded Dataset. ``validate="engine"``: a folder of Parquet tables on DuckDB is validated
    inside the engine, as ``perfmodel indicators`` validates it (the same quarantine).

    Returns
    -------
    perfmodel.pipeline.PipelineResult
        With the scores of ``policy``.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.data.demo import demo_company
    >>> from perfmodel.scoring.policy import load_policy
    >>> folder = str(demo_company(tempfile.mkdtemp()))
    >>> run = run_for(folder, load_policy("efficiency"), "2025Q2")
    >>> run.scores[["supervisor_id", "period", "score", "rating"]].round(2)
      supervisor_id  period  score rating
    0          S001  2025Q2  70.59      B
    1          S002  2025Q2  86.66      A
    2          S003  2025Q2  61.01      C
    """
    from perfmodel.pipeline import run_pipeline
    from perfmodel.cli._guards import report_quarantine

    if adjustments is not None:  # the file's own rows first: a bad row is refused before any data is read
        from perfmodel.scoring.adjustments import read_adjustments

        adjustments = read_adjustments(adjustments)
    run = run_pipeline(data, policy, period=period, engine=engine, adjustments=adjustments, validate=validate)
    report_quarantine(run.dataset, quarantine)
    return run


def panel_for(data, policy, period, engine="duckdb", quarantine=None):
    """The wide indicator panel of :func:`run_for` (supervisor_id, period, one column per indicator).

    Returns
    -------
    pandas.DataFrame
        supervisor_id, period, then one column per indicator of the catalogue.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.data.demo import demo_company
    >>> from perfmodel.scoring.policy import load_policy
    >>> folder = str(demo_company(tempfile.mkdtemp()))
    >>> panel = panel_for(folder, load_policy("efficiency"), "2025Q2")
    >>> panel[["supervisor_id", "period", "csat", "timely_closure_rate"]].round(3)
      supervisor_id  period   csat  timely_closure_rate
    0          S001  2025Q2  3.667                0.857
    ...
    """
    return run_for(data, policy, period, engine, quarantine).wide


def handler(args) -> int:
    """Run ``perfmodel score``; return the exit code.

    Returns
    -------
    int
        0 when the scores are printed or written; bad input is a one-line error (exit code 2).

    Examples
    --------
    >>> import contextlib, os, sys, tempfile
    >>> from perfmodel.cli import main
    >>> from perfmodel.data.demo import demo_company
    >>> folder, out = str(demo_company(tempfile.mkdtemp())), tempfile.mkdtemp()
    >>> main(["score", "--data", folder, "--policy", "efficiency", "--period", "2025Q2",
    ...       "--out", os.path.join(out, "scores.csv")])  # doctest: +ELLIPSIS
    wrote ...scores.csv
    3 supervisors, 2025Q2, policy after-sales-supervisor-efficiency 2026.1 (sha256 4894652bd781): ratings S 0, A 1, B 1, C 1, D 0; 0 rows with missing indicators (missing: renormalize)
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["score", "--data", folder, "--policy", "efficiency", "--out", os.path.join(folder, "tickets.csv")])
    ...     # doctest: +ELLIPSIS
    perfmodel: error: --out ...tickets.csv: the dataset ... reads this file as a table; write outside the data folder
    2
    """
    from pathlib import Path

    from perfmodel.data.exports import SUFFIXES, write_table
    from perfmodel.scoring.policy import load_policy
    from perfmodel.cli.indicators import aligned

    from perfmodel.cli._guards import check_output

    policy = load_policy(args.policy)
    if args.out and Path(args.out).suffix.lower() not in SUFFIXES:
        raise UsageError(f"--out {args.out}: use a name ending in .csv, .parquet or .xlsx")
    adjusted = [args.adjustments] if args.adjustments else []
    check_output(args.out, data=args.data, policy=args.policy, inputs=adjusted)
    check_output(args.quarantine, option="--quarantine", data=args.data, policy=args.policy, inputs=adjusted)
    if args.quarantine and args.out and Path(args.quarantine).resolve() == Path(args.out).resolve():
        raise UsageError(f"--quarantine {args.quarantine}: is also --out; choose another file")
    # the scores only need the panel, the supervisors and the goals: like `perfmodel indicators`,
    # a folder of Parquet tables is validated inside the engine
    run = run_for(args.data, policy, args.period, args.engine, quarantine=args.quarantine,
                  adjustments=args.adjustments, validate="engine")
    scores = run.scores
    if args.out:
        write_table(scores, args.out)
        print(f"wrote {args.out}")
    else:
        # the names beside the ids: the people the scores are about
        names = run.supervisors[["supervisor_id", "name"]].astype({"supervisor_id": str})
        named = scores.astype({"supervisor_id": str}).merge(names.drop_duplicates("supervisor_id"),
                                                            on="supervisor_id", how="left")
        cols = ["supervisor_id", "name", "period", "score", "result_score", "process_score",
                "rating_computed", "rating", "missing"]
        shown = named[[c for c in cols if c in named.columns]].copy()
        for col in shown.select_dtypes("float").columns:  # rounded as the workbook shows them
            shown[col] = shown[col].map(lambda v: round_half_up(v, 2))
        print(aligned(shown.astype(object).where(shown.notna(), "")))
    counts = scores["rating"].value_counts()
    ratings = ", ".join(f"{label} {int(counts.get(label, 0))}" for label in policy.ratings)
    unrated = int((scores["rating"] == "").sum())
    periods = sorted(scores["period"].unique())
    span = periods[0] if len(periods) == 1 else f"{periods[0]}..{periods[-1]}"
    print(f"{scores['supervisor_id'].nunique()} supervisors, {span}, policy {policy.name} "
          f"{policy.version} (sha256 {policy.sha256[:12]}): ratings {ratings}"
          f"{f', unrated {unrated}' if unrated else ''}; "
          f"{int((scores['missing'] != '').sum())} rows with missing indicators "
          f"(missing: {policy.missing})")
    if run.adjustments is not None:
        print_adjustments(run, policy)
    return 0


def print_adjustments(run, policy) -> None:
    """Say which adjustments were applied and, under a forced distribution, how far they break the quotas.

    Returns
    -------
    None
        Prints one line for the adjustments file, then, when the policy forces a
        distribution, one line per period on the quota counts.

    Examples
    --------
    The review meeting moves one supervisor from B to C under the quality preset, whose
    quotas allow two B and no C:

    >>> import os, tempfile
    >>> from perfmodel.data.demo import demo_company
    >>> from perfmodel.scoring.policy import load_policy
    >>> folder = str(demo_company(tempfile.mkdtemp()))
    >>> adjustments = os.path.join(tempfile.mkdtemp(), "adjustments.csv")
    >>> with open(adjustments, "w", encoding="utf-8") as fh:
    ...     _ = fh.write("supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on\\n"
    ...                  "S003,2025Q2,B,C,target missed after the review,HR director,2025-07-10\\n")
    >>> policy = load_policy("quality")
    >>> run = run_for(folder, policy, "2025Q2", adjustments=adjustments)
    >>> print_adjustments(run, policy)  # doctest: +ELLIPSIS
    adjustments: 1 ratings changed by ...adjustments.csv (sha256 dfa54c82742c); rating_computed is the rating before them
    2025Q2: the adjustments break the quotas: B quota 2, final 1 (-1); C quota 0, final 1 (+1)
    """
    from perfmodel.scoring.adjustments import quota_breaks

    adj, scores = run.adjustments, run.scores
    changed = int((scores["rating"] != scores["rating_computed"]).sum())
    print(f"adjustments: {changed} ratings changed by {adj.path} (sha256 {adj.sha256[:12]}); "
          f"rating_computed is the rating before them")
    for period, part in scores.groupby("period", sort=True):
        breaks = quota_breaks(part, policy, run.supervisors)
        if breaks is None:
            continue
        if breaks.empty:
            print(f"{period}: the adjustments keep every quota count")
            continue
        cells = "; ".join(f"{'' if r.group == 'all' else r.group + ' '}{r.rating} quota {r.quota}, final {r.final} "
                          f"({r.difference:+d})" for r in breaks.itertuples())
        print(f"{period}: the adjustments break the quotas: {cells}")
