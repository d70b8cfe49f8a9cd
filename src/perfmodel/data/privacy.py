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
    """Return the pseudonym of one value: ``P-`` + 12 hex digits of HMAC-SHA256(salt, value)."""
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
