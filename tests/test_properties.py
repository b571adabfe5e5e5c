"""Property-based tests (hypothesis) for normalisation, claim extraction and the CLI round trip."""
from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import tempfile
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from summaryscan.text.normalize import normalize, translation_table
from summaryscan.pipeline import analyze_text
from summaryscan.records import STATUS_OK

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------- strategies

FRAGMENTS = [
    "开展廉政谈话65人次，", "１２００ 余次", "\n\n", "　", "##paidbegin##", "购物车\n", "一、主要做法\n",
    "（一）", "發現問題", "4.6万", "近800余人", "X市", "20XX年", "\n", " ", "。", "，", "全文共3521字",
    "我的足迹\n", "加入Vip免费下载 立即下载\n", "2023年工作总结\n", "二、存在问题\n", "1.", "（2）",
    "组建 72 人的队伍，完成16\n个项目。", "参与率达９５％。", "ＡＢＣ", "\u200b", "\ufeff", "\t", "\r\n",
    "百分之九十五", "两个确立", "“两个维护”", "一千二百", "十二", "党支部", "调研报告\n", "Public domain",
    "1,200", "12.5%", "○○", "**", "\xa0", "著", "；", "：", "”", "第一议题",
]

genre_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=30,
).map("".join)

any_text = st.one_of(st.text(), genre_text)


def check_map(raw, norm):
    table = translation_table()
    for i, ch in enumerate(norm.text):
        r = raw[norm.to_raw(i)]
        assert chr(table.get(ord(r), ord(r))) == ch


# ---------------------------------------------------------------- (a) offset map

@SETTINGS
@given(any_text, st.booleans())
def test_normalize_maps_back_to_raw(raw, join):
    n = normalize(raw, join_lines=join)
    prev = -1
    for i in range(len(n.text)):
        r = n.to_raw(i)
        assert 0 <= r < len(raw)
        assert r > prev            # clean order is raw order, no char used twice
        prev = r
    check_map(raw, n)
    # the cursor agrees with to_raw on a forward scan
    cur = n.cursor()
    for i in range(len(n.text)):
        assert cur.to_raw(i) == n.to_raw(i)
    assert 0 <= n.to_raw(len(n.text)) <= len(raw)


@SETTINGS
@given(any_text, st.data())
def test_span_to_raw_monotonic_and_in_bounds(raw, data):
    n = normalize(raw)
    L = len(n.text)
    a = data.draw(st.integers(0, L))
    b = data.draw(st.integers(a, L))
    c = data.draw(st.integers(b, L))
    rs, re_ = n.span_to_raw(a, b)
    assert 0 <= rs <= re_ <= len(raw)
    rs2, re2 = n.span_to_raw(b, c)
    assert 0 <= rs2 <= re2 <= len(raw)
    assert rs <= rs2 and re_ <= re2                # monotonic in both ends
    if b > a:
        # the raw span holds the clean span's characters, in order
        table = translation_table()
        chunk = raw[rs:re_].translate(table)
        it = iter(chunk)
        assert all(ch in it for ch in n.text[a:b])
    # a wider clean span maps to a raw span covering its non-empty parts
    ws, we = n.span_to_raw(a, c)
    if b > a:
        assert ws == rs and we >= re_
    if c > b:
        assert ws <= rs2 and we == re2


@SETTINGS
@given(any_text)
def test_artifact_spans_reproduce_their_raw(raw):
    n = normalize(raw)
    for art in n.artifacts:
        assert 0 <= art.start <= art.end <= len(raw)
        piece = raw[art.start:art.end]
        assert piece.strip() == art.raw or art.raw in piece
        assert art.raw                       # artifacts are never empty


# ---------------------------------------------------------------- (b) idempotence

# Minimal counterexamples hypothesis found (and shrunk) before the fixes; kept as regressions.
IDEMPOTENCE_BUGS = {
    "debris": "购物车\u200b",        # -> "购物车" -> ""  (also "下载\xa0", "购物车##paidbegin##")
    "join": ",\n0\n0",              # -> ",0\n0" -> ",00"
    "newline_run": "0\n\u200b\x1f0",  # -> "0\n\x1f0" -> "0\n0"
}
def _assert_idempotent(raw):
    once = normalize(raw).text
    assert normalize(once).text == once, (raw, once, normalize(once).text)


