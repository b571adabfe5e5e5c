"""Copy detection across submissions (TEMPLATE_COPY): summaryscan.similarity."""
import json
import os
import random
from difflib import SequenceMatcher
from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pytest

from summaryscan.pipeline import analyze_text
from summaryscan.runner import run_batch
from summaryscan.records import STATUS_EMPTY, RawDocument
from summaryscan.similarity import (CODE, NUM_MARK, UNIT_MARK, CopyDetector, CopyPair, copy_findings,
                                    find_copies, mask_text, pairs_to_findings, permuted,
                                    shingle_hashes, shingle_values, similarity_matrix)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(os.path.dirname(ROOT), "shared", "seeds")
CORPUS = os.path.join(ROOT, "corpus")

# ---------------------------------------------------------------- texts

SLOGANS = ("坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻党的二十大和二十届二中、三中全会精神，"
           "深刻领悟“两个确立”的决定性意义，增强“四个意识”、坚定“四个自信”、做到“两个维护”，"
           "紧扣建设“让党中央放心、让人民群众满意”的模范机关目标，")
DISCIPLINE = ("严格落实中央八项规定及其实施细则精神，驰而不息纠治“四风”，一体推进不敢腐、不能腐、不想腐，"
              "坚定不移推进全面从严治党，")

# The paragraph copied in test 1: in A as written, in B with the unit name, the
# heading number and every figure swapped.
P_A = ("（二）深化“一支部一品牌”建设。以市财政局机关党委为统筹，指导12个党支部结合预算编制、国库支付、政府采购等业务特点，"
       "逐一梳理职责清单，提炼形成“预算先锋”“国库卫士”等特色品牌，全年开展品牌展示交流活动6场次，评选示范党支部3个，"
       "推动党建工作与业务工作同谋划、同部署、同考核，党员干部在重点任务中亮身份、作表率、当先锋的氛围日益浓厚。")
P_B = ("（三）深化“一支部一品牌”建设。以区人力资源和社会保障局机关党委为统筹，指导九个党支部结合预算编制、国库支付、政府采购等业务特点，"
       "逐一梳理职责清单，提炼形成“预算先锋”“国库卫士”等特色品牌，全年开展品牌展示交流活动十一场次，评选示范党支部两个，"
       "推动党建工作与业务工作同谋划、同部署、同考核，党员干部在重点任务中亮身份、作表率、当先锋的氛围日益浓厚。")

FINANCE = (
    "市财政局机关党委2024年创建模范机关工作总结\n\n"
    "2024年，市财政局机关党委" + SLOGANS + "扎实推进机关党的建设各项工作。现将有关情况总结如下。\n"
    "一、强化政治引领，筑牢思想根基\n"
    "（一）严格落实“第一议题”制度。全年召开党组会议“第一议题”学习26次，研究提出贯彻落实措施41条，"
    "逐项明确责任处室和完成时限，做到件件有回音、事事有着落。\n"
    + P_A + "\n"
    "二、夯实基层基础，提升组织力\n"
    "局机关现有党支部12个、党员156名。严格执行“三会一课”、主题党日等制度，全年开展支部书记述职评议1次，"
    "对3个后进支部实行挂牌督导，按期完成4个支部换届。结合政府采购和资产管理岗位特点，建立廉政风险防控台账，"
    "排查风险点87个，制定防控措施112条。\n"
    "三、存在的不足和下一步打算\n"
    "对照模范机关标准仍有差距：理论学习与财政业务结合还不够紧密，个别支部活动形式较为单一，青年干部教育管理需要进一步加强。"
    "下一步，我们将聚焦预算绩效管理改革，推动党建与业务深度融合，为全市经济社会高质量发展提供坚实财力保障。\n")

HR = (
    "区人力资源和社会保障局2024年度模范机关创建工作情况报告\n\n"
    "今年以来，区人力资源和社会保障局党组围绕稳就业、保民生中心任务，把模范机关创建作为一把手工程，"
    "坚持以党建带队建、促业务，各项工作取得新进展。\n"
    "一、聚焦就业优先，推动党建业务融合\n"
    "围绕高校毕业生、农民工等重点群体，组织党员干部深入企业走访，举办线上线下招聘会47场，帮助2300余名群众实现就业。"
    "开通社保经办“绿色通道”，推行“一窗通办”，窗口平均等候时间由25分钟缩短至12分钟。\n"
    "二、加强支部建设，激发党员活力\n"
    + P_B + "\n"
    "三、从严管理监督，锻造过硬队伍\n"
    "紧盯社保基金管理、职业技能培训补贴发放等关键环节，开展专项检查4轮，追回违规领取的待遇资金18.6万元。"
    "组织全体干部职工到警示教育基地参观学习，观看警示教育片，签订廉洁承诺书，以案为鉴、以案促改。\n")

