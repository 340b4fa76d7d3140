"""`gongkai rules …`: run the consistency rules, show findings, and the benchmarks. Heavy modules
are imported inside the actions so that building the argument parser stays cheap."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HELP = "statutory consistency rules (FORMAT.md §6): run them, show findings, benchmarks"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="rules_action", required=True, metavar="ACTION")

    run = sub.add_parser(
        "run",
        help="evaluate every rule into the findings table, then validate with Great Expectations",
        description="evaluate every rule into findings",
    )
    _warehouse_arg(run)
    run.add_argument("--no-gx", action="store_true", help="skip the Great Expectations validation")
    run.add_argument(
        "--full",
        action="store_true",
        help="judge every report, not only those whose findings can have changed",
    )
    run.set_defaults(rules_run=cmd_run)

    show = sub.add_parser(
        "show",
        help="list findings (report_findings), optionally for one file",
        description="list findings, optionally for files whose name contains TEXT",
    )
    _warehouse_arg(show)
    show.add_argument("file", nargs="?", default=None, help="part of a source file name")
    show.add_argument(
        "--not-assessable", action="store_true", help="also list rules that could not be decided"
    )
    show.set_defaults(rules_run=cmd_show)

    bench = sub.add_parser(
        "bench",
        help="time every rule on N synthetic reports generated in DuckDB",
        description="time every rule on N synthetic reports generated in DuckDB",
    )
    bench.add_argument("--reports", type=int, default=100_000)
    bench.add_argument("--gx", action="store_true", help="also time the Great Expectations validation")
    bench.set_defaults(rules_run=cmd_bench)

    measure = sub.add_parser(
        "measure",
        help="precision and recall per rule on a synthetic corpus with injected errors (pipelines.synth)",
        description="precision and recall per rule against a synthetic corpus' manifest",
    )
    measure.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="an existing corpus folder with manifest.json (default: generate one)",
    )
    measure.add_argument("--organs", type=int, default=120)
    measure.add_argument("--seed", type=int, default=7)
    measure.add_argument(
        "--mode",
        choices=["printed", "parsed", "exact", "all"],
        default="all",
        help="printed: the cells as generated (measures the rules); parsed: through the "
        "parser (parser and rules together); exact: through the parser, scoring only "
        "findings that rest on files parsed exactly and without guesses",
    )
    measure.set_defaults(rules_run=cmd_measure)

    compare = sub.add_parser(
        "gx-compare",
        help="time GX's SQL (patched) and pandas datasources on the rules",
        description="time GX's SQL (patched) and pandas datasources on the rules",
    )
    compare.add_argument("--reports", type=int, default=20_000)
    compare.set_defaults(rules_run=cmd_gx_compare)


def _warehouse_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="DuckDB file (default: $GONGKAI_WAREHOUSE or data/warehouse.duckdb)",
    )


def run(args: argparse.Namespace) -> int:
    code: int = args.rules_run(args)
    return code


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines import rules
    from pipelines.settings import Settings
    from pipelines.warehouse.schema import SchemaError

    settings = Settings.load(warehouse=args.warehouse)
    if not settings.warehouse.exists():
        print(f"gongkai: {settings.warehouse}: no such warehouse (run `gongkai run` first)", file=sys.stderr)
        return 2
    try:
        result = rules.run(
            settings.warehouse, gx=not args.no_gx, decisions=settings.decisions_file, full=args.full
        )
    except SchemaError as e:
        print(f"gongkai: {settings.warehouse}: {e}", file=sys.stderr)
        return 2
    if result.gx_error:
        print(f"gongkai: Great Expectations validation did not run: {result.gx_error}", file=sys.stderr)
    print(format_run(result))
    return 0


def format_run(result: object) -> str:
    from pipelines.rules.engine import RunResult

    assert isinstance(result, RunResult)
    gx = any(r.gx_success is not None for r in result.rules)
    lines = [
        f"{'rule':7} {'severity':8} {'fail':>6} {'not assessable':>14} {'seconds':>8}"
        + (f" {'GX':>5} {'GX unexpected':>13}" if gx else "")
    ]
    for r in result.rules:
        gx_cols = ""
        if gx:
            ok = "-" if r.gx_success is None else ("pass" if r.gx_success else "fail")
            gx_cols = f" {ok:>5} {r.gx_unexpected if r.gx_unexpected is not None else '-':>13}"
        lines.append(
            f"{r.rule.id:7} {r.rule.severity:8} {r.fail:>6} {r.not_assessable:>14} {r.seconds:8.2f}{gx_cols}"
        )
    fails = sum(r.fail for r in result.rules)
    lines.append(
        f"{fails} findings, {sum(r.not_assessable for r in result.rules)} not assessable, "
        f"{result.seconds:.1f} s" + " — see the report_findings view or `gongkai rules show`"
    )
    if result.plan is not None:
        p = result.plan
        lines.append(
            ("full run: " if p.full else "changed since the last run: ")
            + f"{p.judged} of {p.delta.total} reports judged"
            + (f" in {p.slices} slices" if p.slices > 1 else "")
            + (f" (with {p.compared} reports they are compared with)" if p.compared else "")
            + (f", findings of {p.removed} removed reports dropped" if p.removed else "")
            + (" (GX validated the judged reports)" if gx and not p.full else "")
        )
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> int:
    from pipelines import warehouse
    from pipelines.settings import Settings

    wh_path = Settings.load(warehouse=args.warehouse).warehouse
    if not wh_path.exists():
        print(f"gongkai: {wh_path}: no such warehouse", file=sys.stderr)
        return 2
    con = warehouse.connect(wh_path, read_only=True)
    try:
        pattern = f"%{args.file}%" if args.file else "%"
        rows = con.execute(
            "SELECT source_file, year, rule_id, severity, message FROM report_findings "
            "WHERE source_file LIKE ? ORDER BY source_file, "
            "CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, rule_id, message",
            [pattern],
        ).fetchall()
        na = (
            con.execute(
                "SELECT source_file, year, rule_id, severity, reason FROM report_not_assessable "
                "WHERE source_file LIKE ? ORDER BY source_file, rule_id, reason",
                [pattern],
            ).fetchall()
            if args.not_assessable
            else []
        )
    finally:
        con.close()
    for file, year, rule, severity, message in rows:
        print(f"{file} ({year}) {rule} [{severity}] {message}")
    for file, year, rule, _severity, reason in na:
        print(f"{file} ({year}) {rule} [not assessable] {reason}")
    if not rows and not na:
        print("no findings")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from pipelines.bench import rules as bench

    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        res = bench.speed(args.reports, Path(tmp), gx=args.gx)
    print(bench.format_speed(res))
    return 0


def cmd_measure(args: argparse.Namespace) -> int:
    from pipelines.bench import measure

    modes = ["printed", "parsed", "exact"] if args.mode == "all" else [args.mode]
    with tempfile.TemporaryDirectory(prefix="gongkai-measure-") as tmp:
        corpus = args.corpus
        if corpus is None:
            try:
                from pipelines.synth import generate
            except ImportError:
                print("gongkai: pipelines.synth is not available; pass --corpus", file=sys.stderr)
                return 2
            corpus = Path(tmp) / "corpus"
            generate(corpus, organs=args.organs, years=range(2019, 2026), seed=args.seed)
        for mode in modes:
            scores = measure.measure(
                corpus, Path(tmp), "printed" if mode == "printed" else "parsed", only_exact=mode == "exact"
            )
            print(measure.format_scores(scores, f"{mode}: {corpus}"))
            print()
    return 0


def cmd_gx_compare(args: argparse.Namespace) -> int:
    from pipelines.bench import rules as bench

    with tempfile.TemporaryDirectory(prefix="gongkai-gx-") as tmp:
        print(bench.compare_gx_engines(args.reports, Path(tmp)))
    return 0
