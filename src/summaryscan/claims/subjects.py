"""The subject of each claim by rules: the fallback when the trained subject model
(:mod:`.subject_model`) is absent.

Read from jieba's POS tokens of the few characters beside the number (the noun phrase
after the measure word, else the phrase before the number in its clause), with the
shares and changes of a run of claims taken from the one before.
"""
from __future__ import annotations

import re
from typing import Optional

from ..records import Claim
from ..text.pos import ByFlag, NOUNISH_FLAG, VERB_FLAG, is_verb_flag, starts_with_verb, trigger_verbs
from ..text.segment import tokens
from .scan import Found, claim_pattern

# Words between a preceding clause and the number that are not part of the subject.
_LEAD_STRIP = ("累计", "共计", "合计", "总计", "共", "达到", "达", "计", "分别", "均", "先后", "为", "有", "是",
               "等", "约", "各")
_SUBJECT_PREFIX_STRIP = ("各类", "各级", "各项", "各种", "全体", "相关", "所有", "全部", "其中", "全年", "年内", "今年",
                         "本年", "全市", "全县", "全区", "其他", "以上", "新增")
# First or last characters of those words: a set lookup rules most strings out before
# a scan of the whole tuple.
_LEAD_LAST = frozenset(w[-1] for w in _LEAD_STRIP)
_SUBJECT_PREFIX_FIRST = frozenset(w[0] for w in _SUBJECT_PREFIX_STRIP)
# The last clause end before a number opens the clause it stands in (、 ends none).
_CLAUSE_END = re.compile(r"[,。;:!?\n()（）]")
_AFTER_BOUNDARY = re.compile(r"[,。;:!?\n、()（）]")
# _AFTER_BOUNDARY's characters: after one of them (a line break ends a paragraph) nothing is the number's subject
_BOUNDARY_CHARS = frozenset(",。;:!?、()（）\n")
_CONNECTORS = frozenset({"、", "和", "及", "与", "以及"})
_ETC = frozenset({"等", "等方面"})
_ASPECT = frozenset({"方面", "在内"})      # ends a subject read leftwards from the number
_VERBAL_MEASURES = {"次", "场次", "轮", "遍", "回", "趟"}


# Flags that end a subject phrase (besides verbs), read forwards after a number or backwards before it.
_ENDS_AFTER = ByFlag(lambda f: is_verb_flag(f) or f.startswith("u") or
                      f in ("p", "c", "u", "d", "uj", "ul", "r", "a", "i", "l", "m", "q", "x"))
_ENDS_BEFORE = ByFlag(lambda f: is_verb_flag(f) or f.startswith("u") or
                       f in ("p", "c", "u", "uj", "ul", "d", "r", "m", "q", "f", "x"))


_WINDOW = 12      # characters segmented beside a number; more only when the phrase reaches the edge


def _subject_after(s: str, skip_verbs: bool = False) -> str:
    """The noun phrase right after a measure word: 35个[党支部]完成…

    With ``skip_verbs`` leading verbs are passed over first (两次主持召开了[…会议],
    连续五年开展[…活动]).
    """
    s = s.lstrip(" \t\u3000")        # not past a line break: the next paragraph is not this number's
    if s.startswith("的"):
        s = s[1:]
    boundary = _AFTER_BOUNDARY.search(s)
    clause = s[:boundary.start()] if boundary else s
    window = clause[:_WINDOW]
    if not window or window[0] in "等各" or claim_pattern().match(window):
        return ""           # nothing, or straight into another quantity (24份71人次)
    found = _phrase_after(window, skip_verbs)
    if found is None:
        return ""
    toks, k, end = found
    if end >= len(toks) - 1 and len(clause) > _WINDOW:
        # the phrase runs into the window's edge, maybe through a word (安全事|故): segment
        # the rest of the clause and let the phrase end at the word across that edge, no later
        wide = _phrase_after(clause, skip_verbs)
        if wide is not None:
            toks, k, end = wide
            end = min(end, _token_at(toks, _WINDOW - 1) + 1)
    phrase = "".join(w for w, _ in toks[k:end])
    if len(phrase) < 2 and not NOUNISH_FLAG[toks[k][1]]:
        return ""
    return phrase


