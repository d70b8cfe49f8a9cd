"""The message catalogue: every key in both languages, the same placeholders, no text kept elsewhere."""
from __future__ import annotations

import ast
import re
import string
import tomllib
from pathlib import Path

import pytest

from perfmodel.core import messages
from perfmodel.core.errors import UsageError

SRC = Path(__file__).resolve().parents[2] / "src" / "perfmodel"
ROOT = SRC.parents[1]

# Groups in Chinese only: the English quarantine reason is written with the row by
# perfmodel.data.validation and stored in the quarantine table; the catalogue words it in Chinese.
CHINESE_ONLY = {"quarantine", "quarantine_words"}

# Templates whose languages use different values on purpose, and which ones: English plurals
# ({s}, {es}, {them}) and ids where Chinese shows the indicator's name ({label}, {name},
# {rule_name}). Any other difference is a translation error.
PLACEHOLDERS_DIFFER = {
    "smart.label": (set(), {"name"}),
    "smart.suggest": ({"close"}, {"label"}),
    "smart.tables_absent": ({"ind", "s", "them"}, {"label"}),
    "smart.no_value": ({"ind"}, {"label"}),
    "smart.target_bands": (set(), {"rule_name"}),
    "smart.target_rule": (set(), {"rule_name"}),
    "lint.summary": ({"es", "ws"}, set()),
    "lint.goals": ({"s"}, set()),
    "watch.driver_line": (set(), {"name"}),
    "weights_text.indicator": (set(), {"name"}),
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _entries():
    return [(f"{g}.{name}", e) for g, entries in messages.catalogue().items() for name, e in entries.items()]


# --------------------------------------------------------------------------- the catalogue itself

def test_every_key_has_english_and_chinese():
    missing = []
    for key, e in _entries():
        want = {"zh"} if key.split(".")[0] in CHINESE_ONLY else {"en", "zh"}
        if set(e) != want or any(not e[lang] for lang in want):
            missing.append((key, sorted(e)))
        elif isinstance(e.get("en"), list) and len(e["en"]) != len(e["zh"]):
            missing.append((key, "list lengths differ"))
    assert missing == []
    assert len(_entries()) > 500  # the whole catalogue was read, not an empty group


def test_placeholders_are_the_same_in_both_languages():
    differ = {}
    for key, e in _entries():
        if "en" in e and isinstance(e["en"], str):
            en, zh = _fields(e["en"]), _fields(e["zh"])
            if en != zh:
                differ[key] = (en - zh, zh - en)
    assert differ == PLACEHOLDERS_DIFFER


def test_keys_are_unique_in_the_file():
    # YAML keeps the last of two equal keys silently; a translator's duplicate must not hide one.
    text = (SRC / "core" / "messages" / "messages.yaml").read_text(encoding="utf-8")
    seen, dupes, group = set(), [], None
    for line in text.splitlines():
        if m := re.match(r"^([a-z_]+):$", line):
            group = m.group(1)
        elif m := re.match(r"^  ([^ #][^:]*):$", line):
            key = f"{group}.{m.group(1).strip(chr(39))}"
            dupes += [key] if key in seen else []
            seen.add(key)
    assert dupes == []
    assert len(seen) == len(_entries())


def test_the_catalogue_is_package_data():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.yaml" in pyproject["tool"]["setuptools"]["package-data"]["perfmodel.core.messages"]


# --------------------------------------------------------------------------- the lookup

def test_text_fills_the_template_in_the_language_asked():
    assert messages.text("labels.quarterly_title", lang="en", period="2026Q3") == "Quarterly performance report — 2026Q3"
    assert messages.text("labels.quarterly_title", lang="zh", period="2026Q3") == "季度绩效报告 — 2026Q3"
    assert messages.text("watch.threshold", lang="zh", threshold=1.5) == "--threshold 1.5：请给出 0 到 1 之间的概率"
    assert messages.text("common.list_sep", lang="zh") == "、"
    assert messages.text("explain.header", lang="zh")[:3] == ["指标", "分子", "分母"]


def test_text_refuses_an_unknown_language_or_key():
    with pytest.raises(UsageError, match="lang 'fr': use 'en' or 'zh'"):
        messages.text("labels.headline", lang="fr")
    with pytest.raises(KeyError):
        messages.text("labels.no_such_key")
    with pytest.raises(KeyError):
        messages.text("no_such_group.headline")


def test_a_header_list_cannot_be_changed_through_text():
    messages.text("watch_feedback.columns", lang="en").append("extra")
    assert messages.text("watch_feedback.columns", lang="en") == [
        "Result", "So far", "Projected", "Interval", "Target", "Risk of missing"]


def test_the_old_names_read_the_catalogue():
    from perfmodel.analysis import explain_text, lint as smart, lint_goals as smart_goals
    from perfmodel.core import i18n
    from perfmodel.indicators import leniency
    from perfmodel.analysis.watch import reasons, text

    assert i18n.t("headline", lang="zh") == "概要"
    assert i18n.t("movers", lang="en", previous="2026Q2") == "Biggest movers since 2026Q2"
    assert i18n.t("not_a_label", lang="zh") == "not_a_label"
    assert i18n.coaching_topic("csat", lang="zh") == "服务标准与客户同理心"
    assert i18n.table_label("tickets", lang="zh") == "工单"
    assert smart.message("no_period", lang="zh") == "未设定考核周期；请添加 period: quarter（按季度）或 period: month（按月）"
    assert explain_text.word("team", lang="zh") == "团队"
    assert text.text("not_a_date", lang="en", as_of="x") == "--as-of 'x': not a date; use YYYY-MM-DD or an ISO 8601 date-time"
    assert text.PERIOD_KIND_ZH == {"quarter": "季度", "month": "月份"}
    assert text.period_name("month", lang="zh") == "月份" and text.period_name("week", lang="zh") == "week"
    assert reasons.why_word("little", lang="zh") == "较少数据"
    assert leniency.reason_text("few_ratings", {"rater": "E002", "n": 3, "k": 5}, lang="zh") == (
        "评价人 E002 截至期末只有 3 条评价，至少需要 5 条才能区分评价宽松与团队确实优秀")
    assert leniency.reason_text("single_rater", {}, lang="en", anonymous=True) == (
        "there is only one rater: no other rater to compare with")
    assert smart_goals.MESSAGES is messages.group("smart_goals")


def test_quarantine_reasons_in_chinese_use_the_catalogue_words():
    from perfmodel.core.i18n import reason_text

    params = ('[{"column": "created_at", "value": "2026-02-30", "field": "day", "number": 30, "low": 1, '
              '"high": 28, "month": "2026-02"}, {"column": "overall", "value": "x", "kind": "float"}]')
    assert reason_text("date_field; unreadable", params, lang="zh", english="e") == (
        "created_at：“2026-02-30”不是有效日期：日 30 超出范围（1..28，2026-02 只有 28 天）；"
        "overall：无法将“x”读取为数字")
    assert reason_text("unreadable", '[{"column": "c", "value": "v", "kind": "odd"}]', lang="zh") == (
        "c：无法将“v”读取为有效值")


# --------------------------------------------------------------------------- nothing kept elsewhere

def _modules():
    for path in sorted(SRC.rglob("*.py")):
        if "messages" not in path.relative_to(SRC).parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_lang(node) -> bool:
    return isinstance(node, ast.Constant) and node.value in ("en", "zh")


# Dictionaries keyed by "en" without Chinese that are not page or console text.
LANG_DICTS_ALLOWED = {
    "analysis/goal_suggest.py": "the English note written into the suggested goals table (data; the command has no --lang)",
}


def test_no_module_keeps_its_own_dictionary_of_english_and_chinese_text():
    found = []
    for path, tree in _modules():
        rel = path.relative_to(SRC).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and any(_is_lang(k) for k in node.keys if k is not None):
                zh = any(isinstance(k, ast.Constant) and k.value == "zh" for k in node.keys)
                if zh or rel not in LANG_DICTS_ALLOWED:
                    found.append(f"{rel}:{node.lineno}")
    assert found == []


# Chinese in string literals that are not text for users: words and patterns the readers accept
# in the data (是/否, 2026年3月31日, 无), the synthetic generator's names, and the CJK font names.
CHINESE_ALLOWED = {
    "data/parsing.py": "words and date patterns accepted in input cells",
    "data/sqlcells.py": "the same accepted cell forms, compiled to SQL",
    "data/synth/company.py": "names of made-up supervisors, teams and regions",
    "data/synth/judgement.py": "made-up rater names",
    "data/synth/goals.py": "made-up goal notes",
    "data/synth/calendar_file.py": "team names of the made-up calendar",
    "data/demo.py": "names and teams of the made-up supervisors of the docstring Examples",
}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # ideographs and their punctuation


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_no_chinese_text_for_users_outside_the_catalogue():
    found = []
    for path, tree in _modules():
        rel = path.relative_to(SRC).as_posix()
        if rel in CHINESE_ALLOWED:
            continue
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                    and CJK.search(node.value)):
                found.append(f"{rel}:{node.lineno}: {node.value[:40]}")
    assert found == []


