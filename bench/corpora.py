"""Benchmark inputs: the shared corpus as .txt files, and .docx/.pdf made from texts.

Nothing here writes inside the project: every function writes to a folder the
caller gives (the benchmark uses a temporary folder).
"""
from __future__ import annotations

import csv
import glob
import json
import os
import re
from typing import Optional

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
SHARED = os.environ.get("SUMMARYSCAN_SHARED_CORPUS",
                        os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                     "shared", "corpus"))


SEEDS = os.path.join(os.path.dirname(SHARED), "seeds")


def seed_files(root: str = SEEDS) -> Optional[list[str]]:
    """The real submissions of the development set (``../shared/seeds/*.txt``), or None when absent."""
    files = sorted(glob.glob(os.path.join(root, "*.txt")))
    return files or None


def shared_documents(root: str = SHARED) -> Optional[list[tuple[str, str]]]:
    """(file name, text) of every document of the shared corpus, or None when it is absent.

    wikisource-gwr/*.jsonl: ``title`` + newline + ``content`` (a submission starts with
    its title); prov2026/2026_*.csv: ``full_text`` as is (it carries its own title).
    Texts are used as stored: no cleaning, so web chrome, licence footers and
    traditional characters are part of the benchmark.
    """
    if not os.path.isdir(root):
        return None
    docs: list[tuple[str, str]] = []
    for path in sorted(glob.glob(os.path.join(root, "wikisource-gwr", "*.jsonl"))):
        stem = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if not line.strip():
                    continue
                d = json.loads(line)
                text = (d.get("title") or "").strip() + "\n" + (d.get("content") or "")
                docs.append((f"{stem}_{i:03d}.txt", text))
    csv.field_size_limit(1 << 30)
    for path in sorted(glob.glob(os.path.join(root, "prov2026", "2026_*.csv"))):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for j, row in enumerate(csv.DictReader(fh)):
                name = os.path.splitext(os.path.basename(path))[0]
                docs.append((f"{name}{'_' + str(j) if j else ''}.txt", row.get("full_text") or ""))
    return docs or None


def provincial_reports(root: str = SHARED) -> Optional[list[tuple[str, str]]]:
    """(file name, text) of the 2026 provincial government work reports of the shared corpus
    (``prov2026/2026_*.csv``, 31 reports), or None when absent."""
    docs = shared_documents(root)
    if docs is None:
        return None
    return [d for d in docs if d[0].startswith("2026_")] or None


def write_copies(docs: list[tuple[str, str]], folder: str, copies: int) -> int:
    """Write ``copies`` distinct copies of every (name, text) as UTF-8 .txt files; returns the
    UTF-8 bytes written. Copy ``k`` of a text ends with its own batch line (``报送批次：B07``):
    no two files have the same content (so no cache of any kind sees the same file twice),
    and the line adds no claim, heading or title."""
    os.makedirs(folder, exist_ok=True)
    total = 0
    for k in range(1, copies + 1):
        for name, text in docs:
            data = (text.rstrip("\n") + f"\n报送批次：B{k:02d}\n").encode("utf-8")
            total += len(data)
            stem = os.path.splitext(name)[0]
            with open(os.path.join(folder, f"{stem}__B{k:02d}.txt"), "wb") as fh:
                fh.write(data)
    return total


def write_texts(docs: list[tuple[str, str]], folder: str) -> int:
    """Write (name, text) pairs as UTF-8 .txt files; returns the UTF-8 bytes written."""
    os.makedirs(folder, exist_ok=True)
    total = 0
    for name, text in docs:
        data = text.encode("utf-8")
        total += len(data)
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(data)
    return total


def truncate(text: str, chars: int = 3000) -> str:
    """The text cut to about ``chars`` characters at a line end (whole paragraphs)."""
    if len(text) <= chars:
        return text
    cut = text.rfind("\n", 0, chars)
    return text[:cut if cut > chars // 2 else chars]


def pick_texts(docs: list[tuple[str, str]], n: int, min_chars: int = 3000) -> list[tuple[str, str]]:
    """``n`` documents spread evenly over ``docs`` (those with at least ``min_chars``), deterministic."""
    long = [d for d in docs if len(d[1]) >= min_chars] or docs
    if len(long) <= n:
        return (long * (n // len(long) + 1))[:n]
    step = len(long) / n
    return [long[int(k * step)] for k in range(n)]


_H1 = re.compile(r"^\s*[一二三四五六七八九十]+、")


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def write_docx(text: str, path: str) -> None:
    """A plain .docx: the first line a centred title, 一、 lines in Heading 1, the rest body paragraphs."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    lines = _lines(text)
    d = docx.Document()
    for k, line in enumerate(lines):
        if k == 0:
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(line).bold = True
        elif _H1.match(line) and len(line) <= 40:
            d.add_paragraph(line, style="Heading 1")
        else:
            d.add_paragraph(line)
    d.save(path)


def write_pdf(text: str, path: str) -> None:
    """An A4 .pdf with the CJK font, one paragraph per line, wrapped by character."""
    from fpdf import FPDF
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=25)
    pdf.set_margins(28, 30, 26)
    pdf.add_font("wqy", fname=CJK_FONT)
    pdf.add_page()
    for k, line in enumerate(_lines(text)):
        if k == 0:
            pdf.set_font("wqy", size=18)
            pdf.multi_cell(0, 10, line, align="C", wrapmode="CHAR", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
            pdf.set_font("wqy", size=14)
        else:
            pdf.multi_cell(0, 8, "\u3000\u3000" + line, wrapmode="CHAR", new_x="LMARGIN", new_y="NEXT")
    pdf.output(path)


def make_office_set(texts: list[tuple[str, str]], folder: str, fmt: str) -> list[str]:
    """Write each (name, text) as .docx or .pdf in ``folder``; returns the paths in order."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for k, (name, text) in enumerate(texts):
        path = os.path.join(folder, f"{k:03d}_{os.path.splitext(name)[0]}.{fmt}")
        (write_docx if fmt == "docx" else write_pdf)(text, path)
        paths.append(path)
    return paths
