"""Ids that only look like other ids: full-width letters, invisible characters.

``Ｓ001`` (full-width S) and ``S001`` followed by a zero-width space print as ``S001``
but are different keys: a supervisor loaded twice, a ticket credited to an impostor.
An id that Unicode NFKC normalisation would change, or that holds an invisible character
(format characters such as U+200B zero-width space, U+FEFF, U+202E right-to-left
override; other control characters), is quarantined, the reason naming the id it
imitates.

The verdict is decided once per distinct id, and only for ids that are not plain ASCII
(NFKC leaves ASCII letters and digits as they are), then joined back to the rows, so a
column of ten million ASCII ticket ids costs one vectorised pass.
"""
from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def normal_id(text: str) -> str:
    """``text`` in NFKC form with invisible (format and control) characters removed.

    Examples
    --------
    A full-width letter becomes its ASCII twin; a zero-width space disappears:

    >>> normal_id("Ｓ001")
    'S001'
    >>> normal_id("S001" + chr(0x200B)), len("S001" + chr(0x200B))
    ('S001', 5)
    >>> normal_id("王芳")
    '王芳'
    """
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))


def _suspect(text: str) -> bool:
    return normal_id(text) != text


def lookalike_ids(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Which ids of a column are look-alikes, and the id each imitates.

    Parameters
    ----------
    values : pandas.Series
        Text ids (missing allowed).

    Returns
    -------
    mask : numpy.ndarray of bool
        True where the id would change under NFKC or holds an invisible character.
    normal : list of str
        :func:`normal_id` of each flagged id, in row order.

    Examples
    --------
    >>> ids = pd.Series(["S001", "Ｓ001", None, "S002" + chr(0x200B), "李强"])
    >>> mask, normal = lookalike_ids(ids)
    >>> mask
    array([False,  True, False,  True, False])
    >>> normal
    ['S001', 'S002']
    """
    arr = pa.array(values.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True) \
        if not _is_arrow(values) else values.array._pa_array.combine_chunks()  # noqa: SLF001
    odd = pc.invert(pc.fill_null(pc.string_is_ascii(arr), True))
    # ASCII ids: only control characters could be invisible there
    odd = pc.or_(odd, pc.fill_null(pc.match_substring_regex(arr, r"[\x00-\x1f\x7f]"), False))
    if not pc.any(odd).as_py():
        return np.zeros(len(arr), dtype=bool), []
    candidates = pc.unique(pc.filter(arr, odd))
    flagged = [v for v in candidates.to_pylist() if _suspect(v)]
    if not flagged:
        return np.zeros(len(arr), dtype=bool), []
    at = pc.index_in(arr, value_set=pa.array(flagged, type=arr.type))
    mask = pc.is_valid(at).to_numpy(zero_copy_only=False)
    normals = [normal_id(flagged[i]) for i in at.filter(pc.is_valid(at)).to_pylist()]
    return mask, normals


def _is_arrow(values: pd.Series) -> bool:
    dtype = values.dtype
    return ((isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow")
            or (isinstance(dtype, pd.ArrowDtype) and pa.types.is_large_string(dtype.pyarrow_dtype)))
