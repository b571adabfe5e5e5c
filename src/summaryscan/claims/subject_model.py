"""The subject model: which phrase beside a number names what it counts.

For every claim the candidates are the word spans (jieba's words, with their POS tags)
of its sentence before the number, up to ``BACK`` characters back, and of its clause
after the unit; a linear model scores each candidate from features of where it starts,
where it ends, what stands between it and the number (占, 同比, 增长, 分别, 其中, 达到 …,
other claims) and the span itself, and the best-scoring candidate is the subject. The
model is fitted on real text with hand-labelled subjects
(:mod:`summaryscan.training.subjects`: grouped cross-validation, the model card in
``models/``).

Two ways to the same scores:

* :class:`ClaimWindow` lists a claim's candidates and the feature keys of each
  (``start_keys`` + ``end_keys`` + ``pair_keys``); :meth:`SubjectModel.score` adds up
  their weights. This is the definition, and what training reads.
* :meth:`SubjectModel.best_all` scores every candidate of every claim of a document at
  once in array operations, and is what the extractor runs: the documents this package
  reads hold a claim every hundred characters or so, and a subject may cost a few tens
  of microseconds. The words come from :class:`summaryscan.text.lattice.Lattice`
  (jieba's route over all the stretches that hold claims, in one pass); a word-keyed
  feature's weight is a cell of one table whose rows are found by the words' hashes;
  sums over the words between a candidate and the number are differences of prefix
  sums. ``tests/test_subject_model.py`` holds the two to the same scores and choices.
"""
from __future__ import annotations

import os
import re
import threading
from functools import lru_cache
from importlib import resources
from typing import NamedTuple, Optional

import numpy as np

from ..text.lattice import HashIndex, concat_hashes, hash_strings, lattice
from ..text.pos import trigger_verbs
from .scan import Found

BACK = 60            # characters of the sentence before a number searched for its subject
AHEAD = 24           # characters of the clause after the unit
MAX_CHARS = 24       # longest subject
MAX_AHEAD_START = 4  # a subject after the unit starts within its first words
CLAUSE_REACH = 200   # a clause is segmented at most this far from a claim (no punctuation: a table, debris)
_STOPS = "。!?;\n"     # end a sentence
_BREAKS = ",。!?;:\n"  # end a clause: no subject runs across one
_RUN_BREAKS = ",;。"   # end a run of claims (A、B分别增长x%、y%)
# tags a subject never starts with: particles, prepositions, conjunctions, numerals, measure words
_NO_START = frozenset({"uj", "ul", "u", "p", "c", "y", "x", "m", "q", "uz", "ud", "ug", "uv"})
_EVENT_UNITS = frozenset({"次", "人次", "场", "场次", "期", "轮", "批", "批次", "遍", "回", "趟"})
_PERSON_UNITS = frozenset({"人", "名", "位"})
_DUN = ord("、")      # between list items
_BUCKETS = (0, 1, 2, 3, 5, 8, 12, 20)
_WIDE = 99           # the bucket past the last


def _bucket(x: int) -> int:
    for k in _BUCKETS:
        if x <= k:
            return k
    return _WIDE


def _digit(ch: str) -> bool:
    """A character that opens a number (``str.isdigit``, within the basic plane)."""
    return ord(ch) < 0x10000 and ch.isdigit()


def _unit_class(kind: str, unit: str) -> str:
    return "event" if unit in _EVENT_UNITS else ("person" if unit in _PERSON_UNITS else kind)


def _is_verb(word: str, tag: str) -> bool:
    return word in trigger_verbs() or (tag[:1] == "v" and tag != "vn")


class Candidate(NamedTuple):
    side: str        # "L": before the number; "R": after the unit
    start: int       # clean offsets
    end: int
    i: int           # first and last word of the span in its side's window
    j: int


# ------------------------------------------------------------------ the document's words


class DocTokens:
    """A document's words around its claims, segmented once, and each claim's windows.

    Segmented, for every claim: from the clause holding the character ``BACK`` before it
    (never before its sentence) to the end of its unit's clause. The stretches of all
    claims are merged and each begins and ends at punctuation, which no word crosses,
    so a claim's words do not depend on its neighbours. A claim's *left window* holds
    the words of its sentence that start at most ``BACK`` characters before it and end
    by its first character; its *right window* the words after the unit to the end of
    its clause, at most ``AHEAD`` characters.
    """

    def __init__(self, text: str, found: list[Found]):
        self.text, self.found = text, found
        lat = lattice()
        self.tag_names = lat.tag_names
        k = len(found)
        cols = list(zip(*found)) if k else [()] * 9
        self.starts = np.array(cols[0], np.int64)
        self.unit_ends = np.array(cols[3], np.int64)
        self.ends = np.array(cols[1], np.int64)
        self.kinds, self.units = cols[7], cols[5]
        self.codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32) if k else np.zeros(0, np.uint32)
        marks = _MARKS[self.codes]
        at = np.flatnonzero(marks)
        kinds_of = marks[at]
        stops, breaks, run_breaks = (at[(kinds_of & bit) > 0] for bit in (1, 2, 4))
        starts, unit_ends = self.starts, self.unit_ends
        sentence = _after_last(stops, starts, 0)
        self.lo = np.maximum(sentence, starts - BACK)
        span_start = _after_last(breaks, self.lo, 0)
        span_start = np.where(self.lo - span_start > CLAUSE_REACH, self.lo, span_start)
        clause_end = _first_from(breaks, unit_ends, len(text))
        self.right_to = np.minimum(clause_end, unit_ends + AHEAD)
        span_end = np.maximum(np.minimum(clause_end, unit_ends + CLAUSE_REACH), unit_ends)
        tok = lat.segment(text, _merge(span_start, span_end))
        self.tok_start, self.tok_end, self.tok_tag, self.tok_hash = tok.start, tok.end, tok.tag, tok.hash
        self.tok_entry = tok.entry
        # windows as word ranges: left [a, b), right [c, d)
        self.a = np.searchsorted(tok.start, self.lo, "left")
        self.b = np.maximum(np.searchsorted(tok.end, starts, "right"), self.a)
        self.c = np.searchsorted(tok.start, unit_ends, "left")
        self.d = np.maximum(np.searchsorted(tok.end, self.right_to, "right"), self.c)
        left_at = np.where(self.b > self.a, np.append(tok.start, 0)[self.a], starts)
        self.run = _runs(self.ends, left_at, _after_last(run_breaks, starts, 0))

    def word(self, t: int) -> str:
        return self.text[self.tok_start[t]:self.tok_end[t]]

    def crossed(self, idx: int, end: int) -> int:
        """How many claims start from ``end`` up to claim ``idx`` (a subject ending at ``end``
        stands across them)."""
        s = self.starts
        return int(np.searchsorted(s, s[idx], "left") - np.searchsorted(s, end, "left"))

    def window(self, idx: int) -> "ClaimWindow":
        return ClaimWindow(self, idx)


