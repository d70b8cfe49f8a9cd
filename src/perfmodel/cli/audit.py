"""``perfmodel audit``: verify a report run against its manifest, list the runs."""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
    """Add the ``audit`` command with its ``verify`` and ``list`` actions.

    Returns
    -------
    None
        The parser is added to ``subparsers``; ``audit_command`` names the action and
        ``func`` is :func:`handle_verify` or :func:`handle_list`.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["audit"].parse_args(["verify", "reports/2026Q3/run1", "--data", "data/sample"])
    >>> args.audit_command, args.run_dir, args.data, args.salt_file, args.func.__name__
    ('verify', 'reports/2026Q3/run1', 'data/sample', None, 'handle_verify')
    >>> args = sub.choices["audit"].parse_args(["list", "--out", "reports", "--adjustments"])
    >>> args.audit_command, args.reports, args.adjustments, args.func.__name__
    ('list', 'reports', True, 'handle_list')
    """
    p = subparsers.add_parser("audit", help="verify a report run or list the runs",
                              description="Verify report runs against their manifests.")
    sub = p.add_subparsers(dest="audit_command", metavar="ACTION", parser_class=type(p))
    v = sub.add_parser("verify", help="recompute a run's outputs and compare every hash",
                       description="Check the manifest against its entry in the reports folder's "
                                   "ledger (ledger.jsonl), re-read the inputs it names, recompute "
                                   "indicators and scores with the policy text it records, and compare "
                                   "every hash, the workbook's cell values and the pages' score tables "
                                   "with the recomputed scores, and the pages' elements with an "
                                   "allow-list. Prints 'verified' (exit 0) or one line per finding "
                                   "(exit 1). See the threat model in README.md.")
    v.add_argument("run_dir", metavar="RUN_DIR")
    v.add_argument("--data", default=None, help="read the inputs from this folder (or DuckDB file, or postgresql:// URL) instead of the recorded one")
    v.add_argument("--salt-file", default=None, dest="salt_file",
                   help="the salt file a pseudonymized run was made with (required for such a run)")
    v.add_argument("--sign-key", default=None, dest="sign_key", metavar="FILE",
                   help="the signing key the run was sealed with (perfmodel report --sign-key): its "
                        "ledger entry must carry a matching HMAC")
    v.set_defaults(func=handle_verify)
    ls = sub.add_parser("list", help="list the runs per period",
                        description="List the runs per period: run id, status, notebook, language, "
                                    "policy, date and the data source each run read.")
    ls.add_argument("--out", default="reports", dest="reports", metavar="DIR",
                    help="reports folder, as given to perfmodel report --out (default reports)")
    # the option's former name, still accepted
    ls.add_argument("--reports", dest="reports", help=argparse.SUPPRESS)
    ls.add_argument("--adjustments", action="store_true",
                    help="list every rating adjustment the runs applied, per supervisor (period, from -> to, "
                         "reason, approver, date, and the report that applied it)")
    ls.set_defaults(func=handle_list)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def handle_verify(args) -> int:
    """Run ``perfmodel audit verify``: recompute a report run and compare every hash.

    Returns
    -------
    int
        0 and prints ``verified`` when every check passes; a failed check raises
        :class:`perfmodel.core.errors.CheckFailed` (exit code 1), bad input a one-line
        error (exit code 2).

    Examples
    --------
    >>> import contextlib, os, sys, tempfile
    >>> from perfmodel.cli import main
    >>> reports = tempfile.mkdtemp()
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["audit", "verify", os.path.join(reports, "nope")])
    perfmodel: error: run folder ...nope: not found; give a folder reports/<period>/<run_id>
    2
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["audit", "verify", reports])
    perfmodel: check failed: ...: no manifest.json; the run is incomplete and cannot be verified
    1
    """
    from pathlib import Path

    import sys

    from perfmodel.audit.verify import check_run
    from perfmodel.core.errors import CheckFailed, UsageError
    from perfmodel.audit.ledger import read_key
    from perfmodel.data.privacy import load_or_create_salt

    salt = None
    if args.salt_file:
        if not Path(args.salt_file).expanduser().is_file():
            raise UsageError(f"--salt-file {args.salt_file}: not found; give the salt file the run was made with")
        salt = load_or_create_salt(args.salt_file)
    key = read_key(args.sign_key) if args.sign_key else None
    result = check_run(args.run_dir, data_dir=args.data, salt=salt, key=key)
    for note in result.notes:  # what was not checked, whatever the outcome
        print(f"perfmodel: note: {note}", file=sys.stderr)
    if not result.ok:
        raise CheckFailed(result.summary())
    print("verified")
    return 0


def handle_list(args) -> int:
    """Run ``perfmodel audit list``: print the runs per period, or with ``--adjustments`` the adjustments.

    Returns
    -------
    int
        0.

    Examples
    --------
    >>> import tempfile
    >>> from perfmodel.cli import main
    >>> reports = tempfile.mkdtemp()
    >>> main(["audit", "list", "--out", reports])
    no runs
    0
    >>> main(["audit", "list", "--out", reports, "--adjustments"])
    no adjustments
    0
    """
    from perfmodel.audit.runs import format_adjustments, format_runs, list_adjustments, list_runs

    if getattr(args, "adjustments", False):
        print(format_adjustments(list_adjustments(args.reports)))
        return 0
    print(format_runs(list_runs(args.reports)))
    return 0
