"""Executed notebook -> one self-contained HTML page without code, that opens offline."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

from perfmodel.core.deprecation import keyword_only
from perfmodel.core.numbers import format_number
from perfmodel.reporting.inert import visible

# Extends JupyterLab's template and empties every block that would load a script from a
# CDN (require.js, MathJax, Mermaid, widgets): a report must open without a network.
_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block extra_css %}
<style>
  /* Chinese text: the reader's own CJK fonts (Windows, macOS, Linux), nothing downloaded. */
  :root {
    --jp-content-font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB",
      "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", helvetica,
      arial, sans-serif;
    --jp-ui-font-family: var(--jp-content-font-family);
  }
  body { max-width: 1100px; margin: 0 auto; }
  .jp-Cell { padding: 2px 0; }
  table.dataframe, .jp-RenderedHTMLCommon table { font-size: 12px; }
  @media print { .jp-Cell { break-inside: avoid; } }
</style>
{% endblock extra_css %}
"""
# Any URL that a browser would fetch: src=/href= with a scheme, CSS url(), @import.
_FETCH = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
                    re.IGNORECASE)
REMOVE_TAG = "remove-from-report"


_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def _strip_style_comments(html: str) -> str:
    # The theme's CSS credits its sources in comments with URLs; none is fetched, but an
    # offline page should not even mention one.
    return _STYLE.sub(lambda m: m.group(1) + _CSS_COMMENT.sub("", m.group(2)) + m.group(3), html)


def external_urls(html: str) -> list[str]:
    """Return the places in ``html`` that would make a browser fetch something remote.

    Returns
    -------
    list of str
        Short excerpts around each ``src=``/``href=``/``url()``/``@import`` that points at
        an ``http(s)://`` or protocol-relative URL (empty for an offline page).

    Examples
    --------
    >>> external_urls('<img src="https://cdn.example/x.png"><a href="S01.html">S01</a>')
    ['<img src="https://cdn.example/x.png"><a href="S01.html">S01</a>']
    >>> external_urls('<a href="S01.html">S01</a><style>td { color: red; }</style>')
    []
    """
    return [html[max(m.start() - 20, 0):m.end() + 60] for m in _FETCH.finditer(html)]


