"""`gongkai bench accuracy DIR`: parse every report that has an `*.expected.json` and score it
the way shared/spec/report-json.md scores (null ≡ 0), per file and per medium; plus parse
throughput per medium on one core."""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.model import ParsedReport, UnreadableInput
from pipelines.parsing.parse import parse_bytes


@dataclass
class FileScore:
    name: str
    medium: str
    cells_total: int = 0
    cells_correct: int = 0
    fields_correct: dict[str, bool] = field(default_factory=dict)
    # cell, expected, got, marked uncertain, where the parser read it (page / table, row, column)
    wrong: list[tuple[str, Any, Any, bool, str]] = field(default_factory=list)
    error: str | None = None
    quirks: tuple[str, ...] = ()
    seconds: float = 0.0  # CPU seconds of the parse (scans: for the pages-per-second line)
    pages: int = 0  # pages of a scan

    @property
    def exact(self) -> bool:
        return (
            self.error is None
            and self.cells_correct == self.cells_total
            and all(self.fields_correct.values())
        )


def _eq(a: Any, b: Any) -> bool:
    a = 0 if a is None else a
    b = 0 if b is None else b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(float(a) - float(b)) < 1e-9
    return bool(a == b)


def score(
    expected: dict[str, Any], report: ParsedReport | None, name: str, medium: str, error: str | None = None
) -> FileScore:
    fs = FileScore(name, medium, quirks=tuple(expected.get("quirks", ())))
    exp_cells: dict[str, Any] = expected["cells"]
    fs.cells_total = len(exp_cells)
    if report is None:
        fs.error = error
        fs.fields_correct = {"agency": False, "year": False, "format_version": False}
        fs.wrong = [(cid, v, None, False, "") for cid, v in exp_cells.items()]
        return fs
    got = report.contract()
    for cid, v in exp_cells.items():
        g = got["cells"].get(cid)
        if _eq(v, g):
            fs.cells_correct += 1
        else:
            pc = report.cells.get(cid)
            fs.wrong.append(
                (cid, v, g, bool(pc and pc.uncertain), _where(pc.provenance.as_dict() if pc else {}))
            )
    for key in ("agency", "year", "format_version"):
        fs.fields_correct[key] = got[key] == expected.get(key)
    return fs


def _where(prov: dict[str, Any]) -> str:
    parts = [f"page {prov['page']}"] if "page" in prov else []
    parts += [f"{k} {prov[k]}" for k in ("table", "row", "col") if k in prov]
    return ", ".join(parts)


def medium_of(path: Path) -> str:
    suffix = path.suffix.lower()
    name = path.name
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".docx":
        return "docx"
    if suffix in (".doc", ".wps"):
        return "doc"
    if suffix == ".md" or name.startswith("kiro_"):
        return "markdown"
    if name.startswith("seed_"):
        return "pipe-text"
    if name.startswith("pingtan_"):
        return "crawler-dump"
    return "text"


def run_accuracy(directory: Path, limit: int | None = None) -> list[FileScore]:
    from pipelines.parsing.ocr.series import group, parse_series

    series = {names[0]: names for names in group([p.name for p in directory.iterdir()])}
    scores = []
    for exp_path in sorted(directory.glob("*.expected.json"))[:limit]:
        src = exp_path.with_name(exp_path.name[: -len(".expected.json")])
        if not src.exists():
            continue
        expected = json.loads(exp_path.read_text(encoding="utf-8"))
        medium = expected.get("medium_label") or medium_of(src)
        pages = [directory / n for n in series.get(src.name, [src.name])]
        start = cpu_seconds()
        try:
            report = parse_series(pages) if len(pages) > 1 else parse_bytes(src.read_bytes(), src.name)
            fs = score(expected, report, src.name, medium)
        except UnreadableInput as e:
            fs = score(expected, None, src.name, medium, str(e))
        fs.seconds = cpu_seconds() - start
        if medium == "scan":
            fs.pages = page_count(pages)
        scores.append(fs)
    return scores


def cpu_seconds() -> float:
    """CPU time of this process and of the child processes it waited for (an OCR engine run as a
    program): the time of one core, whatever else the machine runs."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def page_count(paths: list[Path]) -> int:
    """Pages of a scan's files (PDF pages, TIFF frames, one per other image)."""
    n = 0
    for p in paths:
        if p.suffix.lower() == ".pdf":
            import pypdfium2 as pdfium

            doc = pdfium.PdfDocument(p)
            n += len(doc)
            doc.close()
        elif p.suffix.lower() in (".tif", ".tiff"):
            from PIL import Image

            with Image.open(p) as img:
                n += getattr(img, "n_frames", 1)
        else:
            from PIL import Image

            with Image.open(p) as img:  # a long image of stacked A4 pages counts each
                w, h = img.size
            n += max(1, round(h / (1.414 * w)))
    return n


