"""Rating review across groups: exact permutation p-values and BH adjustment worked out by hand."""
from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfmodel.cli import main
from perfmodel.core.errors import UsageError
from perfmodel.analysis.rating_review import rating_review

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
RATINGS = ["S", "A", "B", "C", "D"]


def frames(groups: dict[str, list[float]]):
    rows, people = [], []
    k = 0
    for team, values in groups.items():
        for v in values:
            k += 1
            sid = f"S{k:02d}"
            rating = "S" if v >= 90 else "A" if v >= 80 else "B" if v >= 70 else "C"
            rows.append({"supervisor_id": sid, "period": "2026Q3", "score": v, "rating": rating})
            people.append({"supervisor_id": sid, "team": team, "region": None})
    return pd.DataFrame(rows), pd.DataFrame(people)


def exact_p(a, b) -> float:
    """Two-sided exact permutation p-value of mean(a) - mean(b): twice the smaller tail."""
    pooled = np.concatenate([a, b])
    obs = np.mean(a) - np.mean(b)
    stats = []
    for idx in combinations(range(len(pooled)), len(a)):
        inside = np.zeros(len(pooled), dtype=bool)
        inside[list(idx)] = True
        stats.append(pooled[inside].mean() - pooled[~inside].mean())
    stats = np.array(stats)
    eps = 1e-12
    return min(1.0, 2 * min(np.mean(stats >= obs - eps), np.mean(stats <= obs + eps)))


def bh(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p)
    adj = np.empty(m)
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        adj[i] = running
    return adj


def test_small_groups_get_exact_p_values_and_bh_adjustment():
    groups = {"甲组": [90.0, 92.0, 95.0], "乙组": [70.0, 72.0], "丙组": [80.0, 81.0, 79.0, 78.0], "丁组": [85.0]}
    scores, people = frames(groups)
    rv = rating_review(scores, people, RATINGS, by="team")
    g = rv.groups.set_index("group")
    x = scores["score"].to_numpy()
    team = people["team"].to_numpy()
    expected = {name: exact_p(x[team == name], x[team != name]) for name in ("甲组", "乙组", "丙组")}
    for name, p in expected.items():
        assert g.loc[name, "p_value"] == pytest.approx(p, abs=1e-12), name
        assert g.loc[name, "difference"] == pytest.approx(x[team == name].mean() - x[team != name].mean())
    assert np.isnan(g.loc["丁组", "p_value"]) and np.isnan(g.loc["丁组", "p_adj"])  # one supervisor: not tested
    names = ["甲组", "乙组", "丙组"]
    adj = bh([expected[n] for n in names])
    for name, a in zip(names, adj):
        assert g.loc[name, "p_adj"] == pytest.approx(a, abs=1e-12)
    # 甲组: 3 of 10 supervisors, C(10, 3) = 120 splits and theirs is the most extreme one
    assert expected["甲组"] == pytest.approx(2 / 120)
    assert list(rv.groups["group"]) == ["丙组", "甲组", "乙组", "丁组"]  # largest first, then by name
    dist = rv.distribution.set_index("group")
    assert dist.loc["甲组", "S"] == 1.0 and dist.loc["all", "S"] == pytest.approx(3 / 10)
    assert dist.loc["all"].sum() == pytest.approx(1.0)


def test_a_lenient_team_is_flagged_above():
    rng = np.random.default_rng(3)
    groups = {f"T{k}": list(rng.normal(75, 5, 8)) for k in range(5)}
    groups["宽松组"] = list(rng.normal(92, 3, 8))
    scores, people = frames(groups)
    rv = rating_review(scores, people, RATINGS, by="team")
    g = rv.groups.set_index("group")
    assert g.loc["宽松组", "flag"] == "above" and g.loc["宽松组", "p_adj"] < 0.05
    assert set(g.drop(index="宽松组")["flag"]) <= {"", "below"}


def test_a_missing_group_column_is_one_line():
    scores, people = frames({"A": [80.0, 81.0]})
    with pytest.raises(UsageError, match="no region column"):
        rating_review(scores, people, RATINGS, by="region")


def test_cli_on_the_sample(tmp_path, capsys):
    out = tmp_path / "groups.csv"
    assert main(["ratings", "--period", "2026Q3", "--data", str(SAMPLE), "--policy", "efficiency", "--by", "region",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Rating review by region, 2026Q3" in text and "seed 2026" in text
    table = pd.read_csv(out)
    assert table["n"].sum() == 30  # every supervisor of the sample in one region
    assert main(["ratings", "--period", "2026Q3", "--data", str(SAMPLE), "--policy", "efficiency", "--lang", "zh"]) == 0
    assert "按团队的评级校准" in capsys.readouterr().out
