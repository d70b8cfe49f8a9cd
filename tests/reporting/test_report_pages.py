"""What the report pages say: titles, targets met, warnings kept off the page, labels, layout."""
from __future__ import annotations

import re

import shutil
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from fixtures import PERIOD, small_dataset
from perfmodel.core.errors import UsageError
from perfmodel.core.i18n import t
from perfmodel.scoring.policy import IndicatorRule, load_policy
from perfmodel.reporting import runner, sections
from perfmodel.reporting.html import notebook_to_html
from perfmodel.scoring.scores import score


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return small_dataset(tmp_path_factory.mktemp("pages") / "data")


@pytest.fixture(autouse=True)
def _theme():
    from perfmodel.reporting import plotting

    plotting.setup(lang="en")  # the CJK font, as every report notebook sets it


def rule(indicator, rule, direction, **kw):
    return IndicatorRule(indicator=indicator, dimension="process", weight=1.0, rule=rule,
                         direction=direction, **kw)


# --------------------------------------------------------------------------- 1. period kind and title

def test_a_month_with_a_quarterly_policy_is_refused_before_any_run_folder(data, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(UsageError) as exc:
        runner.validate(period="2026-09", data_dir=data, policy="efficiency", out=out)
    assert str(exc.value) == ("--period 2026-09: the policy preset efficiency scores by quarter; "
                              "give a quarter such as 2026Q3")
    assert not out.exists()


def test_a_quarter_with_a_monthly_policy_names_a_month():
    from dataclasses import replace

    pol = load_policy("efficiency")
    monthly = replace(pol, period="month")
    with pytest.raises(UsageError, match=r"^--period 2026Q3: the policy .* scores by month; "
                                         r"give a month such as 2026-07$"):
        runner.check_period_kind(monthly, "2026Q3")
    assert runner.check_period_kind(monthly, "2026-09") == "month"
    assert runner.check_period_kind(pol, "2026Q3") == "quarter"


def test_cli_exit_code_for_a_month_with_a_quarterly_policy(data, tmp_path):
    import subprocess
    import sys

    out = tmp_path / "reports"
    r = subprocess.run([sys.executable, "-m", "perfmodel", "report", "--period", "2026-09", "--data", str(data),
                        "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().endswith("--period 2026-09: the policy preset efficiency scores by quarter; "
                                     "give a quarter such as 2026Q3"), r.stderr
    assert not out.exists()


@pytest.mark.parametrize("period, en, zh", [
    ("2026-09", "Monthly performance report — 2026-09", "月度绩效报告 — 2026-09"),
    ("2026Q3", "Quarterly performance report — 2026Q3", "季度绩效报告 — 2026Q3"),
])
def test_title_follows_the_period_kind(period, en, zh):
    key = sections.title_key(period)
    assert t(key, lang="en", period=period) == en
    assert t(key, lang="zh", period=period) == zh


# --------------------------------------------------------------------------- 2/3. indicator table

def _ctx(policy, wide: pd.DataFrame, period: str = "2026Q3", lang: str = "en") -> sections.ReportContext:
    scores = score(wide, policy)
    return sections.ReportContext(data_dir=Path("."), policy_spec="", period=period, lang=lang, engine="duckdb",
                                  seed=0, run_id="", dataset=None, policy=policy, periods=[period],
                                  long=pd.DataFrame(), wide=wide, scores_all=scores,
                                  scores=scores[scores["period"] == period].reset_index(drop=True),
                                  supervisors=pd.DataFrame(columns=["supervisor_id", "name", "team", "region"]))


def _wide(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame({"supervisor_id": [f"S{i + 1}" for i in range(n)], "period": ["2026Q3"] * n,
                         **{k: np.asarray(v, dtype=float) for k, v in columns.items()}})


def test_met_target_per_rule_by_hand():
    pol = load_policy("efficiency")
    # efficiency: tickets_per_staff_day percentile (P50), reopen_rate deduction ≤ 5 % (500 points),
    # compliance_rate bands (0.97 → 100), training_completion_rate gate ≥ 0.9, csat linear 3.8 → 4.3,
    # complaint_resolution_rate ratio ≥ 0.8, customer_churn_rate linear lower (floor 8 %, target 3 %)
    wide = _wide(
        # ranks 1..5 → percentile scores 0, 25, 50, 75, 100: met (≥ 50) by 3 of 5 (was 1 of 5 by score ≥ 100)
        tickets_per_staff_day=[1.0, 2.0, 3.0, 4.0, 5.0],
        # ≤ 0.05 met: 0.0, 0.05 → 2 of 5 (one value missing: 2 of 4)
        reopen_rate=[0.0, 0.05, 0.06, np.nan, 0.2],
        # band score ≥ 100 needs x ≥ 0.97: 0.97, 0.99 → 2 of 5
        compliance_rate=[0.97, 0.99, 0.96, 0.90, 0.5],
        training_completion_rate=[0.9, 0.89, 1.0, 0.95, 0.0],   # ≥ 0.9: 3 of 5
        csat=[4.3, 4.29, 4.5, 3.0, 4.31],                      # ≥ 4.3: 3 of 5
        complaint_resolution_rate=[0.8, 0.79, 0.5, 1.0, 0.81],  # ≥ 0.8: 3 of 5
        customer_churn_rate=[0.03, 0.031, 0.0, 0.08, 0.1],      # ≤ 0.03: 2 of 5
    )
    tab = sections.indicator_table(_ctx(pol, wide)).set_index("indicator")
    from perfmodel.core.i18n import indicator_label as L

    expected = {"tickets_per_staff_day": 3 / 5, "reopen_rate": 2 / 4, "compliance_rate": 2 / 5,
                "training_completion_rate": 3 / 5, "csat": 3 / 5, "complaint_resolution_rate": 3 / 5,
                "customer_churn_rate": 2 / 5}
    for ind, share in expected.items():
        assert tab.loc[L(ind), "met_target"] == pytest.approx(share), ind
    assert tab.loc[L("tickets_per_staff_day"), "target"] == "P50"
    assert tab.loc[L("reopen_rate"), "available"] == 4


def test_percentile_met_with_ties_and_lower_is_better():
    r = rule("tickets_per_staff_day", "percentile", "lower")
    # lower is better: ranks on −x; values 1, 1, 2, 3 → ranks (best last) 3.5, 3.5, 2, 1
    # → scores 100·(r−1)/3 = 83.3, 83.3, 33.3, 0 → met (≥ 50) 2 of 4
    from perfmodel.scoring.scores import rule_score

    x = np.array([1.0, 1.0, 2.0, 3.0])
    met = sections.met_target(r, x, rule_score(x, r))
    assert met.tolist() == [1.0, 1.0, 0.0, 0.0]


def test_bands_target_is_the_band_worth_100():
    # quality preset style: 110 points from 92 %, 100 from 88 %: the target is 88 %, 90 % meets it
    r = rule("followup_positive_rate", "bands", "higher", bands=((0.92, 110.0), (0.88, 100.0), (0.84, 80.0)))
    assert sections.target_text(r, lang="en") == "≥ 88.0 %"
    x = np.array([0.95, 0.90, 0.85, np.nan])
    met = sections.met_target(r, x, np.array([110.0, 100.0, 80.0, np.nan]))
    assert met[:3].tolist() == [1.0, 1.0, 0.0] and np.isnan(met[3])
    # lower is better: the band of the highest threshold still worth 100
    low = rule("staff_turnover_rate", "bands", "lower", bands=((0.03, 100.0), (0.06, 80.0)))
    assert sections.target_text(low, lang="en") == "≤ 3.0 %"


def test_indicator_table_with_an_empty_column_does_not_warn():
    pol = load_policy("efficiency")
    wide = _wide(csat=[4.0, 4.4, 4.3], cost_control_rate=[np.nan, np.nan, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tab = sections.indicator_table(_ctx(pol, wide))
    from perfmodel.core.i18n import indicator_label as L

    row = tab.set_index("indicator").loc[L("cost_control_rate")]
    assert row["median_value"] == "—" and np.isnan(row["met_target"]) and np.isnan(row["median_score"])
    assert row["available"] == 0
    assert tab.set_index("indicator").loc[L("csat"), "median_value"] == "4.30"


def test_stderr_never_reaches_the_page():
    nb = new_notebook(cells=[new_code_cell("x", outputs=[
        new_output("stream", name="stderr", text="RuntimeWarning: Mean of empty slice\n"),
        new_output("stream", name="stdout", text="kept on the page\n")])])
    html = notebook_to_html(nb, title="t")
    assert "kept on the page" in html
    assert "Warning" not in html and "Mean of empty slice" not in html
    assert nb.cells[0].outputs[0]["name"] == "stderr"  # the notebook itself is unchanged


@pytest.mark.slow
def test_report_on_data_with_an_empty_indicator_has_no_warning(data, tmp_path):
    # without budgets.csv the cost_control_rate column is empty for everyone
    folder = tmp_path / "data"
    shutil.copytree(data, folder)
    (folder / "budgets.csv").unlink()
    [res] = runner.run_report(PERIOD, data_dir=folder, out=tmp_path / "reports", progress=False)
    assert res.ok, res.errors
    html = res.html.read_text(encoding="utf-8")
    # no Python warning ("RuntimeWarning: Mean of empty slice"); the goal findings' "Warnings" column is content
    assert not re.search(r"\b\w*Warning: ", html) and "warnings.warn" not in html
    nb = nbformat.read(str(res.run_dir / "quarterly_report.ipynb"), as_version=4)
    stderr = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("name") == "stderr"]
    assert not stderr, stderr[:2]


# --------------------------------------------------------------------------- 4. small or odd data

def test_unrated_supervisors_are_labelled():
    assert sections.rating_label("", lang="en") == "not rated"
    assert sections.rating_label("", lang="zh") == "未评级"
    assert sections.rating_label("A", lang="zh") == "A"
    from perfmodel.reporting import plotting

    fig = plotting.rating_distribution(pd.DataFrame({"rating": ["S", "D", ""]}), lang="zh")
    ax = fig.axes[0]
    assert [x.get_text() for x in ax.get_xticklabels()] == ["S", "A", "B", "C", "D", "未评级"]
    heights = [p.get_height() for p in ax.patches if p.get_height() > 0]
    assert heights == [1, 1, 1]


def _shown(monkeypatch):
    shown = []

    def grab(*objs):
        for o in objs:
            shown.append(getattr(o, "data", None) if not hasattr(o, "savefig") else "<figure>")

    monkeypatch.setattr("perfmodel.reporting.display._display", grab)
    return shown


def test_movers_heading_without_an_earlier_period(monkeypatch):
    pol = load_policy("efficiency")
    ctx = _ctx(pol, _wide(csat=[4.0, 4.4]), lang="zh")
    assert ctx.previous is None
    shown = _shown(monkeypatch)
    sections.show_headline(ctx)
    text = "\n".join(s for s in shown if isinstance(s, str))
    assert "### 变化最大的主管" in text and "数据中没有可比较的上一期。" in text
    assert "—" not in text.split("变化最大")[0].splitlines()[-1]  # no "与 — 相比"
    assert "与 — 相比" not in text


def test_rates_are_clipped_and_the_axis_has_no_offset():
    import matplotlib.pyplot as plt

    from perfmodel.reporting import plotting

    f = pd.DataFrame({"rate": [-1.4e-17, 0.0, 1.0000000000000002], "target": [-1e-18] * 3,
                      "lower_998": [-0.3, -0.1, 0.0], "upper_998": [0.4, 1.2, 1.5], "denominator": [3, 4, 5]})
    c = sections.clip_rates(f)
    assert c["rate"].tolist() == [0.0, 0.0, 1.0]
    assert c["target"].tolist() == [0.0] * 3
    assert c["lower_998"].tolist() == [0.0, 0.0, 0.0] and c["upper_998"].tolist() == [0.4, 1.0, 1.0]
    assert c["denominator"].tolist() == [3, 4, 5]
    # every rate 0 with float noise: matplotlib would write a 1e-17 offset and a range around it
    fig, ax = plt.subplots()
    ax.scatter([3, 4, 5], [-1.4e-17, 0.0, -1.4e-17])
    plotting.rate_axis(ax)
    fig.canvas.draw()
    lo, hi = ax.get_ylim()
    assert lo == pytest.approx(-0.02) and hi == pytest.approx(0.08)
    assert ax.yaxis.get_offset_text().get_text() == ""
    plt.close(fig)
    # a wide range is kept within [−0.02, 1.02]
    fig, ax = plt.subplots()
    ax.plot([0, 1], [-1.4, 1.9])
    plotting.rate_axis(ax)
    assert ax.get_ylim() == pytest.approx((-0.02, 1.02))
    plt.close(fig)


# --------------------------------------------------------------------------- 5. workbook

_INPUTS = {"data_dir": "d", "policy": {"source": "preset efficiency", "name": "p", "version": "1",
                                       "sha256": "0" * 64}, "inputs": []}


def _workbook(tmp_path, lang, *, roster=None, scores=None):
    from openpyxl import load_workbook

    from perfmodel.data.dataset import Dataset
    from perfmodel.reporting.excel import write_workbook

    tables = {
        "scores": scores if scores is not None else pd.DataFrame(
            {"supervisor_id": ["主管001"], "period": ["2026Q3"], "score": [80.0], "rating": ["A"],
             "score_csat": [90.0]}),
        "indicators": pd.DataFrame({"supervisor_id": ["主管001"], "period": ["2026Q3"], "indicator": ["csat"],
                                    "value": [4.2], "numerator": [42.0], "denominator": [10.0],
                                    "available": [True]}),
    }
    quarantine = pd.DataFrame({"table": ["tickets"], "file": ["tickets.csv"], "row": [5], "column": ["cost"],
                               "reason": ["not a number"], "record": ['{"cost": "x"}']})
    inputs = _INPUTS
    dataset_tables = {} if roster is None else {"supervisors": roster}
    sheets = runner._workbook_sheets(tables, Dataset(tables=dataset_tables, quarantine=quarantine), inputs,
                                     {"period": "2026Q3"}, "RUN", lang=lang)
    path = write_workbook(tmp_path / f"{lang}.xlsx", sheets, headers=runner._workbook_headers(sheets, lang=lang))
    return load_workbook(path)


def _header(ws):
    return [c.value for c in ws[1]]


def test_chinese_workbook_has_chinese_sheets_headers_and_indicator_names(tmp_path):
    wb = _workbook(tmp_path, "zh")
    assert wb.sheetnames == ["得分", "指标", "隔离记录", "运行清单"]
    assert _header(wb["得分"]) == ["主管编号", "期间", "总分", "评级", "客户满意度得分"]
    assert _header(wb["指标"]) == ["主管编号", "期间", "指标编号", "指标名称", "实际值", "分子", "分母", "可用"]
    assert [c.value for c in wb["指标"][2]][2:4] == ["csat", "客户满意度"]
    assert _header(wb["隔离记录"]) == ["数据表", "文件", "行", "列", "原因", "原始记录"]
    assert _header(wb["运行清单"]) == ["项目", "值"]


def test_english_workbook_headers_are_title_case(tmp_path):
    wb = _workbook(tmp_path, "en")
    assert wb.sheetnames == ["scores", "indicators", "quarantine", "manifest"]
    assert _header(wb["indicators"]) == ["Supervisor", "Period", "Indicator id", "Indicator name", "Value",
                                         "Numerator", "Denominator", "Available"]
    assert [c.value for c in wb["indicators"][2]][3] == "Customer satisfaction"
    assert _header(wb["quarantine"]) == ["Table", "File", "Row", "Column", "Reason", "Record"]
    for ws in wb.worksheets:
        assert all(h[0].isupper() for h in _header(ws)), (ws.title, _header(ws))


# --------------------------------------------------------------------------- 6. table layout

def _cells(html: str) -> dict[str, str]:
    import re

    # text of each cell -> its style
    return {m.group(2): m.group(1) for m in re.finditer(r'<t[dh] style="([^"]*)">([^<]*)</t[dh]>', html)}


def test_text_left_numbers_right_ids_and_names_on_one_line(monkeypatch):
    shown = _shown(monkeypatch)
    df = pd.DataFrame({"check": ["S 明确性"], "indicator": ["人均日处理工单"], "name": ["王芳"],
                       "message": ["目标值 <高于> 历史 90 % 的主管"], "weight": [0.12], "target": ["≥ 4.30"],
                       "met_target": [0.5], "available": [3]})
    sections.table(df, lang="zh", formats={"weight": "{:.2f}", "met_target": "{:.0%}"})
    cells = _cells(shown[-1])
    left_nowrap = "text-align: left; white-space: nowrap;"
    right_nowrap = "text-align: right; white-space: nowrap;"
    assert cells["S 明确性"] == left_nowrap and cells["人均日处理工单"] == left_nowrap and cells["王芳"] == left_nowrap
    assert cells["目标值 &lt;高于&gt; 历史 90 % 的主管"] == "text-align: left;"  # a sentence may wrap, escaped
    assert cells["0.12"] == right_nowrap and cells["≥ 4.30"] == right_nowrap and cells["50%"] == right_nowrap
    assert cells["3"] == right_nowrap
    # headers follow their column's alignment, in the report language, and may wrap (a wide table fits)
    assert cells["检查项"] == "text-align: left;" and cells["发现"] == "text-align: left;"
    assert cells["权重"] == "text-align: right;"
    assert "<script" not in shown[-1] and " id=" not in shown[-1]


def test_missing_cells_show_a_dash():
    html = sections.html_table(pd.DataFrame({"a": [None], "b": [np.nan]}), [False, True])
    assert html.count(">—</td>") == 2


def test_rank_ranges_and_signed_changes_read_as_numbers(monkeypatch):
    shown = _shown(monkeypatch)
    sections.table(pd.DataFrame({"rank_range": ["13–28", "5–9"], "change": ["+18.1", "-9.6"],
                                 "period": ["2026Q3", "2026Q2"]}), lang="en")
    cells = _cells(shown[-1])
    assert cells["13–28"].startswith("text-align: right") and cells["+18.1"].startswith("text-align: right")
    assert cells["2026Q3"].startswith("text-align: left")


def test_feedback_strengths_and_gaps_use_the_rules_target():
    pol = load_policy("efficiency")
    # S3 ranks 3rd of 5 in tickets per staff day (percentile score 50: P50 met), csat 4.2 < 4.3 (gap),
    # compliance 0.97 (band worth 100: met)
    ctx = _ctx(pol, _wide(tickets_per_staff_day=[1.0, 2.0, 3.0, 4.0, 5.0], csat=[4.0, 4.0, 4.2, 4.0, 4.0],
                          compliance_rate=[0.9, 0.9, 0.97, 0.9, 0.9]))
    strengths, gaps = sections.strengths_and_gaps(ctx, "S3", n=5)
    assert set(strengths["indicator"]) == {"tickets_per_staff_day", "compliance_rate"}
    assert list(gaps["indicator"]) == ["csat"]


def _scores_with_rate():
    # 103.57 points for complaint resolution: a score above 100, not a share of 1
    return pd.DataFrame({"supervisor_id": ["S002", "S001"], "period": ["2026Q2", "2026Q2"],
                         "score": [97.25, 88.5], "rating": ["A", "B"],
                         "score_complaint_resolution_rate": [103.57, 91.0], "score_csat": [90.0, 85.0]})


@pytest.mark.parametrize("lang, sheet, expected", [
    ("en", "scores", ["Supervisor", "Name", "Team", "Period", "Total score", "Rating",
                      "Complaint resolution rate score", "Customer satisfaction score"]),
    ("zh", "得分", ["主管编号", "姓名", "团队", "期间", "总分", "评级", "投诉解决率得分", "客户满意度得分"]),
])
def test_workbook_scores_are_plain_numbers_named_as_scores_with_names_and_teams(tmp_path, lang, sheet, expected):
    from perfmodel.core.catalogue import name

    roster = pd.DataFrame({"supervisor_id": ["S001", "S002"], "name": ["郑刚", "许晓东"],
                           "team": ["华南售后一组", "西北售后一组"], "region": ["华南", "西北"]})
    wb = _workbook(tmp_path, lang, roster=roster, scores=_scores_with_rate())
    ws = wb[sheet]
    assert name("complaint_resolution_rate", lang="zh") == "投诉解决率"  # the header is built from the catalogue name
    assert _header(ws) == expected
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[:3] for r in rows] == [["S002", "许晓东", "西北售后一组"], ["S001", "郑刚", "华南售后一组"]]
    assert rows[0][6] == pytest.approx(103.57)
    for col in (5, 7, 8):  # total score and per-indicator scores: two decimals, never a percent
        assert ws.cell(row=2, column=col).number_format == "#,##0.00"


def test_workbook_keeps_percent_formats_for_rates_only(tmp_path):
    from openpyxl import load_workbook

    from perfmodel.reporting.excel import write_workbook

    table = pd.DataFrame({"complaint_resolution_rate": [0.9], "score_complaint_resolution_rate": [103.57],
                          "share": [0.25], "result_score": [97.0]})
    ws = load_workbook(write_workbook(tmp_path / "t.xlsx", {"t": table}))["t"]
    assert [ws.cell(row=2, column=j).number_format for j in range(1, 5)] == ["0.0%", "#,##0.00", "0.0%", "#,##0.00"]


def test_pseudonymized_workbook_shows_pseudonyms_of_names_and_teams(tmp_path):
    from perfmodel.data.privacy import pseudonym

    salt = "s" * 20
    roster = pd.DataFrame({"supervisor_id": ["S001"], "name": ["郑刚"], "team": ["华南售后一组"]})
    scores = pd.DataFrame({"supervisor_id": [pseudonym("S001", salt)], "period": ["2026Q2"], "score": [80.0]})
    from perfmodel.data.dataset import Dataset

    sheets = runner._workbook_sheets({"scores": scores, "indicators": pd.DataFrame()},
                                     Dataset(tables={"supervisors": roster}), _INPUTS, {"period": "2026Q2"},
                                     "RUN", pseudonymized=True, salt=salt)
    row = sheets["scores"].iloc[0]
    assert (row["name"], row["team"]) == (pseudonym("郑刚", salt), pseudonym("华南售后一组", salt))
