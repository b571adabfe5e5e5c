"""The segmentation lexicon: jieba's dictionary and the domain words read from a prebuilt cache.

The cache must give exactly jieba's segmentation (with the domain dictionary) and tags,
be built deterministically in the user's cache folder (never in the package), and be
rebuilt when missing or damaged.
"""
from __future__ import annotations

import glob
import json
import os
import random
import subprocess
import sys

import pytest

from summaryscan.text import segment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


def real_texts() -> list[str]:
    """The project's sample submissions, and when ../shared is there the real seeds and a
    spread of the shared corpus (government reports, official documents)."""
    texts = []
    for path in sorted(glob.glob(os.path.join(ROOT, "corpus", "**", "*.txt"), recursive=True)):
        with open(path, "rb") as fh:
            texts.append(fh.read().decode("utf-8", "replace"))
    for path in sorted(glob.glob(os.path.join(SHARED, "seeds", "*.txt"))):
        with open(path, encoding="utf-8-sig") as fh:
            texts.append(fh.read())
    for path in sorted(glob.glob(os.path.join(SHARED, "corpus", "wikisource-gwr", "*.jsonl")))[:3]:
        with open(path, encoding="utf-8") as fh:
            texts += [json.loads(line).get("content") or "" for line in fh if line.strip()][:20]
    return [t for t in texts if t.strip()]


@pytest.fixture(scope="module")
def texts():
    return real_texts()


def test_words_are_jiebas_precise_mode_with_the_domain_words(texts):
    """``words`` gives ``jieba.lcut(text, HMM=False)`` of jieba with the domain dictionary, word
    for word, on real text (punctuation, Latin letters, digits, spaces and line breaks included)."""
    jieba_dt = segment.tokenizer()
    assert sum(map(len, texts)) > 20_000
    for text in texts:
        assert segment.words(text) == jieba_dt.lcut(text, HMM=False)


def test_tokens_carry_jiebas_tags(texts):
    """POS tags are posseg's dictionary tags with the domain tags over them (``x`` for none),
    on windows of real text."""
    pseg = segment.load()
    import jieba
    tags = dict(pseg.dt.word_tag_tab)
    tags.update(jieba.dt.user_word_tag_tab)
    rng = random.Random(7)
    windows = []
    for text in texts:
        for _ in range(30):
            i = rng.randrange(max(1, len(text) - 20))
            windows.append(text[i:i + rng.randint(2, 20)])
    checked = 0
    for w in windows:
        for word, tag in segment.tokens(w):
            if tag in ("m", "eng", "nq"):         # ASCII runs and quoted stretches: tagged by the layer
                continue
            assert tag == tags.get(word, "x"), (w, word, tag)
            checked += 1
    assert checked > 1000


def test_opens_word_reads_the_dictionary():
    assert segment.opens_word("中心组学习")
    assert segment.opens_word("签约项目", 2, 30)          # 签约: a common word
    assert not segment.opens_word("约30个")
    freq = segment.dictionary().freq
    assert freq("中心") > 0 and freq("理论学习中心组") == 100      # a domain word, as its line gives it
    assert freq("理论学习中") == 0                                  # a prefix of a word only
    assert freq("中心组学习会") is None


def test_the_cache_is_built_once_in_the_user_cache_folder_and_the_same_every_time(tmp_path):
    """Built on first use into $SUMMARYSCAN_CACHE_DIR, byte for byte the same when built again,
    read (not rebuilt) by the next process, and nothing written inside the package."""
    package = os.path.dirname(segment.__file__)
    before = sorted(os.listdir(package))
    env = dict(os.environ, SUMMARYSCAN_CACHE_DIR=str(tmp_path / "cache"))
    code = ("from summaryscan.text import segment; import sys; "
            "lex = segment.dictionary(); print(segment.cache_path()); print(len(lex))")
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    path, count = first.stdout.split()
    assert os.path.dirname(path) == str(tmp_path / "cache") and int(count) > 300_000
    built = os.stat(path).st_mtime_ns
    with open(path, "rb") as fh:
        data = fh.read()
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert again.stdout.split()[0] == path and os.stat(path).st_mtime_ns == built, "read, not rebuilt"
    other = tmp_path / "other.bin"
    segment.build_cache(str(other))
    assert other.read_bytes() == data, "the same inputs give the same bytes"
    assert sorted(os.listdir(package)) == before


def test_a_damaged_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARYSCAN_CACHE_DIR", str(tmp_path))
    path = segment.cache_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(b"summaryscan-lexicon\n{\"format\": 3")          # cut off mid-header
    segment.dictionary.cache_clear()
    try:
        lex = segment.dictionary()
        assert lex.freq("中心") == segment.Lexicon.from_bytes(open(path, "rb").read()).freq("中心") > 0
    finally:
        segment.dictionary.cache_clear()


def test_the_cache_key_follows_the_domain_words(monkeypatch):
    """A changed domain dictionary is a new cache file, never a stale one."""
    key = segment.cache_key()
    real = segment.lexicon.read

    def more_words(name):
        text = real(name)
        return text + "新增领域词 100 n\n" if name == "domain_words.txt" else text
    monkeypatch.setattr(segment.lexicon, "read", more_words)
    assert segment.cache_key() != key


def test_the_memo_stays_bounded(texts, monkeypatch):
    lex = segment.dictionary()
    monkeypatch.setattr(segment.Lexicon, "MEMO_LIMIT", 500)
    lex.memo.clear()
    reference = [segment.tokenizer().lcut(t[:2000], HMM=False) for t in texts[:10]]
    assert [segment.words(t[:2000]) for t in texts[:10]] == reference
    assert len(lex.memo) <= 500


# ------------------------------------------------------------------ the lattice's cache file


def _same_tokens(a, b, texts) -> None:
    for text in texts:
        spans = [(0, len(text))]
        ta, tb = a.segment(text, spans), b.segment(text, spans)
        for field in ta._fields:
            assert (getattr(ta, field) == getattr(tb, field)).all(), field


def test_the_lattice_read_from_its_cache_gives_the_tokens_of_one_built_fresh(texts, tmp_path):
    """Built once into the cache folder, then mapped read-only: same arrays, same tokens."""
    import numpy as np

    from summaryscan.text import lattice as lat
    lex = segment.dictionary()
    path = str(tmp_path / "lattice.bin")
    fresh = lat.Lattice(lex)
    cached = lat.load_cached(lex, path)                 # built and written
    assert os.path.exists(path)
    again = lat.load_cached(lex, path)                  # read
    assert not again.index.slots.flags.writeable, "a mapping of the file, not a copy"
    for name, a in fresh.arrays().items():
        assert np.array_equal(a, again.arrays()[name], equal_nan=True), name
    _same_tokens(fresh, cached, texts[:20])
    _same_tokens(fresh, again, texts[:20])


def test_a_damaged_lattice_cache_is_rebuilt(texts, tmp_path):
    from summaryscan.text import lattice as lat
    lex = segment.dictionary()
    path = str(tmp_path / "lattice.bin")
    lat.load_cached(lex, path)
    good = open(path, "rb").read()
    flipped = bytearray(good)
    flipped[-100] ^= 0xFF                               # a changed byte in the last array
    for damaged in (good[:len(good) // 2], bytes(flipped), b"summaryscan-arrays\n{\"meta\""):
        with open(path, "wb") as fh:
            fh.write(damaged)
        _same_tokens(lat.Lattice(lex), lat.load_cached(lex, path), texts[:5])
        assert open(path, "rb").read() == good, "rebuilt, the same bytes"
