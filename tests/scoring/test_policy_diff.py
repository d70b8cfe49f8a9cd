"""Policy diff: changed settings and per-supervisor score changes."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from perfmodel.cli import main
from perfmodel.scoring.policy import policy_from_dict
from perfmodel.scoring.diff import compare_scores, diff_policies

OLD = {
    "name": "p", "version": "2026.1", "period": "quarter",
    "dimensions": {"result": 1.0},
    "indicators": {
        "csat": {"weight": 0.5, "rule": "linear", "floor": 3.8, "target": 4.6},
        "complaint_resolution_rate": {"weight": 0.5, "rule": "ratio", "target": 0.8},
    },
    "ratings": {"bands": {"S": 90, "A": 80, "B": 70, "C": 60, "D": 0}},
}


def new_policy():
    data = copy.deepcopy(OLD)
    data["version"] = "2026.2"
    data["indicators"]["csat"]["weight"] = 0.8
    data["indicators"]["complaint_resolution_rate"]["weight"] = 0.2
    return data


def test_diff_policies_lists_each_change():
    new = new_policy()
    new["indicators"]["complaint_resolution_rate"].update(rule="bands", bands=[[0.9, 100], [0.8, 80]])
    del new["indicators"]["complaint_resolution_rate"]["target"]
    new["ratings"]["bands"]["S"] = 95
    new["ratings"]["forced_distribution"] = {"S": 0.1, "A": 0.2, "B": 0.4, "C": 0.2, "D": 0.1}
    got = diff_policies(policy_from_dict(OLD), policy_from_dict(new))
    assert list(got.columns) == ["path", "old", "new"]
    rows = [tuple(r) for r in got.astype(object).where(got.notna(), None).itertuples(index=False)]
    assert rows == [
        ("version", "2026.1", "2026.2"),
        ("indicators.csat.weight", "0.5", "0.8"),
        ("indicators.complaint_resolution_rate.weight", "0.5", "0.2"),
        ("indicators.complaint_resolution_rate.rule", "ratio", "bands"),
        ("indicators.complaint_resolution_rate.target", "0.8", None),
        ("ratings.bands.S", "90", "95"),
        ("indicators.complaint_resolution_rate.bands", None, "[[0.9, 100], [0.8, 80]]"),
        ("ratings.forced_distribution.S", None, "0.1"),
        ("ratings.forced_distribution.A", None, "0.2"),
        ("ratings.forced_distribution.B", None, "0.4"),
        ("ratings.forced_distribution.C", None, "0.2"),
        ("ratings.forced_distribution.D", None, "0.1"),
    ]


def test_diff_identical_is_empty_and_presets_differ():
    assert diff_policies("efficiency", "efficiency").empty
    d = diff_policies("efficiency", "quality").set_index("path")
    assert d.loc["dimensions.result"].tolist() == ["0.65", "0.55"]
    assert d.loc["phase"].tolist() == ["efficiency", "quality"]


def test_added_and_removed_indicator():
    new = copy.deepcopy(OLD)
    new["indicators"]["followup_positive_rate"] = new["indicators"].pop("complaint_resolution_rate")
    d = diff_policies(policy_from_dict(OLD), policy_from_dict(new)).set_index("path")
    assert d.loc["indicators.complaint_resolution_rate.rule"].tolist() == ["ratio", None]
    assert d.loc["indicators.followup_positive_rate.rule"].tolist() == [None, "ratio"]


def test_compare_scores_by_hand():
    panel = pd.DataFrame({"supervisor_id": ["A", "B", "C"], "period": "2026Q3",
                          "csat": [4.2, 4.6, np.nan], "complaint_resolution_rate": [0.72, 0.8, 0.8]})
    got = compare_scores(panel, policy_from_dict(OLD), policy_from_dict(new_policy())).set_index("supervisor_id")
    assert list(got.reset_index().columns) == ["supervisor_id", "period", "old_score", "new_score", "delta",
                                               "old_rating", "new_rating", "top_movers"]
    # A: csat 4.2 -> (4.2-3.8)/0.8*100 = 50; crr 0.72 -> 100*0.72/0.8 = 90
    #    old = 0.5*50 + 0.5*90 = 70 (B); new = 0.8*50 + 0.2*90 = 40 + 18 = 58 (D); delta -12
    #    contributions: csat 25 -> 40 (+15), crr 45 -> 18 (-27)
    a = got.loc["A"]
    assert (a.old_score, a.new_score, a.delta) == pytest.approx((70, 58, -12))
    assert (a.old_rating, a.new_rating) == ("B", "D")
    assert a.top_movers == "complaint_resolution_rate -27.00; csat +15.00"
    # B: both indicators score 100 -> total 100 under both weightings, but the parts move:
    #    csat 0.5*100 = 50 -> 0.8*100 = 80 (+30); crr 50 -> 20 (-30); equal sizes keep policy order
    b = got.loc["B"]
    assert (b.old_score, b.new_score, b.delta) == pytest.approx((100, 100, 0))
    assert b.top_movers == "csat +30.00; complaint_resolution_rate -30.00"
    # C: csat missing -> crr carries the whole dimension under both: 100 and 100
    assert got.loc["C", "delta"] == pytest.approx(0) and got.loc["C", "top_movers"] == ""


def test_compare_scores_contribution_changes_add_up():
    panel = pd.DataFrame({"supervisor_id": [f"S{i}" for i in range(6)], "period": "2026Q3",
                          "csat": np.linspace(3.9, 4.7, 6),
                          "complaint_resolution_rate": [0.5, 0.9, 0.7, 0.95, 0.6, 0.85]})
    got = compare_scores(panel, policy_from_dict(OLD), policy_from_dict(new_policy()), top=5)
    for _, row in got.iterrows():
        moved = sum(float(part.split()[1]) for part in row.top_movers.split("; ")) if row.top_movers else 0
        assert moved == pytest.approx(row.delta, abs=0.011)


def write_dataset(folder):
    folder.mkdir()
    (folder / "supervisors.csv").write_text("supervisor_id,name\nS1,张伟\nS2,李娜\n", encoding="utf-8")
    (folder / "tickets.csv").write_text(
        "ticket_id,supervisor_id,created_at,resolved_at,is_complaint\n"
        "T1,S1,2026-07-01 09:00:00,2026-07-02 09:00:00,true\n"
        "T2,S1,2026-07-03 09:00:00,,true\n"
        "T3,S2,2026-08-01 09:00:00,2026-08-03 09:00:00,true\n", encoding="utf-8")
    (folder / "surveys.csv").write_text(
        "ticket_id,responded_at,overall\nT1,2026-07-03 10:00:00,5\nT2,2026-07-04 10:00:00,4\n"
        "T3,2026-08-05 10:00:00,4\n", encoding="utf-8")
    return folder


def test_policy_diff_command(tmp_path, capsys):
    import yaml
    d = write_dataset(tmp_path / "data")
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(yaml.safe_dump(OLD, sort_keys=False), encoding="utf-8")
    new.write_text(yaml.safe_dump(new_policy(), sort_keys=False), encoding="utf-8")
    out = tmp_path / "diff.csv"
    assert main(["policy", "diff", str(old), str(new), "--data", str(d), "--period", "2026Q3",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "indicators.csat.weight" in text and "2026.1" in text and "2026.2" in text
    got = pd.read_csv(out, keep_default_na=False).set_index("supervisor_id")
    # S1: csat (5+4)/2 = 4.5 -> 0.7/0.8*100 = 87.5; complaints 1 of 2 resolved -> 0.5 -> 62.5
    #     old 0.5*87.5 + 0.5*62.5 = 75 (B); new 0.8*87.5 + 0.2*62.5 = 70 + 12.5 = 82.5 (A)
    # S2: csat 4 -> 25; complaints 1/1 -> 125 -> cap 120
    #     old 0.5*25 + 0.5*120 = 72.5 (B); new 0.8*25 + 0.2*120 = 20 + 24 = 44 (D)
    assert got.loc["S1", ["old_score", "new_score", "delta"]].tolist() == pytest.approx([75, 82.5, 7.5])
    assert got.loc["S2", ["old_score", "new_score", "delta"]].tolist() == pytest.approx([72.5, 44, -28.5])
    assert got.loc["S1", "new_rating"] == "A" and got.loc["S2", "new_rating"] == "D"
    # S2: csat 12.5 -> 20 (+7.5), crr 60 -> 24 (-36)
    assert got.loc["S2", "top_movers"] == "complaint_resolution_rate -36.00; csat +7.50"


def test_policy_diff_command_without_data_and_errors(tmp_path, capsys):
    assert main(["policy", "diff", "efficiency", "quality"]) == 0
    assert "dimensions.result" in capsys.readouterr().out
    assert main(["policy", "diff", "efficiency", "quality", "--out", str(tmp_path / "x.csv")]) == 2
    assert "need --data" in capsys.readouterr().err
    assert main(["policy", "diff", "efficiency", str(tmp_path / "nope.yaml")]) == 2
    assert "policy file not found" in capsys.readouterr().err
