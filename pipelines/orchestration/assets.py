"""The nightly graph as warehouse tables: one asset per table or view, grouped into one multi-asset per
stage, generated from what the project already declares rather than typed out here:

    fetched_sources -> ingest (sql/schema/ingest/*) -> identity (sql/schema/identity/*)
    -> rules (sql/schema/rules/*, one asset check per rule of expectations/rules.yaml)
    -> marts (sql/marts/*) -> published_warehouse -> static_site

Which tables a stage writes is the folder its schema files are in; what an SQL stage depends on is
what its SQL reads (the rules' catalogue and work tables, each mart's file); each asset's description
is its table's COMMENT. Every asset body calls its stage's one driver.

No `from __future__ import annotations` here: Dagster reads the annotations at definition time.
"""

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from pipelines import catalogue, ingest, marts, packaged, rules
from pipelines.identity import default_resolver, store
from pipelines.orchestration.resources import PUBLISHED, GongkaiResource
from pipelines.pause import pause_point
from pipelines.warehouse import load, schema, staging
from pipelines.warehouse.schema import Relation

FETCHED = AssetKey("fetched_sources")
SITE = AssetKey("static_site")
# Names and messages listed in metadata; the full lists are the quarantine and findings tables.
LISTED = 50
EXAMPLES = 10


def _key(name: str) -> AssetKey:
    return AssetKey(name)


def _writer(context: AssetExecutionContext, gongkai: GongkaiResource) -> GongkaiResource:
    """The resource of an asset that writes the warehouse, once it knows the run will publish."""
    gongkai.check_publishes(context.job_def.asset_layer.executable_asset_keys)
    return gongkai


def _description(r: Relation) -> str:
    m = re.search(rf"COMMENT ON (?:TABLE|VIEW) {r.name} IS '((?:[^']|'')*)'", r.sql)
    return m.group(1).replace("''", "'") if m else r.name


def _specs(stage: str, deps: Iterable[str]) -> list[AssetSpec]:
    own = {r.name for r in schema.by_stage(stage)}
    keys = sorted({*deps} - own)
    return [
        AssetSpec(
            r.name,
            group_name=stage,
            kinds={"duckdb"},
            description=_description(r),
            deps=[_key(d) for d in keys],
        )
        for r in schema.by_stage(stage)
    ]


def _relation_names() -> set[str]:
    return {r.name for r in schema.relations()}


def _rows(con: duckdb.DuckDBPyConnection, name: str) -> int:
    row = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
    return int(row[0]) if row else 0


def _results(
    con: duckdb.DuckDBPyConnection, stage: str, extra: dict[str, dict[str, Any]]
) -> list[MaterializeResult]:
    return [
        MaterializeResult(
            asset_key=_key(r.name), metadata={"rows": _rows(con, r.name), **extra.get(r.name, {})}
        )
        for r in schema.by_stage(stage)
    ]


# --- ingest -----------------------------------------------------------------------------------------


def _listing(quarantined: list[load.Rejected]) -> str:
    rows = [f"- `{r.file_name}`: {r.reason}" for r in quarantined[:LISTED]]
    more = len(quarantined) - LISTED
    return "\n".join(rows + ([f"- … and {more} more (quarantine table)"] if more > 0 else [])) or "none"


@multi_asset(specs=_specs("ingest", [FETCHED.path[0]]), name="ingest")
def ingest_tables(context: AssetExecutionContext, gongkai: GongkaiResource) -> Iterator[MaterializeResult]:
    """The inbox scanned against the warehouse (new, changed and unchanged files by size, mtime and
    content hash), the bytes this parser has not parsed yet parsed and loaded batch by batch, the rest
    quarantined with its reason."""
    run_id = context.run.run_id
    stats = context.instance.get_run_stats(run_id)
    started = datetime.fromtimestamp(stats.start_time, UTC) if stats.start_time else datetime.now(UTC)
    con = _writer(context, gongkai).connect()
    try:
        settings = gongkai.settings()
        done = ingest.run(
            con,
            settings.inbox,
            run_id=run_id,
            started_at=started,
            workers=settings.workers,
            scheduler=settings.scheduler,
        )
        counts = {k: v for k, v in done.counts.items() if k != "run_id"}
        results = _results(
            con,
            "ingest",
            {
                "dim_report": {
                    **counts,
                    "hashed": done.plan.hashed,
                    "inbox": MetadataValue.path(gongkai.inbox),
                },
                "quarantine": {"quarantined_files": MetadataValue.md(_listing(done.quarantined))},
            },
        )
    finally:
        con.close()
    pause_point("loaded")
    yield from results


