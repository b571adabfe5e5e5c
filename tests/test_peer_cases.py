"""The peers' own test cases, run through the numeral reader and the claim extractor.

``../shared/peer-cases/`` (see its SOURCES.md) holds cn2an's 230 numerals and Microsoft
Recognizers-Text's Chinese Number, Percent and NumberRange specs. They are read from
there, never copied into the project; without them this module skips with a reason.

Per suite the report gives: **right** (a claim, or a reading, with the peer's value),
**wrong** (a claim over an expected number with another value), **missed in scope**
(an expected plain form — a Chinese integer or an Arabic number before one of our
units, N%, 百分之N, N个百分点, N成 — with no claim) and **spurious** (a claim where the
peer expects no number). A claim's value is compared as written and, for the peer's
conventions, in its other scale (四分之一 = 25% = 0.25; 九成 = 90%; a range's value is one
of its ends). Cases that no implementation of Recognizers passes (``NotSupported`` names
all four) are counted apart as unverified.

``python tests/test_peer_cases.py`` prints the table.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Optional

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(os.path.dirname(ROOT), "shared", "peer-cases")
pytestmark = pytest.mark.skipif(not os.path.isfile(os.path.join(PEERS, "cn2an_numerals.jsonl")),
                                reason="../shared/peer-cases is not present (the peers' cases live beside the project)")

ALL_PLATFORMS = {"dotnet", "javascript", "java", "python"}
MONEY_CHARS = set("元圆角分整正")
_ARABIC = r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|-?[0-9]+(?:\.[0-9]+)?"
_CN_INT = r"[零〇一二两三四五六七八九十百千万亿]+"
_PLAIN_NUMBER = re.compile(rf"(?:{_ARABIC})[万亿]?|{_CN_INT}")
_PLAIN_PERCENT = re.compile(rf"(?:负|-)?(?:{_ARABIC})%|百分之(?:{_ARABIC}|{_CN_INT})|(?:{_ARABIC}|{_CN_INT})(?:个百分点|成)")
_RANGE_TAIL = re.compile(rf"(?:(?:{_ARABIC})[万亿]?|{_CN_INT})[多余]?$")


@dataclass
class Tally:
    suite: str
    right: int = 0
    wrong: list = field(default_factory=list)
    missed: list = field(default_factory=list)          # in scope
    spurious: list = field(default_factory=list)
    in_scope: int = 0
    out_of_scope: int = 0                                # expected numbers we do not claim by design
    unverified: int = 0
    no_number_sentences: int = 0
    claims_in_no_number_sentences: int = 0

    def row(self) -> str:
        share = f"{len(self.missed) / self.in_scope:.1%}" if self.in_scope else "-"
        return (f"{self.suite:<32} {self.right:>6} {len(self.wrong):>6} {len(self.missed):>4}/{self.in_scope:<4} "
                f"{share:>6} {len(self.spurious):>9} {self.claims_in_no_number_sentences:>3}/{self.no_number_sentences:<3} "
                f"{self.out_of_scope:>6} {self.unverified:>5}")


HEADER = (f"{'suite':<32} {'right':>6} {'wrong':>6} {'missed/in scope':>15} {'spurious':>9} "
          f"{'no-number':>7} {'out':>6} {'unver':>5}")


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _clean(s: str) -> str:
    from summaryscan.text.normalize import normalize
    return normalize(s).text


def _chinese_plain(s: str) -> bool:
    """A plain Chinese integer: digits and 十百千万亿, not a digit string (一二三), not the article 一."""
    if not re.fullmatch(_CN_INT, s) or s in ("一", "零", "〇"):
        return False                                 # 一个 is an article, 零 a word (零容忍) in running text
    return len(s) == 1 or any(c in "十百千万亿" for c in s)


def _plain_number(s: str) -> bool:
    return bool(re.fullmatch(rf"(?:{_ARABIC})[万亿]?", s)) or _chinese_plain(s)


def _claim_units() -> list[str]:
    from summaryscan.claims.scan import lexicon
    # durations are claims only with a cue (README): a bare 九年 is out of scope
    return sorted((u for u, k in lexicon().unit_kind.items() if k != "duration"), key=len, reverse=True)


def _unit_after(rest: str) -> Optional[str]:
    rest = _clean(rest).lstrip("多余")
    return next((u for u in _claim_units() if rest.startswith(u)), None)


def _values(claim, percent_scale: bool) -> list[float]:
    """The values a claim stands for in the peer's conventions."""
    out = [claim.value]
    if claim.unit == "%" and not percent_scale:
        out.append(claim.value / 100)                # 四分之一 = 25% = 0.25
    if claim.unit == "成":
        out.append(claim.value * 10)                 # 九成 = 90%
    return out


def _expected(resolution: str) -> list[float]:
    """A peer's resolved value: a number, a percentage, or the finite ends of a range."""
    v = resolution.strip().rstrip("%")
    if v[:1] in "([":
        return [float(x) for x in re.split(r"[,()\[\]]", v) if x.strip()]
    try:
        return [float(v)]
    except ValueError:
        return []


def _claims(text: str):
    from summaryscan.pipeline import analyze_text
    a = analyze_text(text)
    for c in a.claims:
        assert a.raw.text[c.start:c.end] == c.raw
    return a.claims


