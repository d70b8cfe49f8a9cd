"""``perfmodel ratings``: the rating review across teams or regions (评级校准)."""
from __future__ import annotations

from perfmodel.core import messages, settings
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.errors import UsageError
from perfmodel.core.numbers import format_number

WORDS = messages.group("ratings")
HEADERS = messages.group("ratings_headers")


QUOTA_WORDS = messages.group("ratings_quota")
CHANGED_HEADERS = messages.group("ratings_changed")


@keyword_only("lang")
def print_quota_effect(scores, supervisors, policy, by: str, *, lang: str) -> None:
    """Print, when the policy has a forced distribution, the before/after table and who changed.

    Returns
    -------
    None
        Nothing is printed when ``policy`` has no forced distribution.

    Examples
    --------
    The quality preset forces a distribution of ratings; with three supervisors its quotas
    move two of them:

    >>> import tempfile
    >>> from perfmodel.data.demo import demo_company
    >>> from perfmodel.scoring.policy import load_policy
    >>> from perfmodel.cli.score import run_for
    >>> folder = str(demo_company(tempfile.mkdtemp()))
    >>> policy = load_policy("quality")
    >>> run = run_for(folder, policy, "2025Q2")
    >>> print_quota_effect(run.scores_of(), run.supervisors, policy, "team", lang="en")  # doctest: +ELLIPSIS
    <BLANKLINE>
    Quotas for everyone of the period (largest remainder): supervisors per rating from the bands -> after the quota, by team
    group...S       A       B       C       D
    ...
    all           0 -> 0  1 -> 1  0 -> 2  1 -> 0  1 -> 0
    <BLANKLINE>
    2 supervisors' ratings changed by the quota:
    supervisor  group...score  from the bands  after the quota
    ...
    S003...55.54  D               B
    S001...64.22  C               B
    >>> print_quota_effect(run.scores_of(), run.supervisors, load_policy("efficiency"), "team", lang="en")
    """
    from perfmodel.scoring.quotas import counts_wide, quota_effect
    from perfmodel.scoring.scores import NO_GROUP
    from perfmodel.cli.indicators import aligned

    effect = quota_effect(scores, supervisors, policy, by=by)
    if effect is None:
        return
    w = {k: v[lang] for k, v in QUOTA_WORDS.items()}
    print()
    if policy.forced_by:
        print(w["title_by"].format(quota_by=WORDS[policy.forced_by][lang], by=WORDS[by][lang], none=NO_GROUP))
    else:
        print(w["title_all"].format(by=WORDS[by][lang]))
    wide = counts_wide(effect).replace({"group": {"all": WORDS["all"][lang]}})
    print(aligned(wide.rename(columns={"group": HEADERS["group"][lang]}).replace("→", "->", regex=True)))
    print()
    if effect.changed.empty:
        print(w["unchanged"])
        return
    print(w["changed"].format(n=len(effect.changed)))
    shown = effect.changed.assign(score=effect.changed["score"].map(lambda v: format_number(v, ".2f")))
    print(aligned(shown.rename(columns={c: CHANGED_HEADERS[c][lang] for c in shown.columns})))


def register(subparsers) -> None:
    """Add the ``ratings`` command.

    Returns
    -------
    None
        The ``ratings`` parser is added to ``subparsers`` with :func:`handler` as ``func``.

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser(prog="perfmodel").add_subparsers(dest="command")
    >>> register(sub)
    >>> args = sub.choices["ratings"].parse_args(["--period", "latest", "--data", "data/sample",
    ...                                           "--policy", "quality", "--by", "region"])
    >>> args.period, args.by, args.lang, args.permutations, args.seed
    ('latest', 'region', 'en', 9999, 2026)
    """
    p = subparsers.add_parser(
        "ratings", help="rating review: each team's or region's scores and ratings against the rest",
        description="For one period, each group's score and rating distributions (computed, before any "
                    "quota) against the rest of the population; a permutation test of the mean score per "
                    "group (exact for small groups), adjusted by Benjamini-Hochberg, flags groups rated "
                    "significantly above or below the rest.")
    p.add_argument("--period", required=True, help="period, e.g. 2026Q3, or latest")
    p.add_argument("--data", required=True, help="dataset folder")
    p.add_argument("--policy", required=True, metavar="FILE|PRESET", help="policy YAML file or preset")
    p.add_argument("--by", default="team", choices=["team", "region"], help="group by team (default) or region")
    p.add_argument("--lang", default="en", choices=["en", "zh"], help="language of the text (default en)")
    p.add_argument("--out", metavar="FILE", help="also write the group table (.csv, .parquet or .xlsx)")
    p.add_argument("--permutations", type=int, default=settings.PERMUTATIONS,
                   help=f"resamples of the permutation test (default {settings.PERMUTATIONS})")
    p.add_argument("--seed", type=int, default=settings.SEED, help=f"seed (default {settings.SEED})")
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"], help="query engine (default duckdb)")
    p.set_defaults(func=handler)