def test_projection_reasons_count_periods_and_volumes_in_each_language():
    from perfmodel.analysis.watch.reasons import projection_reason

    row = {"result": "csat", "direction": "higher", "drivers": "history;volume_so_far;usual_level",
           "value_to_date": 4.0, "so_far_comparable": 4.0, "n_hist": 1, "prior": 3.5, "weight_history": 0.2,
           "denominator_to_date": 27, "weight_so_far": 0.3, "usual": 3.9, "weight_usual": 0.5}
    assert projection_reason(row, "month", lang="en") == (
        "    why: your history 3.50 (1 earlier month) is below the target and weighs 20 % in the projection; "
        "so far 4.00 meets the target but rests on 27 surveys, so it weighs only 30 %; "
        "in earlier months values at this point moved toward 3.90 by the end, below the target "
        "(50 % of the projection)")
    assert projection_reason({**row, "n_hist": 3}, "quarter", lang="en").startswith(
        "    why: your history 3.50 (3 earlier quarters) is below")
    assert projection_reason({**row, "n_hist": 3}, "month", lang="zh") == (
        "    原因：您的历史水平 3.50（此前 3 个月）低于目标，在预测中占 20 %；"
        "目前 4.00已达目标，但仅基于 27 份问卷，在预测中只占 30 %；"
        "以往各月在同一时点的数值到期末向 3.90 靠拢，低于目标（在预测中占 50 %）")


