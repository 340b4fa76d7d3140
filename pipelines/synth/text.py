"""The prose of a report: title, date, the six sections' text, where the tables go.

Sentences are drawn per organ-year from pools, so two years of one organ read differently (a
report copied from last year reuses last year's draw: `Draft.text_key`). Section 三 states the
application totals before its table and section 六 the 信息处理费, from `Draft.facts`.

Prose never uses the words the parsers take as table labels (本年新收, 申请人情况, 勾稽关系, the
表二 item names after a number): in a crawler dump, prose and cells are one run of text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipelines.synth.names import Organ, pronoun
from pipelines.synth.report import Draft

_WORK = {
    "commerce": "商贸流通",
    "finance": "财政预决算管理",
    "public_security": "公安执法",
    "market_regulation": "市场监管",
    "hrss": "就业和社会保障",
    "natural_resources": "自然资源管理",
    "housing": "住房和城乡建设",
    "transport": "交通运输",
    "education": "教育事业",
    "health": "卫生健康",
    "agriculture": "农业农村",
    "civil_affairs": "民政服务",
    "urban_management": "城市管理",
    "water": "水利",
    "justice": "司法行政",
    "emergency": "应急管理",
    "development_reform": "发展改革",
    "culture_tourism": "文化旅游",
    "ecology": "生态环境保护",
    "medical_insurance": "医疗保障",
    "admin_approval": "行政审批服务",
    "statistics": "统计调查",
    "audit": "审计监督",
    "veterans": "退役军人服务",
    "science_tech": "科技创新",
    "office": "政务公开统筹协调",
    "gov": "政府工作",
    "township": "基层治理",
}

_OVERVIEW = (
    "{year}年，{we}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "紧紧围绕{work}中心工作，坚持“以公开为常态、不公开为例外”原则，不断提升政务公开质量和实效。",
    "{year}年，{we}深入贯彻党中央、国务院关于全面推进政务公开工作的决策部署，结合{work}工作实际，"
    "持续加大政府信息公开力度，切实保障人民群众的知情权、参与权、表达权和监督权。",
    "{year}年，在上级政务公开主管部门的指导下，{we}认真落实政务公开各项工作要求，立足{work}职能，"
    "进一步规范公开流程、拓宽公开渠道，政府信息公开工作取得新进展。",
    "{year}年，{we}把政府信息公开作为转变政府职能、建设法治政府的重要抓手，围绕{work}重点任务，"
    "推动决策、执行、管理、服务、结果“五公开”落地落实。",
)
_ACTIVE = (
    "（一）主动公开。全年通过政府门户网站主动公开政府信息{n_pub}条，其中政策文件{n_pol}条，政策解读{n_int}篇，"
    "及时发布工作动态、通知公告等信息，做到应公开尽公开。",
    "（一）主动公开方面。围绕{work}领域群众关注的热点问题，全年主动公开各类政府信息{n_pub}条，"
    "发布政策解读{n_int}篇，回应社会关切{n_resp}次。",
    "（一）主动公开情况。严格落实主动公开基本目录要求，动态更新机构职能、规划计划、财政预决算等信息，"
    "全年累计公开信息{n_pub}条。",
)
_REQUEST = (
    "（二）依申请公开。进一步规范依申请公开受理、登记、办理、答复等环节，严格按照法定时限和程序答复，"
    "做到答复格式规范、依据充分、告知全面。",
    "（二）依申请公开方面。健全依申请公开会商机制，对疑难复杂申请集体研究，确保答复内容合法、准确、及时。",
    "（二）依申请公开情况。完善依申请公开工作流程，强化与申请人的沟通，全年依申请公开工作规范有序。",
)
_MANAGE = (
    "（三）政府信息管理。落实信息发布“三审三校”和保密审查制度，定期清理失效、过时信息，"
    "确保公开信息准确、规范。",
    "（三）政府信息管理方面。严格执行公文公开属性源头认定制度，加强对拟公开信息的合法性、保密性审查。",
    "（三）政府信息管理情况。建立信息发布台账，对已公开信息开展常态化巡查，及时更正错误信息{n_fix}处。",
)
_PLATFORM = (
    "（四）平台建设。持续优化政府网站信息公开专栏，规范政务新媒体运维管理，提升平台服务能力。",
    "（四）政府信息公开平台建设方面。加强政府网站和政务新媒体内容保障，全年政务新媒体发布信息{n_media}条。",
    "（四）平台建设情况。依托政府门户网站信息公开平台，完善栏目设置，方便公众查询获取政府信息。",
)
_SUPERVISE = (
    "（五）监督保障。明确分管领导和具体承办人员，将政务公开工作纳入年度工作要点，组织业务培训{n_train}次。",
    "（五）监督保障方面。健全政务公开工作机制，强化考核评估和社会评议，推动各项任务落到实处。",
    "（五）监督保障情况。加强对政务公开工作的督促检查，及时整改发现的问题，确保工作取得实效。",
)
_SEC2 = (
    "{year}年，{we}主动公开政府信息情况如下：",
    "根据《条例》第二十条规定，{we}{year}年主动公开政府信息情况统计如下：",
    "",
)
_SEC4 = (
    "{year}年，{we}{review_text}。",
    "本年度{we}{review_text}。",
)
_PROBLEMS = (
    "{year}年，{we}政府信息公开工作取得了一定成效，但仍存在一些不足：一是主动公开的深度和广度有待拓展；"
    "二是政策解读形式还不够丰富；三是信息公开工作人员多为兼职，业务能力有待提高。",
    "{we}政府信息公开工作仍存在一些问题：公开内容与群众需求还有差距，部分信息更新不够及时，"
    "依申请公开答复的规范性需进一步提升。",
    "对照上级要求和群众期盼，{we}政务公开工作还存在短板：信息发布的时效性不够强，互动回应渠道不够多样。",
    "工作中仍存在以下问题：一是公开标准化规范化水平有待提高；二是政务新媒体运维力量较为薄弱。",
)
_IMPROVE = (
    "下一步，{we}将进一步提高思想认识，加强业务培训，规范公开流程，不断提升政府信息公开工作质效。",
    "针对上述问题，{we}将聚焦群众关切，丰富解读形式，加强平台建设，推动政务公开工作再上新台阶。",
    "{next}年，{we}将强化责任落实，健全工作机制，及时更新公开内容，切实提高政府信息公开的针对性和实效性。",
    "改进措施：一是加强组织领导，压实工作责任；二是强化业务培训，提升队伍能力；三是完善考核机制，推动工作落实。",
)
_FEE_NONE = (
    "本年度未发出收费通知，未收取信息处理费。",
    "{year}年，{we}未收取信息处理费。",
    "本年度{we}未按照《政府信息公开信息处理费管理办法》收取信息处理费。",
)
_NO_OTHER = ("无其他需要报告的事项。", "本年度无其他需要报告的事项。")
_HEADINGS = {
    "s1": ("一、总体情况", "一、总体情况", "一、概述"),
    "s2": ("二、主动公开政府信息情况",),
    "s3": ("三、收到和处理政府信息公开申请情况",),
    "s4": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",
    ),
    "s5": ("五、存在的主要问题及改进情况",),
    "s6": ("六、其他需要报告的事项",),
}


@dataclass(frozen=True)
class Block:
    kind: str  # title, date, h (heading), p (paragraph), table, sign
    text: str


def title(organ: Organ, year: int, rng: random.Random) -> tuple[str, str]:
    """(title, agency as the title prints it)."""
    name = organ.name
    form = rng.choices(
        ("year_du", "year", "guanyu_mid", "guanyu_lead", "year_first"), (0.5, 0.25, 0.06, 0.05, 0.14)
    )[0]
    text = {
        "year_du": f"{name}{year}年度政府信息公开工作年度报告",
        "year": f"{name}{year}年政府信息公开工作年度报告",
        "guanyu_mid": f"{name}关于{year}年度政府信息公开工作年度报告",
        "guanyu_lead": f"关于{name}{year}年度政府信息公开工作年度报告",
        "year_first": f"{year}年{name}政府信息公开工作年度报告",
    }[form]
    return text, name


def publish_date(organ: Organ, year: int, rng: random.Random) -> tuple[int, int, int]:
    """Departments publish by 31 January, governments by 31 March."""
    month = rng.choice((1, 2, 3, 3)) if organ.kind.endswith("_gov") or organ.kind == "township" else 1
    return year + 1, month, rng.randint(8 if month == 1 else 1, 28 if month == 2 else 31)


def body(d: Draft, title_text: str, date: tuple[int, int, int], rng: random.Random) -> list[Block]:
    """The report in reading order. `rng` is seeded by `d.text_key`."""
    organ, year = d.organ, d.year
    we = pronoun(organ)
    work = _WORK.get(organ.sector, "政务服务")
    num = {
        "n_pub": rng.randint(40, 900),
        "n_pol": rng.randint(1, 40),
        "n_int": rng.randint(1, 30),
        "n_resp": rng.randint(1, 20),
        "n_fix": rng.randint(1, 30),
        "n_media": rng.randint(50, 2000),
        "n_train": rng.randint(1, 6),
    }
    fill = {"year": year, "next": year + 1, "we": we, "work": work, "org": organ.name, **num}

    def pick(pool: tuple[str, ...]) -> str:
        return rng.choice(pool).format(**fill)

    y, m, day = date
    out: list[Block] = []
    if not d.has("seed_opening"):
        out.append(Block("title", title_text))
        if rng.random() < 0.5:
            out.append(Block("date", f"（{y}年{m}月{day}日）"))
    ref = "国办公开办函〔2021〕30号" if d.fmt == "F2021" else "国办公开办函〔2019〕60号"
    if d.has("seed_opening"):
        out.append(Block("p", f"现将{organ.name}{year}年政府信息公开工作落实情况报告如下："))
    else:
        out.append(
            Block(
                "p",
                f"本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《中华人民共和国政府"
                f"信息公开工作年度报告格式》（{ref}）要求编制。本报告所列数据的统计期限自{year}年1月1日起至"
                f"{year}年12月31日止。如对本报告有疑问，请与{organ.name}办公室联系。",
            )
        )
    out.append(Block("h", rng.choice(_HEADINGS["s1"])))
    out.append(Block("p", pick(_OVERVIEW)))
    for pool in (_ACTIVE, _REQUEST, _MANAGE, _PLATFORM, _SUPERVISE):
        if rng.random() < 0.85:
            out.append(Block("p", pick(pool)))
    out.append(Block("h", _HEADINGS["s2"][0]))
    s2 = pick(_SEC2)
    if s2:
        out.append(Block("p", s2))
    out.append(Block("table", "t2"))
    out.append(Block("h", _HEADINGS["s3"][0]))
    out.append(Block("p", _applications(d, fill, rng)))
    if d.has("missing_t3"):
        out.append(Block("p", "本年度未收到政府信息公开申请，无需填报本表。"))
    else:
        out.append(Block("table", "t3"))
    out.append(Block("h", rng.choice(_HEADINGS["s4"])))
    review = int(d.v("t4.review.total"))
    suits = int(d.v("t4.litigation_direct.total")) + int(d.v("t4.litigation_after_review.total"))
    if review or suits:
        fill["review_text"] = f"因政府信息公开工作被申请行政复议{review}件，被提起行政诉讼{suits}件"
    else:
        fill["review_text"] = "未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况"
    out.append(Block("p", pick(_SEC4)))
    out.append(Block("table", "t4"))
    out.append(Block("h", _HEADINGS["s5"][0]))
    out.append(Block("p", pick(_PROBLEMS)))
    out.append(Block("p", pick(_IMPROVE)))
    out.append(Block("h", _HEADINGS["s6"][0]))
    out.append(Block("p", _fee_text(d, fill, rng)))
    if not d.has("seed_opening"):
        out.append(Block("sign", organ.name))
        out.append(Block("sign", f"{y}年{m}月{day}日"))
    return out


def _applications(d: Draft, fill: dict[str, object], rng: random.Random) -> str:
    f = d.facts
    new, co, handled, cf = (
        f["new_received_total"],
        f["carried_over_total"],
        f["handled_total"],
        f["carried_forward_total"],
    )
    lead = rng.choice(("本年度", "全年", f"{d.year}年，{fill['we']}"))
    if not new and not co and rng.random() < 0.5:
        return f"{lead}共收到政府信息公开申请0件，无上年结转申请。"
    text = f"{lead}共收到政府信息公开申请{new}件，上年结转{co}件；办结{handled}件"
    text += f"，结转下年度继续办理{cf}件。" if cf else "，无结转下年度办理的申请。"
    return text


def _fee_text(d: Draft, fill: dict[str, object], rng: random.Random) -> str:
    f = d.facts
    if d.fmt != "F2021" or "fee_notices" not in f:
        return rng.choice(_NO_OTHER)
    if not f["fee_notices"]:
        return rng.choice(_FEE_NONE).format(**fill)
    overdue = f.get("fee_overdue", 0)
    text = f"本年度依据《政府信息公开信息处理费管理办法》发出收费通知{f['fee_notices']}件"
    if overdue:
        text += f"，其中{overdue}件申请人逾期未缴纳费用"
    return text + f"，收取信息处理费{f['fee_yuan']}元。"
