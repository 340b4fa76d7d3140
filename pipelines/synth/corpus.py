"""Generate a corpus: hierarchy → truth → printed values with errors → checked → rendered files.

Output folder:
- `<organ-id>_<year>.<ext>` — the reports (html, txt, md, docx, pdf);
- `<file>.expected.json` — what each file prints (report-json.md, plus medium_label, quirks,
  errors, facts stated in the text, and publisher 小计 rows where printed);
- `manifest.json` — every injected error: file, agency, year, rule_id, cells, description, and
  `also_breaks` (knock-on violations of other rules, e.g. next year's T3-X1);
- `organs.json` — the hierarchy: ids, names, kinds, sectors, parents, report scopes, children.

Everything random is drawn from `random.Random` seeded by strings derived from the seed and the
organ/year, so a report does not change when other organs are added and the same seed gives the
same bytes.
"""

from __future__ import annotations

import datetime
import html as html_lib
import json
import random
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from pipelines import layout
from pipelines.synth import (
    check,
    errors,
    furniture,
    names,
    numbers,
    render_docx,
    render_html,
    render_pdf,
    render_print,
    render_scan,
    render_text,
)
from pipelines.synth import tables as tb
from pipelines.synth import text as tx
from pipelines.synth.names import Organ
from pipelines.synth.report import Draft, Printed, Printer, expected_json, finalize

MEDIA = ("html", "pipe-text", "crawler-dump", "markdown", "docx", "pdf")
# Media only generated when asked for (--media scan=…, printed-pdf=…): a scan costs a rasterisation
# to make and OCR to read, a printed page or an office conversion seconds of a browser or LibreOffice,
# so corpora for other purposes leave them out.
OPT_IN_MEDIA = ("scan", *render_print.MEDIA)
DEFAULT_MEDIA = {
    "html": 0.5,
    "pipe-text": 0.1,
    "crawler-dump": 0.15,
    "markdown": 0.1,
    "docx": 0.075,
    "pdf": 0.075,
}
MEDIUM_ALIASES = {
    "pipe": "pipe-text",
    "seed": "pipe-text",
    "crawler": "crawler-dump",
    "dump": "crawler-dump",
    "md": "markdown",
    "word": "docx",
    "printed": "printed-pdf",
    "print": "printed-pdf",
    "office": "office-docx",
    "doc": "office-doc",
    "image": "scan",
}
# "text" in --media spreads its share over the three text media
TEXT_MEDIA = ("pipe-text", "crawler-dump", "markdown")
EXT = {
    "html": ".html",
    "pipe-text": ".txt",
    "crawler-dump": ".txt",
    "markdown": ".md",
    "docx": ".docx",
    "pdf": ".pdf",
    "printed-pdf": ".pdf",
    "office-docx": ".docx",
    "office-doc": ".doc",
    "scan": ".pdf",  # or images: render_scan.file_name
}

# Share of reports showing each quirk, among the reports whose medium can show it.
DEFAULT_QUIRKS: dict[str, float] = {
    "late_adopter": 0.06,  # a 2021+ report still in the F2019 format
    "mixed_format": 0.04,  # F2021 表二 with （六） as one row (leaf organs)
    "blank_for_zero": 0.15,
    "dash_for_zero": 0.08,
    "fullwidth_digits": 0.05,
    "thousands_separator": 0.4,
    "units_in_cells": 0.05,
    "label_whitespace": 0.35,
    "reworded_labels": 0.25,
    "subtotal_rows": 0.05,
    "column_order": 0.02,  # 表三 with 总计 as the first column (not in crawler dumps: unsplittable)
    "missing_t3": 0.4,  # of the reports without any application: 表三 left out
    "gbk": 0.7,  # of the Word-export and legacy site pages
    "t4_by_block": 0.03,  # 表四 as three rows of five
    "seed_opening": 0.3,  # of pipe texts: no title, the seed's 现将…报告如下 opening
    "split_table": 0.6,  # of PDFs: tables may break across pages
    "repeated_header": 0.5,  # of split PDF tables
    "rotated_page": 0.1,  # of PDFs
    "split_numbers": 0.15,  # of PDFs: narrow 表四 columns wrap long numbers
    "letterhead": 0.3,  # of PDFs and Word files: red header, document number, 附件, running header
    # of scans (render_scan; listed in the manifest only when scans were generated): resolution
    # (relative weights)
    "dpi150": 0.4,
    "dpi200": 0.35,
    "dpi300": 0.25,
    # of scans: packing, tried in this order, else an image-only PDF
    "ocr_layer": 0.1,
    "mixed_pdf": 0.15,
    "image_series": 0.3,
    "tiff": 0.06,
    "long_image": 0.06,
    # of scans: degradations
    "skew": 0.6,
    "blur": 0.3,
    "noise": 0.3,
    "jpeg": 0.35,
    "seal": 0.6,
    "page_border": 0.25,
    "photo": 0.35,  # of image series
}
SCAN_QUIRKS = frozenset(("dpi150", "dpi200", "dpi300", *render_scan.PACKINGS[1:], *render_scan.DEGRADATIONS))
_NOT_CRAWLER = (
    "blank_for_zero",
    "dash_for_zero",
    "fullwidth_digits",
    "thousands_separator",
    "units_in_cells",
    "column_order",
)


