"""SHA-256 digests of files, texts and bytes: the one place that computes them.

Manifests, policy provenance, the ledger, the watch cache and database digests all record
hex SHA-256 digests; they all come from here, so an auditor recomputes any of them with
``sha256sum`` (files) or any SHA-256 of the UTF-8 text.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

_BLOCK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """Return the hex SHA-256 of a file's bytes (read in 1 MiB blocks).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as fh:
    ...     _ = fh.write(b"abc")
    >>> sha256_file(fh.name)[:16]
    'ba7816bf8f01cfea'
    >>> os.unlink(fh.name)
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    """Return the hex SHA-256 of ``text`` encoded as UTF-8.

    Examples
    --------
    >>> sha256_text("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return sha256_bytes(text.encode("utf-8"))


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of ``data``.

    Examples
    --------
    The test vector of FIPS 180-2 for "abc":

    >>> sha256_bytes(b"abc")
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
"""
    return hashlib.sha256(data).hexdigest()


def sha256_parts(parts) -> str:
    """Return the hex SHA-256 of several parts fed in order (bytes as given, text as UTF-8).

    Examples
    --------
    >>> sha256_parts(["a", b"bc"]) == sha256_text("abc")
    True
    """
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
    return h.hexdigest()
