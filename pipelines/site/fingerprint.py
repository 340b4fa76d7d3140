"""Whether anything the site is drawn from changed since the site in a folder was built: one digest of
the warehouse tables the site reads and of the code that draws it, computed by DuckDB in seconds (a
national warehouse's cells are not read), and kept in the site folder. A build whose digest is the
one the site was built from keeps that site as it is: nothing is loaded, drawn or written.

Every base table of the warehouse's main schema counts (count and an order-free sum of row hashes),
except the three fact tables of report contents: a report's cells, sections and subtotals are a
function of its bytes (report_id) and the parser version, which dim_report holds (the loader parses
a file again only under another parser version, and replaces its rows by report_id). The rules' work
tables (schema quality) are not read by the site.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

import duckdb

# In the site folder: the digest the site was built from.
FILE = "assets/site-inputs.json"
# Read by report_id through dim_report's (report_id, parser_version), not hashed row by row.
CONTENT_TABLES = ("fact_cell", "fact_section", "fact_subtotal")


def of(con: duckdb.DuckDBPyConnection, code: str, settings: object) -> str:
    """The digest of the warehouse as the site reads it, of the code that draws the site (`code`)
    and of the build's settings (a source link base, …)."""
    names = [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' ORDER BY table_name"
        ).fetchall()
        if name not in CONTENT_TABLES
    ]
    parts: list[object] = [code, repr(settings), metadata.version("plotly")]
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        row = con.execute(
            f"SELECT count(*), coalesce(sum(hash(_gk_row)::HUGEINT), 0) FROM main.{quoted} AS _gk_row"
        ).fetchone()
        parts.append((name, *(str(v) for v in row or ())))
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def built_from(site: Path) -> str | None:
    """The digest the site in `site` was built from; None when there is none (or it is unreadable)."""
    try:
        data = json.loads((site / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("inputs") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def content(digest: str) -> bytes:
    return json.dumps({"inputs": digest}).encode("utf-8")
