"""Word 97 ``.doc``, Kingsoft WPS ``.wps``, ``.rtf``, ``.odt`` (and their templates, ``.docm``):
converted to ``.docx`` by LibreOffice headless, then read by the ``.docx`` reader, so Word's
automatic numbering, heading styles and tables are kept. ``RawDocument.source`` is
``"converted"``; ``format`` stays the file's own suffix.

Each conversion:

* works on a copy of the input in a fresh temporary folder (the input is never opened by
  LibreOffice, so no lock file or backup appears next to it), with its own LibreOffice
  profile there (conversions in parallel workers never share one), removed afterwards;
* runs ``soffice.bin`` directly in its own process group, killed with everything it
  started after :data:`TIME_LIMIT` seconds, and (on Linux) killed with the worker if the
  batch runner kills the worker for going over the per-file time limit;
* is refused before LibreOffice starts when the file is not a word-processor file at all
  (random bytes: LibreOffice would import them as text) or is password-protected (the
  Word 97 FIB's ``fEncrypted`` flag, or an encrypted OOXML package in an OLE container).

Without LibreOffice the file gets status ``unsupported`` and a message naming the
package (``apt-get install libreoffice-writer-nogui``).
"""
from __future__ import annotations

import glob
import mmap
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
from typing import Optional

from ..records import STATUS_ERROR, STATUS_UNSUPPORTED, RawDocument
from ..registry import readers

#: Suffixes converted by LibreOffice.
CONVERT_SUFFIXES = (".doc", ".wps", ".rtf", ".odt", ".dot", ".wpt", ".docm", ".dotx", ".dotm")
#: Seconds one conversion may take (the batch's per-file limit applies as well).
TIME_LIMIT = float(os.environ.get("SUMMARYSCAN_CONVERT_TIMEOUT", 120))
PACKAGE_HINT = "apt-get install libreoffice-writer-nogui"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RESTART = 81        # soffice.bin asks its launcher to start it again (first run of a profile)


def soffice() -> Optional[str]:
    """The LibreOffice program to run (``soffice.bin`` when it can be found), or None."""
    override = os.environ.get("SUMMARYSCAN_SOFFICE")
    if override is not None:
        return override if override and os.path.exists(override) else None
    found = shutil.which("soffice") or shutil.which("libreoffice")
    candidates = [found] if found else []
    candidates += sorted(glob.glob("/usr/lib/libreoffice/program/soffice")) + \
        sorted(glob.glob("/opt/libreoffice*/program/soffice")) + \
        ["/Applications/LibreOffice.app/Contents/MacOS/soffice"]
    for c in candidates:
        if c and os.path.exists(c):
            real = os.path.realpath(c)
            binary = os.path.join(os.path.dirname(real), "soffice.bin")
            return binary if os.path.exists(binary) else real
    return None


def engine_key() -> str:
    """What a conversion depends on, for the result cache."""
    exe = soffice()
    if not exe:
        return "convert:none"
    try:
        st = os.stat(exe)
        return f"convert:{os.path.realpath(exe)}:{st.st_size}:{int(st.st_mtime)}"
    except OSError:
        return "convert:none"


# ------------------------------------------------------------------ sniffing


def sniff(path: str) -> str:
    """What the file is: ``ole`` (Word 97/WPS/Works), ``zip`` (OOXML/ODF), ``rtf``,
    ``markup`` (HTML, MHT, Word XML, flat ODF), ``text`` or ``junk``."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(_OLE):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    low = stripped[:1024].lower()
    if low.startswith((b"<", b"mime-version")) or b"<html" in low:
        return "markup"
    if not head:
        return "junk"
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    return "junk" if control > len(head) * 0.02 else "text"


def ole_encrypted(path: str) -> Optional[bool]:
    """Whether an OLE2 file holds a password-protected document: a Word 97/WPS
    ``WordDocument`` stream whose FIB says ``fEncrypted``, or an encrypted OOXML package
    (``EncryptedPackage``). None when the container cannot be parsed."""
    parsed = _ole(path)
    if parsed is None:
        return None
    data, size, fat, names = parsed
    try:
        return _encrypted(data, size, fat, names)
    except (struct.error, IndexError):
        return None


def ole_streams(path: str) -> Optional[set[str]]:
    """The names in an OLE2 file's directory, or None when it cannot be parsed (corrupt)."""
    parsed = _ole(path)
    return None if parsed is None else set(parsed[3])


