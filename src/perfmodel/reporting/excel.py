"""A formatted Excel workbook: one sheet per table, header formats, number formats,
frozen header, column widths. Byte-identical for identical tables (fixed document dates)."""
from __future__ import annotations

import unicodedata
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

_FIXED_DATE = datetime(2000, 1, 1)  # document properties must not carry the run time
_FORMULA_START = ("=", "+", "-", "@")


def _display_width(text: str) -> int:
    # CJK characters take two columns in Excel's default fonts.
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _number_format(series: pd.Series, name: str) -> str | None:
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "#,##0"
    values = series.dropna().to_numpy(dtype=float)
    if values.size and np.all(np.mod(values, 1) == 0) and name.endswith(("rows", "_read", "_used",
                                                                        "_quarantined", "row", "bytes")):
        return "#,##0"
    if name.startswith("score_") or name.endswith("score"):  # points on the policy's scale, never a share
        return "#,##0.00"
    if name.endswith(("_rate", "_share")) or name in ("share", "p_same_rating"):
        return "0.0%"
    return "#,##0.00"


def _cell(value):
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def write_workbook(path, sheets: dict[str, pd.DataFrame], *, headers: dict[str, dict[str, str]] | None = None) -> Path:
    """Write tables into one formatted ``.xlsx`` workbook.

    Parameters
    ----------
    path : path
        The workbook to write.
    sheets : dict of str to pandas.DataFrame
        Sheet name (at most 31 characters) -> table, in sheet order.
    headers : dict, optional
        Per sheet, display labels for column names (e.g. Chinese headers).

    Returns
    -------
    pathlib.Path
        ``path``. Text starting with ``= + - @`` is written as text, never as a formula.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import openpyxl
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"supervisor_id": ["S01"], "name": ["王伟"], "total_score": [91.25],
    ...                        "tickets": [72000], "note": ["=1+1"]})
    >>> path = write_workbook(Path(tempfile.mkdtemp()) / "scores.xlsx", {"scores": scores},
    ...                       headers={"scores": {"name": "姓名"}})
    >>> ws = openpyxl.load_workbook(path)["scores"]
    >>> [c.value for c in ws[1]]
    ['supervisor_id', '姓名', 'total_score', 'tickets', 'note']
    >>> [c.value for c in ws[2]], ws["E2"].data_type  # the formula stays text ("s")
    (['S01', '王伟', 91.25, 72000, '=1+1'], 's')
    >>> [c.number_format for c in ws[2]][2:4], ws.freeze_panes
    (['#,##0.00', '#,##0'], 'A2')
    >>> again = write_workbook(Path(tempfile.mkdtemp()) / "scores.xlsx", {"scores": scores},
    ...                        headers={"scores": {"name": "姓名"}})
    >>> again.read_bytes() == path.read_bytes()  # same tables, same bytes
    True
    """
    import xlsxwriter

    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "nan_inf_to_errors": True})
    wb.set_properties({"created": _FIXED_DATE, "author": "perfmodel", "title": path.stem})
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                            "valign": "top"})
    formats = {f: wb.add_format({"num_format": f}) for f in ("#,##0", "#,##0.00", "0.0%")}
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, df in sheets.items():
        ws = wb.add_worksheet(name[:31])
        labels = (headers or {}).get(name, {})
        df = df.reset_index(drop=True)
        for j, col in enumerate(df.columns):
            label = str(labels.get(col, col))
            ws.write_string(0, j, label, header)
            series = df[col]
            fmt_name = _number_format(series, str(col))
            fmt = formats.get(fmt_name) if fmt_name else None
            is_date = pd.api.types.is_datetime64_any_dtype(series)
            width = _display_width(label)
            for i, value in enumerate(series.tolist(), start=1):
                v = _cell(value)
                if v is None:
                    continue
                if is_date:
                    ws.write_datetime(i, j, v, datefmt)
                    width = max(width, 16)
                elif isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(i, j, v, fmt)
                    width = max(width, min(len(f"{v:,.2f}"), 18))
                else:
                    text = str(v)
                    ws.write_string(i, j, text)  # write_string: never a formula
                    width = max(width, min(_display_width(text), 60))
            ws.set_column(j, j, min(max(width + 2, 8), 62))
        ws.freeze_panes(1, 0)
        if len(df.columns):
            ws.autofilter(0, 0, max(len(df), 1), len(df.columns) - 1)
    wb.close()
    return path
