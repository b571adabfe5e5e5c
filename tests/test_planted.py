"""Consistency checks on real text: faults planted by ``bench/plant.py`` into the passages of
``../shared/gold-reports`` and the five seed submissions at run time (the texts are read from
``../shared``, never copied into the project), and the same checks on those texts as they are.

* every planted code is found in at least 90 % of the planted copies;
* on the unplanted seeds, gold-reports passages and sample corpus the numeric checks raise at
  most 0.05 false alarms per document, and every finding left on the real texts has a
  judgement (``bench/plant_judged.jsonl``);
* the same on the 202 passages of our own standoff labels (corpus/labels/real), a second set of
  real passages from ../shared/corpus.

Skipped with the reason when ``../shared`` is absent.
"""
import importlib.util
import os
import re
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("bench_plant", os.path.join(ROOT, "bench", "plant.py"))
plant = sys.modules.setdefault("bench_plant", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(plant)

pytestmark = pytest.mark.skipif(not plant.shared_present(),
                                reason=f"{plant.SHARED} is not present: the real texts to plant into live there")

MIN_RECALL = 0.90
MAX_FALSE_ALARMS = 0.05          # per document


@pytest.fixture(scope="module")
def dev():
    hs = plant.hosts(("gold-reports", "seeds"))
    plants = plant.plant_all(hs)
    return hs, plants, plant.evaluate(hs, plants)


@pytest.fixture(scope="module")
def held_out():
    hs = plant.hosts(("labelled",))
    if not hs:
        pytest.skip("no standoff passages in corpus/labels/real")
    plants = plant.plant_all(hs)
    return hs, plants, plant.evaluate(hs, plants, sample_corpus=False)


@pytest.mark.parametrize("code", plant.CODES)
def test_every_planted_code_is_found(dev, code):
    _, plants, r = dev
    n, k = r.per_code[code]
    assert n >= 40, f"only {n} {code} faults planted"
    missed = [f"{p.host} [{p.recipe}] …{p.shown()}… {p.note}" for p in r.missed if p.code == code]
    assert k / n >= MIN_RECALL, f"{code}: {k}/{n}; missed: " + "; ".join(missed)


@pytest.mark.parametrize("code", plant.CODES)
def test_every_code_is_found_on_held_out_passages(held_out, code):
    _, _, r = held_out
    n, k = r.per_code[code]
    assert n >= 60 and k / n >= MIN_RECALL, (code, k, n)


def test_no_false_alarms_on_the_texts_as_they_are(dev):
    hs, _, r = dev
    sample = [n for n in os.listdir(os.path.join(ROOT, "corpus")) if n.endswith((".txt", ".docx", ".pdf"))]
    assert r.documents == len(hs) + len(sample)              # the seeds, the passages and the sample corpus
    assert r.false_alarm_rate() <= MAX_FALSE_ALARMS, [(n, f.code, f.raw, f.message) for n, f in r.false_alarms]
    unjudged = [(n, f.code, f.raw) for n, f, j in r.host_findings if j is None]
    assert not unjudged, f"findings on real text without a judgement in bench/plant_judged.jsonl: {unjudged}"
    assert all(j["verdict"] in ("real", "false") for _, _, j in r.host_findings)


def test_no_false_alarms_on_held_out_passages(held_out):
    hs, _, r = held_out
    assert r.documents == len(hs) and r.false_alarm_rate() <= MAX_FALSE_ALARMS, r.false_alarms


def test_planting_adds_no_other_problem(dev, held_out):
    # findings a planted copy has beyond its host's and its own fault (a check set off by the
    # fault's neighbours, or a fault that spoils the text around it)
    for _, plants, r in (dev, held_out):
        assert len(r.collateral) <= 0.01 * len(plants), [(p.code, p.host, f.code, f.raw) for p, f in r.collateral]


def test_planted_faults_are_varied_and_answered(dev):
    hs, plants, _ = dev
    texts = {h.name: h.text for h in hs}
    for code in plant.CODES:
        mine = [p for p in plants if p.code == code]
        assert len({p.recipe for p in mine}) >= 2 or code == "PART_EXCEEDS_WHOLE" and len(mine) >= 40, code
        assert len({p.host for p in mine}) >= 20, code
        # not one sentence planted over and over: the faults and their surroundings differ
        assert len({p.text[max(0, s - 12):e + 12] for p in mine for s, e in p.spans[-1:]}) == len(mine), code
    for p in plants:
        host = texts[p.host]
        assert p.text != host and all(0 <= s < e <= len(p.text) for s, e in p.spans)
        # a planted copy is its host with one sentence added or a few characters changed
        head = len(os.path.commonprefix([host, p.text]))
        tail = len(os.path.commonprefix([host[::-1], p.text[::-1]]))
        assert len(p.text) - head - tail < 120 or p.code == "NUMBERING", (p.code, p.recipe, p.host)
    # CONFLICTING_VALUES: the two places, in the order they stand, and the figures differ
    for p in plants:
        if p.code == "CONFLICTING_VALUES":
            (s1, e1), (s2, e2) = p.spans
            assert e1 <= s2 and re.sub(r"\D", "", p.text[s1:e1]) != re.sub(r"\D", "", p.text[s2:e2])


def test_conflicting_values_link_both_places(dev):
    _, plants, _ = dev
    for p in [p for p in plants if p.code == "CONFLICTING_VALUES"][:10]:
        _, found = plant._analyse(p.text, p.host)
        f = next(f for f in found if f.code == "CONFLICTING_VALUES" and plant.found_by(p, [f]))
        assert (f.other_start, f.other_end) == p.spans[0] or plant._overlap((f.other_start, f.other_end), p.spans[0])
        assert f.start >= f.other_end and "前文" in f.message
