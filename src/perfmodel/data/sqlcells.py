"""Cell parsing as SQL (DuckDB): the engine's version of :mod:`perfmodel.data.parsing`.

:func:`cell_sql` turns one raw column into two SQL expressions: its typed value (NULL
when the cell is missing or cannot be read) and a flag that is true when a present cell
cannot be read. The accepted forms are those of :mod:`perfmodel.data.parsing`, whose regular
expressions are reused here (DuckDB and Arrow both use RE2):

- text cells: blanks around a cell are stripped (Unicode spaces too), an empty cell and
  the words for "no value" (:data:`perfmodel.data.parsing.MISSING_WORDS`) are missing;
- numbers with thousands separators or a leading ``¥``; infinities are unreadable;
- booleans true/false, 1/0, yes/no, 是/否 in any case;
- ISO 8601 date-times, naive (local) or with an offset (converted to ``timezone``), and
  the Chinese and year-first forms ``2026年9月30日 14:05``, ``2026/9/30``;
- dates ``YYYY-MM-DD`` and the same Chinese and year-first forms;
- typed Parquet cells (numbers, booleans, dates, date-times with or without a zone).

What stays in Python, and why: period ids (``2026Q3``) are mapped once per *distinct*
value through :func:`perfmodel.core.periods.parse_period` (a handful per table) and the
mapping is inlined into the SQL; which ids are look-alikes is decided once per distinct
non-ASCII id (:mod:`perfmodel.data.lookalike`, Unicode NFKC has no SQL equivalent); and the
reason of an unreadable date cell (which field is out of range) is worked out only for
the quarantined cells.
"""
from __future__ import annotations

from perfmodel.data.parsing import (
    _AWARE, _CHINESE_DATE, _NAIVE, _OPEN_END, _THOUSANDS, FALSE_WORDS, MAX_ABS, MISSING_WORDS,
    MISSING_WORDS_TYPED, TRUE_WORDS,
)


class Unsupported(Exception):
    """A raw column type the SQL parser does not handle (the pandas validator is used)."""


#: The instants ``datetime64[ns]`` (and so the pandas validator) can hold.
NS_FIRST, NS_LAST = "1677-09-21 00:12:44", "2262-04-11 23:47:16"
#: :data:`perfmodel.data.parsing.MAX_ABS` as a SQL number.
MAX_ABS_SQL = repr(MAX_ABS)
# the characters that Arrow's utf8_trim_whitespace (the pandas path) strips around a cell
_WHITESPACE = (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
               0x2028, 0x2029, 0x202F, 0x205F, 0x3000)
_SPACES = "'" + "".join(chr(c) for c in _WHITESPACE) + "'"
_CLASS = "".join(f"\\x{{{c:x}}}" for c in _WHITESPACE)
_BLANK = f"^[{_CLASS}]+|[{_CLASS}]+$"
_NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?([iI][nN][fF]([iI][nN][iI][tT][yY])?)"
_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT", "UHUGEINT")
_FLOAT_TYPES = ("FLOAT", "DOUBLE")


def ident(name: str) -> str:
    """A quoted SQL identifier.

    Examples
    --------
    >>> print(ident("created_at"), ident('a"b'))
    "created_at" "a""b"
    """
    return '"' + str(name).replace('"', '""') + '"'


def literal(value) -> str:
    """A SQL literal for text, a number, a boolean or None.

    Examples
    --------
    >>> literal("O'Brien"), literal(None), literal(True), literal(2.5)
    ("'O''Brien'", 'NULL', 'TRUE', '2.5')
    """
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _among(x: str, words) -> str:
    """``x`` is one of ``words`` (a list, not ``IN``: DuckDB turns a long ``IN`` into a join
    that keeps the unused columns of a view from being pruned)."""
    return f"list_contains([{', '.join(literal(w) for w in words)}], {x})"


