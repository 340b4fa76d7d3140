"""The wheel carries everything the code reads: built, installed into a fresh virtual environment with
the locked dependencies, it runs the nightly on the samples from another directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, SAMPLES


def _uv() -> str:
    uv = REPO / ".tools" / "bin" / "uv"
    found = str(uv) if uv.exists() else shutil.which("uv")
    if found is None:
        if os.environ.get("CI"):
            raise AssertionError("uv is not installed (make install puts it in .tools/)")
        pytest.skip("uv is not installed")
    return found


def sh(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    subprocess.run(list(args), cwd=cwd, env=env, check=True, capture_output=True, text=True)


@pytest.mark.slow
def test_the_wheel_runs_from_another_directory(tmp_path: Path) -> None:
    uv = _uv()
    sh(uv, "build", "--wheel", "-o", str(tmp_path / "dist"), str(REPO))
    (wheel,) = (tmp_path / "dist").glob("gongkai-*.whl")
    requirements = tmp_path / "requirements.txt"
    sh(
        uv,
        "export",
        "--frozen",
        "--no-dev",
        "--no-emit-project",
        "--no-hashes",
        "-q",
        "-o",
        str(requirements),
        cwd=REPO,
    )
    venv = tmp_path / "venv"
    sh(uv, "venv", "-q", "-p", "3.11", str(venv))
    sh(
        uv,
        "pip",
        "install",
        "-q",
        "-r",
        str(requirements),
        str(wheel),
        env={**os.environ, "VIRTUAL_ENV": str(venv)},
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GONGKAI_")}
    done = subprocess.run(
        [str(venv / "bin" / "gongkai"), "run", "--inbox", str(SAMPLES), "--warehouse", "wh.duckdb"],
        cwd=elsewhere,
        env=clean,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "42 reports" in done.stdout
    # the SQL, the catalogue and the data files came from the wheel, not from this checkout
    shipped = next((venv / "lib").glob("python3.11/site-packages/pipelines/_files"))
    assert (shipped / "sql" / "schema" / "ingest" / "dim_report.sql").is_file()
    assert (shipped / "expectations" / "rules.yaml").is_file() and (
        shipped / "data" / "aliases.csv"
    ).is_file()
    assert (shipped / "data" / "report_scope.csv").is_file()
    with duckdb.connect(str(elsewhere / "wh.duckdb"), read_only=True) as con:
        # H-X1 gives one finding per region report (盐都区 2021, 2023, 2024), not one per cell
        assert con.execute("SELECT count(*) FROM findings WHERE status = 'fail'").fetchone() == (7,)
        assert con.execute("SELECT count(*) FROM mart_organ_year").fetchone() == (42,)
    assert (elsewhere / "data" / "site" / "index.html").is_file()
