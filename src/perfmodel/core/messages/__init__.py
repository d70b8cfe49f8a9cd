"""The message catalogue: every user-facing text of perfmodel in English and Chinese.

The texts are data (``messages.yaml`` beside this module, both languages side by side per
key, so a translator sees the English while writing the Chinese); this module only reads
them. A key is ``<group>.<name>``, for example ``labels.quarterly_title`` or
``watch.headline``; the part after the first dot may itself contain dots.

Examples
--------
>>> from perfmodel.core.messages import text
>>> text("labels.quarterly_title", lang="zh", period="2026Q3")
'季度绩效报告 — 2026Q3'
>>> text("common.list_sep", lang="en")
', '
"""
from __future__ import annotations

import functools
from importlib import resources

import yaml

from perfmodel.core.deprecation import keyword_only
from perfmodel.core.errors import UsageError
from perfmodel.core.numbers import shown_values

LANGS = ("en", "zh")
FILE = "messages.yaml"


@functools.cache
def catalogue() -> dict[str, dict[str, dict]]:
    """Return the whole catalogue: ``{group: {name: {"en": text, "zh": text}}}``.

    A text is a string (a ``str.format`` template) or, for table headers, a list of
    strings. Read once per process; treat the result as read-only.

    Examples
    --------
    >>> cat = catalogue()
    >>> cat["common"]["list_sep"]
    {'en': ', ', 'zh': '、'}
    >>> cat["labels"]["quarterly_title"]["en"]
    'Quarterly performance report — {period}'
    """
    raw = resources.files(__package__).joinpath(FILE).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(raw, Loader=loader)


def group(name: str) -> dict[str, dict]:
    """Return the entries of one group: ``{name: {"en": text, "zh": text}}``.

    Raises
    ------
    KeyError
        ``name`` is not a group of the catalogue.

    Examples
    --------
    >>> group("common")["list_sep"]["zh"]
    '、'
    >>> group("no_such_group")
    Traceback (most recent call last):
    ...
    KeyError: 'no_such_group'
    """
    return catalogue()[name]


def entry(key: str) -> dict:
    """Return the entry of ``key`` (``<group>.<name>``): ``{"en": text, "zh": text}``.

    Raises
    ------
    KeyError
        ``key`` is not in the catalogue.

    Examples
    --------
    >>> entry("labels.quarterly_title")
    {'en': 'Quarterly performance report — {period}', 'zh': '季度绩效报告 — {period}'}
    >>> entry("labels.nothing_here")
    Traceback (most recent call last):
    ...
    KeyError: 'labels.nothing_here'
    """
    grp, _, name = key.partition(".")
    try:
        return catalogue()[grp][name]
    except KeyError:
        raise KeyError(key) from None


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"en"`` or ``"zh"``; raise UsageError otherwise.

    Examples
    --------
    >>> check_lang("zh")
    'zh'
    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: lang 'fr': use 'en' or 'zh'
    """
    if lang not in LANGS:
        raise UsageError(f"lang {lang!r}: use 'en' or 'zh'")
    return lang


@keyword_only("lang")
def text(key: str, *, lang: str = "en", **params):
    """Return the text of ``key`` in ``lang``, filled with ``params`` (``str.format``).

    Without ``params`` the template is returned as stored (braces included), and a list
    entry (table headers) is returned as a new list.

    Raises
    ------
    KeyError
        ``key`` is not in the catalogue.
    UsageError
        ``lang`` is not ``"en"`` or ``"zh"``.

    Examples
    --------
    >>> text("labels.quarterly_title", "en", period="2026Q3")
    'Quarterly performance report — 2026Q3'
    >>> text("labels.quarterly_title", "zh")  # no parameters: the template as stored
    '季度绩效报告 — {period}'
    """
    value = entry(key)[check_lang(lang)]
    if isinstance(value, list):
        return list(value)
    return value.format(**shown_values(params)) if params else value


def keys() -> list[str]:
    """Return every key of the catalogue as ``<group>.<name>``, in file order.

    Examples
    --------
    >>> all_keys = keys()
    >>> "labels.quarterly_title" in all_keys, len(all_keys) == len(set(all_keys))
    (True, True)
    """
    return [f"{g}.{n}" for g, entries in catalogue().items() for n in entries]
