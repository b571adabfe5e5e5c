"""Text features of the sentence classifier, shared by training (scikit-learn) and the
lean run-time model (numpy). Module level, so skops can trust them by name."""
from __future__ import annotations

import re
from functools import lru_cache

from .text import segment

_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_SPACE_RE = re.compile(r"\s+")
_WORDISH_RE = re.compile(r"\w")


@lru_cache(maxsize=1)
def _char_table() -> dict[int, int]:
    from .text.normalize import translation_table
    return translation_table()


def preprocess(text: str) -> str:
    """Full-width -> half-width, traditional -> simplified, numbers -> ``0``, no spaces."""
    text = text.translate(_char_table())
    text = _SPACE_RE.sub("", text)
    return _NUMBER_RE.sub("0", text)


def jieba_tokens(text: str) -> list[str]:
    """jieba words of ``text`` (precise mode, no HMM, domain dictionary), punctuation dropped."""
    return [w for w in segment.words(text) if _WORDISH_RE.search(w)]
