"""The cross-document checks of a run (copy detection: ``TEMPLATE_COPY``), for every reporter.

The texts of a run are appended to a :class:`TextStore` on disk as the results stream in;
at the end :func:`corpus_findings` runs the registered corpus checks
(:data:`summaryscan.registry.corpus_checks`) over them, reading one text at a time, and
hands the memory they freed back to the system.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence


class TextStore(Sequence):
    """``(doc, text)`` pairs appended to one file and read back by index.

    The copy detector reads the run's texts from here, one at a time, so they are
    never all in memory.
    """

    def __init__(self, path: str):
        self.path = path
        self._index: list[tuple[str, int, int]] = []
        self._writer = open(path, "wb")
        self._reader = None

    def append(self, doc: str, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        self._index.append((doc, self._writer.tell(), len(data)))
        self._writer.write(data)

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        doc, offset, size = self._index[i]
        if not self._writer.closed:
            self._writer.flush()
        if self._reader is None:
            self._reader = open(self.path, "rb")
        self._reader.seek(offset)
        return doc, self._reader.read(size).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        self._writer.close()
        if self._reader is not None:
            self._reader.close()


def corpus_findings(texts: Sequence[tuple[str, str]], top: int = 60) -> tuple[list, Any]:
    """The registered corpus checks over ``texts``: their findings, and the similarity rows of
    the ``top`` most similar documents for a heatmap (the first check that gives them)."""
    from ..registry import corpus_checks
    findings, similarity = [], None
    if len(texts) < 2:
        return findings, similarity
    for entry in corpus_checks.entries():
        try:
            found, sim = entry.fn(texts, top=top)
        except Exception as exc:   # one failing corpus check must not lose the report
            warnings.warn(f"跨材料检查 {entry.name} 出错，已跳过（{type(exc).__name__}: {exc}）")
            continue
        findings += found
        similarity = similarity or sim
    release_memory()
    return findings, similarity


def release_memory() -> None:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim``): the copy
    detector's arrays, freed, would otherwise stay in the process's RSS for the rest of the run."""
    try:
        import ctypes
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):      # not glibc
        pass


__all__ = ["TextStore", "corpus_findings", "release_memory"]
