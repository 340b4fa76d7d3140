"""organ/<id>.html: one organ's seven-year trends, and for each year its three tables rebuilt from
fact_cell with the cells of failed rules marked, the findings beside them, the report's text and
where the file came from.

Organ pages are most of a build (a night with ten new reports re-rendered all 1,429 of them). A page
shows only its organ's data, so each is keyed by a digest of everything it is made from — the organ,
its marts rows and coverage, its reports (each report's cells and sections are a function of its
bytes, the report_id, and the parser version: no cell is read to digest them), findings and guessed
cells, and the code and labels that draw them — and a page whose digest the previous build recorded
is copied from that build instead of being rendered again. A test checks that such a build is
byte-identical to a full one.

Size: at national scale (157,748 organs) a page must stay near 25 kB. Every year's tables are compact
cells that static/site.js draws into the empty tables of their format (assets/organ.js, written once
a build): the HTML would be three times the bytes. Without script a reader still has each year's
source, verdict, findings and guesses, and the trend tables under the charts (the key numbers of
every year). The reports' text is not shown (it was a fifth of a page even for the latest report
alone, 1 GB at national size): the source file each year names holds it. The years after an organ's latest report are drawn by
site.js from the site's years (assets/organ.js) too, so that a new statistics year redraws only the
pages that show a report of it.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import pickle
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import duckdb

from pipelines import layout, warehouse
from pipelines.site import charts, labels, tables
from pipelines.site.charts import Chart, Column
from pipelines.site.data import (
    Guess,
    Organ,
    Report,
    SiteData,
    cells_for,
    china_time,
    encoded_cells,
)
from pipelines.site.files import csv_name
from pipelines.site.pages import organ_extras, regions
from pipelines.site.pages.common import coverage_by_organ, findings_by_report, organ_years_by_organ, region_of
from pipelines.site.pages.quality import rule_page
from pipelines.site.pool import Renderer
from pipelines.site.render import RawJson, Writer, clean, fmt_num, pct, safe_json

# Organs a render process draws from one warehouse read: bounds the memory of the cells held at once
# (~200 cells a report). Each read scans the report ids of fact_cell once, about a second at national
# size (1.9 CPU-s for 500 organs, 3.8 for 2,000), so fewer, larger batches cost less.
BATCH = 2000
# In the site folder: the digest each organ page was rendered from, for the next build.
DIGESTS = "assets/organ-pages.json"
_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def _public(url: str | None) -> str | None:
    """A URL a page may link: the published report's http(s) address, never anything else."""
    return url if url and urlsplit(url).scheme.lower() in ("http", "https") else None


def check_base_url(base: str | None) -> str | None:
    """The source link base, if it is one a browser can follow safely (no javascript: and the like)."""
    if not base:
        return None
    scheme = urlsplit(base).scheme.lower()
    if scheme not in ("", "http", "https", "file"):
        raise ValueError(f"source_base_url must be an http(s), file or relative URL, not {base!r}")
    return base if base.endswith("/") else base + "/"


