"""The analyst notebooks run top to bottom against a sample warehouse, and are committed clean."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import run_nightly

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
SAMPLES = REPO / "data" / "samples"
REAL = REPO.parent / "shared" / "corpus" / "real"


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """data/samples (the synthetic corpus, which has a government and its departments) when present,
    else the real corpus, through the nightly run."""
    inbox = next((d for d in (SAMPLES, REAL) if any(d.glob("*.expected.json"))), None)
    if inbox is None:
        pytest.skip("neither data/samples nor ../shared/corpus/real has reports")
    tmp = tmp_path_factory.mktemp("notebooks")
    path = tmp / "warehouse.duckdb"
    run_nightly(inbox, path, tmp)
    yield path


def test_there_are_notebooks() -> None:
    names = {p.stem for p in NOTEBOOKS}
    assert {"denials", "consistency"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name}: clear outputs before committing"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path: Path, sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGKAI_WAREHOUSE", str(sample_warehouse))
    nb = nbformat.read(path, as_version=4)
    # the kernel starts in notebooks/, as in Jupyter; errors in any cell raise CellExecutionError
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    first = next(c for c in nb.cells if c.cell_type == "code")
    printed = "".join(o.get("text", "") for o in first.outputs if o.output_type == "stream")
    assert str(sample_warehouse) in printed  # read the warehouse it was given, not data/warehouse.duckdb
    tables = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "execute_result" and "text/html" in o.get("data", {})
    ]
    assert tables, "the notebook should show its results as tables"


def readme_queries() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Querying the warehouse", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def test_readme_questions_run(sample_warehouse: Path) -> None:
    queries = readme_queries()
    assert len(queries) >= 5
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        answered = [len(con.execute(q).fetchall()) for q in queries]
    finally:
        con.close()
    # on the samples, only "who is missing this year" has no answer (every organ published 2025)
    assert sum(1 for n in answered if n) >= len(queries) - 1, answered
