"""``perfmodel report``: run a report notebook into reports/<period>/<run_id>/."""
from __future__ import annotations

import contextlib
import signal
import sys

from perfmodel.core import messages, settings

DEFAULT_DATA = "data/sample"


def register(subparsers) -> None:
    """Add the ``report`` command.

    Returns
    -------
    None
        The ``report`` parser is added to ``subparsers`` with :func:`handle` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["report"].parse_args(["--period", "latest", "--notebook", "feedback",
    ...                                          "--lang", "zh"])
    >>> args.period, args.notebook, args.lang, args.data, args.policy, args.out, args.jobs
    ('latest', 'feedback', 'zh', 'data/sample', 'efficiency', 'reports', 1)
    """
    p = subparsers.add_parser(
        "report", help="run a report notebook for a period (HTML, CSV, Excel, manifest)",
        description="Run a parameterized report notebook and write reports/<period>/<run_id>/: the "
                    "executed notebook, an offline HTML page, scores and indicators as CSV and Excel, "
                    "and manifest.json. Prints the path of the HTML page as the last line. Each run "
                    "first removes the working caches (.cache, personal data) that killed runs left "
                    "under --out; a run still going, or owned by another host, is never touched. A run "
                    "stopped by Ctrl-C or SIGTERM removes its own cache and stays incomplete (exit 130 "
                    "or 143).")
    which = p.add_mutually_exclusive_group()  # one of them is required unless --as-of or --clean-stale
    which.add_argument("--period", help="period id (2026Q3, 2026-09) or 'latest' (latest complete period)")
    which.add_argument("--all", action="store_true", dest="all_periods",
                       help="every complete period in the data")
    which.add_argument("--clean-stale", action="store_true", dest="clean_stale",
                       help="only remove the working caches (<run>/.cache) that killed runs left under "
                            "--out, whose process is gone (same host), and exit; the killed runs stay "
                            "incomplete")
    p.add_argument("--notebook", default="quarterly",
                   choices=["quarterly", "feedback", "calibration", "validity", "audit"])
    p.add_argument("--data", default=DEFAULT_DATA,
                   help="dataset folder, DuckDB file or postgresql:// URL (default data/sample, the bundled synthetic sample; the folder "
                        "used is printed on stderr)")
    p.add_argument("--policy", default="efficiency", help="policy YAML file or preset (efficiency, quality)")
    p.add_argument("--other-policy", default=None, help="audit notebook: a second policy to compare")
    p.add_argument("--run", default=None, help="audit notebook: the run folder to audit "
                                              "(default: the latest complete quarterly report run of the period)")
    p.add_argument("--matrix", default=None, metavar="FILE",
                   help="calibration notebook: your pairwise comparison matrix of the result indicators "
                        "(CSV, header and first column = indicator ids, Saaty 1-9, fractions such as 1/3); "
                        "an inconsistent one (CR > 0.1) is shown with its CR and proposes no policy")
    p.add_argument("--adjustments", default=None, metavar="FILE",
                   help="quarterly and feedback notebooks: the review meeting's adjustments.csv (supervisor_id, "
                        "period, from_rating, to_rating, reason, approved_by, approved_on), applied after scoring "
                        "and any quota; copied into the run folder and recorded in the manifest with its sha256")
    p.add_argument("--as-of", default=None, dest="as_of",
                   help="feedback notebook: mid-period coaching as of this date (2026-08-15); the "
                        "period is the one in progress then, so --period/--all may be left out")
    p.add_argument("--lang", default="en", choices=["en", "zh"])
    p.add_argument("--jobs", type=int, default=1, help="processes for --all and feedback pages")
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    p.add_argument("--seed", type=int, default=None,
                   help=f"seed of the random draws (default {settings.SEED}, as the other commands)")
    p.add_argument("--out", default="reports", help="reports folder (default reports)")
    p.add_argument("--pseudonymize", action="store_true",
                   help="research outputs that name nobody: supervisor and staff ids and names are "
                        "replaced by salted hashes (P- + 12 hex digits of HMAC-SHA256) in the data "
                        "outputs (indicators.csv, scores.csv, scores.xlsx) and in the pages (HTML and "
                        "executed notebook), which are made from pseudonymized data only; the same salt "
                        "gives the same pseudonyms. Needs --salt-file; not with --notebook feedback "
                        "or audit")
    p.add_argument("--sign-key", default=None, dest="sign_key", metavar="FILE",
                   help="seal each run's manifest in the ledger (<out>/ledger.jsonl) with an HMAC made "
                        "with this key file, kept outside --out (created if absent); perfmodel audit verify "
                        "--sign-key FILE then catches a rewritten ledger too")
    p.add_argument("--salt-file", default=None, dest="salt_file",
                   help="with --pseudonymize: file holding the secret salt, outside --out (created if "
                        "absent); never copied into the run folder or manifest")
    p.set_defaults(func=handle)


