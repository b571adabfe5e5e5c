import pytest

from summaryscan.pipeline import analyze_text


def levels(text):
    a = analyze_text(text)
    return [(s.level, s.marker, s.title) for s in a.sections], a


def test_headings_on_their_own_lines_all_levels():
    text = ("2023年工作总结\n一、主要做法\n（一）注重学习提高。开展学习。\n1.建立机制。做法一。\n"
            "（1）细化任务。内容。\n(2)压实责任。内容。\n2、强化督导。内容。\n（二）注重统筹谋划。内容。\n二、存在问题\n内容。")
    secs, a = levels(text)
    assert secs == [("1", "一、", "主要做法"), ("2", "（一）", "注重学习提高"), ("3", "1.", "建立机制"),
                    ("4", "（1）", "细化任务"), ("4", "(2)", "压实责任"), ("3", "2、", "强化督导"),
                    ("2", "（二）", "注重统筹谋划"), ("1", "二、", "存在问题")]
    paths = {s.title: s.path for s in a.sections}
    assert paths["细化任务"] == "一、主要做法 > （一）注重学习提高 > 1.建立机制 > （1）细化任务"


def test_run_on_headings_inside_a_paragraph():
    text = "取得了一定成效。 一、基本做法 (一)抓好顶层设计,创建“五型”机关。市直机关工委申报课题。(二)坚持顶格推进,强化组织领导。市委重视。"
    secs, _ = levels(text)
    assert secs[:3] == [("1", "一、", "基本做法"), ("2", "(一)", "抓好顶层设计,创建“五型”机关"),
                        ("2", "(二)", "坚持顶格推进,强化组织领导")]


def test_inline_points_and_not_words_ending_in_yi():
    text = "还存在一些不足，一是精准监督的质效还不突出。二是监督力度还不够。统一是前提，唯一是目标。"
    secs, _ = levels(text)
    assert [(level, marker) for level, marker, _ in secs] == [("point", "一是"), ("point", "二是")]
    assert secs[0][2] == "精准监督的质效还不突出。"


def test_parenthesised_words_are_not_headings():
    secs, _ = levels("各单位党组(党委)要落实责任，见附件(一)。")
    assert secs == []


def test_sentences_know_their_section():
    a = analyze_text("一、主要做法\n（一）注重学习。开展培训3次。\n二、存在问题\n学习不够深入。")
    s = [x for x in a.sentences if "培训3次" in x.text][0]
    assert a.sections[s.section].title == "注重学习"
    s2 = [x for x in a.sentences if "不够深入" in x.text][0]
    assert a.sections[s2.section].title == "存在问题"


def test_title_type_and_year():
    a = analyze_text("X市纪检监察组2023年工作总结\n今年以来，我们……")
    assert (a.title, a.doc_type, a.year) == ("X市纪检监察组2023年工作总结", "工作总结", 2023)
    a = analyze_text("关于全市模范机关创建工作的调研报告\n正文。")
    assert a.doc_type == "调研报告" and a.year is None
    a = analyze_text("局长2024年度述职报告\n正文。")
    assert a.doc_type == "述职报告" and a.year == 2024


def test_heading_title_may_start_with_a_year():
    secs, _ = levels("一、2024年工作成效\n内容。\n二、2025年工作计划\n内容。")
    assert [(l, m, t) for l, m, t in secs] == [("1", "一、", "2024年工作成效"), ("1", "二、", "2025年工作计划")]


def test_sentence_boundaries():
    """A sentence ends after 。!? and the quotes closing it, or at a paragraph break."""
    text = "开展培训3次。 “学习!”\n覆盖300人\n\n结束"
    a = analyze_text(text)
    assert [s.text for s in a.sentences] == ["开展培训3次。", "“学习!”", "覆盖300人", "结束"]
    assert [text[s.start:s.end] for s in a.sentences] == [s.text for s in a.sentences]


def test_word_heading_styles_without_a_marker_are_headings(tmp_path):
    """A paragraph styled 标题 1/2 in Word is a heading even without 一、 or （一）: a section of
    the style's level with an empty marker, which the numbering check passes over."""
    docx = pytest.importorskip("docx")
    from summaryscan import consistency
    from summaryscan.pipeline import analyze_path
    d = docx.Document()
    d.add_paragraph("市财政局2023年工作总结")
    d.add_heading("基本情况", level=1)
    d.add_paragraph("全年开展廉政谈话65人次。")
    d.add_heading("一、存在的问题", level=1)
    d.add_paragraph("个别同志学习不够深入。")
    d.add_heading("下一步打算", level=2)
    d.add_paragraph("继续加强学习。")
    d.save(str(tmp_path / "a.docx"))
    a = analyze_path(str(tmp_path / "a.docx"))
    assert [(s.level, s.marker, s.title) for s in a.sections] == [
        ("1", "", "基本情况"), ("1", "一、", "存在的问题"), ("2", "", "下一步打算")]
    assert a.sections[2].path == "一、存在的问题 > 下一步打算"
    assert a.claims[0].section == 0
    assert not [f for f in consistency.check(a) if f.code == "NUMBERING"]
