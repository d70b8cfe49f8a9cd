"""The quarterly page's rating review across teams and regions (评级校准)."""
from __future__ import annotations

from perfmodel.core import messages
from perfmodel.core.i18n import t

COLUMNS = {"group": "review_group", "n": "review_n", "mean_score": "review_mean", "median_score": "review_median",
           "rest_mean": "review_rest", "difference": "review_difference", "p_value": "review_p",
           "p_adj": "p_adj", "flag": "review_flag"}


def show_rating_review(ctx) -> None:
    """Display, by team and by region where the data has them, each group against the rest.

    The figures are those of ``perfmodel ratings`` (:func:`perfmodel.analysis.rating_review.rating_review`
    with its default resamples and the report's seed).

    Returns
    -------
    None
        Per grouping (team, region) a heading, a sentence and the table; then
        :func:`show_quota_effect`.

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> names = ctx.supervisors
    >>> ctx.supervisors = names.assign(team=["East 1", "East 1", "East 2"], region=None)
    >>> show_rating_review(ctx)  # by team only: the data has no region
    <IPython.core.display.Markdown object>
    <IPython.core.display.Markdown object>
    <IPython.core.display.HTML object>
    """
    from perfmodel.analysis.rating_review import rating_review
    from perfmodel.reporting.display import heading, table, text

    for by in ("team", "region"):
        if by not in ctx.supervisors or ctx.supervisors[by].isna().all():
            continue
        rv = rating_review(ctx.scores, ctx.supervisors, ctx.policy.ratings, by=by, seed=ctx.seed,
                           bands=ctx.policy.rating_bands)
        heading("rating_review", lang=ctx.lang, by=t(f"review_by_{by}", lang=ctx.lang))
        flagged = rv.groups[rv.groups["flag"] != ""]
        sep = messages.text("common.list_sep", lang=ctx.lang)
        verdict = (t("review_none", lang=ctx.lang) if flagged.empty else t(
            "review_flagged", lang=ctx.lang,
            groups=sep.join(f"{r.group} ({t('review_' + r.flag, lang=ctx.lang)})" for r in flagged.itertuples())))
        text(t("review_text", lang=ctx.lang, perms=rv.permutations, seed=rv.seed, verdict=verdict))
        shown = rv.groups.assign(flag=rv.groups["flag"].map(lambda f: t("review_" + f, lang=ctx.lang) if f else ""))
        table(shown.rename(columns=COLUMNS), lang=ctx.lang,
              formats={"review_mean": "{:.1f}", "review_median": "{:.1f}", "review_rest": "{:.1f}",
               "review_difference": "{:+.1f}", "review_p": "{:.3f}", "p_adj": "{:.3f}"})
    show_quota_effect(ctx)


def show_quota_effect(ctx) -> None:
    """Where the policy has a forced distribution: rating counts per group from the bands → after the quota.

    The groups are the policy's (``by: team`` or ``by: region``), else the teams (or the
    regions when the data has no team); then the supervisors whose rating the quota changed.
    The figures are those of ``perfmodel ratings`` (:func:`perfmodel.scoring.quotas.quota_effect`).

    Returns
    -------
    None

    Examples
    --------
    >>> from perfmodel.reporting.demo import demo_context
    >>> ctx = demo_context()
    >>> ctx.policy.forced_distribution is None
    True
    >>> show_quota_effect(ctx)  # no forced distribution: nothing
    """
    from perfmodel.scoring.quotas import counts_wide, quota_effect
    from perfmodel.scoring.scores import NO_GROUP
    from perfmodel.reporting.display import heading, table, text

    pol = ctx.policy
    if pol.forced_distribution is None:
        return
    by = pol.forced_by or next((b for b in ("team", "region") if b in ctx.supervisors
                                and not ctx.supervisors[b].isna().all()), "team")
    effect = quota_effect(ctx.scores, ctx.supervisors, pol, by=by)
    lang = ctx.lang
    word = t(f"review_by_{by}", lang=lang)
    heading("quota_effect", lang=lang, by=word)
    if pol.forced_by:
        text(t("quota_text_by", lang=lang, quota_by=word, none=NO_GROUP))
    else:
        text(t("quota_text_all", lang=lang, by=word))
    wide = counts_wide(effect)
    wide["group"] = wide["group"].where(wide["group"] != "all", t("quota_all", lang=lang))
    table(wide.rename(columns={"group": "review_group"}), lang=lang)
    text(t("quota_changed", lang=lang, n=len(effect.changed)))
    if len(effect.changed):
        table(effect.changed.rename(columns={"group": "review_group", "rating_bands": "quota_rating_bands",
                                             "rating_quota": "quota_rating_quota"}), lang=lang, formats={"score": "{:.1f}"})