def handle(args) -> int:
    """Run ``perfmodel report``: run the notebook for each period, print each run, last the HTML page.

    Returns
    -------
    int
        0 when every run succeeded (the last line printed is the HTML page), 1 when a run
        failed; bad input is a one-line error (exit code 2) before any notebook runs.

    Examples
    --------
    Bad input stops before any notebook runs; ``--clean-stale`` runs none either:

    >>> import contextlib, os, sys, tempfile
    >>> from perfmodel.cli import main
    >>> reports = tempfile.mkdtemp()
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["report", "--period", "2026Q3", "--notebook", "feedback", "--pseudonymize", "--out", reports])
    perfmodel: error: --pseudonymize: feedback pages are personal by nature; not with --notebook feedback
    2
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["report", "--period", "2026Q3", "--data", os.path.join(reports, "nodata"), "--out", reports])
    ...     # doctest: +ELLIPSIS
    perfmodel: error: ...nodata: data folder not found; give --data DIR with the tables, a .duckdb file or a postgresql:// URL
    2
    >>> main(["report", "--clean-stale", "--out", reports])  # doctest: +ELLIPSIS
    0 stale cache(s) removed under ...
    0
    """
    from perfmodel.core.errors import UsageError
    from perfmodel.data.privacy import salt_for
    from perfmodel.reporting.runner import DEFAULT_SEED, run_reports, validate

    key = signing_key(args)
    if args.clean_stale:
        return clean(args, key)
    if args.pseudonymize and args.notebook == "feedback":
        raise UsageError.worded("errors.pseudonymize_feedback")
    if args.pseudonymize and args.notebook == "audit":
        raise UsageError.worded("errors.pseudonymize_audit")
    salt = salt_for(args.pseudonymize, args.salt_file, outputs=(args.out,))

    spec, dataset = validate(period=args.period, all_periods=args.all_periods, notebook=args.notebook,
                             data_dir=args.data, policy=args.policy, lang=args.lang, engine=args.engine,
                             out=args.out, jobs=args.jobs,
                             seed=DEFAULT_SEED if args.seed is None else args.seed,
                             audit_run=args.run, other_policy=args.other_policy, as_of=args.as_of,
                             matrix=args.matrix, adjustments=args.adjustments, command=["perfmodel", *sys.argv[1:]], salt=salt)
    spec.sign_key = key
    lang = args.lang
    print(data_line(args.data, lang=lang), file=sys.stderr)  # after validate: a bad parameter stays one line
    with _terminate_cleanly(lang=lang):
        results = run_reports(spec, dataset)
    failed = [r for r in results if not r.ok]
    statuses = {"complete": "cli.report_complete", "failed": "cli.report_failed_status"}
    for r in results:
        status = messages.text(statuses[r.status], lang=lang) if r.status in statuses else r.status
        print(messages.text("cli.report_result", lang=lang, period=r.period, status=status, path=r.html or r.run_dir))
    for r in failed:
        for e in r.errors:
            print("perfmodel: " + messages.text("cli.report_failed", lang=lang, error=e), file=sys.stderr)
        print("perfmodel: " + messages.text("cli.report_failed_where", lang=lang, path=r.run_dir), file=sys.stderr)
    if failed:
        return 1
    # The last line is the path of the HTML page (of the last period with --all).
    print(results[-1].html)
    return 0


