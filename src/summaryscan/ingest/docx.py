"""Word (.docx) ingest with python-docx, plus what python-docx leaves out.

* Body paragraphs and tables come out in reading order: the children of
  ``w:body`` are walked (``w:p``, ``w:tbl``, content controls ``w:sdt``); a table
  gives one line per non-empty cell paragraph, row by row; merged cells are
  emitted once (vertical-merge continuation cells are skipped, a horizontally
  merged cell is a single ``w:tc``).  Text boxes anchored in a paragraph come
  out as lines right after it.
* One paragraph = one line (a manual line break inside a paragraph stays ``\\n``).
* Heading styles (``Heading 1..4``/``标题 1..4`` or an outline level, also via the
  style's ``basedOn`` chain) give ``Hint(kind="style", level=N)``.
* Automatic list numbering, which python-docx does not render, is recovered
  from ``numbering.xml`` and written in front of the paragraph text
  (``一、``, ``（一）``, ``1.2`` ...), with ``Hint(kind="numbering", level=ilvl+1)``.
  Counters follow Word: they belong to the abstract numbering definition (all
  ``w:num`` instances of one ``w:abstractNum`` continue one sequence); an
  instance with ``w:lvlOverride/w:startOverride`` restarts that level the first
  time it is used; deeper levels restart when a shallower level is used (subject
  to ``w:lvlRestart``).  Bullets are not rendered.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import Iterable, Optional

from ..registry import readers
from ..text.numerals import to_chinese
from ..text.patterns import CN_DIGITS
from ..records import (
    STATUS_ERROR,
    Hint,
    RawDocument,
)

#: Upper bound for the total uncompressed size of the zip members (zip bombs).
MAX_UNCOMPRESSED = 200 * 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


W_P, W_TBL, W_TR, W_TC, W_SDT, W_SDTCONTENT = (
    _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("sdt"), _w("sdtContent"))
W_CUSTOMXML = _w("customXml")
W_T, W_TAB, W_PTAB, W_BR, W_CR = _w("t"), _w("tab"), _w("ptab"), _w("br"), _w("cr")
W_NBHYPHEN = _w("noBreakHyphen")
W_R, W_RPR, W_VANISH = _w("r"), _w("rPr"), _w("vanish")
W_PPR, W_PSTYLE, W_NUMPR, W_NUMID, W_ILVL = (
    _w("pPr"), _w("pStyle"), _w("numPr"), _w("numId"), _w("ilvl"))
W_OUTLINE = _w("outlineLvl")
W_TCPR, W_VMERGE = _w("tcPr"), _w("vMerge")
W_TXBX = _w("txbxContent")
W_VAL = _w("val")
MC_FALLBACK = f"{{{MC_NS}}}Fallback"

# Subtrees whose text is not visible content of the paragraph.
_SKIP = {
    _w("del"), _w("moveFrom"), W_PPR, W_RPR, _w("instrText"), _w("delText"),
    _w("delInstrText"), MC_FALLBACK, _w("footnoteReference"),
    _w("endnoteReference"), _w("commentReference"),
}

_HEADING_NAME = re.compile(r"^\s*(?:heading|标题)\s*([1-9])\s*$", re.IGNORECASE)


def _val(el, default=None):
    if el is None:
        return default
    v = el.get(W_VAL)
    return default if v is None else v


def _int(v, default=None):
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _on(el) -> bool:
    """A toggle property (w:vanish, w:isLgl): present and not switched off."""
    if el is None:
        return False
    return _val(el, "true").lower() not in ("false", "0", "off")


# --------------------------------------------------------------------------
# number formats

_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for v, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                   (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                   (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out.append(sym)
            n -= v
    return "".join(out)


def _letter(n: int) -> str:
    """Word's letters: 1 -> A, 26 -> Z, 27 -> AA, 28 -> BB."""
    if n <= 0 or n > 780:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _circled(n: int) -> str:
    if 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if 21 <= n <= 35:
        return chr(0x3251 + n - 21)
    if 36 <= n <= 50:
        return chr(0x32B1 + n - 36)
    return str(n)


