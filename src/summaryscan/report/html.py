"""HTML pages of the screen report: the index of submissions and one page per document.

Everything taken from a submission (text, titles, claim subjects, finding
messages, file names) goes through :func:`esc` before it reaches the page, so a
submission containing ``<script>`` shows it as text.  Pages are self-contained:
CSS and JavaScript are inlined from ``report/assets/``, a Content-Security-Policy
allows only those inline scripts (by hash) and local images, and nothing is
fetched from the network.

Highlighting: claims and located findings are marked in the extracted text with
``<mark class="claim">`` / ``<mark class="finding sev-…">``, each with a tooltip
(``title``).  We do not use displaCy's span renderer here: it joins tokens with
spaces (wrong for Chinese), wraps every token in its own positioned element, and
inserts span *labels* unescaped (its manual mode escapes the text, not labels),
so tooltips built from submission text would be an injection path.
"""
from __future__ import annotations

import base64
import hashlib
import html as _html
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterable, Optional
from urllib.parse import quote

from ..frameworks.scoring import SEVERITIES, problem_key

SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}

CODE_ZH = {
    "PLACEHOLDER": "占位符未替换",
    "ARTIFACT": "网页或排版残留",
    "NUMBERING": "序号不连续或重复",
    "PART_EXCEEDS_WHOLE": "部分大于整体",
    "SUBSET_EXCEEDS": "分项之和超过总数",
    "PERCENT_RANGE": "百分比超出范围",
    "ARITHMETIC": "计算结果不符",
    "HEDGE_CONFLICT": "约数修饰矛盾",
    "CONFLICTING_VALUES": "同一数据前后不一",
    "YEAR_MISMATCH": "年份与标题不符",
    "MISSING_SECTION": "缺少应有组成部分",
    "OCR_LOW_CONFIDENCE": "OCR 识别置信度低",
    "TEMPLATE_COPY": "与其他材料雷同",
}

KIND_ZH = {"count": "计数", "percent": "百分比", "money": "金额", "area": "面积", "duration": "时长",
           "other": "其他"}

STATUS_ZH = {"ok": "已读取", "empty": "空文件", "no_text": "无文字层（扫描件）", "garbled": "乱码（字体无映射）",
             "unsupported": "不支持的格式", "error": "读取出错"}


def code_descriptions() -> dict[str, str]:
    """Code -> longer Chinese description (from the consistency checks' data when available)."""
    out = {k: "" for k in CODE_ZH}
    try:
        from ..consistency import codes
        out.update({k: v[1] for k, v in codes().items()})
    except Exception:  # the checks are optional for the report
        pass
    out["TEMPLATE_COPY"] = "与同批其他材料有成段文字雷同（替换单位名称和数字后仍一致），疑似照抄照搬"
    return out


def esc(value: Any) -> str:
    """HTML-escape anything (None -> empty), quotes included, for text and attributes."""
    if value is None:
        return ""
    return _html.escape(str(value), quote=True)


def asset(name: str) -> str:
    return resources.files("summaryscan.report").joinpath("assets", name).read_text(encoding="utf-8")


def doc_href(file_name: str, prefix: str = "docs/") -> str:
    """A relative link to a document page, percent-encoded (Chinese kept readable by browsers)."""
    return prefix + quote(file_name, safe="")


def _csp(scripts: Iterable[str]) -> str:
    hashes = " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode()
                      for s in scripts)
    return ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' file: data:; "
            f"script-src {hashes or chr(39) + 'none' + chr(39)}; base-uri 'none'; form-action 'none'")


# marks the pages this program wrote, so that a later run into the same folder may replace them
GENERATOR = '<meta name="generator" content="summaryscan">'


def page(title: str, body: str, scripts: Iterable[str] = ()) -> str:
    scripts = list(scripts)
    js = "".join(f"<script>{s}</script>" for s in scripts)
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n" + GENERATOR + "\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{esc(_csp(scripts))}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            f"<title>{esc(title)}</title>\n<style>{asset('report.css')}</style>\n</head>\n"
            f"<body>\n{body}\n{js}\n</body>\n</html>\n")


# --------------------------------------------------------------------------- #
# colours
# --------------------------------------------------------------------------- #

def _mix(c1: tuple, c2: tuple, t: float) -> tuple:
    return tuple(round(a + (b - a) * t) for a, b in zip(c1, c2))


def score_colour(score: Optional[float]) -> str:
    """Background for a 0..1 coverage score: red (0) -> amber (0.5) -> green (1)."""
    if score is None:
        return "#f1f3f6"
    s = max(0.0, min(1.0, float(score)))
    red, amber, green = (248, 203, 203), (253, 230, 163), (167, 226, 187)
    rgb = _mix(red, amber, s / 0.5) if s < 0.5 else _mix(amber, green, (s - 0.5) / 0.5)
    return "#%02x%02x%02x" % rgb


# --------------------------------------------------------------------------- #
# highlighted text
# --------------------------------------------------------------------------- #

@dataclass
class Span:
    start: int
    end: int
    tag: str           # "mark" or "span"
    cls: str
    title: str = ""
    id: str = ""       # put on the first fragment only
    prio: int = 0      # lower opens first (outer) when two spans start together
    whole: bool = False  # never split (claims): spans cutting through it are widened to cover it
    data: tuple = ()   # (name, value) pairs written as data-name="value" (goto: an anchor a click goes to)


