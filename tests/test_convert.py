""".doc, .wps, .rtf, .odt through LibreOffice (``summaryscan.ingest.convert``).

Fixtures are made here: a .docx with Word automatic numbering is generated with
python-docx, and LibreOffice turns it into Word 97 .doc (saved again as .wps, Kingsoft's
format being Word 97's), .rtf and .odt. ``make setup`` installs LibreOffice when run as
root, so these run in CI; elsewhere they are skipped with the reason.
"""
from __future__ import annotations

import collections
import csv
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import scanfixtures as sf
from summaryscan.ingest import convert, load, supported
from summaryscan.pipeline import analyze_raw, analyze_text

ROOT = Path(__file__).resolve().parent.parent
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

needs_lo = pytest.mark.skipif(convert.soffice() is None,
                              reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")

NUMBERING = """
<w:abstractNum xmlns:w="{ns}" w:abstractNumId="70">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>
    <w:lvlText w:val="%1、"/><w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>
    <w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/></w:lvl>
</w:abstractNum>
""".format(ns=W_NS)

# (text, numbering level or None): the numbered paragraphs get 一、 and （一） from Word's numbering
BODY = [
    ("某某县市场监管局2023年模范机关创建工作总结", None),
    ("今年以来，我局坚持以党建引领业务发展，扎实推进模范机关创建，各项工作取得明显成效。", None),
    ("强化政治引领", 0),
    ("严格落实“第一议题”制度", 1),
    ("全年开展“第一议题”学习26次，党组理论学习中心组集中学习12次，专题研讨5次。", None),
    ("压实主体责任", 1),
    ("与15个党支部签订党建工作责任书，开展谈心谈话65人次，发现并整改问题13个。", None),
    ("服务发展大局", 0),
    ("办理群众诉求186件，办结184件，办结率98.9%；帮助企业解决难题42个，惠及市场主体3000余户。", None),
    ("下一步打算", 0),
    ("持续深化模范机关创建，力争明年新增示范党支部2个。", None),
]
# the same text as a reader sees it, numbering rendered
AS_TEXT = "\n".join([
    BODY[0][0], BODY[1][0], "一、强化政治引领", "（一）严格落实“第一议题”制度", BODY[4][0], "（二）压实主体责任",
    BODY[6][0], "二、服务发展大局", BODY[8][0], "三、下一步打算", BODY[10][0]])


def _numbered_docx(path: Path) -> Path:
    docx = pytest.importorskip("docx")
    from docx.oxml import parse_xml
    document = docx.Document()
    numbering = document.part.numbering_part.element
    first_num = numbering.find(f"{{{W_NS}}}num")
    abstract = parse_xml(NUMBERING)
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="70"><w:abstractNumId w:val="70"/></w:num>'))
    for text, level in BODY:
        p = document.add_paragraph(text)
        if level is not None:
            ppr = p._p.get_or_add_pPr()
            ppr.insert(0, parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{level}"/>'
                                    f'<w:numId w:val="70"/></w:numPr>'))
    document.save(path)
    return path


def _lo(src: Path, fmt: str, out: Path) -> Path:
    """Convert with LibreOffice (the ``soffice`` launcher, its own profile) for a fixture."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory() as prof:
        subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{prof}",
                        "--convert-to", fmt, "--outdir", str(out), str(src)],
                       check=True, capture_output=True, timeout=120)
    made = out / (src.stem + "." + fmt.split(":")[0])
    assert made.exists(), f"LibreOffice made no {made.name}"
    return made


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The numbered .docx, and LibreOffice's .doc, .wps, .rtf and .odt of it, in one folder."""
    if convert.soffice() is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    work = tmp_path_factory.mktemp("lo")
    src = _numbered_docx(work / "总结.docx")
    out = tmp_path_factory.mktemp("in")
    doc = _lo(src, "doc", out)
    shutil.copyfile(doc, out / "总结-金山.wps")
    _lo(src, "odt", out)
    # RTF written by hand, as Word writes CJK (\\uN escapes): LibreOffice's own RTF export
    # turns the numbering's 、 into ? on the way back
    (out / "总结.rtf").write_text(_rtf(AS_TEXT), encoding="ascii")
    return {"docx": src, "folder": out, "doc": doc, "wps": out / "总结-金山.wps",
            "rtf": out / "总结.rtf", "odt": out / "总结.odt"}


def _rtf(text: str) -> str:
    def esc(ch: str) -> str:
        n = ord(ch)
        if n < 128:
            return "\\" + ch if ch in "\\{}" else ch
        return f"\\u{n - 65536 if n > 32767 else n}?"
    body = "".join("".join(esc(c) for c in para) + "\\par\n" for para in text.split("\n"))
    return "{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\\f0\\fs24\n" + body + "}"


