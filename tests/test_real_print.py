"""The real HTML reports of ../shared/corpus/real as an archivist saves them: printed to PDF by
Chromium with its own print header and footer, and opened and saved as .docx and .doc by
LibreOffice. Each must read exactly like the page it came from: every cell, organ, year and format
(slow: about ten seconds)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipelines.bench.accuracy import run_accuracy
from pipelines.synth import render_print

pytestmark = pytest.mark.slow


def test_real_pages_printed_and_converted(real_dir: Path, tmp_path: Path) -> None:
    if render_print.chromium_path() is None or render_print.soffice_path() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Chromium and LibreOffice (scripts/install-system-packages.sh)")
        pytest.skip("needs Chromium and LibreOffice: run scripts/install-system-packages.sh")
    pages = sorted(real_dir.glob("*.html"))
    assert pages
    for p in pages:
        (tmp_path / f"{p.stem}.pdf").write_bytes(render_print.print_file(p))
    for fmt in ("docx", "doc"):
        batch = {
            p.stem: render_print.Page(p.read_bytes(), p.stem, p.as_uri(), (2026, 1, 1, 9, 0)) for p in pages
        }
        for name, data in render_print.office(batch, fmt, {n: (2026, 1, 1) for n in batch}).items():
            (tmp_path / f"{name}.{fmt}").write_bytes(data)
    for path in list(tmp_path.iterdir()):
        # the label of the page is the label of its printout and of its Word copies
        shutil.copyfile(real_dir / f"{path.stem}.html.expected.json", tmp_path / f"{path.name}.expected.json")
    scores = run_accuracy(tmp_path)
    assert len(scores) == 3 * len(pages)
    for s in scores:
        print(f"{s.name:28} {s.medium:6} {s.cells_correct}/{s.cells_total} {s.fields_correct}")
        assert s.exact, (s.name, s.error, s.fields_correct, s.wrong[:5])