EDUCATION = (
    "县教育局机关2024年创建模范机关工作总结\n\n"
    "一年来，县教育局党组" + SLOGANS + "聚焦立德树人根本任务，推动机关党建与教育改革发展同频共振。\n"
    "一、抓实理论武装\n"
    "坚持周一集中学习制度，领导班子成员深入联系学校讲授专题党课18次，组织机关干部赴乡村学校开展“送教下乡”活动，"
    "覆盖偏远教学点23个。开展师德师风专项整治，查处违规有偿补课问题5起，通报典型案例2批次。\n"
    "二、抓细作风建设\n"
    + DISCIPLINE + "对校舍维修、营养改善计划等资金使用情况开展专项审计，整改问题14个，"
    "建立教育经费使用负面清单。落实“双减”政策，建立课后服务经费保障机制，课后服务覆盖率达到100%。\n"
    "三、下一步工作\n"
    "我们将继续深化县域内城乡学校共同体建设，推进义务教育优质均衡发展，让每个孩子都能享有公平而有质量的教育。\n")

TAX = (
    "市税务局机关2024年模范机关建设工作汇报\n\n"
    "市税务局党委" + SLOGANS + "以“智慧税务”建设为牵引，持续优化税费服务。\n"
    "一、以党建引领便民办税\n"
    "在全市办税服务厅设立党员示范岗31个，推行“首问负责、一次告知、限时办结”，全年办理退税业务8.2万笔，"
    "纳税人满意度测评得分98.6分。组建青年突击队深入园区企业宣讲组合式税费支持政策，开展“春风行动”专场辅导46场。\n"
    "二、以严管厚爱锻造队伍\n"
    + DISCIPLINE + "聚焦税务执法风险，运用内控监督平台对异常数据开展疑点核查，"
    "推动执法、服务、监管全流程留痕。开展青年干部“成长导师制”，为新入职干部配备业务导师27名。\n")

ECOLOGY = (
    "区生态环境局2024年度创建模范机关工作总结\n\n"
    "区生态环境局党组把模范机关创建与打好污染防治攻坚战结合起来，围绕中心、建设队伍、服务群众。\n"
    "一、党建引领攻坚\n"
    "成立大气污染防治、河湖长制等6个党员攻坚队，对辖区重点排污单位开展“双随机”执法检查132家次，"
    "立案查处环境违法案件19起。全年细颗粒物平均浓度同比下降6.3%，优良天数比例达到87.4%。\n"
    "二、服务发展大局\n"
    "推行环评审批“容缺受理”，为重大项目开辟绿色通道，平均审批时限压缩至法定时限的一半。"
    "组织党员走进社区和学校开展生态文明宣讲，发放宣传资料一万余份。\n")

# A template passage three units fill in with their own name and figures (test 4).
TEMPLATE = ("下一步，{unit}将继续以模范机关创建为统领，坚持问题导向、目标导向、结果导向，"
            "对照年初确定的{n}项重点任务逐项开展“回头看”，建立问题清单、责任清单、整改清单，"
            "实行销号管理、动态更新；同时健全机关党建考核评价机制，把创建成效纳入年度绩效考核，"
            "确保各项措施落地见效。")


def with_template(doc: str, unit: str, n: str) -> str:
    return doc + TEMPLATE.format(unit=unit, n=n) + "\n"


def locate(text: str, passage: str) -> tuple[int, int]:
    i = text.index(passage)
    return i, i + len(passage)


def overlaps(span, other) -> bool:
    return span[0] < other[1] and other[0] < span[1]


# ---------------------------------------------------------------- masking and signatures

