"""Rater leniency: the estimator on hand-worked examples, recovery of known effects, and
the corrected indicators of the panel (values worked by hand)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfmodel.data.dataset import Dataset
from perfmodel.indicators import compute_indicators
from perfmodel.indicators.leniency import correct_means, overlap_problem, rater_effects, reason_text


def frame(rows):
    return pd.DataFrame(rows, columns=["rater_id", "supervisor_id", "score"])


def test_balanced_two_by_two_worked_by_hand():
    # rater A gives s1 4, s2 3; rater B gives s1 4, s2 2. Balanced design: a rater's effect
    # is its mean less the grand mean: A 3.5 - 3.25 = +0.25, B 3.0 - 3.25 = -0.25.
    r = frame([("A", "s1", 4.0), ("A", "s2", 3.0), ("B", "s1", 4.0), ("B", "s2", 2.0)])
    eff = rater_effects(r)
    assert eff["rater_id"].tolist() == ["A", "B"]
    assert eff["effect"].tolist() == pytest.approx([0.25, -0.25], abs=1e-12)
    assert eff["n_ratings"].tolist() == [2, 2] and eff["n_supervisors"].tolist() == [2, 2]
    # corrected: s1 (4 - 0.25 + 4 + 0.25) / 2 = 4; s2 (3 - 0.25 + 2 + 0.25) / 2 = 2.5
    means = correct_means(r, eff)
    assert means["value"].tolist() == pytest.approx([4.0, 2.5], abs=1e-12)
    assert means["n"].tolist() == [2, 2]


def test_unbalanced_cycle_recovers_exact_additive_effects():
    # a chain r1-s1, r1-s2, r2-s2, r2-s3, r3-s3, r3-s1 built from supervisor levels 4, 3.5, 2.5
    # and rater effects +0.5, -0.25, -0.25 (sum 0) without noise: least squares is exact.
    r = frame([("r1", "s1", 4.5), ("r1", "s2", 4.0), ("r2", "s2", 3.25), ("r2", "s3", 2.25),
               ("r3", "s3", 2.25), ("r3", "s1", 3.75)])
    assert rater_effects(r)["effect"].tolist() == pytest.approx([0.5, -0.25, -0.25], abs=1e-12)
    assert correct_means(r, rater_effects(r))["value"].tolist() == pytest.approx([4.0, 3.5, 2.5], abs=1e-12)


def test_corrected_means_are_clipped_to_the_scale():
    r = frame([("H", "s1", 5.0), ("H", "s2", 1.0)])
    eff = pd.DataFrame({"rater_id": ["H"], "effect": [-0.5]})  # a harsh rater: 5 + 0.5 would be 5.5
    assert correct_means(r, eff)["value"].tolist() == [5.0, 1.5]


def simulated(seed: int, per_rater: int, noise: float):
    rng = np.random.default_rng(seed)
    truth = rng.uniform(-0.5, 0.5, 8)
    level = rng.normal(3.5, 0.5, 40)
    rows = []
    for rater in range(8):
        for sup in rng.choice(40, per_rater, replace=False):
            rows.append((f"R{rater}", f"S{sup:02d}", level[sup] + truth[rater] + rng.normal(0, noise)))
    return frame(rows), truth, pd.Series(level, index=[f"S{i:02d}" for i in range(40)])


def test_recovers_known_rater_effects():
    ratings, truth, level = simulated(3, 35, 0.2)
    eff = rater_effects(ratings)
    assert abs(eff["effect"].sum()) < 1e-9
    # the model identifies effects up to their mean (sum-to-zero); standard error about 0.04
    np.testing.assert_allclose(eff["effect"].to_numpy(), truth - truth.mean(), atol=0.12)
    # with few raters per supervisor the corrected means are much nearer the supervisors'
    # levels (plus the average rater's leniency, which sum-to-zero leaves in) than the raw ones
    ratings, truth, level = simulated(4, 10, 0.2)
    raw = ratings.groupby("supervisor_id")["score"].mean()
    corrected = correct_means(ratings, rater_effects(ratings)).set_index("supervisor_id")["value"]
    centre = level.reindex(raw.index) + truth.mean()
    assert (corrected - centre).abs().mean() < 0.6 * (raw - centre).abs().mean()


def test_same_effects_as_ordinary_least_squares_in_statsmodels():
    import statsmodels.formula.api as smf

    ratings, _, _ = simulated(5, 12, 0.4)  # unbalanced: each rater rates 12 of 40
    fit = smf.ols("score ~ C(supervisor_id) + C(rater_id, Sum)", data=ratings).fit()
    coef = [fit.params[k] for k in fit.params.index if k.startswith("C(rater_id")]
    want = coef + [-sum(coef)]  # Sum coding leaves out the last rater
    np.testing.assert_allclose(rater_effects(ratings)["effect"].to_numpy(), want, atol=1e-10)


def test_overlap_rules():
    many = frame([(r, s, 3.0) for r in ("A", "B") for s in ("s1", "s2", "s3") for _ in range(2)])
    assert overlap_problem(many) is None
    assert overlap_problem(many[many.rater_id == "A"]) == ("single_rater", {"rater": "A"})
    few = many.drop(index=[0, 1])  # A: 4 ratings
    assert overlap_problem(few) == ("few_ratings", {"rater": "A", "n": 4, "k": 5})
    two = frame([(r, s, 3.0) for r in ("A", "B") for s in ("s1", "s2") for _ in range(3)])
    assert overlap_problem(two) == ("few_supervisors", {"rater": "A", "n": 2, "m": 3})
    # each manager rates only her own team: a lenient rater cannot be told from a strong team
    split = frame([("A", s, 4.0) for s in ("s1", "s2", "s3")] * 2 + [("B", s, 3.0) for s in ("s4", "s5", "s6")] * 2)
    assert overlap_problem(split) == ("disconnected", {"groups": 2})
    # one supervisor in common, rated once by each: connected, but the two levels rest on a
    # single comparison. Reduced normal matrix [[1/2, -1/2], [-1/2, 1/2]] (only s0 links them),
    # effect-coded: 4 * 1/2 = 2, so var(b_A) = 1/2 -> standard error sqrt(1/2) = 0.71 > 0.5
    chain = frame([("A", s, 4.0) for s in ("s1", "s2", "s3")] * 2 + [("B", s, 3.0) for s in ("s4", "s5", "s6")] * 2
                  + [("A", "s0", 4.0), ("B", "s0", 3.0)])
    assert overlap_problem(chain) == ("imprecise", {"rater": "A", "se": 0.71, "limit": 0.5})
    assert "2 groups" in reason_text("disconnected", {"groups": 2})
    assert "2 组" in reason_text("disconnected", {"groups": 2}, lang="zh")
    detail = {"rater": "E002", "n": 4, "k": 5}
    assert reason_text("few_ratings", detail).startswith("rater E002 has 4 ratings")
    assert "E002" not in reason_text("few_ratings", detail, anonymous=True)
    assert reason_text("few_ratings", detail, lang="zh", anonymous=True).startswith("一位评价人截至期末只有 4 条评价")


def company(ratings) -> Dataset:
    supervisors = pd.DataFrame({"supervisor_id": ["s1", "s2", "s3"], "name": ["张伟", "李娜", "王芳"]})
    tickets = pd.DataFrame({"ticket_id": ["T1"], "supervisor_id": ["s1"],
                            "created_at": pd.to_datetime(["2026-05-01 09:00"])})
    mr = pd.DataFrame(ratings, columns=["rater_id", "supervisor_id", "rated_on", "score"])
    mr["rated_on"] = pd.to_datetime(mr["rated_on"])
    mr["item"] = "执行力"
    return Dataset(tables={"supervisors": supervisors, "tickets": tickets, "manager_ratings": mr})


# Levels s1 4, s2 3, s3 2; rater A +0.5, B -0.5 (no noise). Q2: each rater rates all three
# (3 ratings each: fewer than k = 5, so Q2 stays raw). Q3 adds two ratings per rater: up to
# end(Q3) each has 5 ratings of 3 supervisors and the graph is connected.
RATINGS = [("A", "s1", "2026-05-10", 4.5), ("A", "s2", "2026-05-10", 3.5), ("A", "s3", "2026-05-10", 2.5),
           ("B", "s1", "2026-05-11", 3.5), ("B", "s2", "2026-05-11", 2.5), ("B", "s3", "2026-05-11", 1.5),
           ("A", "s1", "2026-08-10", 4.5), ("A", "s2", "2026-08-10", 3.5),
           ("B", "s2", "2026-08-11", 2.5), ("B", "s3", "2026-08-11", 1.5)]


@pytest.fixture(scope="module")
def panel():
    return compute_indicators(company(RATINGS), ["2026Q2", "2026Q3"])


def value(panel, sup, period, ind):
    r = panel[(panel.supervisor_id == sup) & (panel.period == period) & (panel.indicator == ind)]
    return r.iloc[0][["value", "numerator", "denominator"]].astype(float).tolist()


@pytest.mark.parametrize("sup,raw,corrected,n", [
    # Q3: s1 only by lenient A: raw 4.5, corrected 4.5 - 0.5 = 4.0
    ("s1", 4.5, 4.0, 1),
    # s2 by both: raw (3.5 + 2.5) / 2 = 3.0, corrected (3.0 + 3.0) / 2 = 3.0
    ("s2", 3.0, 3.0, 2),
    # s3 only by harsh B: raw 1.5, corrected 1.5 + 0.5 = 2.0
    ("s3", 1.5, 2.0, 1),
])
def test_panel_corrects_q3(panel, sup, raw, corrected, n):
    assert value(panel, sup, "2026Q3", "manager_rating_raw") == pytest.approx([raw, raw * n, n])
    assert value(panel, sup, "2026Q3", "manager_rating") == pytest.approx([corrected, corrected * n, n])


def test_panel_keeps_raw_where_overlap_is_too_small_and_says_why(panel):
    # Q2: A's ratings 4.5/3.5/2.5 and B's 3.5/2.5/1.5 -> raw means 4, 3, 2 (and corrected = raw)
    for sup, raw in (("s1", 4.0), ("s2", 3.0), ("s3", 2.0)):
        assert value(panel, sup, "2026Q2", "manager_rating") == pytest.approx([raw, 2 * raw, 2])
    status = pd.DataFrame(panel.attrs["leniency"]).set_index("period")
    assert not status.loc["2026Q2", "applied"] and status.loc["2026Q2", "reason"] == "few_ratings"
    assert status.loc["2026Q2", "detail"] == {"rater": "A", "n": 3, "k": 5}
    assert status.loc["2026Q3", "applied"] and status.loc["2026Q3", "n_ratings"] == 10
    effects = pd.DataFrame(panel.attrs["rater_effects"])
    assert effects["effect"].tolist() == pytest.approx([0.5, -0.5], abs=1e-12)


def test_row_order_does_not_change_the_panel():
    shuffled = compute_indicators(company(RATINGS[::-1]), ["2026Q2", "2026Q3"])
    assert shuffled.equals(compute_indicators(company(RATINGS), ["2026Q2", "2026Q3"]))


# --------------------------------------------------------------------------- the data contract

def test_rating_tables_are_validated_and_quarantined(tmp_path):
    import shutil
    from pathlib import Path

    from perfmodel import load_dataset

    bad = Path(__file__).parents[1] / "fixtures" / "bad" / "bom_utf8"
    for name in ("supervisors", "tickets"):
        shutil.copy(bad / f"{name}.csv", tmp_path)
    (tmp_path / "manager_ratings.csv").write_text(
        "rater_id,supervisor_id,rated_on,item,score\n"
        "M1,007,2026-01-10,执行力,4\n"
        "M1,007,2026-01-10,团队管理,5\n"   # another item: not a duplicate
        "M1,007,2026-01-10,执行力,3\n"     # same rater, supervisor, day and item as row 2
        "M2,999,2026-01-10,执行力,3\n"     # unknown supervisor
        "M2,007,2026-01-10,执行力,6\n"     # above the 1-5 scale
        "M2,007,2026-02-30,执行力,2\n", encoding="utf-8")  # no such day
    (tmp_path / "self_assessments.csv").write_text(
        "supervisor_id,assessed_on,item,score\n"
        "007,2026-01-05,执行力,5\n"
        "007,2026-01-05,执行力,4\n"        # duplicate key
        "007,2026-01-06,执行力,0\n", encoding="utf-8")  # below the scale
    data = load_dataset(tmp_path)
    q = data.quarantine
    got = {(r.table, int(r.row), r.column) for r in q.itertuples() if r.table in ("manager_ratings", "self_assessments")}
    assert got == {("manager_ratings", 4, "rater_id+supervisor_id+rated_on+item"),
                   ("manager_ratings", 5, "supervisor_id"), ("manager_ratings", 6, "score"),
                   ("manager_ratings", 7, "rated_on"),
                   ("self_assessments", 3, "supervisor_id+assessed_on+item"), ("self_assessments", 4, "score")}
    acc = data.account.set_index("table")
    assert acc.loc["manager_ratings", ["rows_read", "rows_used", "rows_quarantined"]].tolist() == [6, 2, 4]
    assert acc.loc["self_assessments", ["rows_read", "rows_used", "rows_quarantined"]].tolist() == [3, 1, 2]
    assert data["manager_ratings"]["item"].tolist() == ["执行力", "团队管理"]


def test_missing_required_rating_column_names_file_and_column(tmp_path):
    import shutil
    from pathlib import Path

    from perfmodel import load_dataset
    from perfmodel.core.errors import PerfmodelError

    bad = Path(__file__).parents[1] / "fixtures" / "bad" / "bom_utf8"
    for name in ("supervisors", "tickets"):
        shutil.copy(bad / f"{name}.csv", tmp_path)
    (tmp_path / "manager_ratings.csv").write_text("rater_id,supervisor_id,rated_on,score\nM1,007,2026-01-10,4\n",
                                                  encoding="utf-8")
    with pytest.raises(PerfmodelError, match=r"manager_ratings\.csv.*item"):
        load_dataset(tmp_path)


# --------------------------------------------------------------------------- the feedback page

def _page(monkeypatch, long, sid, period, lang="en") -> str:
    from types import SimpleNamespace

    from perfmodel.reporting import sections

    shown = []
    monkeypatch.setattr("perfmodel.reporting.display._display", lambda *objs: shown.extend(o.data for o in objs))
    sections.show_judgement(SimpleNamespace(long=long, period=period, lang=lang), sid)
    return "\n".join(shown)


def with_self(ratings, self_rows):
    ds = company(ratings)
    sa = pd.DataFrame(self_rows, columns=["supervisor_id", "assessed_on", "score"])
    sa["assessed_on"] = pd.to_datetime(sa["assessed_on"])
    sa["item"] = "执行力"
    ds.tables["self_assessments"] = sa
    return ds


def test_gap_between_self_and_corrected_manager_rating(monkeypatch):
    from perfmodel.reporting.judgement import judgement_table

    long = compute_indicators(with_self(RATINGS, [("s1", "2026-08-20", 4.6), ("s2", "2026-08-20", 2.0)]),
                              ["2026Q2", "2026Q3"])
    own = judgement_table(long, "s1", "2026Q3").set_index("indicator")
    # s1 in Q3: self 4.6, manager 4.5 raw (lenient A), 4.0 corrected -> gap 0.6 and 0.1
    assert own["value"].tolist() == pytest.approx([4.6, 4.0, 4.5])
    assert own.loc["manager_rating", "gap"] == pytest.approx(0.6)
    assert own.loc["manager_rating_raw", "gap"] == pytest.approx(0.1)
    page = _page(monkeypatch, long, "s1", "2026Q3")
    assert "0.60 points above your manager" in page
    assert "corrected for how lenient or strict each of the 2 raters" in page
    # only this supervisor's figures: s2's self rating (2.0) is not on s1's page
    assert "2.00" not in page
    zh = _page(monkeypatch, long, "s1", "2026Q3", "zh")
    assert "高 0.60 分" in zh and "上级评价" in zh


def test_page_says_why_the_raw_mean_is_used_without_naming_the_rater(monkeypatch):
    long = compute_indicators(with_self(RATINGS, [("s1", "2026-05-20", 3.0)]), ["2026Q2", "2026Q3"])
    page = _page(monkeypatch, long, "s1", "2026Q2")
    # Q2: self 3.0, manager 4.0 (raw = corrected, A has only 3 ratings up to end(Q2))
    assert "1.00 points below your manager" in page
    assert "the raw mean is used" in page and "one rater has 3 ratings" in page and "at least 5" in page
    assert "rater A" not in page


def test_no_rating_tables_no_section(monkeypatch):
    ds = company(RATINGS)
    del ds.tables["manager_ratings"]
    long = compute_indicators(ds, "2026Q3")
    assert _page(monkeypatch, long, "s1", "2026Q3") == ""


def test_a_policy_that_opts_in_scores_the_corrected_manager_rating():
    from perfmodel.scoring.policy import policy_from_dict
    from perfmodel.indicators import wide_panel
    from perfmodel.scoring.scores import score

    policy = policy_from_dict({
        "name": "opt-in", "version": "1", "period": "quarter", "dimensions": {"result": 1.0},
        "indicators": {"manager_rating": {"dimension": "result", "weight": 1.0, "rule": "linear",
                                          "floor": 3.0, "target": 5.0}},
        "ratings": {"bands": {"A": 60, "B": 0}}})
    wide = wide_panel(compute_indicators(company(RATINGS), ["2026Q2", "2026Q3"]))
    got = score(wide, policy).set_index(["supervisor_id", "period"])["score"]
    # Q3 corrected: s1 4.0 -> (4 - 3) / (5 - 3) = 50; s2 3.0 -> 0; s3 2.0 -> below floor, 0
    # (the raw 4.5 of s1 would have scored 75)
    assert got.loc[("s1", "2026Q3")] == pytest.approx(50.0)
    assert got.loc[("s2", "2026Q3")] == pytest.approx(0.0)
    assert got.loc[("s3", "2026Q3")] == pytest.approx(0.0)


def test_presets_leave_the_judgement_indicators_out():
    from perfmodel.scoring.policy import load_policy

    for preset in ("efficiency", "quality"):
        used = set(load_policy(preset).indicators)
        assert not used & {"manager_rating", "manager_rating_raw", "self_rating", "collaboration_score_raw"}
