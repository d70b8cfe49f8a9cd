"""write_table: deterministic CSV, Parquet round trip, formula-safe CSV and Excel."""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from perfmodel.core.errors import UsageError
from perfmodel.data.exports import escape_formula, write_table


def table():
    return pd.DataFrame({
        "supervisor_id": ["S2", "S1", "主管03", "S1"],
        "name": ["=HYPERLINK(\"http://x\")", "+86 21 5555", "王芳", "@SUM(A1)"],
        "note": ["-1", "ok", None, "plain"],
        "value": [1 / 3, 2.5, np.nan, 1e-12],
        "count": [3, 1, 0, 2],
        "flag": [True, False, True, False],
    })


def test_csv_is_sorted_formatted_and_escaped(tmp_path):
    path = write_table(table(), tmp_path / "t.csv")
    data = path.read_bytes()
    # UTF-8 with a byte-order mark, so Excel on a Chinese Windows does not read it as GBK
    assert data[:3] == b"\xef\xbb\xbf"
    text = data[3:].decode("utf-8")
    # rows sorted by supervisor_id then name (text order: "S1" < "S2" < "主管03");
    # floats with 10 significant digits; text beginning with = + - @ gets a leading quote;
    # a missing value is an empty cell
    assert text == (
        "supervisor_id,name,note,value,count,flag\n"
        "S1,'+86 21 5555,ok,2.5,1,False\n"
        "S1,'@SUM(A1),plain,1e-12,2,False\n"
        "S2,\"'=HYPERLINK(\"\"http://x\"\")\",'-1,0.3333333333,3,True\n"
        "主管03,王芳,,,0,True\n"
    )


def test_csv_is_byte_identical_whatever_the_row_order(tmp_path):
    a = write_table(table(), tmp_path / "a.csv").read_bytes()
    shuffled = table().sample(frac=1, random_state=3).set_index("name", drop=False)
    b = write_table(shuffled, tmp_path / "b.csv").read_bytes()
    assert a == b
    # ulp-level noise from a parallel sum does not change the file
    noisy = table()
    noisy["value"] = noisy["value"] * (1 + 1e-15)
    assert write_table(noisy, tmp_path / "c.csv").read_bytes() == a


def test_sort_false_keeps_the_given_order(tmp_path):
    text = write_table(table(), tmp_path / "t.csv", sort=False).read_text(encoding="utf-8")
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["S2", "S1", "主管03", "S1"]


def test_parquet_round_trip(tmp_path):
    df = table()
    back = pd.read_parquet(write_table(df, tmp_path / "t.parquet"))
    expected = df.sort_values(["supervisor_id", "name"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected)


def test_xlsx_text_cells_are_text_not_formulas(tmp_path):
    path = write_table(table(), tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("supervisor_id", "name", "note", "value", "count", "flag")
    cells = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=2).data_type for r in range(2, 6)}
    # stored unchanged and as strings ("s"), never as formulas ("f")
    assert cells == {"+86 21 5555": "s", "@SUM(A1)": "s", "=HYPERLINK(\"http://x\")": "s", "王芳": "s"}
    assert ws.cell(row=4, column=3).value == "-1" and ws.cell(row=4, column=3).data_type == "s"
    assert ws.cell(row=4, column=4).value == pytest.approx(1 / 3)
    assert ws.cell(row=5, column=4).value is None  # NaN -> empty cell
    assert ws.cell(row=2, column=6).value is False


def test_xlsx_is_deterministic(tmp_path):
    a = write_table(table(), tmp_path / "a.xlsx").read_bytes()
    b = write_table(table(), tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_escape_formula_and_bad_suffix(tmp_path):
    assert escape_formula("=1+1") == "'=1+1"
    assert escape_formula("a=b") == "a=b"
    assert escape_formula(3) == 3
    with pytest.raises(UsageError, match=r"\.txt"):
        write_table(table(), tmp_path / "t.txt")