def _expand_around(spans: list[Span], keep: list[Span]) -> None:
    """Widen spans that cut through a ``keep`` span (a claim) so claims are never split."""
    keep = sorted(keep, key=lambda s: s.start)
    for s in spans:
        changed = True
        while changed:
            changed = False
            for k in keep:
                if k.start < s.end and k.end > s.start and not (s.start <= k.start and k.end <= s.end):
                    s.start, s.end = min(s.start, k.start), max(s.end, k.end)
                    changed = True


def highlight(text: str, spans: list[Span], anchors: Optional[dict[int, list[str]]] = None) -> str:
    """``text`` escaped, with ``spans`` as properly nested elements and empty anchor elements.

    Spans that cross are closed and reopened around the crossing (the later
    fragments carry ``data-cont``); the ``id`` goes on the first fragment.
    """
    n = len(text)
    spans = [Span(**vars(s)) for s in spans if 0 <= s.start < s.end <= n]
    _expand_around([s for s in spans if not s.whole], [s for s in spans if s.whole])
    anchors = {k: v for k, v in (anchors or {}).items() if 0 <= k <= n}
    bounds = sorted({0, n} | {s.start for s in spans} | {s.end for s in spans} | set(anchors))
    starting: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(spans):
        starting[s.start].append(i)
    out: list[str] = []
    stack: list[int] = []
    opened: set[int] = set()

    def open_tag(i: int) -> str:
        s = spans[i]
        attrs = f' class="{esc(s.cls)}"' if s.cls else ""
        if s.title:
            attrs += f' title="{esc(s.title)}"'
        if i in opened:
            attrs += ' data-cont="1"'
        elif s.id:
            attrs += f' id="{esc(s.id)}"'
        attrs += "".join(f' data-{esc(k)}="{esc(v)}"' for k, v in s.data)
        opened.add(i)
        return f"<{s.tag}{attrs}>"

    for k, b in enumerate(bounds):
        reopen: list[int] = []
        while any(spans[i].end == b for i in stack):
            i = stack.pop()
            out.append(f"</{spans[i].tag}>")
            if spans[i].end != b:
                reopen.append(i)
        for aid in anchors.get(b, ()):
            out.append(f'<span class="anchor" id="{esc(aid)}"></span>')
        to_open = list(reversed(reopen)) + starting.get(b, [])
        to_open.sort(key=lambda i: (-spans[i].end, spans[i].prio, i))
        for i in to_open:
            out.append(open_tag(i))
            stack.append(i)
        if k + 1 < len(bounds):
            out.append(esc(text[b:bounds[k + 1]]))
    while stack:
        out.append(f"</{spans[stack.pop()].tag}>")
    return "".join(out)


def claim_tooltip(c: dict) -> str:
    value = c.get("value")
    shown = _num(value)
    lines = [f"数据声明：{c.get('raw', '')}", f"数值：{shown} {c.get('unit') or ''}".rstrip()]
    if c.get("approx"):
        lines.append(f"约数：{c['approx']}")
    lines.append(f"主体：{c.get('subject') or '（未识别）'}")
    lines.append(f"类型：{KIND_ZH.get(c.get('kind', ''), c.get('kind', ''))}")
    return "\n".join(lines)


def finding_tooltip(f: dict) -> str:
    head = f"[{f.get('code', '')}] {CODE_ZH.get(f.get('code', ''), '')}（{SEVERITY_ZH.get(f.get('severity'), f.get('severity', ''))}）"
    tail = "\n（点击跳到前文对应位置）" if same_doc_ref(f) is not None else ""
    return head + "\n" + str(f.get("message", "")) + tail


def same_doc_ref(f: dict) -> Optional[int]:
    """Where in its own document a finding points to (the earlier mention of CONFLICTING_VALUES),
    or None: ``other_doc`` empty or the document itself, ``other_start`` set."""
    if f.get("other_doc") not in ("", None, f.get("doc")):
        return None
    at = f.get("other_start", -1)
    return at if isinstance(at, int) and at >= 0 else None


def text_spans(data: dict) -> tuple[list[Span], dict[int, list[str]]]:
    """Spans and anchors for a document page's text."""
    claims = [Span(c["start"], c["end"], "mark", "claim", claim_tooltip(c), f"c-{i}", 2, whole=True)
              for i, c in enumerate(data.get("claims", []))]
    others: list[Span] = []
    for s in data.get("sections", []):
        if s["level"] != "point":
            others.append(Span(s["start"], s["title_end"], "span", f"heading lv{s['level']}", "", "", 0))
    for i, f in enumerate(data.get("findings", [])):
        if f.get("start", -1) >= 0 and f.get("end", -1) > f["start"]:
            sev = f.get("severity") if f.get("severity") in SEVERITIES else "low"
            ref = same_doc_ref(f)
            others.append(Span(f["start"], f["end"], "mark", f"finding sev-{sev} code-{f.get('code', '')}",
                               finding_tooltip(f), f"f-{i}", 1, data=() if ref is None else (("goto", f"at-{ref}"),)))
    for pg in data.get("ocr", []):       # OCR'd text: the page tinted, weak lines marked
        others.append(Span(pg["start"], pg["end"], "span", "ocr",
                           f"第 {pg['page']} 页由 OCR 识别（平均置信度 {pg['confidence']:.1%}），文字和数字可能有误", "", -1))
        for start, end, conf in pg.get("low", []):
            others.append(Span(start, end, "span", "ocr-low",
                               f"OCR 置信度 {conf:.1%}：此行可能识别有误，请对照原件", "", 0))
    anchors: dict[int, list[str]] = defaultdict(list)
    for s in data.get("sections", []):
        if s["level"] != "point":
            anchors[s["start"]].append(f"sec-{s['id']}")
    points = {f["start"] for f in data.get("findings", []) if f.get("start", -1) >= 0}
    points.update(ref for ref in map(same_doc_ref, data.get("findings", [])) if ref is not None)
    for cov in data.get("coverage", []):
        points.update(e["start"] for e in cov.get("evidence", []))
    points.update(h["start"] for h in data.get("adjustments", []) if h.get("start", -1) >= 0)
    for p in sorted(points):
        anchors[p].append(f"at-{p}")
    return claims + others, anchors


