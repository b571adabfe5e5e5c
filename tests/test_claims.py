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


# ------------------------------------------------------------------ subjects (the subject model)
# What a reviewer reads the subject for: the thing a figure counts. Sentences in the style
# of real work summaries and government work reports; the model is trained on other text.

def subjects(text):
    return [(c.raw, c.subject) for c in analyze_text(text).claims]


@pytest.mark.parametrize("text,head", [
    ("常委会开展第一议题学习35次。", "学习"),                    # the object of the verb before the number
    ("分级分类建设清廉机关示范点10个。", "示范点"),
    ("组织机关35个党支部完成换届选举。", "党支部"),                # the noun after the measure word
    ("新建25个国家级慢性病综合防控示范区。", "示范区"),
    ("推动35项“高效办成一件事”重点事项落地。", "事项"),
    ("选派了3名年轻干部到基层锻炼。", "干部"),
    ("节日期间走访慰问困难职工和离退休老同志35人。", "老同志"),  # a long phrase, whole
])
def test_a_subject_names_what_is_counted(text, head):
    (raw, subject), = subjects(text)
    assert subject.endswith(head), subject


@pytest.mark.parametrize("text,heads", [
    ("组织开展廉政谈话65人次、任职前提醒谈话4人次。", ["廉政谈话", "提醒谈话"]),
    ("全年共走访企业12家，发放问卷300份，召开座谈会5次。", ["企业", "问卷", "座谈会"]),
    ("城镇新增就业120万人，城镇调查失业率5.1%。", ["就业", "失业率"]),
    ("组织34个支部帮扶20名困难学生。", ["支部", "学生"]),
])
def test_list_items_get_their_own_subjects(text, heads):
    got = subjects(text)
    assert len(got) == len(heads)
    assert all(subject.endswith(head) for (_, subject), head in zip(got, heads)), got


def test_a_following_quantity_shares_the_subject():
    got = subjects("向派驻单位出具廉洁情况意见24份71人次。")
    assert len(got) == 2 and got[0][1] == got[1][1] and got[0][1].endswith("意见")


@pytest.mark.parametrize("text,head", [
    ("社会消费品零售总额增长3.9%。", "零售总额"),
    ("人均预期寿命提高到78.8岁。", "寿命"),
    ("单位生产总值能耗累计下降14%。", "能耗"),
    ("一般公共预算收入5853.9亿元，增长3.9%。", "收入"),           # the change in the next clause
    ("全市受理信访举报1200件，同比减少12%。", "举报"),
    ("全年数字经济核心产业增加值增长10%。", "增加值"),
    ("第三产业增加值占地区生产总值的比重达到55.2%。", "增加值"),   # a share: A 占 B 的比重
])
def test_shares_and_changes_name_the_thing_measured(text, head):
    raw, subject = subjects(text)[-1]
    assert subject.endswith(head), subject


FRAME_AND_FUNCTION_WORDS = set("了的在占为共等向对和及与是有将把被从由到至比较") | {
    "同比", "增长", "下降", "占比", "总数的", "其中", "分别", "达到", "累计"}


def _check_subjects(text):
    """Every subject of ``text``: whole words of its sentence, inside its claim's line and
    one clause, never a lone function word or a word of a share or change frame."""
    from summaryscan.text.segment import tokens
    a = analyze_text(text)
    raw = a.raw.text
    for c in a.claims:
        s = c.subject
        if not s:
            continue
        assert s not in FRAME_AND_FUNCTION_WORDS, (c.raw, s)
        assert not set(s) & set(",，。；;：:！!？?\n"), (c.raw, s)
        line_start = raw.rfind("\n", 0, c.start) + 1
        line_end = raw.find("\n", c.start)
        assert s in raw[line_start:line_end if line_end >= 0 else len(raw)], (c.raw, s)
        sentence = a.sentence_text(c.sentence)
        bounds, at = {0}, 0
        for w, _ in tokens(sentence):
            at += len(w)
            bounds.add(at)
        places = [k for k in range(len(sentence)) if sentence.startswith(s, k)]
        assert any(k in bounds and k + len(s) in bounds for k in places), (c.raw, s, sentence)


