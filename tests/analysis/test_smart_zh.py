"""The SMART check in Chinese (lint(lang="zh"), perfmodel lint --lang zh) and lint's exit codes."""
from __future__ import annotations

import copy
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from perfmodel.core import catalogue as cat
from perfmodel.cli import main
from perfmodel.data.dataset import Dataset
from perfmodel.core.errors import UsageError
from perfmodel.scoring.policy import policy_from_dict
from perfmodel.data.schema import TABLES
from perfmodel.analysis.lint import MESSAGES, lint, message

# The small policy and panel of tests/analysis/test_smart.py: csat linear target 4.4 (higher is better),
# compliance_rate bands (lowest band worth 100 points: 0.95), reopen_rate gate 0.05 (lower
# is better, no declared relevance).
from test_smart import BASE, panel

# ASCII words a Chinese message may hold: ids and keywords an analyst types in the policy
# file or on the command line. Any other ASCII word is English left in the message.
ALLOWED = ({"relevance", "period", "quarter", "month", "perfmodel", "indicators", "list", "data", "DIR",
            "ratio", "linear", "bands", "gate", "deduction", "percentile", "customer_happiness", "joy"}
           | set(cat.indicator_ids()) | set(TABLES))
ENGLISH = ["reached by", "target", "supply", "median", "history", "not checked", "no declared",
           "period(s)", "rule ", "band threshold", "no evidence", "contrary", "insufficient", "drop",
           "did you mean", "catalogue", "achievable", "stretch"]


def policy(strict=True, **top):
    data = copy.deepcopy(BASE)
    data.update(top)
    return policy_from_dict({k: v for k, v in data.items() if v is not None}, strict=strict)


def assert_chinese(msg: str):
    """The message is a Chinese sentence: CJK text, no English word, no English phrase."""
    assert re.search(r"[\u4e00-\u9fff]", msg), msg
    for phrase in ENGLISH:
        assert phrase not in msg, (phrase, msg)
    words = set(re.findall(r"[A-Za-z][A-Za-z_]*", msg))
    assert words <= ALLOWED, (words - ALLOWED, msg)


def one(df, letter, indicator=""):
    rows = df[(df.letter == letter) & (df.indicator == indicator)]
    assert len(rows) == 1, df
    return rows.iloc[0]


def both(*args, **kw):
    """lint in English and in Chinese: same rows and codes, messages differ."""
    en, zh = lint(*args, lang="en", **kw), lint(*args, lang="zh", **kw)
    cols = ["indicator", "letter", "severity"]
    assert en[cols].equals(zh[cols])
    for msg in zh.message:
        assert_chinese(msg)
    return en, zh


# ------------------------------------------------------------------ S

def test_specific_unknown_indicator_with_and_without_a_close_id():
    data = copy.deepcopy(BASE)
    data["indicators"]["customer_happiness"] = {"dimension": "result", "weight": 0.0, "rule": "ratio",
                                                "target": 1}
    data["indicators"]["joy"] = {"dimension": "result", "weight": 0.0, "rule": "ratio", "target": 1}
    pol = policy_from_dict(data, strict=False)
    en, zh = both(policy=pol)
    # difflib's closest catalogue id to customer_happiness is customer_churn_rate (客户流失率)
    msg = one(zh, "S", "customer_happiness").message
    assert "指标目录中没有此指标" in msg and "是否应为客户流失率（customer_churn_rate）" in msg
    assert "`perfmodel indicators --list`" in msg
    assert "customer_churn_rate" not in one(zh, "S", "joy").message
    assert one(en, "S", "joy").message == ("not an indicator of the catalogue; use a catalogue id "
                                          "(see `perfmodel indicators --list`)")
    assert one(en, "S", "customer_happiness").message == (
        "not an indicator of the catalogue; did you mean 'customer_churn_rate'? use a catalogue id "
        "(see `perfmodel indicators --list`)")


def test_specific_percentile():
    data = copy.deepcopy(BASE)
    data["indicators"]["reopen_rate"] = {"weight": 0.5, "rule": "percentile", "relevance": "x"}
    en, zh = both(policy=policy_from_dict(data))
    msg = one(zh, "S", "reopen_rate").message
    assert "percentile（相对排名）" in msg and "绝对目标" in msg and "ratio（完成比率法）" in msg
    assert one(en, "S", "reopen_rate").message == (
        "rule percentile ranks supervisors against each other: there is no absolute target to agree "
        "on; consider ratio or linear")


