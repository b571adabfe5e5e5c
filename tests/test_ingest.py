"""Tests for summaryscan.ingest.  Every fixture file is generated in tmp_path."""
from __future__ import annotations

import os
import random
import zipfile
from pathlib import Path

import pytest

from summaryscan.ingest import iter_inputs, load, supported
from summaryscan.ingest import docx as docx_ingest
from summaryscan.ingest.docx import format_number
from summaryscan.ingest.pdf import cid_ratio, is_page_number, starts_heading
from summaryscan.records import Hint, Page

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

SAMPLE = (
    "关于2023年工作情况的报告\n"
    "今年以来，我局坚持以习近平新时代中国特色社会主义思想为指导，"
    "全面落实各项工作任务，取得了明显成效。\n"
    "一、主要工作\n"
    "（一）加强学习。全年组织集中学习24次，参训干部1200余人次。\n"
)


# --------------------------------------------------------------------------
# .txt

def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def test_supported_suffixes():
    assert supported() >= {".txt", ".docx", ".pdf"}


def test_txt_gb18030(tmp_path):
    # 㐀 (CJK Ext. A) exists in GB18030 but not in GBK: decoding as GBK would fail.
    text = SAMPLE + "附：生僻字㐀测试。\n"
    p = _write(tmp_path / "gb.txt", text.encode("gb18030"))
    rec = load(p)
    assert rec.status == "ok", rec.message
    assert rec.encoding == "gb18030"
    assert rec.text == text
    assert rec.doc == "gb.txt" and rec.path == p and rec.format == "txt"


def test_txt_gbk_crlf_is_decoded_as_gb18030_and_newlines_normalised(tmp_path):
    p = _write(tmp_path / "gbk.txt", SAMPLE.replace("\n", "\r\n").encode("gbk"))
    rec = load(p)
    assert rec.status == "ok"
    assert rec.encoding == "gb18030"
    assert rec.text == SAMPLE
    assert "\r" not in rec.text


