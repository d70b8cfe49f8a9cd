"""Exceptions a user can cause.

Every error a user can fix is a :class:`PerfmodelError`; its message is one line that
names the file, row or field and says what to do. The command line prints that line
and exits with code 2.
"""
from __future__ import annotations


class PerfmodelError(Exception):
    """Base class of errors caused by input or usage; the message is shown as is.

    An error made with :meth:`worded` takes its message from the message catalogue, and
    :meth:`text` words it in English or Chinese (the command line uses its ``--lang``).
    """

    key: str | None = None
    values: dict = {}

    @classmethod
    def worded(cls, key: str, **values) -> "PerfmodelError":
        """Return an error of this class whose message is the catalogue text ``key``.

        ``str()`` of the error is the English text; :meth:`text` gives either language.

        Examples
        --------
        >>> exc = PeriodError.worded("errors.not_a_period", text="'2026Q5'")
        >>> str(exc)
        "period '2026Q5': not a period id; use a quarter like 2026Q3 or a month like 2026-09"
        >>> exc.text(lang="zh")
        "期间 '2026Q5'：不是有效的期间编号；请使用季度（如 2026Q3）或月份（如 2026-09）"
        """
        from perfmodel.core import messages

        exc = cls(messages.text(key, lang="en", **values))
        exc.key, exc.values = key, dict(values)
        return exc

    def text(self, *, lang: str = "en") -> str:
        """Return the message in ``lang`` (``en`` or ``zh``); an error not made with
        :meth:`worded` has its one message.

        Examples
        --------
        >>> DataError("tickets.csv: no such file").text(lang="zh")
        'tickets.csv: no such file'
        """
        if self.key is None:
            return str(self)
        from perfmodel.core import messages

        return messages.text(self.key, lang=lang, **self.values)


class DataError(PerfmodelError):
    """A data file or table cannot be used (missing, unreadable, missing a column)."""


class PeriodError(PerfmodelError):
    """A period id is malformed or a period range is empty."""


class PolicyError(PerfmodelError):
    """A scoring policy is invalid; the message names the key path and the fix."""


class UsageError(PerfmodelError):
    """Command-line or API arguments are inconsistent."""


class CheckFailed(Exception):
    """A verification ran and found a difference (exit code 1, not 2)."""


class PerfmodelWarning(UserWarning):
    """A result was computed but deserves caution (few clusters, a lopsided weight).

    Raised through :func:`warnings.warn`, so callers can filter it by class; the command
    line prints its message as one ``perfmodel: warning:`` line.
    """


class MethodSkipped(PerfmodelWarning):
    """A method could not run on the data and was left out of a comparison.

    Attributes
    ----------
    method, reason : str
        The method's name and the one-line reason (the :class:`PerfmodelError` message).
    error : PerfmodelError or None
        The error that stopped the method, when known; :meth:`reason_text` words it in
        either language when it can (``error.text(lang=...)``).
    """

    def __init__(self, method: str, reason: str, error: Exception | None = None):
        super().__init__(f"{method}: left out: {reason}")
        self.method = method
        self.reason = reason
        self.error = error

    def reason_text(self, *, lang: str = "en") -> str:
        """Return the reason in ``lang`` when the error can word itself, else :attr:`reason`."""
        word = getattr(self.error, "text", None)
        return word(lang=lang) if callable(word) else self.reason


def did_you_mean(word: str, options) -> str:
    """Return "did you mean 'x'? " for the closest of ``options`` to ``word``, or "".

    Examples
    --------
    >>> did_you_mean("efficency", ["efficiency", "quality"])
    "did you mean 'efficiency'? "
    >>> did_you_mean("xyz", ["efficiency", "quality"])
    ''
"""
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""
