"""One key per submission: 50 units each hand in a folder with ``工作总结.docx``.

The document key (``doc`` in every table, page, sheet and the API) is the file's path relative
to the common folder of the inputs, so same-named files in different folders stay apart.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

import summaryscan as ss
from summaryscan.api import AmbiguousDocumentError
from summaryscan.cli import main
from summaryscan.ingest import document_keys, keyed_inputs

UNITS = {"unitA": ("市财政局机关党委", 26, 580), "unitB": ("县人社局党组", 17, 312)}
KEYS = {"unitA/工作总结.docx", "unitB/工作总结.docx", "unitC/工作总结.docx"}


def summary(unit: str, topics: int, trained: int) -> list[str]:
    return [f"{unit}2024年创建模范机关工作总结",
            "一、坚持政治引领，着力建设政治型机关",
            f"全年落实“第一议题”学习{topics}次，研究提出贯彻落实措施{topics + 15}条。",
            "二、强化理论武装，着力建设学习型机关",
            f"举办党务干部培训班2期，累计培训{trained}人次。",
            "三、从严正风肃纪，着力建设廉洁型机关",
            f"开展警示教育{topics % 7 + 3}次，受教育党员干部{trained + 200}人次。",
            "四、存在的问题和不足", "理论学习的深度还需加强。", "五、2025年工作打算", "持续抓好“第一议题”制度落实。"]


def docx_bytes(paragraphs: list[str]) -> bytes:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("keys") / "submissions"
    for folder, (unit, topics, trained) in UNITS.items():
        (root / folder).mkdir(parents=True)
        (root / folder / "工作总结.docx").write_bytes(docx_bytes(summary(unit, topics, trained)))
    # a third unit handed in unitA's file unchanged: same name, same bytes, still its own submission
    (root / "unitC").mkdir()
    (root / "unitC" / "工作总结.docx").write_bytes((root / "unitA" / "工作总结.docx").read_bytes())
    return root


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_keys_are_paths_under_the_common_folder(folders):
    assert {p.doc for p in keyed_inputs([str(folders)])} == KEYS
    # named one by one, or from a folder above: the same common folder, the same keys
    files = sorted(str(p) for p in folders.rglob("*.docx"))
    assert {p.doc for p in keyed_inputs(files)} == KEYS
    assert document_keys([str(folders / "unitA" / "工作总结.docx")]) == ["工作总结.docx"]


@pytest.fixture(scope="module")
def runs(folders, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    for cmd in ("extract", "check", "screen"):
        assert main([cmd, str(folders), "--out", str(out / cmd), "--quiet", "--jobs", "2"]) == 0
    # again, from the cache: the cached results keep their keys
    assert main(["screen", str(folders), "--out", str(out / "screen"), "--quiet"]) == 0
    return out


def test_every_table_keeps_the_two_apart(folders, runs):
    docs = read_csv(runs / "extract" / "documents.csv")
    assert sorted(r["doc"] for r in docs) == sorted(KEYS) and all(r["status"] == "ok" for r in docs)
    texts = {r["doc"]: ss.read([r["path"]]).documents for r in docs}
    assert len(texts) == 3
    c = ss.read([str(folders)])
    for table in ("sections", "claims"):
        rows = read_csv(runs / "extract" / f"{table}.csv")
        assert {r["doc"] for r in rows} == KEYS, table
    # every claim joins back to its own submission: its offsets point into that file's text
    claims = read_csv(runs / "extract" / "claims.csv")
    for r in claims:
        assert c[r["doc"]].text[int(r["start"]):int(r["end"])] == r["raw"]
    by_doc = {k: sorted(r["raw"] for r in claims if r["doc"] == k) for k in KEYS}
    assert "26次" in by_doc["unitA/工作总结.docx"] and "17次" in by_doc["unitB/工作总结.docx"]
    assert "17次" not in by_doc["unitA/工作总结.docx"]
    cov = read_csv(runs / "check" / "coverage.csv")
    assert {r["doc"] for r in cov} == KEYS and len(cov) == 3 * 5
    findings = read_csv(runs / "check" / "findings.csv")
    copies = [r for r in findings if r["code"] == "TEMPLATE_COPY"]
    assert {(r["doc"], r["other_doc"]) for r in copies} >= {("unitA/工作总结.docx", "unitC/工作总结.docx"),
                                                          ("unitC/工作总结.docx", "unitA/工作总结.docx")}


def test_the_report_and_workbook_keep_the_two_apart(runs):
    import openpyxl
    out = runs / "screen"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert set(re.findall(r'<tr data-doc="([^"]+)"', index)) == KEYS
    pages = sorted(p.name for p in (out / "docs").glob("*.html"))
    assert pages == ["unitA_工作总结.docx.html", "unitB_工作总结.docx.html", "unitC_工作总结.docx.html"]
    a = (out / "docs" / pages[0]).read_text(encoding="utf-8")
    b = (out / "docs" / pages[1]).read_text(encoding="utf-8")
    assert "<h1>市财政局机关党委2024年" in a and "<h1>县人社局党组2024年" in b
    wb = openpyxl.load_workbook(out / "report.xlsx")
    for sheet in ("汇总", "数据声明", "问题清单", "维度覆盖"):
        ws = wb[sheet]
        col = [c.value for c in ws[1]].index("文件")
        seen = {r[col] for r in ws.iter_rows(min_row=2, values_only=True)}
        assert seen <= KEYS and (seen == KEYS or sheet == "问题清单"), (sheet, seen)
    summary = wb["汇总"]
    head = [c.value for c in summary[1]]
    links = [summary.cell(r, head.index("页面") + 1).hyperlink.target for r in range(2, summary.max_row + 1)]
    assert len(set(links)) == 3
    claims = wb["数据声明"]
    head = [c.value for c in claims[1]]
    raw_by_doc = {}
    for r in claims.iter_rows(min_row=2, values_only=True):
        raw_by_doc.setdefault(r[head.index("文件")], set()).add(r[head.index("原文")])
    assert "26次" in raw_by_doc["unitA/工作总结.docx"] and "26次" not in raw_by_doc["unitB/工作总结.docx"]


def test_the_api_takes_the_key_and_refuses_an_ambiguous_bare_name(folders):
    c = ss.read([str(folders)])
    assert sorted(c.documents["doc"]) == sorted(KEYS)
    assert c["unitB/工作总结.docx"].analysis.title.startswith("县人社局党组")
    with pytest.raises(AmbiguousDocumentError) as e:
        c["工作总结.docx"]
    assert isinstance(e.value, KeyError)
    assert all(k in str(e.value) for k in KEYS)
    with pytest.raises(KeyError):
        c["没有这份.docx"]
    one = ss.read([str(folders / "unitB")])
    assert one["工作总结.docx"] is one["工作总结.docx"] and len(one) == 1       # one of that name: found
