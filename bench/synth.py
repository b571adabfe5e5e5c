"""Synthetic submissions for scale benchmarks, made from ``corpus/sources/*.txt``.

Each generated document is a ~1,500-character 模范机关 work summary (mean 1,480
chars): a title with a fictional unit and a year, an opening paragraph, numbered
sections with （一）（二） sub-points, a problems section and a next-year plans
section, a signature and a date. The section skeleton (headings, sub-point titles)
and the paragraphs are recombined from the sample corpus: each paragraph is rebuilt
from clauses (at most 18 characters) of the same kind of paragraph across all
sources (opening, achievements, problems, plans), with connectives inserted, common
verbs and nouns drawn from small synonym sets, and every number and unit name varied.

Why clauses and not whole paragraphs: ``summaryscan screen`` looks for passages
of 50+ characters shared between submissions (TEMPLATE_COPY), with numbers and
unit names masked, by comparing windows of ~28 characters. 14 sources hold ~150
paragraphs; reusing them whole makes every generated document a copy of hundreds
of others, and the benchmark would measure a copy storm instead of a batch of
mostly independent submissions. Here long shared passages are planted on purpose:
``copy_rate`` (default 2 %) of documents take one paragraph verbatim (numbers and
unit swapped) from an earlier document. Short shared stretches still occur by
chance, as official phrasing does in real batches, so the copy detector's
candidate pairs still grow faster than linearly. ``mode="paragraph"`` gives the
copy-storm variant for stress tests.

Deterministic: document ``i`` depends only on (seed, i, mode, copy_rate), so the
first 1,000 documents of the 10,000 set are the 1,000 set.

    python bench/synth.py 1000 /tmp/synth1k [--seed 2024]
"""
from __future__ import annotations

import argparse
import os
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SOURCES = os.path.join(os.path.dirname(HERE), "corpus", "sources")

PLACES = ["临江", "青山", "东湖", "南岭", "西岗", "北辰", "云溪", "长宁", "安平", "清河", "白沙", "丰源",
          "金水", "玉泉", "石门", "兴隆", "永安", "宁远", "桃源", "鹤鸣", "凤城", "松原", "柳营", "梅岭",
          "沙河", "平川", "龙泉", "新华", "红旗", "望江"]
LEVELS = ["市", "县", "区"]
AGENCIES = ["财政局", "人力资源和社会保障局", "人社局", "市场监督管理局", "市场监管局", "税务局", "交通运输局",
            "教育局", "生态环境局", "卫生健康委", "农业农村局", "司法局", "统计局", "医疗保障局", "发展和改革委",
            "民政局", "住房和城乡建设局", "水利局", "商务局", "审计局", "应急管理局", "自然资源局",
            "文化广电旅游局", "科技局", "退役军人事务局", "信访局", "机关事务管理局", "政务服务中心",
            "档案馆", "委办公室", "政府办公室", "直机关工委"]
ORGANS = ["机关党委", "党组", "党委", "机关党总支", ""]
TITLES = ["{u}{o}{y}年创建模范机关工作总结", "{u}{o}{y}年模范机关创建工作总结", "关于{u}{y}年创建模范机关工作情况的报告",
          "{u}{o}{y}年度创建“让党中央放心、让人民群众满意”的模范机关工作总结", "{u}党组书记{y}年度抓机关党建工作述职报告",
          "{u}{y}年模范机关创建工作汇报"]
H1_NUM = "一二三四五六七八九十"
H2_NUM = ["（一）", "（二）", "（三）", "（四）", "（五）"]