# ------------------------------------------------------------------ M

def test_measurable_not_checked_without_data():
    en, zh = both(policy=policy())
    assert one(zh, "M").message == "未检查：请提供数据（--data DIR），以检查每个指标能否计量"
    assert one(en, "M").message == ("not checked: give the data (--data DIR) to check that every "
                                    "indicator can be measured")


def test_measurable_tables_absent_and_no_value():
    # compliance_rate needs audits (absent); reopen_rate's tickets are there but it has no value
    ds = Dataset(tables={"supervisors": pd.DataFrame(), "tickets": pd.DataFrame(), "surveys": pd.DataFrame()})
    p = panel([4.0] * 20)
    p["reopen_rate"] = np.nan
    en, zh = both(ds, policy(), panel=p)
    msg = one(zh, "M", "compliance_rate").message
    assert "缺少数据表 audits" in msg and "流程合规率（compliance_rate）" in msg and "删除该指标" in msg
    msg = one(zh, "M", "reopen_rate").message
    assert "均无取值" in msg and "重开率（reopen_rate）的源数据表" in msg
    assert one(en, "M", "compliance_rate").message == (
        "table audits absent from the data: compliance_rate cannot be measured; supply it or drop "
        "compliance_rate")
    assert one(en, "M", "reopen_rate").message == (
        "no value in any supervisor-period of the data; check the source tables of reopen_rate")


def test_measurable_several_tables_absent():
    # csat needs tickets and surveys: both absent, listed in catalogue order
    ds = Dataset(tables={"supervisors": pd.DataFrame(), "audits": pd.DataFrame()})
    en, zh = both(ds, policy(), panel=panel([4.0] * 20))
    assert "缺少数据表 tickets、surveys，无法计量客户满意度（csat）" in one(zh, "M", "csat").message
    assert one(en, "M", "csat").message == ("tables tickets, surveys absent from the data: csat cannot be "
                                            "measured; supply them or drop csat")


# ------------------------------------------------------------------ A

def test_achievable_not_checked_without_data():
    en, zh = both(policy=policy())
    assert one(zh, "A").message == "未检查：请提供数据（--data DIR），以检查目标能否实现"


def test_achievable_too_hard_linear():
    # 1 of 20 values reaches 4.4 -> 5 %; median of [4.5] + 19 x 4.0 is 4.0 -> "4"
    comp = [0.99] * 5 + [0.95] * 5 + [0.93] * 10          # 10 of 20 reach 0.95: no finding
    en, zh = both(policy=policy(), panel=panel([4.5] + [4.0] * 19, comp))
    msg = one(zh, "A", "csat").message
    assert one(zh, "A", "csat").severity == "error"
    for part in ["目标值 4.4", "linear", "线性插值法", "20 条主管-期间记录", "仅有 5% 达到", "低于 10%",
                 "难以实现", "中位数 4 "]:
        assert part in msg, (part, msg)
    assert one(en, "A", "csat").message == (
        "target 4.4 (rule linear) reached by 5% of 20 supervisor-periods (below 10%): not achievable; "
        "move it toward the median 4")


def test_achievable_bands_too_hard_and_gate_too_easy():
    # compliance_rate: 1 of 20 at >= 0.95 -> 5 %, median 0.93; reopen_rate gate 0.05 (lower is
    # better): 20 of 20 at 0.04 -> 100 %, median 0.04; csat 10 of 20 -> no finding
    en, zh = both(policy=policy(), panel=panel([4.0] * 10 + [4.5] * 10, [0.95] + [0.93] * 19, [0.04] * 20))
    msg = one(zh, "A", "compliance_rate").message
    for part in ["分段阈值 0.95", "bands", "分段计分法", "仅有 5% 达到", "中位数 0.93"]:
        assert part in msg, (part, msg)
    msg = one(zh, "A", "reopen_rate").message
    assert one(zh, "A", "reopen_rate").severity == "warning"
    for part in ["目标值 0.05", "gate", "否决计分法", "有 100% 达到", "高于 90%", "缺乏挑战性",
                 "中位数 0.04"]:
        assert part in msg, (part, msg)
    assert one(en, "A", "reopen_rate").message == (
        "target 0.05 (rule gate) reached by 100% of 20 supervisor-periods (above 90%): no stretch; "
        "move it beyond the median 0.04")


