"""Charts of the screen report (matplotlib, Agg, no pyplot state): ``DIR/charts/*.png``.

* ``coverage_heatmap.png`` — submissions × framework dimensions, coverage 0..1
* ``claims_density.png``   — numeric claims per 1,000 characters, per submission
* ``findings_by_code.png`` — findings per code, stacked by severity
* ``similarity.png``       — pairs of submissions sharing copied passages (when given): any
  share of copied text is coloured, from light to dark red in steps, and a pair flagged
  TEMPLATE_COPY is outlined, so a copied passage is seen at a glance even when it is a
  small part of both texts

Chinese labels need a CJK font: :func:`summaryscan.report.fonts.setup_cjk_font`.
Large batches are cut to the ``MAX_ROWS`` best-ranked (or densest) submissions,
which the chart's title says.
"""
from __future__ import annotations

import os
from collections import Counter
from typing import Any, Optional

from .fonts import setup_cjk_font

MAX_ROWS = 60
CHART_FILES = ("coverage_heatmap.png", "claims_density.png", "findings_by_code.png", "similarity.png")
# share of a document's text inside passages copied with another: bins and their colours
SIMILARITY_BINS = (0.0, 1e-9, 0.02, 0.05, 0.10, 0.25, 0.5, 1.0)
SIMILARITY_COLOURS = ("#ffffff", "#fca5a5", "#f87171", "#ef4444", "#dc2626", "#b91c1c", "#7f1d1d")
SEV_COLOURS = {"high": "#c81e1e", "medium": "#e59a1a", "low": "#9aa5b1"}


def _figure(w: float, h: float):
    from matplotlib.figure import Figure
    setup_cjk_font()
    fig = Figure(figsize=(w, h), dpi=110)
    return fig


def _grid(ax, data, cmap):
    """A heatmap of ``data`` (0..1), row 0 on top, cell (i, j) centred on (j, i).

    Drawn as quads (``pcolormesh``), not as an image: ``imshow`` resamples to the
    figure's pixels in floating point, hundreds of MB for a 60 x 60 chart.
    """
    import numpy as np
    rows, cols = data.shape
    im = ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, data, cmap=cmap, vmin=0, vmax=1)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    return im


def _save(fig, path: str) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp.png"
    fig.savefig(tmp, format="png", bbox_inches="tight", facecolor="white")
    os.replace(tmp, path)
    return path


def short_label(row: dict, n: int = 16) -> str:
    """A short name for a submission on an axis: its unit, else its title, else the file name."""
    base = row.get("unit") or row.get("title") or os.path.splitext(row.get("doc", ""))[0]
    return base if len(base) <= n else base[: n - 1] + "…"


def _labels(rows: list[dict]) -> list[str]:
    labels = [short_label(r) for r in rows]
    seen: Counter = Counter(labels)
    count: Counter = Counter()
    out = []
    for lab in labels:
        if seen[lab] > 1:
            count[lab] += 1
            lab = f"{lab}（{count[lab]}）"
        out.append(lab)
    return out


def coverage_heatmap(rows: list[dict], dims: list[str], path: str) -> Optional[str]:
    import numpy as np
    ok = [r for r in rows if r["status"] == "ok"]
    if not ok or not dims:
        return None
    ok.sort(key=lambda r: (r.get("rank") is None, r.get("rank") or 0))
    note = ""
    if len(ok) > MAX_ROWS:
        note = f"（共{len(ok)}份，显示得分前{MAX_ROWS}份）"
        ok = ok[:MAX_ROWS]
    data = np.array([[r["dims"].get(d, 0.0) for d in dims] for r in ok])
    h = max(2.6, 0.34 * len(ok) + 1.4)
    fig = _figure(max(6.0, 1.0 * len(dims) + 3.6), h)
    ax = fig.add_subplot(111)
    from matplotlib.colors import LinearSegmentedColormap
    cmap = LinearSegmentedColormap.from_list("cov", ["#f8cbcb", "#fde6a3", "#a7e2bb"])
    im = _grid(ax, data, cmap)
    ax.set_xticks(range(len(dims)), labels=dims)
    ax.set_yticks(range(len(ok)), labels=_labels(ok))
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    if len(ok) <= 40:
        for i in range(len(ok)):
            for j in range(len(dims)):
                ax.text(j, i, f"{data[i, j]:.2f}", ha="center", va="center", fontsize=8, color="#1f2933")
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title("维度覆盖得分" + note, fontsize=11, pad=24, loc="left")
    fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02)
    return _save(fig, path)


