"""The words of ``perfmodel watch`` in English and Chinese: printed lines and error messages.

Every sentence the watch command prints or raises comes from :data:`TEXT` (the ``watch`` group
of :mod:`perfmodel.core.messages`), so a run with
``--lang zh`` speaks Chinese throughout. Indicator names come from the catalogue and the
verdict words from :mod:`perfmodel.core.i18n`.
"""
from __future__ import annotations

import pandas as pd

from perfmodel.core import messages
from perfmodel.core.deprecation import keyword_only
from perfmodel.core.numbers import shown_values

TEXT: dict[str, dict[str, str]] = messages.group("watch")

#: A period kind named in Chinese on its own (``月份``; smart_goals counts in ``月``).
PERIOD_KIND_ZH = {kind: entry["zh"] for kind, entry in messages.group("period_names").items()}


@keyword_only("lang")
def period_name(kind: str, *, lang: str = "en") -> str:
    """Return a period kind named on its own in ``lang`` (``month`` -> ``月份``); unknown kinds as given.

    Examples
    --------
    >>> period_name("month"), period_name("month", lang="zh"), period_name("decade")
    ('month', '月份', 'decade')
    """
    entry = messages.group("period_names").get(kind)
    return entry.get(lang, entry["en"]) if entry else kind


@keyword_only("lang")
def text(key: str, *, lang: str = "en", **values) -> str:
    """Return the sentence ``key`` in ``lang`` (``"en"`` or ``"zh"``) filled with ``values``.

    Returns
    -------
    str
        The formatted sentence; English when ``lang`` is not ``"zh"``.

    Examples
    --------
    >>> text("threshold", lang="en", threshold=1.5)
    '--threshold 1.5: use a probability between 0 and 1'
    >>> text("threshold", lang="zh", threshold=1.5)
    '--threshold 1.5：请给出 0 到 1 之间的概率'
    """
    entry = TEXT[key]
    return entry.get(lang, entry["en"]).format(**shown_values(values))


def instant(ts: pd.Timestamp) -> str:
    """Format an instant as ``2026-07-01 00:00`` (seconds only when not zero).

    Examples
    --------
    >>> instant(pd.Timestamp("2026-07-01")), instant(pd.Timestamp("2026-07-01 09:30:15"))
    ('2026-07-01 00:00', '2026-07-01 09:30:15')
    """
    ts = pd.Timestamp(ts)
    if ts.second or ts.microsecond or ts.nanosecond:
        return str(ts)
    return ts.strftime("%Y-%m-%d %H:%M")


@keyword_only("lang")
def as_of_error(ts: pd.Timestamp, period, *, lang: str = "en") -> str:
    """The message for an as-of instant outside ``(start(P), end(P)]``, the range :func:`watch` accepts.

    At ``start(P)`` nothing of the period has happened yet; ``end(P)`` (the first instant
    of the next period) is the whole period. A date ``D`` means ``D 00:00``, so the dates
    accepted are the day after the first day of the period up to the day after its last.

    Returns
    -------
    str
        One line naming the instant given and the accepted range.

    Examples
    --------
    >>> from perfmodel.core.periods import parse_period
    >>> q3 = parse_period("2026Q3")
    >>> print(as_of_error(q3.start, q3))
    --as-of 2026-07-01 00:00:00 is the first instant of 2026Q3: nothing has happened yet; give a later time inside 2026Q3 (after 2026-07-01 00:00 and at most 2026-10-01 00:00)
    >>> print(as_of_error(pd.Timestamp("2026-10-05"), q3, lang="zh"))
    --as-of 2026-10-05 00:00:00：不在 2026Q3 内；请给出晚于 2026-07-01 00:00 且不晚于 2026-10-01 00:00 的时间（按日期：2026-07-02 至 2026-10-01）
    """
    values = dict(as_of=str(ts), period=period.id, start=instant(period.start), end=instant(period.end))
    if ts == period.start:
        return text("as_of_first_instant", lang=lang, **values)
    first_day = (period.start + pd.Timedelta(days=1)).date()
    return text("as_of_outside", lang=lang, first_day=first_day, last_day=period.end.date(), **values)
