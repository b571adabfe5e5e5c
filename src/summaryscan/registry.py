"""One registry for every extension point, in the spirit of spaCy's ``registry`` (catalogue).

=================  =====================================================  ==========================
table              what is registered                                      entry-point group
=================  =====================================================  ==========================
``readers``        ``fn(rec: RawDocument) -> RawDocument`` by format,      ``summaryscan.readers``
                   with the file suffixes it reads (``suffixes=``)
``stages``         ``fn(a: Analysis) -> None``, a pipeline stage           ``summaryscan.stages``
``checks``         ``fn(ctx) -> Iterable[Finding]`` by finding code         ``summaryscan.checks``
``corpus_checks``  ``fn(assessments, options) -> Iterable[Finding]``       ``summaryscan.corpus_checks``
``reporters``      ``fn(results, out_dir, options) -> str``                 ``summaryscan.reporters``
=================  =====================================================  ==========================

Adding one is a module and a decorator::

    from summaryscan.registry import checks

    @checks.register("MY_CODE", severity="low", description="……")
    def my_check(ctx):
        ...

An outside package adds its own by naming the module in its entry points
(``[project.entry-points."summaryscan.checks"] my = "my_pkg.checks"``): the module is
imported the first time the table is read, and its decorators do the rest.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Callable, Iterator, Optional


@dataclass
class Entry:
    name: str
    fn: Callable
    meta: dict = field(default_factory=dict)


class Registry:
    """Named functions of one kind. ``builtins``: the package's own modules that register
    into this table, imported on first use (the registry itself imports nothing)."""

    def __init__(self, kind: str, builtins: tuple[str, ...] = ()):
        self.kind = kind
        self.group = f"summaryscan.{kind}"
        self.builtins = builtins
        self._entries: dict[str, Entry] = {}
        self._loaded = False

    def register(self, name: str, **meta: Any) -> Callable[[Callable], Callable]:
        """Decorator: register ``fn`` under ``name`` (a later registration replaces an earlier)."""
        def deco(fn: Callable) -> Callable:
            self._entries[name] = Entry(name, fn, meta)
            return fn
        return deco

    def _load(self) -> None:
        if self._loaded:
            return
        with _LOADING:     # threads (a threaded Dask worker) must not see a table half loaded
            if self._loaded:
                return
            for module in self.builtins:
                import_module(module)
            for ep in _entry_points(self.group):
                ep.load()
            self._loaded = True

    def get(self, name: str) -> Callable:
        return self.entry(name).fn

    def entry(self, name: str) -> Entry:
        self._load()
        try:
            return self._entries[name]
        except KeyError:
            known = "、".join(self._entries) or "（无）"
            raise KeyError(f"没有名为 {name!r} 的{_KIND_ZH.get(self.kind, self.kind)}（已有：{known}）") from None

    def __contains__(self, name: str) -> bool:
        self._load()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        self._load()
        return iter(list(self._entries))

    def entries(self) -> list[Entry]:
        self._load()
        return list(self._entries.values())

    def find(self, **meta: Any) -> Optional[Entry]:
        """The first entry whose metadata holds every ``key=value`` (a value in a tuple/list matches it)."""
        for e in self.entries():
            if all(v == e.meta.get(k) or (isinstance(e.meta.get(k), (tuple, list, set, frozenset))
                                           and v in e.meta[k]) for k, v in meta.items()):
                return e
        return None


_LOADING = threading.RLock()     # re-entrant: a module being imported may read another table
_KIND_ZH = {"readers": "读取器", "stages": "处理步骤", "checks": "检查", "corpus_checks": "跨文档检查",
            "reporters": "报告"}


def _entry_points(group: str) -> list:
    from importlib.metadata import entry_points
    return list(entry_points(group=group))


readers = Registry("readers", ("summaryscan.ingest.txt", "summaryscan.ingest.docx", "summaryscan.ingest.pdf",
                                 "summaryscan.ingest.image", "summaryscan.ingest.convert"))
stages = Registry("stages", ("summaryscan.stages",))
checks = Registry("checks", ("summaryscan.consistency",))
corpus_checks = Registry("corpus_checks", ("summaryscan.similarity",))
reporters = Registry("reporters", ("summaryscan.report.tables", "summaryscan.report.screen"))

__all__ = ["Registry", "Entry", "readers", "stages", "checks", "corpus_checks", "reporters"]
