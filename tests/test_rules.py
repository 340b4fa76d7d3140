"""The statutory consistency rules on hand-made reports: one injected error per rule, blank handling,
not-assessable cases, duplicate files, idempotence and the catalogue's contract."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import catalogue, identity
from pipelines.bench import rules as bench
from pipelines.catalogue import FAIL_COLUMNS, NOT_ASSESSABLE_COLUMNS, CatalogueError
from pipelines.identity import store
from pipelines.model import ParsedCell, ParsedReport, Provenance
from pipelines.parsing.parse import PARSER_VERSION
from pipelines.rules import engine
from pipelines.warehouse import load as loader
from pipelines.warehouse import schema

FORMAT_MD = Path(__file__).resolve().parents[2] / "shared" / "spec" / "FORMAT.md"
RULE_IDS = (
    "T3-S1",
    "T3-F1",
    "T3-F2",
    "T3-F3",
    "T4-F1",
    "T4-F2",
    "T4-F3",
    "T2-Q1",
    "T3-Q1",
    "T4-Q1",
    "T2-Q2",
    "T3-Q3",
    "TX-Q1",
    "T3-X1",
    "T2-X1",
    "T2-X2",
    "H-X1",
    "D-Q1",
)

ORGAN = "某某区商务局"
TEXT = {
    "s1": "{year}年，本局认真贯彻落实《中华人民共和国政府信息公开条例》，围绕中心工作推进政务公开。"
    "本年度共收到政府信息公开申请{new}件，均在法定期限内答复。",
    "s3": "本年度依法办理政府信息公开申请，答复规范。",
    "s6": "本年度依据《政府信息公开信息处理费管理办法》发出收费通知{fee}件，收取信息处理费0元。",
}


# ---------------------------------------------------------------------------------------------
# building reports


Value = float | int | None | tuple[Any, str, str]  # a number, blank, or (value, raw text, kind)


def make(
    year: int = 2024,
    fmt: str = "F2021",
    *,
    agency: str = ORGAN,
    scale: int = 1,
    set_: dict[str, Value] | None = None,
    add: dict[str, float] | None = None,
    sections: dict[str, str] | None = None,
    uncertain: tuple[str, ...] = (),
) -> ParsedReport:
    """A report whose every rule holds (bench.template scaled), then changed: `add` shifts values,
    `set_` replaces them (None = blank cell)."""
    values: dict[str, Any] = {cid: v * scale for cid, v in bench.template(fmt).items()}
    for cid, d in (add or {}).items():
        values[cid] += d
    cells = {}
    for cid, v in {**values, **(set_ or {})}.items():
        if isinstance(v, tuple):
            value, raw, kind = v
        elif v is None:
            value, raw, kind = None, None, "blank"
        else:
            value, raw, kind = v, _raw(v), "number"
        cells[cid] = ParsedCell(
            cid,
            value,
            raw,
            kind,
            Provenance(),
            uncertain=cid in uncertain,
            note="glued run: 3 possible splits" if cid in uncertain else None,
        )
    new = values["t3.new_received.total"]
    texts = (
        sections
        if sections is not None
        else {k: t.format(year=year, new=_raw(new), fee=0) for k, t in TEXT.items()}
    )
    return ParsedReport(
        agency=agency,
        year=year,
        format_version=fmt,
        medium="html",
        cells=cells,
        sections=texts,
        title=f"{agency}{year}年政府信息公开工作年度报告",
    )


def _raw(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def load(con: duckdb.DuckDBPyConnection, *reports: ParsedReport | tuple[str, ParsedReport]) -> list[str]:
    """Load reports (optionally under a file name); returns their report ids."""
    items = []
    for r in reports:
        name, rep = r if isinstance(r, tuple) else (f"{rep_name(r)}.html", r)
        digest = hashlib.sha256(
            json.dumps([name, rep.as_json()], ensure_ascii=False, default=str).encode()
        ).hexdigest()
        items.append((name, digest, rep))
    loader.load_reports(con, items, parser_version=PARSER_VERSION)
    return [d for _, d, _ in items]


def rep_name(r: ParsedReport) -> str:
    return f"{organ_id(r.agency or '')[:6]}_{r.year}"


def organ_id(name: str) -> str:
    ident = identity.resolve(name)
    assert ident is not None
    return ident.agency_id


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(":memory:")
    schema.migrate(c)
    yield c
    c.close()


def run(con: duckdb.DuckDBPyConnection, rules: list[catalogue.Rule] | None = None) -> engine.RunResult:
    """What the nightly run does between the load and GX: organs resolved, then every rule."""
    store.build(con)
    return engine.find(con, rules if rules is not None else list(catalogue.load()), run_id="test")


def rows(
    con: duckdb.DuckDBPyConnection, where: str = "TRUE", params: list[Any] | None = None
) -> list[dict[str, Any]]:
    cur = con.execute(
        f"SELECT f.*, r.file_name FROM findings f JOIN dim_report r USING (report_id) "
        f"WHERE {where} ORDER BY rule_id, file_name, instance",
        params or [],
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def fails(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    return {(r["file_name"], r["rule_id"], r["instance"]) for r in rows(con, "status = 'fail'")}


# ---------------------------------------------------------------------------------------------
# the catalogue


def test_catalogue_has_every_rule_of_format_md() -> None:
    ids = [r.id for r in catalogue.load()]
    assert sorted(ids) == sorted(RULE_IDS)
    if FORMAT_MD.exists():
        table = FORMAT_MD.read_text(encoding="utf-8").split("## 6.", 1)[1].split("## 7.", 1)[0]
        spec = set(re.findall(r"^\| (T\d-[SFQX]\d|TX-Q1|H-X1|D-Q1)", table, re.MULTILINE))
        spec |= {
            "T4-F1",
            "T4-F2",
            "T4-F3",
            "T3-Q1",
            "T4-Q1",
        }  # rows written as T4-F1..3 and T2-Q1, T3-Q1, T4-Q1
        assert spec == set(ids)


def test_every_rule_has_class_severity_and_both_descriptions() -> None:
    for r in catalogue.load():
        assert r.rule_class == r.id.split("-")[1][0], r.id  # the id names the class: T3-S1, H-X1, D-Q1
        expected = {"S": "error", "F": "error", "X": "warning"}.get(r.rule_class)
        assert expected is None or r.severity == expected, r.id
        assert re.search(r"[\u4e00-\u9fff]", r.zh) and re.search(r"[a-z]", r.en), r.id
    assert {r.check for r in catalogue.load()} == {"S", "F", "X", "Q", "H", "D"}


def test_rule_sql_returns_the_contract_columns(con: duckdb.DuckDBPyConnection) -> None:
    engine.prepare(con)
    for r in catalogue.load():
        described = con.execute(f"DESCRIBE SELECT * FROM ({r.sql})").fetchall()
        assert tuple(d[0] for d in described) == FAIL_COLUMNS, r.id
        types = {d[0]: d[1] for d in described}
        assert types["cell_ids"] == "VARCHAR[]" and types["related_cell_ids"] == "VARCHAR[]", r.id
        assert types["blank_decided"] == "BOOLEAN", r.id
        assert all(types[c] == "DOUBLE" for c in ("expected", "actual", "diff")), (r.id, types)
        if r.not_assessable_sql:
            na = con.execute(f"DESCRIBE SELECT * FROM ({r.not_assessable_sql})").fetchall()
            assert tuple(d[0] for d in na) == NOT_ASSESSABLE_COLUMNS, r.id


@pytest.mark.parametrize(
    "problem, text",
    [
        (
            "colon",
            "  - {id: X-1, class: Q, check: Q, severity: info, zh: 中, en: e, sql: 'SELECT x FROM t WHERE a = :b'}",
        ),
        (
            "duplicate",
            "  - {id: X-1, class: Q, check: Q, severity: info, zh: 中, en: e, sql: 'SELECT 1'}\n"
            "  - {id: X-1, class: Q, check: Q, severity: info, zh: 中, en: e, sql: 'SELECT 1'}",
        ),
        ("class", "  - {id: X-1, class: Z, check: Q, severity: info, zh: 中, en: e, sql: 'SELECT 1'}"),
        ("missing", "  - {id: X-1, class: Q, check: Q, severity: info, zh: 中, en: e}"),
    ],
)
def test_catalogue_rejects_bad_rules(tmp_path: Path, problem: str, text: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n" + text + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError):
        catalogue.load(path)


# ---------------------------------------------------------------------------------------------
# one injected error per rule


def _two_years(cur: ParsedReport, prev: ParsedReport | None = None) -> list[ParsedReport]:
    return [prev or make(cur.year - 1, cur.format_version, scale=2), cur]


# rule -> (reports to load, the failing (year, instance)s expected for that rule)
CASES: dict[str, Callable[[], tuple[list[ParsedReport], set[tuple[int, str]]]]] = {
    "T3-S1": lambda: (
        _two_years(make(add={"t3.new_received.natural_person": 1, "t3.new_received.total": 1})),
        {(2024, "natural_person"), (2024, "total")},
    ),
    "T3-F1": lambda: (_two_years(make(add={"t3.granted.total": 1})), {(2024, "granted")}),
    "T3-F2": lambda: (
        _two_years(make(add={"t3.granted.natural_person": 1, "t3.granted.total": 1})),
        {(2024, "natural_person"), (2024, "total")},
    ),
    "T4-F1": lambda: (_two_years(make(add={"t4.review.total": 2})), {(2024, "review")}),
    "T4-F2": lambda: (
        _two_years(make(add={"t4.litigation_direct.total": -1})),
        {(2024, "litigation_direct")},
    ),
    "T4-F3": lambda: (
        _two_years(make(add={"t4.litigation_after_review.upheld": 1})),
        {(2024, "litigation_after_review")},
    ),
    "T2-Q1": lambda: (
        _two_years(
            make(
                set_={
                    "t2.regulation.issued": (-2, "-2", "number"),
                    "t2.normative_doc.repealed": (None, "若干", "text"),
                }
            )
        ),
        {(2024, "t2.regulation.issued"), (2024, "t2.normative_doc.repealed")},
    ),
    "T3-Q1": lambda: (
        _two_years(make(set_={"t3.other_misc.research_institution": (1.5, "1.5", "number")})),
        {(2024, "t3.other_misc.research_institution")},
    ),
    "T4-Q1": lambda: (
        _two_years(make(add={"t4.review.pending": -2, "t4.review.other": 2})),
        {(2024, "t4.review.pending")},
    ),
    "T2-Q2": lambda: (
        _two_years(
            make(set_={"t2.admin_fee.amount": (12500.0, "12500元", "number")}),
            make(2023, set_={"t2.admin_fee.amount": (1.25, "1.25", "number")}),
        ),
        {(2024, "unit"), (2024, "ratio")},
    ),
    "T3-Q3": lambda: (
        _two_years(
            make(
                add={
                    "t3.other_overdue_fee.natural_person": 1,
                    "t3.other_overdue_fee.total": 1,
                    "t3.other_misc.natural_person": -1,
                    "t3.other_misc.total": -1,
                },
                sections={"s6": "2024年，本局无收取信息处理费情况。"},
            )
        ),
        {(2024, "")},
    ),
    "TX-Q1": lambda: (
        _two_years(make(sections={"s1": "本年度共收到政府信息公开申请99件，上年结转0件。"})),
        {(2024, "")},
    ),
    "T3-X1": lambda: (
        _two_years(
            make(
                add={
                    "t3.carried_over.natural_person": 1,
                    "t3.carried_over.total": 1,
                    "t3.new_received.natural_person": -1,
                    "t3.new_received.total": -1,
                }
            )
        ),
        {(2024, "natural_person"), (2024, "total")},
    ),
    "T2-X1": lambda: (_two_years(make(add={"t2.normative_doc.in_force": 7})), {(2024, "normative_doc")}),
    "T2-X2": lambda: (
        [make(2019, "F2019", scale=2), make(2020, "F2019", add={"t2.admin_license.prev_year_items": 4})],
        {(2020, "admin_license")},
    ),
    "D-Q1": lambda: ([make(2023, scale=3), make(2024, scale=3)], {(2024, "")}),
}


@pytest.fixture(scope="module")
def all_cases() -> Iterator[tuple[dict[str, list[ParsedReport]], set[tuple[str, str, str]]]]:
    """Every case in one warehouse, each under its own organ, evaluated once."""
    c = duckdb.connect(":memory:")
    schema.migrate(c)
    reports = {}
    for rule_id, case in CASES.items():
        reps, _ = case()
        for r in reps:
            r.agency = f"案例{rule_id}局"
        reports[rule_id] = reps
        load(c, *reps)
    run(c)
    yield reports, fails(c)
    c.close()


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_injected_error_is_found_and_nothing_else(
    all_cases: tuple[dict[str, list[ParsedReport]], set[tuple[str, str, str]]], rule_id: str
) -> None:
    reports, found = all_cases
    files = {f"{rep_name(r)}.html" for r in reports[rule_id]}
    _, expected = CASES[rule_id]()
    got = {(f, i) for f, r, i in found if r == rule_id and f in files}
    assert got == {(f"{rep_name(reports[rule_id][0])[:6]}_{y}.html", i) for y, i in expected}
    # no other rule fails on the case's reports, except where the error necessarily breaks it too
    other = {r for f, r, _ in found if r != rule_id and f in files}
    knock_on = {"T3-Q1": {"T3-F1", "T3-F2"}, "T3-F1": {"T3-F2"}, "T2-Q1": {"T2-X1"}}.get(rule_id, set())
    assert other <= knock_on, other


# ---------------------------------------------------------------------------------------------
# scenarios: each builds its reports under its own organs and files ("<tag>/<year>.html"), and all of
# them share one warehouse and one rules run (a run costs the same for 2 reports as for 60)


def put(
    con: duckdb.DuckDBPyConnection, tag: str, *reports: ParsedReport | tuple[str, ParsedReport]
) -> list[str]:
    named = []
    for r in reports:
        name, rep = r if isinstance(r, tuple) else (f"{r.year}.html", r)
        rep.agency = f"{tag}{rep.agency}"
        named.append((f"{tag}/{name}", rep))
    return load(con, *named)


def _region(
    con: duckdb.DuckDBPyConnection,
    tag: str,
    *,
    county: str,
    children: int,
    missing: int = 0,
    add: dict[str, float] | None = None,
    kid_add: dict[int, dict[str, float]] | None = None,
    wording: str = "全区共收到政府信息公开申请{new}件。",
    gov_scale: int = 1,
) -> None:
    """A district government whose report sums its bureaus' (the hierarchy comes from the organ names,
    the scope from the report's words), with `missing` bureaus' 2024 reports left out."""
    kids = [
        make(agency=f"盐城市{county}第{i}局", scale=i + 1, add=(kid_add or {}).get(i))
        for i in range(children)
    ]
    total = sum(i + 1 for i in range(children))
    gov = make(agency=f"盐城市{county}人民政府", scale=total * gov_scale, add=add)
    gov.sections = {
        **gov.sections,
        "s3": wording.format(new=_raw(gov.cells["t3.new_received.total"].value or 0)),
    }
    load(
        con,
        (f"{tag}/gov_2024.html", gov),
        *[(f"{tag}/kid{i}_2024.html", k) for i, k in enumerate(kids)][missing:],
        # a bureau left out had reported the year before: it is due, not unknown
        *[
            (f"{tag}/kid{i}_2023.html", make(2023, agency=k.agency or ""))
            for i, k in enumerate(kids[:missing])
        ],
    )


def _subtotals(con: duckdb.DuckDBPyConnection, tag: str) -> None:
    (rid,) = put(con, tag, make())
    con.execute(
        "INSERT INTO fact_subtotal VALUES (?, 'unavailable', 'natural_person', 5, '5'), "
        "(?, 'unavailable', 'total', 3, '3')",
        [rid, rid],
    )


def _subtotal_warning(con: duckdb.DuckDBPyConnection, tag: str) -> None:
    r = make()
    r.warnings.append("表三 has 2 publisher-added subtotal row(s)")
    put(con, tag, r)


def _two_files(con: duckdb.DuckDBPyConnection, tag: str) -> None:
    html = make(2023, add={"t4.review.total": 1})
    dump = make(2023, add={"t4.review.total": 1}, uncertain=("t2.regulation.issued",))
    nxt = make(
        2024,
        add={
            "t3.carried_over.natural_person": 1,
            "t3.carried_over.total": 1,
            "t3.new_received.natural_person": -1,
            "t3.new_received.total": -1,
        },
    )
    put(con, tag, ("2023.html", html), ("2023.txt", dump), ("2024.html", nxt))


def _copies(con: duckdb.DuckDBPyConnection, tag: str) -> None:
    zero: dict[str, Value] = {cid: 0 for cid in bench.template("F2021")}
    text = {
        "s1": "".join(
            f"2023年本局第{i}项工作坚持以公开为常态、不公开为例外的原则，依法做好政府信息公开。"
            for i in range(8)
        )
    }
    copied = {"s1": text["s1"].replace("2023", "2024")}
    put(con, tag + "甲", make(2022, set_=zero), make(2023, set_=zero))  # all zero: not a copy
    put(con, tag + "乙", make(2022, sections=text), make(2023, scale=2, sections=copied))


SCENARIOS: dict[str, Callable[[duckdb.DuckDBPyConnection, str], Any]] = {
    "clean": lambda c, t: put(c, t, make(2022, scale=1), make(2023, scale=2), make(2024, scale=3)),
    # 自然人: 新收 12, 结转 0, 总计 11, 结转下年度 0 (the example)
    "message": lambda c, t: put(
        c,
        t,
        make(
            add={
                "t3.granted.natural_person": 2,
                "t3.granted.total": 2,
                "t3.total.natural_person": 2,
                "t3.total.total": 2,
                "t3.new_received.natural_person": 3,
                "t3.new_received.total": 3,
            }
        ),
    ),
    "parts": lambda c, t: put(
        c,
        t,
        make(
            add={
                "t3.total.natural_person": -3,
                "t3.total.total": -3,
                "t3.carried_forward.natural_person": 3,
                "t3.carried_forward.total": 3,
            }
        ),
    ),
    "subtotals": _subtotals,
    "subtotal_warning": _subtotal_warning,
    # 科委 2024: one application carried forward, 总计 column of that row left blank
    "blank_total": lambda c, t: put(
        c,
        t,
        make(
            add={
                "t3.new_received.natural_person": 1,
                "t3.new_received.total": 1,
                "t3.carried_forward.natural_person": 1,
            },
            set_={"t3.carried_forward.total": None},
        ),
    ),
    # a blank part with the total already too small: no value in the blank could fix it
    "blank_long_side": lambda c, t: put(
        c, t, make(add={"t4.review.total": -2}, set_={"t4.review.other": None})
    ),
    "dash": lambda c, t: put(
        c,
        t,
        make(
            add={"t3.new_received.legal_service_org": 1}, set_={"t3.new_received.total": (None, "—", "dash")}
        ),
    ),
    "guessed": lambda c, t: put(
        c,
        t,
        make(add={"t4.review.total": 1}, uncertain=("t4.review.total",)),
        make(2023, add={"t2.normative_doc.in_force": 5}, uncertain=("t2.normative_doc.in_force",)),
    ),
    "no_prev": lambda c, t: put(c, t, make(2021), make(2023, add={"t3.carried_over.natural_person": 5})),
    "after_f2019": lambda c, t: put(c, t, make(2020, "F2019"), make(2021)),
    "delta": lambda c, t: put(
        c,
        t,
        make(2022, set_={"t2.normative_doc.in_force": 698}),
        make(
            2023,
            set_={
                "t2.normative_doc.in_force": 470,
                "t2.normative_doc.issued": 77,
                "t2.normative_doc.repealed": 132,
            },
        ),
    ),
    "two_files": _two_files,
    "region_ok": lambda c, t: _region(c, t, county="盐都区", children=3),
    "region_off": lambda c, t: _region(
        c, t, county="亭湖区", children=3, add={"t2.admin_license.decisions": -40, "t4.review.total": 4}
    ),
    "region_gap": lambda c, t: _region(
        c, t, county="大丰区", children=3, missing=1, add={"t2.admin_license.decisions": -40}
    ),
    # a bureau's own 表四 does not add up, and the region report has the right total
    "region_culprit": lambda c, t: _region(
        c,
        t,
        county="射阳县",
        children=3,
        kid_add={1: {"t4.review.total": 7}},
        wording="全县共受理申请{new}件。",
    ),
    # nothing says whether the report covers the region, and its numbers are not the sum
    "region_unknown": lambda c, t: _region(
        c, t, county="建湖县", children=2, gov_scale=2, wording="工作有序推进。"
    ),
    "copies": _copies,
}


@pytest.fixture(scope="module")
def shared() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(":memory:")
    schema.migrate(c)
    for tag, setup in SCENARIOS.items():
        setup(c, tag)
    run(c)
    yield c
    c.close()


def of(con: duckdb.DuckDBPyConnection, tag: str, where: str = "TRUE") -> list[dict[str, Any]]:
    return rows(con, f"file_name LIKE ? AND ({where})", [f"{tag}%/%"])


def fails_of(con: duckdb.DuckDBPyConnection, tag: str) -> set[tuple[str, str, str]]:
    return {(r["file_name"], r["rule_id"], r["instance"]) for r in of(con, tag, "status = 'fail'")}


def test_clean_reports_have_no_findings(shared: duckdb.DuckDBPyConnection) -> None:
    assert fails_of(shared, "clean") == set()
    # the organ's first year has no last year: the cross-year rules do not apply, so they are no reason
    assert of(shared, "clean", "status = 'not_assessable'") == []


def test_message_reads_like_the_printed_table(shared: duckdb.DuckDBPyConnection) -> None:
    (f,) = of(shared, "message", "rule_id = 'T3-S1' AND instance = 'natural_person'")
    assert (
        f["message_zh"] == "表三 自然人 列：本年新收 12 + 上年结转 0 ≠ 办理结果总计 11 + 结转下年度 0（差 1）"
    )
    assert (f["expected"], f["actual"], f["diff"], f["severity"]) == (12, 11, -1, "error")
    assert f["cell_ids"] == [
        "t3.new_received.natural_person",
        "t3.carried_over.natural_person",
        "t3.total.natural_person",
        "t3.carried_forward.natural_person",
    ]


def test_t3_f2_message_lists_the_parts(shared: duckdb.DuckDBPyConnection) -> None:
    (f,) = of(shared, "parts", "rule_id = 'T3-F2' AND instance = 'natural_person'")
    assert f["message_zh"].startswith(
        "表三 自然人 列：（七）总计 6 ≠ 办理结果各项之和 9（予以公开 3 + 部分公开 1 + "
    )
    assert f["cell_ids"][0] == "t3.total.natural_person" and len(f["cell_ids"]) == 22


def test_t3_f3_checks_publisher_subtotals(shared: duckdb.DuckDBPyConnection) -> None:
    got = of(shared, "subtotals", "rule_id = 'T3-F3'")
    assert [(r["status"], r["instance"], r["expected"], r["actual"]) for r in got] == [
        ("fail", "unavailable.natural_person", 2, 5)
    ]
    assert "（四）无法提供 小计行 自然人 列：小计 5 ≠ 各分项之和 2" in got[0]["message_zh"]


def test_t3_f3_is_not_assessable_when_the_parser_kept_only_a_warning(
    shared: duckdb.DuckDBPyConnection,
) -> None:
    (f,) = of(shared, "subtotal_warning", "rule_id = 'T3-F3'")
    assert f["status"] == "not_assessable" and "小计" in f["message_zh"]


# ---------------------------------------------------------------------------------------------
# blanks, dashes, guesses


def test_blank_total_next_to_a_non_zero_row_decides(shared: duckdb.DuckDBPyConnection) -> None:
    got = {(r["rule_id"], r["instance"]): r for r in of(shared, "blank_total", "status = 'fail'")}
    assert set(got) == {("T3-S1", "total"), ("T3-F1", "carried_forward")}
    for f in got.values():
        assert f["blank_decided"] is True
        assert "空白" in f["message_zh"] and "由空白单元格决定" in f["message_zh"]
    assert got[("T3-S1", "total")]["message_zh"].endswith(
        "+ 结转下年度 空白（差 1）；空白单元格按 0 计，由空白单元格决定"
    )


def test_blank_on_the_long_side_does_not_decide(shared: duckdb.DuckDBPyConnection) -> None:
    (f,) = of(shared, "blank_long_side", "rule_id = 'T4-F1'")
    assert f["blank_decided"] is False and not f["message_zh"].endswith("决定")


def test_dash_counts_as_zero_not_as_blank(shared: duckdb.DuckDBPyConnection) -> None:
    (f,) = of(shared, "dash", "rule_id = 'T3-F1' AND instance = 'new_received'")
    assert f["blank_decided"] is False and f["actual"] == 0


def test_a_guessed_cell_makes_a_failure_not_assessable(shared: duckdb.DuckDBPyConnection) -> None:
    (f,) = of(shared, "guessed", "rule_id = 'T4-F1'")
    assert f["status"] == "not_assessable" and f["message_zh"].startswith(
        "无法判断：表四 行政复议·总计 是解析器"
    )
    assert f["diff"] == 1  # the numbers as read stay in the finding
    # a guess in the report compared with (last year's) makes the comparison not assessable too:
    # a wrong guess in one report must not make another look wrong
    assert fails_of(shared, "guessed") == set()
    (x1,) = of(shared, "guessed", "rule_id = 'T2-X1' AND file_name LIKE '%2024%'")
    assert x1["status"] == "not_assessable"
    assert x1["message_zh"].startswith("无法判断：所比较报告的 表二 行政规范性文件·现行有效件数 是解析器")


# ---------------------------------------------------------------------------------------------
# cross-report rules


def test_cross_year_rules_are_not_assessable_without_the_previous_year(
    shared: duckdb.DuckDBPyConnection,
) -> None:
    by_rule = {
        (r["file_name"], r["rule_id"]): r["message_zh"]
        for r in of(shared, "no_prev", "status = 'not_assessable'")
    }
    assert (
        by_rule[("no_prev/2023.html", "T3-X1")]
        == "无法判断：没有同一机关 2022 年的报告（该机关 2021 年起有报告），无法核对上年结转"
    )
    assert ("no_prev/2023.html", "T2-X1") in by_rule and ("no_prev/2023.html", "D-Q1") in by_rule
    assert not any(f == "no_prev/2021.html" for f, _ in by_rule)  # the first year: not applicable
    assert not any(r == "T3-X1" for _, r, _ in fails_of(shared, "no_prev"))


def test_t2_x1_does_not_apply_after_an_f2019_year(shared: duckdb.DuckDBPyConnection) -> None:
    """Last year's trial format prints no 现行有效件数: the rule does not apply, so it is no reason."""
    assert of(shared, "after_f2019", "rule_id = 'T2-X1'") == []


