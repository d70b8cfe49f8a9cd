"""The small base every result object shares: a tidy table, a text summary, an HTML view.

A result object (AHP weights, rank uncertainty, the derivation of a score, ...) keeps its
own attributes, and on top of them offers the same three things:

- ``.table`` — the tidy DataFrame the result is about;
- ``.summary()`` — a few lines of text: the title, the headline figures, the table;
- ``_repr_html_()`` — the same for a notebook (escaped text and the table as HTML).

Not to be confused with :mod:`perfmodel.results`, the files a report run hands to its pages.
Results that were once tuples keep unpacking for one version (:class:`Unpackable`), with a
:class:`DeprecationWarning`.
"""
from __future__ import annotations

import html
import warnings

import pandas as pd

__all__ = ["Result", "ResultFrame", "Unpackable"]


class Result:
    """Base of perfmodel's result objects.

    Subclasses provide ``table`` (an attribute or property holding a DataFrame) and may
    override :attr:`title` and :meth:`headline`.

    Examples
    --------
    >>> import pandas as pd
    >>> class Mean(Result):
    ...     title = "Mean"
    ...     def __init__(self, table):
    ...         self.table = table
    ...     def headline(self):
    ...         return {"n": len(self.table)}
    >>> print(Mean(pd.DataFrame({"x": [1.0, 2.0]})).summary())
    Mean
    n: 2
      x
    1.0
    2.0
    """

    title = "Result"

    def headline(self) -> dict:
        """The result's headline figures, name -> value (shown above the table).

        Returns
        -------
        dict
        """
        return {}

    def _lines(self) -> list[str]:
        return [f"{k}: {_fmt(v)}" for k, v in self.headline().items()]

    def summary(self) -> str:
        """The title, the headline figures and the table, as plain text.

        Returns
        -------
        str
        """
        table = self.table
        body = table.to_string(index=False) if isinstance(table, pd.DataFrame) else str(table)
        return "\n".join([self.title, *self._lines(), body])

    def _repr_html_(self) -> str:
        table = self.table
        body = table.to_html(index=False, border=0) if isinstance(table, pd.DataFrame) else html.escape(str(table))
        lines = "".join(f"<li>{html.escape(line)}</li>" for line in self._lines())
        return f"<div><strong>{html.escape(self.title)}</strong>" + (f"<ul>{lines}</ul>" if lines else "") + body + "</div>"


class ResultFrame(pd.DataFrame, Result):
    """A tidy result that is a DataFrame and a :class:`Result` at once.

    The statistics return their tidy table as before (every DataFrame operation works and
    gives a plain DataFrame; the notebook shows it as a DataFrame) and add ``.table`` (the
    plain DataFrame) and ``.summary()``. Subclasses set :attr:`title` and may override
    :meth:`headline`.

    Examples
    --------
    >>> class Means(ResultFrame):
    ...     title = "Means"
    >>> res = Means({"x": [1.5]})
    >>> print(res.summary())
    Means
      x
    1.5
    >>> type(res[["x"]]).__name__, type(res.table).__name__
    ('DataFrame', 'DataFrame')
    """

    @property
    def _constructor(self):
        return pd.DataFrame

    @property
    def table(self) -> pd.DataFrame:
        """The result as a plain DataFrame (the same columns and rows).

        Returns
        -------
        pandas.DataFrame
        """
        return pd.DataFrame(self)


class Unpackable:
    """Mixin: ``a, b, c = result`` still works for one version, with a DeprecationWarning.

    Subclasses set ``_unpack`` to the names of the attributes the tuple held, in order.
    """

    _unpack: tuple = ()

    def __iter__(self):
        names = ", ".join(self._unpack)
        warnings.warn(f"unpacking a {type(self).__name__} is deprecated; read its attributes "
                      f"({names}) instead", DeprecationWarning, stacklevel=2)
        return iter(tuple(getattr(self, n) for n in self._unpack))


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