def parse_media(spec: str | dict[str, float] | None) -> dict[str, float]:
    """`html=0.5,text=0.2,pdf=0.1` or a dict → weights per medium label (normalised)."""
    if spec is None:
        return dict(DEFAULT_MEDIA)
    items = (
        spec.items()
        if isinstance(spec, dict)
        else (
            (k.strip(), float(v)) for k, v in (part.split("=", 1) for part in spec.split(",") if part.strip())
        )
    )
    out: dict[str, float] = defaultdict(float)
    for key, w in items:
        key = MEDIUM_ALIASES.get(key, key)
        if key == "text":
            for m in TEXT_MEDIA:
                out[m] += w / len(TEXT_MEDIA)
        elif key in MEDIA or key in OPT_IN_MEDIA:
            out[key] += w
        else:
            raise ValueError(f"unknown medium {key!r} (one of {', '.join(MEDIA + OPT_IN_MEDIA)}, text)")
    total = sum(out.values())
    if total <= 0:
        raise ValueError("media weights must add up to more than 0")
    return {m: out[m] / total for m in MEDIA + OPT_IN_MEDIA if out.get(m)}


# --------------------------------------------------------------------------------------------
# planning


def _post_order(orgs: list[Organ]) -> list[Organ]:
    by_id = {o.id: o for o in orgs}
    out: list[Organ] = []
    seen: set[str] = set()

    def visit(o: Organ) -> None:
        for cid in o.children:
            visit(by_id[cid])
        if o.id not in seen:
            seen.add(o.id)
            out.append(o)

    for o in orgs:
        if o.parent is None:
            visit(o)
    return out


def _formats(o: Organ, years: list[int], seed: int, q: dict[str, float]) -> dict[int, tuple[str, bool, bool]]:
    """year -> (format, single （六） row, late adopter)."""
    rng = random.Random(f"{seed}:format:{o.id}")
    out: dict[int, tuple[str, bool, bool]] = {}
    late_until = 2021 + (rng.random() < 0.2) if rng.random() < q["late_adopter"] else 0
    mixed_from = (
        rng.choice([y for y in years if y >= 2021] or [0])
        if not o.children and rng.random() < q["mixed_format"] * 2
        else 0
    )
    mixed_to = mixed_from + rng.randint(0, 2) if mixed_from else 0
    for y in years:
        if y <= 2020 or y <= late_until:
            out[y] = ("F2019", False, y >= 2021)
        else:
            out[y] = ("F2021", bool(mixed_from and mixed_from <= y <= mixed_to), False)
    return out


def _truths(
    orgs: list[Organ], years: list[int], seed: int, fmts: dict[str, dict[int, tuple[str, bool, bool]]]
) -> dict[str, dict[int, numbers.Truth]]:
    by_id = {o.id: o for o in orgs}
    out: dict[str, dict[int, numbers.Truth]] = {}
    for o in _post_order(orgs):
        if o.children:
            out[o.id] = {y: numbers.add([out[c][y] for c in o.children]) for y in years}
            continue
        no_other = {y for y in years if fmts[o.id][y][1]}
        series = numbers.leaf_series(o, years, seed, no_other)
        # two years printing identical cells would look copied (D-Q1, which compares the cells of the
        # later year under the same format, mixed or not): nudge one 表二 count
        for y in years[1:]:
            f0, f1 = fmts[o.id][y - 1], fmts[o.id][y]
            if f0[0] != f1[0]:
                continue
            before, now = numbers.cells(series[y - 1], f0[0], f0[1]), numbers.cells(series[y], f1[0], f1[1])
            if all(check._eq(before.get(k), v) for k, v in now.items()):
                series[y].t2["admin_penalty.decisions"] = int(series[y].t2["admin_penalty.decisions"]) + 1
        out[o.id] = series
    assert len(out) == len(by_id)
    return out


