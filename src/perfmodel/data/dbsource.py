"""Reading the tables of a dataset from a database: a DuckDB file or a PostgreSQL server.

``--data`` may name a DuckDB database file (``helpdesk.duckdb``) or a PostgreSQL URL
(``postgresql://reader@replica:5432/helpdesk``) instead of a folder. The tables are
named as in SPEC §1 (``supervisors``, ``tickets``, ...; for PostgreSQL in the schema of
the URL's ``options=-csearch_path=...`` or ``public``). Nothing is written there: DuckDB
is opened with ``read_only=True`` and PostgreSQL is read inside one ``READ ONLY``
``REPEATABLE READ`` transaction (one consistent snapshot of every table), so a read-only
replica is enough.

Rows are read as the database holds them and then go through the same validation as the
cells of a file. They are put in a fixed order first (by the table's key columns, then by
every other column, compared as text), so that the same rows give the same result
whatever order the database returns them in. A quarantined row is addressed by its key
columns (``helpdesk.duckdb:tickets (ticket_id=T0042)``); its ``row`` is its 1-based
position in that order.

A database has no file to hash. Instead each table gets a **digest** of the rows read
(:func:`table_digest`): every row is turned into text cells (Arrow's cast to string,
a missing cell kept apart from an empty one), hashed with pandas' 64-bit SipHash
(``hash_pandas_object``, fixed key, columns in name order) and the row hashes are added
modulo 2**64. A sum does not depend on the order of the rows, and changes when a row is
added, removed or edited. The manifest records per table the row count and this digest.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfmodel.core.errors import DataError
from perfmodel.core.hashing import sha256_text

_DOC = "see README.md, 'Reading from a database'"
_URL = re.compile(r"^postgres(ql)?(\+\w+)?://", re.IGNORECASE)
DUCKDB_SUFFIXES = (".duckdb", ".ddb")


@dataclass(frozen=True)
class Database:
    """A database given as ``--data``.

    Attributes
    ----------
    kind : {"duckdb", "postgresql"}
    target : str
        The DuckDB file (absolute) or the PostgreSQL URL as given (with its password).
    """

    kind: str
    target: str

    @property
    def name(self) -> str:
        """How messages and the manifest name the database: never with its password."""
        if self.kind == "duckdb":
            return Path(self.target).name
        return public_url(self.target)

    @property
    def recorded(self) -> str:
        """What the manifest records as ``data_dir``: the file, or the URL without password."""
        return self.target if self.kind == "duckdb" else public_url(self.target)


def as_database(data) -> Database | None:
    """The :class:`Database` that ``data`` names, or None for a folder (or anything else).

    A string starting with ``postgresql://`` (or ``postgres://``) is a PostgreSQL URL; a
    path ending in ``.duckdb`` or ``.ddb`` is a DuckDB file (DataError when it is missing);
    any other ``scheme://`` is a DataError.

    Examples
    --------
    >>> import tempfile
    >>> import duckdb
    >>> folder = Path(tempfile.mkdtemp())
    >>> duckdb.connect(str(folder / "hr.duckdb")).close()
    >>> db = as_database(folder / "hr.duckdb")
    >>> db.kind, db.name
    ('duckdb', 'hr.duckdb')
    >>> as_database(folder) is None  # a folder of files
    True
    >>> as_database("postgresql://reader:secret@db.example/hr").recorded
    'postgresql://reader@db.example/hr'
    >>> as_database("mysql://db.example/hr")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.DataError: mysql://...: not a source perfmodel reads; give a folder, a .duckdb file or a postgresql:// URL (see README.md, 'Reading from a database')
    """
    if isinstance(data, Database):
        return data
    if not isinstance(data, (str, Path)):
        return None
    text = str(data)
    if _URL.match(text):
        return Database("postgresql", re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", text))
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        scheme = text.split("://", 1)[0]
        raise DataError(f"{scheme}://...: not a source perfmodel reads; give a folder, a .duckdb file "
                        f"or a postgresql:// URL ({_DOC})")
    path = Path(text)
    if path.suffix.lower() in DUCKDB_SUFFIXES:
        if not path.is_file():
            raise DataError(f"{path}: no such DuckDB database file; give the .duckdb file that "
                            f"holds the tables ({_DOC})")
        return Database("duckdb", str(path.resolve()))
    return None


def public_url(url: str) -> str:
    """``url`` without its password (``postgresql://reader@host/db``), safe to print and record.

    Examples
    --------
    >>> public_url("postgresql://reader:secret@db.example:5432/hr")
    'postgresql://reader@db.example:5432/hr'
    >>> public_url("postgresql://db.example/hr")
    'postgresql://db.example/hr'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}"))


