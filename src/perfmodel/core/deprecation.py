"""Keeping old calls working for one version while the public API becomes regular.

The public functions take the data or panel first and the policy second; ``entity``,
``time`` and ``lang`` (and the options after them) are keyword-only. A function whose
parameters were once positional is decorated with :func:`keyword_only`: a call that still
passes them by position works for one more version and warns.
"""
from __future__ import annotations

import functools
import inspect
import warnings

__all__ = ["keyword_only", "old_order"]


def keyword_only(*names: str):
    """Decorator: ``names`` were positional (in this order) and are now keyword-only.

    A call passing them by position is mapped onto the keywords, with a
    :class:`DeprecationWarning` naming them; everything else is passed on unchanged.

    Parameters
    ----------
    *names : str
        The parameters, in their former positional order, that follow the parameters
        still taken by position.

    Returns
    -------
    callable
        The decorator; the decorated function keeps its name, docstring and signature.

    Examples
    --------
    >>> import warnings
    >>> @keyword_only("entity", "time")
    ... def count(df, *, entity="supervisor_id", time="period"):
    ...     return f"{entity}/{time}"
    >>> count(None, time="month")
    'supervisor_id/month'
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     count(None, "staff_id", "month")
    'staff_id/month'
    >>> str(caught[0].message)
    'count(): pass entity, time by keyword (entity=..., time=...); passing them by position is deprecated'
    """

    def decorate(fn):
        params = inspect.signature(fn).parameters.values()
        n_positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            if len(args) > n_positional:
                extra = args[n_positional:]
                if len(extra) > len(names):
                    raise TypeError(f"{fn.__name__}() takes {n_positional} positional arguments "
                                    f"but {len(args)} were given")
                moved = dict(zip(names, extra))
                twice = sorted(set(moved) & set(kwargs))
                if twice:
                    raise TypeError(f"{fn.__name__}() got multiple values for argument {twice[0]!r}")
                given = ", ".join(moved)
                them = "them" if len(moved) > 1 else "it"
                warnings.warn(f"{fn.__name__}(): pass {given} by keyword "
                              f"({', '.join(f'{n}=...' for n in moved)}); passing {them} by position "
                              f"is deprecated", DeprecationWarning, stacklevel=2)
                kwargs.update(moved)
                args = args[:n_positional]
            return fn(*args, **kwargs)

        call.__keyword_only__ = names  # read by the test that walks the public API
        return call

    return decorate


def old_order(new_form: str, remap):
    """Decorator: calls in a former argument order still work for one version, with a warning.

    Parameters
    ----------
    new_form : str
        The arguments of the call in the new order, as the warning shows them
        (``"data, policy"`` gives ``lint(data, policy)``).
    remap : callable
        ``remap(args, kwargs)`` returns ``None`` for a call in the new order, or the
        ``(args, kwargs)`` of the same call in the new order.

    Returns
    -------
    callable
        The decorator; the decorated function keeps its name, docstring and signature.

    Examples
    --------
    >>> import warnings
    >>> @old_order("name, times", lambda args, kw: ((args[1], args[0]), kw)
    ...            if args and isinstance(args[0], int) else None)
    ... def repeat(name, times=1):
    ...     return name * times
    >>> repeat("ab", 2)
    'abab'
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     repeat(2, "ab")
    'abab'
    >>> str(caught[0].message)
    'repeat(): the argument order changed; call repeat(name, times) (the old order is deprecated)'
    """

    def decorate(fn):
        @functools.wraps(fn)
        def call(*args, **kwargs):
            moved = remap(args, kwargs)
            if moved is not None:
                warnings.warn(f"{fn.__name__}(): the argument order changed; call "
                              f"{fn.__name__}({new_form}) (the old order is deprecated)",
                              DeprecationWarning, stacklevel=2)
                args, kwargs = moved
            return fn(*args, **kwargs)

        call.__old_order__ = new_form
        return call

    return decorate