def test_mask_numbers_unit_names_and_punctuation():
    raw = "市财政局机关党委指导12个党支部，评选示范党支部三个；区人力资源和社会保障局完成1,234.5万元。"
    m = mask_text(raw)
    shown = m.text.replace(NUM_MARK, "#").replace(UNIT_MARK, "@")
    assert shown == "@指导#个党支部评选示范党支部#个@完成#元"
    # every masked character maps back to the raw text it stands for
    i = m.text.index(UNIT_MARK)
    assert raw[m.starts[i]:m.ends[i]] == "市财政局机关党委"
    j = shown.rindex("#")
    assert raw[m.starts[j]:m.ends[j]] == "1,234.5万"
    # a sentence end (；。) follows 个 and 元, nothing but a comma or nothing follows the others
    assert [i for i in range(len(shown)) if m.breaks[i]] == [shown.index("个@"), len(shown) - 1]


def test_mask_folds_width_and_script_and_ignores_line_breaks():
    a = mask_text("全年開展警示教育８次，覆蓋黨員幹部５６０人次。")
    b = mask_text("全年开展警示教育\n10次，覆盖党员\n干部730人次。")
    assert a.text == b.text


def test_window_signatures_are_datasketch_minhashes():
    from datasketch import LeanMinHash, MinHash
    h64 = shingle_hashes(mask_text(P_A).text, 5)
    values = shingle_values(h64)
    sig = permuted(values, 128, 1).min(axis=0)
    m = MinHash(num_perm=128, seed=1, hashfunc=int)
    m.update_batch([int(v) for v in values])
    assert np.array_equal(sig, m.hashvalues)
    lean = LeanMinHash(seed=1, hashvalues=sig, scheme="affine32")
    assert lean.jaccard(LeanMinHash(m)) == 1.0


# ---------------------------------------------------------------- 1: a copied paragraph

def test_copied_paragraph_with_unit_and_numbers_swapped_is_found():
    det = CopyDetector().fit([("finance.txt", FINANCE), ("hr.txt", HR), ("edu.txt", EDUCATION)])
    pairs = det.pairs()
    assert len(pairs) == 1, pairs
    p = pairs[0]
    assert (p.doc_a, p.doc_b) == ("finance.txt", "hr.txt")
    assert FINANCE[p.span_a[0]:p.span_a[1]] == p.text_a
    assert HR[p.span_b[0]:p.span_b[1]] == p.text_b
    # the whole paragraph, and nothing of its neighbours, on both sides
    assert p.span_a == locate(FINANCE, P_A)
    assert p.span_b == locate(HR, P_B)
    assert p.similarity >= 0.95
    assert p.chars >= 120 and p.length >= 160
    assert p.severity == "high"


def test_findings_one_per_side_pointing_at_each_other():
    pairs = find_copies([("finance.txt", FINANCE), ("hr.txt", HR)])
    fs = pairs_to_findings(pairs)
    assert [f.doc for f in fs] == ["finance.txt", "hr.txt"]
    fa, fb = fs
    assert {f.code for f in fs} == {CODE} and {f.severity for f in fs} == {"high"}
    assert (fa.start, fa.end, fa.other_doc, fa.other_start, fa.other_end) == \
        (*locate(FINANCE, P_A), "hr.txt", *locate(HR, P_B))
    assert (fb.start, fb.end, fb.other_doc, fb.other_start, fb.other_end) == \
        (*locate(HR, P_B), "finance.txt", *locate(FINANCE, P_A))
    assert fa.raw == P_A and fb.raw == P_B
    # each message quotes the other passage, for the side-by-side view
    assert P_B in fa.message and P_A in fb.message and "照抄照搬" in fa.message
    assert copy_findings([("finance.txt", FINANCE), ("hr.txt", HR)]) == fs


def test_analyses_give_section_paths_and_unreadable_ones_are_skipped():
    a = analyze_text(FINANCE, "finance.txt")
    b = analyze_text(HR, "hr.txt")
    empty = RawDocument(path="x.doc", doc="x.doc", format="doc", status=STATUS_EMPTY)
    det = CopyDetector().fit([a, b, analyze_text("", "blank.txt"), empty])
    assert det.docs_ == ["finance.txt", "hr.txt"]
    (p,) = det.pairs()
    assert p.span_a == locate(FINANCE, P_A)
    assert p.section_a.startswith("一、强化政治引领")
    assert p.section_b.startswith("二、加强支部建设")
    assert det.findings()[0].section == p.section_a


