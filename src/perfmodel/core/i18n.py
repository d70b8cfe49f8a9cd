"""Report text in English and Chinese: labels, headings, sentences, coaching topics.

Every string a report shows comes from :data:`LABELS` (or the indicator catalogue for
indicator names), so a report is entirely in the language chosen with ``lang``. The texts
live in the message catalogue (:mod:`perfmodel.core.messages`); the names here are views of it.
"""
from __future__ import annotations

from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.messages import LANGS, check_lang
from perfmodel.core.numbers import shown_values


#: Report text by key (a view of the ``labels`` group of :mod:`perfmodel.core.messages`).
LABELS: dict[str, dict[str, str]] = messages.group("labels")

# Coaching topics suggested for a gap in an indicator (SPEC seed: 辅导沟通).
COACHING: dict[str, dict[str, str]] = messages.group("coaching")


@keyword_only("lang")
def ordinal(n: float, *, lang: str = "en") -> str:
    """Return ``n`` rounded as an ordinal: ``1st``, ``2nd``, ``23rd``, ``11th`` (Chinese: the number).

    Examples
    --------
    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22.6, 111)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '23rd', '111th']
    >>> ordinal(3, lang="zh")
    '3'
    """
    k = int(round(n))
    if lang == "zh":
        return str(k)
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


@keyword_only("lang")
def t(key: str, *, lang: str = "en", **values) -> str:
    """Return the text of ``key`` in ``lang``, formatted with ``values``.

    Unknown keys are returned as given, so a missing label shows up in review instead of
    failing a report.

    Examples
    --------
    >>> t("supervisor_id"), t("supervisor_id", lang="zh")
    ('Supervisor', '主管编号')
    >>> t("no such key")  # shown as it is, so that review notices it
    'no such key'
    """
    entry = LABELS.get(key)
    text = entry[check_lang(lang)] if entry else key
    return text.format(**shown_values(values)) if values else text


@keyword_only("lang")
def indicator_label(indicator: str, *, lang: str = "en") -> str:
    """Return the catalogue name of an indicator in ``lang`` (the id when not in the catalogue).

    Examples
    --------
    >>> indicator_label("csat"), indicator_label("csat", lang="zh"), indicator_label("made_up")
    ('Customer satisfaction', '客户满意度', 'made_up')
    """
    from perfmodel.core import catalogue

    try:
        return catalogue.name(indicator, lang=lang)
    except KeyError:
        return indicator


@keyword_only("lang")
def coaching_topic(indicator: str, *, lang: str = "en") -> str:
    """Return the coaching topic suggested for a gap in ``indicator``.

    Examples
    --------
    >>> coaching_topic("csat"), coaching_topic("csat", lang="zh")
    ('Service standards and customer empathy', '服务标准与客户同理心')
    >>> coaching_topic("self_rating")  # no topic of its own: the indicator's name
    'Self rating'
    """
    entry = COACHING.get(indicator)
    if entry is None:
        return indicator_label(indicator, lang=lang)
    return entry[check_lang(lang)]


@keyword_only("lang")
def columns(df, *, lang: str = "en"):
    """Return ``df`` with its columns renamed to their labels in ``lang``.

    Columns named ``score_<indicator>`` or an indicator id get the indicator's name.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"supervisor_id": ["S1"], "score": [88.0], "score_csat": [75.0],
    ...                       "note": ["x"]})
    >>> columns(table).columns.tolist()
    ['Supervisor', 'Total score', 'Customer satisfaction', 'note']
    >>> columns(table, lang="zh").columns.tolist()
    ['主管编号', '总分', '客户满意度', 'note']
    """
    mapping = {}
    for col in df.columns:
        if col in LABELS:
            mapping[col] = t(col, lang=lang)
        elif isinstance(col, str) and col.startswith("score_"):
            mapping[col] = indicator_label(col[len("score_"):], lang=lang)
        else:
            label = indicator_label(col, lang=lang) if isinstance(col, str) else col
            mapping[col] = label
    return df.rename(columns=mapping)


# --------------------------------------------------------------------------- quarantine reasons