def write_all(
    w: Writer,
    d: SiteData,
    con: duckdb.DuckDBPyConnection,
    *,
    source_base_url: str | None = None,
    previous: Path | None = None,
    workers: int | None = None,
) -> int:
    """Write every organ page; returns how many were rendered (the others were copied unchanged from
    the previous build in `previous`, the site folder being replaced). Pages are drawn in batches of
    organs by `workers` processes (default: one per core; pipelines/site/pool.py), each reading its
    batch's cells from the warehouse itself (`_render_batch`)."""
    base = check_base_url(source_base_url)
    path = _database_path(con)
    if path is None:
        workers = 1  # another process cannot open an in-memory warehouse
    shared = Shared(d.rules, d.cell_labels, base, d.rules_ran, path or "")
    renderer = Renderer(w, _render_batch, shared, workers)
    cov = coverage_by_organ(d)
    years_of = organ_years_by_organ(d)
    findings = findings_by_report(d)
    guessed = guesses_by_report(d)
    reports_of: dict[str, dict[int, Report]] = {}
    for rep in d.reports.values():
        reports_of.setdefault(rep.agency_id, {})[rep.year] = rep
    version = _version(d, base)
    before = _previous_digests(previous, version)
    extras = organ_extras.Extras.of(d)
    until = {r["agency_id"]: r.get("expected_to") for r in d.coverage}
    digests: dict[str, str] = {}
    todo: list[tuple[Any, ...]] = []  # the pages to render, each with everything it is drawn from
    rendered = 0
    _CONNECTIONS[shared.warehouse] = con  # a batch drawn in this process reads through this connection
    try:
        for agency_id in d.organs:
            organ = d.organs[agency_id]
            reports = reports_of.get(agency_id, {})
            years = shown_years(sorted(cov.get(agency_id, {}).items()), reports)
            latest = max(reports.values(), key=lambda r: r.year, default=None)
            facts = _facts(d, organ, latest) + extras.facts(organ)
            # the last year the organ must report, if it stops: site.js adds no missing year after it
            extra = {**extras.context(organ), "until_year": str(until.get(agency_id) or "")}
            digest = digests[organ.page] = _digest(
                version,
                organ,
                facts,
                extra,
                years_of.get(agency_id, []),
                years,
                [
                    (
                        rep,
                        findings.get(rep.report_id, []),
                        d.status.get(rep.report_id),
                        d.scopes.get(rep.report_id),
                        guessed.get(rep.report_id, []),
                    )
                    for _, rep in sorted(reports.items())
                ],
            )
            old = previous / organ.page if previous is not None else None
            if old is not None and before.get(organ.page) == digest and old.is_file():
                w.link(organ.page, old)
                continue
            rids = [r.report_id for _, r in sorted(reports.items())]
            own = (
                {i: findings[i] for i in rids if i in findings},
                {i: guessed[i] for i in rids if i in guessed},
                {i: d.status[i] for i in rids if i in d.status},
                {i: d.scopes[i] for i in rids if i in d.scopes},
            )
            todo.append((organ, reports, years, facts, years_of.get(agency_id, []), *own, extra))
            rendered += 1
            if len(todo) >= BATCH:
                renderer.add(todo[0][0].page, todo, len(todo))
                todo = []
        if todo:
            renderer.add(todo[0][0].page, todo, len(todo))
        renderer.finish()
    finally:
        _CONNECTIONS.pop(shared.warehouse, None)
    write_asset(w, d)
    w.bytes(DIGESTS, json.dumps({"version": version, "pages": digests}, sort_keys=True).encode("utf-8"))
    return rendered


