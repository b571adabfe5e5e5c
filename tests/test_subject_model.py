"""The subject model's run-time scorer against its definition, and the word lattice it reads.

``SubjectModel.best_all`` scores all candidates of a document in array operations;
``SubjectModel.score`` adds up the weights of ``ClaimWindow.keys`` one candidate at a
time. On real text (the shared gold reports and seeds) the two must list the same
candidates with the same scores, and ``best_all`` must choose the argmax. The lattice
must give ``segment.tokens`` word for word.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from summaryscan.claims import subject_model as sm
from summaryscan.claims.scan import scan
from summaryscan.text import segment
from summaryscan.text.lattice import HashIndex, hash_strings, lattice
from summaryscan.text.normalize import normalize

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _real_texts(limit_chars: int = 400_000) -> list[str]:
    """Texts of the shared gold reports and seeds (read there, never copied)."""
    paths = sorted((SHARED / "gold-reports" / "docs").glob("*.txt")) + sorted((SHARED / "seeds").glob("*.txt"))
    if not paths:
        pytest.skip("../shared (gold-reports, seeds) is absent")
    out, total = [], 0
    for p in paths:
        text = p.read_text(encoding="utf-8-sig")
        out.append(text)
        total += len(text)
        if total > limit_chars:
            break
    return out


@pytest.fixture(scope="module")
def model():
    m = sm.load()
    if m is None:
        pytest.skip("models/subject-model.npz is absent")
    return m


@pytest.fixture(scope="module")
def real_docs():
    docs = []
    for text in _real_texts():
        clean = normalize(text).text
        found = scan(clean)
        if found:
            docs.append(sm.DocTokens(clean, found))
    return docs


def test_run_time_scores_are_the_definition(model, real_docs):
    """Every candidate the run-time scorer lists is the definition's, in its order, with
    the same score (to 1e-9), and the choice is the definition's argmax (the first on a tie)."""
    claims = candidates = 0
    for doc in real_docs:
        got = model.scores(doc)
        fast: dict[int, list] = {}
        if got is not None:
            q, side, i, j, start, end, v = got
            for k in range(len(q)):
                fast.setdefault(int(q[k]), []).append((("LR"[side[k]], int(start[k]), int(end[k]), int(i[k]), int(j[k])),
                                                       float(v[k])))
        best = model.best_all(doc)
        for idx in range(len(doc.found)):
            win = doc.window(idx)
            cands = win.candidates()
            ref = [(tuple(c), model.score(win, c)) for c in cands]
            mine = fast.get(idx, [])
            assert [c for c, _ in mine] == [c for c, _ in ref], (doc.text[doc.starts[idx] - 20:doc.starts[idx] + 5])
            assert np.allclose([x for _, x in mine], [x for _, x in ref], rtol=0, atol=1e-9)
            if cands:
                top = max(range(len(ref)), key=lambda k: ref[k][1])
                assert best[idx] == cands[top]
            else:
                assert best[idx] is None
            claims += 1
            candidates += len(cands)
    assert claims >= 300 and candidates >= 10 * claims


def test_best_of_one_claim_is_its_best_among_all(model, real_docs):
    doc = real_docs[0]
    every = model.best_all(doc)
    for idx in range(0, len(doc.found), 7):
        assert model.best(doc.window(idx)) == every[idx]
    # any subset of the claims, in any order
    some = list(range(len(doc.found)))[::3][::-1]
    assert model.best_all(doc, some) == [every[k] for k in some]


def test_the_saved_arrays_are_the_weights(model, tmp_path):
    """``to_arrays`` / ``from_arrays`` keep every key and weight, and a model made from the
    weights scores as the shipped one."""
    weights = model.w
    back = sm.from_arrays(sm.to_arrays(weights))
    assert back == weights
    np.savez(tmp_path / "m.npz", **sm.to_arrays(weights))
    again = sm.load(str(tmp_path / "m.npz"))
    text = "全市受理信访举报1200件，同比减少12%，其中网络举报占35.2%。"
    doc = sm.DocTokens(text, scan(text))
    assert again.best_all(doc) == model.best_all(doc) == sm.SubjectModel(weights).best_all(doc)


def test_windows_stay_in_the_sentence_and_the_clause():
    text = "上年完成投资100亿元。全市规模以上工业增加值增长8.5%，其中高技术制造业增长12%，占比达到30%以上。"
    doc = sm.DocTokens(text, scan(text))
    for idx, f in enumerate(doc.found):
        win = doc.window(idx)
        left = "".join(w for w, _ in win.left)
        right = "".join(w for w, _ in win.right)
        assert "。" not in left and len(left) <= sm.BACK
        assert text[f[0] - len(left):f[0]] == left                 # ends at the number
        assert not set(right) & set(sm._BREAKS) and len(right) <= sm.AHEAD
        assert text[f[3]:f[3] + len(right)] == right                # starts after the unit


def test_no_claim_or_no_candidate(model):
    assert model.best_all(sm.DocTokens("为民服务。", [])) == []
    for text in ("12%", "，12%", "的12%。"):                # nothing a subject may start with
        found = scan(text)
        assert found and model.best_all(sm.DocTokens(text, found)) == [None] * len(found)


# ------------------------------------------------------------------ the lattice