def test_copy_in_a_pdf_like_text_maps_back_to_the_raw_offsets():
    # the copy was extracted from a PDF without rejoining: a line break every 30 characters,
    # full-width digits and a traditional character
    wrapped = P_B.replace("两个", "兩个").replace("十一", "１１")
    wrapped = "\n".join(wrapped[i:i + 30] for i in range(0, len(wrapped), 30))
    other = HR.replace(P_B, wrapped)
    (p,) = find_copies([("finance.txt", FINANCE), ("hr.pdf", other)])
    assert p.span_b == locate(other, wrapped)
    assert p.text_b == wrapped and p.similarity >= 0.95


# ---------------------------------------------------------------- 2: shared slogans

def test_documents_quoting_the_same_slogans_are_not_paired():
    docs = [("edu.txt", EDUCATION), ("tax.txt", TAX)]
    shared = SequenceMatcher(None, EDUCATION, TAX, autojunk=False).find_longest_match()
    assert shared.size >= 100          # the slogans they both quote, word for word
    assert find_copies(docs) == []
    # it is the discount of common phrases that keeps them apart
    assert find_copies(docs, phrases=[]) != []


def test_a_long_quotation_both_documents_cite_is_not_a_copy():
    quote = ("“机关干部要把心思用在干事业上，把功夫下在抓落实上，坚持实事求是、真抓实干，"
             "以钉钉子精神推动各项工作落地生根，决不能做表面文章。”")
    a = ECOLOGY + "总书记强调：" + quote + "我们要以此为镜，对标对表抓整改。\n"
    b = TAX + "正如总书记所指出的，" + quote + "全局上下务必牢记于心、践之于行。\n"
    assert find_copies([("eco.txt", a), ("tax.txt", b)]) == []
    (p,) = find_copies([("eco.txt", a), ("tax.txt", b)], min_quote=None)
    assert quote[1:-1] in p.text_a