@SETTINGS
@given(any_text)
@example(IDEMPOTENCE_BUGS["debris"])
@example(IDEMPOTENCE_BUGS["join"])
@example(IDEMPOTENCE_BUGS["newline_run"])
def test_normalize_idempotent(raw):
    _assert_idempotent(raw)


def test_idempotent_debris_line_hidden_by_invisible_chars():
    for raw in (IDEMPOTENCE_BUGS["debris"], "下载\xa0", "购物车##paidbegin##", "正文。\n我的\u200b足迹\n正文。"):
        _assert_idempotent(raw)


def test_idempotent_line_joining():
    _assert_idempotent(IDEMPOTENCE_BUGS["join"])


def test_idempotent_newline_run_through_zero_width():
    _assert_idempotent(IDEMPOTENCE_BUGS["newline_run"])
    _assert_idempotent("党建工作\n\u200b\u2003开展活动12次。")


# ---------------------------------------------------------------- (c) claims never raise

def _check_analysis(text):
    a = analyze_text(text)
    assert a.raw.status == STATUS_OK, a.raw.message          # a caught exception would turn the status to error
    L = len(a.raw.text)
    for c in a.claims:
        assert 0 <= c.start < c.end <= L
        assert a.raw.text[c.start:c.end] == c.raw
        assert isinstance(c.value, float) and math.isfinite(c.value) and c.value >= 0
        assert c.unit
    for s in a.sections:
        assert 0 <= s.start <= s.title_end <= L and s.start <= s.end <= L
    for s in a.sentences:
        assert 0 <= s.start <= s.end <= L
    for p in a.placeholders:
        assert 0 <= p.start <= p.end <= L and a.raw.text[p.start:p.end] == p.raw
    return a


@SETTINGS
@given(st.text())
def test_claims_on_arbitrary_unicode(text):
    _check_analysis(text)


@SETTINGS
@given(genre_text)
def test_claims_on_genre_text(text):
    _check_analysis(text)


# ---------------------------------------------------------------- (d) CLI round trip

_CN_DIGIT = "零一二三四五六七八九"


def _cn_section(n: int) -> str:
    """1..9999 as a Chinese numeral (十二, 一百零五, 一千零二十)."""
    out, zero = "", False
    for unit_val, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit_val % 10
        if d:
            if zero and out:
                out += "零"
            zero = False
            if not (unit == "十" and d == 1 and not out):   # 十二, not 一十二
                out += _CN_DIGIT[d]
            out += unit
        elif out:
            zero = True
    return out


def chinese_numeral(n: int) -> str:
    assert 1 <= n < 100_000_000
    hi, lo = divmod(n, 10_000)
    if not hi:
        return _cn_section(lo)
    s = _cn_section(hi) + "万"
    if lo:
        s += ("零" if lo < 1000 else "") + _cn_section(lo)
    return s


def test_chinese_numeral_generator():
    from summaryscan.text.numerals import parse_chinese
    assert chinese_numeral(12) == "十二" and chinese_numeral(1200) == "一千二百"
    assert chinese_numeral(1020) == "一千零二十" and chinese_numeral(30005) == "三万零五"
    for n in (1, 7, 10, 11, 19, 20, 101, 110, 999, 1001, 9999, 10000, 10010, 123456, 99999999):
        assert parse_chinese(chinese_numeral(n)) == n


# (text of the number, expected value): each number styled as the genre writes it
_int_num = st.integers(0, 10**7).map(lambda n: (str(n), float(n)))
_comma_num = st.integers(1000, 10**9).map(lambda n: (f"{n:,}", float(n)))
_decimal_num = st.tuples(st.integers(0, 9999), st.integers(1, 99)).map(
    lambda t: f"{t[0]}.{t[1]:02d}".rstrip("0"))
