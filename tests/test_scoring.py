"""The score: a stated 0–100 scale from the framework's YAML, each point traced to the
sentence or finding behind it, one sentence earning at most one bonus item."""
from __future__ import annotations

import os

import pytest

import summaryscan as ss
from summaryscan.frameworks import FrameworkError, load_framework
from summaryscan.frameworks.scoring import adjustments, problems, score
from summaryscan.pipeline import analyze_text, assess
from summaryscan.records import Finding

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
FW = load_framework("five-types")

HONOURS = "我局在年度机关党建责任制考核中被评为优秀等次，全市综合考核获评优秀，4个党支部被评为五星级党支部。"


def items(a, kind="bonus"):
    return [(h.item, h.sentence) for h in adjustments(a, FW) if h.kind == kind]


# --------------------------------------------------------------------------- #
# bonus and deduction items
# --------------------------------------------------------------------------- #

def test_one_sentence_earns_at_most_one_bonus_item():
    # one sentence naming three honours of two dimensions earns one item, the one worth most
    a = analyze_text("市财政局2024年工作总结\n一、主要成效\n" + HONOURS + "\n")
    got = items(a)
    assert len(got) == 1 and got[0][0] == "年度机关党建责任制考核优秀"
    # a second sentence naming one of them: it takes that item, the first keeps its best one
    b = analyze_text("市财政局2024年工作总结\n一、主要成效\n" + HONOURS + "\n全市综合考核获评优秀等次。\n")
    got = items(b)
    assert {i for i, _ in got} == {"年度机关党建责任制考核优秀", "全市综合考核优秀"}
    assert len({s for _, s in got}) == len(got)                 # two items, two sentences


def test_items_are_assigned_for_the_most_points():
    # greedy by sentence would give the first sentence the 2-point item and lose the second's:
    # sentence 1 can take either item, sentence 2 only the 2-point one
    a = analyze_text("市财政局2024年工作总结\n一、主要成效\n"
                     "4个党支部被评为五星级党支部，局机关党建责任制考核获评优秀。\n"
                     "年度机关党建责任制考核被评为优秀。\n")
    got = dict(items(a))
    assert set(got) == {"年度机关党建责任制考核优秀", "星级党组织评比"}
    assert got["年度机关党建责任制考核优秀"] != got["星级党组织评比"]


@pytest.mark.parametrize("text", [
    "在“创建政治型模范机关”中，将年度机关党建责任制考核优秀作为加分项。",      # the rules, not the unit
    "下一步，力争在年度机关党建责任制考核中获评优秀等次。",                      # an intention
    "二、存在问题\n去年党建责任制考核获评优秀后，工作有所松懈。",                 # under a heading of problems
])
def test_a_bonus_is_earned_only_by_a_fact_about_the_unit(text):
    a = analyze_text("市财政局2024年工作总结\n一、主要成效\n组织开展警示教育3次。\n" + text + "\n")
    assert items(a) == []


def test_a_deduction_counts_where_it_is_stated_but_not_when_the_unit_did_the_inspecting():
    a = analyze_text("市财政局2024年工作总结\n一、主要成效\n开展“四风”问题明察暗访5轮，发现并督促整改问题11个。\n"
                     "二、存在问题\n我局意识形态工作受到市委通报批评1次。\n")
    got = items(a, "deduction")
    assert [i for i, _ in got] == ["意识形态工作受到通报批评"]
    assert a.sentence_text(got[0][1]).startswith("我局意识形态工作")


# --------------------------------------------------------------------------- #
# problems and the scale
# --------------------------------------------------------------------------- #

def test_findings_that_are_one_problem_cost_once():
    fs = [Finding("a.txt", "PLACEHOLDER", "medium", f"残留占位符“X”（第{i}处）", raw="X", start=10 * i, end=10 * i + 1)
          for i in range(17)]
    fs += [Finding("a.txt", "PLACEHOLDER", "high", "年份占位符", raw="20XX", start=500, end=504)]
    fs += [Finding("a.txt", "TEMPLATE_COPY", "high", "雷同", raw=f"段{i}", start=600 + i, end=700 + i,
                   other_doc="b.txt", other_start=i, other_end=100 + i) for i in range(3)]
    fs += [Finding("a.txt", "CONFLICTING_VALUES", "medium", m, raw=r, start=s, end=s + 3, other_start=5, other_end=8)
           for m, r, s in (("前文为15次，此处为16次", "16次", 800), ("前文为3个，此处为4个", "4个", 900))]
    got = problems(fs)
    assert [(p["code"], p["count"], p["severity"]) for p in got] == [
        ("PLACEHOLDER", 17, "medium"), ("PLACEHOLDER", 1, "high"), ("TEMPLATE_COPY", 3, "high"),
        ("CONFLICTING_VALUES", 1, "medium"), ("CONFLICTING_VALUES", 1, "medium")]
    b = score(FW, {d.name: 1.0 for d in FW.dimensions}, [], got)
    pen = FW.scoring.penalties
    assert b["penalty"] == pen["medium"] * 3 + pen["high"] * 2