def density_bar(rows: list[dict], path: str) -> Optional[str]:
    ok = [r for r in rows if r["status"] == "ok"]
    if not ok:
        return None
    ok.sort(key=lambda r: -r.get("density", 0.0))
    note = ""
    if len(ok) > MAX_ROWS:
        note = f"（共{len(ok)}份，显示前{MAX_ROWS}份）"
        ok = ok[:MAX_ROWS]
    vals = [r.get("density", 0.0) for r in ok]
    mean = sum(vals) / len(vals)
    fig = _figure(7.0, max(2.6, 0.3 * len(ok) + 1.2))
    ax = fig.add_subplot(111)
    y = list(range(len(ok)))
    ax.barh(y, vals, color="#3b82f6", height=0.65)
    ax.set_yticks(y, labels=_labels(ok))
    ax.invert_yaxis()
    ax.axvline(mean, color="#6b7280", linestyle="--", linewidth=1)
    ax.text(mean, -0.7, f" 平均 {mean:.1f}", color="#4b5563", fontsize=8, va="bottom")
    for yi, v in zip(y, vals):
        ax.text(v, yi, f" {v:.1f}", va="center", fontsize=8)
    ax.set_xlabel("每千字数据声明数")
    ax.set_xlim(0, max(vals + [1.0]) * 1.15)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title("用数据说话：每千字数据声明数" + note, fontsize=11, loc="left")
    return _save(fig, path)