def test_t2_x1_reports_the_delta(shared: duckdb.DuckDBPyConnection) -> None:
    (f,) = of(shared, "delta", "rule_id = 'T2-X1' AND status = 'fail'")
    assert (f["expected"], f["actual"], f["diff"]) == (643, 470, -173)
    assert f["related_cell_ids"] == ["t2.normative_doc.in_force"] and f["related_report_id"] is not None
    assert "现行有效 698 + 本年制发 77 − 本年废止 132 = 643（差额 -173）" in f["message_zh"]


def test_the_same_report_in_two_files(shared: duckdb.DuckDBPyConnection) -> None:
    """HTML and a text dump of one report: both are judged on their own, and the next year is
    compared with the one read without guesses."""
    assert {(f, r) for f, r, _ in fails_of(shared, "two_files")} == {
        ("two_files/2023.html", "T4-F1"),
        ("two_files/2023.txt", "T4-F1"),
        ("two_files/2024.html", "T3-X1"),
    }
    (x1,) = of(shared, "two_files", "rule_id = 'T3-X1' AND instance = 'natural_person'")
    (html_id,) = shared.execute(
        "SELECT report_id FROM dim_report WHERE file_name = 'two_files/2023.html'"
    ).fetchone() or ("",)
    assert x1["related_report_id"] == html_id and "two_files/2023.html" in x1["message_zh"]


