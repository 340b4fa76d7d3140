"""Detection precision and recall of the rules on a synthetic corpus (pipelines.synth), against its
manifest of injected errors.

Two ways to load the corpus:
- "parsed": every file through the parser, as in production. Findings then also reflect parser
  errors (a mis-split digit run breaks a sum that the publisher got right).
- "printed": the cells as the generator printed them (`*.expected.json`), the text, organ and year
  still read by the parser. This isolates the rules: with the printed cells, every finding must be
  an injected error or one of its listed knock-on breaks, and every one of those must be found.

The truth for a (file, rule) pair is "the manifest says this file breaks this rule", directly or as
an `also_breaks` entry of another error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl

from pipelines import catalogue, ingest, rules, warehouse
from pipelines.identity import store
from pipelines.model import ParsedCell, ParsedReport, Provenance
from pipelines.parsing import parse
from pipelines.warehouse import load, schema

Mode = Literal["parsed", "printed"]


@dataclass
class Score:
    rule_id: str
    truth: set[str] = field(default_factory=set)
    found: set[str] = field(default_factory=set)
    not_assessable: set[str] = field(default_factory=set)

    @property
    def tp(self) -> int:
        return len(self.truth & self.found)

    @property
    def precision(self) -> float:
        return self.tp / len(self.found) if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.tp / len(self.truth) if self.truth else 1.0

    @property
    def false_positives(self) -> list[str]:
        return sorted(self.found - self.truth)

    @property
    def missed(self) -> list[str]:
        return sorted(self.truth - self.found)


def load_corpus(con: duckdb.DuckDBPyConnection, corpus: Path, mode: Mode = "printed") -> int:
    """Load a synthetic corpus folder into the warehouse and resolve its organs; returns reports.
    parsed: through the ingest stage; printed: the cells as generated, loaded as if parsed."""
    schema.migrate(con)
    corpus = Path(corpus)
    if mode == "parsed":
        done = ingest.run(con, corpus, run_id="measure", started_at=datetime.now(UTC))
        store.build(con)
        return done.parsed
    items, subtotals = list(_printed_items(corpus)), []
    for name, digest, _report in items:
        subtotals += _subtotals(corpus / (name + ".expected.json"), digest)
    load.load_reports(con, items, parser_version="printed")
    if subtotals:
        df = pl.DataFrame(
            subtotals,
            schema={"report_id": pl.Utf8, "group_code": pl.Utf8, "col_code": pl.Utf8, "value": pl.Float64},
            orient="row",
        )
        con.register("_gk_subtotals", df)
        try:
            con.execute(
                "INSERT INTO fact_subtotal SELECT report_id, group_code, col_code, value, "
                "CAST(value AS VARCHAR) FROM _gk_subtotals"
            )
        finally:
            con.unregister("_gk_subtotals")
    store.build(con)
    return len(items)


def _printed_items(corpus: Path) -> Iterator[tuple[str, str, ParsedReport]]:
    import hashlib

    for exp_path in sorted(corpus.glob("*.expected.json")):
        src = exp_path.with_name(exp_path.name[: -len(".expected.json")])
        if not src.exists():
            continue
        expected = json.loads(exp_path.read_text(encoding="utf-8"))
        data = src.read_bytes()
        try:
            parsed: ParsedReport | None = parse.parse_bytes(data, src.name)
        except parse.UnreadableInput:
            parsed = None
        cells: dict[str, ParsedCell] = {}
        for cid, value in expected["cells"].items():
            seen = parsed.cells.get(cid) if parsed else None
            if seen is not None and _same(seen.value, value):
                # the parser read it right: keep its raw text and kind (unit, dash), not its doubts
                cells[cid] = ParsedCell(cid, seen.value, seen.raw, seen.kind, seen.provenance)
            else:
                cells[cid] = ParsedCell(
                    cid,
                    value,
                    None if value is None else str(value),
                    "blank" if value is None else "number",
                    Provenance(),
                )
        report = ParsedReport(
            agency=expected["agency"],
            year=expected["year"],
            format_version=expected["format_version"],
            medium=parsed.medium if parsed else "html",
            cells=cells,
            sections=parsed.sections if parsed else {},
            title=expected.get("title"),
            warnings=[],
        )
        yield src.name, hashlib.sha256(data).hexdigest(), report


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def _subtotals(exp_path: Path, report_id: str) -> list[tuple[str, str, str, float | None]]:
    from pipelines import layout

    expected = json.loads(exp_path.read_text(encoding="utf-8"))
    cols = [c.code for c in layout.T3_COLS]
    return [
        (report_id, group, col, None if v is None else float(v))
        for group, values in (expected.get("subtotals") or {}).items()
        for col, v in zip(cols, values, strict=True)
    ]


def truth_pairs(manifest: dict[str, Any]) -> set[tuple[str, str]]:
    pairs = set()
    for e in manifest["errors"]:
        pairs.add((e["file"], e["rule_id"]))
        for knock in e.get("also_breaks", []):
            pairs.add((knock["file"], knock["rule_id"]))
    return pairs


def scores(
    con: duckdb.DuckDBPyConnection, manifest: dict[str, Any], scope: dict[str, set[str]] | None = None
) -> dict[str, Score]:
    """Per rule of the catalogue: (file, rule) pairs in the manifest vs failed findings.
    `scope` (rule -> files), when given, limits both sides to those files."""
    out = {r.id: Score(r.id) for r in catalogue.load()}

    def keep(file: str, rule: str) -> bool:
        return scope is None or file in scope.get(rule, set())

    for file, rule in truth_pairs(manifest):
        if keep(file, rule):
            out.setdefault(rule, Score(rule)).truth.add(file)
    for file, rule in con.execute("SELECT DISTINCT source_file, rule_id FROM report_findings").fetchall():
        if keep(file, rule):
            out.setdefault(rule, Score(rule)).found.add(file)
    for file, rule in con.execute(
        "SELECT DISTINCT source_file, rule_id FROM report_not_assessable"
    ).fetchall():
        if keep(file, rule):
            out.setdefault(rule, Score(rule)).not_assessable.add(file)
    return out


# Rules that read other reports than the one judged: the same organ's other years, or a region's parts.
CROSS_YEAR = ("T3-X1", "T2-X1", "T2-X2", "T2-Q2", "D-Q1")


def exactly_parsed(corpus: Path) -> set[str]:
    """Files whose parse equals their expected JSON (organ, year, format and every cell, blank ≡ 0)
    without a guess: a rule failing on a guessed cell is not assessable by design, right or not."""
    out = set()
    for exp_path in sorted(Path(corpus).glob("*.expected.json")):
        src = exp_path.with_name(exp_path.name[: -len(".expected.json")])
        expected = json.loads(exp_path.read_text(encoding="utf-8"))
        try:
            got = parse.parse_bytes(src.read_bytes(), src.name)
        except parse.UnreadableInput:
            continue
        if (got.agency, got.year, got.format_version) != (
            expected["agency"],
            expected["year"],
            expected["format_version"],
        ):
            continue
        cells = got.cells
        if any(c.uncertain for c in cells.values()):
            continue
        if all(
            _same(cells[c].value if c in cells and cells[c].value is not None else 0, 0 if v is None else v)
            for c, v in expected["cells"].items()
        ):
            out.add(src.name)
    return out


def parsed_scope(corpus: Path, exact: set[str]) -> dict[str, set[str]]:
    """Per rule, the files whose finding depends only on exactly parsed files: the file itself; for
    cross-year rules every report of its organ; for H-X1 also every report of the region's parts."""
    organs = json.loads((Path(corpus) / "organs.json").read_text(encoding="utf-8"))
    files_of = {o["id"]: set(o.get("files", [])) for o in organs}
    organ_exact = {oid: files <= exact for oid, files in files_of.items()}
    region_exact = {
        o["id"]: organ_exact[o["id"]] and all(organ_exact.get(c, False) for c in o.get("children", []))
        for o in organs
    }
    scope: dict[str, set[str]] = {}
    for rule in [r.id for r in catalogue.load()]:
        if rule in CROSS_YEAR:
            scope[rule] = {f for oid, files in files_of.items() if organ_exact[oid] for f in files}
        elif rule == "H-X1":
            scope[rule] = {f for oid, files in files_of.items() if region_exact[oid] for f in files}
        else:
            scope[rule] = set(exact)
    return scope