def _ole(path: str):
    """(data, sector size, FAT, {name: (start sector, size)}) of an OLE2 file, or None."""
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size < 512:
                return None
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)     # sectors read as needed
        if data[:8] != _OLE:
            return None
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            return None
        size = 1 << shift
        n_fat = struct.unpack_from("<I", data, 0x2C)[0]
        first_dir = struct.unpack_from("<I", data, 0x30)[0]
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        next_difat, n_difat = struct.unpack_from("<II", data, 0x44)
        seen = 0
        while next_difat < 0xFFFFFFFA and seen < n_difat:
            off = (next_difat + 1) * size
            if off + size > len(data):
                break
            entries = struct.unpack_from(f"<{size // 4}I", data, off)
            difat.extend(entries[:-1])
            next_difat = entries[-1]
            seen += 1
        fat: list[int] = []
        for sect in difat[:n_fat]:
            off = (sect + 1) * size
            if sect >= 0xFFFFFFFA or off + size > len(data):
                continue
            fat.extend(struct.unpack_from(f"<{size // 4}I", data, off))

        def sector(s: int) -> bytes:
            off = (s + 1) * size
            return data[off:off + size]

        names: dict[str, tuple[int, int]] = {}
        s, hops = first_dir, 0
        while s < 0xFFFFFFFA and hops < 10000:
            chunk = sector(s)
            for k in range(0, len(chunk) - 127, 128):
                e = chunk[k:k + 128]
                n = struct.unpack_from("<H", e, 64)[0]
                if 2 <= n <= 64 and e[66] in (1, 2, 5):
                    name = e[:n - 2].decode("utf-16-le", "replace")
                    names[name] = struct.unpack_from("<II", e, 116)
            s = fat[s] if s < len(fat) else 0xFFFFFFFE
            hops += 1
        if "Root Entry" not in names:
            return None
        return data, size, fat, names
    except (OSError, ValueError, struct.error, IndexError, MemoryError):
        return None


def _encrypted(data: bytes, size: int, fat: list[int], names: dict) -> Optional[bool]:
    def sector(s: int) -> bytes:
        off = (s + 1) * size
        return data[off:off + size]

    if "EncryptedPackage" in names:
        return True
    if "WordDocument" in names:
        start, length = names["WordDocument"]
        cutoff = struct.unpack_from("<I", data, 0x38)[0]
        if start >= 0xFFFFFFFA:
            return None
        if length >= cutoff:                     # in regular sectors
            fib = sector(start)
        else:                                    # in the mini stream, kept in the root entry's chain
            root = names.get("Root Entry")
            if root is None:
                return None
            mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
            pos = start * mini
            s, hops = root[0], pos // size
            while hops and s < len(fat):
                s, hops = fat[s], hops - 1
            if hops or s >= 0xFFFFFFFA:
                return None
            fib = sector(s)[pos % size:]
        if len(fib) >= 12 and struct.unpack_from("<H", fib, 0)[0] == 0xA5EC:
            return bool(struct.unpack_from("<H", fib, 0x0A)[0] & 0x0100)
        return None
    return False


# ------------------------------------------------------------------ conversion


