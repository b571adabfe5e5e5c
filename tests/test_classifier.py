"""The shipped sentence -> five-types dimension classifier (summaryscan.classifier).

Loads ``models/dimension-classifier.skops`` with skops and its explicit trusted list (no
pickle), checks sensible labels on sentences that are not in any labelled set, the card's
grouped cross-validation figures, and that retraining reproduces the shipped model exactly.
"""
import json
import zipfile
from collections import Counter

import numpy as np
import pytest
import skops.io as sio
from skops.io.exceptions import UntrustedTypesFoundException

from summaryscan import classifier as clf
from summaryscan.text.normalize import normalize

MODEL = clf.project_root() / "models" / clf.MODEL_FILENAME
CARD = clf.project_root() / "models" / clf.CARD_FILENAME
LABELS_FILE = clf.default_labels_path()

pytestmark = pytest.mark.skipif(not MODEL.is_file(), reason="the shipped model is missing; run summaryscan train")

# New sentences, written for this test and absent from corpus/labels/sentences.jsonl.
NEW_SENTENCES = {
    "政治型": ["市水务局党组坚持把“第一议题”学习作为党组会议首项内容，今年以来已学习19次并明确落实措施44条。",
              "县审计局制定意识形态工作责任清单，对局属网站和公众号发布内容实行三级审核。",
              "区粮食局认真抓好市委巡察反馈问题整改，制定整改措施35条，已完成整改33条。"],
    "学习型": ["市档案局理论学习中心组围绕数字档案建设开展专题学习研讨，班子成员逐一交流发言。",
              "县供销社举办党员干部教育培训班2期，培训党员96人次。",
              "区科技局开展“读书月”活动，组织青年干部分享读书心得。"],
    "高效型": ["市医保局窗口推行“一次告知、限时办结”，全年办理参保登记业务3.2万件。",
              "县商务局全年新引进外资项目4个，实际利用外资1.1亿美元。",
              "区水利局为辖区群众解决灌溉用水难题，修复渠道12公里。"],
    "廉洁型": ["市档案局组织全体干部到警示教育基地接受教育，观看违纪违法案例展览。",
              "县供销社纪检组对春节期间违规收送礼品礼金问题开展专项检查。",
              "区粮食局对粮食收购、仓储等环节开展廉政风险排查，梳理风险点18个。"],
    "活力型": ["市档案局工会组织干部职工开展“迎五一”健步走活动，80余人参加。",
               "县供销社党员志愿者走进敬老院开展义务理发和清扫服务。",
               "区科技局走访慰问生病住院干部和困难职工，送上慰问金1.2万元。"],
    "none": ["下一步，我们将继续深化清廉机关建设，推动廉洁文化入脑入心。",
             "个别干部学习主动性不强，理论学习的深度不够。",
             "坚持以人民为中心，把群众满意作为工作的出发点和落脚点。",
             "全局现有干部职工64人，其中党员52人。"],
}


@pytest.fixture(scope="module")
def model():
    return clf.load_model(MODEL)


@pytest.fixture(scope="module")
def card():
    from summaryscan.training.coverage import card_metrics
    return card_metrics(CARD)


# ---------------------------------------------------------------- loading, safely


def test_model_file_is_skops_not_pickle():
    with zipfile.ZipFile(MODEL) as z:
        names = z.namelist()
    assert "schema.json" in names
    assert not any(n.endswith((".pkl", ".pickle", ".joblib")) for n in names)


def test_trusted_list_is_exactly_the_untrusted_types():
    assert sorted(sio.get_untrusted_types(file=MODEL)) == sorted(clf.TRUSTED_TYPES)


def test_loads_with_explicit_trusted_list_and_refuses_without():
    pipe = sio.load(MODEL, trusted=list(clf.TRUSTED_TYPES))
    assert [str(c) for c in pipe.classes_] == sorted(clf.LABELS)
    with pytest.raises(UntrustedTypesFoundException):
        sio.load(MODEL, trusted=[])


def test_default_path_is_the_shipped_model():
    assert clf.default_model_path().resolve() == MODEL.resolve()


# ---------------------------------------------------------------- behaviour


def test_new_sentences_get_sensible_labels(model):
    texts, _ = clf.read_labels(LABELS_FILE)
    known = set(texts)
    sentences = [s for ss in NEW_SENTENCES.values() for s in ss]
    gold = [lab for lab, ss in NEW_SENTENCES.items() for _ in ss]
    assert not known & set(sentences), "test sentences must not be in the labelled set"
    pred = model.predict([normalize(s).text for s in sentences])
    wrong = [(s, g, p) for s, g, p in zip(sentences, gold, pred) if g != p]
    assert not wrong, wrong


def test_predict_dimensions_contract(model):
    out = model.predict_dimensions(["召开“两优一先”表彰大会，表彰优秀共产党员12名。", "现将有关情况报告如下。"])
    assert len(out) == 2
    for label, p in out:
        assert label in clf.LABELS
        assert isinstance(p, float) and 1 / len(clf.LABELS) <= p <= 1.0
    assert model.predict_dimensions([]) == []


