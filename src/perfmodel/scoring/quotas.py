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

    Examples
    --------
    Five supervisors share 0.5 S, 1 A, 2.5 B, 0.75 C and 0.25 D; by largest remainder the
    quota gives 1 S, 1 A, 2 B, 1 C and no D, so S5, whose 52 earns a D by the bands, is
    rated C:

    >>> import perfmodel
    >>> from perfmodel.scoring.demo import demo_forced_scores
    >>> policy = perfmodel.load_policy("quality")  # quotas S 10 %, A 20 %, B 50 %, C 15 %, D 5 %
    >>> scores = demo_forced_scores()
    >>> scores["rating"].tolist()
    ['S', 'A', 'B', 'B', 'C']
    >>> teams = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4", "S5"],
    ...                       "team": ["华东", "华东", "华北", "华北", "华北"]})
    >>> effect = quota_effect(scores, teams, policy)
    >>> effect.changed
      supervisor_id group  score rating_bands rating_quota
    0            S5    华北   52.0            D            C
    >>> effect.counts[effect.counts["group"] == "all"]
       group rating  from_bands  after_quota  difference
    10   all      S           1            1           0
    11   all      A           1            1           0
    12   all      B           2            2           0
    13   all      C           0            1           1
    14   all      D           1            0          -1
    >>> quota_effect(scores, teams, perfmodel.load_policy("efficiency")) is None  # no quotas
    True
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

    Examples
    --------
    >>> import perfmodel
    >>> from perfmodel.scoring.demo import demo_forced_scores
    >>> policy = perfmodel.load_policy("quality")  # quotas S 10 %, A 20 %, B 50 %, C 15 %, D 5 %
    >>> scores = demo_forced_scores()
    >>> teams = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4", "S5"],
    ...                       "team": ["华东", "华东", "华北", "华北", "华北"]})
    >>> counts_wide(quota_effect(scores, teams, policy))
      group      S      A      B      C      D
    0    华东  1 → 1  1 → 1  0 → 0  0 → 0  0 → 0
    1    华北  0 → 0  0 → 0  2 → 2  0 → 1  1 → 0
    2   all  1 → 1  1 → 1  2 → 2  0 → 1  1 → 0
    """
    c = effect.counts
    labels = list(dict.fromkeys(c["rating"]))
    out = c.assign(cell=c["from_bands"].astype(str) + " → " + c["after_quota"].astype(str))
    wide = out.pivot(index="group", columns="rating", values="cell").reindex(columns=labels)
    order = list(dict.fromkeys(c["group"]))
    wide = wide.reindex(order).reset_index()
    wide.columns.name = None
    return wide.fillna("").astype(object)