# --- identity ---------------------------------------------------------------------------------------


def _views_read(stage: str) -> set[str]:
    """What a stage's views read."""
    names = _relation_names()
    return {
        n for r in schema.by_stage(stage) if r.kind == "view" for n in schema.reads(r.sql, names - {r.name})
    }


@multi_asset(specs=_specs("identity", [*store.READS, *_views_read("identity")]), name="identity")
def identity_tables(context: AssetExecutionContext, gongkai: GongkaiResource) -> Iterator[MaterializeResult]:
    """Every report's organ resolved (pipelines/identity, data/aliases.csv, data/sectors.yaml), right after
    the load and before the rules, so an alias edit reaches the cross-year rules the same night."""
    settings = gongkai.settings()
    con = _writer(context, gongkai).connect()
    try:
        stats = store.build(
            con,
            default_resolver(settings.aliases_file, settings.sectors_file),
            settings.report_scope_file,
            settings.register_file,
        )
        results = _results(
            con,
            "identity",
            {
                "dim_agency": {
                    "reports": stats.reports,
                    "resolved": stats.resolved,
                    "every_report": stats.full,
                    "reassigned": stats.reassigned,
                },
                "identity_issue": {"issues": MetadataValue.json(stats.issues)},
                "report_scope": {"scopes": MetadataValue.json(stats.scopes)},
            },
        )
    finally:
        con.close()
    yield from results


# --- rules ------------------------------------------------------------------------------------------


def check_name(rule_id: str) -> str:
    return rule_id.replace("-", "_")


def _rules_read() -> set[str]:
    names = _relation_names()
    sql = [r.sql for r in catalogue.load()] + [r.not_assessable_sql or "" for r in catalogue.load()]
    sql.append(packaged.path("sql", "quality", "prepare.sql").read_text(encoding="utf-8"))
    return {n for text in sql for n in schema.reads(text, names)} | _views_read("rules")