def _marks() -> np.ndarray:
    """Per code point: 1 ends a sentence, 2 a clause, 4 a run of claims."""
    out = np.zeros(0x110000, np.uint8)
    for bit, chars in ((1, _STOPS), (2, _BREAKS), (4, _RUN_BREAKS)):
        out[[ord(ch) for ch in chars]] |= bit
    return out


_MARKS = _marks()


def _after_last(marks: np.ndarray, at: np.ndarray, default: int) -> np.ndarray:
    """The position after the last mark before each of ``at`` (``default`` when none)."""
    k = np.searchsorted(marks, at) - 1
    return np.where(k >= 0, np.append(marks, 0)[np.maximum(k, 0)] + 1, default)


def _first_from(marks: np.ndarray, at: np.ndarray, default: int) -> np.ndarray:
    """The first mark at or after each of ``at`` (``default`` when none)."""
    k = np.searchsorted(marks, at)
    return np.append(marks, default)[k]


def _merge(start: np.ndarray, end: np.ndarray) -> list[tuple[int, int]]:
    """The union of the stretches ``[start, end)`` (starts ascending), as disjoint stretches."""
    if not len(start):
        return []
    reach = np.maximum.accumulate(end)
    new = np.ones(len(start), bool)
    new[1:] = start[1:] > reach[:-1]
    first = np.flatnonzero(new)
    last = np.append(first[1:], len(start)) - 1
    return list(zip(start[first].tolist(), reach[last].tolist()))


def _runs(ends: np.ndarray, left_at: np.ndarray, after_break: np.ndarray) -> np.ndarray:
    """The claims right before each one in its clause and window (its place in a run)."""
    k = len(ends)
    run = np.zeros(k, np.int64)
    if k < 2:
        return run
    from_ = np.maximum(left_at, after_break)
    follows = np.flatnonzero(ends[:-1] >= from_[1:]) + 1      # the claim before is in the run: count back
    for idx in follows.tolist():
        q = idx - 1
        while q >= 0 and ends[q] >= from_[idx]:
            q -= 1
        run[idx] = idx - 1 - q
    return run


# ------------------------------------------------------------------ the definition


class ClaimWindow:
    """The words beside one claim, its candidates and their feature keys."""

    def __init__(self, doc: DocTokens, idx: int):
        self.doc, self.idx = doc, idx
        a, b, c, d = (int(x[idx]) for x in (doc.a, doc.b, doc.c, doc.d))
        names = doc.tag_names
        self.left = [(doc.word(t), names[doc.tok_tag[t]]) for t in range(a, b)]
        self.right = [(doc.word(t), names[doc.tok_tag[t]]) for t in range(c, d)]
        self.lpos = doc.tok_start[a:b].tolist()
        self.rpos = doc.tok_start[c:d].tolist()
        self.kind, self.run = doc.kinds[idx], int(doc.run[idx])
        self.ucls = _unit_class(self.kind, doc.units[idx])

    def candidates(self) -> list[Candidate]:
        """Word spans that start with a word a subject may start with, cross no clause
        boundary and are at most ``MAX_CHARS`` long: before the number, then after the
        unit starting within its first ``MAX_AHEAD_START`` words; in this order."""
        out = []
        for side, toks, pos, last in (("L", self.left, self.lpos, len(self.left)),
                                      ("R", self.right, self.rpos, min(len(self.right), MAX_AHEAD_START))):
            for i in range(last):
                w, t = toks[i]
                if t in _NO_START or w[0] in _BREAKS or _digit(w[0]):
                    continue
                for j in range(i, len(toks)):
                    wj = toks[j][0]
                    if wj[0] in _BREAKS or pos[j] + len(wj) - pos[i] > MAX_CHARS:
                        break
                    out.append(Candidate(side, pos[i], pos[j] + len(wj), i, j))
        return out

    def start_keys(self, side: str, i: int) -> list[tuple]:
        toks = self.left if side == "L" else self.right
        w, t = toks[i]
        pw, pt = toks[i - 1] if i > 0 else ("<S>", "<S>")
        keys = [(side, "sw", w), (side, "sp", t), (side, "pw", pw), (side, "pp", pt), (side, "pwp", pw, t),
                (side, "sc", w[0]), (side, "spu", t[:1], self.ucls), (side, "svu", _is_verb(w, t), self.ucls)]
        if side == "L":
            keys.append(("L", "at_left", i == 0))
        else:
            keys.append(("R", "skip", i))
            keys.extend(("R", "rg", g) for g, _ in self.right[:i])
        return keys

    def end_keys(self, side: str, j: int) -> list[tuple]:
        toks = self.left if side == "L" else self.right
        w, t = toks[j]
        nw, nt = toks[j + 1] if j + 1 < len(toks) else ("<N>", "<N>")
        kind = self.kind
        keys = [(side, "ew", w), (side, "ep", t), (side, "nw", nw), (side, "np", nt), (side, "ec", w[-1]),
                (side, "ec2", w[-2:]), (side, "ekp", kind, t), (side, "epu", t[:1], self.ucls)]
        if side == "L":
            gap = toks[j + 1:]
            gl = gap[-1][0] if gap else "<ADJ>"
            gf = gap[0][0] if gap else "<ADJ>"
            dist = sum(len(g) for g, _ in gap)
            items = sum(1 for g, _ in gap if g == "、")
            end = self.lpos[j] + len(w)
            keys += [("L", "gl", gl), ("L", "gf", gf), ("L", "kgl", kind, gl), ("L", "dist", _bucket(dist)),
                     ("L", "gn", _bucket(len(gap))), ("L", "gpat", "-".join(g for _, g in gap[-4:])),
                     ("L", "items", min(items, 3), min(self.run, 3)), ("L", "cross", self.doc.crossed(self.idx, end))]
            keys.extend(("L", "g", g) for g, _ in gap)
        return keys

    def pair_keys(self, c: Candidate) -> list[tuple]:
        side = c.side
        toks = self.left if side == "L" else self.right
        span = toks[c.i:c.j + 1]
        ntok = c.j - c.i + 1
        dist = sum(len(g) for g, _ in (toks[c.j + 1:] if side == "L" else toks[:c.i]))
        return [(side, "len", _bucket(c.end - c.start)), (side, "nt", _bucket(ntok)),
                (side, "sdn", _bucket(dist), _bucket(ntok)),
                (side, "sep", any(w == "、" for w, _ in span)), (side, "verb", any(_is_verb(w, t) for w, t in span)),
                (side, "kind", self.kind, self.ucls)]

    def keys(self, c: Candidate) -> list[tuple]:
        """Every feature key of a candidate (for training)."""
        return self.start_keys(c.side, c.i) + self.end_keys(c.side, c.j) + self.pair_keys(c)