def test_achievable_too_easy_linear():
    # 19 of 20 reach 4.4 -> 95 %; median 4.5
    en, zh = both(policy=policy(), panel=panel([4.5] * 19 + [4.0], [0.99] * 5 + [0.95] * 5 + [0.93] * 10))
    msg = one(zh, "A", "csat").message
    assert "有 95% 达到" in msg and "高于 90%" in msg and "中位数 4.5" in msg


def test_achievable_deduction_counts_from_zero():
    # deduction without a target on a lower-is-better indicator: reached = value <= 0;
    # 1 of 20 is 0 -> 5 %; median 0.04
    data = copy.deepcopy(BASE)
    data["indicators"]["reopen_rate"] = {"weight": 0.5, "rule": "deduction", "points": 100}
    en, zh = both(policy=policy_from_dict(data), panel=panel([4.0] * 10 + [4.5] * 10, None, [0.0] + [0.04] * 19))
    msg = one(zh, "A", "reopen_rate").message
    for part in ["目标值 0", "deduction", "加减分法", "仅有 5% 达到", "中位数 0.04"]:
        assert part in msg, (part, msg)
    assert one(en, "A", "reopen_rate").message.startswith("target 0 (rule deduction) reached by 5% of 20")


def test_achievable_short_history():
    en, zh = both(policy=policy(), panel=panel([4.5] * 5, [0.99] * 5, [0.01] * 5))
    msg = one(zh, "A", "csat").message
    assert "仅有 5 条主管-期间记录有取值" in msg and "历史数据太少" in msg and "目标值 4.4" in msg
    assert one(en, "A", "csat").message == ("only 5 supervisor-periods with a value; too little history "
                                            "to judge target 4.4 (rule linear)")


# ------------------------------------------------------------------ R

def test_relevant_no_data():
    en, zh = both(policy=policy())
    msg = one(zh, "R", "reopen_rate").message
    assert "未声明相关性理由" in msg and "没有可用于检验预测效度的数据" in msg and "relevance: <理由>" in msg
    assert one(en, "R", "reopen_rate").message == (
        "no declared relevance and no data to test predictive validity (--data DIR); add relevance: "
        "<reason> to the indicator")


def test_relevant_no_result_indicator():
    pol = policy(dimensions={"result": 0.0, "process": 1.0},
                 indicators={"reopen_rate": {"weight": 1.0, "rule": "gate", "target": 0.05}})
    en, zh = both(policy=pol, panel=panel([4.0] * 20))
    assert "政策中没有可供检验的结果指标" in one(zh, "R", "reopen_rate").message
    assert "no result indicator in the policy to test against" in one(en, "R", "reopen_rate").message


def test_relevant_not_tested_for_it():
    # the validity table given has no row for reopen_rate
    validity = pd.DataFrame({"process": ["first_response_hours"], "result": ["csat"],
                             "verdict": ["predicts"]})
    en, zh = both(policy=policy(), panel=panel([4.0] * 10 + [4.5] * 10), validity=validity)
    assert "未对该指标进行预测效度检验" in one(zh, "R", "reopen_rate").message


@pytest.mark.parametrize("verdicts, severity, parts", [
    (["no evidence", "contrary"], "error", ["没有证据", "1 期后的结果指标", "反向、无证据", "删除该指标"]),
    (["insufficient data"], "warning", ["历史数据太少", "预测结果指标"]),
])
def test_relevant_from_validity(verdicts, severity, parts):
    validity = pd.DataFrame({"process": ["reopen_rate"] * len(verdicts),
                             "result": ["csat"] * len(verdicts), "verdict": verdicts})
    en, zh = both(policy=policy(), panel=panel([4.0] * 10 + [4.5] * 10), validity=validity)
    row = one(zh, "R", "reopen_rate")
    assert row.severity == severity
    for part in parts:
        assert part in row.message, (part, row.message)


def test_relevant_lag_in_the_message():
    validity = pd.DataFrame({"process": ["reopen_rate"], "result": ["csat"], "verdict": ["no evidence"]})
    en, zh = both(policy=policy(), panel=panel([4.0] * 10 + [4.5] * 10), validity=validity, lag=2)
    assert "2 期后的结果指标" in one(zh, "R", "reopen_rate").message
    assert one(en, "R", "reopen_rate").message == (
        "no declared relevance and no evidence that it predicts a result indicator 2 period(s) later "
        "(no evidence); add relevance: <reason> or drop it")


# ------------------------------------------------------------------ T