# --------------------------------------------------------------------------- errors worded from the catalogue

def test_common_errors_are_worded_in_both_languages(tmp_path, capsys):
    from perfmodel.cli import main
    from perfmodel.core.errors import DataError, PeriodError
    from perfmodel.core.periods import parse_period
    from perfmodel.data.loader import load_dataset

    with pytest.raises(PeriodError) as caught:
        parse_period("2026Q5")
    assert str(caught.value) == "period '2026Q5': not a period id; use a quarter like 2026Q3 or a month like 2026-09"
    assert caught.value.text(lang="zh") == "期间 '2026Q5'：不是有效的期间编号；请使用季度（如 2026Q3）或月份（如 2026-09）"
    missing = tmp_path / "缺少的文件夹"
    with pytest.raises(DataError) as caught:
        load_dataset(missing)
    assert caught.value.text(lang="zh") == f"{missing}：文件夹不存在；请给出存放数据表的文件夹（见 data/README.md）"
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "supervisors.csv").write_text("supervisor_id,name\nS1,王芳\n", encoding="utf-8")
    (folder / "tickets.csv").write_text("ticket_id,created_at\nT1,2026-07-01\n", encoding="utf-8")
    # the command line says it in its --lang: one line, exit code 2
    assert main(["explain", "S1", "--data", str(folder), "--policy", "efficiency", "--period", "2026Q3",
                 "--lang", "zh"]) == 2
    assert capsys.readouterr().err == ("perfmodel: error: tickets.csv：缺少必需的列 'supervisor_id'；"
                                       "请添加该列（见 data/README.md）\n")
    assert main(["explain", "S1", "--data", str(folder), "--policy", "efficiency", "--period", "2026Q3"]) == 2
    assert capsys.readouterr().err == ("perfmodel: error: tickets.csv: missing required column "
                                       "'supervisor_id'; add it (see data/README.md)\n")