# ------------------------------------------------------------------ cn2an
def _cn2an_cases() -> list[dict]:
    with open(os.path.join(PEERS, "cn2an_numerals.jsonl"), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_cn2an_reader() -> Tally:
    """Each numeral read alone (money forms such as 壹拾壹元整 are claims: see the next suite)."""
    from summaryscan.text.numerals import read_numeral
    t = Tally("cn2an numerals, reader")
    for case in _cn2an_cases():
        x, e = case["input"], case["expected"]
        if not x or MONEY_CHARS & set(x):
            continue
        v = read_numeral(x)
        plain = _plain_number(x)
        if e is None:
            if v is None:
                t.right += 1
            else:
                t.spurious.append((x, v))
            continue
        t.in_scope += plain
        if v is None:
            if plain:
                t.missed.append(x)
            else:
                t.out_of_scope += 1
        elif _close(v, e):
            t.right += 1
        else:
            t.wrong.append((x, e, v))
    return t


def run_cn2an_claims() -> Tally:
    """Each numeral as a claim: 全年共完成{numeral}项。 (a money form on its own: 收到{numeral}。)."""
    t = Tally("cn2an numerals, claims")
    for case in _cn2an_cases():
        x, e = case["input"], case["expected"]
        if not x:
            continue
        money = bool(MONEY_CHARS & set(x))
        claims = _claims(f"收到{x}。" if money else f"全年共完成{x}项。")
        if e is None:
            t.no_number_sentences += 1
            t.claims_in_no_number_sentences += bool(claims)
            if claims:
                t.spurious.append((x, [c.raw for c in claims]))
            else:
                t.right += 1
            continue
        plain = _plain_number(x)
        t.in_scope += plain
        good = [c for c in claims if any(_close(v, e) for v in _values(c, True))]
        bad = [c for c in claims if c not in good]
        if bad:
            t.wrong.append((x, e, [(c.raw, c.value) for c in bad]))
        elif good:
            t.right += 1
        elif plain:
            t.missed.append(x)
        else:
            t.out_of_scope += 1
    return t


# ------------------------------------------------------------------ Recognizers-Text
def _recognizers(model: str) -> list[dict]:
    with open(os.path.join(PEERS, f"recognizers_zh_{model}.json"), encoding="utf-8") as fh:
        return json.load(fh)


def _in_scope(model: str, text: str, rest: str) -> bool:
    plain = _clean(text)
    if model == "PercentModel":
        return bool(_PLAIN_PERCENT.fullmatch(plain))
    if model == "NumberRangeModel":
        return bool(_RANGE_TAIL.search(plain)) and _unit_after(rest) is not None
    return _plain_number(plain) and _unit_after(rest) is not None


def run_recognizers(model: str) -> Tally:
    t = Tally(f"Recognizers {model}")
    percent_scale = model == "PercentModel"
    for case in _recognizers(model):
        if ALL_PLATFORMS <= {p.strip() for p in case.get("NotSupported", "").split(",")}:
            t.unverified += 1
            continue
        text, results = case["Input"], case["Results"]
        claims = _claims(text)
        if not results:
            t.no_number_sentences += 1
            t.claims_in_no_number_sentences += bool(claims)
        spans = [(r["Start"], r["End"] + 1, _expected(r["Resolution"]["value"]), r) for r in results]
        matched: set[int] = set()
        for c in claims:
            over = [(i, vals) for i, (s, e, vals, _) in enumerate(spans) if c.start < e and s < c.end]
            if not over:
                if results and not percent_scale and c.kind == "percent" and model == "NumberModel":
                    continue                 # 减少了二％: percentages are the Percent model's cases
                t.spurious.append((text, c.raw, c.value))
                continue
            hits = [i for i, vals in over if any(_close(v, x) for v in _values(c, percent_scale) for x in vals)]
            if hits:
                t.right += 1
                matched.update(hits)
            else:
                t.wrong.append((text, c.raw, c.value, [vals for _, vals in over]))
        for i, (s, e, vals, r) in enumerate(spans):
            if i in matched:
                continue
            if _in_scope(model, r["Text"], text[e:]):
                t.in_scope += 1
                t.missed.append((text, r["Text"]))
            else:
                t.out_of_scope += 1
        t.in_scope += sum(1 for i, (s, e, vals, r) in enumerate(spans) if i in matched
                          and _in_scope(model, r["Text"], text[e:]))
    return t


def run_all() -> list[Tally]:
    return [run_cn2an_reader(), run_cn2an_claims()] + [run_recognizers(m) for m in
                                                        ("NumberModel", "PercentModel", "NumberRangeModel")]


@pytest.fixture(scope="module")
def tallies():
    return {t.suite: t for t in run_all()}


def test_report(tallies, capsys):
    with capsys.disabled():
        print("\n" + HEADER)
        for t in tallies.values():
            print(t.row())
    assert tallies


def test_no_wrong_values(tallies):
    wrong = {name: t.wrong for name, t in tallies.items() if t.wrong}
    assert not wrong, wrong


def test_no_claim_where_the_peer_expects_no_number(tallies):
    spurious = {name: t.spurious for name, t in tallies.items() if t.spurious}
    assert not spurious, spurious
    assert all(t.claims_in_no_number_sentences == 0 for t in tallies.values())


def test_plain_forms_missed_at_most_five_percent(tallies):
    missed = sum(len(t.missed) for t in tallies.values())
    in_scope = sum(t.in_scope for t in tallies.values())
    assert in_scope > 200, in_scope
    assert missed <= 0.05 * in_scope, {name: t.missed for name, t in tallies.items() if t.missed}


if __name__ == "__main__":
    if not os.path.isdir(PEERS):
        raise SystemExit(f"{PEERS} is not present")
    print(HEADER)
    for tally in run_all():
        print(tally.row())
        for kind in ("wrong", "spurious", "missed"):
            for item in getattr(tally, kind):
                print(f"   {kind}: {item}")