def measure(
    corpus: Path, workdir: Path, mode: Mode = "printed", *, only_exact: bool = False
) -> dict[str, Score]:
    """Load the corpus into a fresh warehouse under workdir, run the rules, score them.
    `only_exact` (parsed mode): score only findings that depend on exactly parsed files, which
    separates the rules' errors from the parser's."""
    db = Path(workdir) / f"measure_{mode}.duckdb"
    db.unlink(missing_ok=True)
    con = warehouse.connect(db)
    try:
        load_corpus(con, corpus, mode)
    finally:
        con.close()
    rules.run(db, gx=False)  # H-X1's hierarchy comes from the identity stage, not organs.json
    con = warehouse.connect(db)
    try:
        manifest = json.loads((Path(corpus) / "manifest.json").read_text(encoding="utf-8"))
        scope = parsed_scope(corpus, exactly_parsed(corpus)) if only_exact else None
        return scores(con, manifest, scope)
    finally:
        con.close()


def format_scores(result: dict[str, Score], title: str = "") -> str:
    lines = [title] if title else []
    lines.append(
        f"{'rule':7} {'injected':>8} {'found':>6} {'tp':>5} {'precision':>9} {'recall':>7} "
        f"{'not assessable':>14}  examples (false positive / missed)"
    )
    for rid in [r.id for r in catalogue.load()] + sorted(set(result) - {r.id for r in catalogue.load()}):
        s = result.get(rid)
        if s is None:
            continue
        ex = ", ".join(s.false_positives[:2] + [f"missed {m}" for m in s.missed[:2]])
        lines.append(
            f"{rid:7} {len(s.truth):>8} {len(s.found):>6} {s.tp:>5} {100 * s.precision:>8.1f}% "
            f"{100 * s.recall:>6.1f}% {len(s.not_assessable):>14}  {ex}"
        )
    return "\n".join(lines)