@pytest.mark.parametrize("text", [
    "全省规模以上工业增加值增长8.5%，社会消费品零售总额增长6.2%。",
    "推动35项“高效办成一件事”重点事项落地，《政府工作报告》确定的任务全面完成。",
    "研究生命起源和南京市长江大桥，中华人民共和国成立七十五周年。",
    "GDP增长5.2%，CPI上涨0.2%，5G基站达到3.5万个，B超检查2000人次。",
    "𠀋𠀌的字在基本平面之外，〇一二三与①②③，全角１２３。",
    "“未闭合的引号，以及《未闭合的书名号。",
    "增长\x0012%，共\x00计3次“引\x00号”内",              # a NUL is a character like any other
    "",
    "。。，，\n\n",
])
def test_the_lattice_gives_jiebas_words(text):
    spans = [(0, len(text))] if text else []
    tok = lattice().segment(text, spans)
    names = lattice().tag_names
    got = [(text[a:b], names[t]) for a, b, t in zip(tok.start.tolist(), tok.end.tolist(), tok.tag.tolist())]
    assert got == list(segment.tokens(text))
    # a dictionary word is named by its entry, any other token by the hash of its text
    lex = segment.dictionary()
    for (word, _), entry, h in zip(got, tok.entry.tolist(), tok.hash.tolist()):
        if entry >= 0:
            assert lex.word(entry) == word and h == 0
        else:
            assert h == int(hash_strings([word])[0])


def test_the_lattice_gives_jiebas_words_on_real_text():
    """Sentences of real reports, segmented together as disjoint stretches of one text."""
    lat = lattice()
    names = lat.tag_names
    for text in _real_texts(150_000):
        clean = normalize(text).text
        spans, at = [], 0
        for k, piece in enumerate(clean.split("。")):
            if k % 3 != 2 and piece:                       # leave gaps between the stretches
                spans.append((at, at + len(piece)))
            at += len(piece) + 1
        tok = lat.segment(clean, spans)
        first = tok.first.tolist()
        for k, (a, b) in enumerate(spans):
            got = tuple((clean[s:e], names[t]) for s, e, t in zip(tok.start[first[k]:first[k + 1]].tolist(),
                                                                  tok.end[first[k]:first[k + 1]].tolist(),
                                                                  tok.tag[first[k]:first[k + 1]].tolist()))
            assert got == segment.tokens(clean[a:b]), clean[a:b]


def test_hash_index_finds_what_it_holds_and_nothing_else():
    words = [f"词{k}" for k in range(5000)] + ["a", "", "中华人民共和国"]
    index = HashIndex(hash_strings(words))
    assert (index.find(hash_strings(words)) == np.arange(len(words))).all()
    assert (index.find(hash_strings(["不在", "词5000", "b"]), -7) == -7).all()
    # a crowded table: hashes that all fall in one bucket, most of them kept aside
    from summaryscan.text import lattice as lattice_module
    unmix = pow(int(lattice_module._MIX), -1, 1 << 64)
    same_bucket = np.array([((7 << 58) | k) * unmix % (1 << 64) for k in range(100)], np.uint64)
    crowded = HashIndex(np.concatenate([same_bucket, hash_strings(words)]))
    assert len(crowded.spill) > 80
    assert (crowded.find(same_bucket) == np.arange(100)).all()
    assert (crowded.find(hash_strings(words)) == np.arange(100, 100 + len(words))).all()
    assert crowded.find(np.array([((7 << 58) | 100) * unmix % (1 << 64)], np.uint64))[0] == -1


def _pieces(texts: list[str], seed: int = 5) -> list[str]:
    """The texts, and pieces of them cut anywhere (mid-sentence, mid-word): documents that
    start and end without punctuation, as small as a paragraph."""
    import random
    rnd = random.Random(seed)
    out = list(texts)
    for t in texts:
        k = 0
        while k < len(t):
            n = rnd.randint(40, 3000)
            out.append(t[k:k + n])
            k += n
    return out


def test_many_documents_in_one_pass_get_the_subjects_of_one_at_a_time(model):
    """``analyze_many`` (the subject model over many documents at once, as the workers run it)
    gives every claim of every document the subject, span, sentence and section that
    ``analyze_raw`` of the document alone gives, whatever the documents beside it."""
    import random
    from summaryscan.pipeline import analyze_many, analyze_raw
    from summaryscan.records import RawDocument
    from summaryscan.ingest import load
    project = [load(str(p)).text for p in sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*.txt"))]
    try:
        shared = _real_texts(200_000)
    except pytest.skip.Exception:       # the project's own sample corpus still runs
        shared = []
    texts = _pieces(project + shared)
    texts += ["", "无数据的一句话", "共3人\n", "\n\n增长5%"]             # edges: empty, no claim, a bare start
    raw = lambda i: RawDocument(path=f"d{i}.txt", doc=f"d{i}.txt", format="txt", text=texts[i])   # noqa: E731

    def sig(a):
        return a.raw.status, [(c.start, c.end, c.value, c.unit, c.subject, c.sentence, c.section) for c in a.claims]
    alone = [sig(analyze_raw(raw(i))) for i in range(len(texts))]
    least = 600 if shared else 300
    assert sum(len(s[1]) for s in alone) > least and sum(bool(c[4]) for s in alone for c in s[1]) > least * 3 // 4
    order = list(range(len(texts)))
    random.Random(7).shuffle(order)
    for size in (2, 9, 64):
        together = {}
        for k in range(0, len(order), size):
            chunk = order[k:k + size]
            together.update(zip(chunk, map(sig, analyze_many([raw(i) for i in chunk]))))
        assert [together[i] for i in range(len(texts))] == alone, f"batches of {size}"
