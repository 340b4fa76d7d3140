"""The true numbers of every organ-year, coherent the way real reports are.

Each leaf organ (bureau, office, township, a government reporting on its own work) gets a seeded
series over the years: applications arrive, are handled or carried forward (so one year's 结转下年度
is the next year's 上年结转), outcomes follow plausible shares, the stock of 现行有效 规范性文件
moves by issued − repealed, F2019 item lists move by 本年增/减. A government whose report covers
its region gets the cell-by-cell sum of its children, so every linear rule that holds for the
children holds for it too. Amounts are `Decimal`, so sums up the hierarchy are exact.

Both formats' measures are kept for every year; which ones a report prints is decided later.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from pipelines import layout
from pipelines.synth.names import GOV, OFFICE, TOWNSHIP, Organ

Num = int | Decimal

T3_ROW_CODES = tuple(r.code for r in layout.T3_ROWS)
LEAF_ROWS = layout.T3_OUTCOME_ROWS["F2021"]  # the 21 outcome rows every application lands in once
COLS = tuple(c.code for c in layout.T3_COLS)
N_COLS = len(COLS)

# Outcome shares (F2021 leaf rows, in LEAF_ROWS order): roughly what county-level reports show.
_OUTCOME_SHARE = {
    "granted": 0.30,
    "partially_granted": 0.07,
    "denied_state_secret": 0.002,
    "denied_prohibited_by_law": 0.005,
    "denied_security_stability": 0.003,
    "denied_third_party_rights": 0.01,
    "denied_internal_affairs": 0.012,
    "denied_process_info": 0.02,
    "denied_enforcement_file": 0.006,
    "denied_admin_query": 0.02,
    "unavailable_not_held": 0.24,
    "unavailable_needs_creation": 0.04,
    "unavailable_unclear": 0.03,
    "not_handled_petition": 0.06,
    "not_handled_duplicate": 0.04,
    "not_handled_publication": 0.005,
    "not_handled_excessive": 0.01,
    "not_handled_reconfirm": 0.012,
    "other_overdue_correction": 0.05,
    "other_overdue_fee": 0.006,
    "other_misc": 0.05,
}
# Applicant columns without 总计: natural persons dominate everywhere.
_APPLICANT_SHARE = (0.9, 0.05, 0.003, 0.004, 0.02, 0.023)
# Applications per year by year: a peak after the 2019 条例 revision, then a slow decline.
_YEAR_TREND = {2019: 0.85, 2020: 1.0, 2021: 1.15, 2022: 1.1, 2023: 1.05, 2024: 1.0, 2025: 0.95}


@dataclass(frozen=True)
class Profile:
    apps: float  # applications a year (county level)
    license: float  # 行政许可 decisions
    penalty: float
    coercion: float
    fee: float  # 行政事业性收费, 万元
    normdoc: float  # 行政规范性文件 issued a year
    regulation: float = 0.0  # 规章: only governments of provinces and 设区的市


_PROFILES: dict[str, Profile] = {
    "commerce": Profile(2, 15, 3, 0, 0, 0.5),
    "finance": Profile(4, 0, 1, 0, 0, 1.0),
    "public_security": Profile(12, 600, 2500, 250, 60, 0.3),
    "market_regulation": Profile(8, 900, 300, 30, 4, 0.5),
    "hrss": Profile(6, 120, 10, 0, 0, 1.0),
    "natural_resources": Profile(35, 150, 30, 5, 250, 1.0),
    "housing": Profile(20, 200, 15, 2, 30, 1.0),
    "transport": Profile(4, 300, 300, 20, 15, 0.5),
    "education": Profile(6, 40, 2, 0, 0, 1.0),
    "health": Profile(5, 150, 40, 2, 2, 0.5),
    "agriculture": Profile(3, 80, 20, 1, 0, 0.5),
    "civil_affairs": Profile(4, 30, 1, 0, 0, 0.5),
    "urban_management": Profile(6, 60, 400, 50, 10, 0.3),
    "water": Profile(2, 50, 10, 1, 5, 0.3),
    "justice": Profile(2, 20, 0, 0, 0, 0.3),
    "emergency": Profile(2, 30, 25, 3, 0, 0.3),
    "development_reform": Profile(5, 50, 2, 0, 0, 0.8),
    "culture_tourism": Profile(1, 60, 10, 0, 0, 0.3),
    "ecology": Profile(6, 40, 40, 5, 3, 0.3),
    "medical_insurance": Profile(2, 10, 5, 0, 0, 0.5),
    "admin_approval": Profile(5, 3000, 0, 0, 8, 0.3),
    "statistics": Profile(1, 0, 3, 0, 0, 0.1),
    "audit": Profile(1, 0, 0, 0, 0, 0.1),
    "veterans": Profile(1, 5, 0, 0, 0, 0.3),
    "science_tech": Profile(1, 10, 0, 0, 0, 0.3),
    OFFICE: Profile(10, 0, 0, 0, 0, 6.0, 1.0),
    GOV: Profile(10, 0, 0, 0, 0, 6.0, 1.0),
    TOWNSHIP: Profile(2, 15, 12, 1, 0, 0.1),
}
_LEVEL_MULT = {"township": 1.0, "county": 1.0, "city": 2.5, "province": 6.0}


@dataclass
class Truth:
    """One organ-year: 表二 measures of both formats, 表三 rows (7 columns each), 表四 (15)."""

    t2: dict[str, Num] = field(default_factory=dict)  # "normative_doc.in_force", "admin_fee.amount" ...
    t3: dict[str, list[int]] = field(default_factory=dict)  # row code -> 7 values (total last)
    t4: list[int] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# samplers (random.Random has no binomial/poisson in 3.11; normal approximations above ~40)


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def binom(rng: random.Random, n: int, p: float) -> int:
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if n < 40:
        return sum(1 for _ in range(n) if rng.random() < p)
    return min(n, max(0, round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))))


def multinomial(rng: random.Random, n: int, weights: list[float]) -> list[int]:
    out = [0] * len(weights)
    rest = sum(weights)
    for i, w in enumerate(weights):
        if n <= 0:
            break
        if i == len(weights) - 1 or rest <= 0:
            out[i] = n
            break
        k = binom(rng, n, w / rest)
        out[i] = k
        n -= k
        rest -= w
    return out


def lognormal(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(-sigma * sigma / 2, sigma))


# --------------------------------------------------------------------------------------------


def _profile(organ: Organ) -> tuple[Profile, float]:
    prof = _PROFILES[organ.sector]
    mult = _LEVEL_MULT[organ.level]
    if organ.sector in (OFFICE, GOV) and organ.level == "county":
        prof = Profile(prof.apps, prof.license, prof.penalty, prof.coercion, prof.fee, prof.normdoc, 0.0)
    return prof, mult


def _fee(rng: random.Random, value: float, places: int) -> Decimal:
    q = Decimal(1).scaleb(-places)
    return Decimal(repr(max(value, float(q)))).quantize(q)


def leaf_series(organ: Organ, years: list[int], seed: int, no_other: set[int]) -> dict[int, Truth]:
    """Seeded truth for one organ that reports on its own work. `no_other`: years whose report
    prints （六） as one row under an F2021 表二 (the late adopters of the 2021 表三): their
    （六） applications are booked elsewhere, since those sub-row cells do not exist in print."""
    rng = random.Random(f"{seed}:truth:{organ.id}")
    prof, mult = _profile(organ)
    factor = lognormal(rng, 0.8) * (rng.uniform(40, 120) if organ.hot else 1.0)
    apps_mean = prof.apps * mult * factor
    person = rng.uniform(0.8, 0.97)
    rest = [s / sum(_APPLICANT_SHARE[1:]) * (1 - person) for s in _APPLICANT_SHARE[1:]]
    applicant_w = [person, *rest]
    outcome_w = [_OUTCOME_SHARE[r] * lognormal(rng, 0.5) for r in LEAF_ROWS]
    p_cf = rng.uniform(0.0, 0.09)
    # stocks at the end of the year before the first report
    cf = multinomial(rng, poisson(rng, apps_mean * 0.04), applicant_w)
    nd_mean = prof.normdoc * (mult if organ.sector in (OFFICE, GOV) else 1.0) * lognormal(rng, 0.5)
    reg_mean = prof.regulation * (6.0 if organ.level == "province" else 2.0 if organ.level == "city" else 0)
    stock = {"regulation": poisson(rng, reg_mean * 15), "normative_doc": poisson(rng, nd_mean * 8)}
    published = {k: v + poisson(rng, 3 * (v > 0)) for k, v in stock.items()}
    base = {
        "admin_license": prof.license * mult * lognormal(rng, 0.7),
        "admin_penalty": prof.penalty * mult * lognormal(rng, 0.7),
        "admin_coercion": prof.coercion * mult * lognormal(rng, 0.7),
        "other_mgmt_service": (prof.license * 0.2 + 2) * mult * lognormal(rng, 0.7)
        if rng.random() < 0.5
        else 0.0,
    }
    if organ.sector == TOWNSHIP and rng.random() < 0.5:
        base["admin_license"] = 0.0
    items = {k: (rng.randint(10, 120) if v > 0 else 0) for k, v in base.items()}
    items["admin_penalty"] = rng.randint(50, 1500) if base["admin_penalty"] > 100 else items["admin_penalty"]
    fee_base = prof.fee * mult * lognormal(rng, 0.8) if prof.fee and rng.random() < 0.85 else 0.0
    fee_places = rng.choices((0, 2, 4, 6), (0.1, 0.6, 0.15, 0.15))[0]
    items["admin_fee"] = rng.randint(1, 15) if fee_base else 0
    proc_mean = (3.0 if organ.kind == "bureau" else 8.0) * mult * lognormal(rng, 0.6)

    out: dict[int, Truth] = {}
    for year in years:
        tr = Truth()
        lam = apps_mean * _YEAR_TREND.get(year, 1.0) * lognormal(rng, 0.3)
        new = multinomial(rng, poisson(rng, lam), applicant_w)
        co = cf
        cf = [binom(rng, new[i] + co[i], p_cf) for i in range(6)]
        rows = {r: [0] * 6 for r in LEAF_ROWS}
        for i in range(6):
            handled = new[i] + co[i] - cf[i]
            for r, k in zip(LEAF_ROWS, multinomial(rng, handled, outcome_w), strict=True):
                rows[r][i] = k
        if year in no_other:
            for r in ("other_overdue_correction", "other_overdue_fee", "other_misc"):
                for i in range(6):
                    rows["unavailable_not_held"][i] += rows[r][i]
                    rows[r][i] = 0
        t3 = {"new_received": new, "carried_over": co, **rows, "carried_forward": cf}
        t3["other"] = [
            rows["other_overdue_correction"][i] + rows["other_overdue_fee"][i] + rows["other_misc"][i]
            for i in range(6)
        ]
        t3["total"] = [new[i] + co[i] - cf[i] for i in range(6)]
        tr.t3 = {code: [*v, sum(v)] for code, v in t3.items()}
        tr.t4 = _t4(rng, apps_mean)
        # 表二
        for kind, mean in (("regulation", reg_mean), ("normative_doc", nd_mean)):
            issued = poisson(rng, mean * lognormal(rng, 0.4))
            repealed = min(stock[kind] + issued, binom(rng, stock[kind], 0.04) + binom(rng, issued, 0.1))
            stock[kind] += issued - repealed
            new_pub = issued - (binom(rng, issued, 0.2) if rng.random() < 0.15 else 0)
            published[kind] += new_pub
            tr.t2.update(
                {
                    f"{kind}.issued": issued,
                    f"{kind}.repealed": repealed,
                    f"{kind}.in_force": stock[kind],
                    f"{kind}.new_made": issued,
                    f"{kind}.new_published": new_pub,
                    f"{kind}.total_published": published[kind],
                }
            )
        for kind, mean in base.items():
            tr.t2[f"{kind}.decisions"] = poisson(rng, mean * lognormal(rng, 0.25))
        for kind in ("admin_license", "other_mgmt_service", "admin_penalty", "admin_coercion", "admin_fee"):
            prev = items[kind]
            change = 0
            if prev and rng.random() < 0.4:
                change = max(-prev, rng.randint(-max(1, prev // 10), max(2, prev // 8)))
            items[kind] = prev + change
            tr.t2[f"{kind}.prev_year_items"] = prev
            tr.t2[f"{kind}.items_change"] = change
        tr.t2["admin_fee.amount"] = (
            _fee(rng, fee_base * lognormal(rng, 0.2), fee_places) if fee_base else Decimal(0)
        )
        n_proc = poisson(rng, proc_mean)
        amount = sum(lognormal(rng, 1.0) * 250000 for _ in range(n_proc))
        tr.t2["gov_procurement.items"] = n_proc
        tr.t2["gov_procurement.amount"] = Decimal(repr(round(amount, 2))).quantize(Decimal("0.01"))
        out[year] = tr
    return out


def _t4(rng: random.Random, apps_mean: float) -> list[int]:
    values: list[int] = []
    review = poisson(rng, apps_mean * 0.035)
    for n in (review, poisson(rng, apps_mean * 0.012), binom(rng, review, 0.2)):
        parts = multinomial(rng, n, [0.55, 0.12, 0.2, 0.13])
        values += [*parts, n]
    return values


def add(truths: list[Truth]) -> Truth:
    """The cell-by-cell sum of reports: what a region report prints."""
    out = Truth()
    for key in truths[0].t2:
        vals = [t.t2[key] for t in truths]
        out.t2[key] = sum(vals[1:], vals[0])
    for code in truths[0].t3:
        out.t3[code] = [sum(t.t3[code][i] for t in truths) for i in range(N_COLS)]
    out.t4 = [sum(t.t4[i] for t in truths) for i in range(15)]
    return out


def cells(truth: Truth, fmt: str, single_other: bool = False) -> dict[str, Num | None]:
    """The cell values a report of format `fmt` prints, keyed and ordered as layout.CELL_IDS[fmt].
    `single_other`: an F2021 report printing （六） as one row — its three sub-row cells are not
    in the source (null)."""
    out: dict[str, Num | None] = {}
    t4 = iter(truth.t4)
    for cid in layout.CELL_IDS[fmt]:
        table, row, col = cid.split(".")
        if table == "t2":
            out[cid] = truth.t2[f"{row}.{col}"]
        elif table == "t3":
            if single_other and row.startswith("other_"):
                out[cid] = None
            else:
                out[cid] = truth.t3[row][COLS.index(col)]
        else:
            out[cid] = next(t4)
    return out
