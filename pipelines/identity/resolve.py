"""Organ name (+ title, body opening, file name) -> who the organ is: a stable agency_id, its level,
kind, sector, region and parent government.

The id is the hash of an identity key, not of the printed name: `<division code>/<body>` when the place
is known (洪泽区人民政府 and 淮安市洪泽区人民政府 are both 320813/人民政府), `CN/<body>` for central
organs, and the normalised name itself when the place cannot be told — which is exactly the id the
loader gave every organ before places were read, so unresolved organs keep their old ids.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from pipelines import catalogue
from pipelines.identity import names
from pipelines.identity.aliases import Alias, AliasError
from pipelines.identity.divisions import Division, Divisions
from pipelines.identity.taxonomy import GOVERNMENT, OTHER, Taxonomy

GOVERNMENT_BODY = "人民政府"  # the body every government's key uses, whatever it prints
NATIONAL_KEY = "CN"


def agency_id_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Issue:
    rule_id: str  # ID-2 region unknown, ID-3 region ambiguous, ID-4 sector unknown (ID-1: no name, in store)
    severity: str
    message_zh: str


@dataclass(frozen=True)
class Identity:
    agency_id: str
    key: str
    name: str  # normalised, aliases applied: what dim_agency shows
    printed: str  # normalised as the report (or its file name) printed it
    level: str | None
    organ_kind: str  # government | department
    sector: str
    resolution: str  # division | alias | context | national | unresolved | ambiguous
    region: tuple[Division, ...] = ()  # province first; empty when unknown
    township: str | None = None
    parent_key: str | None = None
    parent_name: str | None = None
    issues: tuple[Issue, ...] = field(default=())

    @property
    def parent_agency_id(self) -> str | None:
        return None if self.parent_key is None else agency_id_of(self.parent_key)

    def division(self, level: str) -> Division | None:
        return next((d for d in self.region if d.level == level), None)


@dataclass(frozen=True)
class _Place:
    chain: tuple[Division, ...]
    end: int  # where the place ends in the name
    ambiguous: tuple[Division, ...] = ()
    national: bool = False
    generic_level: str | None = None
    generic_word: str | None = None


def _digest(divisions: Divisions, taxonomy: Taxonomy, aliases: Sequence[Alias]) -> str:
    """A digest of the data a resolver reads: the divisions (before the aliases add names), the
    taxonomy and the aliases."""
    tax = [
        (f.name, sorted(v) if isinstance(v, frozenset) else v)
        for f in fields(taxonomy)
        for v in [getattr(taxonomy, f.name)]
    ]
    divs = sorted((d.code, d.name, d.type) for d in divisions.by_code.values())
    return hashlib.sha256(repr((divs, tax, list(aliases))).encode("utf-8")).hexdigest()


class Resolver:
    def __init__(self, divisions: Divisions, taxonomy: Taxonomy, aliases: Sequence[Alias]) -> None:
        self.div = divisions
        self.tax = taxonomy
        self._organ = {a.name: a.canonical for a in aliases if a.kind == "organ"}
        self._body = {a.name: a.canonical for a in aliases if a.kind == "body"}
        self._spelling = {a.name: a.canonical for a in aliases if a.kind == "place" and a.canonical}
        self._place_names = tuple(a.name for a in aliases if a.kind == "place")
        for a in aliases:
            if a.kind == "place":
                self.div.add_name(a.name, self._place_target(a))
        markers = "|".join(map(re.escape, taxonomy.township_markers))
        suffixes = "|".join(map(re.escape, taxonomy.township_government_suffixes))
        self._township = re.compile(rf"^(?P<town>.+?(?:{markers}))(?:{suffixes})?$")
        self._cache: dict[str, Identity] = {}
        # what the resolver was made from: the identity stage redoes every report when it changes
        self.digest = _digest(divisions, taxonomy, aliases)

    def _place_target(self, a: Alias) -> Division:
        if a.region_code:
            d = self.div.by_code.get(a.region_code)
            if d is None:
                raise AliasError(f"aliases line {a.line}: no division has code {a.region_code}")
            return d
        found = self.div.named(a.canonical)
        if len(found) != 1:
            raise AliasError(
                f"aliases line {a.line}: {a.canonical!r} names {len(found)} divisions; give region_code"
            )
        return found[0]

    # --- entry points ------------------------------------------------------------------------------

    def resolve(
        self,
        name: str | None,
        *,
        title: str | None = None,
        file_name: str | None = None,
        context: str | None = None,
    ) -> Identity | None:
        """The organ of one report; None when neither the report nor its file name names one.

        The name decides when it carries its place; otherwise the title, the opening of the body
        and the file name are searched for the place (the seed's "区商务局"). Deterministic: the same
        inputs and data files always give the same identity."""
        named = self._by_name(name, file_name)
        if named is None:
            return None
        printed, ident = named
        if ident.resolution in ("unresolved", "ambiguous"):
            texts = [t for t in (title, context, file_name) if t]
            hint = self._path_division(file_name) if file_name else None
            if texts or hint:
                return self._resolve_name(printed, texts, hint)
        return ident

    def reads_context(self, name: str | None, file_name: str | None = None) -> bool:
        """Whether `resolve` reads the title, the body's opening and the file name of a report with this
        name: the name alone does not place its organ."""
        named = self._by_name(name, file_name)
        return named is not None and named[1].resolution in ("unresolved", "ambiguous")

    def _by_name(self, name: str | None, file_name: str | None) -> tuple[str, Identity] | None:
        """The name as normalised (from the file name when the report prints none) and the organ it
        names on its own; None when there is no name."""
        printed = names.normalise(name) if name else ""
        if not printed and file_name:
            printed = names.from_file_name(file_name) or ""
        if not printed:
            return None
        ident = self._cache.get(printed)
        if ident is None:
            ident = self._cache[printed] = self._resolve_name(printed, ())
        return printed, ident

    def _path_division(self, file_name: str) -> Division | None:
        for code in names.path_codes(file_name):
            d = self.div.by_code.get(code)
            if d is not None:
                return d
        return None

    # --- the steps ---------------------------------------------------------------------------------

    def _canonical_organ(self, printed: str) -> str:
        seen = {printed}
        name = printed
        while name in self._organ:
            name = self._organ[name]
            if name in seen:
                raise AliasError(f"organ aliases loop through {name!r}")
            seen.add(name)
        return name

    def _resolve_name(self, printed: str, texts: Sequence[str], hint: Division | None = None) -> Identity:
        name = self._canonical_organ(printed)
        via_alias = name != printed
        s = name
        vertical = ""  # kept in the name shown, not in the key: the local office is the organ
        for prefix in self.tax.vertical_prefixes:
            if (
                s.startswith(prefix)
                and len(s) > len(prefix)
                and next(self.div.prefixes(s, len(prefix)), None)
            ):
                vertical, s = prefix, s[len(prefix) :]
                break
        place = self._locate(s)
        resolution = "alias" if via_alias or self._used_place_alias(s[: place.end]) else "division"
        if not place.chain and not place.national:
            found = self._from_context(s, place, texts)
            if found is None and hint is not None:
                found = self._from_path(place, hint)
            if found is not None:
                place = found
                resolution = "context"
        rest = s[place.end :]
        display = vertical + self._spelled(s[: place.end]) + rest
        if place.national:
            return self._national(printed, display, rest, via_alias)
        return self._regional(printed, display, place, rest, resolution)

    def _used_place_alias(self, place_text: str) -> bool:
        return any(alias in place_text for alias in self._place_names)

    def _spelled(self, place_text: str) -> str:
        for wrong, right in self._spelling.items():
            place_text = place_text.replace(wrong, right)
        return place_text

    def _locate(self, s: str) -> _Place:
        chain: tuple[Division, ...] = ()
        pos = 0
        while pos < len(s):
            scope = chain[-1].code if chain else ""
            step = None
            for length, found in self.div.prefixes(s, pos):
                inside = [d for d in found if d.code.startswith(scope) and len(d.code) > len(scope)]
                if inside:
                    step = (length, inside)
                    break
            if step is None:
                break
            length, found = step
            if len(found) > 1:
                if not chain:
                    return _Place((), pos + length, ambiguous=tuple(found))
                break
            chain = tuple(self.div.chain(found[0]))
            pos += length
        if chain:
            return self._branch_office(s, chain, pos)
        if s.startswith(self.tax.country_name) and len(s) > len(self.tax.country_name):
            return _Place((), len(self.tax.country_name), national=True)
        if any(s.startswith(prefix) for prefix in self.tax.national_prefixes):
            return _Place((), 0, national=True)
        # 市场监督管理局: a leading 市 that begins a sector keyword is part of the organ, not a place
        if not any(s.startswith(k) for k, _, _ in self.tax.keywords):
            for word, level in self.tax.generic_places:
                if s.startswith(word) and len(s) > len(word):
                    return _Place((), len(word), generic_level=level, generic_word=word)
        if any(s.endswith(suffix) for suffix in self.tax.national_suffixes):
            return _Place((), 0, national=True)
        return _Place((), 0)

    def _branch_office(self, s: str, chain: tuple[Division, ...], pos: int) -> _Place:
        """盐城市公安局盐都分局 serves 盐都区: a city bureau's 分局 named after one of the city's
        counties is read as that county's organ."""
        rest = s[pos:]
        if chain[-1].level != "city" or not rest.endswith("分局"):
            return _Place(chain, pos)
        for county in self.div.children(chain[-1]):
            stem = self.div.stem(county)
            if stem and rest.endswith(stem + "分局"):
                return _Place(tuple(self.div.chain(county)), pos)
        return _Place(chain, pos)

    def _from_context(self, s: str, place: _Place, texts: Sequence[str]) -> _Place | None:
        """The place the title, body opening or file name gives the organ: the candidate qualified by
        its parent ("北京市朝阳区") for an ambiguous name, or a division printed just before the body
        ("盐都区商务局" for "区商务局")."""
        if not texts:
            return None
        flat = [names.flat(t) for t in texts]
        if place.ambiguous:
            hits = {
                d
                for d in place.ambiguous
                if (p := self.div.parent(d)) is not None and any(p.name + d.name in t for t in flat)
            }
            return _Place(tuple(self.div.chain(hits.pop())), place.end) if len(hits) == 1 else None
        body = s[place.end :]
        if len(body) < 2:
            return None
        found: set[Division] = set()
        for t in flat:
            start = t.find(body)
            while start >= 0:
                found |= self._division_ending_at(t, start, place.generic_word)
                start = t.find(body, start + 1)
        return _Place(tuple(self.div.chain(found.pop())), place.end) if len(found) == 1 else None

    def _from_path(self, place: _Place, hint: Division) -> _Place | None:
        """The division the report's folder or file name is coded with (pipelines.identity.names.
        path_codes): the operator's word for where a name that does not say its place belongs (中桥镇
        人民政府 exists in several counties). Used after the report's own text, which may be more exact."""
        if place.ambiguous:
            hits = [
                d for d in place.ambiguous if hint.code.startswith(d.code) or d.code.startswith(hint.code)
            ]
            return _Place(tuple(self.div.chain(hits[0])), place.end) if len(hits) == 1 else None
        if place.generic_level is not None and hint.level != place.generic_level:
            return None  # "区商务局" filed under a city's code: which of its districts is still unknown
        return _Place(tuple(self.div.chain(hint)), place.end)

    def _division_ending_at(self, text: str, end: int, generic: str | None) -> set[Division]:
        for length in range(min(self.div.max_name_length, end), 1, -1):
            found = [
                d
                for d in self.div.named(text[end - length : end])
                if generic is None or d.name.endswith(generic)
            ]
            if found:
                return set(found)
        return set()

    def _national(self, printed: str, display: str, body: str, via_alias: bool) -> Identity:
        government = body == self.tax.national_government
        body = self._body.get(body, body)
        sector = GOVERNMENT if government else (self.tax.sector_of(body) or OTHER)
        issues = () if sector != OTHER else (self._sector_issue(display),)
        return Identity(
            agency_id=agency_id_of(f"{NATIONAL_KEY}/{body}"),
            key=f"{NATIONAL_KEY}/{body}",
            name=display,
            printed=printed,
            level="national",
            organ_kind="government" if government else "department",
            sector=sector,
            resolution="alias" if via_alias else "national",
            parent_key=None if government else f"{NATIONAL_KEY}/{self.tax.national_government}",
            parent_name=None if government else self.tax.national_government,
            issues=issues,
        )

    def _regional(self, printed: str, display: str, place: _Place, rest: str, resolution: str) -> Identity:
        chain = place.chain
        town = self._township.match(rest) if chain and chain[-1].level == "county" else None
        if town:
            county = chain[-1]
            return Identity(
                agency_id=agency_id_of(f"{county.code}/{town['town']}"),
                key=f"{county.code}/{town['town']}",
                name=display,
                printed=printed,
                level="township",
                organ_kind="government",
                sector=GOVERNMENT,
                resolution=resolution,
                region=chain,
                township=town["town"],
                parent_key=self._government_key(county),
                parent_name=self._government_name(county),
            )
        government = rest == "" or rest in self.tax.government_bodies
        # 经济开发区管委会: a zone's administration inside the region, a government with a key of its own
        zone = not government and any(rest.endswith(w) for w in self.tax.government_bodies if len(w) > 2)
        body = GOVERNMENT_BODY if government else self._body.get(rest, rest)
        if not government and rest in self._body:
            display = display[: len(display) - len(rest)] + body
        sector = GOVERNMENT if government or zone else (self.tax.sector_of(body) or OTHER)
        issues: list[Issue] = []
        if not chain:
            issues.append(self._region_issue(display, place))
            key = display
            levels = {d.level for d in place.ambiguous}
            level = levels.pop() if len(levels) == 1 else place.generic_level
            parent_key = parent_name = None
            resolution = "ambiguous" if place.ambiguous else "unresolved"
        else:
            here = chain[-1]
            key = f"{here.code}/{body}"
            level = here.level
            above = self.div.parent(here) if government else here
            parent_key = self._government_key(above)
            parent_name = self._government_name(above)
        if sector == OTHER:
            issues.append(self._sector_issue(display))
        return Identity(
            agency_id=agency_id_of(key),
            key=key,
            name=display,
            printed=printed,
            level=level,
            organ_kind="government" if government or zone else "department",
            sector=sector,
            resolution=resolution,
            region=chain,
            parent_key=parent_key,
            parent_name=parent_name,
            issues=tuple(issues),
        )

    # --- parents and issues ------------------------------------------------------------------------

    def _government_key(self, d: Division | None) -> str:
        return (
            f"{NATIONAL_KEY}/{self.tax.national_government}" if d is None else f"{d.code}/{GOVERNMENT_BODY}"
        )

    def _government_name(self, d: Division | None) -> str:
        if d is None:
            return self.tax.national_government
        parent = self.div.parent(d)
        # a county is named with its prefecture (two 朝阳区 exist); prefectures and provinces are unique
        qualifier = (
            parent.name if d.level == "county" and parent is not None and parent.level == "city" else ""
        )
        return qualifier + d.name + GOVERNMENT_BODY

    def _region_issue(self, display: str, place: _Place) -> Issue:
        if place.ambiguous:
            options = "、".join(sorted("".join(x.name for x in self.div.chain(d)) for d in place.ambiguous))
            return _issue(
                "ID-3",
                f"机关名称“{display}”中的地名对应多个行政区划（{options}），标题、正文和文件名也未能区分；"
                "请在 data/aliases.csv 中用 place 行指明",
            )
        return _issue(
            "ID-2",
            f"未能从机关名称“{display}”及标题、正文开头、文件名确定其所属行政区划；"
            "如需归属，请在 data/aliases.csv 中添加 organ 或 place 行",
        )

    def _sector_issue(self, display: str) -> Issue:
        return _issue("ID-4", f"机关名称“{display}”未匹配 data/sectors.yaml 中任何行业关键词，行业记为 other")


def _issue(rule_id: str, message_zh: str) -> Issue:
    """An issue of an identity rule, with the severity expectations/rules.yaml declares for it."""
    return Issue(rule_id, catalogue.identity_rules()[rule_id].severity, message_zh)
