"""The rule catalogue (expectations/rules.yaml): loaded and checked once, then used by the findings
runner, the Great Expectations suite, the identity stage (its ID-* checks) and the site, so a rule is
never written twice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pipelines import packaged

CATALOGUE = packaged.path("expectations", "rules.yaml")

CLASSES = ("S", "F", "X", "Q")
CHECK_GROUPS = ("S", "F", "X", "Q", "H", "D")
SEVERITIES = ("error", "warning", "info")
# The column contract of a rule's SQL: the runner inserts by position after selecting these names.
FAIL_COLUMNS = (
    "report_id",
    "instance",
    "cell_ids",
    "related_report_id",
    "related_cell_ids",
    "expected",
    "actual",
    "diff",
    "blank_decided",
    "message_zh",
)
NOT_ASSESSABLE_COLUMNS = ("report_id", "instance", "cell_ids", "related_report_id", "reason_zh")
# SQLAlchemy's text() takes ":name" for a bind parameter, and GX runs the SQL through text().
_BIND_LIKE = re.compile(r"(?<![:\w\\]):\w")


@dataclass(frozen=True)
class Rule:
    id: str
    rule_class: str
    check: str
    severity: str
    zh: str
    en: str
    sql: str
    not_assessable_sql: str | None = None
    # the method, for the rule's page: basis (条例 article, format notice, table note), what passes,
    # what fails, what cannot be decided
    basis_zh: str = ""
    passes_zh: str = ""
    fails_zh: str = ""
    undecided_zh: str = ""


METHOD_KEYS = ("basis_zh", "passes_zh", "fails_zh", "undecided_zh")


@dataclass(frozen=True)
class IdentityRule:
    """A check the identity stage makes while it resolves organs (its findings are identity_issue rows)."""

    id: str
    severity: str
    zh: str
    en: str


class CatalogueError(ValueError):
    pass


@cache
def identity_rules(path: Path = CATALOGUE) -> dict[str, IdentityRule]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    entries = data.get("identity_rules") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CatalogueError(f"{path}: expected an 'identity_rules' list")
    out: dict[str, IdentityRule] = {}
    for e in entries:
        if not isinstance(e, dict) or set(e) != {"id", "severity", "zh", "en"}:
            raise CatalogueError(f"{path}: an identity rule has exactly id, severity, zh and en: {e!r}")
        if e["severity"] not in SEVERITIES or e["id"] in out:
            raise CatalogueError(f"{path}: identity rule {e['id']}: bad severity or duplicate id")
        out[e["id"]] = IdentityRule(str(e["id"]), e["severity"], str(e["zh"]).strip(), str(e["en"]).strip())
    return out


def load(path: Path = CATALOGUE) -> tuple[Rule, ...]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise CatalogueError(f"{path}: expected a mapping with a 'rules' list")
    rules = tuple(_rule(entry, path) for entry in data["rules"])
    ids = [r.id for r in rules]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise CatalogueError(f"{path}: duplicate rule ids {dup}")
    return rules


def _rule(entry: Any, path: Path) -> Rule:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{path}: every rule must be a mapping, got {entry!r}")
    rid = str(entry.get("id", "?"))
    missing = [k for k in ("id", "class", "check", "severity", "zh", "en", "sql") if not entry.get(k)]
    if missing:
        raise CatalogueError(f"{path}: rule {rid} lacks {missing}")
    unknown = set(entry) - {
        "id",
        "class",
        "check",
        "severity",
        "zh",
        "en",
        "sql",
        "not_assessable_sql",
        *METHOD_KEYS,
    }
    if unknown:
        raise CatalogueError(f"{path}: rule {rid} has unknown keys {sorted(unknown)}")
    rule = Rule(
        rid,
        entry["class"],
        entry["check"],
        entry["severity"],
        entry["zh"].strip(),
        entry["en"].strip(),
        entry["sql"].strip().rstrip(";"),
        (entry.get("not_assessable_sql") or "").strip().rstrip(";") or None,
        *(str(entry.get(k) or "").strip() for k in METHOD_KEYS),
    )
    if rule.rule_class not in CLASSES:
        raise CatalogueError(f"{path}: rule {rid}: class {rule.rule_class!r} not in {CLASSES}")
    if rule.check not in CHECK_GROUPS:
        raise CatalogueError(f"{path}: rule {rid}: check {rule.check!r} not in {CHECK_GROUPS}")
    if rule.severity not in SEVERITIES:
        raise CatalogueError(f"{path}: rule {rid}: severity {rule.severity!r} not in {SEVERITIES}")
    for name, sql in (("sql", rule.sql), ("not_assessable_sql", rule.not_assessable_sql)):
        # comments too: SQLAlchemy does not parse SQL, it would bind inside a comment as well
        if sql and _BIND_LIKE.search(sql):
            raise CatalogueError(
                f"{path}: rule {rid}: {name} contains ':name', which SQLAlchemy "
                "(and so Great Expectations) would read as a bind parameter"
            )
    return rule


def fail_query(rule: Rule) -> str:
    """The rule's violations that count as failures: its SQL, less the instances that involve a cell
    the parser had to guess, in the judged report or in the one it is compared with (those become
    not-assessable findings instead). Both the findings runner and the GX expectation run exactly
    this query."""
    cols = ", ".join(f"v.{c}" for c in FAIL_COLUMNS)
    return (
        f"SELECT {cols} FROM (\n{rule.sql}\n) AS v\n"
        "WHERE NOT EXISTS (SELECT 1 FROM quality.uncertain u\n"
        "                  WHERE u.report_id = v.report_id AND list_contains(v.cell_ids, u.cell_id))\n"
        "  AND NOT EXISTS (SELECT 1 FROM quality.uncertain u\n"
        "                  WHERE u.report_id = v.related_report_id\n"
        "                    AND list_contains(v.related_cell_ids, u.cell_id))"
    )