# Longer clauses are left out: a copy detector compares windows of ~28 characters, and a
# long clause reused by hundreds of documents would make them all look alike.
MAX_CLAUSE = 18
_H1 = re.compile(r"^[一二三四五六七八九十]+、")
_H2 = re.compile(r"^（[一二三四五六七八九十]+）")
_H3 = re.compile(r"^\d+\.")
_PROBLEM = re.compile(r"问题|不足|差距|短板")
_PLAN = re.compile(r"打算|建议|下一步|思路|计划")
_CLAUSE_SPLIT = re.compile(r"(?<=[，；。！？：])")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_UNIT_NAME = re.compile(r"[市县区](?:直机关工委|[\u4e00-\u9fff]{1,8}?(?:局|委|办|中心))(?:机关党委|党组|党委)?")
# Interchangeable wordings, drawn per occurrence: the official register varies its verbs
# and collective nouns, and recombined clauses should not repeat each other verbatim.
SYNONYMS = [
    ["开展", "深入开展", "扎实开展", "广泛开展"],
    ["推动", "推进", "促进", "带动"],
    ["加强", "强化", "深化", "持续加强"],
    ["党员干部", "干部职工", "机关干部", "党员同志"],
    ["全年", "年内", "一年来", "本年度"],
    ["落实", "贯彻落实", "抓好", "抓实"],
    ["持续", "不断", "坚持", "始终"],
    ["提升", "提高", "增强", "改进"],
    ["完善", "健全", "优化", "规范"],
    ["进一步", "切实", "着力", "全面"],
    ["制度", "机制", "办法", "规定"],
    ["群众", "人民群众", "服务对象", "办事群众"],
    ["专题", "专项", "主题", "集中"],
    ["举办", "举行", "开办"],
    ["党支部", "基层党支部", "支部", "所属党支部"],
    ["部分", "有的", "个别", "一些"],
    ["深入", "广泛", "认真", "扎实"],
    ["重点", "关键", "主要", "核心"],
]
_SYN_OF = {w: group for group in SYNONYMS for w in group}
_SYN_RE = re.compile("|".join(sorted(map(re.escape, _SYN_OF), key=len, reverse=True)))
_DATE_ONLY = re.compile(r"^[\d—\-年月日至]+$")
_PAIRS = ("“”", "（）", "《》", "()", "【】")


@dataclass
class Pools:
    h1: list[str] = field(default_factory=list)          # achievement headings without ordinal
    h1_lead: list[str] = field(default_factory=list)     # their first halves (坚持政治引领)
    h1_tail: list[str] = field(default_factory=list)     # their second halves (着力建设……政治型机关)
    h2: list[str] = field(default_factory=list)          # sub-point titles without ordinal, e.g. 压实主体责任
    intro: list[str] = field(default_factory=list)       # clauses of opening paragraphs
    work: list[str] = field(default_factory=list)        # clauses of achievement paragraphs
    problem: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)
    paragraphs: dict[str, list[str]] = field(default_factory=dict)   # whole paragraphs by kind


def _balanced(s: str) -> bool:
    return all(s.count(a) == s.count(b) for a, b in _PAIRS)


def _clauses(text: str) -> list[str]:
    out = []
    for c in _CLAUSE_SPLIT.split(text):
        c = c.strip()
        body = c.rstrip("，；。！？：")
        if (6 <= len(body) <= MAX_CLAUSE and _balanced(body) and not _DATE_ONLY.match(body)
                and not body.startswith(("一是", "二是", "三是", "四是"))):
            out.append(body)
    return out


@lru_cache(maxsize=4)
def load_pools(sources: str = DEFAULT_SOURCES) -> Pools:
    pools = Pools(paragraphs={"intro": [], "work": [], "problem": [], "plan": []})
    files = sorted(f for f in os.listdir(sources) if f.endswith(".txt"))
    if not files:
        raise SystemExit(f"no .txt sources in {sources}")
    for name in files:
        with open(os.path.join(sources, name), encoding="utf-8-sig") as fh:
            lines = [ln.strip() for ln in fh.read().splitlines()]
        lines = [ln for ln in lines[1:] if ln]          # drop the title
        kind = "intro"
        for ln in lines:
            if len(ln) < 25 and not _H1.match(ln) and not _H2.match(ln):
                continue                                # signatures, dates, addressees
            m1 = _H1.match(ln)
            if m1 and len(ln) <= 40:
                head = ln[m1.end():].rstrip("。")
                kind = "problem" if _PROBLEM.search(head) else "plan" if _PLAN.search(head) else "work"
                if kind == "work" and "基本情况" not in head and "主要工作" not in head and _balanced(head):
                    pools.h1.append(head)
                    lead, comma, tail = head.partition("，")
                    if comma:
                        pools.h1_lead.append(lead)
                        pools.h1_tail.append(tail)
                continue
            body = ln
            m2 = _H2.match(ln) or _H3.match(ln)
            if m2:
                body = ln[m2.end():]
                title, sep, rest = body.partition("。")
                if sep and 4 <= len(title) <= 20 and _balanced(title) and kind == "work":
                    pools.h2.append(title)
                body = rest if sep else body
            if m1:                                      # "六、存在的问题。一是……" on one line
                body = ln[m1.end():]
                kind = "problem" if _PROBLEM.search(body[:12]) else "plan" if _PLAN.search(body[:12]) else kind
            if len(body) < 20:
                continue
            getattr(pools, kind).extend(_clauses(body))
            pools.paragraphs[kind].append(body)
    return pools


