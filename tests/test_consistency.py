"""Consistency checks: a positive and a negative case for every code, on small
realistic texts, with exact codes, raw strings and offsets; then the five seed
submissions (../shared/seeds, skipped when absent)."""
import os

import pytest

from summaryscan import consistency
from summaryscan.consistency import CODES, REGISTRY
from summaryscan.frameworks import load_framework
from summaryscan.pipeline import analyze_path, analyze_text
from summaryscan.records import RawDocument, STATUS_EMPTY, Analysis

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(os.path.dirname(ROOT), "shared", "seeds")

# a paragraph of plain work-report prose, to make documents long enough to be judged
BODY = "坚持党建引领，组织党员干部深入学习党的创新理论，推动各项工作落实落地，机关作风持续改进，取得明显成效。" * 4


def run(text, *codes, framework=None):
    a = analyze_text(text)
    found = consistency.check(a, framework, codes=list(codes) or None)
    for f in found:
        if f.start < 0:
            assert f.raw == "" and f.end == -1
        else:
            assert a.raw.text[f.start:f.end] == f.raw, f
        assert f.doc == a.doc and f.severity in ("high", "medium", "low") and f.message
    return a, found


def one(text, code):
    a, found = run(text, code)
    assert len(found) == 1, [(f.code, f.raw, f.message) for f in found]
    return a, found[0]


def none(text, code):
    _, found = run(text, code)
    assert found == [], [(f.code, f.raw, f.message) for f in found]


def at(a, raw, nth=0):
    i = -1
    for _ in range(nth + 1):
        i = a.raw.text.index(raw, i + 1)
    return i, i + len(raw)


# ---------------------------------------------------------------- API


def test_codes_and_registry():
    expected = {"PLACEHOLDER", "ARTIFACT", "NUMBERING", "PART_EXCEEDS_WHOLE", "SUBSET_EXCEEDS", "PERCENT_RANGE",
                "ARITHMETIC", "HEDGE_CONFLICT", "CONFLICTING_VALUES", "YEAR_MISMATCH", "MISSING_SECTION"}
    assert expected <= set(CODES) == set(REGISTRY)
    for severity, description in CODES.values():
        assert severity in ("high", "medium", "low")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in description)


def test_unreadable_documents_have_no_findings():
    raw = RawDocument(path="x.pdf", doc="x.pdf", format="pdf", status=STATUS_EMPTY, text="")
    assert consistency.check(Analysis(raw=raw)) == []


def test_findings_are_sorted_and_codes_can_be_chosen():
    text = ("X市2023年工作总结\n排查隐患问题3000个，化解隐患问题3500个。慰问困难党员近800余人。\n"
            "群众满意率达105%。")
    a, found = run(text)
    starts = [f.start for f in found]
    assert starts == sorted(starts)
    assert {f.code for f in found} >= {"PLACEHOLDER", "SUBSET_EXCEEDS", "HEDGE_CONFLICT", "PERCENT_RANGE"}
    _, only_hedges = run(text, "HEDGE_CONFLICT")
    assert [f.code for f in only_hedges] == ["HEDGE_CONFLICT"]
    with pytest.raises(KeyError):
        consistency.check(a, codes=["NO_SUCH_CODE"])


def test_framework_by_id_or_object():
    text = "2023年工作总结\n一、主要工作\n" + BODY + "\n二、存在问题\n" + BODY
    a = analyze_text(text)
    by_id = consistency.check(a, "five-types", codes=["MISSING_SECTION"])
    by_obj = consistency.check(a, load_framework("five-types"), codes=["MISSING_SECTION"])
    default = consistency.check(a, codes=["MISSING_SECTION"])
    assert [f.message for f in by_id] == [f.message for f in by_obj] == [f.message for f in default]
    assert len(by_id) == 1


# ---------------------------------------------------------------- PLACEHOLDER


def test_placeholders_in_title_and_body():
    text = ("X市纪检监察组2023年工作总结\n以学习贯彻党的XX大会议精神为主线，以贯彻市纪委X届X全会精神为主题。"
            "20XX年7月9日，召开专题会议。讲好○○历史中的廉政故事。")
    a, found = run(text, "PLACEHOLDER")
    got = [(f.raw, f.start, f.end, f.severity) for f in found]
    assert got == [
        ("X", 0, 1, "high"),                                   # in the title
        ("XX", *at(a, "XX"), "medium"),
        ("X届X", *at(a, "X届X"), "medium"),                    # adjacent masks: one finding
        ("20XX", *at(a, "20XX"), "high"),                      # a year placeholder
        ("○○", *at(a, "○○"), "medium"),
    ]
    assert "标题" in found[0].message and "20XX" in found[3].message


