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