# --------------------------------------------------------------------------- reading

def read_tables(db: Database, names) -> dict[str, pa.Table]:
    """Read every table of ``names`` present in the database, each in the fixed row order.

    Returns
    -------
    dict[str, pyarrow.Table]
        Table name -> its rows (column names as the database spells them); only the
        tables present.

    Raises
    ------
    DataError
        One line naming the database when it cannot be opened or read.

    Examples
    --------
    Rows come in the order of the table's key, whatever order they were stored in:

    >>> import tempfile
    >>> import duckdb
    >>> path = Path(tempfile.mkdtemp()) / "hr.duckdb"
    >>> with duckdb.connect(str(path)) as con:
    ...     _ = con.execute("CREATE TABLE supervisors (supervisor_id VARCHAR, name VARCHAR)")
    ...     _ = con.execute("INSERT INTO supervisors VALUES ('S2', ' 李强 '), ('S1', '王芳'), ('S3', '')")
    >>> tables = read_tables(as_database(path), ["supervisors", "tickets"])
    >>> list(tables), tables["supervisors"].to_pydict()
    (['supervisors'], {'supervisor_id': ['S1', 'S2', 'S3'], 'name': ['王芳', ' 李强 ', '']})
    """
    names = list(names)
    if db.kind == "duckdb":
        read = _read_duckdb(db, names)
    else:
        read = _read_postgresql(db, names)
    return {name: _ordered(table, name) for name, table in read.items()}


@contextmanager
def _reading(db: Database, con):
    """Close ``con`` afterwards; a failure other than a DataError becomes one line naming ``db``."""
    try:
        yield con
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"{db.name}: cannot read the database ({_first_line(exc)}) ({_DOC})") from None
    finally:
        con.close()


def _read_duckdb(db: Database, names) -> dict[str, pa.Table]:
    import duckdb

    try:
        con = duckdb.connect(db.target, read_only=True)
    except Exception as exc:
        raise DataError(f"{db.name}: cannot open the DuckDB database ({_first_line(exc)}); give a "
                        f"database file written by DuckDB ({_DOC})") from None
    with _reading(db, con):
        present = {r[0].lower(): r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()}
        return {name: con.execute(f'SELECT * FROM "{present[name]}"').fetch_arrow_table()
                for name in names if name in present}


def _read_postgresql(db: Database, names) -> dict[str, pa.Table]:
    """Every table of ``names`` present in the URL's schema, read through ADBC.

    The ADBC PostgreSQL driver streams each table with ``COPY ... TO STDOUT (FORMAT
    binary)`` straight into Arrow record batches, typed as the server types the columns
    (no Python object per cell). All tables are read in one ``REPEATABLE READ, READ ONLY``
    transaction: one snapshot, and nothing can be written.
    """
    try:
        import adbc_driver_postgresql.dbapi as adbc
    except ImportError:
        raise DataError(f"{db.name}: reading PostgreSQL needs the adbc-driver-postgresql package; "
                        f"install perfmodel[postgres] ({_DOC})") from None
    try:
        con = adbc.connect(db.target, autocommit=True)
    except Exception as exc:
        raise DataError(f"{db.name}: cannot connect ({_first_line(exc)}); check the URL, the user "
                        f"and PGPASSWORD or ~/.pgpass ({_DOC})") from None
    with _reading(db, con), con.cursor() as cur:
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            cur.execute("SELECT table_name::text AS name FROM information_schema.tables "
                        "WHERE table_schema = current_schema()")
            present = {n.lower(): n for n in cur.fetch_arrow_table()["name"].to_pylist()}
            return {name: _read_pg_table(cur, present[name]) for name in names if name in present}
        finally:
            cur.execute("ROLLBACK")


