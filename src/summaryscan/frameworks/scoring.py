"""A submission's score under a framework, on a stated 0–100 scale, with every point traced.

The framework's YAML states the scale (``scoring``, see :class:`~.schema.Scoring`)::

    score = coverage_points × Σ_d w_d·coverage_d / Σ_d w_d     覆盖（0 … coverage_points）
          + min(bonus_cap, Σ points of the 加分项 met)          加分（coverage_points + bonus_cap = 100）
          − min(deduction_cap, Σ points of the 扣分项 met)      扣分
          − min(penalty_cap, Σ penalty of each problem found)   问题扣减（by severity: ``penalties``）
    and never below 0.

Every point has a source a reviewer can check: a dimension's coverage, the one sentence that
earned a 加分项 or cost a 扣分项 (:func:`adjustments`), or a problem found (:func:`problems`).

* Each 加分项/扣分项 counts once per submission, and **one sentence earns at most one 加分项**
  (and costs at most one 扣分项), across all dimensions: a sentence naming two honours does not
  score twice. Items are given to sentences so that the points are the most possible (items by
  weight, each to the earliest sentence still free along an augmenting path — greedy on a
  transversal matroid is optimal).
* Only a sentence stating a fact about the unit counts: not one that states the evaluation
  rules or an intention (``lexicon/scoring.yaml``). A 加分项 is earned only by a sentence
  reporting work done: not one under a heading of problems or plans, nor one that the
  coverage cues call non-evidence (``lexicon/coverage.yaml``). A 扣分项 may be stated anywhere.
* Findings that are one problem cost once, at their highest severity: the same text flagged
  for the same reason (one placeholder left in 17 places), or passages copied from the same
  other submission.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional

from ..records import AdjustmentHit, Analysis
from ..text import lexicon
from ..text.patterns import alternation
from .schema import Framework

SEVERITIES = ("high", "medium", "low")
BONUS, DEDUCTION = "bonus", "deduction"


# --------------------------------------------------------------------------- #
# 加分项 and 扣分项: which sentence earns or costs which item
# --------------------------------------------------------------------------- #

@lru_cache(maxsize=1)
def _cues() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """(not a fact about the unit: rules or intentions — ``lexicon/scoring.yaml``; not evidence of
    work done — ``lexicon/coverage.yaml``'s non_evidence; headings of problems and plans)."""
    own = lexicon.data("scoring.yaml")
    cov = lexicon.data("coverage.yaml")
    return (re.compile(alternation(own["criteria"] + own["intentions"])), re.compile(alternation(cov["non_evidence"])),
            re.compile(alternation(cov["excluded_sections"])))


def _assign(candidates: dict[Any, list[int]], weight: dict[Any, float], order: dict[Any, int]) -> dict[Any, int]:
    """Items -> sentences, each sentence taking at most one item, the total weight the most
    possible: items by weight (then framework order), each kept when an augmenting path frees
    a sentence for it (Kuhn); sentences tried in document order."""
    holder: dict[int, Any] = {}

    def place(item, seen: set) -> bool:
        for s in candidates[item]:
            if s in seen:
                continue
            seen.add(s)
            if s not in holder or place(holder[s], seen):
                holder[s] = item
                return True
        return False

    for item in sorted(candidates, key=lambda k: (-weight[k], order[k])):
        place(item, set())
    return {item: s for s, item in holder.items()}


def adjustments(a: Analysis, fw: Framework) -> list[AdjustmentHit]:
    """The 加分项 and 扣分项 that document ``a`` meets, each with the one sentence that earns
    (or costs) it; bonus items first, then deductions, each in document order."""
    if not a.raw.ok or not a.sentences:
        return []
    not_a_fact, non_evidence, excluded = _cues()
    out: list[AdjustmentHit] = []
    for kind, field in ((BONUS, "bonus"), (DEDUCTION, "deductions")):
        candidates: dict[tuple, list[int]] = {}
        weight: dict[tuple, float] = {}
        order: dict[tuple, int] = {}
        items: dict[tuple, tuple] = {}
        for d in fw.dimensions:
            for it in getattr(d, field):
                key = (d.id, it.id)
                items[key] = (d, it)
                weight[key] = float(it.weight)
                order[key] = len(order)
                candidates[key] = []
        if not items:
            continue
        for s in a.sentences:
            if not_a_fact.search(s.text):
                continue
            # a bonus is earned by work done: not by a plan, nor in a problems or plans section
            if kind == BONUS and (non_evidence.search(s.text)
                                  or any(excluded.search(t) for t in a.section_titles(s.section))):
                continue
            for key, (d, it) in items.items():
                if it.matches(s.text):
                    candidates[key].append(s.idx)
        chosen = _assign({k: v for k, v in candidates.items() if v}, weight, order)
        for key, idx in sorted(chosen.items(), key=lambda kv: kv[1]):
            d, it = items[key]
            s = a.sentences[idx]
            out.append(AdjustmentHit(a.doc, d.name, kind, it.name, float(it.weight), idx,
                                     a.raw.text[s.start:s.end].strip(), a.section_path(s.point if s.point is not None
                                                                                      else s.section),
                                     s.start, s.end))
    return out


# --------------------------------------------------------------------------- #
# findings -> problems
# --------------------------------------------------------------------------- #

def _get(f: Any, name: str, default: Any = "") -> Any:
    return f.get(name, default) if isinstance(f, Mapping) else getattr(f, name, default)


def problem_key(f: Any) -> tuple:
    """Findings with the same key are one problem: the same text flagged for the same reason
    (against the same other place), or passages copied from the same other submission."""
    code = _get(f, "code")
    if code == "TEMPLATE_COPY":
        return code, _get(f, "other_doc")
    raw = _get(f, "raw") or ""
    if raw:
        return code, raw, _get(f, "other_doc") or "", _get(f, "other_start", -1)
    return code, _get(f, "message"), _get(f, "start", -1)


def _worst(a: str, b: str) -> str:
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return a if rank.get(a, 9) <= rank.get(b, 9) else b


def problems(findings: Iterable[Any], label_chars: int = 60) -> list[dict]:
    """Findings grouped into problems (:func:`problem_key`), in order of first appearance:
    ``code``, ``severity`` (the worst), ``count``, ``start``/``end`` (the first located
    finding), ``message`` (the first, cut to ``label_chars``)."""
    groups: dict[tuple, dict] = {}
    for f in findings:
        key = problem_key(f)
        sev = _get(f, "severity") if _get(f, "severity") in SEVERITIES else "low"
        g = groups.get(key)
        if g is None:
            msg = str(_get(f, "message") or "")
            groups[key] = {"code": _get(f, "code"), "severity": sev, "count": 1,
                           "start": _get(f, "start", -1), "end": _get(f, "end", -1),
                           "message": msg if len(msg) <= label_chars else msg[: label_chars - 1] + "…"}
            continue
        g["count"] += 1
        g["severity"] = _worst(g["severity"], sev)
        if g["start"] < 0 <= _get(f, "start", -1):
            g["start"], g["end"] = _get(f, "start", -1), _get(f, "end", -1)
    return list(groups.values())


# --------------------------------------------------------------------------- #
# the score and its breakdown
# --------------------------------------------------------------------------- #

def _line(kind: str, label: str, points: float, **extra) -> dict:
    return {"kind": kind, "label": label, "points": round(points, 2), **extra}


def score(fw: Framework, dims: Mapping[str, float], adjustments: Iterable[Any] = (),
          problems: Iterable[Mapping] = (), penalties: Optional[Mapping[str, float]] = None) -> dict:
    """The score and where each point came from.

    ``dims``: dimension name -> coverage (0..1); ``adjustments``: :class:`AdjustmentHit` records
    or dicts with their fields; ``problems``: :func:`problems` of the document's findings.
    Returns ``score`` (0..100, one decimal), its parts ``coverage_points``, ``bonus_points``,
    ``deduction_points``, ``penalty`` (after the caps) and ``lines``: one per dimension, item,
    problem and applied cap (``kind``, ``label``, signed ``points``; items and problems carry
    ``start``/``end`` of the sentence or finding, bonus and deduction lines its ``text``)."""
    sc = fw.scoring
    penalty_of = dict(sc.penalties, **(penalties or {}))
    lines: list[dict] = []
    wsum = sum(float(d.weight) for d in fw.dimensions) or 1.0
    cov = 0.0
    for d in fw.dimensions:
        c = max(0.0, min(1.0, float(dims.get(d.name, 0.0) or 0.0)))
        pts = sc.coverage_points * float(d.weight) * c / wsum
        cov += pts
        lines.append(_line("coverage", d.name, pts, coverage=round(c, 3), weight=float(d.weight),
                           max=round(sc.coverage_points * float(d.weight) / wsum, 2)))

    def capped(kind: str, items: list[tuple[float, dict]], cap: float, cap_label: str) -> float:
        total = 0.0
        for pts, line in items:
            total += pts
            lines.append(line)
        if total > cap:
            lines.append(_line("cap", cap_label.format(cap=cap, over=total - cap), (total - cap) * (1 if kind != BONUS
                                                                                                    else -1),
                               applies_to=kind))
            total = cap
        return total

    adj = [a if isinstance(a, Mapping) else vars(a) for a in adjustments]
    bonus = capped(BONUS, [(a["points"], _line(BONUS, f"{a['item']}（{a['dimension']}）", a["points"],
                                                start=a.get("start", -1), end=a.get("end", -1),
                                                text=a.get("text", ""))) for a in adj if a["kind"] == BONUS],
                   sc.bonus_cap, "加分以 {cap:g} 分为限，超出的 {over:g} 分不计")
    minus = capped(DEDUCTION, [(a["points"], _line(DEDUCTION, f"{a['item']}（{a['dimension']}）", -a["points"],
                                                   start=a.get("start", -1), end=a.get("end", -1),
                                                   text=a.get("text", ""))) for a in adj if a["kind"] == DEDUCTION],
                   sc.deduction_cap, "扣分以 {cap:g} 分为限，超出的 {over:g} 分不扣")
    probs = list(problems)
    pen = capped("penalty", [(penalty_of[p["severity"]], _line("penalty", p["message"], -penalty_of[p["severity"]],
                                                                code=p["code"], severity=p["severity"],
                                                                count=p["count"], start=p.get("start", -1),
                                                                end=p.get("end", -1)))
                             for p in probs],
                 sc.penalty_cap, "问题扣减以 {cap:g} 分为限，超出的 {over:g} 分不扣")
    raw_total = cov + bonus - minus - pen
    if raw_total < 0:
        lines.append(_line("floor", "得分不低于 0 分", -raw_total))
    total = max(0.0, raw_total)
    return {"score": round(min(100.0, total), 1), "coverage_points": round(cov, 1), "bonus_points": round(bonus, 2),
            "deduction_points": round(minus, 2), "penalty": round(pen, 2), "lines": lines}


def scale_text(fw: Framework) -> str:
    """The scale in one Chinese sentence, for the report and ``frameworks show``."""
    sc = fw.scoring
    p = sc.penalties
    return (f"满分 100：各维度覆盖按权重加权共 {sc.coverage_points:g} 分，加分项最多加 {sc.bonus_cap:g} 分；"
            f"扣分项最多扣 {sc.deduction_cap:g} 分；发现的问题按严重程度每项扣 高 {p['high']:g} / 中 {p['medium']:g}"
            f" / 低 {p['low']:g} 分（同一问题多处出现只扣一次），最多扣 {sc.penalty_cap:g} 分；得分不低于 0。"
            "一句话最多计一个加分项，每个加分项、扣分项只计一次。")


__all__ = ["adjustments", "problems", "problem_key", "score", "scale_text", "SEVERITIES", "BONUS", "DEDUCTION"]
