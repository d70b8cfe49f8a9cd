"""``perfmodel watch --lang zh`` speaks Chinese, and the as-of messages state the accepted range.

The expected lines are written out by hand from the small result below: period 2026Q3
(92 days), as of 2026-08-15 00:00, i.e. 31 days of July + 14 of August = 45 days gone by.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from perfmodel.core.errors import UsageError

AS_OF = pd.Timestamp("2026-08-15")
NAMES = {"S1": "张伟", "S2": "Li Na"}
SUG_S1_ZH = ("培训完成率为 55.0 %，目标 90.0 %；历史数据中该指标提高 10 个百分点，下一季度客户满意度"
             "随之变化 +0.08。建议：为逾期未完成的培训课程安排时间。")
SUG_S2_ZH = ("培训完成率为 35.0 %，目标 90.0 %；历史数据中该指标提高 10 个百分点，下一季度客户满意度"
             "随之变化 +0.08。建议：为逾期未完成的培训课程安排时间。")


def _result(lang: str):
    from perfmodel.analysis.watch import WatchResult
    from perfmodel.analysis.watch import reasons

    pr = pd.DataFrame({
        "supervisor_id": ["S1", "S1", "S2"], "period": "2026Q3", "as_of": AS_OF,
        "result": ["csat", "customer_churn_rate", "csat"], "direction": ["higher", "lower", "higher"],
        "value_to_date": [4.01, 0.02, 3.33], "denominator_to_date": [40.0, 100.0, 50.0],
        "prior": [4.1, 0.03, 3.5], "n_hist": [4, 4, 4], "lag_adjustment": [0.0, 0.0, 0.0],
        "projected": [4.07, 0.031, 3.41], "low": [3.97, 0.02, 3.31], "high": [4.17, 0.042, 3.51],
        "target": [4.3, 0.04, 4.3], "gap": [-0.23, -0.009, -0.89], "p_miss": [0.97, 0.7, 0.999],
        "at_risk": [True, True, True]})
    w = pd.DataFrame({
        "supervisor_id": ["S1", "S2"], "period": "2026Q3", "as_of": AS_OF, "result": "csat",
        "p_miss": [0.97, 0.999], "projected": [4.07, 3.41], "low": [3.97, 3.31], "high": [4.17, 3.51],
        "target": 4.3, "gap": [-0.23, -0.89], "driver": "training_completion_rate",
        "driver_value": [0.55, 0.35], "driver_reference": 0.9, "reference_kind": "target",
        "coef": 0.8, "se": 0.1, "p_adj": 0.01, "verdict": "predicts",
        "suggestion": [reasons.suggestion("csat", "training_completion_rate", v, 0.9, "target", 0.8,
                                          lang=lang) for v in (0.55, 0.35)]})
    return WatchResult("2026Q3", AS_OF, pd.DataFrame(), pr, w, pd.DataFrame())


def test_printed_lines_in_chinese():
    from perfmodel.cli.watch import lines

    got = lines(_result("zh"), NAMES, 0.6, lang="zh")
    assert got == [
        "2026Q3 截至 2026-08-15（不含当日，92 天中已过 45 天）：2 位主管中 2 位有未达目标风险"
        "（未达目标概率 ≥ 0.6），涉及 3 项结果指标；其中 2 项有可预测它的过程指标",
        "S2 Li Na",
        "  csat（客户满意度）：未达目标概率 1.00；预计期末 3.41（80% 区间 3.31 至 3.51），目标 4.30；目前 3.33",
        "    training_completion_rate（培训完成率）[系数 0.8，校正 p 值 0.01，有预测力]：" + SUG_S2_ZH,
        "S1 张伟",
        "  csat（客户满意度）：未达目标概率 0.97；预计期末 4.07（80% 区间 3.97 至 4.17），目标 4.30；目前 4.01",
        "    training_completion_rate（培训完成率）[系数 0.8，校正 p 值 0.01，有预测力]：" + SUG_S1_ZH,
        "  customer_churn_rate（客户流失率）：未达目标概率 0.70；预计期末 3.1 %（80% 区间 2.0 % 至 4.2 %），"
        "目标 4.0 %；目前 2.0 %",
        "未列出过程指标的风险结果：没有结论为“有预测力”的过程指标落后于其参考值。",
    ]
    # no English word is left once ids, names and units are taken out
    text = "\n".join(got)
    for token in ("training_completion_rate", "customer_churn_rate", "csat", "2026Q3", "Li Na"):
        text = text.replace(token, "")
    assert re.findall(r"[A-Za-z]{2,}", text) == []


def test_printed_lines_in_english_are_unchanged():
    from perfmodel.cli.watch import lines

    got = lines(_result("en"), NAMES, 0.6, lang="en")
    assert got[0] == ("2026Q3 as of 2026-08-15 (45 of 92 days): 2 of 2 supervisors at risk (p_miss >= 0.6) "
                      "on 3 results; 2 with a process indicator that predicts it")
    assert got[2] == ("  csat (Customer satisfaction): p_miss 1.00; projected 3.41 (80 % 3.31 to 3.51) vs "
                      "target 4.30; so far 3.33")
    assert got[3] == ("    training_completion_rate [coef 0.8, p_adj 0.01, predicts]: Training completion "
                      "rate 35.0 % vs target 90.0 %; in past data a 10-point rise went with +0.08 "
                      "customer satisfaction the next quarter. Plan time for the overdue courses.")
    # said once at the end, not under each result it applies to
    assert got[-1] == ("Results at risk without a process line: no process indicator with verdict 'predicts' "
                       "is behind its reference.")


def test_a_datetime_as_of_counts_part_days():
    from perfmodel.cli.watch import lines

    res = _result("zh")
    res.as_of = pd.Timestamp("2026-08-15 12:00")  # 45.5 days of 92
    assert lines(res, NAMES, 0.6, lang="zh")[0].startswith(
        "2026Q3 截至 2026-08-15 12:00:00（不含当日，92 天中已过 45.5 天）")


# --- the as-of instant: accepted in (start, end] -------------------------------------------

START_EN = ("--as-of 2026-07-01 00:00:00 is the first instant of 2026Q3: nothing has happened yet; give a "
            "later time inside 2026Q3 (after 2026-07-01 00:00 and at most 2026-10-01 00:00)")
START_ZH = ("--as-of 2026-07-01 00:00:00 是 2026Q3 的第一个时刻：该期还没有发生任何事；请给出 2026Q3 内"
            "更晚的时间（晚于 2026-07-01 00:00，且不晚于 2026-10-01 00:00）")


@pytest.mark.parametrize("as_of, lang, message", [
    ("2026-07-01", "en", START_EN),
    ("2026-07-01T00:00:00+08:00", "en", START_EN),
    ("2026-07-01", "zh", START_ZH),
    ("2026-06-30", "en", "--as-of 2026-06-30 00:00:00: must fall inside 2026Q3: after 2026-07-01 00:00 and "
                         "at most 2026-10-01 00:00 (as a date: 2026-07-02 to 2026-10-01)"),
    ("2026-10-01 00:00:01", "en", "--as-of 2026-10-01 00:00:01: must fall inside 2026Q3: after 2026-07-01 "
                                  "00:00 and at most 2026-10-01 00:00 (as a date: 2026-07-02 to 2026-10-01)"),
    ("2026-10-02", "zh", "--as-of 2026-10-02 00:00:00：不在 2026Q3 内；请给出晚于 2026-07-01 00:00 且不晚于 "
                         "2026-10-01 00:00 的时间（按日期：2026-07-02 至 2026-10-01）"),
    ("someday", "zh", "--as-of 'someday'：不是日期；请使用 YYYY-MM-DD 或 ISO 8601 日期时间"),
])
def test_as_of_outside_the_period_is_refused_with_the_range(as_of, lang, message):
    from perfmodel.analysis.watch import check_as_of

    with pytest.raises(UsageError) as info:
        check_as_of("2026Q3", as_of, lang=lang)
    assert str(info.value) == message


@pytest.mark.parametrize("as_of, expected", [
    ("2026-07-01 00:00:01", "2026-07-01 00:00:01"),  # just after the first instant
    ("2026-07-02", "2026-07-02 00:00:00"),            # the first date accepted
    ("2026-10-01", "2026-10-01 00:00:00"),            # the end: the whole quarter
])
def test_as_of_bounds_accepted(as_of, expected):
    from perfmodel.analysis.watch import check_as_of

    assert check_as_of("2026Q3", as_of) == pd.Timestamp(expected)


def test_month_period_range():
    from perfmodel.analysis.watch import check_as_of

    with pytest.raises(UsageError) as info:
        check_as_of("2026-09", "2026-09-01")
    assert str(info.value) == ("--as-of 2026-09-01 00:00:00 is the first instant of 2026-09: nothing has "
                               "happened yet; give a later time inside 2026-09 (after 2026-09-01 00:00 "
                               "and at most 2026-10-01 00:00)")
    assert check_as_of("2026-09", "2026-10-01") == pd.Timestamp("2026-10-01")


# --- the command ---------------------------------------------------------------------------

def _folder(path):
    pd.DataFrame({"supervisor_id": ["S1", "S2"], "name": ["张伟", "李娜"]}).to_csv(
        path / "supervisors.csv", index=False)
    pd.DataFrame({
        "ticket_id": ["T1", "T2", "T3"], "supervisor_id": ["S1", "S2", "S1"],
        "created_at": ["2026-04-03 09:00", "2026-07-05 10:00", "2026-08-20 10:00"],
        "resolved_at": ["2026-04-04 09:00", "2026-07-06 10:00", ""],
    }).to_csv(path / "tickets.csv", index=False)
    return path


def test_cli_watch_in_chinese(tmp_path, capsys):
    from perfmodel.cli import main

    assert main(["watch", "--data", str(_folder(tmp_path)), "--period", "2026Q3", "--as-of", "2026-08-15",
                 "--lang", "zh"]) == 0
    out = capsys.readouterr().out.splitlines()
    # one quarter of history only: no projection, nobody at risk
    assert out == ["2026Q3 截至 2026-08-15（不含当日，92 天中已过 45 天）：2 位主管中 0 位有未达目标风险"
                   "（未达目标概率 ≥ 0.6），涉及 0 项结果指标；其中 0 项有可预测它的过程指标"]


@pytest.mark.parametrize("args, message", [
    (["--as-of", "2026-07-01", "--lang", "zh"], START_ZH),
    (["--as-of", "2026-07-01"], START_EN),
    (["--as-of", "2026-08-15", "--threshold", "1.5", "--lang", "zh"], "--threshold 1.5：请给出 0 到 1 之间的概率"),
])
def test_cli_watch_errors_in_one_line(tmp_path, capsys, args, message):
    from perfmodel.cli import main

    assert main(["watch", "--data", str(_folder(tmp_path)), "--period", "2026Q3", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].endswith(message)


def test_cli_watch_checks_the_as_of_before_loading(tmp_path, capsys):
    # the folder does not exist: the as-of mistake is reported first, without waiting for a load
    from perfmodel.cli import main

    assert main(["watch", "--data", str(tmp_path / "nowhere"), "--period", "2026Q3",
                 "--as-of", "2026-07-01"]) == 2
    assert capsys.readouterr().err.strip().endswith(START_EN)


def test_period_kind_mismatch_in_chinese(tmp_path):
    from perfmodel import load_dataset
    from perfmodel.analysis.watch import watch

    data = load_dataset(_folder(tmp_path))
    with pytest.raises(UsageError) as info:
        watch(data, "efficiency", period="2026-08", as_of="2026-08-15", lang="zh")
    assert re.fullmatch(r"--period 2026-08 是月份，但评分政策 '.+' 设定的是季度目标；请给出一个季度，"
                        r"或使用 period: month 的评分政策", str(info.value))


def test_lang_help_names_chinese(capsys):
    from perfmodel.cli import main

    with pytest.raises(SystemExit):
        main(["watch", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "language (en or zh) of all that is printed" in help_text
    assert "after 2026-07-01 00:00 and at most 2026-10-01 00:00" in help_text
