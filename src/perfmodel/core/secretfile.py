"""Secret files (a signing key, a pseudonymisation salt): kept outside given folders, made when absent."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from perfmodel.core.errors import UsageError


def prepare_secret(path, *, option: str, thing: str, why: str, forbidden=(), create: bool = True) -> Path:
    """Check where a secret file lies and create it (64 random hex digits, mode 0600) when absent.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    option : str
        The command-line option that named it (``--sign-key``), for the messages.
    thing : str
        What it holds (``signing key``, ``salt``), for the messages.
    why : str
        Why it must stay outside ``forbidden``, for the messages.
    forbidden : iterable of paths
        Folders (or files) the secret must not be inside.
    create : bool
        Create the file when it does not exist.

    Returns
    -------
    pathlib.Path
        The path, ``~`` expanded; reading and checking its content is the caller's.

    Raises
    ------
    UsageError
        One line when the file lies inside a forbidden folder or cannot be created.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> p = prepare_secret(folder / "key", option="--sign-key", thing="signing key", why="")
    >>> len(p.read_text().strip())
    64
    """
    path = Path(path).expanduser()
    resolved = path.resolve()
    for place in forbidden:
        place = Path(place).expanduser().resolve()
        if resolved == place or place in resolved.parents:
            raise UsageError(f"{option} {path}: keep the {thing} outside {place} ({why})")
    if create and not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
        except FileExistsError:
            pass  # created meanwhile by a concurrent run: read it as it is
        except OSError as exc:
            raise UsageError(f"{option} {path}: cannot create the {thing} file "
                             f"({exc.strerror or type(exc).__name__})") from None
    return path