def test_signs_and_code_names_are_not_placeholders():
    none("开通全天候7×24小时服务专线，深入实施“数据要素×”行动，构建“1+N+X”规划体系，"
         "实施“415X”先进制造业集群培育工程。二〇〇三年成立。", "PLACEHOLDER")


# ---------------------------------------------------------------- ARTIFACT


def test_page_debris_is_one_finding_and_markers_another():
    text = ("购物车\n我的足迹\n\n关于全市模范机关创建工作的调研报告\n\n加入Vip免费下载 立即下载\n"
            "市直机关工委认真学习相关做法。认真对##paidbegin##照工作职能，抓好整改落实。\n全面推进各项工作。\n##paidend##")
    a, found = run(text, "ARTIFACT")
    assert [(f.raw, f.start) for f in found] == [
        ("购物车\n我的足迹\n\n关于全市模范机关创建工作的调研报告\n\n加入Vip免费下载 立即下载", 0),
        ("##paidbegin##", at(a, "##paidbegin##")[0]),
    ]
    assert "##paidend##" in found[1].message


def test_text_cut_off_mid_sentence():
    text = "关于创建工作的调研报告\n一、基本情况\n创建工作取得一定成效。\n二、存在的问题\n有的单位缺乏周延完整的责任链条，没有形成上下同心、齐抓共管的工作"
    a, f = one(text, "ARTIFACT")
    assert f.raw == "没有形成上下同心、齐抓共管的工作" and (f.start, f.end) == at(a, f.raw)
    assert f.severity == "high" and "截断" in f.message


@pytest.mark.parametrize("ending", [
    "进一步凝聚了干事创业的精气神。",
    "进一步凝聚了干事创业的精气神。\n（执笔人：张三、李四）",
    "进一步凝聚了干事创业的精气神。\n市纪委监委机关党委\n2023年12月20日",
    "进一步凝聚了干事创业的精气神。”",
    "进一步凝聚了干事创业的精气神。\n- 5 -",
])
def test_complete_endings(ending):
    none("2023年工作总结\n一、主要工作\n开展学习12次，成效明显。\n" + ending, "ARTIFACT")


# ---------------------------------------------------------------- NUMBERING


def test_numbering_skips_repeats_and_swaps():
    text = ("2023年工作总结\n一、主要做法\n（一）注重学习。内容。\n（二）注重统筹。内容。\n（二）注重联动。内容。\n"
            "二、工作成效\n成效明显。\n四、存在问题\n还存在不足，一是监督不够。二是力度不够。四是建设不够。")
    a, found = run(text, "NUMBERING")
    got = [(f.raw, f.start, f.end) for f in found]
    assert got == [("（二）", *at(a, "（二）", 1)), ("四、", *at(a, "四、")), ("四是", *at(a, "四是"))]
    assert "重复" in found[0].message and "缺少“三、”" in found[1].message and "缺少“三是”" in found[2].message
    a, f = one("一、主要做法\n内容。\n三、存在问题\n内容。\n二、下一步打算\n内容。", "NUMBERING")
    assert f.raw == "三、" and "颠倒" in f.message


def test_numbering_runs_that_restart_are_fine():
    # point runs restart at 一是; heading runs restart under a new parent
    none("三、存在问题和2024年工作计划\n还存在不足，一是监督不够。二是力度不够。三是创新不够。\n"
         "针对这些问题，一是提升质效。二是强化办理。三是加强建设。\n"
         "一、主要做法\n（一）学习。内容。\n（二）统筹。内容。\n二、工作成效\n（一）监督。内容。\n（二）整治。内容。", "NUMBERING")


def test_numbering_marker_the_structure_stage_missed_is_not_a_skip():
    # 三、2024年… is in the text although headings starting with a digit are not detected
    none("一、工作回顾\n内容。\n二、主要成效\n内容。\n三、2024年工作安排\n内容。\n四、加强自身建设\n内容。", "NUMBERING")


