"""Shared test fixtures."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# openpyxl writes its XML with lxml when lxml is installed (the test extra's pyfixest brings
# it) and with the standard library otherwise, in different bytes. The committed workbooks
# of the broken-input corpus were written with the standard library, as a plain install of
# perfmodel (which has no lxml) reads and writes them; every test process and the notebook
# kernels it starts use the same.
os.environ.setdefault("OPENPYXL_LXML", "False")


def _jvm_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and os.path.exists(os.path.join(home, "bin", "java"))))


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole test session (``perfmodel.indicators.engines.spark_session``).

    Under CI (``CI=true``) a missing JVM or PySpark fails the test; elsewhere it skips.
    """
    on_ci = os.environ.get("CI", "").lower() == "true"
    reason = None
    if not _jvm_available():
        reason = "no JVM: java is not on PATH and JAVA_HOME is not set"
    else:
        try:
            import pyspark  # noqa: F401
        except ImportError:
            reason = "pyspark is not installed"
    if reason:
        if on_ci:
            pytest.fail(f"Spark tests must run under CI, but {reason}")
        pytest.skip(reason)
    from perfmodel.indicators import engines

    session = engines.spark_session()
    # test data are small: one shuffle partition saves a task per stage
    session.conf.set("spark.sql.shuffle.partitions", "1")
    yield session
    session.stop()
    engines._SPARK = None


SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def as_parquet_text(folder: Path, out: Path) -> Path:
    """Every CSV table of ``folder`` written to ``out`` as Parquet, each cell as the text read.

    The engine validator then parses every cell in SQL, as it would a helpdesk's text export.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from perfmodel.data.readers import find_sources, read_source
    from perfmodel.data.schema import TABLES

    out.mkdir(parents=True, exist_ok=True)
    for name, src in find_sources(folder, TABLES).items():
        if src.path.suffix.lower() == ".parquet":  # already Parquet: as it is
            shutil.copy(src.path, out / f"{name}.parquet")
            continue
        frame = read_source(src).frame
        columns = {c: pa.array(frame[c].astype(object).where(frame[c].notna(), None).tolist(), pa.string())
                   for c in frame.columns}
        pq.write_table(pa.table(columns), out / f"{name}.parquet")
    if (folder / "calendar.yaml").exists():
        shutil.copy(folder / "calendar.yaml", out / "calendar.yaml")
    return out


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The bundled sample (data/sample). Read it; a test that changes files copies it first."""
    return SAMPLE


@pytest.fixture(scope="session")
def sample_run():
    """The one pipeline on the sample, run once per session: efficiency preset, 2026Q3 with history.

    Every test that asks for it gets the same object: read it, never change it.
    """
    from perfmodel.pipeline import run_pipeline

    return run_pipeline(SAMPLE, "efficiency", period="2026Q3", history=True)
