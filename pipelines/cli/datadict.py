"""The data dictionary (docs/data_dictionary.md), generated from the comments in sql/schema/*.sql and
sql/marts/*.sql: every table, view and column with its type, meaning and unit.

The schema and the marts are built in an empty in-memory DuckDB and read back from its catalogue,
so the dictionary says exactly what the DDL says. tests/test_data_dictionary.py fails when the file
is out of date; regenerate with `.venv/bin/python -m pipelines.cli.datadict`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from pipelines import marts, packaged
from pipelines.warehouse import schema

REPO = packaged.root()  # the checkout, where docs/ is; in a wheel, the packaged sql/
OUTPUT = REPO / "docs" / "data_dictionary.md"
# Comments end with "Unit: 件." when the column has a unit; it gets its own column in the dictionary.
_UNIT = re.compile(r"\s*Unit:\s*(?P<unit>[^.]+(?:\.\d[^.]*)?)\.?\s*$")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    meaning: str
    unit: str


@dataclass(frozen=True)
class Relation:
    name: str
    kind: str  # table | view
    source: str  # the .sql file that creates it, relative to the repository
    comment: str
    columns: tuple[Column, ...]


def catalogue() -> list[Relation]:
    con = duckdb.connect(":memory:")
    try:
        schema.migrate(con)
        marts.build(con)
        return _read(con)
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection) -> list[Relation]:
    relations = con.execute("""
        SELECT table_name, 'table', coalesce(comment, '') FROM duckdb_tables()
        WHERE schema_name = 'main' AND NOT temporary
        UNION ALL
        SELECT view_name, 'view', coalesce(comment, '') FROM duckdb_views()
        WHERE schema_name = 'main' AND NOT internal AND NOT temporary""").fetchall()
    columns: dict[str, list[Column]] = {}
    for table, name, dtype, comment in con.execute("""
            SELECT table_name, column_name, data_type, coalesce(comment, '') FROM duckdb_columns()
            WHERE schema_name = 'main' AND NOT internal
            ORDER BY table_name, column_index""").fetchall():
        meaning, unit = split_unit(comment)
        columns.setdefault(table, []).append(Column(name, dtype, meaning, unit))
    sources = _sources()
    out = [
        Relation(name, kind, sources.get(name, ""), comment, tuple(columns.get(name, ())))
        for name, kind, comment in relations
    ]
    return sorted(out, key=lambda r: (_section(r)[0], r.source, r.name))


def split_unit(comment: str) -> tuple[str, str]:
    m = _UNIT.search(comment)
    return (comment[: m.start()].strip(), m["unit"].strip()) if m else (comment.strip(), "")


def _sources() -> dict[str, str]:
    found: dict[str, str] = {}
    create = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.I)
    for folder in ("schema", "marts"):
        for path in sorted((REPO / "sql" / folder).rglob("*.sql")):
            for name in create.findall(path.read_text(encoding="utf-8")):
                found.setdefault(name, path.relative_to(REPO).as_posix())
    return found


_SECTIONS = (
    (
        0,
        "Warehouse tables",
        "Defined in sql/schema/<stage>/<table>.sql: loaded from the reports (ingest), organs resolved "
        "(identity), checked by the rules (rules).",
    ),
    (1, "Views", "Defined in sql/schema/<stage>/<view>.sql; always current."),
    (2, "Marts", "Rebuilt every night from sql/marts/<table>.sql, one file per table."),
)


def _section(r: Relation) -> tuple[int, str, str]:
    if r.source.startswith("sql/marts/"):
        return _SECTIONS[2]
    return _SECTIONS[1] if r.kind == "view" else _SECTIONS[0]


def render(relations: Sequence[Relation]) -> str:
    lines = [
        "# Data dictionary",
        "",
        "Generated from the `COMMENT ON` statements of `sql/schema/*.sql` and `sql/marts/*.sql` by "
        "`.venv/bin/python -m pipelines.cli.datadict`; do not edit by hand (a test compares it with the DDL).",
        "",
        "Counts are in 件 (applications, cases, documents) unless a unit says otherwise; shares are "
        "fractions between 0 and 1. Join keys: `report_id` (a report version), `agency_id` (an organ), "
        "`(cell_id, format)` (a statutory table cell).",
        "",
    ]
    for number, title, note in _SECTIONS:
        group = [r for r in relations if _section(r)[0] == number]
        if not group:
            continue
        lines += [f"## {title}", "", note, ""]
        lines += [f"- [`{r.name}`](#{r.name}) — {_first_sentence(r.comment)}" for r in group]
        lines.append("")
        for r in group:
            lines += [
                f"### {r.name}",
                "",
                f"*{r.kind}, `{r.source}`*" if r.source else f"*{r.kind}*",
                "",
                r.comment or "(no comment)",
                "",
                "| column | type | meaning | unit |",
                "|---|---|---|---|",
            ]
            lines += [f"| `{c.name}` | {c.type} | {_cell(c.meaning)} | {_cell(c.unit)} |" for c in r.columns]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _first_sentence(text: str) -> str:
    m = re.match(r"(.+?[.。])(\s|$)", text)
    return _cell(m.group(1) if m else text)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    text = render(catalogue())
    if argv == ["--check"]:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(
                f"{OUTPUT.relative_to(REPO)} is out of date: run .venv/bin/python -m pipelines.cli.datadict",
                file=sys.stderr,
            )
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