def test_coverage_uses_the_model_where_rules_are_silent(model):
    from summaryscan.coverage import coverage
    from summaryscan.frameworks import load_framework
    from summaryscan.pipeline import analyze_text

    fw = load_framework("five-types")
    # no five-types phrase or pattern matches this sentence; the model says 活力型
    text = "2024年机关工作总结\n一、主要工作\n组织干部职工利用周末开展骑行活动，参加人数56人。\n"
    a = analyze_text(text, "riding.txt")
    target = [s.text for s in a.sentences if "骑行" in s.text]
    assert target and not any(i.matches(target[0]) for d in fw.dimensions for i in d.indicators)
    assert model.predict(target) == ["活力型"]
    rows = {c.dimension: c for c in coverage(a, fw, classifier=model)}
    assert rows["活力型"].covered and rows["活力型"].score > 0
    # labelled with the nearest indicator in plain Chinese, never a bare "model" tag
    names = {i.name for i in fw.dimension("活力型").indicators}
    assert rows["活力型"].evidence and rows["活力型"].evidence[0].indicators[0] in names
    assert not {c.dimension: c for c in coverage(a, fw)}["活力型"].covered


# ---------------------------------------------------------------- the data


def test_near_duplicates_are_grouped():
    assert len(set(clf.near_duplicate_groups(["局机关开展廉政谈话30人次。", "局机关开展廉政谈话32人次。",
                                               "组织干部职工开展健步走。"]))) == 2


def test_labelled_set_is_large_and_balanced():
    texts, labels = clf.read_labels(LABELS_FILE)
    counts = Counter(labels)
    assert len(texts) >= 600
    assert set(counts) == set(clf.LABELS)
    assert min(counts.values()) >= 100
    with open(LABELS_FILE, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    assert len(rows) == len({r["text"] for r in rows}), "exact duplicates in the labelled file"


# ---------------------------------------------------------------- the numbers


def test_card_reports_grouped_cv_on_real_documents_and_the_seeds(card):
    from summaryscan.training.coverage import data_hashes
    assert card["data_sha256"] == data_hashes(), "labels changed: run summaryscan train"
    cv = card["coverage_cv"]
    assert cv["real"]["cells"] >= 600 and cv["real"]["f1"] > card["coverage_rules_only"]["real"]["f1"]
    assert cv["sample"]["f1"] >= 0.9
    if card.get("seeds"):
        assert card["seeds"]["model"]["f1"] >= 0.9
    assert set(card["thresholds"]) == set(clf.LABELS) - {clf.NONE}
    text = CARD.read_text(encoding="utf-8")
    assert f"**{cv['real']['f1']:.3f}**" in text and "GroupKFold" in text
    assert f"scikit-learn {card['versions']['scikit-learn']}" in text


@pytest.mark.skipif(not (clf.project_root().parent / "shared" / "corpus").is_dir(),
                    reason="../shared is not present: the real labelled sentences read their texts there")
def test_retraining_reproduces_the_shipped_model(tmp_path, model, card):
    from summaryscan.training.coverage import card_metrics, train
    metrics = train(str(tmp_path))
    for key in ("thresholds", "coverage_cv", "coverage_rules_only", "seeds", "sentences_cv", "data_sha256"):
        assert metrics[key] == card[key], key
    sentences = [normalize(s).text for ss in NEW_SENTENCES.values() for s in ss]
    retrained = clf.load_model(tmp_path / clf.MODEL_FILENAME)
    np.testing.assert_allclose(retrained.predict_proba(sentences), model.predict_proba(sentences), rtol=0, atol=1e-9)
    assert card_metrics(tmp_path / clf.CARD_FILENAME)["coverage_cv"] == card["coverage_cv"]
    lean = clf.load_lean(tmp_path / clf.LEAN_FILENAME)
    assert lean.thresholds == clf.load_lean().thresholds


def test_the_lean_model_computes_what_scikit_learn_computes(model):
    """Batch workers use models/dimension-classifier.npz without importing scikit-learn."""
    texts = clf.read_labels(LABELS_FILE)[0] + [s for group in NEW_SENTENCES.values() for s in group] + ["", "   ", "２０２４年"]
    lean = clf.load_lean()
    assert lean.labels == model.labels
    expected = model.predict_proba(texts)
    got = lean.predict_proba(texts)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert lean.predict_dimensions(texts) == [(lab, pytest.approx(p, abs=1e-12))
                                              for lab, p in model.predict_dimensions(texts)]


def test_the_lean_export_refuses_what_it_cannot_compute(tmp_path):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from summaryscan.lean_model import export
    pipe = clf.build_pipeline()
    pipe.named_steps["features"].transformer_list[1] = ("chars", TfidfVectorizer(analyzer="char", norm=None))
    texts, labels = clf.read_labels(LABELS_FILE)
    pipe.fit(texts[:300], labels[:300])
    with pytest.raises(ValueError, match="chars"):
        export(pipe, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
