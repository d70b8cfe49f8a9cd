"""Numbers shown to a person round as Excel displays them: half away from zero on the
15-significant-digit decimal, so a page and the workbook show the same figure.

Every expected value below is worked by hand from Excel's rule (15 significant digits, then
half away from zero in the number format's decimals; a percent format multiplies by 100 first),
not taken from the code. Python's own rounding (half to even on the binary value) is shown
beside each tie to make plain that the case is one where the two disagree.
"""
from __future__ import annotations

import random

import pandas as pd
import pytest

from perfmodel.core.numbers import excel_decimal, format_number, format_with, round_half_up


@pytest.mark.parametrize("x, digits, excel, python", [
    (91.25, 1, 91.3, 91.2),     # exact in binary: a true tie, Python keeps the even 2
    (2.675, 2, 2.68, 2.67),     # stored as 2.67499999999999982..., Excel sees 2.67500000000000
    (-0.5, 0, -1.0, -0.0),      # away from zero: Excel's "0" shows -1
    (0.125, 2, 0.13, 0.12),     # exact in binary
    (1.005, 2, 1.01, 1.0),      # stored as 1.00499999999999989..., Excel sees 1.00500000000000
    (-2.5, 0, -3.0, -2.0),
    (67.625, 2, 67.63, 67.62),  # the result subtotal of S001 in the explain example
])
def test_ties_round_half_away_from_zero_on_the_decimal_excel_sees(x, digits, excel, python):
    assert round(x, digits) == python
    assert round_half_up(x, digits) == excel


def test_excel_takes_fifteen_significant_digits():
    assert str(excel_decimal(2.675)) == "2.67500000000000"
    assert str(excel_decimal(0.017499999999999998)) == "0.0175000000000000"  # 0.05 * 0.35
    assert format_number(0.05 * 0.35, ".1%") == "1.8%"  # Python: f"{0.05 * 0.35:.1%}" == '1.7%'


@pytest.mark.parametrize("x, spec, shown", [
    (91.25, ".1f", "91.3"),
    (91.25, ",.1f", "91.3"),
    (1234.5, ",.0f", "1,235"),
    (-1.25, "+.1f", "-1.3"),
    (0.25, "+.1f", "+0.3"),
    (0.9125, ".1%", "91.3%"),   # Excel "0.0%": 0.912500000000000 x 100 = 91.25 -> 91.3%
    (0.1625, ".1%", "16.3%"),   # 0.25 x 0.65, an effective weight on the quarterly page
    (0.505, ".0%", "51%"),      # 1010 of 2000 draws
    (0.12345, ".2%", "12.35%"),
    (float("nan"), ".1f", "nan"),
    (3, "g", "3"),
])
def test_format_number(x, spec, shown):
    assert format_number(x, spec) == shown


def test_values_away_from_a_tie_are_shown_as_before():
    rng = random.Random(7)
    for _ in range(2000):
        # a value whose third decimal is never 5: no tie at 2 decimals, no tie at 1 decimal
        x = rng.randint(-10**6, 10**6) / 100 + rng.choice([0.001, 0.002, 0.003, 0.004, 0.006, 0.007, 0.008, 0.009])
        assert format_number(x, ".2f") == f"{x:.2f}"
        assert format_number(x, ",.1f") == f"{x:,.1f}"


def test_templates_of_the_page_tables():
    assert format_with("{:.1f}", 91.25) == "91.3"
    assert format_with("{:+.1f}", -9.65) == "-9.7"   # -9.65 is -9.6500000000000003552... in binary
    assert format_with("{:.0%}", 0.125) == "13%"
    assert format_with("{:,}", 72000) == "72,000"
    assert format_with("≥ {:.2f}", 4.305) == "≥ 4.31"


# --------------------------------------------------------------------------- pages and the workbook agree

