"""Pseudonymising research outputs: ids and names replaced by salted hashes.

A research table (the indicator panel, validity or sensitivity results) can leave the HR
department without naming anyone: :func:`pseudonymize` replaces supervisor and staff ids
and names by ``P-`` + the first 12 hex digits of HMAC-SHA256(salt, value). The same value
and salt always give the same pseudonym, so tables made on different days still join;
without the salt a pseudonym cannot be turned back into an id by trying the known ids.

The salt is a secret kept outside every output (:func:`load_or_create_salt`): whoever holds
it can re-identify, so it is never written into a run folder, a manifest or an export.

A pseudonymized report run hands its notebooks a dataset that names nobody
(:func:`pseudonymize_dataset`): every table's person columns carry pseudonyms, and the
quarantine keeps where a row broke a rule but not the values it quoted. The pages are then
made from pseudonymized data only; no notebook ever sees the real ids, names or the salt.
"""
from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd

from perfmodel.core.secretfile import prepare_secret
from perfmodel.core.errors import UsageError

PREFIX = "P-"
DIGITS = 12
# Columns that identify a person; pseudonymised by default when present.
PERSON_COLUMNS = ("supervisor_id", "staff_id", "reviewer_id", "name", "supervisor_name",
                  "staff_name", "reviewer_name", "rater_id")
# Organisational labels a pseudonymized report run replaces as well: a team is often named
# after its leader (王师傅班组), and a team or region led by one supervisor names that person.
ORGANISATION_COLUMNS = ("team", "region")
_MIN_SALT_CHARS = 16


def pseudonym(value, salt: str) -> str:
    """Return the pseudonym of one value: ``P-`` + 12 hex digits of HMAC-SHA256(salt, value).

    Examples
    --------
    The pseudonym is HMAC-SHA256 keyed by the salt, cut to 12 hex digits:

    >>> salt = "a-secret-of-16-chars"
    >>> pseudonym("S001", salt)
    'P-f9ebc6e3d864'
    >>> "P-" + hmac.new(salt.encode(), b"S001", hashlib.sha256).hexdigest()[:12]
    'P-f9ebc6e3d864'
    >>> pseudonym("S001", "short")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: pseudonymize: the salt must be text of at least 16 characters
    """
    digest = hmac.new(_key(salt), _text(value).encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:DIGITS]


def pseudonymize(df: pd.DataFrame, salt: str, columns=None) -> pd.DataFrame:
    """Replace ids and names by salted hashes.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table; it is not modified.
    salt : str
        The secret (at least 16 characters), e.g. from :func:`load_or_create_salt`.
    columns : list of str, optional
        The columns to replace. Default: those of :data:`PERSON_COLUMNS` present in ``df``.
        A named column that is absent raises.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with every present cell of ``columns`` replaced by
        ``P-`` + 12 lower-case hex digits of HMAC-SHA256 keyed by ``salt`` over the cell's
        text (UTF-8); missing cells stay missing. A column of a pandas string dtype keeps
        its dtype (other replaced columns become object). Other columns and the row order
        are unchanged. Equal cells give equal pseudonyms, in any column, so joins still work.

    Examples
    --------
    Ids and names are replaced, missing cells and other columns kept:

    >>> table = pd.DataFrame({"supervisor_id": ["S001", "S002", None], "name": ["王芳", "李强", "张伟"],
    ...                       "csat": [4.5, 4.1, 3.9]})
    >>> pseudonymize(table, "a-secret-of-16-chars")
        supervisor_id            name  csat
    0  P-f9ebc6e3d864  P-caa45278b02f   4.5
    1  P-b2bb8d7ca94c  P-173cb5f2547f   4.1
    2             NaN  P-bdba749bf825   3.9
    >>> pseudonymize(table, "a-secret-of-16-chars", columns=["staff_id"])
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: pseudonymize: no column 'staff_id' in the table; columns are supervisor_id, name, csat
    """
    return _replace(df, salt, columns, deep=True)


