"""Converting cells to typed values, one column at a time (vectorised).

:func:`parse_column` accepts cells as read from a file (text) or already typed (numbers,
datetimes, booleans from Parquet, Excel or an in-memory frame) and returns the typed
column together with a mask of the cells that could not be read. A missing cell is never
"bad": whether a value is required is checked afterwards (:mod:`perfmodel.data.validation`).

Kinds (see :mod:`perfmodel.data.schema`) and the accepted text:

``id``, ``text``  any text; numbers become their digits (``12.0`` -> ``"12"``)
``timestamp``     ISO 8601 (``2026-03-31T14:05:00``, ``2026-03-31 14:05``); naive values are
                  local time; values with an offset (``Z``, ``+08:00``) are converted to the
                  dataset's time zone and made naive; also the Chinese form
                  ``2026年3月31日`` / ``2026年3月31日 14:05`` and the year-first form of
                  spreadsheets set to Chinese, ``2026/3/31`` / ``2026/3/31 14:05``
``date``          ``YYYY-MM-DD``, ``2026年3月31日`` or ``2026/3/31``
``bool``          true/false, 1/0, yes/no, 是/否 (any case)
``float``         a finite number; thousands separators
                  (``1,234.5``, ``12,345,678``) and a leading ``¥``/``￥`` are accepted
``period``        ``2026Q3`` or ``2026-09``

Words that spreadsheets and exports write for "no value" (:data:`MISSING_WORDS`: ``N/A``,
``#N/A``, ``NULL``, ``无``, ``-`` ...) are missing, like an empty cell; in columns that are
not text, also ``NA``, ``NaN`` and ``None``. Numbers in a date or timestamp column of an
Excel sheet are Excel date serials (days since 1899-12-30) when ``excel=True``.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfmodel.core import messages
from perfmodel.core.errors import PeriodError
from perfmodel.core.periods import parse_period

TRUE_WORDS = ("true", "1", "yes", "是")
FALSE_WORDS = ("false", "0", "no", "否")
_BOOL_WORDS = pa.array(TRUE_WORDS + FALSE_WORDS)
_NAIVE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?)?$"
_AWARE = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"

# Cells that mean "no value" in any column (compared exactly, after blanks are stripped).
MISSING_WORDS = ("N/A", "n/a", "#N/A", "NULL", "null", "Null", "无", "暂无", "空", "-", "--", "—", "——")
# Also missing in number, date, boolean and period columns (in text, 'NA' may be a region).
MISSING_WORDS_TYPED = ("NA", "na", "NaN", "nan", "NAN", "None", "none", "NONE", "N/a", "#NULL!")
_MISSING_TEXT = pa.array(MISSING_WORDS)
_MISSING_TYPED = pa.array(MISSING_WORDS + MISSING_WORDS_TYPED)
# How a loaded dataset holds id, text and period columns: pandas' Arrow-backed string dtype
# with NaN for a missing value (the ``str`` dtype that pandas 3 uses by default). Ten
# million ids take their UTF-8 bytes and an offset each instead of a Python object each,
# and they reach Arrow (DuckDB, Spark, Parquet, pickle) without conversion.
TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
# Numbers larger than this are not plausible values of any column (and sums of them
# overflow); validation quarantines them.
MAX_ABS = 1e15
_THOUSANDS = r"^[+-]?[¥￥]?\d{1,3}(,\d{3})+(\.\d+)?$|^[+-]?[¥￥]\d+(\.\d+)?$"
# Chinese dates (2026年9月1日) and the year-first forms of spreadsheets set to Chinese
# (2026/9/1, 2026-9-1, 2026.9.1), each with an optional clock time. Year first is never
# ambiguous; day-first or month-first forms such as 01/03/2025 stay unreadable.
_CHINESE_DATE = (r"^(?P<y>\d{4})\s*[年/.-]\s*(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})\s*[日号]?"
                 r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?\s*秒?)?$")
# Excel date serials accepted in a date column of a sheet: 1927-05-18 .. 9999-12-31.
_SERIAL_MIN, _SERIAL_MAX = 10_000, 2_958_465
_NS_SERIAL_MAX = 132_319  # 2262-04-10, the last whole day of datetime64[ns]

# How a reason tells the user what a readable value looks like.
EXPECTED = {kind: entry["en"] for kind, entry in messages.group("expected").items()}


# A year-first date (ISO 8601, Chinese or spreadsheet form) with an optional clock time,
# whatever its numbers: for naming the field that is out of range in an unreadable cell.
_DATE_SHAPE = (r"^\s*(?P<y>\d{4})\s*[年/.-]\s*(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})\s*[日号]?"
               r"(?:(?:\s+|T|\s*)(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2})"
               r"(?:\.\d+)?)?\s*秒?)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?\s*$")


def date_fault(value) -> tuple[str, dict] | None:
    """Name the field that makes a date-shaped cell impossible, e.g. month 13 of ``2026/13/45``.

    Parameters
    ----------
    value : object
        A cell that could not be read as a date or timestamp.

    Returns
    -------
    tuple of (str, dict) or None
        ``(field, params)`` for the first impossible field in the order month, day, hour,
        minute, second: ``field`` is ``"month"``, ``"day"``, ``"hour"``, ``"minute"`` or
        ``"second"``; ``params`` holds ``value`` (the number written), ``low`` and ``high``
        (the allowed range; for a day, the length of that month, e.g. 28 for 2026-02).
        None when the cell is not year-first date-shaped or no field is out of range.

    Examples
    --------
    >>> date_fault("2026/13/45")
    ('month', {'value': 13, 'low': 1, 'high': 12})
    >>> date_fault("2026-02-29")
    ('day', {'value': 29, 'low': 1, 'high': 28, 'month': '2026-02'})
    >>> date_fault("2026-03-01 25:00")
    ('hour', {'value': 25, 'low': 0, 'high': 23})
    >>> date_fault("yesterday") is None, date_fault("2026-03-01") is None
    (True, True)
    """
    import calendar
    import re

    if not isinstance(value, str):
        return None
    m = re.match(_DATE_SHAPE, value)
    if m is None:
        return None
    year, month, day = int(m["y"]), int(m["m"]), int(m["d"])
    if not 1 <= month <= 12:
        return "month", {"value": month, "low": 1, "high": 12}
    last = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= last:
        return "day", {"value": day, "low": 1, "high": last, "month": f"{year:04d}-{month:02d}"}
    for name, high in (("H", 23), ("M", 59), ("S", 59)):
        if m[name] is not None and int(m[name]) > high:
            field = {"H": "hour", "M": "minute", "S": "second"}[name]
            return field, {"value": int(m[name]), "low": 0, "high": high}
    return None


#: The dates a column can hold (``datetime64[ns]``), as a reason names them.
SPAN_TEXT = ("1677-09-22", "2262-04-11")


def beyond_span(value) -> bool:
    """Whether ``value`` is a valid date that lies outside the span perfmodel can hold.

    ``value`` is a cell that could not be read: a year-first date-shaped text whose fields
    are all in range (:func:`date_fault` finds none) but whose instant is before
    1677-09-22 or after 2262-04-11 (``2300-01-01``), or a typed date or date-time there
    (``0001-01-01`` in a Parquet file).

    Returns
    -------
    bool
        True for such a cell; False for anything else (including a malformed one).

    Examples
    --------
    >>> beyond_span("2300-01-01 10:00:00"), beyond_span("2026-13-01"), beyond_span("soon")
    (True, False, False)
    """
    import datetime as dt
    import re

    if isinstance(value, str):
        m = re.match(_DATE_SHAPE, value)
        if m is None or date_fault(value) is not None:
            return False
        parts = [int(m[k]) if m[k] is not None else 0 for k in ("y", "m", "d", "H", "M", "S")]
        try:
            when = dt.datetime(*parts)
        except ValueError:  # year 0
            return True
    elif isinstance(value, (dt.date, np.datetime64)):
        if isinstance(value, np.datetime64):
            value = value.astype("datetime64[us]").item()  # None for NaT, a datetime otherwise
            if value is None:
                return False
        when = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
        if not isinstance(when, dt.datetime):
            when = dt.datetime(when.year, when.month, when.day)
        when = when.replace(tzinfo=None)
    else:
        return False
    return not (_NS_FIRST.to_pydatetime() <= when <= _NS_LAST.to_pydatetime())


def parse_column(series: pd.Series, kind: str, timezone: str = "Asia/Shanghai", *, excel: bool = False):
    """Convert one column to the type of ``kind``.

    Parameters
    ----------
    series : pandas.Series
        The cells, text or typed values (a RangeIndex is assumed).
    kind : str
        A column kind of :mod:`perfmodel.data.schema`.
    timezone : str
        The zone that timestamps with an offset are converted to.
    excel : bool
        The cells come from an Excel sheet: a number in a date or timestamp column is an
        Excel date serial.

    Returns
    -------
    values : pandas.Series
        :data:`TEXT_DTYPE` (``str``, missing NaN) for id/text/period,
        ``datetime64[ns]`` for timestamp/date, ``boolean`` for bool, ``float64`` for
        float; missing where the cell is missing or unreadable.
    bad : numpy.ndarray of bool
        True where a cell is present but cannot be read as ``kind``.

    Examples
    --------
    A time with an offset is converted to the local zone; an empty cell is missing, an
    unreadable one is missing *and* flagged:

    >>> values, bad = parse_column(pd.Series(["2026-07-02T09:00:00+00:00", "2026-07-02 09:00",
    ...                                       "", "soon"]), "timestamp")
    >>> values
    0   2026-07-02 17:00:00
    1   2026-07-02 09:00:00
    2                   NaT
    3                   NaT
    dtype: datetime64[ns]
    >>> bad
    array([False, False, False,  True])
    >>> values, bad = parse_column(pd.Series(["是", "no", "1", "maybe"]), "bool")
    >>> values.tolist(), bad.tolist()
    ([True, False, True, <NA>], [False, False, False, True])
    >>> values, bad = parse_column(pd.Series(["3.5", " 4 ", "N/A", "五"]), "float")
    >>> values.tolist(), bad.tolist()
    ([3.5, 4.0, nan, nan], [False, False, False, True])
    """
    series = series.reset_index(drop=True)
    strings = _as_strings(series)
    if strings is not None:
        values, bad = _from_strings(strings, kind, timezone)
    elif series.dtype == object:
        values, bad = _from_mixed(series, kind, timezone, excel)
    else:
        values, bad = _from_values(series, kind, timezone, excel)
    if kind in ("id", "text", "period") and values.dtype != TEXT_DTYPE:
        values = as_text(values)
    return values, bad


def as_text(values: pd.Series) -> pd.Series:
    """A column of Python strings (missing: None/NaN) as :data:`TEXT_DTYPE`.

    Examples
    --------
    >>> as_text(pd.Series(["S1", None, "王芳"])).tolist()
    ['S1', nan, '王芳']
    """
    arr = pa.array(values.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    return pd.Series(TEXT_DTYPE.__from_arrow__(pa.chunked_array([arr], type=pa.large_string())),
                     index=values.index, name=values.name)


def empty_column(kind: str, n: int) -> pd.Series:
    """A column of ``n`` missing values with the dtype of ``kind``.

    Examples
    --------
    >>> empty_column("date", 2).dtype, empty_column("bool", 2).dtype, empty_column("float", 2).dtype
    (dtype('<M8[ns]'), BooleanDtype, dtype('float64'))
    >>> empty_column("id", 2).isna().tolist()
    [True, True]
    """
    if kind in ("timestamp", "date"):
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    if kind == "bool":
        return pd.Series(pd.array([pd.NA] * n, dtype="boolean"))
    if kind == "float":
        return pd.Series(np.full(n, np.nan))
    return _text_series(pa.nulls(n, pa.large_string()))


# --------------------------------------------------------------------------- text cells

def _as_strings(series: pd.Series) -> pa.ChunkedArray | None:
    """The column as an Arrow string array when every present cell is text, else None."""
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype) and (pa.types.is_string(dtype.pyarrow_dtype)
                                             or pa.types.is_large_string(dtype.pyarrow_dtype)):
        arr = series.array._pa_array  # noqa: SLF001 - zero-copy access to the Arrow data
        return arr.cast(pa.string()) if not pa.types.is_string(arr.type) else arr
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        arr = series.array._pa_array  # noqa: SLF001 - zero-copy (a loaded table checked again)
        arr = arr.cast(pa.string()) if not pa.types.is_string(arr.type) else arr
        trimmed = pc.utf8_trim_whitespace(arr)
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    if isinstance(dtype, pd.StringDtype) or (dtype == object and pd.api.types.infer_dtype(
            series, skipna=True) in ("string", "empty")):
        arr = pa.chunked_array([pa.array(series.astype(object).where(series.notna(), None),
                                         type=pa.string(), from_pandas=True)])
        trimmed = pc.utf8_trim_whitespace(arr)
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    return None


def _without_missing_words(arr: pa.Array, kind: str) -> pa.Array:
    """``arr`` with the cells that spell "no value" made missing (no copy when there are none)."""
    words = _MISSING_TEXT if kind in ("id", "text") else _MISSING_TYPED
    hit = pc.is_in(arr, value_set=words)
    if not pc.any(hit).as_py():
        return arr
    return pc.if_else(hit, pa.scalar(None, pa.string()), arr)


def _numbers(arr: pa.Array) -> pd.Series:
    """Text to float64 (NaN where unreadable); thousands separators and ¥ are removed."""
    try:
        return pd.Series(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False))
    except pa.ArrowInvalid:
        pass
    grouped = pc.fill_null(pc.match_substring_regex(arr, _THOUSANDS), False)
    if pc.any(grouped).as_py():
        plain = pc.replace_substring_regex(arr, r"[,¥￥]", "")
        arr = pc.if_else(grouped, plain, arr)
    values = pd.to_numeric(pd.Series(arr.to_numpy(zero_copy_only=False)), errors="coerce")
    return values.astype("float64")


def _finite(values: pd.Series, present: np.ndarray):
    """Values that are not finite (``inf``, ``1e999``) are unreadable."""
    bad = present & ~np.isfinite(values.to_numpy())
    return values.where(~bad, np.nan), bad


def _from_strings(arr: pa.ChunkedArray, kind: str, timezone: str):
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    arr = _without_missing_words(arr, kind)
    present = pc.is_valid(arr).to_numpy(zero_copy_only=False)
    if kind in ("id", "text"):
        return _text_series(arr), np.zeros(len(present), dtype=bool)
    if kind == "float":
        return _finite(_numbers(arr), present)
    if kind == "bool":
        index = pc.index_in(pc.utf8_lower(arr), value_set=_BOOL_WORDS).to_numpy(zero_copy_only=False)
        known = ~pd.isna(index)
        index = np.where(known, index, 0).astype(np.int64)
        values = pd.Series(pd.arrays.BooleanArray(index < len(TRUE_WORDS), ~known))
        return values, present & ~known
    if kind == "timestamp":
        values = _timestamps(arr, timezone)
    elif kind == "date":
        values = _dates(arr)
    elif kind == "period":
        values = _periods(pd.Series(arr.to_numpy(zero_copy_only=False), dtype=object))
    else:  # pragma: no cover - schema kinds are fixed
        raise ValueError(f"unknown column kind {kind!r}")
    return values, present & values.isna().to_numpy()


def _text_series(arr) -> pd.Series:
    """Text cells (an Arrow string array) as a :data:`TEXT_DTYPE` column, without Python objects."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())  # the storage pandas' string dtype uses
    return pd.Series(TEXT_DTYPE.__from_arrow__(pa.chunked_array([arr], type=pa.large_string())))