#: Data tables by name, as pages show them.
TABLE_NAMES: dict[str, dict[str, str]] = messages.group("tables")

#: Chinese wording of each quarantine reason code (the English text is stored with the row).
REASONS_ZH: dict[str, str] = {code: e["zh"] for code, e in messages.group("quarantine").items()}


@keyword_only("lang")
def table_label(table: str, *, lang: str = "en") -> str:
    """Return the name of a data table in ``lang`` (``tickets`` -> ``工单``; unknown names as given).

    Examples
    --------
    >>> table_label("tickets"), table_label("tickets", lang="zh"), table_label("misc")
    ('tickets', '工单', 'misc')
    """
    entry = TABLE_NAMES.get(str(table))
    return entry[check_lang(lang)] if entry else str(table)


def _num_text(x) -> str:
    return "" if x is None else (f"{int(x)}" if float(x).is_integer() else f"{x}")


def _zh(key: str, **values) -> str:
    return messages.entry(key)["zh"].format(**shown_values(values))


def _reason_zh(code: str, p: dict) -> str:
    values = {k: ("" if v is None else v) for k, v in p.items()}
    if code == "unreadable":
        known = p.get("kind") in messages.group("expected")
        values["expected"] = _zh(f"expected.{p.get('kind')}" if known else "quarantine_words.any_value")
    elif code == "date_field":
        field = f"field_{p.get('field')}"
        known = field in messages.group("quarantine_words")
        values["field"] = _zh(f"quarantine_words.{field}") if known else p.get("field")
        values["days"] = (_zh("quarantine_words.month_days", month=p["month"], high=p["high"])
                          if p.get("month") else "")
    elif code == "out_of_range":
        lo, hi = p.get("min"), p.get("max")
        values["bounds"] = (f"{_num_text(lo)}..{_num_text(hi)}" if lo is not None and hi is not None
                            else f"≥ {_num_text(lo)}" if lo is not None else f"≤ {_num_text(hi)}")
    elif code in ("not_in_parent", "no_parent_table", "before_parent"):
        values["parent"] = table_label(p.get("parent", ""), lang="zh")
    return REASONS_ZH[code].format(**shown_values(values))


@keyword_only("lang", "english")
def reason_text(code, params, *, lang: str = "en", english: str = "") -> str:
    """Return a quarantine reason in ``lang`` from its code and parameters.

    Parameters
    ----------
    code : str
        ``reason_code`` of a quarantined row (several joined with ``"; "``).
    params : str
        ``reason_params``: a JSON list of objects, one per code.
    lang : {"en", "zh"}
    english : str
        The stored English ``reason``; returned for ``en`` and whenever the code is
        unknown or its parameters unreadable (a quarantine written before codes existed).

    Returns
    -------
    str
        The reason worded in ``lang`` (several joined with "；" in Chinese).

    Examples
    --------
    The stored English reason, and the same reason worded in Chinese from its code and
    parameters:

    >>> import json
    >>> from perfmodel.data.validation import before_reason
    >>> english, params = before_reason("created_at", "resolved_at", "2026-07-03 10:00", "2026-07-01 08:00")
    >>> reason_text("before", json.dumps([params]), lang="en", english=english)
    "resolved_at '2026-07-01 08:00' is before created_at '2026-07-03 10:00'"
    >>> reason_text("before", json.dumps([params]), lang="zh", english=english)
    'resolved_at“2026-07-01 08:00”早于 created_at“2026-07-03 10:00”'
    >>> reason_text("mystery", "[]", lang="zh", english="old reason")  # unknown code: as stored
    'old reason'
    """
    import json

    if check_lang(lang) == "en" or not isinstance(code, str) or not code:
        return english
    codes = code.split("; ")
    try:
        plist = json.loads(params) if isinstance(params, str) else None
    except ValueError:
        plist = None
    if not isinstance(plist, list) or len(plist) != len(codes) or any(c not in REASONS_ZH for c in codes):
        return english
    try:
        return _zh("quarantine_words.join").join(_reason_zh(c, p) for c, p in zip(codes, plist))
    except (KeyError, IndexError, TypeError, ValueError):
        return english