@pytest.mark.parametrize("text", [
    # a page holding two articles: the second restarts the outline
    "篇1\n一、主要工作\n内容。\n篇2\n一、主要工作\n内容。\n二、存在问题\n内容。",
    "市财政局2023年工作总结\n一、主要工作\n内容。\n市财政局2023年工作总结\n一、主要工作\n内容。\n二、下一步打算\n内容。",
    "市财政局2023年工作总结\n一、主要工作\n内容。\n县人社局2023年工作总结\n一、主要工作\n内容。\n二、存在问题\n内容。",
    # a list of numerals is no heading; a marker broken over a line is still there
    "一、经济运行\n全区生产总值增长5.1%。一、二、三产业增加值分别增长4.2%、5%、5.4%。\n二、改革开放\n内容。",
    "一、主要做法\n（一）抓学习。内容。\n（二）抓统筹。内容。\n（\n三）抓落实。内容。\n（四）抓队伍。内容。",
])
def test_numbering_restarts_and_what_is_no_marker(text):
    none(text, "NUMBERING")


def test_numbering_still_checked_within_each_article():
    a, f = one("篇1\n一、主要工作\n内容。\n二、存在问题\n内容。\n篇2\n一、主要工作\n内容。\n三、存在问题\n内容。",
               "NUMBERING")
    assert f.raw == "三、" and "缺少“二、”" in f.message


# ---------------------------------------------------------------- PART_EXCEEDS_WHOLE


def test_parts_exceed_whole():
    a, f = one("对派驻部门领导班子及科室负责人共43人开展了蹲点式谈心调研，其中处级干部20人、科级干部28人。",
               "PART_EXCEEDS_WHOLE")
    assert f.raw == "43人开展了蹲点式谈心调研，其中处级干部20人、科级干部28人"
    assert (f.start, f.end) == at(a, f.raw)
    assert f.claims == ["43人", "20人", "28人"] and "48人" in f.message and "43人" in f.message
    a, f = one("评选表彰“两优一先”28个，其中先进党支部5个、优秀党员19名、优秀党务工作者7名。", "PART_EXCEEDS_WHOLE")
    assert f.raw == "28个，其中先进党支部5个、优秀党员19名、优秀党务工作者7名"


@pytest.mark.parametrize("text", [
    "对派驻部门领导班子及科室负责人共43人开展谈心调研，其中处级干部20人、科级干部23人。",   # parts below the total
    "共有党员400余人，其中在职党员200人、离退休党员210人。",                                 # 400余 may be 410
    "全体居民人均可支配收入突破7万元，城镇和农村居民人均可支配收入分别超过8万元、4.5万元。",  # 分别: no total
    "今年拟安排财政赤字2.38万亿元，比去年增加2000亿元。其中，中央财政赤字1.55万亿元，地方财政赤字8300亿元。",
    "新增营造林148万亩、其中南北山绿化工程43万亩，修复治理退化草原517万亩。",               # a new clause
    "汽车产量增长1.7倍，其中新能源汽车增长17.2倍。",                                         # ratios do not add
])
def test_parts_not_exceeding_whole(text):
    none(text, "PART_EXCEEDS_WHOLE")


def test_parts_in_brackets_after_the_total():
    a, f = one("选派干部共43人（其中处级干部20人、科级干部28人），充实基层力量。", "PART_EXCEEDS_WHOLE")
    assert f.claims == ["43人", "20人", "28人"] and "48人" in f.message


@pytest.mark.parametrize("text", [
    # a daily average is never the whole: the parts break down the year's total
    "全年接待游客1200万人次，日均3.3万人次，其中外地游客800万人次。",
    "共有基层党组织96个，平均每个单位3个，其中党支部86个。",
])
def test_daily_and_average_figures_are_not_wholes(text):
    none(text, "PART_EXCEEDS_WHOLE")


# ---------------------------------------------------------------- SUBSET_EXCEEDS


