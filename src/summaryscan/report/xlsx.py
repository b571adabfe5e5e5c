"""``report.xlsx``: 汇总 (one row per submission), 数据声明, 问题清单, 维度覆盖.

Written with xlsxwriter in ``constant_memory`` mode from the row files the
screen report streamed to disk, so memory stays flat in the number of rows.
Every sheet has a frozen header row, an autofilter and column widths from the
content (a CJK character counts as two); long sentence columns wrap.

Text from submissions is untrusted: every string goes through
:func:`~summaryscan.report.tables.safe_cell` (a leading ``= + - @`` gets an
apostrophe) and is written with ``write_string``, so nothing becomes a formula.
"""
from __future__ import annotations

import json
import os
import unicodedata
from typing import Any, Iterable, Iterator

from .html import CODE_ZH, KIND_ZH, SEVERITY_ZH, STATUS_ZH
from .tables import safe_cell, temporary_beside

MAX_CELL = 32767
WRAP_WIDTH = 60      # width of wrapped long-text columns
TEXT_WIDTH = 50      # cap for other text columns

# (key, header, kind): kind is text | wrap | int | float | pct2 | link
SUMMARY_COLUMNS = [("rank", "名次", "int"), ("doc", "文件", "text"), ("title", "标题", "text"),
                   ("unit", "单位", "text"), ("doc_type", "文种", "text"), ("year", "年份", "int"),
                   ("status_zh", "状态", "text"), ("message", "说明", "wrap"), ("chars", "字数", "int"),
                   ("claims", "数据声明", "int"), ("density", "每千字声明", "float")]
SUMMARY_TAIL = [("coverage_points", "覆盖得分", "float"), ("bonus_points", "加分", "float"),
                ("deduction_points", "扣分", "float"), ("high", "高", "int"), ("medium", "中", "int"),
                ("low", "低", "int"), ("codes", "问题类型", "text"), ("penalty", "问题扣减", "float"),
                ("score", "得分", "float"), ("detail", "得分明细", "wrap"), ("page", "页面", "link")]
CLAIM_SHEET = [("doc", "文件", "text"), ("section", "章节", "wrap"), ("sentence", "句子", "wrap"),
               ("raw", "原文", "text"), ("value", "数值", "float"), ("unit", "单位", "text"),
               ("approx", "约数", "text"), ("subject", "主体", "text"), ("kind_zh", "类型", "text"),
               ("start", "起", "int"), ("end", "止", "int"), ("page", "页码", "int")]
FINDING_SHEET = [("doc", "文件", "text"), ("code", "问题代码", "text"), ("code_zh", "问题类型", "text"),
                 ("severity_zh", "严重程度", "text"), ("message", "说明", "wrap"), ("section", "章节", "wrap"),
                 ("sentence", "句子", "wrap"), ("raw", "原文", "text"), ("start", "起", "int"), ("end", "止", "int"),
                 ("claims", "涉及声明", "text"), ("other_doc", "对照材料（空：本文）", "text"),
                 ("other_start", "对照位置起", "int"), ("other_end", "对照位置止", "int")]
COVERAGE_SHEET = [("doc", "文件", "text"), ("framework", "框架", "text"), ("dimension", "维度", "text"),
                  ("score", "得分", "float"), ("covered_zh", "是否覆盖", "text"), ("indicators_hit", "命中指标", "wrap"),
                  ("evidence", "证据", "wrap"), ("quantified_evidence", "量化证据", "int"),
                  ("bonus", "加分项", "text"), ("deductions", "扣分项", "text")]


def display_width(value: Any) -> int:
    """Column width of a value as shown: East Asian wide characters count double."""
    s = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _read_jsonl(path: str) -> Iterator[dict]:
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


class _Sheet:
    def __init__(self, wb, name: str, columns: list[tuple[str, str, str]], fmts: dict):
        self.ws = wb.add_worksheet(name)
        self.columns, self.fmts = columns, fmts
        self.widths = [display_width(h) + 4 for _, h, _ in columns]    # room for the filter button
        self.row = 0
        for c, (_, header, _) in enumerate(columns):
            self.ws.write_string(0, c, header, fmts["head"])
        self.ws.freeze_panes(1, 0)

    def write(self, rec: dict) -> None:
        self.row += 1
        r = self.row
        for c, (key, _, kind) in enumerate(self.columns):
            v = rec.get(key)
            if v is None or v == "":
                continue
            if kind == "link":
                url, text = v
                if len(url) < 250 and self.ws.write_url(r, c, "external:" + url, self.fmts["link"], string=text) == 0:
                    self.widths[c] = max(self.widths[c], display_width(text) + 2)
                else:
                    self.ws.write_string(r, c, text)
                continue
            if kind in ("int", "float") and isinstance(v, (int, float)) and not isinstance(v, bool):
                self.ws.write_number(r, c, v, self.fmts[kind])
                self.widths[c] = max(self.widths[c], len(f"{v:,.2f}" if kind == "float" else f"{v:,}") + 2)
                continue
            s = safe_cell(str(v))[:MAX_CELL]
            self.ws.write_string(r, c, s, self.fmts["wrap"] if kind == "wrap" else None)
            cap = WRAP_WIDTH if kind == "wrap" else TEXT_WIDTH
            if self.widths[c] < cap and 2 * len(s) + 2 > self.widths[c]:   # could widen the column
                w = cap if len(s) >= cap else (len(s) if s.isascii() else display_width(s)) + 2
                self.widths[c] = min(cap, max(self.widths[c], w))

    def close(self) -> None:
        for c, (_, _, kind) in enumerate(self.columns):
            self.ws.set_column(c, c, self.widths[c], self.fmts["wrap"] if kind == "wrap" else None)
        self.ws.autofilter(0, 0, max(self.row, 1), len(self.columns) - 1)


