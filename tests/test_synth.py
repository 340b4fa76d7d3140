"""The synthetic corpus (pipelines/synth): deterministic for a seed, every expected JSON consistent
except where the manifest injected an error, the committed samples equal a fresh regeneration, and
the parser reads every medium with the accuracy the bench reports."""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from pipelines import layout
from pipelines.bench.accuracy import run_accuracy
from pipelines.cli import synth as cli
from pipelines.synth import check, errors, samples
from pipelines.synth.corpus import DEFAULT_QUIRKS, MEDIA, generate

ALL_MEDIA = {m: 1.0 for m in MEDIA}


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _load(
    folder: Path,
) -> tuple[list[check.Rec], dict[str, dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    expected = {
        p.name[: -len(".expected.json")]: json.loads(p.read_text(encoding="utf-8"))
        for p in folder.glob("*.expected.json")
    }
    recs = [
        check.Rec(
            f, e["organ_id"], e["year"], e["format_version"], e["cells"], e["facts"], e.get("subtotals", {})
        )
        for f, e in sorted(expected.items())
    ]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    organs = json.loads((folder / "organs.json").read_text(encoding="utf-8"))
    return recs, expected, organs, manifest


def _violations(recs: list[check.Rec], organs: list[dict[str, Any]]) -> list[check.Violation]:
    children = {o["id"]: o["children"] for o in organs if o["children"]}
    return [v for r in recs for v in check.single(r)] + check.cross(recs, children)


def _explained(v: check.Violation, manifest: dict[str, Any]) -> bool:
    """A violation is expected when its report got an error of that rule, or an injected error
    lists it among the rules it also breaks."""
    for e in manifest["errors"]:
        if e["file"] == v.file and e["rule_id"] == v.rule:
            return True
        if {"rule_id": v.rule, "file": v.file} in e["also_breaks"]:
            return True
    return False


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 organs × 7 years in every medium, with many injected errors."""
    out = tmp_path_factory.mktemp("synth")
    generate(out, 40, range(2019, 2026), 5, ALL_MEDIA, error_rate=0.3)
    return out


# --------------------------------------------------------------------------------------------
# determinism and shape


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, 3), (b, 3), (c, 4)):
        generate(out, 7, range(2019, 2026), seed, ALL_MEDIA, error_rate=0.3)
    assert _digests(a) == _digests(b)
    assert _digests(a) != _digests(c)
    assert {p.suffix for p in a.iterdir()} >= {".html", ".txt", ".md", ".docx", ".pdf", ".json"}


def test_expected_json_follows_the_contract(corpus: Path) -> None:
    _, expected, organs, _ = _load(corpus)
    assert len(expected) == 40 * 7 == sum(len(o["files"]) for o in organs)
    for name, e in expected.items():
        assert (corpus / name).exists()
        assert e["format_version"] in layout.FORMATS
        assert tuple(e["cells"]) == layout.CELL_IDS[e["format_version"]], name
        assert e["medium_label"] in MEDIA
        assert set(e["quirks"]) <= set(DEFAULT_QUIRKS) | {
            "glued_digits",
            "merged_cells",
            "misdeclared_charset",
        }
        assert e["year"] in range(2019, 2026) and e["agency"]
        # the first years use the trial format, later ones the revised one unless late adopters
        if e["year"] <= 2020 or "late_adopter" in e["quirks"]:
            assert e["format_version"] == "F2019", name
        else:
            assert e["format_version"] == "F2021", name


def test_rules_hold_except_where_errors_were_injected(corpus: Path) -> None:
    recs, _, organs, manifest = _load(corpus)
    violations = _violations(recs, organs)
    unexplained = [f"{v.file}: {v.rule} {v.detail}" for v in violations if not _explained(v, manifest)]
    assert not unexplained, unexplained[:10]
    # and every manifest entry really breaks its rule in its report
    found = {(v.file, v.rule) for v in violations}
    missing = [e for e in manifest["errors"] if (e["file"], e["rule_id"]) not in found]
    assert not missing, missing[:5]
    assert manifest["errors"], "an error rate of 0.3 injects errors"


def test_carry_over_in_force_and_regions(corpus: Path) -> None:
    """The cross-report truths, spelled out: 结转 chains across years, 现行有效 moves by issued −
    repealed, a region report sums its parts — wherever no injected error intervenes."""
    recs, _, organs, manifest = _load(corpus)
    by_key = {(r.organ, r.year): r for r in recs}
    touched = {e["file"] for e in manifest["errors"]} | {
        a["file"] for e in manifest["errors"] for a in e["also_breaks"]
    }
    chained = stock = 0
    for (organ, year), cur in by_key.items():
        prev = by_key.get((organ, year - 1))
        if prev is None or cur.file in touched or prev.file in touched:
            continue
        for col in check.COLS:
            assert (cur.cells[f"t3.carried_over.{col}"] or 0) == (
                prev.cells[f"t3.carried_forward.{col}"] or 0
            )
        chained += 1
        if cur.fmt == prev.fmt == "F2021":
            for item in ("regulation", "normative_doc"):
                want = (
                    (prev.cells[f"t2.{item}.in_force"] or 0)
                    + (cur.cells[f"t2.{item}.issued"] or 0)
                    - (cur.cells[f"t2.{item}.repealed"] or 0)
                )
                assert (cur.cells[f"t2.{item}.in_force"] or 0) == want, (cur.file, item)
            stock += 1
    assert chained > 100 and stock > 50
    regions = [o for o in organs if o["report_scope"] == "region"]
    assert regions
    for o in regions:
        for year in range(2019, 2026):
            region = by_key[(o["id"], year)]
            parts = [by_key[(c, year)] for c in o["children"]]
            if region.file in touched or any(p.file in touched for p in parts):
                continue
            assert not check._region(region, parts), region.file


def test_every_rule_is_injected_and_described(tmp_path: Path) -> None:
    generate(tmp_path, 60, range(2019, 2026), 9, {"html": 1, "text": 1}, error_rate=0.6)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert {e["rule_id"] for e in manifest["errors"]} == set(errors.RULE_IDS)
    for e in manifest["errors"]:
        assert set(e) >= {"file", "agency", "year", "rule_id", "cells", "description", "also_breaks"}
        assert e["description"]
        expected = json.loads((tmp_path / (e["file"] + ".expected.json")).read_text(encoding="utf-8"))
        assert e["rule_id"] in expected["errors"]
        assert set(e["cells"]) <= set(expected["cells"]) or e["rule_id"] == "T3-F3"


def test_text_states_the_table(corpus: Path) -> None:
    """Section 三 states the totals and section 六 the fee notices, as the table says unless a
    TX-Q1 / T3-Q3 error was injected; the stated number is in the file."""
    _, expected, _, _ = _load(corpus)
    for name, e in expected.items():
        new = e["cells"]["t3.new_received.total"] or 0
        if "TX-Q1" not in e["errors"] and "D-Q1" not in e["errors"]:
            assert e["facts"]["new_received_total"] == new, name
        if (
            e["medium_label"] in ("html", "pipe-text", "crawler-dump", "markdown")
            and "gbk" not in e["quirks"]
        ):
            body = (corpus / name).read_text(encoding="utf-8")
            assert f"收到政府信息公开申请{e['facts']['new_received_total']}件" in body, name
        overdue = e["cells"].get("t3.other_overdue_fee.total") or 0
        if e["format_version"] == "F2021" and overdue > 0 and e["facts"].get("fee_notices") == 0:
            assert "T3-Q3" in e["errors"], name


# --------------------------------------------------------------------------------------------
# the committed samples


def test_samples_equal_a_fresh_regeneration(tmp_path: Path) -> None:
    if not samples.SAMPLES.exists():
        pytest.skip("data/samples not present")
    samples.regenerate(tmp_path)
    assert _digests(tmp_path) == _digests(samples.SAMPLES), (
        "data/samples differs from pipelines.synth.samples: run `python -m pipelines.synth.samples`"
    )


def test_samples_are_small_and_varied() -> None:
    if not samples.SAMPLES.exists():
        pytest.skip("data/samples not present")
    _, expected, organs, manifest = _load(samples.SAMPLES)
    assert 35 <= len(expected) <= 50
    assert sum(p.stat().st_size for p in samples.SAMPLES.iterdir()) < 3 * 1024 * 1024
    assert {e["medium_label"] for e in expected.values()} >= {
        "html",
        "pipe-text",
        "crawler-dump",
        "docx",
        "pdf",
    }
    region = [o for o in organs if o["report_scope"] == "region"]
    assert len(region) == 1 and region[0]["kind"] == "county_gov" and len(region[0]["children"]) == 5
    assert all(len(o["files"]) == 7 for o in organs)
    assert 2 <= len(manifest["errors"]) <= 12


# --------------------------------------------------------------------------------------------
# CLI and speed


def test_cli_writes_a_corpus_and_prints_rates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="gongkai")
    sub = parser.add_subparsers(dest="command")
    cli.add_parser(sub)
    args = parser.parse_args(
        [
            "synth",
            "--organs",
            "3",
            "--years",
            "2023-2025",
            "--seed",
            "2",
            "--out",
            str(tmp_path),
            "--media",
            "html=0.5,text=0.5",
            "--error-rate",
            "0.5",
        ]
    )
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "wrote 9 reports" in out and "reports/s" in out
    assert len(list(tmp_path.glob("*.expected.json"))) == 9
    bad = parser.parse_args(["synth", "--out", str(tmp_path), "--media", "fax=1"])
    assert bad.func(bad) == 2


@pytest.mark.slow
def test_html_and_text_generation_rate(tmp_path: Path) -> None:
    """10,000 HTML and text reports in under a minute on one core: the rate on 2,100, printed."""
    stats = generate(tmp_path, 300, range(2019, 2026), 1, {"html": 0.6, "text": 0.4})
    print(
        f"\ngeneration: {stats['reports'] / stats['seconds']:.0f} reports/s "
        f"(10,000 in {10000 * stats['seconds'] / stats['reports']:.1f} s)"
    )
    assert stats["reports"] == 2100
    assert len(list(tmp_path.glob("*.expected.json"))) == 2100


# --------------------------------------------------------------------------------------------
# what the parser makes of each medium

# Accuracy (share of cells, null ≡ 0) the bench must report on a generated corpus per medium.
REQUIRED = {
    "html": 100.0,
    "pipe-text": 100.0,
    "markdown": 100.0,
    "crawler-dump": 99.0,
    "docx": 100.0,
    "pdf": 99.9,
}
# Generated styles the parser misreads: medium -> why. A medium listed here may fall short of
# REQUIRED and is reported as xfail with the measured accuracy. Empty: every style is read.
KNOWN_PARSER_GAPS: dict[str, str] = {}
_READERS = {"docx": "pipelines.parsing.readers.docx", "pdf": "pipelines.parsing.readers.pdf"}


def _accuracy(folder: Path) -> tuple[float, list[str]]:
    scores = run_accuracy(folder)
    total = sum(s.cells_total for s in scores)
    ok = sum(s.cells_correct for s in scores)
    wrong = [f"{s.name}: {cid} expected {exp!r} got {got!r}" for s in scores for cid, exp, got, *_ in s.wrong]
    wrong += [f"{s.name}: {s.error}" for s in scores if s.error]
    fields = [f"{s.name}: {k}" for s in scores for k, good in s.fields_correct.items() if not good]
    return 100.0 * ok / total, fields + wrong


@pytest.mark.parametrize("medium", MEDIA)
def test_parser_accuracy_per_medium(medium: str, tmp_path: Path) -> None:
    module = _READERS.get(medium)
    if module and importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} not written yet: {medium} reports cannot be parsed")
    generate(tmp_path, 8, range(2019, 2026), 21, {medium: 1.0}, error_rate=0.1)
    acc, wrong = _accuracy(tmp_path)
    if acc < REQUIRED[medium] and medium in KNOWN_PARSER_GAPS:
        pytest.xfail(f"{acc:.3f}% of cells: {KNOWN_PARSER_GAPS[medium]} (e.g. {wrong[:2]})")
    assert acc >= REQUIRED[medium], wrong[:10]
    assert not [w for w in wrong if w.endswith((": agency", ": year", ": format_version"))]


@pytest.mark.parametrize("medium", ["html", "docx", "pdf"])
def test_parser_reads_the_supported_styles_exactly(medium: str, tmp_path: Path) -> None:
    """Rich media parse to the last cell, with every generated style and quirk."""
    module = _READERS.get(medium)
    if module and importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} not written yet: {medium} reports cannot be parsed")
    generate(tmp_path, 8, range(2019, 2026), 22, {medium: 1.0}, error_rate=0.1)
    acc, wrong = _accuracy(tmp_path)
    assert acc == 100.0, wrong[:10]
