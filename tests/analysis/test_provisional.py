"""Mid-period (provisional) and closed-period (final) scores of perfmodel.analysis.provisional.

A small dataset (four supervisors, 2025Q1 .. 2026Q3) with 2026Q3 cut at 2026-08-15: the
projected values are those ``perfmodel watch`` writes for that as-of instant, the values so
far are worked out from the tables by hand, and every score from the policy's formulas.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from test_watch import _write_folder, random_frames

AS_OF = "2026-08-15"
START, CUT = pd.Timestamp("2026-07-01"), pd.Timestamp(AS_OF)
ELAPSED = 45 / 92  # 2026-07-01 .. 2026-08-14 of the 92 days of 2026Q3

POLICY = """\
name: mid-period-test
version: "1"
period: quarter
dimensions: {result: 0.6, process: 0.4}
missing: renormalize
indicators:
  csat:                {dimension: result, weight: 0.7, rule: linear, floor: 3.8, target: 4.3}
  customer_churn_rate: {dimension: result, weight: 0.3, rule: linear, floor: 0.08, target: 0.03}
  timely_closure_rate: {dimension: process, weight: 0.6, rule: linear, floor: 0.70, target: 0.90}
  staff_turnover_rate: {dimension: process, weight: 0.4, rule: ratio, target: 0.05, cap: 120}
ratings:
  bands: {S: 90, A: 80, B: 70, C: 60, D: 0}
