"""Lexicon files: the word lists, cues and tolerances kept as data in ``summaryscan/lexicon``.

One way to read them: :func:`lines` for word lists (``#`` comments and blank lines
dropped), :func:`words` for whitespace-separated words, :func:`data` for YAML.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

PACKAGE = "summaryscan.lexicon"


@lru_cache(maxsize=None)
def read(name: str) -> str:
    """The text of lexicon file ``name``."""
    return resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def lines(name: str) -> tuple[str, ...]:
    """The stripped, non-empty, non-comment lines of ``name``."""
    return tuple(ln.strip() for ln in read(name).splitlines() if ln.strip() and not ln.lstrip().startswith("#"))


@lru_cache(maxsize=None)
def words(name: str) -> frozenset[str]:
    """Every whitespace-separated word of the lines of ``name``."""
    return frozenset(w for ln in lines(name) for w in ln.split())


@lru_cache(maxsize=None)
def data(name: str) -> Any:
    """The parsed YAML file ``name``."""
    import yaml
    return yaml.safe_load(read(name))
