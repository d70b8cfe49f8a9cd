"""``perfmodel watch``: period-to-date early warnings for the period in progress."""
from __future__ import annotations

import sys
from pathlib import Path

from perfmodel.core.deprecation import keyword_only
from perfmodel.core.errors import UsageError


def register(subparsers) -> None:
    """Add the ``watch`` command.

    Returns
    -------
    None
        The ``watch`` parser is added to ``subparsers`` with :func:`handler` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["watch"].parse_args(["--data", "data/sample", "--period", "2026Q3",
    ...                                         "--as-of", "2026-08-15"])
    >>> args.period, args.as_of, args.policy, args.threshold, args.lang
    ('2026Q3', '2026-08-15', 'efficiency', 0.6, 'en')
    """
    p = subparsers.add_parser(
        "watch", help="period-to-date early warnings: who is at risk of missing a target, and why",
        description="Compute every indicator on the period so far (nothing stamped at or after "
                    "--as-of is used), project each weighted result indicator of the policy to "
                    "the period end with an interval, and list the supervisors at risk of "
                    "missing its target, with the process indicators that predict it (verdict "
                    "'predicts' in predictive validity on the earlier periods).")
    p.add_argument("--data", required=True, help="dataset folder, DuckDB file (.duckdb) or postgresql:// URL")
    p.add_argument("--period", required=True, help="the period in progress, e.g. 2026Q3")
    p.add_argument("--as-of", required=True, dest="as_of",
                   help="as-of date (YYYY-MM-DD: 00:00 that day, the day itself not included) "
                        "or ISO 8601 date-time; after the first instant of --period and at most "
                        "its end (for 2026Q3: after 2026-07-01 00:00 and at most 2026-10-01 00:00, "
                        "i.e. the dates 2026-07-02 to 2026-10-01)")
    p.add_argument("--policy", default="efficiency", help="policy file or preset (default efficiency)")
    p.add_argument("--threshold", type=float, default=0.6,
                   help="risk of missing at or above which a result is at risk (default 0.6)")
    p.add_argument("--lang", default="en", choices=["en", "zh"],
                   help="language (en or zh) of all that is printed: the summary, the results "
                        "at risk, their reasons and suggestions, and the command's own error "
                        "messages (--as-of, --threshold, a --period the policy does not score); "
                        "also of the suggestion column of --out (default en)")
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    p.add_argument("--out", help="write the warnings table (.csv, .parquet or .xlsx)")
    p.add_argument("--projections", help="also write every projection (.csv, .parquet or .xlsx)")
    p.add_argument("--period-to-date", dest="period_to_date",
                   help="also write every indicator of the period so far (long table)")
    p.set_defaults(func=handler)


def _write(df, path: str) -> None:
    from perfmodel.data.exports import write_table

    write_table(df, Path(path))