def _pts(x: float) -> str:
    x = round(float(x), 1)
    return ("+" if x > 0 else "−" if x < 0 else "") + f"{abs(x):g}"


def breakdown_text(lines: list[dict], score: Any) -> str:
    """A score's breakdown (:func:`summaryscan.frameworks.scoring.score` lines) as cell text:
    one line per source of points, each with the sentence or problem behind it."""
    cov = [ln for ln in lines if ln["kind"] == "coverage"]
    out = ["覆盖 " + _pts(sum(ln["points"] for ln in cov)) + "："
           + "；".join(f"{ln['label']} {ln['coverage']:.2f}×{ln['max']:g}" for ln in cov)]
    for ln in lines:
        kind = ln["kind"]
        if kind in ("bonus", "deduction"):
            text = ln.get("text", "")
            text = text if len(text) <= 80 else text[:79] + "…"
            out.append(f"{_pts(ln['points'])} {'加分' if kind == 'bonus' else '扣分'}：{ln['label']}，原句“{text}”")
        elif kind == "penalty":
            n = f" ×{ln['count']}处（计一次）" if ln.get("count", 1) > 1 else ""
            out.append(f"{_pts(ln['points'])} 问题：{ln.get('code')} {CODE_ZH.get(ln.get('code'), '')}"
                       f"（{SEVERITY_ZH.get(ln.get('severity'), '')}）{n}：{ln['label']}")
        elif kind in ("cap", "floor"):
            out.append(f"{_pts(ln['points'])} {ln['label']}")
    out.append(f"= {score:g}" if isinstance(score, (int, float)) else "")
    return "\n".join(x for x in out if x)


def _summary_record(r: dict, dims: list[str]) -> dict:
    ok = r["status"] == "ok"
    sev = r.get("severity", {})
    rec = {**r, "status_zh": STATUS_ZH.get(r["status"], r["status"]),
           "detail": breakdown_text(r["breakdown"], r.get("score")) if r.get("breakdown") else None,
           "high": sev.get("high", 0), "medium": sev.get("medium", 0), "low": sev.get("low", 0),
           "codes": "、".join(r.get("codes", [])),
           "density": round(r.get("density", 0.0), 2) if ok else None,
           "claims": r.get("claims") if ok else None, "chars": r.get("chars") if ok else None,
           "page": ("docs/" + r["file"], "打开") if r.get("file") else None}
    if not ok:
        rec.update(coverage_points=None, bonus_points=None, deduction_points=None, penalty=None, high=None,
                   medium=None, low=None)
    for i, d in enumerate(dims):
        rec[f"dim{i}"] = r.get("dims", {}).get(d) if ok else None
    return rec


def write_workbook(path: str, rows: Iterable[dict], dims: list[str], work_dir: str) -> str:
    """Write the workbook atomically from summary rows (in the order given: ranked) and the
    streamed row files in ``work_dir``. A row's ``breakdown`` (score lines) fills 得分明细."""
    import xlsxwriter
    tmp = temporary_beside(path)     # the umask's permissions, as any file the report writes
    try:
        wb = xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_formulas": False,
                                       "strings_to_urls": False, "strings_to_numbers": False,
                                       "tmpdir": work_dir if os.path.isdir(work_dir) else None})
        fmts = {"head": wb.add_format({"bold": True, "bg_color": "#E8EEF6", "border": 1, "valign": "top"}),
                "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
                "int": wb.add_format({"num_format": "0", "valign": "top"}),
                "float": wb.add_format({"num_format": "0.00", "valign": "top"}),
                "link": wb.add_format({"font_color": "blue", "underline": 1, "valign": "top"})}
        dim_cols = [(f"dim{i}", d, "float") for i, d in enumerate(dims)]
        summary = _Sheet(wb, "汇总", SUMMARY_COLUMNS + dim_cols + SUMMARY_TAIL, fmts)
        for r in rows:
            summary.write(_summary_record(r, dims))
        first = len(SUMMARY_COLUMNS)
        if summary.row and dims:
            summary.ws.conditional_format(1, first, summary.row, first + len(dims) - 1,
                                          {"type": "3_color_scale", "min_type": "num", "min_value": 0,
                                           "mid_type": "num", "mid_value": 0.5, "max_type": "num", "max_value": 1,
                                           "min_color": "#F8CBCB", "mid_color": "#FDE6A3", "max_color": "#A7E2BB"})
        summary.close()

        claims = _Sheet(wb, "数据声明", CLAIM_SHEET, fmts)
        for rec in _read_jsonl(os.path.join(work_dir, "claims.jsonl")):
            rec["kind_zh"] = KIND_ZH.get(rec.get("kind"), rec.get("kind"))
            claims.write(rec)
        claims.close()

        findings = _Sheet(wb, "问题清单", FINDING_SHEET, fmts)
        for rec in _read_jsonl(os.path.join(work_dir, "findings.jsonl")):
            rec["code_zh"] = CODE_ZH.get(rec.get("code"), "")
            rec["severity_zh"] = SEVERITY_ZH.get(rec.get("severity"), rec.get("severity"))
            for k in ("start", "end", "other_start", "other_end"):
                if rec.get(k) is not None and rec[k] < 0:
                    rec[k] = None
            findings.write(rec)
        findings.close()

        cov = _Sheet(wb, "维度覆盖", COVERAGE_SHEET, fmts)
        for rec in _read_jsonl(os.path.join(work_dir, "coverage.jsonl")):
            rec["covered_zh"] = "是" if rec.get("covered") else "否"
            cov.write(rec)
        cov.close()
        wb.close()
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
