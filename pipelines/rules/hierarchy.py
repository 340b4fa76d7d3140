"""Organ hierarchy for H-X1, from an `organs.json` (as the synthetic corpus writes it) into
`agency_parent`, until a region dimension exists.

Organs are matched to warehouse organs through their report files (organs.json lists them), not
through names: the id of an organ in the warehouse is the hash of the name its reports print, and
a name in a list may be written differently from the title the parser read.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines import identity


def load_organs(con: duckdb.DuckDBPyConnection, organs_json: Path, *, inbox: Path | None = None) -> int:
    """Replace the links that came from this file; returns links written.

    `inbox`: the folder the warehouse's file names are relative to (default: the file's folder).
    Only governments whose report covers their region (report_scope "region") get children.
    """
    organs_json = Path(organs_json)
    organs: list[dict[str, Any]] = json.loads(organs_json.read_text(encoding="utf-8"))
    base = Path(inbox) if inbox is not None else organs_json.parent
    try:
        prefix = organs_json.parent.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        prefix = "."
    prefix = "" if prefix == "." else prefix + "/"
    source = prefix + organs_json.name
    files = pl.DataFrame(
        [(o["id"], prefix + f) for o in organs for f in o.get("files", [])],
        schema={"organ_id": pl.Utf8, "file_name": pl.Utf8},
        orient="row",
    )
    con.register("_gk_organ_files", files)
    try:
        found = con.execute("""
            SELECT DISTINCT f.organ_id, r.agency_id
            FROM _gk_organ_files f JOIN dim_report r USING (file_name)
            WHERE r.agency_id IS NOT NULL""").fetchall()
    finally:
        con.unregister("_gk_organ_files")
    ids: dict[str, set[str]] = {}
    for key, agency in found:
        ids.setdefault(key, set()).add(agency)
    by_id = {o["id"]: o for o in organs}
    for o in organs:
        # an organ none of whose reports is loaded still takes part under the id of its name
        ids.setdefault(o["id"], {organ_id(o["name"])})
    links = sorted(
        {
            (child, parent, source)
            for o in organs
            if o.get("report_scope") == "region"
            for c in o.get("children", [])
            if c in by_id
            for child in ids[c]
            for parent in ids[o["id"]]
        }
    )
    con.begin()
    try:
        con.execute("DELETE FROM agency_parent WHERE source = ?", [source])
        if links:
            con.executemany("INSERT OR IGNORE INTO agency_parent VALUES (?, ?, ?)", [list(x) for x in links])
    except BaseException:
        con.rollback()
        raise
    con.commit()
    return len(links)


def load_inbox(con: duckdb.DuckDBPyConnection, inbox: Path) -> int:
    """Load every organs.json under the inbox; returns links written."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        return 0
    return sum(load_organs(con, p, inbox=inbox) for p in sorted(inbox.rglob("organs.json")))


def organ_id(name: str) -> str:
    """The agency id identity gives a name alone, else the hash of the name as written."""
    ident = identity.resolve(name)
    if ident is not None:
        return ident.agency_id
    return hashlib.sha256("".join(unicodedata.normalize("NFKC", name).split()).encode("utf-8")).hexdigest()[
        :16
    ]
