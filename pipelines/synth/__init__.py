"""A synthetic corpus of 政府信息公开工作年度报告 with known truth (issue 3).

`generate(out, organs, years, seed)` writes reports of a realistic administrative hierarchy in
every medium the project reads (HTML in four site styles, the seed's pipe text, crawler dumps,
markdown, Word, PDF), each with its `*.expected.json`, plus `manifest.json` (every injected
publisher error, by rule of FORMAT.md §6) and `organs.json` (the hierarchy).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["generate"]


def generate(
    out: Path,
    organs: int,
    years: range,
    seed: int,
    media: dict[str, float] | None = None,
    error_rate: float = 0.1,
    quirk_rates: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Write a corpus of `organs` organs × `years` to `out` and return statistics (report counts,
    seconds and reports per second per medium). `media`: weights per medium label (html,
    pipe-text, crawler-dump, markdown, docx, pdf; "text" spreads over the three text media);
    `error_rate`: share of reports with injected errors; `quirk_rates`: overrides of
    `corpus.DEFAULT_QUIRKS`."""
    from pipelines.synth.corpus import generate as _generate

    return _generate(Path(out), organs, years, seed, media, error_rate, quirk_rates)
