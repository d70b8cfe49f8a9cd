"""The one pipeline (perfmodel.pipeline): periods, outputs handed to every consumer, progress.

Expected values are worked out by hand from the small frames written here.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfmodel import dataset_from_frames
from perfmodel.core import settings
from perfmodel.cli import main
from perfmodel.core.errors import PeriodError
from perfmodel.core.periods import check_period, data_periods, data_span
from perfmodel.pipeline import Progress, run_pipeline

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _frames(with_late_surveys: bool = True) -> dict:
    """Two supervisors; tickets created in 2026Q2 only; surveys of two of them answered in 2026Q3."""
    sup = pd.DataFrame({"supervisor_id": ["S1", "S2"], "name": ["张三", "李四"]})
    tickets = pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3", "T4"],
        "supervisor_id": ["S1", "S1", "S2", "S2"],
        "created_at": ["2026-04-02 09:00", "2026-06-20 10:00", "2026-05-05 11:00", "2026-06-29 15:00"],
        "resolved_at": ["2026-04-03 09:00", "2026-06-21 10:00", "2026-05-06 11:00", "2026-06-30 15:00"],
    })
    frames = {"supervisors": sup, "tickets": tickets}
    if with_late_surveys:
        frames["surveys"] = pd.DataFrame({
            "ticket_id": ["T1", "T2", "T4"],
            "responded_at": ["2026-04-05 08:00", "2026-07-03 08:00", "2026-07-10 09:00"],
            "overall": [5, 3, 4],
        })
    return frames


def test_a_period_with_events_but_no_new_ticket_is_in_the_data():
    data = dataset_from_frames(_frames())
    first, last = data_span(data)
    assert first == pd.Timestamp("2026-04-02 09:00") and last == pd.Timestamp("2026-07-10 09:00")
    assert data_periods(data, "quarter") == ["2026Q2", "2026Q3"]
    assert check_period(data, "2026Q3") == "2026Q3"  # was: refused ("tickets cover 2026Q2..2026Q2")
    with pytest.raises(PeriodError, match=r"the data covers 2026Q2\.\.2026Q3"):
        check_period(data, "2026Q4")
    run = run_pipeline(data, period="2026Q3")
    csat = run.wide.set_index("supervisor_id")["csat"]
    # S1: the survey of T2 answered 2026-07-03 -> 3; S2: T4's on 2026-07-10 -> 4
    assert csat.to_dict() == {"S1": 3.0, "S2": 4.0}


def test_without_those_events_the_quarter_is_refused():
    data = dataset_from_frames(_frames(with_late_surveys=False))
    with pytest.raises(PeriodError, match=r"period 2026Q3: not in the data .* covers 2026Q2\.\.2026Q2"):
        check_period(data, "2026Q3")


def test_budgets_place_their_period_in_the_data():
    frames = _frames(with_late_surveys=False)
    frames["budgets"] = pd.DataFrame({"supervisor_id": ["S1"], "period": ["2026Q3"], "budget": [1000.0]})
    assert data_periods(dataset_from_frames(frames), "quarter") == ["2026Q2", "2026Q3"]


def test_history_leaves_out_a_first_period_the_data_covers_in_part(tmp_path):
    frames = _frames(with_late_surveys=False)
    # one training completed in mid-March: 2026Q1 is in the data, but only from 2026-03-15
    frames["staff"] = pd.DataFrame({"staff_id": ["E1"], "supervisor_id": ["S1"], "hired_on": ["2025-01-01"]})
    frames["training"] = pd.DataFrame({"staff_id": ["E1"], "course_id": ["C1"], "due_on": ["2026-04-30"],
                                       "completed_on": ["2026-03-15"], "pre_score": [60], "post_score": [70]})
    data = dataset_from_frames(frames)
    assert data_periods(data, "quarter") == ["2026Q1", "2026Q2"]
    assert run_pipeline(data, period="2026Q2", history=True).periods == ["2026Q2"]
    assert run_pipeline(data, period="2026Q1", history=True).periods == ["2026Q1"]  # asked for: kept
    assert run_pipeline(data).periods == ["2026Q1", "2026Q2"]  # every period of the data


def test_scores_of_the_pipeline_are_those_of_the_audit_and_the_score_command(tmp_path, capsys, sample_run):
    from perfmodel.audit import manifest as audit
    from perfmodel.scoring.policy import load_policy

    run = sample_run
    assert run.periods[0] == "2024Q4" and run.periods[-1] == "2026Q3"  # 2024Q3 holds a few trainings only
    tables = audit.compute_tables(SAMPLE, load_policy("efficiency"), "2026Q3")
    pd.testing.assert_frame_equal(tables["scores"], run.scores_of())
    assert main(["score", "--data", str(SAMPLE), "--policy", "efficiency", "--period", "2026Q3",
                 "--out", str(tmp_path / "s.csv")]) == 0
    cli = pd.read_csv(tmp_path / "s.csv", encoding="utf-8-sig", dtype={"supervisor_id": str})
    # the CSV keeps 10 significant digits
    assert cli["supervisor_id"].tolist() == run.scores_of()["supervisor_id"].astype(str).tolist()
    np.testing.assert_allclose(cli["score"], run.scores_of()["score"], rtol=1e-9, atol=0)


def test_progress_lines_on_a_terminal_only(capsys, monkeypatch):
    monkeypatch.delenv("PERFMODEL_PROGRESS", raising=False)
    run_pipeline(dataset_from_frames(_frames()), "efficiency", period="2026Q3")
    assert capsys.readouterr().err == ""  # stderr is not a terminal under pytest
    monkeypatch.setenv("PERFMODEL_PROGRESS", "1")
    assert Progress().show
    run_pipeline(dataset_from_frames(_frames()), "efficiency", period="2026Q3")
    err = capsys.readouterr().err
    assert "perfmodel: indicators: 2 supervisors x 1 periods x" in err
    assert "perfmodel: scores: 2 supervisor-periods with" in err


def test_progress_line_of_the_load_counts_rows(capsys, tmp_path):
    from perfmodel.pipeline import load

    frames = _frames()
    frames["tickets"].loc[len(frames["tickets"])] = ["T5", "S9", "2026-05-01 08:00", None]  # unknown supervisor
    for name, frame in frames.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    load(tmp_path, progress=True)
    err = capsys.readouterr().err
    # 2 supervisors + 5 tickets + 3 surveys read; the ticket of S9 quarantined
    assert "perfmodel: load and validate: 10 rows read = 9 used + 1 quarantined, 3 tables" in err


def test_one_default_for_the_settings_that_change_numbers():
    import inspect

    from perfmodel.analysis.sensitivity import rank_uncertainty
    from perfmodel.analysis.stats import predictive_validity

    v = inspect.signature(predictive_validity).parameters
    assert (v["seed"].default, v["n_boot"].default, v["lag"].default, v["alpha"].default) == \
        (settings.SEED, settings.BOOT, settings.LAG, settings.ALPHA)
    r = inspect.signature(rank_uncertainty).parameters
    assert (r["seed"].default, r["draws"].default) == (settings.SEED, settings.DRAWS)
    from perfmodel.cli import build_parser

    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices
    assert sub["validity"].get_default("seed") == settings.SEED
    assert sub["sensitivity"].get_default("seed") == settings.SEED
    assert sub["sensitivity"].get_default("draws") == settings.DRAWS
    assert f"default {settings.SEED}" in sub["report"]._option_string_actions["--seed"].help