def test_resolved_exceeds_found():
    a, f = one("开展根治欠薪专项行动，排查在建工程项目和用工企业风险隐患120个，已督促整改到位135个。", "SUBSET_EXCEEDS")
    assert f.raw == "排查在建工程项目和用工企业风险隐患120个，已督促整改到位135个"
    assert (f.start, f.end) == at(a, f.raw) and f.claims == ["120个", "135个"]
    assert f.message == "整改到位数（135个）多于排查数（120个）"
    a, f = one("收到12345热线交通运输类诉求2,316件。办结2,408件，群众诉求响应速度明显加快。", "SUBSET_EXCEEDS")
    assert f.raw == "收到12345热线交通运输类诉求2,316件。办结2,408件"


@pytest.mark.parametrize("text", [
    "排查自建房安全、社会治安、城市管理等方面隐患问题3900余个，已“稀释”、化解各类隐患问题3500多个。",
    "发现问题30个，推动解决历史遗留问题40个。",             # another set of problems
    "发现并推动解决问题129个，整改问题100个。",
    "收集意见建议1,025条，已办理完毕1,004条。",
])
def test_resolved_within_found(text):
    none(text, "SUBSET_EXCEEDS")


@pytest.mark.parametrize("text, raw", [
    ("征集857条意见建议，已办理898条。", "898条"),
    ("收集意见建议144条，目前已答复意见建议162条，推动解决了一批问题。", "162条"),
])
def test_resolved_with_the_object_named_again(text, raw):
    a, f = one(text, "SUBSET_EXCEEDS")
    assert f.raw.endswith(raw)


# ---------------------------------------------------------------- PERCENT_RANGE


def test_rates_above_100_percent():
    a, found = run("群众满意率达105%，投诉举报件数同比下降112%。", "PERCENT_RANGE")
    assert [(f.raw, f.start, f.end) for f in found] == [("105%", *at(a, "105%")), ("112%", *at(a, "112%"))]
    assert "满意率" in found[0].message and "降幅" in found[1].message


def test_legitimate_percentages_above_100():
    none("市直机关党支部创星率达100%。案件数增长146%，完成年度目标任务的120%，地方财政收入占预算数的102.7%。",
         "PERCENT_RANGE")


@pytest.mark.parametrize("text, word", [
    ("问题整改完成率达到118%，整改成效明显。", "整改完成率"),       # 完成率 qualified by what it completes
    ("党员干部培训覆盖面达105%。", "覆盖面"),
    ("机关党员参学率提升至102%。", "参学率"),
    ("信访件按期办结率提高到125%。", "办结率"),
    ("全局意见建议采纳率为103.5%。", "采纳率"),
    ("市场占有率达到102%。", "市场占有率"),                      # a rate the lexicon does not know: bounded
])
def test_rates_bounded_by_their_meaning(text, word):
    a, f = one(text, "PERCENT_RANGE")
    assert word in f.message and f.raw.endswith("%")


@pytest.mark.parametrize("text", [
    "全年固定资产投资完成率120%，超额完成年度计划。",               # 完成率 of a plan
    "小学毛入学率103%，初中毛入学率101%。",
    "粮食自给率105%，口粮绝对安全。",
    "完成年度目标的118%。",
    "税收收入完成预算的102%。",
    "森林覆盖率比上年提高105%。",                                   # a change of the rate, not its level
])
def test_rates_that_may_pass_100_percent(text):
    none(text, "PERCENT_RANGE")


# ---------------------------------------------------------------- ARITHMETIC


def test_stated_change_contradicted_by_the_figures():
    a, f = one("上年受理信访举报620件，本年受理信访举报527件，同比减少25%。", "ARITHMETIC")
    assert f.raw == "同比减少25%" and (f.start, f.end) == at(a, f.raw)
    assert "15.0%" in f.message and "25%" in f.message and f.claims == ["620件", "527件", "25%"]
    a, f = one("2023年受理涉税信访件412件，2024年受理338件，同比下降28%，信访总量持续下降。", "ARITHMETIC")
    assert f.raw == "同比下降28%" and "18.0%" in f.message


def test_stated_share_contradicted_by_the_figures():
    a, f = one("全年共受理信访举报520件。其中，检举控告类183件，占总数的41.2%。", "ARITHMETIC")
    assert f.raw == "占总数的41.2%" and (f.start, f.end) == at(a, f.raw) and "35.2%" in f.message
    a, f = one("发放调查问卷1,520份，收回有效问卷1,476份。\n从问卷情况看，认为“成效明显”的683份，占有效问卷总数的52.3%。",
               "ARITHMETIC")
    assert f.raw == "占有效问卷总数的52.3%" and "46.3%" in f.message