# ------------------------------------------------------------------ the model at run time

_STRING = ("sw", "pw", "sc", "ew", "nw", "ec", "ec2", "gl", "gf", "g", "rg")   # (side, name, a string)
_SENTINELS = ("<S>", "<N>", "<ADJ>")
_OTHER = {           # name -> shape of its table, indexed by the key's fields (for each side)
    "sp": ("tag",), "pp": ("tag",), "ep": ("tag",), "np": ("tag",), "spu": ("cls", "ucls"),
    "svu": (2, "ucls"), "epu": ("cls", "ucls"), "ekp": ("kind", "tag"), "len": (_WIDE + 1,),
    "nt": (_WIDE + 1,), "sdn": (_WIDE + 1, _WIDE + 1), "sep": (2,), "verb": (2,), "kind": ("kind", "ucls"),
    "at_left": (2,), "skip": (MAX_AHEAD_START,), "dist": (_WIDE + 1,), "gn": (_WIDE + 1,), "items": (4, 4),
    "cross": ("cross",),
}
_PATTERN = "gpat"    # (L, gpat, "t-t-t-t"): the tags of the last words before the number
_LONG = 40           # an integer key of a tag pattern: its length << _LONG | the tags as digits


def to_arrays(weights: dict[tuple, float]) -> dict[str, np.ndarray]:
    """The weights as arrays by the kind of key (what ``models/subject-model.npz`` holds):
    string features (string, column), (word, tag) pairs, tag patterns, and the rest as
    ``repr`` of their keys."""
    sx, sc, sw, px, pt, ps, pw, qx, qc, qw, ok, ow = ([] for _ in range(12))
    for k, v in weights.items():
        side, name = k[0], k[1]
        if name in _STRING:
            sx.append(k[2]), sc.append(f"{side}|{name}"), sw.append(v)
        elif name == "kgl":
            sx.append(k[3]), sc.append(f"{side}|kgl|{k[2]}"), sw.append(v)
        elif name == "pwp":
            px.append(k[2]), pt.append(k[3]), ps.append(side), pw.append(v)
        elif name == _PATTERN:
            qx.append(k[2]), qc.append(f"{side}|{name}"), qw.append(v)
        else:
            ok.append(repr(k)), ow.append(v)
    f = lambda x: np.array(x, dtype=str)                       # noqa: E731
    g = lambda x: np.array(x, dtype=np.float64)                # noqa: E731
    return {"s_text": f(sx), "s_col": f(sc), "s_w": g(sw), "p_word": f(px), "p_tag": f(pt), "p_side": f(ps),
            "p_w": g(pw), "q_pat": f(qx), "q_col": f(qc), "q_w": g(qw), "o_key": f(ok), "o_w": g(ow)}


def from_arrays(z) -> dict[tuple, float]:
    """The weights of :func:`to_arrays` as a dict again."""
    w: dict[tuple, float] = {}
    for x, c, v in zip(z["s_text"].tolist(), z["s_col"].tolist(), z["s_w"].tolist()):
        parts = c.split("|")
        w[(parts[0], parts[1], parts[2], x) if len(parts) == 3 else (parts[0], parts[1], x)] = v
    for x, t, s, v in zip(z["p_word"].tolist(), z["p_tag"].tolist(), z["p_side"].tolist(), z["p_w"].tolist()):
        w[(s, "pwp", x, t)] = v
    for x, c, v in zip(z["q_pat"].tolist(), z["q_col"].tolist(), z["q_w"].tolist()):
        side, name = c.split("|")
        w[(side, name, x)] = v
    for k, v in zip(z["o_key"].tolist(), z["o_w"].tolist()):
        w[decode_key(k)] = v
    return w