def test_usage_and_file_errors_in_chinese(tmp_path, capsys):
    from perfmodel.cli import main

    def err(*argv):
        assert main([str(a) for a in argv]) == 2
        return capsys.readouterr().err

    assert err("lint", "--policy", "efficency", "--lang", "zh") == (
        "perfmodel: error: 方案 'efficency'：既不是文件也不是预设方案；是否想用 'efficiency'？"
        "请给出 YAML 文件或以下预设方案之一：efficiency, quality\n")
    assert err("lint", "--policy", "efficency") == (
        "perfmodel: error: policy 'efficency': no such file or preset; did you mean 'efficiency'? "
        "give a YAML file or one of the presets efficiency, quality\n")
    assert err("lint", "--policy", "xyz", "--lang", "zh") == (
        "perfmodel: error: 方案 'xyz'：既不是文件也不是预设方案；请给出 YAML 文件或以下预设方案之一：efficiency, quality\n")
    assert err("lint", "--policy", "efficiency", "--lag", "0", "--lang", "zh") == (
        "perfmodel: error: perfmodel lint：--lag 0：请给出不小于 1 的整数个期间\n")
    folder = tmp_path / "数据"
    folder.mkdir()
    (folder / "supervisors.csv").write_text("supervisor_id,name\nS1,王芳\n", encoding="utf-8")
    (folder / "tickets.csv").write_text("", encoding="utf-8")
    assert err("explain", "S1", "--data", folder, "--policy", "efficiency", "--period", "2026Q3",
               "--draws", "0", "--lang", "zh") == "perfmodel: error: --draws 0：请给出不小于 1 的整数\n"
    assert err("explain", "S1", "--data", folder, "--policy", "efficiency", "--period", "2026Q3",
               "--lang", "zh") == "perfmodel: error: tickets.csv：文件为空；需要一行表头和若干数据行（见 data/README.md）\n"


def test_report_parameter_errors_in_chinese(tmp_path, capsys):
    from perfmodel.cli import main

    out = str(tmp_path / "reports")
    assert main(["report", "--period", "2026Q3", "--jobs", "0", "--out", out, "--lang", "zh"]) == 2
    assert capsys.readouterr().err == "perfmodel: error: --jobs 0：进程数至少为 1\n"
    assert main(["report", "--period", "2026Q3", "--as-of", "2026-08-15", "--out", out, "--lang", "zh"]) == 2
    assert capsys.readouterr().err == "perfmodel: error: --as-of 只用于 --notebook feedback，不能用于 --notebook quarterly\n"
    assert main(["report", "--out", out, "--lang", "zh"]) == 2
    assert capsys.readouterr().err == "perfmodel: error: 请给出 --period P（或 'latest'）或 --all 二者之一\n"
    assert main(["report", "--out", out]) == 2
    assert capsys.readouterr().err == "perfmodel: error: give either --period P (or 'latest') or --all\n"
    gone = tmp_path / "没有的数据"
    assert main(["report", "--period", "2026Q3", "--data", str(gone), "--out", out, "--lang", "zh"]) == 2
    assert capsys.readouterr().err == (f"perfmodel: error: {gone}：找不到数据文件夹；请用 --data 给出存放数据表的文件夹、"
                                       ".duckdb 文件或 postgresql:// 地址\n")


def test_adjustment_file_errors_in_chinese(tmp_path):
    from perfmodel.core.errors import DataError
    from perfmodel.scoring.adjustments import read_adjustments

    path = tmp_path / "调整.csv"
    head = "supervisor_id,period,from_rating,to_rating,reason,approved_by,approved_on\n"
    path.write_text(head + "S001,2026Q3,B,A,复核,张三,2026-10-12\nS001,2026Q3,B,C,复核,张三,2026-10-12\n",
                    encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_adjustments(path)
    assert str(caught.value) == ("调整.csv: row 3 repeats supervisor S001, period 2026Q3 (row 2); keep one adjustment "
                                 "per supervisor and period")
    assert caught.value.text(lang="zh") == "调整.csv：第 3 行与第 2 行重复（主管 S001，期间 2026Q3）；每位主管每个期间只保留一项调整"
    path.write_text(head + "S001,2026Q3,B,A,,张三,2026-10-12\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_adjustments(path)
    assert caught.value.text(lang="zh") == "调整.csv：第 2 行：reason 为空；请写明评审会为何调整评级"