@pytest.mark.parametrize("text", [
    "培训时长累计30小时\n党员干部理论学习覆盖率100%。\n开展培训3次\n  完成考核",
    "局党组专题研究部署意识形态工作责任制落实情况4次。",
    "年内举办党支部书记和党务干部培训班2期。",
    "全市受理信访举报1200件，同比减少12%，其中网络举报占35.2%。",
    "比上年提高1.5个百分点，达到了65%。",
    "了解到的情况有3条。",
])
def test_subjects_are_whole_words_within_a_line_and_a_clause(text):
    _check_subjects(text)


def test_subject_does_not_cross_a_line_break():
    a = analyze_text("培训时长累计30小时\n党员干部理论学习覆盖率100%。\n开展培训3次\n  完成考核")
    got = {c.raw: c.subject for c in a.claims}
    assert set(got) == {"30小时", "100%", "3次"}
    assert got["100%"].endswith("覆盖率") and "培训" not in got["100%"]
    assert got["3次"] == "培训"


def test_subjects_hold_on_real_reports():
    """The same properties on every claim of the shared gold reports and seeds."""
    import pathlib
    shared = pathlib.Path(__file__).resolve().parents[1].parent / "shared"
    paths = sorted((shared / "gold-reports" / "docs").glob("*.txt"))[:8] + sorted((shared / "seeds").glob("*.txt"))
    if not paths:
        pytest.skip("../shared (gold-reports, seeds) is absent")
    for p in paths:
        _check_subjects(p.read_text(encoding="utf-8-sig"))


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
    """The language layer's own route search gives jieba's segmentation (no HMM, with the
    domain dictionary), word for word."""
    from summaryscan.text.segment import tokenizer, tokens
    assert [w for w, _ in tokens(text)] == tokenizer().lcut(text, HMM=False)


def test_claim_pattern_groups_are_in_the_order_extraction_unpacks():
    from summaryscan.claims.scan import _LO, _NUM, _UNIT, claim_pattern
    index = claim_pattern().groupindex
    assert list(index) == ["pre", "lo", "num", "h1", "mul", "h2", "unit", "post"]
    assert claim_pattern().groups == len(index)
    assert (index["lo"], index["num"], index["unit"]) == (_LO, _NUM, _UNIT)


def test_nothing_after_a_clause_end_is_a_subject():
    """The rules (``claims/subjects.py``, the fallback without a model) skip the search after
    a number followed by one of these."""
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


# ------------------------------------------------------------------ numerals read whole (issue 13)
@pytest.mark.parametrize("text,expected", [
    # a last unit left off
    ("年内接待游客两千六人次。", ("两千六人次", 2600, "人次", None, "count")),
    # 万 inside the part before 亿, 零 and 多 inside 亿…万
    ("实现营业收入一万五千亿元。", ("一万五千亿元", 1.5e12, "元", None, "money")),
    ("粮食产量达到三亿零五百多万吨。", ("三亿零五百多万吨", 305_000_000, "吨", "多", "other")),
    # 点 decimals, in 百分之N and before 个百分点
    ("完成投资二点五亿元。", ("二点五亿元", 2.5e8, "元", None, "money")),
    ("工业增加值增长百分之十二点五。", ("百分之十二点五", 12.5, "%", None, "percent")),
    ("城镇化率提高一点五个百分点。", ("一点五个百分点", 1.5, "个百分点", None, "percent")),
    # thousands separators inside 百分之N; mixed Arabic and Chinese; 大写 as in money; 廿
    ("出口额增幅达百分之1,250。", ("百分之1,250", 1250, "%", None, "percent")),
    ("新增就业1万0600人。", ("1万0600人", 10600, "人", None, "count")),
    ("拨付经费壹拾贰元伍角。", ("壹拾贰元伍角", 12.5, "元", None, "money")),
    ("举办专题讲座廿二场。", ("廿二场", 22, "场", None, "count")),
    # the unit 千瓦 is not read as 千 + 瓦
    ("新增装机七万二千五百千瓦。", ("七万二千五百千瓦", 72500, "千瓦", None, "other")),
])
def test_numerals_are_read_whole(text, expected):
    raw, value, unit, approx, kind = one(text)
    assert (raw, unit, approx, kind) == expected[:1] + expected[2:]
    assert value == pytest.approx(expected[1])


