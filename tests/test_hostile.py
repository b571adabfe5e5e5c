"""Hostile inputs: every bad file gets a record with a status and a clear Chinese
message naming the file and the reason, never a traceback, never mojibake.

Complements tests/test_ingest.py (basic encodings, docx/pdf structure, folder
walking).  Every fixture is generated in tmp_path.
"""
from __future__ import annotations

import builtins
import csv
import io
import os
import random
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from summaryscan.cli import main
from summaryscan.ingest import iter_inputs, load
from summaryscan.pipeline import analyze_path
from summaryscan.runner import run_batch

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
STATUSES = {"ok", "empty", "no_text", "garbled", "unsupported", "error"}

# A realistic report paragraph (~600 characters, many numeric claims).
PARAGRAPH = (
    "2023年，县纪委监委坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻全面从严治党战略部署，"
    "扎实推进党风廉政建设和反腐败工作，各项工作取得了新的成效。全年开展廉政谈话65人次，发现问题13个，"
    "督促整改问题11个，整改完成率84.6%。组织开展专项检查8次，覆盖单位42家，立案审查调查案件27件，"
    "给予党纪政务处分31人，挽回经济损失560万元。加强干部队伍建设，举办业务培训班6期，培训干部320人次，"
    "选派12名干部到上级机关跟班学习，干部队伍的政治素质和业务能力得到进一步提升。深化作风建设，"
    "查处违反中央八项规定精神问题9起，处理19人，通报曝光典型案例5批次，形成了有力震慑。"
    "推进清廉机关建设，完善制度17项，开展警示教育活动14场，参与党员干部2100余人次。"
    "聚焦群众身边不正之风和腐败问题，开展专项整治3项，解决群众急难愁盼问题156个，回访群众480户，"
    "群众满意度达到96.5%。强化巡察监督，完成2轮巡察，发现问题98个，移交问题线索7条，"
    "推动建章立制23项。同时，我们也清醒地认识到，工作中还存在一些不足：监督的精准性有待提高，"
    "部分基层单位主体责任落实不到位，个别干部纪律意识淡薄。下一步，我们将坚持问题导向，"
    "持续加大监督执纪问责力度，推动全面从严治党向纵深发展，为全县经济社会高质量发展提供坚强保障。\n"
)

# Text for the encoding tests; KEY must survive any decoding that reports "ok".
REPORT = (
    "关于2023年工作情况的报告\n"
    "今年以来，我局坚持以习近平新时代中国特色社会主义思想为指导，"
    "全面落实各项工作任务，取得了明显成效。\n"
    "一、主要工作\n"
    "（一）加强学习。全年组织集中学习24次，参训干部1200余人次。\n"
    "（二）推进项目建设。全年完成重点项目18个，完成投资3.6亿元。\n"
    "（三）优化营商环境。新增市场主体1250户，办理审批事项4300件。\n"
    "二、存在问题\n"
    "部分工作推进不够平衡，基层力量仍然薄弱，需要进一步加强。\n"
)
KEY = "全面落实各项工作任务，取得了明显成效"


# --------------------------------------------------------------------------
# builders

def _docx_bytes() -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_heading("关于2023年工作情况的报告", level=1)
    for _ in range(30):
        document.add_paragraph(PARAGRAPH.strip())
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _cjk_font() -> str:
    pytest.importorskip("fpdf")
    if not os.path.exists(CJK_FONT):
        pytest.skip(f"CJK font {CJK_FONT} is missing; cannot build Chinese PDF fixtures")
    return CJK_FONT


def _pdf_bytes(**encryption) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("wqy", fname=_cjk_font())
    pdf.set_font("wqy", size=12)
    for page in range(3):
        pdf.add_page()
        for i in range(20):
            pdf.cell(text=f"第{page + 1}部分：全年开展廉政谈话65人次，发现问题13个，整改完成率84.6%。",
                     new_x="LMARGIN", new_y="NEXT")
    if encryption:
        pdf.set_encryption(**encryption)
    return bytes(pdf.output())


BOMB_SIZE = 210 * 1024 * 1024  # over the 200 MB default limit


