"""Checks of a run's published outputs against the tables recomputed from its inputs.

``audit verify`` recomputes the indicator and score tables of a run; this module compares
what people read with them, so that an output edited after the run is named even when
its hash in the manifest was rewritten too:

* the Excel workbook: the value of every cell of the scores and indicators sheets
  (read with openpyxl: values, not formats) against the recomputed tables;
* the HTML pages: every element and attribute against an allow-list of what the report
  pages contain (no ``<script>``, no event handler, images embedded as ``data:image``,
  no link that leaves the run), and the numbers of every score table (a table with a
  supervisor column and a total, result or process score or a rating; on a feedback
  page, its table of indicator scores) against the recomputed scores, to the precision
  shown.

The pages are not re-rendered (that would execute the notebooks again); what is checked
of them is their structure and their score tables.
"""
from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

# What the report pages (nbconvert's lab template without scripts, Markdown, the report
# tables and PNG figures) legitimately contain.
ALLOWED_TAGS = frozenset({
    "html", "head", "meta", "title", "style", "body", "main", "div", "span", "section", "header",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ol", "ul", "li", "dl", "dt", "dd",
    "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "code", "pre",
    "kbd", "samp", "blockquote", "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr",
    "th", "td", "img", "figure", "figcaption", "a", "details", "summary", "abbr",
})
ALLOWED_ATTRIBUTES = frozenset({
    "lang", "charset", "name", "content", "type", "class", "id", "tabindex", "style", "scoped",
    "border", "rowspan", "colspan", "valign", "align", "alt", "src", "href", "title", "width", "height",
    "start", "dir",
})
_META_NAMES = frozenset({"viewport", "generator", "description"})
_SCHEME = re.compile(r"^\s*[a-zA-Z][a-zA-Z0-9+.\-]*:")
_MAX_PER_FILE = 20  # findings listed per file; the rest are counted
_CSS_URL = re.compile(r"url\(\s*[\"']?\s*([^\"')\s]*)", re.IGNORECASE)
_CSS_ACTIVE = re.compile(r"@import|expression\s*\(|behavior\s*:|-moz-binding", re.IGNORECASE)


def css_problem(css: str) -> str | None:
    """Return what in a piece of CSS would fetch or run something (None when nothing would).

    The theme's own CSS embeds its icons as ``url(data:image/...)``; any other ``url()``,
    ``@import``, ``expression()`` or binding is a problem.

    Examples
    --------
    Icons embedded as data are fine; an import or an address outside the page is not:

    >>> css_problem("body { background: url(data:image/png;base64,iVBOR) }") is None
    True
    >>> css_problem("@import 'https://x.example/a.css';")
    '@import'
    >>> css_problem("a { background: url(https://tracker.example/p.gif) }")
    'url(https://tracker.example/p.gif'
    """
    m = _CSS_ACTIVE.search(css)
    if m:
        return m.group(0)
    for m in _CSS_URL.finditer(css):
        if not m.group(1).lower().startswith("data:image/"):
            return f"url({m.group(1)[:40]}"
    return None


# --------------------------------------------------------------------------- workbook

