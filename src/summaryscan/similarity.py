"""Copy detection across the submissions of a run (照抄照搬, ``TEMPLATE_COPY``).

A reviewer wants to know which passages of 50 or more characters a submission
shares, word for word or nearly so, with another submission of the same run,
even when the copier swapped the unit's name and the numbers. Plain TF-IDF
cosine does not answer that in this genre: unrelated submissions already score
0.14-0.23 on the official phrasing they all share. So the unit of comparison is
the passage, and document similarity is derived from the passages found.

How :class:`CopyDetector` works:

1. **Mask.** Each document becomes a *masked stream*: characters are folded as
   :func:`summaryscan.normalize.normalize` folds them (full-width -> half-width,
   traditional -> simplified), whitespace and punctuation are dropped, every number
   (Arabic digits or Chinese numerals, 12 / 十二 / 1.2万) becomes one placeholder and
   every unit name (``市财政局``, ``区委办``, ``县人力资源和社会保障局`` ...) another.
   Each masked character keeps the span of the extracted text it stands for, so
   every result is reported in raw offsets (``RawDocument.text``).
2. **Shingle and discount.** Character 5-grams of the masked stream. Shingles found
   in a large share of the run's documents (more than ``common_df``, once at least
   ``common_min_docs`` documents have them) or inside a phrase every submission
   quotes by nature (``lexicon/common_phrases.txt``: 习近平新时代中国特色社会主义思想,
   “两个确立”“两个维护”, 让党中央放心、让人民群众满意的模范机关 ...) are *common*,
   and so is the text of long “…” quotations (``min_quote``: a leader's words any
   submission may quote): common shingles are left out of the signatures and common
   text does not count towards a passage's length.
3. **MinHash windows and LSH.** Windows of ``window`` shingles starting at
   content-defined anchors (winnowing: the smallest shingle hash of every ``anchor``
   consecutive shingles, so a copied passage gets the same windows in both documents
   wherever it stands) get a MinHash signature of their non-common shingles, with
   datasketch's ``affine32`` permutations, computed for all windows of a document at
   once with numpy (each row equals the ``hashvalues`` of a ``datasketch.MinHash``
   fed that window's shingle hashes). Signatures are cut into ``bands`` for LSH and
   only windows sharing a band become candidates: no all-pairs comparison. The
   default backend keeps only the band keys and groups them by sorting;
   ``backend="datasketch"`` indexes ``LeanMinHash`` objects in a
   ``datasketch.MinHashLSH`` instead (same candidates; slower, for small runs).
4. **Verify.** The candidate windows of two documents are merged into regions,
   widened, and aligned exactly on the masked streams (the longest common stretch
   first, then either side of it, as ``difflib.SequenceMatcher`` does, but with the
   maximal exact matches of k or more characters found from the shingle hashes, so
   that two whole documents align in milliseconds; every match is checked on the text).
   Matching blocks at most ``max_gap`` apart are chained into maximal passages;
   a passage is kept when its similarity (``2 * matched / (len_a + len_b)``) is at
   least ``threshold`` and it still has ``min_chars`` characters on both sides after
   discounting common shingles and unmatched text.

Results are :class:`CopyPair` objects (both locations, both passages, the
similarity); :func:`pairs_to_findings` turns each into two ``TEMPLATE_COPY``
findings (one per document, each pointing at the other); and
:meth:`CopyDetector.similarity_matrix` gives, for a heatmap, the share of each
document's text inside passages copied between two documents.
"""
from __future__ import annotations

import bisect
import math
import os
import re
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Optional, Sequence

import numpy as np

from .records import Analysis, Finding, RawDocument
from .registry import corpus_checks
from .text import lexicon
from .text.normalize import translation_table
from .text.patterns import CN_NUMERALS

CODE = "TEMPLATE_COPY"

# Placeholders in the masked stream (private-use characters, never kept from the text).
NUM_MARK = "\ue000"
UNIT_MARK = "\ue001"
_NUM_CODE = np.uint32(ord(NUM_MARK))
_UNIT_CODE = np.uint32(ord(UNIT_MARK))

# A unit name: a 市/县/区/省 prefix, up to ten characters without digits or
# punctuation, the kind of body (局, 委, 办, 中心, 机关, 党组 ...) and the Party organ
# or office that may follow it (机关党委, 党组, 党委 ...): 市财政局机关党委 and 县人社局党组
# are both one name. Lazy, so 市财政局机关党委坚持 stops after 党委. Matched on the
# folded text with whitespace removed (a PDF line break inside a name does not matter).
_UNIT_RE = re.compile(r"[市县区省][^\d,，。;；:：、!！?？“”\"‘’'()（）《》〈〉【】\[\]]{0,10}?"
                      r"(?:党委|党组|工委|支部|中心|机关|局|委|办|院|厅)"
                      r"(?:机关)?(?:党委|党组|党总支|党支部|工委|纪检组)?")
# A number: a run of decimal digits and Chinese numerals in any mix (1.2万, 二十届,
# 十四五), with a ``.`` or ``,`` between two digits (1.5, 1,234); see _special_spans.
_CN_NUMERALS = CN_NUMERALS
# A break follows a character when one of these stands between it and the next kept one.
_BREAK_CODES = np.array([ord(c) for c in "。!?;！？；\n"], dtype=np.uint32)
# Punctuation a passage takes along at its edges, so that it reads as quoted.
_CLOSING = set("。!?;:…”’」』)）】》！？；：")
_OPENING = set("“‘「『(（【《")

# A passage's first or last sentence fragment of at most this many masked characters
# is cut when it ends (starts) at a sentence end: see CopyDetector._trim_edges.
_EDGE = 8
_PAIR_CHUNK = 1 << 18    # window pairs made at once in the LSH stage
_MERGE_AT = 1 << 20      # new candidate codes held before they are merged into those found

_MAX32 = np.uint32(0xFFFFFFFF)
_ROLL = np.uint64(0x100000001B3)


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class CopyPair:
    """A passage found, identical or nearly so, in two documents.

    Spans are ``(start, end)`` character offsets into each document's extracted
    text (``RawDocument.text``): ``text_a == raw_a[span_a[0]:span_a[1]]``.
    ``similarity`` is the alignment ratio of the two passages on the masked text
    (numbers and unit names masked, punctuation ignored): twice the characters in
    common stretches of at least k (5) characters over the two passages' lengths.
    ``chars`` is the copied
    length in characters once phrases every submission shares and unmatched text are
    discounted, the smaller of the two sides (at least ``min_chars``).
    """
    doc_a: str
    span_a: tuple[int, int]
    text_a: str
    doc_b: str
    span_b: tuple[int, int]
    text_b: str
    similarity: float
    chars: int
    section_a: str = ""
    section_b: str = ""

    @property
    def length(self) -> int:
        """Characters of the shorter of the two passages, whitespace not counted."""
        return min(len("".join(self.text_a.split())), len("".join(self.text_b.split())))

    @property
    def severity(self) -> str:
        return copy_severity(self.length, self.similarity)


def copy_severity(length: int, similarity: float) -> str:
    """``high`` for a paragraph (100+ characters) copied nearly verbatim or any 200+, else ``medium``."""
    if length >= 200 or (length >= 100 and similarity >= 0.9):
        return "high"
    return "medium"


