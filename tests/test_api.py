"""The researchers' API: DataFrames with the CSV columns and proper dtypes, the spaCy view, doctests."""
import doctest
import os

import pandas as pd
import pytest

import summaryscan as ss
import summaryscan.api
from summaryscan.report.tables import CLAIM_COLUMNS, DOCUMENT_COLUMNS, SECTION_COLUMNS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_api_doctests_pass():
    result = doctest.testmod(summaryscan.api, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0


@pytest.fixture(scope="module")
def corpus():
    return ss.read([os.path.join(ROOT, "corpus")])


def test_read_returns_every_document_with_typed_tables(corpus):
    docs = corpus.documents
    assert list(docs.columns) == DOCUMENT_COLUMNS
    assert len(docs) == len([f for f in os.listdir(os.path.join(ROOT, "corpus"))
                             if f.endswith((".txt", ".docx", ".pdf"))])
    assert str(docs["year"].dtype) == "Int64" and str(docs["chars"].dtype) == "Int64"
    assert set(docs["format"]) == {"txt", "docx", "pdf"}
    assert list(corpus.sections.columns) == SECTION_COLUMNS
    claims = corpus.claims
    assert list(claims.columns) == CLAIM_COLUMNS
    assert pd.api.types.is_float_dtype(claims["value"]) and str(claims["start"].dtype) == "Int64"
    pdf_claims = claims[claims["doc"].str.endswith(".pdf")]
    assert pdf_claims["page"].notna().all() and (pdf_claims["page"] >= 1).all()


def test_offsets_point_into_each_documents_text(corpus):
    for _, row in corpus.claims.sample(40, random_state=0).iterrows():
        assert corpus[row["doc"]].text[row["start"]:row["end"]] == row["raw"]


def test_spacy_doc_has_claims_as_a_span_group(corpus):
    d = corpus[0]
    doc = d.spacy
    spans = doc.spans["claims"]
    assert len(spans) == len(d.analysis.claims)
    first = d.analysis.claims[0]
    assert first.raw in spans[0].text and spans[0]._.value == first.value and spans[0]._.unit == first.unit
    assert doc.spans["sections"]
    html = d.render(jupyter=False)
    assert first.kind in html and first.raw.rstrip("个次人名项") in html   # displaCy shows the labelled claim


def test_check_returns_coverage_and_findings_frames(corpus):
    r = corpus.check("five-types")
    assert set(r.coverage["dimension"]) == {"政治型", "学习型", "高效型", "廉洁型", "活力型"}
    assert r.coverage["covered"].dtype == bool
    assert {"PLACEHOLDER", "NUMBERING"} <= set(r.findings["code"])


def test_keywords_by_document_section_and_dimension(corpus):
    for by in ("document", "section", "dimension"):
        kw = corpus.keywords(by=by, top=5)
        assert list(kw.columns) == ["key", "keyword", "weight"] and len(kw) > 0
        assert not kw["keyword"].isin(["工作", "开展", "个", "人次"]).any()
    dims = corpus.keywords(by="dimension", top=5)
    assert set(dims["key"]) == {"政治型", "学习型", "高效型", "廉洁型", "活力型"}
    assert corpus[0].keywords(top=3, method="textrank")


def test_bad_keyword_grouping_is_a_clear_error(corpus):
    with pytest.raises(ValueError, match="document"):
        corpus.keywords(by="paragraph")


def test_similar_finds_the_planted_copies(corpus):
    pairs = corpus.similar()
    assert {tuple(sorted(p)) for p in pairs[["doc_a", "doc_b"]].values.tolist()} == {
        ("01_caizhengju_zongjie.txt", "02_renshe_zongjie.txt"), ("06_jiaotong_shuzhi.docx", "11_sifa_zongjie.txt")}
    for _, p in pairs.iterrows():
        assert corpus[p["doc_a"]].text[p["start_a"]:p["end_a"]] == p["text_a"]


def test_render_reads_as_chinese(corpus):
    """No spaces between words, every number whole with its unit, paragraphs and headings kept."""
    import re
    d = corpus["01_caizhengju_zongjie.txt"]
    html = d.render(jupyter=False)
    text = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    shown = __import__("html").unescape(re.sub(r"<[^>]+>", "", text))
    assert shown == d.text                                   # nothing added, nothing lost: no spaces, no labels
    assert re.search(r'<mark class="claim"[^>]*data-kind="money"[^>]*>42\.6亿元</mark>', html)
    marks = re.findall(r'<mark class="claim"[^>]*>(.*?)</mark>', html, re.S)
    assert marks == [c.raw for c in d.analysis.claims]
    assert html.count("\n") >= d.text.count("\n") > 10      # paragraphs kept
    assert '<span class="heading">一、' in html


def test_check_gives_each_score_and_where_its_points_came_from(corpus):
    r = corpus.check("five-types")
    assert r.scores["score"].between(0, 100).all() and len(r.scores) == len(corpus)
    for doc, lines in r.breakdown.groupby("doc"):
        total = r.scores.set_index("doc").loc[doc, "score"]
        assert abs(lines["points"].sum() - total) < 0.15
    assert "TEMPLATE_COPY" in set(r.findings["code"])         # copy detection, as the CLI's check
    assert "TEMPLATE_COPY" not in set(corpus.check("five-types", copies=False).findings["code"])