def _read_pg_table(cur, table: str) -> pa.Table:
    """All rows of ``table``, batch by batch; ``numeric`` columns become float64.

    The driver hands PostgreSQL's ``numeric`` over as its decimal text (an opaque Arrow
    extension type); it is cast to float64 per batch, as every other number is read.
    """
    cur.adbc_statement.set_options(**{"adbc.postgresql.batch_size_hint_bytes": str(BATCH_BYTES)})
    cur.execute('SELECT * FROM "{}"'.format(table.replace('"', '""')))
    reader = cur.fetch_record_batch()
    fields = [_plain_field(f) for f in reader.schema]
    schema = pa.schema(fields)
    batches = [pa.RecordBatch.from_arrays([_plain_column(c, f.type) for c, f in zip(b.columns, fields)],
                                          schema=schema) for b in reader]
    return pa.Table.from_batches(batches, schema=schema)


#: Size of the record batches the driver streams (a hint, in bytes of COPY data).
BATCH_BYTES = 16 << 20


def _plain_field(field: pa.Field) -> pa.Field:
    """``field`` without driver metadata; an opaque ``numeric`` becomes float64, other opaque text."""
    kind = field.type
    if isinstance(kind, pa.BaseExtensionType):
        name = getattr(kind, "type_name", "")
        kind = pa.float64() if name == "numeric" else pa.string()
    return pa.field(field.name, kind)


def _plain_column(column: pa.Array, kind: pa.DataType) -> pa.Array:
    if isinstance(column.type, pa.BaseExtensionType):
        column = column.storage
    # a numeric's text (PostgreSQL writes special values as NaN / Infinity) casts to float64
    return column if column.type == kind else column.cast(kind)


def _text_cells(table: pa.Table) -> dict[str, pa.ChunkedArray]:
    """Every column of ``table`` cast to text (missing stays missing), by lower-cased name."""
    out = {}
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        try:
            out[str(name).strip().lower()] = column.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            out[str(name).strip().lower()] = pa.chunked_array(
                [pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())])
    return out


def _ordered(table: pa.Table, name: str) -> pa.Table:
    """``table`` sorted by its key columns, then every other column, compared as text."""
    from perfmodel.data.schema import TABLES

    if table.num_rows < 2:
        return table
    cells = _text_cells(table)
    key = [c for c in TABLES[name].key if c in cells] if name in TABLES else []
    order = key + sorted(c for c in cells if c not in key)
    sortable = pa.table({f"c{i}": cells[c] for i, c in enumerate(order)})
    index = pc.sort_indices(sortable, sort_keys=[(f"c{i}", "ascending", "at_end")
                                                 for i in range(len(order))])
    return table.take(index)


def to_frame(table: pa.Table) -> pd.DataFrame:
    """The cells of ``table`` as the loader takes them (as :func:`perfmodel.data.readers.read_parquet`).

    Returns
    -------
    pandas.DataFrame
        One column per database column, in its order: text as Arrow-backed strings with
        blanks trimmed and blank cells missing, other types as pandas holds them.

    Examples
    --------
    >>> table = pa.table({"supervisor_id": ["S1", "S2", "S3"], "name": ["王芳", " 李强 ", ""]})
    >>> frame = to_frame(table)
    >>> frame
      supervisor_id  name
    0            S1    王芳
    1            S2    李强
    2            S3  <NA>
    >>> frame["name"].tolist()
    ['王芳', '李强', <NA>]
    """
    from perfmodel.data.readers import _clean_strings

    data = {}
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = _clean_strings(column.cast(pa.string()))
            data[name] = pd.Series(pd.arrays.ArrowExtensionArray(column), copy=False)
        else:
            data[name] = column.to_pandas()
    return pd.DataFrame(data) if data else pd.DataFrame()


