"""`gongkai`: the command line. Each subcommand is one entry in SUBCOMMANDS; heavy modules (Dagster,
the parser) are imported inside the command so that `gongkai parse` and `--help` start fast."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

# Exit codes: 1 = the run itself failed, 2 = bad input or usage (argparse uses 2 as well).
EXIT_FAILED = 1
EXIT_INPUT = 2
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
    p.add_argument("file", type=Path, help="report file (HTML, text, PDF or Word)")


def cmd_parse(args: argparse.Namespace) -> int:
    from pipelines.parse import UnreadableInput, parse_bytes

    try:
        data = args.file.read_bytes()
    except OSError as e:
        return _fail(args.file, e.strerror or str(e))
    try:
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
    p.add_argument("--inbox", type=Path, default=None,
                   help="folder of report files (default: $GONGKAI_INBOX or data/inbox)")
    p.add_argument("--warehouse", type=Path, default=None,
                   help="DuckDB file to load (default: $GONGKAI_WAREHOUSE or data/warehouse.duckdb)")


def cmd_run(args: argparse.Namespace) -> int:
    from dagster import materialize

    from pipelines import warehouse
    from pipelines.defs.assets import INGEST_ASSETS
    from pipelines.defs.resources import make_resources, resolve_paths

    inbox, wh_path = resolve_paths(args.inbox, args.warehouse)
    if not inbox.is_dir():
        return _fail(inbox, "inbox is not a directory")
    # The same assets as the schedule, in-process on an ephemeral instance; Dagster's own event
    # log would drown the summary, so only its warnings and errors reach the console.
    result = materialize(INGEST_ASSETS, resources=make_resources(inbox, wh_path), raise_on_error=False,
                         run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
    if not result.success:
        # Dagster has logged the traces; end with the root cause, one line per failed step.
        for event in result.get_step_failure_events():
            err = event.step_failure_data.error
            while err is not None and err.cause is not None:
                err = err.cause
            message = " ".join(err.message.split()) if err is not None else "unknown error"
            print(f"gongkai: run failed in {event.step_key}: {message}", file=sys.stderr)
        return EXIT_FAILED
    con = warehouse.connect(wh_path, read_only=True)
    try:
        summary = warehouse.summary(con)
        run_row = con.execute("SELECT files_seen, parsed, quarantined, skipped_duplicates FROM load_run "
                              "WHERE run_id = ?", [result.run_id]).fetchone()
    finally:
        con.close()
    print(format_summary(summary, run_row, wh_path))
    return 0


def format_summary(summary: dict[str, Any], run_row: Sequence[int] | None, wh_path: Path) -> str:
    lines = []
    if run_row is not None:
        seen, parsed, quarantined, dups = run_row
        lines.append(f"this run: {seen} files seen, {parsed} parsed, {quarantined} quarantined, "
                     f"{dups} skipped as duplicates")
    years = summary["years"]
    year_text = (f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])) if years else "none"
    lines.append(f"warehouse {wh_path}: {summary['reports']} reports, {summary['agencies']} organs, "
                 f"years {year_text}, {summary['cells']} cells")
    q = summary["quarantined"]
    if q:
        lines.append(f"quarantined files ({len(q)}):")
        lines += [f"  {row['file_name']}: {row['reason']}" for row in q[:MAX_QUARANTINE_LINES]]
        if len(q) > MAX_QUARANTINE_LINES:
            lines.append(f"  ... and {len(q) - MAX_QUARANTINE_LINES} more (see the quarantine table)")
    return "\n".join(lines)


# --- gongkai bench accuracy DIR -----------------------------------------------------------------

def _bench_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("what", choices=["accuracy", "marts"], help="accuracy: per-file and per-medium cell "
                   "accuracy, plus HTML parse throughput on one core; marts: organ dimension and marts over "
                   "a synthetic warehouse, plus two analyst queries")
    p.add_argument("dir", type=Path, nargs="?", help="accuracy: folder of reports with *.expected.json "
                   "beside them; marts: folder for the synthetic warehouse (default: a temporary one)")
    p.add_argument("--show-wrong", type=int, default=10, help="wrong cells listed per file")
    p.add_argument("--speed-seconds", type=float, default=3.0, help="how long to time HTML parsing")
    p.add_argument("--reports", type=int, default=100_000, help="marts: reports in the synthetic warehouse")


def cmd_bench(args: argparse.Namespace) -> int:
    from pipelines import bench

    if args.what == "marts":
        return _bench_marts(args)
    if args.dir is None:
        return _fail("bench accuracy", "needs the folder of reports")
    if not args.dir.is_dir():
        return _fail(args.dir, "not a directory")
    scores = bench.run_accuracy(args.dir)
    if not scores:
        return _fail(args.dir, "no *.expected.json with a report file beside it")
    print(bench.format_report(scores, args.show_wrong))
    html = sorted(p for p in args.dir.iterdir() if p.suffix.lower() in (".html", ".htm"))[:200]
    if html:
        rate, size = bench.html_throughput(html, args.speed_seconds)
        print(f"\nHTML parse throughput (read + map, one core): {rate:.0f} reports/s "
              f"on {len(html)} pages averaging {size / 1024:.0f} KB")
    return 0


def _bench_marts(args: argparse.Namespace) -> int:
    import tempfile

    from pipelines import marts_bench

    if args.reports < 1:
        return _fail("--reports", "must be at least 1")
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        print(marts_bench.format_bench(marts_bench.run(args.reports, args.dir)))
        return 0
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        print(marts_bench.format_bench(marts_bench.run(args.reports, Path(tmp))))
    return 0


# --- gongkai rules run|show|bench|measure|gx-compare (pipelines/quality/cli.py) ------------------

def _rules_arguments(p: argparse.ArgumentParser) -> None:
    from pipelines.quality import cli as rules_cli

    rules_cli.add_arguments(p)


def cmd_rules(args: argparse.Namespace) -> int:
    from pipelines.quality import cli as rules_cli

    return rules_cli.run(args)


def _synth_arguments(p: argparse.ArgumentParser) -> None:
    from pipelines.synth.cli import add_arguments
    add_arguments(p)


def cmd_synth(args: argparse.Namespace) -> int:
    from pipelines.synth.cli import run
    return run(args)


SUBCOMMANDS: dict[str, Subcommand] = {
    "synth": Subcommand("generate a synthetic corpus with known truth and injected publisher errors",
                        _synth_arguments, cmd_synth),
    "bench": Subcommand("measure parsing accuracy against *.expected.json and HTML throughput, or mart speed",
                        _bench_arguments, cmd_bench),
    "run": Subcommand("parse the inbox and load the warehouse (the Dagster ingest assets)",
                      _run_arguments, cmd_run),
    "parse": Subcommand("parse one report file and print its JSON", _parse_arguments, cmd_parse),
    "rules": Subcommand("statutory consistency rules: run them into findings, show findings, benchmarks",
                        _rules_arguments, cmd_rules),
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
        if isinstance(stream, io.TextIOWrapper) and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
