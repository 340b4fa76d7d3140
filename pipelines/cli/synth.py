"""`gongkai synth`: write a synthetic corpus with known truth.

    gongkai synth --organs 200 --years 2019-2025 --seed 1 --out /tmp/corpus \
        [--media html=0.5,text=0.3,docx=0.1,pdf=0.1,printed-pdf=0.05] [--error-rate 0.1]
        [--quirks blank_for_zero=0.3]

Hook-up (pipelines/cli.py): `SUBCOMMANDS["synth"] = Subcommand(HELP, add_arguments, run)`, or
`add_parser(subparsers)` for a plain argparse tree.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

HELP = "generate a synthetic corpus of annual reports with expected JSON and an error manifest"


def _years(text: str) -> range:
    try:
        if "-" in text:
            a, b = text.split("-", 1)
            lo, hi = int(a), int(b)
        else:
            lo = hi = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"years as 2019-2025 or 2023, not {text!r}") from None
    if not 2019 <= lo <= hi <= 2100:
        raise argparse.ArgumentTypeError("years must run from 2019 (the first year of both formats) upwards")
    return range(lo, hi + 1)


def _rates(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected name=rate, not {part!r}") from None
    return out


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--organs", type=int, default=30, help="number of organs (default 30)")
    p.add_argument("--years", type=_years, default=range(2019, 2026), help="e.g. 2019-2025 (default)")
    p.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same bytes")
    p.add_argument("--out", type=Path, required=True, help="output folder (created)")
    p.add_argument(
        "--media",
        default=None,
        help="weights per medium: html, pipe-text (pipe), crawler-dump (crawler), markdown (md), "
        "docx, pdf, scan (scanned pages: image PDFs and image files); text = the three text media. "
        "Default html=0.5,pipe=0.1,crawler=0.15,md=0.1,docx=0.075,pdf=0.075. Opt-in, seconds per report: "
        "scan; printed-pdf (a site page printed by headless Chromium), office-docx and office-doc (the page "
        "converted by LibreOffice)",
    )
    p.add_argument("--error-rate", type=float, default=0.1, help="share of reports with publisher errors")
    p.add_argument(
        "--quirks",
        type=_rates,
        default=None,
        help="override quirk rates, e.g. blank_for_zero=0.3,rotated_page=0.5",
    )


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser("synth", help=HELP, description=HELP)
    add_arguments(p)
    p.set_defaults(func=run)
    return p


def format_stats(stats: dict[str, Any], out: Path) -> str:
    lines = [
        f"wrote {stats['reports']} reports of {stats['organs']} organs to {out} in {stats['seconds']:.1f} s; "
        f"{stats['errors']} injected errors (manifest.json)"
    ]
    lines.append(f"  {'medium':14} {'reports':>8} {'seconds':>8} {'reports/s':>10}")
    for medium, row in stats["by_medium"].items():
        lines.append(f"  {medium:14} {row['reports']:>8} {row['seconds']:>8.2f} {row['per_second']:>10.1f}")
    if stats["errors_by_rule"]:
        lines.append(
            "  errors by rule: " + ", ".join(f"{k} {v}" for k, v in sorted(stats["errors_by_rule"].items()))
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import sys

    from pipelines.synth.corpus import generate

    if args.organs < 1:
        print("gongkai synth: --organs must be at least 1", file=sys.stderr)
        return 2
    if not 0.0 <= args.error_rate <= 1.0:
        print("gongkai synth: --error-rate must be between 0 and 1", file=sys.stderr)
        return 2
    try:
        stats = generate(
            args.out, args.organs, args.years, args.seed, args.media, args.error_rate, args.quirks
        )
    except ValueError as e:
        print(f"gongkai synth: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"gongkai synth: {args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    except RuntimeError as e:  # Chromium or LibreOffice failed on a printed/office medium
        print(f"gongkai synth: {e}", file=sys.stderr)
        return 1
    print(format_stats(stats, args.out))
    return 0