# --------------------------------------------------------------------------- digests

def table_digest(table: pa.Table) -> str:
    """An order-independent digest of the rows of ``table``: 16 hex digits.

    Each row's cells are cast to text (a missing cell hashes apart from an empty text),
    the columns taken in name order; pandas' ``hash_pandas_object`` (SipHash, fixed key)
    gives one 64-bit hash per row and the hashes are summed modulo 2**64. The column names
    take part, so a renamed column changes the digest.

    Examples
    --------
    The order of the rows does not matter; their content does:

    >>> table = pa.table({"supervisor_id": ["S1", "S2", "S3"], "name": ["王芳", "李强", ""]})
    >>> table_digest(table)
    'e7fb8c69689eb706'
    >>> table_digest(table) == table_digest(table.take([2, 0, 1]))
    True
    >>> table_digest(table) == table_digest(table.slice(0, 2))
    False
    >>> len(table_digest(table))
    16
    """
    from pandas.util import hash_pandas_object

    cells = _text_cells(table)
    names = sorted(cells)
    total = np.uint64(int(hash_pandas_object(pd.Series(["\x1f".join(names)]), index=False)[0]))
    if table.num_rows and names:
        frame = pd.DataFrame({n: pd.Series(cells[n].to_pandas(), dtype=object)
                              .where(lambda s: s.notna(), "\x00null") for n in names})
        hashes = hash_pandas_object(frame, index=False, categorize=False).to_numpy(np.uint64)
        with np.errstate(over="ignore"):
            total = total + hashes.sum(dtype=np.uint64)
    return f"{int(total):016x}"


def describe_tables(db: Database, names) -> list[dict]:
    """Per table present: ``path`` (``table:<name>``), ``rows``, ``digest`` and ``sha256``.

    ``sha256`` hashes the table's name, row count and digest, so the manifest's checks of
    input files apply to database tables unchanged.

    Examples
    --------
    >>> import tempfile
    >>> import duckdb
    >>> from perfmodel.core.hashing import sha256_text
    >>> path = Path(tempfile.mkdtemp()) / "hr.duckdb"
    >>> with duckdb.connect(str(path)) as con:
    ...     _ = con.execute("CREATE TABLE supervisors (supervisor_id VARCHAR, name VARCHAR)")
    ...     _ = con.execute("INSERT INTO supervisors VALUES ('S1', '王芳'), ('S2', '李强')")
    >>> db = as_database(path)
    >>> [(d["path"], d["rows"]) for d in describe_tables(db, ["supervisors", "tickets"])]
    [('table:supervisors', 2)]
    >>> d = describe_tables(db, ["supervisors"])[0]
    >>> d["digest"] == table_digest(read_tables(db, ["supervisors"])["supervisors"])
    True
    """

    out = []
    for name, table in sorted(read_tables(db, names).items()):
        digest = table_digest(table)
        text = f"{name}\n{table.num_rows}\n{digest}"
        out.append({"path": f"table:{name}", "rows": table.num_rows, "digest": digest,
                    "sha256": sha256_text(text)})
    return out


def address(frame: pd.DataFrame, key) -> list[str]:
    """For each row of ``frame`` (raw cells), ``ticket_id=T0042`` from its key columns.

    Examples
    --------
    >>> address(pd.DataFrame({"ticket_id": ["T0042", None]}), ["ticket_id"])
    ['ticket_id=T0042', 'ticket_id=']
    >>> address(pd.DataFrame({"supervisor_id": ["S1"], "period": ["2026Q3"]}), ["supervisor_id", "period"])
    ['supervisor_id=S1, period=2026Q3']
    """
    parts = [[f"{k}={'' if pd.isna(v) else v}" for v in frame[k].tolist()] for k in key if k in frame]
    return [", ".join(p) for p in zip(*parts)] if parts else [""] * len(frame)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
