"""Numeric claims: numerals, multipliers, hedges, subjects, and every exclusion class."""
import pytest

from summaryscan.pipeline import analyze_text


def claims(text):
    a = analyze_text(text)
    for c in a.claims:
        assert a.raw.text[c.start:c.end] == c.raw
    return [(c.raw, c.value, c.unit, c.approx, c.kind) for c in a.claims]


def one(text):
    found = claims(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("text,expected", [
    ("组织开展廉政谈话65人次。", ("65人次", 65, "人次", None, "count")),
    ("组织开展活动4.6万人次。", ("4.6万人次", 46000, "人次", None, "count")),
    ("对具有行政审批权限的两个部门下发提醒函。", ("两个", 2, "个", None, "count")),
    ("累计培训一千二百人。", ("一千二百人", 1200, "人", None, "count")),
    ("共发放1,200份问卷。", ("1,200份", 1200, "份", None, "count")),
    ("开展调研１２次。", ("１２次", 12, "次", None, "count")),
    ("帮扶困难学生，每年捐款4万余元。", ("4万余元", 40000, "元", "余", "money")),
    ("投入资金2.5亿元。", ("2.5亿元", 2.5e8, "元", None, "money")),
    ("新建绿地3200平方米。", ("3200平方米", 3200, "平方米", None, "area")),
    ("满意率达百分之九十五。", ("百分之九十五", 95, "%", None, "percent")),
    ("四星级以上党支部占比60%以上。", ("60%以上", 60, "%", "以上", "percent")),
    ("参与率达９６％。", ("９６％", 96, "%", None, "percent")),
])
def test_values_units_kinds(text, expected):
    raw, value, unit, approx, kind = one(text)
    assert (raw, unit, approx, kind) == expected[:1] + expected[2:]
    assert value == pytest.approx(expected[1])


@pytest.mark.parametrize("text,raw,approx", [
    ("开展监督检查10余次。", "10余次", "余"),
    ("化解隐患问题3500多个。", "3500多个", "多"),
    ("慰问困难党员近800余人。", "近800余人", "近…余"),
    ("约300人参加。", "约300人", "约"),
    ("惠及群众超过5000户。", "超过5000户", "超过"),
    ("服务企业逾百家。", "逾百家", "逾"),
    ("培训干部300人左右。", "300人左右", "左右"),
    ("党员干部谈体会达 1200 余次。", "1200 余次", "余"),
])
def test_hedges(text, raw, approx):
    assert one(text)[0] == raw and one(text)[3] == approx


def test_contradictory_hedges_are_flagged_on_the_claim():
    a = analyze_text("慰问困难党员近800余人，走访企业120家。")
    assert [c.hedge_conflict for c in a.claims] == [True, False]


@pytest.mark.parametrize("text", [
    "2023年1月，市委印发方案。",                 # dates and years
    "6月15日揭牌。",
    "坚持“第一议题”制度，学习第二十一次集体学习精神。",  # ordinals
    "学习贯彻十九届六中全会和二十大精神。",
    "坚决捍卫“两个确立”，做到“两个维护”，落实“三会一课”。",  # slogans
    "落实中央八项规定精神，推广六个引领工作法，压实一岗双责。",
    "执行“1＋2＋N＋1”监督机制，开通7×24小时服务专线。",   # formulas
    "该站建立“321”工作机制。",
    "编印《机关党务知识应知应会200题》。",          # book titles
    "做好“光荣在党50年”纪念章颁发工作。",
    "一、主要做法\n（一）注重学习。一是强化理论。",    # heading markers
    "咨询电话12345678，热线12366。",               # phone numbers
    "获比赛季军和二等奖，三人制篮球赛。",             # ranks and prizes
    "对X个派驻部门开展调研，召开XX次会议。",          # placeholders
    "努力做到一个党员一面旗帜。",                    # 一个: an article
])
def test_not_claims(text):
    assert claims(text) == []


def test_placeholders_recorded_instead():
    a = analyze_text("X市纪检监察组20XX年工作总结。对X个派驻部门开展调研，讲好**历史，××同志，○○局。")
    kinds = sorted({p.kind for p in a.placeholders})
    assert kinds == ["circle", "letter", "mask", "year"]
    assert {p.raw for p in a.placeholders} >= {"X", "20XX", "**", "××", "○○"}


def test_range_takes_upper_bound():
    assert one("每季度选取1至2个单位。")[:3] == ("1至2个", 2, "个")


def test_duration_only_with_a_cue():
    assert one("连续五年开展“一支部一品牌”创建活动。")[1:5] == (5, "年", None, "duration")
    assert claims("该同志工作5年。") == []


@pytest.mark.parametrize("text,subject", [
    ("常委会开展第一议题学习35次。", "第一议题学习"),
    ("组织机关35个党支部完成换届选举。", "党支部"),
    ("组织开展廉政谈话65人次、任职前提醒谈话4人次。", "廉政谈话"),
    ("组织34个支部帮扶20名困难学生。", "支部"),
    ("分级分类建设清廉机关示范点10个。", "清廉机关示范点"),
])
def test_subjects(text, subject):
    a = analyze_text(text)
    assert a.claims[0].subject.endswith(subject)


@pytest.mark.parametrize("text,subject", [
    # the phrase is longer than the 12 characters segmented first: no word is cut in two
    ("节日期间走访慰问困难职工和离退休老同志35人。", "困难职工和离退休老同志"),
    ("年内举办党支部书记和党务干部培训班2期。", "党支部书记和党务干部培训班"),
    ("全年数字经济核心产业增加值增长10%。", "数字经济核心产业增加值"),
    # a piece of the cut word stopped the phrase (识|形态…): it is read again whole
    ("局党组专题研究部署意识形态工作责任制落实情况4次。", "意识形态工作责任制落实情况"),
    # read rightwards from the number: the window's far edge cuts no word either
    ("新建25个国家级慢性病综合防控示范区。", "国家级慢性病综合防控示范区"),
    ("推动35项“高效办成一件事”重点事项落地。", "“高效办成一件事”重点事项"),
])
def test_subject_longer_than_the_window_is_whole_words(text, subject):
    assert analyze_text(text).claims[0].subject == subject


def test_following_quantity_shares_the_subject():
    a = analyze_text("向派驻单位出具廉洁情况意见24份71人次。")
    assert [c.subject for c in a.claims] == ["廉洁情况意见", "廉洁情况意见"]


def test_claims_know_sentence_section_and_page():
    a = analyze_text("一、主要成效\n（一）抓学习。开展专题学习12次。")
    c = a.claims[0]
    assert a.sections[c.section].title == "抓学习"
    assert a.sentence_text(c.sentence) == "开展专题学习12次。"


def test_placeholders_not_confused_with_formulas_codes_or_numerals():
    a = analyze_text("开通7×24小时专线，落实1+N+X机制，代码415X，二〇〇三年成立。XX局召开会议。")
    assert [p.raw for p in a.placeholders] == ["XX"]


@pytest.mark.parametrize("text,expected", [
    ("最近二十多年来，共建成学校15所。", [("二十多年", 20, "年", "多", "duration"), ("15所", 15, "所", None, "count")]),
    ("每千人拥有医生3名。", [("3名", 3, "名", None, "count")]),
    ("指标\n万人次\n完成情况", []),
])
def test_words_that_look_like_numbers_or_hedges(text, expected):
    assert claims(text) == expected


def test_near_duration_keeps_its_hedge():
    assert one("近两年来持续开展结对帮扶。")[1:5] == (2, "年", "近", "duration")


@pytest.mark.parametrize("text,subject", [
    ("社会消费品零售总额增长3.9%。", "社会消费品零售总额"),
    ("人均预期寿命提高到78.8岁。", "人均预期寿命"),
    ("单位生产总值能耗累计下降14%。", "单位生产总值能耗"),
    ("一般公共预算收入5853.9亿元，增长3.9%。", "收入"),
])
def test_a_change_names_the_thing_measured(text, subject):
    assert analyze_text(text).claims[-1].subject.endswith(subject)


@pytest.mark.parametrize("text", [
    "组织开展廉政谈话65人次任职前提醒谈话",
    "常委会开展第一议题学习",
    "分级分类建设清廉机关示范点",
    "社会消费品零售总额增长",
    "研究生命起源和南京市长江大桥",
    "乡村振兴战略全面推进",
    "",
])
def test_subject_segmentation_follows_jieba(text):
    """The language layer's own route search gives jieba's segmentation (no HMM), word for word."""
    import jieba

    from summaryscan.text.segment import tokens
    assert [w for w, _ in tokens(text)] == jieba.lcut(text, HMM=False)


def test_claim_pattern_groups_are_in_the_order_extraction_unpacks():
    from summaryscan.claims.scan import _LO, _NUM, _UNIT, claim_pattern
    index = claim_pattern().groupindex
    assert list(index) == ["pre", "lo", "num", "h1", "mul", "h2", "unit", "post"]
    assert claim_pattern().groups == len(index)
    assert (index["lo"], index["num"], index["unit"]) == (_LO, _NUM, _UNIT)


def test_nothing_after_a_clause_end_is_a_subject():
    """Subject assignment skips the search after a number followed by one of these."""
    from summaryscan.claims.subjects import _BOUNDARY_CHARS, _subject_after
    from summaryscan.text.pos import starts_with_verb
    for ch in _BOUNDARY_CHARS:
        assert _subject_after(ch + "党员干部") == ""
        assert _subject_after(ch + "开展志愿服务", skip_verbs=True) == ""
        assert not starts_with_verb(ch + "开展志愿服务")


def test_amounts_beyond_decimal_precision_do_not_fail_the_document():
    """万/亿 amounts past Decimal's 28 digits used to raise and fail the whole document."""
    a = analyze_text("财政收入" + "9" * 22 + "万亿元，开展培训3次。")
    assert a.raw.status == "ok", a.raw.message
    assert [c.value for c in a.claims] == [float("9" * 22 + "0" * 12), 3.0]
    # hundreds of digits are no finite number: not a claim, and the rest still is
    a = analyze_text("收入" + "9" * 400 + "亿元，" + "9" * 400 + "元，开展培训3次。")
    assert a.raw.status == "ok", a.raw.message
    assert [(c.raw, c.value) for c in a.claims] == [("3次", 3.0)]


def test_subject_does_not_cross_a_line_break():
    a = analyze_text("培训时长累计30小时\n党员干部理论学习覆盖率100%。\n开展培训3次\n  完成考核")
    assert [(c.raw, c.subject) for c in a.claims] == [("30小时", "培训时长"), ("100%", "覆盖率"), ("3次", "培训")]