@pytest.mark.parametrize("codec,expected", [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")])
def test_txt_utf16_with_bom(tmp_path, codec, expected):
    bom = "\ufeff".encode(codec)
    p = _write(tmp_path / "u16.txt", bom + SAMPLE.encode(codec))
    rec = load(p)
    assert rec.status == "ok"
    assert rec.encoding == expected
    assert rec.text == SAMPLE  # BOM stripped


def test_txt_utf16_plain_bom_via_python_codec(tmp_path):
    # Python's "utf-16" codec writes a BOM in native order.
    p = _write(tmp_path / "u16.txt", SAMPLE.encode("utf-16"))
    rec = load(p)
    assert rec.status == "ok"
    assert rec.encoding.startswith("utf-16")
    assert rec.text == SAMPLE


def test_txt_utf8_with_bom(tmp_path):
    p = _write(tmp_path / "bom.txt", SAMPLE.encode("utf-8-sig"))
    rec = load(p)
    assert rec.status == "ok"
    assert rec.encoding == "utf-8-sig"
    assert rec.text == SAMPLE
    assert not rec.text.startswith("\ufeff")


def test_txt_utf8_fast_path_and_old_mac_newlines(tmp_path):
    p = _write(tmp_path / "u8.txt", "第一行\r第二行\r\n第三行".encode("utf-8"))
    rec = load(p)
    assert rec.status == "ok"
    assert rec.encoding == "utf-8"
    assert rec.text == "第一行\n第二行\n第三行"


def test_txt_empty_and_whitespace_only(tmp_path):
    rec = load(_write(tmp_path / "empty.txt", b""))
    assert rec.status == "empty"
    assert "empty.txt" in rec.message and "空文件" in rec.message
    rec = load(_write(tmp_path / "blank.txt", " \r\n\t\u3000\n".encode("utf-8")))
    assert rec.status == "empty"
    assert "blank.txt" in rec.message and "空白" in rec.message


def test_txt_binary_junk_is_error(tmp_path):
    rnd = random.Random(7)
    junk = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rnd.randrange(256) for _ in range(4000))
    rec = load(_write(tmp_path / "junk.txt", junk))
    assert rec.status == "error"
    assert "junk.txt" in rec.message and "不是文本" in rec.message
    assert rec.text == ""
    # NUL bytes are valid UTF-8 but not text either
    rec = load(_write(tmp_path / "nul.txt", b"\x00" * 500))
    assert rec.status == "error" and "不是文本" in rec.message


# --------------------------------------------------------------------------
# .docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _new_docx():
    docx = pytest.importorskip("docx")
    return docx.Document()


def _append_numbering(document, abstract_xml: str, nums_xml: str) -> None:
    """Add an abstractNum (before the first w:num, as the schema wants) and nums."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    decl = f'xmlns:w="{W_NS}"'
    abstract = parse_xml(abstract_xml.replace("<w:abstractNum ", f"<w:abstractNum {decl} ", 1))
    first_num = numbering.find(f"{{{W_NS}}}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    for xml in nums_xml.strip().split("\n"):
        numbering.append(parse_xml(xml.strip().replace("<w:num ", f"<w:num {decl} ", 1)))


def _set_numpr(paragraph, num_id: int | None, ilvl: int | None) -> None:
    from docx.oxml import parse_xml

    ppr = paragraph._p.get_or_add_pPr()
    inner = ""
    if ilvl is not None:
        inner += f'<w:ilvl w:val="{ilvl}"/>'
    if num_id is not None:
        inner += f'<w:numId w:val="{num_id}"/>'
    numpr = parse_xml(f'<w:numPr xmlns:w="{W_NS}">{inner}</w:numPr>')
    pstyle = ppr.find(f"{{{W_NS}}}pStyle")
    if pstyle is not None:
        pstyle.addnext(numpr)
    else:
        ppr.insert(0, numpr)


GOV_LIST = """
<w:abstractNum w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>
    <w:lvlText w:val="%1、"/><w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>
    <w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/>
    <w:lvlText w:val="%3."/><w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/>
    <w:lvlText w:val="%4"/><w:suff w:val="nothing"/></w:lvl>
</w:abstractNum>
"""


def test_docx_table_reading_order_and_merged_cells(tmp_path):
    document = _new_docx()
    document.add_paragraph("表格前的段落。")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).text = "指标"
    table.cell(0, 1).text = "目标"
    table.cell(0, 2).text = "完成"
    table.cell(1, 0).text = "新增就业"
    table.cell(1, 1).text = "1000人"
    table.cell(1, 2).text = "1200人"
    # row 2: first two cells merged horizontally, last cell merged vertically with row 1
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "合计"
    table.cell(1, 2).merge(table.cell(2, 2))
    document.add_paragraph("表格后的段落。")
    path = tmp_path / "table.docx"
    document.save(path)

    rec = load(path)
    assert rec.status == "ok", rec.message
    assert rec.format == "docx" and rec.doc == "table.docx" and rec.path == str(path)
    lines = rec.text.split("\n")
    assert lines == ["表格前的段落。", "指标", "目标", "完成", "新增就业", "1000人",
                     "1200人", "合计", "表格后的段落。"]
    tables = [h for h in rec.hints if h.kind == "table"]
    assert len(tables) == 1
    assert rec.text[tables[0].start:tables[0].end] == "\n".join(lines[1:8])


def test_docx_automatic_numbering_is_rendered(tmp_path):
    document = _new_docx()
    _append_numbering(document, GOV_LIST, '<w:num w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    spec = [
        ("总体情况", 0), ("加强学习", 1), ("推进项目", 1), ("具体做法", 2), ("要点", 3),
        ("存在问题", 0), ("短板弱项", 1), ("下一步打算", 0),
    ]
    document.add_paragraph("2023年工作总结")
    for text, ilvl in spec:
        _set_numpr(document.add_paragraph(text), 90, ilvl)
    document.add_paragraph("未编号的正文。")
    path = tmp_path / "numbered.docx"
    document.save(path)

    rec = load(path)
    assert rec.status == "ok", rec.message
    assert rec.text.split("\n") == [
        "2023年工作总结",
        "一、总体情况",
        "（一）加强学习",
        "（二）推进项目",
        "1.具体做法",
        "①要点",
        "二、存在问题",
        "（一）短板弱项",   # deeper level restarts after a shallower one
        "三、下一步打算",
        "未编号的正文。",
    ]
    numbering = [(rec.text[h.start:h.end], h.level) for h in rec.hints if h.kind == "numbering"]
    assert numbering[:3] == [("一、总体情况", 1), ("（一）加强学习", 2), ("（二）推进项目", 2)]
    assert ("1.具体做法", 3) in numbering and ("①要点", 4) in numbering
    assert len(numbering) == 8


def test_docx_numbering_instances_share_counters_and_start_override(tmp_path):
    document = _new_docx()
    _append_numbering(document, GOV_LIST, """
        <w:num w:numId="91"><w:abstractNumId w:val="90"/></w:num>
        <w:num w:numId="92"><w:abstractNumId w:val="90"/></w:num>
        <w:num w:numId="93"><w:abstractNumId w:val="90"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>
    """)
    for text, num_id in [("甲", 91), ("乙", 91), ("丙", 92), ("丁", 93), ("戊", 93), ("己", 0)]:
        _set_numpr(document.add_paragraph(text), num_id, 0)
    path = tmp_path / "instances.docx"
    document.save(path)
    rec = load(path)
    assert rec.status == "ok"
    # 92 continues 91 (same abstractNum, no override); 93 restarts at 5; numId 0 = no number
    assert rec.text.split("\n") == ["一、甲", "二、乙", "三、丙", "五、丁", "六、戊", "己"]


def test_docx_heading_styles_and_style_inherited_numbering(tmp_path):
    from docx.oxml import parse_xml

    document = _new_docx()
    abstract = """
    <w:abstractNum w:abstractNumId="95">
      <w:multiLevelType w:val="multilevel"/>
      <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>
        <w:pStyle w:val="Heading1"/><w:lvlText w:val="%1、"/></w:lvl>
      <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>
        <w:pStyle w:val="Heading2"/><w:lvlText w:val="（%2）"/></w:lvl>
    </w:abstractNum>"""
    _append_numbering(document, abstract, '<w:num w:numId="95"><w:abstractNumId w:val="95"/></w:num>')
    # Link the heading styles to the list: numId only, ilvl comes from w:lvl/w:pStyle.
    for style_name in ("Heading 1", "Heading 2"):
        ppr = document.styles[style_name].element.get_or_add_pPr()
        ppr.insert(0, parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:numId w:val="95"/></w:numPr>'))
    document.add_heading("主要成效", level=1)
    document.add_heading("经济平稳运行", level=2)
    document.add_paragraph("全年地区生产总值增长5.2%。")
    document.add_heading("社会事业进步", level=2)
    document.add_heading("存在问题", level=1)
    plain = document.add_heading("不编号的标题", level=1)
    _set_numpr(plain, 0, None)  # numId 0 switches the style's numbering off
    path = tmp_path / "headings.docx"
    document.save(path)

    rec = load(path)
    assert rec.status == "ok", rec.message
    assert rec.text.split("\n") == [
        "一、主要成效", "（一）经济平稳运行", "全年地区生产总值增长5.2%。",
        "（二）社会事业进步", "二、存在问题", "不编号的标题",
    ]
    styles = [(rec.text[h.start:h.end], h.level) for h in rec.hints if h.kind == "style"]
    assert styles == [("一、主要成效", 1), ("（一）经济平稳运行", 2), ("（二）社会事业进步", 2),
                      ("二、存在问题", 1), ("不编号的标题", 1)]
    assert all(isinstance(h, Hint) for h in rec.hints)


def test_docx_chinese_heading_style_name_and_outline_level(tmp_path):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml

    document = _new_docx()
    cn = document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("用中文样式名的标题", style=cn)
    p = document.add_paragraph("用大纲级别的标题")
    p._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl xmlns:w="{W_NS}" w:val="2"/>'))
    document.add_paragraph("正文。")
    path = tmp_path / "cn_styles.docx"
    document.save(path)
    rec = load(path)
    assert rec.status == "ok"
    styles = [(rec.text[h.start:h.end], h.level) for h in rec.hints if h.kind == "style"]
    assert styles == [("用中文样式名的标题", 2), ("用大纲级别的标题", 3)]


def test_docx_text_boxes_tracked_changes_hidden_text_and_content_controls(tmp_path):
    from docx.oxml import parse_xml

    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    wps = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
    ns = f'xmlns:w="{W_NS}" xmlns:mc="{mc}" xmlns:wps="{wps}"'
    box = "<w:txbxContent><w:p><w:r><w:t>文本框里的字</w:t></w:r></w:p></w:txbxContent>"
    document = _new_docx()
    p = document.add_paragraph("锚定段落")
    for xml in [
        # a text box in both the DrawingML choice and the VML fallback: read once
        f"<w:r {ns}><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx>{box}"
        f"</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict>{box}</w:pict></mc:Fallback>"
        f"</mc:AlternateContent></w:r>",
        f'<w:r {ns}><w:rPr><w:vanish/></w:rPr><w:t>隐藏文字</w:t></w:r>',
        f'<w:ins {ns} w:id="1" w:author="a"><w:r><w:t>（修订插入）</w:t></w:r></w:ins>',
        f'<w:del {ns} w:id="2" w:author="a"><w:r><w:delText>修订删除</w:delText></w:r></w:del>',
    ]:
        p._p.append(parse_xml(xml))
    sdt = parse_xml(f'<w:sdt {ns}><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent>'
                    f'<w:p><w:r><w:t>内容控件里的段落</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    document.element.body.insert(len(document.element.body) - 1, sdt)  # before sectPr
    path = tmp_path / "boxes.docx"
    document.save(path)
    rec = load(path)
    assert rec.status == "ok"
    assert rec.text == "锚定段落（修订插入）\n文本框里的字\n内容控件里的段落"


def test_docx_corrupt_and_not_a_zip(tmp_path):
    rnd = random.Random(3)
    p = _write(tmp_path / "broken.docx", bytes(rnd.randrange(256) for _ in range(3000)))
    rec = load(p)
    assert rec.status == "error"
    assert "broken.docx" in rec.message
    assert "不是有效的 .docx 文件" in rec.message


def test_docx_zip_without_word_document_is_error(tmp_path):
    path = tmp_path / "renamed.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "not a word file")
    rec = load(path)
    assert rec.status == "error"
    assert "不是有效的 .docx 文件" in rec.message and "renamed.docx" in rec.message


def test_docx_ole_file_is_reported_as_password_protected_or_old_doc(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000
    rec = load(_write(tmp_path / "secret.docx", ole))
    assert rec.status == "error"
    assert "密码" in rec.message and "secret.docx" in rec.message


def test_docx_zip_bomb_guard(tmp_path, monkeypatch):
    document = _new_docx()
    document.add_paragraph("正文。" * 100)
    path = tmp_path / "big.docx"
    document.save(path)
    assert load(path).status == "ok"
    monkeypatch.setattr(docx_ingest, "MAX_UNCOMPRESSED", 10_000)
    rec = load(path)
    assert rec.status == "error"
    assert "压缩炸弹" in rec.message and "big.docx" in rec.message


def test_docx_without_text_is_empty(tmp_path):
    document = _new_docx()
    document.add_paragraph("")
    path = tmp_path / "blank.docx"
    document.save(path)
    rec = load(path)
    assert rec.status == "empty"
    assert "blank.docx" in rec.message


@pytest.mark.parametrize("n,fmt,expected", [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
    (20, "chineseCounting", "二十"), (21, "chineseCountingThousand", "二十一"),
    (105, "chineseCountingThousand", "一百零五"), (3, "ideographTraditional", "丙"),
    (12, "decimalEnclosedCircle", "⑫"), (28, "upperLetter", "BB"), (4, "lowerLetter", "d"),
    (14, "upperRoman", "XIV"), (9, "lowerRoman", "ix"), (12, "decimalFullWidth", "１２"),
    (10, "chineseLegalSimplified", "壹拾"), (7, "decimal", "7"), (3, "none", ""),
])
def test_docx_number_formats(n, fmt, expected):
    assert format_number(n, fmt) == expected


# --------------------------------------------------------------------------
# .pdf

@pytest.fixture
def ingest_cjk_pdf_font():
    pytest.importorskip("fpdf")
    if not os.path.exists(CJK_FONT):
        pytest.skip(f"CJK font {CJK_FONT} is missing; cannot build Chinese PDF fixtures")
    return CJK_FONT


def _cjk_pdf(font: str):
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("wqy", fname=font)
    pdf.set_font("wqy", size=12)
    return pdf


def _put_lines(pdf, lines, top=90, step=20, left=72):
    for i, text in enumerate(lines):
        pdf.set_xy(left, top + i * step)
        pdf.cell(text=text)


PAGE1 = [
    "关于2023年工作情况的报告",
    "今年以来，我局坚持以习近平新时代中国特色社会",
    "主义思想为指导，全面落实各项工作任务，取得了",
    "明显成效。",
    "一、主要工作",
    "（一）加强学习。全年集中学习24次，参训干部",
    "1200余人次，干部队伍的政治素质和业务能力得到",
]
PAGE2 = [
    "进一步提升。",
    "（二）推进项目建设。全年完成重点项目18个。",
]


def _two_page_report(path: Path, font: str) -> None:
    pdf = _cjk_pdf(font)
    for number, body in ((1, PAGE1), (2, PAGE2)):
        pdf.add_page()
        pdf.set_xy(72, 40)
        pdf.cell(text=f"某某县发展和改革局工作简报（第{number}期）")  # running header, digits vary
        _put_lines(pdf, body)
        pdf.set_xy(260, 760)
        pdf.cell(text=f"第 {number} 页 共 2 页")
        pdf.set_xy(285, 790)
        pdf.cell(text=f"- {number} -")
    pdf.output(str(path))


def test_pdf_two_pages_clean_text_and_spans(tmp_path, ingest_cjk_pdf_font):
    path = tmp_path / "report.pdf"
    _two_page_report(path, ingest_cjk_pdf_font)
    rec = load(path)
    assert rec.status == "ok", rec.message
    assert rec.format == "pdf" and rec.doc == "report.pdf"
    assert rec.text == (
        "关于2023年工作情况的报告\n"
        "今年以来，我局坚持以习近平新时代中国特色社会主义思想为指导，"
        "全面落实各项工作任务，取得了明显成效。\n"
        "一、主要工作\n"
        "（一）加强学习。全年集中学习24次，参训干部1200余人次，"
        "干部队伍的政治素质和业务能力得到进一步提升。\n"
        "（二）推进项目建设。全年完成重点项目18个。"
    )
    for junk in ("工作简报", "第 1 页", "- 1 -", "- 2 -", "共 2 页"):
        assert junk not in rec.text
    # page spans: contiguous, 1-based, page 2 starts inside the rejoined sentence
    assert [p.number for p in rec.pages] == [1, 2]
    p1, p2 = rec.pages
    assert p1 == Page(1, 0, p2.start)
    assert p2.end == len(rec.text)
    assert rec.text[p2.start:].startswith("进一步提升。")
    assert rec.text[p1.start:p1.end].endswith("业务能力得到")
    assert rec.page_at(rec.text.index("主要工作")) == 1
    assert rec.page_at(rec.text.index("推进项目")) == 2


def test_pdf_without_text_layer_is_no_text(tmp_path, ingest_cjk_pdf_font):
    pdf = _cjk_pdf(ingest_cjk_pdf_font)
    pdf.add_page()
    pdf.rect(100, 100, 200, 300, style="F")
    pdf.add_page()
    pdf.line(50, 50, 400, 400)
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    rec = load(path)
    assert rec.status == "no_text"
    assert "scan.pdf" in rec.message and "OCR" in rec.message and "扫描" in rec.message
    assert rec.text == ""


def test_pdf_partly_scanned_is_ok_with_a_note(tmp_path, ingest_cjk_pdf_font):
    pdf = _cjk_pdf(ingest_cjk_pdf_font)
    pdf.add_page()
    _put_lines(pdf, ["第一页有文字。"])
    pdf.add_page()
    pdf.rect(100, 100, 200, 300, style="F")
    path = tmp_path / "mixed.pdf"
    pdf.output(str(path))
    rec = load(path)
    assert rec.status == "ok"
    assert rec.text == "第一页有文字。"
    assert rec.pages == [Page(1, 0, 7), Page(2, 7, 7)]
    assert "第 2 页" in rec.message


def test_pdf_without_tounicode_is_garbled(tmp_path, ingest_cjk_pdf_font, monkeypatch):
    from summaryscan.ingest import ocr
    monkeypatch.setattr(ocr.settings, "mode", "never")   # with OCR (auto) such pages are OCR'd: test_ocr.py
    path = tmp_path / "report.pdf"
    _two_page_report(path, ingest_cjk_pdf_font)
    data = path.read_bytes()
    assert b"/ToUnicode" in data
    # Same length replacement keeps the xref table valid.
    bad = tmp_path / "nomap.pdf"
    bad.write_bytes(data.replace(b"/ToUnicode", b"/ToUnicodX"))
    rec = load(bad)
    assert rec.status == "garbled"
    assert "ToUnicode" in rec.message and "nomap.pdf" in rec.message
    assert rec.text == ""


def test_cid_ratio():
    assert cid_ratio("") == 0.0
    assert cid_ratio("正常的中文文本，没有乱码。") == 0.0
    garbled = "(cid:12)(cid:345) (cid:7)正文"
    assert cid_ratio(garbled) == pytest.approx(len("(cid:12)(cid:345)(cid:7)") / len("(cid:12)(cid:345)(cid:7)正文"))
    assert cid_ratio("正文" * 200 + "(cid:1)") < 0.05


def test_pdf_encrypted_is_error(tmp_path):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="confidential")
    pdf.set_encryption(owner_password="owner", user_password="user")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    rec = load(path)
    assert rec.status == "error"
    assert "密码" in rec.message and "locked.pdf" in rec.message


def test_pdf_corrupt_is_error(tmp_path, ingest_cjk_pdf_font):
    rec = load(_write(tmp_path / "junk.pdf", b"this is not a pdf at all" * 10))
    assert rec.status == "error"
    assert "junk.pdf" in rec.message and "不是有效的 PDF" in rec.message
    path = tmp_path / "report.pdf"
    _two_page_report(path, ingest_cjk_pdf_font)
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(path.read_bytes()[:700])
    rec = load(truncated)
    assert rec.status == "error"
    assert "truncated.pdf" in rec.message and "已损坏" in rec.message
    assert rec.text == ""


@pytest.mark.parametrize("line", ["12", "- 12 -", "— 3 —", "第12页", "第 3 页 共 10 页",
                                  "共10页 第3页", "12/30", "Page 3 of 9"])
def test_page_number_lines(line):
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["12个项目", "2023年12月", "第三章", "一、总体情况"])
def test_not_page_number_lines(line):
    assert not is_page_number(line)


@pytest.mark.parametrize("line,expected", [
    ("一、主要工作", True), ("（一）加强学习", True), ("(二)推进", True), ("1. 目标", True),
    ("1、目标", True), ("（1）细则", True), ("一是强化学习", True), ("第三章 总则", True),
    ("1.5亿元资金", False), ("1200余人次", False), ("进一步提升", False),
])
def test_heading_starts(line, expected):
    assert starts_heading(line) is expected


# --------------------------------------------------------------------------
# dispatch: unsupported, missing, unreadable

@pytest.mark.parametrize("name,advice", [       # .doc .wps .rtf .odt and images have readers: test_convert/test_ocr
    ("网页.mht", "请用 Word/WPS 另存为 .docx"),
    ("动图.GIF", "请另存为 PNG 或 JPG"),
    ("照片.heic", "请另存为 PNG 或 JPG"),
    ("表格.xls", "表格文件"),
    ("数据.xyz", ".txt、.docx、.pdf、"),
])
def test_unsupported_suffixes_give_conversion_advice(tmp_path, name, advice):
    p = _write(tmp_path / name, b"\xd0\xcf\x11\xe0 some bytes")
    rec = load(p)
    assert rec.status == "unsupported"
    assert advice in rec.message
    assert name in rec.message
    assert rec.format == os.path.splitext(name)[1][1:].lower()


def test_suffix_dispatch_is_case_insensitive(tmp_path):
    rec = load(_write(tmp_path / "UPPER.TXT", "大写扩展名。".encode("utf-8")))
    assert rec.status == "ok" and rec.text == "大写扩展名。" and rec.format == "txt"


def test_missing_path_is_error(tmp_path):
    p = str(tmp_path / "nowhere" / "不存在.docx")
    rec = load(p)
    assert rec.status == "error"
    assert "文件不存在" in rec.message and p in rec.message
    assert rec.doc == "不存在.docx" and rec.path == p and rec.format == "docx"


def test_empty_files_of_every_format(tmp_path):
    for name in ("a.txt", "b.docx", "c.pdf"):
        rec = load(_write(tmp_path / name, b""))
        assert rec.status == "empty", name
        assert name in rec.message


def test_permission_error_is_reported(tmp_path, monkeypatch):
    from summaryscan.registry import readers

    def denied(rec):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(readers.entry("txt"), "fn", denied)
    rec = load(_write(tmp_path / "locked.txt", b"abc"))
    assert rec.status == "error"
    assert "无法读取文件：权限不足" in rec.message and "locked.txt" in rec.message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read files without read permission")
def test_real_unreadable_file(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_bytes("内容".encode("utf-8"))
    p.chmod(0)
    try:
        rec = load(p)
    finally:
        p.chmod(0o644)
    assert rec.status == "error" and "权限不足" in rec.message


def test_reader_bug_does_not_raise(tmp_path, monkeypatch):
    from summaryscan.registry import readers

    def boom(rec):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(readers.entry("txt"), "fn", boom)
    rec = load(_write(tmp_path / "x.txt", b"abc"))
    assert rec.status == "error"
    assert "x.txt" in rec.message and "RuntimeError" in rec.message


def test_directory_passed_to_load_is_error(tmp_path):
    rec = load(tmp_path)
    assert rec.status == "error" and "文件夹" in rec.message


# --------------------------------------------------------------------------
# iter_inputs

def _touch(path: Path, text: str = "内容。") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _rel(paths, base: Path) -> list[str]:
    return [os.path.relpath(p, base).replace(os.sep, "/") for p in paths]


def test_iter_inputs_walks_folders_sorted_skipping_hidden(tmp_path):
    root = tmp_path / "in"
    for rel in ["b.txt", "a.docx", "sub/z.pdf", "sub/deeper/c.txt", "a2/x.txt",
                ".hidden.txt", ".git/config.txt", "sub/.cache/y.txt", "~$a.docx"]:
        _touch(root / rel)
    got = _rel(iter_inputs([str(root)]), root)
    assert got == ["a.docx", "a2/x.txt", "b.txt", "sub/deeper/c.txt", "sub/z.pdf"]
    # deterministic
    assert list(iter_inputs([str(root)])) == list(iter_inputs([str(root)]))


def test_iter_inputs_honours_summaryscanignore(tmp_path):
    root = tmp_path / "in"
    for rel in ["keep.txt", "draft.tmp", "old/x.txt", "sub/notes.txt", "sub/keep2.txt",
                "sub/archive/y.txt", "sub/inner/scratch.txt", "sub/inner/ok.txt",
                "sub/important.tmp"]:
        _touch(root / rel)
    (root / ".summaryscanignore").write_text(
        "# comment line\n\n*.tmp\nold/\n!important.tmp\n", encoding="utf-8")
    (root / "sub" / ".summaryscanignore").write_text(
        "notes.txt\narchive/\ninner/scratch.txt\n", encoding="utf-8")
    got = _rel(iter_inputs([str(root)]), root)
    assert got == ["keep.txt", "sub/important.tmp", "sub/inner/ok.txt", "sub/keep2.txt"]
    # An explicitly named file is never ignored.
    explicit = str(root / "sub" / "notes.txt")
    assert list(iter_inputs([explicit])) == [explicit]


def test_iter_inputs_globs_and_missing_paths(tmp_path):
    root = tmp_path / "g"
    for rel in ["a.txt", "b.txt", "c.pdf", "d/e.docx", "d/f/g.docx", "d/f/h.txt"]:
        _touch(root / rel)
    got = _rel(iter_inputs([str(root / "*.txt")]), root)
    assert got == ["a.txt", "b.txt"]
    got = _rel(iter_inputs([str(root / "d" / "**" / "*.docx")]), root)
    assert got == ["d/e.docx", "d/f/g.docx"]
    missing = str(root / "missing.docx")
    assert list(iter_inputs([missing])) == [missing]
    nothing = str(root / "*.wps")
    assert list(iter_inputs([nothing])) == [nothing]
    assert load(missing).status == "error"
    # mixing: file named twice (directly and through its folder) comes once
    got = _rel(iter_inputs([str(root / "a.txt"), str(root)]), root)
    assert got == ["a.txt", "b.txt", "c.pdf", "d/e.docx", "d/f/g.docx", "d/f/h.txt"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_iter_inputs_survives_symlink_loop(tmp_path):
    root = tmp_path / "loop"
    _touch(root / "a.txt")
    _touch(root / "sub" / "b.txt")
    try:
        os.symlink(root, root / "sub" / "back")       # loop to the top
        os.symlink(root / "sub", root / "sub" / "self")  # loop to itself
    except OSError as exc:
        pytest.skip(f"cannot create symlinks: {exc}")
    got = _rel(iter_inputs([str(root)]), root)
    assert got == ["a.txt", "sub/b.txt"]


def test_iter_inputs_then_load_everything(tmp_path):
    root = tmp_path / "batch"
    _touch(root / "ok.txt", "正文内容。")
    _touch(root / "old.xls", "x")
    (root / "empty.txt").write_bytes(b"")
    recs = [load(p) for p in iter_inputs([str(root), str(root / "ghost.pdf")])]
    assert [(r.doc, r.status) for r in recs] == [
        ("empty.txt", "empty"), ("ok.txt", "ok"), ("old.xls", "unsupported"),
        ("ghost.pdf", "error")]
    assert all(r.message for r in recs if r.status != "ok")