def _timestamps(arr: pa.ChunkedArray, timezone: str) -> pd.Series:
    try:  # the usual case: every cell a naive ISO 8601 date-time, read in one pass
        return pd.Series(pc.cast(arr, pa.timestamp("ns")).to_numpy(zero_copy_only=False))
    except pa.ArrowInvalid:
        pass
    arr = _chinese_dates(arr)
    # pandas' ISO 8601 parser also takes 2026/01/05 or 20260105; the contract does not
    naive_shape = pc.fill_null(pc.match_substring_regex(arr, _NAIVE), False)
    has_offset = pc.fill_null(pc.match_substring_regex(arr, _AWARE), False)
    naive = pc.if_else(naive_shape, arr, pa.scalar(None, pa.string()))
    try:
        values = pd.Series(pc.cast(naive, pa.timestamp("ns")).to_numpy(zero_copy_only=False))
    except pa.ArrowInvalid:
        values = pd.to_datetime(pd.Series(naive.to_numpy(zero_copy_only=False), dtype=object),
                                format="ISO8601", errors="coerce")
    values = values.astype("datetime64[ns]")
    if pc.any(has_offset).as_py():
        mask = has_offset.to_numpy(zero_copy_only=False)
        aware = pd.Series(arr.to_numpy(zero_copy_only=False), dtype=object)[mask]
        local = _to_local(pd.to_datetime(aware, format="ISO8601", utc=True, errors="coerce"), timezone)
        values[mask] = local.to_numpy()
    return values


