"""The memory cap: Settings.memory_limit and Settings.temp_directory reach every DuckDB connection the
pipeline opens (db.connect, the Dagster resource, GX's own engine), from an argument, the environment
or the default."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from test_gx import wh  # noqa: F401  (the module's warehouse fixture)

from pipelines import settings as settings_mod
from pipelines.catalogue import Rule
from pipelines.cli.main import main
from pipelines.orchestration.resources import GongkaiResource
from pipelines.rules import gx
from pipelines.settings import Settings
from pipelines.warehouse import db

# What DuckDB reports for the sizes the tests set (a GB is 10^9 bytes, shown in GiB).
SHOWN = {"512MB": "488.2 MiB", "300MB": "286.1 MiB", "4GB": "3.7 GiB"}


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No cap configured by an earlier test, and no cap in the environment of the test run."""
    monkeypatch.delenv("GONGKAI_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("GONGKAI_TEMP_DIRECTORY", raising=False)
    previous = db.configure(None)
    yield
    db.configure(previous)


def shown(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    row = con.execute("SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def test_settings_take_the_argument_then_the_environment_then_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Settings.load().memory_limit == settings_mod.DEFAULT_MEMORY_LIMIT
    assert Settings.load().temp_directory is None
    monkeypatch.setenv("GONGKAI_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("GONGKAI_TEMP_DIRECTORY", str(tmp_path))
    assert Settings.load().memory_limit == "300MB"
    assert Settings.load().temp_directory == tmp_path
    assert Settings.load(memory_limit="1 GiB").memory_limit == "1GiB"
    assert Settings.load(memory_limit="none").memory_limit is None  # DuckDB's own default


@pytest.mark.parametrize("bad", ["lots", "4", "-1GB", "4GB; DROP TABLE x"])
def test_a_memory_limit_that_is_not_a_size_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="memory_limit must be a size"):
        Settings.load(memory_limit=bad)


def test_every_connection_gets_the_configured_cap(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    db.configure(db.Limits("512MB", tmp_path / "spill"))
    con = db.connect(path)
    try:
        assert shown(con) == (SHOWN["512MB"], str(tmp_path / "spill" / "wh.duckdb.tmp"))
    finally:
        con.close()
    con = db.connect(path, read_only=True)
    try:
        assert shown(con) == (SHOWN["512MB"], str(tmp_path / "spill" / "wh.duckdb.tmp"))
    finally:
        con.close()


def test_without_configuration_the_cap_is_the_environments(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "wh.duckdb"
    con = db.connect(path)
    try:  # the default cap, spilling beside the file (DuckDB's own FILE.tmp)
        assert shown(con) == (SHOWN[settings_mod.DEFAULT_MEMORY_LIMIT], str(path) + ".tmp")
    finally:
        con.close()
    monkeypatch.setenv("GONGKAI_MEMORY_LIMIT", "300MB")
    con = db.connect(path)
    try:
        assert shown(con)[0] == SHOWN["300MB"]
    finally:
        con.close()
    monkeypatch.setenv("GONGKAI_MEMORY_LIMIT", "none")
    plain = duckdb.connect(":memory:")
    try:
        (duckdb_default,) = plain.execute("SELECT current_setting('memory_limit')").fetchone() or ("",)
    finally:
        plain.close()
    con = db.connect(path)
    try:
        assert shown(con)[0] == duckdb_default != SHOWN[settings_mod.DEFAULT_MEMORY_LIMIT]
    finally:
        con.close()


def test_what_does_not_fit_spills_to_the_folder_which_goes_when_the_connection_closes(tmp_path: Path) -> None:
    spill = tmp_path / "spill"
    db.configure(db.Limits("20MB", spill))
    con = db.connect(tmp_path / "wh.duckdb")
    try:
        con.execute("SET threads = 1")
        con.execute("SET preserve_insertion_order = false")
        con.execute("CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(1500000)")
        (n,) = con.execute("SELECT count(*) FROM (SELECT s, i FROM t ORDER BY s)").fetchone() or (0,)
        assert n == 1_500_000
        assert (spill / "wh.duckdb.tmp").is_dir()
    finally:
        con.close()
    assert not (spill / "wh.duckdb.tmp").exists()


def test_the_dagster_resource_carries_the_cap_to_its_connections(tmp_path: Path) -> None:
    settings = Settings.load(warehouse=tmp_path / "wh.duckdb", memory_limit="300MB", staged=False).with_(
        temp_directory=tmp_path / "spill"
    )
    resource = GongkaiResource.of(settings)
    assert resource.settings().memory_limit == "300MB"
    assert resource.settings().temp_directory == tmp_path / "spill"
    con = resource.connect()
    try:
        assert shown(con) == (SHOWN["300MB"], str(tmp_path / "spill" / "wh.duckdb.tmp"))
    finally:
        con.close()
    # and so does every connection the stages open themselves in the step's process
    con = db.connect(tmp_path / "wh.duckdb", read_only=True)
    try:
        assert shown(con)[0] == SHOWN["300MB"]
    finally:
        con.close()
    assert GongkaiResource.of(settings.with_(memory_limit=None)).settings().memory_limit is None


def test_gx_connects_with_the_cap(wh: Path) -> None:  # noqa: F811
    db.configure(db.Limits("512MB", None))
    # a rule that fails once exactly when GX's own connection has the cap
    rule = Rule(
        "Z-MEM",
        "Q",
        "Q",
        "info",
        "内存",
        "memory cap",
        "SELECT report_id, '' AS instance, CAST([] AS VARCHAR[]) AS cell_ids, "
        "CAST(NULL AS VARCHAR) AS related_report_id, CAST([] AS VARCHAR[]) AS related_cell_ids, "
        "CAST(NULL AS DOUBLE) AS expected, CAST(NULL AS DOUBLE) AS actual, CAST(NULL AS DOUBLE) AS diff, "
        "false AS blank_decided, current_setting('memory_limit') AS message_zh FROM quality.report "
        f"WHERE year = 2024 AND current_setting('memory_limit') = '{SHOWN['512MB']}'",
    )
    res = gx.validate(wh, [rule])["Z-MEM"]
    assert res.error is None and res.unexpected == 1
    db.configure(db.Limits("300MB", None))
    res = gx.validate(wh, [rule])["Z-MEM"]
    assert res.error is None and res.unexpected == 0


def test_gongkai_run_refuses_a_memory_limit_that_is_not_a_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    code = main(
        ["run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "wh.duckdb"), "--memory-limit", "lots"]
    )
    assert code == 2
    assert "memory_limit must be a size" in capsys.readouterr().err
    assert not (tmp_path / "wh.duckdb").exists()
