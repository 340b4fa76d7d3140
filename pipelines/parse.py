"""File -> ParsedReport: pick the reader by content, then map. (Being written; interface is stable.)"""

from __future__ import annotations

from pathlib import Path

from pipelines.model import ParsedReport, UnreadableInput

__all__ = ["parse_bytes", "parse_file", "UnreadableInput", "PARSER_VERSION"]

# Bumped whenever parsing output may change; stored with every parsed report.
PARSER_VERSION = "0.1.0"


def parse_bytes(data: bytes, filename: str) -> ParsedReport:
    raise UnreadableInput("parser not implemented yet")


def parse_file(path: str | Path) -> ParsedReport:
    p = Path(path)
    return parse_bytes(p.read_bytes(), p.name)
