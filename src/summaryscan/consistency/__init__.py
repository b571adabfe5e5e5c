"""Consistency checks: problems a careful reader finds inside one submission.

Public API::

    check(analysis, framework=None, codes=None) -> list[Finding]
    CODES: dict[code, (default severity, Chinese description)]
    REGISTRY: dict[code, check function]
    register: the ``@register("CODE")`` decorator that adds a check (``_core.check``)

Every check is a function registered under the code it reports, spaCy-style, in
one module per family:

=====================  ===============================================
placeholders.py        PLACEHOLDER
artifacts.py           ARTIFACT (page debris, paywall markers, cut-off ending)
numbering.py           NUMBERING
arithmetic.py          PART_EXCEEDS_WHOLE, SUBSET_EXCEEDS, PERCENT_RANGE, ARITHMETIC
values.py              HEDGE_CONFLICT, CONFLICTING_VALUES
years.py               YEAR_MISMATCH
sections.py            MISSING_SECTION
ocr.py                 OCR_LOW_CONFIDENCE (pages of a scan or photo read with low confidence)
=====================  ===============================================

Severities, descriptions and every trigger word are data in
``summaryscan/lexicon/consistency.yaml``.  Findings carry raw offsets into
``analysis.raw.text`` (``raw == text[start:end]``); document-level findings
(MISSING_SECTION) have ``start == end == -1`` and ``raw == ""``.
"""
from __future__ import annotations

import traceback
from typing import Iterable, Optional

from ..records import STATUS_OK, Analysis, Finding
from ..registry import checks as REGISTRY
from ._core import Context, config
from ._core import check as register
from . import placeholders, artifacts, numbering, arithmetic, values, years, sections, ocr  # noqa: F401,E402


def codes() -> dict[str, tuple[str, str]]:
    """Every registered code: (default severity, Chinese description)."""
    return {e.name: (e.meta["severity"], e.meta["description"]) for e in REGISTRY.entries()}


CODES: dict[str, tuple[str, str]] = {code: (spec["severity"], spec["description"])
                                     for code, spec in config()["codes"].items()}


def _framework(framework):
    if framework is None or isinstance(framework, str):
        from ..frameworks import load_framework
        return load_framework(framework)
    return framework


def check(analysis: Analysis, framework=None, codes: Optional[Iterable[str]] = None) -> list[Finding]:
    """Run every registered check (or only ``codes``) on one analysed document.

    ``framework`` is a Framework, a framework id or YAML path, or None for the default
    framework; only MISSING_SECTION uses it. Documents that could not be read (status
    other than ``ok``) yield no findings. A check that raises (a bug) costs only its own
    findings: the traceback goes to ``analysis.errors`` (the run's log). Findings are
    sorted by start offset (document-level ones first).
    """
    if analysis.raw.status != STATUS_OK or not analysis.raw.text.strip():
        return []
    wanted = list(REGISTRY) if codes is None else [c for c in codes]
    unknown = [c for c in wanted if c not in REGISTRY]
    if unknown:
        raise KeyError(f"unknown consistency codes: {', '.join(unknown)}")
    ctx = Context(analysis, _framework(framework) if "MISSING_SECTION" in wanted else None)
    found: list[Finding] = []
    for code in wanted:
        try:
            found.extend(REGISTRY.get(code)(ctx))
        except Exception:   # a bug in one check must cost only that check's findings
            analysis.errors.append(f"检查 {code} 出错，已跳过：\n{traceback.format_exc()}")
    found.sort(key=lambda f: (f.start, f.end, f.code))
    return found


__all__ = ["check", "codes", "CODES", "REGISTRY", "register", "Context"]