def data_line(data, *, lang: str = "en") -> str:
    """The line naming the data folder a report uses (``data: data/sample (the bundled ...)``).

    Returns
    -------
    str
        ``data: `` and the folder, file or database URL (without its password).

    Examples
    --------
    >>> data_line("data/sample")
    'data: data/sample (the bundled synthetic sample)'
    >>> data_line("postgresql://hr:secret@db.example.com/perf")
    'data: postgresql://hr@db.example.com/perf'
    >>> data_line("data/sample", lang="zh")
    '数据：data/sample（随附的合成示例数据）'
    """
    if str(data) == DEFAULT_DATA:
        return messages.text("cli.data_sample", lang=lang, source=DEFAULT_DATA)
    from perfmodel.data.dbsource import public_url

    # a database URL never shows its password
    return messages.text("cli.data_line", lang=lang, source=public_url(str(data)))


@contextlib.contextmanager
def _terminate_cleanly(*, lang: str = "en"):
    """SIGTERM (``kill PID``, a scheduler's time limit) ends the run like Ctrl-C: the run's
    cache is removed on the way out and no manifest is written, so the run stays incomplete.
    SIGKILL cannot be caught; the next run under the same --out removes that cache."""
    def stop(signum, frame):
        print("perfmodel: " + messages.text("cli.report_terminated", lang=lang), file=sys.stderr)
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave the signal alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def signing_key(args) -> bytes | None:
    """The key of ``--sign-key FILE`` (created if absent; refused inside ``--out``), or None.

    Returns
    -------
    bytes or None
        The key read from (or written to) the file; None without ``--sign-key``.

    Examples
    --------
    >>> import os, tempfile
    >>> from perfmodel.cli import build_parser
    >>> reports, keys = tempfile.mkdtemp(), tempfile.mkdtemp()
    >>> key_file = os.path.join(keys, "ledger.key")
    >>> args = build_parser().parse_args(["report", "--clean-stale", "--out", reports, "--sign-key", key_file])
    >>> key = signing_key(args)
    >>> len(key), os.path.isfile(key_file), signing_key(args) == key
    (64, True, True)
    >>> print(signing_key(build_parser().parse_args(["report", "--clean-stale", "--out", reports])))
    None
    >>> args = build_parser().parse_args(["report", "--clean-stale", "--out", reports,
    ...                                   "--sign-key", os.path.join(reports, "ledger.key")])
    >>> signing_key(args)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: --sign-key ...ledger.key: keep the signing key outside ... (whoever can rewrite the ledger must not hold the key)
    """
    from perfmodel.audit.ledger import read_key

    if not args.sign_key:
        return None
    return read_key(args.sign_key, forbidden=(args.out,), create=True)


def clean(args, key: bytes | None = None) -> int:
    """``perfmodel report --clean-stale``: remove the caches of killed runs under ``--out``.

    Returns
    -------
    int
        0; each cache removed or kept is printed, then the count removed.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.cli import build_parser
    >>> reports = tempfile.mkdtemp()
    >>> clean(build_parser().parse_args(["report", "--clean-stale", "--out", reports]))  # doctest: +ELLIPSIS
    0 stale cache(s) removed under ...
    0
    """
    from perfmodel.core.errors import UsageError
    from perfmodel.reporting.cleanup import clean_stale
    from perfmodel.reporting.runner import writable_folder

    if args.as_of:
        raise UsageError("--clean-stale: give it with --out only (not with --as-of)")
    out = writable_folder(args.out)
    result = clean_stale(out, key=key)
    for path in result.removed:
        print(f"removed {path}")
    for path, why in result.kept:
        print(f"kept {path} ({why})")
    print(f"{len(result.removed)} stale cache(s) removed under {out}")
    return 0