def _die_with_parent() -> None:          # pragma: no cover - runs in the child
    """In the child: be killed when the process that started us dies (Linux)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except Exception:
        pass


class ConversionError(Exception):
    pass


def convert_to_docx(path: str, work: str, time_limit: Optional[float] = None) -> str:
    """Convert ``path`` with LibreOffice in the folder ``work``; returns the .docx path.
    Raises ConversionError (a Chinese reason) or FileNotFoundError (no LibreOffice)."""
    exe = soffice()
    if not exe:
        raise FileNotFoundError("soffice")
    limit = TIME_LIMIT if time_limit is None else time_limit
    suffix = os.path.splitext(path)[1].lower() or ".doc"
    src_dir, out_dir, profile = (os.path.join(work, d) for d in ("in", "out", "profile"))
    for d in (src_dir, out_dir):
        os.makedirs(d)
    src = os.path.join(src_dir, "input" + suffix)
    shutil.copyfile(path, src)
    cmd = [exe, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
           "--nofirststartwizard", f"-env:UserInstallation=file://{os.path.abspath(profile)}",
           "--convert-to", "docx:MS Word 2007 XML", "--outdir", out_dir, src]
    env = dict(os.environ, HOME=work, SAL_USE_VCLPLUGIN="svp", LC_ALL="C.UTF-8")
    deadline_note = f"LibreOffice 转换超时（超过 {limit:g} 秒），已停止"
    out = ""
    for _attempt in range(3):            # a fresh profile makes soffice.bin ask for a restart once
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                cwd=work, env=env, start_new_session=True,
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        try:
            out = proc.communicate(timeout=limit)[0].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            _kill_group(proc)            # LibreOffice and everything it started
            raise ConversionError(deadline_note) from None
        except BaseException:
            _kill_group(proc)
            raise
        if proc.returncode != _RESTART:
            break
    result = os.path.join(out_dir, "input.docx")
    if not os.path.exists(result) or os.path.getsize(result) == 0:
        reason = " ".join(line.strip() for line in out.splitlines()
                          if line.strip() and "javaldx" not in line)[:200]
        raise ConversionError(f"LibreOffice 无法打开此文件（{reason or f'退出码 {proc.returncode}'}）")
    return result


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:   # pragma: no cover
        pass


@readers.register("convert", suffixes=CONVERT_SUFFIXES)
def read_converted(rec: RawDocument) -> RawDocument:
    """Fill ``rec`` from a .doc/.wps/.rtf/.odt file through LibreOffice and the .docx reader."""
    from .docx import read_docx
    name = rec.doc
    kind = sniff(rec.path)
    if kind == "junk":
        rec.status = STATUS_ERROR
        rec.message = (f"“{name}”不是有效的 Word/WPS 文档（内容既不是 Word、WPS、RTF 也不是 OpenDocument 格式，"
                       f"可能已损坏或改了扩展名）。")
        return rec
    if kind == "ole":
        if ole_streams(rec.path) is None:
            rec.status = STATUS_ERROR
            rec.message = f"“{name}”已损坏：文件结构（OLE 复合文档）无法解析，无法读取。"
            return rec
        if ole_encrypted(rec.path):
            rec.status = STATUS_ERROR
            rec.message = f"“{name}”有密码保护（已加密），无法读取文字。请去掉密码后再试。"
            return rec
    if not soffice():
        rec.status = STATUS_UNSUPPORTED
        rec.message = (f"读取 {os.path.splitext(name)[1] or '此类'} 文件需要 LibreOffice（转换为 .docx），本机未安装："
                       f"请运行 {PACKAGE_HINT}（或安装 LibreOffice），或用 Word/WPS 把“{name}”另存为 .docx 后再试。")
        return rec
    work = tempfile.mkdtemp(prefix="summaryscan-convert-")
    try:
        try:
            docx_path = convert_to_docx(rec.path, work)
        except ConversionError as exc:
            rec.status = STATUS_ERROR
            rec.message = f"“{name}”转换失败：{exc}；文件可能已损坏或有密码保护。"
            return rec
        except FileNotFoundError:
            rec.status = STATUS_UNSUPPORTED
            rec.message = f"读取“{name}”需要 LibreOffice，本机未安装：请运行 {PACKAGE_HINT}。"
            return rec
        sub = RawDocument(path=docx_path, doc=name, format="docx")
        read_docx(sub)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rec.status, rec.message, rec.text = sub.status, sub.message, sub.text
    rec.hints, rec.pages, rec.lines_are_paragraphs = sub.hints, sub.pages, sub.lines_are_paragraphs
    rec.source = "converted"
    return rec


__all__ = ["CONVERT_SUFFIXES", "TIME_LIMIT", "PACKAGE_HINT", "soffice", "engine_key", "sniff", "ole_encrypted",
           "convert_to_docx", "read_converted", "ConversionError"]