def _to_local(values: pd.Series, timezone: str) -> pd.Series:
    return values.dt.tz_convert(timezone).dt.tz_localize(None).astype("datetime64[ns]")


def _chinese_dates(arr: pa.Array) -> pa.Array:
    """Cells like ``2026年9月1日`` or ``2026年9月1日 14:05`` rewritten as ISO 8601 text."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    parts = pc.extract_regex(arr, _CHINESE_DATE)
    matched = pc.fill_null(pc.is_valid(parts), False)
    if not pc.any(matched).as_py():
        return arr

    def field(name, width=2):
        return pc.utf8_lpad(pc.struct_field(parts, name), width=width, padding="0")

    day = pc.binary_join_element_wise(pc.struct_field(parts, "y"), field("m"), field("d"), "-")
    hour = pc.struct_field(parts, "H")
    seconds = pc.if_else(pc.equal(pc.struct_field(parts, "S"), ""), "00", field("S"))
    clock = pc.binary_join_element_wise(field("H"), field("M"), seconds, ":")
    iso = pc.if_else(pc.equal(hour, ""), day, pc.binary_join_element_wise(day, clock, " "))
    return pc.if_else(matched, iso, arr)


def _dates(arr: pa.ChunkedArray) -> pd.Series:
    try:
        days = pc.cast(arr, pa.date32())
        return pd.Series(pc.cast(days, pa.timestamp("ns")).to_numpy(zero_copy_only=False))
    except pa.ArrowInvalid:
        arr = _chinese_dates(arr)
        text = pd.Series(arr.to_numpy(zero_copy_only=False), dtype=object)
        strict = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").astype("boolean").fillna(False).astype(bool)
        values = pd.to_datetime(text.where(strict, None), format="%Y-%m-%d", errors="coerce")
        return values.astype("datetime64[ns]")


def _periods(text: pd.Series) -> pd.Series:
    ids = {}
    for value in text.dropna().unique():
        try:
            ids[value] = parse_period(value).id
        except PeriodError:
            ids[value] = np.nan
    return text.map(ids).astype(object)


# --------------------------------------------------------------------------- typed cells

def _from_mixed(series: pd.Series, kind: str, timezone: str, excel: bool = False):
    """Object column mixing text and typed values (Excel, hand-built frames)."""
    raw = series.to_numpy(dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in raw), dtype=bool, count=len(raw))
    # text kinds are gathered as Python objects here and made TEXT_DTYPE by parse_column
    values = (pd.Series(np.full(len(raw), np.nan, dtype=object)) if kind in ("id", "text", "period")
              else empty_column(kind, len(raw)))
    bad = np.zeros(len(raw), dtype=bool)
    if is_text.any():
        text_values, text_bad = _from_strings(
            _as_strings(pd.Series(raw[is_text], dtype=object)), kind, timezone)
        values[is_text] = text_values.to_numpy()
        bad[is_text] = text_bad
    other = ~is_text
    if other.any():
        typed_values, typed_bad = _from_values(pd.Series(raw[other], dtype=object), kind, timezone, excel)
        values[other] = typed_values.to_numpy()
        bad[other] = typed_bad
    return values, bad


def _from_values(series: pd.Series, kind: str, timezone: str, excel: bool = False):
    """Typed values (numbers, datetimes, booleans) converted to ``kind``."""
    present = series.notna().to_numpy()
    n = len(series)
    if kind in ("id", "text") and pd.api.types.is_integer_dtype(series.dtype):
        text = series.astype(str).astype(object)
        return text.where(present, np.nan).reset_index(drop=True), np.zeros(n, dtype=bool)
    if kind in ("id", "text", "period"):
        text = pd.Series([_as_text(v) for v in series], dtype=object)
        if kind == "period":
            from_dates = pd.Series([_month_of(v) for v in series], dtype=object)
            text = from_dates.where(from_dates.notna(), text)
            values = _periods(text)
            return values, present & values.isna().to_numpy()
        return text.where(present, np.nan), np.zeros(n, dtype=bool)
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype)
    if kind == "float":
        if numeric:
            values = series.astype("float64")
        elif pd.api.types.is_bool_dtype(series.dtype):  # true/false is not a number
            values = pd.Series(np.full(n, np.nan))
        else:
            values = pd.to_numeric(series.where(~series.map(_is_bool_like), None),
                                   errors="coerce").astype("float64")
        values = values.reset_index(drop=True)
        values, too_big = _finite(values, present)
        return values, (present & values.isna().to_numpy()) | too_big
    if kind == "bool":
        if pd.api.types.is_bool_dtype(series.dtype):
            return series.astype("boolean").reset_index(drop=True), np.zeros(n, dtype=bool)
        if numeric:
            number = series.astype("float64").to_numpy()
            known = (number == 0) | (number == 1)
            values = pd.Series(pd.arrays.BooleanArray(number == 1, ~known))
        else:
            values = pd.Series(pd.array([_as_bool(v) for v in series], dtype="boolean"))
        return values, present & values.isna().to_numpy()
    if kind in ("timestamp", "date"):
        values = _datetimes(series, timezone)
        if excel:
            values = _excel_serials(series, values)
        bad = present & values.isna().to_numpy()
        if kind == "date":
            off_midnight = values.notna() & (values != values.dt.normalize())
            bad |= off_midnight.to_numpy()
            values = values.where(~off_midnight)
        return values, bad
    raise ValueError(f"unknown column kind {kind!r}")  # pragma: no cover


def _datetimes(series: pd.Series, timezone: str) -> pd.Series:
    """Typed date-times as naive ``datetime64[ns]``; those outside its span
    (1677-09-22..2262-04-11: ``0001-01-01``, ``9999-12-31`` in Parquet) are missing."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        utc = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return _to_local(_in_ns_span(utc).dt.tz_localize("UTC"), timezone)
    if pd.api.types.is_datetime64_dtype(series.dtype):
        return _in_ns_span(series).astype("datetime64[ns]")
    out = []
    for v in series:
        if isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year") and hasattr(v, "month"):
            try:
                ts = pd.Timestamp(v)
                if ts.tzinfo is not None:
                    ts = ts.tz_convert(timezone).tz_localize(None)
                out.append(ts if _NS_FIRST <= ts <= _NS_LAST else pd.NaT)
            except (ValueError, OverflowError):  # beyond even pandas' microsecond span
                out.append(pd.NaT)
        else:
            out.append(pd.NaT)
    return pd.Series(pd.to_datetime(pd.Series(out, dtype=object), errors="coerce"),
                     dtype="datetime64[ns]")


