"""Plain-text media, as real pipelines leave them.

- pipe text (the seed's form): one line per table row, each `<td>` as `text | `, then one `|` per
  grid column the row does not start (rowspans, colspans); often NFKC-normalised throughout.
- crawler dump: a `标题: … / 发布时间 … / ==== 正文 ====` header, then the page text run together:
  table cells have no separators, so digits of neighbouring cells glue ("21710000218"), except
  where a cell carried a trailing space.
- markdown from a PDF/Word conversion: either one markdown table per statutory table with merged
  cells flattened (`grid`), or a heading and a small table per row group (`blocks`).
"""

from __future__ import annotations

import random
import unicodedata

from pipelines import layout
from pipelines.synth.report import Draft, Printed
from pipelines.synth.tables import Table, Words, grid, t3_labels
from pipelines.synth.tables import t3_columns as tb_columns
from pipelines.synth.text import Block


def _flat(text: str, sep: str = " ") -> str:
    return text.replace("\n", sep)


# --------------------------------------------------------------------------------------------
# pipe text


def pipe(d: Draft, blocks: list[Block], tables: dict[str, list[Table]]) -> bytes:
    lines: list[str] = []
    for b in blocks:
        if b.kind == "table":
            for t in tables[b.text]:
                for row in t.rows:
                    line = "".join(_flat(c.text) + " | " for c in row) + "|" * (t.ncols - len(row))
                    lines.append(line.rstrip())
        else:
            lines.append(b.text)
    text = "\n".join(lines)
    if d.style == "pipe-nfkc":
        text = unicodedata.normalize("NFKC", text)
    return text.encode("utf-8")


# --------------------------------------------------------------------------------------------
# crawler dump


def crawler(
    d: Draft,
    blocks: list[Block],
    tables: dict[str, list[Table]],
    title: str,
    date: str,
    url: str,
    rng: random.Random,
) -> bytes:
    spacing = d.style.split("-")[-1]  # glued, sparse, padded
    parts: list[str] = []
    for b in blocks:
        if b.kind == "table":
            parts.append(" " if rng.random() < 0.5 else "")
            for t in tables[b.text]:
                parts.append(_glue(t, spacing, rng))
            parts.append(" " if rng.random() < 0.4 else "")
        elif b.kind == "title":
            parts.append(b.text + " ")
        elif b.kind == "sign":
            parts.append(" " + b.text)
        else:
            parts.append(b.text)
    body = "".join(parts)
    local = url.split("/zwgk/", 1)[-1].rsplit("/", 1)[0]
    head = (
        f"标题: {title}\n发布时间: {date}\n文号: \n发布机构: \n栏目: 政府信息公开年报\n原文链接: {url}\n"
        f"本地目录: zwgk/{local}/{d.organ.id}_{title}\n页面链接与图片详见 links.tsv(同目录)\n"
        "==================== 正文 ====================\n"
    )
    return (head + body + "\n").encode("utf-8")


def _glue(t: Table, spacing: str, rng: random.Random) -> str:
    """A table's text as a browser's innerText without cell separators."""
    out: list[str] = []
    for row in t.rows:
        nums = [i for i, c in enumerate(row) if c.num]
        for i, c in enumerate(row):
            out.append(_flat(c.text, ""))
            if not c.num or i == nums[-1]:
                continue
            # a space survives where the cell's HTML ended in &nbsp; (never inside a number)
            if spacing == "padded" and i != nums[-2] or spacing == "sparse" and rng.random() < 0.12:
                out.append(" ")
    return "".join(out)


# --------------------------------------------------------------------------------------------
# markdown


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def _md_table(t: Table) -> list[str]:
    g = grid(t)
    lines = []
    for r, slots in enumerate(g):
        cells = []
        for c, slot in enumerate(slots):
            if slot is None:
                cells.append("")
                continue
            cell, r0, c0 = slot
            cells.append(_flat(cell.text) if (r0, c0) == (r, c) else "")
        lines.append(_md_row(cells))
        if r == 0:
            lines.append(_md_row(["---"] * t.ncols))
    return lines


def markdown(
    d: Draft, blocks: list[Block], tables: dict[str, list[Table]], p: dict[str, Printed], words: Words
) -> bytes:
    lines: list[str] = []
    for b in blocks:
        if b.kind == "title":
            lines += [f"# {b.text}", ""]
        elif b.kind == "h":
            lines += [f"## {b.text}", ""]
        elif b.kind == "table":
            if d.style == "md-blocks":
                lines += _blocks(d, b.text, tables[b.text], p, words)
            else:
                for t in tables[b.text]:
                    lines += [*_md_table(t), ""]
        else:
            lines += [b.text, ""]
    return "\n".join(lines).encode("utf-8")


def _blocks(d: Draft, kind: str, tables: list[Table], p: dict[str, Printed], words: Words) -> list[str]:
    """The converter that gives each row group its own heading and table (like kiro_shuyangxian)."""
    out: list[str] = []
    if kind == "t2":
        for t in tables:
            rows = list(t.rows)
            i = 0
            while i < len(rows):
                row = rows[i]
                if len(row) == 1:  # 第二十条 clause
                    out += [f"### {_flat(row[0].text)}"]
                    i += 1
                    continue
                block = [row]
                i += 1
                while i < len(rows) and len(rows[i]) > 1:
                    block.append(rows[i])
                    i += 1
                out.append(_md_row([_flat(c.text) for c in block[0]]))
                out.append(_md_row(["---"] * len(block[0])))
                out += [_md_row([_flat(c.text) for c in r]) for r in block[1:]]
                out.append("")
        return out
    order = tb_columns(d)
    cols = [layout.T3_COLS[i].label.split("·")[-1] for i in order]
    if kind == "t3":
        generic = words.rng.random() < 0.5
        head = (
            ["类别", *(f"数据{i + 1}" for i in range(6)), "总计"]
            if generic and order[-1] == 6
            else ["类别", *cols]
        )
        out += [words.w("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"), ""]
        labels = t3_labels(d.fmt, d.single_other, words)
        current: str | None = None
        for code, group, own in labels:
            heading = group or own
            if code == "granted":
                out += ["", "### 三、本年度办理结果"]
            if heading != current:
                out += ["", f"### {heading}", _md_row(head), _md_row(["---"] * 8)]
                current = heading
            vals = [p[f"t3.{code}.{layout.T3_COLS[i].code}"].text for i in order]
            out.append(_md_row([own, *vals]))
            if code == [x[0] for x in labels if x[1] == group][-1] and group in _subtotal_labels(d):
                g = _subtotal_labels(d)[group]
                out.append(
                    _md_row(
                        [
                            "小计",
                            *("" if d.subtotals[g][i] is None else str(d.subtotals[g][i]) for i in order),
                        ]
                    )
                )
        return [*out, ""]
    # t4: one small table per block
    heads = [lab for _, lab in layout.T4_COLS]
    for bcode, label in layout.T4_BLOCKS:
        words_ = label.split("·")
        name = words_[0] if len(words_) == 1 else f"{words_[0]}（{words_[1]}）"
        out += [
            f"### {name}",
            _md_row(heads),
            _md_row(["---"] * 5),
            _md_row([p[f"t4.{bcode}.{c}"].text for c, _ in layout.T4_COLS]),
            "",
        ]
    return out


def _subtotal_labels(d: Draft) -> dict[str, str]:
    return {layout.T3_GROUPS[g]: g for g in d.subtotals}