# --------------------------------------------------------------------------- #
# document page
# --------------------------------------------------------------------------- #

def _outline(sections: list[dict]) -> str:
    heads = [s for s in sections if s["level"] != "point"]
    if not heads:
        return '<p class="empty-note">未识别出标题层级</p>'
    ids = {s["id"] for s in heads}
    children: dict[Optional[int], list[dict]] = defaultdict(list)
    for s in heads:
        parent = s.get("parent")
        while parent is not None and parent not in ids:   # skip points between headings
            parent = next((x.get("parent") for x in sections if x["id"] == parent), None)
        children[parent].append(s)

    def tree(parent: Optional[int], depth: int) -> str:
        items = children.get(parent, [])
        if not items or depth > 6:
            return ""
        lis = "".join(f'<li><a href="#sec-{s["id"]}">{esc(s["marker"])}{esc(s["title"])}</a>'
                      f'{tree(s["id"], depth + 1)}</li>' for s in items)
        return f"<ul>{lis}</ul>"
    return tree(None, 0)


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None or x == "":
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _num(v: Any) -> str:
    """A claim's value without float noise: 12.0 -> 12, 0.989 -> 0.989, 46000.0 -> 46000."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return "" if v is None else str(v)
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    return ("%.4f" % v).rstrip("0").rstrip(".")


def _pts(x: float) -> str:
    """Signed points: +2, −0.5, +11.3."""
    x = round(float(x), 1)
    if x == 0:
        return "0"
    return ("+" if x > 0 else "−") + f"{abs(x):g}"


def _score_block(summary: dict) -> str:
    if summary.get("score") is None:
        return "—"
    parts = [f"覆盖 {summary['coverage_points']:.1f}"]
    if summary.get("bonus_points"):
        parts.append(f"+ 加分 {summary['bonus_points']:g}")
    if summary.get("deduction_points"):
        parts.append(f"− 扣分 {summary['deduction_points']:g}")
    if summary.get("penalty"):
        parts.append(f"− 问题 {summary['penalty']:g}")
    return (f'<b>{summary["score"]:.1f}</b> / 100 <span class="muted small">（{esc(" ".join(parts))}）</span> '
            '<a class="small" href="#score">得分明细</a>')


def finding_groups(findings: list[dict]) -> list[list[tuple[int, dict]]]:
    """The findings of a page as problems (:func:`~summaryscan.frameworks.scoring.problem_key`):
    lists of (index, finding), the worst severity first, then by position."""
    groups: dict[tuple, list[tuple[int, dict]]] = {}
    for i, f in enumerate(findings):
        groups.setdefault(problem_key(f), []).append((i, f))
    order = {s: i for i, s in enumerate(SEVERITIES)}

    def worst(g):
        return min(order.get(f.get("severity"), 9) for _, f in g)

    def first(g):
        starts = [f.get("start", -1) for _, f in g if f.get("start", -1) >= 0]
        return min(starts) if starts else 1 << 30
    return sorted(groups.values(), key=lambda g: (worst(g), first(g)))


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refs(items: list[tuple[int, dict]], text: str) -> str:
    """Links to the places the findings refer to: the earlier mention in this document, or
    the other submission's page and passage."""
    out, seen = [], set()
    for _, f in items:
        ref = same_doc_ref(f)
        if ref is not None:
            end = f.get("other_end", -1)
            shown = text[ref:end] if 0 <= ref < end <= len(text) else "前文"
            key = ("here", ref)
            if key not in seen:
                seen.add(key)
                out.append(f'<a class="ref" href="#at-{ref}">前文：“{esc(_quote(shown))}”</a>')
        elif f.get("other_doc"):
            href = doc_href(f["other_file"], "") if f.get("other_file") else ""
            if href and f.get("other_start", -1) >= 0:
                href += f"#at-{f['other_start']}"
            key = (f["other_doc"], f.get("other_start", -1))
            if key not in seen:
                seen.add(key)
                name = esc(f["other_doc"])
                out.append(f'<a class="ref" href="{esc(href)}">另见：{name}</a>' if href else f"另见：{name}")
    return f'<div class="small refs">{" ".join(out)}</div>' if out else ""