_NS_FIRST, _NS_LAST = pd.Timestamp.min.ceil("s"), pd.Timestamp.max.floor("s")


def _in_ns_span(series: pd.Series) -> pd.Series:
    """Naive date-times of any unit with those outside the nanosecond span made missing."""
    values = series.reset_index(drop=True).to_numpy()
    unit = np.datetime_data(values.dtype)[0]
    first = np.datetime64(_NS_FIRST.to_datetime64(), unit) if unit != "ns" else _NS_FIRST.to_datetime64()
    last = np.datetime64(_NS_LAST.to_datetime64(), unit) if unit != "ns" else _NS_LAST.to_datetime64()
    outside = ~np.isnat(values) & ((values < first) | (values > last))
    if outside.any():
        values = values.copy()
        values[outside] = np.datetime64("NaT")
    return pd.Series(values)


#: Cells that mean "no end yet" in a column that may be empty (``Column.open_end``):
#: the far-future date exports write for an open-ended record.
OPEN_END = ("9999-12-31", "9999-12-31 23:59:59", "9999-12-31T23:59:59", "9999-12-31 00:00:00",
            "9999-12-31T00:00:00")


def open_end_cells(series: pd.Series, *, excel: bool = False) -> np.ndarray:
    """Where a cell is the open-ended sentinel 9999-12-31 (at 00:00 or 23:59:59).

    Text as in :data:`OPEN_END` (and with fractions of the last second), typed date-times
    of that day, and, in an Excel sheet, its serial 2958465 (plus a time of day).

    Returns
    -------
    numpy.ndarray of bool
        One per cell.

    Examples
    --------
    >>> open_end_cells(pd.Series(["9999-12-31", "2026-01-01", None, "9999-12-31 23:59:59"]))
    array([ True, False, False,  True])
    >>> open_end_cells(pd.Series([2958465, 45000.5]), excel=True)
    array([ True, False])
    """
    series = series.reset_index(drop=True)
    strings = _as_strings(series)
    if strings is not None:
        hit = pc.match_substring_regex(strings, _OPEN_END)
        return pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = series.dt.tz_localize(None) if isinstance(series.dtype, pd.DatetimeTZDtype) else series
        values = values.to_numpy()
        if np.datetime_data(values.dtype)[0] == "ns":  # cannot hold year 9999 at all
            return np.zeros(len(values), dtype=bool)
        seconds = values.astype("datetime64[s]")
        return ~np.isnat(seconds) & (seconds >= np.datetime64("9999-12-31", "s"))
    return np.fromiter((_is_open_end(v, excel) for v in series), dtype=bool, count=len(series))