def _phrase_after(s: str, skip_verbs: bool) -> Optional[tuple[tuple[tuple[str, str], ...], int, int]]:
    """``s``'s tokens and the noun phrase that opens it (after leading verbs with
    ``skip_verbs``) as ``toks[k:end]``, or None when it does not open with one."""
    toks = tokens(s)
    verbs = trigger_verbs()
    k = 0
    if skip_verbs:
        while k < len(toks) and (toks[k][0] in verbs or VERB_FLAG[toks[k][1]] or
                                 toks[k][1] in ("d", "u", "ul", "uj", "p")):
            k += 1
        # the object of the verb: its last noun chunk within the clause
    if k == len(toks):
        return None
    first_word, first = toks[k]
    ok_first = NOUNISH_FLAG[first] or first in ("a", "b") or first_word.startswith("“")
    if first == "d" and k + 1 < len(toks) and NOUNISH_FLAG[toks[k + 1][1]]:
        ok_first = True
    if not ok_first or first_word in verbs or VERB_FLAG[first] or first in ("m", "q"):
        return None
    end = k + 1
    while end < len(toks):
        w, f = toks[end]
        if w in verbs or _ENDS_AFTER[f]:
            break
        if f == "f" and not (w in ("以上", "以下") and end + 1 < len(toks) and NOUNISH_FLAG[toks[end + 1][1]]):
            break
        end += 1
    return toks, k, end


def _token_at(toks: tuple[tuple[str, str], ...], pos: int) -> int:
    """The index of the token that holds character ``pos`` of the tokens' text."""
    reach = 0
    for i, (w, _) in enumerate(toks):
        reach += len(w)
        if reach > pos:
            return i
    return len(toks) - 1


def _strip_lead(clause: str) -> str:
    """``clause`` without the trailing words of _LEAD_STRIP (达到, 累计 …), however many."""
    changed = True
    while changed and clause:
        changed = False
        for w in _LEAD_STRIP:
            if clause.endswith(w):
                clause = clause[: -len(w)].rstrip()
                changed = True
    return clause


def _subject_before(clause: str) -> str:
    """The activity or object before a number: 组织开展[廉政谈话]65人次"""
    clause = clause.rstrip()
    if clause[-1:] in _LEAD_LAST and clause.endswith(_LEAD_STRIP):
        clause = _strip_lead(clause)
    if not clause:
        return ""
    toks, k, end, at_edge = _phrase_before(clause[-_WINDOW:])
    if at_edge and len(clause) > _WINDOW:
        # the phrase runs into the window's edge, maybe through a word (全[市社会消费品零售总额]):
        # segment the whole clause and let the phrase start at the word across that edge, no earlier
        toks, k, end, _ = _phrase_before(clause)
        k = max(k, _token_at(toks, len(clause) - _WINDOW))
    while k < end and toks[k][0] in _CONNECTORS:
        k += 1
    size = sum(len(w) for w, _ in toks[k:end])
    while size > 20 and end - k > 1:     # at most 20 characters, cut between words
        size -= len(toks[k][0])
        k += 1
    phrase = "".join([w for w, _ in toks[k:end]])
    if phrase[:1] in _SUBJECT_PREFIX_FIRST and phrase.startswith(_SUBJECT_PREFIX_STRIP):
        for p in _SUBJECT_PREFIX_STRIP:
            if phrase.startswith(p) and len(phrase) > len(p) + 1:
                phrase = phrase[len(p):]
    return phrase[-20:].lstrip("、,，和及与")


