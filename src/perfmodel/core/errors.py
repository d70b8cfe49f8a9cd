"""Exceptions a user can cause.

Every error a user can fix is a :class:`PerfmodelError`; its message is one line that
names the file, row or field and says what to do. The command line prints that line
and exits with code 2.
"""
from __future__ import annotations


class PerfmodelError(Exception):
    """Base class of errors caused by input or usage; the message is shown as is."""


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
