"""`gongkai`: the command line. Each subcommand is one entry in SUBCOMMANDS; heavy modules (Dagster,
the parser) are imported inside the command so that `gongkai parse` and `--help` start fast."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

# Exit codes: 1 = the run itself failed, 2 = bad input or usage (argparse uses 2 as well).
EXIT_FAILED = 1
EXIT_INPUT = 2
# Ended by a closed pipe (128 + SIGPIPE), as `cat` is in `cat FILE | head`.
EXIT_PIPE = 141
# Enough to see what went wrong; the full list is in the quarantine table.
MAX_QUARANTINE_LINES = 50


class Subcommand(NamedTuple):
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _fail(file: object, reason: str) -> int:
    print(f"gongkai: {file}: {' '.join(reason.split())}", file=sys.stderr)
    return EXIT_INPUT


# --- gongkai parse FILE ------------------------------------------------------------------------


def _parse_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="report file (HTML, text, PDF, Word, or a scan's image)")
    p.add_argument("more", type=Path, nargs="*", help="the other page images of a scan posted as a series")


def cmd_parse(args: argparse.Namespace) -> int:
    from pipelines.parsing.parse import UnreadableInput, parse_bytes, size_problem

    try:
        too_large = size_problem(args.file.stat().st_size)  # before reading it into memory
        if too_large:
            return _fail(args.file, too_large)
        data = args.file.read_bytes()
    except OSError as e:
        return _fail(args.file, e.strerror or str(e))
    try:
        if args.more:
            from pipelines.parsing.ocr.series import parse_series

            report = parse_series([args.file, *args.more])
        else:
            report = parse_bytes(data, args.file.name)
    except UnreadableInput as e:
        return _fail(args.file, str(e))
    except Exception as e:  # a parser bug: still one line for the user, never a traceback
        _fail(args.file, f"parser error ({type(e).__name__}: {e}); please report this file")
        return EXIT_FAILED
    print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    return 0


# --- gongkai run --inbox DIR --warehouse FILE ----------------------------------------------------


def _run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--inbox",
        type=Path,
        default=None,
        help="folder of report files (default: $GONGKAI_INBOX or data/inbox)",
    )
    p.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="DuckDB file to publish (default: $GONGKAI_WAREHOUSE or data/warehouse.duckdb); "
        "built in FILE.staging beside it, then renamed onto it",
    )
    p.add_argument(
        "--sources",
        type=Path,
        default=None,
        help="report URLs and listing pages to fetch first (default: $GONGKAI_SOURCES or "
        "sources.yaml; none: nothing is fetched)",
    )
    p.add_argument(
        "--site",
        type=Path,
        default=None,
        help="folder for the dashboards (default: $GONGKAI_SITE or data/site)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parser processes (default: $GONGKAI_WORKERS or one per core; 0: parse in this process, "
        "without the per-file time and memory limits)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="parse on the Dask cluster of this scheduler, e.g. tcp://10.0.0.5:8786 (default: "
        "$GONGKAI_SCHEDULER, or on this machine); docs/scaling.md",
    )
    p.add_argument(
        "--memory-limit",
        default=None,
        help="DuckDB's memory limit on every connection, e.g. 4GB (default: $GONGKAI_MEMORY_LIMIT or "
        "4GB; none: DuckDB's own, 80%% of the machine)",
    )
    p.add_argument(
        "--temp-directory",
        type=Path,
        default=None,
        help="where DuckDB spills what does not fit in its memory limit (default: "
        "$GONGKAI_TEMP_DIRECTORY, or beside the warehouse file)",
    )
    p.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print Dagster's log, traces of failed steps included (they are always in WAREHOUSE.log)",
    )


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines import warehouse
    from pipelines.cli import run_log
    from pipelines.orchestration.nightly import materialize_nightly
    from pipelines.settings import Settings
    from pipelines.warehouse import db

    if args.workers is not None and args.workers < 0:
        return _fail("--workers", "must be 0 or more")
    try:
        settings = Settings.load(
            inbox=args.inbox,
            warehouse=args.warehouse,
            sources=args.sources,
            site=args.site,
            workers=args.workers,
            scheduler=args.scheduler,
            memory_limit=args.memory_limit,
            temp_directory=args.temp_directory,
        )
    except ValueError as e:  # e.g. GONGKAI_WORKERS=many
        return _fail("settings", str(e))
    db.configure(db.Limits.of(settings))
    if not settings.inbox.is_dir():
        return _fail(settings.inbox, "inbox is not a directory")
    if settings.sources_required and not settings.sources.is_file():
        # only the default sources.yaml may be absent (nothing to fetch); a file named by --sources or
        # $GONGKAI_SOURCES that is not there is a mistake, not an empty list
        return _fail(settings.sources, "sources file not found (named by --sources or $GONGKAI_SOURCES)")
    if settings.sources.is_file():
        from pipelines.sources import SourcesError, load_sources

        try:  # a file that cannot be used is refused here, with its reason, like a missing one
            load_sources(settings.sources)
        except SourcesError as e:
            return _fail(settings.sources, str(e).removeprefix(f"{settings.sources}: "))
    wh_path = settings.warehouse
    # The nightly job's assets, in-process on an ephemeral instance. Dagster's own event log, traces
    # and all, goes to WAREHOUSE.log; the console gets it only with -v.
    result = materialize_nightly(settings, run_config=run_log.console_config(args.verbose))
    log = run_log.write(result, wh_path)
    if not result.success:
        # one line per failed step: its root cause, and where the rest is
        published = any(
            e.asset_key is not None and e.asset_key.to_user_string() == "published_warehouse"
            for e in result.get_asset_materialization_events()
        )
        for line in run_log.failure_lines(result, wh_path, log, published=published):
            print(line, file=sys.stderr)
        return EXIT_FAILED
    con = warehouse.connect(wh_path, read_only=True)
    try:
        summary = warehouse.summary(con)
        row = con.execute(
            "SELECT files_seen, files_new, files_changed, files_unchanged, parsed, quarantined, "
            "skipped_duplicates, findings FROM load_run WHERE run_id = ?",
            [result.run_id],
        ).fetchone()
    finally:
        con.close()
    run_row = dict(zip(RUN_COLUMNS, row, strict=True)) if row is not None else None
    print(format_summary(summary, run_row, wh_path))
    if (settings.site / "index.html").is_file():
        print(f"dashboards: {settings.site / 'index.html'}")
    return 0


RUN_COLUMNS = (
    "files_seen",
    "files_new",
    "files_changed",
    "files_unchanged",
    "parsed",
    "quarantined",
    "skipped_duplicates",
    "findings",
)


def format_summary(summary: dict[str, Any], run_row: dict[str, Any] | None, wh_path: Path) -> str:
    lines = []
    if run_row is not None:
        r = run_row
        findings = "" if r.get("findings") is None else f", {r['findings']} findings"
        lines.append(
            f"this run: {r['files_seen']} files seen ({r['files_new']} new, {r['files_changed']} changed, "
            f"{r['files_unchanged']} unchanged), {r['parsed']} parsed, {r['quarantined']} quarantined, "
            f"{r['skipped_duplicates']} skipped as duplicates{findings}"
        )
    years = summary["years"]
    year_text = (f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])) if years else "none"
    lines.append(
        f"warehouse {wh_path}: {summary['reports']} reports, {summary['agencies']} organs, "
        f"years {year_text}, {summary['cells']} cells"
    )
    q = summary["quarantined"]
    if q:
        lines.append(f"quarantined files ({len(q)}):")
        lines += [f"  {_printable(row['file_name'])}: {row['reason']}" for row in q[:MAX_QUARANTINE_LINES]]
        if len(q) > MAX_QUARANTINE_LINES:
            lines.append(f"  ... and {len(q) - MAX_QUARANTINE_LINES} more (see the quarantine table)")
    return "\n".join(lines)


def _printable(name: str) -> str:
    """A file name on one line: a newline or control character in a name must not fake a line."""
    return name if name.isprintable() else repr(name)


# --- gongkai bench accuracy DIR -----------------------------------------------------------------


def _bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "what",
        choices=["accuracy", "ocr", "marts", "nightly", "parallel", "national"],
        help="accuracy: per-file and per-medium cell accuracy, plus HTML, PDF and DOCX parse throughput and "
        "scan pages per second on one core; ocr: the OCR engines on the same scans; marts: organ dimension and "
        "marts over a synthetic warehouse, plus two analyst queries; nightly: a night of 10 new reports on top of "
        "synthetic corpora of several sizes, end to end and per stage; parallel: ingest throughput and peak "
        "memory per worker count on an inbox (e.g. gongkai synth --organs 150), and its site built serially and "
        "in parallel; national: the whole country (150,000 organs, 1.1 million reports) step by step, "
        "docs/scaling.md",
    )
    p.add_argument(
        "dir",
        type=Path,
        nargs="?",
        help="accuracy: folder of reports with *.expected.json "
        "beside them; marts, nightly: working folder (default: a temporary one)",
    )
    p.add_argument(
        "--sizes", default="1000,5000,10000", help="nightly: corpus sizes in reports, comma-separated"
    )
    p.add_argument("--new", type=int, default=10, help="nightly: reports added for the timed night")
    p.add_argument("--show-wrong", type=int, default=10, help="wrong cells listed per file")
    p.add_argument("--speed-seconds", type=float, default=3.0, help="CPU seconds to time parsing per medium")
    p.add_argument("--reports", type=int, default=100_000, help="marts: reports in the synthetic warehouse")
    p.add_argument("--engines", default="rapidocr,tesseract", help="ocr: engines to compare, comma-separated")
    p.add_argument("--limit", type=int, default=None, help="ocr: read only the first N reports of the folder")
    p.add_argument(
        "--rasterise",
        type=float,
        default=None,
        metavar="DPI",
        help="ocr: rasterise the folder's text-layer PDFs at DPI and read them as scans",
    )
    p.add_argument("--workers", default="1,2", help="parallel: worker counts to compare, comma-separated")
    p.add_argument("--no-site", action="store_true", help="parallel: time the ingest only")
    p.add_argument(
        "--steps",
        default="all",
        help="national: steps to run, comma-separated (inbox, parse, parse:N, warehouse, identity, rules, marts, "
        "site, site-again, night, new-year, all); the figures of earlier runs in DIR are kept",
    )
    p.add_argument(
        "--report", action="store_true", help="national: print the figures measured in DIR, run nothing"
    )
    p.add_argument(
        "--inbox-files", type=int, default=50_000, help="national: files in the parse benchmark's inbox"
    )
    p.add_argument(
        "--parse-files", type=int, default=None, help="national: parse only the first N inbox files"
    )
    p.add_argument("--night-reports", type=int, default=100, help="national: new reports of the timed night")
    p.add_argument(
        "--provinces", default=None, help="national: only these province codes (e.g. 32), for a trial"
    )


def cmd_bench(args: argparse.Namespace) -> int:
    from pipelines.bench import accuracy as bench

    if args.what == "marts":
        return _bench_marts(args)
    if args.what == "nightly":
        return _bench_nightly(args)
    if args.what == "ocr":
        from pipelines.bench.ocr_engines import ENGINES, compare

        engines = [e.strip() for e in args.engines.split(",") if e.strip()]
        if args.dir is None or not args.dir.is_dir() or any(e not in ENGINES for e in engines):
            return _fail("bench ocr", f"needs a folder of scans and engines among {', '.join(ENGINES)}")
        if args.rasterise:
            from pipelines.bench.ocr_engines import rasterised

            print(rasterised(args.dir, args.rasterise, engines, args.show_wrong))
            return 0
        print(compare(args.dir, engines, args.limit))
        return 0
    if args.what == "parallel":
        return _bench_parallel(args)
    if args.what == "national":
        from pipelines.bench import national

        return national.cli(args)
    if args.dir is None:
        return _fail("bench accuracy", "needs the folder of reports")
    if not args.dir.is_dir():
        return _fail(args.dir, "not a directory")
    scores = bench.run_accuracy(args.dir)
    if not scores:
        return _fail(args.dir, "no *.expected.json with a report file beside it")
    print(bench.format_report(scores, args.show_wrong))
    print()
    speed = bench.scan_speed(scores)
    if speed:
        print(speed)
    # the throughput of the text media: files the table above shows unreadable, and scans, are left out
    skip = {s.name for s in scores if s.error or s.medium == "scan"}
    for label, suffixes in (("HTML", (".html", ".htm")), ("PDF", (".pdf",)), ("DOCX", (".docx",))):
        files = sorted(p for p in args.dir.iterdir() if p.suffix.lower() in suffixes and p.name not in skip)[
            :200
        ]
        if files:
            rate, size = bench.parse_throughput(files, args.speed_seconds)
            print(
                f"{label} parse throughput (read + map, CPU time of one core): {rate:.1f} reports/s "
                f"on {len(files)} files averaging {size / 1024:.0f} KB"
            )
    return 0


def _bench_marts(args: argparse.Namespace) -> int:
    import tempfile

    from pipelines.bench import marts as marts_bench

    if args.reports < 1:
        return _fail("--reports", "must be at least 1")
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        print(marts_bench.format_bench(marts_bench.run(args.reports, args.dir)))
        return 0
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        print(marts_bench.format_bench(marts_bench.run(args.reports, Path(tmp))))
    return 0


def _bench_nightly(args: argparse.Namespace) -> int:
    import tempfile

    from pipelines.bench import nightly as nightly_bench

    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        return _fail("--sizes", "expected numbers separated by commas, e.g. 1000,5000,10000")
    if not sizes or min(sizes) < 7 * 2 or args.new < 1:
        return _fail("--sizes/--new", "sizes of at least 14 reports and at least 1 new report")
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        print(nightly_bench.format_bench(nightly_bench.run(sizes, args.dir, new=args.new, echo=True)))
        return 0
    with tempfile.TemporaryDirectory(prefix="gongkai-nightly-") as tmp:
        print(nightly_bench.format_bench(nightly_bench.run(sizes, Path(tmp), new=args.new, echo=True)))
    return 0


def _bench_parallel(args: argparse.Namespace) -> int:
    import tempfile

    from pipelines.bench import parallel

    if args.dir is None or not args.dir.is_dir():
        return _fail(
            args.dir or "bench parallel", "needs an inbox folder (gongkai synth --organs 150 --out DIR)"
        )
    try:
        counts = [int(s) for s in args.workers.split(",") if s.strip()]
    except ValueError:
        return _fail("--workers", "expected numbers separated by commas, e.g. 1,2")
    if not counts or min(counts) < 1:
        return _fail("--workers", "at least one count, each 1 or more")
    with tempfile.TemporaryDirectory(prefix="gongkai-parallel-") as tmp:
        ingests = []
        for n in counts:
            ingests.append(parallel.ingest_once(args.dir, Path(tmp), n))
        sites, same = (
            ([], True) if args.no_site else parallel.site_runs(args.dir, Path(tmp), sorted({1, max(counts)}))
        )
        print(parallel.format_bench(ingests, sites, same))
    return 0


# --- gongkai rules run|show|bench|measure|gx-compare (pipelines/quality/cli.py) ------------------


def _rules_arguments(p: argparse.ArgumentParser) -> None:
    from pipelines.cli import rules as rules_cli

    rules_cli.add_arguments(p)


def cmd_rules(args: argparse.Namespace) -> int:
    from pipelines.cli import rules as rules_cli

    return rules_cli.run(args)


def _synth_arguments(p: argparse.ArgumentParser) -> None:
    from pipelines.cli.synth import add_arguments

    add_arguments(p)


def cmd_synth(args: argparse.Namespace) -> int:
    from pipelines.cli.synth import run

    return run(args)


# --- gongkai cases import|show (pipelines/cli/cases.py) ------------------------------------------


def _cases_arguments(p: argparse.ArgumentParser) -> None:
    from pipelines.cli.cases import add_arguments

    add_arguments(p)


def cmd_cases(args: argparse.Namespace) -> int:
    from pipelines.cli.cases import run

    return run(args)


# --- gongkai site build|bench (pipelines/site/cli.py) -------------------------------------------


def _site_arguments(p: argparse.ArgumentParser) -> None:
    from pipelines.cli.site import add_arguments

    add_arguments(p)


def cmd_site(args: argparse.Namespace) -> int:
    from pipelines.cli.site import run

    return run(args)


SUBCOMMANDS: dict[str, Subcommand] = {
    "synth": Subcommand(
        "generate a synthetic corpus with known truth and injected publisher errors",
        _synth_arguments,
        cmd_synth,
    ),
    "bench": Subcommand(
        "measure parsing accuracy against *.expected.json and HTML throughput, or mart speed",
        _bench_arguments,
        cmd_bench,
    ),
    "run": Subcommand(
        "the nightly run, in-process: fetch sources, load new and changed files, rules, marts, "
        "publish the warehouse atomically, build the site",
        _run_arguments,
        cmd_run,
    ),
    "parse": Subcommand("parse one report file and print its JSON", _parse_arguments, cmd_parse),
    "rules": Subcommand(
        "statutory consistency rules: run them into findings, show findings, benchmarks",
        _rules_arguments,
        cmd_rules,
    ),
    "cases": Subcommand(
        "findings as cases: import staff decisions from a filled-in findings workbook, list cases",
        _cases_arguments,
        cmd_cases,
    ),
    "site": Subcommand(
        "write the static dashboards for oversight staff (data/site), or time their build",
        _site_arguments,
        cmd_site,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gongkai", description="政府信息公开工作年度报告 pipeline")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, cmd in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=cmd.help, description=cmd.help)
        cmd.add_arguments(p)
        p.set_defaults(func=cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Report JSON and names are Chinese: don't let a C/POSIX locale turn printing into a crash.
    for stream in (sys.stdout, sys.stderr):
        if (
            isinstance(stream, io.TextIOWrapper)
            and (stream.encoding or "").lower().replace("-", "") != "utf8"
        ):
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # `gongkai parse FILE | head`: the reader has what it wanted. Point stdout at /dev/null so
        # that the interpreter's final flush does not fail again, and end as a piped tool does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