class SubjectModel:
    """The fitted weights: :meth:`score` (the definition) and :meth:`best_all` (run time).

    Made from the weights (``weights``: feature key -> weight, the keys as
    :class:`ClaimWindow` makes them) or from their arrays (:func:`to_arrays`).
    """

    def __init__(self, weights: Optional[dict[tuple, float]] = None, arrays: Optional[dict] = None,
                 source: Optional[str] = None):
        self._w = weights
        self._compile(arrays if arrays is not None else to_arrays(weights or {}))
        # the arrays (9 MB, their strings as fixed-width unicode) are read again from ``source``
        # when the weights are asked for, rather than kept in every worker
        self._arrays = arrays if source is None else None
        self._source = source

    @property
    def w(self) -> dict[tuple, float]:
        """The weights by feature key (made from the arrays the first time it is asked for)."""
        if self._w is None:
            self._w = from_arrays(self._arrays if self._arrays is not None else _read_arrays(self._source))
        return self._w

    def score(self, win: ClaimWindow, c: Candidate) -> float:
        g = self.w.get
        return sum(g(k, 0.0) for k in win.keys(c))

    def best(self, win: ClaimWindow) -> Optional[Candidate]:
        """The best candidate of one claim (:meth:`best_all` on its window)."""
        return self.best_all(win.doc, [win.idx])[0]

    # ------------------------------------------------------------ the tables

    def _compile(self, z) -> None:
        lat = lattice()
        tags = list(lat.tag_names) + ["<S>", "<N>"]
        T = self.ntags = len(tags)
        self.tag_id = {t: k for k, t in enumerate(tags)}
        classes = sorted({t[:1] for t in tags})
        self.tag_class = np.array([classes.index(t[:1]) for t in tags], np.int64)
        self.tag_verb = np.array([t[:1] == "v" and t != "vn" for t in tags])
        self.tag_no_start = np.array([t in _NO_START for t in tags])
        other = [(decode_key(k), v) for k, v in zip(z["o_key"].tolist(), z["o_w"].tolist())]
        kinds = {k[2] for k, _ in other if k[1] in ("ekp", "kind")}
        kinds |= {c.split("|")[2] for c in set(z["s_col"].tolist()) if c.count("|") == 2}
        self.kind_id = {x: n for n, x in enumerate(sorted(kinds))}            # unknown: len(kind_id)
        self.ucls_id = {x: n for n, x in enumerate(sorted({k[3] for k, _ in other if k[1] in ("spu", "svu", "epu", "kind")}))}
        index = {"tag": self.tag_id, "cls": {c: n for n, c in enumerate(classes)}, "kind": self.kind_id,
                 "ucls": self.ucls_id}
        dims = {"tag": T, "cls": len(classes), "kind": len(self.kind_id) + 1, "ucls": len(self.ucls_id) + 1,
                "cross": max((k[2] for k, _ in other if k[1] == "cross"), default=0) + 2}   # + more than seen
        t = {(side, name): np.zeros([dims[x] if isinstance(x, str) else x for x in shape])
             for name, shape in _OTHER.items() for side in "LR"}
        for k, v in other:
            shape = _OTHER[k[1]]
            at = [int(f) if isinstance(x, int) or x == "cross" else index[x].get(f, -1) for x, f in zip(shape, k[2:])]
            if all(0 <= p < n for p, n in zip(at, t[k[0], k[1]].shape)):
                t[k[0], k[1]][tuple(at)] = v
        self.t = t
        # strings: one row each, a column per (side, name[, kind])
        verbs = sorted(trigger_verbs())
        texts = list(dict.fromkeys(z["s_text"].tolist() + z["p_word"].tolist() + verbs + list(_SENTINELS)))
        row = {x: n for n, x in enumerate(texts)}
        self.none = len(texts)                                                # the row of every other string
        cols = sorted(set(z["s_col"].tolist())) + ["trigger"]
        self.col = {c: n for n, c in enumerate(cols)}
        table = np.zeros((len(texts) + 1, len(cols)))
        r = np.array([row[x] for x in z["s_text"].tolist()], np.int64)
        c = np.array([self.col[x] for x in z["s_col"].tolist()], np.int64)
        if len(r):
            table[r, c] = z["s_w"]
        table[[row[x] for x in verbs], self.col["trigger"]] = 1.0
        self.table = np.concatenate([table, np.zeros((len(table), 1))], axis=1)   # the last column: no feature
        zero = self.table.shape[1] - 1
        pick = lambda *names: np.array([self.col.get(x, zero) for x in names], np.int64)      # noqa: E731
        # what a word's own row gives (both sides one above the other), and its first, last, last two
        # characters'; these tables are feature by string (as those of tags and pairs below), so what
        # is gathered for the words of a document is a row per feature, whose sums run over whole rows
        self.word_cols = pick("L|sw", "R|sw", "L|pw", "R|pw", "L|ew", "R|ew", "L|nw", "R|nw", "L|g", "R|rg", "L|gf",
                              "trigger")
        self.word_table = np.ascontiguousarray(self.table[:, self.word_cols].T)
        kinds_in_order = sorted(self.kind_id, key=self.kind_id.get)
        self.gap_table = np.ascontiguousarray(self.table[:, pick("L|gl", *(f"L|kgl|{x}" for x in kinds_in_order), "-")])
        self.first_table = np.ascontiguousarray(self.table[:, pick("L|sc", "R|sc")].T)
        self.last_table = np.ascontiguousarray(self.table[:, pick("L|ec", "R|ec")].T)
        self.last2_table = np.ascontiguousarray(self.table[:, pick("L|ec2", "R|ec2")].T)
        self.sentinel = {x: row[x] for x in _SENTINELS}
        hashes = hash_strings(texts)
        self.string_hashes = hashes
        entry = lat.index.find(hashes)                                        # strings that are dictionary entries
        self.entry_row = np.full(len(lat.freq) + 1, self.none, np.int32)     # [-1]: no entry
        self.entry_row[entry[entry >= 0]] = np.flatnonzero(entry >= 0)
        self.char_row = np.full(0x10001, self.none, np.int32)                # by code point + 1; [0]: none
        one = [(ord(x) + 1, n) for n, x in enumerate(texts) if len(x) == 1 and ord(x) < 0x10000]
        if one:
            self.char_row[[a for a, _ in one]] = [b for _, b in one]
        # (word, tag) pairs: a dense block of tags per word that has any
        paired = sorted({row[x] for x in z["p_word"].tolist()})
        self.pair_of_row = np.full(len(texts) + 1, len(paired), np.int64)   # words in no pair: the zero block
        self.pair_of_row[paired] = np.arange(len(paired))
        self.pair_table = np.zeros((2, (len(paired) + 1) * T))
        for x, tg, side, v in zip(z["p_word"].tolist(), z["p_tag"].tolist(), z["p_side"].tolist(), z["p_w"].tolist()):
            if tg in self.tag_id:
                self.pair_table["LR".index(side), self.pair_of_row[row[x]] * T + self.tag_id[tg]] = v
        self.s_pair = self.pair_table[:, self.pair_of_row[row["<S>"]] * T + np.arange(T)]   # after "<S>", per tag
        self.pat = np.zeros(1 + T + T * T)              # patterns of none, one and two tags: dense
        pat_at: dict[int, int] = {}
        qw = []
        for pat, col, v in zip(z["q_pat"].tolist(), z["q_col"].tolist(), z["q_w"].tolist()):
            ids = [self.tag_id.get(x, -1) for x in pat.split("-")] if pat else []
            if col != f"L|{_PATTERN}" or -1 in ids:
                continue
            if len(ids) <= 2:
                self.pat[_short_pattern(ids, T)] = v
            else:
                pat_at[_pattern_key(ids, T)] = len(qw)
                qw.append(v)
        self.pat_w = np.array(qw + [0.0])
        self.has_ec2 = any(c.endswith("|ec2") for c in self.col)
        # one index for both: the strings (row = index) and the patterns (index - strings)
        self.lookup = HashIndex(np.concatenate([self.string_hashes, np.array(list(pat_at), np.uint64)]))
        self.bucket = np.array([_bucket(x) for x in range(_WIDE + 1)], np.int64)
        self._combine()
        self._class_of: dict[tuple[str, str], int] = {}
        # per tag: sp, pp, ep, np of each side; the sentinels' own
        t = self.t
        self.tag_table = np.stack([t[S, name] for name in ("sp", "pp", "ep", "np") for S in "LR"])
        sw = self.table[self.sentinel["<S>"]]
        nw = self.table[self.sentinel["<N>"]]
        s_tag, n_tag = self.tag_id["<S>"], self.tag_id["<N>"]
        self.before_first = np.array([sw[self.col.get(f"{S}|pw", zero)] + t[S, "pp"][s_tag] for S in "LR"])
        self.after_last = np.array([nw[self.col.get(f"{S}|nw", zero)] + t[S, "np"][n_tag] for S in "LR"])
        self.at_left = np.array([[t["L", "at_left"][0], 0.0], [t["L", "at_left"][1], 0.0]])[:, :, None]
        self.digit = np.append(_digit_table(), False)

    def _combine(self) -> None:
        """Tables indexed by what a candidate has at hand: each adds the features that share
        its fields (and folds the buckets of lengths and distances in)."""
        t, bk = self.t, self.bucket
        nu = len(self.ucls_id) + 1
        ncls = int(self.tag_class.max()) + 1
        self.nu, self.nku = nu, (len(self.kind_id) + 1) * nu
        self.start_code = self.tag_class * 2                     # + 1 for a verb
        self.c = {}
        for S in "LR":
            su = np.zeros((ncls, 2, nu))
            su += t[S, "spu"][:, None, :]
            su += t[S, "svu"][None, :, :]
            self.c[S, "start"] = su.reshape(-1)                 # [(class * 2 + verb) * nu + ucls]
            ek = t[S, "ekp"].T[:, :, None] + t[S, "epu"][self.tag_class][:, None, :] + t[S, "kind"][None, :, :]
            self.c[S, "end"] = ek.reshape(-1)                   # [(tag * kinds + kind) * nu + ucls]
            self.c[S, "len"] = t[S, "len"][bk]                   # [chars]
            self.c[S, "span"] = (t[S, "nt"][bk][None, :] + t[S, "sdn"][bk][:, bk]).reshape(-1)  # [gap * 100 + words]
            self.c[S, "flags"] = (t[S, "sep"][:, None] + t[S, "verb"][None, :]).reshape(-1)     # [sep * 2 + verb]
        self.c["L", "gap"] = (t["L", "dist"][bk][:, None] + t["L", "gn"][bk][None, :]).reshape(-1)  # [chars * 100 + words]
        self.c["L", "items"] = t["L", "items"].reshape(-1)       # [items * 4 + run]
        self.c["R", "skip"] = t["R", "skip"]

    def _classes(self, doc: DocTokens, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The model's numbers of the kind and the unit class of each claim of ``ids``."""
        known = self._class_of                            # (kind, unit) -> kind number * nu + class number
        pairs = list(zip(doc.kinds, doc.units))
        for kind, unit in set(pairs).difference(known):
            known[kind, unit] = (self.kind_id.get(kind, len(self.kind_id)) * self.nu
                                 + self.ucls_id.get(_unit_class(kind, unit), len(self.ucls_id)))
        ku = np.fromiter(map(known.__getitem__, pairs), np.int64, len(pairs))[ids]
        return ku // self.nu, ku % self.nu

    # ------------------------------------------------------------ run time

    def best_all(self, doc: DocTokens, claims: Optional[list[int]] = None) -> list[Optional[Candidate]]:
        """The best candidate of every claim of ``doc`` (or of the claims listed): the
        argmax of :meth:`score` over :meth:`ClaimWindow.candidates`, the first on a tie."""
        n = len(doc.found) if claims is None else len(claims)
        out: list[Optional[Candidate]] = [None] * n
        got = self._best(doc, claims)
        if got is not None:
            for k, s, a, b, x, y in zip(*(c.tolist() for c in got)):
                out[k] = Candidate("LR"[s], x, y, a, b)
        return out

    def _best(self, doc: DocTokens, claims: Optional[list[int]] = None):
        """:meth:`best_all` as arrays: (claim, side, i, j, start, end) of each claim that has
        a candidate; None when none has. The best of each side, then the right one where it
        scores higher (the left comes first in the definition's order: it wins a tie)."""
        sides = self._sides(doc, claims)
        if sides is None:
            return None
        k = len(doc.found) if claims is None else len(claims)
        score = np.full((2, k), -np.inf)
        pick = np.zeros((2, k), np.int64)
        for s, (q, _, _, v, _) in enumerate(sides):
            if len(q):
                new = np.ones(len(q), bool)
                new[1:] = q[1:] != q[:-1]
                first = np.flatnonzero(new)
                best = np.maximum.reduceat(v, first)
                top = np.flatnonzero(v == np.repeat(best, np.diff(first, append=len(q))))   # few: ties
                lead = np.ones(len(top), bool)            # the first best of each claim
                lead[1:] = q[top[1:]] != q[top[:-1]]
                score[s, q[first]] = best
                pick[s, q[first]] = top[lead]
        has = np.flatnonzero(score.max(axis=0) > -np.inf)
        right = (score[1, has] > score[0, has]).astype(np.int64)
        out = []
        for s in (0, 1):
            at = pick[s, has[right == s]] if len(sides[s][0]) else np.zeros(0, np.int64)
            out.append((has[right == s], np.full(len(at), s)) + _located(doc, sides[s], at))
        cols = [np.concatenate(x) for x in zip(*out)]
        order = np.argsort(cols[0])
        return tuple(x[order] for x in cols)

    def scores(self, doc: DocTokens, claims: Optional[list[int]] = None):
        """Every candidate of the claims, in :meth:`ClaimWindow.candidates` order claim by
        claim, as arrays: (claim's place in ``claims``, side 0 = L / 1 = R, i, j within the
        side's window, clean start, end, score); None when there is none."""
        sides = self._sides(doc, claims)
        if sides is None:
            return None
        q = np.concatenate([sides[0][0], sides[1][0]])
        side = np.concatenate([np.zeros(len(sides[0][0]), np.int8), np.ones(len(sides[1][0]), np.int8)])
        every = [_located(doc, x, slice(None)) + (x[3],) for x in sides]
        cols = [q, side] + [np.concatenate([every[0][k], every[1][k]]) for k in range(5)]
        order = np.argsort(q, kind="stable")              # each side is in (claim, i, j) order already
        return tuple(x[order] for x in cols)

    def _sides(self, doc: DocTokens, claims: Optional[list[int]] = None):
        """The candidates of each side (left, right) with their scores, in (claim, i, j)
        order: (claim, first word, last word, score) arrays and the first word of each
        claim's window (:func:`_located` gives where a candidate is); None when there is no
        claim or no word.

        What depends on a candidate's first word and its claim, and on its last word and
        its claim, is computed once per word of each window; a candidate adds the two and
        what depends on both ends (its length, words, the 、 and verbs in it)."""
        ids = np.arange(len(doc.found)) if claims is None else np.asarray(claims, np.int64)
        n = len(doc.tok_start)
        if not len(ids) or not n:
            return None
        st, en, tg = doc.tok_start, doc.tok_end, doc.tok_tag
        a, b, c, d = doc.a[ids], doc.b[ids], doc.c[ids], doc.d[ids]
        p = self._word_parts(doc, b)
        kind, ucls = self._classes(doc, ids)
        ku = kind * self.nu + ucls
        C = self.c
        next_dun, next_verb = p["next_dun"], p["next_verb"]
        out = []
        for s, (lo, hi) in enumerate(((a, b), (c, d))):
            S = "LR"[s]
            q, t = _ragged(lo, hi)                        # every word of every window of this side
            if not len(q):
                out.append(tuple(np.zeros(0, np.int64) for _ in range(3)) + (np.zeros(0), lo))
                continue
            first, last = t == lo[q], t == hi[q] - 1
            starts = p["start"][s][t + n * first] + C[S, "start"][p["start_code"][t] * self.nu + ucls[q]]
            ends = p["end"][s][t + n * last] + C[S, "end"][tg[t] * self.nku + ku[q]]
            if s == 0:
                gap = en[hi[q] - 1] - en[t]               # from a candidate ending here to the number
                ends += self._gap(doc, p, ids, kind, q, t, hi, last, gap)
                ok = p["can_start"][t]
            else:
                gap = st[t] - st[lo[q]]                   # from the unit to a candidate starting here
                starts += C["R", "skip"][np.minimum(t - lo[q], MAX_AHEAD_START - 1)] + p["rg"][t] - p["rg"][lo[q]]
                ok = p["can_start"][t] & (t - lo[q] < MAX_AHEAD_START)
            # the candidates: from each word that may start one, to every word it may run to
            si = np.flatnonzero(ok)
            i0 = t[si]
            size = np.maximum(np.minimum(p["reach"][i0], hi[q[si]] - 1) + 1 - i0, 0)   # candidates of each
            at_i = np.repeat(si, size)                    # the start's place among the window words
            i = np.repeat(i0, size)
            more = np.arange(len(i)) - np.repeat(np.cumsum(size) - size, size)    # words after the first
            j = i + more
            at_j = at_i + more
            v = (starts[at_i] + ends[at_j] + C[S, "len"][en[j] - st[i]]
                 + C[S, "span"][gap[at_j if s == 0 else at_i] * (_WIDE + 1) + (more + 1)]
                 + C[S, "flags"][(next_dun[i] <= j) * 2 + (next_verb[i] <= j)])
            out.append((np.repeat(q[si], size), i, j, v, lo))
        return out if len(out[0][0]) or len(out[1][0]) else None

    def _word_parts(self, doc: DocTokens, b: np.ndarray) -> dict:
        """What every word contributes as a candidate's start or end (claim aside), the
        prefix sums over words the spans and gaps need, and the tag patterns of the last
        words before each claim (``b``: one past each claim's last word before the number)."""
        st, en, tg, entry = doc.tok_start, doc.tok_end, doc.tok_tag, doc.tok_entry
        n = len(st)
        T = self.ntags
        cd = doc.codes
        first_code, last_code = cd[st].astype(np.int64), cd[en - 1].astype(np.int64)
        length = en - st
        first_row = self.char_row[np.minimum(first_code + 1, 0x10000)]     # a character's hash: its code + 1
        last_row = self.char_row[np.minimum(last_code + 1, 0x10000)]
        row = np.where(length == 1, first_row, self.entry_row[entry]).astype(np.int64)
        # by hash, in one lookup: words that are no dictionary entry (ASCII runs, quotes), every word's
        # last two characters, and the tags of the last three and four words before each claim
        many = np.flatnonzero((entry < 0) & (length > 1))
        two = np.flatnonzero(length >= 2) if self.has_ec2 else np.zeros(0, np.int64)
        gap_tags = np.append(tg, T - 1)
        back = [gap_tags[np.where(b - k >= 0, b - k, n)] for k in (1, 2, 3, 4)]
        nm, nt = len(many), len(two)
        found = self.lookup.find(np.concatenate([
            doc.tok_hash[many],
            concat_hashes(cd[en[two] - 2].astype(np.uint64) + np.uint64(1), last_code[two].astype(np.uint64) + np.uint64(1),
                          np.ones(1, np.int64)),
            _pattern_key(back[2::-1], T).astype(np.uint64), _pattern_key(back[::-1], T).astype(np.uint64)]), -1)
        strings = np.where((found >= 0) & (found < self.none), found, self.none)
        row[many] = strings[:nm]
        last2 = row.copy()                               # a one-character word is its own last two
        last2[two] = strings[nm:nm + nt]
        pats = np.where(found[nm + nt:] >= self.none, found[nm + nt:] - self.none, len(self.pat_w) - 1)
        prev = np.empty(n, np.int64)
        prev[0] = self.sentinel["<S>"]
        prev[1:] = row[:-1]
        gp = np.empty((len(b), 5))                       # the gap's patterns: the last 0-4 words' tags
        gp[:, 0] = self.pat[_short_pattern([], T)]
        gp[:, 1] = self.pat[_short_pattern([back[0]], T)]
        gp[:, 2] = self.pat[_short_pattern([back[1], back[0]], T)]
        gp[:, 3] = self.pat_w[pats[:len(b)]]
        gp[:, 4] = self.pat_w[pats[len(b):]]
        # a row per feature (L and R one above the other), a column per word
        w = self.word_table.take(row, axis=1)            # the word's own features
        verb = self.tag_verb[tg] | (w[11] > 0)
        p = {"row": row, "gap_patterns": gp.reshape(-1), "start_code": self.start_code[tg] + verb}
        tags = self.tag_table.take(tg, axis=1)           # sp, pp, ep, np (L, R) of each word's tag
        own = w[0:2] + tags[0:2] + self.first_table.take(first_row, axis=1)
        inside = own + self.pair_table.take(self.pair_of_row[prev] * T + tg, axis=1)   # after the word before, in the window
        inside[:, 0] += self.before_first
        inside[:, 1:] += w[2:4, :-1] + tags[2:4, :-1]
        at_first = own + self.before_first[:, None] + self.s_pair.take(tg, axis=1)
        p["start"] = np.concatenate([inside + self.at_left[0], at_first + self.at_left[1]], axis=1)
        end = w[4:6] + tags[4:6] + self.last_table.take(last_row, axis=1)
        if self.has_ec2:
            end += self.last2_table.take(last2, axis=1)
        before_next = end.copy()
        before_next[:, :-1] += w[6:8, 1:] + tags[6:8, 1:]
        before_next[:, -1] += self.after_last
        p["end"] = np.concatenate([before_next, end + self.after_last[:, None]], axis=1)
        p["g"] = _cumsum(w[8])
        p["rg"] = _cumsum(w[9])
        p["gf"] = np.append(w[10, 1:], self.word_table[10, self.sentinel["<N>"]])
        dun = (first_code == _DUN) & (length == 1)
        p["dun"] = _cumsum(dun)
        p["next_dun"] = _next(dun)                       # the first 、 from each word on
        p["next_verb"] = _next(verb)
        brk = (_MARKS[first_code] & 2) > 0
        p["can_start"] = ~(self.tag_no_start[tg] | brk | self.digit[np.minimum(first_code, 0x10000)])
        # the furthest end of a span from each word: no break, at most MAX_CHARS
        p["reach"] = np.minimum(np.append(_next(brk)[1:], n) - 1,
                                np.searchsorted(en, st + MAX_CHARS, "right") - 1)
        return p

    def _gap(self, doc: DocTokens, p: dict, ids, kind, q, j, b, at_last, gap) -> np.ndarray:
        """What stands between a left candidate ending at word ``j`` (of claim ``q``) and the
        number: the words between (their first and last, tags, 、, count, characters) and the
        claims it would stand across."""
        # per claim: its last word before the number (gl, with the claim's kind kgl), or none
        last = np.where(b > 0, p["row"][np.maximum(b - 1, 0)], self.none)
        g = p["g"]
        adj = self.sentinel["<ADJ>"]
        gl = self.gap_table                                        # gl, then kgl of each kind, by string
        far = gl[last, 0] + gl[last, 1 + kind] + g[b]             # the candidate ends before the last word
        near = gl[adj, 0] + gl[adj, 1 + kind] + self.word_table[10, adj] + g[b]
        starts = doc.starts
        before = np.searchsorted(starts, starts[ids], "left")     # claims before each claim
        after_end = np.searchsorted(starts, doc.tok_end, "left")  # claims before each word's end
        ct = self.t["L", "cross"]
        run = np.minimum(doc.run[ids], 3)
        words = b[q] - 1 - j
        dun = p["dun"]
        C = self.c
        return (np.where(at_last, near[q], far[q] + p["gf"][j]) - g[j + 1]
                + C["L", "gap"][gap * (_WIDE + 1) + words]
                + p["gap_patterns"][q * 5 + np.minimum(words, 4)]
                + C["L", "items"][np.minimum(dun[b][q] - dun[j + 1], 3) * 4 + run[q]]
                + ct[np.minimum(before[q] - after_end[j], len(ct) - 1)])


def _located(doc: DocTokens, side: tuple, at) -> tuple:
    """Of the candidates ``at`` of a side of :meth:`SubjectModel._sides`: their first and
    last words within the claim's window, and their clean start and end."""
    q, i, j, _, lo = side
    q, i, j = q[at], i[at], j[at]
    return i - lo[q], j - lo[q], doc.tok_start[i], doc.tok_end[j]


def _short_pattern(tags, T: int):
    """The place of a pattern of no, one or two tags in the dense pattern table."""
    if not tags:
        return 0
    if len(tags) == 1:
        return 1 + tags[0]
    return 1 + T + tags[0] * T + tags[1]


def _pattern_key(tags, T: int):
    """The integer key of a pattern of three or four tags (numbers or arrays of them)."""
    key = 0
    for x in tags:
        key = key * T + x
    return key + (len(tags) << _LONG)


def _ragged(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(k, x) for every x in ``lo[k] .. hi[k]-1``, k ascending, x ascending within."""
    size = np.maximum(hi - lo, 0)
    k = np.repeat(np.arange(len(lo)), size)
    offset = np.arange(len(k)) - np.repeat(np.cumsum(size) - size, size)
    return k, lo[k] + offset


def _next(flag: np.ndarray) -> np.ndarray:
    """For each place, the first flagged place at or after it (``len(flag)`` when none)."""
    n = len(flag)
    at = np.where(flag, np.arange(n), n)
    return np.minimum.accumulate(at[::-1])[::-1]


def _cumsum(x: np.ndarray) -> np.ndarray:
    """Prefix sums with a leading 0: ``out[j] - out[i]`` is the sum over ``i .. j-1``."""
    out = np.zeros(len(x) + 1, np.float64 if x.dtype.kind == "f" else np.int64)
    np.cumsum(x, out=out[1:])
    return out


@lru_cache(maxsize=1)
def _digit_table() -> np.ndarray:
    return np.array([chr(x).isdigit() for x in range(0x10000)])


def encode_key(key: tuple) -> str:
    return repr(key)


_FIELD = re.compile(r"'([^'\\]*)'|(True|False)|(-?\d+)")


def decode_key(text: str) -> tuple:
    """The key :func:`encode_key` wrote. Keys of plain fields (quoted strings with no escape,
    booleans, integers) are read directly; any other by ``ast.literal_eval``."""
    key = tuple(a if b == c == "" else (b == "True" if b else int(c)) for a, b, c in _FIELD.findall(text))
    if repr(key) == text:
        return key
    import ast
    return ast.literal_eval(text)


_LOADING = threading.Lock()


def load(path: Optional[str] = None) -> Optional[SubjectModel]:
    """The shipped subject model (``models/subject-model.npz``), or None when it is absent;
    loaded once per process, also when threads (a threaded Dask worker) ask at once."""
    with _LOADING:
        return _load(path)


@lru_cache(maxsize=2)
def _load(path: Optional[str] = None) -> Optional[SubjectModel]:
    if path is None:
        path = _default_path()
        if path is None:
            return None
    arrays = _read_arrays(path)
    if "keys" in arrays:                                  # the first format: every key as repr
        return SubjectModel({decode_key(k): v for k, v in zip(arrays["keys"].tolist(), arrays["weights"].tolist())})
    return SubjectModel(arrays=arrays, source=path)


def _read_arrays(path: str) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


LEAN_FILENAME = "subject-model.npz"


def _default_path() -> Optional[str]:
    try:
        packaged = resources.files("summaryscan").joinpath("models_data").joinpath(LEAN_FILENAME)
        if packaged.is_file():
            return str(packaged)
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):  # pragma: no cover
        pass
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    path = os.path.join(root, "models", LEAN_FILENAME)
    return path if os.path.isfile(path) else None


# never a subject on its own: function words and the words of a share or change frame
_NEVER = frozenset("了的在占为共等向对和及与是有将把被从由到至比较") | frozenset(
    {"同比", "增长", "下降", "占比", "总数的", "其中", "分别", "达到", "累计"})


_NEVER_LONGEST = max(len(w) for w in _NEVER)


def subject_span(text: str, best: Optional[Candidate]) -> Optional[tuple[int, int]]:
    """The clean span of the subject the best candidate gives: none for a lone function
    word or a word of a share or change frame."""
    if best is None or text[best.start:best.end] in _NEVER:
        return None
    return best.start, best.end


def assign(model: SubjectModel, norm, raw_text: str, claims: list, found: list[Found]) -> None:
    """Set each claim's subject to the model's best candidate, written as in the document
    (the raw text behind the clean span: a traditional document keeps its characters)."""
    got = model._best(DocTokens(norm.text, found))
    if got is None:
        _write(norm, raw_text, claims, *(np.zeros(0, np.int64),) * 3)
    else:
        _write(norm, raw_text, claims, got[0], got[4], got[5])


def assign_many(model: SubjectModel, docs: list[tuple]) -> None:
    """:func:`assign` for many documents at once, each given as ``(norm, raw_text, claims,
    found)``: the same subjects, scored in one pass.

    The documents' clean texts are joined by line breaks; a line break ends a sentence, a
    clause and the stretch segmented, so no window, word or run of claims crosses from one
    document into the next. Small documents gain most: the array operations of one pass
    cost about what a single document's do (``tests/test_subject_model.py`` holds the
    subjects to :func:`assign`'s, document by document).
    """
    docs = [d for d in docs if d[3]]
    if len(docs) < 2:
        for d in docs:
            assign(model, *d)
        return
    shifted: list[tuple] = []
    first_claim, offsets, at = [0], [], 0
    for norm, _, _, found in docs:
        shifted += [(s + at, e + at, None, u + at, None, unit, None, kind)
                    for s, e, _, u, _, unit, _, kind, _ in found]
        first_claim.append(len(shifted))
        offsets.append(at)
        at += len(norm.text) + 1
    got = model._best(DocTokens("\n".join(d[0].text for d in docs), shifted))
    if got is None:
        got = (np.zeros(0, np.int64),) * 6
    q, start, end = got[0], got[4], got[5]
    cut = np.searchsorted(q, first_claim).tolist()
    for (norm, raw_text, claims, _), lo, hi, k0, off in zip(docs, cut, cut[1:], first_claim, offsets):
        _write(norm, raw_text, claims, q[lo:hi] - k0, start[lo:hi] - off, end[lo:hi] - off)


def _write(norm, raw_text: str, claims: list, q: np.ndarray, start: np.ndarray, end: np.ndarray) -> None:
    """Set the subjects of ``claims``: claim ``q[k]``'s is the clean span ``[start[k], end[k])``
    (none for a word of :data:`_NEVER`), every other claim's is empty."""
    text = norm.text
    # clean spans to raw ones: most subjects lie within one kept segment of the text; one that
    # spans a few is joined from the kept parts (no deleted debris, line break or ruby inside)
    if norm.norm_starts and len(q):
        norm_starts, raw_starts = np.asarray(norm.norm_starts), np.asarray(norm.raw_starts)
        k0 = np.searchsorted(norm_starts, start, "right") - 1
        k1 = np.searchsorted(norm_starts, end - 1, "right") - 1
        rs = (raw_starts[k0] + start - norm_starts[k0]).tolist()
        re_ = (raw_starts[k1] + end - 1 - norm_starts[k1] + 1).tolist()
        whole = (k0 == k1).tolist()
    else:
        rs, re_ = start.tolist(), end.tolist()
        whole = [True] * len(rs)
    subject = [""] * len(claims)
    short = (end - start <= _NEVER_LONGEST).tolist()
    for k, a, b, s, e, check, one in zip(q.tolist(), start.tolist(), end.tolist(), rs, re_, short, whole):
        if not (check and text[a:b] in _NEVER):
            subject[k] = (raw_text[s:e] if one else _kept_raw(norm, raw_text, a, b)).strip()
    for c, x in zip(claims, subject):
        c.subject = x


def _kept_raw(norm, raw_text: str, a: int, b: int) -> str:
    """The raw characters behind the clean span ``[a, b)``, kept segment by kept segment."""
    return "".join(raw_text[r] for r in norm.offsets_to_raw(list(range(a, b))))