def findings_by_code(counts: dict, path: str, by_severity: Optional[dict] = None) -> Optional[str]:
    """Bar chart of findings per code. ``by_severity``: {code: {severity: n}} for stacking."""
    from .html import CODE_ZH
    counts = {k: v for k, v in counts.items() if v}
    if not counts:
        return None
    codes = sorted(counts, key=lambda c: -counts[c])
    labels = [f"{CODE_ZH.get(c, c)}\n{c}" for c in codes]
    fig = _figure(7.0, max(2.4, 0.45 * len(codes) + 1.2))
    ax = fig.add_subplot(111)
    y = list(range(len(codes)))
    if by_severity:
        left = [0] * len(codes)
        for sev in ("high", "medium", "low"):
            vals = [by_severity.get(c, {}).get(sev, 0) for c in codes]
            if any(vals):
                ax.barh(y, vals, left=left, color=SEV_COLOURS[sev], height=0.6,
                        label={"high": "高", "medium": "中", "low": "低"}[sev])
                left = [a + b for a, b in zip(left, vals)]
        ax.legend(title="严重程度", fontsize=8, title_fontsize=8, loc="lower right", frameon=False)
    else:
        ax.barh(y, [counts[c] for c in codes], color="#e59a1a", height=0.6)
    for yi, c in zip(y, codes):
        ax.text(counts[c], yi, f" {counts[c]}", va="center", fontsize=8)
    ax.set_yticks(y, labels=labels, fontsize=8)
    pad = max(0.0, (4 - len(codes)) / 2)        # few codes: keep bars as thin as with four
    ax.set_ylim(len(codes) - 0.5 + pad, -0.5 - pad)
    ax.set_xlim(0, max(counts.values()) * 1.15 + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("问题数（同一问题多处出现计一次）")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title("问题类型分布", fontsize=11, loc="left")
    return _save(fig, path)


def similarity_heatmap(similarity: Any, path: str, rows: Optional[list[dict]] = None,
                       flagged: Optional[set] = None) -> Optional[str]:
    """``similarity``: an object with ``docs`` (doc ids) and a square ``matrix`` (0..1), a dict
    with those keys (and ``total``, the run's size, when the matrix holds only its top rows),
    or a ``(docs, matrix)`` tuple as :func:`summaryscan.similarity.similarity_matrix` gives.
    ``flagged``: (doc, other doc) pairs with a TEMPLATE_COPY finding, outlined."""
    import numpy as np
    total = None                 # documents in the run, when the matrix holds only its top rows
    if isinstance(similarity, tuple) and len(similarity) == 2:    # similarity.similarity_matrix() result
        docs, matrix = list(similarity[0]), similarity[1]
    elif isinstance(similarity, dict):
        docs, matrix = list(similarity.get("docs") or []), similarity.get("matrix")
        total = similarity.get("total")
    else:
        docs = list(getattr(similarity, "docs", None) or [])
        matrix = getattr(similarity, "matrix", None)
    if matrix is None or not docs:
        return None
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] != len(docs) or len(docs) < 2:
        return None
    by_doc = {r["doc"]: r for r in rows or []}
    note = ""
    if len(docs) > MAX_ROWS:   # keep the documents with the highest off-diagonal similarity
        total = total or len(by_doc) or len(docs)
        off = m.copy()
        np.fill_diagonal(off, 0)
        keep = np.argsort(-off.max(axis=1))[:MAX_ROWS]
        keep.sort()
        m = m[np.ix_(keep, keep)]
        docs = [docs[i] for i in keep]
    if total and total > len(docs):
        note = f"（共{total}份，显示最相似的{len(docs)}份）"
    labels = _labels([by_doc.get(d, {"doc": d}) for d in docs])
    n = len(docs)
    size = max(4.5, 0.36 * n + 2.4)
    fig = _figure(size + 1.2, size)
    ax = fig.add_subplot(111)
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Rectangle
    shown = m.copy()
    np.fill_diagonal(shown, np.nan)           # a document with itself: grey
    # steps, not a linear scale: a passage copied is 2-10 % of a text, which a 0..1 scale
    # would paint near-white; here any copied share is clearly red
    cmap = ListedColormap(SIMILARITY_COLOURS).with_extremes(bad="#e5e7eb")
    norm = BoundaryNorm(SIMILARITY_BINS, cmap.N)
    rows_n, cols_n = shown.shape
    im = ax.pcolormesh(np.arange(cols_n + 1) - 0.5, np.arange(rows_n + 1) - 0.5, np.ma.masked_invalid(shown),
                       cmap=cmap, norm=norm, edgecolors="#f3f4f6", linewidth=0.5)
    ax.set_xlim(-0.5, cols_n - 0.5)
    ax.set_ylim(rows_n - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(n), labels=labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(n), labels=labels, fontsize=8)
    pairs = {(a, b) for a, b in (flagged or ())} | {(b, a) for a, b in (flagged or ())}
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            if (docs[i], docs[j]) in pairs:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#111827", linewidth=1.6))
            if n <= 20 and m[i, j] > 0:
                ax.text(j, i, f"{m[i, j]:.0%}" if m[i, j] >= 0.01 else "<1%", ha="center", va="center", fontsize=7,
                        color="white" if m[i, j] > 0.05 else "#1f2933")
    ax.tick_params(length=0)
    ax.set_title("成段雷同的材料对（有颜色即有雷同段落；数字为雷同段落占该行材料全文的比例）" + note,
                 fontsize=10, loc="left")
    bar = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, ticks=SIMILARITY_BINS)
    bar.ax.set_yticklabels(["无", "有雷同"] + [f"{b:.0%}" for b in SIMILARITY_BINS[2:]], fontsize=7)
    return _save(fig, path)


def draw_all(folder: str, rows: list[dict], dims: list[str], code_counts: dict,
             similarity: Any = None, by_severity: Optional[dict] = None,
             flagged: Optional[set] = None) -> list[tuple[str, str]]:
    """Draw every chart that has data; (path, caption) pairs."""
    out = []
    for fn, name, cap in ((lambda p: coverage_heatmap(rows, dims, p), "coverage_heatmap.png",
                           "各材料在框架各维度上的覆盖得分（0–1，越绿越充分）"),
                          (lambda p: density_bar(rows, p), "claims_density.png",
                           "每千字数据声明数（虚线为平均值）"),
                          (lambda p: findings_by_code(code_counts, p, by_severity), "findings_by_code.png",
                           "各类问题的个数（按严重程度分色；同一问题多处出现计一次）"),
                          (lambda p: similarity_heatmap(similarity, p, rows, flagged) if similarity is not None
                           else None,
                           "similarity.png", "成段雷同的材料对：有颜色即发现雷同段落，黑框为已列入问题清单的雷同")):
        path = fn(os.path.join(folder, name))
        if path:
            out.append((path, cap))
    return out
