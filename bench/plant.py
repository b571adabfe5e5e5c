"""Plant consistency faults into real text and measure what the checks find.

The hosts are real texts read at run time from ``../shared`` and never written into the
project: the 28 passages of ``gold-reports/docs`` and the five seed submissions
(``seeds``); ``--hosts labelled`` takes the 202 passages of our own standoff labels
(``corpus/labels/real``, cut from ``../shared/corpus``), ``--hosts reports`` the 119 whole
reports of ``../shared/corpus`` (long texts where a restated figure stands far from the
first; by default only their false alarms are counted, ``--per-host 1`` plants into them).
Into each host the planter writes, one fault per planted copy, the kind of mistake a
careless writer makes, in the words already around it where it can (its own small word
lists, not the checks'):

=====================  ==========================================================
PLACEHOLDER            a name, year or date of the host masked (XX市, 20XX年, X月X日, **同志 …)
NUMBERING              a marker run of the host, or one the writer adds (一是…二是…), skipped,
                       repeated or swapped
PART_EXCEEDS_WHOLE     a breakdown whose parts add up to more than its total (其中, 分别为, 包括, （其中…）)
SUBSET_EXCEEDS         more resolved than found (排查…整改…, 受理…办结…)
PERCENT_RANGE          a rate that cannot pass 100 % above it (a rate of the host or a new one),
                       or a fall of more than 100 %
ARITHMETIC             a change or a share that the figures given with it contradict
HEDGE_CONFLICT         two hedges on one figure (近800余人, 约300人左右)
CONFLICTING_VALUES     a count of the host stated again later (or earlier) with another figure,
                       in the words of the host, reworded or not
=====================  ==========================================================

Every planted copy carries its answer (the span of the fault, both spans for
CONFLICTING_VALUES).  A fault is found when a finding of its code overlaps the span
(for CONFLICTING_VALUES: the finding and the place it links cover both spans).
False alarms are counted on the hosts as they are: every finding of a numeric check
(all codes above but PLACEHOLDER, and YEAR_MISMATCH) that ``plant_judged.jsonl``
does not judge real; on the sample corpus, every finding its answer file does not
expect.  Findings a planted copy has and its host has not, other than the fault,
are reported as collateral.

    python bench/plant.py                    # gold-reports + seeds, recall per code, false alarms
    python bench/plant.py --hosts labelled   # our standoff passages instead
    python bench/plant.py --hosts reports --per-host 1   # whole reports
    python bench/plant.py --seed 3 --show missed         # other places and wordings; or extra, findings, all
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)
SHARED = os.environ.get("SUMMARYSCAN_SHARED") or os.path.join(os.path.dirname(PROJECT), "shared")
JUDGED = os.path.join(HERE, "plant_judged.jsonl")

CODES = ["PLACEHOLDER", "NUMBERING", "PART_EXCEEDS_WHOLE", "SUBSET_EXCEEDS", "PERCENT_RANGE", "ARITHMETIC",
         "HEDGE_CONFLICT", "CONFLICTING_VALUES"]
NUMERIC = set(CODES[1:]) | {"YEAR_MISMATCH"}


# ====================================================================== hosts

@dataclass
class Host:
    name: str          # seeds/000_….txt, gold-reports/n01.txt, labelled/clm-prov-001
    text: str
    kind: str          # seeds | gold-reports | labelled


def shared_present(shared: str = SHARED) -> bool:
    return os.path.isdir(os.path.join(shared, "gold-reports", "docs")) and os.path.isdir(os.path.join(shared, "seeds"))


def _read(path: str) -> str:
    with open(path, encoding="utf-8-sig") as fh:
        return fh.read()


def hosts(kinds: Iterable[str] = ("gold-reports", "seeds"), shared: str = SHARED) -> list[Host]:
    out: list[Host] = []
    for kind in kinds:
        if kind == "gold-reports":
            folder = os.path.join(shared, "gold-reports", "docs")
            out += [Host(f"gold-reports/{n}", _read(os.path.join(folder, n)), kind)
                    for n in sorted(os.listdir(folder)) if n.endswith(".txt")]
        elif kind == "seeds":
            folder = os.path.join(shared, "seeds")
            out += [Host(f"seeds/{n}", _read(os.path.join(folder, n)), kind)
                    for n in sorted(os.listdir(folder)) if n.endswith(".txt")]
        elif kind == "labelled":
            sys.path.insert(0, os.path.join(PROJECT, "src"))
            from summaryscan.training import standoff
            out += [Host(f"labelled/{p.id}", p.text, kind) for p in standoff.passages()]
        elif kind == "reports":                # whole reports of ../shared/corpus (long: for false alarms)
            sys.path.insert(0, os.path.join(PROJECT, "src"))
            from summaryscan.training import standoff
            out += [Host(f"reports/{src.split('/', 1)[1]}", standoff.source_text(src), kind)
                    for src in standoff.sources(shared)]
        else:
            raise ValueError(f"unknown hosts: {kind}")
    return out


# ====================================================================== plants

@dataclass
class Plant:
    host: str
    code: str
    recipe: str
    text: str
    spans: list[tuple[int, int]]      # the fault; CONFLICTING_VALUES: (first, second) mention
    note: str = ""

    def shown(self, width: int = 40) -> str:
        s, e = self.spans[-1]
        return self.text[max(0, s - width):e + 10].replace("\n", "⏎")


_FW = str.maketrans("0123456789.", "０１２３４５６７８９．")
_HW = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[、.．](?!\d))")
_PLAN = re.compile(r"下一步|今后|明年|计划|打算|将|要|力争|目标|预期|预计|工作安排|工作思路|建议|对策|存在|问题|不足|差距|短板")


def _num(v: float, like: str = "", commas: bool = False) -> str:
    """A figure written the way the host writes its figures (full-width digits when it does)."""
    s = (f"{v:,.0f}" if commas else str(int(v))) if float(v).is_integer() else f"{v:.1f}"
    return s.translate(_FW) if re.search(r"[０-９]", like) else s


def _depth_ok(text: str, pos: int, floor: int) -> bool:
    """No open bracket or quote between ``floor`` and ``pos``."""
    depth = 0
    for ch in text[floor:pos]:
        if ch in "（(“《":
            depth += 1
        elif ch in "）)”》" and depth:
            depth -= 1
    return depth == 0


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, (len(text) if e < 0 else e)


def _heading_before(text: str, pos: int) -> str:
    """The nearest heading line before ``pos`` (where a plan or problems section begins)."""
    for m in reversed(list(re.finditer(r"(?m)^[^\n]*$", text[:pos]))):
        line = m.group()
        if _HEADING.match(line) and len(line.strip()) <= 60:
            return line
    return ""


_PLAN_PART = re.compile(r"(?m)^[\s\u3000]*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])?[^\n]{0,12}"
                        r"(?:重点工作|工作安排|主要任务|总体要求|目标任务|下一步|今后五年|今后一个时期|工作打算|工作计划|预期目标)"
                        r"|^[\s\u3000]*今年(?!以来)")


def plan_part(text: str) -> int:
    """Where the plans of a document begin (a line like 三、2026年重点工作 or 下一步工作打算):
    a careless writer restates what was done, not what is planned. len(text) when there is none."""
    m = _PLAN_PART.search(text, text.find("\n") + 1)
    return m.start() if m else len(text)


def slots(text: str) -> list[int]:
    """Places where a careless writer's extra sentence can go: right after a 。 that ends a
    sentence of prose (not a heading, not inside brackets or quotes), outside plan and
    problem sections, never in the first line (the title)."""
    first_nl = text.find("\n")
    plans = plan_part(text)
    out = []
    for m in re.finditer("。", text[:plans]):
        pos = m.end()
        if pos <= first_nl or (pos < len(text) and text[pos] in "”’）)】"):
            continue
        ls, le = _line_bounds(text, m.start())
        line = text[ls:le]
        if _HEADING.match(line) and line.find("。") == m.start() - ls and len(line) < 40:
            continue
        if not _depth_ok(text, pos, ls) or len(text[ls:pos].strip()) < 12:
            continue
        if _PLAN.search(_heading_before(text, pos)):
            continue
        out.append(pos)
    return out


def _insert(text: str, pos: int, s: str) -> str:
    return text[:pos] + s + text[pos:]


Recipe = Callable[[Host, random.Random], Optional[Plant]]


# ---------------------------------------------------------------------- inserted sentences

def _plant_sentence(host: Host, rng: random.Random, code: str, recipe: str, sentence: str,
                    fault: str, used: set[int]) -> Optional[Plant]:
    cands = [p for p in slots(host.text) if p not in used]
    if not cands:
        return None
    pos = rng.choice(cands)
    used.add(pos)
    text = _insert(host.text, pos, sentence)
    k = sentence.find(fault)
    assert k >= 0, (sentence, fault)
    return Plant(host.name, code, recipe, text, [(pos + k, pos + k + len(fault))])


_PARTS = [  # what is broken down, its unit, the parts, the verbs that introduce it
    ("党员", "名", ["在职党员", "离退休党员", "预备党员"], ["局机关共有", "机关党委现有", "全局共有"], (120, 420)),
    ("干部", "人", ["处级干部", "科级干部", "一般干部"], ["选派", "交流轮岗", "调训"], (30, 160)),
    ("培训班", "期", ["专题培训班", "业务培训班", "网络培训班"], ["举办", "组织开办"], (12, 60)),
    ("信访件", "件", ["来信", "来访", "网上信访"], ["受理"], (150, 900)),
    ("企业", "家", ["国有企业", "民营企业", "外资企业"], ["走访服务", "帮扶"], (80, 600)),
    ("重点项目", "个", ["续建项目", "新开工项目", "前期项目"], ["推进", "实施"], (20, 120)),
    ("学校", "所", ["小学", "初中", "高中"], ["新建改扩建"], (10, 60)),
    ("案件", "件", ["违纪案件", "职务违法案件"], ["立案审查"], (40, 300)),
    ("志愿服务活动", "场", ["助老类", "环保类", "文明实践类"], ["开展"], (30, 200)),
    ("先进典型", "个", ["省级", "市级", "县级"], ["选树"], (20, 90)),
    ("示范点", "个", ["党建示范点", "廉政教育示范点"], ["建成"], (10, 50)),
    ("专题宣讲", "场次", ["进机关", "进社区", "进企业"], ["组织"], (40, 260)),
]


def _split_over(rng: random.Random, total: int, n: int) -> list[int]:
    """``n`` parts adding up to a little more than ``total`` (a miscount, not an absurdity)."""
    over = max(1, int(total * rng.uniform(0.04, 0.25)))
    s = total + over
    for _ in range(50):
        cuts = sorted(rng.sample(range(1, s), n - 1))
        parts = [b - a for a, b in zip([0] + cuts, cuts + [s])]
        if all(0 < p < total for p in parts):
            return parts
    return [s // n] * (n - 1) + [s - s // n * (n - 1)]


def part_exceeds_whole(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    item, unit, names, verbs, (lo, hi) = rng.choice(_PARTS)
    total = rng.randint(lo, hi)
    n = 3 if len(names) >= 3 and rng.random() < 0.4 else 2
    parts = _split_over(rng, total, n)
    verb = rng.choice(verbs)
    gong = "" if "共" in verb else "共"
    listed = lambda sep: sep.join(f"{nm}{p}{unit}" for nm, p in zip(names, parts))
    frames = [
        ("其中", f"{verb}{item}{total}{unit}，其中{listed('、')}"),
        ("其中-next", f"{verb}{item}共计{total}{unit}。其中，{listed('，')}"),
        ("分别为", f"{verb}{item}{total}{unit}，分别为{listed('、')}"),
        ("包括", f"{verb}{item}{gong}{total}{unit}，包括{listed('、')}"),
        ("括注", f"{verb}{item}{gong}{total}{unit}（其中{listed('、')}）"),
    ]
    recipe, fault = rng.choice(frames)
    tail = rng.choice(["", "，为各项工作开展提供了有力保障", "，工作成效明显", ""])
    return _plant_sentence(host, rng, "PART_EXCEEDS_WHOLE", recipe, fault + tail + "。", fault, used)


_FOUND = [  # object, unit, found verbs, resolved verbs
    ("安全隐患", "处", ["排查", "排查出", "发现"], ["整改到位", "整改", "消除"]),
    ("问题线索", "条", ["受理", "收到"], ["办结", "处置"]),
    ("信访事项", "件", ["受理", "接到"], ["办结", "化解"]),
    ("群众诉求", "件", ["收到", "受理"], ["办结", "解决", "答复"]),
    ("意见建议", "条", ["征集", "收集"], ["办理", "答复"]),
    ("矛盾纠纷", "起", ["排查", "摸排"], ["化解", "调处"]),
    ("突出问题", "个", ["查摆", "梳理出", "发现"], ["整改", "整改完成", "销号"]),
    ("12345热线工单", "件", ["受理", "接收"], ["办结", "办理完毕"]),
]


def subset_exceeds(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    obj, unit, fvs, rvs = rng.choice(_FOUND)
    found = rng.randint(20, 900)
    resolved = found + max(1, int(found * rng.uniform(0.03, 0.3)))
    fv, rv = rng.choice(fvs), rng.choice(rvs)
    adv = rng.choice(["已", "目前已", "", "已督促", "全部"])
    tail = rng.choice(["群众满意度明显提升", "切实把问题解决在萌芽状态", "有效防范化解了风险", "推动解决了一批急难愁盼问题"])
    frames = [
        ("逗号", f"{fv}{obj}{found}{unit}，{adv}{rv}{resolved}{unit}", ""),
        ("重述对象", f"{fv}{obj}{found}{unit}，{adv}{rv}{obj}{resolved}{unit}", f"，{tail}"),
        ("下一句", f"共{fv}{obj}{found}{unit}。{adv}{rv}{resolved}{unit}", f"，{tail}"),
        ("数在前", f"{fv}{found}{unit}{obj}，{adv}{rv}{resolved}{unit}", ""),
    ]
    recipe, fault, after = rng.choice(frames)
    return _plant_sentence(host, rng, "SUBSET_EXCEEDS", recipe, fault + after + "。", fault, used)


_RATES = [  # bounded by 100 %: what a writer reports
    "问题整改完成率", "整改完成率", "信访件办结率", "群众满意率", "政策知晓率", "党员参学率", "干部参训率",
    "培训覆盖面", "到课率", "会议出席率", "考试合格率", "达标率", "诉求按期办结率", "回访满意率", "问题销号率",
    "按时办结率", "服务好评率", "活动参与率", "监督覆盖率", "群众知晓率", "党员到会率", "意见建议采纳率",
]
_RATE_SUBJ = ["", "全年", "全局", "机关", "全市", "各支部"]
_RATE_VERB = ["达到", "达", "为", "提升至", "提高到", "保持在"]


def _over_100(rng: random.Random) -> str:
    v = rng.choice([rng.randint(101, 130), round(rng.uniform(100.2, 125), 1)])
    return f"{v}%"


def percent_range(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    if rng.random() < 0.2:
        obj = rng.choice(["信访总量", "安全生产事故起数", "违规违纪案件数", "群众投诉量", "会议文件数量"])
        fault = f"{obj}同比{rng.choice(['下降', '减少', '降低'])}{rng.randint(101, 160)}%"
        return _plant_sentence(host, rng, "PERCENT_RANGE", "降幅", fault + "。", fault, used)
    fault = f"{rng.choice(_RATE_SUBJ)}{rng.choice(_RATES)}{rng.choice(_RATE_VERB)}{_over_100(rng)}"
    return _plant_sentence(host, rng, "PERCENT_RANGE", "新写比率", fault + "。", fault, used)


_HOST_RATE = re.compile(r"(覆盖率|满意率|满意度|办结率|合格率|达标率|知晓率|优良率|处理率|参保率|普及率|城镇化率|"
                        r"利用率|回收率|通过率|治理率|化解率|入网率|建成率|参与率|到位率|落实率)"
                        r"(?:[^，,。；;\d０-９%％]{0,6})([0-9０-９]{2}(?:[.．][0-9０-９]+)?)([%％])")


def percent_range_host(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    """A bounded rate of the host typed wrong: 96.5% -> 106.5%, 89% -> 189% or 108%."""
    ms = [m for m in _HOST_RATE.finditer(host.text) if m.start(2) not in used]
    if not ms:
        return None
    m = rng.choice(ms)
    used.add(m.start(2))
    digits = m.group(2).translate(_HW)
    v = float(digits)
    new = v + 10 if 90 < v < 100 else 100 + rng.randint(1, 25) + (v % 1)
    s = (f"{new:.{len(digits.split('.')[1])}f}" if "." in digits else str(int(new)))
    s = s.translate(_FW) if re.search(r"[０-９]", m.group(2)) else s
    text = host.text[:m.start(2)] + s + host.text[m.end(2):]
    return Plant(host.name, "PERCENT_RANGE", "原文比率", text, [(m.start(1), m.start(2) + len(s) + 1)])


_CHANGE = [  # what was counted, its unit, the verb, parts of it
    ("信访举报", "件", "受理", ["检举控告类", "反映作风问题的", "涉及基层的", "通过网络渠道受理的", "重复件"]),
    ("群众来访", "批次", "接待", ["集体访", "重复访", "初次来访"]),
    ("违纪违法案件", "件", "查处", ["违反中央八项规定精神的", "涉及基层的", "处级以上干部"]),
    ("专题培训", "期", "举办", ["线上培训", "面向基层的", "业务类"]),
    ("督查检查", "次", "开展", ["明察暗访", "专项督查", "联合检查"]),
    ("行政审批事项", "件", "办理", ["即办件", "承诺件", "网上办理的"]),
    ("招商引资项目", "个", "引进", ["亿元以上", "先进制造业", "外资"]),
    ("12345热线诉求", "件", "受理", ["咨询类", "投诉类", "求助类"]),
]
_PERIODS = [("上年", "本年"), ("去年", "今年"), ("2022年", "2023年"), ("2023年", "2024年"), ("上年同期", "今年")]


def arithmetic(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    obj, unit, verb, parts = rng.choice(_CHANGE)
    if rng.random() < 0.5:
        b = rng.randint(80, 900)
        c = int(b * rng.uniform(0.6, 1.5))
        if c == b:
            c += 7
        actual = (c - b) / b * 100
        wrong = abs(actual) + rng.choice([-1, 1]) * rng.uniform(6, 15)
        if wrong <= 0:
            wrong = abs(actual) + rng.uniform(6, 15)
        word = rng.choice(["增长", "增加", "上升"]) if c > b else rng.choice(["下降", "减少"])
        pb, pc = rng.choice(_PERIODS)
        base = rng.choice(["同比", "比上年", "较上年"]) if "年" in pb and not pb[0].isdigit() else rng.choice(["同比", ""])
        stated = f"{base}{word}{wrong:.1f}%"
        frames = [
            ("变化-重复动词", f"{pb}{verb}{obj}{b}{unit}，{pc}{verb}{obj}{c}{unit}，{stated}"),
            ("变化-省略对象", f"{pb}{verb}{obj}{b}{unit}，{pc}{verb}{c}{unit}，{stated}"),
        ]
        recipe, s = rng.choice(frames)
        return _plant_sentence(host, rng, "ARITHMETIC", recipe, s + "。", stated, used)
    w = rng.randint(120, 900)
    x = int(w * rng.uniform(0.15, 0.7))
    actual = x / w * 100
    wrong = actual + rng.choice([-1, 1]) * rng.uniform(6, 15)
    wrong = wrong if 0 < wrong < 100 else actual + 8
    part = rng.choice(parts)
    frames = [
        ("占总数", f"全年共{verb}{obj}{w}{unit}，其中{part}{x}{unit}，", f"占总数的{wrong:.1f}%"),
        ("下一句-占对象总数", f"全年共{verb}{obj}{w}{unit}。其中，{part}{x}{unit}，", f"占{obj}总数的{wrong:.1f}%"),
        ("占全部", f"{verb}{obj}{w}{unit}，{part}{x}{unit}，", f"占全部{obj}的{wrong:.1f}%"),
    ]
    recipe, s, stated = rng.choice(frames)
    return _plant_sentence(host, rng, "ARITHMETIC", recipe, s + stated + "。", stated, used)


_HEDGED_SENTENCES = [  # (text with {n}, a round figure's range)
    ("慰问困难党员和职工{h}人", (200, 900)), ("发放各类宣传资料{h}份", (2000, 9000)),
    ("组织党员干部{h}人次参加志愿服务", (300, 2000)), ("接待群众来访{h}人次", (100, 800)),
    ("走访企业{h}家", (100, 600)), ("培训基层干部{h}人次", (500, 3000)), ("收集意见建议{h}条", (100, 500)),
]


def _hedge_pair(rng: random.Random, n: str, unit: str) -> str:
    return rng.choice([f"近{n}余{unit}", f"近{n}多{unit}", f"约{n}{unit}左右", f"超过{n}余{unit}", f"大约{n}{unit}左右"])


def hedge_conflict(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    tmpl, (lo, hi) = rng.choice(_HEDGED_SENTENCES)
    n = str(rng.randrange(lo, hi, 100 if hi > 1000 else 10))
    m = re.search(r"\{h\}(人次|人|份|家|条)", tmpl)
    unit = m.group(1)
    hedged = _hedge_pair(rng, n, unit)
    s = tmpl.replace("{h}" + unit, hedged)
    return _plant_sentence(host, rng, "HEDGE_CONFLICT", "新写约数", s + "。", hedged, used)


_HOST_HEDGED = re.compile(r"(?<![0-9０-９.．])(近|约|超过|逾)?([0-9０-９]+(?:[.．][0-9０-９]+)?)(万|亿)?(余|多)?"
                          r"(万|亿)?(人次|人|名|个|家|所|项|件|次|户|条|场|批|座|处|篇|套|公里|亩)")


def hedge_conflict_host(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    """A figure of the host given a second hedge: 2000多项 -> 近2000多项, 400万人 -> 近400余万人."""
    ms = [m for m in _HOST_HEDGED.finditer(host.text)
          if m.start() not in used and not re.search(r"[年月日号第不]$", host.text[max(0, m.start() - 1):m.start()])
          and (m.group(1) or m.group(4) or re.fullmatch(r"[1-9１-９][0０]+", m.group(2)))]
    if not ms:
        return None
    m = rng.choice(ms)
    used.add(m.start())
    lead, num, mult1, tail, mult2, unit = m.groups()
    mult = mult1 or mult2 or ""
    if tail:                                            # 2000多项 -> 近2000多项
        new = f"{rng.choice(['近', '约'])}{num}{mult1 or ''}{tail}{mult2 or ''}{unit}"
    elif lead in ("近",):                              # 近800人 -> 近800余人
        new = f"近{num}{mult}{rng.choice(['余', '多'])}{unit}" if not mult else f"近{num}余{mult}{unit}"
    elif lead in ("约",):                              # 约300人 -> 约300人左右
        new = f"约{num}{mult}{unit}左右"
    elif lead in ("超过", "逾"):                        # 超过5200万户 -> 超过5200余万户
        new = f"{lead}{num}余{mult}{unit}"
    else:                                              # 500名 -> 近500余名
        new = f"近{num}余{mult}{unit}"
    text = host.text[:m.start()] + new + host.text[m.end():]
    return Plant(host.name, "HEDGE_CONFLICT", "原文加约数", text, [(m.start(), m.start() + len(new))])


# ---------------------------------------------------------------------- placeholders

_NAMES = re.compile(r"(?:(?<=[，。、；：\n“（在对与赴到和及])|^)([\u4e00-\u9fff]{2})(省|市|县|区)(?=[\u4e00-\u9fff])|"
                    r"(北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|"
                    r"海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆|南京|深圳|广州|武汉|成都|西安|杭州)")
_YEARS = re.compile(r"(20[0-2][0-9])(年)")
_DATES = re.compile(r"([0-9０-９一二三四五六七八九十]{1,2})月([0-9０-９一二三四五六七八九十]{1,3})日")
_NOT_NAME = re.compile(r"^(全|本|各|我|该|有|省|市|县|区|地|城|在|和|与|及|对|为|的|了|是)|(全|各|本)$")


def placeholder(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    text = host.text
    options = []
    for m in _NAMES.finditer(text):
        g = 1 if m.group(1) else 3
        if not _NOT_NAME.search(m.group(g)) and m.start() not in used:
            options.append(("地名", m.start(g), m.end(g), rng.choice(["XX", "X", "××", "○○"])))
    for m in _YEARS.finditer(text):
        if m.start() not in used:
            options.append(("年份", m.start(1), m.end(1), "20XX"))
    for m in _DATES.finditer(text):
        if m.start() not in used:
            options.append(("日期", m.start(), m.end(), rng.choice(["X月X日", "X月XX日", "XX月XX日"])))
    if options and rng.random() < 0.75:
        recipe, s, e, mask = rng.choice(options)
        used.add(s)
        return Plant(host.name, "PLACEHOLDER", recipe, text[:s] + mask + text[e:], [(s, s + len(mask))])
    person = rng.choice(["**同志", "XX同志", "×××同志", "○○○同志"])
    sentence = rng.choice([f"{person}带头讲授专题党课。", f"邀请{person}作专题辅导报告。",
                           f"由{person}牵头成立工作专班。", "在XX区召开现场推进会。", "印发《XX局关于进一步加强作风建设的实施意见》。"])
    fault = re.search(r"\*\*|XX|×××|○○○", sentence).group()
    return _plant_sentence(host, rng, "PLACEHOLDER", "新写句子", sentence, fault, used)


# ---------------------------------------------------------------------- numbering

_CN = "一二三四五六七八九十"
_RUN_STYLES = [
    ("line-dun", re.compile(r"(?m)^[ \t\u3000]*([一二三四五六七八九十])、")),
    ("line-paren", re.compile(r"(?m)^[ \t\u3000]*[（(]([一二三四五六七八九十])[）)]")),
    ("point", re.compile(r"(?:(?<=[。；;：:\n])|^)[ \t\u3000]*([一二三四五六七八九十])是")),
]


def _runs(text: str) -> list[tuple[str, list[re.Match]]]:
    """Runs of one marker style numbered 1, 2, 3 … (at least three), in text order."""
    out = []
    for style, rx in _RUN_STYLES:
        run: list[re.Match] = []
        for m in rx.finditer(text):
            n = _CN.index(m.group(1)) + 1
            if run and n == _CN.index(run[-1].group(1)) + 2:
                run.append(m)
                continue
            if len(run) >= 3:
                out.append((style, run))
            run = [m] if n == 1 else []
        if len(run) >= 3:
            out.append((style, run))
    return out


def _renumber(text: str, marks: list[tuple[re.Match, int]]) -> str:
    for m, n in sorted(marks, key=lambda x: -x[0].start(1)):
        text = text[:m.start(1)] + _CN[n - 1] + text[m.end(1):]
    return text


def _numbering_error(rng: random.Random, run: list[re.Match]) -> tuple[str, list[tuple[re.Match, int]], int]:
    """(kind, new numbers, index of the offending marker) for a run numbered 1..n."""
    k = rng.randrange(1, len(run))
    kind = rng.choice(["跳号", "重复", "颠倒"] if k + 1 < len(run) else ["跳号", "重复"])
    if kind == "重复" and k == 1:          # 一、一、 reads as a new run, not as a repeat
        k = 2 if len(run) > 2 else k
        kind = "重复" if k == 2 else "跳号"
    if kind == "跳号":                      # a part deleted, the rest not renumbered
        return kind, [(m, i + 2) for i, m in enumerate(run) if i >= k], k
    if kind == "重复":                      # a part added with the number before it, the rest kept
        return kind, [(m, i) for i, m in enumerate(run) if i >= k], k
    return kind, [(run[k], k + 2), (run[k + 1], k + 1)], k


def numbering_host(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    runs = [(st, r) for st, r in _runs(host.text) if r[0].start() not in used]
    if not runs:
        return None
    runs = [(st, r) for st, r in runs if len(r) < 10]          # 十一 is not one character
    if not runs:
        return None
    style, run = rng.choice(runs)
    used.add(run[0].start())
    kind, marks, k = _numbering_error(rng, run)
    text = _renumber(host.text, marks)
    m = run[k]
    end = m.end()
    return Plant(host.name, "NUMBERING", f"原文序号-{kind}", text, [(m.start(1), end)])


def numbering_new(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    """The writer breaks a paragraph of the host into points (一是…二是…) and miscounts."""
    paras = []
    lines = list(re.finditer(r"[^\n]+", host.text))
    pointed = re.compile(r"[一二三四五六七八九十]是")
    if pointed.search(host.text):
        return None                            # the host's own points would run on with the new ones
    for li, m in enumerate(lines):
        near = "".join(x.group() for x in lines[max(0, li - 2):li + 3])
        if m.start() in used or _HEADING.match(m.group()) or pointed.search(near):
            continue
        ends = [i for i in range(len(m.group())) if m.group()[i] == "。" and _depth_ok(m.group(), i, 0)]
        starts = [0] + [e + 1 for e in ends[:-1]]
        starts = [s for s in starts if s < len(m.group()) and "\u4e00" <= m.group()[s] <= "\u9fff"
                  and len(m.group()) - s > 10]
        if len(starts) >= 4 and not _PLAN.search(_heading_before(host.text, m.start())):
            paras.append((m, starts))
    if not paras:
        return None
    m, starts = rng.choice(paras)
    used.add(m.start())
    first = 1 if len(starts) > 4 and rng.random() < 0.5 else 0
    n = min(len(starts) - first, rng.choice([3, 4, 4, 5]))
    pick = starts[first:first + n]
    numbers = list(range(1, n + 1))
    k = rng.randrange(1, n)
    kind = rng.choice(["跳号", "重复", "颠倒"] if k + 1 < n else ["跳号", "重复"])
    if kind == "重复" and k == 1:          # 一是…一是 reads as a new run, not as a repeat
        k = 2
    if kind == "跳号":
        numbers = numbers[:k] + [x + 1 for x in numbers[k:]]
    elif kind == "重复":
        numbers = numbers[:k] + [x - 1 for x in numbers[k:]]
    else:
        numbers[k], numbers[k + 1] = numbers[k + 1], numbers[k]
    text = host.text
    span = None
    for idx in range(n - 1, -1, -1):
        pos = m.start() + pick[idx]
        marker = f"{_CN[numbers[idx] - 1]}是"
        text = text[:pos] + marker + text[pos:]
        if idx == k:
            span = (pos, pos + len(marker))
        elif span is not None:
            span = (span[0] + len(marker), span[1] + len(marker))
    return Plant(host.name, "NUMBERING", f"新加要点-{kind}", text, [span])


# ---------------------------------------------------------------------- conflicting values

_COUNT = re.compile(r"(?<![0-9０-９.．,，A-Za-z])(?P<hedge>近|约|超过|超|逾|突破)?(?P<num>[1-9１-９][0-9０-９]*(?:[.．][0-9０-９]+)?)"
                    r"(?P<mult>万|亿)?(?P<tail>余|多)?(?P<unit>人次|万人|个|名|人|家|所|项|件|次|户|条|场|期|批次|座|处|篇|部|支|起|套|辆|台)"
                    r"(?![0-9０-９%％]|百分点)")
_NOT_SAME = re.compile(r"其中|每|平均|均|同比|比上年|比去年|较|比|增长|增加|下降|减少|提高|降低|提升|分别|各|第|占|计划|目标|"
                       r"将|要|力争|确保|预计|争取|以上|不少于|至少|由|从|到|至|超过|年均|约|首次|累计|总量|总数")
_PERIOD = re.compile(r"(?:19|20)\d{2}年|上半年|下半年|[一二三四]季度|\d{1,2}[—-]\d{1,2}月|过去[一二三四五六七八九十]年|[两三四五六七八九十]年|"
                     r"[一二三四五六七八九十多]年(?:来|间|中|内)|近年来|以来|截至|去年|上年|十[三四五]五|年底|年末")
_LEAD_VERBS = ["新建", "建成", "完成", "开展", "组织", "举办", "培训", "查处", "接待", "创建", "打造", "新增", "引进",
               "帮助", "走访", "设立", "改造", "召开", "选派", "慰问", "发放", "办理", "受理", "推广", "取得", "出台",
               "制定", "修订", "审议", "救助", "开工", "建设", "培育", "评选", "表彰", "举行", "编写", "印发"]
_BREAKS = "，,。；;：:！？!?\n、"
# what may follow a lead verb and is still an action, not the thing counted (制定修订…, 修改废止…)
_VERBISH = "|".join(_LEAD_VERBS + ["修订", "修改", "废止", "取消", "调整", "下放", "精减", "精简", "提请", "宣布", "实施", "推动"])


@dataclass
class _Count:
    m: re.Match
    clause_start: int
    pre: str          # the clause's words before the figure (a period phrase at its start included)
    post: str         # the words right after it, to the clause end (what is counted when the figure leads)
    scope: str        # the period clause that opens its sentence (2025年, 今年以来 …), when it has one


def _counts(text: str) -> list[_Count]:
    """Counts a writer might state twice: a figure after a clause that names what is counted
    (not a part, a change, a rate, a plan, a comparison or a coordination)."""
    out = []
    for m in _COUNT.finditer(text[:plan_part(text)]):
        if m.group("hedge") and m.group("tail"):
            continue                           # 近800余人 is a fault of its own
        cs = max(text.rfind(ch, 0, m.start()) for ch in _BREAKS) + 1
        if text[cs - 1:cs] == "、":
            continue
        cs += len(re.match(r"[一二三四五六七八九十]+是|", text[cs:m.start()]).group())   # 六是…: the point marker stays put
        pre = text[cs:m.start()]
        cjk = re.sub(r"[^\u4e00-\u9fff]", "", pre)
        if len(cjk) < 4 or len(pre) > 24 or re.search(r"[0-9０-９“”《》（）()A-Za-z]", pre) or _NOT_SAME.search(pre) \
                or re.search(r"[和与及的在对给向为比等是了]$", pre):
            continue
        if _PERIOD.search(pre) and not _PERIOD.match(pre):
            continue
        ce = min([i for i in (text.find(ch, m.end()) for ch in _BREAKS) if i >= 0] or [len(text)])
        post = text[m.end():ce]
        if len(post) > 10 or re.search(r"[0-9０-９“”《》（）()等]", post) or (post and _NOT_SAME.search(post)):
            continue
        if _PLAN.search(text[max(text.rfind(ch, 0, m.start()) for ch in "。！？\n") + 1:ce]) \
                or _PLAN.search(_heading_before(text, m.start())):
            continue                           # a plan, or a sentence that has one in it
        ss = max(text.rfind(ch, 0, m.start()) for ch in "。；;！？\n") + 1
        if ss < cs and re.search(r"[0-9０-９]", text[ss:cs]) and not any(pre.startswith(v) for v in _LEAD_VERBS):
            continue                           # 高等学校新招生16.3万人，毕业学生6.4万人: whose graduates
                                               # only the clause before says; restated alone it is another thing
        scope = ""
        if ss < cs:
            lead_end = min([i for i in (text.find(ch, ss) for ch in "，,") if i >= 0] or [cs])
            lead = text[ss:lead_end]
            if _PERIOD.search(text[ss:cs]):
                if lead_end >= cs - 1 or len(lead) > 10 or not _PERIOD.search(lead):
                    continue                   # the period stands in a clause of its own only
                scope = lead
        out.append(_Count(m, cs, pre, post, scope))
    return out


def _num_like(new: float, digits: str, written: str) -> str:
    """``new`` written with the decimals and digit width of ``digits`` as written."""
    if "." in digits:
        s = f"{new:.{len(digits.split('.')[1])}f}"
    else:
        mag = 10 ** max(0, len(digits) - 2) if digits.endswith("0") else 1
        s = str(max(1, int(round(new / mag) * mag)))
    return s.translate(_FW) if re.search(r"[０-９]", written) else s


def _range(v: float, hedge: str, tail: str) -> tuple[float, float]:
    """What a written figure may stand for: 300余 is 300 up to 400, 近800 is 720 up to 800,
    超过50 is anything above 50 (the reading a careful reader gives it)."""
    if hedge in ("超过", "超", "逾", "突破"):
        return v, float("inf")
    if tail:
        step = 1.0
        n = int(v) if v == int(v) else 0
        while n and n % 10 == 0:
            n //= 10
            step *= 10
        return v, v + step - 1e-9
    if hedge == "近":
        return v * 0.9, v
    if hedge == "约":
        return v * 0.9, v * 1.1
    return v, v


def _other_value(rng: random.Random, m: re.Match) -> Optional[str]:
    """A figure the first one cannot be, written alike (its hedge and multiplier kept or changed).
    “More than N” (超过, 逾) is true of any bigger figure, so the writer's other figure is a smaller one
    without the hedge.  None when no such figure comes up (the two must not both be possible)."""
    digits = m.group("num").translate(_HW)
    v = float(digits)
    hedge, tail = m.group("hedge") or "", m.group("tail") or ""
    lo, hi = _range(v, hedge, tail)
    open_ended = hi == float("inf")
    if open_ended:
        hedge = ""
    for _ in range(20):
        factor = rng.uniform(0.4, 0.72) if open_ended else rng.choice([rng.uniform(1.3, 2.4), rng.uniform(0.4, 0.72)])
        s = _num_like(v * factor, digits, m.group("num"))
        t = tail or ("余" if not hedge and rng.random() < 0.25 and s.endswith(("0", "０")) else "")
        nlo, nhi = _range(float(s.translate(_HW)), hedge, t)
        if nhi < lo or nlo > hi:
            return f"{hedge}{s}{m.group('mult') or ''}{t}{m.group('unit')}"
    return None


def conflicting_values(host: Host, rng: random.Random, used: set[int]) -> Optional[Plant]:
    text = host.text
    counts = [c for c in _counts(text) if c.m.start() not in used]
    if not counts:
        return None
    c = rng.choice(counts)
    used.add(c.m.start())
    figure = _other_value(rng, c.m)
    if figure is None:
        return None
    pre = c.pre
    verb = next((v for v in sorted(_LEAD_VERBS, key=len, reverse=True) if pre.startswith(v)), None)
    forms = [("照抄", f"{pre}{figure}{c.post}")]
    if verb:
        forms.append(("加共", f"共{pre}{figure}{c.post}"))
    if not c.scope and not _PERIOD.search(pre):
        forms.append(("加全年", f"全年{pre}{figure}{c.post}"))
    rest = pre[len(verb):] if verb else ""
    if verb and not c.post and len(rest) >= 2 and not re.match(_VERBISH, rest):
        forms.append(("数在前", f"{verb}了{figure}{pre[len(verb):]}"))
        forms.append(("加已", f"已{pre}{figure}"))
    recipe, clause = rng.choice(forms)
    tail = rng.choice(["取得明显成效", "有力推动了各项工作落实", "进一步夯实了工作基础", "受到群众好评"])
    lead = rng.choice(["", "同时，", "此外，", ""])
    sentence = (f"{c.scope}，" if c.scope else lead) + clause + rng.choice(["", f"，{tail}"]) + "。"
    fig_at = sentence.find(figure, len(c.scope))
    # later in the same paragraph, or at its end; sometimes earlier (the figure given up front)
    ps, pe = _line_bounds(text, c.m.start())
    later = [p for p in slots(text) if c.m.end() < p <= pe]
    earlier = [p for p in slots(text) if ps <= p < c.clause_start]
    if text[pe - 1:pe] == "。" and pe not in later:
        later.append(pe)
    cands = later if later and (not earlier or rng.random() < 0.75) else earlier
    if not cands:
        return None
    pos = rng.choice(cands)
    new_text = _insert(text, pos, sentence)
    first = (c.m.start(), c.m.end())
    second = (pos + fig_at, pos + fig_at + len(figure))
    if pos <= c.m.start():
        first = (first[0] + len(sentence), first[1] + len(sentence))
        first, second = second, first
    return Plant(host.name, "CONFLICTING_VALUES", recipe, new_text, [first, second],
                 note=f"{c.m.group()} / {figure}")


RECIPES: dict[str, list[Callable]] = {
    "PLACEHOLDER": [placeholder],
    "NUMBERING": [numbering_host, numbering_new],
    "PART_EXCEEDS_WHOLE": [part_exceeds_whole],
    "SUBSET_EXCEEDS": [subset_exceeds],
    "PERCENT_RANGE": [percent_range_host, percent_range],
    "ARITHMETIC": [arithmetic],
    "HEDGE_CONFLICT": [hedge_conflict_host, hedge_conflict],
    "CONFLICTING_VALUES": [conflicting_values],
}


def plant_all(hs: list[Host], seed: int = 15, per_host: Optional[dict[str, int]] = None,
              codes: Iterable[str] = CODES) -> list[Plant]:
    """Planted copies of every host: ``per_host[kind]`` faults of each code (one per copy),
    each recipe of a code tried in turn, at places not used before in that host."""
    per_host = per_host or {"gold-reports": 2, "seeds": 4, "labelled": 1, "reports": 0}
    out: list[Plant] = []
    for h in hs:
        for code in codes:
            rng = random.Random(f"{seed}:{h.name}:{code}")
            used: set[int] = set()
            recipes = RECIPES[code]
            made, tries = 0, 0
            while made < per_host.get(h.kind, 0) and tries < 6 * len(recipes):
                fn = recipes[tries % len(recipes)]
                tries += 1
                p = fn(h, rng, used)
                if p is not None:
                    out.append(p)
                    made += 1
    return out


# ====================================================================== scoring

def _analyse(text: str, name: str):
    sys.path.insert(0, os.path.join(PROJECT, "src"))
    from summaryscan import consistency
    from summaryscan.pipeline import analyze_text
    a = analyze_text(text, os.path.basename(name))
    return a, consistency.check(a)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def found_by(p: Plant, findings) -> bool:
    for f in findings:
        if f.code != p.code or f.start < 0:
            continue
        if p.code == "CONFLICTING_VALUES":
            places = [(f.start, f.end), (f.other_start, f.other_end)]
            if all(any(_overlap(pl, sp) for pl in places) for sp in p.spans):
                return True
        elif _overlap((f.start, f.end), p.spans[0]):
            return True
    return False


def _key(f) -> tuple:
    return f.code, f.raw, tuple(f.claims)


def load_judged(path: str = JUDGED) -> list[dict]:
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(ln) for ln in fh if ln.strip()]


def judged(name: str, f, table: list[dict]) -> Optional[dict]:
    """The judgement of a finding on an unplanted host: same document, code and raw span."""
    for j in table:
        if j["doc"] == name and j["code"] == f.code and j["raw"] == f.raw:
            return j
    return None


@dataclass
class Result:
    per_code: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    per_recipe: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    missed: list[Plant] = field(default_factory=list)
    collateral: list[tuple[Plant, object]] = field(default_factory=list)
    host_findings: list[tuple[str, object, Optional[dict]]] = field(default_factory=list)
    false_alarms: list[tuple[str, object]] = field(default_factory=list)
    documents: int = 0
    excerpt_doc_level: int = 0    # document-level findings (MISSING_SECTION) on excerpts, not judged

    def recall(self, code: str) -> float:
        n, k = self.per_code[code]
        return k / n if n else float("nan")

    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.documents if self.documents else 0.0


def evaluate(hs: list[Host], plants: list[Plant], table: Optional[list[dict]] = None,
             sample_corpus: bool = True) -> Result:
    table = load_judged() if table is None else table
    r = Result()
    base: dict[str, Counter] = {}
    for h in hs:
        _, fs = _analyse(h.text, h.name)
        base[h.name] = Counter(_key(f) for f in fs)
        r.documents += 1
        for f in fs:
            if f.start < 0 and h.kind in ("gold-reports", "labelled"):
                r.excerpt_doc_level += 1       # an excerpt is not a whole submission: no part is missing
                continue
            j = judged(h.name, f, table)
            r.host_findings.append((h.name, f, j))
            if f.code in NUMERIC and not (j and j.get("verdict") == "real"):
                r.false_alarms.append((h.name, f))
    if sample_corpus:
        _sample_corpus(r)
    for p in plants:
        _, fs = _analyse(p.text, p.host)
        ok = found_by(p, fs)
        r.per_code[p.code][0] += 1
        r.per_code[p.code][1] += ok
        r.per_recipe[(p.code, p.recipe)][0] += 1
        r.per_recipe[(p.code, p.recipe)][1] += ok
        if not ok:
            r.missed.append(p)
        left = Counter(base[p.host])
        for f in fs:
            if f.code == p.code and (found_by(Plant(p.host, p.code, "", p.text, p.spans), [f])
                                     or any(_overlap((f.start, f.end), sp) for sp in p.spans)):
                continue
            if left[_key(f)] > 0:
                left[_key(f)] -= 1
                continue
            if f.code in NUMERIC:
                r.collateral.append((p, f))
    return r


def _sample_corpus(r: Result) -> None:
    """The sample corpus (corpus/): every finding its answer file does not expect is a false alarm."""
    folder = os.path.join(PROJECT, "corpus")
    answers_path = os.path.join(folder, "answers.jsonl")
    if not os.path.isfile(answers_path):
        return
    sys.path.insert(0, os.path.join(PROJECT, "src"))
    from summaryscan import consistency
    from summaryscan.pipeline import analyze_path
    answers = defaultdict(list)
    with open(answers_path, encoding="utf-8") as fh:
        for ln in fh:
            if ln.strip():
                a = json.loads(ln)
                if a.get("type") != "coverage":
                    answers[a["doc"]].append(a)
    for name in sorted(os.listdir(folder)):
        if os.path.splitext(name)[1].lower() not in (".txt", ".docx", ".pdf"):
            continue
        a = analyze_path(os.path.join(folder, name))
        r.documents += 1
        for f in consistency.check(a):
            expected = any(ans["code"] == f.code and (f.code == "MISSING_SECTION" or any(
                _overlap(pl, (i, i + len(ans["raw"])))
                for pl in [(f.start, f.end), (f.other_start, f.other_end)]
                for i in [m.start() for m in re.finditer(re.escape(ans["raw"]), a.raw.text)]))
                for ans in answers[name])
            r.host_findings.append((f"corpus/{name}", f, {"verdict": "real", "why": "corpus/answers.jsonl"}
                                    if expected else None))
            if f.code in NUMERIC and not expected:
                r.false_alarms.append((f"corpus/{name}", f))


def report(r: Result, plants: list[Plant], show: str = "", out=sys.stdout) -> None:
    w = out.write
    hosts_n = len({p.host for p in plants})
    w(f"planted faults on real text: {len(plants)} in {hosts_n} host texts, one fault per planted copy\n\n")
    if not plants:
        w("(nothing planted)\n")
    w(f"{'code':<20} {'planted':>7} {'found':>6} {'recall':>7}\n")
    tot = [0, 0]
    for code in CODES:
        n, k = r.per_code[code]
        tot[0] += n
        tot[1] += k
        w(f"{code:<20} {n:>7} {k:>6} {100 * k / n if n else float('nan'):>6.1f}%\n")
    w(f"{'all':<20} {tot[0]:>7} {tot[1]:>6} {100 * tot[1] / max(1, tot[0]):>6.1f}%\n\n")
    w("by recipe: " + "; ".join(f"{c}/{rc} {k}/{n}" for (c, rc), (n, k) in sorted(r.per_recipe.items())) + "\n\n")
    w(f"numeric false alarms on the unplanted texts: {len(r.false_alarms)} in {r.documents} documents "
      f"= {r.false_alarm_rate():.3f} per document\n")
    for name, f in r.false_alarms:
        w(f"  FALSE? {name} {f.code} {f.raw!r}: {f.message}\n")
    w(f"collateral findings on planted copies (numeric, not in the host, not the fault): {len(r.collateral)}\n")
    unjudged = [x for x in r.host_findings if x[2] is None]
    w(f"findings on the unplanted texts: {len(r.host_findings)}, {len(unjudged)} not judged; "
      f"{r.excerpt_doc_level} document-level findings on excerpts left aside\n")
    if show in ("findings", "all"):
        w("\nfindings on the unplanted real texts:\n")
        for name, f, j in r.host_findings:
            if name.startswith("corpus/"):
                continue
            verdict = (j or {}).get("verdict", "UNJUDGED")
            w(f"  [{verdict}] {name} {f.code} {f.raw[:40]!r}: {f.message[:100]}"
              f"{' — ' + j['why'] if j and j.get('why') else ''}\n")
    if show in ("missed", "all"):
        w("\nmissed:\n")
        for p in r.missed:
            w(f"  {p.code} [{p.recipe}] {p.host}: …{p.shown()}… {p.note}\n")
    if show in ("extra", "all"):
        w("\ncollateral:\n")
        for p, f in r.collateral:
            w(f"  {p.code} [{p.recipe}] {p.host}: {f.code} {f.raw[:40]!r} {f.message[:120]}\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", default="gold-reports,seeds", help="gold-reports,seeds[,labelled]")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--show", default="", choices=["", "missed", "extra", "findings", "all"])
    ap.add_argument("--per-host", type=int, help="faults of each code per host (default: 2 per passage, "
                                                  "4 per seed, 1 per labelled passage, 0 per whole report)")
    ap.add_argument("--json", help="write the figures as JSON here")
    args = ap.parse_args(argv)
    if not shared_present():
        print(f"{SHARED} is not present: nothing to plant into", file=sys.stderr)
        return 2
    hs = hosts([k.strip() for k in args.hosts.split(",") if k.strip()])
    per = None if args.per_host is None else {k: args.per_host for k in ("gold-reports", "seeds", "labelled", "reports")}
    plants = plant_all(hs, seed=args.seed, per_host=per)
    r = evaluate(hs, plants)
    report(r, plants, args.show)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"recall": {c: r.per_code[c] for c in CODES}, "documents": r.documents,
                       "false_alarms": [(n, f.code, f.raw, f.message) for n, f in r.false_alarms],
                       "collateral": len(r.collateral)}, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
