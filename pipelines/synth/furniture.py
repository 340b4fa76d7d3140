"""Office document furniture around a report's title, as real PDF and Word reports carry it: the red
header line of the issuing office (XX人民政府办公室文件) and the document number under it
(X政办发〔2025〕3号), 附件 above the title when the report went out attached to a notice, a title
broken after the organ's name, and a running page header repeated on every page.

None of it names the reporting organ the way the title does; the parser must read past it (quirk
`letterhead`). Drawn from a random stream of its own, so adding it changes no other report.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipelines.synth.names import Organ


@dataclass(frozen=True)
class Letterhead:
    red_header: str | None  # "盐城市盐都区人民政府办公室文件"
    doc_number: str | None  # "盐都政办发〔2025〕3号"
    attachment: str | None  # "附件" / "附件1"
    title_lines: tuple[str, ...]  # the title as printed, one entry per line
    running_header: str | None  # printed at the top of every page


def letterhead(organ: Organ, year: int, title: str, seed: int, file: str) -> Letterhead:
    rng = random.Random(f"{seed}:letterhead:{file}")
    government = organ.kind.endswith("_gov") or organ.kind == "township"
    issuer = organ.name + ("办公室" if government and not organ.name.endswith("办公室") else "")
    short = organ.region[-3:-1] if len(organ.region) >= 3 else organ.name[:2]
    red = rng.random() < 0.7
    number = f"{short}{'政办发' if government else '发'}〔{year + 1}〕{rng.randint(1, 40)}号" if red else None
    attachment = rng.choice(("附件", "附件1", "附件2", None))
    head, sep, tail = title.partition(str(year))
    broken = (head, sep + tail) if sep and head and "关于" not in head and rng.random() < 0.5 else (title,)
    running = rng.choice((title, f"{organ.name}政府信息公开工作年度报告", None))
    return Letterhead(f"{issuer}文件" if red else None, number, attachment, broken, running)
