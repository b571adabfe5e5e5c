"""The package's layout: no import cycles, no module importing another's private name,
and the extension points working for code outside the package.

Run alone with ``python -m pytest tests/test_layout.py`` (CONTRIBUTING.md).
"""
from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "summaryscan"


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in SRC.rglob("*.py")}


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports(modules: dict[str, Path]) -> list[tuple[str, str, str, int]]:
    """(importer, imported module, imported name or "", line) for every import of a package
    module anywhere in a module (inside functions too: a lazy import is still a dependency)."""
    out = []
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                       for n in ast.walk(node)}           # imports for type checkers only
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in modules:
                        out.append((mod, a.name, "", node.lineno))
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, is_pkg, node.level, node.module)
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    if sub in modules:                  # from . import claims: the submodule
                        out.append((mod, sub, "", node.lineno))
                    elif base in modules:
                        out.append((mod, base, a.name, node.lineno))
    return out


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    modules = _modules()
    edges: dict[str, set[str]] = {}
    for a, b, _, _ in imports(modules):
        if a != b and not a.startswith(b + ".") and not b.startswith(a + "."):
            edges.setdefault(a, set()).add(b)        # a package and its own modules are one unit
    assert _cycles(edges) == []


def test_no_module_imports_another_modules_private_name():
    bad = [f"{a}:{line} imports {b}.{name}" for a, b, name, line in imports(_modules())
           if name.startswith("_") and not name.startswith("__") and a != b]
    assert bad == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# ------------------------------------------------------------------ extension points


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """An outside package, installed the way pip would (a module and a dist-info with entry
    points on sys.path), adding a reader for ``.memo`` files and a check ``MEMO_TODO``."""
    (tmp_path / "memo_plugin.py").write_text(textwrap.dedent('''
        from summaryscan.consistency import register
        from summaryscan.registry import readers

        @readers.register("memo", suffixes=(".memo",))
        def read_memo(rec):
            with open(rec.path, encoding="utf-8") as fh:
                body = fh.read().split("\\n", 1)[1]          # a memo: one header line, then the text
            rec.set_text(body, "空备忘录")
            return rec

        @register("MEMO_TODO", severity="low", description="留有待办标记")
        def memo_todo(ctx):
            k = ctx.raw.find("待办")
            if k >= 0:
                yield ctx.finding("MEMO_TODO", k, k + 2, "文中留有“待办”标记")
    '''), encoding="utf-8")
    dist = tmp_path / "memo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: memo-plugin\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        "[summaryscan.readers]\nmemo = memo_plugin\n\n[summaryscan.checks]\nmemo = memo_plugin\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    from summaryscan import registry
    for table in (registry.readers, registry.checks):      # read the entry points afresh
        monkeypatch.setattr(table, "_loaded", False)
    yield tmp_path
    for table in (registry.readers, registry.checks):
        for name in ("memo", "MEMO_TODO"):
            table._entries.pop(name, None)
    sys.modules.pop("memo_plugin", None)


def test_an_outside_package_adds_a_reader_and_a_check_through_the_registry(plugin, tmp_path):
    from summaryscan.cli import main
    from summaryscan.ingest import supported

    memo = tmp_path / "docs" / "局务会.memo"
    memo.parent.mkdir()
    memo.write_text("MEMO v1\n市财政局2023年工作总结\n全年开展廉政谈话65人次。待办：补充数据。\n", encoding="utf-8")
    assert ".memo" in supported()
    out = tmp_path / "out"
    assert main(["check", str(memo.parent), "--out", str(out), "--quiet", "--no-model", "--jobs", "1"]) == 0
    import csv
    docs = list(csv.DictReader(open(out / "documents.csv", encoding="utf-8-sig")))
    claims = list(csv.DictReader(open(out / "claims.csv", encoding="utf-8-sig")))
    findings = list(csv.DictReader(open(out / "findings.csv", encoding="utf-8-sig")))
    assert [(d["format"], d["status"]) for d in docs] == [("memo", "ok")]
    assert [(c["raw"], c["subject"]) for c in claims] == [("65人次", "廉政谈话")]
    todo = [f for f in findings if f["code"] == "MEMO_TODO"]
    assert len(todo) == 1 and todo[0]["raw"] == "待办" and todo[0]["severity"] == "low"


