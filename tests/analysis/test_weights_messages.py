"""The weights package words its warnings and skip reasons in English and Chinese.

The English sentences are those of the previous version; the calibration page shows them in
its own language.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from perfmodel.analysis import weights as W
from perfmodel.analysis.weights.common import LopsidedWeight, WeightsDataError
from perfmodel.core.errors import MethodSkipped, PerfmodelWarning
from test_weights import _mostly_zero_panel

IDS = ["first_response_hours", "timely_closure_rate", "promotion_rate"]


def _caught(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    return out, [w.message for w in caught if issubclass(w.category, PerfmodelWarning)]


def test_lopsided_entropy_weight_in_both_languages():
    table, said = _caught(W.entropy, _mostly_zero_panel(IDS), IDS, directions={i: "higher" for i in IDS})
    w = table.set_index("indicator").weight["promotion_rate"]
    assert len(said) == 1 and isinstance(said[0], LopsidedWeight)
    # 18 of the 25 values are 0 (72 %); equal share 1/3
    assert str(said[0]) == (f"entropy weight of promotion_rate is {w:.2f} of the 3 indicators weighed together "
                            f"(equal would be 0.33): 72% of its 25 values are 0, so the few non-zero values make "
                            f"it look informative; check the indicator or leave it out")
    assert said[0].text(lang="en") == str(said[0]) == table.attrs["warnings"][0]
    assert said[0].text(lang="zh") == (f"熵权法给 内部晋升率（promotion_rate） 的权重为 {w:.2f}（共 3 个指标一起赋权，"
                                       f"平均应为 0.33）：其 25 个取值中有 72% 为 0，少数非零取值让它显得信息量大；"
                                       f"请检查该指标或将其剔除")


def test_lopsided_common_value_and_spread_in_chinese():
    table = pd.DataFrame({"indicator": ["csat", "a", "b"], "weight": [0.8, 0.1, 0.1]})
    common = np.column_stack([[4.5] * 6 + [3.0, 3.5, 4.0, 5.0], np.arange(10.0), np.arange(10.0)])
    _, said = _caught(W.lopsided_warnings, table, common, "CRITIC")
    assert str(said[0]).endswith(": 60% of its 10 values are 4.5, so the few other values make it look "
                                 "informative; check the indicator or leave it out")
    assert said[0].text(lang="zh").startswith("CRITIC给 客户满意度（csat） 的权重为 0.80")
    assert "其 10 个取值中有 60% 等于 4.5" in said[0].text(lang="zh")
    spread = np.column_stack([np.arange(10.0) ** 3, np.arange(10.0), np.arange(10.0)])
    _, said = _caught(W.lopsided_warnings, table, spread, "PCA")
    assert str(said[0]).endswith(": its values vary far more than the others'; check for outliers before using it")
    assert said[0].text(lang="zh").endswith("：其取值的波动远大于其他指标；使用前请检查异常值")
    assert said[0].text(lang="zh").startswith("主成分给")


def test_too_few_rows_in_both_languages():
    panel = pd.DataFrame({"csat": [4.0, 4.2, np.nan, np.nan], "fcr_rate": [0.5, 0.6, 0.7, np.nan]})
    with pytest.raises(WeightsDataError) as err:
        W.critic(panel, ["csat", "fcr_rate"], directions={"csat": "higher", "fcr_rate": "higher"})
    assert str(err.value) == ("only 2 panel rows have every indicator present (need 3); 'csat' is missing most "
                              "often (2 of 4 rows): widen the period range or leave it out")
    assert err.value.text(lang="zh") == ("只有 2 行面板数据的各指标齐全（至少需要 3 行）；客户满意度（csat） 缺失最多"
                                         "（4 行中缺 2 行）：请扩大期间范围或剔除该指标")


def test_a_skipped_method_gives_its_reason_in_chinese():
    panel = pd.DataFrame({"csat": [4.0, 4.2, 4.4, 4.1], "fcr_rate": [0.5, 0.5, 0.5, 0.5]})
    with pytest.raises(WeightsDataError) as err:
        W.pca(panel, ["csat", "fcr_rate"], directions={"csat": "higher", "fcr_rate": "higher"})
    assert str(err.value) == "indicator 'fcr_rate' is constant over the 4 rows used: leave it out of a PCA weighting"
    skipped = MethodSkipped("pca", str(err.value), err.value)
    assert skipped.reason_text(lang="en") == str(err.value)
    assert skipped.reason_text(lang="zh").startswith("指标 ")
    assert "在所用的 4 行中取值不变" in skipped.reason_text(lang="zh")
    # an error that cannot word itself keeps its English reason
    assert MethodSkipped("pca", "some reason").reason_text(lang="zh") == "some reason"


def test_the_chinese_calibration_page_shows_the_warnings_in_chinese(monkeypatch):
    from types import SimpleNamespace

    from perfmodel.reporting import calibration
    from perfmodel.scoring.policy import policy_from_dict

    rng = np.random.default_rng(5)
    n = 30
    pol = policy_from_dict({
        "name": "t", "version": "1", "period": "quarter", "dimensions": {"result": 0.6, "process": 0.4},
        "indicators": {"csat": {"weight": 1.0, "rule": "linear", "floor": 3.8, "target": 4.4},
                       "promotion_rate": {"weight": 0.4, "rule": "ratio", "target": 0.1},
                       "first_response_hours": {"weight": 0.3, "rule": "ratio", "target": 4},
                       "timely_closure_rate": {"weight": 0.3, "rule": "ratio", "target": 0.9}},
        "ratings": {"bands": {"A": 80, "B": 60, "C": 0}}})
    promotion = np.zeros(n)
    promotion[:5] = [0.05, 0.1, 0.2, 0.3, 0.5]  # mostly 0: a lopsided entropy weight
    hist = pd.DataFrame({"supervisor_id": [f"S{i % 10}" for i in range(n)],
                         "period": [f"2025Q{i // 10 + 1}" for i in range(n)],
                         "csat": rng.uniform(3.5, 4.8, n), "promotion_rate": promotion,
                         "first_response_hours": rng.uniform(1, 8, n),
                         "timely_closure_rate": rng.uniform(0.7, 1.0, n)})
    shown = []
    monkeypatch.setattr(calibration, "text", shown.append)
    monkeypatch.setattr(calibration, "heading", lambda *a, **k: None)
    monkeypatch.setattr(calibration, "table", lambda *a, **k: None)
    monkeypatch.setattr("perfmodel.reporting.display.figure", lambda fig: None)
    for lang in ("zh", "en"):
        shown.clear()
        calibration.show_methods(SimpleNamespace(lang=lang, policy=pol), hist,
                                 SimpleNamespace(consistent=False, weights=None))
        said = "\n".join(shown).replace("\\", "").replace("&gt;", ">")  # as the page shows it
        if lang == "zh":
            # 25 of the 30 promotion rates are 0: 83 %
            assert "**注意：** 熵权法给 内部晋升率（promotion_rate） 的权重为 0." in said, said
            assert "（共 3 个指标一起赋权，平均应为 0.33）：其 30 个取值中有 83% 为 0，少数非零取值让它显得信息量大" in said
            # no process indicator predicts a result in 30 random rows: the evidence method is left out
            assert ("预测证据：在这些数据上不可用（预测效度表中没有结论为 'predicts' 的过程指标：请保留方案中的权重，"
                    "或设 floor > 0 以得到平均权重）。") in said, said
            assert "weight of" not in said and "validity table" not in said, said
        else:
            assert "**Warning:** entropy weight of promotion_rate is 0." in said, said
            assert "of the 3 indicators weighed together (equal would be 0.33): 83% of its 30 values are 0" in said
            assert ("evidence: not available on these data (no process indicator has verdict 'predicts' in the "
                    "validity table: keep the policy's weights, or give floor > 0 for equal weights).") in said, said


# --------------------------------------------------------------------------- AHP and `perfmodel weights --lang`

# Cyclic judgements a12 = 9, a23 = 9, a13 = 1/9: lambda_max = 1 + 9 + 1/9 = 10.111,
# CI = (10.111 - 3) / 2 = 3.5556, CR = 3.5556 / 0.58 (Saaty's RI for n = 3) = 6.130.
CYCLIC = "indicator,csat,complaint_resolution_rate,cost_control_rate\n" \
         "csat,1,9,1/9\ncomplaint_resolution_rate,1/9,1,9\ncost_control_rate,9,1/9,1\n"


def _main(argv, capsys):
    from perfmodel.cli import main

    code = main(argv)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_the_ahp_warning_in_both_languages_shows_the_same_cr():
    res = W.ahp([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]], labels=["a", "b", "c"])
    assert res.warning == res.consistency_warning(lang="en") == (
        "consistency ratio 6.130 > 0.1: the pairwise judgements contradict each other; "
        "revise the matrix before using the weights")
    assert res.consistency_warning(lang="zh") == "一致性比率 6.130 > 0.1：两两比较的判断相互矛盾；使用这些权重前请修改判断矩阵"
    consistent = W.ahp([[1, 3], [1 / 3, 1]])
    assert consistent.warning is None and consistent.consistency_warning(lang="zh") is None


def test_weights_command_prints_cr_refusal_and_warning_in_chinese(tmp_path, capsys):
    m = tmp_path / "判断矩阵.csv"  # a Chinese file name is named as it is
    m.write_text(CYCLIC, encoding="utf-8")
    out = tmp_path / "new.yaml"
    argv = ["weights", "--method", "ahp", "--policy", "efficiency", "--matrix", str(m), "--out", str(out)]
    code, stdout, stderr = _main(argv + ["--lang", "zh"], capsys)
    assert code == 1 and not out.exists()
    assert stdout == (f"{m}：一致性比率 CR = 6.130（未通过一致性检验：CR ≤ 0.1 可以接受；"
                      f"最大特征值 lambda_max 10.1111，n 3）\n")
    assert stderr == (f"perfmodel: {m}：一致性比率 6.130 > 0.1：两两比较的判断相互矛盾；未写出方案：请修改判断矩阵，"
                      f"或加上 --accept-inconsistent 仍然使用它\n")
    code, stdout, stderr = _main(argv + ["--lang", "zh", "--accept-inconsistent"], capsys)
    assert code == 0 and out.exists()
    assert stderr == f"perfmodel: warning: {m}：一致性比率 6.130 > 0.1：两两比较的判断相互矛盾；使用这些权重前请修改判断矩阵\n"
    lines = stdout.splitlines()
    assert lines[1].split() == ["指标", "维度", "原权重", "新权重"]
    assert lines[-2:] == ["维度权重：结果 0.6500、过程 0.3500", f"已写出 {out}"]
    # English stays as it was, and is the default
    code, stdout, stderr = _main(argv + ["--accept-inconsistent", "--force"], capsys)
    assert code == 0
    assert stdout.splitlines()[1].split() == ["indicator", "dimension", "old_weight", "new_weight"]
    assert stdout.splitlines()[-2:] == ["dimensions: result 0.6500, process 0.3500", f"wrote {out}"]
    assert stderr == (f"perfmodel: warning: {m}: consistency ratio 6.130 > 0.1: the pairwise judgements "
                      f"contradict each other; revise the matrix before using the weights\n")


def test_weights_lang_option_is_the_one_of_lint():
    from perfmodel.cli import build_parser

    def lang_action(command):
        sub = next(a for a in build_parser()._actions if a.dest == "command").choices[command]
        return next(a for a in sub._actions if a.dest == "lang")

    weights, lint = lang_action("weights"), lang_action("lint")
    assert (weights.default, weights.choices, weights.help) == (lint.default, lint.choices, lint.help) == (
        "en", ["en", "zh"], "language of the messages and of the table (default en)")


@pytest.mark.parametrize("body, en, zh", [
    ("indicator,csat,reopen_rate\ncsat,1,3\nreopen_rate,1/2,1\n",
     "row 2 (csat), column 'reopen_rate' is 3 but row 3 (reopen_rate), column 'csat' is 1/2: write 1/3 there "
     "(cell (j, i) = 1 / cell (i, j))",
     "第 2 行（csat）“reopen_rate”列为 3，但第 3 行（reopen_rate）“csat”列为 1/2：该处应填写 1/3"
     "（单元格 (j, i) = 1 / 单元格 (i, j)）"),
    ("indicator,csat,reopen_rate\ncsat,2,3\nreopen_rate,1/3,1\n",
     "row 2 (csat), column 'csat' is 2 on the diagonal: write 1 (an indicator is as important as itself)",
     "第 2 行（csat）“csat”列位于对角线上，值为 2：请填写 1（指标与自身同等重要）"),
    ("indicator,csat,reopen_rate\ncsat,1,-3\nreopen_rate,1/3,1\n",
     "row 2 (csat), column 'reopen_rate' is -3: write a positive number such as 3 or 1/3",
     "第 2 行（csat）“reopen_rate”列的值 -3 不是正数：请填写正数，例如 3 或 1/3"),
    ("indicator,csat,reopen_rate\ncsat,1,三\nreopen_rate,1/3,1\n",
     "row 2 (csat), column 'reopen_rate' is '三': write a positive number such as 3 or 1/3",
     "第 2 行（csat）“reopen_rate”列的值“三”不是数字：请填写正数，例如 3 或 1/3"),
    ("indicator,csat,reopen_rate\ncsat,1,\nreopen_rate,1/3,1\n",
     "row 2 (csat), column 'reopen_rate' is empty: write a positive number such as 3 or 1/3",
     "第 2 行（csat）“reopen_rate”列为空：请填写正数，例如 3 或 1/3"),
    ("indicator,csat,reopen_rate\ncsat,1,3\n",
     "the first column ['csat'] must list the same ids in the same order as the header ['csat', 'reopen_rate']",
     "第一列 ['csat'] 必须与表头 ['csat', 'reopen_rate'] 列出相同的指标编号，且顺序一致"),
    ("indicator,csat,reopen_rate\ncsat,1,3,5\nreopen_rate,1/3,1\n",
     "row 2 has 4 cells, expected 3 (the id and one value per column)",
     "第 2 行有 4 个单元格，应为 3 个（指标编号加每列一个值）"),
])
def test_a_bad_pairwise_csv_is_one_line_naming_file_row_and_column(tmp_path, capsys, body, en, zh):
    m = tmp_path / "pairs.csv"
    m.write_text(body, encoding="utf-8")
    argv = ["weights", "--method", "ahp", "--policy", "efficiency", "--matrix", str(m), "--out", str(tmp_path / "n.yaml")]
    code, stdout, stderr = _main(argv, capsys)
    assert (code, stderr) == (2, f"perfmodel: error: {m}: {en}\n")
    code, stdout, stderr = _main(argv + ["--lang", "zh"], capsys)
    assert (code, stderr) == (2, f"perfmodel: error: {m}：{zh}\n")
    assert stdout == ""


def test_a_missing_pairwise_file_and_a_matrix_mixing_dimensions_in_chinese(tmp_path, capsys):
    gone = tmp_path / "缺失.csv"
    argv = ["weights", "--method", "ahp", "--policy", "efficiency", "--out", str(tmp_path / "n.yaml"), "--lang", "zh"]
    assert _main(argv + ["--matrix", str(gone)], capsys)[::2] == (
        2, f"perfmodel: error: {gone}：找不到两两比较判断矩阵文件\n")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("indicator,csat,reopen_rate\ncsat,1,3\nreopen_rate,1/3,1\n", encoding="utf-8")
    assert _main(argv + ["--matrix", str(mixed)], capsys)[::2] == (
        2, f"perfmodel: error: {mixed}：混合了结果指标与过程指标；请每个维度各给一个判断矩阵\n")


def test_a_pairwise_csv_saved_by_excel_in_gbk_reads(tmp_path):
    m = tmp_path / "pairs.csv"
    m.write_bytes("指标,csat,reopen_rate\ncsat,1,3\nreopen_rate,1/3,1\n".encode("gbk"))
    assert W.read_pairwise_csv(m).to_dict() == {"csat": {"csat": 1.0, "reopen_rate": 1 / 3},
                                                "reopen_rate": {"csat": 3.0, "reopen_rate": 1.0}}
