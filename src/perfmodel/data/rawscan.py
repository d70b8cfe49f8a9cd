"""What the stored text columns of a Parquet file hold, judged from their bytes.

The engine check (:mod:`perfmodel.data.enginecheck`) needs to know, before it writes its
SQL, whether a text column can be used as it is stored: no cell with a blank, a control
or a character beyond printable ASCII (``!`` to ``~``), none empty, none spelling "no
value". On the usual export (plain ASCII ids) one pass over the column's bytes answers
that, far cheaper than a regular expression per cell; only a column that holds such a
byte is then judged cell by cell (or value by value) in SQL, as before.

The same pass tells whether a column's present cells are in strictly ascending order
(byte order, as a key sorted by the export): such a column repeats no value, so its
key check needs no sort.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["TextScan", "scan_text_column"]


@dataclass(frozen=True)
class TextScan:
    """What one stored text column holds.

    Attributes
    ----------
    plain : bool
        Every present cell is printable ASCII without blanks (bytes ``!`` to ``~``),
        none is empty and none is one of the ``missing`` words: the cells are read as
        they are stored. False also when the column could not be judged from its bytes.
    ascending : bool
        The present cells, in file order, are in strictly ascending byte order (so no
        value repeats). Only worked out when asked for.
    """

    plain: bool
    ascending: bool = False


def scan_text_column(path, column: str, missing, *, ascending: bool = False) -> TextScan:
    """Judge the stored text column ``column`` of the Parquet file ``path`` from its bytes.

    Parameters
    ----------
    path : str or pathlib.Path
        A Parquet file.
    column : str
        The stored name of a text column.
    missing : sequence of str
        The words that mean "no value" in this column.
    ascending : bool
        Also tell whether the present cells are in strictly ascending order.

    Returns
    -------
    TextScan
        ``plain`` false as soon as one cell needs a closer look (the caller then judges
        the column in SQL); ``ascending`` as asked.

    Examples
    --------
    >>> import tempfile
    >>> import pyarrow.parquet as pq
    >>> path = Path(tempfile.mkdtemp()) / "t.parquet"
    >>> pq.write_table(pa.table({"id": ["T1", "T2", None, "T3"], "padded": ["a", " b", "c", "d"],
    ...                          "words": ["x", "N/A", "y", "z"]}), path)
    >>> scan_text_column(path, "id", ["N/A"], ascending=True)
    TextScan(plain=True, ascending=True)
    >>> scan_text_column(path, "padded", ["N/A"]).plain, scan_text_column(path, "words", ["N/A"]).plain
    (False, False)
    """
    import pyarrow.parquet as pq

    words = pa.array(list(missing), pa.string())
    longest = max((len(w.encode()) for w in missing), default=0)
    plain, order, last = True, ascending, None
    parquet = pq.ParquetFile(Path(path))
    for group in range(parquet.num_row_groups):
        # one row group at a time: memory holds one group's column, not the file's
        for chunk in parquet.read_row_group(group, columns=[column]).column(0).chunks:
            if plain and not _plain_chunk(chunk, words, longest):
                plain = False
            if order:
                present = chunk.drop_null()
                if len(present) > 1 and not pc.all(pc.less(present[:-1], present[1:])).as_py():
                    order = False
                elif len(present):
                    if last is not None and not pc.less(last, present[0]).as_py():
                        order = False
                    last = present[len(present) - 1]
            if not plain and not order:
                return TextScan(False, False)
    return TextScan(plain, order)


def _plain_chunk(chunk: pa.Array, words: pa.Array, longest: int) -> bool:
    """Whether every present cell of one chunk of text is plain (see :class:`TextScan`)."""
    if pa.types.is_string(chunk.type):
        width = np.int32
    elif pa.types.is_large_string(chunk.type):
        width = np.int64
    else:
        return False  # a dictionary or a view: leave it to SQL
    if len(chunk) == 0:
        return True
    _, offsets, data = chunk.buffers()
    offsets = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
    lengths = np.diff(offsets)
    valid = np.ones(len(chunk), dtype=bool) if chunk.null_count == 0 else \
        chunk.is_valid().to_numpy(zero_copy_only=False)
    if (valid & (lengths == 0)).any():
        return False
    if data is not None:
        # bytes of null cells may be counted too: that can only send a column to SQL
        stored = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]]
        if ((stored < 0x21) | (stored > 0x7E)).any():
            return False
    short = valid & (lengths <= longest)
    if short.any() and pc.any(pc.is_in(chunk.filter(pa.array(short)), value_set=words)).as_py():
        return False
    return True
