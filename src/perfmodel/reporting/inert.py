"""Characters from the data that must never reach a page: control and bidi characters.

A name holding NUL or BEL breaks tools that read the page; a right-to-left override
(U+202E) makes ``S1\u202eA`` display reversed, so a page can show a different id or score
than it holds. Text from the data shown on a page (names, teams, reasons, records) passes
through :func:`visible`, which puts U+FFFD (�) in place of each such character: the reader
sees that something was there, and nothing is reordered or hidden.
"""
from __future__ import annotations

import re

# C0 controls but tab/newline/CR, DEL, C1 controls; bidi embeddings, overrides, isolates
# and marks; zero-width and other invisible format characters.
HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e"
                    "\u2060-\u2069\ufeff\ufff9-\ufffb]")
REPLACEMENT = "\ufffd"


def visible(text: str) -> str:
    """``text`` with every control, bidi and invisible format character replaced by U+FFFD.

    Returns
    -------
    str
        ``text`` of the same length; Chinese and other printable characters unchanged.

    Examples
    --------
    >>> visible("S1\\u202eA")  # a right-to-left override would show "S1A" reversed
    'S1�A'
    >>> visible("王\\x07伟"), visible("张 伟\\tCS-01")
    ('王�伟', '张 伟\\tCS-01')
    """
    return HIDDEN.sub(REPLACEMENT, text)