def _phrase_before(s: str) -> tuple[tuple[tuple[str, str], ...], int, int, bool]:
    """``s``'s tokens and the phrase that ends it, as ``toks[k:end]`` grown leftwards,
    and whether it reaches the edge of ``s``: it grew to the first token, or the first
    token stopped it (a piece of a word cut by the edge can look like a stop: 识|形态)."""
    toks = tokens(s)
    verbs = trigger_verbs()
    k = end = len(toks)
    for i in range(len(toks) - 1, -1, -1):
        w, f = toks[i]
        if w in _ETC:
            if k < end:
                return toks, k, end, False
            end = i            # a trailing 等 is passed over, not part of the phrase
            k = i
            continue
        if k == end:
            if f == "x" and w not in _CONNECTORS:
                return toks, k, end, False
        elif w in _ASPECT or (w not in _CONNECTORS and (w in verbs or _ENDS_BEFORE[f])):
            return toks, k, end, i == 0
        k = i
    return toks, k, end, k < end


def assign_subjects(text: str, claims: list[Claim], found: list[Found]) -> None:
    """Set each claim's subject; ``claims`` are in text order, ``found`` holds their
    clean span, number start, unit end, unit and kind."""
    verbs = trigger_verbs()
    # the last clause boundary before a number is the first one in the reversed text after it
    reverse, n = text[::-1], len(text)
    prev_clean_end = -1
    prev_subject = ""
    for c, (start, end, num_start, unit_end, _, unit, _, kind, _) in zip(claims, found):
        subject = ""
        after = text[unit_end:unit_end + 24]
        if after[:1] in _BOUNDARY_CHARS:
            pass                                    # the clause ends: nothing after the number
        elif kind == "duration":
            subject = _subject_after(after, skip_verbs=True)
        elif kind != "percent":
            subject = _subject_after(after)
            if not subject and unit in _VERBAL_MEASURES and starts_with_verb(after):
                subject = _subject_after(after, skip_verbs=True)
        if not subject:
            b = start
            clause_start = max(0, b - 40)
            last = _CLAUSE_END.search(reverse, n - b, n - clause_start)
            cut = n - last.start() if last else clause_start     # just after that boundary
            clause = text[cut:b]
            if prev_clean_end > cut:
                gap = text[prev_clean_end:b]
                if gap.strip() in ("", "、", "和", "及", ",") or not gap.strip(" 、,"):
                    subject = prev_subject          # 24份71人次: same subject as the previous
                clause = gap.lstrip("、,和及 ")
            if not subject:
                subject = _subject_before(clause)
            if subject in verbs:
                # 开展3轮[全覆盖指导检查]: the verb's object follows the number
                subject = _AFTER_BOUNDARY.split(after.lstrip())[0][:12] or subject
            if kind in ("percent", "money", "count", "other") and subject[-1:] in _CHANGE_LAST \
                    and subject.endswith(_CHANGE_WORDS):
                # a change names the thing measured, not 增长/下降: 零售总额[增长]3.9%
                measured = _strip_change(subject)
                if not measured:                   # 人均预期寿命[提高到]78.8岁: look before the change word
                    measured = _subject_before(_strip_change(clause.rstrip()))
                if not measured and prev_subject and 0 <= b - prev_clean_end <= 12:
                    measured = prev_subject        # 收入5853.9亿元，增长3.9%
                subject = measured or subject
        c.subject = subject
        prev_clean_end, prev_subject = end, subject


_CHANGE_WORDS = ("同比增长", "同比下降", "同比上升", "同比减少", "年均增长", "增长", "下降", "上升", "减少", "降低",
                 "提高", "提高到", "提升到", "增加到", "增加", "达到", "到", "首次", "分别增长", "分别")


_CHANGE_LAST = frozenset(w[-1] for w in _CHANGE_WORDS)
_CHANGE_WORDS_LONGEST_FIRST = tuple(sorted(_CHANGE_WORDS, key=len, reverse=True))


def _strip_change(subject: str) -> str:
    """``subject`` without its trailing change words (the longest first)."""
    while subject.endswith(_CHANGE_WORDS):
        word = next(w for w in _CHANGE_WORDS_LONGEST_FIRST if subject.endswith(w))
        subject = subject[: -len(word)]
    return subject