def _digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@needs_lo
@pytest.mark.parametrize("kind", ["doc", "wps", "rtf", "odt"])
def test_converted_formats_read_like_the_docx(made, kind):
    before = _digest(made["folder"])
    rec = load(made[kind])
    assert rec.status == "ok", rec.message
    assert rec.source == "converted" and rec.format == kind
    assert rec.doc == made[kind].name and rec.path == str(made[kind])
    assert rec.text == AS_TEXT
    if kind != "rtf":      # Word's automatic numbering survives the round trip through LibreOffice
        assert [(rec.text[h.start:h.end], h.level) for h in rec.hints if h.kind == "numbering"][:3] == [
            ("一、强化政治引领", 1), ("（一）严格落实“第一议题”制度", 2), ("（二）压实主体责任", 2)]
    a, want = analyze_raw(rec), analyze_text(AS_TEXT, doc="总结.txt")
    assert sf.f1(sf.claim_keys(a), sf.claim_keys(want)) >= 0.95
    assert [s.title for s in a.sections if s.level == "1"] == ["强化政治引领", "服务发展大局", "下一步打算"]
    # the input is never touched: same bytes, no lock file or anything new beside it
    assert _digest(made["folder"]) == before


def test_converted_suffixes_are_read():
    assert {".doc", ".wps", ".rtf", ".odt"} <= supported()


def _encrypted_copy(doc: Path, target: Path) -> Path:
    """The .doc with its FIB's fEncrypted flag set, as Word writes a password-protected file."""
    data = doc.read_bytes()
    assert convert.ole_encrypted(str(doc)) is False
    for off in range(512, len(data) - 12, 64):          # the FIB (0xA5EC) opens the WordDocument stream
        if data[off:off + 2] == b"\xec\xa5":
            trial = bytearray(data)
            trial[off + 11] |= 0x01                       # flags word at +10, bit 0x0100
            target.write_bytes(bytes(trial))
            if convert.ole_encrypted(str(target)):
                return target
    pytest.fail("no FIB found in the fixture .doc")


@needs_lo
def test_bad_word_files_get_a_status_and_a_message(made, tmp_path):
    enc = _encrypted_copy(made["doc"], tmp_path / "加密.doc")
    assert convert.ole_encrypted(str(enc)) is True
    cut = tmp_path / "损坏.doc"
    cut.write_bytes(made["doc"].read_bytes()[:3000])
    junk = tmp_path / "乱码.wps"
    junk.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "空.doc"
    empty.write_bytes(b"")
    got = {p.name: load(p) for p in (enc, cut, junk, empty)}
    assert got["加密.doc"].status == "error" and "密码保护" in got["加密.doc"].message
    assert got["损坏.doc"].status == "error" and "已损坏" in got["损坏.doc"].message
    assert got["乱码.wps"].status == "error" and "不是有效的 Word/WPS 文档" in got["乱码.wps"].message
    assert got["空.doc"].status == "empty"
    for rec in got.values():
        assert rec.doc in rec.message and "Traceback" not in rec.message and rec.text == ""


def test_without_libreoffice_the_message_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMMARYSCAN_SOFFICE", "")
    assert convert.soffice() is None and convert.engine_key() == "convert:none"
    p = tmp_path / "旧版.doc"
    p.write_text(_rtf("旧版文档：全年开展学习24次。"), encoding="ascii")     # Word saves RTF as .doc too
    rec = load(p)
    assert rec.status == "unsupported"
    assert "apt-get install libreoffice-writer-nogui" in rec.message and "旧版.doc" in rec.message


@needs_lo
def test_a_conversion_over_its_time_limit_is_stopped_with_everything_it_started(made, tmp_path, monkeypatch):
    work = tmp_path / "work"
    monkeypatch.setattr(convert, "TIME_LIMIT", 0.3)
    monkeypatch.setattr(convert.tempfile, "mkdtemp", lambda prefix="": (work.mkdir(), str(work))[1])
    rec = load(made["doc"])
    assert rec.status == "error" and "超时" in rec.message and made["doc"].name in rec.message
    assert not work.exists()                                  # the work folder is removed
    mine = str(work)
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        assert mine not in cmd, f"LibreOffice still running: {cmd}"


@needs_lo
def test_cli_batch_converts_in_parallel_and_goes_on_past_bad_files(made, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for kind in ("doc", "wps"):
        shutil.copyfile(made[kind], folder / made[kind].name)
    (folder / "坏的.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000))
    (folder / "说明.txt").write_text(AS_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "summaryscan.cli", "extract", str(folder), "--out", str(out),
                          "--jobs", "2", "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    with open(out / "documents.csv", encoding="utf-8-sig") as fh:
        rows = {r["doc"]: r for r in csv.DictReader(fh)}
    assert rows["总结.doc"]["status"] == "ok" and rows["总结.doc"]["source"] == "converted"
    assert rows["总结-金山.wps"]["status"] == "ok" and rows["总结-金山.wps"]["source"] == "converted"
    assert rows["坏的.doc"]["status"] == "error" and rows["坏的.doc"]["message"]
    assert rows["说明.txt"]["status"] == "ok" and rows["说明.txt"]["source"] == "text"
    with open(out / "claims.csv", encoding="utf-8-sig") as fh:
        claims = collections.Counter(r["doc"] for r in csv.DictReader(fh))
    assert claims["总结.doc"] == claims["说明.txt"] == claims["总结-金山.wps"] > 5
