"""A content-addressed cache of :func:`~perfmodel.analysis.watch.watch`, for per-supervisor pages.

A feedback run executes one notebook per supervisor; each needs the same
:class:`~perfmodel.analysis.watch.WatchResult`. The key is a SHA-256 of everything the result
depends on (the dataset's table files, the policy, the period, the as-of instant, the
options and the package's source code), so a cached result is never stale. The default
folder is private to the user (mode 0700), since results hold personal data and are
unpickled.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import pandas as pd

from functools import lru_cache

from perfmodel.core.atomic import write_atomic
from perfmodel.core.deprecation import old_order
from perfmodel.core.periods import period_containing
from perfmodel.analysis.watch.core import watch
from perfmodel.data.cut import as_of_timestamp


def _policy_text(policy) -> str:
    from perfmodel.scoring.policy import Policy, load_policy

    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    return pol.to_yaml()


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    # Any change to the package's code gives new keys, with or without a version bump.
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for path in sorted(root.rglob("*.py")) + sorted(root.rglob("*.yaml")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _default_folder() -> Path | None:
    folder = Path(tempfile.gettempdir()) / f"perfmodel-watch-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    st = folder.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None  # someone else's or open to others: do not trust it
    return folder


def cache_key(dataset, period, as_of, policy, **options) -> str | None:
    """SHA-256 key of a watch run, or None when the dataset was not read from files.

    Examples
    --------
    The same instant written two ways gives the same key; another instant or option another
    key; a dataset made from frames has no files to key on:

    >>> from perfmodel import dataset_from_frames, load_dataset
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "supervisors.csv").write_text("supervisor_id,name\\nS1,王芳\\n", encoding="utf-8")
    >>> _ = (folder / "tickets.csv").write_text(
    ...     "ticket_id,supervisor_id,created_at\\nT1,S1,2026-07-02 09:00\\n", encoding="utf-8")
    >>> ds = load_dataset(folder)
    >>> key = cache_key(ds, "2026Q3", "2026-08-15", "efficiency")
    >>> len(key), key == cache_key(ds, "2026Q3", "2026-08-15 00:00", "efficiency")
    (64, True)
    >>> key == cache_key(ds, "2026Q3", "2026-08-16", "efficiency")
    False
    >>> key == cache_key(ds, "2026Q3", "2026-08-15", "efficiency", threshold=0.7)
    False
    >>> cache_key(dataset_from_frames(ds.tables), "2026Q3", "2026-08-15", "efficiency") is None
    True
    """
    if not dataset.files:
        return None
    h = hashlib.sha256()
    for name in sorted(dataset.files):
        h.update(name.encode())
        try:
            h.update(Path(dataset.files[name]).read_bytes())
        except OSError:  # moved or relative to another folder: compute, do not cache
            return None
    for part in (_policy_text(policy), str(period), str(as_of_timestamp(as_of)),
                 repr(sorted(options.items())), _code_fingerprint()):
        h.update(part.encode("utf-8"))
    return h.hexdigest()


def _old_cached_order(args, kwargs):
    """The call in the new order when made as ``cached_watch(dataset, period, as_of, policy)``; else None."""
    from perfmodel.analysis.watch.core import _is_period

    old = len(args) >= 3 or (len(args) == 2 and (args[1] is None or _is_period(args[1]))
                             and "period" not in kwargs)
    if not old:
        return None
    moved = dict(zip(("period", "as_of", "policy"), args[1:4]))
    if len(args) > 4 or set(moved) & set(kwargs):
        raise TypeError("cached_watch() takes the dataset and the policy by position; pass period=..., "
                        "as_of=... by keyword")
    return (args[0],), {**kwargs, **moved}


@old_order("dataset, policy, period=..., as_of=...", _old_cached_order)
def cached_watch(dataset, policy="efficiency", *, period=None, as_of, cache_dir=None, **options):
    """:func:`~perfmodel.analysis.watch.watch`, computed once per inputs and reused.

    The dataset comes first and the policy second, as in :func:`~perfmodel.analysis.watch.watch`;
    the former order ``cached_watch(dataset, period, as_of, policy)`` still works for one
    version, with a ``DeprecationWarning``.

    Parameters
    ----------
    period : str or None
        The period in progress; None = the period (of the policy's kind) containing
        ``as_of``.
    cache_dir : path, optional
        Where results are kept (default ``<temp dir>/perfmodel-watch-<uid>``, private).
    **options
        Passed to :func:`~perfmodel.analysis.watch.watch` (``threshold``, ``lang``, ``engine`` ...).

    Returns
    -------
    WatchResult

    Examples
    --------
    The second call with the same inputs reads the result the first one stored (a few seconds
    for the first, a few milliseconds for the second):

    >>> import os
    >>> import perfmodel
    >>> from perfmodel.data.demo import demo_history
    >>> folder = str(demo_history(tempfile.mkdtemp()))
    >>> ds = perfmodel.load_dataset(folder)
    >>> cache = tempfile.mkdtemp()
    >>> first = cached_watch(ds, period="2026Q3", as_of="2026-08-16", cache_dir=cache)
    >>> [name[-4:] for name in os.listdir(cache)]
    ['.pkl']
    >>> again = cached_watch(ds, as_of="2026-08-16", cache_dir=cache)  # the quarter in progress
    >>> again.period, again.projections.equals(first.projections)
    ('2026Q3', True)
    >>> again.headline()
    {'period': '2026Q3', 'as_of': '2026-08-16 00:00:00', 'at_risk': 6, 'supervisors_at_risk': 4}
    """
    from perfmodel.scoring.policy import Policy, load_policy

    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    ts = as_of_timestamp(as_of)
    if period is None:
        # the as-of instant is exclusive: as of 2026-10-01 00:00 the period in progress is Q3
        period = period_containing(ts - pd.Timedelta(microseconds=1),
                                   pol.period or "quarter").id
    key = cache_key(dataset, period, ts, pol, **options)
    if key is None:
        return watch(dataset, pol, period=period, as_of=ts, **options)
    folder = Path(cache_dir) if cache_dir else _default_folder()
    if folder is None:
        return watch(dataset, pol, period=period, as_of=ts, **options)
    path = folder / f"{key}.pkl"
    if path.exists():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    res = watch(dataset, pol, period=period, as_of=ts, **options)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(path, pickle.dumps(res))
    return res
