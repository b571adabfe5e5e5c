"""The development set: extract the five seeds and score them with the shared scorer.

Reads ../shared (never copied into the project); skips with a reason when absent.
"""
import json
import os
import subprocess
import sys

import pytest

from summaryscan.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
pytestmark = pytest.mark.skipif(not os.path.isfile(os.path.join(SHARED, "gold", "claims.jsonl")),
                                reason="../shared/gold is not present (the dev set lives beside the project)")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    assert main(["extract", os.path.join(SHARED, "seeds"), "--out", str(out), "--quiet"]) == 0
    return out


def score(kind, gold, pred):
    res = subprocess.run([sys.executable, os.path.join(SHARED, "tools", "score.py"), kind, "--gold",
                          os.path.join(SHARED, "gold", gold), "--pred", str(pred)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_claims_scores(extracted):
    s = score("claims", "claims.jsonl", extracted / "claims.csv")
    assert s["f1"] >= 0.95, s
    assert s["approx_acc"] >= 0.98, s
    assert s["subject_f1"] >= 0.80, s


def test_sections_scores(extracted):
    s = score("sections", "sections.jsonl", extracted / "sections.csv")
    assert s["headings"]["f1"] >= 0.97, s
    assert s["points"]["f1"] >= 0.95, s
