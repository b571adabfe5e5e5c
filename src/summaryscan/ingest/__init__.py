"""Ingest: turn input paths into :class:`~summaryscan.records.RawDocument` records.

Public API
----------
``load(path) -> RawDocument``
    Read one file.  Never raises for a bad file: every path gets a record whose
    ``status`` is ok / empty / no_text / garbled / unsupported / error and whose
    ``message`` names the file and the reason.
``iter_inputs(paths) -> Iterator[str]``
    Expand folders (recursively, sorted), glob patterns and plain file names into
    the file paths to load.
``keyed_inputs(paths) -> list[InputPath]``
    The same files, each with its document key (``doc`` in every table): its path
    relative to the common folder of the inputs (:func:`document_keys`).
``supported()``
    The suffixes ``load`` can read: those of the readers in :data:`summaryscan.registry.readers`.
"""
from __future__ import annotations

import fnmatch
import glob
import os
from typing import Iterable, Iterator, Optional, Union

from ..registry import readers
from ..records import (
    STATUS_EMPTY,
    STATUS_ERROR,
    STATUS_UNSUPPORTED,
    RawDocument,
)

__all__ = ["supported", "load", "iter_inputs", "keyed_inputs", "document_keys", "InputPath", "reader_key",
           "IGNORE_FILE"]


def supported() -> set[str]:
    """The suffixes some registered reader reads (``.txt``, ``.docx``, ``.pdf`` and any added)."""
    return {s for e in readers.entries() for s in e.meta.get("suffixes", ())}

#: Per-folder ignore file honoured by :func:`iter_inputs`.
IGNORE_FILE = ".summaryscanignore"

# formats no reader takes (.doc .wps .rtf .odt and .png .jpg .tif … have readers: convert.py, image.py)
_WORD_LIKE = {".xml", ".mht", ".mhtml"}
_IMAGES = {".gif", ".webp", ".heic", ".heif", ".jp2"}
_SHEETS = {".xls", ".xlsx", ".et", ".csv", ".ods"}
_SLIDES = {".ppt", ".pptx", ".dps", ".odp"}
_WEB = {".html", ".htm", ".md", ".markdown"}

# Files never worth a record when walking a folder.
_JUNK_NAMES = {"thumbs.db", "desktop.ini"}


def _advice(suffix: str, name: str) -> str:
    shown = suffix or "（无扩展名）"
    if suffix in _WORD_LIKE:
        return (f"不支持 {shown} 格式（{name}）：请用 Word/WPS 另存为 .docx 后再分析。")
    if suffix in _IMAGES:
        return (f"不支持 {shown} 图片（{name}）：请另存为 PNG 或 JPG 后再分析（图片会自动做 OCR 识别文字）。")
    if suffix == ".ofd":
        return (f"不支持 OFD 版式文件（{name}）：请用 OFD 阅读器导出为 PDF，"
                f"或找原始 Word 文件另存为 .docx。")
    if suffix in (".caj", ".kdh", ".nh"):
        return f"不支持 CAJ 文件（{name}）：请用 CAJViewer 导出为 PDF 或文本。"
    if suffix in _SHEETS:
        return f"不支持表格文件 {shown}（{name}）：请把正文复制到 Word 另存为 .docx，或保存为 .txt。"
    if suffix in _SLIDES:
        return f"不支持演示文稿 {shown}（{name}）：请导出为 PDF 或把文字另存为 .docx。"
    if suffix in _WEB:
        return f"不支持 {shown} 格式（{name}）：请把正文另存为 .txt（UTF-8）或 .docx。"
    if suffix in (".zip", ".rar", ".7z", ".gz", ".tar"):
        return f"不支持压缩包（{name}）：请先解压，再分析其中的 .docx/.pdf/.txt 文件。"
    first = [".txt", ".docx", ".pdf"]
    known = "、".join(first + sorted(supported() - set(first)))
    return (f"不支持的文件类型 {shown}（{name}）：目前能读取 {known}，"
            f"请先转换成其中一种格式。")


