"""Forced distribution by team or region: quotas by largest remainder within each group, worked by hand."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from perfmodel.cli import main
from perfmodel.core.errors import PolicyError, UsageError
from perfmodel.scoring.policy import load_policy, policy_from_dict
from perfmodel.scoring.diff import diff_policies
from perfmodel.scoring.quotas import counts_wide, quota_effect
from perfmodel.scoring.scores import NO_GROUP, score

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def policy(forced):
    # one indicator scored 0..100 by linear floor 0 / target 100: the score is the value itself
    return policy_from_dict({"name": "t", "version": "1", "period": "quarter", "dimensions": {"result": 1.0},
                             "missing": "renormalize",
                             "indicators": {"csat": {"dimension": "result", "weight": 1, "rule": "linear",
                                                     "floor": 0, "target": 100}},
                             "ratings": {"bands": {"A": 80, "B": 60, "C": 0}, "forced_distribution": forced}})


# team X: 5 supervisors, team Y: 3 (a weak team), plus S9 with no team
PANEL = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9"],
                      "period": "2026Q3", "csat": [95, 85, 75, 65, 55, 50, 45, 40, 30]})
PEOPLE = pd.DataFrame({"supervisor_id": ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "S9"],
                       "team": ["X"] * 5 + ["Y"] * 3 + [None], "region": "R"})
SHARES = {"A": 0.2, "B": 0.6, "C": 0.2}


def test_quotas_within_each_team_by_hand():
    # X, 5 people x (0.2, 0.6, 0.2) = 1, 3, 1 exactly -> A: S1 (95); B: S2, S3, S4; C: S5.
    # Y, 3 people: 0.6, 1.8, 0.6 -> floors 0, 1, 0, one place left... two places left (3 - 1):
    #   remainders .6, .8, .6 -> B first, then A (tie with C, A listed first) -> 1, 2, 0:
    #   A: S6 (50); B: S7, S8.
    # (none), 1 person (S9): 0.2, 0.6, 0.2 -> floors 0, 0, 0, remainders .2 .6 .2 -> B.
    out = score(PANEL, policy({"by": "team", **SHARES}), groups=PEOPLE)
    got = dict(zip(out.supervisor_id, out.rating))
    assert got == {"S1": "A", "S2": "B", "S3": "B", "S4": "B", "S5": "C",
                   "S6": "A", "S7": "B", "S8": "B", "S9": "B"}


def test_population_quota_differs_from_team_quota():
    # everyone (9): 1.8, 5.4, 1.8 -> floors 1, 5, 1, two left: remainders .8, .4, .8 -> A and C
    # -> 2, 5, 2: A S1, S2; B S3..S7; C S8, S9. The weak team Y gets no A here.
    out = score(PANEL, policy(SHARES))
    assert out.rating.tolist() == ["A", "A", "B", "B", "B", "B", "B", "C", "C"]
    # the groups are ignored by a policy whose quotas are for everyone
    assert score(PANEL, policy(SHARES), groups=PEOPLE).rating.tolist() == out.rating.tolist()


def test_quotas_by_region_and_by_panel_column():
    # one region R for the 9 (S9 included): same as the population split above
    out = score(PANEL, policy({"by": "region", **SHARES}), groups=PEOPLE)
    assert out.rating.tolist() == ["A", "A", "B", "B", "B", "B", "B", "C", "C"]
    # the team column may travel in the panel instead
    with_team = PANEL.assign(team=PEOPLE["team"])
    assert score(with_team, policy({"by": "team", **SHARES})).rating.tolist() == \
        ["A", "B", "B", "B", "C", "A", "B", "B", "B"]


def test_group_quota_without_groups_is_one_line():
    with pytest.raises(UsageError, match="quotas by team"):
        score(PANEL, policy({"by": "team", **SHARES}))


def test_quota_effect_before_after_by_hand():
    out = score(PANEL, policy({"by": "team", **SHARES}), groups=PEOPLE)
    effect = quota_effect(out, PEOPLE, policy({"by": "team", **SHARES}))
    # bands A >= 80, B >= 60: X 95 A, 85 A, 75 B, 65 B, 55 C; Y 50, 45, 40 all C; S9 30 C
    c = effect.counts.set_index(["group", "rating"])
    assert c.loc[("X", "A")].tolist() == [2, 1, -1]
    assert c.loc[("X", "B")].tolist() == [2, 3, 1]
    assert c.loc[("X", "C")].tolist() == [1, 1, 0]
    assert c.loc[("Y", "A")].tolist() == [0, 1, 1]
    assert c.loc[("Y", "B")].tolist() == [0, 2, 2]
    assert c.loc[("Y", "C")].tolist() == [3, 0, -3]
    assert c.loc[(NO_GROUP, "C")].tolist() == [1, 0, -1]
    assert c.loc[("all", "A")].tolist() == [2, 2, 0]
    assert c.loc[("all", "B")].tolist() == [2, 6, 4]
    assert c.loc[("all", "C")].tolist() == [5, 1, -4]
    # who changed: X S2 A -> B; Y S6 C -> A, S7 C -> B, S8 C -> B; (none) S9 C -> B
    ch = effect.changed
    assert list(zip(ch.supervisor_id, ch.rating_bands, ch.rating_quota)) == [
        ("S9", "C", "B"), ("S2", "A", "B"), ("S6", "C", "A"), ("S7", "C", "B"), ("S8", "C", "B")]
    wide = counts_wide(effect)
    assert wide.iloc[-1].tolist() == ["all", "2 → 2", "2 → 6", "5 → 1"]
    # no forced distribution: nothing to compare
    assert quota_effect(score(PANEL, policy(None)), PEOPLE, policy(None)) is None


def test_bad_by_is_refused_in_one_line(tmp_path):
    with pytest.raises(PolicyError, match=r"ratings\.forced_distribution\.by: 'department' is not a group"):
        policy({"by": "department", **SHARES})
    text = (Path(__file__).parents[1] / "fixtures" / "policies" / "valid_minimal.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad_by.yaml"
    bad.write_text(text.replace("  bands: {优: 90, 良: 75, 中: 60, 差: 0}",
                                "  bands: {优: 90, 良: 75, 中: 60, 差: 0}\n"
                                "  forced_distribution: {by: 部门, 优: 0.1, 良: 0.3, 中: 0.4, 差: 0.2}"),
                   encoding="utf-8")
    assert main(["policy", "check", str(bad)]) == 2


def test_by_round_trips_and_shows_in_diff(tmp_path):
    pol = policy({"by": "team", **SHARES})
    assert pol.forced_by == "team"
    path = tmp_path / "by_team.yaml"
    path.write_text(pol.to_yaml(), encoding="utf-8")
    back = load_policy(path)
    assert back.forced_by == "team" and back.forced_distribution == pol.forced_distribution
    changes = diff_policies(policy(SHARES), pol)
    assert changes.set_index("path").loc["ratings.forced_distribution.by", "new"] == "team"


def test_ratings_command_shows_before_after_on_sample(tmp_path, capsys):
    text = (Path(__file__).resolve().parents[2] / "src" / "perfmodel" / "scoring" / "policies" / "quality.yaml").read_text(
        encoding="utf-8")
    assert "forced_distribution: {S: 0.10" in text
    pol = tmp_path / "quality_by_team.yaml"
    pol.write_text(text.replace("forced_distribution: {S: 0.10", "forced_distribution: {by: team, S: 0.10"),
                   encoding="utf-8")
    assert main(["ratings", "--period", "2026Q3", "--data", str(SAMPLE), "--policy", str(pol), "--by", "team",
                 "--permutations", "99"]) == 0
    out = capsys.readouterr().out
    assert "Quotas by team" in out and "ratings changed by the quota" in out
    # independently: the sample's teams, scored, then each team split by largest remainder by hand
    from perfmodel.pipeline import run_pipeline

    run = run_pipeline(SAMPLE, str(pol), period="2026Q3")
    s = run.scores_of().merge(run.supervisors, on="supervisor_id")
    for team, g in s[s["score"].notna()].groupby("team"):
        n = len(g)
        got = g["rating"].value_counts().to_dict()
        # S 0.1, A 0.2, B 0.5, C 0.15, D 0.05 for n <= 5 by hand: the best remainders win
        if n == 3:  # .3 .6 1.5 .45 .15 -> B 1, then .6 (A), .5 (B) -> A 1, B 2
            assert got == {"A": 1, "B": 2}
        if n == 2:  # .2 .4 1.0 .3 .1 -> B 1, then .4 (A) -> A 1, B 1
            assert got == {"A": 1, "B": 1}


def test_sensitivity_rates_draws_within_each_team():
    # nominal ratings of the draws' analysis are the team quotas' ratings (not the population's)
    from perfmodel.analysis.sensitivity import rank_uncertainty

    pol = policy({"by": "team", **SHARES})
    res = rank_uncertainty(PANEL, pol, draws=40, seed=1, supervisors=PEOPLE)
    got = dict(zip(res.table.supervisor_id, res.table.nominal_rating))
    assert got == {"S1": "A", "S2": "B", "S3": "B", "S4": "B", "S5": "C",
                   "S6": "A", "S7": "B", "S8": "B", "S9": "B"}
    # one indicator, so re-weighting changes no rank: no rating ever differs
    assert res.table["p_rating_differs"].max() == 0


def test_explain_says_the_quotas_apply_within_the_team():
    from perfmodel.analysis.explain import derive

    people = PEOPLE.assign(name=["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬"])
    ex = derive(PANEL, pd.DataFrame(), policy({"by": "team", **SHARES}), "S6", "2026Q3", people, draws=0)
    # S6 scores 50 (a C by the bands) but leads team Y: the team's one A
    assert ex.rating == "A"
    assert "forced distribution by rank within each team" in ex.text(lang="en")
    assert "每个团队内按排名" in ex.text(lang="zh")


def test_quarterly_section_shows_the_before_after_table(monkeypatch):
    from types import SimpleNamespace

    from perfmodel.reporting import review

    shown = []
    monkeypatch.setattr("perfmodel.reporting.display._display", lambda *objs: shown.extend(
        getattr(o, "data", str(o)) for o in objs))
    pol = policy({"by": "team", **SHARES})
    ctx = SimpleNamespace(policy=pol, scores=score(PANEL, pol, groups=PEOPLE), supervisors=PEOPLE, lang="zh")
    review.show_quota_effect(ctx)
    page = "\n".join(shown)
    assert "按团队的配额" in page and "(none)" in page
    # team Y's row: A 0 → 1, B 0 → 2, C 3 → 0; and five supervisors moved
    assert "0 → 1" in page and "3 → 0" in page and "5 → 1" in page
    assert "配额改变了 5 位主管的评级" in page
    shown.clear()
    review.show_quota_effect(SimpleNamespace(policy=policy(None), scores=score(PANEL, policy(None)),
                                             supervisors=PEOPLE, lang="en"))
    assert shown == []  # no forced distribution: no section
