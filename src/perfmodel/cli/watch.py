"""``perfmodel watch``: period-to-date early warnings for the period in progress."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from ..errors import UsageError


def register(subparsers) -> None:
    """Add the ``watch`` command."""
    p = subparsers.add_parser(
        "watch", help="period-to-date early warnings: who is at risk of missing a target, and why",
        description="Compute every indicator on the period so far (nothing after --as-of is "
                    "used), project each weighted result indicator to the period end with an "
                    "interval, and list the supervisors at risk of missing the policy target, "
                    "with the process indicators that predict it.")
    p.add_argument("--data", required=True, help="dataset folder")
    p.add_argument("--period", required=True, help="the period in progress, e.g. 2026Q3")
    p.add_argument("--as-of", required=True, dest="as_of",
                   help="as-of date (YYYY-MM-DD = 00:00 that day) or ISO 8601 date-time")
    p.add_argument("--policy", default="efficiency", help="policy file or preset (default efficiency)")
    p.add_argument("--threshold", type=float, default=0.6,
                   help="risk of missing at or above which a result is at risk (default 0.6)")
    p.add_argument("--lang", default="en", choices=["en", "zh"], help="language of the suggestions")
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    p.add_argument("--out", help="write the warnings table (.csv, .parquet or .xlsx)")
    p.add_argument("--projections", help="also write every projection (.csv, .parquet or .xlsx)")
    p.set_defaults(func=handler)


def _write(df, path: str) -> None:
    try:
        from ..exports import write_table
    except ImportError:  # pragma: no cover - exports is part of the package
        df.to_csv(path, index=False, float_format="%.6g")
        return
    write_table(df, Path(path))


def _f(x, pct=False):
    if x is None or not np.isfinite(x):
        return "—"
    return f"{100 * x:.1f}%" if pct else f"{x:.3g}"


def handler(args) -> int:
    """Run ``perfmodel watch``; print the supervisors at risk with reasons."""
    from ..loader import load_dataset
    from ..watch import watch

    if not 0 < args.threshold < 1:
        raise UsageError(f"--threshold {args.threshold}: use a probability between 0 and 1")
    data = load_dataset(args.data)
    res = watch(data, args.period, args.as_of, args.policy, threshold=args.threshold,
                lang=args.lang, engine=args.engine)
    names = data.tables["supervisors"].set_index("supervisor_id")["name"].astype(str).to_dict()
    pr, w = res.projections, res.warnings
    at_risk = pr[pr["at_risk"]].sort_values(["p_miss", "supervisor_id", "result"],
                                            ascending=[False, True, True])
    as_of = res.as_of.date() if res.as_of == res.as_of.normalize() else res.as_of
    out = sys.stdout
    print(f"{res.period} as of {as_of}: {at_risk['supervisor_id'].nunique()} of "
          f"{pr['supervisor_id'].nunique()} supervisors at risk (p_miss >= {args.threshold:g}) "
          f"on {len(at_risk)} result indicators; {len(w.drop_duplicates(['supervisor_id', 'result']))} "
          f"with process evidence", file=out)
    for _, r in at_risk.iterrows():
        s, ind = r["supervisor_id"], r["result"]
        print(f"{s} {names.get(s, '')}  {ind}: p_miss {r['p_miss']:.2f}, projected "
              f"{_f(r['projected'])} [{_f(r['low'])}, {_f(r['high'])}] vs target {_f(r['target'])} "
              f"(so far {_f(r['value_to_date'])})", file=out)
        reasons = w[(w["supervisor_id"] == s) & (w["result"] == ind)]
        if reasons.empty:
            print("    no process indicator with verdict 'predicts' is behind its reference", file=out)
        for _, d in reasons.iterrows():
            print(f"    {d['driver']} (coef {d['coef']:.3g}, p_adj {d['p_adj']:.3g}, {d['verdict']}): "
                  f"{d['suggestion']}", file=out)
    if args.out:
        _write(w, args.out)
    if args.projections:
        _write(pr, args.projections)
    return 0
