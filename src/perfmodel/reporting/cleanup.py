"""Working caches of report runs: who owns one, and removing those whose run is gone.

A report run keeps its working cache (the loaded dataset and the indicator panel, personal
data) in ``<run_dir>/.cache`` and removes it when it ends. A run that is killed cannot, so
the cache would stay in the run folder. Each run therefore records its owner in
``<run_dir>/.running`` (JSON: process id, host name, boot id, process start time, start
time of the run) before it writes the cache, and removes the record after the cache.

:func:`clean_stale` (called when every ``perfmodel report`` run starts, and by
``perfmodel report --clean-stale``) removes the cache of each run folder under a reports
folder whose owner is gone: same host and boot, and the process no longer exists, has
ended (a zombie) or is another process that reused the id. A run owned by another host,
or whose owner cannot be told apart from a live one, is never touched. A cache without an
owner record (left by a version that did not write one) counts as stale.

Only folders named like a run (``reports/<period>/<YYYYMMDDTHHMMSSZ-8 hex>``) are looked
at, so pointing ``--out`` at any other folder removes nothing else. The manifest is never
written here: a killed run stays incomplete.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from perfmodel.audit import ledger
# owner_record is part of this module's API (the record a run writes)
from perfmodel.core.owners import owner_record, owner_state, read_owner_file, write_owner  # noqa: F401

CACHE_DIR = ".cache"
OWNER_FILE = ".running"
RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


@dataclass
class Cleanup:
    """What :func:`clean_stale` did.

    Attributes
    ----------
    removed : list of pathlib.Path
        The caches removed (``<run_dir>/.cache``), their runs' owners gone.
    kept : list of (pathlib.Path, str)
        Caches left in place with the reason (run still going, owned by another host).

    Examples
    --------
    Returned by :func:`clean_stale`; nothing to clean gives two empty lists:

    >>> import tempfile
    >>> done = clean_stale(tempfile.mkdtemp())
    >>> done.removed, done.kept
    ([], [])
    >>> Cleanup(removed=[Path("reports/2026Q3/20261127T101500Z-1a2b3c4d/.cache")]).removed[0].name
    '.cache'
    """

    removed: list[Path] = field(default_factory=list)
    kept: list[tuple[Path, str]] = field(default_factory=list)


def claim(run_dir) -> Path:
    """Record this process as the owner of ``run_dir`` (atomically); call before writing the cache.

    Returns
    -------
    pathlib.Path
        The record, ``<run_dir>/.running`` (hidden: never an output of the run).

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> run = Path(tempfile.mkdtemp()) / "2026Q3" / "20261127T101500Z-1a2b3c4d"
    >>> run.mkdir(parents=True)
    >>> claim(run).name, read_owner(run)["pid"] == os.getpid()
    ('.running', True)
    """
    return write_owner(Path(run_dir) / OWNER_FILE)


def release(run_dir) -> None:
    """Remove the run's cache, then its owner record (when the run ends, whatever the outcome).

    Returns
    -------
    None
        Nothing else in ``run_dir`` is touched; a cache or record already gone is no error.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> run = Path(tempfile.mkdtemp()) / "2026Q3" / "20261127T101500Z-1a2b3c4d"
    >>> (run / CACHE_DIR).mkdir(parents=True)
    >>> _ = (run / "scores.csv").write_text("supervisor_id,total_score\\n")
    >>> _ = claim(run)
    >>> release(run)
    >>> sorted(p.name for p in run.iterdir()), read_owner(run)
    (['scores.csv'], None)
    """
    run_dir = Path(run_dir)
    shutil.rmtree(run_dir / CACHE_DIR, ignore_errors=True)
    try:
        (run_dir / OWNER_FILE).unlink()
    except FileNotFoundError:
        pass


def read_owner(run_dir) -> dict | None:
    """Return the owner record of a run folder, or None when there is none or it is unreadable.

    Returns
    -------
    dict or None
        ``pid``, ``host``, ``boot_id``, ``process_start`` and ``started_at``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> run = Path(tempfile.mkdtemp())
    >>> read_owner(run) is None
    True
    >>> _ = claim(run)
    >>> sorted(read_owner(run))
    ['boot_id', 'host', 'pid', 'process_start', 'started_at']
    >>> _ = (run / OWNER_FILE).write_text("{not json")
    >>> read_owner(run) is None
    True
    """
    return read_owner_file(Path(run_dir) / OWNER_FILE)


# --------------------------------------------------------------------------- cleaning

def run_folders(out) -> list[Path]:
    """Return the run folders under a reports folder (``<out>/<period>/<run_id>``), sorted.

    Returns
    -------
    list of pathlib.Path
        Only folders named like a run id (see :func:`perfmodel.reporting.runner.new_run_id`);
        empty when ``out`` is absent or unreadable.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp())
    >>> for name in ("2026Q3/20261127T101500Z-1a2b3c4d", "2026Q2/20260901T080000Z-00ff00ff",
    ...              "2026Q3/notes"):
    ...     (out / name).mkdir(parents=True)
    >>> [str(p.relative_to(out)) for p in run_folders(out)]
    ['2026Q2/20260901T080000Z-00ff00ff', '2026Q3/20261127T101500Z-1a2b3c4d']
    >>> run_folders(out / "absent")
    []
    """
    root = Path(out)
    try:
        periods = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:  # absent or unreadable: no runs to look at
        return []
    found = []
    for period in periods:
        try:
            found.extend(sorted(r for r in period.iterdir() if RUN_ID.match(r.name) and r.is_dir()))
        except OSError:
            continue
    return found


def clean_stale(out, *, key: bytes | None = None) -> Cleanup:
    """Remove the working caches of the runs under ``out`` whose process is gone.

    Each removal appends a ``stale-cache-removed`` entry to the ledger of ``out``
    (:func:`perfmodel.audit.ledger.record_cache_removed`); the ledger's history is never edited.

    Parameters
    ----------
    out : path
        A reports folder (what ``perfmodel report --out`` names).
    key : bytes, optional
        The signing key (``--sign-key``): the ledger entries then carry an HMAC.

    Returns
    -------
    Cleanup
        The caches removed and those kept (with the reason). Run folders, their outputs
        and their status are left as they are: a killed run stays incomplete (no
        manifest). A cache whose removal fails is listed as kept.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp())
    >>> run = out / "2026Q3" / "20261127T101500Z-1a2b3c4d"
    >>> (run / CACHE_DIR).mkdir(parents=True)  # left by a killed run: no owner record
    >>> done = clean_stale(out)
    >>> [str(p.relative_to(out)) for p in done.removed], done.kept, (run / CACHE_DIR).exists()
    (['2026Q3/20261127T101500Z-1a2b3c4d/.cache'], [], False)
    >>> entry = ledger.read_entries(out)[0][-1]  # the removal is recorded in the ledger
    >>> entry["kind"], entry["run"]
    ('stale-cache-removed', '2026Q3/20261127T101500Z-1a2b3c4d')
    >>> _ = claim(run)  # this process: a run still going
    >>> (run / CACHE_DIR).mkdir()
    >>> done = clean_stale(out)
    >>> done.removed, [why.split(":")[0] for _, why in done.kept]
    ([], ['running'])
    """
    result = Cleanup()
    for run in run_folders(out):
        cache = run / CACHE_DIR
        marker = run / OWNER_FILE
        if not (cache.exists() or marker.exists()):
            continue
        owner = read_owner(run)
        if owner is None:
            if marker.exists():  # a record being replaced, or damaged: leave it alone
                result.kept.append((cache, "owner record unreadable"))
                continue
            state = "gone"  # a cache from before owner records
        else:
            state = owner_state(owner)
        if state != "gone":
            if cache.exists():
                result.kept.append((cache, f"{state}: pid {owner.get('pid')} on {owner.get('host')}"))
            continue
        if cache.exists():
            shutil.rmtree(cache, ignore_errors=True)
            if cache.exists():
                result.kept.append((cache, "could not be removed"))
                continue
            result.removed.append(cache)
            ledger.record_cache_removed(run, key=key)
        for leftover in [marker, *run.glob(".running-*")]:
            try:
                leftover.unlink()
            except OSError:
                pass
    return result