def _site_style(o: Organ, year: int, seed: int) -> str:
    """One look per site, redesigned once in some year. Most organs publish on their region's
    portal; some departments run a site of their own."""
    own = random.Random(f"{seed}:own-site:{o.id}").random() < 0.3
    rng = random.Random(f"{seed}:site:{o.id if own else o.region_code}")
    before, after = rng.choice(render_html.STYLES), rng.choice(render_html.STYLES)
    return before if year < rng.randint(2019, 2027) else after


def _medium(o: Organ, year: int, seed: int, media: dict[str, float]) -> str:
    keys, weights = list(media), list(media.values())
    home = random.Random(f"{seed}:medium:{o.id}").choices(keys, weights)[0]
    rng = random.Random(f"{seed}:medium:{o.id}:{year}")
    return home if rng.random() < 0.7 else rng.choices(keys, weights)[0]


def _style(medium: str, o: Organ, year: int, seed: int, rng: random.Random) -> str:
    if medium == "html" or medium in render_print.MEDIA:
        return _site_style(o, year, seed)
    if medium == "pipe-text":
        return rng.choices(("pipe-nfkc", "pipe-plain"), (0.7, 0.3))[0]
    if medium == "crawler-dump":
        return rng.choices(("crawler-glued", "crawler-sparse", "crawler-padded"), (0.5, 0.3, 0.2))[0]
    if medium == "markdown":
        return rng.choice(("md-grid", "md-blocks"))
    if medium in ("pdf", "scan"):
        return rng.choice(("pdf-word", "pdf-wps"))
    return "docx"


def _quirks(d: Draft, q: dict[str, float], rng: random.Random) -> list[str]:
    m = d.medium
    out: list[str] = []
    for name in ("label_whitespace", "reworded_labels", "subtotal_rows", *_NOT_CRAWLER):
        if m == "crawler-dump" and name in _NOT_CRAWLER:
            continue
        if name == "fullwidth_digits" and d.style == "pipe-nfkc":
            continue  # normalised away
        if name == "dash_for_zero" and "blank_for_zero" in out:
            continue
        if rng.random() < q[name]:
            out.append(name)
    if m == "html" and d.style in ("word", "legacy"):
        # these sites declare gb2312; a page that is UTF-8 all the same is misdeclared
        out.append("gbk" if rng.random() < q["gbk"] else "misdeclared_charset")
    if m in render_print.MEDIA:
        # saved from the site (a misdeclared page would print as mojibake, and nobody keeps that)
        if d.style in ("word", "legacy"):
            out.append("gbk")
        out.append(render_print.MEDIA[m])
    if m == "pipe-text" and rng.random() < q["seed_opening"]:
        out.append("seed_opening")
    if m != "crawler-dump" and d.style != "md-blocks" and rng.random() < q["t4_by_block"]:
        out.append("t4_by_block")
    if m in ("pdf", "scan"):
        for name in ("split_table", "repeated_header", "rotated_page", "split_numbers"):
            if rng.random() < q[name]:
                out.append(name)
    # a stream of its own: a corpus made before this quirk keeps every other draw
    if m in ("pdf", "docx") and random.Random(f"{d.text_key}:letterhead").random() < q["letterhead"]:
        out.append("letterhead")
    if m == "scan":
        out += render_scan.choose(q, rng)
    if d.single_other:
        out.append("mixed_format")
    if d.late:
        out.append("late_adopter")
    return out


# --------------------------------------------------------------------------------------------