def handler(args) -> int:
    """Run ``perfmodel ratings``; return the exit code.

    Returns
    -------
    int
        0 when the review is printed; bad input is a one-line error (exit code 2).

    Examples
    --------
    >>> import contextlib, os, sys, tempfile
    >>> from perfmodel.cli import main
    >>> from perfmodel.data.demo import demo_company
    >>> folder, out = str(demo_company(tempfile.mkdtemp())), tempfile.mkdtemp()
    >>> main(["ratings", "--data", folder, "--policy", "quality", "--period", "2025Q2",
    ...       "--permutations", "99", "--out", os.path.join(out, "groups.csv")])  # doctest: +ELLIPSIS
    Rating review by team, 2025Q2: each group against everyone else (permutation test of the mean score, 99 resamples, seed 2026; Benjamini-Hochberg at 0.05)
    group         n  mean score  median  rest mean  difference  p  p (adjusted)  flag
    ...
    No group scores significantly above or below the rest (3 groups, 3 of one supervisor not tested).
    ...
    wrote ...groups.csv
    0
    >>> with contextlib.redirect_stderr(sys.stdout):
    ...     main(["ratings", "--data", folder, "--policy", "quality", "--period", "2025Q2",
    ...           "--permutations", "10"])
    perfmodel: error: --permutations 10: give 99 or more
    2
    """
    from pathlib import Path

    from perfmodel.data.exports import SUFFIXES, write_table
    from perfmodel.scoring.policy import load_policy
    from perfmodel.analysis.rating_review import rating_review
    from perfmodel.cli._guards import check_output
    from perfmodel.cli.indicators import aligned
    from perfmodel.cli.score import run_for

    if args.out and Path(args.out).suffix.lower() not in SUFFIXES:
        raise UsageError.worded("errors.out_table_suffix", path=args.out)
    if args.permutations < 99:
        raise UsageError.worded("errors.permutations_too_few", n=args.permutations)
    check_output(args.out, data=args.data, policy=args.policy)
    policy = load_policy(args.policy)
    run = run_for(args.data, policy, args.period, args.engine)
    rv = rating_review(run.scores_of(), run.supervisors, policy.ratings, by=args.by,
                       permutations=args.permutations, seed=args.seed, bands=policy.rating_bands)
    lang = args.lang
    w = {k: v[lang] for k, v in WORDS.items()}
    print(w["title"].format(by=w[args.by], period=rv.period, perms=rv.permutations, seed=rv.seed, alpha=rv.alpha))
    shown = rv.groups.copy()
    for col in ("mean_score", "median_score", "rest_mean", "difference"):
        shown[col] = shown[col].map(lambda v: "" if v != v else format_number(v, ".2f"))
    for col in ("p_value", "p_adj"):
        shown[col] = shown[col].map(lambda v: "" if v != v else format_number(v, ".3f"))
    shown["flag"] = shown["flag"].map(lambda f: w.get(f, "") if f else "")
    print(aligned(shown.rename(columns={c: HEADERS[c][lang] for c in shown.columns})))
    print()
    print(w["distribution"])
    dist = rv.distribution.copy()
    for col in dist.columns[1:]:
        dist[col] = dist[col].map(lambda v: format_number(v, ".0%")[:-1] + " %")
    dist["group"] = dist["group"].where(dist.index < len(dist) - 1, w["all"])
    print(aligned(dist.rename(columns={"group": HEADERS["group"][lang]})))
    print()
    flagged = rv.groups[rv.groups["flag"] != ""]
    if flagged.empty:
        print(w["none"].format(total=len(rv.groups), untested=int(rv.groups["p_value"].isna().sum())))
    else:
        sep = messages.text("common.list_sep", lang=lang)
        words = sep.join(f"{r.group} ({w[r.flag]})" for r in flagged.itertuples())
        print(w["flagged"].format(n=len(flagged), total=len(rv.groups), words=words))
    print_quota_effect(run.scores_of(), run.supervisors, policy, args.by, lang=lang)
    if args.out:
        write_table(rv.groups, args.out)
        print(messages.text("cli.wrote", lang=lang, path=args.out))
    return 0
