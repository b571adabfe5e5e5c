"""jieba's segmentation of many stretches of a text at once, in array operations.

:func:`segment.tokens` walks jieba's word DAG character by character in Python, about a
microsecond per character: fine for a window, too slow for every sentence that holds a
number in a claim-dense document. :class:`Lattice` computes the same route (the words
and tags :func:`segment.tokens` gives for each stretch) for all the stretches of a
document in one pass of numpy operations:

* every dictionary entry (word or prefix of words) is known by a 64-bit polynomial hash
  of its code points (:class:`HashIndex`: buckets of eight, one cache line, picked by
  the top bits), so the fragments starting at every position of all stretches are
  looked up level by level (1, 2, 3 … characters) while the fragment is still an entry
  that longer entries continue;
* the maximum-probability route is solved per *chunk* — a stretch no dictionary word
  crosses, so its route does not depend on what follows — in waves over the distance
  to the chunk's end (on a tie the longer word wins, as in jieba), the scores summed
  from the chunk's end;
* ASCII runs (numbers, codes) and quoted stretches (“…”, 《…》) are one token each, as
  in :func:`segment.tokens`.

Each token carries its dictionary entry, or the hash of its text when it is none
(:func:`hash_strings` gives the same for Python strings), so callers can look words up
in their own tables without making strings.

The hash tables are built from the lexicon once (0.6 s, and some 100 MB of temporaries
the allocator keeps) into a cache file beside the lexicon's (:func:`cache_path`, via
:mod:`.arrayfile`); every process then maps that file read-only (:func:`lattice`).
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import NamedTuple, Optional

import numpy as np

from . import arrayfile, segment

LATTICE_FORMAT = 1               # of the cache file (:func:`lattice`); raise it when the arrays change

_B = 0x9E3779B97F4A7C15          # the hash's base (odd, so invertible modulo 2**64)
_B_INV = pow(_B, -1, 1 << 64)
_MIX = np.uint64(0xD6E8FEB86659FD93)
_FOREIGN = (1 << 40) + 7         # code of a position no dictionary fragment may cover
_SHORT_LEVELS = 4                # fragment lengths looked up with arrays; longer ones in Python
_WAVES = 6                       # distances to a chunk's end solved with arrays; farther ones in Python
_QUOTED = re.compile(r"“[^“”]*”|《[^《》]*》")
_ASCII_RUN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.%+"
_IS_ASCII_RUN = np.zeros(129, bool)
_IS_ASCII_RUN[[ord(c) + 1 for c in _ASCII_RUN_CHARS]] = True


def _powers(base: int, n: int) -> np.ndarray:
    a = np.full(n + 1, base, np.uint64)
    a[0] = 1
    return np.cumprod(a, dtype=np.uint64)


class _Powers:
    def __init__(self):
        self.n = 0
        self.up = self.down = np.ones(1, np.uint64)

    def get(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n > self.n:
            self.n = max(n, 2 * self.n, 1 << 14)
            self.up, self.down = _powers(_B, self.n), _powers(_B_INV, self.n)
        return self.up, self.down


_POW = _Powers()


def codes(s: str) -> np.ndarray:
    """Code point + 1 of every character (0 never occurs, so no hash ignores a leading one)."""
    return np.frombuffer(s.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.uint64) + np.uint64(1)


def prefix_hashes(c: np.ndarray) -> np.ndarray:
    """``P[i]``: the hash of the first ``i`` codes; a stretch ``[a, a+L)`` hashes to
    ``P[a+L] - P[a] * B**L`` (all modulo 2**64)."""
    n = len(c)
    up, down = _POW.get(n + 1)
    p = np.zeros(n + 1, np.uint64)
    np.cumsum(c * down[:n], out=p[1:])
    p[1:] *= up[:n]
    return p


def stretch_hashes(p: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    up, _ = _POW.get(int(length.max()) if len(length) else 0)
    return p[start + length] - p[start] * up[length]


def concat_hashes(hx: np.ndarray, hy: np.ndarray, len_y: np.ndarray) -> np.ndarray:
    """The hash of ``x + y`` from the hashes of ``x`` and ``y`` and the length of ``y``."""
    up, _ = _POW.get(int(np.max(len_y)) if np.size(len_y) else 0)
    return hx * up[len_y] + hy


def hash_strings(words) -> np.ndarray:
    """The hash of each string (as a token of :meth:`Lattice.segment` carries it)."""
    words = list(words)
    if not words:
        return np.zeros(0, np.uint64)
    lens = np.fromiter(map(len, words), np.int64, len(words))
    starts = np.zeros(len(words), np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    return stretch_hashes(prefix_hashes(codes("".join(words))), starts, lens)


class HashIndex:
    """64-bit hashes in buckets of a fixed width (one cache line), picked by the top bits
    of the mixed hash: ``find`` compares a query with its whole bucket in one step; the
    few hashes of overfull buckets are kept sorted aside."""

    WIDTH = 8
    ARRAYS = ("slots", "values", "spill", "spill_values", "overfull")   # what an index is made of

    def __init__(self, hashes: np.ndarray):
        n = len(hashes)
        mixed = hashes * _MIX
        bits = max(1, (max(n, 1) // 4).bit_length())             # about four hashes per bucket
        self.shift = np.uint64(64 - bits)
        bucket = (mixed >> self.shift).astype(np.int64)
        order = np.argsort(bucket)                        # grouped by bucket (any order within one)
        b = bucket[order]
        counts = np.bincount(b, minlength=1 << bits)
        rank = np.arange(n) - (np.cumsum(counts) - counts)[b]
        fits = rank < self.WIDTH
        nb = 1 << bits
        # an empty slot holds a hash of another bucket, so no query of this one matches it
        self.slots = np.repeat(((np.arange(nb, dtype=np.uint64) + np.uint64(1)) % np.uint64(nb)) << self.shift,
                               self.WIDTH).reshape(nb, self.WIDTH)
        self.values = np.full((nb, self.WIDTH), -1, np.int32)
        self.slots[b[fits], rank[fits]] = mixed[order[fits]]
        self.values[b[fits], rank[fits]] = order[fits]
        rest = order[~fits]
        by_hash = np.argsort(mixed[rest])
        self.spill = mixed[rest][by_hash]
        self.spill_values = rest[by_hash]
        self.overfull = np.zeros(nb, bool)
        self.overfull[bucket[rest]] = True

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> "HashIndex":
        """An index from the :attr:`ARRAYS` of one built before (read from a cache file)."""
        self = cls.__new__(cls)
        for name in cls.ARRAYS:
            setattr(self, name, arrays[name])
        self.shift = np.uint64(64 - (len(self.slots).bit_length() - 1))
        return self

    def find(self, h: np.ndarray, absent: int = -1) -> np.ndarray:
        """Index (into the hashes given at construction) of each query, ``absent`` when absent."""
        mixed = h * _MIX
        b = (mixed >> self.shift).astype(np.int64)
        same = self.slots.take(b, axis=0) == mixed[:, None]   # take: much faster than slots[b] for rows
        word = same.view(np.uint64).ravel()          # the bucket's eight comparisons as one number
        hit = word != 0
        out = np.full(len(h), absent, np.int64)
        slot = (np.frexp(word[hit].astype(np.float64))[1] - 1) >> 3   # which byte is set
        out[hit] = self.values.take(b[hit] * self.WIDTH + slot)
        if len(self.spill):
            miss = np.flatnonzero(~hit & self.overfull[b])
            if len(miss):
                at = np.minimum(np.searchsorted(self.spill, mixed[miss]), len(self.spill) - 1)
                there = self.spill[at] == mixed[miss]
                out[miss[there]] = self.spill_values[at[there]]
        return out


class Tokens(NamedTuple):
    """Tokens of the stretches, in text order: text offsets, tag numbers (into
    :attr:`Lattice.tag_names`), dictionary entry (-1 for an ASCII run, a quote or a
    character the dictionary lacks), the hash of the text of each token that is no entry
    (0 for an entry: the entry names it), and per stretch the index of its first token
    (``first[k]:first[k+1]``)."""
    start: np.ndarray
    end: np.ndarray
    tag: np.ndarray
    entry: np.ndarray
    hash: np.ndarray
    first: np.ndarray


class Lattice:
    """The lexicon of :func:`segment.dictionary` as hashes, and the route over it."""

    # the arrays computed from the lexicon (with the index's, ``index.*``): the cache file's
    ARRAYS = ("continued", "is_word", "log_prob", "entry_tag", "char_entry")
    _CHUNK = 1 << 16                 # words hashed at a time: the powers of the hash stay short

    def __init__(self, lex, arrays: Optional[dict[str, np.ndarray]] = None):
        """The lattice of ``lex``; ``arrays``: those of :meth:`arrays` for the same lexicon
        (read from the cache file), instead of computing them again."""
        arrays = arrays if arrays is not None else self._build(lex)
        for name in self.ARRAYS:
            setattr(self, name, arrays[name])
        self.index = HashIndex.from_arrays({k: arrays["index." + k] for k in HashIndex.ARRAYS})
        self.freq = np.asarray(lex.freqs, np.int64)          # a view of the lexicon's array
        self.logtotal = float(lex.logtotal)
        self.tag_names = list(lex.tag_names) + [t for t in ("x", "m", "eng", "nq") if t not in lex.tag_names]
        self.tag_number = {t: k for k, t in enumerate(self.tag_names)}
        lens = np.diff(np.asarray(lex.offsets, np.int64))
        long = np.flatnonzero(lens > _SHORT_LEVELS)
        # fragments longer than the array levels, as strings: few, and looked up one by one
        self.long = {lex.word(int(i)): int(i) for i in long.tolist()}
        self._x = self.tag_number["x"]

    def arrays(self) -> dict[str, np.ndarray]:
        """What :meth:`__init__` computes from the lexicon, by name (for the cache file)."""
        out = {name: getattr(self, name) for name in self.ARRAYS}
        out.update({"index." + k: getattr(self.index, k) for k in HashIndex.ARRAYS})
        return out

    @classmethod
    def _build(cls, lex) -> dict[str, np.ndarray]:
        offsets = np.asarray(lex.offsets, np.int64)
        lens = np.diff(offsets)
        n = len(lens)
        hashes = np.zeros(n, np.uint64)
        continued = np.zeros(n, bool)
        for a in range(0, n, cls._CHUNK):
            b = min(a + cls._CHUNK, n)
            c = min(b + 1, n)                # and the next word, which may continue the last
            p = prefix_hashes(codes(lex.words[offsets[a]:offsets[c]]))
            local = offsets[a:c] - offsets[a]
            h = stretch_hashes(p, local, lens[a:c])
            hashes[a:b] = h[:b - a]
            # an entry other entries continue (the words are sorted: its continuations follow it)
            nxt = np.minimum(np.arange(1, b - a + 1), c - a - 1)
            ln = lens[a:b]
            continued[a:b] = (lens[a:c][nxt] > ln) & (stretch_hashes(p, local[nxt], np.minimum(ln, lens[a:c][nxt]))
                                                       == h[:b - a])
        freq = np.asarray(lex.freqs, np.int64)
        with np.errstate(divide="ignore"):
            log_prob = np.where(freq > 0, np.log(np.maximum(freq, 1)) - float(lex.logtotal), np.nan)
        one = np.flatnonzero(lens == 1)
        one_code = np.array([ord(lex.words[i]) + 1 for i in offsets[one].tolist()], np.int64)
        small = one_code <= 0x10000
        char_entry = np.full(0x10002, -1, np.int32)     # by code point + 1; the last: any other
        char_entry[one_code[small]] = one[small]
        index = HashIndex(hashes)
        out = {"continued": continued, "is_word": freq > 0, "log_prob": log_prob,
               "entry_tag": np.asarray(lex.tag_ids, np.int16), "char_entry": char_entry}
        out.update({"index." + k: getattr(index, k) for k in HashIndex.ARRAYS})
        return out

    def segment(self, text: str, spans: list[tuple[int, int]]) -> Tokens:
        """The tokens ``segment.tokens(text[a:b])`` gives, for every ``(a, b)`` of ``spans``
        (disjoint, in order), with offsets into ``text``."""
        parts = [text[a:b] for a, b in spans]
        u = "\x00".join(parts)
        m = len(u)
        lens = np.array([b - a for a, b in spans], np.int64)
        part_at = np.zeros(len(spans) + 1, np.int64)
        np.cumsum(lens + 1, out=part_at[1:])
        if m == 0 or not len(spans):
            z = np.zeros(0, np.int64)
            return Tokens(z, z, z, z, np.zeros(0, np.uint64), np.zeros(len(spans) + 1, np.int64))
        c = codes(u)
        pos = np.arange(m)
        # one-token stretches: ASCII runs, quotes
        sep = np.zeros(m, bool)                      # the characters joining the stretches
        sep[part_at[1:-1] - 1] = True
        ascii_run = _IS_ASCII_RUN[np.minimum(c, 128).astype(np.int64)] & ~sep
        foreign = ascii_run | sep
        whole_start = np.zeros(m + 1, bool)          # first character of a one-token stretch
        inside = np.zeros(m + 1, bool)               # later characters of one
        quotes = []
        if "“" in u or "《" in u:
            for k, part in enumerate(parts):
                if "“" in part or "《" in part:
                    at = int(part_at[k])
                    quotes += [(at + q.start(), at + q.end()) for q in _QUOTED.finditer(part)]
        if quotes:
            qa, qb = np.array(quotes, np.int64).T     # disjoint spans
            edges = np.zeros(m + 1, np.int64)
            edges[qa] = 1
            edges[qb] -= 1
            qmask = np.cumsum(edges[:m]) > 0
            whole_start[qa] = True
            inside[:m] |= qmask
            inside[qa] = False
            ascii_run &= ~qmask
            foreign |= qmask
        run_start = ascii_run.copy()
        run_start[1:] &= ~ascii_run[:-1]
        whole_start[:m] |= run_start
        inside[:m] |= ascii_run & ~run_start
        routed = ~foreign
        cr = np.where(routed, c, np.uint64(_FOREIGN))
        p = prefix_hashes(cr)
        # entries at every position, level by level
        find = self.index.find
        e1 = self.char_entry[np.minimum(cr, 0x10001).astype(np.int64)].astype(np.int64)
        wide = np.flatnonzero(routed & (cr > 0x10000))
        if len(wide):                                 # beyond the basic plane: by hash (a character's is its code)
            e1[wide] = find(cr[wide])
        reach = pos + 1
        opt_p, opt_l, opt_e = [], [], []
        alive = pos[(e1 >= 0) & self.continued[e1]]
        length = 1
        while len(alive) and length < _SHORT_LEVELS:
            length += 1
            alive = alive[alive + length <= m]
            e = find(stretch_hashes(p, alive, np.full(len(alive), length)))
            hit = e >= 0
            alive, e = alive[hit], e[hit]
            word = self.is_word[e]
            if word.any():
                opt_p.append(alive[word])
                opt_l.append(np.full(int(word.sum()), length))
                opt_e.append(e[word])
                reach[alive[word]] = alive[word] + length
            alive = alive[self.continued[e]]
        if len(alive):                                # longer fragments: few, in Python
            lp, ll, le = [], [], []
            get = self.long.get
            for i in alive.tolist():
                for j in range(i + length + 1, m + 1):
                    e = get(u[i:j])
                    if e is None:
                        break
                    if self.freq[e] > 0:
                        lp.append(i)
                        ll.append(j - i)
                        le.append(e)
                        reach[i] = j
            if lp:
                opt_p.append(np.array(lp, np.int64))
                opt_l.append(np.array(ll, np.int64))
                opt_e.append(np.array(le, np.int64))
        # chunks: stretches no word crosses
        cend = np.flatnonzero(np.maximum.accumulate(reach) == pos + 1) + 1
        cstart = np.zeros(len(cend), np.int64)
        cstart[1:] = cend[:-1]
        size = cend - cstart                          # the chunks cover every position, in order
        end_of = np.repeat(cend, size)                # the end of each position's chunk
        nxt = pos + 1
        entry = e1.copy()
        multi = np.repeat(size > 1, size)
        if multi.any():
            self._route(multi, routed, e1, opt_p, opt_l, opt_e, end_of, nxt, entry, m)
        # the route: from every chunk start, follow nxt to the chunk's end
        on = np.zeros(m + 1, bool)
        cur, stop = cstart, cend
        while len(cur):
            on[cur] = True
            cur = nxt[cur]
            keep = cur < stop
            cur, stop = cur[keep], stop[keep]
        on[:m] &= ~inside[:m]
        on[:m] |= whole_start[:m]
        on[m] = True
        bounds = np.flatnonzero(on)
        st, en = bounds[:-1], bounds[1:]
        keep = ~sep[st]
        st, en = st[keep], en[keep]
        # a token before a separator ends there (the separator is a bound: it starts a chunk)
        ent = entry[st]
        routed_tok = routed[st]
        tag = np.where(routed_tok & (ent >= 0), self.entry_tag[np.maximum(ent, 0)], self._x).astype(np.int64)
        if whole_start.any():
            w = whole_start[st]
            ch = c[st[w]] - np.uint64(1)
            is_quote = (ch == ord("“")) | (ch == ord("《"))
            is_digit = (ch >= ord("0")) & (ch <= ord("9"))
            tag[w] = np.where(is_quote, self.tag_number["nq"],
                              np.where(is_digit, self.tag_number["m"], self.tag_number["eng"]))
        entries = np.where(routed_tok, ent, -1)
        h = np.zeros(len(st), np.uint64)              # a dictionary word is known by its entry
        other = np.flatnonzero(entries < 0)
        if len(other):
            h[other] = stretch_hashes(prefix_hashes(c), st[other], en[other] - st[other])
        part = np.searchsorted(part_at, st, side="right") - 1
        shift = np.array([a for a, _ in spans], np.int64) - part_at[:-1]
        first = np.searchsorted(st, part_at[:-1])
        return Tokens(st + shift[part], en + shift[part], tag, entries, h, np.append(first, len(st)))

    def _route(self, multi, routed, e1, opt_p, opt_l, opt_e, end_of, nxt, entry, m) -> None:
        """The best route within every chunk of more than one character (``nxt``: the end
        of the word starting at each position; ``entry``: its dictionary entry)."""
        pos = np.arange(m)
        single = multi & routed & (e1 >= 0)
        single &= self.is_word[np.maximum(e1, 0)]
        op = np.concatenate(opt_p) if opt_p else np.zeros(0, np.int64)
        has = single.copy()
        has[op] = True
        fallback = pos[multi & ~has]                  # a character that starts no word stands alone
        sp = pos[single]
        ps = np.concatenate([op, sp, fallback])
        ls = np.concatenate([np.concatenate(opt_l) if opt_l else np.zeros(0, np.int64), np.ones(len(sp) + len(fallback), np.int64)])
        es = np.concatenate([np.concatenate(opt_e) if opt_e else np.zeros(0, np.int64), e1[sp], e1[fallback]])
        lps = np.concatenate([self.log_prob[es[:len(es) - len(fallback)]], np.full(len(fallback), -self.logtotal)])
        dist = end_of[ps] - ps
        order = np.argsort((dist * (m + 1) + ps) * 32 + (31 - ls))   # by distance, place, longest first
        ps, ls, es, lps, dist = ps[order], ls[order], es[order], lps[order], dist[order]
        tgt = ps + ls
        tgt_local = np.where(tgt == end_of[ps], m, tgt)   # the chunk's end scores 0 (score[m])
        new = np.ones(len(ps), bool)                      # the options of one place are consecutive
        new[1:] = ps[1:] != ps[:-1]
        group = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        score = np.zeros(m + 1)
        cut = np.searchsorted(dist, np.arange(1, _WAVES + 2))
        gcut = group[np.minimum(cut, len(ps) - 1)]
        gcut[cut >= len(ps)] = len(starts)
        a, b = int(cut[0]), int(cut[1])                   # a chunk's last place: one option, to the end
        place = ps[a:b]
        score[place] = lps[a:b]
        nxt[place] = tgt[a:b]
        entry[place] = es[a:b]
        for w in range(1, _WAVES):                        # places nearer their chunk's end first
            a, b = int(cut[w]), int(cut[w + 1])
            if a == b:
                continue
            v = lps[a:b] + score[tgt_local[a:b]]
            first = starts[gcut[w]:gcut[w + 1]] - a
            best = np.maximum.reduceat(v, first)
            at = np.where(v == best[group[a:b] - gcut[w]], np.arange(a, b), b)
            sel = np.minimum.reduceat(at, first)          # the first best: options run longest first
            place = ps[sel]
            score[place] = best
            nxt[place] = tgt[sel]
            entry[place] = es[sel]
        a = int(cut[_WAVES])
        if a < len(ps):                               # far from a chunk's end: long chunks, few
            lpl, tl, pl, tgl, el = lps[a:].tolist(), tgt_local[a:].tolist(), ps[a:].tolist(), tgt[a:].tolist(), es[a:].tolist()
            known = score[tgt_local[a:]].tolist()     # the targets' scores from the waves
            far: dict[int, float] = {}
            k, n = 0, len(pl)
            while k < n:
                p = pl[k]
                best, bt, be = lpl[k] + far.get(tl[k], known[k]), tgl[k], el[k]
                k += 1
                while k < n and pl[k] == p:
                    v = lpl[k] + far.get(tl[k], known[k])
                    if v > best:
                        best, bt, be = v, tgl[k], el[k]
                    k += 1
                far[p] = best
                nxt[p] = bt
                entry[p] = be


def cache_path() -> str:
    """The lattice's cache file, beside the lexicon's and named by the same key."""
    return os.path.join(segment.cache_dir(), f"jieba-lattice-{segment.cache_key()}-{LATTICE_FORMAT}.bin")


def _meta(lex) -> dict:
    """What a cache file must match besides its name: the lexicon's size, and the hash."""
    return {"format": LATTICE_FORMAT, "entries": len(lex), "chars": len(lex.words), "total": lex.total,
            "base": _B, "mix": int(_MIX), "levels": _SHORT_LEVELS}


def load_cached(lex, path: str) -> Lattice:
    """The lattice of ``lex`` from its cache file at ``path``, mapped read-only (the workers of
    a batch share its pages); built and written there first when missing or damaged (in
    memory only when it cannot be written)."""
    try:
        meta, arrays = arrayfile.load(path)
        if meta == _meta(lex) and set(arrays) == _names():
            return Lattice(lex, arrays)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    built = Lattice(lex)
    try:
        arrayfile.save(path, _meta(lex), built.arrays())
        return Lattice(lex, arrayfile.load(path)[1])
    except (OSError, ValueError):
        return built


def _names() -> set[str]:
    return set(Lattice.ARRAYS) | {"index." + k for k in HashIndex.ARRAYS}


@lru_cache(maxsize=1)
def lattice() -> Lattice:
    """The lattice of the process's lexicon (:func:`segment.dictionary`), from the cache file
    (:func:`cache_path`): built once per lexicon, not in every process."""
    return load_cached(segment.dictionary(), cache_path())