def _replace(df: pd.DataFrame, salt: str, columns=None, *, deep: bool = True) -> pd.DataFrame:
    # deep=False: the columns not replaced share their data with ``df`` (no copy of a large table)
    key = _key(salt)
    if columns is None:
        columns = [c for c in PERSON_COLUMNS if c in df.columns]
    else:
        columns = list(columns)
        absent = [c for c in columns if c not in df.columns]
        if absent:
            raise UsageError(f"pseudonymize: no column {absent[0]!r} in the table; columns are "
                             f"{', '.join(map(str, df.columns))}")
    out = df.copy(deep=deep)
    for col in columns:
        values = out[col]
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if not len(uniques):
            continue
        names = np.array([PREFIX + hmac.new(key, _text(u).encode("utf-8"), hashlib.sha256).hexdigest()[:DIGITS]
                          for u in uniques], dtype=object)
        replaced = np.where(codes >= 0, names[np.maximum(codes, 0)], None)
        series = pd.Series(replaced, index=out.index, dtype=object).where(codes >= 0, np.nan)
        if isinstance(values.dtype, pd.StringDtype):  # text stays in the table's string dtype
            series = series.astype(values.dtype)
        out[col] = series
    return out


WITHHELD = "(withheld: pseudonymized run)"


def pseudonymize_dataset(dataset, salt: str):
    """Return a copy of a loaded dataset that names nobody.

    Parameters
    ----------
    dataset : perfmodel.data.dataset.Dataset
        The loaded dataset; it is not modified.
    salt : str
        The secret (see :func:`pseudonymize`).

    Returns
    -------
    perfmodel.data.dataset.Dataset
        The same tables, columns and row order, with every column of
        :data:`PERSON_COLUMNS` and :data:`ORGANISATION_COLUMNS` (team, region) present in
        a table replaced by its pseudonym (so the supervisor id ``S001`` becomes the same
        ``P-...`` in every table, in the indicator panel and in the data outputs of the
        run; supervisors of one team still share its pseudonym). The quarantine keeps ``table``,
        ``file``, ``row`` and ``column``; its ``reason`` becomes ``<column>: value
        withheld (pseudonymized run)`` (a reason quotes the offending cell, which may be an
        id or a name) and its ``record`` (the raw row) is withheld. The row account, the
        source folder and the file names are unchanged. Columns that are not replaced
        share their data with ``dataset`` (treat the result as read-only).

    Examples
    --------
    S001 gets the same pseudonym in every table; the quarantined ticket no longer quotes the
    unknown id:

    >>> from perfmodel import dataset_from_frames
    >>> ds = dataset_from_frames({
    ...     "supervisors": pd.DataFrame({"supervisor_id": ["S001", "S002"], "name": ["王芳", "李强"],
    ...                                  "team": ["East", "West"]}),
    ...     "tickets": pd.DataFrame({"ticket_id": ["T1", "T2"], "supervisor_id": ["S001", "S009"],
    ...                              "created_at": ["2026-07-02", "2026-07-03"]})})
    >>> anonymous = pseudonymize_dataset(ds, "a-secret-of-16-chars")
    >>> anonymous.tables["supervisors"][["supervisor_id", "name", "team"]]
        supervisor_id            name            team
    0  P-f9ebc6e3d864  P-caa45278b02f  P-c19c8e34b410
    1  P-b2bb8d7ca94c  P-173cb5f2547f  P-2e81c5633e99
    >>> anonymous.tables["tickets"][["ticket_id", "supervisor_id"]]
      ticket_id   supervisor_id
    0        T1  P-f9ebc6e3d864
    >>> print(ds.quarantine.loc[0, "reason"])
    supervisor_id 'S009' not in supervisors
    >>> print(anonymous.quarantine.loc[0, "reason"])
    supervisor_id: value withheld (pseudonymized run)
    """
    import dataclasses

    _key(salt)
    # the other columns are shared with ``dataset`` rather than copied (tickets may be large)
    tables = {name: _replace(df, salt, _dataset_columns(df), deep=False) for name, df in dataset.tables.items()}
    quarantine = getattr(dataset, "quarantine", None)
    if quarantine is not None:
        quarantine = withhold_quarantine(quarantine)
    return dataclasses.replace(dataset, tables=tables, quarantine=quarantine)


def _dataset_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in PERSON_COLUMNS + ORGANISATION_COLUMNS if c in df.columns]


