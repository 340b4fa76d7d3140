"""Image files that are the pages of one report, and reading them as one report.

Naming convention: files in the same folder with the same image type (JPEG, PNG or TIFF) whose
names differ only in a page number at the end of the stem, written after `_`, `-` or a space,
optionally as `p`/`page`/`第…页`, numbered 1..n (or 0..n-1) without gaps, n ≥ 2:

    报告_1.jpg 报告_2.jpg            name-p1.png name-p2.png            name 第1页.jpg name 第2页.jpg

A year is not a page number (`organ_2023.jpg`, `organ_2024.jpg` are two reports): numbers run
from 0 or 1 without gaps and have at most three digits. Every other image file is a report of
its own. A series is one report whose content hash is the hash of its pages' hashes in order.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from pipelines.model import ParsedReport, UnreadableInput
from pipelines.parsing.ocr.images import IMAGE_SUFFIXES

_PAGE = re.compile(r"^(?P<base>.*?)(?:[-_ ]+(?:p|page|第)?|(?:p|page|第))(?P<num>\d{1,3})页?$", re.IGNORECASE)
_KIND = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".tif": "tiff", ".tiff": "tiff"}


def page_key(name: str) -> tuple[str, int] | None:
    """(series key, page number) for a file name that reads as a page of a series, else None."""
    p = PurePosixPath(name)
    kind = _KIND.get(p.suffix.lower())
    if kind is None:
        return None
    m = _PAGE.match(p.stem)
    if not m or not m.group("base").strip(" -_"):
        return None
    return f"{p.parent}/{m.group('base').rstrip(' -_')}|{kind}", int(m.group("num"))


def group(names: Sequence[str]) -> list[list[str]]:
    """The series among `names` (inbox-relative, posix), each as its page names in page order.
    Names that are not pages of a series are left out."""
    candidates: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for name in names:
        key = page_key(name)
        if key:
            candidates[key[0]].append((key[1], name))
    out: list[list[str]] = []
    for pages in candidates.values():
        pages.sort()
        numbers = [n for n, _ in pages]
        start = numbers[0]
        if len(pages) >= 2 and start in (0, 1) and numbers == list(range(start, start + len(pages))):
            out.append([name for _, name in pages])
    return sorted(out)


def series_hash(page_hashes: Sequence[str]) -> str:
    """The content hash of a series: sha256 over its pages' hashes in page order."""
    return hashlib.sha256("\n".join(["series", *page_hashes]).encode()).hexdigest()


def parse_series(paths: Sequence[Path]) -> ParsedReport:
    """The page images of one report, in order -> ParsedReport (medium "scan")."""
    from pipelines.parsing.ocr.images import MAX_PAGES
    from pipelines.parsing.parse import size_problem

    if len(paths) > MAX_PAGES:
        raise UnreadableInput(f"series of {len(paths)} page images: OCR reads at most {MAX_PAGES} pages")
    files: list[tuple[bytes, str]] = []
    for p in paths:
        try:
            problem = size_problem(p.stat().st_size)
            if problem:
                raise UnreadableInput(f"{p.name}: {problem}")
            files.append((p.read_bytes(), p.name))
        except OSError as e:
            raise UnreadableInput(f"cannot read file {p.name}: {e.strerror or e}") from None
    return parse_pages(files)


def parse_pages(files: Sequence[tuple[bytes, str]]) -> ParsedReport:
    """The page images of one report as (bytes, file name), in order -> ParsedReport (medium "scan")."""
    from pipelines.parsing.ocr.images import MAX_PAGES
    from pipelines.parsing.ocr.reader import read_images
    from pipelines.parsing.parse import parse_document

    if len(files) > MAX_PAGES:
        raise UnreadableInput(f"series of {len(files)} page images: OCR reads at most {MAX_PAGES} pages")
    return parse_document(read_images(list(files)))


def is_image(name: str) -> bool:
    return Path(name).suffix.lower() in IMAGE_SUFFIXES
