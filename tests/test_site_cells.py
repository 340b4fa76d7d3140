"""The cells of a plain report, encoded by DuckDB (data.encoded_cells), are byte for byte what Python's
tables.encode writes for the page; a report DuckDB must not encode is left out."""

from __future__ import annotations

import json
import random
from typing import Any

import duckdb
import pytest

from pipelines import layout
from pipelines.site import tables
from pipelines.site.data import Finding, cells_for, encoded_cells
from pipelines.site.render import RawJson, safe_json

ORDER = {fmt: tables.cell_order(fmt) for fmt in layout.FORMATS}
# Texts a cell may print: numbers, dashes, padding Python strips (full-width and no-break spaces),
# text JSON or the page must escape, and blanks.
PLAIN = ["0", "12", " 7 ", "\u30003\u3000", "—", "/", "无", "1,234", "１２", "\xa05", "", "   ", "不适用"]
ESCAPED = ['a"b', "a\\b", "<b>", "1&2", "x\ny", "\u2028", "\x07"]


def _warehouse(
    reports: dict[str, tuple[str, list[tuple[str, str | None, str, bool]]]],
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE fact_cell (report_id VARCHAR, cell_id VARCHAR, value DOUBLE, raw_text VARCHAR, "
        "kind VARCHAR, uncertain BOOLEAN, note VARCHAR)"
    )
    rows = [
        (rid, cid, None, raw, kind, uncertain, "note" if uncertain else None)
        for rid, (_, cells) in reports.items()
        for cid, raw, kind, uncertain in cells
    ]
    con.executemany("INSERT INTO fact_cell VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return con


def _python(con: duckdb.DuckDBPyConnection, rid: str, fmt: str) -> str:
    cells = cells_for(con, [rid]).get(rid, {})
    return str(safe_json(tables.encode(tables.build(fmt, cells, [], {}))))


def test_cell_order_is_the_order_encode_writes() -> None:
    for fmt in layout.FORMATS:
        order = tables.cell_order(fmt)
        assert len(order) == len(set(order)) == len(tables.encode(tables.skeleton(fmt, {})))
        # one finding per cell, numbered by its place in the order: encode writes the numbers in order
        cells = {cid: (1.0, "1", "number", False, None) for cid in order}
        found = [Finding("r", "X", "warning", (cid,), None, None, None, "m", "f") for cid in order]
        encoded = tables.encode(tables.build(fmt, cells, found, {}))
        assert [c[3] for c in encoded] == [[n] for n in range(1, len(order) + 1)]  # type: ignore[index]
    assert tables.cell_order("UNKNOWN") == ()


@pytest.mark.parametrize("seed", range(3))
def test_duckdb_encodes_plain_reports_as_python_does(seed: int) -> None:
    rng = random.Random(seed)
    reports: dict[str, tuple[str, list[tuple[str, str | None, str, bool]]]] = {}
    for n in range(40):
        fmt = rng.choice(layout.FORMATS)
        kind_of_report = rng.random()
        cells = []
        for cid in ORDER[fmt]:
            if rng.random() < 0.1:
                continue  # absent
            raw: str | None = rng.choice(PLAIN)
            if rng.random() < 0.05:
                raw = None
            kind = "blank" if raw is None or not raw.strip() or rng.random() < 0.05 else "number"
            cells.append((cid, raw, kind, False))
        if kind_of_report < 0.2:
            i = rng.randrange(len(cells))
            cid, raw, kind, _ = cells[i]
            cells[i] = (cid, raw, kind, True)  # an uncertain cell: drawn in Python
        elif kind_of_report < 0.4:
            i = rng.randrange(len(cells))
            cells[i] = (cells[i][0], rng.choice(ESCAPED), "text", False)
        reports[f"r{seed}-{n}"] = (fmt, cells)
    reports[f"r{seed}-empty"] = (layout.FORMATS[0], [])  # a report without cells: every cell absent
    con = _warehouse(reports)
    got = encoded_cells(con, sorted((r, fmt) for r, (fmt, _) in reports.items()), ORDER, tables.WHITESPACE)
    assert got, "no report was plain"
    for rid, (fmt, cells) in reports.items():
        special = any(u for *_, u in cells) or any(
            (raw or "").strip() if kind == "blank" else any(ch in (raw or "") for ch in '"\\<>&\n\u2028\x07')
            for _, raw, kind, _ in cells
        )
        if special:
            assert rid not in got, rid
        else:
            assert got[rid] == _python(con, rid, fmt), rid
            assert str(safe_json(RawJson(got[rid]))) == got[rid]


# The Jinja macro render.value_cell replaced, kept as the reference it must write exactly.
VALUE_CELL_MACRO = """\
{% macro value_cell(kind, v) %}
{% if kind == "link" %}<td class="name" data-v="{{ v[0] }}">{% if v[1] %}<a href="{{ v[1] }}">{{ v[0] }}</a>{% else %}{{ v[0] }}{% endif %}</td>
{%- elif kind == "text" %}<td>{{ "" if v is none else v }}</td>
{%- elif kind == "file" %}<td class="file">{{ v }}</td>
{%- elif v is none %}<td class="num" data-v="">—</td>
{%- elif v is string %}<td class="num blank" data-v="" title="报告此格空白，规则按 0 计">{{ v }}</td>
{%- elif v is mapping %}<td class="num guessed" data-v="{{ v.v }}" title="{{ v.guess }}">≈{{ v.v | cell(kind) }}</td>
{%- elif v | cell(kind) != v | string and kind == "num" %}<td class="num" data-v="{{ v }}" title="{{ v }}">{{ v | cell(kind) }}</td>
{%- else %}<td class="num" data-v="{{ v }}">{{ v | cell(kind) }}</td>
{%- endif %}
{% endmacro %}
{% for kind, v in cases %}{{ value_cell(kind, v) }}|{% endfor %}"""


def test_value_cells_write_what_the_macro_wrote() -> None:
    from markupsafe import Markup

    from pipelines.site.charts import Column
    from pipelines.site.render import make_env, value_cells

    values: list[Any] = [
        None,
        0,
        1,
        -3,
        12345,
        0.5,
        1234.5678,
        2.0,
        float("nan"),
        1e20,
        "空白",
        "",
        "a<\"&>'",
        Markup("<b>x</b>"),
        {"v": 12.5, "guess": "why <x>"},
        {"v": None, "guess": ""},
    ]
    cases = [(kind, v) for kind in ("int", "num", "pct", "text", "file") for v in values]
    cases += [
        ("link", (n, h)) for n in ("机关", "<b>", Markup("<i>m</i>")) for h in ("", "organ/a.html", 'x"y')
    ]
    env = make_env()
    macro = env.from_string(VALUE_CELL_MACRO).render(cases=cases).split("|")[:-1]
    mine = [str(value_cells([Column("x", kind)], [v])) for kind, v in cases]
    assert macro == mine


def test_initials_are_pypinyins_first_letters() -> None:
    """pinyin.initials takes the first letters of the toneless syllables it caches for the sort: the
    same as pypinyin's FIRST_LETTER style, for names of every kind (polyphones, Latin, digits, spaces,
    full-width letters, a NUL)."""
    from pypinyin import Style, lazy_pinyin

    from pipelines.site import pinyin

    names = [
        "重庆市人民政府",
        "长沙市长寿镇",
        "ABC局",
        "XX 局",
        "1号 楼",
        "a-b",
        "Ｘ局",
        "〇",
        "行政审批局",
        "银行业监督",
        "重\x00庆",
        "重|庆",
        "",
        "大丰区人民政府",
        "朝阳区",
        "乐山市音乐学院",
    ]
    for name in names:
        first = "".join(s[:1] for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()
        assert pinyin.initials(name) == first, name
        assert pinyin.spelled(name) == " ".join(lazy_pinyin(name, errors="default")), name


def test_spellings_kept_are_taken_and_passed_on() -> None:
    """A name the previous build spelled is taken as it spelled it, any other converted; what a build
    passes on is what it spelled, in the order first asked (a name holding the separator is never kept)."""
    from pipelines.site import pinyin

    known = pinyin.Spellings({"重庆市": "chong|qing|shi", "旧名": "jiu|ming"})
    assert known.sort_key("重庆市") == ("chong qing shi", "重庆市")
    assert known.initials("长沙市") == "css" and known.initials("a|b") == "a"
    assert list(known.names) == ["重庆市", "长沙市"]
    data = json.loads(known.content())
    assert data == {
        "version": pinyin.version(),
        "names": {"重庆市": "chong|qing|shi", "长沙市": "chang|sha|shi"},
    }


def test_shared_values_are_the_values_duckdb_fetches() -> None:
    """data.shared_values gives what fetchall gives, value for value and type for type (NULLs, NaN, minus
    zero, lists, booleans), through Arrow or, for a query with a column Arrow converts otherwise (a
    timestamp with time zone), through DuckDB's own conversion; equal strings and numbers are one object,
    across Arrow batches too."""
    from pipelines.site.data import shared_values

    con = duckdb.connect()
    values = """SELECT * FROM (VALUES
        (1, 'a', 1, 2::BIGINT, 1.5::DOUBLE, true, ['x', NULL], 1::SMALLINT, 0.5::FLOAT),
        (2, 'a', NULL, 2::BIGINT, 'nan'::DOUBLE, NULL, NULL, NULL, NULL),
        (3, NULL, 3, NULL, -0.0::DOUBLE, false, [], 2::SMALLINT, 1.25::FLOAT),
        (4, '重庆', 3, 4::BIGINT, NULL, true, ['重庆'], 3::SMALLINT, NULL)
    ) t(n, s, i, b, d, f, l, sm, fl)"""
    for extra in ("", ", TIMESTAMPTZ '2024-01-01 08:00:00+08' AS at"):
        sql = f"SELECT *{extra} FROM ({values}) ORDER BY n"
        want = con.execute(sql).fetchall()
        got = list(shared_values(con.execute(sql)))
        assert len(got) == len(want) == 4
        for row, expected in zip(got, want, strict=True):
            for v, e in zip(row, expected, strict=True):
                assert type(v) is type(e) and (v == e or (v != v and e != e)), (v, e)
        assert got[0][1] is got[1][1] and got[2][2] is got[3][2]
    sql = "SELECT i % 7 AS k, 'x' || (i % 5) AS s FROM range(250000) t(i) ORDER BY i"
    got = list(shared_values(con.execute(sql)))
    assert got == con.execute(sql).fetchall()
    assert len({id(s) for _, s in got}) == 5 and len({id(k) for k, _ in got}) == 7
