"""Who owns a working folder, and whether that process is still there.

A process that keeps personal data in a working folder (a report run's cache, the DuckDB
engine's table files) records itself in the folder first: process id, host name, boot
id and process start time. A later process can then tell a folder whose owner was
killed (and so could not clean up) from one still in use, and remove only the former.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from perfmodel.core.atomic import write_atomic

def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks since boot) of a process, or None when unknown."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces or parentheses
    rest = text[text.rfind(")") + 2:].split()
    try:
        return rest[0], int(rest[19])  # field 3 (state) and field 22 (starttime)
    except (IndexError, ValueError):
        return None


def owner_record(pid: int | None = None) -> dict:
    """Return the owner record of this process (or of ``pid``).

    Returns
    -------
    dict
        ``pid``, ``host`` (:func:`socket.gethostname`), ``boot_id`` (Linux, else None),
        ``process_start`` (clock ticks since boot, Linux, else None), ``started_at``
        (UTC, ISO 8601).

    Examples
    --------
    >>> record = owner_record()
    >>> sorted(record)
    ['boot_id', 'host', 'pid', 'process_start', 'started_at']
    >>> record["pid"] == os.getpid(), record["host"] == socket.gethostname()
    (True, True)
    """
    pid = os.getpid() if pid is None else int(pid)
    stat = _proc_stat(pid)
    return {"pid": pid, "host": socket.gethostname(), "boot_id": _boot_id(),
            "process_start": stat[1] if stat else None,
            "started_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


def owner_state(owner: dict) -> str:
    """Tell whether the process that owns a run is still there.

    Returns
    -------
    str
        ``gone`` (same host: the machine was restarted since, the process no longer
        exists, has ended and waits to be reaped, or its id now belongs to a process
        started at another time), ``running``, or ``other host`` (cannot be told from
        here, so treated as running).

    Examples
    --------
    This process is running; a child that has ended is gone; an id now used by a process
    started at another time is gone too; another machine cannot be told from here:

    >>> import subprocess
    >>> mine = owner_record()
    >>> owner_state(mine)
    'running'
    >>> child = subprocess.Popen(["true"])
    >>> _ = child.wait()
    >>> owner_state(owner_record(child.pid))
    'gone'
    >>> owner_state({**mine, "process_start": mine["process_start"] + 1})
    'gone'
    >>> owner_state({**mine, "host": "elsewhere"})
    'other host'
    """
    if owner.get("host") != socket.gethostname():
        return "other host"
    boot = _boot_id()
    if owner.get("boot_id") and boot and owner["boot_id"] != boot:
        return "gone"
    pid = int(owner["pid"])
    if pid <= 0:
        return "gone"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return "gone"
    except PermissionError:
        pass  # exists, another user's
    stat = _proc_stat(pid)
    if stat is not None:
        state, start = stat
        if state in ("Z", "X"):
            return "gone"
        if owner.get("process_start") is not None and start != owner["process_start"]:
            return "gone"  # the id was reused
    return "running"


def write_owner(path) -> Path:
    """Write this process's :func:`owner_record` to ``path`` atomically; return the path.

    Examples
    --------
    >>> path = write_owner(Path(tempfile.mkdtemp()) / OWNER)
    >>> json.loads(path.read_text(encoding="utf-8"))["pid"] == os.getpid()
    True
    """
    return write_atomic(path, json.dumps(owner_record()).encode("utf-8"))


def read_owner_file(path) -> dict | None:
    """Return an owner record read from ``path``, or None when absent or unreadable.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> read_owner_file(write_owner(folder / OWNER))["pid"] == os.getpid()
    True
    >>> read_owner_file(folder / "missing") is None
    True
    >>> _ = (folder / OWNER).write_text("{}", encoding="utf-8")
    >>> read_owner_file(folder / OWNER) is None  # no pid: not an owner record
    True
    """
    try:
        owner = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return owner if isinstance(owner, dict) and isinstance(owner.get("pid"), int) else None


OWNER = ".owner"


def _filesystem_type(path: Path) -> str | None:
    """The type of the file system holding ``path`` (``ext4``, ``tmpfs``...), None when unknown."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    path = str(path.resolve())
    best, kind = "", None
    for line in lines:
        fields = line.split()
        if "-" not in fields:
            continue
        point = fields[4].replace("\\040", " ")
        if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, kind = point, fields[fields.index("-") + 1]
    return kind


