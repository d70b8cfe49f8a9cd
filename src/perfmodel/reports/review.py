"""The quarterly page's rating review across teams and regions (评级校准)."""
from __future__ import annotations

from ..i18n import t

COLUMNS = {"group": "review_group", "n": "review_n", "mean_score": "review_mean", "median_score": "review_median",
           "rest_mean": "review_rest", "difference": "review_difference", "p_value": "review_p",
           "p_adj": "p_adj", "flag": "review_flag"}


def show_rating_review(ctx) -> None:
    """Display, by team and by region where the data has them, each group against the rest.

    The figures are those of ``perfmodel ratings`` (:func:`perfmodel.rating_review.rating_review`
    with its default resamples and the report's seed).
    """
    from ..rating_review import rating_review
    from .sections import heading, table, text

    for by in ("team", "region"):
        if by not in ctx.supervisors or ctx.supervisors[by].isna().all():
            continue
        rv = rating_review(ctx.scores, ctx.supervisors, ctx.policy.ratings, by=by, seed=ctx.seed)
        heading("rating_review", ctx.lang, by=t(f"review_by_{by}", ctx.lang))
        flagged = rv.groups[rv.groups["flag"] != ""]
        sep = "、" if ctx.lang == "zh" else ", "
        verdict = (t("review_none", ctx.lang) if flagged.empty else t(
            "review_flagged", ctx.lang,
            groups=sep.join(f"{r.group} ({t('review_' + r.flag, ctx.lang)})" for r in flagged.itertuples())))
        text(t("review_text", ctx.lang, perms=rv.permutations, seed=rv.seed, verdict=verdict))
        shown = rv.groups.assign(flag=rv.groups["flag"].map(lambda f: t("review_" + f, ctx.lang) if f else ""))
        table(shown.rename(columns=COLUMNS), ctx.lang,
              {"review_mean": "{:.1f}", "review_median": "{:.1f}", "review_rest": "{:.1f}",
               "review_difference": "{:+.1f}", "review_p": "{:.3f}", "p_adj": "{:.3f}"})
