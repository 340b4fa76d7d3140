"""The site at national size (issue 16): organ pages stay small (the earlier years' tables are compact
cells drawn by static/site.js, the report text is the latest report's), a new statistics year redraws
only the pages that show a report of it, and a build with nothing changed rewrites nothing."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipelines import layout
from pipelines.site import tables
from pipelines.site.build import build_site
from pipelines.site.data import Finding
from pipelines.site.pages import organ
from tests.conftest import SAMPLES, run_nightly

# a district government, two of its bureaus, seven years each: enough for a parent and a new year
KEEP = ("320903-finance_", "320903-commerce_", "320903-gov_")


def small_inbox(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for p in sorted(SAMPLES.iterdir()):
        if p.name.startswith(KEEP) and p.suffix in (".txt", ".md", ".html"):
            shutil.copy(p, dest / p.name)
    return dest


def files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def organ_years(site: Path) -> list[int]:
    text = (site / organ.ASSET).read_text(encoding="utf-8")
    shared = json.loads(text.removeprefix("window.GONGKAI_ORGAN = ").rstrip().rstrip(";"))
    return list(shared["years"])


def page_of(wh: Path, name: str) -> str:
    with duckdb.connect(str(wh), read_only=True) as con:
        row = con.execute("SELECT agency_id FROM dim_agency WHERE name LIKE ?", [f"%{name}%"]).fetchone()
    assert row is not None, name
    return f"organ/{row[0]}.html"


def test_encoded_cells_decode_to_the_cells_drawn() -> None:
    """site.js draws an earlier year from tables.encode; decode (what the script does, checked in the
    browser test) gives back every cell: text, class, note and finding numbers."""
    labels = {(s.cell_id, s.format): (s.row_label, s.col_label) for s in layout.CELLS}
    ids = [s.cell_id for s in layout.CELLS if s.format == "F2021"]
    cells: dict[str, tuple[Any, ...]] = {}
    for i, cid in enumerate(ids[:-3]):  # the last three are not in the report
        kind, raw = [("number", str(i)), ("blank", ""), ("dash", "—"), ("number", "12")][i % 4]
        cells[cid] = (i, raw, kind, i % 29 == 0, "连在一起印出" if i % 29 == 0 else None)
    finding = Finding("r", "T3-R1", "error", (ids[5], ids[6]), 1.0, 2.0, 1.0, "总计 1 ≠ 2 <b>", "f")
    drawn = tables.build("F2021", cells, [finding], labels)
    flat = [c for t in drawn for row in t.rows for c in row.cells]
    encoded = tables.encode(drawn)
    assert tables.decode(json.loads(json.dumps(encoded))) == flat
    assert None in encoded and 0 in encoded and "12" in encoded  # absent, blank and plain cells are short
    html = str(tables.row_html(tables.Row((), tuple(flat)), 2021))
    assert len(json.dumps(encoded, ensure_ascii=False)) < len(html) / 2


@pytest.mark.slow
def test_a_new_year_redraws_only_the_pages_that_show_it(tmp_path: Path) -> None:
    inbox, wh, site = small_inbox(tmp_path / "inbox"), tmp_path / "wh.duckdb", tmp_path / "site"

    def night() -> Any:
        return (
            run_nightly(inbox, wh, tmp_path, site).asset_materializations_for_node("static_site")[0].metadata
        )

    night()
    before = files(site)
    assert max(organ_years(site)) == 2025
    finance, commerce, gov = (page_of(wh, n) for n in ("财政局", "商务局", "盐都区人民政府"))
    # the site built again from the same warehouse rewrites nothing: every file is the same one
    inodes = {p: p.stat().st_ino for p in site.rglob("*")}
    assert build_site(wh, site).organ_pages_rendered == 0
    assert files(site) == before and {p: p.stat().st_ino for p in site.rglob("*")} == inodes

    # the finance bureau publishes the first report of 2026
    text = (SAMPLES / "320903-finance_2025.txt").read_text(encoding="utf-8").replace("2025年度", "2026年度")
    (inbox / "320903-finance_2026.txt").write_text(text, encoding="utf-8")
    meta = night()
    after = files(site)
    assert max(organ_years(site)) == 2026
    changed = sorted(p for p in after if p.startswith("organ/") and before.get(p) != after[p])
    # its page and its government's (which lists its subordinates year by year), not the commerce bureau's
    assert finance in changed and commerce not in changed and set(changed) <= {finance, gov}
    assert meta["organ_pages_rendered"].value == len(changed)
    assert 'id="y2026"' in after[finance].decode() and "2026" not in re.sub(
        r"\d{4}-\d\d-\d\d", "", after[commerce].decode()
    )
    # the commerce bureau's missing 2026 is drawn by the script from the site's years
    assert re.search(r"data-last=\"20\d\d\"", after[commerce].decode())
    # and the site is what a full build writes
    assert files(site) == files(build_site(wh, tmp_path / "full", full=True).out_dir)