def _database_path(con: duckdb.DuckDBPyConnection) -> str | None:
    """The file of the connection's database; None for an in-memory one."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return str(row[0]) if row and row[0] else None


# Connections to warehouses by path, one per process: the build's own in the process that runs it,
# a read-only one opened by a render process on its first batch.
_CONNECTIONS: dict[str, duckdb.DuckDBPyConnection] = {}
# A render process's cap on DuckDB's memory: a batch's cells are a few megabytes.
RENDER_MEMORY = "512MB"


def _connection(path: str) -> duckdb.DuckDBPyConnection:
    con = _CONNECTIONS.get(path)
    if con is None:
        con = _CONNECTIONS[path] = warehouse.connect(path, read_only=True)
        con.execute("SET memory_limit = ?", [RENDER_MEMORY])
        con.execute("SET threads = 1")  # one process per core draws pages
        # a spill folder of its own: DuckDB's temporary files are named per process, not per folder,
        # so processes spilling into one folder (the warehouse's) overwrite each other's
        spill = tempfile.mkdtemp(prefix="gongkai-render-")
        atexit.register(shutil.rmtree, spill, True)
        con.execute("SET temp_directory = ?", [spill])
    return con


# A report's cells in the order of its tables' <td>s, per format (tables.cell_order).
_ORDER = {fmt: tables.cell_order(fmt) for fmt in layout.FORMATS}


def _render_batch(w: Writer, shared: Shared, batch: list[tuple[Any, ...]]) -> None:
    """A batch of organ pages (`_render`): their reports' cells read in two queries, the plain reports
    encoded by DuckDB (data.encoded_cells), the others (with findings, guessed cells or text to escape)
    drawn from their cells in Python (tables.build)."""
    con = _connection(shared.warehouse)
    reports, with_findings = [], set()
    for _, reports_by_year, _, _, _, findings, *_ in batch:
        reports += [r for r in reports_by_year.values() if r.format_version in layout.FORMATS]
        with_findings.update(findings)
    encoded = encoded_cells(
        con,
        sorted((r.report_id, r.format_version) for r in reports if r.report_id not in with_findings),
        _ORDER,
        tables.WHITESPACE,
    )
    rest = sorted(r.report_id for r in reports if r.report_id not in encoded)
    cells = cells_for(con, rest) if rest else {}
    for organ, reports_by_year, years, facts, rows, *own, extra in batch:
        rids = [r.report_id for r in reports_by_year.values()]
        mine = (
            {i: cells[i] for i in rids if i in cells},
            {i: RawJson(encoded[i]) for i in rids if i in encoded},
        )
        _render(w, shared, (organ, reports_by_year, years, facts, rows, *mine, *own, extra))


# In the site folder: what every organ page's script draws with (static/site.js).
ASSET = "assets/organ.js"


def write_asset(w: Writer, d: SiteData) -> None:
    """assets/organ.js: the site's statistics years (the missing years after an organ's latest report
    are drawn from them) and the empty tables of each format, which site.js fills with a report's
    compact cells (tables.encode)."""
    macros = w.env.get_template("macros.html").module
    shared = {
        "years": d.years,
        "closed": d.closed_year,  # site.js: a year after it missing is no sign the organ stopped
        "blank": list(tables.BLANK),
        "layout": charts.shared_layout(),
        "tables": {
            fmt: str(macros.report_tables(tables.skeleton(fmt, d.cell_labels), 0))  # type: ignore[attr-defined]
            for fmt in layout.FORMATS
        },
    }
    w.bytes(ASSET, f"window.GONGKAI_ORGAN = {safe_json(shared)};\n".encode())


@dataclass(frozen=True)
class Shared:
    """What every organ page is drawn with besides its own data."""

    rules: dict[str, Any]
    cell_labels: dict[tuple[str, str], tuple[str, str]]
    base: str | None
    rules_ran: bool
    warehouse: str = ""  # the warehouse file the pages' cells are read from


def _render(w: Writer, shared: Shared, args: tuple[Any, ...]) -> None:
    """One organ page: (organ, its reports by year, (year, status) in order, facts, its marts rows,
    its reports' cells, its reports' cells already encoded, findings, guessed cells, verdicts and
    scopes, and the extra template variables of pages/organ_extras.py)."""
    organ, reports, years, facts, rows, cells, encoded, findings, guessed, verdicts, scopes, extra = args
    panels = [
        _panel(
            shared,
            y,
            status,
            reports.get(y),
            cells,
            encoded,
            findings,
            guessed,
            verdicts,
            scopes,
        )
        for y, status in years
    ]
    published = [p["year"] for p in panels if p["report"]]
    w.page(
        organ.page,
        "organ.html",
        title=organ.name,
        section="organs.html",
        organ=organ,
        facts=facts,
        charts=_charts(organ, rows, [y for y, _ in years]),
        panels=panels,
        default_year=str(published[-1]) if published else "",
        last_year=str(years[-1][0]) if published and years else "",
        organ_as_of=_as_of(reports.values()),
        **extra,
    )


def shown_years(years: list[tuple[int, str]], reports: dict[int, Report]) -> list[tuple[int, str]]:
    """The (year, status) an organ page draws: up to its latest report. The missing years after it
    are added by static/site.js from assets/organ.js (the site's years), so that a new statistics
    year changes the pages of the organs that published in it, not every page. An organ without any
    report shows every year it was expected in."""
    last = max(reports, default=None)
    return years if last is None else [(y, s) for y, s in years if y <= last]


def _as_of(reports: Any) -> str | None:
    """When the organ's newest report was loaded: what its page shows, so that the page changes only
    when the organ's data does (the site's newest load would change every page every night)."""
    return china_time(max((r.loaded_at for r in reports), default=None))


@cache
def code_digest() -> str:
    """The code and templates that draw an organ page, the statutory layout its tables follow and the
    template engine's version."""
    h = hashlib.sha256()
    site = resources.files("pipelines.site")
    files = [
        p
        for folder in (site, site / "pages", site / "templates", site / "static")
        for p in folder.iterdir()
        if p.is_file() and p.name.endswith((".py", ".html", ".js", ".css"))
    ]
    for p in sorted(files, key=lambda f: str(f)):
        h.update(str(p.name).encode() + b"\0" + p.read_bytes())
    h.update(Path(layout.__file__).read_bytes())
    for package in ("jinja2", "markupsafe"):  # an upgrade may write the same page differently
        h.update(f"{package}=={metadata.version(package)}".encode())
    return h.hexdigest()


