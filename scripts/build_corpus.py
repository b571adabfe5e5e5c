#!/usr/bin/env python3
"""Build the embedded sample corpus of summaryscan from its UTF-8 sources.

    python scripts/build_corpus.py            # build corpus/*.txt|docx|pdf, then verify
    python scripts/build_corpus.py --check    # verify only (sources, answers, built files)

Every submission in ``corpus/`` is generated from ``corpus/sources/NAME.txt``
(plain UTF-8, one paragraph per line).  The manifest below says which format
and encoding each submission gets.  The output is deterministic: fixed
metadata, fixed zip timestamps, fixed PDF creation date, so running the script
twice gives byte-identical files.

After building, the script checks ``corpus/answers.jsonl`` (the answer key of
the planted problems and the per-document coverage) against the sources and
against the text an ingest stage would extract from the built files.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SOURCES = CORPUS / "sources"
ANSWERS = CORPUS / "answers.jsonl"
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

FIXED_DATE = dt.datetime(2025, 1, 15, 9, 0, 0, tzinfo=dt.timezone.utc)
ZIP_DATE = (2025, 1, 15, 9, 0, 0)


@dataclass
class Table:
    after: str                     # the caption paragraph the table follows (exact line)
    rows: list[list[str]]


@dataclass
class Doc:
    name: str                      # output file name in corpus/
    header: str = ""               # PDF running header (the unit)
    encoding: str = "utf-8"        # .txt only: utf-8 | gb18030 | utf-16
    newline: str = "\n"            # .txt only
    heading_styles: bool = False   # .docx only: use Word "Heading N" styles for own-line headings
    tables: list[Table] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def fmt(self) -> str:
        return self.name.rsplit(".", 1)[1]

    @property
    def source(self) -> Path:
        return SOURCES / f"{self.stem}.txt"


MANIFEST: list[Doc] = [
    Doc("01_caizhengju_zongjie.txt"),
    Doc("02_renshe_zongjie.txt", encoding="gb18030"),
    Doc("03_jiguangongwei_diaoyan.docx", heading_styles=True, tables=[Table(
        after="表1  2024年1—8月市直机关模范机关创建主要指标完成情况",
        rows=[["序号", "指标", "单位", "完成数"],
              ["1", "落实“第一议题”学习", "次", "1,346"],
              ["2", "理论学习中心组集中学习", "次", "612"],
              ["3", "理论宣讲", "场", "186"],
              ["4", "举办各类培训班", "期", "23"],
              ["5", "完成办实事项目", "个", "389"],
              ["6", "开展警示教育", "场次", "318"],
              ["7", "党员志愿服务", "万人次", "5.3"]])]),
    Doc("04_shichangjianguan_zongjie.pdf", header="区市场监督管理局党组"),
    Doc("05_shuiwu_huibao.txt", newline="\r\n"),
    Doc("06_jiaotong_shuzhi.docx"),
    Doc("07_jiaoyu_zongjie.pdf", header="县教育局机关党委"),
    Doc("08_shengtai_zongjie.txt", encoding="utf-16"),
    Doc("09_weijian_zongjie.txt"),
    Doc("10_nongye_zongjie.txt"),
    Doc("11_sifa_zongjie.txt"),
    Doc("12_tongji_zongjie.txt"),
    Doc("13_yibao_zongjie.docx", tables=[Table(
        after="表1  2024年市医疗保障局模范机关创建主要指标完成情况",
        rows=[["指标", "单位", "完成数"],
              ["“第一议题”学习", "次", "20"],
              ["理论学习中心组集中学习", "次", "12"],
              ["培训党员干部", "人次", "620"],
              ["政策宣讲", "场", "96"],
              ["办实事项目", "项", "12"],
              ["办结群众诉求", "件", "710"],
              ["警示教育", "次", "7"],
              ["志愿服务", "次", "54"]])]),
    Doc("14_xianzhi_diaoyan.pdf", header="县直机关工委"),
]

CODES = {"PLACEHOLDER", "ARTIFACT", "NUMBERING", "PART_EXCEEDS_WHOLE", "SUBSET_EXCEEDS",
         "PERCENT_RANGE", "ARITHMETIC", "HEDGE_CONFLICT", "CONFLICTING_VALUES", "YEAR_MISMATCH",
         "MISSING_SECTION", "TEMPLATE_COPY"}
DIMENSIONS = ("政治型", "学习型", "高效型", "廉洁型", "活力型")
DOC_TYPES = {"工作总结", "调研报告", "述职报告", "工作汇报"}

# ---------------------------------------------------------------------------
# line classification shared by the .docx and .pdf writers

CN = "一二三四五六七八九十"
RE_H1 = re.compile(rf"^[{CN}]+、")
RE_H2 = re.compile(rf"^[（(][{CN}]+[）)]")
RE_H3 = re.compile(r"^\d+[.．、]")
END_PUNCT = "。；！？：”"


def read_source(doc: Doc) -> list[str]:
    text = doc.source.read_text(encoding="utf-8")
    return text.rstrip("\n").split("\n")


def classify(lines: list[str]) -> list[tuple[str, str]]:
    """(kind, line): title | center | h1 | h2 | h3 | caption | blank | body.

    Headings are headings only when the line is a title on its own (short, no
    full stop inside); run-in headings stay body paragraphs, as in real files.
    """
    out: list[tuple[str, str]] = []
    title_seen = False
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            out.append(("blank", line))
            continue
        own_line = len(s) <= 40 and "。" not in s[:-1]
        if not title_seen:
            title_seen = True
            out.append(("title", s))
            continue
        if s.startswith("表") and re.match(r"^表\d", s):
            out.append(("caption", s))
        elif RE_H1.match(s) and own_line:
            out.append(("h1", s))
        elif RE_H2.match(s) and own_line:
            out.append(("h2", s))
        elif RE_H3.match(s) and own_line:
            out.append(("h3", s))
        elif i <= 3 and len(s) <= 24 and (s[-1] not in END_PUNCT or re.fullmatch(r"[（(].*[）)]", s)):
            out.append(("center", s))          # author line, date line under the title
        elif len(s) <= 14 and s[-1] not in "。；，" and i >= len(lines) - 3:
            out.append(("sign", s))            # signature and date at the end
        else:
            out.append(("body", s))
    return out


# ---------------------------------------------------------------------------
# .txt

def build_txt(doc: Doc) -> bytes:
    text = doc.source.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    text = text.replace("\n", doc.newline)
    if doc.encoding == "utf-16":
        return b"\xff\xfe" + text.encode("utf-16-le")      # BOM + little endian, as Notepad writes
    return text.encode(doc.encoding)


def decode_txt(data: bytes, doc: Doc) -> str:
    if doc.encoding == "utf-16":
        assert data[:2] == b"\xff\xfe"
        text = data[2:].decode("utf-16-le")
    else:
        text = data.decode(doc.encoding)
    return text.replace("\r\n", "\n")


# ---------------------------------------------------------------------------
# .docx

def _set_run_font(run, east_asia: str, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes so the bytes are reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 0
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def build_docx(doc: Doc) -> bytes:
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = docx.Document()
    sec = document.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)

    cp = document.core_properties
    cp.author = "机关党建办公室"
    cp.last_modified_by = "机关党建办公室"
    cp.title = read_source(doc)[0].strip()
    cp.subject = ""
    cp.keywords = ""
    cp.comments = ""
    cp.category = ""
    cp.revision = 1
    naive = FIXED_DATE.replace(tzinfo=None)
    cp.created = naive
    cp.modified = naive
    cp.last_printed = naive

    tables = {t.after: t for t in doc.tables}
    for kind, line in classify(read_source(doc)):
        if kind == "blank":
            continue
        if kind == "title":
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _set_run_font(p.add_run(line), "方正小标宋简体", 22)
        elif kind == "center":
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _set_run_font(p.add_run(line), "楷体_GB2312", 16)
        elif kind in ("h1", "h2") and doc.heading_styles:
            p = document.add_paragraph(style="Heading 1" if kind == "h1" else "Heading 2")
            _set_run_font(p.add_run(line), "黑体" if kind == "h1" else "楷体_GB2312", 16)
            p.runs[0].font.color.rgb = None
        elif kind in ("h1", "h2", "h3"):
            p = document.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            font = {"h1": "黑体", "h2": "楷体_GB2312", "h3": "仿宋_GB2312"}[kind]
            _set_run_font(p.add_run(line), font, 16, bold=(kind == "h3"))
        elif kind == "caption":
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _set_run_font(p.add_run(line), "黑体", 14)
        elif kind == "sign":
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _set_run_font(p.add_run(line), "仿宋_GB2312", 16)
        else:
            p = document.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            p.paragraph_format.line_spacing = Pt(28)
            _set_run_font(p.add_run(line), "仿宋_GB2312", 16)
        if kind == "caption" and line in tables:
            spec = tables.pop(line)
            table = document.add_table(rows=len(spec.rows), cols=len(spec.rows[0]))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, row in enumerate(spec.rows):
                for c, value in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = ""
                    _set_run_font(cell.paragraphs[0].add_run(value), "仿宋_GB2312", 12, bold=(r == 0))
    if tables:
        raise SystemExit(f"{doc.name}: table caption not found: {list(tables)}")
    buf = io.BytesIO()
    document.save(buf)
    return _normalise_zip(buf.getvalue())


def docx_text(data: bytes) -> str:
    """Body paragraphs and table cells in reading order, joined by newlines."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append("".join(t.text or "" for t in child.iter(qn("w:t"))))
        elif child.tag == qn("w:tbl"):
            for tc in child.iter(qn("w:tc")):
                lines.append("".join(t.text or "" for t in tc.iter(qn("w:t"))))
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# .pdf