@multi_asset(
    specs=_specs("rules", _rules_read()),
    check_specs=[
        AssetCheckSpec(check_name(r.id), asset="findings", description=f"{r.id} [{r.severity}] {r.zh}")
        for r in catalogue.load()
    ],
    name="rules",
)
def rules_tables(
    context: AssetExecutionContext, gongkai: GongkaiResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    """Findings of the statutory consistency rules (FORMAT.md §6, expectations/rules.yaml), validated by a
    Great Expectations suite built from the same catalogue. A report that breaks rules is a finding,
    not a failed run: the checks warn, and only a broken rule or warehouse fails the asset."""
    path = _writer(context, gongkai).working_path()
    result = rules.run(path, run_id=context.run.run_id, decisions=gongkai.settings().decisions_file)
    if result.gx_error:
        context.log.warning(f"Great Expectations validation did not run: {result.gx_error}")
    for problem in result.cases.problems if result.cases else []:
        context.log.warning(f"data/decisions.csv: {problem}")
    con = gongkai.connect()
    try:
        examples = _examples(con)
        results = _results(
            con,
            "rules",
            {
                "findings": {
                    "fail": sum(r.fail for r in result.rules),
                    "not_assessable": sum(r.not_assessable for r in result.rules),
                    "seconds": round(result.seconds, 2),
                    "gx": "ok" if result.gx_error is None else result.gx_error,
                    # the reports judged again: those whose findings could change, every one on a full run
                    "judged": result.plan.judged if result.plan else None,
                    "full": result.plan.full if result.plan else None,
                },
                "finding_case_log": _case_metadata(result.cases),
            },
        )
    finally:
        con.close()
    pause_point("rules")
    yield from results
    for r in result.rules:
        gx_failed = r.gx_success is False
        meta: dict[str, object] = {
            "severity": r.rule.severity,
            "fail": r.fail,
            "not_assessable": r.not_assessable,
            "gx_success": MetadataValue.null() if r.gx_success is None else r.gx_success,
            "seconds": round(r.seconds, 3),
        }
        shown = examples.get(r.rule.id, [])
        if shown:
            meta["examples"] = MetadataValue.md("\n".join(f"- {s}" for s in shown[:EXAMPLES]))
        yield AssetCheckResult(
            check_name=check_name(r.rule.id),
            asset_key=AssetKey("findings"),
            passed=r.fail == 0 and not gx_failed,
            severity=AssetCheckSeverity.WARN,
            metadata=meta,  # type: ignore[arg-type]
        )


def _case_metadata(stats: Any) -> dict[str, Any]:
    if stats is None:
        return {}
    return {
        "opened": stats.opened,
        "resolved": stats.resolved,
        "reopened": stats.reopened,
        "decisions": stats.decisions,
        "decisions_lapsed": stats.lapsed,
        "decision_problems": MetadataValue.md("\n".join(f"- {p}" for p in stats.problems[:LISTED]) or "none"),
    }


def _examples(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute(
        "SELECT rule_id, source_file || '：' || message FROM report_findings ORDER BY rule_id, source_file, message"
    ).fetchall()
    out: dict[str, list[str]] = {}
    for rule_id, text in rows:
        out.setdefault(rule_id, []).append(text)
    return out


# --- marts ------------------------------------------------------------------------------------------


def _mart_specs() -> list[AssetSpec]:
    files = marts.mart_files()
    reads = marts.reads(files)
    return [
        AssetSpec(
            name,
            group_name="marts",
            kinds={"duckdb"},
            skippable=True,
            description=_header(path.read_text(encoding="utf-8")),
            deps=[_key(d) for d in sorted(reads[name])],
        )
        for name, path in files.items()
    ]


def _header(sql: str) -> str:
    """An SQL file's opening comment."""
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return " ".join(lines)


@multi_asset(specs=_mart_specs(), can_subset=True, name="marts")
def mart_tables(context: AssetExecutionContext, gongkai: GongkaiResource) -> Iterator[MaterializeResult]:
    selected = [k.path[-1] for k in context.selected_asset_keys]
    con = _writer(context, gongkai).connect()
    try:
        # every mart selected: the build recomputes what changed since the last one (a subset, every row)
        seconds = marts.build(con, None if set(selected) == set(marts.mart_files()) else selected)
        rows = {name: _rows(con, name) for name in seconds}
    finally:
        con.close()
    for name, secs in seconds.items():
        yield MaterializeResult(
            asset_key=_key(name), metadata={"rows": rows[name], "seconds": round(secs, 3)}
        )


# --- publish ----------------------------------------------------------------------------------------


def _warehouse_keys() -> list[AssetKey]:
    return [*(_key(r.name) for r in schema.relations() if r.stage), *(_key(m) for m in marts.mart_files())]


@asset(
    key=PUBLISHED,
    group_name="publish",
    kinds={"duckdb"},
    deps=_warehouse_keys(),
    description="The night's warehouse, published: the staging copy checkpointed, fsynced and renamed onto the "
    "published path in one atomic step (in place: checkpointed); the run's load_run row gets its "
    "findings count first.",
)
def published_warehouse(context: AssetExecutionContext, gongkai: GongkaiResource) -> MaterializeResult:
    pause_point("marts")
    findings: list[int | None] = []

    def finish(con: duckdb.DuckDBPyConnection) -> None:
        now = datetime.now(UTC)
        counts = [load.finish_run(con, run_id, finished_at=now) for run_id in gongkai.run_ids]
        findings.append(next((c for c in counts if c is not None), None))

    if gongkai.staged:
        gongkai.working_path()  # a run whose only step is the publish still claims its copy
        try:
            size = staging.publish(gongkai.warehouse, gongkai.run_ids, finish=finish)
        except staging.StagingError as e:
            raise Failure(str(e)) from None
    else:
        con = gongkai.connect()
        try:
            finish(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        size = gongkai.working_path().stat().st_size
    context.log.info(f"published {gongkai.warehouse} ({size / 1e6:.1f} MB)")
    return MaterializeResult(
        metadata={
            "warehouse": MetadataValue.path(gongkai.warehouse),
            "megabytes": round(size / 1e6, 1),
            "findings": findings[0] if findings and findings[0] is not None else MetadataValue.null(),
        }
    )


# --- site -------------------------------------------------------------------------------------------


@asset(
    key=SITE,
    group_name="site",
    kinds={"html"},
    deps=[PUBLISHED],
    description="The static Chinese dashboards (overview, comparison, one page per organ, data quality, coverage) "
    "built from the published warehouse: Plotly charts with their data tables and CSV downloads, "
    "shipped with plotly.min.js once, so the folder works offline.",
)
def static_site(context: AssetExecutionContext, gongkai: GongkaiResource) -> MaterializeResult:
    from pipelines.site.build import MAX_PAGE_BYTES, build_site
    from pipelines.site.pages.organ import check_base_url

    settings = gongkai.settings()
    try:
        base_url = check_base_url(settings.source_base_url)
    except ValueError as e:  # a setting to fix: fail before reading anything
        raise Failure(str(e), allow_retries=False) from e
    # the published file, never a run's staging copy: the site shows what analysts see
    result = build_site(settings.warehouse, settings.site, source_base_url=base_url, workers=settings.workers)
    path, size = result.largest
    if size > MAX_PAGE_BYTES:
        context.log.warning(
            f"{path} is {size / 1e6:.1f} MB, over the {MAX_PAGE_BYTES / 1e6:.0f} MB a page should be"
        )
    return MaterializeResult(
        metadata={
            "site": MetadataValue.path(str(result.out_dir)),
            "index": MetadataValue.path(str(result.out_dir / "index.html")),
            "pages": len(result.pages),
            "organs": result.organs,
            "organ_pages_rendered": result.organ_pages_rendered,
            "megabytes": round((sum(result.pages.values()) + sum(result.assets.values())) / 1e6, 1),
            "largest_page": f"{path} ({size / 1e3:.0f} kB)",
            "seconds": round(result.seconds, 1),
        }
    )


# --- sources ----------------------------------------------------------------------------------------


@asset(
    key=FETCHED,
    group_name="sources",
    description="Report files fetched into the inbox from the URLs and listing pages (政府信息公开年报 columns) of "
    "sources.yaml, politely: robots.txt, per-host rate limit, timeouts, retries with backoff, "
    "conditional requests, a size limit.",
)
def fetched_sources(context: AssetExecutionContext, gongkai: GongkaiResource) -> MaterializeResult:
    from pipelines.sources import SourcesError, fetch_sources, load_sources
    from pipelines.sources.fetch import FAILED

    settings = gongkai.settings()
    path = settings.sources
    if not path.is_file() and settings.sources_required:
        # named explicitly and not there: a mistake, not an empty list; logged, and the inbox still loads
        error = f"{path}: sources file not found"
        context.log.error(error)
        return MaterializeResult(metadata={"sources": MetadataValue.path(str(path)), "error": error})
    if not path.is_file():
        return MaterializeResult(metadata={"sources": MetadataValue.text(f"no {path}: nothing to fetch")})
    try:
        source_settings, entries = load_sources(path)
    except SourcesError as e:
        # The operator's to fix, from the log and the metadata; the inbox still loads tonight.
        context.log.error(str(e))
        return MaterializeResult(metadata={"sources": MetadataValue.path(str(path)), "error": str(e)})
    results = fetch_sources(source_settings, entries, settings.inbox)
    by_status = Counter(r.status for r in results)
    failed = [r for r in results if r.status == FAILED]
    for r in failed:
        context.log.warning(f"could not fetch {r.url}: {r.reason}")
    return MaterializeResult(
        metadata={
            "sources": MetadataValue.path(str(path)),
            "urls": len(results),
            **{status: n for status, n in sorted(by_status.items())},
            "failures": MetadataValue.md("\n".join(f"- {r.url}: {r.reason}" for r in failed) or "none"),
        }
    )


WAREHOUSE_ASSETS: list[AssetsDefinition] = [ingest_tables, identity_tables, rules_tables, mart_tables]
ALL_ASSETS: list[AssetsDefinition] = [fetched_sources, *WAREHOUSE_ASSETS, published_warehouse, static_site]