def build_drafts(
    orgs: list[Organ],
    years: list[int],
    seed: int,
    media: dict[str, float],
    error_rate: float,
    q: dict[str, float],
    only_rules: tuple[str, ...] | None = None,
) -> dict[str, Draft]:
    fmts = {o.id: _formats(o, years, seed, q) for o in orgs}
    truths = _truths(orgs, years, seed, fmts)
    order = _post_order(orgs)
    by_key: dict[tuple[str, int], Draft] = {}
    drafts: dict[str, Draft] = {}
    for year in years:
        for o in order:
            fmt, single_other, late = fmts[o.id][year]
            truth = truths[o.id][year]
            medium = _medium(o, year, seed, media)
            rng = random.Random(f"{seed}:draft:{o.id}:{year}")
            title_text, agency = tx.title(o, year, rng)
            d = Draft(
                o,
                year,
                fmt,
                truth,
                numbers.cells(truth, fmt, single_other),
                single_other,
                late,
                file=f"{o.id}_{year}{EXT[medium]}",
                agency=agency,
                title=title_text,
                text_key=f"{seed}:text:{o.id}:{year}",
                medium=medium,
            )
            d.style = _style(medium, o, year, seed, rng)
            d.quirks = _quirks(d, q, rng)
            if medium == "scan":
                d.file = render_scan.file_name(f"{o.id}_{year}", d.quirks)
            erng = random.Random(f"{seed}:errors:{o.id}:{year}")
            if erng.random() < error_rate:
                ctx = errors.Ctx(by_key.get((o.id, year - 1)), [by_key[(c, year)] for c in o.children], erng)
                errors.inject(d, ctx, only_rules)
            touched_t3 = any(c.startswith("t3.") for e in d.errors for c in e["cells"])
            if (
                not touched_t3
                and "subtotal_rows" not in d.quirks
                and d.v("t3.total.total") == 0
                and d.v("t3.new_received.total") == 0
                and d.v("t3.carried_forward.total") == 0
                and d.v("t3.carried_over.total") == 0
                and rng.random() < q["missing_t3"]
            ):
                d.quirks.append("missing_t3")
            finalize(d, rng)
            by_key[(o.id, year)] = d
            drafts[d.file] = d
    return drafts


def verify(drafts: dict[str, Draft], orgs: list[Organ]) -> list[check.Violation]:
    """Every rule violation in the corpus, explained by the manifest (`also_breaks` filled in)."""
    recs = [
        check.Rec(d.file, d.organ.id, d.year, d.fmt, d.values, d.facts, d.subtotals) for d in drafts.values()
    ]
    violations = [v for r in recs for v in check.single(r)]
    violations += check.cross(recs, {o.id: o.children for o in orgs if o.children})
    problems = errors.attribute(drafts, violations)
    if problems:
        raise RuntimeError(
            "generator bug: injected errors and rule violations disagree:\n  " + "\n  ".join(problems[:20])
        )
    return violations


# --------------------------------------------------------------------------------------------
# rendering


def _site_name(o: Organ) -> str:
    region = o.region
    for prov in ("省", "自治区"):
        if prov in region and o.level != "province":
            region = region.split(prov, 1)[1]
    return region + "人民政府"


def _printed(d: Draft, rng: random.Random) -> dict[str, Printed]:
    printer = Printer(d, rng)
    p = {cid: printer.cell(cid, d.values[cid]) for cid in layout.CELL_IDS[d.fmt]}
    if d.single_other:
        for c in layout.T3_COLS:
            p[f"t3.other.{c.code}"] = printer.cell(f"t3.other.{c.code}", 0)
    if d.has("missing_t3"):
        for cid in p:
            if cid.startswith("t3."):
                p[cid] = Printed("", None)
    if d.has("thousands_separator") and not any("," in x.text for x in p.values()):
        d.quirks.remove("thousands_separator")
    return p


def _layouts(d: Draft, rng: random.Random) -> tuple[str, str, bool]:
    """(表三 layout, 表四 layout, 表二 split into one table per clause)."""
    choices = {
        "trs": "AAB",
        "word": "AAB",
        "portal": "ABC",
        "legacy": "BC",
        "docx": "AAB",
        "pdf-word": "AABC",
        "pdf-wps": "AB",
        "pipe-nfkc": "AAAB",
        "pipe-plain": "AB",
        "crawler-glued": "AABC",
        "crawler-sparse": "AB",
        "crawler-padded": "A",
        "md-grid": "ABC",
        "md-blocks": "A",
    }
    t3 = rng.choice(choices.get(d.style, "A"))
    t4 = "C" if d.has("t4_by_block") else rng.choice("AAAAB")
    return t3, t4, rng.random() < 0.3


def _letterhead(d: Draft, title: str, seed: int) -> furniture.Letterhead | None:
    return furniture.letterhead(d.organ, d.year, title, seed, d.file) if d.has("letterhead") else None


