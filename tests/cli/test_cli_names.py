"""What the commands print for people: names beside ids, Chinese labels with --lang zh."""
from __future__ import annotations

import pandas as pd
import pytest

from fixtures import PERIOD, small_dataset
from perfmodel.cli import main


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return small_dataset(tmp_path_factory.mktemp("cli_names") / "data")


def test_score_prints_each_supervisors_name(data, capsys):
    assert main(["score", "--data", str(data), "--policy", "efficiency", "--period", PERIOD]) == 0
    out = capsys.readouterr().out
    names = pd.read_csv(data / "supervisors.csv", dtype=str)
    assert out.splitlines()[0].split()[:3] == ["supervisor_id", "name", "period"]
    for sid, name in zip(names["supervisor_id"], names["name"]):
        line = next(ln for ln in out.splitlines() if ln.startswith(sid + " "))
        assert line.split()[1] == name, line


def test_lint_in_chinese_names_indicators_and_the_preset_in_chinese(data, capsys):
    main(["lint", "--policy", "efficiency", "--data", str(data), "--lang", "zh"])
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("SMART 检查：预设方案 efficiency，")
    assert "preset" not in out
    # the findings name indicators by their Chinese names, never by their ids
    assert "团队协作评分" in out or "人均日处理工单" in out, out
    for ident in ("collaboration_score", "tickets_per_staff_day", "training_completion_rate", "csat"):
        assert ident not in out, ident