def test_a_failing_check_costs_only_its_own_findings_and_is_logged(tmp_path, monkeypatch):
    """One broken check: the document keeps every other check's findings, and the run's log
    has the traceback."""
    from summaryscan.cli import main
    from summaryscan.registry import checks

    def broken(ctx):
        raise ZeroDivisionError("boom")
        yield
    monkeypatch.setattr(checks.entry("NUMBERING"), "fn", broken)
    src = tmp_path / "a.txt"
    src.write_text("市财政局2023年工作总结\n慰问困难党员近800余人。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["check", str(src), "--out", str(out), "--quiet", "--no-model", "--jobs", "1"]) == 0
    import csv
    codes = [f["code"] for f in csv.DictReader(open(out / "findings.csv", encoding="utf-8-sig"))]
    assert "HEDGE_CONFLICT" in codes
    log = (out / "summaryscan.log").read_text(encoding="utf-8")
    assert "NUMBERING" in log and "ZeroDivisionError: boom" in log and "Traceback" in log and str(src) in log


def test_a_batched_stage_that_fails_on_one_document_costs_only_that_document(monkeypatch):
    """A stage's ``pipe`` raising on a batch: the stage runs document by document, the document
    at fault is reported and leaves the batch, the others get what they get alone."""
    from summaryscan.pipeline import analyze_many, analyze_raw
    from summaryscan.records import RawDocument
    from summaryscan.registry import stages
    from summaryscan.stages import DEFAULT_STAGES

    def picky(a):
        if "坏" in a.raw.text:
            raise ValueError("这一份不行")
        a.title = a.title + "（已查）"

    def picky_pipe(batch):
        for a in batch:
            picky(a)
    picky.pipe = picky_pipe
    monkeypatch.setitem(stages._entries, "picky", type(stages.entry("claims"))("picky", picky, {}))
    texts = ["市局2023年工作总结\n开展学习12次。\n", "坏文档2023年总结\n培训30人次。\n", "县局总结\n走访企业45家。\n"]
    raws = [RawDocument(path=f"{k}.txt", doc=f"{k}.txt", format="txt", text=t) for k, t in enumerate(texts)]
    out = analyze_many(raws, DEFAULT_STAGES + ("picky",))
    assert [a.raw.status for a in out] == ["ok", "error", "ok"]
    assert "这一份不行" in out[1].raw.message and "ValueError" in out[1].errors[0]
    assert [a.title.endswith("（已查）") for a in (out[0], out[2])] == [True, True]
    for k in (0, 2):
        alone = analyze_raw(RawDocument(path=f"{k}.txt", doc=f"{k}.txt", format="txt", text=texts[k]),
                            DEFAULT_STAGES + ("picky",))
        assert [(c.value, c.subject) for c in out[k].claims] == [(c.value, c.subject) for c in alone.claims]
        assert out[k].claims


def test_consistency_reads_the_analysis_s_own_clean_text(tmp_path):
    """The checks used to normalise the text again, joining the lines of a Word paragraph
    that the pipeline keeps apart (a soft line break): clauses then ran across the break
    and sentence spans mixed offsets of two different clean texts."""
    docx = pytest.importorskip("docx")
    from summaryscan.consistency import Context
    from summaryscan.pipeline import analyze_path

    d = docx.Document()
    d.add_paragraph("一、基本情况")
    p = d.add_paragraph()
    p.add_run("机关共有党员156名，其中在职")
    p.add_run().add_break()
    p.add_run("党员118名、离退休党员45名。")
    d.save(str(tmp_path / "a.docx"))
    a = analyze_path(str(tmp_path / "a.docx"))
    ctx = Context(a)
    assert ctx.text == a.clean_text
    for s in a.sentences:                      # every sentence's span is its own text
        cs, ce = ctx.sentence_clean_span(s)
        assert ctx.text[cs:ce] == s.text
    by_raw = {cc.claim.raw: pre for cc, pre in zip(ctx.cclaims, ctx.pre)}
    assert by_raw["118名"] == "党员"            # the clause starts at the line break, not before it
