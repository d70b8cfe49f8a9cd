"""Page checks of audit verify: the allow-list of elements and the score tables, on small pages written here."""
from __future__ import annotations

import pandas as pd
import pytest

from perfmodel.audit.published import page_findings

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>r</title><style type="text/css">.x {{ background: url(data:image/svg+xml;base64,AAAA); }}</style></head>
<body class="jp-Notebook" data-jp-theme-light="true"><main>
<h2>Scores and ratings</h2>
<table border="0" class="dataframe"><thead><tr><th>Supervisor</th><th>Total score</th><th>Rating</th></tr></thead>
<tbody>
<tr><td style="text-align: left;">S1</td><td>{s1}</td><td>A</td></tr>
<tr><td>=1+2</td><td>70.0</td><td>B</td></tr>
</tbody></table>
<img alt="fig" src="data:image/png;base64,iVBORw0KGgo=">
{extra}
</main></body></html>
"""
SCORES = pd.DataFrame({"supervisor_id": ["S1", "=1+2"], "score": [85.04, 69.96], "rating": ["A", "B"]})


def _page(tmp_path, s1="85.0", extra=""):
    path = tmp_path / "p.html"
    path.write_text(PAGE.format(s1=s1, extra=extra), encoding="utf-8")
    return path


def test_a_page_as_the_reports_write_it_passes(tmp_path):
    assert page_findings(_page(tmp_path), SCORES) == []


@pytest.mark.parametrize("extra, expected", [
    ("<script>alert(1)</script>", "element <script> at line 12 is not allowed"),
    ("<iframe src='x.html'></iframe>", "element <iframe> at line 12 is not allowed"),
    ('<p onclick="steal()">x</p>', "attribute onclick= of <p> at line 12 is not allowed"),
    ('<img alt="" src="https://x.example/p.png">', "is not an embedded image ('https://x.example/p.png')"),
    ('<a href="javascript:alert(1)">x</a>', "leaves the run ('javascript:alert(1)')"),
    ('<a href="//x.example/">x</a>', "leaves the run ('//x.example/')"),
    ('<div style="background:url(https://x.example/t.gif)">x</div>', "loads or runs something"),
    ("<style>@import 'https://x.example/a.css';</style>", "loads or runs something ('@import')"),
    ('<meta http-equiv="refresh" content="0;url=https://x.example">', "attribute http-equiv= of <meta>"),
    ("<form action='https://x.example'><input name='p'></form>", "element <form> at line 12"),
])
def test_elements_outside_the_allow_list_are_named(tmp_path, extra, expected):
    found = page_findings(_page(tmp_path, extra=extra), SCORES)
    assert found and all(f.startswith("p.html: ") for f in found)
    assert expected in found[0], found


def test_a_relative_link_between_pages_is_allowed(tmp_path):
    assert page_findings(_page(tmp_path, extra='<a href="S001.html">S001</a>'), SCORES) == []


@pytest.mark.parametrize("shown, ok", [("85.0", True), ("85.1", False), ("85", True), ("84.9", False),
                                       ("85.04", True), ("85.05", False), ("—", False)])
def test_score_cells_are_compared_to_the_precision_shown(tmp_path, shown, ok):
    # 85.04 rounds to 85.0 and to 85 (half a unit of the last digit shown), not to 85.1 or 84.9
    found = page_findings(_page(tmp_path, s1=shown), SCORES)
    assert (found == []) == ok, found
    if not ok:
        assert found == [f"p.html: table 1: supervisor S1 Total score shows '{shown}', recomputed 85.04"]


def test_without_scores_only_the_elements_are_checked(tmp_path):
    assert page_findings(_page(tmp_path, s1="1.0"), None) == []
