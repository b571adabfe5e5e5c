"""Word segmentation: jieba's dictionary with the domain words, read from a prebuilt cache.

:func:`tokens` gives the POS-tagged words of a stretch of text (the window beside a
number, a sentence): jieba's own maximum-probability route over its dictionary
(no HMM), run here without jieba's wrapper layers, which cost more than the search
on short strings. :func:`words` is jieba's precise mode (``lcut(text, HMM=False)``)
for whole sentences (the classifier's features), word for word.

Both read the dictionary from a :class:`Lexicon`: jieba's prefix dictionary with the
domain words of ``lexicon/domain_words.txt`` added exactly as ``jieba.add_word`` adds
them, and the POS tags, as one sorted string of words and a few arrays. It is built
once from jieba (about 2 s) into the user's cache folder (:func:`cache_dir`) and then
loaded in some 30 ms and 12 MB, where jieba's own start (its dictionary as a Python
dict, posseg's tag table) takes about a second and over 100 MB per process. The cache file
is named by what it is made from (jieba's dictionary file, the domain words, the
format), so a changed dictionary makes a new one; it is written atomically and never
inside the package. :func:`load` still sets up jieba itself with the domain words,
for callers of jieba's own API (keywords).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from array import array
from bisect import bisect_left
from functools import lru_cache
from math import log
from typing import Optional

from . import lexicon

CACHE_FORMAT = 3
_MAGIC = b"summaryscan-lexicon\n"


# ---------------------------------------------------------------- jieba itself


@lru_cache(maxsize=1)
def load():
    """jieba's default tokenizer with the domain dictionary added, once per process;
    returns ``jieba.posseg``. For callers of jieba's own API (``jieba.analyse``); the
    package's segmentation (:func:`tokens`, :func:`words`) reads the :class:`Lexicon`."""
    import logging

    import jieba
    import jieba.posseg as pseg
    jieba.setLogLevel(logging.WARNING)
    for word, freq, tag in _domain_words():
        jieba.add_word(word, freq, tag)
    return pseg


def tokenizer():
    """jieba's tokenizer (``jieba.dt``) with the domain dictionary."""
    load()
    import jieba
    return jieba.dt


def _domain_words() -> list[tuple[str, Optional[int], Optional[str]]]:
    out = []
    for line in lexicon.lines("domain_words.txt"):
        parts = line.split()
        out.append((parts[0], int(parts[1]) if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None))
    return out


# ---------------------------------------------------------------- the lexicon and its cache


def cache_dir() -> str:
    """Where built data are kept: ``$SUMMARYSCAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/summaryscan``,
    else ``~/.cache/summaryscan``."""
    given = os.environ.get("SUMMARYSCAN_CACHE_DIR")
    if given:
        return given
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "summaryscan")


def _jieba_dict_file() -> str:
    """jieba's dictionary file, found without importing jieba (its import alone takes 0.1 s)."""
    from importlib.util import find_spec
    spec = find_spec("jieba")
    if spec is None or not spec.origin:
        raise ImportError("jieba is not installed")
    return os.path.join(os.path.dirname(spec.origin), "dict.txt")


def cache_key() -> str:
    """What the lexicon is made from: jieba's dictionary and code (path, size, mtime), the
    domain words, the cache format and the byte order of its arrays."""
    h = hashlib.sha256(f"{CACHE_FORMAT} {sys.byteorder}\n".encode())
    dict_file = _jieba_dict_file()
    for path in (dict_file, os.path.join(os.path.dirname(dict_file), "__init__.py")):
        st = os.stat(path)
        h.update(f"{os.path.abspath(path)} {st.st_size} {st.st_mtime_ns}\n".encode())
    h.update(lexicon.read("domain_words.txt").encode("utf-8"))
    return h.hexdigest()[:20]


def cache_path() -> str:
    return os.path.join(cache_dir(), f"jieba-lexicon-{cache_key()}.bin")


