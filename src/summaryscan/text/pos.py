"""Parts of speech of jieba's tags, as the claim reader uses them: verbs, noun-like words,
and whether a stretch of text opens with a verb; the domain's trigger verbs (``lexicon/verbs.txt``)."""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon
from .segment import tokens

_AFTER_BOUNDARY = re.compile(r"[,。;:!?\n、()（）]")


@lru_cache(maxsize=1)
def trigger_verbs() -> frozenset[str]:
    """Verbs that report work done (开展, 组织, 查处 …): a subject never ends in one."""
    return lexicon.words("verbs.txt")


class ByFlag(dict):
    """POS flag -> ``rule(flag)``, worked out the first time a flag is seen."""

    def __init__(self, rule):
        super().__init__()
        self.rule = rule

    def __missing__(self, flag: str) -> bool:
        value = self[flag] = self.rule(flag)
        return value


def is_verb_flag(flag: str) -> bool:
    return flag.startswith("v") and flag != "vn"


def starts_with_verb(s: str) -> bool:
    """Whether the clause ``s`` opens with a verb (or an adverb, adjective, preposition leading one)."""
    s = _AFTER_BOUNDARY.split(s)[0]
    if not s:
        return False
    toks = tokens(s)
    return bool(toks) and toks[0][1][:1] in ("v", "d", "a", "p") and toks[0][1] != "vn"


NOUNISH = ("n", "nq", "vn", "j", "nz", "ng", "b", "an", "nr", "ns", "nt")


def is_nounish(flag: str) -> bool:
    return flag.startswith("n") or flag in NOUNISH


VERB_FLAG = ByFlag(is_verb_flag)
NOUNISH_FLAG = ByFlag(is_nounish)
