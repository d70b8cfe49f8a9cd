"""``perfmodel sensitivity``: which supervisors' ratings hinge on the choice of weights."""
from __future__ import annotations

import dataclasses

from perfmodel.core import settings
from perfmodel.core.errors import UsageError


def register(subparsers) -> None:
    """Add the ``sensitivity`` command.

    Returns
    -------
    None
        The ``sensitivity`` parser is added to ``subparsers`` with :func:`handle` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["sensitivity"].parse_args(["--data", "data/sample", "--policy", "quality",
    ...                                               "--period", "2026Q3", "--rules", "percentile"])
    >>> args.policy, args.period, args.draws, args.seed, args.rules, args.threshold
    ('quality', '2026Q3', 2000, 2026, ['percentile'], 0.2)
    """
    p = subparsers.add_parser(
        "sensitivity", help="rank and rating uncertainty under plausible weights (Monte Carlo)",
        description="Draw the result-dimension weight within the phase's range (efficiency "
                    "0.60-0.70, quality 0.50-0.60, custom the policy's +/-0.05) and the indicator "
                    "weights around the policy's (Dirichlet), rank every supervisor under each "
                    "draw, and print the supervisors whose rating differs from the nominal one "
                    "with probability >= --threshold, then the Sobol indices of the weight groups.")
    p.add_argument("--data", metavar="DIR", help="dataset folder, DuckDB file (.duckdb) or postgresql:// URL")
    p.add_argument("--panel", metavar="FILE",
                   help="a wide indicator panel (.csv/.parquet) instead of computing it from --data; with a "
                        "policy that says goals: replace, also give --goals FILE or --data DIR: a panel holds "
                        "no agreed goals (the groups of quotas by team or region come from --data)")
    p.add_argument("--goals", metavar="FILE",
                   help="agreed goals (.csv/.parquet/.xlsx with supervisor_id, period, indicator, target, "
                        "floor, agreed_on, note; data/README.md), checked like a dataset's goals table; they "
                        "take the place of the --data goals table, and with goals: replace in the policy "
                        "their targets replace its own")
    p.add_argument("--policy", required=True, metavar="FILE|PRESET")
    p.add_argument("--period", required=True, metavar="P", help="period id, e.g. 2026Q3")
    p.add_argument("--draws", type=int, default=settings.DRAWS,
                   help=f"model evaluations (default {settings.DRAWS}, as on the report pages)")
    p.add_argument("--seed", type=int, default=settings.SEED,
                   help=f"random seed (default {settings.SEED}, as on the report pages)")
    p.add_argument("--result-range", metavar="LOW:HIGH", help="range of the result weight (default: by phase)")
    p.add_argument("--concentration", type=float, default=None,
                   help="Dirichlet concentration of the indicator weights (default 50; larger = "
                        "closer to the policy)")
    p.add_argument("--fixed-indicator-weights", action="store_true",
                   help="do not perturb the indicator weights")
    p.add_argument("--rules", action="append", default=None, metavar="percentile|FILE",
                   help="alternative scoring rules drawn with equal probability (repeatable)")
    p.add_argument("--threshold", type=float, default=settings.FRAGILE,
                   help=f"print supervisors whose rating differs with at least this probability "
                        f"(default {settings.FRAGILE})")
    p.add_argument("--out", metavar="FILE", help="write the full per-supervisor table (.csv/.parquet/.xlsx)")
    p.add_argument("--pseudonymize", action="store_true",
                   help="name nobody: supervisor ids in the printed list and in --out are replaced by "
                        "salted hashes (P-xxxxxxxxxxxx, the same as perfmodel report --pseudonymize "
                        "with the same salt); the draws and ranks are those of the real data")
    p.add_argument("--salt-file", dest="salt_file", metavar="PATH",
                   help="secret salt for --pseudonymize, kept outside the outputs (created if absent)")
    p.set_defaults(func=handle)


def _range(text: str | None):
    if not text:
        return None
    try:
        lo, hi = (float(x) for x in text.replace("..", ":").split(":"))
    except ValueError:
        raise UsageError(f"--result-range {text!r}: write LOW:HIGH, e.g. 0.60:0.70") from None
    return lo, hi


def _bind_goals_file(policy, path: str, supervisors):
    """``policy`` bound to the agreed goals of the file ``path`` (``--goals``).

    The file is checked as a dataset's goals table is (:func:`perfmodel.data.loader.load_table`,
    supervisor ids against ``supervisors``); rows that break a rule are quarantined and
    counted on stderr.
    """
    from perfmodel.cli._guards import report_quarantine
    from perfmodel.data.loader import load_table
    from perfmodel.scoring.goals import bind_goals, goals_table

    checked = load_table(path, "goals", parents={"supervisors": supervisors[["supervisor_id"]].astype(str)})
    report_quarantine(checked, out_option=None)
    return bind_goals(policy, goals_table(checked))