def _findings_table(findings: list[dict], text: str = "") -> str:
    if not findings:
        return '<p class="empty-note">未发现问题。</p>'
    rows = []
    for items in finding_groups(findings):
        i0, f = items[0]
        sev = min((g.get("severity", "") for _, g in items), key=lambda s: SEVERITIES.index(s) if s in SEVERITIES else 9)
        located = [(i, g) for i, g in items if g.get("start", -1) >= 0]
        if len(located) == 1:
            where = f'<a href="#f-{located[0][0]}">定位</a>'
        else:
            where = " ".join(f'<a href="#f-{i}" title="第 {k} 处">{k}</a>' for k, (i, _) in enumerate(located, 1))
        count = f'<div class="small muted">同一问题共 {len(items)} 处，只计一次</div>' if len(items) > 1 else ""
        quote_text = f.get("sentence") or f.get("raw") or ""
        rows.append(
            f'<tr data-code="{esc(f.get("code"))}" data-count="{len(items)}"><td class="nowrap"><code>{esc(f.get("code"))}</code>'
            f'<div class="small muted">{esc(CODE_ZH.get(f.get("code", ""), ""))}</div></td>'
            f'<td><span class="sev {esc(sev)}">{esc(SEVERITY_ZH.get(sev, sev))}</span></td>'
            f'<td>{esc(f.get("message"))}{count}{_refs(items, text)}</td>'
            f'<td class="small">{esc(f.get("section"))}</td>'
            f'<td class="small">{esc(quote_text)}</td><td class="locs">{where}</td></tr>')
    return ('<div class="table-wrap"><table class="grid findings"><colgroup><col style="width:150px">'
            '<col style="width:64px"><col style="width:36%"><col style="width:17%"><col><col style="width:64px">'
            '</colgroup><thead><tr><th>问题</th><th>严重程度</th>'
            '<th>说明</th><th>章节</th><th>原句</th><th>位置</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>")


MODEL_LABEL = "（模型）"      # an evidence sentence the classifier placed, without an indicator phrase


def _indicator_text(indicators: list[str]) -> str:
    named = [x for x in indicators if x and x != MODEL_LABEL]
    if named:
        return "符合指标：" + "、".join(named)
    return "句子分类模型判定属于本维度（未出现指标用语）" if indicators else ""


def _evidence_flags(e: dict, findings: list[dict]) -> tuple[str, bool]:
    """Marks for the findings inside an evidence sentence (links to them) and whether one is high."""
    flags, high = [], False
    for i, f in enumerate(findings):
        s, t = f.get("start", -1), f.get("end", -1)
        if s < 0 or not (s < e["end"] and t > e["start"]):
            continue
        sev = f.get("severity") if f.get("severity") in SEVERITIES else "low"
        high = high or sev == "high"
        flags.append(f'<a class="evflag sev-{sev}" href="#f-{i}" title="{esc(f.get("message"))}">'
                     f'⚠ {SEVERITY_ZH[sev]}·{esc(CODE_ZH.get(f.get("code", ""), f.get("code", "")))}</a>')
    return "".join(flags), high


def _coverage_block(coverage: list[dict], framework_name: str, findings: list[dict] = (),
                    adjustments: list[dict] = ()) -> str:
    if not coverage:
        return '<p class="empty-note">无覆盖数据。</p>'
    out = []
    for c in coverage:
        score = c.get("score") or 0.0
        state = "已覆盖" if c.get("covered") else "未覆盖"
        tags = "".join(f'<span class="tag">{esc(x)}</span>' for x in c.get("indicators_hit", []))
        for h in adjustments:
            if h.get("dimension") == c.get("dimension"):
                cls, sign = ("bonus", "+") if h["kind"] == "bonus" else ("deduct", "−")
                label = f'{"加分" if h["kind"] == "bonus" else "扣分"} {sign}{h["points"]:g}：{h["item"]}'
                tags += f'<a class="tag {cls}" href="#at-{h["start"]}" title="{esc(h.get("text"))}">{esc(label)}</a>'
        ev = c.get("evidence", [])
        if ev:
            items = []
            for e in ev:
                flags, high = _evidence_flags(e, list(findings))
                doubt = '<div class="small doubt">此句有高严重度问题，作为证据前请核实</div>' if high else ""
                items.append(
                    f'<li{" class=" + chr(34) + "doubtful" + chr(34) if high else ""}>'
                    f'<a class="ev" href="#at-{e["start"]}" title="跳到原文">{esc(e["text"])}</a>{flags}'
                    f'<div class="path">{esc(_indicator_text(e.get("indicators", [])))}'
                    f'{" · 含数据 " + str(e["claims"]) + " 处" if e.get("claims") else ""}'
                    f' · {esc(e.get("section") or "（开头部分）")}</div>{doubt}</li>')
            evidence = f'<ol class="evidence">{"".join(items)}</ol>'
        else:
            evidence = '<p class="empty-note small">没有找到能证明该维度工作的句子。</p>'
        out.append(
            f'<h3 style="font-size:15px;margin:12px 0 4px">{esc(c.get("dimension"))} '
            f'<span class="dimbar"><span style="width:{score * 100:.0f}%;background:{score_colour(score)}"></span></span> '
            f'<span class="small">{score:.2f} · {state} · 量化证据 {int(c.get("quantified_evidence") or 0)} 句</span></h3>'
            f'<div>{tags}</div>{evidence}')
    return (f'<p class="muted small">框架：{esc(framework_name)}。每个维度列出最有力的证据句（含数据者优先）及其符合的指标，'
            '点击跳到原文位置；⚠ 表示该句本身有问题。</p>' + "".join(out))


_KIND_ZH = {"coverage": "覆盖", "bonus": "加分项", "deduction": "扣分项", "penalty": "问题扣减", "cap": "上限",
            "floor": "下限"}


def _breakdown_block(data: dict) -> str:
    """Where every point of the score came from: each dimension's coverage, each bonus and
    deduction item with the sentence that earned or cost it, each problem, each cap applied."""
    b = data.get("breakdown")
    if not b:
        return '<p class="empty-note">未计分。</p>'
    groups = finding_groups(data.get("findings", []))
    first_of = {}
    for g in groups:
        first_of.setdefault((g[0][1].get("code"), g[0][1].get("start", -1)), g[0][0])
    rows = []
    for ln in b["lines"]:
        kind = ln["kind"]
        if kind == "coverage":
            item = f"{esc(ln['label'])}"
            basis = (f"覆盖得分 {ln['coverage']:.2f} × 该维度满分 {ln['max']:g}"
                     f"（权重 {ln['weight']:g}）")
        elif kind in ("bonus", "deduction"):
            item = esc(ln["label"])
            basis = (f'<a href="#at-{ln["start"]}">“{esc(_quote(ln.get("text", ""), 80))}”</a>'
                     if ln.get("start", -1) >= 0 else esc(ln.get("text", "")))
        elif kind == "penalty":
            sev = ln.get("severity", "low")
            n = f" ×{ln['count']} 处（计一次）" if ln.get("count", 1) > 1 else ""
            item = (f'<code>{esc(ln.get("code"))}</code> {esc(CODE_ZH.get(ln.get("code", ""), ""))} '
                    f'<span class="sev {esc(sev)}">{esc(SEVERITY_ZH.get(sev, sev))}</span>{esc(n)}')
            i = first_of.get((ln.get("code"), ln.get("start", -1)))
            target = f"#f-{i}" if i is not None and ln.get("start", -1) >= 0 else "#findings"
            basis = f'<a href="{target}">{esc(ln["label"])}</a>'
        else:
            item, basis = "", esc(ln["label"])
        rows.append(f'<tr class="ln-{kind}"><td class="nowrap">{_KIND_ZH.get(kind, kind)}</td><td>{item}</td>'
                    f'<td>{basis}</td><td class="num">{_pts(ln["points"])}</td></tr>')
    rows.append(f'<tr class="total"><td colspan="3">得分（满分 100）</td><td class="num"><b>{b["score"]:.1f}</b></td></tr>')
    return ('<div class="table-wrap"><table class="grid breakdown"><colgroup><col style="width:80px">'
            '<col style="width:30%"><col><col style="width:70px"></colgroup><thead><tr><th>来源</th><th>项目</th>'
            '<th>依据（点击看原文）</th><th class="num">分值</th></tr></thead><tbody>' + "".join(rows)
            + "</tbody></table></div>")


def _claims_table(claims: list[dict]) -> str:
    if not claims:
        return '<p class="empty-note">未抽取到数据声明。</p>'
    rows = "".join(
        f'<tr><td><a href="#c-{i}">{esc(c.get("raw"))}</a></td>'
        f'<td class="num">{esc(_num(c.get("value")))}</td>'
        f'<td>{esc(c.get("unit"))}</td><td>{esc(c.get("approx") or "")}</td><td>{esc(c.get("subject"))}</td>'
        f'<td>{esc(KIND_ZH.get(c.get("kind", ""), c.get("kind", "")))}</td><td class="small">{esc(c.get("section"))}</td></tr>'
        for i, c in enumerate(claims))
    return ('<div class="table-wrap"><table class="grid"><thead><tr><th>原文</th><th class="num">数值</th>'
            '<th>单位</th><th>约数</th><th>主体</th><th>类型</th><th>章节</th></tr></thead>'
            f'<tbody>{rows}</tbody></table></div>')


def render_doc_page(data: dict, framework_name: str) -> str:
    """The page of one document from its page data (see :func:`summaryscan.report.screen.page_data`)."""
    s = data["summary"]
    title = s.get("title") or s["doc"]
    ok = s["status"] == "ok"
    status = (f'<span class="status {"ok" if ok else "err"}">{esc(STATUS_ZH.get(s["status"], s["status"]))}</span>'
              + (f' <span class="small">{esc(s.get("message"))}</span>' if s.get("message") else ""))
    meta = [("文件", esc(s["doc"])), ("单位", esc(s.get("unit") or "—")), ("文种", esc(s.get("doc_type") or "—")),
            ("年份", esc(s.get("year") or "—")), ("状态", status)]
    if s.get("source") in SOURCE_ZH:
        meta.append(("来源", esc(SOURCE_ZH[s["source"]])))
    if ok:
        sev = s.get("severity", {})
        meta += [("字数", f'{s.get("chars", 0):,}'),
                 ("数据声明", f'{s.get("claims", 0)} 条（每千字 {s.get("density", 0):.1f} 条）'),
                 ("问题", " ".join(f'<span class="sev {k}">{SEVERITY_ZH[k]} {sev.get(k, 0)}</span>' for k in SEVERITIES)),
                 ("得分", _score_block(s))]
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta)
    body = [f'<header class="top"><div class="sub"><a href="../index.html">← 返回总览</a></div>'
            f'<h1>{esc(title)}</h1><div class="sub">{esc(s["doc"])}</div></header><main>',
            f'<section class="card"><h2>基本信息</h2><dl class="meta">{dl}</dl></section>']
    if ok:
        spans, anchors = text_spans(data)
        findings = data.get("findings", [])
        located = sum(1 for f in findings if f.get("start", -1) >= 0)
        n_claims = len(data.get("claims", []))
        body.append('<nav class="jump">跳到：<a href="#score">得分明细</a><a href="#findings">问题清单</a>'
                    '<a href="#text">原文</a><a href="#coverage">维度覆盖与证据</a><a href="#claims">数据声明明细</a></nav>')
        body.append(f'<section class="card" id="score"><h2>得分明细</h2>{_breakdown_block(data)}</section>')
        n_problems = len(finding_groups(findings))
        body.append(f'<section class="card" id="findings"><h2>问题清单（{n_problems} 个问题'
                    f'{f"，{len(findings)} 处" if len(findings) != n_problems else ""}）</h2>'
                    f'{_findings_table(findings, data.get("text", ""))}</section>')
        # swatches, not sample text: a legend must not read like data
        key = ('<div class="keybox" aria-label="图例"><span><mark class="claim swatch"></mark>蓝底：数据声明</span>'
               '<span>波浪线：问题位置（<mark class="finding sev-high swatch"></mark>高 '
               '<mark class="finding sev-medium swatch"></mark>中 <mark class="finding sev-low swatch"></mark>低）</span>'
               + ('<span><span class="ocr">OCR</span> OCR 识别的文字 <span class="ocr-low">　</span> 低置信度行</span>'
                  if data.get("ocr") else "")
               + f'<span>鼠标悬停查看详情 · {n_claims} 条声明，{located} 处问题可定位</span></div>')
        key = _ocr_note(data) + key
        body.append('<div class="layout"><nav class="outline card" aria-label="提纲" style="margin:16px 0">'
                    f'<h2 style="font-size:15px;margin:0 0 6px">提纲</h2>{_outline(data.get("sections", []))}</nav>'
                    f'<section class="card" id="text"><h2>原文（抽取文本）</h2>{key}'
                    f'<div class="doc-text">{highlight(data.get("text", ""), spans, anchors)}</div></section></div>')
        body.append(f'<section class="card" id="coverage"><h2>维度覆盖与证据</h2>'
                    f'{_coverage_block(data.get("coverage", []), framework_name, findings, data.get("adjustments", []))}'
                    '</section>')
        body.append(f'<section class="card" id="claims"><details><summary>数据声明明细（{n_claims}）</summary>'
                    f'{_claims_table(data.get("claims", []))}</details></section>')
    else:
        body.append('<section class="card"><h2>无法分析</h2><p>该文件未能读取出可分析的文字，'
                    '请检查文件格式或提供可复制文字的版本（.docx、.txt 或带文字层的 PDF）。</p></section>')
    body.append("</main>")
    return page(f"{title} - 审读", "\n".join(body), [asset("doc.js")])