def withhold_quarantine(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Return the quarantine without the values it quotes.

    Returns
    -------
    pandas.DataFrame
        A copy with the same rows and columns: ``reason`` becomes ``<column>: value
        withheld (pseudonymized run)`` (``column`` names the rule's column, never a value),
        ``record`` becomes ``(withheld: pseudonymized run)``; ``reason_params`` loses the
        cell values it quotes (``value``, ``other_value``); ``table``, ``file``, ``row``,
        ``column`` and ``reason_code`` are kept.

    Examples
    --------
    >>> quarantine = pd.DataFrame({
    ...     "table": ["tickets"], "row": [2], "column": ["supervisor_id"],
    ...     "reason": ["supervisor_id 'S009' not in supervisors"],
    ...     "record": ['{"ticket_id": "T2", "supervisor_id": "S009"}'],
    ...     "reason_code": ["not_in_parent"],
    ...     "reason_params": ['[{"column": "supervisor_id", "parent": "supervisors", "value": "S009"}]']})
    >>> for key, value in withhold_quarantine(quarantine).loc[0].items():
    ...     print(f"{key}: {value}")
    table: tickets
    row: 2
    column: supervisor_id
    reason: supervisor_id: value withheld (pseudonymized run)
    record: (withheld: pseudonymized run)
    reason_code: not_in_parent
    reason_params: [{"column": "supervisor_id", "parent": "supervisors"}]
    """
    out = quarantine.copy()
    if "reason" in out.columns:
        if "column" in out.columns:
            out["reason"] = out["column"].astype(str) + ": value withheld (pseudonymized run)"
        else:
            out["reason"] = WITHHELD
    if "record" in out.columns:
        out["record"] = WITHHELD
    if "reason_params" in out.columns:  # keep the rule's parameters, never the cells it quotes
        out["reason_params"] = out["reason_params"].map(_withhold_params)
    return out


def _withhold_params(text):
    import json

    if not isinstance(text, str) or not text:
        return text
    try:
        params = json.loads(text)
    except ValueError:
        return WITHHELD
    return json.dumps([{k: v for k, v in p.items() if k not in ("value", "other_value")} for p in params],
                      ensure_ascii=False, sort_keys=True)


def load_or_create_salt(path, *, forbidden=()) -> str:
    """Read the salt from ``path``, creating it (64 hex digits, mode 0600) when absent.

    Parameters
    ----------
    path : str or pathlib.Path
        The salt file; keep it outside the reports and the outputs.
    forbidden : iterable of paths
        Folders (or files) the salt must not be inside, e.g. the output folder.

    Returns
    -------
    str
        The salt (the file's text, stripped).

    Raises
    ------
    UsageError
        One line when the file lies inside a forbidden folder, cannot be read or written,
        or holds fewer than 16 characters.

    Examples
    --------
    The first call makes the salt (64 hex digits, readable by the owner only); later calls read it:

    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> salt = load_or_create_salt(folder / "salt.txt")
    >>> len(salt), oct((folder / "salt.txt").stat().st_mode & 0o777)
    (64, '0o600')
    >>> load_or_create_salt(folder / "salt.txt") == salt
    True
    >>> load_or_create_salt(folder / "out" / "salt.txt", forbidden=[folder / "out"])
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: --salt-file .../out/salt.txt: keep the salt outside .../out (whoever holds it can re-identify the pseudonyms)
    """
    path = prepare_secret(path, option="--salt-file", thing="salt", forbidden=forbidden,
                          why="whoever holds it can re-identify the pseudonyms")
    try:
        salt = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--salt-file {path}: cannot read the salt file "
                         f"({getattr(exc, 'strerror', None) or type(exc).__name__})") from None
    if len(salt) < _MIN_SALT_CHARS:
        raise UsageError(f"--salt-file {path}: the salt is too short ({len(salt)} characters); "
                         f"use at least {_MIN_SALT_CHARS}, or delete the file to have one made")
    return salt


def salt_for(pseudonymize: bool, salt_file, *, outputs=()) -> str | None:
    """The salt for a command's ``--pseudonymize --salt-file PATH`` (None without the flag).

    Raises
    ------
    UsageError
        ``--pseudonymize`` without ``--salt-file``, ``--salt-file`` alone, or a salt file
        inside one of ``outputs`` (see :func:`load_or_create_salt`).

    Examples
    --------
    >>> salt_for(False, None) is None
    True
    >>> salt_for(True, None)
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: --pseudonymize: give --salt-file PATH, a file outside the outputs that keeps the secret salt (created if absent)
    """
    if not pseudonymize:
        if salt_file:
            raise UsageError("--salt-file: only used with --pseudonymize")
        return None
    if not salt_file:
        raise UsageError("--pseudonymize: give --salt-file PATH, a file outside the outputs that "
                         "keeps the secret salt (created if absent)")
    return load_or_create_salt(salt_file, forbidden=outputs)


def _key(salt: str) -> bytes:
    if not isinstance(salt, str) or len(salt) < _MIN_SALT_CHARS:
        raise UsageError(f"pseudonymize: the salt must be text of at least {_MIN_SALT_CHARS} characters")
    return salt.encode("utf-8")


def _text(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)