NO_LINE_START = set("，。、；：？！）》」』”’%．,.;:?!)")
NO_LINE_END = set("“‘（《「『(")
TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,%]*[0-9A-Za-z%]|.", re.S)


def wrap(pdf, text: str, first_width: float, width: float) -> list[str]:
    """Greedy wrap for CJK text: break anywhere except inside numbers/latin words,
    and never start a line with closing punctuation (it hangs on the line before)."""
    lines: list[str] = []
    cur, cur_w, limit = "", 0.0, first_width
    for tok in TOKEN.findall(text):
        w = pdf.get_string_width(tok)
        if cur and cur_w + w > limit and tok[0] not in NO_LINE_START:
            carry = ""
            while cur and cur[-1] in NO_LINE_END:      # an opening mark goes with what it opens
                carry, cur = cur[-1] + carry, cur[:-1]
            lines.append(cur)
            cur, limit = carry, width
            cur_w = pdf.get_string_width(cur)
        cur += tok
        cur_w += w
    if cur:
        lines.append(cur)
    return lines


class PdfWriter:
    LEFT, RIGHT, TOP, BOTTOM = 28.0, 26.0, 32.0, 30.0
    BODY_PT, LINE_MM = 15, 9.2

    def __init__(self, doc: Doc):
        from fpdf import FPDF

        self.doc = doc
        pdf = FPDF(unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.add_font("wqy", fname=CJK_FONT)
        pdf.set_creation_date(FIXED_DATE)
        pdf.set_creator("机关党建办公室")
        pdf.set_producer("summaryscan scripts/build_corpus.py (fpdf2)")
        pdf.set_author("机关党建办公室")
        pdf.set_title(read_source(doc)[0].strip())
        pdf.set_lang("zh-CN")
        self.pdf = pdf
        self.page_no = 0
        self.y = 0.0
        self.lines: list[tuple[int, str]] = []   # (page, text) as laid out, for the raw check
        self.new_page()

    @property
    def text_width(self) -> float:
        return 210 - self.LEFT - self.RIGHT

    def new_page(self) -> None:
        pdf = self.pdf
        pdf.add_page()
        self.page_no += 1
        pdf.set_font("wqy", size=10.5)
        pdf.set_text_color(90, 90, 90)
        header = self.doc.header
        pdf.set_xy(self.LEFT, 14)
        pdf.cell(self.text_width, 6, header, align="C")
        pdf.set_draw_color(150, 150, 150)
        pdf.line(self.LEFT, 21.5, 210 - self.RIGHT, 21.5)
        pdf.set_font("wqy", size=12)
        pdf.set_xy(self.LEFT, 297 - 18)
        pdf.cell(self.text_width, 6, f"- {self.page_no} -", align="C")
        pdf.set_text_color(0, 0, 0)
        self.y = self.TOP

    def put_line(self, text: str, x: float, size: float, line_mm: float, align: str = "L") -> None:
        if self.y + line_mm > 297 - self.BOTTOM:
            self.new_page()
        pdf = self.pdf
        pdf.set_font("wqy", size=size)
        if align == "C":
            pdf.set_xy(self.LEFT, self.y)
            pdf.cell(self.text_width, line_mm, text, align="C")
        elif align == "R":
            pdf.set_xy(self.LEFT, self.y)
            pdf.cell(self.text_width, line_mm, text, align="R")
        else:
            pdf.set_xy(x, self.y)
            pdf.cell(pdf.get_string_width(text) + 1, line_mm, text)
        self.lines.append((self.page_no, text))
        self.y += line_mm

    def paragraph(self, text: str, size: float, indent_chars: float = 2, align: str = "L",
                  line_mm: float | None = None) -> None:
        pdf = self.pdf
        line_mm = line_mm or self.LINE_MM
        pdf.set_font("wqy", size=size)
        if align != "L":
            for part in wrap(pdf, text, self.text_width, self.text_width):
                self.put_line(part, self.LEFT, size, line_mm, align)
            return
        indent = pdf.get_string_width("国") * indent_chars
        parts = wrap(pdf, text, self.text_width - indent, self.text_width)
        for i, part in enumerate(parts):
            self.put_line(part, self.LEFT + (indent if i == 0 else 0), size, line_mm)

    def build(self) -> bytes:
        for kind, line in classify(read_source(self.doc)):
            if kind == "blank":
                continue
            if kind == "title":
                size = 19.0                    # shrink a long title to fit one line, down to 16pt
                self.pdf.set_font("wqy", size=size)
                while size > 16 and self.pdf.get_string_width(line) > self.text_width:
                    size -= 0.5
                    self.pdf.set_font("wqy", size=size)
                self.y += 4
                self.paragraph(line, size, align="C", line_mm=11)
                self.y += 4
            elif kind == "center":
                self.paragraph(line, 14, align="C")
            elif kind == "sign":
                self.paragraph(line, self.BODY_PT, align="R")
            else:
                self.paragraph(line, self.BODY_PT)
        return bytes(self.pdf.output())


def build_pdf(doc: Doc) -> tuple[bytes, list[tuple[int, str]]]:
    w = PdfWriter(doc)
    data = w.build()
    return data, w.lines


def pdf_lines(data: bytes) -> list[list[str]] | None:
    """Lines per page as pdfplumber extracts them; None when pdfplumber is missing."""
    try:
        import pdfplumber
    except ImportError:
        return None
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            pages.append((page.extract_text() or "").split("\n"))
    return pages


PAGE_NO = re.compile(r"^\s*-\s*\d+\s*-\s*$")


def rejoin_pdf(pages: list[list[str]], header: str) -> str:
    """A simple stand-in for the ingest stage: drop running header and page-number
    lines, then join wrapped lines (a line is a paragraph end when it is short or
    when the next line starts a heading)."""
    body: list[str] = []
    for lines in pages:
        for line in lines:
            s = line.strip()
            if not s or s == header or PAGE_NO.match(s):
                continue
            body.append(s)
    out = ""
    for i, s in enumerate(body):
        if i and not _ends_paragraph(body[i - 1], s):
            out += s
        else:
            out += ("\n" if out else "") + s
    return out


def _ends_paragraph(prev: str, nxt: str) -> bool:
    if RE_H1.match(nxt) or RE_H2.match(nxt) or RE_H3.match(nxt) or re.match(r"^[一二三四五六七八九十]是", nxt):
        return True
    return len(prev) < 22          # full lines hold about 27-29 characters


# ---------------------------------------------------------------------------
# answers

def load_answers() -> list[dict]:
    rows = []
    for n, line in enumerate(ANSWERS.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise SystemExit(f"answers.jsonl:{n}: {e}")
    return rows


def check_answers(extracted: dict[str, str], pdf_layout: dict[str, list[tuple[int, str]]]) -> list[str]:
    """Return a list of problems (empty when everything checks out)."""
    errors: list[str] = []
    names = {d.name for d in MANIFEST}
    sources = {d.name: d.source.read_text(encoding="utf-8") for d in MANIFEST}
    rows = load_answers()
    coverage = [r for r in rows if r.get("type") == "coverage"]
    problems = [r for r in rows if r.get("type") != "coverage"]

    seen = {}
    for r in coverage:
        doc = r.get("doc")
        if doc not in names:
            errors.append(f"coverage for unknown doc {doc}")
            continue
        if doc in seen:
            errors.append(f"two coverage lines for {doc}")
        seen[doc] = r
        if r.get("doc_type") not in DOC_TYPES:
            errors.append(f"{doc}: bad doc_type {r.get('doc_type')}")
        if not isinstance(r.get("year"), int):
            errors.append(f"{doc}: year must be an int")
        cov = r.get("covered", {})
        if set(cov) != set(DIMENSIONS) or not all(isinstance(v, bool) for v in cov.values()):
            errors.append(f"{doc}: covered must give true/false for {DIMENSIONS}")
    for name in sorted(names - set(seen)):
        errors.append(f"no coverage line for {name}")

    def locate(doc: str, raw: str, where: str, first_ok: bool) -> None:
        src, ext = sources[doc], extracted.get(doc)
        if not 4 <= len(raw) <= 60:
            errors.append(f"{doc}: {where} raw length {len(raw)} not in 4..60: {raw!r}")
        n = src.count(raw)
        if n == 0:
            errors.append(f"{doc}: {where} raw not in source: {raw!r}")
        elif n > 1 and not first_ok:
            errors.append(f"{doc}: {where} raw occurs {n} times in source: {raw!r}")
        if ext is not None and raw not in ext:
            errors.append(f"{doc}: {where} raw not in extracted text: {raw!r}")
        if doc.endswith(".pdf"):
            if len(raw) > 20:
                errors.append(f"{doc}: {where} PDF raw longer than 20 chars: {raw!r}")
            layout = pdf_layout.get(doc)
            if layout is not None and not any(raw in text for _, text in layout):
                errors.append(f"{doc}: {where} PDF raw is split by a line wrap: {raw!r}")

    for r in problems:
        doc, code = r.get("doc"), r.get("code")
        if doc not in names:
            errors.append(f"problem for unknown doc {doc}")
            continue
        if code not in CODES:
            errors.append(f"{doc}: unknown code {code}")
            continue
        if not r.get("note"):
            errors.append(f"{doc}: {code} without a note")
        if code == "MISSING_SECTION":
            if r.get("raw") != "" or not r.get("section"):
                errors.append(f"{doc}: MISSING_SECTION needs raw \"\" and a section")
            continue
        locate(doc, r.get("raw", ""), code, first_ok=(code == "YEAR_MISMATCH"))
        if code == "YEAR_MISMATCH":
            raw = r["raw"]
            if sources[doc].find(raw) != sources[doc].split("\n", 1)[0].find(raw):
                errors.append(f"{doc}: YEAR_MISMATCH raw must first occur in the title")
        if code == "TEMPLATE_COPY":
            other = r.get("other_doc")
            if other not in names or other == doc:
                errors.append(f"{doc}: TEMPLATE_COPY needs another doc, got {other}")
            else:
                locate(other, r.get("other_raw", ""), "TEMPLATE_COPY other", first_ok=False)

    counts = {c: 0 for c in CODES}
    for r in problems:
        if r.get("code") in counts:
            counts[r["code"]] += 1
    for code, n in counts.items():
        if n == 0:
            errors.append(f"code {code} is not planted anywhere")
    per_doc: dict[str, int] = {}
    for r in problems:
        per_doc[r["doc"]] = per_doc.get(r["doc"], 0) + 1
        if r.get("code") == "TEMPLATE_COPY":
            per_doc[r["other_doc"]] = per_doc.get(r["other_doc"], 0) + 1
    for doc, n in per_doc.items():
        if n > 3:
            errors.append(f"{doc}: {n} planted problems (at most 3)")
    return errors


# ---------------------------------------------------------------------------

def write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="verify the built files, do not write")
    args = ap.parse_args(argv)

    missing = [d.source for d in MANIFEST if not d.source.exists()]
    if missing:
        raise SystemExit(f"missing sources: {missing}")

    extracted: dict[str, str] = {}
    pdf_layout: dict[str, list[tuple[int, str]]] = {}
    stale: list[str] = []
    for doc in MANIFEST:
        if doc.fmt == "txt":
            data = build_txt(doc)
        elif doc.fmt == "docx":
            data = build_docx(doc)
        elif doc.fmt == "pdf":
            data, layout = build_pdf(doc)
            pdf_layout[doc.name] = layout
            pages = max(p for p, _ in layout)
            if pages < 2:
                raise SystemExit(f"{doc.name}: only {pages} page(s); the corpus wants at least 2")
        else:
            raise SystemExit(f"unknown format {doc.fmt}")
        out = CORPUS / doc.name
        if args.check:
            if not out.exists() or out.read_bytes() != data:
                stale.append(doc.name)
        else:
            changed = write_if_changed(out, data)
            print(f"{'wrote' if changed else 'same '} {out.relative_to(ROOT)} ({len(data):,} bytes)")
        # text as the ingest stage will see it
        if doc.fmt == "txt":
            extracted[doc.name] = decode_txt(data, doc)
        elif doc.fmt == "docx":
            extracted[doc.name] = docx_text(data)
        else:
            pages = pdf_lines(data)
            if pages is not None:
                extracted[doc.name] = rejoin_pdf(pages, doc.header)
                for page in pages:
                    if not any(l.strip() == doc.header for l in page) or \
                            not any(PAGE_NO.match(l.strip()) for l in page):
                        raise SystemExit(f"{doc.name}: a page lacks its header or page number")

    errors = check_answers(extracted, pdf_layout)
    if stale:
        errors.append(f"built files out of date (run without --check): {stale}")
    if "pdfplumber" not in sys.modules:
        print("note: pdfplumber not installed; PDF raws checked against the layout only")
    for e in errors:
        print("ERROR:", e, file=sys.stderr)
    if not errors:
        rows = load_answers()
        n = sum(1 for r in rows if r.get("type") != "coverage")
        print(f"ok: {len(MANIFEST)} documents, {n} planted problems verified")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
