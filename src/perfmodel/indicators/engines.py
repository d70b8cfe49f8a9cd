"""Query engines for the indicator catalogue: DuckDB (embedded default) and PySpark.

The indicators are Ibis expressions; this module only opens a backend and puts a
dataset's tables into it. Both engines are run so that they agree to the last bit that
matters:

* timestamps are naive local times; DuckDB holds them as ``TIMESTAMP`` and Spark runs
  with ``spark.sql.session.timeZone=UTC`` (and a JVM in UTC), so a naive value means
  the same wall-clock time on both and no daylight-saving shift can creep in;
* tables go in through Arrow with timestamps at microsecond precision (Spark's), so
  both engines see the same values; NaN in a float column becomes null (missing).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from perfmodel.core.atomic import write_atomic
from perfmodel.core.errors import UsageError
from perfmodel.core.owners import private_folder, remove_stale

ENGINES = ("duckdb", "spark")
# Private working folders of the engines (table files, Spark's table store) in the temporary directory.
SCRATCH_PREFIX = "perfmodel-engine-"
# Tables with this many rows or more go into DuckDB through a Parquet file (Engine.register).
FILE_ROWS = 1_000_000
_FILE_ROW_GROUP = 1 << 20

_SPARK = None


def spark_session():
    """Return the process-wide local SparkSession, creating it on first use.

    Returns
    -------
    pyspark.sql.SparkSession
        ``master local[2]``, session and JVM time zone UTC, no UI, two shuffle
        partitions, Arrow transfers on, log level ERROR.

    Examples
    --------
    Not run as a doctest: the first call starts a Java virtual machine (Java 17), which
    takes seconds and belongs to the Spark tests (``CI=true``). Every later call returns
    the same session:

    >>> spark = spark_session()  # doctest: +SKIP
    >>> spark.conf.get("spark.sql.session.timeZone"), spark_session() is spark  # doctest: +SKIP
    ('UTC', True)
    """
    global _SPARK
    if _SPARK is not None and _SPARK.sparkContext._jsc is not None:
        return _SPARK
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise UsageError("engine 'spark': pyspark is not installed; "
                         "install perfmodel[spark] or use --engine duckdb") from exc
    log_config = _quiet_log4j()
    builder = (
        SparkSession.builder.master(os.environ.get("PERFMODEL_SPARK_MASTER", "local[2]"))
        .appName("perfmodel")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions",
                f"-Duser.timezone=UTC -Dlog4j2.configurationFile={log_config}")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", os.environ.get("PERFMODEL_SPARK_MEMORY", "2g"))
        # keep Spark's table store out of the user's working folder
        .config("spark.sql.warehouse.dir", _scratch_dir())
    )
    _SPARK = builder.getOrCreate()
    _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def _scratch_dir() -> str:
    """A private temporary folder, removed when the process exits."""
    path = private_folder(SCRATCH_PREFIX)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return str(path)


_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def _quiet_log4j() -> str:
    """Write a log4j2 configuration that shows only errors; return its path."""
    path = Path(tempfile.gettempdir()) / "perfmodel-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J:
        write_atomic(path, _LOG4J.encode("utf-8"), shared=True)
    return str(path)


class _ColumnView:
    """Some columns of a DataFrame, sliced without copying the rest of the frame."""

    def __init__(self, frame: pd.DataFrame, columns: list[str]):
        self.frame, self.columns = frame, list(columns)

    def __len__(self) -> int:
        return len(self.frame)

    def slice(self, start: int, length: int) -> pd.DataFrame:
        return self.frame.iloc[start:start + length][self.columns]


def to_arrow(frame) -> pa.Table:
    """Convert a validated table to Arrow with engine-neutral types.

    Returns
    -------
    pyarrow.Table
        Same columns; text as ``string`` (pandas' Arrow-backed text without a copy of
        the characters); timestamps as naive ``timestamp[us]`` (nanoseconds truncated, so
        both engines see the same instant), pandas ``boolean`` as
        Arrow ``bool`` with nulls, NaN as null.

    Examples
    --------
    Nanoseconds are cut to microseconds, a missing boolean and NaN become nulls:

    >>> frame = pd.DataFrame({
    ...     "ticket_id": pd.array(["T1", None], dtype="string[pyarrow]"),
    ...     "created_at": pd.to_datetime(["2026-09-02 09:00:00.123456789",
    ...                                   "2026-09-03 00:00:00.000000000"]),
    ...     "is_complaint": pd.array([True, None], dtype="boolean"),
    ...     "cost": [120.0, float("nan")]})
    >>> table = to_arrow(frame)
    >>> print(table.schema)
    ticket_id: string
    created_at: timestamp[us]
    is_complaint: bool
    cost: double
    >>> table.column("created_at")[0].as_py(), table.column("cost").to_pylist()
    (datetime.datetime(2026, 9, 2, 9, 0, 0, 123456), [120.0, None])
    """
    if isinstance(frame, _ColumnView):  # only the chosen columns are converted
        return _engine_types(pa.Table.from_pandas(frame.frame, columns=frame.columns, preserve_index=False))
    # preserve_index=False: the index is dropped without copying the frame
    return _engine_types(pa.Table.from_pandas(frame, preserve_index=False))


def _engine_types(table: pa.Table) -> pa.Table:
    fields = []
    for f in table.schema:
        if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type):
            fields.append(pa.field(f.name, pa.timestamp("us")))
        elif pa.types.is_null(f.type) or pa.types.is_large_string(f.type):
            fields.append(pa.field(f.name, pa.string()))  # text as both engines read it
        else:
            fields.append(f)
    # safe=False: nanoseconds are cut to microseconds (Spark's precision) for both engines
    return table.cast(pa.schema(fields), safe=False)


@dataclass
class Engine:
    """An open Ibis backend plus the tables registered in it.

    Use :func:`connect` to make one and :meth:`close` (or a ``with`` block) to drop the
    registered tables.
    """

    name: str
    con: object
    _views: list[str] = field(default_factory=list)
    _prefix: str = field(default_factory=lambda: f"pm_{uuid.uuid4().hex[:8]}_")

    def register(self, name: str, frame: pd.DataFrame | pa.Table, columns: list[str] | None = None):
        """Put a table into the engine and return it as an Ibis table expression.

        ``columns``: put only these columns of ``frame`` (without copying the frame).
        DuckDB scans a small table where it lies in memory. A table of
        :data:`FILE_ROWS` rows or more is written once to Parquet files in a private
        temporary folder (removed with the engine) and queried through a view over them:
        the indicator queries then stream it in row groups and hold a fraction of the
        memory they need over an in-memory table (about 1 GB instead of 2.5 GB on ten
        million tickets), while the caller's frame is not copied.
        """
        view = self._prefix + name
        if isinstance(frame, pa.Table):
            frame = frame if columns is None else frame.select(columns)
        else:
            frame = _ColumnView(frame, list(frame.columns) if columns is None else columns)
        if self.name == "duckdb" and len(frame) >= FILE_ROWS:
            pattern = self._table_files(name, frame)
            pa.default_memory_pool().release_unused()
            source = pattern.replace("'", "''")
            self.con.con.execute(f"CREATE OR REPLACE TEMP VIEW \"{view}\" AS SELECT * FROM read_parquet('{source}')")
        elif self.name == "duckdb":
            self.con.con.register(view, frame if isinstance(frame, pa.Table) else to_arrow(frame))
        else:
            arrow = frame if isinstance(frame, pa.Table) else to_arrow(frame)
            spark_session().createDataFrame(arrow).createOrReplaceTempView(view)
        self._views.append(view)
        return self.con.table(view)

    def _table_files(self, name: str, frame) -> str:
        """Write ``frame`` to ``<private folder>/<name>/part-*.parquet``; return the files' pattern.

        A DataFrame is converted to Arrow one slice of :data:`_FILE_ROW_GROUP` rows at a
        time, so only a slice of it is ever held twice; slices are written side by side on
        the available cores (one file each). The folder goes with the engine.
        """
        import weakref
        from concurrent.futures import ThreadPoolExecutor

        import pyarrow.parquet as pq

        folder = self.__dict__.get("_folder")
        if folder is None:
            # mode 0700, with an owner record: a process killed before it could remove its
            # folder leaves one that the next engine (or report run) removes
            folder = private_folder(SCRATCH_PREFIX)
            # removed when the engine is collected (after close) or at exit at the latest
            weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
            self.__dict__["_folder"] = folder
        target = folder / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir()
        starts = range(0, len(frame), _FILE_ROW_GROUP)
        schema = frame.schema if isinstance(frame, pa.Table) else to_arrow(frame.slice(0, 0)).schema

        def write(i: int) -> None:
            start = starts[i]
            part = frame.slice(start, _FILE_ROW_GROUP)
            part = part if isinstance(part, pa.Table) else to_arrow(part)
            part = part.cast(schema) if part.schema != schema else part
            pq.write_table(part, target / f"part-{i:05d}.parquet", compression="snappy")

        # pyarrow converts and writes without holding the interpreter lock
        with ThreadPoolExecutor(max_workers=max(1, min(len(starts), os.cpu_count() or 1))) as pool:
            list(pool.map(write, range(len(starts))))
        return str(target / "part-*.parquet")

    def read_parquet(self, name: str, path: str | Path, columns: list[str] | None = None, *,
                     materialize: bool = True):
        """Read a Parquet file in the engine (not through Python); return it as an Ibis table.

        ``columns``: read only these (those absent from the file are skipped).
        ``materialize`` (DuckDB): decode the file once into an in-memory table, worth it
        for a table that several queries scan; otherwise a view over the file.
        """
        view = self._prefix + name
        path = str(path)
        if columns is not None:
            import pyarrow.parquet as pq

            present = set(pq.read_schema(path).names)
            columns = [c for c in columns if c in present]
        if self.name == "duckdb":
            # A table that several families scan is decoded once into DuckDB's own
            # in-memory columns: re-decoding Parquet for every scan costs far more.
            source = path.replace("'", "''")
            select = "*" if columns is None else ", ".join(f'"{c}"' for c in columns)
            kind = "TEMP TABLE" if materialize else "TEMP VIEW"
            self.con.con.execute(
                f"CREATE OR REPLACE {kind} \"{view}\" AS SELECT {select} FROM read_parquet('{source}')")
        else:
            session = spark_session()
            try:
                frame = session.read.parquet(path)
                frame = frame if columns is None else frame.select(*columns)
            except Exception:  # noqa: BLE001 - e.g. nanosecond timestamps Spark cannot read
                import pyarrow.parquet as pq

                frame = session.createDataFrame(_engine_types(pq.read_table(path, columns=columns)))
            frame.createOrReplaceTempView(view)
        self._views.append(view)
        return self.con.table(view)

    def sql_view(self, name: str, sql: str):
        """DuckDB only: a view named after ``name`` defined by the SELECT ``sql``; return it as an Ibis table.

        ``sql`` may read files (``read_parquet``) and the tables this engine registered
        (by their Ibis names, ``Table.get_name()``).
        """
        if self.name != "duckdb":
            raise UsageError(f"engine {self.name}: SQL views are made on DuckDB only")
        view = self._prefix + name
        self.con.con.execute(f"CREATE OR REPLACE TEMP VIEW \"{view}\" AS {sql}")
        self._views.append(view)
        return self.con.table(view)

    def execute(self, expr) -> pd.DataFrame:
        """Run an Ibis expression and return a pandas DataFrame."""
        return self.con.execute(expr)

    def close(self) -> None:
        """Drop the tables this engine registered (DuckDB: close the in-memory database)."""
        if self.name == "duckdb":
            self.con.disconnect()
        else:
            for view in self._views:
                try:
                    spark_session().catalog.dropTempView(view)
                except Exception:  # noqa: BLE001 - a view that is already gone is fine
                    pass
        self._views.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(engine: str = "duckdb", *, threads: int | None = None) -> Engine:
    """Open an engine.

    Parameters
    ----------
    engine : {"duckdb", "spark"}
        DuckDB runs in memory in this process; Spark runs a local session
        (see :func:`spark_session`).
    threads : int, optional
        DuckDB worker threads (default: DuckDB's own choice).

    Returns
    -------
    Engine
        The backend and a registry of the tables put into it.

    Raises
    ------
    UsageError
        For an unknown engine name or when PySpark is not installed.

    Examples
    --------
    >>> engine = connect("duckdb")
    >>> tickets = engine.register("tickets", pd.DataFrame({"ticket_id": ["T1", "T2"],
    ...                                                    "cost": [120.0, 80.5]}))
    >>> engine.execute(tickets.aggregate(n=tickets.count(), cost=tickets.cost.sum()))
       n   cost
    0  2  200.5
    >>> engine.close()
    >>> connect("sqlite")
    Traceback (most recent call last):
    ...
    perfmodel.core.errors.UsageError: engine 'sqlite': use one of duckdb, spark
    """
    import ibis

    if engine not in ENGINES:
        raise UsageError(f"engine {engine!r}: use one of {', '.join(ENGINES)}")
    remove_stale(SCRATCH_PREFIX)  # working folders of killed processes (they may hold personal data)
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        con.con.execute("SET enable_progress_bar = false")
        # row order never matters here (results are sorted in Python): lets DuckDB
        # load and aggregate in parallel without keeping insertion order
        con.con.execute("SET preserve_insertion_order = false")
        if threads:
            con.con.execute(f"SET threads = {int(threads)}")
        return Engine("duckdb", con)
    if engine == "spark":
        session = spark_session()
        return Engine("spark", ibis.pyspark.connect(session))
    raise UsageError(f"engine {engine!r}: use one of {', '.join(ENGINES)}")
