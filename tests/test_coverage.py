"""Framework coverage: unit behaviour and the five-types F1 against the hand labels."""
import glob
import json
import os

import pytest

from summaryscan.coverage import coverage
from summaryscan.frameworks import load_framework
from summaryscan.pipeline import analyze_path, analyze_text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


@pytest.fixture(scope="module")
def five():
    return load_framework("five-types")


def by_dim(a, fw):
    return {c.dimension: c for c in coverage(a, fw)}


def test_concrete_work_is_evidence_with_its_section_and_numbers(five):
    a = analyze_text("一、主要做法\n（一）从严开展纪律教育。组织党员干部参观警示教育基地，开展警示教育23次，受教育干部288人次。")
    c = by_dim(a, five)["廉洁型"]
    # one concrete sentence covers the dimension; it backs one indicator of the five the grade counts
    assert c.covered and c.score == pytest.approx(1 / five.scoring.indicator_target)
    assert c.evidence[0].text.startswith("组织党员干部参观警示教育基地")
    assert c.evidence[0].section.startswith("一、主要做法 > （一）")
    assert c.quantified_evidence >= 1
    assert not by_dim(a, five)["活力型"].covered


def test_slogans_plans_and_problems_are_not_evidence(five):
    a = analyze_text(
        "一、存在问题\n廉政文化建设还不够深入，警示教育形式单一。\n"
        "二、下一步打算\n我们将继续开展警示教育，加强廉政文化建设。\n"
        "在“创建廉洁型模范机关”中，对单位违纪问题区分情况进行扣分。")
    assert not by_dim(a, five)["廉洁型"].covered


def test_bonus_and_deduction_items_found(five):
    # matched by the score (frameworks.scoring.adjustments); assess() names them on the coverage rows
    from summaryscan.pipeline import assess
    a = analyze_text("我局在年度机关党建责任制考核中被评为优秀等次。组织开展警示教育3次。")
    assert {c.dimension: c for c in assess(a, five).coverage}["政治型"].bonus


def test_every_dimension_has_a_row_even_for_unreadable_documents(five):
    from summaryscan.records import RawDocument
    from summaryscan.pipeline import analyze_raw
    a = analyze_raw(RawDocument(path="x.doc", doc="x.doc", format="doc", status="unsupported"))
    rows = coverage(a, five)
    assert [r.dimension for r in rows] == five.dimension_names() and not any(r.covered for r in rows)


@pytest.mark.skipif(not os.path.isfile(os.path.join(SHARED, "gold", "coverage.jsonl")),
                    reason="../shared/gold is not present (the dev set lives beside the project)")
def test_five_types_coverage_f1_on_seeds(five):
    gold = {(g["doc"], g["dimension"]): g["covered"]
            for g in map(json.loads, open(os.path.join(SHARED, "gold", "coverage.jsonl"), encoding="utf-8"))}
    tp = fp = fn = 0
    for path in sorted(glob.glob(os.path.join(SHARED, "seeds", "*.txt"))):
        a = analyze_path(path)
        for c in coverage(a, five):
            g = gold[(a.doc, c.dimension)]
            tp += g and c.covered
            fp += c.covered and not g
            fn += g and not c.covered
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.85, (precision, recall, f1)


@pytest.fixture(scope="module")
def model():
    from summaryscan.classifier import load_lean
    return load_lean()


def test_a_bare_heading_is_never_evidence(five, model):
    a = analyze_text("2024年工作总结\n三、加强廉政建设，打造清廉机关\n组织党员干部到警示教育基地参观学习，观看警示教育片3部。\n")
    c = {c.dimension: c for c in coverage(a, five, model)}["廉洁型"]
    assert c.covered
    assert all(not e.text.startswith("三、") for e in c.evidence)


def test_headings_name_their_dimensions_for_the_sentences_below(five):
    from summaryscan.coverage import heading_dimensions
    a = analyze_text("一、强化政治引领，建设政治型机关\n（一）坚持第一议题制度。局党组学习12次。\n二、其他工作\n完成任务。\n")
    named = heading_dimensions(a, five)
    assert named[a.sections[0].id] == {"政治型"}
    assert "政治型" in named[a.sections[1].id]            # inherited by the sub-heading


def test_grades_separate_the_sample_submissions(five, model):
    """The grade is the share of a dimension's indicators backed by evidence: the sample
    corpus gets many distinct values, not a near-binary 1.00."""
    scores = []
    for path in sorted(glob.glob(os.path.join(ROOT, "corpus", "*.*"))):
        if path.endswith((".md", ".jsonl")):
            continue
        a = analyze_path(path)
        if a.raw.ok:
            scores += [c.score for c in coverage(a, five, model)]
    assert len(set(scores)) >= 5
    assert sum(s == 1.0 for s in scores) < len(scores) / 2


@pytest.mark.skipif(not os.path.isfile(os.path.join(SHARED, "gold", "coverage.jsonl")),
                    reason="../shared/gold is not present (the dev set lives beside the project)")
def test_five_types_coverage_f1_on_seeds_with_the_model(five, model):
    gold = {(g["doc"], g["dimension"]): g["covered"]
            for g in map(json.loads, open(os.path.join(SHARED, "gold", "coverage.jsonl"), encoding="utf-8"))}
    pairs = []
    for path in sorted(glob.glob(os.path.join(SHARED, "seeds", "*.txt"))):
        a = analyze_path(path)
        pairs += [(c.covered, gold[(a.doc, c.dimension)]) for c in coverage(a, five, model)]
    tp = sum(p and g for p, g in pairs)
    precision = tp / sum(p for p, _ in pairs)
    recall = tp / sum(g for _, g in pairs)
    assert 2 * precision * recall / (precision + recall) >= 0.90, (precision, recall)
