"""Files written whole or not at all: a temporary file beside the target, then a rename."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path, data: bytes, *, shared: bool = False, sync: bool = False) -> Path:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never part.

    The bytes go to a hidden temporary file in the same folder (``.<stem>-*``), which then
    replaces ``path``; on any error the temporary file is removed and the error re-raised.

    Parameters
    ----------
    shared : bool
        Readable by others as the umask allows (a manifest for auditors); otherwise
        private to the user (mode 0600).
    sync : bool
        Flush the bytes to disk before the rename (a file that marks work as complete).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = write_atomic(folder / "manifest.json", '{"周期": "2026Q3"}'.encode("utf-8"))
    >>> path.read_text(encoding="utf-8"), oct(path.stat().st_mode & 0o777)
    ('{"周期": "2026Q3"}', '0o600')
    >>> sorted(p.name for p in folder.iterdir())  # no temporary file left behind
    ['manifest.json']
    """
    path = Path(path)
    stem = path.name.lstrip(".").split(".")[0]
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}-", dir=path.parent)
    try:
        if shared:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