def test_h_x1_region_report_equals_the_sum_of_its_parts(shared: duckdb.DuckDBPyConnection) -> None:
    assert of(shared, "region_ok", "status = 'fail' OR rule_id = 'H-X1'") == []
    assert scope_of(shared, "region_ok/gov_2024.html") == "region"


def scope_of(con: duckdb.DuckDBPyConnection, file_name: str) -> str:
    row = con.execute(
        "SELECT s.scope FROM report_scope s JOIN dim_report r USING (report_id) WHERE r.file_name = ?",
        [file_name],
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_h_x1_is_one_finding_with_every_cell_that_differs(shared: duckdb.DuckDBPyConnection) -> None:
    (f,) = of(shared, "region_off", "rule_id = 'H-X1'")
    assert f["status"] == "fail" and f["instance"] == ""
    assert f["cell_ids"] == ["t2.admin_license.decisions", "t4.review.total"]  # largest gap first
    assert (f["expected"], f["actual"], f["diff"]) == (240, 200, -40)
    assert f["message_zh"].startswith(
        "区域汇总：本报告 2 格与 3 个所属部门和下级政府报告之和不符：表二 行政许可·本年处理决定数量 200 ≠ 240（差 40）；"
        "表四 行政复议·总计 "
    )
    assert "可能的原因：" in f["message_zh"]


def test_h_x1_names_the_part_whose_own_report_does_not_add_up(shared: duckdb.DuckDBPyConnection) -> None:
    (f,) = of(shared, "region_culprit", "rule_id = 'H-X1'")
    assert f["cell_ids"] == ["t4.review.total"]
    assert "可能的原因：“盐城市射阳县第1局”的报告本身未通过 T4-F1" in f["message_zh"]
    kid = shared.execute(
        "SELECT report_id FROM dim_report WHERE file_name = 'region_culprit/kid1_2024.html'"
    ).fetchone()
    assert kid is not None and f["related_report_id"] == kid[0]


def test_h_x1_is_not_assessable_with_a_child_missing(shared: duckdb.DuckDBPyConnection) -> None:
    (f,) = of(shared, "region_gap", "rule_id = 'H-X1'")
    assert f["status"] == "not_assessable"
    assert "3 个所属部门和下级政府中有 1 个没有 2024 年的报告（盐城市大丰区第0局）" in f["message_zh"]


def test_h_x1_is_not_assessable_when_the_scope_is_unknown(shared: duckdb.DuckDBPyConnection) -> None:
    assert scope_of(shared, "region_unknown/gov_2024.html") == "unknown"
    (f,) = of(shared, "region_unknown", "rule_id = 'H-X1'")
    assert f["status"] == "not_assessable" and "data/report_scope.csv" in f["message_zh"]


def test_h_x1_sums_amounts_exactly(con: duckdb.DuckDBPyConnection) -> None:
    """Amounts summed as DOUBLE printed 41101128.050000004; DECIMAL sums print what was printed."""
    kids = [
        make(agency=f"盐城市盐都区第{i}局", set_={"t2.admin_fee.amount": v})
        for i, v in enumerate((0.1, 0.2, 41101127.75))
    ]
    gov = make(agency="盐城市盐都区人民政府", scale=3, set_={"t2.admin_fee.amount": 41101128.15})
    gov.sections = {**gov.sections, "s3": "全区共收到政府信息公开申请3件。"}
    load(con, ("g/gov.html", gov), *[(f"g/kid{i}.html", k) for i, k in enumerate(kids)])
    run(con)
    (f,) = rows(con, "rule_id = 'H-X1'")
    assert f["cell_ids"] == ["t2.admin_fee.amount"]
    assert "41,101,128.15 ≠ 41,101,128.05（差 0.1）" in f["message_zh"], f["message_zh"]
    assert f["expected"] == 41101128.05 and abs(f["diff"] - 0.1) < 1e-6


def test_h_x1_runs_after_the_rules_it_names() -> None:
    """H-X1 names parts whose own report breaks an S or F rule or copied last year's (D-Q1): those
    findings must be written by then."""
    order = [r.id for r in catalogue.load()]
    named = [r.id for r in catalogue.load() if r.rule_class in "SF"] + ["D-Q1"]
    assert all(order.index(r) < order.index("H-X1") for r in named)


# ---------------------------------------------------------------------------------------------
# the findings table


def test_rerun_gives_the_same_findings(con: duckdb.DuckDBPyConnection) -> None:
    load(con, make(2023, add={"t4.review.total": 1}), make(2024, add={"t3.granted.total": 1}))
    run(con)
    first = con.execute("SELECT * FROM findings ORDER BY ALL").fetchall()
    run(con)
    assert con.execute("SELECT * FROM findings ORDER BY ALL").fetchall() == first
    assert len(first) > 0


def test_report_findings_view(con: duckdb.DuckDBPyConnection) -> None:
    load(con, ("x/file_2024.html", make(add={"t4.review.total": 1})))
    run(con)
    cur = con.execute("SELECT * FROM report_findings")
    cols = [d[0] for d in cur.description]
    assert cols[:9] == [
        "source_file",
        "agency",
        "year",
        "rule_id",
        "severity",
        "cell_ids",
        "expected",
        "actual",
        "message",
    ]
    (row,) = cur.fetchall()
    assert row[:5] == ("x/file_2024.html", ORGAN, 2024, "T4-F1", "error")


def test_a_broken_rule_leaves_the_previous_findings(con: duckdb.DuckDBPyConnection) -> None:
    load(con, make(add={"t4.review.total": 1}))
    run(con)
    before = con.execute("SELECT count(*) FROM findings").fetchone()
    bad = catalogue.Rule("Z-1", "Q", "Q", "info", "坏", "broken", "SELECT no_such_column FROM findings")
    with pytest.raises(duckdb.Error):
        run(con, [*catalogue.load(), bad])
    assert con.execute("SELECT count(*) FROM findings").fetchone() == before


def test_current_report_agrees_with_the_marts(shared: duckdb.DuckDBPyConnection) -> None:
    """sql/schema/22_current_report.sql (the marts') states the same preference for one report per
    organ-year; the two must not drift apart."""
    has_view = shared.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = 'current_report'"
    ).fetchone()
    if not has_view or not has_view[0]:
        pytest.skip("no current_report view in this checkout")
    ours = set(shared.execute("SELECT report_id FROM quality.report WHERE is_current").fetchall())
    theirs = set(
        shared.execute("SELECT report_id FROM current_report WHERE format_version <> 'UNKNOWN'").fetchall()
    )
    assert ours == theirs and len(ours) > 10
