"""Displaying report content: headings, text, HTML tables and figures, values with units."""
from __future__ import annotations

import html as _html
import re

import numpy as np
import pandas as pd

from perfmodel.core.deprecation import keyword_only
from perfmodel.core.numbers import format_with
from perfmodel.core.i18n import (
    columns,
    t,
)
from perfmodel.reporting.inert import visible

# targets: one module says what a target is, whether it is met and how to state it


def _display(*objs):
    from IPython.display import display

    for o in objs:
        display(o)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:<>])")


def md_escape(value) -> str:
    """Text from the data made inert in Markdown: no HTML, no links, no emphasis.

    ``<script>`` becomes ``&lt;script&gt;`` and every Markdown punctuation mark is escaped
    with a backslash (``http\\://x`` is not turned into a link); control and bidi
    characters become U+FFFD (:func:`perfmodel.reporting.inert.visible`).

    Returns
    -------
    str
        The escaped text.

    Examples
    --------
    >>> print(md_escape("<b>王伟</b> http://x *top*"))
    &lt;b&gt;王伟&lt;/b&gt; http\\://x \\*top\\*
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _html.escape(visible(str(value)), quote=False))


@keyword_only("lang", "level")
def heading(key: str, *, lang: str, level: int = 2, **values):
    """Display a heading from the label table; the values (names from the data) are escaped.

    Returns
    -------
    None
        The heading is displayed as Markdown (in a notebook, rendered; elsewhere its repr).

    Examples
    --------
    >>> from perfmodel.core.i18n import t
    >>> t("quarterly_title", lang="zh", period="2026Q3")  # the text of the heading
    '季度绩效报告 — 2026Q3'
    >>> heading("quarterly_title", lang="zh", period="2026Q3")
    <IPython.core.display.Markdown object>
    """
    from IPython.display import Markdown

    safe = {k: md_escape(v) for k, v in values.items()}
    _display(Markdown(f"{'#' * level} {t(key, lang=lang, **safe)}"))


def text(body: str):
    """Display a paragraph of Markdown text.

    Returns
    -------
    None
        The paragraph is displayed (in a notebook, rendered; elsewhere its repr).

    Examples
    --------
    >>> text("Mean score **82.4**")
    <IPython.core.display.Markdown object>
    """
    from IPython.display import Markdown

    _display(Markdown(body))


# Text that reads as a number (a value with its unit or sign): right-aligned like numbers.
_NUMBER_TEXT = re.compile(r"^(?:[≥≤<>±+\-−]\s*)?[-−+]?[\d,]*\.?\d+(?:e[-+]?\d+)?\s*(?:%|h|B|pt)?$|^—?$"
                          r"|^\d+–\d+$")  # and a range of ranks, 13–28
# Columns of sentences, which may wrap; every other cell stays on one line (ids, names, labels).
WRAP_COLUMNS = frozenset({"message", "reason", "record", "missing"})


def _is_number_column(original: pd.Series, shown: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(original) and not pd.api.types.is_bool_dtype(original):
        return True
    cells = [str(v).strip() for v in shown if not (v is None or (not isinstance(v, str) and pd.isna(v)))]
    return bool(cells) and all(_NUMBER_TEXT.match(c) for c in cells)


def html_table(shown: pd.DataFrame, numbers, wrap=()) -> str:
    """A plain HTML table: numbers right-aligned, text left-aligned, short text kept on one line.

    Parameters
    ----------
    shown : pandas.DataFrame
        The cells as displayed (already formatted; NA shown as ``—``).
    numbers : sequence of bool
        Per column (by position): right-align it as a number.
    wrap : sequence of bool, optional
        Per column: its text may wrap (sentences); other cells never wrap (headers may).

    Returns
    -------
    str
        ``<table class="dataframe">`` with inline styles (the same in JupyterLab and in the
        exported page), every cell escaped, no ids.

    Examples
    --------
    >>> import pandas as pd
    >>> shown = pd.DataFrame({"name": ["王伟", "<i>x</i>"], "tickets": ["72,000", "3"]})
    >>> html = html_table(shown, numbers=[False, True])
    >>> print(html.splitlines()[3])  # doctest: +NORMALIZE_WHITESPACE
    <tr><td style="text-align: left; white-space: nowrap;">王伟</td><td style="text-align: right;
    white-space: nowrap;">72,000</td></tr>
    >>> "&lt;i&gt;x&lt;/i&gt;" in html, "<i>" in html
    (True, False)
    """
    wrap = list(wrap) or [False] * shown.shape[1]

    def style(j, header=False):
        align = "right" if numbers[j] else "left"
        # a header of several words may wrap, so that a wide table still fits the page
        return f"text-align: {align};" + ("" if wrap[j] or header else " white-space: nowrap;")

    def cell(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return "—"
        return _html.escape(visible(str(v)))

    head = "".join(f'<th style="{style(j, header=True)}">{cell(c)}</th>' for j, c in enumerate(shown.columns))
    rows = "\n".join("<tr>" + "".join(f'<td style="{style(j)}">{cell(v)}</td>' for j, v in enumerate(row))
                      + "</tr>" for row in shown.itertuples(index=False, name=None))
    return (f'<table border="0" class="dataframe">\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{rows}\n</tbody>\n</table>")


# Integer columns that are identifiers or settings, not counts: never written 2,026.
NOT_COUNTS = frozenset({"seed", "year", "lag", "row", "line", "version"})


def count_columns(df: pd.DataFrame) -> list[str]:
    """Return the integer columns of ``df`` that hold counts (every one but :data:`NOT_COUNTS`).

    Returns
    -------
    list of str
        In the order of ``df``'s columns; booleans and floats are not counts.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"tickets": [72000], "year": [2026], "rate": [0.9], "late": [True]})
    >>> count_columns(df)
    ['tickets']
    """
    return [c for c in df.columns if pd.api.types.is_integer_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            and str(c) not in NOT_COUNTS]


@keyword_only("lang", "formats", "rename", "max_rows")
def table(df: pd.DataFrame, *, lang: str = "en", formats: dict | None = None, rename: bool = True,
          max_rows: int | None = None):
    """Display a DataFrame as a plain HTML table, labels in ``lang``, numbers formatted.

    Numbers (and text that reads as a number, e.g. ``≥ 4.30``, ``19.5 %``) are
    right-aligned, other text left-aligned; ids, names and labels stay on one line, the
    sentences of :data:`WRAP_COLUMNS` may wrap (see :func:`html_table`).

    Parameters
    ----------
    formats : dict, optional
        Column -> format string (``"{:.1f}"``) or callable, applied before renaming. Fixed-point
        and percent formats round as Excel displays the workbook (half away from zero, see
        :mod:`perfmodel.core.numbers`), so the page and the workbook show the same figures.
        Counts (see :func:`count_columns`) get thousands separators (``72,000``) unless
        a format is given for them.

    Returns
    -------
    pandas.DataFrame
        ``df`` with a fresh index (at most ``max_rows`` rows), unformatted; the table is
        displayed as HTML (in a notebook, rendered; elsewhere its repr).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"supervisor_id": ["S01", "S02", "S03"], "total_score": [91.25, 78.5, 60.0]})
    >>> shown = table(df, lang="zh", formats={"total_score": "{:.1f}"}, max_rows=2)
    <IPython.core.display.HTML object>
    >>> shown
      supervisor_id  total_score
    0           S01        91.25
    1           S02        78.50
    """
    from IPython.display import HTML

    df = df.reset_index(drop=True)
    if max_rows is not None:
        df = df.head(max_rows)
    shown = df.copy()
    formats = {**{c: "{:,}" for c in count_columns(df)}, **(formats or {})}
    for col, fmt in formats.items():
        if col in shown:
            f = fmt if callable(fmt) else (lambda v, fmt=fmt: "" if pd.isna(v) else format_with(fmt, v))
            shown[col] = shown[col].map(f)
    numbers = [_is_number_column(df.iloc[:, j], shown.iloc[:, j]) for j in range(df.shape[1])]
    wrap = [c in WRAP_COLUMNS for c in df.columns]
    if rename:
        shown = columns(shown, lang=lang)
    _display(HTML(html_table(shown, numbers, wrap)))
    return df


def figure(fig):
    """Display a matplotlib figure (as PNG).

    Returns
    -------
    None
        The figure is displayed (in a notebook, as PNG; elsewhere its repr).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> figure(Figure(figsize=(2, 1), dpi=100))
    Figure(200x100)
    """
    _display(fig)


def _median(values) -> float:
    # The median of the values present; NaN (without numpy's empty-slice warning) when none is.
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else float("nan")
