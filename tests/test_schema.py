"""Schema versions: a new warehouse is created at the code's version, an old one is migrated once by the
first step of a run, and every other step refuses a warehouse that is not at the code's version."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import marts, rules, warehouse
from pipelines.identity import store
from pipelines.ingest import scan
from pipelines.warehouse import schema
from tests.conftest import SAMPLES, run_nightly

RELEASE_0_1 = Path(__file__).parent / "fixtures" / "warehouse-0.1"


def catalog(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What the schema of sql/schema/ is, beyond its rows: relations, columns with types, defaults and
    comments, constraints (the marts are rebuilt every night and left out)."""
    names = {r.name for r in schema.relations()} - {"schema_version"}
    cols = con.execute("""
        SELECT table_name, column_name, data_type, column_default, is_nullable, comment
        FROM duckdb_columns() WHERE schema_name = 'main' AND table_name <> 'schema_version'
        ORDER BY table_name, column_index""").fetchall()
    tables = con.execute("""
        SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main' AND table_name <> 'schema_version'
        UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal
        ORDER BY 1""").fetchall()
    cols = [c for c in cols if c[0] in names]
    tables = [t for t in tables if t[0] in names]
    constraints = con.execute("""
        SELECT table_name, constraint_type, expression, constraint_column_names FROM duckdb_constraints()
        WHERE schema_name = 'main' AND table_name <> 'schema_version' ORDER BY ALL""").fetchall()
    constraints = [c for c in constraints if c[0] in names]
    return {"columns": cols, "relations": tables, "constraints": constraints}


def release_0_1(path: Path) -> None:
    """The release-0.1 warehouse of the fixture, written to path."""
    con = duckdb.connect(str(path))
    try:
        pending = [
            s.query for s in con.extract_statements((RELEASE_0_1 / "schema.sql").read_text(encoding="utf-8"))
        ]
        while pending:  # EXPORT writes views by name, not in dependency order: retry those that wait
            waiting = []
            for query in pending:
                try:
                    con.execute(query)
                except duckdb.CatalogException:
                    waiting.append(query)
            if len(waiting) == len(pending):
                raise RuntimeError(f"cannot create {waiting[0][:80]}")
            pending = waiting
        load = (RELEASE_0_1 / "load.sql").read_text(encoding="utf-8")
        con.execute(load.replace("'tests/fixtures/warehouse-0.1/", f"'{RELEASE_0_1}/"))
    finally:
        con.close()


def test_a_new_warehouse_is_created_at_the_codes_version(tmp_path: Path) -> None:
    con = warehouse.connect(tmp_path / "new.duckdb")
    try:
        assert schema.migrate(con) == ["created"]
        assert schema.migrate(con) == []  # current: nothing to do, nothing written
        schema.check(con)
        rows = con.execute("SELECT version, fingerprint, note FROM schema_version").fetchall()
        assert rows == [(schema.latest_version(), schema.fingerprint(), "created")]
        assert {r.name for r in schema.relations()} <= {
            n
            for (n,) in con.execute(
                "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views()"
            ).fetchall()
        }
    finally:
        con.close()


def test_a_release_0_1_warehouse_migrates_and_runs(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    release_0_1(old)
    con = warehouse.connect(old)
    try:
        with pytest.raises(schema.SchemaError, match="no schema version"):
            schema.check(con)
        reports_before = con.execute("SELECT count(*) FROM dim_report").fetchone()
        assert schema.migrate(con)[0] == "adopted"
        schema.check(con)
        migrated = catalog(con)
        assert con.execute("SELECT count(*) FROM dim_report").fetchone() == reports_before == (10,)
    finally:
        con.close()
    fresh = warehouse.connect(tmp_path / "fresh.duckdb")
    try:
        schema.migrate(fresh)
        assert migrated == catalog(fresh)  # the same schema as a warehouse made today
    finally:
        fresh.close()
    # and the night goes on from it: the samples load on top, the fixture's reports stay
    with duckdb.connect(str(old), read_only=True) as ro:
        kept = {r for (r,) in ro.execute("SELECT report_id FROM dim_report").fetchall()}
    run_nightly(SAMPLES, old, tmp_path)
    samples = {hashlib.sha256(p.read_bytes()).hexdigest() for p in scan.discover(SAMPLES)}
    with duckdb.connect(str(old), read_only=True) as ro:
        reports = {r for (r,) in ro.execute("SELECT report_id FROM dim_report").fetchall()}
        assert reports == kept | samples
        assert ro.execute("SELECT count(*) FROM mart_organ_year").fetchone() == (42,)


def test_stages_refuse_a_warehouse_that_was_not_migrated(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    release_0_1(old)
    con = warehouse.connect(old)
    try:
        with pytest.raises(schema.SchemaError, match="gongkai run"):
            store.build(con)
        with pytest.raises(schema.SchemaError):
            marts.build(con)
    finally:
        con.close()
    with pytest.raises(schema.SchemaError):
        rules.run(old, gx=False)


def test_a_migration_is_applied_once_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    con = warehouse.connect(tmp_path / "wh.duckdb")
    try:
        schema.migrate(con)
        latest = schema.latest_version()
        folder = tmp_path / "migrations"
        shutil.copytree(schema.migrations_dir(), folder)
        name = f"{latest + 1:04d}_quarantine_note.sql"
        (folder / name).write_text("ALTER TABLE quarantine ADD COLUMN note VARCHAR;\n", encoding="utf-8")
        monkeypatch.setattr(schema, "migrations_dir", lambda: folder)
        schema.fingerprint.cache_clear()
        with pytest.raises(schema.SchemaError, match=f"needs version {latest + 1}"):
            schema.check(con)
        assert schema.migrate(con) == [name]
        assert schema.migrate(con) == []
        columns = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'quarantine'"
        ).fetchall()
        assert columns[-1] == ("note",)
        versions = con.execute("SELECT version, note FROM schema_version ORDER BY applied_at").fetchall()
        assert versions == [(latest, "created"), (latest + 1, name)]
    finally:
        con.close()
        schema.fingerprint.cache_clear()


def test_migrations_are_numbered_without_gaps() -> None:
    names = [m.path.name for m in schema.migrations()]
    assert all(re.fullmatch(r"\d{4}_[\w-]+\.sql", n) for n in names)
    assert [m.version for m in schema.migrations()] == list(range(2, schema.latest_version() + 1))