SOURCE_ZH = {"ocr": "OCR 识别（扫描件或图片）", "mixed": "部分页面 OCR 识别（扫描页），其余取自文字层",
             "converted": "由 LibreOffice 转换为 .docx 后读取"}


def _source_badge(source: Optional[str]) -> str:
    label = {"ocr": "OCR", "mixed": "部分 OCR", "converted": "转换"}.get(source or "")
    return f' <span class="badge src-{esc(source)}" title="{esc(SOURCE_ZH[source])}">{label}</span>' if label else ""


def _ocr_note(data: dict) -> str:
    """The warning above an OCR'd text: which pages, how confident, what to do."""
    pages = data.get("ocr") or []
    if not pages:
        return ""
    n = sum(p["end"] - p["start"] for p in pages) or 1
    mean = sum(p["confidence"] * (p["end"] - p["start"]) for p in pages) / n
    low = sum(len(p.get("low", [])) for p in pages)
    which = ("全文" if data.get("summary", {}).get("source") == "ocr"
             else "第 " + "、".join(str(p["page"]) for p in pages) + " 页")
    extra = f"，{low} 行置信度偏低（浅黄底）" if low else ""
    return (f'<p class="ocr-note" role="note">⚠ {esc(which)}由 OCR 从扫描图像识别（浅蓝底），平均置信度 {mean:.1%}'
            f'{esc(extra)}。数字可能误识，引用前请对照原件核对。</p>')


