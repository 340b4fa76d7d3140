"""assets/search-index.js: what the search box in every page's header looks through (static/site.js).

A script, not a JSON file, so that it loads from a file:// folder too (a page cannot fetch() a local
file); it is loaded the first time the box gets the focus. Per region: its name with the places above
it, its page, the chain of place names and its pinyin initials. Per organ: its name, its page, its
region, the pinyin initials of its full name (places included: ycsdfqrmzf and dfqrmzf both find
盐城市大丰区人民政府), and the other names its reports print. The browser matches a query against the
name, the other names, the region, the initials, and the name with any of its places put in front
(盐城市大丰区人民政府 finds 大丰区人民政府; 盐城市人民政府 does not). Organs are listed by region code,
then pinyin, the order results are shown in.
"""

from __future__ import annotations

from typing import Any

from pipelines.site.data import Organ, SiteData
from pipelines.site.pages import regions as region_pages
from pipelines.site.render import Writer, safe_json

INDEX = "assets/search-index.js"


def payload(d: SiteData) -> dict[str, Any]:
    tree = region_pages.tree(d)
    order = sorted((r for r in tree.values() if r.code), key=lambda r: r.code or "")
    index = {r.code: i for i, r in enumerate(order)}
    regions: list[list[Any]] = []
    for r in order:
        chain_names = [c.name for c in region_pages.chain(tree, r) if c.code]
        regions.append(
            ["".join(chain_names), r.page, chain_names, d.spellings.initials("".join(chain_names))]
        )
    organs = []
    for o in d.organs.values():
        code = o.region_code if o.region_code in index else region_pages.of_organ(o)
        at = index.get(code, -1) if code else -1
        places: list[str] = list(regions[at][2]) if at >= 0 else []
        others = [n for n in o.names if n != o.name]
        organs.append([o.name, o.page, at, d.spellings.initials(_full_name(o, places)), "|".join(others)])
    return {"regions": regions, "organs": organs}


def _full_name(o: Organ, places: list[str]) -> str:
    """The name with the places above it that it leaves out: 江苏省盐城市 + 大丰区人民政府."""
    missing = [p for p in places if p not in o.name]
    return "".join(missing) + o.name


def write(w: Writer, d: SiteData) -> None:
    text = "window.GONGKAI_SEARCH = " + str(safe_json(payload(d))) + ";\n"
    w.bytes(INDEX, text.encode("utf-8"))