def text_sql(src: str, kind: str) -> str:
    """The cell of a text column: stripped, empty and "no value" words missing.

    Examples
    --------
    Blanks are trimmed; an empty cell and the words that mean "no value" are missing:

    >>> import duckdb
    >>> duckdb.sql(f"SELECT x, {text_sql('x', 'id')} AS cell "
    ...            f"FROM (VALUES (' S1 '), (''), ('N/A'), ('无')) t(x)").df()
          x  cell
    0   S1     S1
    1        None
    2   N/A  None
    3     无  None
    """
    # the regular expression only for the few cells that start or end with a blank
    padded = f"(contains({_SPACES}, left({src}, 1)) OR contains({_SPACES}, right({src}, 1)))"
    trimmed = f"NULLIF(CASE WHEN {padded} THEN regexp_replace({src}, {literal(_BLANK)}, '', 'g') ELSE {src} END, '')"
    words = MISSING_WORDS if kind in ("id", "text") else MISSING_WORDS + MISSING_WORDS_TYPED
    return f"(CASE WHEN {_among(trimmed, words)} THEN NULL ELSE {trimmed} END)"


def _iso(x: str) -> str:
    """Chinese and year-first dates (``2026年9月1日 9:05``) rewritten as ISO 8601 text."""
    parts = f"regexp_extract({x}, {literal(_CHINESE_DATE)}, ['y', 'mo', 'd', 'hh', 'mi', 'ss'])"

    def pad(name):
        return f"lpad({parts}.{name}, 2, '0')"

    day = f"{parts}.y || '-' || {pad('mo')} || '-' || {pad('d')}"
    clock = (f"' ' || {pad('hh')} || ':' || {pad('mi')} || ':' || "
             f"(CASE WHEN {parts}.ss = '' THEN '00' ELSE {pad('ss')} END)")
    iso = f"{day} || (CASE WHEN {parts}.hh = '' THEN '' ELSE {clock} END)"
    return f"(CASE WHEN regexp_full_match({x}, {literal(_CHINESE_DATE)}) THEN {iso} ELSE {x} END)"


def _offset(x: str) -> str:
    """An ISO offset written ``+0800``, ``+08`` or ``z`` in the form DuckDB reads (``+08:00``)."""
    x = f"regexp_replace({x}, '[zZ]$', '+00:00')"
    x = f"regexp_replace({x}, '\\s*([+-]\\d{{2}}):?(\\d{{2}})$', '\\1:\\2')"
    return f"regexp_replace({x}, '\\s*([+-]\\d{{2}})$', '\\1:00')"


def _in_span(v: str) -> str:
    return f"(CASE WHEN {v} BETWEEN TIMESTAMP {literal(NS_FIRST)} AND TIMESTAMP {literal(NS_LAST)} THEN {v} END)"


