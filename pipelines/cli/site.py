"""`gongkai site build|bench`.

    gongkai site build [--warehouse FILE] [--out DIR] [--source-base-url URL]
    gongkai site bench [--organs 1000] [--years 2019-2025] [--dir DIR] [--warehouse FILE]

`build` writes the site from the published warehouse as it is (the nightly run, `gongkai run`,
builds it after every load anyway); `bench` times the build for a synthetic 1,000-organ warehouse.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HELP = "write the static dashboards for oversight staff (data/site), or time their build"


def _years(text: str) -> range:
    first, _, last = text.partition("-")
    try:
        return range(int(first), int(last or first) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"years as 2019-2025 or 2023, not {text!r}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="site_command", required=True, metavar="ACTION")
    b = sub.add_parser("build", help="write the site from the published warehouse")
    b.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="DuckDB warehouse (default: $GONGKAI_WAREHOUSE or data/warehouse.duckdb)",
    )
    b.add_argument("--out", type=Path, default=None, help="site folder (default: $GONGKAI_SITE or data/site)")
    b.add_argument(
        "--source-base-url",
        default=None,
        help="link each report's file name to this URL + the file name (default: no links)",
    )
    b.add_argument(
        "--full",
        action="store_true",
        help="render every organ page, even those unchanged since the site in --out was built",
    )
    b.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes drawing organ pages (default: $GONGKAI_WORKERS or one per core)",
    )
    s = sub.add_parser("bench", help="time the site build for ~1,000 organs × 7 years (budget 60 s)")
    s.add_argument("--organs", type=int, default=1000, help="organs in the synthetic corpus (default 1000)")
    s.add_argument("--years", type=_years, default=range(2019, 2026), help="e.g. 2019-2025 (default)")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--dir", type=Path, default=None, help="work folder to keep (default: a temporary one)")
    s.add_argument("--warehouse", type=Path, default=None, help="time the site for this warehouse instead")


def run(args: argparse.Namespace) -> int:
    return _build(args) if args.site_command == "build" else _bench(args)


def _build(args: argparse.Namespace) -> int:
    from pipelines.settings import Settings
    from pipelines.site.build import build_site
    from pipelines.site.data import MissingTables
    from pipelines.warehouse.schema import SchemaError

    if args.workers is not None and args.workers < 0:
        print("gongkai: --workers: must be 0 or more", file=sys.stderr)
        return 2
    settings = Settings.load(
        warehouse=args.warehouse, site=args.out, source_base_url=args.source_base_url, workers=args.workers
    )
    wh = settings.warehouse
    if not wh.exists():
        print(f"gongkai: {wh}: no warehouse; load reports first (gongkai run)", file=sys.stderr)
        return 2
    try:
        result = build_site(
            wh,
            settings.site,
            source_base_url=settings.source_base_url,
            full=args.full,
            workers=settings.workers,
        )
    except (ValueError, MissingTables, SchemaError) as e:
        print(f"gongkai: {e}", file=sys.stderr)
        return 2
    print(
        f"site written to {result.out_dir}: {len(result.pages)} pages for {result.organs} organs "
        f"({result.organ_pages_rendered} organ pages rendered, the others unchanged since the last build), "
        f"{(sum(result.pages.values()) + sum(result.assets.values())) / 1e6:.1f} MB, in {result.seconds:.1f} s; "
        f"open {result.out_dir / 'index.html'}"
    )
    return 0


def _bench(args: argparse.Namespace) -> int:
    from pipelines.bench import site as bench

    if args.organs < 1:
        print("gongkai: --organs must be at least 1", file=sys.stderr)
        return 2
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        b = bench.run(
            args.dir, organs=args.organs, years=args.years, seed=args.seed, warehouse=args.warehouse
        )
    else:
        with tempfile.TemporaryDirectory(prefix="gongkai-site-bench-") as tmp:
            b = bench.run(
                Path(tmp), organs=args.organs, years=args.years, seed=args.seed, warehouse=args.warehouse
            )
    print(bench.format_bench(b))
    return 0 if b.result.seconds < bench.BUDGET_SECONDS and not b.oversized else 1
