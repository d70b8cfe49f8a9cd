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
    import os
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow.parquet as pq

    # a word with a byte beyond printable ASCII cannot be a plain cell: the byte test catches it
    ascii_words = [w for w in missing if all(0x21 <= b <= 0x7E for b in w.encode())]
    words = pa.array(ascii_words, pa.string())
    sizes = np.array(sorted({len(w) for w in ascii_words}), dtype=np.int64)
    parquet = pq.ParquetFile(Path(path))

    def one_group(group: int):
        # each row group on its own (memory holds a group's column, not the file's); the
        # groups are read in parallel, as the engine reads them (Arrow releases the GIL)
        column = pq.ParquetFile(Path(path)).read_row_group(group, columns=[column_name]).column(0)
        plain = all(_plain_chunk(chunk, words, sizes) for chunk in column.chunks)
        if not ascending:
            return plain, False, None, None
        present = column.combine_chunks().drop_null()
        if not len(present):
            return plain, True, None, None
        inside = len(present) < 2 or pc.all(pc.less(present[:-1], present[1:])).as_py()
        return plain, inside, present[0], present[len(present) - 1]

    column_name = column
    workers = max(1, min(os.cpu_count() or 1, parquet.num_row_groups))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        groups = list(pool.map(one_group, range(parquet.num_row_groups)))
    plain = all(g[0] for g in groups)
    order = ascending and all(g[1] for g in groups)
    if order:  # and across the groups: each group's first cell after the last one before it
        last = None
        for _, _, first, final in groups:
            if first is None:
                continue
            if last is not None and not pc.less(last, first).as_py():
                order = False
                break
            last = final
    return TextScan(plain, order)


def _plain_chunk(chunk: pa.Array, words: pa.Array, sizes: np.ndarray) -> bool:
    """Whether every present cell of one chunk of text is plain (see :class:`TextScan`).

    ``words`` are the ASCII "no value" words, ``sizes`` their lengths in bytes: only the
    cells of those lengths are looked up among them.
    """
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
    short = valid & np.isin(lengths, sizes)
    if short.any() and pc.any(pc.is_in(chunk.filter(pa.array(short)), value_set=words)).as_py():
        return False
    return True