# --------------------------------------------------------------------------- #
# index page
# --------------------------------------------------------------------------- #

SCORE_DOC = ("得分：{scale}每份材料页面的“得分明细”列出每一分的来源（维度覆盖、挣得加分或被扣分的原句、发现的问题）。"
             "名次按得分从高到低排列，同分同名次；无法读取的材料不计分、不排名。")

UNIT_DOC = ("单位：从标题开头取到年份或“创建/开展/关于…工作”等词之前的部分，要求以机关名称常见结尾"
            "（局、委、办、党组、机关党委、纪委监委、工委……）结束，并去掉“书记”等职务词；标题里没有时，"
            "取标题下方署名行（如“市直机关工委调研组”去掉“调研组”）或文末落款。仅供参考。")

DENSITY_DOC = "每千字声明数 = 数据声明条数 ÷ 正文字数（不计空白）× 1000，反映材料用数据说话的程度。"


def render_index(rows: list[dict], dims: list[str], meta: dict, charts: list[tuple[str, str]],
                 cross: list[dict]) -> str:
    """The index page. ``rows``: summary rows (ranked); ``charts``: (relative path, caption);
    ``meta``: framework_name, generated, version, scale (the score's scale in words).

    Columns a reviewer triages on (得分, 高/中/低, 状态) come right after the submission, so they
    are on screen at 1024 px; the rank and the submission stay in view when the table scrolls."""
    n_ok = sum(1 for r in rows if r["status"] == "ok")
    codes = sorted({c for r in rows for c in r.get("codes", [])})
    sev_tot = {k: sum(r.get("severity", {}).get(k, 0) for r in rows) for k in SEVERITIES}
    head_cells = [("rank", "名次", "num", "ascending"), ("doc", "材料", "", "ascending"),
                  ("score", "得分", "num", "descending"), ("high", "高", "num", "descending"),
                  ("medium", "中", "num", "descending"), ("low", "低", "num", "descending"),
                  ("status", "状态", "", "ascending")]
    head_cells += [(f"dim{i}", d, "num", "descending") for i, d in enumerate(dims)]
    head_cells += [("claims", "数据声明", "num", "descending"), ("density", "每千字", "num", "descending"),
                   ("unit", "单位", "", "ascending"), ("type", "文种", "", "ascending"),
                   ("year", "年份", "num", "descending")]
    order = [k for k, _, _, _ in head_cells]
    col_cls = {"rank": "num pin1", "doc": "pin2", "score": "num triage first", "high": "num triage",
               "medium": "num triage", "low": "num triage", "status": "triage last"}
    def th_class(k: str, t: str) -> str:
        c = col_cls.get(k) or ("num" if t == "num" and not k.startswith("dim") else "")
        return f' class="{c}"' if c else ""
    ths = "".join(
        f'<th data-key="{k}"{" data-type=" + chr(34) + t + chr(34) if t else ""} data-first="{first}"'
        f'{th_class(k, t)}{" aria-sort=" + chr(34) + "ascending" + chr(34) if k == "rank" else ""}>{esc(label)}</th>'
        for k, label, t, first in head_cells)
    trs = []
    for r in rows:
        ok = r["status"] == "ok"
        sev = r.get("severity", {})
        title = r.get("title") or r["doc"]
        cell = {"rank": f'<td class="num pin1" data-v="{r["rank"] if r.get("rank") else ""}">{r.get("rank") or "—"}</td>',
                "doc": f'<td class="doc-cell pin2" data-v="{esc(title)}"><a href="{esc(doc_href(r["file"]))}">{esc(title)}</a>'
                       f'<div class="file">{esc(r["doc"])}{_source_badge(r.get("source"))}</div></td>',
                "unit": f'<td class="unit">{esc(r.get("unit") or "")}</td>',
                "type": f'<td class="nowrap">{esc(r.get("doc_type") or "")}</td>',
                "year": f'<td class="num">{esc(r.get("year") or "")}</td>'}
        for i, d in enumerate(dims):
            v = r.get("dims", {}).get(d) if ok else None
            covered = r.get("covered", {}).get(d)
            tip = "" if v is None else f' title="{esc(d)}：{v:.2f}（{"已覆盖" if covered else "未覆盖"}）"'
            cell[f"dim{i}"] = (f'<td class="dim" data-v="{"" if v is None else f"{v:.3f}"}" '
                               f'style="background:{score_colour(v)}"{tip}>{"—" if v is None else f"{v:.2f}"}</td>')
        cell["claims"] = f'<td class="num">{r.get("claims", 0) if ok else "—"}</td>'
        dens_v, dens_t = (f"{r['density']:.3f}", f"{r['density']:.1f}") if ok else ("", "—")
        cell["density"] = f'<td class="num" data-v="{dens_v}">{dens_t}</td>'
        codes_tip = esc("、".join(f"{c} {CODE_ZH.get(c, '')}" for c in r.get("codes", [])))
        for k in SEVERITIES:
            v = sev.get(k, 0)
            cell[k] = f'<td class="num triage" title="{codes_tip}"><span class="sev {k if v else "zero"}">{v}</span></td>'
        sc = r.get("score")
        sc_v, sc_t = ("", "—") if sc is None else (f"{sc}", f"{sc:.1f}")
        cell["score"] = f'<td class="num score triage first" data-v="{sc_v}">{sc_t}</td>'
        st = (f'<span class="status {"ok" if ok else "err"}">{esc(STATUS_ZH.get(r["status"], r["status"]))}</span>'
              + ("" if ok else f'<div class="small">{esc(r.get("message"))}</div>'))
        cell["status"] = f'<td class="triage last" data-v="{esc(r["status"])}">{st}</td>'
        cells = [cell[k] for k in order]
        attrs = (f' data-doc="{esc(r["doc"])}" data-status="{esc(r["status"])}" data-codes="{esc(" ".join(r.get("codes", [])))}"'
                 f' data-findings="{sum(sev.values())}"' + "".join(f' data-{k}="{sev.get(k, 0)}"' for k in SEVERITIES))
        trs.append(f'<tr{attrs}{"" if ok else " class=" + chr(34) + "bad" + chr(34)}>{"".join(cells)}</tr>')
    code_opts = "".join(f'<option value="{esc(c)}">{esc(c)} {esc(CODE_ZH.get(c, ""))}</option>' for c in codes)
    toolbar = ('<div class="toolbar"><input type="search" id="q" placeholder="筛选：标题、单位、文件名…" aria-label="文字筛选">'
               f'<select id="code" aria-label="问题类型"><option value="">全部问题类型</option>{code_opts}</select>'
               '<select id="sev" aria-label="严重程度"><option value="">全部材料</option>'
               '<option value="high">有高严重度问题</option><option value="medium">有中严重度问题</option>'
               '<option value="low">有低严重度问题</option><option value="none">未发现问题</option>'
               '<option value="unreadable">无法读取</option></select>'
               f'<span class="muted">显示 <b id="shown">{len(rows)}</b> / {len(rows)} 份 · 点击表头排序</span></div>')
    legend = ('<div class="legend">维度覆盖得分（0–1）：<span class="chip" style="background:%s"></span>0'
              '<span class="chip" style="background:%s"></span>0.5<span class="chip" style="background:%s"></span>1'
              '　“高/中/低”：各严重程度的问题个数（同一问题多处出现计一次），悬停可见问题类型；'
              '得分满分 100，见下方“说明”。</div>'
              % (score_colour(0), score_colour(0.5), score_colour(1)))
    stats = (f'<ul class="stats"><li><b>{len(rows)}</b>份材料</li><li><b>{n_ok}</b>份可分析</li>'
             f'<li><b>{len(rows) - n_ok}</b>份无法读取</li>'
             f'<li><b>{sum(r.get("claims", 0) for r in rows):,}</b>条数据声明</li>'
             + "".join(f'<li><b>{sev_tot[k]}</b>个{SEVERITY_ZH[k]}严重度问题</li>' for k in SEVERITIES)
             + (f'<li><b>{len(cross)}</b>处跨材料雷同</li>' if cross else "") + "</ul>")
    figs = "".join(f'<figure><img src="{esc(quote(p))}" alt="{esc(cap)}" loading="lazy"><figcaption>{esc(cap)}</figcaption></figure>'
                   for p, cap in charts)
    body = [f'<header class="top"><h1>模范机关创建材料审读报告</h1>'
            f'<div class="sub">评价框架：{esc(meta.get("framework_name"))} · 生成时间：{esc(meta.get("generated"))}'
            f' · summaryscan {esc(meta.get("version"))}</div></header><main>',
            f'<section class="card"><h2>概况</h2>{stats}</section>',
            f'<section class="card"><h2>材料一览</h2>{toolbar}<div class="table-wrap">'
            f'<table class="grid sortable" id="docs"><thead><tr>{ths}</tr></thead><tbody>{"".join(trs)}</tbody></table>'
            f'</div>{legend}</section>']
    if figs:
        body.append(f'<section class="card"><h2>图表</h2><div class="charts">{figs}</div></section>')
    if cross:
        def link(file: str, doc: str, at: int) -> str:
            if not file:
                return esc(doc)
            return f'<a href="{esc(doc_href(file))}{f"#at-{at}" if at >= 0 else ""}">{esc(doc)}</a>'
        items = "".join(
            f'<tr><td>{link(c.get("file", ""), c["doc"], c["start"])}'
            f'<div class="small muted">{esc(c.get("section") or "")}</div></td>'
            f'<td>{link(c.get("other_file", ""), c["other_doc"], c["other_start"])}</td>'
            f'<td><span class="sev {esc(c.get("severity"))}">{esc(SEVERITY_ZH.get(c.get("severity"), c.get("severity")))}</span></td>'
            f'<td>{esc(c.get("message"))}</td></tr>'
            for c in cross)
        body.append('<section class="card" id="cross"><h2>跨材料雷同</h2><div class="table-wrap"><table class="grid">'
                    '<thead><tr><th>材料（章节）</th><th>雷同材料</th><th>严重程度</th><th>说明（含对方原文）</th></tr></thead>'
                    f'<tbody>{items}</tbody></table></div></section>')
    glossary = "".join(f"<dt>{esc(k)}</dt><dd>{esc(CODE_ZH.get(k, ''))}{'：' + esc(v) if v else ''}</dd>"
                       for k, v in code_descriptions().items())
    body.append('<section class="card"><h2>说明</h2>'
                f'<p>{esc(SCORE_DOC.format(scale=meta.get("scale", "")))}</p><p>{esc(DENSITY_DOC)}</p><p>{esc(UNIT_DOC)}</p>'
                '<p>表格同时导出为 <a href="report.xlsx">report.xlsx</a>（汇总、数据声明、问题清单、维度覆盖）。'
                '自动审读结果仅作初筛参考，请以人工审核为准。</p>'
                f'<h3 style="font-size:14px">问题类型</h3><dl class="codes">{glossary}</dl></section></main>')
    return page("模范机关创建材料审读报告", "\n".join(body), [asset("index.js")])