def _version(d: SiteData, base: str | None) -> str:
    """What every organ page depends on besides its own data: code, cell labels, rule titles, links."""
    shared = [
        code_digest(),
        sorted(d.cell_labels.items()),
        sorted((r, x.title) for r, x in d.rules.items()),
        base,
    ]
    return hashlib.sha256(json.dumps(shared, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def _digest(version: str, *parts: Any) -> str:
    # pickle: exact for every value (floats, datetimes) and fast. Equal inputs that pickle differently
    # (shared objects are memoised) only cost a render; different inputs never pickle alike.
    return hashlib.sha256(pickle.dumps((version, parts), protocol=5)).hexdigest()


def _previous_digests(previous: Path | None, version: str) -> dict[str, str]:
    """The pages of the previous build and their digests; nothing when the code or labels changed (or
    the file is missing or unreadable: then every page is rendered)."""
    if previous is None:
        return {}
    try:
        data = json.loads((previous / DIGESTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (
        not isinstance(data, dict)
        or data.get("version") != version
        or not isinstance(data.get("pages"), dict)
    ):
        return {}
    return {str(k): str(v) for k, v in data["pages"].items()}


def _facts(d: SiteData, o: Organ, latest: Report | None = None) -> list[tuple[str, str, str]]:
    parent = d.organs.get(o.parent_id or "")
    facts = [
        ("层级", labels.level(o.level), ""),
        ("类型", labels.kind(o.kind), ""),
        ("领域", labels.sector(o.sector), ""),
        ("地区", region_of(o), f"../{regions.region_page(code)}" if (code := regions.of_organ(o)) else ""),
        ("上级政府", o.parent_name or labels.UNKNOWN, f"../{parent.page}" if parent else ""),
    ]
    scope = d.scopes.get(latest.report_id) if latest else None
    if scope is not None and (o.kind == "government" or scope.scope != "office"):
        facts.append(("报告范围", f"{labels.scope(scope.scope)}（{latest.year if latest else ''} 年度）", ""))
    return facts


def guesses_by_report(d: SiteData) -> dict[str, list[Guess]]:
    out: dict[str, list[Guess]] = {}
    for g in d.guesses:
        out.setdefault(g.report_id, []).append(g)
    return out


def _csv_name(organ: Organ, what: str, years: Sequence[int] = ()) -> str:
    return csv_name(f"{_UNSAFE_FILE_CHARS.sub('_', organ.name)[:40]}_{what}", years)


def _charts(organ: Organ, rows: Sequence[dict[str, Any]], years: Sequence[int]) -> list[Chart]:
    by_year = {r["year"]: r for r in rows}
    x = charts.years_axis(years)

    def col(key: str, rate: bool = False) -> list[Any]:
        vals = [by_year[y][key] if y in by_year else None for y in years]
        return [pct(v) for v in vals] if rate else [clean(v) for v in vals]

    def shown(key: str, rate: bool = False) -> list[Any]:
        """The column for the data table: a value that includes a guessed cell is marked."""
        return [
            charts.marked(
                v,
                labels.GUESSED
                if y in by_year and labels.guessed_in(by_year[y].get("guessed_measures"), (key,))
                else None,
            )
            for y, v in zip(years, col(key, rate), strict=True)
        ]

    def status(y: int) -> str:
        return "已发布" if y in by_year else "缺报"

    def guessed(keys: tuple[str, ...]) -> list[tuple[str, list[Any], str]]:
        """A column naming the numbers of the chart that include a guessed cell, year by year."""
        names = {**labels.MEASURES, **{k: name for k, name, _ in labels.RATES}}
        got = [
            "、".join(names.get(k, k) for k in labels.guessed_in(by_year[y].get("guessed_measures"), keys))
            if y in by_year
            else ""
            for y in years
        ]
        return [("含推测数值的项", got, "text")] if any(got) else []

    out = []
    counts = [("本年新收", "new_received", "#1565c0"), ("办理结果总计", "handled", "#ef6c00")]
    out.append(
        _chart(
            "trend-apps",
            "政府信息公开申请数量",
            organ,
            "申请数量",
            years,
            status,
            charts.bars(x, [(n, col(k), c) for n, k, c in counts], xtitle="年度", ytitle="申请（件）"),
            [(f"{n}（件）", shown(k), "int") for n, k, _ in counts] + guessed(tuple(k for _, k, _ in counts)),
        )
    )
    outcome_series = [(n, col(k), charts.OUTCOME_COLORS[k]) for k, n in labels.OUTCOMES]
    out.append(
        _chart(
            "trend-outcomes",
            "办理结果构成",
            organ,
            "办理结果",
            years,
            status,
            charts.bars(x, outcome_series, xtitle="年度", ytitle="申请（件）", stacked=True),
            [(f"{n}（件）", shown(k), "int") for k, n in labels.OUTCOMES]
            + guessed(tuple(k for k, _ in labels.OUTCOMES)),
        )
    )
    rates = [
        (name, col(k, rate=True), charts.PALETTE[i])
        for i, (k, name, _) in enumerate(labels.RATES)
        if k != "granted_share"
    ]
    out.append(
        _chart(
            "trend-rates",
            "予以公开率、不予公开率和纠错率",
            organ,
            "比率",
            years,
            status,
            charts.lines(x, rates, xtitle="年度", ytitle="比率（%）", percent=True),
            [(f"{n}（%）", shown(k, rate=True), "pct") for k, n, _ in labels.RATES if k != "granted_share"]
            + guessed(tuple(k for k, _, _ in labels.RATES if k != "granted_share")),
            note="予以公开率 = 予以公开 ÷（办理结果总计 − 不予处理 − 其他处理）；不予公开率 = 不予公开 ÷ 办理结果总计；"
            "纠错率 = 结果纠正 ÷ 总计。分母为 0 的年度不画点。",
        )
    )
    cases = [("行政复议", "review_total", "#6a1b9a"), ("行政诉讼", "litigation_total", "#00838f")]
    out.append(
        _chart(
            "trend-cases",
            "行政复议和行政诉讼",
            organ,
            "复议诉讼",
            years,
            status,
            charts.bars(x, [(n, col(k), c) for n, k, c in cases], xtitle="年度", ytitle="案件（件）"),
            [(f"{n}（件）", shown(k), "int") for n, k, _ in cases] + guessed(tuple(k for _, k, _ in cases)),
        )
    )
    return out


def _chart(
    cid: str,
    title: str,
    organ: Organ,
    short: str,
    years: Sequence[int],
    status: Any,
    fig: dict[str, Any],
    series: list[tuple[str, list[Any], str]],
    note: str = "",
) -> Chart:
    cols = [
        Column("年度", "text"),
        Column("状态", "text"),
        *(Column(label, kind) for label, _, kind in series),
    ]
    rows = [[str(y), status(y), *(vals[i] for _, vals, _ in series)] for i, y in enumerate(years)]
    drawn = None if all(v is None or v == "" for _, vals, _ in series for v in vals) else charts.compact(fig)
    return Chart(
        cid,
        title,
        drawn,
        cols,
        rows,
        _csv_name(organ, short, years),
        note=note,
        empty="各年度报告都没有可用的数字（未识别出表格）。",
    )


def _panel(
    d: Shared,
    year: int,
    status: str,
    rep: Report | None,
    cells: dict[str, Any],
    encoded: dict[str, RawJson],
    findings: dict[str, Any],
    guessed: dict[str, list[Guess]],
    verdicts: dict[str, Any],
    scopes: dict[str, Any],
) -> dict[str, Any]:
    """One year's tab; its tables are handed to site.js as compact cells (`cells`), drawn into the
    empty tables of their format."""
    if rep is None:
        return {"year": year, "status": status, "report": None}
    base = d.base
    fs = findings.get(rep.report_id, [])
    st = verdicts.get(rep.report_id)
    scope = scopes.get(rep.report_id)
    verdict = st.status if st is not None else ("unchecked" if d.rules_ran else "not_run")
    notes = [
        {
            "n": n,
            "rule_id": f.rule_id,
            "rule_title": d.rules[f.rule_id].title if f.rule_id in d.rules else "",
            "severity": f.severity,
            "severity_label": labels.severity(f.severity),
            "message": f.message,
            "instance": f.instance,
            "rule_href": "../" + rule_page(f.rule_id),
        }
        for n, f in enumerate(fs, start=1)
    ]
    return {
        "year": year,
        "status": status,
        "report": rep,
        "findings": notes,
        "worst": min(
            (f.severity for f in fs),
            key=lambda s: labels.SEVERITY_ORDER.index(s) if s in labels.SEVERITY_ORDER else 9,
            default="",
        ),
        **_cells(d, rep, cells, encoded, fs),
        "verdict": verdict,
        "verdict_label": labels.status(verdict) if verdict != "not_run" else "尚未检查",
        # the rules that apply but could not be decided, and why (failures are listed as findings)
        "unchecked": [
            {"rule_id": rule, "reason": why.removeprefix("无法判断：")}
            for rule, _, why in (r.partition("：") for r in (st.reasons if st else ()))
            if why.startswith("无法判断")
        ],
        "scope": (
            {
                "label": labels.scope(scope.scope),
                "note": labels.SCOPE_NOTES.get(scope.scope, ""),
                "evidence": scope.evidence,
            }
            if scope is not None
            else None
        ),
        "guesses": _guess_runs(d, guessed.get(rep.report_id, [])),
        "href": base + quote(rep.file_name) if base else "",
        "source_url": _public(rep.source_url),
        "listing_url": _public(rep.listing_url),
        "medium": labels.medium(rep.medium),
        "format": labels.report_format(rep.format_version),
    }


def _cells(
    d: Shared, rep: Report, cells: dict[str, Any], encoded: dict[str, RawJson], fs: Sequence[Any]
) -> dict[str, Any]:
    """Whether the report has tables, and its cells as site.js draws them (tables.encode)."""
    if rep.report_id in encoded:
        return {"tables": True, "cells": encoded[rep.report_id]}
    drawn = tables.build(rep.format_version, cells.get(rep.report_id, {}), fs, d.cell_labels)
    return {"tables": bool(drawn), "cells": tables.encode(drawn)}


_TAKEN = re.compile(r"（本格取 [^）]*）|本格其他可能的读数：[^。]*。")


def _guess_runs(d: SiteData | Shared, gs: list[Guess]) -> list[dict[str, Any]]:
    """A report's guessed cells by glued run: the cells, the split taken, why, and each cell's other
    readings (a 表四 run is fifteen cells with one explanation)."""
    runs: dict[str, list[Guess]] = {}
    order = {cid: i for i, cid in enumerate(layout.CELL_IDS.get(gs[0].format, ()))} if gs else {}
    for g in sorted(gs, key=lambda g: (order.get(g.cell_id, len(order)), g.cell_id)):
        runs.setdefault(_TAKEN.sub("", g.why), []).append(g)
    out = []
    for why, cells in runs.items():
        names = [_cell_name(d, g) for g in cells]
        other = [
            f"{n} 也可能是 {'、'.join(g.readings[:5])}"
            for n, g in zip(names, cells, strict=True)
            if g.readings
        ]
        out.append(
            {
                "cells": "、".join(names[:4]) + (f" 等 {len(names)} 格" if len(names) > 4 else ""),
                "taken": cells[0].chosen or "、".join(fmt_num(g.value) for g in cells),
                "why": why + ("其他可能的读数：" + "；".join(other) + "。" if other else ""),
            }
        )
    return out


def _cell_name(d: SiteData | Shared, g: Guess) -> str:
    row, col = d.cell_labels.get((g.cell_id, g.format), (g.cell_id, ""))
    table = {"t2": "二", "t3": "三", "t4": "四"}.get(g.cell_id[:2], "")
    return f"表{table} {row}·{col}" if col else f"表{table} {row}"
