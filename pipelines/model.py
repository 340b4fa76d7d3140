"""The data passed between stages: what a reader produces and what the mapper makes of it.

Readers know media, the mapper knows the statutory format; these types are the only thing
they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Medium = Literal["html", "text", "pdf", "docx", "scan"]
CellKind = Literal["number", "blank", "dash", "text"]


class UnreadableInput(Exception):
    """Input that cannot be turned into a report; the message is the one-line reason shown to users
    and stored in the quarantine table."""


@dataclass(slots=True)
class GridCell:
    """One cell of a table grid as the source shows it.

    `row`/`col` are the position in the reader's grid (after rowspan/colspan expansion for media
    that have spans); `spanned` marks a copy made by that expansion, so a merged value is not
    counted twice. `glued` marks a run of digits a crawler dump printed without cell separators:
    the mapper splits it, since only the format knows how many cells it holds. `page`/`bbox` are
    set by the PDF reader (points) and the OCR reader (pixels of the page image).
    """

    text: str
    row: int
    col: int
    spanned: bool = False
    glued: bool = False
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    # the Grid.index of the table holding the cell; the mapper fills it in when a reader leaves it
    table: int | None = None
    # set by the OCR reader: the characters recognised in the cell (pipelines.parsing.ocr.engine.Glyph:
    # text, probability, alternatives), checked by pipelines.parsing.ocr.digits; bbox is then in pixels
    ocr: tuple[Any, ...] | None = None


@dataclass(slots=True)
class Grid:
    """A table as rows of cells. `index` is the table's position in the document (provenance)."""

    index: int
    rows: list[list[GridCell]]
    # False for media whose cells are in order but not column-aligned (pipe text, markdown,
    # crawler dumps): the mapper then reads value cells by order, not by column position.
    aligned: bool = True


@dataclass(slots=True)
class Document:
    """What a reader returns: the tables and the plain text of the report body."""

    medium: Medium
    tables: list[Grid]
    text: str
    title: str | None = None
    # Reader observations worth keeping (encoding guessed, pages, ...), shown in the report JSON.
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Provenance:
    table: int | None = None
    row: int | None = None
    col: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in (
                ("table", self.table),
                ("row", self.row),
                ("col", self.col),
                ("page", self.page),
                ("bbox", self.bbox),
            )
            if v is not None
        }


@dataclass(slots=True)
class ParsedCell:
    cell_id: str
    value: int | float | None
    raw: str | None
    kind: CellKind
    provenance: Provenance
    uncertain: bool = False
    # Why the cell is uncertain (e.g. the other splits of a glued digit run).
    note: str | None = None


@dataclass(slots=True)
class ParsedReport:
    agency: str | None
    year: int | None
    format_version: str  # "F2019" | "F2021" | "UNKNOWN"
    medium: Medium
    cells: dict[str, ParsedCell]
    sections: dict[str, str]  # section key ("s1".."s6") -> text
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Publisher-added 表三 小计 rows: outcome group ("denied", ...) -> its 7 cells as printed, with
    # cell_id "t3.subtotal_<group>.<column>" (not format cells: kept for rule T3-F3).
    subtotals: dict[str, list[ParsedCell]] = field(default_factory=dict)

    def contract(self) -> dict[str, Any]:
        """The report JSON of shared/spec/report-json.md (plus non-scored detail keys)."""
        return {
            "agency": self.agency,
            "year": self.year,
            "format_version": self.format_version,
            "cells": {cid: c.value for cid, c in self.cells.items()},
        }

    def as_json(self) -> dict[str, Any]:
        out = self.contract()
        out["medium"] = self.medium
        out["uncertain_cells"] = sorted(cid for cid, c in self.cells.items() if c.uncertain)
        out["cell_detail"] = {
            cid: {
                "raw": c.raw,
                "kind": c.kind,
                "uncertain": c.uncertain,
                "provenance": c.provenance.as_dict(),
                **({"note": c.note} if c.note else {}),
            }
            for cid, c in self.cells.items()
        }
        if self.subtotals:
            out["subtotals"] = {
                g: {c.cell_id.rsplit(".", 1)[1]: c.value for c in cells}
                for g, cells in self.subtotals.items()
            }
        out["sections"] = self.sections
        out["warnings"] = self.warnings
        return out
