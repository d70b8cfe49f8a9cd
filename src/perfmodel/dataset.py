"""The in-memory dataset: validated tables, the quarantine and the row account."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

QUARANTINE_COLUMNS = ["table", "file", "row", "column", "reason", "record", "reason_code", "reason_params"]
# ``reason`` is the English text (kept as it was); ``reason_code`` names each rule broken
# ("; " between several) and ``reason_params`` holds their parameters as a JSON list of
# objects, one per code, so a page can word the reason in any language
# (:func:`perfmodel.i18n.reason_text`) and checks compare codes, not wording.
ACCOUNT_COLUMNS = ["table", "file", "rows_read", "rows_used", "rows_quarantined"]


@dataclass
class Dataset:
    """A loaded dataset.

    Attributes
    ----------
    tables : dict[str, pandas.DataFrame]
        Validated tables by name (only the tables present). Column types: ``id``/``text``
        and ``period`` as pandas' Arrow-backed strings with NaN for a missing value
        (:data:`perfmodel.parsing.TEXT_DTYPE`, the ``str`` dtype of pandas 3: cells are
        Python ``str`` when taken out, comparisons give plain bools),
        ``timestamp``/``date`` as naive ``datetime64[ns]`` in local time, ``bool`` as
        pandas ``boolean``, numbers as ``float64``.
    quarantine : pandas.DataFrame
        Rows that broke a rule, columns ``table``, ``file``, ``row`` (CSV and Excel: the row a
        spreadsheet shows, header = row 1; Parquet and frames: the 1-based position), ``column``, ``reason``, ``record`` (the raw row as JSON).
    account : pandas.DataFrame
        Per table: ``table``, ``file``, ``rows_read``, ``rows_used``, ``rows_quarantined``
        with ``rows_read == rows_used + rows_quarantined``.
    source : pathlib.Path or None
        The folder the dataset was read from.
    files : dict[str, pathlib.Path]
        The file each table was read from.
    """

    tables: dict[str, pd.DataFrame]
    quarantine: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARANTINE_COLUMNS))
    account: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ACCOUNT_COLUMNS))
    source: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """Return True when table ``name`` is present."""
        return name in self.tables

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def supervisor_ids(self) -> list[str]:
        """All supervisor ids, sorted."""
        return sorted(self.tables["supervisors"]["supervisor_id"].tolist())


# --------------------------------------------------------------------------- hand-over to a kernel

_MASK = "\x00mask:"


def save_dataset(dataset: Dataset, path) -> Path:
    """Pickle ``dataset`` to ``path`` with its tables in memory-mapped Arrow files beside it.

    Each table is written to ``<path stem>.<table>.arrow`` (Arrow IPC, uncompressed) and the
    pickle refers to those files: ``pickle.load`` maps them instead of copying the cells,
    so a process that reads the pickle (a report's notebook kernel) holds in memory only
    the columns it touches, and several processes share one copy. The loaded tables have
    the same columns, dtypes and values; their number columns are read-only views of the
    file (operations make new arrays as usual; writing into a table in place is refused).
    The Arrow files must stay until the pickle has been loaded; a loaded table keeps its
    file mapped (removing the file is fine). Tables with a column of another dtype are
    pickled as usual.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    import pickle

    path = Path(path)
    files = {}
    for name, frame in dataset.tables.items():
        target = path.with_name(f"{path.stem}.{name}.arrow")
        if _write_mapped(frame, target):
            files[id(frame)] = str(target)

    class _Pickler(pickle.Pickler):
        def reducer_override(self, obj):
            if isinstance(obj, pd.DataFrame) and id(obj) in files:
                return _mapped_table, (files[id(obj)],)
            return NotImplemented

    with open(path, "wb") as fh:
        _Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump(dataset)
    import pyarrow as pa

    pa.default_memory_pool().release_unused()  # the writer's buffers, before a kernel starts
    return path


def _write_mapped(frame: pd.DataFrame, target: Path) -> bool:
    """Write ``frame`` as one Arrow record batch; False (nothing written) for unknown dtypes."""
    import numpy as np
    import pyarrow as pa

    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1 \
            or not all(isinstance(c, str) for c in frame.columns) or frame.columns.has_duplicates:
        return False
    arrays, fields = [], []
    for name in frame.columns:
        col = frame[name]
        dtype = col.dtype
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and dtype.na_value is not pd.NA:
            arr = col.array._pa_array  # noqa: SLF001 - the Arrow text as it is
            arrays.append(arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0))
            fields.append(pa.field(name, pa.large_string(), metadata={"pandas": "str"}))
        elif isinstance(dtype, pd.BooleanDtype):
            values = col.array
            arrays += [pa.array(values._data), pa.array(values._mask)]  # noqa: SLF001
            fields += [pa.field(name, pa.bool_(), metadata={"pandas": "boolean"}),
                       pa.field(_MASK + name, pa.bool_())]
        elif isinstance(dtype, np.dtype) and dtype.kind in "fiub" or dtype == np.dtype("datetime64[ns]"):
            values = col.to_numpy()
            stored = values.view("i8") if dtype.kind == "M" else values
            arrays.append(pa.array(stored, from_pandas=False))  # NaN and NaT kept as values
            fields.append(pa.field(name, arrays[-1].type, metadata={"pandas": str(dtype)}))
        else:
            return False
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    with pa.OSFile(str(target), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=max(len(frame), 1))
    return True


def _mapped_table(path: str) -> pd.DataFrame:
    """Rebuild a table written by :func:`_write_mapped`, its cells mapped from the file."""
    import pyarrow as pa

    from .parsing import TEXT_DTYPE

    table = pa.ipc.open_file(pa.memory_map(path, "r")).read_all()
    columns = {}
    for i, f in enumerate(table.schema):
        if f.name.startswith(_MASK):
            continue
        kind = f.metadata[b"pandas"].decode()
        column = table.column(i)
        chunk = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
        if kind == "str":
            columns[f.name] = pd.Series(TEXT_DTYPE.__from_arrow__(pa.chunked_array([chunk], type=chunk.type)))
        elif kind == "boolean":
            mask = table.column(_MASK + f.name).to_numpy()
            columns[f.name] = pd.Series(pd.arrays.BooleanArray(chunk.to_numpy(zero_copy_only=False), mask))
        else:
            values = chunk.to_numpy(zero_copy_only=chunk.type != pa.bool_())
            columns[f.name] = pd.Series(values.view(kind) if kind.startswith("datetime64") else values,
                                        copy=False)
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), copy=False)
