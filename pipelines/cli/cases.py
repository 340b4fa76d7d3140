"""`gongkai cases …`: the findings as cases an office works through. `import` reads a findings workbook
staff filled in (findings.xlsx from the site, saved by Excel, WPS or LibreOffice), checks every row and
merges the decisions into data/decisions.csv; `show` lists the cases."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "findings as cases: import staff decisions from a filled-in findings workbook, list cases"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="cases_action", required=True, metavar="ACTION")
    imp = sub.add_parser(
        "import",
        help="read the decisions staff wrote into a findings workbook (处理意见/处理人/日期/处理说明) into data/decisions.csv",
        description="read a filled-in findings workbook (.xlsx, also saved by WPS or LibreOffice), check every "
        "row and merge its decisions into the decisions file; bad rows are listed with their row number",
    )
    imp.add_argument("file", type=Path, help="the workbook (.xlsx)")
    imp.add_argument(
        "--decisions",
        type=Path,
        default=None,
        help="decisions file to write (default: $GONGKAI_DATA/decisions.csv or data/decisions.csv)",
    )
    imp.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="warehouse whose case ids the rows are checked against (default: $GONGKAI_WAREHOUSE or "
        "data/warehouse.duckdb; not checked when there is none)",
    )
    imp.add_argument("--dry-run", action="store_true", help="check the workbook, write nothing")
    imp.set_defaults(cases_run=cmd_import)
    show = sub.add_parser("show", help="list cases (finding_case) with their state", description="list cases")
    show.add_argument("--warehouse", type=Path, default=None)
    show.add_argument(
        "--state",
        default=None,
        help="only this state: open, reopened, confirmed, explained, false_alarm, resolved",
    )
    show.set_defaults(cases_run=cmd_show)


def run(args: argparse.Namespace) -> int:
    code: int = args.cases_run(args)
    return code


def _known_cases(warehouse: Path) -> set[str] | None:
    """The case ids of the warehouse, or None when there is no warehouse to check against."""
    if not warehouse.is_file():
        return None
    import duckdb

    from pipelines.warehouse import db

    try:
        with db.connect(warehouse, read_only=True) as con:
            return {c for (c,) in con.execute("SELECT case_id FROM finding_case_log").fetchall()}
    except duckdb.Error:
        return None


def cmd_import(args: argparse.Namespace) -> int:
    from pipelines.rules import decisions
    from pipelines.settings import Settings

    settings = Settings.load(warehouse=args.warehouse)
    target = args.decisions or settings.decisions_file
    if not args.file.is_file():
        print(f"gongkai: {args.file}: no such file", file=sys.stderr)
        return 2
    known = _known_cases(settings.warehouse)
    got = decisions.read_workbook(args.file, known)
    for p in got.problems:
        print(f"gongkai: {args.file.name}: {p.problem_zh}", file=sys.stderr)
    if got.problems and got.problems[0].line == 0:  # the workbook itself could not be read
        return 2
    existing, file_problems = decisions.load(target)
    merged = decisions.merge(existing, got.decisions)
    before = {e.case_id: e for e in existing}

    def same(a: decisions.Decision, b: decisions.Decision) -> bool:
        return (a.decision, a.who, a.decided_on, a.note) == (b.decision, b.who, b.decided_on, b.note)

    changed = sum(1 for d in got.decisions if d.case_id not in before or not same(before[d.case_id], d))
    if not args.dry_run:
        # rows of the old file that it cannot use stay as they were, after the others: never dropped
        kept = decisions.raw_rows(target, {p.line for p in file_problems if p.line > 1})
        decisions.write(target, merged, kept)
        if kept:
            print(
                f"gongkai: {target}: kept {len(kept)} rows it cannot use as they were; fix them by hand",
                file=sys.stderr,
            )
    print(
        f"{args.file.name}: {got.rows} cases read, {len(got.decisions)} decisions ({changed} new or changed), "
        f"{len(got.problems)} rows rejected"
        + (f"; {'would write' if args.dry_run else 'wrote'} {target} ({len(merged)} decisions)")
        + ("" if known is not None else "; case ids not checked (no warehouse)")
    )
    return 1 if got.problems else 0


def cmd_show(args: argparse.Namespace) -> int:
    from pipelines.settings import Settings
    from pipelines.warehouse import db

    settings = Settings.load(warehouse=args.warehouse)
    if not settings.warehouse.is_file():
        print(f"gongkai: {settings.warehouse}: no such warehouse (run `gongkai run` first)", file=sys.stderr)
        return 2
    with db.connect(settings.warehouse, read_only=True) as con:
        rows = con.execute(
            """SELECT case_id, state, agency, year, message FROM finding_case
               WHERE ? IS NULL OR state = ? ORDER BY state, year DESC, agency, case_id""",
            [args.state, args.state],
        ).fetchall()
    for case_id, state, agency, year, message in rows:
        print(f"{case_id}\t{state}\t{agency}\t{year}\t{message}")
    return 0