def reader_key(path: str, ocr_mode: str = "auto") -> str:
    """What a file's result depends on besides its bytes and name, for the result cache: the
    OCR mode and engine for PDFs and images, LibreOffice for the converted formats."""
    suffix = os.path.splitext(path)[1].lower()
    from . import convert, image, ocr
    if suffix == ".pdf" or suffix in image.IMAGE_SUFFIXES:
        return f"ocr={ocr_mode};{ocr.engine_key()}"
    if suffix in convert.CONVERT_SUFFIXES:
        return convert.engine_key()
    return ""


def load(path: Union[str, os.PathLike]) -> RawDocument:
    """Read ``path`` into a :class:`RawDocument`; never raises for a bad file. Its ``doc`` is the
    path's document key when it is an :class:`InputPath`, else the file name."""
    key = getattr(path, "doc", None)
    path = str(os.fspath(path))
    name = os.path.basename(path.rstrip("/\\")) or path
    doc = key or name
    suffix = os.path.splitext(name)[1].lower()
    rec = RawDocument(path=path, doc=doc, format=suffix[1:])
    try:
        if not os.path.exists(path):
            rec.status = STATUS_ERROR
            rec.message = (f"文件不存在：{path}" if not os.path.islink(path)
                           else f"文件不存在：{path}（符号链接指向的目标不存在）")
            return rec
        if os.path.isdir(path):
            rec.status = STATUS_ERROR
            try:
                os.listdir(path)
                rec.message = f"“{doc}”是文件夹而不是文件，请传入其中的文件（或用 iter_inputs 展开）。"
            except PermissionError:
                rec.message = f"无法读取文件夹：权限不足（{path}）。"
            return rec
        entry = readers.find(suffixes=suffix)
        if entry is None:
            rec.status = STATUS_UNSUPPORTED
            rec.message = _advice(suffix, doc)
            return rec
        if os.path.getsize(path) == 0:
            # Still check we may read it, so a permission problem is reported as such.
            with open(path, "rb"):
                pass
            rec.status = STATUS_EMPTY
            rec.message = f"“{doc}”是空文件（0 字节）。"
            return rec
        return entry.fn(rec)
    except PermissionError:
        return _error(rec, f"无法读取文件：权限不足（{path}）。")
    except IsADirectoryError:
        return _error(rec, f"“{doc}”是文件夹而不是文件。")
    except FileNotFoundError:
        return _error(rec, f"文件不存在：{path}")
    except OSError as exc:
        return _error(rec, f"无法读取文件“{doc}”：{exc.strerror or exc}。")
    except MemoryError:
        return _error(rec, f"“{doc}”太大，内存不足，无法读取。")
    except Exception as exc:  # a reader bug must not stop a whole batch
        return _error(rec, f"读取“{doc}”时出错：{type(exc).__name__}: {exc}")


def _error(rec: RawDocument, message: str) -> RawDocument:
    rec.status = STATUS_ERROR
    rec.message = message
    rec.text = ""
    rec.pages = []
    rec.hints = []
    return rec


# --------------------------------------------------------------------------
# input expansion

def _has_magic(s: str) -> bool:
    return glob.has_magic(s)


def _read_ignore(folder: str) -> list[str]:
    try:
        with open(os.path.join(folder, IGNORE_FILE), encoding="utf-8-sig") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    pats = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pats.append(line)
    return pats


def _ignored(path: str, is_dir: bool, rules: list[tuple[str, list[str]]]) -> bool:
    """gitignore-like: the last matching pattern wins; ``!pat`` re-includes."""
    name = os.path.basename(path)
    ignored = False
    for base, patterns in rules:
        rel = os.path.relpath(path, base).replace(os.sep, "/")
        for pat in patterns:
            negate = pat.startswith("!")
            if negate:
                pat = pat[1:]
            dir_only = pat.endswith("/")
            pat = pat.rstrip("/")
            if not pat or (dir_only and not is_dir):
                continue
            anchored = pat.startswith("/")
            pat = pat.lstrip("/")
            if fnmatch.fnmatch(rel, pat) or (
                    not anchored and "/" not in pat and fnmatch.fnmatch(name, pat)):
                ignored = not negate
    return ignored