def _shown_html(monkeypatch, df, formats):
    from perfmodel.reporting import display

    seen = []
    monkeypatch.setattr(display, "_display", lambda *objs: seen.extend(o.data for o in objs))
    display.table(df, lang="en", formats=formats, rename=False)
    return seen[0]


def _excel_shows(value: float, number_format: str) -> str:
    """What Excel shows for ``value`` in the two number formats the workbook uses, by Excel's rule,
    written out with the decimal module (not with perfmodel.core.numbers)."""
    from decimal import ROUND_HALF_UP, Decimal

    d = Decimal(repr(float(f"{value:.15g}")))  # 15 significant digits
    if number_format == "0.0%":
        return f"{(d * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
    assert number_format == "#,##0.00"
    return f"{d.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def test_a_page_table_and_the_workbook_show_the_same_tie(tmp_path, monkeypatch):
    import openpyxl

    from perfmodel.reporting.excel import write_workbook

    df = pd.DataFrame({"supervisor_id": ["S1", "S2"], "score": [67.625, 2.675],
                       "timely_closure_rate": [0.1625, 0.9125]})
    path = write_workbook(tmp_path / "w.xlsx", {"scores": df})
    sheet = openpyxl.load_workbook(path)["scores"]
    formats = {sheet.cell(1, j).value: sheet.cell(2, j).number_format for j in (2, 3)}
    assert formats == {"score": "#,##0.00", "timely_closure_rate": "0.0%"}
    assert [sheet.cell(r, 2).value for r in (2, 3)] == [67.625, 2.675]  # stored at full precision
    excel = [_excel_shows(v, formats["score"]) for v in df["score"]] + \
            [_excel_shows(v, formats["timely_closure_rate"]) for v in df["timely_closure_rate"]]
    assert excel == ["67.63", "2.68", "16.3%", "91.3%"]
    html = _shown_html(monkeypatch, df, {"score": "{:.2f}", "timely_closure_rate": "{:.1%}"})
    for figure in excel:
        assert f">{figure}<" in html


def test_the_feedback_index_shows_the_score_as_the_workbook_does(tmp_path):
    from perfmodel.reporting.html import feedback_index

    pages = pd.DataFrame({"supervisor_id": ["S01"], "href": ["S01.html"], "score": [91.25]})
    html = feedback_index(tmp_path / "index.html", pages, "2026Q3", lang="en")
    assert '<td class="num">91.3</td>' in html  # Excel's "0.0" shows 91.3; Python's f"{91.25:.1f}" is 91.2


def test_indicator_values_in_targets_explain_and_watch_text_round_alike():
    from perfmodel.analysis.explain_text import number
    from perfmodel.analysis.watch.reasons import fmt_value
    from perfmodel.scoring.targets import fmt_value as target_value

    for fmt in (number, fmt_value, target_value):
        assert fmt("complaint_resolution_rate", 0.9125) == "91.3 %"
        assert fmt("first_response_hours", 2.25) == "2.3 h"
        assert fmt("csat", 2.675) == "2.68"
    assert fmt_value("complaint_resolution_rate", 0.0125, signed=True) == "+1.3 pt"


def test_format_specs_inside_catalogue_templates_round_as_excel():
    from perfmodel.core import messages
    from perfmodel.core.i18n import t

    # labels.mean_score is "Mean total score {mean:.1f} (median {median:.1f})."
    assert t("mean_score", lang="en", mean=91.25, median=67.65) == "Mean total score 91.3 (median 67.7)."
    assert t("mean_score", lang="zh", mean=91.25, median=67.65) == "平均总分 91.3（中位数 67.7）。"
    # the position sentence of a feedback page: "Your total score {score:.1f} is at ..."
    assert messages.text("labels.position_text", lang="en", score=91.25, pct="50th", n=8, period="2026Q3",
                         rating="A").startswith("Your total score 91.3 is at the 50th percentile")
    # ints and text are left alone, and so is a {value} without a spec
    assert messages.text("cli.wrote", lang="en", path="x.csv") == "wrote x.csv"