def render(d: Draft, seed: int) -> tuple[bytes | list[tuple[str, bytes]], dict[str, Any]]:
    """The report's bytes (a scan may be several files: [(name, bytes)]) and its expected JSON."""
    rng = random.Random(f"{seed}:render:{d.file}")
    p = _printed(d, rng)
    words = tb.Words(d, rng)
    t3_layout, t4_layout, t2_split = _layouts(d, rng)
    tables = {
        "t2": tb.t2_tables(d, p, words, t2_split),
        "t3": [tb.t3_table(d, p, words, t3_layout)],
        "t4": [tb.t4_table(d, p, words, t4_layout)],
    }
    if (
        d.medium in ("html", "docx", "pdf", "scan", *render_print.MEDIA)
        and t3_layout in "AB"
        and not d.has("missing_t3")
    ):
        d.quirks.append("merged_cells")
    title = d.title
    date = tx.publish_date(d.organ, d.year, random.Random(f"{seed}:date:{d.organ.id}:{d.year}"))
    blocks = tx.body(d, title, date, random.Random(d.text_key))
    y, m, day = date
    stamp = f"{y}-{m:02d}-{day:02d} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
    if d.medium == "html" or d.medium in render_print.MEDIA:
        data = render_html.render(d, blocks, tables, title, _site_name(d.organ), d.organ.name, stamp, rng)
    elif d.medium == "pipe-text":
        data = render_text.pipe(d, blocks, tables)
    elif d.medium == "crawler-dump":
        d.quirks.append("glued_digits")
        url = (
            f"https://www.{d.organ.domain}/zwgk/{d.organ.region_code}/{d.organ.sector}/zfxxgknb/{y}{m:02d}/"
            f"t{y}{m:02d}{day:02d}_{rng.randint(10000, 99999)}.htm"
        )
        data = render_text.crawler(d, blocks, tables, title, stamp, url, rng)
    elif d.medium == "markdown":
        data = render_text.markdown(d, blocks, tables, p, words)
    elif d.medium == "docx":
        data = render_docx.render(
            blocks,
            tables,
            title,
            rng.choice(("Administrator", "admin", "user", "PC")),
            date,
            _letterhead(d, title, seed),
        )
    else:
        opts = render_pdf.Options(
            split_ok=d.has("split_table"),
            repeat_header=d.has("repeated_header"),
            rotate="t3" if d.has("rotated_page") else None,
            narrow_numbers=d.has("split_numbers"),
        )
        creator = "Microsoft® Word 2016" if d.style == "pdf-word" else "WPS 文字"
        data = render_pdf.render(
            blocks, tables, title, d.organ.name, creator, opts, _letterhead(d, title, seed)
        )
        # the quirks name what the file shows: a table taller than a page splits in any case
        for name, happened in (
            ("split_table", opts.split),
            ("split_numbers", opts.numbers_wrapped),
            ("repeated_header", opts.split and d.has("repeated_header")),
        ):
            if d.has(name) and not happened:
                d.quirks.remove(name)
            elif happened and not d.has(name):
                d.quirks.append(name)
        if d.medium == "scan":
            scan_seed = random.Random(f"{seed}:scan:{d.file}").getrandbits(32)
            return render_scan.render(data, d.quirks, d.file, scan_seed, title), expected_json(d, p)
    return data, expected_json(d, p)


def _print_date(d: Draft, seed: int) -> tuple[int, int, int, int, int]:
    """When the archivist saved the page: some days after it was published."""
    y, m, day = tx.publish_date(d.organ, d.year, random.Random(f"{seed}:date:{d.organ.id}:{d.year}"))
    rng = random.Random(f"{seed}:saved:{d.file}")
    saved = datetime.date(y, m, day) + datetime.timedelta(days=rng.randint(0, 60))
    return saved.year, saved.month, saved.day, rng.randint(8, 18), rng.randint(0, 59)