def _write_bomb(path: Path) -> None:
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            for _ in range(BOMB_SIZE // len(chunk)):
                fh.write(chunk)


@pytest.fixture(scope="module")
def bomb_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    _write_bomb(path)
    return path


def _mixed_encoding_cases() -> dict[str, bytes]:
    gbk = REPORT.encode("gbk")
    # splice invalid GB18030 bytes between two lines (after "一、主要工作\n")
    cut = gbk.index("一、主要工作\n".encode("gbk")) + len("一、主要工作\n".encode("gbk"))
    cut2 = gbk.index("二、存在问题".encode("gbk"))
    gbk_bad = gbk[:cut] + b"\xff" + gbk[cut:cut2] + b"\x80\xff" + gbk[cut2:]
    u8 = REPORT.replace("一、主要工作", "一、主要工作（Caf\x00）").encode("utf-8")
    u8_latin1 = u8.replace(b"\x00", b"\xe9")  # one stray Latin-1 "é" in UTF-8
    return {
        "gbk_spliced.txt": gbk_bad,
        "utf8_stray_latin1.txt": u8_latin1,
        "utf16le_nobom.txt": REPORT.encode("utf-16-le"),
    }


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _assert_error(rec, name: str, *reasons: str) -> None:
    assert rec.status == "error", (rec.status, rec.message)
    assert name in rec.message, rec.message
    assert any(r in rec.message for r in reasons), rec.message
    assert "Traceback" not in rec.message
    assert rec.text == ""


# --------------------------------------------------------------------------
# 1. zero-byte files

@pytest.mark.parametrize("name", ["零字节.txt", "零字节.docx", "零字节.pdf"])
def test_zero_byte_files(tmp_path, name):
    rec = load(_write(tmp_path / name, b""))
    assert rec.status in ("empty", "error"), rec.status
    assert name in rec.message
    assert "空文件" in rec.message and "0 字节" in rec.message
    assert "Traceback" not in rec.message and rec.text == ""


# 2. binary junk named .txt

def test_binary_junk_txt(tmp_path):
    rnd = random.Random(2023)
    junk = bytes(rnd.randrange(256) for _ in range(20000))
    junk = b"\x00\x01\x02" + junk.replace(b"\x00", b"") + b"\x00" * 64
    assert b"\x00" in junk
    rec = load(_write(tmp_path / "看似文本.txt", junk))
    _assert_error(rec, "看似文本.txt", "不是文本")


# 3. mislabelled / mixed encodings

@pytest.mark.parametrize("name", ["gbk_spliced.txt", "utf8_stray_latin1.txt", "utf16le_nobom.txt"])
def test_mixed_encodings_never_mojibake(tmp_path, name):
    rec = load(_write(tmp_path / name, _mixed_encoding_cases()[name]))
    if rec.status == "ok":
        assert KEY in rec.text, rec.text[:200]
        assert "（二）推进项目建设。全年完成重点项目18个" in rec.text
        if "\ufffd" in rec.text:  # replaced bytes must be reported, not silent
            assert name in rec.message and rec.message
        else:
            assert rec.message == ""
    else:
        assert rec.status == "error", rec.status
        assert name in rec.message and "编码" in rec.message
        # the file is text with a few bad bytes, not binary junk
        assert "不是文本" not in rec.message and "二进制" not in rec.message, rec.message


# 4. truncated .docx

def test_truncated_docx(tmp_path):
    data = _docx_bytes()
    full = _write(tmp_path / "完整.docx", data)
    assert load(full).status == "ok"
    rec = load(_write(tmp_path / "截断 报告.docx", data[: len(data) // 2]))
    _assert_error(rec, "截断 报告.docx", "损坏", "不是有效的 .docx")


# 5. docx zip bomb

def test_docx_zip_bomb_refused_quickly(bomb_file):
    assert bomb_file.stat().st_size < 2 * 1024 * 1024
    with zipfile.ZipFile(bomb_file) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 200 * 1024 * 1024
    t0 = time.monotonic()
    rec = load(bomb_file)
    elapsed = time.monotonic() - t0
    assert elapsed < 10, elapsed
    _assert_error(rec, "bomb.docx", "过大")
    assert "MB" in rec.message and "压缩炸弹" in rec.message


# 6. encrypted and corrupt PDFs

def test_encrypted_and_corrupt_pdfs(tmp_path):
    locked = _write(tmp_path / "加密 文件.pdf", _pdf_bytes(owner_password="o", user_password="u"))
    rec = load(locked)
    _assert_error(rec, "加密 文件.pdf", "密码", "加密")

    # owner password only: readable without a password -> a clear ok
    owner = _write(tmp_path / "仅限编辑.pdf", _pdf_bytes(owner_password="o"))
    rec = load(owner)
    assert rec.status == "ok", rec.message
    assert "全年开展廉政谈话65人次" in rec.text and rec.message == ""

    rnd = random.Random(4)
    garbage = b"%PDF-1.4\n" + bytes(rnd.randrange(256) for _ in range(8000))
    rec = load(_write(tmp_path / "乱码.pdf", garbage))
    _assert_error(rec, "乱码.pdf", "损坏", "不是有效的 PDF")

    good = _pdf_bytes()
    rec = load(_write(tmp_path / "半截.pdf", good[: len(good) // 2]))
    _assert_error(rec, "半截.pdf", "损坏", "不是有效的 PDF")


# 7. a 50 MB text file

def test_50mb_text_claims_scale_with_repetitions(tmp_path):
    one = _write(tmp_path / "one.txt", PARAGRAPH.encode("utf-8"))
    single = analyze_path(str(one))
    assert single.raw.status == "ok"
    per_paragraph = len(single.claims)
    assert per_paragraph >= 20

    unit = PARAGRAPH.encode("utf-8")
    reps = -(-50 * 1024 * 1024 // len(unit))
    big = tmp_path / "大文件.txt"
    with open(big, "wb") as fh:
        block = unit * 1000
        for _ in range(reps // 1000):
            fh.write(block)
        fh.write(unit * (reps % 1000))
    assert big.stat().st_size >= 50 * 1024 * 1024

    a = analyze_path(str(big))
    assert a.raw.status == "ok", a.raw.message
    assert a.raw.message == ""
    assert len(a.raw.text) == reps * len(PARAGRAPH)
    assert len(a.claims) == reps * per_paragraph


# 8. spaces and Chinese characters in paths, through the CLI

def test_cli_path_with_spaces_and_chinese(tmp_path):
    folder = tmp_path / "我的 文件"
    f = _write(folder / "2023年 工作总结.txt", REPORT.encode("gb18030"))
    out = tmp_path / "输出 结果"
    assert main(["extract", str(folder), "--out", str(out), "--quiet"]) == 0
    raw = (out / "documents.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["path"] == str(f)
    assert rows[0]["doc"] == "2023年 工作总结.txt"
    assert rows[0]["status"] == "ok" and rows[0]["message"] == ""


# 9. unreadable file (permission denied, simulated: tests may run as root)

def _deny(monkeypatch, denied: set[str]) -> None:
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)) and os.fsdecode(file) in denied:
            raise PermissionError(13, "Permission denied", os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)


def test_unreadable_files(tmp_path, monkeypatch):
    files = {
        "无权限.txt": REPORT.encode("utf-8"),
        "无权限.docx": _docx_bytes(),
        "无权限 空.txt": b"",
    }
    paths = {name: _write(tmp_path / name, data) for name, data in files.items()}
    for p in paths.values():
        p.chmod(0)
    _deny(monkeypatch, {str(p) for p in paths.values()})
    for name, p in paths.items():
        rec = load(p)
        _assert_error(rec, name, "权限不足")


# 10. a file that disappears mid-run

def test_file_disappearing_mid_batch(tmp_path):
    folder = tmp_path / "batch"
    paths = [_write(folder / f"doc{i}.txt", REPORT.encode("utf-8")) for i in range(1, 6)]
    got = []
    for a in run_batch([str(folder)], progress=False):
        got.append(a)
        if len(got) == 1:
            paths[3].unlink()
    assert [a.raw.path for a in got] == [str(p) for p in paths]
    for i, a in enumerate(got):
        if i == 3:
            assert a.raw.status == "error"
            assert "doc4.txt" in a.raw.message
            assert "不存在" in a.raw.message or "无法读取" in a.raw.message
            assert a.claims == []
        else:
            assert a.raw.status == "ok", a.raw.message
            assert a.raw.message == "" and a.claims


# 11. everything at once through the CLI

def test_cli_batch_over_hostile_folder(tmp_path, monkeypatch, bomb_file):
    folder = tmp_path / "hostile"
    expect: dict[str, set[str]] = {}

    def add(rel: str, data: bytes, statuses: set[str]) -> Path:
        expect[rel] = statuses
        return _write(folder / rel, data)

    add("good1.txt", PARAGRAPH.encode("gb18030"), {"ok"})
    add("good2.docx", _docx_bytes(), {"ok"})
    for name in ("零字节.txt", "零字节.docx", "零字节.pdf"):
        add(name, b"", {"empty", "error"})
    rnd = random.Random(11)
    add("junk.txt", b"\x00" + bytes(rnd.randrange(256) for _ in range(5000)), {"error"})
    for name, data in _mixed_encoding_cases().items():
        add(f"enc/{name}", data, {"ok", "error"})
    docx_data = _docx_bytes()
    add("truncated.docx", docx_data[: len(docx_data) // 2], {"error"})
    expect["bomb.docx"] = {"error"}
    shutil.copyfile(bomb_file, folder / "bomb.docx")
    add("加密.pdf", _pdf_bytes(owner_password="o", user_password="u"), {"error"})
    add("garbage.pdf", b"%PDF-1.4\n" + bytes(rnd.randrange(256) for _ in range(4000)), {"error"})
    pdf = _pdf_bytes()
    add("half.pdf", pdf[: len(pdf) // 2], {"error"})
    add("我的 文件/2023年 工作总结.txt", REPORT.encode("utf-8"), {"ok"})
    locked = add("locked.txt", REPORT.encode("utf-8"), {"error"})
    expect["gone.txt"] = {"error"}  # vanished file: a dangling symlink
    os.symlink(folder / "deleted-target.txt", folder / "gone.txt")
    _deny(monkeypatch, {str(locked)})

    out = tmp_path / "out"
    assert main(["extract", str(folder), "--out", str(out), "--quiet"]) == 0
    raw = (out / "documents.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))

    inputs = list(iter_inputs([str(folder)]))
    assert len(inputs) == len(expect)
    assert [r["path"] for r in rows] == inputs           # each input once, in order
    by_rel = {os.path.relpath(r["path"], folder): r for r in rows}
    assert set(by_rel) == set(expect)
    for rel, statuses in expect.items():
        r = by_rel[rel]
        assert r["status"] in STATUSES and r["status"] in statuses, (rel, r["status"], r["message"])
        assert r["doc"] == rel.replace(os.sep, "/")        # the key: the path under the input folder
        if r["status"] == "ok" and not rel.startswith("enc/"):
            assert r["message"] == "", (rel, r["message"])
        else:  # an ok with a note (replaced bytes) must name the file too
            assert not r["message"] or r["doc"] in r["message"], (rel, r["message"])
            assert r["status"] == "ok" or r["doc"] in r["message"], (rel, r["message"])
            assert "Traceback" not in r["message"]


# 12. what the command line says when the request itself is wrong

@pytest.mark.parametrize("argv,said", [
    (["extract", "--out", "OUT"], "缺少必需的参数：PATH"),
    (["screen", "x", "--out", "OUT", "--jobs", "两个"], "参数 --jobs 需要一个整数"),
    (["screen", "x", "--out", "OUT", "--format", "jsonl"], "无法识别的参数：--format jsonl"),
    (["extract", "x", "--out", "OUT", "--format", "xml"], "参数 --format 的取值“xml”无效"),
    (["tidy"], "的取值“tidy”无效"),
    ([], "缺少必需的参数"),
])
def test_usage_errors_are_in_chinese(argv, said, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert said in err and err.startswith("用法：") and "错误：" in err
    assert not any(w in err for w in ("usage:", "error:", "the following", "invalid", "unrecognized"))


def test_help_is_in_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["screen", "-h"])
    out = capsys.readouterr().out
    assert out.startswith("用法：") and "选项：" in out and "显示本帮助并退出" in out and "options:" not in out


def test_no_input_found_at_all_is_an_error_not_an_empty_run(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["extract", str(tmp_path / "没有这个文件.docx"), "--out", str(out), "--quiet"]) == 2
    assert "没有找到任何输入文件" in capsys.readouterr().err and not (out / "documents.csv").exists()
    (tmp_path / "空文件夹").mkdir()
    assert main(["screen", str(tmp_path / "空文件夹"), "--out", str(out), "--quiet"]) == 2
    assert "文件夹里没有可读取的文件" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "*.docx"), "--out", str(out), "--quiet"]) == 2
    # one input missing among others: the batch runs, the missing one is a row with its reason
    (tmp_path / "有.txt").write_text(REPORT, encoding="utf-8")
    assert main(["extract", str(tmp_path / "有.txt"), str(tmp_path / "无.txt"), "--out", str(out), "--quiet"]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "documents.csv").read_text(encoding="utf-8-sig"))))
    assert [r["status"] for r in rows] == ["ok", "error"] and "文件不存在" in rows[1]["message"]


def test_options_the_dask_engine_has_no_use_for_are_refused(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    for extra in (["--format", "jsonl"], ["--resume"], ["--no-cache"], ["--timeout", "10"]):
        assert main(["extract", str(tmp_path), "--out", str(tmp_path / "o"), "--engine", "dask", *extra]) == 2
        assert "--engine dask 不支持" in capsys.readouterr().err