def _walk(folder: str, rules: list[tuple[str, list[str]]], visited: set[str]) -> Iterator[tuple[str, Optional[str]]]:
    """(path, real path) of each file under ``folder``: the folder's real path joined with the
    name (a realpath per file costs a stat per folder of its path); None for a link, which
    :func:`iter_inputs` resolves itself."""
    real = os.path.realpath(folder)
    if real in visited:
        return  # symlink loop or the same folder reached twice
    visited.add(real)
    patterns = _read_ignore(folder)
    if patterns:
        rules = rules + [(folder, patterns)]
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except PermissionError:
        yield folder, real  # load() reports: 无法读取文件夹：权限不足
        return
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith(".") or name.startswith("~$") or name.lower() in _JUNK_NAMES:
            continue
        path = os.path.join(folder, name)
        try:
            is_dir = entry.is_dir()  # follows symlinks
        except OSError:
            is_dir = False
        if _ignored(path, is_dir, rules):
            continue
        if is_dir:
            yield from _walk(path, rules, visited)
        else:
            try:
                link = entry.is_symlink()
            except OSError:
                link = True
            yield path, (None if link else os.path.join(real, name))


def iter_inputs(paths: Iterable[Union[str, os.PathLike]]) -> Iterator[str]:
    """Expand ``paths`` into file paths, deterministically.

    * a folder is walked recursively in name order; hidden entries (``.name``),
      Word lock files (``~$name``) and ``Thumbs.db``/``desktop.ini`` are skipped,
      and a ``.summaryscanignore`` file in any walked folder is honoured
      (one pattern per line, ``#`` comments, ``!`` re-includes, a trailing ``/``
      matches folders only, a leading ``/`` anchors to that folder; patterns are
      matched with fnmatch against the path relative to that folder and, when
      they contain no ``/``, against the name);
    * a glob pattern (``*.txt``, ``dir/**/*.docx``) expands to its sorted
      matches (folders among them are walked); a pattern matching nothing is
      yielded as is, so that ``load`` reports it as missing;
    * anything else is yielded as given, existing or not (``load`` reports a
      missing file).  Explicitly named files are never ignored.

    A file reached twice (same real path) is yielded once.
    """
    seen_files: set[str] = set()
    visited_dirs: set[str] = set()

    def emit(p: str, key: Optional[str] = None) -> Iterator[str]:
        if key is None:
            key = os.path.realpath(p) if os.path.exists(p) else p
        if key not in seen_files:
            seen_files.add(key)
            yield p

    for raw in paths:
        p = os.fspath(raw)
        if os.path.isdir(p):
            for f, real in _walk(p, [], visited_dirs):
                yield from emit(f, real)
        elif not os.path.lexists(p) and _has_magic(p):
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                yield from emit(p)
            for m in matches:
                if os.path.isdir(m):
                    for f, real in _walk(m, [], visited_dirs):
                        yield from emit(f, real)
                else:
                    yield from emit(m)
        else:
            yield from emit(p)



# --------------------------------------------------------------------------
# document keys

class InputPath(str):
    """A path to read that carries its document key, ``doc``: the key :func:`load` gives the
    document (every table's ``doc`` column), so two ``工作总结.docx`` in different folders stay
    two documents."""

    def __new__(cls, path: str, doc: str):
        self = super().__new__(cls, path)
        self.doc = doc
        return self

    def __reduce__(self):                 # keeps ``doc`` across pickling (worker processes, Dask)
        return InputPath, (str(self), self.doc)


def document_keys(files: list[str]) -> list[str]:
    """Each file's document key: its path relative to the folder that holds all of ``files``,
    with ``/`` separators (``unitA/工作总结.docx``); the file name when they share one folder."""
    if not files:
        return []
    full = [os.path.abspath(os.fspath(f)) for f in files]
    try:
        root = os.path.commonpath([os.path.dirname(p) for p in full])
    except ValueError:                    # different drives: no common folder
        root = ""
    keys, seen = [], set()
    for p in full:
        key = (os.path.relpath(p, root) if root else p).replace(os.sep, "/")
        base, n = key, 1
        while key in seen:                # the same missing path given twice
            n += 1
            key = f"{base} ({n})"
        seen.add(key)
        keys.append(key)
    return keys


def keyed_inputs(paths: Iterable[Union[str, os.PathLike]]) -> list[InputPath]:
    """:func:`iter_inputs` with each file's document key (:func:`document_keys`)."""
    files = list(iter_inputs(paths))
    return [InputPath(f, k) for f, k in zip(files, document_keys(files))]