def without_stderr(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``notebook`` without the text its cells wrote to stderr.

    Warnings, log lines and progress bars go to stderr; they are for whoever runs the
    notebook (the executed ``.ipynb`` keeps them), never part of a published page.

    Returns
    -------
    nbformat.NotebookNode
        A deep copy; ``notebook`` itself is left as it is.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("show_scores(ctx)", outputs=[
    ...     nbformat.v4.new_output("stream", name="stdout", text="mean 82.4\\n"),
    ...     nbformat.v4.new_output("stream", name="stderr", text="UserWarning: slow\\n")])
    >>> nb = nbformat.v4.new_notebook(cells=[cell])
    >>> [o.name for o in without_stderr(nb).cells[0].outputs], len(nb.cells[0].outputs)
    (['stdout'], 2)
    """
    import copy

    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return notebook


def notebook_to_html(notebook, html_path=None, *, title: str | None = None) -> str:
    """Convert an executed notebook into an offline HTML page without input cells.

    Code cells show only their outputs, without what they wrote to stderr (warnings,
    logs: see :func:`without_stderr`); markdown cells tagged ``remove-from-report``
    (narrative for people editing the notebook) are dropped; images are embedded as
    base64; no script, font or style is loaded from elsewhere.

    Parameters
    ----------
    notebook : path or nbformat.NotebookNode
    html_path : path, optional
        Where to write the page (UTF-8).
    title : str, optional
        The page title (default: the notebook's file name).

    Returns
    -------
    str
        The HTML text.

    Examples
    --------
    >>> import nbformat, tempfile
    >>> from pathlib import Path
    >>> cell = nbformat.v4.new_code_cell("print(summary)", outputs=[
    ...     nbformat.v4.new_output("stream", name="stdout", text="mean 82.4\\n"),
    ...     nbformat.v4.new_output("stream", name="stderr", text="UserWarning: slow\\n")])
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 季度报告"), cell])
    >>> path = Path(tempfile.mkdtemp()) / "2026Q3.html"
    >>> html = notebook_to_html(nb, path, title="2026Q3")
    >>> "<title>2026Q3</title>" in html, "季度报告" in html, "mean 82.4" in html
    (True, True, True)
    >>> "print(summary)" in html, "UserWarning" in html, external_urls(html)  # no code, no stderr
    (False, False, [])
    >>> path.read_text(encoding="utf-8") == html
    True
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    if not isinstance(notebook, nbformat.NotebookNode):
        path = Path(notebook)
        notebook = nbformat.read(str(path), as_version=4)
        title = title or path.stem
    notebook = without_stderr(notebook)
    c = Config()
    c.TagRemovePreprocessor.remove_cell_tags = {REMOVE_TAG, "parameters", "injected-parameters"}
    c.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=c, template_name="lab", template_file="perfmodel_offline.html.j2",
                            extra_loaders=[DictLoader({"perfmodel_offline.html.j2": _TEMPLATE})])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    exporter.exclude_anchor_links = True
    exporter.register_preprocessor("nbconvert.preprocessors.TagRemovePreprocessor", enabled=True)
    resources = {"metadata": {"name": title or "report"}}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    # whatever a cell printed: no control or bidi character reaches the page
    body = visible(_strip_style_comments(body))
    if html_path is not None:
        Path(html_path).write_text(body, encoding="utf-8")
    return body


def banner_html(text: str) -> str:
    """Return the banner block shown at the top of every page of a run on synthetic data.

    Returns
    -------
    str
        One ``<div class="perfmodel-banner">`` with inline styles, ``text`` escaped.

    Examples
    --------
    >>> print(banner_html("Synthetic <data>"))  # doctest: +ELLIPSIS
    <div class="perfmodel-banner" style="border:2px solid #b45309;...">Synthetic &lt;data&gt;</div>
    """
    from html import escape

    return ('<div class="perfmodel-banner" style="border:2px solid #b45309;background:#fef3c7;'
            'color:#78350f;padding:8px 12px;margin:4px 0 12px;font-weight:bold;font-size:15px">'
            f"{escape(text)}</div>")


_INDEX_CSS = """
  body { font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
         "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", helvetica, arial, sans-serif;
         max-width: 1100px; margin: 0 auto; padding: 16px; color: #1f2937; }
  h1 { font-size: 24px; }
  table { border-collapse: collapse; font-size: 13px; }
  th, td { padding: 4px 12px; border-bottom: 1px solid #d1d5db; text-align: left; }
  th { border-bottom: 2px solid #6b7280; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
"""


@keyword_only("lang")
def feedback_index(path, pages, period: str, *, lang: str = "en", banner: str | None = None) -> str:
    """Write the offline index page of a feedback run: one row per supervisor, linking their page.

    Parameters
    ----------
    pages : pandas.DataFrame or list of (str, str)
        One row per page: ``supervisor_id``, ``href`` (relative file name of the page) and
        optionally ``name``, ``team``, ``score`` and ``rating``, shown as columns (a score
        with one decimal). A list of (supervisor id, file name) pairs is accepted too.
    banner : str, optional
        Shown above the title (the synthetic-data notice).

    Returns
    -------
    str
        The HTML text, also written to ``path`` (UTF-8).

    Examples
    --------
    >>> import re, tempfile
    >>> import pandas as pd
    >>> from pathlib import Path
    >>> pages = pd.DataFrame({"supervisor_id": ["S01", "S02"], "href": ["S01.html", "S02.html"],
    ...                       "name": ["王伟", "李娜"], "score": [91.27, 78.5]})
    >>> html = feedback_index(Path(tempfile.mkdtemp()) / "index.html", pages, "2026Q3", lang="zh")
    >>> re.findall("<title>.*?</title>", html)
    ['<title>绩效反馈 — 2026Q3</title>']
    >>> for row in re.findall("<tr>.*?</tr>", html):
    ...     print(row)
    <tr><th>主管编号</th><th>姓名</th><th>总分</th></tr>
    <tr><td><a href="S01.html">S01</a></td><td><a href="S01.html">王伟</a></td><td class="num">91.3</td></tr>
    <tr><td><a href="S02.html">S02</a></td><td><a href="S02.html">李娜</a></td><td class="num">78.5</td></tr>
    """
    from html import escape

    import pandas as pd

    from perfmodel.core.i18n import t

    if not isinstance(pages, pd.DataFrame):
        pages = pd.DataFrame(list(pages), columns=["supervisor_id", "href"])
    shown = [c for c in ("supervisor_id", "name", "team", "score", "rating") if c in pages.columns]
    title = escape(t("feedback_index_title", lang=lang, period=period))
    head = "".join(f"<th>{escape(t(c, lang=lang))}</th>" for c in shown)
    rows = []
    for rec in pages.to_dict("records"):
        cells = []
        for c in shown:
            value = rec.get(c)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                text = ""
            elif c == "score":
                text = format_number(float(value), ",.1f")
            else:
                text = visible(str(value))
            if c in ("supervisor_id", "name") and text:
                text = f'<a href="{escape(str(rec["href"]))}">{escape(text)}</a>'
            else:
                text = escape(text)
            cells.append(f'<td class="num">{text}</td>' if c == "score" else f"<td>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body = "\n".join(rows)
    top = banner_html(banner) + "\n" if banner else ""
    html = (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{_INDEX_CSS}</style></head>\n<body>{top}<h1>{title}</h1>\n"
            f"<table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></body></html>\n")
    Path(path).write_text(html, encoding="utf-8")
    return html