def test_time_bound():
    en, zh = both(policy=policy(period=None))
    assert one(zh, "T").message == "未设定考核周期；请添加 period: quarter（按季度）或 period: month（按月）"
    assert one(en, "T").message == "no period set; add period: quarter or period: month"


# ------------------------------------------------------------------ templates and arguments

def test_every_template_has_both_languages_and_chinese_ones_read_as_chinese():
    values = dict(ind="csat", name="客户满意度", label="客户满意度（csat）", suggest="", close="csat", tables="audits", s="",
                  them="it", n=20, what="目标值 4.4", share=0.05, low=0.1, high=0.9, median=4.0,
                  why_not="", lag=1, verdicts="无证据", t=4.4, rule="linear", rule_name="线性插值法")
    for key, texts in MESSAGES.items():
        assert set(texts) == {"en", "zh"}, key
        assert_chinese(message(key, lang="zh", **values))


def test_bad_lang_and_lag_are_usage_errors():
    with pytest.raises(UsageError, match="lang 'fr'"):
        lint(policy=policy(), lang="fr")
    for lag in (0, -1, 1.5, "1"):
        with pytest.raises(UsageError, match="whole number"):
            lint(policy=policy(), lag=lag)


# ------------------------------------------------------------------ command line

def write_policy(path, **changes):
    data = copy.deepcopy(BASE)
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def test_cli_lang_zh(tmp_path, capsys):
    path = write_policy(tmp_path / "p.yaml", period=None)
    assert main(["lint", "--policy", path, "--lang", "zh", "--out", str(tmp_path / "f.csv")]) == 1
    out = capsys.readouterr().out
    assert "SMART 检查" in out and "1 个错误，3 个警告" in out
    assert "T 时限性" in out and "错误" in out and "未设定考核周期" in out
    assert "error" not in out and "warning" not in out and "not checked" not in out
    f = pd.read_csv(tmp_path / "f.csv", keep_default_na=False, encoding="utf-8")
    assert list(f.columns) == ["indicator", "letter", "severity", "message"]
    assert f[f.letter == "T"].severity.tolist() == ["error"]
    assert f[f.letter == "T"].message.str.contains("未设定考核周期").all()


def test_cli_lang_en_is_the_default(capsys):
    assert main(["lint", "--policy", "efficiency"]) == 0
    out = capsys.readouterr().out
    # without data: S (percentile rule of tickets_per_staff_day), M and A "not checked" warnings
    assert out.startswith("SMART check of preset efficiency") and out.endswith("0 errors, 3 warnings\n")
    assert "not checked: give the data" in out and "tickets_per_staff_day  S       warning" in out


def test_cli_unknown_indicator_is_a_finding_in_lint_and_bad_input_elsewhere(tmp_path, capsys):
    # The documented choice: lint checks the policy, so an id missing from the catalogue is a
    # SMART Specific error finding (exit 1, other findings still listed); policy check refuses
    # the same file with one line and exit 2.
    data = copy.deepcopy(BASE)
    data["indicators"]["customer_happiness"] = {"dimension": "result", "weight": 0.0, "rule": "ratio",
                                                "target": 1}
    path = tmp_path / "unknown.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["lint", "--policy", str(path), "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert "customer_happiness" in out and "S 明确性" in out and "客户流失率（customer_churn_rate）" in out
    assert "R 相关性" in out                      # the rest of the check still ran
    assert main(["policy", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "customer_happiness" in err and "customer_churn_rate" in err


@pytest.mark.parametrize("args, fragment", [
    (["--lang", "fr"], "invalid choice: 'fr'"),
    (["--lag", "0"], "--lag 0"),
    (["--data", "no/such/folder"], "no/such/folder"),
])
def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys, args, fragment):
    assert main(["lint", "--policy", write_policy(tmp_path / "p.yaml"), *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and fragment in captured.err


def test_cli_unreadable_policy_is_exit_2(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text("name: t\nversion: '1'\nindicators: [unclosed\n", encoding="utf-8")
    assert main(["lint", "--policy", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "p.yaml" in err and "Traceback" not in err


def test_cli_help_documents_exit_codes(capsys):
    with pytest.raises(SystemExit) as done:
        main(["lint", "--help"])
    assert done.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--lang {en,zh}" in out and "exit status:" in out and "10-90 % of the history" in out
    assert "not in the catalogue is such a finding" in out and "'perfmodel policy check'" in out
    assert "2 the check could not run" in out