@pytest.mark.parametrize("text", [
    "上年受理信访举报620件，本年受理信访举报527件，同比减少15%。",
    "上年受理信访举报620件，本年受理信访举报527件，同比减少16%。",        # within rounding + 1 point
    "全年共受理信访举报520件，其中检举控告类183件，占总数的35.2%。",
    "去年城镇居民人均收入608元，比上年增长12.5%；农民人均纯收入355元，比上年增长14.7%。",  # not linked
    "受理信访举报527件，同比减少25%。",                                   # no base stated
    "共有基层党组织365个，其中五星级96个、四星级142个、三星级127个，四星级以上党组织占65.2%。",
])
def test_figures_that_agree_or_are_not_linked(text):
    none(text, "ARITHMETIC")


def test_share_of_the_total_it_names():
    a, f = one("受理12345热线诉求522件，咨询类327件，占全部12345热线诉求的69.7%。", "ARITHMETIC")
    assert f.raw == "占全部12345热线诉求的69.7%" and "62.6%" in f.message


@pytest.mark.parametrize("text", [
    "全年共受理信访举报520件，其中检举控告类183件，占41.2%。",      # names no total: not checked
    "日均接待游客3.3万人次，其中外地游客2万人次，占全部游客的20%。",                  # a daily figure is no total
])
def test_shares_without_a_named_total_are_not_checked(text):
    none(text, "ARITHMETIC")


# ---------------------------------------------------------------- HEDGE_CONFLICT


def test_contradictory_and_redundant_hedges():
    a, found = run("慰问困难党员近800余人，培训干部约300人左右。", "HEDGE_CONFLICT")
    assert [(f.raw, f.start, f.end, f.severity) for f in found] == [
        ("近800余人", *at(a, "近800余人"), "medium"), ("约300人左右", *at(a, "约300人左右"), "low")]
    assert "矛盾" in found[0].message and "重复" in found[1].message


def test_single_hedges_and_recent_years():
    none("慰问困难党员近800人，化解隐患问题3500多个。最近二十多年来产量持续增长，近十多年来稳步发展。",
         "HEDGE_CONFLICT")


# ---------------------------------------------------------------- CONFLICTING_VALUES


def test_same_activity_with_two_values():
    text = ("2024年工作总结\n全年开展警示教育15次，班子成员开展廉政谈话136人次。\n一、主要做法\n"
            "（一）强化警示教育。\n全年开展警示教育12次，组织党员干部旁听庭审2次。")
    a, f = one(text, "CONFLICTING_VALUES")
    assert f.raw == "12次" and (f.start, f.end) == at(a, "12次")
    assert (f.other_start, f.other_end) == at(a, "15次") and f.other_doc == a.doc
    assert f.claims == ["15次", "12次"] and "开展警示教育" in f.message and "前文" in f.message


@pytest.mark.parametrize("text, first, later", [
    # the issue's own: the same statement, hedged figures that cannot both hold
    ("2023年工作总结\n一、主要工作\n全年完成接待任务300余批次，服务保障有力。\n二、工作成效\n"
     "局机关全年完成接待任务700余批次，受到好评。", "300余批次", "700余批次"),
    # the same count, said with and without its frame verb, the noun after the figure
    ("全县辖12个乡镇、186个行政村，总人口42万。\n一、主要工作\n全县15个乡镇全部实现通硬化路。", "12个", "15个"),
    ("一、主要工作\n全年开展警示教育15次，教育党员干部1200人次。\n二、主要成效\n开展了12次警示教育，警示震慑作用明显。",
     "15次", "12次"),
    # rounded figures: 1万 is not 2万
    ("一、主要工作\n免费实施1万名老年人白内障复明工程。\n二、主要成效\n免费实施2万名老年人白内障复明工程，成效明显。",
     "1万名", "2万名"),
])
def test_the_same_thing_counted_twice(text, first, later):
    a, f = one(text, "CONFLICTING_VALUES")
    assert (f.raw, (f.other_start, f.other_end)) == (later, at(a, first))