class Lexicon:
    """jieba's prefix dictionary (word -> frequency, 0 for a prefix that is no word) and the
    POS tags, as the words in order concatenated into one string, with their start offsets,
    frequencies and tag numbers in arrays, and two indexes: where the words of each first
    character start, and every two-character entry as a sorted array of code pairs with the
    span of the words it opens. A lookup is a dictionary access (one character), a binary
    search in C (two) or a binary search within the few words one pair opens (more); results
    are memoised per fragment. About 12 MB, where the same dictionary as Python objects in
    jieba and posseg takes over 100."""

    ABSENT = 2.0          # memo of a fragment that starts no word (log-probabilities are < 0)
    PREFIX_ONLY = 1.0     # memo of a fragment that only starts longer words
    MEMO_LIMIT = 200_000  # entries (about 25 MB); the memo is emptied past it, so memory stays bounded

    # the arrays of the cache file, in order: (attribute, typecode)
    ARRAYS = (("offsets", "i"), ("freqs", "q"), ("tag_ids", "H"), ("first_starts", "i"),
              ("pair_codes", "q"), ("pair_index", "i"), ("pair_end", "i"))

    def __init__(self, words: str, first_chars: str, tag_names: list[str], total: int, **arrays: array):
        self.words, self.tag_names, self.total = words, tag_names, total
        for name, _ in self.ARRAYS:
            setattr(self, name, arrays[name])
        fs = self.first_starts
        self.first = dict(zip(first_chars, zip(fs[:-1], fs[1:])))     # first character -> (lo, hi)
        self.logtotal = log(total)
        self.memo: dict[str, float] = {}
        self._tags: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.freqs)

    def word(self, i: int) -> str:
        return self.words[self.offsets[i]:self.offsets[i + 1]]

    def index(self, frag: str) -> int:
        """The index of ``frag`` among the dictionary's entries, or -1. The dictionary is
        prefix-closed: a fragment's first character and first two are entries themselves,
        and the first of the words they open."""
        n = len(frag)
        if n < 2:
            span = self.first.get(frag)
            return span[0] if span is not None else -1
        code = (ord(frag[0]) << 21) | ord(frag[1])
        codes = self.pair_codes
        k = bisect_left(codes, code)
        if k == len(codes) or codes[k] != code:
            return -1
        lo = self.pair_index[k]
        if n == 2:
            return lo
        hi = end = self.pair_end[k]
        words, off = self.words, self.offsets
        while lo < hi:
            mid = (lo + hi) >> 1
            if words[off[mid]:off[mid + 1]] < frag:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < end and words[off[lo]:off[lo + 1]] == frag else -1

    def freq(self, frag: str) -> Optional[int]:
        """jieba's ``FREQ.get(frag)``: the frequency, 0 for a prefix of words only, None for neither."""
        i = self.index(frag)
        return None if i < 0 else self.freqs[i]

    def log_prob(self, frag: str) -> float:
        """log(freq / total), or ``PREFIX_ONLY`` or ``ABSENT``; memoised."""
        lp = self.memo.get(frag)
        if lp is None:
            f = self.freq(frag)
            lp = self.ABSENT if f is None else (log(f) - self.logtotal if f else self.PREFIX_ONLY)
            if len(self.memo) >= self.MEMO_LIMIT:
                self.memo.clear()
            self.memo[frag] = lp
        return lp

    def tag(self, word: str) -> str:
        """The word's POS tag (domain tags over jieba's), ``x`` for a word jieba does not tag."""
        t = self._tags.get(word)
        if t is None:
            i = self.index(word)
            t = self.tag_names[self.tag_ids[i]] if i >= 0 else "x"
            if len(self._tags) >= self.MEMO_LIMIT:
                self._tags.clear()
            self._tags[word] = t
        return t

    def items(self):
        """(word, frequency) of every entry, in order."""
        return ((self.word(i), self.freqs[i]) for i in range(len(self)))

    # ------------------------------------------------------------ building and the file

    @classmethod
    def from_jieba(cls) -> "Lexicon":
        """Built from a fresh jieba tokenizer (the global one is left alone) with the domain
        words added by ``add_word``, and posseg's tags with the domain tags over them."""
        import logging

        import jieba
        jieba.setLogLevel(logging.WARNING)
        dt = jieba.Tokenizer()
        dt.check_initialized()
        for word, freq, tag in _domain_words():
            dt.add_word(word, freq, tag)
        tags: dict[str, str] = {}
        with dt.get_dict_file() as fh:              # as posseg's load_word_tag reads it
            for line in fh:
                line = line.strip().decode("utf-8")
                if line:
                    word, _, tag = line.split(" ")
                    tags[word] = tag
        tags.update(dt.user_word_tag_tab)
        return cls.from_items(dt.FREQ, tags, dt.total)

    @classmethod
    def from_items(cls, freq: dict[str, int], tags: dict[str, str], total: int) -> "Lexicon":
        """From a prefix-closed word -> frequency dictionary (jieba's ``FREQ``) and POS tags."""
        words = sorted(w for w in freq if w)
        names = sorted(set(tags.values()) | {"x"})
        number = {t: k for k, t in enumerate(names)}
        arrays = {name: array(code) for name, code in cls.ARRAYS}
        pos = 0
        arrays["offsets"].append(0)
        first_chars = []
        for i, w in enumerate(words):
            pos += len(w)
            arrays["offsets"].append(pos)
            arrays["freqs"].append(freq[w])
            arrays["tag_ids"].append(number[tags.get(w, "x")])
            if len(w) == 1:
                first_chars.append(w)
                arrays["first_starts"].append(i)
            elif len(w) == 2:
                arrays["pair_codes"].append((ord(w[0]) << 21) | ord(w[1]))
                arrays["pair_index"].append(i)
        arrays["first_starts"].append(len(words))
        if len(first_chars) != len({w[0] for w in words}) or len(arrays["pair_codes"]) != len(
                {w[:2] for w in words if len(w) > 1}):
            raise ValueError("the dictionary is not prefix-closed")
        # a pair's words run to the next pair of the same first character, or to the next character
        ends = list(arrays["pair_index"][1:]) + [len(words)]
        for k, i in enumerate(arrays["pair_index"]):
            lo, hi = _span_of(words[i][0], first_chars, arrays["first_starts"])
            arrays["pair_end"].append(min(ends[k], hi) if ends[k] > i else hi)
        return cls("".join(words), "".join(first_chars), names, total, **arrays)

    def to_bytes(self) -> bytes:
        """The cache file: a JSON header line, then the words and first characters (UTF-8)
        and the arrays (:attr:`ARRAYS`)."""
        chars = "".join(self.first)
        body = [self.words.encode("utf-8"), chars.encode("utf-8")] + [getattr(self, n).tobytes() for n, _ in self.ARRAYS]
        header = {"format": CACHE_FORMAT, "byteorder": sys.byteorder, "total": self.total, "tags": self.tag_names,
                  "arrays": [[n, code, array(code).itemsize] for n, code in self.ARRAYS],
                  "sizes": [len(b) for b in body]}
        return _MAGIC + json.dumps(header, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n" + b"".join(body)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Lexicon":
        if not data.startswith(_MAGIC):
            raise ValueError("not a summaryscan lexicon")
        nl = data.index(b"\n", len(_MAGIC))
        header = json.loads(data[len(_MAGIC):nl])
        spec = [[n, code, array(code).itemsize] for n, code in cls.ARRAYS]
        if (header.get("format"), header.get("byteorder"), header.get("arrays")) != (CACHE_FORMAT, sys.byteorder, spec):
            raise ValueError("lexicon of another format")
        parts, pos = [], nl + 1
        for size in header["sizes"]:
            parts.append(data[pos:pos + size])
            pos += size
        if pos != len(data) or len(parts) != 2 + len(spec):
            raise ValueError("truncated lexicon")
        arrays = {}
        for (name, code, _), part in zip(spec, parts[2:]):
            arrays[name] = array(code)
            arrays[name].frombytes(part)
        words, chars = parts[0].decode("utf-8"), parts[1].decode("utf-8")
        n = len(arrays["freqs"])
        if (len(arrays["offsets"]) != n + 1 or arrays["offsets"][-1] != len(words) or len(arrays["tag_ids"]) != n
                or len(arrays["first_starts"]) != len(chars) + 1
                or not len(arrays["pair_codes"]) == len(arrays["pair_index"]) == len(arrays["pair_end"])):
            raise ValueError("inconsistent lexicon")
        return cls(words, chars, header["tags"], header["total"], **arrays)


def _span_of(ch: str, first_chars: list[str], starts: array) -> tuple[int, int]:
    k = bisect_left(first_chars, ch)
    return starts[k], starts[k + 1]


def build_cache(path: Optional[str] = None) -> Lexicon:
    """Build the lexicon from jieba and write it to ``path`` (default :func:`cache_path`),
    atomically; the same inputs give the same bytes. Returns it."""
    lex = Lexicon.from_jieba()
    path = path or cache_path()
    data = lex.to_bytes()
    from .arrayfile import write_atomically
    write_atomically(path, [data])
    return Lexicon.from_bytes(data)


@lru_cache(maxsize=1)
def dictionary() -> Lexicon:
    """The process's lexicon: read from the cache, built there first when missing or unreadable
    (in memory only when the cache folder cannot be written)."""
    path = cache_path()
    try:
        with open(path, "rb") as fh:
            return Lexicon.from_bytes(fh.read())
    except (OSError, ValueError, KeyError, UnicodeDecodeError):
        pass
    try:
        return build_cache(path)
    except OSError:
        return Lexicon.from_jieba()


# ---------------------------------------------------------------- segmentation


def _route(s: str) -> list[int]:
    """jieba's maximum-probability route over its word DAG, in one backward pass: the end
    of the word starting at each position (read from the start).

    Equals ``dt.calc(s, dt.get_DAG(s), route)`` (same floats, and on a tie the
    longer word wins), without building the DAG and route dictionaries.
    """
    lex = dictionary()
    memo = lex.memo
    memo_get, index, freqs, logtotal, limit = memo.get, lex.index, lex.freqs, lex.logtotal, lex.MEMO_LIMIT
    absent, prefix_only, no_word = Lexicon.ABSENT, Lexicon.PREFIX_ONLY, float("-inf")
    n = len(s)
    score = [0.0] * (n + 1)
    nxt = list(range(1, n + 1))          # a character that starts no word stands alone
    for i in range(n - 1, -1, -1):
        best = no_word
        for j in range(i + 1, n + 1):    # every dictionary word starting at i
            frag = s[i:j]
            lp = memo_get(frag)
            if lp is None:               # Lexicon.log_prob, inline: this loop is the hot path
                k = index(frag)
                f = freqs[k] if k >= 0 else None
                lp = absent if f is None else (log(f) - logtotal if f else prefix_only)
                if len(memo) >= limit:
                    memo.clear()
                memo[frag] = lp
            if lp == absent:
                break                    # no word starts with frag
            if lp == prefix_only:
                continue                 # a prefix, not a word
            v = lp + score[j]
            if v >= best:
                best = v
                nxt[i] = j
        score[i] = best if best != no_word else -logtotal + score[i + 1]
    return nxt


def _words_of(s: str, out: list) -> None:
    nxt = _route(s)
    i, n = 0, len(s)
    while i < n:
        j = nxt[i]
        out.append(s[i:j])
        i = j


_ASCII_RUN = re.compile(r"[A-Za-z0-9.%+]+")


def _segment(s: str, out: list) -> None:
    """The route's words with their tags, ASCII runs kept whole (a number, a code)."""
    lex = dictionary()
    pos = 0
    words: list[str] = []
    for m in _ASCII_RUN.finditer(s):
        if m.start() > pos:
            _words_of(s[pos:m.start()], words)
            _tagged(lex, words, out)
        word = m.group()
        out.append((word, "m" if word[0].isdigit() else "eng"))
        pos = m.end()
    if pos < len(s):
        _words_of(s[pos:], words)
        _tagged(lex, words, out)


def _tagged(lex: Lexicon, words: list[str], out: list) -> None:
    known = lex._tags.get
    for w in words:
        out.append((w, known(w) or lex.tag(w)))
    words.clear()


_QUOTED_RE = re.compile(r"“[^“”]*”|《[^《》]*》")


@lru_cache(maxsize=2048)     # the checks segment a claim's context several times over, within a document
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


def opens_word(s: str, longest: int = 4, min_freq: int = 1) -> bool:
    """Whether ``s`` opens with a dictionary word of two or more characters (中心, 制度, 时间),
    of at least ``min_freq`` in jieba's dictionary (签约, 节约: common words, not rare ones)."""
    lex = dictionary()
    least = max(1, min_freq)
    for j in range(2, min(longest, len(s)) + 1):
        f = lex.freq(s[:j])
        if f is None:
            return False             # no word starts with s[:j]
        if f >= least:
            return True
    return False


# jieba's own patterns for its precise mode (jieba/__init__.py)
_RE_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
_RE_SKIP = re.compile("(\r\n|\\s)", re.U)
_RE_ENG = re.compile("[a-zA-Z0-9]", re.U)


def words(text: str) -> list[str]:
    """jieba's words of ``text`` (``jieba.lcut(text, HMM=False)`` with the domain dictionary)."""
    out: list[str] = []
    block: list[str] = []
    for blk in _RE_HAN.split(text):
        if not blk:
            continue
        if _RE_HAN.match(blk):
            _words_of(blk, block)
            buf = ""
            for w in block:                  # single letters and digits in a row are one word
                if len(w) == 1 and _RE_ENG.match(w):
                    buf += w
                    continue
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(w)
            if buf:
                out.append(buf)
            block.clear()
        else:
            for x in _RE_SKIP.split(blk):
                if _RE_SKIP.match(x):
                    out.append(x)
                else:
                    out.extend(x)            # one character at a time
    return out
