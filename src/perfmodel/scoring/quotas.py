"""What a forced distribution changed: ratings from the bands against ratings after the quotas.

A policy with ``forced_distribution`` rates by rank within each period (and, with
``by: team`` or ``by: region``, within each group of each period). The bands of the same
policy still say what each total would have earned; :func:`quota_effect` sets the two side
by side, per group, and lists the supervisors whose rating the quota changed. Groups are
shown by the ``by`` asked for; a supervisor without one is in the group ``"(none)"``
(:data:`perfmodel.scoring.scores.NO_GROUP`), as under quotas by group.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from perfmodel.core.result import Result
from perfmodel.scoring.scores import rate, supervisor_groups

__all__ = ["COUNT_COLUMNS", "CHANGED_COLUMNS", "QuotaEffect", "counts_wide", "quota_effect"]

COUNT_COLUMNS = ["group", "rating", "from_bands", "after_quota", "difference"]
CHANGED_COLUMNS = ["supervisor_id", "group", "score", "rating_bands", "rating_quota"]


@dataclass
class QuotaEffect(Result):
    """Result of :func:`quota_effect` (a :class:`perfmodel.core.result.Result`: ``table`` is :attr:`counts`).

    Attributes
    ----------
    counts : pandas.DataFrame
        :data:`COUNT_COLUMNS`: one row per group and rating label (groups by name, the
        population last as ``"all"``; labels best first): ``from_bands`` supervisors whose
        total reaches the label's band, ``after_quota`` supervisors rated so by the quota,
        ``difference`` = after − from bands.
    changed : pandas.DataFrame
        :data:`CHANGED_COLUMNS`: the supervisors whose rating the quota changed, by group
        then descending score.
    by : str
        The grouping shown (``team`` or ``region``).
    quota_by : str or None
        The group within which the policy applies its quotas (None: the whole period).
    """

    counts: pd.DataFrame
    changed: pd.DataFrame
    by: str
    quota_by: str | None

    title = "Ratings from the bands and after the quotas"

    @property
    def table(self) -> pd.DataFrame:
        """:attr:`counts`."""
        return self.counts

    def headline(self) -> dict:
        """``by``, ``quota_by`` and ``changed`` (supervisors whose rating the quota changed)."""
        return {"by": self.by, "quota_by": self.quota_by or "period", "changed": len(self.changed)}


def quota_effect(scores: pd.DataFrame, supervisors: pd.DataFrame, policy, *, by: str | None = None) -> QuotaEffect | None:
    """Rating counts per group from the bands against those after the quotas, and who changed.

    Parameters
    ----------
    scores : pandas.DataFrame
        Scores of one period (columns of :func:`perfmodel.scoring.scores.score`); ``rating`` is the
        rating after the quotas (``rating_computed`` is used instead when present, so that
        adjustments made later do not count as quota changes).
    supervisors : pandas.DataFrame
        ``supervisor_id`` and the ``by`` column.
    policy : Policy
    by : {"team", "region"}, optional
        The grouping shown; default the policy's ``forced_by`` (else ``team``).

    Returns
    -------
    QuotaEffect or None
        None when the policy has no forced distribution (nothing to compare).
    """
    if policy.forced_distribution is None:
        return None
    by = by or policy.forced_by or "team"
    labels = policy.ratings
    rated = scores[scores["score"].notna()].reset_index(drop=True)
    after = rated["rating_computed"] if "rating_computed" in rated else rated["rating"]
    people = supervisors if by in supervisors else supervisors.assign(**{by: None})
    frame = pd.DataFrame({
        "supervisor_id": rated["supervisor_id"].astype(str),
        "group": supervisor_groups(rated["supervisor_id"], by, people).to_numpy(),
        "score": rated["score"].to_numpy(dtype=float),
        "rating_bands": rate(rated["score"], policy.rating_bands).to_numpy(),
        "rating_quota": after.astype(str).to_numpy(),
    })
    rows = []
    for name in sorted(frame["group"].unique()) + ["all"]:
        part = frame if name == "all" else frame[frame["group"] == name]
        for label in labels:
            a = int((part["rating_bands"] == label).sum())
            b = int((part["rating_quota"] == label).sum())
            rows.append({"group": name, "rating": label, "from_bands": a, "after_quota": b, "difference": b - a})
    counts = pd.DataFrame(rows, columns=COUNT_COLUMNS)
    changed = frame[frame["rating_bands"] != frame["rating_quota"]]
    changed = changed.sort_values(["group", "score", "supervisor_id"], ascending=[True, False, True],
                                  kind="mergesort")[CHANGED_COLUMNS].reset_index(drop=True)
    return QuotaEffect(counts=counts, changed=changed, by=by, quota_by=policy.forced_by)


def counts_wide(effect: QuotaEffect) -> pd.DataFrame:
    """The counts as one row per group: ``group`` then ``<label>`` cells "bands → quota".

    Returns
    -------
    pandas.DataFrame
        ``group`` and one text column per rating label, e.g. ``"2 → 1"`` (from the bands →
        after the quota), in the order of :attr:`QuotaEffect.counts`.
    """
    c = effect.counts
    labels = list(dict.fromkeys(c["rating"]))
    out = c.assign(cell=c["from_bands"].astype(str) + " → " + c["after_quota"].astype(str))
    wide = out.pivot(index="group", columns="rating", values="cell").reindex(columns=labels)
    order = list(dict.fromkeys(c["group"]))
    wide = wide.reindex(order).reset_index()
    wide.columns.name = None
    return wide.fillna("").astype(object)

