"""Accuracy on the real published reports in ../shared/corpus/real (issue 2, item 7)."""

import json

import pytest

from pipelines.bench.accuracy import run_accuracy
from pipelines.parsing.parse import parse_file

MEDIA = ("html", "markdown", "pipe-text", "crawler-dump", "pdf")


@pytest.fixture(scope="module")
def scores(real_dir):
    return [s for s in run_accuracy(real_dir) if s.medium in MEDIA]


def test_every_file_was_scored(scores):
    assert len(scores) == 18


@pytest.mark.parametrize("medium", ["html", "markdown", "pipe-text", "pdf"])
def test_exact_media(scores, medium):
    group = [s for s in scores if s.medium == medium]
    assert group
    for s in group:
        assert s.error is None
        assert s.wrong == [], (s.name, s.wrong[:5])
        assert all(s.fields_correct.values()), (s.name, s.fields_correct)


def test_crawler_dumps(scores):
    group = [s for s in scores if s.medium == "crawler-dump"]
    total = sum(s.cells_total for s in group)
    correct = sum(s.cells_correct for s in group)
    assert correct / total >= 0.99
    for s in group:
        assert all(s.fields_correct.values()), (s.name, s.fields_correct)
        unmarked = [w for w in s.wrong if not w[3]]
        assert unmarked == [], (s.name, unmarked)


def test_t3_and_t4_of_dumps_are_exact(scores):
    """Glued 表三/表四 runs are decided by the sum rules: no guesses left there."""
    for s in scores:
        assert [w for w in s.wrong if not w[0].startswith("t2.")] == [], s.name


def test_provenance_and_kinds(real_dir):
    r = parse_file(real_dir / "pingtan_zhsyq_2024.html")
    cell = r.cells["t3.granted.natural_person"]
    assert cell.kind == "number"
    assert cell.raw is not None and cell.raw.strip() == str(cell.value)
    assert cell.provenance.row is not None and cell.provenance.col is not None
    assert cell.provenance.table == 1  # 表三 is the second of the three tables (0-based)


def test_sections_found(real_dir):
    r = parse_file(real_dir / "pingtan_zhsyq_2023.html")
    assert set(r.sections) == {"s1", "s2", "s3", "s4", "s5", "s6"}
    assert "信息处理费" in r.sections["s6"]


def test_html_and_dump_agree(real_dir):
    for year in (2023, 2024, 2025):
        a = parse_file(real_dir / f"pingtan_zhsyq_{year}.html").contract()
        b = parse_file(real_dir / f"pingtan_zhsyq_{year}.txt").contract()
        expected = json.loads((real_dir / f"pingtan_zhsyq_{year}.html.expected.json").read_text())
        assert a["cells"] == {k: v for k, v in expected["cells"].items()}
        t3 = {k: v for k, v in b["cells"].items() if k.startswith(("t3.", "t4."))}
        assert t3 == {k: v for k, v in a["cells"].items() if k.startswith(("t3.", "t4."))}


def test_mixed_format_is_a_warning_not_a_failure(real_dir):
    """洪泽区 prints F2021 表二 with a single （六） row; kept as F2021 with a warning."""
    from pipelines.model import Document, Grid, GridCell
    from pipelines.parsing.mapper import map_document

    rows = [
        ["第二十条第（一）项"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "0", "0", "0"],
        ["申请人情况"],
        ["一、本年新收政府信息公开申请数量"] + ["1"] * 6 + ["6"],
        ["（六）其他处理"] + ["1"] * 6 + ["6"],
    ]
    grid = Grid(0, [[GridCell(t, r, c) for c, t in enumerate(row)] for r, row in enumerate(rows)])
    m = map_document(Document("html", [grid], ""))
    assert m.format_version == "F2021"
    assert any("one row" in w for w in m.warnings)
    assert m.cells["t3.other_misc.total"].value is None