# 4.6万 (decimal x 万) and 3亿 (integer x 亿); decimal x 亿 and 千万/百万 have regression tests below
_wan_num = st.one_of(
    _decimal_num.map(lambda d: (d + "万", float(Decimal(d) * 10_000))),
    st.integers(1, 9999).map(lambda n: (f"{n}亿", float(n * 100_000_000))),
)
_plain_decimal = _decimal_num.map(lambda s: (s, float(Decimal(s))))
_cn_num = st.integers(2, 99_999_999).map(lambda n: (chinese_numeral(n), float(n)))

_COUNT_TEMPLATES = [
    "全年共开展廉政谈话{}人次。", "累计培训党员干部{}名。", "完成整改问题{}个。", "组织专题学习{}场。",
    "走访群众{}户。", "发放宣传资料{}份。",
]


@st.composite
def claim_doc(draw):
    sentences, expected = [], []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["int", "comma", "wan", "pct", "cn", "two"]))
        if kind == "pct":
            text, value = draw(st.one_of(_plain_decimal, _int_num.filter(lambda t: len(t[0]) <= 3)))
            sentences.append(f"整改完成率达{text}%。")
        elif kind == "two":
            text, value = "两", 2.0
            sentences.append("新建两个党支部。")
        else:
            strat = {"int": _int_num, "comma": _comma_num, "wan": _wan_num, "cn": _cn_num}[kind]
            text, value = draw(strat)
            sentences.append(draw(st.sampled_from(_COUNT_TEMPLATES)).format(text))
        expected.append(value)
    return "".join(sentences) + "\n", expected


@settings(max_examples=25, deadline=None)
@given(claim_doc())
def test_extract_cli_round_trip(doc):
    from summaryscan.cli import main
    text, expected = doc
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "report.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        out = os.path.join(d, "out")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            rc = main(["extract", path, "--out", out, "--quiet", "--no-cache"])
        assert rc == 0
        with open(os.path.join(out, "claims.csv"), encoding="utf-8", newline="") as f:
            content = f.read()
    assert content.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content[1:])))
    got = [float(r["value"]) for r in rows]
    assert got == expected, (text, [r["raw"] for r in rows])
    for r in rows:
        assert r["unit"] and r["raw"] in text


# ---------------------------------------------------------------- known bugs

_MULTIPLIERS = {"万": 10**4, "亿": 10**8, "千万": 10**7, "百万": 10**6, "万亿": 10**12}


def _money_value(text):
    a = analyze_text(f"共投入资金{text}元。")
    assert len(a.claims) == 1, [c.raw for c in a.claims]
    return a.claims[0].value


@settings(max_examples=200, deadline=None)
@example(("128.42", "亿"))
@given(st.tuples(_decimal_num, st.sampled_from(["万", "亿", "万亿"])))
def test_decimal_times_multiplier_is_exact(case):
    num, mul = case
    assert _money_value(num + mul) == float(Decimal(num) * _MULTIPLIERS[mul])


@settings(max_examples=50, deadline=None)
@example(("3.5", "千万"))
@given(st.tuples(st.one_of(_decimal_num, st.integers(1, 999).map(str)), st.sampled_from(["千万", "百万"])))
def test_compound_multiplier_qianwan_baiwan(case):
    num, mul = case
    assert _money_value(num + mul) == float(Decimal(num) * _MULTIPLIERS[mul])


def test_docx_with_unsupported_zip_version_is_reported_as_invalid():
    import docx

    from summaryscan.ingest import load
    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("开展廉政谈话65人次。")
    d.save(buf)
    data = bytearray(buf.getvalue())
    cd = data.index(b"PK\x01\x02")            # first central directory entry
    data[cd + 6:cd + 8] = (148).to_bytes(2, "little")   # "version needed to extract" = 14.8
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bad.docx")
        with open(path, "wb") as f:
            f.write(bytes(data))
        rec = load(path)
    assert rec.status == "error"
    assert "不是有效的 .docx 文件" in rec.message, rec.message