@pytest.mark.parametrize("text", [
    "抽检合格率为五百分之二点二。",       # a fraction whose form is not read: not 百分之二点二
    "转化率达到百分之3.2k。",            # 3.2k: not 3.2
    "每个小组两三个人。",                # 两三个: a range, not 23
    "支持率约七八成。",                  # 七八成
    "调研组用了一点两小时。",            # 一点两: not 1.2
    "跨上5万亿两个台阶。",              # 5万亿 + 两个, not 5万亿2千万
    "城镇居民人均收入达到5 1 6 0 元。",   # digits spaced out: not 0元
    "总额为四十九兆九千五百九十二亿元。",   # 兆 is not read: no piece after it
    "种植户增收七成六。",                # 七成六
    "为390万65岁以上老年人体检。",        # 390万 and 65岁 side by side: not 3900065
])
def test_a_form_not_understood_gives_no_claim_and_no_fragment(text):
    assert claims(text) == []


@pytest.mark.parametrize("text,raw,value", [
    ("企业利润增长负3.9%。", "负3.9%", -3.9),
    ("工业品出厂价格同比增长-2.1%。", "-2.1%", -2.1),
    ("全年财政收入增长－5％。", "－5％", -5),
])
def test_a_minus_sign_is_kept(text, raw, value):
    assert one(text)[:2] == (raw, value)


def test_a_dash_or_a_word_is_no_sign():
    assert claims("全年增长6%-6.5%。")[-1][:2] == ("6.5%", 6.5)
    assert one("肩负3项重点任务。")[:2] == ("3项", 3)
    assert one("为经营主体减负1000亿元以上。")[:2] == ("1000亿元以上", 1e11)


@pytest.mark.parametrize("text,raw", [
    ("新建成3个中心。", "3个"), ("新组建2个中队。", "2个"), ("设立6个大队。", "6个"),
    ("完成15个点位建设。", "15个"), ("制定5项制度。", "5项"), ("引进3个大型项目。", "3个"),
    ("完成1.7万间中小学教室改造。", "1.7万间"), ("在6个月时间内完成整改。", "6个月"),
])
def test_counts_before_a_word_that_opens_with_a_guard_character(text, raw):
    assert one(text)[0] == raw


@pytest.mark.parametrize("text", [
    "举办三人制篮球赛。",                 # 制: a system
    "建设30万吨级泊位。",                 # 级: a class
    "到建党一百年时全面建成。",             # 时: a point in time
    "退休两年后返聘。",                    # a duration without a cue
    "按照省委十二届三次全会部署。",          # 届…次: an ordinal
    "推进第三批试点。",                    # 第: an ordinal
    "2023年5月召开会议。",                # a date
    "编号为A3栋的楼。",                   # a code
    "二十成员国参加。",                    # 成员 is a word, not 二十成
    "票证多达几十种，数百人排队。",          # vague: 几十, 数百
    "热线12366开通，网址含%2020%字样。",    # a phone number, a web address escape
    "数值在10000与20000间。",             # 间: between
    "全年引进超亿元项目。",                # a bare amount naming a class of projects
])
def test_genuine_exclusions_still_hold(text):
    assert claims(text) == []