def scan_speed(scores: list[FileScore]) -> str | None:
    """Pages per second on one core over the scans, and the slowest report per 5 pages."""
    scans = [s for s in scores if s.pages]
    if not scans:
        return None
    pages = sum(s.pages for s in scans)
    seconds = sum(s.seconds for s in scans)
    worst = max(scans, key=lambda s: s.seconds / s.pages)
    return (
        f"scan OCR speed (CPU time of one core): {pages / seconds:.2f} pages/s over {len(scans)} reports, {pages} pages "
        f"in {seconds:.1f} s; a 5-page report takes {5 * seconds / pages:.1f} s on average, "
        f"{5 * worst.seconds / worst.pages:.1f} s at the slowest ({worst.name})"
    )


def format_report(scores: list[FileScore], show_wrong: int = 20) -> str:
    lines = [f"{'file':48} {'medium':13} {'cells':>11} {'acc%':>7} agency year fmt  wrong(uncertain)"]
    for s in scores:
        acc = 100.0 * s.cells_correct / s.cells_total if s.cells_total else 0.0
        f = s.fields_correct
        unc = sum(1 for w in s.wrong if w[3])
        lines.append(
            f"{s.name:48} {s.medium:13} {s.cells_correct:>5}/{s.cells_total:<5} {acc:7.2f} "
            f"{'ok' if f.get('agency') else 'NO':6} {'ok' if f.get('year') else 'NO':4} "
            f"{'ok' if f.get('format_version') else 'NO':4} {len(s.wrong)}({unc})"
            + (f"  ERROR: {s.error}" if s.error else "")
            + (f"  {s.pages} pages {s.seconds:.1f} s" if s.pages else "")
        )
        for cid, exp, got, uncertain, where in s.wrong[:show_wrong]:
            lines.append(
                f"    {cid}: expected {exp!r} got {got!r}{' (marked uncertain)' if uncertain else ''}"
                f"{f' [{where}]' if where else ' [not found in the source]'}"
            )
    by_medium: dict[str, list[FileScore]] = defaultdict(list)
    for s in scores:
        by_medium[s.medium].append(s)
    for quirk in sorted({q for s in scores for q in s.quirks}):
        by_medium[f"quirk:{quirk}"] = [s for s in scores if quirk in s.quirks]
    lines.append("")
    lines.append(
        f"{'medium':24} {'files':>5} {'exact':>5} {'cells%':>8} {'agency%':>8} {'year%':>6} "
        f"{'fmt%':>6} {'wrong':>6} {'unmarked':>8}"
    )
    for medium, group in sorted(by_medium.items()):
        tot = sum(s.cells_total for s in group)
        ok = sum(s.cells_correct for s in group)
        n = len(group)

        def pct(key: str, group: list[FileScore] = group, n: int = n) -> float:
            return 100.0 * sum(1 for s in group if s.fields_correct.get(key)) / n

        wrong = sum(len(s.wrong) for s in group)
        unmarked = sum(1 for s in group for w in s.wrong if not w[3])
        lines.append(
            f"{medium:24} {n:>5} {sum(s.exact for s in group):>5} {100.0 * ok / tot:8.3f} "
            f"{pct('agency'):8.1f} {pct('year'):6.1f} {pct('format_version'):6.1f} {wrong:>6} "
            f"{unmarked:>8}"
        )
    return "\n".join(lines)


def parse_throughput(paths: list[Path], seconds: float = 3.0) -> tuple[float, int]:
    """Reports per second of CPU time for the full parse (read + map) of the files, on this one
    core: what a core does, however busy the machine is (wall-clock time swings with the load)."""
    blobs = [(p.read_bytes(), p.name) for p in paths]
    if not blobs:
        return 0.0, 0
    n = 0
    start = time.process_time()
    while time.process_time() - start < seconds:
        for data, name in blobs:
            parse_bytes(data, name)
            n += 1
    elapsed = time.process_time() - start
    size = sum(len(d) for d, _ in blobs) // len(blobs)
    return n / elapsed, size
