"""Report scope (pipelines/identity/scope.py): region-wide, own office or unknown, from a declared row
of data/report_scope.csv, the report's wording and the sum of its subordinates' reports; checked
against the synthetic corpus' organs.json, which the pipeline itself never reads."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipelines import identity, warehouse
from pipelines.bench import measure
from pipelines.identity import scope, store
from pipelines.identity.scope import ScopeFileError, Wording, region_words, wording

synth = pytest.importorskip("pipelines.synth")


def said(text: str, place: str = "洪泽区", name: str = "淮安市洪泽区人民政府") -> Wording:
    return wording(text, region_words(place, name))


@pytest.mark.parametrize(
    ("text", "place", "name", "expected"),
    [
        # real reports: 洪泽区 2023, 淮安市 2024, 沭阳县 2025
        (
            "规范依申请公开流程。2023年全区受理政府信息公开申请21件，均在法定期限答复。",
            "洪泽区",
            None,
            ("region", "strong"),
        ),
        (
            "2024年，全市共受理政府信息公开申请3119件，答复3050件",
            "淮安市",
            "淮安市人民政府",
            ("region", "strong"),
        ),
        (
            "全县全年共受理政府信息公开申请 749 件，其中自然人",
            "沭阳县",
            "沭阳县人民政府",
            ("region", "strong"),
        ),
        ("2024 年，全区政府信息公开工作虽取得一定成绩", "洪泽区", None, ("region", "weak")),
        ("全盐都区各级行政机关共收到申请", "盐都区", None, ("region", "strong")),
        ("本机关共收到政府信息公开申请5件。", "洪泽区", None, ("office", "strong")),
        ("2023年，本机关坚持以公开为常态。", "洪泽区", None, ("office", "weak")),
        # a county speaking of its city, and the 表三 label: neither says anything of the report
        ("按照全市统一部署推进政务公开。", "洪泽区", None, (None, None)),
        ("（四）无法提供 1.本机关不掌握相关政府信息 0 0 0", "洪泽区", None, (None, None)),
        ("全面提升城市治理水平", "洪泽区", None, (None, None)),
        ("全区共受理申请10件。本机关共收到申请2件。", "洪泽区", None, ("conflict", "strong")),
    ],
)
def test_wording(text: str, place: str, name: str | None, expected: tuple[str | None, str | None]) -> None:
    got = said(text, place, name or f"{place}人民政府")
    assert (got.scope, got.strength) == expected, got.text


def test_unit_of_a_zone_comes_from_its_name() -> None:
    """平潭综合实验区 is placed in 平潭县, and says 全区 of itself."""
    assert said("全区共收到申请3件", "平潭县", "平潭综合实验区").scope == "region"


def test_declared_rows(tmp_path: Path) -> None:
    f = tmp_path / "report_scope.csv"
    f.write_text(
        "organ,scope,from_year,to_year,note\n盐城市盐都区人民政府,region,2021,,汇总全区\n洪泽区人民政府,office,,,\n",
        encoding="utf-8",
    )
    rows = scope.load_declared(f, identity.make_resolver())
    assert [(d.agency_id, d.scope, d.covers(2020), d.covers(2024)) for d in rows] == [
        (identity.resolve("盐都区人民政府").agency_id, "region", False, True),  # type: ignore[union-attr]
        (identity.resolve("淮安市洪泽区人民政府").agency_id, "office", True, True),  # type: ignore[union-attr]
    ]
    assert scope.load_declared(tmp_path / "missing.csv", identity.make_resolver()) == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("organ,scope\n甲,region\n", "header"),
        (
            "organ,scope,from_year,to_year,note\n洪泽区人民政府,全区,,,\n",
            ":2: scope must be region or office",
        ),
        (
            "organ,scope,from_year,to_year,note\n洪泽区人民政府,region,二〇二三,,\n",
            ":2: from_year must be a year",
        ),
        (
            "organ,scope,from_year,to_year,note\n洪泽区人民政府,region,,2023,\n淮安市洪泽区人民政府,office,2022,,\n",
            ":3: '淮安市洪泽区人民政府' is the organ of line 2 too",
        ),
    ],
)
def test_declared_rows_are_checked(tmp_path: Path, body: str, error: str) -> None:
    f = tmp_path / "report_scope.csv"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(ScopeFileError, match=error):
        scope.load_declared(f, identity.make_resolver())


@pytest.mark.parametrize(
    ("sums", "check"),
    [
        ((5, 5, 40, 40, 0, 10, 10), "equal"),
        ((5, 5, 40, 35, 0, 10, 10), "mostly_equal"),
        ((5, 5, 90, 33, 2, 90, 100), "partly_equal"),  # a part's slip: the sum is off in places
        # a big part copied last year's report: few cells agree, but the totals are near
        ((26, 26, 118, 15, 2, 1199, 1768), "partly_equal"),
        ((26, 26, 118, 15, 2, 400, 1768), "below_parts"),
        ((5, 5, 60, 2, 2, 11, 122), "below_parts"),  # an own-office report
        ((5, 5, 60, 2, 0, 140, 120), "differs"),
        ((5, 5, 80, 10, 0, 500, 100), "differs"),
        ((5, 4, 60, 40, 0, 10, 8), "incomplete"),
        ((5, 0, 0, 0, 0, None, None), "no_parts"),
    ],
)
def test_sum_check(sums: tuple[int, ...], check: str) -> None:
    assert scope.sum_check(sums) == check


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two county governments reporting on their region and one on its own office (whose bureaus
    the identity stage places under it all the same), every medium."""
    out = tmp_path_factory.mktemp("scope") / "corpus"
    synth.generate(out, organs=70, years=range(2019, 2026), seed=1)
    return out


