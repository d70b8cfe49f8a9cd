"""``perfmodel audit``: verify a report run against its manifest, list the runs."""
from __future__ import annotations

import argparse


def register(subparsers) -> None:
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
    from perfmodel.audit.runs import format_adjustments, format_runs, list_adjustments, list_runs

    if getattr(args, "adjustments", False):
        print(format_adjustments(list_adjustments(args.reports)))
        return 0
    print(format_runs(list_runs(args.reports)))
    return 0
