"""Writing result tables to CSV, Parquet or Excel, deterministically and formula-safe.

* CSV: UTF-8 with a byte-order mark (``utf-8-sig``, so Excel on a Chinese Windows reads
  it as UTF-8 and not as GBK), ``\\n`` line ends, no index, floats as ``%.10g`` (so the last
  bits of a floating-point sum, which may depend on the order of a parallel
  aggregation, never change the file), rows sorted by every column left to right
  (unless ``sort=False``), missing values as empty cells.
* Parquet: no index, rows in the same order.
* Excel (``.xlsx``, one sheet): every text cell is written as text, never as a formula,
  a link or a number; the workbook's creation time is fixed so the same table gives the
  same file.

A text cell that begins with ``=``, ``+``, ``-`` or ``@`` could run as a formula when a
spreadsheet opens the file ("CSV injection"). In CSV such a cell is written with a
leading single quote (``'=SUM(A1)``), the usual escape; in Excel it is stored as a text
cell unchanged.
"""
from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path

import numpy as np
import pandas as pd

from perfmodel.core.errors import PerfmodelError, UsageError

FLOAT_FORMAT = "%.10g"
FORMULA_PREFIXES = ("=", "+", "-", "@")
SUFFIXES = (".csv", ".parquet", ".xlsx")
_FIXED_TIME = _dt.datetime(2000, 1, 1)
CSV_ENCODING = "utf-8-sig"


class OutputError(PerfmodelError):
    """An output file cannot be written (a folder in the way, no permission, no such place)."""


def escape_formula(text):
    """Return ``text`` with a leading single quote when it begins with = + - or @.

    Examples
    --------
    A cell that a spreadsheet would run as a formula is kept as text:

    >>> escape_formula("=SUM(A1:A9)"), escape_formula("-5"), escape_formula("王芳"), escape_formula(3)
    ("'=SUM(A1:A9)", "'-5", '王芳', 3)
    """
    if isinstance(text, str) and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty or df.shape[1] == 0:
        return df.reset_index(drop=True)
    keys = []
    for col in df.columns:
        s = df[col]
        # Sort mixed/object columns by their text so the order never depends on types.
        keys.append(s if (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s))
                    and not pd.api.types.is_bool_dtype(s) else s.astype("string"))
    tmp = pd.DataFrame({f"k{i}": k.to_numpy() for i, k in enumerate(keys)})
    order = tmp.sort_values(list(tmp.columns), kind="mergesort", na_position="last").index
    return df.iloc[order].reset_index(drop=True)


def _text_columns(df: pd.DataFrame) -> list:
    return [c for c in df.columns
            if pd.api.types.is_object_dtype(df[c]) or pd.api.types.is_string_dtype(df[c])]


def write_table(df: pd.DataFrame, path, *, sort: bool = True, sheet_name: str = "data",
                option: str = "--out") -> Path:
    """Write a table by the suffix of ``path``: ``.csv``, ``.parquet`` or ``.xlsx``.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; its index is not written.
    path : str or pathlib.Path
        Output file; missing parent folders are created.
    sort : bool
        Sort rows by every column, left to right, so equal tables give equal files
        whatever their row order (default). Pass False to keep the given order.
    sheet_name : str
        Sheet name for ``.xlsx``.
    option : str
        The command-line option that named ``path``, for the error message.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    UsageError
        When the suffix is not one of ``.csv``, ``.parquet``, ``.xlsx``.
    OutputError
        When the file cannot be written (a folder of that name, a file where a folder is
        needed, no permission, a read-only or full disk); one line naming the file.

    Examples
    --------
    Rows come out sorted; a CSV file starts with a byte-order mark so that Excel reads the
    Chinese names right:

    >>> import tempfile
    >>> from pathlib import Path
    >>> table = pd.DataFrame({"supervisor_id": ["S2", "S1"], "name": ["李强", "王芳"],
    ...                       "score": [71.5, 88.0]})
    >>> path = write_table(table, Path(tempfile.mkdtemp()) / "out" / "scores.csv")
    >>> path.name, path.read_bytes()[:3]
    ('scores.csv', b'\\xef\\xbb\\xbf')
    >>> print(path.read_text(encoding="utf-8-sig"), end="")
    supervisor_id,name,score
    S1,王芳,88
    S2,李强,71.5
    >>> write_table(table, path.with_suffix(".txt"))
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: ...scores.txt: unknown output type '.txt'; use a name ending in .csv, .parquet or .xlsx
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"{path}: unknown output type {suffix or '(none)'!r}; "
                         f"use a name ending in .csv, .parquet or .xlsx")
    if path.is_dir():
        raise _cannot_write(option, path, "it is a folder")
    out = _sorted(df) if sort else df.reset_index(drop=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            _write_csv(out, path)
        elif suffix == ".parquet":
            out.to_parquet(path, index=False)
        else:
            _write_xlsx(out, path, sheet_name)
    except OSError as exc:
        raise _cannot_write(option, path, _reason(exc)) from None
    except Exception as exc:  # xlsxwriter wraps OSError in its own FileCreateError
        if type(exc).__module__.startswith("xlsxwriter") and "FileCreateError" in type(exc).__name__:
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
            raise _cannot_write(option, path, _reason(cause)) from None
        raise
    return path


def _reason(exc: BaseException) -> str:
    if isinstance(exc, IsADirectoryError):
        return "it is a folder"
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return "a file is in the way of its folder"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    return str(exc) or type(exc).__name__


def _cannot_write(option: str, path: Path, reason: str) -> OutputError:
    where = f"{option} {path}" if option else str(path)
    return OutputError(f"{where}: cannot write ({reason}); choose another file")


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    for col in _text_columns(out):
        out[col] = out[col].map(escape_formula)
    with open(path, "w", encoding=CSV_ENCODING, newline="") as fh:
        out.to_csv(fh, index=False, float_format=FLOAT_FORMAT, lineterminator="\n",
                   date_format="%Y-%m-%dT%H:%M:%S")


def _write_xlsx(df: pd.DataFrame, path: Path, sheet_name: str) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False, "nan_inf_to_errors": False,
                                         "remove_timezone": True})
    wb.set_properties({"created": _FIXED_TIME})
    ws = wb.add_worksheet(sheet_name[:31])
    bold = wb.add_format({"bold": True})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for j, col in enumerate(df.columns):
        ws.write_string(0, j, str(col), bold)
    for j, col in enumerate(df.columns):
        for i, v in enumerate(df[col].tolist(), start=1):
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, (bool, np.bool_)):
                ws.write_boolean(i, j, bool(v))
            elif isinstance(v, (int, float, np.integer, np.floating)):
                f = float(v)
                if math.isfinite(f):
                    ws.write_number(i, j, f)
                else:
                    ws.write_string(i, j, str(f))
            elif isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date)):
                ws.write_datetime(i, j, pd.Timestamp(v).to_pydatetime(), when)
            else:
                ws.write_string(i, j, str(v))
    ws.freeze_panes(1, 0)
    wb.close()