"""
WEIGHT = {"csat": 0.6 * 0.7, "customer_churn_rate": 0.6 * 0.3, "timely_closure_rate": 0.4 * 0.6,
          "staff_turnover_rate": 0.4 * 0.4}


def _linear(x, floor, target):
    return float(np.clip(100 * (x - floor) / (target - floor), 0, 120))


def hand_score(indicator, x):
    if indicator == "csat":
        return _linear(x, 3.8, 4.3)
    if indicator == "customer_churn_rate":
        return _linear(x, 0.08, 0.03)
    if indicator == "timely_closure_rate":
        return _linear(x, 0.70, 0.90)
    return 120.0 if x <= 0 else float(np.clip(100 * 0.05 / x, 0, 120))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("provisional")
    data = root / "data"
    data.mkdir()
    frames = random_frames(seed=5, n_sup=4)
    # one leaver in the quarter so far, one after the as-of instant (not known yet)
    staff = frames["staff"]
    staff.loc[staff["staff_id"] == "S01-E0", ["left_on", "promoted_on"]] = [pd.Timestamp("2026-07-20"), pd.NaT]
    staff.loc[staff["staff_id"] == "S02-E1", ["left_on", "promoted_on"]] = [pd.Timestamp("2026-09-03"), pd.NaT]
    _write_folder(frames, data)
    (root / "policy.yaml").write_text(POLICY, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def frames(folder):
    from perfmodel import load_dataset
    return load_dataset(folder / "data").tables


@pytest.fixture(scope="module")
def mid(folder):
    from perfmodel import load_dataset
    from perfmodel.analysis.provisional import period_scores
    return period_scores(load_dataset(folder / "data"), "2026Q3", AS_OF, str(folder / "policy.yaml"))


@pytest.fixture(scope="module")
def watch_projections(folder):
    from perfmodel.cli import main
    out = folder / "projections.csv"
    assert main(["watch", "--data", str(folder / "data"), "--period", "2026Q3", "--as-of", AS_OF,
                 "--policy", str(folder / "policy.yaml"), "--projections", str(out)]) == 0
    return pd.read_csv(out, dtype={"supervisor_id": str})


def _timely_by_hand(t: pd.DataFrame) -> pd.Series:
    t = t[(t["created_at"] >= START) & (t["created_at"] < CUT) & t["due_at"].notna()]
    # a resolution at or after the as-of instant has not happened yet
    resolved = t["resolved_at"].where(t["resolved_at"] < CUT)
    return (resolved <= t["due_at"]).groupby(t["supervisor_id"]).mean()


def _turnover_by_hand(s: pd.DataFrame) -> pd.Series:
    s = s[s["hired_on"] < CUT]
    left = s["left_on"].where(s["left_on"] < CUT)  # leaving later is not known yet
    first, last = START, CUT - pd.Timedelta(days=1)
    rows = {}
    for sid, g in s.assign(left=left).groupby("supervisor_id"):
        def employed(d):
            return int(((g["hired_on"] <= d) & (g["left"].isna() | (d < g["left"]))).sum())
        leavers = int(((g["left"] >= START) & (g["left"] < CUT)).sum())
        rows[sid] = leavers / ((employed(first) + employed(last)) / 2)
    return pd.Series(rows)


def test_mid_period_values_are_the_watch_projections_or_values_so_far_by_hand(mid, watch_projections, frames):
    assert list(mid.columns) == ["supervisor_id", "period", "as_of", "indicator", "value", "basis", "score",
                                 "weight", "contribution"]
    assert set(mid["as_of"]) == {"2026-08-15T00:00:00"} and set(mid["period"]) == {"2026Q3"}
    got = mid.set_index(["supervisor_id", "indicator"])
    # every result indicator watch projects is scored on that very projection
    proj = watch_projections.set_index(["supervisor_id", "result"])["projected"]
    assert len(proj) == 4 * 2 and proj.notna().all()
    for (sid, ind), value in proj.items():
        assert got.loc[(sid, ind), "basis"] == "projected"
        assert got.loc[(sid, ind), "value"] == pytest.approx(value, rel=1e-9)
    # the process indicators: so far, turnover (a count that accumulates) pro-rated to the quarter
    timely = _timely_by_hand(frames["tickets"])
    turnover = _turnover_by_hand(frames["staff"]) / ELAPSED
    for sid in ["S00", "S01", "S02", "S03"]:
        assert got.loc[(sid, "timely_closure_rate"), "basis"] == "to_date"
        assert got.loc[(sid, "timely_closure_rate"), "value"] == pytest.approx(timely[sid], rel=1e-12)
        assert got.loc[(sid, "staff_turnover_rate"), "value"] == pytest.approx(turnover[sid], rel=1e-12)
    assert turnover.gt(0).sum() == 1  # the pro-rating is exercised, and the later leaver unknown


def test_mid_period_scores_weights_and_contributions_by_hand(mid):
    for row in mid.itertuples():
        assert row.score == pytest.approx(hand_score(row.indicator, row.value), abs=1e-9)
        assert row.weight == pytest.approx(WEIGHT[row.indicator], abs=1e-12)
        assert row.contribution == pytest.approx(WEIGHT[row.indicator] * row.score, abs=1e-9)


def test_contributions_sum_to_the_total_score(mid, folder):
    from perfmodel.analysis.provisional import totals, values_panel
    from perfmodel.scoring.scores import score

    panel = values_panel(mid.drop(columns=["score", "weight", "contribution"]))
    expected = score(panel, str(folder / "policy.yaml")).set_index("supervisor_id")["score"]
    got = totals(mid).set_index("supervisor_id")["score"]
    by_hand = mid.assign(c=[WEIGHT[i] * hand_score(i, v) for i, v in zip(mid["indicator"], mid["value"])])
    by_hand = by_hand.groupby("supervisor_id")["c"].sum()
    for sid in expected.index:
        assert abs(got[sid] - expected[sid]) < 1e-9
        assert abs(got[sid] - by_hand[sid]) < 1e-9


def test_missing_indicator_weight_is_renormalised_within_its_dimension(folder):
    from perfmodel.analysis.provisional import score_table

    panel = pd.DataFrame({"supervisor_id": ["A"], "period": ["2026Q3"], "csat": [4.3],
                          "customer_churn_rate": [0.03], "timely_closure_rate": [np.nan],
                          "staff_turnover_rate": [0.1]})
    t = score_table(panel, str(folder / "policy.yaml")).set_index("indicator")
    # timely closure is missing: staff turnover carries the whole process weight 0.4
    assert t.loc["timely_closure_rate", "weight"] == 0 and t.loc["timely_closure_rate", "contribution"] == 0
    assert t.loc["staff_turnover_rate", "weight"] == pytest.approx(0.4)
    assert t["contribution"].sum() == pytest.approx(0.42 * 100 + 0.18 * 100 + 0.4 * 50, abs=1e-9)


def test_closed_period_is_final_and_scores_as_perfmodel_score(folder, tmp_path):
    from perfmodel import load_dataset
    from perfmodel.cli import main
    from perfmodel.analysis.provisional import period_scores, totals

    out = tmp_path / "scores.csv"
    policy = str(folder / "policy.yaml")
    assert main(["score", "--data", str(folder / "data"), "--policy", policy, "--period", "2026Q2",
                 "--out", str(out)]) == 0
    cli = pd.read_csv(out, dtype={"supervisor_id": str}).set_index("supervisor_id")
    data = load_dataset(folder / "data")
    final = period_scores(data, "2026Q2", None, policy)
    assert set(final["basis"]) == {"final"} and set(final["as_of"]) == {""}
    got = final.set_index(["supervisor_id", "indicator"])["score"]
    for sid, row in cli.iterrows():
        for ind in WEIGHT:
            # the command's CSV holds 10 significant digits
            assert got[(sid, ind)] == pytest.approx(row[f"score_{ind}"], abs=1e-7)
    tot = totals(final).set_index("supervisor_id")["score"]
    assert np.allclose(tot[cli.index].to_numpy(), cli["score"].to_numpy(), atol=1e-7)
    # an as-of instant at the end of the period (or later) closes it too
    at_end = period_scores(data, "2026Q2", "2026-07-01", policy)
    assert set(at_end["basis"]) == {"final"}


def test_scores_csv_is_byte_identical_for_the_same_inputs(mid, tmp_path):
    from perfmodel.analysis.provisional import write_scores

    write_scores(mid, tmp_path / "a.csv")
    write_scores(mid.copy(), tmp_path / "b.csv")
    a = (tmp_path / "a.csv").read_bytes()
    assert a == (tmp_path / "b.csv").read_bytes()
    assert a.startswith(b"supervisor_id,period,as_of,indicator,value,basis,score,weight,contribution\n")