def test_shingles_in_most_documents_of_a_run_are_common():
    # eight unrelated submissions, all opening with the same 150-character frame
    frame = ("市直机关各单位认真学习贯彻市委关于机关党建工作的部署要求，以创建“让党中央放心、让人民群众满意”的模范机关为目标，"
             "压紧压实管党治党政治责任，推动机关党建工作质量全面提升，为全市经济社会高质量发展提供坚强保证。")
    bodies = [FINANCE, HR, EDUCATION, TAX, ECOLOGY]
    docs = [(f"d{i}.txt", frame + "\n" + bodies[i % 5][40 * (i // 5):]) for i in range(8)]
    det = CopyDetector().fit(docs)
    assert all(not overlaps(p.span_a, (0, len(frame))) for p in det.pairs())
    # ... while with a high document-frequency cut the frame is a copied passage
    loose = CopyDetector(common_df=1.0).fit(docs)
    assert any(overlaps(p.span_a, (0, len(frame))) for p in loose.pairs())


# ---------------------------------------------------------------- 3: too short

def test_shared_passage_shorter_than_50_characters_is_not_a_copy():
    short = "组织青年干部开展“岗位练兵、业务比武”活动，评选业务能手和服务标兵十名，激发干事创业热情。"
    assert len(short) == 45
    a = ECOLOGY + short + "\n"
    b = TAX + short.replace("十名", "8名") + "\n"
    assert find_copies([("eco.txt", a), ("tax.txt", b)]) == []
    # it is found, and measured to the character, when shorter passages are asked for
    (p,) = find_copies([("eco.txt", a), ("tax.txt", b)], min_chars=40)
    assert p.text_a == short and p.chars == 45
    # the same sentence with a second one copied along is long enough
    longer = short + "建立青年干部成长档案，实行一人一册、动态更新。"
    (p,) = find_copies([("eco.txt", ECOLOGY + longer + "\n"), ("tax.txt", TAX + longer + "\n")])
    assert p.text_a == longer and p.chars == len(longer) and p.severity == "medium"


# ---------------------------------------------------------------- 4: one template, three documents

def three_template_docs():
    return [("finance.txt", with_template(FINANCE, "局机关党委", "12")),
            ("edu.txt", with_template(EDUCATION, "县教育局党组", "九")),
            ("eco.txt", with_template(ECOLOGY, "区生态环境局党组", "15"))]


def test_template_shared_by_three_documents_pairs_all_three():
    docs = three_template_docs()
    pairs = find_copies(docs)
    assert sorted((p.doc_a, p.doc_b) for p in pairs) == [
        ("edu.txt", "eco.txt"), ("finance.txt", "eco.txt"), ("finance.txt", "edu.txt")]
    text = dict(docs)
    for p in pairs:
        for doc, span, passage in ((p.doc_a, p.span_a, p.text_a), (p.doc_b, p.span_b, p.text_b)):
            assert text[doc][span[0]:span[1]] == passage
            assert passage.endswith("确保各项措施落地见效。")
            assert "坚持问题导向、目标导向、结果导向" in passage
        assert p.similarity >= 0.9


def test_datasketch_backend_finds_the_same_pairs():
    docs = three_template_docs() + [("hr.txt", HR), ("tax.txt", TAX)]
    fast = CopyDetector().fit(docs)
    lsh = CopyDetector(backend="datasketch").fit(docs)
    assert lsh.pairs() == fast.pairs()
    assert lsh.n_candidates_ == fast.n_candidates_


def test_similarity_matrix_comes_from_copied_passages():
    docs = three_template_docs() + [("tax.txt", TAX)]
    det = CopyDetector().fit(docs)
    names, m = det.similarity_matrix()
    assert names == ["finance.txt", "edu.txt", "eco.txt", "tax.txt"]
    assert m.shape == (4, 4) and np.allclose(m, m.T) and np.allclose(np.diag(m), 1)
    # the template is most of the short ecology summary, a smaller share of the others
    assert 0.2 < m[1, 2] < 0.6 and 0.2 < m[0, 2] < 0.6
    # tax shares slogans with education, and nothing counts
    assert m[3, :3].tolist() == [0, 0, 0]
    names2, m2 = similarity_matrix(docs, mode="min")
    assert names2 == names and (m2 <= m + 1e-12).all() and m2[0, 1] > 0
    # the top rows only (a large run's heatmap): tax, which copies nothing, is left out
    top_names, top = det.similarity_matrix(top=3)
    assert top_names == names[:3] and np.array_equal(top, m[:3, :3])


def test_detector_api():
    det = CopyDetector()
    with pytest.raises(RuntimeError):
        det.pairs()
    with pytest.raises(TypeError):
        det.fit([42])
    with pytest.raises(ValueError):
        CopyDetector(num_perm=100, bands=16).fit([])
    assert CopyDetector().fit([]).pairs() == []
    assert CopyDetector().fit([("one.txt", FINANCE)]).pairs() == []
    fitted = CopyDetector().fit(three_template_docs())
    # the fitted state holds the passages, not the documents
    assert not any(isinstance(v, str) and len(v) > 1000 for v in vars(fitted).values())
    assert set(fitted.timings_) == {"common", "signatures", "lsh", "verify"}
    assert isinstance(fitted.pairs()[0], CopyPair)


# ---------------------------------------------------------------- 5: the real seeds

@pytest.mark.skipif(not os.path.isdir(SEEDS), reason="../shared/seeds is not present (the dev set lives beside the project)")
def test_real_seeds_share_no_passage():
    paths = sorted(os.path.join(SEEDS, f) for f in os.listdir(SEEDS) if f.endswith(".txt"))
    assert len(paths) == 5
    analyses = list(run_batch(paths, progress=False))
    det = CopyDetector().fit(analyses)
    # Checked by hand and below: the longest passage any two seeds share, numbers and unit
    # names masked, is 24 characters (学习贯彻习近平新时代中国特色社会主义思想 and the like).
    assert det.pairs() == []
    masked = [mask_text(a.raw.text).text for a in analyses]
    for x, y in combinations(masked, 2):
        assert SequenceMatcher(None, x, y, autojunk=False).find_longest_match().size < 30
    names, m = det.similarity_matrix()
    assert np.allclose(m, np.eye(5))


# ---------------------------------------------------------------- 6: scale

_UNITS = ["财政局", "人社局", "教育局", "税务局", "交通运输局", "生态环境局", "市场监管局", "住建局", "农业农村局", "司法局"]
_VERBS = ["加强", "推进", "深化", "落实", "健全", "完善", "强化", "提升", "优化", "规范", "压实", "抓好", "巩固", "夯实"]
_ADVS = ["扎实", "持续", "全面", "深入", "切实", "积极", "认真", "着力", "大力", "稳步"]
_OBJS = ["机关党建", "支部建设", "作风建设", "廉政教育", "业务培训", "制度体系", "考核机制", "意识形态工作", "青年理论学习",
         "志愿服务", "政务服务", "基层减负", "风险防控", "干部队伍", "党员教育管理", "调查研究", "督查督办", "信息公开",
         "安全生产", "预算管理", "窗口服务", "数字化转型", "结对共建", "谈心谈话", "述职评议", "专题党课", "警示教育",
         "主题党日", "岗位练兵", "文明创建", "法治宣传", "信访接待", "资产管理", "内部审计", "绩效评价"]
_RESULTS = ["取得明显成效", "质效不断提升", "形成长效机制", "得到群众认可", "走在全市前列", "氛围日益浓厚", "水平稳步提高"]
_ACTS = ["组织", "开展", "举办", "召开", "印发", "排查", "整改", "走访"]
_EVENTS = ["专题学习", "集中研讨", "业务比武", "交流座谈", "实地调研", "督导检查", "案例剖析", "廉政谈话", "政策宣讲"]


def _clause(rng):
    r = rng.random()
    if r < 0.3:
        return rng.choice(_ADVS) + rng.choice(_VERBS) + rng.choice(_OBJS)
    if r < 0.55:
        return f"{rng.choice(_ACTS)}{rng.choice(_EVENTS)}{rng.randint(2, 99)}{rng.choice('次场项条个期')}"
    if r < 0.8:
        return rng.choice(_OBJS) + rng.choice(_RESULTS)
    return f"推动{rng.choice(_OBJS)}与{rng.choice(_OBJS)}深度融合"


def generated_document(rng, i, chars=5000):
    """A submission of random stock clauses: same genre, no passage shared by design."""
    lines = [f"{rng.choice('市县区')}{rng.choice(_UNITS)}2024年创建模范机关工作总结（{i}）", ""]
    n = 0
    while n < chars:
        if rng.random() < 0.1:
            lines.append(SLOGANS + rng.choice(_OBJS) + rng.choice(_RESULTS) + "。")
        para = "".join("，".join(_clause(rng) for _ in range(rng.randint(2, 5))) + "。"
                       for _ in range(rng.randint(3, 7)))
        lines.append(para)
        n += len(para)
    return "\n".join(lines)


def test_scale_300_generated_documents():
    rng = random.Random(2024)
    docs = [[f"gen{i:03d}.txt", generated_document(rng, i)] for i in range(300)]
    # plant the copied paragraph and the template into a few of them
    docs[17][1] += "\n" + P_A
    docs[230][1] += "\n" + P_B
    docs[40][1] = docs[40][1][:2000] + "\n" + TEMPLATE.format(unit="市住建局党组", n="8") + "\n" + docs[40][1][2000:]
    docs[41][1] += "\n" + TEMPLATE.format(unit="县司法局党组", n="十")
    det = CopyDetector().fit([tuple(d) for d in docs])
    assert sorted((p.doc_a, p.doc_b) for p in det.pairs()) == [("gen017.txt", "gen230.txt"),
                                                              ("gen040.txt", "gen041.txt")]
    assert det.n_windows_ > 50_000
    assert det.n_common_shingles_ > 1000        # the stock clauses of the genre are discounted

    # streamed: read item by item from a sequence, 40 documents in memory at a time,
    # common shingles from 150 of the 300: the same passages
    source = CountingTexts([tuple(d) for d in docs])
    streamed = CopyDetector(block=40, max_df_docs=150).fit(source)
    assert streamed.pairs() == det.pairs()
    assert streamed.coverage_ == det.coverage_
    assert streamed.n_common_shingles_ > 1000
    assert source.iterated == 0 and source.reads > 2 * len(docs)   # re-read, never listed


class CountingTexts(Sequence):
    """(doc, text) items served one at a time, as a store on disk would."""

    def __init__(self, items):
        self._items = items
        self.reads = 0
        self.iterated = 0

    def __len__(self):
        return len(self._items)

    def __getitem__(self, i):
        self.reads += 1
        return self._items[i]

    def __iter__(self):
        self.iterated += 1
        return super().__iter__()


# ---------------------------------------------------------------- the sample corpus

@pytest.mark.skipif(not os.path.isfile(os.path.join(CORPUS, "answers.jsonl")),
                    reason="corpus/answers.jsonl is not present")
def test_corpus_planted_copies_found_and_nothing_else():
    analyses = list(run_batch([CORPUS], progress=False))
    texts = {a.doc: a.raw.text for a in analyses}
    with open(os.path.join(CORPUS, "answers.jsonl"), encoding="utf-8") as fh:
        answers = [r for r in map(json.loads, fh) if r.get("code") == CODE]
    assert answers
    det = CopyDetector().fit(analyses)
    pairs = det.pairs()
    matched = set()
    for r in answers:
        want_a = locate(texts[r["doc"]], r["raw"])
        want_b = locate(texts[r["other_doc"]], r["other_raw"])
        hits = [k for k, p in enumerate(pairs)
                if ((p.doc_a, p.doc_b) == (r["doc"], r["other_doc"])
                    and overlaps(p.span_a, want_a) and overlaps(p.span_b, want_b))
                or ((p.doc_b, p.doc_a) == (r["doc"], r["other_doc"])
                    and overlaps(p.span_b, want_a) and overlaps(p.span_a, want_b))]
        assert hits, (r, pairs)
        matched.update(hits)
    assert matched == set(range(len(pairs))), [pairs[k] for k in range(len(pairs)) if k not in matched]
    findings = det.findings()
    assert len(findings) == 2 * len(pairs)
    for f in findings:
        assert texts[f.doc][f.start:f.end] == f.raw
        assert f.other_doc in texts and 0 <= f.other_start < f.other_end


@pytest.mark.parametrize("limit", [1, 5, 40, 1 << 18])
def test_pairs_are_made_in_slices_even_inside_one_big_group(limit):
    """A passage thousands of documents share makes one group of millions of window pairs;
    they are made a slice at a time, and the slices hold every pair exactly once."""
    from summaryscan.similarity import _group_pairs, _pair_slices
    size = np.array([2, 3, 60, 2, 17, 4])
    gstart = np.concatenate(([0], np.cumsum(size)[:-1]))
    want = sorted(zip(*(x.tolist() for x in _group_pairs(gstart, size))))
    slices = list(_pair_slices(gstart, size, limit))
    got = sorted(p for li, ri in slices for p in zip(li.tolist(), ri.tolist()))
    assert got == want and len(want) == 1 + 3 + 60 * 59 // 2 + 1 + 17 * 16 // 2 + 6
    if limit == 40:
        assert max(len(li) for li, _ in slices) <= 40 + 59        # a slice: the limit and one row at most


def test_candidates_merged_as_they_come_are_the_same(monkeypatch):
    """Pairs made a few at a time and merged into those found every few codes give the
    same candidates and copies as made at once."""
    import summaryscan.similarity as sim
    docs = three_template_docs() + [("hr.txt", HR), ("tax.txt", TAX)]
    whole = CopyDetector().fit(docs)
    monkeypatch.setattr(sim, "_PAIR_CHUNK", 2)
    monkeypatch.setattr(sim, "_MERGE_AT", 3)
    bits = CopyDetector().fit(docs)
    assert whole.n_candidates_ > 3
    assert bits.n_candidates_ == whole.n_candidates_ and bits.pairs() == whole.pairs()


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 7), (256, 2024)])
def test_permutations_are_datasketchs(num_perm, seed):
    """Drawn without importing datasketch, and the same as its affine32 MinHash draws."""
    from datasketch import MinHash
    from summaryscan.similarity import _permutations
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    mine = _permutations(num_perm, seed)
    assert mine[0].dtype == mine[1].dtype == np.uint32
    assert np.array_equal(mine[0], a) and np.array_equal(mine[1], b)


def test_copy_detection_does_not_import_datasketch():
    import subprocess
    import sys
    code = ("import sys; from summaryscan.similarity import find_copies; "
            "find_copies([('a.txt', '开展谈心谈话65人次，发现问题13个。' * 9), ('b.txt', '开展谈心谈话65人次，发现问题13个。' * 9)]); "
            "print('datasketch' in sys.modules, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
