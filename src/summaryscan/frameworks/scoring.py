"""A submission's score under a framework: the framework's own weights, bonus and
deduction items and finding penalties (all in its YAML).

    score = 100 × Σ_d w_d·coverage_d / Σ_d w_d          (dimension weights)
          + Σ weights of the bonus items hit            (加分项)
          − Σ weights of the deduction items hit        (扣分项)
          − Σ finding penalties by severity             (scoring.penalties)
"""
from __future__ import annotations

from typing import Iterable, Mapping

from .schema import Framework

SEVERITIES = ("high", "medium", "low")


def score(fw: Framework, dims: Mapping[str, float], bonus: Iterable[tuple[str, str]],
          deductions: Iterable[tuple[str, str]], severity: Mapping[str, int],
          penalties: Mapping[str, float] = None) -> dict:
    """The score and its parts: ``dims`` maps dimension names to coverage scores (0..1);
    ``bonus``/``deductions`` are the (dimension, item) pairs hit; ``severity`` counts
    findings by severity."""
    penalty = dict(fw.scoring.penalties, **(penalties or {}))
    weights = {d.name: float(d.weight) for d in fw.dimensions}
    bonus_w = {(d.name, b.name): float(b.weight) for d in fw.dimensions for b in d.bonus}
    deduct_w = {(d.name, b.name): float(b.weight) for d in fw.dimensions for b in d.deductions}
    wsum = sum(weights.values()) or 1.0
    cov_pts = 100.0 * sum(w * dims.get(d, 0.0) for d, w in weights.items()) / wsum
    plus = sum(bonus_w.get(tuple(k), 0.0) for k in {tuple(x) for x in bonus})
    minus = sum(deduct_w.get(tuple(k), 0.0) for k in {tuple(x) for x in deductions})
    pen = sum(penalty[k] * severity.get(k, 0) for k in SEVERITIES)
    return {"coverage_points": round(cov_pts, 2), "bonus_points": plus, "deduction_points": minus,
            "penalty": pen, "score": round(cov_pts + plus - minus - pen, 1)}
