"""Why a result is at risk: what pulls its projection (history, trend so far, volume so far).

The example is the one of the issue: a return-visit rate of 92.6 % so far on 27 reached
return visits, against a target of 88 %, with a history of 84.1 %. The projection
``y = a + b·z + c·m``, ``z = w·x + (1 − w)·m``, ``w = n / (n + k0)`` uses a = 0.08,
b = 0.8, c = 0.1, k0 = 30, so w = 27/57 and the projection weighs
the value so far 0.8·27/57 = 21.6/57 (37.9 %), the history 0.8·30/57 + 0.1 = 24/57 + 0.1
(52.1 %), and the usual level 1 − 0.379 − 0.521 = 0.1 (10 %) at 0.08 / 0.1 = 80.0 %.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from perfmodel.analysis.watch import projection as proj
from perfmodel.analysis.watch import reasons

FIT = proj.Fit(k0=30.0, coef=np.array([0.08, 0.8, 0.1]), sigma=0.03, df=20, xtx_inv=np.eye(3) * 0.01,
               n_rows=23)


def _row(**changes):
    row = {"supervisor_id": "S002", "result": "followup_positive_rate", "direction": "higher",
           "value_to_date": 0.926, "so_far_comparable": 0.926, "denominator_to_date": 27.0, "prior": 0.841,
           "n_hist": 6, "projected": 0.8776, "target": 0.88, "weight_so_far": 21.6 / 57,
           "weight_history": 24 / 57 + 0.1, "weight_usual": 0.1, "usual": 0.8}
    row.update(changes)
    return pd.Series(row)


def test_projection_weights_by_hand_and_they_rebuild_the_projection():
    x, n, m = np.array([0.926, np.nan]), np.array([27.0, 0.0]), np.array([0.841, 0.841])
    w = proj.projection_weights(FIT, x, n)
    assert w["weight_so_far"].tolist() == pytest.approx([21.6 / 57, 0.0], abs=1e-12)
    assert w["weight_history"].tolist() == pytest.approx([24 / 57 + 0.1, 0.9], abs=1e-12)
    assert w["weight_usual"].tolist() == pytest.approx([0.1, 0.1], abs=1e-12)
    assert w["usual"].tolist() == pytest.approx([0.8, 0.8], abs=1e-12)
    # the weighted mean is the projection itself
    mean = proj.predict(FIT, x, n, m)["projected"].to_numpy()
    rebuilt = (w["weight_so_far"] * np.nan_to_num(x) + w["weight_history"] * m
               + w["weight_usual"] * w["usual"]).to_numpy()
    assert rebuilt == pytest.approx(mean, abs=1e-12)
    assert mean[0] == pytest.approx(0.08 + 0.8 * (27 / 57 * 0.926 + 30 / 57 * 0.841) + 0.1 * 0.841, abs=1e-12)


def test_a_count_that_accumulates_is_weighed_on_its_pro_rated_value():
    # churn 2 % after half the period is 4 % pro-rated; its weight is counted on the 4 %
    w = proj.projection_weights(FIT, np.array([0.02]), np.array([27.0]), scale=0.5)
    assert w["weight_so_far"].iat[0] == pytest.approx(0.8 * 27 / 57 * 0.5, abs=1e-12)
    mean = proj.predict(FIT, [0.02], [27.0], [0.05])["projected"].iat[0]
    rebuilt = (w["weight_so_far"] * 0.04 + w["weight_history"] * 0.05 + w["weight_usual"] * w["usual"]).iat[0]
    assert rebuilt == pytest.approx(mean, abs=1e-12)


@pytest.mark.parametrize("changes, expected", [
    ({}, ["history", "volume_so_far", "usual_level"]),                       # the S002
    ({"usual": 0.95}, ["history", "volume_so_far"]),                          # usual level meets it
    ({"value_to_date": 0.80, "so_far_comparable": 0.80}, ["history", "trend_so_far", "usual_level"]),
    ({"prior": 0.90, "usual": 0.95, "value_to_date": 0.80, "so_far_comparable": 0.80}, ["trend_so_far"]),
    ({"prior": 0.90, "usual": 0.95}, ["spread"]),                              # every part meets the target
    ({"weight_so_far": 0.7, "weight_history": 0.25, "weight_usual": 0.05}, ["history", "usual_level"]),
    ({"value_to_date": np.nan, "so_far_comparable": np.nan, "weight_so_far": 0.0},
     ["history", "volume_so_far", "usual_level"]),                             # nothing measured yet
    ({"direction": "lower", "target": 0.03, "prior": 0.05, "usual": 0.02, "value_to_date": 0.02,
      "so_far_comparable": 0.04}, ["history", "trend_so_far"]),                # lower is better
])
def test_drivers(changes, expected):
    assert reasons.projection_drivers(_row(**changes)) == expected


def test_reason_sentence_in_english_and_chinese():
    row = _row(drivers="history;volume_so_far;usual_level")
    assert reasons.projection_reason(row, "quarter", lang="en") == (
        "    why: your history 84.1 % (6 earlier quarters) is below the target and weighs 52 % in the "
        "projection; so far 92.6 % meets the target but rests on 27 reached return visits, so it weighs "
        "only 38 %; in earlier quarters values at this point moved toward 80.0 % by the end, below the "
        "target (10 % of the projection)")
    zh = reasons.projection_reason(row, "quarter", lang="zh")
    assert zh == ("    原因：您的历史水平 84.1 %（此前 6 个季度）低于目标，在预测中占 52 %；目前 92.6 %已达目标，"
                  "但仅基于 27 次接通回访，在预测中只占 38 %；以往各季度在同一时点的数值到期末向 80.0 % "
                  "靠拢，低于目标（在预测中占 10 %）")
    assert re.findall(r"[A-Za-z]{2,}", zh) == []
    churn = _row(result="customer_churn_rate", direction="lower", target=0.03, value_to_date=0.02,
                 so_far_comparable=0.04, prior=0.02, drivers="trend_so_far", weight_so_far=0.56)
    assert reasons.projection_reason(churn, "quarter", lang="en") == (
        "    why: so far 2.0 % (4.0 % pro-rated to the whole period) is above the target and weighs 56 %")
    assert reasons.projection_reason(_row(drivers=""), "quarter", lang="en") == ""


def _block_lines(printed):
    blocks, current = [], None
    for line in printed[1:]:
        if re.match(r"^\S+ ", line) and not line.startswith(("Results", "未列出")):
            current = []
            blocks.append(current)
        elif current is not None:
            current.append(line)
    return blocks


@pytest.fixture(scope="module")
def watched():
    from perfmodel import dataset_from_frames
    from perfmodel.analysis.watch import watch
    from test_watch import random_frames

    return watch(dataset_from_frames(random_frames(seed=3, n_sup=6)), period="2026Q3", as_of="2026-08-15",
                 threshold=0.3)


def test_every_result_at_risk_says_why_and_the_weights_rebuild_it(watched):
    pr = watched.projections
    risk = pr[pr["at_risk"]]
    assert len(risk) > 0 and (risk["drivers"] != "").all() and (pr.loc[~pr["at_risk"], "drivers"] == "").all()
    assert set(";".join(risk["drivers"]).split(";")) <= set(reasons.DRIVERS)
    ok = pr[np.isfinite(pr["usual"]) & (pr["projected"] > pr["low"])]
    x = ok["so_far_comparable"].fillna(0.0)
    rebuilt = ok["weight_so_far"] * x + ok["weight_history"] * ok["prior"] + ok["weight_usual"] * ok["usual"]
    inside = (ok["projected"] > 0) & (ok["projected"] < 1) | ~ok["result"].isin(
        ["complaint_resolution_rate", "followup_positive_rate", "customer_churn_rate"])
    assert len(ok[inside]) > 0
    assert np.allclose(rebuilt[inside], ok.loc[inside, "projected"], atol=1e-9)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_printed_warnings_say_why_and_repeat_no_line(watched, lang):
    from perfmodel.cli.watch import lines
    from perfmodel.analysis.watch.reasons import projection_reason

    printed = lines(watched, {}, 0.3, lang=lang)
    risk = watched.projections[watched.projections["at_risk"]]
    for _, r in risk.iterrows():
        assert projection_reason(r, "quarter", lang=lang) in printed
    for block in _block_lines(printed):
        assert len(block) == len(set(block)), block
    note = [line for line in printed if line.startswith(("Results at risk without", "未列出过程指标"))]
    assert len(note) <= 1
    assert sum("no process indicator" in line or "没有结论为" in line for line in printed) == len(note)


@pytest.mark.parametrize("lang, why, note", [
    ("en", "  - Why: your history 84.1 % (6 earlier quarters)", "no process indicator has shown evidence"),
    ("zh", "  - 原因：您的历史水平 84.1 %（此前 6 个季度）", "没有过程指标被证实能预测该指标"),
])
def test_feedback_section_says_why_and_the_note_once(lang, why, note):
    from perfmodel.analysis.watch import WatchResult, feedback_section

    row = _row(drivers="history;volume_so_far;usual_level", period="2026Q3", as_of=pd.Timestamp("2026-08-15"),
               low=0.83, high=0.92, p_miss=0.68, at_risk=True)
    csat = _row(result="csat", value_to_date=4.0, so_far_comparable=4.0, prior=4.1, target=4.3, projected=4.05,
                usual=4.0, drivers="history;trend_so_far;usual_level", period="2026Q3",
                as_of=pd.Timestamp("2026-08-15"), low=3.9, high=4.2, p_miss=0.9, at_risk=True)
    res = WatchResult("2026Q3", pd.Timestamp("2026-08-15"), pd.DataFrame(), pd.DataFrame([row, csat]),
                      pd.DataFrame(columns=["supervisor_id", "result"]), pd.DataFrame())
    text = feedback_section(res, "S002", lang=lang)
    assert why in text
    assert text.count(note) == 1  # two results without a process driver, one note