def pairs_to_findings(pairs: Iterable[CopyPair]) -> list[Finding]:
    """Two ``TEMPLATE_COPY`` findings per pair, one on each document.

    Each finding's ``raw/start/end`` is its own document's passage and
    ``other_doc/other_start/other_end`` the other one's; the message quotes the
    other passage in full, so each document's page can show both side by side.
    """
    out: list[Finding] = []
    for p in pairs:
        sev = p.severity
        for (doc, span, text, sec), (odoc, ospan, otext) in (
            ((p.doc_a, p.span_a, p.text_a, p.section_a), (p.doc_b, p.span_b, p.text_b)),
            ((p.doc_b, p.span_b, p.text_b, p.section_b), (p.doc_a, p.span_a, p.text_a)),
        ):
            msg = (f"本段约{p.length}字与 {odoc} 中的一段高度雷同（相似度{p.similarity:.0%}），"
                   f"疑似照抄照搬。{odoc} 中的原文：“{otext}”")
            out.append(Finding(doc=doc, code=CODE, severity=sev, message=msg, section=sec,
                               raw=text, start=span[0], end=span[1],
                               other_doc=odoc, other_start=ospan[0], other_end=ospan[1]))
    out.sort(key=lambda f: (f.doc, f.start, f.other_doc, f.other_start))
    return out


# ---------------------------------------------------------------- masking

@dataclass
class Masked:
    """The masked stream of a text and, per masked character, the raw span it stands for."""
    text: str
    starts: np.ndarray      # raw start offset of masked character i
    ends: np.ndarray        # raw end offset (a placeholder spans the whole number or name)
    breaks: np.ndarray      # a sentence end or line break stands between character i and i + 1


