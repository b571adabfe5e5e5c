"""Word segmentation: jieba with the domain dictionary, and POS tokens of short windows.

:func:`load` sets jieba up once per process. :func:`tokens` gives the POS-tagged words
of a few characters (the window beside a number): jieba's own maximum-probability
route over its dictionary, run here without jieba's wrapper layers, which cost more
than the search on such short strings. :func:`words` is jieba's precise mode for
whole sentences (the classifier's features, keywords).
"""
from __future__ import annotations

import re
from functools import lru_cache
from math import log

from . import lexicon


@lru_cache(maxsize=1)
def load():
    """jieba's default tokenizer with the domain dictionary (``lexicon/domain_words.txt``)
    added, once per process; returns ``jieba.posseg``. Every user of jieba in the package
    goes through here: one dictionary per process (a private copy costs ~70 MB)."""
    import logging

    import jieba
    import jieba.posseg as pseg
    jieba.setLogLevel(logging.WARNING)
    for line in lexicon.lines("domain_words.txt"):
        parts = line.split()
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 else None
        tag = parts[2] if len(parts) > 2 else None
        jieba.add_word(word, freq, tag)
    return pseg


@lru_cache(maxsize=1)
def _dictionary():
    """jieba's tokenizer (its word frequencies are prefix-closed) and POS tags,
    domain words included."""
    pseg = load()
    import jieba
    jieba.dt.check_initialized()
    tags = dict(pseg.dt.word_tag_tab)
    tags.update(jieba.dt.user_word_tag_tab)
    return jieba.dt, tags


_ASCII_RUN = re.compile(r"[A-Za-z0-9.%+]+")


def _segment(s: str, out: list) -> None:
    """jieba's own segmentation (its DAG and max-probability route, no HMM), with
    tags from its dictionary, run here: the windows around a number are a few
    characters long and jieba's wrapper layers cost more than the search."""
    dt, tags = _dictionary()
    pos = 0
    for m in _ASCII_RUN.finditer(s):
        if m.start() > pos:
            _route(dt, s[pos:m.start()], tags, out)
        word = m.group()
        out.append((word, "m" if word[0].isdigit() else "eng"))
        pos = m.end()
    if pos < len(s):
        _route(dt, s[pos:], tags, out)


@lru_cache(maxsize=1)
def _log_probs(dictionary_state: tuple) -> dict[str, float]:
    """A memo of log(freq / total) per word (``_PREFIX_ONLY`` for a prefix of words),
    for one state of jieba's dictionary (``add_word`` changes its total and size)."""
    return {}


_NO_WORD = float("-inf")
_PREFIX_ONLY = 1.0    # memo entry of a fragment that only starts longer words (log-probabilities are < 0)


def _route(dt, s: str, tags: dict, out: list) -> None:
    """jieba's maximum-probability route over its word DAG, in one backward pass.

    Equals ``dt.calc(s, dt.get_DAG(s), route)`` (same floats, and on a tie the
    longer word wins), without building the DAG and route dictionaries.
    """
    freq, logtotal = dt.FREQ, log(dt.total)
    memo = _log_probs((id(freq), dt.total, len(freq)))
    n = len(s)
    score = [0.0] * (n + 1)
    nxt = list(range(1, n + 1))          # a character that starts no word stands alone
    known = memo.get
    for i in range(n - 1, -1, -1):
        best = _NO_WORD
        for j in range(i + 1, n + 1):    # every dictionary word starting at i
            frag = s[i:j]
            lp = known(frag)
            if lp is None:
                f = freq.get(frag)
                if f is None:
                    break                # no word starts with frag
                lp = memo[frag] = log(f) - logtotal if f else _PREFIX_ONLY
            if lp == _PREFIX_ONLY:
                continue                 # a prefix, not a word
            v = lp + score[j]
            if v >= best:
                best = v
                nxt[i] = j
        score[i] = best if best != _NO_WORD else -logtotal + score[i + 1]
    i = 0
    while i < n:
        j = nxt[i]
        word = s[i:j]
        out.append((word, tags.get(word, "x")))
        i = j


_QUOTED_RE = re.compile(r"“[^“”]*”|《[^《》]*》")


@lru_cache(maxsize=8192)
def tokens(s: str) -> tuple[tuple[str, str], ...]:
    """POS tokens, with quoted stretches (“…”) kept whole as nouns."""
    out: list[tuple[str, str]] = []
    if "“" not in s and "《" not in s:
        _segment(s, out)
        return tuple(out)
    pos = 0
    for q in _QUOTED_RE.finditer(s):
        if q.start() > pos:
            _segment(s[pos:q.start()], out)
        out.append((q.group(), "nq"))
        pos = q.end()
    if pos < len(s):
        _segment(s[pos:], out)
    return tuple(out)


def tokenizer():
    """jieba's tokenizer (``jieba.dt``) with the domain dictionary."""
    load()
    import jieba
    return jieba.dt


def words(text: str) -> list[str]:
    """jieba words of ``text`` (precise mode, no HMM)."""
    return tokenizer().lcut(text, HMM=False)
