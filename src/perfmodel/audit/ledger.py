"""The ledger of a reports folder: an append-only, hash-chained record of sealed run manifests.

Every ``perfmodel report`` run appends one line to ``<reports>/ledger.jsonl`` after it has
written its ``manifest.json``: the run (``<period>/<run_id>``), the SHA-256 of the
manifest's bytes, the hash of the previous entry and the entry's own hash (SHA-256 of
the entry's canonical JSON without ``hash`` and ``hmac``). With a signing key (a file
kept outside the reports folder) the entry also carries an HMAC-SHA256 of the same bytes.
Removing the working cache of a killed run appends an entry too; no entry is ever
edited or removed.

What this catches (see the threat model in README.md): without a key, a manifest
rewritten after the run (its hash no longer matches its entry) and any edit of an
entry that does not recompute every later hash; with a key, also a forger who rewrites
entries and the chain after them, since the HMAC cannot be recomputed without the key.

Appends are serialized with ``fcntl.flock`` on ``<reports>/.ledger.lock``, so runs of
``report --all --jobs N`` in parallel processes keep one consistent chain.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from perfmodel.core.secretfile import prepare_secret
from perfmodel.core.errors import UsageError
from perfmodel.core.hashing import sha256_bytes, sha256_file

LEDGER = "ledger.jsonl"
LOCK = ".ledger.lock"
GENESIS = "0" * 64
KIND_RUN = "run"
KIND_CACHE_REMOVED = "stale-cache-removed"
_MIN_KEY_BYTES = 16


# --------------------------------------------------------------------------- keys

def read_key(path, *, forbidden=(), create: bool = False) -> bytes:
    """Read a signing key file (``--sign-key FILE``).

    Parameters
    ----------
    path : path
        The key file. Its bytes, without surrounding white space, are the key.
    forbidden : iterable of paths
        Folders the key must not lie in (the reports folder: whoever can rewrite the
        ledger must not hold the key).
    create : bool
        Create the file (64 random hex digits, mode 0600) when it does not exist.

    Returns
    -------
    bytes
        The key.

    Raises
    ------
    UsageError
        One line when the file is inside a forbidden folder, missing (and not created),
        unreadable, or shorter than 16 bytes.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> key = read_key(folder / "keys" / "sign.key", create=True)
    >>> len(key), oct((folder / "keys" / "sign.key").stat().st_mode & 0o777)
    (64, '0o600')
    >>> read_key(folder / "keys" / "sign.key") == key
    True
    >>> read_key(folder / "reports" / "sign.key", forbidden=[folder / "reports"], create=True)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: --sign-key .../reports/sign.key: keep the signing key outside .../reports (whoever can rewrite the ledger must not hold the key)
    """
    path = prepare_secret(path, option="--sign-key", thing="signing key", forbidden=forbidden, create=create,
                          why="whoever can rewrite the ledger must not hold the key")
    if not path.is_file():
        raise UsageError(f"--sign-key {path}: not found; give the key file the reports were sealed with")
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise UsageError(f"--sign-key {path}: cannot read it ({exc.strerror or type(exc).__name__})") from None
    if len(key) < _MIN_KEY_BYTES:
        raise UsageError(f"--sign-key {path}: the key must be at least {_MIN_KEY_BYTES} bytes "
                         f"(e.g. 64 hex digits from python -c 'import secrets; print(secrets.token_hex(32))')")
    return key


# --------------------------------------------------------------------------- entries

def ledger_path(reports_dir) -> Path:
    """Return the ledger file of a reports folder (``<reports>/ledger.jsonl``).

    Examples
    --------
    >>> ledger_path("reports").as_posix()
    'reports/ledger.jsonl'
    """
    return Path(reports_dir) / LEDGER


def reports_dir_of(run_dir) -> Path:
    """Return the reports folder of a run folder ``<reports>/<period>/<run_id>``.

    Examples
    --------
    >>> reports_dir_of("/srv/reports/2026Q3/20260930T120000Z-ab12").as_posix()
    '/srv/reports'
    """
    return Path(run_dir).absolute().parent.parent


def run_key(run_dir) -> str:
    """Return how the ledger names a run: ``<period>/<run_id>``.

    Examples
    --------
    >>> run_key("/srv/reports/2026Q3/20260930T120000Z-ab12")
    '2026Q3/20260930T120000Z-ab12'
    """
    run_dir = Path(run_dir).absolute()
    return f"{run_dir.parent.name}/{run_dir.name}"


def _canonical(entry: dict) -> bytes:
    body = {k: v for k, v in entry.items() if k not in ("hash", "hmac")}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash(entry: dict) -> str:
    """Return the SHA-256 of an entry's canonical JSON (every key but ``hash`` and ``hmac``).

    Examples
    --------
    The hash covers the entry's keys in sorted order, compact JSON, without ``hash`` and ``hmac``:

    >>> entry = {"seq": 1, "kind": "run", "run": "2026Q3/r1", "prev": GENESIS}
    >>> entry_hash(entry)
    'c81cecb13c53f8aefac018e37d54b14ba98ce081ecff11b83123e08741d58207'
    >>> text = '{"kind":"run","prev":"' + GENESIS + '","run":"2026Q3/r1","seq":1}'
    >>> hashlib.sha256(text.encode("utf-8")).hexdigest() == entry_hash(entry)
    True
    >>> entry_hash({**entry, "hash": "ignored", "hmac": "ignored"}) == entry_hash(entry)
    True
    """
    return sha256_bytes(_canonical(entry))


def entry_hmac(entry: dict, key: bytes) -> str:
    """Return the HMAC-SHA256 (hex) of an entry's canonical JSON under ``key``.

    Examples
    --------
    >>> entry = {"seq": 1, "kind": "run", "run": "2026Q3/r1", "prev": GENESIS}
    >>> entry_hmac(entry, b"0123456789abcdef")
    '5fd354d45f489ea8f0b0d198314493a7f3fefe8c0773ac4cfaddc0a4c0bc6f83'
    >>> text = '{"kind":"run","prev":"' + GENESIS + '","run":"2026Q3/r1","seq":1}'
    >>> hmac.new(b"0123456789abcdef", text.encode("utf-8"), hashlib.sha256).hexdigest() == entry_hmac(entry, b"0123456789abcdef")
    True
    """
    return hmac.new(key, _canonical(entry), hashlib.sha256).hexdigest()


@contextlib.contextmanager
def _locked(reports_dir):
    folder = Path(reports_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _last_line(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            block = min(size, 1 << 16)
            while True:
                fh.seek(size - block)
                data = fh.read(block)
                lines = [ln for ln in data.split(b"\n") if ln.strip()]
                if not lines:
                    return None
                if len(lines) > 1 or block == size:
                    return lines[-1]
                block = min(size, block * 4)
    except FileNotFoundError:
        return None


def append(reports_dir, fields: dict, *, key: bytes | None = None) -> dict:
    """Append one entry to the ledger of ``reports_dir``, under the ledger's lock.

    Parameters
    ----------
    reports_dir : path
        The reports folder (created if needed).
    fields : dict
        What the entry records (``kind``, ``run`` and so on; JSON values).
    key : bytes, optional
        The signing key: the entry then carries an ``hmac``.

    Returns
    -------
    dict
        The entry as written: ``seq`` (1, 2, ...), the fields, ``recorded_at`` (UTC),
        ``prev`` (the previous entry's hash, 64 zeros for the first), ``hash`` and, with a
        key, ``hmac``.

    Raises
    ------
    UsageError
        When the ledger cannot be written, or its last line is not an entry (a damaged
        ledger is not extended: ``perfmodel audit verify`` names the damage).

    Examples
    --------
    Each entry links to the one before it:

    >>> import tempfile
    >>> reports = Path(tempfile.mkdtemp()) / "reports"
    >>> first = append(reports, {"kind": "note", "run": "2026Q3/r0"})
    >>> second = append(reports, {"kind": "note", "run": "2026Q3/r1"}, key=b"0123456789abcdef")
    >>> first["seq"], first["prev"] == GENESIS, second["seq"], second["prev"] == first["hash"]
    (1, True, 2, True)
    >>> second["hash"] == entry_hash(second), "hmac" in first, "hmac" in second
    (True, False, True)
    >>> len(ledger_path(reports).read_text(encoding="utf-8").splitlines())
    2
    """
    path = ledger_path(reports_dir)
    try:
        with _locked(reports_dir):
            last = _last_line(path)
            if last is None:
                seq, prev = 1, GENESIS
            else:
                try:
                    previous = json.loads(last)
                    seq, prev = int(previous["seq"]) + 1, str(previous["hash"])
                except (ValueError, KeyError, TypeError):
                    raise UsageError(f"{path}: the last line is not a ledger entry; the ledger is damaged "
                                     f"(perfmodel audit verify names the damage); nothing was appended") from None
            entry = {"seq": seq, **fields,
                     "recorded_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "prev": prev}
            entry["hash"] = entry_hash(entry)
            if key is not None:
                entry["hmac"] = entry_hmac(entry, key)
            line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
    except OSError as exc:
        raise UsageError(f"{path}: cannot append to the ledger ({exc.strerror or type(exc).__name__}); "
                         f"give --out a folder you can write to") from None
    return entry


def seal_run(run_dir, manifest_path, *, status: str, key: bytes | None = None) -> dict:
    """Append the ``run`` entry of a finished run: its manifest's SHA-256 and status.

    Returns
    -------
    dict
        The entry (see :func:`append`), with ``kind`` ``run``, ``run``
        (``<period>/<run_id>``), ``status`` and ``manifest_sha256``.

    Examples
    --------
    >>> import tempfile
    >>> run = Path(tempfile.mkdtemp()) / "reports" / "2026Q3" / "r1"
    >>> run.mkdir(parents=True)
    >>> _ = (run / "manifest.json").write_text('{"period": "2026Q3"}', encoding="utf-8")
    >>> entry = seal_run(run, run / "manifest.json", status="ok")
    >>> entry["kind"], entry["run"], entry["status"]
    ('run', '2026Q3/r1', 'ok')
    >>> entry["manifest_sha256"] == sha256_file(run / "manifest.json")
    True
    """
    digest = sha256_file(manifest_path)
    return append(reports_dir_of(run_dir), {"kind": KIND_RUN, "run": run_key(run_dir), "status": status,
                                            "manifest_sha256": digest}, key=key)


def record_cache_removed(run_dir, *, key: bytes | None = None) -> dict:
    """Append the entry saying that the working cache of a killed run was removed.

    Returns
    -------
    dict
        The entry (see :func:`append`), with ``kind`` ``stale-cache-removed`` and ``run``.

    Examples
    --------
    >>> import tempfile
    >>> run = Path(tempfile.mkdtemp()) / "reports" / "2026Q3" / "r2"
    >>> entry = record_cache_removed(run)
    >>> entry["seq"], entry["kind"], entry["run"]
    (1, 'stale-cache-removed', '2026Q3/r2')
    """
    return append(reports_dir_of(run_dir), {"kind": KIND_CACHE_REMOVED, "run": run_key(run_dir)}, key=key)


# --------------------------------------------------------------------------- checking

def read_entries(reports_dir) -> tuple[list[dict], list[str]]:
    """Read the ledger of a reports folder.

    Returns
    -------
    (list of dict, list of str)
        The entries (each with ``_line``, its line number), and one finding per line
        that is not a JSON object. Both empty when there is no ledger.

    Examples
    --------
    A line that is not JSON is a finding; the other lines are entries:

    >>> import tempfile
    >>> reports = Path(tempfile.mkdtemp())
    >>> _ = append(reports, {"kind": "note", "run": "2026Q3/r0"})
    >>> with open(ledger_path(reports), "a", encoding="utf-8") as ledger:
    ...     _ = ledger.write("edited by hand\\n")
    >>> entries, findings = read_entries(reports)
    >>> [(e["seq"], e["_line"]) for e in entries]
    [(1, 1)]
    >>> print(findings[0])
    ledger .../ledger.jsonl line 2: not a ledger entry (the ledger was edited)
    """
    path = ledger_path(reports_dir)
    entries, findings = [], []
    if not path.is_file():
        return entries, findings
    for n, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            entry = None
        if not isinstance(entry, dict):
            findings.append(f"ledger {path} line {n}: not a ledger entry (the ledger was edited)")
            continue
        entries.append({**entry, "_line": n})
    return entries, findings


def check_chain(entries: list[dict], path) -> list[str]:
    """Check that every entry's hash matches its content and links to the entry before it.

    Returns
    -------
    list of str
        One finding per edited entry or broken link (empty when the chain holds).

    Examples
    --------
    An entry edited after it was written no longer matches its hash:

    >>> import tempfile
    >>> reports = Path(tempfile.mkdtemp())
    >>> for n in range(3):
    ...     _ = append(reports, {"kind": "note", "run": f"2026Q3/r{n}"})
    >>> entries, _ = read_entries(reports)
    >>> check_chain(entries, "ledger.jsonl")
    []
    >>> entries[1]["run"] = "2026Q3/forged"
    >>> check_chain(entries, "ledger.jsonl")
    ['ledger ledger.jsonl line 2 (run 2026Q3/forged): its hash does not match its content (the entry was edited)']
    """
    findings = []
    prev = GENESIS
    for e in entries:
        body = {k: v for k, v in e.items() if k != "_line"}
        where = f"ledger {path} line {e['_line']} (run {e.get('run', '?')})"
        if e.get("hash") != entry_hash(body):
            findings.append(f"{where}: its hash does not match its content (the entry was edited)")
        if e.get("prev") != prev:
            findings.append(f"{where}: ledger chain broken: it does not follow the entry before it "
                            f"(prev {str(e.get('prev'))[:12]}…, expected {prev[:12]}…)")
        prev = str(e.get("hash"))
    return findings


def check_run(run_dir, manifest_path, *, key: bytes | None = None) -> tuple[list[str], list[str]]:
    """Check a run's manifest against the ledger of its reports folder.

    Parameters
    ----------
    run_dir : path
        The run folder ``<reports>/<period>/<run_id>``.
    manifest_path : path
        Its ``manifest.json``.
    key : bytes, optional
        The signing key: the run's entry must carry a matching HMAC.

    Returns
    -------
    (list of str, list of str)
        Findings (one line each: no ledger, damaged lines, a broken chain, the run not
        sealed or sealed twice, the manifest differing from its entry, a missing or
        mismatched HMAC) and notes (e.g. an HMAC that was not checked for want of a key).

    Examples
    --------
    A manifest rewritten after it was sealed is caught:

    >>> import tempfile
    >>> run = Path(tempfile.mkdtemp()) / "reports" / "2026Q3" / "r1"
    >>> run.mkdir(parents=True)
    >>> _ = (run / "manifest.json").write_text('{"period": "2026Q3"}', encoding="utf-8")
    >>> _ = seal_run(run, run / "manifest.json", status="ok", key=b"0123456789abcdef")
    >>> check_run(run, run / "manifest.json", key=b"0123456789abcdef")
    ([], [])
    >>> check_run(run, run / "manifest.json")
    ([], ['the ledger entry of run 2026Q3/r1 carries an HMAC; give --sign-key FILE to check it'])
    >>> _ = (run / "manifest.json").write_text('{"period": "2026Q4"}', encoding="utf-8")
    >>> check_run(run, run / "manifest.json", key=b"0123456789abcdef")[0]
    ['manifest.json differs from its ledger entry (line 1): sealed d1614d051b57…, now 3ddb6316b02a… (the manifest was rewritten)']
    """
    reports = reports_dir_of(run_dir)
    path = ledger_path(reports)
    if not path.is_file():
        return [f"no ledger {path}: the manifest is not sealed, so a rewritten manifest could not be "
                f"told apart"], []
    entries, findings = read_entries(reports)
    findings += check_chain(entries, path)
    name = run_key(run_dir)
    mine = [e for e in entries if e.get("kind") == KIND_RUN and e.get("run") == name]
    notes = []
    if not mine:
        findings.append(f"run {name} is not in the ledger {path}: its manifest was never sealed")
        return findings, notes
    if len(mine) > 1:
        lines = ", ".join(str(e["_line"]) for e in mine)
        findings.append(f"run {name} is sealed {len(mine)} times in the ledger (lines {lines}); a run is "
                        f"sealed once")
    entry = mine[0]
    digest = sha256_file(manifest_path)
    if entry.get("manifest_sha256") != digest:
        findings.append(f"manifest.json differs from its ledger entry (line {entry['_line']}): sealed "
                        f"{str(entry.get('manifest_sha256'))[:12]}…, now {digest[:12]}… (the manifest "
                        f"was rewritten)")
    body = {k: v for k, v in entry.items() if k != "_line"}
    if key is not None:
        if "hmac" not in entry:
            findings.append(f"ledger line {entry['_line']} (run {name}) has no HMAC: it was sealed without "
                            f"a key, or the HMAC was removed")
        elif not hmac.compare_digest(str(entry["hmac"]), entry_hmac(body, key)):
            findings.append(f"ledger line {entry['_line']} (run {name}): HMAC mismatch: the entry was "
                            f"rewritten, or this is not the key it was sealed with")
    elif "hmac" in entry:
        notes.append(f"the ledger entry of run {name} carries an HMAC; give --sign-key FILE to check it")
    return findings, notes