@keyword_only("lang")
def lines(res, names: dict, threshold: float, *, lang: str = "en") -> list[str]:
    """The text ``perfmodel watch`` prints: a summary line, then each supervisor at risk.

    Parameters
    ----------
    res : WatchResult
    names : dict
        Supervisor id -> name.
    threshold : float
        The risk of missing at or above which a result is at risk.
    lang : {"en", "zh"}
        Language of the lines (indicator names from the catalogue).

    Returns
    -------
    list of str
        A summary line; then per supervisor at risk a line, and per result at risk a line,
        a line saying why it is projected to miss (history, trend so far, volume so far)
        and one line per process indicator that predicts it; last, once, a note when some
        result at risk has no such process indicator. No line is repeated within a
        supervisor's block.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.analysis.watch import watch
    >>> from perfmodel.data.synth import generate
    >>> from perfmodel.pipeline import load
    >>> folder = tempfile.mkdtemp()
    >>> _ = generate(folder, supervisors=3, start="2025Q1", end="2025Q3", tickets=90)
    >>> data = load(folder)
    >>> res = watch(data, "efficiency", period="2025Q3", as_of="2025-08-15", threshold=0.6)
    >>> lines(res, {}, 0.6)
    ['2025Q3 as of 2025-08-15 (45 of 92 days): 0 of 3 supervisors at risk (p_miss >= 0.6) on 0 results; 0 with a process indicator that predicts it']
    """
    from perfmodel.core import catalogue as cat
    from perfmodel.core.i18n import t
    from perfmodel.core.periods import parse_period
    from perfmodel.analysis.watch.reasons import fmt_value, projection_reason
    from perfmodel.analysis.watch.text import text

    pr, w = res.projections, res.warnings
    p = parse_period(res.period)
    days = (min(res.as_of, p.end) - p.start) / (p.end - p.start) * p.days
    as_of = res.as_of.date() if res.as_of == res.as_of.normalize() else res.as_of
    risk = pr[pr["at_risk"]]
    with_reason = w.drop_duplicates(["supervisor_id", "result"])
    out = [text("headline", lang=lang, period=res.period, as_of=as_of, days=f"{days:g}", total=p.days,
                n_risk=risk["supervisor_id"].nunique(), n_all=pr["supervisor_id"].nunique(),
                threshold=f"{threshold:g}", n_results=len(risk), n_reason=len(with_reason))]
    no_driver = False
    order = (risk.groupby("supervisor_id")["p_miss"].max().sort_values(ascending=False, kind="mergesort"))
    for s in order.index:
        out.append(f"{s} {names.get(s, '')}")
        for _, r in risk[risk["supervisor_id"] == s].sort_values(["p_miss", "result"],
                                                                  ascending=[False, True]).iterrows():
            ind = r["result"]
            out.append(text("result_line", lang=lang, ind=ind, name=cat.name(ind, lang=lang), p=r["p_miss"],
                            projected=fmt_value(ind, r["projected"]), low=fmt_value(ind, r["low"]),
                            high=fmt_value(ind, r["high"]), target=fmt_value(ind, r["target"]),
                            so_far=fmt_value(ind, r["value_to_date"])))
            reason = projection_reason(r, p.kind, lang=lang) if "drivers" in r.index else ""
            if reason:
                out.append(reason)
            why = w[(w["supervisor_id"] == s) & (w["result"] == ind)]
            no_driver |= why.empty
            for _, d in why.iterrows():
                out.append(text("driver_line", lang=lang, driver=d["driver"], name=cat.name(d["driver"], lang=lang),
                                coef=d["coef"], p_adj=d["p_adj"], verdict=t(d["verdict"], lang=lang),
                                suggestion=d["suggestion"]))
    if no_driver:  # said once, not under every result it applies to
        out.append(text("no_driver", lang=lang, predicts=t("predicts", lang=lang)))
    return out


def handler(args) -> int:
    """Run ``perfmodel watch``; print the supervisors at risk with reasons.

    Returns
    -------
    int
        0 when the warnings are printed; bad input (an ``--as-of`` outside the period, a
        threshold outside 0..1) is a one-line error in ``--lang`` (exit code 2).

    Examples
    --------
    >>> import contextlib, sys, tempfile
    >>> from perfmodel.cli import main
    >>> from perfmodel.data.synth import generate
    >>> folder = tempfile.mkdtemp()
    >>> _ = generate(folder, supervisors=3, start="2025Q1", end="2025Q3", tickets=90)
    >>> main(["watch", "--data", folder, "--period", "2025Q3", "--as-of", "2025-08-15"])
    2025Q3 as of 2025-08-15 (45 of 92 days): 0 of 3 supervisors at risk (p_miss >= 0.6) on 0 results; 0 with a process indicator that predicts it
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["watch", "--data", folder, "--period", "2025Q3", "--as-of", "2025-12-15"])
    perfmodel: error: --as-of 2025-12-15 00:00:00: must fall inside 2025Q3: after 2025-07-01 00:00 and at most 2025-10-01 00:00 (as a date: 2025-07-02 to 2025-10-01)
    2
    """
    from perfmodel.core.periods import check_period
    from perfmodel.pipeline import load
    from perfmodel.analysis.watch import watch
    from perfmodel.analysis.watch.core import check_as_of
    from perfmodel.analysis.watch.text import text

    if not 0 < args.threshold < 1:
        raise UsageError(text("threshold", lang=args.lang, threshold=args.threshold))
    check_as_of(args.period, args.as_of, lang=args.lang)  # before the (perhaps long) load
    data = load(args.data)
    check_period(data, args.period)  # a period without tickets would show every result at risk
    res = watch(data, args.policy, period=args.period, as_of=args.as_of, threshold=args.threshold,
                lang=args.lang, engine=args.engine)
    names = data.tables["supervisors"].set_index("supervisor_id")["name"].astype(str).to_dict()
    for line in lines(res, names, args.threshold, lang=args.lang):
        print(line, file=sys.stdout)
    if args.out:
        _write(res.warnings, args.out)
    if args.projections:
        _write(res.projections, args.projections)
    if args.period_to_date:
        _write(res.period_to_date, args.period_to_date)
    return 0