_OPEN_END = r"^9999-12-31([ T](00:00(:00)?|23:59:59(\.9+)?))?$"


def _is_open_end(v, excel: bool) -> bool:
    if isinstance(v, str):
        return re.fullmatch(_OPEN_END, v.strip()) is not None
    if hasattr(v, "year") and hasattr(v, "month") and hasattr(v, "day"):
        return (v.year, v.month, v.day) == (9999, 12, 31)
    if excel and isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
        return _SERIAL_MAX <= float(v) < _SERIAL_MAX + 1
    return False


def _excel_serials(series: pd.Series, values: pd.Series) -> pd.Series:
    """Fill in the numbers of ``series`` that are Excel date serials (days since 1899-12-30)."""
    number = pd.to_numeric(series.where(~series.map(_is_bool_like), None), errors="coerce")
    number = number.astype("float64").reset_index(drop=True)
    # serials past 2262-04-11 (up to 2958465, 9999-12-31) are beyond datetime64[ns]: unreadable
    serial = number.between(_SERIAL_MIN, _NS_SERIAL_MAX) & values.isna()
    if not serial.any():
        return values
    # to the millisecond, as Excel stores time of day
    ms = np.round(number[serial].to_numpy() * 86_400_000).astype(np.int64)
    values = values.copy()
    values[serial] = (pd.Timestamp("1899-12-30") + pd.to_timedelta(ms, unit="ms")).to_numpy()
    return values


def _is_bool_like(v) -> bool:
    return isinstance(v, (bool, np.bool_))


def _as_text(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return np.nan
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, (pd.Timestamp,)) or hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v).strip() or np.nan


def _as_bool(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float, np.integer, np.floating)) and not pd.isna(v) and v in (0, 1):
        return bool(v)
    return pd.NA


def _month_of(v):
    if hasattr(v, "year") and hasattr(v, "day") and not isinstance(v, str):
        ts = pd.Timestamp(v)
        if ts.day == 1 and ts == ts.normalize():
            return f"{ts.year}-{ts.month:02d}"
    return np.nan