def cell_sql(kind: str, raw_type: str, src: str, timezone: str, *, open_end: bool = False,
             periods: dict | None = None) -> tuple[str, str]:
    """The typed value and the "unreadable" flag of one column, as SQL expressions.

    Parameters
    ----------
    kind : str
        The column's kind (:mod:`perfmodel.data.schema`).
    raw_type : str
        The DuckDB type of the stored column (``VARCHAR``, ``DOUBLE``, ``TIMESTAMP``...).
    src : str
        The stored column, a SQL expression (text columns: already :func:`text_sql`).
    timezone : str
        The zone that date-times with an offset are converted to.
    open_end : bool
        9999-12-31 means "no end yet" here: it is missing, not a date to check.
    periods : dict, optional
        For a period column: each distinct text -> its period id (None: not a period).

    Returns
    -------
    (str, str)
        ``value`` (VARCHAR for id/text/period, DOUBLE, BOOLEAN, TIMESTAMP) and ``bad``
        (BOOLEAN, true where a present cell cannot be read).

    Raises
    ------
    Unsupported
        For a stored type the SQL path does not read (lists, structs, binary...).

    Examples
    --------
    The SQL version of :func:`perfmodel.data.parsing.parse_column`: an offset is converted to
    local time, a Chinese date is read, an unreadable cell is flagged, a missing one is not:

    >>> import duckdb
    >>> value, bad = cell_sql("timestamp", "VARCHAR", text_sql("x", "timestamp"), "Asia/Shanghai")
    >>> duckdb.sql(f"SELECT x, {value} AS value, {bad} AS bad FROM (VALUES ('2026-07-02 09:00'), "
    ...            f"('2026-07-02T09:00:00+00:00'), ('2026年9月1日 9:05'), ('soon'), (NULL)) t(x)").df()
                               x               value    bad
    0           2026-07-02 09:00 2026-07-02 09:00:00  False
    1  2026-07-02T09:00:00+00:00 2026-07-02 17:00:00  False
    2             2026年9月1日 9:05 2026-09-01 09:05:00  False
    3                       soon                 NaT   True
    4                       None                 NaT  False
    >>> cell_sql("float", "BLOB", "x", "Asia/Shanghai")
    Traceback (most recent call last):
    ...
    perfmodel.data.sqlcells.Unsupported: BLOB
    """
    base = raw_type.split("(")[0].upper()
    if open_end and kind in ("date", "timestamp"):  # the sentinel is missing, not unreadable
        if base == "VARCHAR":
            src = f"(CASE WHEN regexp_full_match({src}, {literal(_OPEN_END)}) THEN NULL ELSE {src} END)"
        elif base in ("TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"):
            src = f"(CASE WHEN CAST({src} AS TIMESTAMP) >= TIMESTAMP '9999-12-31' THEN NULL ELSE {src} END)"
    if base == "VARCHAR":
        value = _from_text(kind, src, timezone, periods)
    elif base in _INTEGER_TYPES or base in _FLOAT_TYPES or base == "DECIMAL":
        if base in _FLOAT_TYPES:
            src = f"(CASE WHEN isnan({src}) THEN NULL ELSE {src} END)"
        value = _from_number(kind, src, integer=base in _INTEGER_TYPES, periods=periods)
    elif base == "BOOLEAN":
        value = {"bool": src, "id": f"(CASE WHEN {src} THEN 'True' ELSE 'False' END)",
                 "text": f"(CASE WHEN {src} THEN 'True' ELSE 'False' END)"}.get(kind, "NULL")
    elif base in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE", "TIMESTAMP WITH TIME ZONE",
                  "TIMESTAMPTZ"):
        value = _from_time(kind, src, base, timezone)
    else:
        raise Unsupported(raw_type)
    if value == "NULL":
        return "NULL", f"({src} IS NOT NULL)"
    return value, f"({src} IS NOT NULL AND {value} IS NULL)"


def direct_sql(kind: str, raw_type: str, src: str) -> str | None:
    """The value of a cell *known to be readable* when its stored type holds ``kind`` as it is.

    For the clean rows of a checked table (every present cell was read, none lies beyond
    the span) the value of :func:`cell_sql` is then the stored value cast to the kind's
    type, without the checks; None when the column needs the full expression (text to
    parse, the open-end sentinel, a zone to convert).

    Examples
    --------
    >>> direct_sql("float", "DOUBLE", "x")
    '(CASE WHEN isnan(x) THEN NULL ELSE CAST(x AS DOUBLE) END)'
    >>> direct_sql("date", "TIMESTAMP", "x")
    'CAST(x AS TIMESTAMP)'
    >>> direct_sql("timestamp", "VARCHAR", "x") is None  # text must be parsed
    True
    """
    base = raw_type.split("(")[0].upper()
    if kind == "float" and base in _INTEGER_TYPES + ("DECIMAL",):
        return f"CAST({src} AS DOUBLE)"
    if kind == "float" and base in _FLOAT_TYPES:
        return f"(CASE WHEN isnan({src}) THEN NULL ELSE CAST({src} AS DOUBLE) END)"
    if kind == "bool" and base == "BOOLEAN":
        return src
    if kind in ("timestamp", "date") and base in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"):
        return f"CAST({src} AS TIMESTAMP)"
    return None


