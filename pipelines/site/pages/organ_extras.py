"""What an organ page shows besides its own reports: for a government, its subordinate organs (the
departments and lower governments whose parent it is) with each one's verdict for each year; for an
organ in the register of organs that must report, what the register says. Plain data, so that it
enters the page's digest (pages/organ.py) and a subordinate's new report re-renders its government's
page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pipelines.site.data import Organ, SiteData
from pipelines.site.files import csv_name
from pipelines.site.pages import grid


@dataclass(frozen=True)
class Extras:
    d: SiteData
    look: grid.Lookup
    children: dict[str, list[Organ]]
    register: dict[str, list[dict[str, Any]]]

    @classmethod
    def of(cls, d: SiteData) -> Extras:
        children: dict[str, list[Organ]] = defaultdict(list)
        for o in d.organs.values():  # already in region-code, pinyin order
            if o.parent_id and o.parent_id != o.agency_id:
                children[o.parent_id].append(o)
        register: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in d.register:
            if r.get("agency_id"):
                register[r["agency_id"]].append(r)
        return cls(d, grid.Lookup.of(d), dict(children), dict(register))

    def context(self, organ: Organ) -> dict[str, Any]:
        """The organ page's extra template variables."""
        kids = self.children.get(organ.agency_id, [])
        years = self.d.years
        return {
            "subordinates": grid.rows(self.d, self.look, kids, years, "../"),
            "subordinate_years": years,
            "subordinate_legend": grid.LEGEND,
            "subordinate_csv": csv_name(f"{organ.name}的下级机关报告情况", years),
        }

    def facts(self, organ: Organ) -> list[tuple[str, str, str]]:
        """Facts for the page's header: what the register says, and whether the organ stopped reporting."""
        out = []
        rows = self.register.get(organ.agency_id, [])
        if rows:
            first = min((r["first_year"] for r in rows if r["first_year"]), default=None)
            last = max((r["last_year"] for r in rows if r["last_year"]), default=None)
            span = f"{first} 年起" if first else "各年度"
            if last:
                span += f"，至 {last} 年止"
            out.append(("应报名册", f"应报告（{span}；data/register.csv 第 {rows[0]['line']} 行）", ""))
        state = self.look.organ_status.get(organ.agency_id)
        if state in grid.ORGAN_STATUS and grid.ORGAN_STATUS[state]:
            out.append(("报告情况", grid.ORGAN_STATUS[state], ""))
        return out