def unit_name(rng: random.Random) -> str:
    agency = rng.choice(AGENCIES)
    level = "市" if agency == "直机关工委" else rng.choice(LEVELS)
    return f"{rng.choice(PLACES)}{level}{agency}"


def _vary_numbers(text: str, rng: random.Random, year: int) -> str:
    def sub(m: re.Match) -> str:
        s = m.group(0)
        after = text[m.end():m.end() + 1]
        before = text[max(0, m.start() - 1):m.start()]
        digits = s.replace(",", "")
        try:
            v = float(digits)
        except ValueError:
            return s
        if after == "年" and len(digits) == 4:
            return str(year + (int(v) - 2024 if 2015 <= v <= 2030 else 0))
        if after in "月日时" or before == "第" or after in "—-~～":
            return s
        if after in "%％":
            return f"{rng.uniform(55, 99.9):.1f}"
        if "." in digits:
            return f"{v * rng.uniform(0.4, 2.5):.{len(digits.split('.')[1])}f}"
        lo, hi = max(1, int(v * 0.4)), max(2, int(v * 2.5))
        return str(rng.randint(lo, hi))
    return _NUMBER.sub(sub, text)


CONNECTORS = ["同时", "此外", "另外", "特别是", "其中", "总体看", "与此同时", "在此基础上", "为此", "对此",
              "通过努力", "经过努力", "据统计", "从实际看", "具体来说", "一方面", "另一方面"]
PROBLEM_HEADS = ["存在的问题和不足", "存在的问题", "存在的不足", "问题和不足", "存在的主要问题", "差距和不足"]
PROBLEM_LEADS = ["对照模范机关创建标准，", "对照创建要求，", "", "回顾一年来的工作，", "在看到成绩的同时，",
                 "客观分析，", "我们也清醒地看到，"]
PLAN_HEADS = ["{y}年工作打算", "下一步工作打算", "{y}年工作思路", "下一步工作安排", "今后工作打算", "{y}年重点工作"]


def _sentence(pool: list[str], rng: random.Random, n: int) -> str:
    parts = []
    for k in range(n):
        c = rng.choice(pool)
        if k and rng.random() < 0.3:
            c = rng.choice(CONNECTORS) + "，" + c if rng.random() < 0.5 else rng.choice(CONNECTORS) + c
        parts.append(c)
    return "，".join(parts) + "。"


def _paragraph(kind: str, pools: Pools, rng: random.Random, chars: int, mode: str, unit: str, year: int) -> str:
    """Source material for a paragraph, with the sources' unit names and numbers replaced."""
    if mode == "paragraph":
        out = rng.choice(pools.paragraphs[kind] or pools.paragraphs["work"])
    else:
        pool = getattr(pools, kind) or pools.work
        out = ""
        while len(out) < chars:
            out += _sentence(pool, rng, rng.randint(2, 4))
    if mode != "paragraph":
        out = _SYN_RE.sub(lambda m: rng.choice(_SYN_OF[m.group()]), out)
    return _vary_numbers(_UNIT_NAME.sub(unit, out), rng, year)


