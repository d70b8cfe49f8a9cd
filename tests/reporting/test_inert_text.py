"""NUL, BEL and right-to-left override characters from the data never reach a page (issue 17, item 11)."""
from __future__ import annotations

import nbformat
import pandas as pd

from perfmodel.reporting.html import feedback_index, notebook_to_html
from perfmodel.reporting.display import html_table, md_escape

NAME = "王\x00芳\x07 S1\u202eA"   # NUL, BEL, right-to-left override
SHOWN = "王\ufffd芳\ufffd S1\ufffdA"
HIDDEN = ("\x00", "\x07", "\u202e")


def test_names_and_reasons_in_tables_and_text_are_made_visible():
    html = html_table(pd.DataFrame({"name": [NAME], "reason": ["bad\u2066 cell\x1b"]}), [False, False])
    assert not any(ch in html for ch in HIDDEN + ("\u2066", "\x1b"))
    assert SHOWN in html and "bad\ufffd cell\ufffd" in html
    md = md_escape(NAME)
    assert not any(ch in md for ch in HIDDEN) and md.count("\ufffd") == 3
    # tab, newline and ordinary Chinese text are left alone
    assert md_escape("张三\t李四") == "张三\t李四"


def test_a_page_holds_no_control_or_bidi_character(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(name)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=NAME + "\n"),
                    nbformat.v4.new_output("display_data", data={"text/markdown": f"# {NAME}"})]
    nb.cells = [nbformat.v4.new_markdown_cell(f"supervisor {NAME}"), cell]
    page = notebook_to_html(nb, tmp_path / "page.html", title="t")
    written = (tmp_path / "page.html").read_text(encoding="utf-8")
    for text in (page, written):
        assert not any(ch in text for ch in HIDDEN)
    assert written.count("\ufffd") >= 3
    index = feedback_index(tmp_path / "index.html", [("S1\u202eA", "s1.html")], "2026Q1")
    assert "\u202e" not in index and "S1\ufffdA" in index