def _truth(corpus: Path) -> dict[str, str]:
    organs = json.loads((corpus / "organs.json").read_text(encoding="utf-8"))
    return {f: o["report_scope"] or "office" for o in organs for f in o["files"]}


def test_every_report_of_the_synthetic_corpus_gets_its_scope(corpus: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(corpus, inbox, ignore=shutil.ignore_patterns("organs.json"))  # the pipeline's view
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        measure.load_corpus(con, inbox, "parsed")
        got = con.execute(
            "SELECT r.file_name, s.scope, s.basis FROM report_scope s JOIN dim_report r USING (report_id)"
        ).fetchall()
    finally:
        con.close()
    truth = _truth(corpus)
    assert len(got) == len(truth)
    wrong = [(f, truth[f], s) for f, s, _ in got if truth[f] != s]
    assert wrong == []
    bases = Counter((truth[f], b) for f, _, b in got)
    # the governments were decided on their words and on their numbers, not by default
    assert (
        bases[("region", "wording")]
        and bases[("region", "sum")]
        and bases[("office", "wording")] + bases[("office", "sum")] == 7
    )


def test_a_declared_row_outweighs_the_evidence(corpus: Path, tmp_path: Path) -> None:
    con = warehouse.connect(tmp_path / "w.duckdb")
    try:
        measure.load_corpus(con, corpus, "printed")
        gov = con.execute(
            "SELECT a.name FROM report_scope s JOIN dim_agency a USING (agency_id) "
            "WHERE s.scope = 'region' ORDER BY a.name LIMIT 1"
        ).fetchone()
        assert gov is not None
        f = tmp_path / "report_scope.csv"
        f.write_text(
            f"organ,scope,from_year,to_year,note\n{gov[0]},office,2024,,只报本机关\n", encoding="utf-8"
        )
        store.build(con, identity.make_resolver(), f)
        rows = _scopes(con, gov[0])
    finally:
        con.close()
    assert {y: (s, b) for y, s, b, _ in rows if y >= 2024} == {
        2024: ("office", "declared"),
        2025: ("office", "declared"),
    }
    assert all(s == "region" for y, s, _, _ in rows if y < 2024)
    assert "data/report_scope.csv 第 2 行登记为本机关报告（只报本机关）" in rows[-1][3]


def _scopes(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[int, str, str, str]]:
    return [
        (int(y), str(s), str(b), str(e))
        for y, s, b, e in con.execute(
            "SELECT s.year, s.scope, s.basis, s.evidence_zh FROM report_scope s JOIN dim_agency a USING (agency_id) "
            "WHERE a.name = ? ORDER BY s.year",
            [name],
        ).fetchall()
    ]
