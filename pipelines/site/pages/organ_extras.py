"""What an organ page shows besides its own reports: for a government, its subordinate organs (the
departments and lower governments whose parent it is) with each one's verdict for each year; for an
organ in the register of organs that must report, what the register says. Plain data, so that it
enters the page's digest (pages/organ.py) and a subordinate's new report re-renders its government's
page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pipelines.site import labels
from pipelines.site.data import Case, Organ, SiteData
from pipelines.site.files import csv_name
from pipelines.site.pages import grid
from pipelines.site.workbook import decided


@dataclass(frozen=True)
class Extras:
    d: SiteData
    look: grid.Lookup
    children: dict[str, list[Organ]]
    register: dict[str, list[dict[str, Any]]]
    cases: dict[str, list[Case]]  # by organ
    years: list[int]  # d.years

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
        cases: dict[str, list[Case]] = defaultdict(list)
        for c in d.cases.values():
            cases[c.agency_id].append(c)
        return cls(d, grid.Lookup.of(d), dict(children), dict(register), dict(cases), d.years)

    def context(self, organ: Organ) -> dict[str, Any]:
        """The organ page's extra template variables."""
        kids = self.children.get(organ.agency_id, [])
        # up to the latest year the organ or a subordinate published: a new statistics year redraws
        # the pages of the governments it is shown on, not every government's
        last = max(
            (
                y
                for o in (organ, *kids)
                for y, status in self.look.coverage.get(o.agency_id, {}).items()
                if status == "published"
            ),
            default=None,
        )
        years = [y for y in self.years if last is None or y <= last]
        rows = grid.rows(self.d, self.look, kids, years, "../")
        for kid, row in zip(kids, rows, strict=True):
            if self.look.organ_status.get(kid.agency_id) == "stopped":
                # stopped as of the grid's last year, not the warehouse's (which a new year moves)
                cov = self.look.coverage.get(kid.agency_id, {})
                shown = [y for y in years if y in cov]
                row["state"] = (
                    grid.ORGAN_STATUS["stopped"] if shown and cov[max(shown)] != "published" else ""
                )
        return {
            "subordinates": rows,
            "subordinate_years": years,
            "subordinate_legend": grid.LEGEND,
            "subordinate_csv": csv_name(f"{organ.name}的下级机关报告情况", years),
            **self._cases(organ),
        }

    def _cases(self, organ: Organ) -> dict[str, Any]:
        """The organ's cases by year: each failing finding's case (found by rule and instance), and the
        resolved ones, each with its history. Times are those of the changes, so the page changes only
        when a case does."""
        index: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        resolved: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for c in sorted(self.cases.get(organ.agency_id, []), key=lambda c: (c.year, c.rule_id, c.instance)):
            shown = {
                "case_id": c.case_id,
                "rule_id": c.rule_id,
                "state": c.state,
                "state_label": labels.case_state(c.state),
                "severity": c.severity,
                "severity_label": labels.severity(c.severity),
                "message": c.message,
                "decided": decided(c),
                "history": labels.case_history(self.d.case_events.get(c.case_id, [])),
            }
            index[str(c.year)][f"{c.rule_id}|{c.instance}"] = shown
            if c.status == "resolved":
                resolved[str(c.year)].append(shown)
        return {"case_index": dict(index), "resolved_cases": dict(resolved)}

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
        # "stopped" (its last expected year missing) turns with the warehouse's latest year: site.js
        # says it from the site's years, so that a new statistics year does not change every page
        if state in grid.ORGAN_STATUS and grid.ORGAN_STATUS[state] and state != "stopped":
            out.append(("报告情况", grid.ORGAN_STATUS[state], ""))
        return out
