"""The agreed goals on the pages: per indicator on the quarterly page, the supervisor's own on
the feedback page. Whether they replaced the policy's targets is said on both."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import indicator_label, t

__all__ = ["goals_summary", "own_goals", "show_goals_summary", "show_own_goals_note"]


def goals_summary(ctx) -> pd.DataFrame:
    """The period's agreed goals per indicator, beside the policy's target.

    Returns
    -------
    pandas.DataFrame
        One row per weighted indicator with at least one agreed goal in the period, policy
        order: ``indicator`` (display name), ``policy_target`` (text), ``goals`` (supervisors
        with an agreed goal), ``agreed_low``, ``agreed_high`` (the easiest and hardest agreed
        targets, text), ``met_agreed`` (share of those supervisors with a value who meet
        their agreed target), ``used_in_score`` (yes/no in ``lang``). Empty without goals.
    """
    from ..goals import goals_of
    from .sections import fmt_value

    pol = ctx.policy
    goals = goals_of(pol, ctx.period)
    cols = ["indicator", "policy_target", "goals", "agreed_low", "agreed_high", "met_agreed", "used_in_score"]
    if goals.empty:
        return pd.DataFrame(columns=cols)
    now = ctx.wide[ctx.wide["period"] == ctx.period].astype({"supervisor_id": str}).set_index("supervisor_id")
    rows = []
    for ind, g in goals.groupby("indicator", sort=False):
        higher = pol.indicators[ind].direction == "higher"
        x = now[ind].reindex(g["supervisor_id"]).to_numpy(dtype=float) if ind in now else np.full(len(g), np.nan)
        target = g["agreed_target"].to_numpy(dtype=float)
        have = ~np.isnan(x)
        met = (x >= target) if higher else (x <= target)
        easy, hard = (target.min(), target.max()) if higher else (target.max(), target.min())
        rows.append({"indicator": indicator_label(ind, ctx.lang),
                     "policy_target": fmt_value(ind, g["policy_target"].iloc[0]), "goals": len(g),
                     "agreed_low": fmt_value(ind, easy), "agreed_high": fmt_value(ind, hard),
                     "met_agreed": float(met[have].mean()) if have.any() else np.nan,
                     "used_in_score": t("yes" if pol.goals == "replace" else "no", ctx.lang)})
    return pd.DataFrame(rows, columns=cols)


def show_goals_summary(ctx) -> None:
    """The agreed goals of the period per indicator, and whether the scores use them (nothing without goals)."""
    from .sections import heading, table, text

    summary = goals_summary(ctx)
    if summary.empty:
        return
    heading("agreed_goals", ctx.lang, level=3)
    text(t("goals_replace_text" if ctx.policy.goals == "replace" else "goals_report_text", ctx.lang))
    table(summary, ctx.lang, {"met_agreed": "{:.0%}"})


def own_goals(ctx, supervisor_id: str) -> dict:
    """The supervisor's agreed target of each indicator in the period, as text.

    Returns
    -------
    dict
        indicator id -> agreed target text (only the indicators with an agreed goal).
    """
    from ..goals import goals_of
    from .sections import fmt_value

    goals = goals_of(ctx.policy, ctx.period, supervisor_id)
    return {g.indicator: fmt_value(g.indicator, g.agreed_target) for g in goals.itertuples()}


def show_own_goals_note(ctx, supervisor_id: str) -> None:
    """One sentence saying whether this supervisor's agreed targets replaced the policy's (nothing without goals)."""
    from .sections import text

    if own_goals(ctx, supervisor_id):
        text(t("goals_replace_text" if ctx.policy.goals == "replace" else "goals_report_text", ctx.lang))