def mask_text(raw: str) -> Masked:
    """Fold, drop whitespace and punctuation, mask numbers and unit names, lower-case ASCII.

    Kept are the characters ``[^\\W_]`` matches (CJK, letters, digits); a number or a
    unit name becomes one placeholder spanning the whole of it.
    """
    n = len(raw)
    codes = np.frombuffer(raw.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    fold, numeral, alnum = _char_tables()
    bmp = codes < 0x10000
    folded = codes.copy()
    folded[bmp] = fold[codes[bmp]]
    keep = np.zeros(n, dtype=bool)
    keep[bmp] = alnum[folded[bmp]]
    for i in np.flatnonzero(~bmp):
        keep[i] = raw[i].isalnum()
    isnum = np.zeros(n, dtype=bool)
    isnum[bmp] = numeral[folded[bmp]]
    brk = np.isin(folded, _BREAK_CODES)

    # units and numbers are found on the text without whitespace
    solid = np.flatnonzero(keep | ~_is_space(folded))
    s, e, marks = _special_spans(folded[solid], isnum[solid])
    ends = np.arange(1, n + 1, dtype=np.int64)
    if len(s):
        rs, re_ = solid[s], solid[e - 1] + 1
        inner = np.zeros(n + 1, dtype=np.int64)      # raw characters after the first of a span
        np.add.at(inner, rs + 1, 1)
        np.add.at(inner, re_, -1)
        keep &= np.cumsum(inner[:n]) <= 0
        folded[rs] = marks
        keep[rs] = True
        ends[rs] = re_
    upper = (folded >= 65) & (folded <= 90)
    folded[upper] += 32
    pos = np.flatnonzero(keep)
    text = folded[pos].tobytes().decode("utf-32-le")
    ends = ends[pos]
    cum = np.concatenate(([0], np.cumsum(brk)))
    nxt = np.concatenate((pos[1:], [n]))
    breaks = cum[nxt] > cum[ends]
    return Masked(text, pos.astype(np.int32), ends.astype(np.int32), breaks)


def _special_spans(codes: np.ndarray, isnum: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, placeholder codes) of the unit names and the numbers outside them."""
    text = codes.tobytes().decode("utf-32-le")
    units = np.array([m.span() for m in _UNIT_RE.finditer(text)], dtype=np.int64).reshape(-1, 2)
    isnum = isnum.copy()
    if len(codes) > 2:
        digit = (codes >= 48) & (codes <= 57)
        sep = (codes[1:-1] == 46) | (codes[1:-1] == 44)
        isnum[1:-1] |= sep & digit[:-2] & digit[2:]
    edges = np.diff(np.concatenate(([0], isnum.astype(np.int8), [0])))
    nums = np.stack((np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)), axis=1).astype(np.int64)
    if len(units) and len(nums):
        k = np.searchsorted(units[:, 1], nums[:, 0], side="right")   # first unit ending after the number starts
        kc = np.minimum(k, len(units) - 1)
        inside = (k < len(units)) & (units[kc, 0] < nums[:, 1])
        nums = nums[~inside]
    spans = np.concatenate((units, nums))
    marks = np.concatenate((np.full(len(units), _UNIT_CODE, dtype=np.uint32),
                            np.full(len(nums), _NUM_CODE, dtype=np.uint32)))
    return spans[:, 0], spans[:, 1], marks


@lru_cache(maxsize=1)
def _char_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per BMP character: its folded form, whether it is a numeral, whether it is kept."""
    fold = np.arange(0x10000, dtype=np.uint32)
    for src, dst in translation_table().items():
        if src < 0x10000 and dst < 0x10000:
            fold[src] = dst
    chars = [chr(i) for i in range(0x10000)]
    numeral = np.fromiter((c.isdecimal() or c in _CN_NUMERALS for c in chars), dtype=bool, count=0x10000)
    alnum = np.fromiter((c.isalnum() for c in chars), dtype=bool, count=0x10000)
    alnum[[ord(NUM_MARK), ord(UNIT_MARK)]] = False
    return fold, numeral, alnum


def _is_space(codes: np.ndarray) -> np.ndarray:
    return np.isin(codes, _SPACE_CODES)


_SPACE_CODES = np.array([ord(c) for c in " \t\n\r\x0b\x0c\xa0\u3000\u200b\u200c\u200d\u2060\ufeff"],
                        dtype=np.uint32)


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def shingle_hashes(masked: str, k: int) -> np.ndarray:
    """64-bit hashes of the character ``k``-grams of ``masked`` (one per start position)."""
    codes = np.frombuffer(masked.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _ROLL + codes[j:j + n]
        return _fmix64(h)


def shingle_values(h64: np.ndarray) -> np.ndarray:
    """The 32-bit shingle values a MinHash is fed (datasketch's ``affine32`` input width)."""
    return (h64 & np.uint64(0xFFFFFFFF)).astype(np.uint32)


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's ``affine32`` permutations (``MinHash(num_perm, seed).permutations``: odd
    ``a``, any ``b``, drawn from ``RandomState(seed)``), drawn here: importing datasketch
    brings scipy and asyncio, some 100 MB in the process that writes the report."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def permuted(values: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """``(len(values), num_perm)`` permuted values, as datasketch's ``affine32`` MinHash computes them.

    The column-wise minimum over a set of rows is that set's MinHash signature.
    """
    a, b = _permutations(num_perm, seed)
    with np.errstate(over="ignore"):
        hv = _fmix32(values.astype(np.uint32).reshape(-1, 1))
        return hv * a + b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch applies before its affine permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


@lru_cache(maxsize=1)
def _default_phrases() -> tuple[str, ...]:
    return lexicon.lines("common_phrases.txt")


@lru_cache(maxsize=8)
def phrase_shingles(phrases: tuple[str, ...], k: int) -> np.ndarray:
    """Sorted unique shingle hashes of the masked ``phrases``."""
    parts = [shingle_hashes(mask_text(p).text, k) for p in phrases]
    parts = [p for p in parts if len(p)]
    if not parts:
        return np.empty(0, dtype=np.uint64)
    return _sorted_unique(np.concatenate(parts))


# ---------------------------------------------------------------- documents

@dataclass
class _Doc:
    """Working state of one document during ``fit`` (discarded afterwards)."""
    id: str
    raw: str
    masked: Masked
    h64: np.ndarray                        # shingle hashes
    sections: Any = None                   # Analysis.sections, for the findings' section paths
    quoted: Optional[np.ndarray] = None    # per masked character: inside a long quotation
    h_common: Optional[np.ndarray] = None  # per shingle: common
    common: Optional[np.ndarray] = None    # per masked character: inside a common shingle


def _as_doc(item: Any) -> Optional[tuple[str, str, Any]]:
    """(id, raw text, sections) for any accepted input; None for an unreadable document."""
    if isinstance(item, Analysis):
        if not item.raw.ok or not item.raw.text:
            return None
        return item.doc, item.raw.text, item.sections
    if isinstance(item, RawDocument):
        if not item.ok or not item.text:
            return None
        return item.doc, item.text, None
    if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[1], str):
        return str(item[0]), item[1], None
    raise TypeError(f"cannot read a document from {type(item).__name__}: "
                    "give (doc_id, raw_text) pairs, Analyses or RawDocuments")


class _KeyStore:
    """The LSH keys of every window, one temporary file per band, read back a band at a time.

    ``in_memory``: whole signatures kept as arrays instead (the datasketch backend).
    """

    def __init__(self, folder: str, bands: int, in_memory: bool = False):
        self.in_memory = in_memory
        self.parts: list[np.ndarray] = []
        self.files = [] if in_memory else [open(os.path.join(folder, f"band{b:02d}.u64"), "w+b")
                                           for b in range(bands)]

    def add(self, rows: np.ndarray) -> None:
        if self.in_memory:
            self.parts.append(rows)
            return
        for b, f in enumerate(self.files):
            f.write(np.ascontiguousarray(rows[:, b]).tobytes())

    def band(self, b: int) -> np.ndarray:
        f = self.files[b]
        f.flush()
        f.seek(0)
        return np.frombuffer(f.read(), dtype=np.uint64)

    def all(self) -> np.ndarray:
        return np.concatenate(self.parts) if self.parts else np.empty((0, 0), dtype=np.uint32)

    def close(self) -> None:
        for f in self.files:
            f.close()


# ---------------------------------------------------------------- the detector

class CopyDetector:
    """Find passages copied between the documents of a run (scikit-learn style).

    >>> det = CopyDetector(min_chars=50, threshold=0.8).fit([("a.txt", text_a), ("b.txt", text_b)])
    >>> det.pairs(); det.findings(); det.similarity_matrix()

    ``fit`` accepts ``(doc_id, raw_text)`` pairs, :class:`~summaryscan.records.Analysis`
    objects or :class:`~summaryscan.records.RawDocument` objects (unreadable ones are
    skipped). Offsets in the results are into the raw text. The fitted state is the
    attributes ending in ``_``; neither the texts nor the signatures are kept, only
    the passages found and per-document counts.

    Parameters
    ----------
    min_chars: shortest copied passage, in characters after discounting common shingles.
    threshold: least alignment similarity of the two passages (0-1).
    k: shingle size in masked characters.
    window: MinHash window length, in shingles.
    anchor: windows start at the smallest shingle hash of every ``anchor`` consecutive
        shingles (winnowing), so a copied passage gets the same windows in both documents.
    num_perm, bands: MinHash size and LSH bands (``num_perm`` a multiple of ``bands``).
    common_df: shingles in more than this share of the documents are common ...
    common_min_docs: ... once at least this many documents have them.
    phrases: phrases every submission quotes (default: ``lexicon/common_phrases.txt``).
    min_quote: text inside “…” of at least this many masked characters is a quotation
        (of a leader's speech or a central document, which any submission may quote) and
        counts as common too; ``None`` turns this off. Shorter quoted terms (“一支部一品牌”,
        a unit's own brand names) are ordinary text.
    max_gap: longest unmatched stretch inside one passage, in masked characters.
    max_df_docs: document frequencies for ``common_df`` come from at most this many
        documents (spread evenly over the run).
    block: documents kept in memory at once; a run of up to ``block`` documents is
        read once, a larger one in blocks (memory flat in the number of documents).
    backend: ``"numpy"`` (band keys grouped by sorting, spilled to a temporary folder
        band by band) or ``"datasketch"`` (``MinHashLSH`` in memory; for small runs).
    """

    def __init__(self, min_chars: int = 50, threshold: float = 0.8, *, k: int = 5,
                 window: int = 24, anchor: int = 12, num_perm: int = 128, bands: int = 16,
                 common_df: float = 0.3, common_min_docs: int = 5,
                 phrases: Optional[Sequence[str]] = None, min_quote: Optional[int] = 12,
                 max_gap: int = 10, max_df_docs: int = 1000, block: int = 1000,
                 seed: int = 1, backend: str = "numpy"):
        self.min_chars = min_chars
        self.threshold = threshold
        self.k = k
        self.window = window
        self.anchor = anchor
        self.num_perm = num_perm
        self.bands = bands
        self.common_df = common_df
        self.common_min_docs = common_min_docs
        self.phrases = phrases
        self.min_quote = min_quote
        self.max_gap = max_gap
        self.max_df_docs = max_df_docs
        self.block = block
        self.seed = seed
        self.backend = backend

    # -- public API

    def fit(self, docs: Iterable[Any]) -> "CopyDetector":
        """Find the copied passages among ``docs``.

        A sequence (anything with ``len`` and indexing, e.g. a store that reads each
        text from disk) is read item by item, several times, and never held whole;
        other iterables are listed first. Memory stays flat in the number of documents:
        per document only its id, length and window keys (on disk) are kept, and the
        documents are re-read in blocks of ``block`` for the exact verification.
        """
        self._check_params()
        clock = [time.perf_counter()]
        timings: dict[str, float] = {}

        def lap(name: str) -> None:
            clock.append(time.perf_counter())
            timings[name] = round(clock[-1] - clock[-2], 4)

        src = docs if isinstance(docs, Sequence) and not isinstance(docs, (str, bytes)) else list(docs)
        self._memo: dict[int, _Doc] = {}
        try:
            self._fit(src, lap)
        finally:
            self._memo = {}
        self.timings_ = timings
        return self

    def _fit(self, src: Sequence[Any], lap: Callable[[str], None]) -> None:
        common = self._common_shingles(src)
        self.n_common_shingles_ = int(len(common))
        lap("common")
        with tempfile.TemporaryDirectory(prefix="summaryscan-lsh-") as tmp:
            keys = _KeyStore(tmp, self.bands, in_memory=self.backend == "datasketch")
            try:
                item_of, owner, wstart = self._signatures(src, common, keys)
                self.n_windows_ = len(owner)
                lap("signatures")
                cands = self._candidates(keys, owner)
            finally:
                keys.close()
        self.n_candidates_ = len(cands)
        lap("lsh")
        self.pairs_, self.coverage_ = self._verify(src, item_of, common, cands, owner, wstart)
        lap("verify")

    def pairs(self) -> list[CopyPair]:
        self._check_fitted()
        return list(self.pairs_)

    def findings(self) -> list[Finding]:
        self._check_fitted()
        return pairs_to_findings(self.pairs_)

    def fit_pairs(self, docs: Iterable[Any]) -> list[CopyPair]:
        return self.fit(docs).pairs()

    def similarity_matrix(self, mode: str = "max", top: Optional[int] = None) -> tuple[list[str], np.ndarray]:
        """(doc ids, N x N matrix) of the share of text inside passages copied between two documents.

        ``cov_i`` is the share of document i's content characters (letters and CJK,
        each number or unit name counted once) inside passages it shares with j.
        Cell ``[i, j]`` is ``max(cov_i, cov_j)`` (``mode="max"``, the default: 1.0 when
        either is wholly copied from the other), ``min(...)`` (``"min"``) or the
        length-weighted mean (``"mean"``). The diagonal is 1; unrelated documents are 0,
        however much official phrasing they share.

        ``top``: only the ``top`` documents most similar to another one (kept in fit
        order), so that a heatmap of a large run needs no N x N matrix.
        """
        self._check_fitted()
        if mode not in ("max", "min", "mean"):
            raise ValueError(f"mode must be max, min or mean, not {mode!r}")
        values: dict[tuple[int, int], float] = {}
        for (i, j), (ci, cj) in self.coverage_.items():
            li, lj = max(1, self.doc_chars_[i]), max(1, self.doc_chars_[j])
            if mode == "max":
                values[i, j] = max(ci / li, cj / lj)
            elif mode == "min":
                values[i, j] = min(ci / li, cj / lj)
            else:
                values[i, j] = (ci + cj) / (li + lj)
        keep = list(range(len(self.docs_)))
        if top is not None and top < len(keep):
            best: dict[int, float] = {}
            for (i, j), v in values.items():
                best[i], best[j] = max(best.get(i, 0.0), v), max(best.get(j, 0.0), v)
            keep = sorted(sorted(keep, key=lambda i: (-best.get(i, 0.0), i))[:max(0, top)])
        at = {d: k for k, d in enumerate(keep)}
        m = np.eye(len(keep), dtype=float)
        for (i, j), v in values.items():
            if i in at and j in at:
                m[at[i], at[j]] = m[at[j], at[i]] = v
        return [self.docs_[i] for i in keep], m

    # -- checks

    def _check_params(self) -> None:
        if self.window < 1 or self.anchor < 1 or self.k < 1:
            raise ValueError("k, window and anchor must be positive")
        if self.max_df_docs < 1 or self.block < 1:
            raise ValueError("max_df_docs and block must be positive")
        if self.num_perm % self.bands:
            raise ValueError("num_perm must be a multiple of bands")
        if self.backend not in ("numpy", "datasketch"):
            raise ValueError("backend must be 'numpy' or 'datasketch'")

    def _check_fitted(self) -> None:
        if not hasattr(self, "pairs_"):
            raise RuntimeError("CopyDetector is not fitted yet: call fit(docs) first")

    # -- stage 1: mask and shingle

    def _load(self, src: Sequence[Any], i: int, common: Optional[np.ndarray] = None) -> Optional[_Doc]:
        """Item ``i`` masked and shingled (common shingles marked when ``common`` is given).

        A run of at most ``block`` documents is prepared once and kept until ``fit`` ends.
        """
        memo = self._memo if len(src) <= self.block else None
        d = memo.get(i) if memo is not None else None
        if d is None:
            got = _as_doc(src[i])
            if got is None:
                return None
            doc_id, raw, sections = got
            masked = mask_text(raw)
            d = _Doc(doc_id, raw, masked, shingle_hashes(masked.text, self.k), sections=sections,
                     quoted=_quoted(raw, masked, self.min_quote))
            if memo is not None:
                memo[i] = d
        if common is not None and d.common is None:
            self._mark(d, common)
        return d

    # -- stage 2: common shingles

    def _common_shingles(self, src: Sequence[Any]) -> np.ndarray:
        """Sorted hashes of the common shingles: stock phrases, and those in many documents.

        Document frequencies come from every document up to ``max_df_docs`` of them,
        beyond that from that many spread evenly over the run: a shingle in 30 % of
        10,000 documents is in about 30 % (± 1.5 %) of any 1,000 of them.
        """
        phrases = tuple(self.phrases) if self.phrases is not None else _default_phrases()
        common = phrase_shingles(phrases, self.k)
        n_items = len(src)
        if n_items > self.max_df_docs:
            sample = np.unique(np.linspace(0, n_items - 1, self.max_df_docs).round().astype(np.int64))
        else:
            sample = np.arange(n_items)
        uniq = []
        for i in sample:
            d = self._load(src, int(i))
            if d is not None:
                uniq.append(_sorted_unique(d.h64))
        n = len(uniq)
        cutoff = max(self.common_min_docs, math.floor(self.common_df * n) + 1)
        uniq = [u for u in uniq if len(u)]
        if n >= cutoff and uniq:
            allh = np.sort(np.concatenate(uniq))
            brk = np.flatnonzero(allh[1:] != allh[:-1]) + 1
            first = np.concatenate(([0], brk))
            counts = np.diff(np.concatenate((first, [len(allh)])))
            common = _sorted_unique(np.concatenate((common, allh[first[counts >= cutoff]])))
        return common

    def _mark(self, d: _Doc, common: np.ndarray) -> None:
        d.h_common = _member(d.h64, common)
        if d.quoted is not None and d.quoted.any() and len(d.h64):
            d.h_common |= d.quoted[:len(d.h64)] | d.quoted[self.k - 1:]
        d.common = _cover(d.h_common, self.k, len(d.masked.text))
        if d.quoted is not None:
            d.common |= d.quoted

    # -- stage 3: window signatures

    def _signatures(self, src: Sequence[Any], common: np.ndarray,
                    keys: "_KeyStore") -> tuple[list[int], np.ndarray, np.ndarray]:
        """Band keys (or signatures) of every anchored window into ``keys``.

        Returns the item index of each readable document, and per window its owner
        (readable-document index) and start shingle.
        """
        w = self.window
        rows = self.num_perm // self.bands
        mult = _band_multipliers(rows)
        min_valid = max(self.k, w // 2)
        self.docs_, self.doc_chars_ = [], []
        item_of: list[int] = []
        owner, wstart = [], []
        for i in range(len(src)):
            d = self._load(src, i, common)
            if d is None:
                continue
            di = len(item_of)
            item_of.append(i)
            self.docs_.append(d.id)
            self.doc_chars_.append(len(d.masked.text))
            n = len(d.h64)
            if n == 0:
                continue
            perm = permuted(shingle_values(d.h64), self.num_perm, self.seed)
            perm[d.h_common] = _MAX32
            if n <= w:
                starts = np.zeros(1, dtype=np.int64)
                sigs = perm.min(axis=0, keepdims=True)
                valid = np.array([int((~d.h_common).sum())])
            else:
                starts = _anchors(d.h64, self.anchor, n - w)
                sigs = _window_min(perm, w, starts)
                cum = np.concatenate(([0], np.cumsum(~d.h_common)))
                valid = cum[starts + w] - cum[starts]
            keep = valid >= min(min_valid, n)
            if not keep.any():
                continue
            sigs = sigs[keep]
            if keys.in_memory:
                keys.add(sigs)
            else:
                with np.errstate(over="ignore"):
                    keys.add((sigs.reshape(len(sigs), self.bands, rows).astype(np.uint64) * mult).sum(
                        axis=2, dtype=np.uint64))
            owner.append(np.full(len(sigs), di, dtype=np.int32))
            wstart.append(starts[keep].astype(np.int32))
        if not owner:
            empty = np.empty(0, dtype=np.int32)
            return item_of, empty, empty
        return item_of, np.concatenate(owner), np.concatenate(wstart)

    # -- stage 4: LSH candidates

    def _candidates(self, keys: "_KeyStore", owner: np.ndarray) -> np.ndarray:
        """Sorted unique codes ``g * nw + h`` of window pairs (g < h, different documents) sharing a band."""
        nw = len(owner)
        if nw < 2:
            return np.empty(0, dtype=np.int64)
        if self.backend == "datasketch":
            return self._candidates_datasketch(keys.all(), owner)
        found = np.empty(0, dtype=np.int64)
        for bnd in range(self.bands):
            key = keys.band(bnd)
            order = np.argsort(key)
            ks = key[order]
            del key
            brk = np.flatnonzero(ks[1:] != ks[:-1]) + 1
            del ks
            gstart = np.concatenate(([0], brk))
            size = np.diff(np.concatenate((gstart, [nw])))
            multi = size > 1
            gstart, size = gstart[multi], size[multi]
            # the same window pairs share most bands: only codes not found yet are merged in,
            # and the groups are paired a slice at a time (a few MB, however many pairs)
            new, pending = [], 0
            for li, ri in _pair_slices(gstart, size, _PAIR_CHUNK):
                codes = _pair_codes(order[li], order[ri], owner, nw)
                codes = _sorted_unique(codes[codes >= 0])
                new.append(codes[~_member(codes, found)])
                pending += len(new[-1])
                if pending >= _MERGE_AT:          # a band that brings millions: merged as it goes
                    found, new, pending = _merge_codes(found, new), [], 0
            found = _merge_codes(found, new)
        return found

    def _candidates_datasketch(self, sigs: np.ndarray, owner: np.ndarray) -> np.ndarray:
        from datasketch import LeanMinHash, MinHashLSH
        rows = self.num_perm // self.bands
        lsh = MinHashLSH(num_perm=self.num_perm, params=(self.bands, rows))
        mhs = [LeanMinHash(seed=self.seed, hashvalues=s, scheme="affine32") for s in sigs]
        for g, m in enumerate(mhs):
            lsh.insert(g, m, check_duplication=False)
        found = set()
        nw = len(owner)
        for g, m in enumerate(mhs):
            for h in lsh.query(m):
                if h > g and owner[h] != owner[g]:
                    found.add(g * nw + h)
        return np.array(sorted(found), dtype=np.int64)

    # -- stage 5: exact verification

    def _verify(self, src: Sequence[Any], item_of: list[int], common: np.ndarray,
                codes: np.ndarray, owner: np.ndarray, wstart: np.ndarray) -> tuple[list[CopyPair], dict]:
        """Align every document pair with candidate windows; documents are loaded ``block`` at a time.

        ``codes`` ascend, so their first documents do too and a block of first documents
        is a slice of them. For each block, the second documents are read once each, in
        order: a run of N documents is read about N / block times, never held whole.
        """
        nw, n = len(owner), len(item_of)
        span = self.window + self.k - 1
        found: dict[tuple[int, int], list[tuple[CopyPair, _Passage]]] = {}
        first_doc = owner[codes // nw] if len(codes) else np.empty(0, dtype=np.int32)

        def load(di: int) -> _Doc:      # from _load's memo when the run fits in one block
            return self._load(src, item_of[di], common)

        for lo in range(0, n, self.block):
            s, e = np.searchsorted(first_doc, [lo, lo + self.block])
            if s == e:
                continue
            g, h = codes[s:e] // nw, codes[s:e] % nw
            pair = first_doc[s:e].astype(np.int64) * n + owner[h]
            order = np.argsort(pair, kind="stable")          # by second document, then first
            pair, g, h = pair[order], g[order], h[order]
            brk = np.flatnonzero(pair[1:] != pair[:-1]) + 1
            starts, ends = np.concatenate(([0], brk)), np.concatenate((brk, [len(pair)]))
            pa, pb = pair[starts] // n, pair[starts] % n
            firsts = {int(i): load(int(i)) for i in np.unique(pa)}
            b_i, B = -1, None
            for k in np.argsort(pb, kind="stable"):            # each second document read once
                if pb[k] != b_i:
                    b_i = int(pb[k])
                    B = firsts.get(b_i) or load(b_i)
                A = firsts[int(pa[k])]
                passages = self._align_pair(A, B, wstart[g[starts[k]:ends[k]]], wstart[h[starts[k]:ends[k]]], span)
                if passages:
                    found[(int(pa[k]), b_i)] = [(self._make_pair(A, B, p), p) for p in passages]
        pairs: list[CopyPair] = []
        coverage: dict[tuple[int, int], tuple[int, int]] = {}
        for key in sorted(found):
            got = found[key]
            pairs.extend(cp for cp, _ in got)
            coverage[key] = (_union_len([(p.a0, p.a1) for _, p in got]), _union_len([(p.b0, p.b1) for _, p in got]))
        return pairs, coverage   # in fit order of (doc_a, doc_b), then by position

    def _align_pair(self, A: _Doc, B: _Doc, sa: np.ndarray, sb: np.ndarray, span: int) -> list["_Passage"]:
        """Passages shared by A and B around their candidate windows (starting at sa, sb)."""
        la, lb = len(A.masked.text), len(B.masked.text)
        ra = _merge([(int(x), min(la, int(x) + span)) for x in sa], gap=span)
        rb = _merge([(int(x), min(lb, int(x) + span)) for x in sb], gap=span)
        ra_starts = [x[0] for x in ra]
        rb_starts = [x[0] for x in rb]
        tasks = sorted({(bisect.bisect_right(ra_starts, int(x)) - 1, bisect.bisect_right(rb_starts, int(y)) - 1)
                        for x, y in zip(sa, sb)})
        found: list[_Passage] = []
        for ia, ib in tasks:
            a0, a1 = max(0, ra[ia][0] - span), min(la, ra[ia][1] + span)
            b0, b1 = max(0, rb[ib][0] - span), min(lb, rb[ib][1] + span)
            for _ in range(16):      # widen while a passage runs into the region's edge
                chains = self._chains(A, B, a0, a1, b0, b1)
                grown = [c for c in chains if sum(n for _, _, n in c) >= 2 * self.k]
                grow_left = any((c[0][0] <= 1 and a0 > 0) or (c[0][1] <= 1 and b0 > 0) for c in grown)
                grow_right = any((c[-1][0] + c[-1][2] >= a1 - a0 - 1 and a1 < la)
                                 or (c[-1][1] + c[-1][2] >= b1 - b0 - 1 and b1 < lb) for c in grown)
                if grow_left:
                    a0, b0 = max(0, a0 - 2 * span), max(0, b0 - 2 * span)
                if grow_right:
                    a1, b1 = min(la, a1 + 2 * span), min(lb, b1 + 2 * span)
                if not (grow_left or grow_right):
                    break
            for blocks in chains:
                p = self._evaluate(A, B, [(x + a0, y + b0, n) for x, y, n in blocks])
                if p is not None:
                    found.append(p)
        # overlapping results of neighbouring regions: keep the longest
        found.sort(key=lambda p: (-p.chars, p.a0, p.b0))
        kept: list[_Passage] = []
        for p in found:
            if not any(p.a0 < q.a1 and q.a0 < p.a1 and p.b0 < q.b1 and q.b0 < p.b1 for q in kept):
                kept.append(p)
        kept.sort(key=lambda p: (p.a0, p.b0))
        return kept

    def _chains(self, A: _Doc, B: _Doc, a0: int, a1: int, b0: int, b1: int) -> list[list[tuple[int, int, int]]]:
        """Exact matching blocks of A[a0:a1] and B[b0:b1], chained into candidate passages.

        Blocks are (a, b, size) in offsets local to the regions.
        """
        blocks = _matching_blocks(A, B, a0, a1, b0, b1, self.k)
        chains: list[list[tuple[int, int, int]]] = []
        for blk in blocks:
            if chains:
                pa, pb, pn = chains[-1][-1]
                if blk[0] - (pa + pn) <= self.max_gap and blk[1] - (pb + pn) <= self.max_gap:
                    chains[-1].append(blk)
                    continue
            chains.append([blk])
        return [part for ch in chains for part in self._split(ch)]

    def _split(self, chain: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
        """Trim stray short blocks at the ends; split at the widest gap until similar enough."""
        while chain and chain[0][2] < self.k:
            chain = chain[1:]
        while chain and chain[-1][2] < self.k:
            chain = chain[:-1]
        if not chain:
            return []
        if len(chain) == 1 or _chain_similarity(chain) >= self.threshold:
            return [chain]
        gaps = [max(chain[i + 1][0] - chain[i][0] - chain[i][2], chain[i + 1][1] - chain[i][1] - chain[i][2])
                for i in range(len(chain) - 1)]
        cut = int(np.argmax(gaps)) + 1
        return self._split(chain[:cut]) + self._split(chain[cut:])

    def _trim_edges(self, A: _Doc, B: _Doc, blocks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """Cut what a passage has beyond a sentence end within 8 characters of either edge.

        Such a stretch is chance: the heading marker of the next section (二、 against
        三、, both a masked number) right after a copied paragraph, or the tail of a
        stock clause (……与文明创建深度融合, 会议#次) just before it.
        """
        edge = _EDGE

        def head_cut(d: _Doc, lo: int, hi: int) -> int:
            """Position after the last break among d's characters lo..hi-1 (lo when none)."""
            hit = np.flatnonzero(d.masked.breaks[lo:hi])
            return lo + int(hit[-1]) + 1 if len(hit) else lo

        def tail_cut(d: _Doc, lo: int, end: int) -> int:
            """Position after the first break among d's characters lo..end-2 (end when none)."""
            hit = np.flatnonzero(d.masked.breaks[lo:end - 1])
            return lo + int(hit[0]) + 1 if len(hit) else end

        if not blocks:
            return blocks
        a0, b0 = blocks[0][0], blocks[0][1]
        a1, b1 = blocks[-1][0] + blocks[-1][2], blocks[-1][1] + blocks[-1][2]
        ca = head_cut(A, a0, min(a0 + edge, a1 - 1))
        cb = head_cut(B, b0, min(b0 + edge, b1 - 1))
        ea = tail_cut(A, max(a0, a1 - 1 - edge), a1)
        eb = tail_cut(B, max(b0, b1 - 1 - edge), b1)
        out = []
        for a, b, n in blocks:
            d = max(0, ca - a, cb - b)
            n2 = min(n, ea - a, eb - b)
            if n2 - d > 0:
                out.append((a + d, b + d, n2 - d))
        while out and out[0][2] < self.k:
            out.pop(0)
        while out and out[-1][2] < self.k:
            out.pop()
        return out

    def _evaluate(self, A: _Doc, B: _Doc, blocks: list[tuple[int, int, int]]) -> Optional["_Passage"]:
        blocks = self._trim_edges(A, B, blocks)
        if not blocks:
            return None
        sim = _chain_similarity(blocks)
        if sim < self.threshold:
            return None
        # characters that count: matched in a block of at least k, outside common shingles
        a0, a1 = blocks[0][0], blocks[-1][0] + blocks[-1][2]
        b0, b1 = blocks[0][1], blocks[-1][1] + blocks[-1][2]
        if min(_span_len(A, a0, a1), _span_len(B, b0, b1)) < self.min_chars:
            return None   # they count inside the raw span: too short whatever counts
        ca = np.zeros(a1 - a0, dtype=bool)
        cb = np.zeros(b1 - b0, dtype=bool)
        for a, b, n in blocks:
            if n >= self.k:
                ca[a - a0:a - a0 + n] = True
                cb[b - b0:b - b0 + n] = True
        ca &= ~A.common[a0:a1]
        cb &= ~B.common[b0:b1]
        # a passage neither starts nor ends with a block (after a gap) that does not count,
        # e.g. a stock phrase that follows both copies by chance
        counts = [bool((ca[a - a0:a - a0 + n] & cb[b - b0:b - b0 + n]).any()) for a, b, n in blocks]
        if not any(counts):
            return None
        first, last = counts.index(True), len(counts) - 1 - counts[::-1].index(True)
        if first > 0 or last < len(blocks) - 1:
            return self._evaluate(A, B, blocks[first:last + 1])
        chars = min(_counted_chars(ca, A, a0), _counted_chars(cb, B, b0))
        if chars < self.min_chars:
            return None
        return _Passage(a0, a1, b0, b1, sim, chars)

    def _make_pair(self, A: _Doc, B: _Doc, p: "_Passage") -> CopyPair:
        ra = _raw_span(A, p.a0, p.a1)
        rb = _raw_span(B, p.b0, p.b1)
        return CopyPair(doc_a=A.id, span_a=ra, text_a=A.raw[ra[0]:ra[1]],
                        doc_b=B.id, span_b=rb, text_b=B.raw[rb[0]:rb[1]],
                        similarity=round(p.sim, 4), chars=int(p.chars),
                        section_a=_section_path(A, ra[0]), section_b=_section_path(B, rb[0]))


@dataclass
class _Passage:
    a0: int        # masked offsets
    a1: int
    b0: int
    b1: int
    sim: float
    chars: int


# ---------------------------------------------------------------- helpers

_QUOTE_RE = re.compile(r"“[^“”\n]{1,400}”")


def _quoted(raw: str, masked: Masked, min_quote: Optional[int]) -> Optional[np.ndarray]:
    """Per masked character: inside a “…” quotation of at least ``min_quote`` masked characters."""
    if min_quote is None or "“" not in raw:
        return None
    out = np.zeros(len(masked.text), dtype=bool)
    for m in _QUOTE_RE.finditer(raw):
        lo = int(np.searchsorted(masked.starts, m.start()))
        hi = int(np.searchsorted(masked.starts, m.end()))
        if hi - lo >= min_quote:
            out[lo:hi] = True
    return out


def _matching_blocks(A: _Doc, B: _Doc, a0: int, a1: int, b0: int, b1: int, k: int,
                     max_occ: int = 64) -> list[tuple[int, int, int]]:
    """Non-crossing exact matches of at least k characters between A[a0:a1] and B[b0:b1].

    Like ``difflib.SequenceMatcher.get_matching_blocks`` (the longest match first, then
    the same on either side of it), but the matches are found with the k-shingle hashes
    (maximal runs of equal shingles on one diagonal), so a region of any length costs
    about what sorting its shingles costs, and matches shorter than k are not sought.
    A shingle found more than ``max_occ`` times in B's region is left out (difflib's
    "popular" heuristic). Returns (a, b, size) local to the regions, in order.
    """
    ha = A.h64[a0:max(a0, a1 - k + 1)]
    hb = B.h64[b0:max(b0, b1 - k + 1)]
    if not len(ha) or not len(hb):
        return []
    order = np.argsort(hb, kind="stable")
    hbs = hb[order]
    lo = np.searchsorted(hbs, ha, side="left")
    cnt = np.searchsorted(hbs, ha, side="right") - lo
    cnt[cnt > max_occ] = 0
    total = int(cnt.sum())
    if not total:
        return []
    i = np.repeat(np.arange(len(ha)), cnt)
    j = order[np.repeat(lo, cnt) + (np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt))]
    d = j - i
    o = np.lexsort((i, d))
    i, d = i[o], d[o]
    new = np.concatenate(([True], (d[1:] != d[:-1]) | (i[1:] != i[:-1] + 1)))
    first = np.flatnonzero(new)
    runs = np.diff(np.concatenate((first, [len(i)])))
    ba = i[first]
    bb = ba + d[first]
    bn = runs + k - 1
    # the longest block first, then recursively left of it and right of it
    chosen: list[tuple[int, int, int]] = []
    stack = [(0, a1 - a0, 0, b1 - b0)]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        t0 = np.maximum(0, np.maximum(alo - ba, blo - bb))
        t1 = np.minimum(bn, np.minimum(ahi - ba, bhi - bb))
        size = t1 - t0
        best = int(np.argmax(size))
        if size[best] < k:
            continue
        a, b, n = int(ba[best] + t0[best]), int(bb[best] + t0[best]), int(size[best])
        if A.masked.text[a0 + a:a0 + a + n] != B.masked.text[b0 + b:b0 + b + n]:
            ba[best] = -(10 ** 9)              # a hash collision: never chosen again
            stack.append((alo, ahi, blo, bhi))
            continue
        chosen.append((a, b, n))
        stack.append((alo, a, blo, b))
        stack.append((a + n, ahi, b + n, bhi))
    chosen.sort()
    return chosen


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    """np.unique by sorting (much faster than numpy 2's hash-based unique for uint64)."""
    if not len(x):
        return x
    x = np.sort(x)
    return x[np.concatenate(([True], x[1:] != x[:-1]))]


def _member(x: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    if not len(sorted_set) or not len(x):
        return np.zeros(len(x), dtype=bool)
    i = np.minimum(np.searchsorted(sorted_set, x), len(sorted_set) - 1)
    return sorted_set[i] == x


def _cover(flagged: np.ndarray, k: int, n: int) -> np.ndarray:
    """Per character of a stream of length n: inside a flagged k-shingle (flagged[i] = shingle at i)."""
    if not len(flagged):
        return np.zeros(n, dtype=bool)
    cum = np.concatenate(([0], np.cumsum(flagged)))
    pos = np.arange(n)
    hi = np.minimum(pos + 1, len(flagged))        # shingles starting at pos-k+1 .. pos
    lo = np.clip(pos - k + 1, 0, len(flagged))
    return cum[hi] - cum[lo] > 0


def _anchors(h: np.ndarray, size: int, last: int) -> np.ndarray:
    """Winnowing: the position of the smallest hash in every ``size`` consecutive hashes.

    Content-defined, so the same text selects the same anchors wherever it stands,
    and any ``size`` consecutive shingles contain one. Positions beyond ``last`` (the
    last full window's start) become ``last``; 0 is always an anchor.
    """
    n = len(h)
    if n <= size:
        pos = np.array([int(np.argmin(h))])
    else:
        view = np.lib.stride_tricks.sliding_window_view(h, size)
        pos = np.arange(n - size + 1) + view.argmin(axis=1)      # non-decreasing
    pos = np.concatenate(([0], np.minimum(pos, last)))
    pos = np.maximum.accumulate(pos)
    return pos[np.concatenate(([True], pos[1:] != pos[:-1]))].astype(np.int64)


def _window_min(x: np.ndarray, w: int, starts: np.ndarray) -> np.ndarray:
    """Row-wise minimum of ``x[s:s + w]`` for each ``s`` in ``starts`` (a sparse table of mins)."""
    level, span = x, 1
    while span * 2 <= w:
        level = np.minimum(level[:-span], level[span:])
        span *= 2
    # level[i] = min(x[i:i + span]); two overlapping spans cover the window
    return np.minimum(level[starts], level[starts + (w - span)])


@lru_cache(maxsize=4)
def _band_multipliers(rows: int) -> np.ndarray:
    """Random odd 64-bit multipliers: a band's key is the wrapped dot product of its values."""
    gen = np.random.RandomState(12345)
    return gen.randint(0, 1 << 62, rows, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


def _group_pairs(gstart: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (p, q), p < q, of positions inside the same group [gstart, gstart + size)."""
    pos = np.repeat(gstart, size) + (np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size))
    gend = np.repeat(gstart + size, size)
    cnt = gend - pos - 1                       # partners after p in its group
    left = np.repeat(pos, cnt)
    off = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return left, left + 1 + off


def _pair_slices(gstart: np.ndarray, size: np.ndarray, limit: int):
    """:func:`_group_pairs` of all the groups, about ``limit`` pairs at a time: small groups
    together, a group with more pairs than that (a passage thousands of documents share)
    a run of its rows at a time, so no slice holds its millions of pairs at once."""
    npairs = size * (size - 1) // 2
    big = npairs > limit
    gs, sz = gstart[~big], size[~big]
    total = np.cumsum(npairs[~big])
    cut = np.searchsorted(total, np.arange(limit, int(total[-1]) if len(total) else 0, limit), side="right")
    for lo, hi in zip(np.concatenate(([0], cut)), np.concatenate((cut, [len(sz)]))):
        if hi > lo:
            yield _group_pairs(gs[lo:hi], sz[lo:hi])
    for g, n in zip(gstart[big].tolist(), size[big].tolist()):
        partners = n - 1 - np.arange(n)            # row p pairs with the rows after it
        total = np.cumsum(partners)
        cut = np.searchsorted(total, np.arange(limit, int(total[-1]), limit), side="right")
        for lo, hi in zip(np.concatenate(([0], cut)), np.concatenate((cut, [n]))):
            cnt = partners[lo:hi]
            if hi <= lo or not cnt.sum():
                continue
            left = np.repeat(np.arange(g + lo, g + hi), cnt)
            off = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            yield left, left + 1 + off


def _merge_codes(found: np.ndarray, new: list[np.ndarray]) -> np.ndarray:
    """``found`` with the codes of ``new`` merged into place: one new array, not the three
    copies a sort of both makes."""
    if not new:
        return found
    add = _sorted_unique(np.concatenate(new))
    add = add[~_member(add, found)]
    return np.insert(found, np.searchsorted(found, add), add)


def _pair_codes(g: np.ndarray, h: np.ndarray, owner: np.ndarray, nw: int) -> np.ndarray:
    """g * nw + h for pairs of windows of different documents (g < h), -1 for the others."""
    lo, hi = np.minimum(g, h), np.maximum(g, h)
    return np.where(owner[lo] != owner[hi], lo * nw + hi, -1)


def _chain_similarity(blocks: list[tuple[int, int, int]]) -> float:
    la = blocks[-1][0] + blocks[-1][2] - blocks[0][0]
    lb = blocks[-1][1] + blocks[-1][2] - blocks[0][1]
    matched = sum(n for _, _, n in blocks)
    return 2.0 * matched / max(1, la + lb)


def _counted_chars(flags: np.ndarray, d: _Doc, offset: int) -> int:
    """Non-whitespace raw characters spanned by the runs of flagged masked characters.

    ``flags[i]`` is masked character ``offset + i``. Punctuation inside a run counts,
    and so does the punctuation a run at the passage's edge takes along (its final 。).
    """
    idx = np.flatnonzero(flags)
    if not len(idx):
        return 0
    brk = np.flatnonzero(np.diff(idx) > 1)
    first = np.concatenate(([idx[0]], idx[brk + 1]))
    last = np.concatenate((idx[brk], [idx[-1]]))
    total = 0
    for f, l in zip(first, last):
        s, e = int(d.masked.starts[f + offset]), int(d.masked.ends[l + offset])
        if f == 0 or l == len(flags) - 1:
            es, ee = _raw_span(d, f + offset, l + offset + 1)
            s, e = (es if f == 0 else s), (ee if l == len(flags) - 1 else e)
        total += len("".join(d.raw[s:e].split()))
    return total


def _raw_span(d: _Doc, a0: int, a1: int) -> tuple[int, int]:
    """Raw span of masked [a0, a1), taking adjoining opening/closing punctuation along."""
    raw = d.raw
    s, e = int(d.masked.starts[a0]), int(d.masked.ends[a1 - 1])
    while s > 0 and raw[s - 1] in _OPENING:
        s -= 1
    while e < len(raw) and raw[e] in _CLOSING:
        e += 1
    return s, e


def _span_len(d: _Doc, a0: int, a1: int) -> int:
    """Raw characters of masked [a0, a1) with what :func:`_raw_span` takes along: a bound
    on the characters :func:`_counted_chars` can count there."""
    s, e = _raw_span(d, a0, a1)
    return e - s


def _merge(ivs: list[tuple[int, int]], gap: int = 0) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(ivs):
        if out and s <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _union_len(spans: list[tuple[int, int]]) -> int:
    return sum(e - s for s, e in _merge(spans))


def _section_path(d: _Doc, raw_pos: int) -> str:
    """Path of the innermost heading section around ``raw_pos`` (Analyses only)."""
    if not d.sections:
        return ""
    best = None
    for sec in d.sections:
        if sec.level != "point" and sec.start <= raw_pos < sec.end:
            if best is None or sec.start >= best.start:
                best = sec
    return best.path if best is not None else ""


# ---------------------------------------------------------------- functional API

def find_copies(analyses: Iterable[Any], min_chars: int = 50, threshold: float = 0.8,
                **params: Any) -> list[CopyPair]:
    """Copied passages among ``analyses`` (Analyses, RawDocuments or (doc_id, raw_text) pairs)."""
    return CopyDetector(min_chars=min_chars, threshold=threshold, **params).fit(analyses).pairs()


def copy_findings(analyses: Iterable[Any], min_chars: int = 50, threshold: float = 0.8,
                  **params: Any) -> list[Finding]:
    """``TEMPLATE_COPY`` findings (two per copied passage) among ``analyses``."""
    return pairs_to_findings(find_copies(analyses, min_chars=min_chars, threshold=threshold, **params))


@corpus_checks.register(CODE, severity="high", description="与同批其他材料有成段文字雷同（替换单位名称和数字后仍一致），疑似照抄照搬")
def template_copy(texts: Sequence[tuple[str, str]], top: int = 60) -> tuple[list[Finding], Optional[dict]]:
    """The corpus check of a run: TEMPLATE_COPY findings among ``texts`` ((doc, text) pairs,
    read one at a time) and the similarity rows of the ``top`` documents for the heatmap."""
    if len(texts) < 2:
        return [], None
    det = CopyDetector().fit(texts)
    docs, matrix = det.similarity_matrix(top=top)
    return det.findings(), {"docs": docs, "matrix": matrix, "total": len(det.docs_)}


def similarity_matrix(source: Any, mode: str = "max", **params: Any) -> tuple[list[str], np.ndarray]:
    """(doc ids, matrix) of copied-text shares, from a fitted :class:`CopyDetector` or documents."""
    det = source if isinstance(source, CopyDetector) else CopyDetector(**params).fit(source)
    return det.similarity_matrix(mode=mode)


__all__ = ["CODE", "template_copy", "CopyPair", "CopyDetector", "find_copies", "copy_findings", "pairs_to_findings",
           "similarity_matrix", "copy_severity", "mask_text", "Masked", "shingle_hashes",
           "shingle_values", "permuted"]


def copy_pairs_frame(analyses: Iterable[Any], min_chars: int = 50, threshold: float = 0.8):
    """Copied passages as a pandas DataFrame, one row per pair (for the Python API)."""
    import pandas as pd
    rows = [{"doc_a": p.doc_a, "start_a": p.span_a[0], "end_a": p.span_a[1], "text_a": p.text_a,
             "doc_b": p.doc_b, "start_b": p.span_b[0], "end_b": p.span_b[1], "text_b": p.text_b,
             "similarity": round(float(p.similarity), 3), "chars": p.chars, "severity": p.severity}
            for p in find_copies(list(analyses), min_chars=min_chars, threshold=threshold)]
    return pd.DataFrame(rows, columns=["doc_a", "start_a", "end_a", "text_a", "doc_b", "start_b", "end_b",
                                       "text_b", "similarity", "chars", "severity"])