@pytest.mark.parametrize("text", [
    "今年以来开展警示教育12次。\n二、主要成效\n各支部开展警示教育15次。",                    # 各: another scope
    "2022年开展警示教育12次。\n二、主要成效\n2023年开展警示教育15次。",                     # different years
    "在监督检查中发现问题13个。\n二、专项整治\n在监督检查中发现问题2个。",                  # a generic object
    "全年开展警示教育12次。\n三、下一步打算\n计划开展警示教育20次。",                       # a plan
    "全年开展警示教育12次。\n二、主要成效\n开展警示教育10余次，教育党员干部。",             # hedge 10余 covers 12
    "全年完成接待任务300余批次，服务保障有力。\n二、工作成效\n全年完成接待任务320批次。",   # 300余 may be 320
    "一、主要工作\n培训基层干部1.2万人次，覆盖全部乡镇。\n二、主要成效\n培训基层干部12350人次。",  # rounding
    "新增上市公司5家，资本市场稳步发展。\n二、主要成效\n上市公司达162家，居全国前列。",     # a flow and a stock
    "截至2020年底，累计建成5G基站12万个。\n全年建成5G基站3万个，实现乡镇全覆盖。",          # cumulative
    "共有基层党组织96个，其中党支部86个。\n二、调研情况\n抽查党支部48个。\n"
    "抽查的48个党支部中，36个党支部“三会一课”落实到位。",                                       # parts, a subset
    "组织30名党员干部参观廉政教育基地。\n二、主要成效\n组织50名党员干部学习党章党规。",     # other activities
    # the period is set by the paragraph that opens with it
    "这五年，我们坚持就业优先，城镇新增就业超690万人。\n刚刚过去的2025年，全省上下稳中求进。\n"
    "民生保障有力，城镇新增就业141万人。",
    # a later clause speaks of the topic its statement opened with
    "全国高等学校新招生16.3万人，毕业学生6.4万人。中等专业学校新招生44.4万人，毕业学生17.9万人。",
    "城镇居民养老保险试点覆盖2147个县，1334万人参保，641万人领取养老金。"
    "农村养老保险试点覆盖2343个县，3.58亿人参保，9880万人领取养老金。",
    # a government work report plans “this year”
    "2026年某省政府工作报告\n一、2025年工作回顾\n城镇新增就业48万人，就业形势稳定。\n二、2026年重点工作\n"
    "今年经济社会发展的主要预期目标是：城镇新增就业45万人以上。\n城镇新增就业50万人。",
])
def test_values_distinguishable_by_scope(text):
    none(text, "CONFLICTING_VALUES")


# ---------------------------------------------------------------- YEAR_MISMATCH


def test_title_year_against_body_years():
    text = ("市农业农村局2024年模范机关创建工作总结\n2023年以来，局机关坚持党建引领。现将2023年模范机关创建工作情况总结如下。\n"
            "一、主要工作\n" + BODY + "\n二、下一步打算\n2024年，我们将继续深化模范机关创建。")
    a, f = one(text, "YEAR_MISMATCH")
    assert f.raw == "2024" and (f.start, f.end) == (a.raw.text.index("2024"), a.raw.text.index("2024") + 4)
    assert "2023" in f.message and f.severity == "high"


@pytest.mark.parametrize("text", [
    "市农业农村局2024年工作总结\n2024年以来，局机关坚持党建引领。对比2023年，各项指标稳步提升。2023年底启动的项目已完工。",
    "市农业农村局2024年工作总结\n今年以来，局机关坚持党建引领，2023年以来的成果得到巩固。",   # one mention, no plan
    "关于2024年模范机关创建的调研报告\n2023年以来，各单位扎实推进。2023年，全市开展创建。",   # a research report
])
def test_years_that_agree(text):
    none(text, "YEAR_MISMATCH")


# ---------------------------------------------------------------- MISSING_SECTION


def test_missing_sections_are_document_level():
    text = "市财政局2023年工作总结\n一、主要工作\n" + BODY + "\n二、存在问题\n" + BODY
    a, f = one(text, "MISSING_SECTION")
    assert (f.start, f.end, f.raw, f.section, f.sentence) == (-1, -1, "", "", "")
    assert "下一步打算" in f.message
    _, found = run("市财政局2023年工作总结\n" + BODY + "\n" + BODY + "\n" + BODY, "MISSING_SECTION")
    assert len(found) == 2 and "存在问题" in found[0].message


