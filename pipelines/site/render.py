"""The Jinja environment and the few helpers every page shares: safe inline JSON, number formats
and page paths.

Everything a report printed (organ names, titles, section text, file names, cell text) is
untrusted: templates autoescape it, inline JSON escapes `<`, `>` and `&` so that no string can end
its <script> element, and text handed to Plotly is entity-escaped (`plot_text`) because Plotly
renders a subset of HTML tags in labels and hover text.
"""

from __future__ import annotations

import html
import json
import math
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from pipelines.site.tables import row_html

SITE_TITLE = "政府信息公开工作年度报告监测"
# Enough digits for a rate in percent or an amount in 万元; fewer would make the CSV lose what the
# report printed, more would make the output depend on DuckDB's summation order.
_SIGNIFICANT = 10
_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def clean(value: Any) -> Any:
    """A number made deterministic and JSON-friendly: NaN -> None, integral floats -> int."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return float(f"{value:.{_SIGNIFICANT}g}")
    return value


def pct(value: float | None) -> float | None:
    """A fraction as a percentage with one decimal, the unit every rate on the site is shown in."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return clean(round(value * 100, 1))


class RawJson(str):
    """JSON text that is already what `safe_json` would write for its value: no `<`, `>`, `&`, U+2028
    or U+2029 in it (data.encoded_cells writes such text for a report's cells)."""


def safe_json(value: Any) -> Markup:
    """JSON for a <script type="application/json"> element: no `</script>` or `<!--` can survive."""
    if isinstance(value, RawJson):
        return Markup(value)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Markup(text.translate(_JSON_ESCAPES))


def plot_text(text: str | None) -> str:
    """Text for a Plotly label: Plotly decodes entities after parsing its tags, so escaped text
    shows literally (an organ called <b>x</b> stays that, not bold)."""
    return html.escape(text or "", quote=False)


def fmt_num(value: Any) -> str:
    """A count or amount as people read it: thousands separated, no trailing .0, — for no data."""
    value = clean(value)
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def fmt_pct(value: Any) -> str:
    value = clean(value)
    return "—" if value is None else f"{value:.1f}%"


def fmt_cell(value: Any, kind: str) -> str:
    if kind == "pct":
        return fmt_pct(value)
    if kind in ("int", "num"):
        return fmt_num(value)
    return "" if value is None else str(value)


def value_cells(columns: Sequence[Any], row: Sequence[Any]) -> Markup:
    """The <td>s of one row of a data table (templates/macros.html `data_table`), each value as its
    column's kind shows it: in Python rather than a Jinja macro per value, which was a fifth of an organ
    page's drawing. Written exactly as the macro `value_cell` in tests/test_site_cells.py does."""
    return Markup("".join([value_cell(c.kind, row[i]) for i, c in enumerate(columns)]))


_BLANK_TITLE = "报告此格空白，规则按 0 计"


def value_cell(kind: str, v: Any) -> str:
    """A number shows rounded, the full value one hover away; a value with a guessed cell in it is
    marked ≈ with why; 空白 is what the report printed (a blank the rule counted as 0)."""
    if kind == "link":
        name = escape(v[0])
        inner = f'<a href="{escape(v[1])}">{name}</a>' if v[1] else name
        return f'<td class="name" data-v="{name}">{inner}</td>'
    if kind == "text":
        return f"<td>{escape('' if v is None else v)}</td>"
    if kind == "file":
        return f'<td class="file">{escape(v)}</td>'
    if v is None:
        return '<td class="num" data-v="">—</td>'
    if isinstance(v, str):
        return f'<td class="num blank" data-v="" title="{_BLANK_TITLE}">{escape(v)}</td>'
    if isinstance(v, Mapping):
        guessed = escape(fmt_cell(v["v"], kind))
        return (
            f'<td class="num guessed" data-v="{escape(v["v"])}" title="{escape(v["guess"])}">≈{guessed}</td>'
        )
    shown = fmt_cell(v, kind)
    if kind == "num" and shown != str(v):
        return f'<td class="num" data-v="{escape(v)}" title="{escape(v)}">{escape(shown)}</td>'
    return f'<td class="num" data-v="{escape(v)}">{escape(shown)}</td>'


def make_env() -> Environment:
    env = Environment(
        loader=PackageLoader("pipelines.site", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(json=safe_json, num=fmt_num, pct=fmt_pct, cell=fmt_cell)
    env.globals.update(site_title=SITE_TITLE, report_row=row_html, value_cells=value_cells)
    return env


class Writer:
    """Writes the pages of one build into a folder and remembers their sizes."""

    def __init__(self, root: Path, env: Environment, common: dict[str, Any]) -> None:
        self.root = root
        self.env = env
        self.common = common
        self.sizes: dict[str, int] = {}

    def page(self, path: str, template: str, **context: Any) -> None:
        depth = path.count("/")
        text = self.env.get_template(template).render(**self.common, root="../" * depth, path=path, **context)
        self.bytes(path, text.encode("utf-8"))

    def bytes(self, path: str, data: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # never write through a link into the previous build's page
        target.write_bytes(data)
        self.sizes[path] = len(data)

    def link(self, path: str, source: Path) -> None:
        """The previous build's page, unchanged: hard-linked (no read, no second copy on disk), or
        copied where the two folders cannot share a file."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.sizes[path] = target.stat().st_size

    def pages(self) -> Iterable[tuple[str, int]]:
        return ((p, n) for p, n in sorted(self.sizes.items()) if p.endswith(".html"))