def test_scale_caps_floor_and_every_point_accounted_for():
    sc = FW.scoring
    assert sc.coverage_points + sc.bonus_cap == 100
    full = {d.name: 1.0 for d in FW.dimensions}
    bonus = [{"kind": "bonus", "dimension": "政治型", "item": f"项{i}", "points": 2.0, "text": f"句{i}", "start": i,
              "end": i + 1} for i in range(7)]                                       # 14 points, cap 10
    b = score(FW, full, bonus, [])
    assert b["score"] == 100 and b["bonus_points"] == sc.bonus_cap
    assert [ln for ln in b["lines"] if ln["kind"] == "cap"][0]["points"] == -(14 - sc.bonus_cap)
    assert round(sum(ln["points"] for ln in b["lines"]), 6) == b["score"]
    # many problems: the penalty stops at its cap; nothing: the score stops at 0
    many = [{"code": "ARITHMETIC", "severity": "high", "count": 1, "message": str(i), "start": i, "end": i + 1}
            for i in range(20)]
    deduct = [{"kind": "deduction", "dimension": "廉洁型", "item": f"扣{i}", "points": 4.0, "text": "", "start": -1,
               "end": -1} for i in range(8)]
    b = score(FW, {d.name: 0.3 for d in FW.dimensions}, deduct, many)
    assert b["penalty"] == sc.penalty_cap and b["deduction_points"] == sc.deduction_cap
    assert b["score"] == 0 and any(ln["kind"] == "floor" for ln in b["lines"])
    assert round(sum(ln["points"] for ln in b["lines"]), 6) == 0
    # coverage shares the coverage points by the dimensions' weights
    half = score(FW, {FW.dimensions[0].name: 1.0}, [], [])
    w = [d.weight for d in FW.dimensions]
    assert half["score"] == pytest.approx(sc.coverage_points * w[0] / sum(w), abs=0.05)


def test_a_scale_that_does_not_add_up_to_100_is_an_error_on_its_line(tmp_path):
    p = tmp_path / "mine.yaml"
    p.write_text("id: mine\nname: 我的框架\nscoring:\n  coverage_points: 80\n  bonus_cap: 10\n"
                 "dimensions:\n  - id: a\n    name: 甲\n    indicators:\n"
                 "      - {id: x, name: 学习, phrases: [集中学习]}\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as e:
        load_framework(str(p))
    assert "mine.yaml:3" in str(e.value) and "100" in str(e.value)


# --------------------------------------------------------------------------- #
# real submissions: the sample corpus and the seeds
# --------------------------------------------------------------------------- #

def _check_scores(paths: list[str]) -> tuple[int, int]:
    """Every score within 0..100 and every bonus or deduction point traced to one sentence of
    its document, each sentence earning at most one bonus item; (documents, bonus items)."""
    c = ss.read(paths)
    r = c.check("five-types")
    assert len(r.scores) == sum(d.analysis.raw.ok for d in c) > 0
    assert r.scores["score"].between(0, 100).all(), r.scores
    n_bonus = 0
    for doc, lines in r.breakdown.groupby("doc", sort=False):
        a = c[doc].analysis
        total = r.scores.set_index("doc").loc[doc, "score"]
        assert round(lines["points"].sum(), 1) == pytest.approx(total, abs=0.15)
        sentences = {(s.start, s.end): s for s in a.sentences}
        used = set()
        for _, ln in lines[lines["kind"].isin(["bonus", "deduction"])].iterrows():
            span = (int(ln["start"]), int(ln["end"]))
            assert span in sentences, (doc, ln["label"])                  # one sentence of the document
            assert ln["text"] == a.raw.text[span[0]:span[1]].strip()     # shown as it stands
            if ln["kind"] == "bonus":
                assert span not in used, (doc, ln["text"])                # at most one bonus item per sentence
                used.add(span)
                n_bonus += 1
        bonus = lines.loc[lines["kind"] == "bonus", "points"].sum()
        assert r.scores.set_index("doc").loc[doc, "bonus_points"] == min(bonus, FW.scoring.bonus_cap)
    return len(r.scores), n_bonus


def test_scores_on_the_sample_corpus_are_bounded_and_traced():
    docs, n_bonus = _check_scores([os.path.join(ROOT, "corpus")])
    assert docs == 14 and n_bonus >= 3


@pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED, "seeds")),
                    reason="../shared/seeds is not present (the dev set lives beside the project)")
def test_scores_on_the_seeds_are_bounded_and_traced():
    docs, n_bonus = _check_scores([os.path.join(SHARED, "seeds")])
    assert docs == 5 and n_bonus >= 3


def test_coverage_rows_name_the_items_the_score_counts():
    a = analyze_text("市财政局2024年工作总结\n一、主要成效\n" + HONOURS + "\n")
    got = assess(a, FW)
    named = [(c.dimension, b) for c in got.coverage for b in c.bonus]
    assert named == [(h.dimension, h.item) for h in got.adjustments if h.kind == "bonus"]