_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def format_number(n: int, fmt: str) -> str:
    """Render ``n`` in the Word number format ``fmt`` (``w:numFmt/@w:val``)."""
    if fmt in ("decimal", "", None):
        return str(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting", "koreanCounting",
               "ideographLegalTraditional"):
        return to_chinese(n)
    if fmt == "chineseLegalSimplified":
        return to_chinese(n, _CN_LEGAL, "拾佰仟", drop_leading_one=False)
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[n - 1] if 1 <= n <= 10 else str(n)
    if fmt == "ideographZodiac":
        return "子丑寅卯辰巳午未申酉戌亥"[n - 1] if 1 <= n <= 12 else str(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(CN_DIGITS[int(c)] for c in str(n))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese",
               "ideographEnclosedCircle"):
        return _circled(n)
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(_FULLWIDTH)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperLetter":
        return _letter(n)
    if fmt == "lowerLetter":
        return _letter(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "ordinal":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if fmt == "none":
        return ""
    return str(n)  # cardinalText, ordinalText, hex, ... : plain digits


# --------------------------------------------------------------------------
# styles and numbering definitions

@dataclass
class _Style:
    id: str
    name: str
    based: Optional[str]
    outline: Optional[int]
    num_id: Optional[str]
    ilvl: Optional[int]


@dataclass
class _Level:
    start: int
    fmt: str
    text: Optional[str]
    suff: str
    restart: Optional[int]
    is_lgl: bool
    pstyle: Optional[str]


def _parse_styles(styles_el) -> tuple[dict[str, _Style], Optional[str]]:
    styles: dict[str, _Style] = {}
    default = None
    if styles_el is None:
        return styles, default
    for st in styles_el.iterchildren(_w("style")):
        if st.get(_w("type")) not in (None, "paragraph"):
            continue
        sid = st.get(_w("styleId"))
        if sid is None:
            continue
        ppr = st.find(W_PPR)
        numpr = ppr.find(W_NUMPR) if ppr is not None else None
        styles[sid] = _Style(
            id=sid,
            name=_val(st.find(_w("name")), "") or "",
            based=_val(st.find(_w("basedOn"))),
            outline=_int(_val(ppr.find(W_OUTLINE))) if ppr is not None else None,
            num_id=_val(numpr.find(W_NUMID)) if numpr is not None else None,
            ilvl=_int(_val(numpr.find(W_ILVL))) if numpr is not None else None,
        )
        if st.get(_w("default")) in ("1", "true", "on"):
            default = sid
    return styles, default


def _parse_level(lvl) -> _Level:
    return _Level(
        start=_int(_val(lvl.find(_w("start"))), 0),
        fmt=_val(lvl.find(_w("numFmt")), "decimal"),
        text=_val(lvl.find(_w("lvlText"))),
        suff=_val(lvl.find(_w("suff")), "tab"),
        restart=_int(_val(lvl.find(_w("lvlRestart")))),
        is_lgl=_on(lvl.find(_w("isLgl"))),
        pstyle=_val(lvl.find(W_PSTYLE)),
    )


class _Numbering:
    """Numbering definitions and Word-like running counters."""

    def __init__(self, numbering_el, styles: dict[str, _Style]):
        self.styles = styles
        self.abstract_el: dict[str, object] = {}
        self.nums: dict[str, tuple[str, dict[int, dict]]] = {}
        if numbering_el is not None:
            for an in numbering_el.iterchildren(_w("abstractNum")):
                aid = an.get(_w("abstractNumId"))
                if aid is not None:
                    self.abstract_el[aid] = an
            for num in numbering_el.iterchildren(_w("num")):
                nid = num.get(_w("numId"))
                aid = _val(num.find(_w("abstractNumId")))
                if nid is None or aid is None:
                    continue
                overrides: dict[int, dict] = {}
                for ov in num.iterchildren(_w("lvlOverride")):
                    il = _int(ov.get(_w("ilvl")))
                    if il is None:
                        continue
                    d = {}
                    so = ov.find(_w("startOverride"))
                    if so is not None:
                        d["start"] = _int(_val(so), 0)
                    lv = ov.find(_w("lvl"))
                    if lv is not None:
                        d["lvl"] = _parse_level(lv)
                    overrides[il] = d
                self.nums[nid] = (aid, overrides)
        self._levels_cache: dict[str, dict[int, _Level]] = {}
        # running state per abstract definition
        self.counters: dict[str, dict[int, int]] = {}
        self.used_overrides: set[tuple[str, int]] = set()

    def _resolve_abstract(self, aid: str, depth: int = 0) -> str:
        """Follow ``w:numStyleLink`` to the abstractNum that holds the levels."""
        an = self.abstract_el.get(aid)
        if an is None or depth > 5:
            return aid
        link = _val(an.find(_w("numStyleLink")))
        if link is None:
            return aid
        st = self.styles.get(link)
        if st is None or st.num_id is None or st.num_id not in self.nums:
            return aid
        target = self.nums[st.num_id][0]
        if target == aid:
            return aid
        return self._resolve_abstract(target, depth + 1)

    def levels(self, aid: str) -> dict[int, _Level]:
        if aid not in self._levels_cache:
            out: dict[int, _Level] = {}
            an = self.abstract_el.get(aid)
            if an is not None:
                for lvl in an.iterchildren(_w("lvl")):
                    il = _int(lvl.get(_w("ilvl")))
                    if il is not None:
                        out[il] = _parse_level(lvl)
            self._levels_cache[aid] = out
        return self._levels_cache[aid]

    def ilvl_for_style(self, num_id: str, style_id: str) -> Optional[int]:
        if num_id not in self.nums:
            return None
        aid = self._resolve_abstract(self.nums[num_id][0])
        for il, lv in self.levels(aid).items():
            if lv.pstyle == style_id:
                return il
        return None

    def _level(self, num_id: str, ilvl: int) -> Optional[_Level]:
        aid, overrides = self.nums[num_id]
        ov = overrides.get(ilvl, {})
        if "lvl" in ov:
            return ov["lvl"]
        return self.levels(self._resolve_abstract(aid)).get(ilvl)

    def _start(self, num_id: str, ilvl: int) -> int:
        ov = self.nums[num_id][1].get(ilvl, {})
        if "start" in ov:
            return ov["start"]
        lv = self._level(num_id, ilvl)
        return lv.start if lv is not None else 1

    def next_marker(self, num_id: str, ilvl: int) -> Optional[tuple[str, str]]:
        """Advance the counter for (num_id, ilvl); return (marker, suffix) or None."""
        if num_id not in self.nums or not 0 <= ilvl <= 8:
            return None
        lv = self._level(num_id, ilvl)
        if lv is None:
            return None
        aid = self._resolve_abstract(self.nums[num_id][0])
        state = self.counters.setdefault(aid, {})
        overrides = self.nums[num_id][1]
        # An instance with a start override restarts its overridden levels the
        # first time it is used.
        for il, ov in overrides.items():
            if "start" in ov and (num_id, il) not in self.used_overrides:
                self.used_overrides.add((num_id, il))
                state.pop(il, None)
        if ilvl in state:
            state[ilvl] += 1
        else:
            state[ilvl] = self._start(num_id, ilvl)
        # Deeper levels restart (Word: when this or any shallower level is used).
        for deeper in [k for k in state if k > ilvl]:
            dl = self._level(num_id, deeper)
            restart = dl.restart if dl is not None else None
            if restart is None or (restart > 0 and ilvl < restart):
                del state[deeper]
        if lv.fmt == "bullet" or not lv.text:
            return None

        def render(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            value = state.get(k)
            if value is None:
                value = self._start(num_id, k)
            kl = self._level(num_id, k)
            fmt = kl.fmt if kl is not None else "decimal"
            if lv.is_lgl and fmt != "none":
                fmt = "decimal"
            if fmt == "bullet":
                return ""
            return format_number(value, fmt)

        marker = re.sub(r"%([1-9])", render, lv.text)
        if not marker.strip():
            return None
        return marker, lv.suff


# --------------------------------------------------------------------------
# text extraction


def _paragraph_text(p, textboxes: list) -> str:
    out: list[str] = []

    def walk(el):
        for ch in el:
            tag = ch.tag
            if not isinstance(tag, str):
                continue  # comments, processing instructions
            if tag == W_T:
                if ch.text:
                    out.append(ch.text)
            elif tag in (W_TAB, W_PTAB):
                out.append("\t")
            elif tag == W_BR:
                if ch.get(_w("type")) in (None, "textWrapping"):
                    out.append("\n")
            elif tag == W_CR:
                out.append("\n")
            elif tag == W_NBHYPHEN:
                out.append("-")
            elif tag in _SKIP:
                continue
            elif tag == W_TXBX:
                textboxes.append(ch)
            elif tag == W_R:
                rpr = ch.find(W_RPR)
                if rpr is not None and _on(rpr.find(W_VANISH)):
                    continue
                walk(ch)
            else:
                walk(ch)

    walk(p)
    return "".join(out)


class _Extractor:
    def __init__(self, document):
        styles_el = None
        try:
            styles_el = document.styles.element
        except Exception:  # a docx without styles part
            styles_el = None
        self.styles, self.default_style = _parse_styles(styles_el)
        numbering_el = None
        try:
            from docx.opc.constants import RELATIONSHIP_TYPE as RT
            numbering_el = document.part.part_related_by(RT.NUMBERING).element
        except Exception:  # no numbering part
            numbering_el = None
        self.numbering = _Numbering(numbering_el, self.styles)
        self.body = document.element.body
        self.lines: list[str] = []
        self.hints: list[Hint] = []
        self.pos = 0  # length of "\n".join(self.lines)

    # -- output -------------------------------------------------------------
    def _emit(self, line: str) -> tuple[int, int]:
        if self.lines:
            self.pos += 1
        start = self.pos
        self.lines.append(line)
        self.pos += len(line)
        return start, self.pos

    # -- styles -------------------------------------------------------------
    def _chain(self, sid: Optional[str]) -> Iterable[_Style]:
        seen = set()
        while sid is not None and sid in self.styles and sid not in seen:
            seen.add(sid)
            st = self.styles[sid]
            yield st
            sid = st.based

    def _heading_level(self, ppr, sid: Optional[str]) -> Optional[int]:
        if ppr is not None:
            ol = _int(_val(ppr.find(W_OUTLINE)))
            if ol is not None:
                return ol + 1 if 0 <= ol < 9 else None
        for st in self._chain(sid):
            m = _HEADING_NAME.match(st.name)
            if m:
                return int(m.group(1))
            if st.outline is not None:
                return st.outline + 1 if 0 <= st.outline < 9 else None
        return None

    def _numpr(self, ppr, sid: Optional[str]) -> Optional[tuple[str, int]]:
        num_id = ilvl = None
        if ppr is not None:
            numpr = ppr.find(W_NUMPR)
            if numpr is not None:
                num_id = _val(numpr.find(W_NUMID))
                ilvl = _int(_val(numpr.find(W_ILVL)))
        style_num = style_ilvl = None
        num_style = None
        for st in self._chain(sid):
            if st.num_id is not None:
                style_num, style_ilvl, num_style = st.num_id, st.ilvl, st.id
                break
        if num_id is None:
            num_id = style_num
        if num_id is None or num_id == "0":
            return None
        if ilvl is None:
            ilvl = style_ilvl
        if ilvl is None and num_style is not None:
            ilvl = self.numbering.ilvl_for_style(num_id, num_style)
        return num_id, ilvl or 0

    # -- walking --------------------------------------------------------------
    def run(self) -> tuple[str, list[Hint]]:
        self._blocks(self.body, in_table=False)
        return "\n".join(self.lines), self.hints

    def _blocks(self, container, in_table: bool) -> None:
        for ch in container:
            tag = ch.tag
            if tag == W_P:
                self._paragraph(ch, in_table)
            elif tag == W_TBL:
                self._table(ch)
            elif tag == W_SDT:
                content = ch.find(W_SDTCONTENT)
                if content is not None:
                    self._blocks(content, in_table)
            elif tag == W_CUSTOMXML:
                self._blocks(ch, in_table)

    def _paragraph(self, p, in_table: bool) -> None:
        ppr = p.find(W_PPR)
        sid = _val(ppr.find(W_PSTYLE)) if ppr is not None else None
        if sid is None:
            sid = self.default_style
        textboxes: list = []
        text = _paragraph_text(p, textboxes)
        marker = None
        numpr = self._numpr(ppr, sid)
        if numpr is not None:
            got = self.numbering.next_marker(*numpr)
            if got is not None:
                mark, suff = got
                sep = ""
                if suff != "nothing" and mark and ord(mark[-1]) < 0x2E80 and text[:1] not in ("", " ", "\t"):
                    sep = " "
                marker = mark
                text = mark + sep + text
        if not (in_table and not text.strip()):
            start, end = self._emit(text)
            level = self._heading_level(ppr, sid)
            if level is not None and 1 <= level <= 4 and text.strip():
                self.hints.append(Hint(start, end, "style", level))
            if marker is not None:
                self.hints.append(Hint(start, end, "numbering", numpr[1] + 1))
        for tb in textboxes:
            self._blocks(tb, in_table=True)

    def _table(self, tbl) -> None:
        first = len(self.lines)
        start = self.pos + (1 if self.lines else 0)
        for tr in self._rows(tbl):
            for tc in self._cells(tr):
                tcpr = tc.find(W_TCPR)
                if tcpr is not None:
                    vm = tcpr.find(W_VMERGE)
                    if vm is not None and _val(vm, "continue") != "restart":
                        continue  # continuation of a vertically merged cell
                self._blocks(tc, in_table=True)
        if len(self.lines) > first:
            self.hints.append(Hint(start, self.pos, "table"))

    @staticmethod
    def _children(el, tag):
        """Children with ``tag``, looking through content controls and custom XML wrappers."""
        for ch in el:
            if ch.tag == tag:
                yield ch
            elif ch.tag in (W_SDT, W_CUSTOMXML):
                inner = ch.find(W_SDTCONTENT) if ch.tag == W_SDT else ch
                if inner is not None:
                    yield from (c for c in inner if c.tag == tag)

    @classmethod
    def _rows(cls, tbl):
        return cls._children(tbl, W_TR)

    @classmethod
    def _cells(cls, tr):
        return cls._children(tr, W_TC)


# --------------------------------------------------------------------------

def _fail(rec: RawDocument, message: str) -> RawDocument:
    rec.status = STATUS_ERROR
    rec.message = message
    return rec


@readers.register("docx", suffixes=(".docx",))
def read_docx(rec: RawDocument, max_uncompressed: Optional[int] = None) -> RawDocument:
    """Fill ``rec`` (path/doc/format already set) from a .docx file."""
    if max_uncompressed is None:
        max_uncompressed = MAX_UNCOMPRESSED
    name = rec.doc
    with open(rec.path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE_MAGIC):
        return _fail(rec, f"“{name}”不是 .docx 文件：它是加密（受密码保护）的 Word 文档，"
                          f"或是改了扩展名的旧版 .doc 文件。请去掉密码，或用 Word/WPS 另存为 .docx。")
    try:
        zf = zipfile.ZipFile(rec.path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError):
        return _fail(rec, f"“{name}”不是有效的 .docx 文件（文件损坏或不是 Word 2007+ 格式）。")
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > max_uncompressed:
            return _fail(rec, f"“{name}”解压后体积过大（{total / 1048576:.0f} MB，上限 "
                              f"{max_uncompressed / 1048576:.0f} MB），疑似压缩炸弹，已拒绝读取。")
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names:
            return _fail(rec, f"“{name}”不是有效的 .docx 文件（文件损坏或不是 Word 2007+ 格式："
                              f"压缩包里没有 Word 文档结构）。")
    try:
        import docx as _python_docx
        document = _python_docx.Document(rec.path)
    except Exception as exc:  # python-docx raises assorted errors on bad packages
        return _fail(rec, f"“{name}”不是有效的 .docx 文件（文件损坏或不是 Word 2007+ 格式）："
                          f"{type(exc).__name__}: {exc}")
    text, hints = _Extractor(document).run()
    rec.lines_are_paragraphs = True
    if rec.set_text(text, f"“{name}”中没有文字内容（空白 Word 文档）。"):
        rec.hints = hints
    return rec