def scratch_root() -> Path:
    """Where working folders with table files go.

    The temporary directory, unless it lives in memory (``tmpfs``, as ``/tmp`` does on
    several distributions) and ``TMPDIR`` does not choose it explicitly: then the user's
    cache folder on disk (``$XDG_CACHE_HOME/perfmodel/tmp``, default
    ``~/.cache/perfmodel/tmp``), so that a large table written for the engine does not
    take memory a second time. Falls back to the temporary directory when the cache
    folder cannot be made.

    Returns
    -------
    pathlib.Path
        An existing folder.

    Examples
    --------
    The temporary directory, or the cache folder on disk when that lives in memory:

    >>> root = scratch_root()
    >>> cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "perfmodel" / "tmp"
    >>> root.is_dir(), root in (Path(tempfile.gettempdir()), cache)
    (True, True)
    """
    tmp = Path(tempfile.gettempdir())
    if os.environ.get("TMPDIR") or _filesystem_type(tmp) != "tmpfs":
        return tmp
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "perfmodel" / "tmp"
    try:
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return tmp
    if _filesystem_type(cache) == "tmpfs" or not os.access(cache, os.W_OK):
        return tmp
    return cache


def private_folder(prefix: str) -> Path:
    """Create a private working folder (mode 0700) owned by this process, in :func:`scratch_root`.

    Folders with the same ``prefix`` there whose owner is gone (a
    killed process could not remove its own) are removed first. The new folder is not
    removed here: the caller removes it when done.

    Returns
    -------
    pathlib.Path
        The new folder, holding only its owner record (``.owner``).

    Examples
    --------
    Inside a temporary folder standing in for :func:`scratch_root`:

    >>> from unittest import mock
    >>> tmp = tempfile.mkdtemp()
    >>> with mock.patch.dict(os.environ, {"TMPDIR": tmp}), mock.patch.object(tempfile, "tempdir", tmp):
    ...     folder = private_folder("perfmodel-demo-")
    >>> folder.parent == Path(tmp), folder.name.startswith("perfmodel-demo-")
    (True, True)
    >>> oct(folder.stat().st_mode & 0o777), [p.name for p in folder.iterdir()]
    ('0o700', ['.owner'])
    >>> json.loads((folder / OWNER).read_text(encoding="utf-8"))["pid"] == os.getpid()
    True
    """
    remove_stale(prefix)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_root()))
    write_owner(folder / OWNER)
    return folder


def remove_stale(prefix: str) -> list[Path]:
    """Remove folders ``<scratch root>/<prefix>*`` whose recorded owner is gone.

    A folder without a readable owner record is left alone (it may be one being created
    right now).

    Returns
    -------
    list of pathlib.Path
        The folders removed.

    Examples
    --------
    Inside a temporary folder standing in for :func:`scratch_root`: the folder whose owner
    is gone (its process id now belongs to a process started at another time) is removed,
    the live one and the one without an owner record stay.

    >>> from unittest import mock
    >>> tmp = Path(tempfile.mkdtemp())
    >>> mine = owner_record()
    >>> for name, owner in [("job-old", {**mine, "process_start": mine["process_start"] + 1}),
    ...                     ("job-live", mine), ("job-new", None)]:
    ...     (tmp / name).mkdir()
    ...     if owner is not None:
    ...         _ = (tmp / name / OWNER).write_text(json.dumps(owner), encoding="utf-8")
    >>> with mock.patch.dict(os.environ, {"TMPDIR": str(tmp)}), mock.patch.object(tempfile, "tempdir", str(tmp)):
    ...     removed = remove_stale("job-")
    >>> [p.name for p in removed], sorted(p.name for p in tmp.iterdir())
    (['job-old'], ['job-live', 'job-new'])
    """
    removed = []
    for folder in sorted(scratch_root().glob(prefix + "*")):
        if not folder.is_dir() or folder.is_symlink():
            continue
        owner = read_owner_file(folder / OWNER)
        if owner is not None and owner_state(owner) == "gone":
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
