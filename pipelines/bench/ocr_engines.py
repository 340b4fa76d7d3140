"""`gongkai bench ocr DIR`: the OCR engines on the same scans, through the same reader, mapper
and digit check; cell accuracy first, speed second (docs/ocr.md keeps the evidence)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipelines.parsing.ocr.engine import Engine, RapidEngine, using


def _tesseract() -> Engine:
    from pipelines.parsing.ocr.tesseract import TesseractEngine

    return TesseractEngine()


ENGINES: dict[str, Callable[[], Engine]] = {"rapidocr": RapidEngine, "tesseract": _tesseract}


def compare(directory: Path, engines: list[str], limit: int | None) -> str:
    from pipelines.bench.accuracy import run_accuracy

    lines = [
        f"{'engine':32} {'reports':>7} {'exact':>5} {'cells%':>8} {'wrong':>6} {'unmarked':>8} "
        f"{'agency%':>7} {'pages':>5} {'pages/s':>7} {'s/5 pages':>9}"
    ]
    for key in engines:
        engine = ENGINES[key]()
        with using(engine):
            scores = [s for s in run_accuracy(directory, limit) if s.medium == "scan"]
        if not scores:
            continue
        total = sum(s.cells_total for s in scores)
        ok = sum(s.cells_correct for s in scores)
        wrong = sum(len(s.wrong) for s in scores)
        unmarked = sum(1 for s in scores for w in s.wrong if not w[3])
        agency = 100.0 * sum(1 for s in scores if s.fields_correct.get("agency")) / len(scores)
        pages = sum(s.pages for s in scores)
        seconds = sum(s.seconds for s in scores)
        lines.append(
            f"{engine.name:32} {len(scores):>7} {sum(s.exact for s in scores):>5} {100.0 * ok / total:8.3f} "
            f"{wrong:>6} {unmarked:>8} {agency:7.1f} {pages:>5} {pages / seconds:7.2f} {5 * seconds / pages:9.1f}"
        )
    return "\n".join(lines)


def rasterised(directory: Path, dpi: float, engines: list[str], show_wrong: int = 10) -> str:
    """The text-layer PDFs of `directory` (with their expected JSON) rasterised at `dpi` and read
    as scans: how OCR does on real reports, against the same labels as their text layers."""
    import json

    import numpy as np
    import pypdfium2 as pdfium

    from pipelines.bench.accuracy import cpu_seconds, score
    from pipelines.model import UnreadableInput
    from pipelines.parsing.ocr.reader import document, read_pages
    from pipelines.parsing.parse import parse_document

    lines: list[str] = []
    for key in engines:
        engine = ENGINES[key]()
        lines.append(f"{engine.name}, pages rasterised at {dpi:.0f} dpi")
        for exp_path in sorted(directory.glob("*.pdf.expected.json")):
            src = exp_path.with_name(exp_path.name[: -len(".expected.json")])
            expected = json.loads(exp_path.read_text(encoding="utf-8"))
            pdf = pdfium.PdfDocument(src)
            images = []
            for i in range(len(pdf)):
                arr = pdf[i].render(scale=dpi / 72.0).to_numpy()
                images.append((np.ascontiguousarray(arr[:, :, :3]), dpi))
            pdf.close()
            start = cpu_seconds()
            with using(engine):
                try:
                    report = parse_document(document(read_pages(images)))
                    fs = score(expected, report, src.name, "scan")
                except UnreadableInput as e:
                    fs = score(expected, None, src.name, "scan", str(e))
            seconds = cpu_seconds() - start
            unmarked = sum(1 for w in fs.wrong if not w[3])
            lines.append(
                f"  {src.name:36} {fs.cells_correct:>4}/{fs.cells_total:<4} "
                f"{100.0 * fs.cells_correct / fs.cells_total:7.2f}%  wrong {len(fs.wrong)} (unmarked {unmarked})  "
                f"agency {'ok' if fs.fields_correct.get('agency') else 'NO'}  year "
                f"{'ok' if fs.fields_correct.get('year') else 'NO'}  {len(images)} pages {seconds:.1f} s"
                + (f"  ERROR: {fs.error}" if fs.error else "")
            )
            for cid, exp, got, uncertain, where in fs.wrong[:show_wrong]:
                lines.append(
                    f"      {cid}: expected {exp!r} got {got!r}{' (marked uncertain)' if uncertain else ''}"
                    f" [{where}]"
                )
    return "\n".join(lines)
