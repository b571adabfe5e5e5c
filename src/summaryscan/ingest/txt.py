"""Plain-text ingest: detect the encoding, decode, normalise line endings.

Order of decisions:

1. a byte-order mark (UTF-8, UTF-32 LE/BE, UTF-16 LE/BE) wins and is stripped;
2. otherwise bytes that are valid UTF-8 are taken as UTF-8 (fast path, no detection);
3. otherwise charset-normalizer decides.  GB2312/GBK results are decoded as
   GB18030, their superset.  When charset-normalizer ranks several candidates
   as equally clean (this happens for very short texts, e.g. GBK vs. CP949),
   the Chinese candidate is preferred: the documents are Chinese.

The returned text has ``\\r\\n`` and ``\\r`` converted to ``\\n``; it is the
reference for all offsets downstream.
"""
from __future__ import annotations

import codecs
import os
import re

from ..registry import readers
from ..records import (
    STATUS_EMPTY,
    STATUS_ERROR,
    RawDocument,
)

#: Files larger than this are refused (they are not work summaries).
MAX_BYTES = 200 * 1024 * 1024

#: Share of control characters above which the content is not taken as text.
MAX_CONTROL_RATIO = 0.01

_BOMS = (
    # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls except \t \n \v \f \r, plus DEL.  \x1a (Ctrl-Z, DOS EOF) is common
# at the end of old text files; it is still a control char but one is harmless.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")

_GB_FAMILY = {"gb2312", "gbk", "cp936", "gb18030"}
_CHINESE = {"gb18030", "gb2312", "gbk", "cp936", "big5", "big5hkscs", "cp950"}


def _canonical(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.replace("_", "-").lower()


def _decode_bom(data: bytes) -> tuple[str, str] | None:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            codec = "utf-8" if enc == "utf-8-sig" else enc
            try:
                return body.decode(codec), enc
            except UnicodeDecodeError:
                # A BOM-like prefix that is not followed by valid text in that
                # encoding (e.g. binary data starting with FF FE): fall through.
                return None
    return None


def _detect(data: bytes) -> tuple[str, str] | None:
    """Let charset-normalizer pick the encoding; return (text, encoding)."""
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is None:
        return None
    chosen = best
    if _canonical(best.encoding) not in _CHINESE:
        # Tie-break among equally clean candidates in favour of Chinese.
        for m in results:
            if (_canonical(m.encoding) in _CHINESE
                    and m.chaos <= best.chaos
                    and m.coherence >= best.coherence):
                chosen = m
                break
    enc = _canonical(chosen.encoding)
    if enc in _GB_FAMILY:
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        return str(chosen), enc


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """Decode ``data``; return ``(text, encoding)`` or None if it is not text.

    The text keeps its original line endings and has no BOM.
    """
    got = _decode_bom(data)
    if got is not None and _looks_like_text(got[0]):
        return got
    try:
        got = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        got = None
    if got is not None and _looks_like_text(got[0]):
        return got
    # Not UTF-8, or UTF-8 full of control characters (e.g. UTF-16 without BOM).
    got = _detect(data)
    if got is not None and _looks_like_text(got[0]):
        return got
    return None


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    return len(_CONTROL.findall(text)) <= max(1, len(text) * MAX_CONTROL_RATIO)


# A text with a few undecodable bytes (a stray Latin-1 byte in UTF-8, damaged GBK) is
# still a submission: read it with replacement characters, up to this share of them.
MAX_BAD_RATIO = 0.001


def _decode_lenient(data: bytes) -> tuple[str, str, int] | None:
    """The better of UTF-8 and GB18030 with replacement characters, if only a few are needed."""
    best = None
    for enc in ("utf-8", "gb18030"):
        text = data.decode(enc, errors="replace")
        bad = text.count("\ufffd")
        if best is None or bad < best[2]:
            best = (text, enc, bad)
    text, enc, bad = best
    if bad <= max(3, len(text) * MAX_BAD_RATIO) and _looks_like_text(text):
        return best
    return None


@readers.register("txt", suffixes=(".txt",))
def read_txt(rec: RawDocument) -> RawDocument:
    """Fill ``rec`` (path/doc/format already set) from a text file."""
    size = os.path.getsize(rec.path)
    if size > MAX_BYTES:
        rec.status = STATUS_ERROR
        rec.message = (f"文件“{rec.doc}”过大（{size / 1048576:.0f} MB，上限 "
                       f"{MAX_BYTES // 1048576} MB），不像是一份工作总结，已跳过。")
        return rec
    with open(rec.path, "rb") as fh:
        data = fh.read()
    if not data:
        rec.status = STATUS_EMPTY
        rec.message = f"文件“{rec.doc}”是空文件（0 字节）。"
        return rec
    got = decode_bytes(data)
    note = ""
    if got is None:
        lenient = _decode_lenient(data)
        if lenient is None:
            rec.status = STATUS_ERROR
            rec.message = (f"文件“{rec.doc}”看起来不是文本文件（含大量二进制/控制字符，"
                           f"无法识别编码）。")
            return rec
        text, enc, bad = lenient
        got = (text, enc)
        note = (f"文件“{rec.doc}”中有 {bad} 处字节无法按 {enc} 解码，已替换为“\ufffd”，"
                f"其余内容已读取，请核对原文件。")
    text, enc = got
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    rec.encoding = enc
    if rec.set_text(text, f"文件“{rec.doc}”只有空白字符，没有文字内容。"):
        rec.message = note
    return rec