@dataclass
class _Doc:
    title: str
    unit: str
    year: int
    lines: list[str]


def _build(i: int, seed: int, pools: Pools, mode: str, copy_rate: float) -> _Doc:
    rng = random.Random(f"{seed}:{i}")
    unit = unit_name(rng)
    year = rng.randint(2019, 2025)
    organ = rng.choice(ORGANS)
    title = rng.choice(TITLES).format(u=unit, o=organ, y=year)
    target = rng.randint(1150, 1500)
    who = unit + organ

    def para(kind: str, lo: int, hi: int) -> str:
        return _paragraph(kind, pools, rng, rng.randint(lo, hi), mode, unit, year)

    intro = f"{year}年，{who}" + para("intro", 90, 160)
    lines = [title, "", intro]
    size = len(title) + len(intro)
    h1s = [rng.choice(pools.h1_lead) + "，" + rng.choice(pools.h1_tail) if rng.random() < 0.8 else rng.choice(pools.h1)
           for _ in range(5)]
    h1s = [_SYN_RE.sub(lambda m: rng.choice(_SYN_OF[m.group()]), h) for h in h1s] if mode != "paragraph" else h1s
    k = 0
    closing = 290
    while size < target - closing and k < len(h1s):
        head = f"{H1_NUM[k]}、{h1s[k]}"
        lines.append(head)
        size += len(head)
        for j in range(rng.randint(1, 3)):
            if size >= target - closing:
                break
            sub = rng.choice(pools.h2)
            text = f"{H2_NUM[j]}{sub}。" + para("work", 100, 220)
            lines.append(text)
            size += len(text)
        k += 1
    lines.append(f"{H1_NUM[k]}、{rng.choice(PROBLEM_HEADS)}")
    lines.append(rng.choice(PROBLEM_LEADS) + para("problem", 80, 140))
    lines.append(f"{H1_NUM[k + 1]}、{rng.choice(PLAN_HEADS).format(y=year + 1)}")
    lines.append(para("plan", 90, 150))
    lines.append("")
    lines.append(who or unit)
    lines.append(f"{year}年12月{rng.randint(10, 30)}日")
    doc = _Doc(title, unit, year, lines)
    # a planted copy: one paragraph of an earlier document, verbatim but for numbers and the unit
    if i > 0 and copy_rate > 0 and rng.random() < copy_rate:
        src = _build(rng.randrange(i), seed, pools, mode, 0.0)
        paras = [n for n, ln in enumerate(src.lines) if len(ln) >= 100]
        mine = [n for n, ln in enumerate(lines) if ln.startswith("（")]
        if paras and mine:
            copied = src.lines[rng.choice(paras)].replace(src.unit, unit)
            lines[rng.choice(mine)] = _vary_numbers(copied, rng, year)
    return doc


def generate(i: int, seed: int = 2024, *, mode: str = "clause", copy_rate: float = 0.02,
             sources: str = DEFAULT_SOURCES) -> tuple[str, str]:
    """(file name, text) of synthetic submission ``i``."""
    doc = _build(i, seed, load_pools(sources), mode, copy_rate)
    return f"sub{i:05d}.txt", "\n".join(doc.lines) + "\n"


def write_set(folder: str, n: int, seed: int = 2024, start: int = 0, **kw) -> tuple[int, int]:
    """Write submissions start..n-1 to ``folder`` as UTF-8 .txt; returns (files, UTF-8 bytes) written."""
    os.makedirs(folder, exist_ok=True)
    total = 0
    for i in range(start, n):
        name, text = generate(i, seed, **kw)
        data = text.encode("utf-8")
        total += len(data)
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(data)
    return n - start, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("folder")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--mode", choices=["clause", "paragraph"], default="clause")
    ap.add_argument("--copy-rate", type=float, default=0.02)
    a = ap.parse_args()
    n, size = write_set(a.folder, a.n, a.seed, mode=a.mode, copy_rate=a.copy_rate)
    print(f"{n} files, {size / 1e6:.2f} MB -> {a.folder}")


if __name__ == "__main__":
    main()
