"""The sample corpus (corpus/) against its answer file: every planted consistency
problem is found, with the right code, where the answer says, and nothing else
is flagged in those documents.

Answer lines (corpus/answers.jsonl) are ``{"doc", "code", "raw", ...}``; lines with
``"type": "coverage"`` are for the coverage stage and TEMPLATE_COPY lines for the
cross-document check, so both are left out here.  A finding matches an answer
when it has the answer's code and its raw span overlaps an occurrence of the
answer's ``raw`` in the extracted text; MISSING_SECTION (a document-level
finding) matches by code; CONFLICTING_VALUES is a relation between two places,
so its second place (``other_start``/``other_end``) may be the one the answer marks.
"""
import json
import os
from collections import defaultdict

import pytest

from summaryscan import consistency
from summaryscan.frameworks import load_framework
from summaryscan.pipeline import analyze_path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "corpus")
ANSWERS = os.path.join(CORPUS, "answers.jsonl")
LATER = {"TEMPLATE_COPY"}          # cross-document: another check

pytestmark = pytest.mark.skipif(not os.path.isfile(ANSWERS), reason="corpus/answers.jsonl is not present")


def _answers():
    by_doc = defaultdict(list)
    with open(ANSWERS, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            ans = json.loads(line)
            if ans.get("type") == "coverage" or ans.get("code") in LATER:
                continue
            by_doc[ans["doc"]].append(ans)
    return by_doc


ANSWERS_BY_DOC = _answers() if os.path.isfile(ANSWERS) else {}


def _corpus_docs():
    if not os.path.isdir(CORPUS):
        return []
    return sorted(f for f in os.listdir(CORPUS)
                  if os.path.splitext(f)[1].lower() in (".txt", ".docx", ".pdf"))


@pytest.fixture(scope="module")
def framework():
    return load_framework("five-types")


def _spans(text, raw):
    out, i = [], text.find(raw)
    while raw and i >= 0:
        out.append((i, i + len(raw)))
        i = text.find(raw, i + 1)
    return out


def _overlaps(f, spans):
    places = [(f.start, f.end)]
    if f.other_start >= 0 and f.other_doc in ("", f.doc):
        places.append((f.other_start, f.other_end))
    return any(s < e2 and s2 < e for s, e in places for s2, e2 in spans)


def _matches(f, ans, text):
    if f.code != ans["code"]:
        return False
    if ans["code"] == "MISSING_SECTION":
        return True
    return _overlaps(f, _spans(text, ans["raw"]))


@pytest.mark.parametrize("doc", _corpus_docs())
def test_corpus_document(doc, framework):
    a = analyze_path(os.path.join(CORPUS, doc))
    assert a.raw.ok, a.raw.message
    text = a.raw.text
    findings = consistency.check(a, framework)
    for f in findings:
        assert f.start < 0 or text[f.start:f.end] == f.raw
    answers = ANSWERS_BY_DOC.get(doc, [])
    for ans in answers:
        if ans["code"] != "MISSING_SECTION":
            assert _spans(text, ans["raw"]), f"answer raw {ans['raw']!r} not in the extracted text of {doc}"
    missed = [ans for ans in answers if not any(_matches(f, ans, text) for f in findings)]
    extra = [f for f in findings if not any(_matches(f, ans, text) for ans in answers)]
    assert not missed, "not found: " + "; ".join(f"{m['code']} {m['raw']!r}" for m in missed)
    assert not extra, "flagged but not planted: " + "; ".join(f"{f.code} {f.raw!r} {f.message}" for f in extra)


def test_every_answer_names_a_corpus_document():
    docs = set(_corpus_docs())
    assert set(ANSWERS_BY_DOC) <= docs, set(ANSWERS_BY_DOC) - docs
