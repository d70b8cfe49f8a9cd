"""``perfmodel lint``: the SMART check of a policy."""
from __future__ import annotations


def register(subparsers) -> None:
    """Add the ``lint`` command."""
    p = subparsers.add_parser(
        "lint", help="check a policy against SMART (exit 1 on an error finding)",
        description="Report SMART findings for a policy: Specific (catalogue ids), Measurable "
                    "(tables present), Achievable (target reached by 10-90 %% of the history), "
                    "Relevant (process indicators predict results, or a declared reason), "
                    "Time-bound (a period is set). Exit 1 when a finding is an error.")
    p.add_argument("--policy", required=True, metavar="FILE|PRESET",
                   help="policy YAML file or preset (efficiency, quality)")
    p.add_argument("--data", help="dataset folder (needed for M, A and the R test)")
    p.add_argument("--lag", type=int, default=1, help="periods between process and result (default 1)")
    p.add_argument("--out", help="also write the findings to a file (.csv, .parquet or .xlsx)")
    p.set_defaults(func=handler)


def handler(args) -> int:
    """Run ``perfmodel lint``; return 1 when a finding is an error, else 0."""
    from ..policy import load_policy
    from ..smart import lint
    from .indicators import aligned

    policy = load_policy(args.policy, strict=False)
    findings = lint(policy, args.data, lag=args.lag)
    if args.out:
        from ..exports import write_table
        write_table(findings, args.out, sort=False)
    errors = int((findings["severity"] == "error").sum())
    warnings = int((findings["severity"] == "warning").sum())
    print(f"SMART check of {policy.source}: {policy.name} {policy.version} "
          f"(sha256 {policy.sha256[:12]})")
    if len(findings):
        print(aligned(findings))
    print(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}")
    return 1 if errors else 0
