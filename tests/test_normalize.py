from summaryscan.text.normalize import normalize


def check_map(raw, norm):
    """Every clean character maps back to a raw character it came from."""
    from summaryscan.text.normalize import translation_table
    table = translation_table()
    for i, ch in enumerate(norm.text):
        r = raw[norm.to_raw(i)]
        assert chr(table.get(ord(r), ord(r))) == ch


def test_fullwidth_digits_letters_and_punctuation():
    raw = "共开展活动１２次，参与率达９５％。ＡＢＣ"
    n = normalize(raw)
    assert n.text == "共开展活动12次,参与率达95%。ABC"
    check_map(raw, n)


def test_spaces_and_breaks_inside_quantities_removed():
    raw = "党员干部谈体会达 1200 余次。组建 72 人的队伍，完成16\n个项目。"
    n = normalize(raw)
    assert "1200余次" in n.text and "72人" in n.text and "16个" in n.text
    s = n.text.index("1200余次")
    rs, re_ = n.span_to_raw(s, s + len("1200余次"))
    assert raw[rs:re_] == "1200 余次"
    check_map(raw, n)


def test_ascii_words_keep_their_space():
    assert "Public domain" in normalize("Public domain\n").text


def test_page_break_inside_sentence_rejoined():
    raw = "带头捍卫“两个确立”。强化纪检监察机关是党\n\n和国家监督专责机关意识教育，促进党员干部。\n二、下一步"
    n = normalize(raw)
    assert "机关是党和国家监督" in n.text
    assert "干部。\n二、下一步" in n.text
    check_map(raw, n)


def test_title_and_heading_lines_keep_their_break():
    raw = "2023年工作总结\n今年以来，我们做了很多工作。\n一、持续强化理论武装，推动学思践悟走深走实\n理论武装是基础。"
    n = normalize(raw)
    assert n.text.split("\n") == ["2023年工作总结", "今年以来,我们做了很多工作。",
                                  "一、持续强化理论武装,推动学思践悟走深走实", "理论武装是基础。"]


def test_traditional_characters_read_as_simplified():
    raw = "發現問題13個，開展廉政談話65人次。"
    n = normalize(raw)
    assert n.text == "发现问题13个,开展廉政谈话65人次。"
    check_map(raw, n)


def test_web_debris_and_markers_recorded_not_analysed():
    raw = "购物车\n我的足迹\n\n关于工作的调研报告\n\n加入Vip免费下载 立即下载\n正文第一句。认真对##paidbegin##照检查。全文共3521字\n"
    n = normalize(raw)
    assert "购物车" not in n.text and "立即下载" not in n.text and "##paid" not in n.text
    assert "认真对照检查" in n.text
    assert "全文共" not in n.text
    kinds = {(a.kind, a.raw) for a in n.artifacts}
    assert ("debris", "购物车") in kinds and ("marker", "##paidbegin##") in kinds
    assert any(a.kind == "counter" and a.raw.startswith("全文共") for a in n.artifacts)
    for a in n.artifacts:
        assert raw[a.start:a.end].strip() == a.raw


def test_zero_width_characters_dropped():
    raw = "发现\u200b问题13个"
    assert normalize(raw).text == "发现问题13个"


def test_idempotent_on_clean_text():
    raw = "一、主要做法\n(一)注重学习。开展培训3次,覆盖120人。"
    once = normalize(raw).text
    assert normalize(once).text == once


def test_paragraph_lines_of_docx_are_never_joined():
    raw = "全局上下认真贯彻落实市直机关工委关于模范机关创建的部署要求和\n各项工作任务，取得明显成效。"
    assert normalize(raw, join_lines=True).text.count("\n") == 0       # plain text: a broken line joins
    assert normalize(raw, join_lines=False).text.count("\n") == 1


def test_a_title_line_is_never_joined_to_the_body():
    raw = "市交通运输局党组书记2024年度抓机关党建工作述职报告\n按照市直机关工委的要求，现将履职情况报告如下。"
    assert normalize(raw).text.split("\n")[0] == "市交通运输局党组书记2024年度抓机关党建工作述职报告"


def test_translate_matches_str_translate():
    from summaryscan.text.normalize import translate, translation_table
    table = translation_table()
    text = "".join(map(chr, table)) + "中文abc，１２\u3000\U0001F600\ud800萬\U0002B727\U0010FFFF"  # the last two: past the map
    assert translate(text) == text.translate(table)
    assert translate("") == ""


def test_spans_to_raw_maps_like_span_to_raw():
    raw = "一、 主要 做法\n\n开展  培训 12 次，\u200b覆盖 300 人。\n二、下一步"
    n = normalize(raw)
    spans = [(0, 2), (2, 5), (5, 9), (9, len(n.text))]
    assert n.spans_to_raw(spans) == [n.span_to_raw(s, e) for s, e in spans]


def test_offsets_to_raw_maps_like_to_raw():
    raw = "一、 主要 做法\n\n开展  培训 12 次，\u200b覆盖 300 人。\n二、下一步"
    n = normalize(raw)
    offsets = list(range(len(n.text)))
    assert n.offsets_to_raw(offsets) == [n.to_raw(i) for i in offsets]
    ends = list(range(1, len(n.text) + 1))
    assert n.offsets_to_raw(ends, ends=True) == [n.to_raw(i - 1) + 1 for i in ends]
    assert n.offsets_to_raw([]) == []