def _same_cell(value, expected) -> bool:
    missing = expected is None or expected is pd.NA or expected is pd.NaT or (
        isinstance(expected, float) and math.isnan(expected))
    if missing:
        return value is None or value == ""
    if value is None:
        return expected == ""  # an empty text and an empty cell look the same (openpyxl saves "" as empty)
    if isinstance(expected, bool) or type(expected).__name__ == "bool_":
        return value is bool(expected) or value == bool(expected)
    if isinstance(expected, (int, float)) or pd.api.types.is_number(expected):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        e = float(expected)
        return math.isclose(float(value), e, rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(expected, pd.Timestamp):
        return pd.Timestamp(value) == expected.tz_localize(None) if value is not None else False
    return str(value) == str(expected)


def _show(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "empty"
    if isinstance(value, float):
        return f"{value:.10g}"
    return repr(str(value)) if isinstance(value, str) else str(value)


def workbook_findings(path, sheets: list[tuple[int, pd.DataFrame, str]]) -> list[str]:
    """Compare cells of a workbook with the tables they should hold.

    Parameters
    ----------
    path : path
        The ``.xlsx`` file.
    sheets : list of (int, pandas.DataFrame, str)
        Per sheet to check: its position (0 first), the expected table (columns in sheet
        order, rows in sheet order, below one header row) and the column naming a row in
        messages (e.g. ``supervisor_id``).

    Returns
    -------
    list of str
        One line per cell (or sheet shape) that differs, at most 20 per sheet plus a
        count of the rest; empty when every value matches.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "scores.xlsx"
    >>> scores = pd.DataFrame({"supervisor_id": ["S1", "S2"], "score": [88.25, 71.5],
    ...                        "rating": ["A", "B"]})
    >>> scores.to_excel(path, index=False)
    >>> workbook_findings(path, [(0, scores, "supervisor_id")])
    []
    >>> recomputed = scores.assign(score=[88.25, 75.0])
    >>> workbook_findings(path, [(0, recomputed, "supervisor_id")])
    ['scores.xlsx sheet Sheet1 row 3 (supervisor_id S2) column score: 71.5 in the workbook, recomputed 75']
    """
    from openpyxl import load_workbook

    path = Path(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any damage to the file is a finding
        return [f"{path.name}: cannot be read as a workbook ({type(exc).__name__})"]
    out = []
    try:
        names = wb.sheetnames
        for pos, expected, key in sheets:
            if pos >= len(names):
                out.append(f"{path.name}: sheet {pos + 1} is missing")
                continue
            ws = wb[names[pos]]
            rows = list(ws.iter_rows(values_only=True))
            body = rows[1:]
            found = []
            if len(body) != len(expected):
                found.append(f"{path.name} sheet {names[pos]}: {len(body)} rows, recomputed {len(expected)}")
            width = len(expected.columns)
            if rows and len([c for c in rows[0] if c is not None]) != width:
                found.append(f"{path.name} sheet {names[pos]}: {len([c for c in rows[0] if c is not None])} "
                             f"columns, recomputed {width}")
            keys = expected[key].tolist() if key in expected.columns else [None] * len(expected)
            for i, (row, exp) in enumerate(zip(body, expected.itertuples(index=False, name=None))):
                cells = list(row) + [None] * max(0, width - len(row))
                for j, col in enumerate(expected.columns):
                    if not _same_cell(cells[j], exp[j]):
                        who = f" ({key} {keys[i]})" if keys[i] is not None else ""
                        found.append(f"{path.name} sheet {names[pos]} row {i + 2}{who} column {col}: "
                                     f"{_show(cells[j])} in the workbook, recomputed {_show(exp[j])}")
            out += _capped(found)
    finally:
        wb.close()
    return out


def _capped(found: list[str]) -> list[str]:
    if len(found) <= _MAX_PER_FILE:
        return found
    return found[:_MAX_PER_FILE] + [f"... and {len(found) - _MAX_PER_FILE} more difference(s) like these"]


# --------------------------------------------------------------------------- pages

class _Page(HTMLParser):
    """Collects the elements outside the allow-list and the tables (with their cells)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._stack: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._style = False

    def _where(self) -> str:
        return f"line {self.getpos()[0]}"

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag == "style":
            self._style = True
        elif tag == "table":
            self._stack.append([])
        elif tag == "tr" and self._stack:
            self._stack[-1].append([])
        elif tag in ("td", "th") and self._stack and self._stack[-1]:
            self._cell = []

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "style":
            self._style = False
        if tag in ("td", "th") and self._cell is not None and self._stack and self._stack[-1]:
            self._stack[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())

    def handle_data(self, data):
        if self._style:
            problem = css_problem(data)
            if problem:
                self.bad.append(f"a <style> ending at {self._where()} loads or runs something ({problem!r})")
        if self._cell is not None:
            self._cell.append(data)

    def _check(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.bad.append(f"element <{tag}> at {self._where()} is not allowed in a report page")
            return
        for name, value in attrs:
            value = value or ""
            if name.startswith("data-"):
                continue
            if name not in ALLOWED_ATTRIBUTES:
                self.bad.append(f"attribute {name}= of <{tag}> at {self._where()} is not allowed in a report page")
            elif name == "src" and not value.startswith("data:image/"):
                self.bad.append(f"<{tag} src=…> at {self._where()} is not an embedded image ({value[:40]!r})")
            elif name == "href" and (_SCHEME.match(value) or value.strip().startswith("//")):
                self.bad.append(f"<{tag} href=…> at {self._where()} leaves the run ({value[:40]!r})")
            elif name == "style" and css_problem(value):
                self.bad.append(f"style of <{tag}> at {self._where()} loads or runs something "
                                f"({css_problem(value)!r})")
            elif tag == "meta" and name == "name" and value not in _META_NAMES:
                self.bad.append(f"<meta name={value!r}> at {self._where()} is not allowed in a report page")


_NUMBER = re.compile(r"[+-]?\d*\.?\d+")


def _number(text: str):
    t = text.strip().replace("\u2212", "-").replace(",", "")
    return float(t) if _NUMBER.fullmatch(t) else None


def _decimals(text: str) -> int:
    t = text.strip()
    return len(t.split(".", 1)[1]) if "." in t else 0


def page_findings(path, scores: pd.DataFrame | None = None, *, period: str | None = None,
                  lang: str = "en", supervisor: str | None = None) -> list[str]:
    """Check one HTML page: its elements against the allow-list, its score tables against ``scores``.

    Parameters
    ----------
    path : path
        The page.
    scores : pandas.DataFrame, optional
        The recomputed scores of the run (supervisor_id, score, result_score,
        process_score, rating ...). None checks the elements only (pages that show other
        scores, such as a calibration's alternatives).
    period : str, optional
        The run's period: rows of a table with a period column for another period are
        not compared.
    lang : {"en", "zh"}
        The language of the page's column headers.
    supervisor : str, optional
        The supervisor a feedback page is about: its table of indicator scores (indicator
        name, indicator score) is compared with that supervisor's recomputed
        ``score_<indicator>`` columns.

    Returns
    -------
    list of str
        One line per element outside the allow-list and per score cell that differs from
        the recomputed value to the precision shown (at most 20, plus a count).

    Examples
    --------
    A page with a script, and a rating edited after the run; the score 88.25 shown as 88.3 is
    right to the precision shown:

    >>> import tempfile
    >>> page = Path(tempfile.mkdtemp()) / "report.html"
    >>> _ = page.write_text(
    ...     "<html><body><table>"
    ...     "<tr><th>Supervisor</th><th>Total score</th><th>Rating</th></tr>"
    ...     "<tr><td>S1</td><td>88.3</td><td>A</td></tr>"
    ...     "<tr><td>S2</td><td>71.5</td><td>A</td></tr>"
    ...     "</table><script>alert(1)</script></body></html>", encoding="utf-8")
    >>> scores = pd.DataFrame({"supervisor_id": ["S1", "S2"], "score": [88.25, 71.5],
    ...                        "rating": ["A", "B"]})
    >>> for finding in page_findings(page, scores):
    ...     print(finding)
    report.html: element <script> at line 1 is not allowed in a report page
    report.html: table 1: supervisor S2 Rating shows 'A', recomputed B
    """
    from perfmodel.core.i18n import t

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{path.name}: cannot be read as a UTF-8 page ({type(exc).__name__})"]
    page = _Page()
    page.feed(text)
    page.close()
    found = [f"{path.name}: {b}" for b in page.bad]
    if scores is not None:
        found += _score_table_findings(path.name, page.tables, scores, period, lang=lang, t=t)
        if supervisor is not None:
            found += _indicator_score_findings(path.name, page.tables, scores, supervisor, lang=lang, t=t)
    return _capped(found)


def _same_number(shown: str, want) -> bool:
    missing = want is None or (not isinstance(want, str) and pd.isna(want))
    x = _number(shown)
    if missing:
        return x is None
    tol = 0.5 * 10 ** -_decimals(shown) * (1 + 1e-6) + 1e-9
    return x is not None and abs(x - float(want)) <= tol


def _indicator_score_findings(name, tables, scores, supervisor, *, lang, t) -> list[str]:
    from perfmodel.core.i18n import indicator_label

    own = scores[scores["supervisor_id"].astype(str) == str(supervisor)]
    if own.empty:
        return [f"{name}: supervisor {supervisor} is not in the recomputed scores"]
    own = own.iloc[0]
    by_label = {indicator_label(c[len("score_"):], lang=lang): c for c in scores.columns if c.startswith("score_")}
    score_label, ind_label = t("indicator_score", lang=lang), t("indicator", lang=lang)
    found = []
    for n, rows in enumerate(tables, start=1):
        if not rows or score_label not in rows[0]:
            continue
        header = rows[0]
        j, i = header.index(score_label), header.index(ind_label) if ind_label in header else 0
        for row in rows[1:]:
            if len(row) != len(header) or row[i] not in by_label:
                continue
            want = own[by_label[row[i]]]
            if not _same_number(row[j], want):
                want_text = "none" if pd.isna(want) else f"{float(want):.4g}"
                found.append(f"{name}: table {n}: {row[i]} {score_label} shows {row[j]!r}, recomputed {want_text}")
    return found


def _score_table_findings(name, tables, scores, period, *, lang, t) -> list[str]:
    labels = {col: t(col, lang=lang) for col in ("score", "result_score", "process_score", "rating")}
    sup_label, period_label = t("supervisor_id", lang=lang), t("period", lang=lang)
    # a page shows a cell's text with its white space collapsed, as _Page reads it
    by_id = scores.assign(supervisor_id=scores["supervisor_id"].map(lambda v: " ".join(str(v).split())))
    by_id = by_id.drop_duplicates("supervisor_id").set_index("supervisor_id")
    found = []
    for n, rows in enumerate(tables, start=1):
        if not rows:
            continue
        header = rows[0]
        if sup_label not in header:
            continue
        cols = {col: header.index(label) for col, label in labels.items() if label in header}
        if not cols:
            continue
        i_sup = header.index(sup_label)
        i_per = header.index(period_label) if period_label in header else None
        for row in rows[1:]:
            if len(row) != len(header):
                continue
            if i_per is not None and period and row[i_per] != period:
                continue
            sid = row[i_sup]
            if sid not in by_id.index:
                found.append(f"{name}: table {n}: supervisor {sid} is not in the recomputed scores")
                continue
            rec = by_id.loc[sid]
            for col, j in cols.items():
                shown, want = row[j], rec[col]
                missing = want is None or (not isinstance(want, str) and pd.isna(want))
                if col == "rating":
                    ok = (shown in ("", "—")) if missing else shown == str(want)
                else:
                    ok = _same_number(shown, want)
                if not ok:
                    want_text = "none" if missing else (str(want) if col == "rating" else f"{float(want):.4g}")
                    found.append(f"{name}: table {n}: supervisor {sid} {labels[col]} shows {shown!r}, "
                                 f"recomputed {want_text}")
    return found