def _from_text(kind, x, timezone, periods) -> str:
    if kind in ("id", "text"):
        return x
    if kind == "float":
        plain = (f"(CASE WHEN regexp_full_match({x}, {literal(_THOUSANDS)}) "
                 f"THEN regexp_replace({x}, '[,¥￥]', '', 'g') ELSE {x} END)")
        number = f"(CASE WHEN regexp_full_match({plain}, {literal(_NUMBER)}) THEN TRY_CAST({plain} AS DOUBLE) END)"
        return f"(CASE WHEN isfinite({number}) THEN {number} END)"
    if kind == "bool":
        low = f"lower({x})"
        return (f"(CASE WHEN {_among(low, TRUE_WORDS)} THEN TRUE "
                f"WHEN {_among(low, FALSE_WORDS)} THEN FALSE END)")
    if kind == "period":
        return _period_case(x, periods or {})
    iso = _iso(x)
    if kind == "date":
        day = f"(CASE WHEN regexp_full_match({iso}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') THEN TRY_CAST({iso} AS DATE) END)"
        return _in_span(f"CAST({day} AS TIMESTAMP)")
    naive_text = f"(CASE WHEN length({iso}) = 13 THEN {iso} || ':00' ELSE {iso} END)"
    naive = f"(CASE WHEN regexp_full_match({iso}, {literal(_NAIVE)}) THEN TRY_CAST({naive_text} AS TIMESTAMP) END)"
    aware = (f"(CASE WHEN regexp_full_match({iso}, {literal(_AWARE)}) "
             f"THEN timezone({literal(timezone)}, TRY_CAST({_offset(iso)} AS TIMESTAMPTZ)) END)")
    return _in_span(f"coalesce({naive}, {aware})")


def _period_case(x: str, periods: dict) -> str:
    known = [(text, pid) for text, pid in sorted(periods.items()) if pid is not None]
    if not known:
        return "CAST(NULL AS VARCHAR)"
    whens = " ".join(f"WHEN {literal(t)} THEN {literal(p)}" for t, p in known)
    return f"(CASE {x} {whens} END)"


def _from_number(kind, src, *, integer: bool, periods) -> str:
    if kind == "float":
        value = f"CAST({src} AS DOUBLE)"
        return f"(CASE WHEN isfinite({value}) THEN {value} END)"
    if kind == "bool":
        return f"(CASE WHEN {src} = 1 THEN TRUE WHEN {src} = 0 THEN FALSE END)"
    if kind in ("id", "text", "period"):
        text = (f"CAST({src} AS VARCHAR)" if integer else
                f"(CASE WHEN {src} = trunc({src}) THEN CAST(CAST({src} AS HUGEINT) AS VARCHAR) "
                f"ELSE CAST({src} AS VARCHAR) END)")
        return _period_case(text, periods or {}) if kind == "period" else text
    return "NULL"  # a number in a date column of a file (not a spreadsheet) is unreadable


def _from_time(kind, src, base, timezone) -> str:
    if kind not in ("timestamp", "date"):
        if kind in ("id", "text") and base == "DATE":
            return f"strftime({src}, '%Y-%m-%d')"
        if kind in ("id", "text"):
            return f"strftime({src}, '%Y-%m-%dT%H:%M:%S')"
        return "NULL"
    if base in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        value = f"timezone({literal(timezone)}, {src})"
    else:
        value = f"CAST({src} AS TIMESTAMP)"
    value = _in_span(value)
    if kind == "date":
        value = f"(CASE WHEN {value} = date_trunc('day', {value}) THEN {value} END)"
    return value