@pytest.mark.parametrize("text,expected", [
    ("每批选取20~100个样本。", ("20~100个", 100, "个", None, "other")),
    ("每批选取20～100个样本。", ("20～100个", 100, "个", None, "other")),
    ("每季度抽查两至三个单位。", ("两至三个", 3, "个", None, "other")),
])
def test_ranges_take_the_upper_bound(text, expected):
    assert one(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("绿电占比超过九成以上。", ("超过九成以上", 9, "成", "超过…以上", "percent")),
    ("工业企业上云率近六成。", ("近六成", 6, "成", "近", "percent")),
    ("占全国7.2成。", ("7.2成", 7.2, "成", None, "percent")),
    ("考核事项精简两成。", ("两成", 2, "成", None, "percent")),
])
def test_proportions_in_cheng_as_written(text, expected):
    assert one(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("实际利用外资8.27亿美元。", ("8.27亿美元", 8.27e8, "美元", None, "money")),
    ("吸引投资30亿港元。", ("30亿港元", 3e9, "港元", None, "money")),
    ("签约金额12万欧元。", ("12万欧元", 120_000, "欧元", None, "money")),
])
def test_money_in_foreign_currencies(text, expected):
    raw, value, unit, approx, kind = one(text)
    assert (raw, unit, approx, kind) == expected[:1] + expected[2:] and value == pytest.approx(expected[1])


@pytest.mark.parametrize("text,raw,value,approx", [
    ("审批时间压减一半。", "一半", 50, None),
    ("内设机构精简四分之一。", "四分之一", 25, None),
    ("占全市总量的三分之二。", "三分之二", 200 / 3, None),
    ("开办时间缩短三分之一以上。", "三分之一以上", 100 / 3, "以上"),
    ("自然增长率控制在千分之三。", "千分之三", 0.3, None),
    ("出口规模占全国1/4以上。", "1/4以上", 25, "以上"),
    ("抽检不合格率为五百分之三。", "五百分之三", 0.6, None),     # 3/500, not 百分之三
])
def test_fractions_are_percentages(text, raw, value, approx):
    got = one(text)
    assert (got[0], got[2], got[3], got[4]) == (raw, "%", approx, "percent")
    assert got[1] == pytest.approx(value)


@pytest.mark.parametrize("text", [
    "他的另一半也是党员。",                # a part, not a proportion
    "共计三百五又三分之一。",              # a mixed number: not read
    "比值为二十五分之一百。",              # more than the whole: not a proportion
    "第1/3页",                          # a page
])
def test_fractions_not_read(text):
    assert claims(text) == []


@pytest.mark.parametrize("text,raw,approx", [
    ("全年签约项目45个，节约资金300万元。", "45个", None),        # 签约: a word, not the hedge 约
    ("节约资金300万元。", "300万元", None),
    ("大约500人参加培训。", "大约500人", "约"),                    # 大约 is the hedge
])
def test_yue_inside_a_word_is_no_hedge(text, raw, approx):
    got = {c.raw: c.approx for c in analyze_text(text, "t.txt").claims}
    assert raw in got and got[raw] == approx


@pytest.mark.parametrize("text,raw,unit,value", [
    ("开展谈心谈话45人(次)。", "45人(次)", "人次", 45),
    ("发放宣传资料300余条（次）。", "300余条（次）", "条次", 300),
])
def test_a_bracketed_alternative_unit_joins_the_unit(text, raw, unit, value):
    c = next(c for c in analyze_text(text, "t.txt").claims if c.raw == raw)
    assert (c.unit, c.value) == (unit, value)


def test_pinyin_ruby_scraped_with_the_text_is_left_out():
    # web copies of reports carry the pinyin of characters in brackets
    a = analyze_text("生产总值增长3.2個(gè)百分點，新增就业(jiù yè)人数12万人，新建學(xué)校機構(gòu)15個(gè)。", "t.txt")
    got = {c.raw: c for c in a.claims}
    assert got["3.2個(gè)百分點"].unit == "个百分点"
    assert got["12万人"].subject.endswith("就业人数")
    assert got["15個"].subject == "學校機構"          # the document's characters, without the ruby
    assert all("(" not in c.subject for c in a.claims)