@pytest.mark.parametrize("text", [
    "2023年工作总结\n一、主要工作\n" + BODY + "\n二、存在问题\n" + BODY + "\n三、下一步打算\n" + BODY,
    # thematic headings are the results; problems and plans open paragraphs
    "2023年工作总结\n一、聚焦政治引领，建设政治坚定的模范机关\n" + BODY + "\n二、聚焦强基固本\n" + BODY
    + "\n但还存在一些不足，主要是学习不够深入。\n下一步，我们将继续深化模范机关创建。",
    "关于模范机关创建的调研报告\n一、基本情况\n" + BODY + "\n二、存在的问题\n" + BODY + "\n三、对策建议\n" + BODY,
    "2023年工作总结\n开展学习12次。",                                                  # too short to judge
])
def test_sections_present(text):
    none(text, "MISSING_SECTION")


# ---------------------------------------------------------------- the five seeds


def _seed(prefix):
    for name in sorted(os.listdir(SEEDS)):
        if name.startswith(prefix):
            return os.path.join(SEEDS, name)
    raise FileNotFoundError(prefix)


@pytest.fixture(scope="module")
def seeds():
    if not os.path.isdir(SEEDS):
        pytest.skip("../shared/seeds is not present (the real seed submissions live beside the project)")
    fw = load_framework("five-types")
    out = {}
    for prefix in ("000", "001", "002", "003", "004"):
        a = analyze_path(_seed(prefix))
        found = consistency.check(a, fw)
        for f in found:
            assert f.start < 0 or a.raw.text[f.start:f.end] == f.raw
        out[prefix] = (a, found)
    return out


def codes(found):
    return {f.code for f in found}


def test_seed_codes(seeds):
    # 000 and 002 report achievements only (no 存在问题 / 下一步 part) and keep ** masks;
    # 001 has X/XX masks and paywall markers; 002 has 近800余人; 003 is clean;
    # 004 has page debris, 20XX, a cut-off ending and so no 对策建议 part.
    assert {k: codes(v[1]) for k, v in seeds.items()} == {
        "000": {"PLACEHOLDER", "MISSING_SECTION"},
        "001": {"PLACEHOLDER", "ARTIFACT"},
        "002": {"PLACEHOLDER", "MISSING_SECTION", "HEDGE_CONFLICT"},
        "003": set(),
        "004": {"PLACEHOLDER", "ARTIFACT", "MISSING_SECTION"},
    }


def test_seed_001_placeholders_and_paywall(seeds):
    a, found = seeds["001"]
    ph = [f for f in found if f.code == "PLACEHOLDER"]
    assert (ph[0].raw, ph[0].start, ph[0].severity) == ("X", 0, "high")          # X市 in the title
    assert {"X", "XX", "X届X"} == {f.raw for f in ph}
    art = [f for f in found if f.code == "ARTIFACT"]
    assert [f.raw for f in art] == ["##paidbegin##"] and "##paidend##" in art[0].message


def test_seed_004_debris_years_and_cut_off_end(seeds):
    a, found = seeds["004"]
    years = [f for f in found if f.code == "PLACEHOLDER" and f.raw == "20XX"]
    assert len(years) == 4 and all(f.severity == "high" for f in years)
    art = [f for f in found if f.code == "ARTIFACT"]
    assert art[0].start == 0 and "购物车" in art[0].raw and "立即下载" in art[0].raw
    cut = art[-1]
    assert cut.raw.endswith("齐抓共管的工作") and cut.end == len(a.raw.text.rstrip())
    assert [f.message for f in found if f.code == "MISSING_SECTION"] and \
        "对策建议" in [f.message for f in found if f.code == "MISSING_SECTION"][0]


def test_seed_002_hedge_and_no_false_alarms(seeds):
    a, found = seeds["002"]
    hedges = [f for f in found if f.code == "HEDGE_CONFLICT"]
    assert [(f.raw, f.start, f.end) for f in hedges] == [("近800余人", *at(a, "近800余人"))]
    # 排查…3900余个…化解3500多个 is consistent; 创星率达100% is a legitimate rate; 7×24小时 is no mask
    assert not codes(found) & {"SUBSET_EXCEEDS", "PERCENT_RANGE", "ARITHMETIC", "PART_EXCEEDS_WHOLE"}
    assert "×" not in {f.raw for f in found}
