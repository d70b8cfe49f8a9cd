"""perfmodel explain: the derivation of one score, checked against scoring it again."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfmodel.scoring import scores as scoring
from perfmodel.cli import main
from perfmodel.analysis.explain import EXPLAIN_COLUMNS, explain, value_for_score
from perfmodel.pipeline import run_pipeline
from perfmodel.scoring.policy import load_policy
from perfmodel.analysis.sensitivity import rank_uncertainty

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
PERIOD = "2026Q3"


@pytest.fixture(scope="module")
def run():
    return run_pipeline(SAMPLE, "efficiency", period=PERIOD)


def test_inverting_the_rules_by_hand():
    pol = load_policy("efficiency")
    csat = pol.indicators["csat"]  # linear, floor 3.8, target 4.3: score 50 at 4.05
    assert value_for_score(csat, 50.0) == pytest.approx(4.05)
    cost = pol.indicators["cost_control_rate"]  # ratio, lower, target 1: 100 t / x = 80 at x = 1.25
    assert value_for_score(cost, 80.0) == pytest.approx(1.25)
    reopen = pol.indicators["reopen_rate"]  # deduction, lower, target 0.05, 500 points: 100 - 500 (x - 0.05)
    assert value_for_score(reopen, 90.0) == pytest.approx(0.07)
    assert np.isnan(value_for_score(pol.indicators["compliance_rate"], 80.0))  # bands: no inverse
    assert np.isnan(value_for_score(csat, csat.cap + 1))


def test_contributions_sum_to_the_score_of_the_score_command(run):
    scores = run.scores_of()
    for sid in ("S001", "S002", "S010"):
        ex = explain(run, None, sid, PERIOD, draws=200)
        total = float(scores.loc[scores["supervisor_id"] == sid, "score"].iloc[0])
        assert ex.table["contribution"].sum() == pytest.approx(total, abs=1e-9)
        assert ex.score == pytest.approx(total, abs=1e-12)
        assert list(ex.table["indicator"]) == run.policy.weighted_indicators
        assert (ex.table["contribution"] - ex.table["weight"] * ex.table["score"].fillna(0)).abs().max() < 1e-12


def test_each_change_alone_reaches_the_next_band_when_scored_again(run):
    # S002 is rated B at 78.00 in 2026Q3; A starts at 80
    ex = explain(run, None, "S002", PERIOD, draws=200)
    assert (ex.rating, ex.next_band, ex.next_threshold) == ("B", "A", 80.0)
    assert ex.distance == pytest.approx(80.0 - ex.score)
    movable = ex.table[ex.table["to_next_band"].notna()]
    assert len(movable) >= 2
    wide = run.wide[run.wide["period"] == PERIOD].reset_index(drop=True)
    for r in movable.itertuples():
        changed = wide.copy()
        changed.loc[changed["supervisor_id"] == "S002", r.indicator] += r.to_next_band
        again = scoring.score(changed, run.policy).set_index("supervisor_id").loc["S002"]
        assert again["score"] == pytest.approx(80.0, abs=1e-9), r.indicator
        assert again["rating"] == "A", r.indicator
    # a bands or percentile rule has no inverse; a small weight cannot close 2 points under the cap
    for ind in ("compliance_rate", "tickets_per_staff_day", "promotion_rate"):
        assert np.isnan(ex.table.set_index("indicator").loc[ind, "to_next_band"])


def test_rank_interval_is_that_of_the_sensitivity_analysis(run):
    ex = explain(run, None, "S003", PERIOD, draws=300, seed=7)
    wide = run.wide[run.wide["period"] == PERIOD]
    row = rank_uncertainty(wide, run.policy, draws=300, seed=7).table.set_index("supervisor_id").loc["S003"]
    assert (ex.rank, ex.rank_low, ex.rank_high) == (row["nominal_rank"], row["rank_p05"], row["rank_p95"])
    assert ex.p_rating_differs == row["p_rating_differs"]


def test_cli_prints_the_derivation_and_writes_the_table(tmp_path, capsys):
    out = tmp_path / "ex.csv"
    assert main(["explain", "S002", "--period", PERIOD, "--data", str(SAMPLE), "--policy", "efficiency",
                 "--draws", "200", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Next band A from 80: 2.00 points away" in text
    table = pd.read_csv(out, dtype={"supervisor_id": str})
    assert list(table.columns) == EXPLAIN_COLUMNS
    assert table["contribution"].sum() == pytest.approx(78.0, abs=0.005)
    first = out.read_bytes()
    assert main(["explain", "S002", "--period", PERIOD, "--data", str(SAMPLE), "--policy", "efficiency",
                 "--draws", "200", "--out", str(out), "--lang", "zh"]) == 0
    assert "总分 78.00（各项贡献之和）→ 评级 B" in capsys.readouterr().out
    assert out.read_bytes() == first  # the same bytes whatever the language


def test_an_unknown_supervisor_is_one_line(capsys):
    assert main(["explain", "S999", "--period", PERIOD, "--data", str(SAMPLE), "--policy", "efficiency"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "S999" in err[0] and "2026Q3" in err[0]


def test_the_printed_change_is_enough_at_the_precision_printed():
    # S1: csat 4.40 (linear 3.8 -> 4.6: 75 points), timely closure 81 % (ratio 0.9: 90 points);
    # total 0.6 * 75 + 0.4 * 90 = 81, four points below A at 85. Alone, csat must gain
    # 4 / 0.6 = 6.67 points = 0.0533 (to 4.4533): printed to two decimals that is 4.46, since
    # 4.45 scores 81.25 and a total of 84.75, still B.
    from perfmodel.analysis.explain import derive
    from perfmodel.analysis.explain_text import render
    from perfmodel.scoring.policy import policy_from_dict

    policy = policy_from_dict({
        "name": "t", "version": "1", "dimensions": {"result": 0.6, "process": 0.4},
        "indicators": {"csat": {"dimension": "result", "weight": 1.0, "rule": "linear",
                                "floor": 3.8, "target": 4.6},
                       "timely_closure_rate": {"dimension": "process", "weight": 1.0,
                                               "rule": "ratio", "target": 0.9}},
        "ratings": {"bands": {"A": 85, "B": 70, "C": 0}}})
    wide = pd.DataFrame({"supervisor_id": ["S1", "S2"], "period": PERIOD, "csat": [4.4, 4.0],
                         "timely_closure_rate": [0.81, 0.95]})
    text = render(derive(wide, wide.iloc[:0], policy, "S1", PERIOD, draws=0))
    assert "Customer satisfaction: +0.06 (from 4.40 to 4.46)" in text
    assert "Timely closure rate: +9.0 pt (from 81.0 % to 90.0 %)" in text  # exactly on the grid: kept
    for shown, ind in ((4.46, "csat"), (0.90, "timely_closure_rate")):
        changed = wide.copy()
        changed.loc[0, ind] = shown
        assert scoring.score(changed, policy).loc[0, "rating"] == "A", ind
    changed = wide.copy()
    changed.loc[0, "csat"] = 4.45
    assert scoring.score(changed, policy).loc[0, "rating"] == "B"