def handle(args) -> int:
    """Run ``perfmodel sensitivity``: print the supervisors with a fragile rating and the Sobol indices.

    Returns
    -------
    int
        0 when the analysis is printed (and ``--out`` written); bad input is a one-line
        error (exit code 2).

    Examples
    --------
    >>> import contextlib, sys, tempfile
    >>> from perfmodel.cli import main
    >>> from perfmodel.data.synth import generate
    >>> folder = tempfile.mkdtemp()
    >>> _ = generate(folder, supervisors=3, start="2025Q1", end="2025Q3", tickets=90)
    >>> main(["sensitivity", "--data", folder, "--policy", "efficiency", "--period", "2025Q2",
    ...       "--draws", "64"])  # doctest: +ELLIPSIS
    after-sales-supervisor-efficiency 2026.1 (efficiency), period 2025Q2: 60 draws, result weight 0.60-0.70, indicator weights Dirichlet concentration 50, seed 2026
    2 of 3 supervisors have a fragile rating (P(different rating) >= 0.2):
    supervisor_id nominal_rating modal_rating  p_rating_differs  nominal_rank  median_rank  rank_p05  rank_p95  nominal_score
             S002              A            A              0.33             2            2         1         3          87.09
             S001              S            S              0.32             1            1         1         2          90.87
    what drives rank changes (Sobol indices of the rank variance):
    ...
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["sensitivity", "--data", folder, "--policy", "efficiency", "--period", "2025Q2",
    ...           "--result-range", "x"])
    perfmodel: error: --result-range 'x': write LOW:HIGH, e.g. 0.60:0.70
    2
    """
    from perfmodel.core.periods import parse_period
    from perfmodel.analysis.weights.proposal import read_policy_with_provenance
    from perfmodel.analysis.sensitivity import DEFAULT_CONCENTRATION, rank_uncertainty
    from perfmodel.cli.weights import load_panel, write_table

    from perfmodel.data.privacy import pseudonymize, salt_for

    from perfmodel.cli._guards import check_output

    period = parse_period(args.period).id
    check_output(args.out, data=args.data, policy=args.policy, inputs=[args.panel, args.goals])
    salt = salt_for(args.pseudonymize, args.salt_file, outputs=[args.out] if args.out else [])
    policy, _ = read_policy_with_provenance(args.policy)  # a preset, a file, or a file written by `weights`
    people = None
    if args.panel:
        panel = load_panel(None, args.panel, [period])
        if policy.goals == "replace" and not (args.data or args.goals):
            # a panel holds values, not the targets agreed with each supervisor
            raise UsageError("--panel: the policy says goals: replace and a panel holds no agreed goals; "
                             "add --goals FILE (the agreed goals) or --data DIR (its goals table is bound as "
                             "with --data alone), or use a policy with goals: report")
        dataset = None
        if args.data and (policy.forced_by or (policy.goals == "replace" and not args.goals)):
            from perfmodel.pipeline import load, supervisor_names

            dataset = load(args.data)
            if policy.forced_by:  # quotas by team/region: the groups come from --data
                people = supervisor_names(dataset)
        if args.goals:
            known = dataset.tables["supervisors"] if dataset is not None else panel[["supervisor_id"]]
            policy = _bind_goals_file(policy, args.goals, known)
        elif dataset is not None:
            from perfmodel.scoring.goals import bind_goals, goals_table

            policy = bind_goals(policy, goals_table(dataset))
    else:  # one pipeline run: the panel, the agreed goals (as score uses them) and the groups
        from perfmodel.scoring.goals import bind_goals, goals_table
        from perfmodel.pipeline import run_pipeline, supervisor_names
        from perfmodel.cli._guards import report_quarantine

        if not args.data:
            raise UsageError("give --data DIR (a dataset folder) or --panel FILE")
        run = run_pipeline(args.data, periods=[period])
        report_quarantine(run.dataset, out_option=None)
        panel = run.wide
        if args.goals:
            policy = _bind_goals_file(policy, args.goals, run.dataset.tables["supervisors"])
        else:
            policy = bind_goals(policy, goals_table(run.dataset))
        if policy.forced_by:  # quotas by team/region: the supervisors' groups
            people = supervisor_names(run.dataset)
    if args.fixed_indicator_weights:
        conc = None
    else:
        conc = args.concentration if args.concentration is not None else DEFAULT_CONCENTRATION
    res = rank_uncertainty(panel, policy, draws=args.draws, seed=args.seed,
                           result_range=_range(args.result_range), indicator_concentration=conc,
                           rules=args.rules, supervisors=people)
    if salt is not None:  # after the draws: ties are broken by the real ids, as without the flag
        res = dataclasses.replace(res, table=pseudonymize(res.table, salt))
    t = res.table
    lo, hi = res.result_range
    conc_txt = "fixed" if conc is None else f"Dirichlet concentration {conc:g}"
    print(f"{policy.name} {policy.version} ({policy.phase}), period {period}: {res.draws} draws, "
          f"result weight {lo:.2f}-{hi:.2f}, indicator weights {conc_txt}, seed {res.seed}"
          + (f", rules {', '.join(res.rule_sets)}" if len(res.rule_sets) > 1 else ""))
    fragile = res.fragile(args.threshold)
    if fragile.empty:
        print(f"no supervisor's rating differs from the nominal one with probability >= {args.threshold:g}")
    else:
        print(f"{len(fragile)} of {int(t['nominal_rank'].notna().sum())} supervisors have a fragile "
              f"rating (P(different rating) >= {args.threshold:g}):")
        show = fragile[["supervisor_id", "nominal_rating", "modal_rating", "p_rating_differs",
                        "nominal_rank", "median_rank", "rank_p05", "rank_p95", "nominal_score"]].copy()
        for c in ("nominal_rank", "median_rank", "rank_p05", "rank_p95"):
            show[c] = show[c].astype("Int64")
        print(show.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print("what drives rank changes (Sobol indices of the rank variance):")
    print(res.sobol.drop(columns="period").to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.out:
        write_table(t, args.out)
        print(f"wrote {args.out}")
    return 0
