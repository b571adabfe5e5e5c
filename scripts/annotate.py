"""Annotation helper for standoff labels on the shared corpus (see summaryscan.training.standoff).

    python scripts/annotate.py sources                         # every source and its length
    python scripts/annotate.py show SOURCE [START END]         # the text, each line led by its offset
    python scripts/annotate.py passage DIR ID TASK SOURCE START END   # register a passage (claims|sentences)
    python scripts/annotate.py sentences DIR ID                # the passage's sentences as JSON Lines to label
    python scripts/annotate.py resolve DIR FILE.jsonl          # string claims -> DIR/claims.jsonl (offsets)
    python scripts/annotate.py check DIR                       # validate DIR's labels, print counts

DIR holds passages.jsonl, claims.jsonl and sentences.jsonl of one batch of labels.
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from summaryscan.training import standoff as so  # noqa: E402

LABELS = {"政治型", "学习型", "高效型", "廉洁型", "活力型"}
KINDS = {"count", "percent", "money", "area", "duration", "other"}


def cmd_sources() -> None:
    for s in so.sources():
        print(f"{len(so.source_text(s)):>7}  {s}")


def cmd_show(source: str, start: int = 0, end: int = -1) -> None:
    text = so.source_text(source)
    end = len(text) if end < 0 else end
    pos = start
    for line in text[start:end].split("\n"):
        if line.strip():
            print(f"[{pos}] {line}")
        pos += len(line) + 1


def cmd_passage(folder: str, pid: str, task: str, source: str, start: int, end: int) -> None:
    text = so.source_text(source)
    if task not in ("claims", "sentences"):
        sys.exit("task must be claims or sentences")
    if not 0 <= start < end <= len(text):
        sys.exit(f"span out of range (text has {len(text)} characters)")
    if so.overlaps_gold(source, start, end):
        sys.exit("this span overlaps a passage of ../shared/gold-reports (a scoring set): choose another")
    rows = so.read_jsonl(os.path.join(folder, "passages.jsonl"))
    if any(r["id"] == pid for r in rows):
        sys.exit(f"passage id {pid} exists")
    for r in rows:
        if r["source"] == source and r["task"] == task and r["start"] < end and start < r["end"]:
            sys.exit(f"overlaps passage {r['id']}")
    rows.append({"id": pid, "source": source, "start": start, "end": end, "task": task})
    so.write_jsonl(os.path.join(folder, "passages.jsonl"), rows)
    print(f"{pid}: {end - start} characters")


def cmd_sentences(folder: str, pid: str) -> None:
    """The pipeline's own sentences of the passage (as coverage sees them), with offsets."""
    from summaryscan import analyze_text
    p = next(p for p in so.passages(None, folder) if p.id == pid)
    a = analyze_text(p.text, doc=f"{pid}.txt")
    for s in a.sentences:
        t = p.text[s.start:s.end].strip()
        if t:
            lead = len(p.text[s.start:s.end]) - len(p.text[s.start:s.end].lstrip())
            st = p.start + s.start + lead
            print(json.dumps({"passage": pid, "start": st, "end": st + len(t), "text": t, "labels": []},
                             ensure_ascii=False))


def cmd_resolve(folder: str, path: str) -> None:
    ps = {p.id: p for p in so.passages(None, folder)}
    out = so.read_jsonl(os.path.join(folder, "claims.jsonl"))
    done = {(r["passage"], r["start"]) for r in out}
    bad = 0
    for i, ann in enumerate(so.read_jsonl(path), 1):
        try:
            p = ps[ann["passage"]]
            row = so.resolve_claim(p, ann)
        except (KeyError, so.Unplaceable) as exc:
            bad += 1
            print(f"line {i}: {exc}: {ann}", file=sys.stderr)
            continue
        if (row["passage"], row["start"]) in done:
            continue
        done.add((row["passage"], row["start"]))
        out.append(row)
    out.sort(key=lambda r: (r["passage"], r["start"]))
    so.write_jsonl(os.path.join(folder, "claims.jsonl"), out)
    print(f"{len(out)} claims in {folder}; {bad} could not be placed")
    if bad:
        sys.exit(1)


def cmd_check(folder: str) -> None:
    ps = {p.id: p for p in so.passages(None, folder)}
    problems, n_claims, n_sent = [], 0, 0
    for r in so.read_jsonl(os.path.join(folder, "claims.jsonl")):
        n_claims += 1
        p = ps.get(r["passage"])
        if p is None or not p.start <= r["start"] < r["end"] <= p.end:
            problems.append(f"claim outside its passage: {r}")
        if r["kind"] not in KINDS:
            problems.append(f"bad kind: {r}")
        if not isinstance(r["value"], (int, float)):
            problems.append(f"bad value: {r}")
    for r in so.read_jsonl(os.path.join(folder, "sentences.jsonl")):
        n_sent += 1
        if not set(r["labels"]) <= LABELS:
            problems.append(f"bad labels: {r}")
        p = ps.get(r["passage"])
        if p is None or not p.start <= r["start"] < r["end"] <= p.end:
            problems.append(f"sentence outside its passage: {r}")
    for p in ps.values():
        if so.overlaps_gold(p.source, p.start, p.end):
            problems.append(f"passage {p.id} overlaps gold-reports")
    print(f"{len(ps)} passages, {n_claims} claims, {n_sent} sentences; {len(problems)} problems")
    for pr in problems[:50]:
        print("  " + pr)


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "sources":
        cmd_sources()
    elif cmd == "show":
        cmd_show(args[0], *map(int, args[1:3]))
    elif cmd == "passage":
        cmd_passage(args[0], args[1], args[2], args[3], int(args[4]), int(args[5]))
    elif cmd == "sentences":
        cmd_sentences(args[0], args[1])
    elif cmd == "resolve":
        cmd_resolve(args[0], args[1])
    elif cmd == "check":
        cmd_check(args[0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