def _page(d: Draft, html: bytes, seed: int) -> render_print.Page:
    """The site page as the browser had it: its <title>, its address, when it was saved."""
    text = html.decode("gbk" if d.has("gbk") else "utf-8", errors="replace")
    m = re.search(r"<title>(.*?)</title>", text, re.S)
    y, mo, day = tx.publish_date(d.organ, d.year, random.Random(f"{seed}:date:{d.organ.id}:{d.year}"))
    rng = random.Random(f"{seed}:url:{d.file}")
    url = (
        f"https://www.{d.organ.domain}/zwgk/{d.organ.region_code}/{d.organ.sector}/zfxxgknb/"
        f"{y}{mo:02d}/t{y}{mo:02d}{day:02d}_{rng.randint(10000, 99999)}.html"
    )
    title = html_lib.unescape(m.group(1)) if m else d.title
    us_clock = random.Random(f"{seed}:clock:{d.file}").random() < 0.3  # a browser set to English
    return render_print.Page(html, title, url, _print_date(d, seed), us_clock)


def generate(
    out: Path,
    organs: int,
    years: range | list[int],
    seed: int,
    media: dict[str, float] | None = None,
    error_rate: float = 0.1,
    quirk_rates: dict[str, float] | None = None,
    only_rules: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Write a corpus to `out`; returns statistics (counts, seconds and reports/s per medium)."""
    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    years = list(years)
    weights = parse_media(media)
    q = {**DEFAULT_QUIRKS, **(quirk_rates or {})}
    unknown = set(q) - set(DEFAULT_QUIRKS)
    if unknown:
        raise ValueError(f"unknown quirk(s): {', '.join(sorted(unknown))}")
    missing = render_print.missing_tool(weights)
    if missing:
        raise ValueError(missing)
    orgs = names.build(organs, seed)
    drafts = build_drafts(orgs, years, seed, weights, error_rate, q, only_rules)
    verify(drafts, orgs)
    planned = time.perf_counter() - start
    seconds: dict[str, float] = defaultdict(float)
    count: Counter[str] = Counter()
    files_of: dict[str, list[str]] = defaultdict(list)
    office: dict[str, dict[str, tuple[Draft, render_print.Page]]] = defaultdict(dict)
    for d in drafts.values():
        t0 = time.perf_counter()
        data, expected = render(d, seed)
        if isinstance(data, list):  # a scan's page images
            for name, blob in data:
                (out / name).write_bytes(blob)
        elif d.medium in render_print.OFFICE:
            office[d.medium][d.file.rsplit(".", 1)[0]] = (d, _page(d, data, seed))
        else:
            if d.medium == "printed-pdf":
                data = render_print.print_pdf(_page(d, data, seed), d.style)
            (out / d.file).write_bytes(data)
        (out / (d.file + ".expected.json")).write_text(
            json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        seconds[d.medium] += time.perf_counter() - t0
        count[d.medium] += 1
        files_of[d.organ.id].append(d.file)
    for medium, batch in office.items():  # one LibreOffice run per format
        t0 = time.perf_counter()
        converted = render_print.office(
            {name: render_print.for_office(page, d.style) for name, (d, page) in batch.items()},
            render_print.OFFICE[medium],
            {name: _print_date(d, seed)[:3] for name, (d, _) in batch.items()},
        )
        for name, data in converted.items():
            (out / batch[name][0].file).write_bytes(data)
        seconds[medium] += time.perf_counter() - t0
    manifest_errors = [e for d in drafts.values() for e in d.errors]
    manifest = {
        "generator": "pipelines.synth",
        "seed": seed,
        "organs": organs,
        "years": years,
        "error_rate": error_rate,
        "media": weights,
        "quirk_rates": {k: v for k, v in q.items() if "scan" in weights or k not in SCAN_QUIRKS},
        "reports": len(drafts),
        "faulty_reports": sum(1 for d in drafts.values() if d.errors),
        "errors": manifest_errors,
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    org_list = [{**o.as_json(), "files": files_of[o.id]} for o in orgs]
    (out / "organs.json").write_text(
        json.dumps(org_list, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    total = time.perf_counter() - start
    per_share = planned / max(1, len(drafts))  # planning and checks, spread over the reports
    return {
        "reports": len(drafts),
        "organs": len(orgs),
        "errors": len(manifest_errors),
        "errors_by_rule": dict(Counter(e["rule_id"] for e in manifest_errors)),
        "seconds": round(total, 3),
        "by_medium": {
            m: {
                "reports": count[m],
                "seconds": round(seconds[m] + per_share * count[m], 3),
                "per_second": round(count[m] / (seconds[m] + per_share * count[m]), 1),
            }
            for m in MEDIA + OPT_IN_MEDIA
            if count[m]
        },
    }
