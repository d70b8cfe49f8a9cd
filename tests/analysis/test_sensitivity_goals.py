"""``perfmodel sensitivity --panel`` with a policy whose agreed goals replace its targets."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from perfmodel.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from perfmodel.pipeline import run_pipeline

    folder = tmp_path_factory.mktemp("sens_goals")
    text = (ROOT / "src" / "perfmodel" / "scoring" / "policies" / "efficiency.yaml").read_text(encoding="utf-8")
    replace = folder / "replace.yaml"
    replace.write_text(text.replace("missing: renormalize", "missing: renormalize\ngoals: replace"),
                       encoding="utf-8")
    panel = folder / "panel.csv"
    run_pipeline(SAMPLE, periods=["2026Q3"]).wide.to_csv(panel, index=False)
    return replace, panel, folder


def _run(args, out):
    code = main(["sensitivity", "--policy", str(args[0]), "--period", "2026Q3", "--draws", "200", "--seed", "7",
                 "--out", str(out)] + args[1:])
    return code, (pd.read_csv(out, encoding="utf-8-sig") if code == 0 else None)


def test_panel_alone_with_goals_replace_is_one_line_naming_data(files, capsys):
    replace, panel, folder = files
    code, _ = _run([replace, "--panel", str(panel)], folder / "a.csv")
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "goals: replace" in err[0] and "--data DIR" in err[0]


def test_panel_with_data_binds_the_agreed_goals_as_data_alone(files):
    replace, panel, folder = files
    code, via_panel = _run([replace, "--panel", str(panel), "--data", str(SAMPLE)], folder / "b.csv")
    assert code == 0
    code, via_data = _run([replace, "--data", str(SAMPLE)], folder / "c.csv")
    assert code == 0
    pd.testing.assert_frame_equal(via_panel, via_data)
    # and the goals matter here: the policy's own targets give other nominal scores
    code, unbound = _run(["efficiency", "--panel", str(panel)], folder / "d.csv")
    assert code == 0
    score_col = [c for c in via_data.columns if "score" in c][0]
    assert not via_data[score_col].equals(unbound[score_col])


def test_panel_with_a_goals_file_gives_the_scores_of_data_alone(files):
    # the sample's goals.csv is the goals table that --data binds: the same nominal scores,
    # ranks and draws, without reading the dataset
    replace, panel, folder = files
    code, via_file = _run([replace, "--panel", str(panel), "--goals", str(SAMPLE / "goals.csv")], folder / "e.csv")
    assert code == 0
    code, via_data = _run([replace, "--data", str(SAMPLE)], folder / "f.csv")
    assert code == 0
    pd.testing.assert_frame_equal(via_file, via_data)
    code, unbound = _run(["efficiency", "--panel", str(panel)], folder / "g.csv")
    assert not via_file["nominal_score"].equals(unbound["nominal_score"])


def test_a_goals_file_replaces_the_dataset_goals(files):
    # one agreed csat target for S001 only: worked by hand on the panel's csat value
    replace, panel, folder = files
    wide = pd.read_csv(panel)
    goals = folder / "one_goal.csv"
    goals.write_text("supervisor_id,period,indicator,target,floor,agreed_on,note\n"
                     "S001,2026Q3,csat,4.9,,2026-06-20,面谈确定\n", encoding="utf-8")
    code, with_goal = _run([replace, "--data", str(SAMPLE), "--goals", str(goals)], folder / "h.csv")
    assert code == 0
    code, policy_only = _run(["efficiency", "--data", str(SAMPLE)], folder / "i.csv")
    assert code == 0
    # only S001's score moves, and it goes down: its csat target was raised above the policy's
    moved = with_goal.set_index("supervisor_id")["nominal_score"] - policy_only.set_index("supervisor_id")["nominal_score"]
    assert wide.loc[wide.supervisor_id == "S001", "csat"].iloc[0] < 4.9
    assert moved.drop("S001").abs().max() < 1e-9
    assert moved["S001"] < 0


@pytest.mark.parametrize("text, message", [
    ("supervisor_id,period,indicator,target\nS001,2026Q3,csat,4.5\n",
     "missing required column 'agreed_on'"),
    ("", "empty"),
])
def test_a_bad_goals_file_is_one_line_and_exit_2(files, capsys, text, message):
    replace, panel, folder = files
    bad = folder / "bad_goals.csv"
    bad.write_text(text, encoding="utf-8")
    code, _ = _run([replace, "--panel", str(panel), "--goals", str(bad)], folder / "j.csv")
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad_goals.csv" in err[0] and message in err[0]


def test_goal_rows_breaking_a_rule_are_quarantined_and_counted(files, capsys):
    replace, panel, folder = files
    goals = folder / "some_bad.csv"
    goals.write_text("supervisor_id,period,indicator,target,agreed_on\n"
                     "S001,2026Q3,csat,4.5,2026-06-01\n"
                     "S999,2026Q3,csat,4.5,2026-06-01\n"
                     "S002,2026Q3,csat,high,2026-06-01\n", encoding="utf-8")
    code, _ = _run([replace, "--panel", str(panel), "--goals", str(goals)], folder / "k.csv")
    assert code == 0
    assert "goals: 3 read = 1 used + 2 quarantined" in capsys.readouterr().err
