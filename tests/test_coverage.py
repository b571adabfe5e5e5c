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
    assert c.covered and c.score >= five.scoring.covered_threshold
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
    a = analyze_text("我局在年度机关党建责任制考核中被评为优秀等次。组织开展警示教育3次。")
    assert by_dim(a, five)["政治型"].bonus


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
