"""Child process of bench/run.py: ``jieba.lcut`` over the texts of a list of files, as a process.

The reference of the end-to-end rows. Reads the files (UTF-8, not timed apart), then
times, each on its own: ``import jieba``, loading its dictionary (``jieba.initialize()``,
from jieba's own cache file) and one pass of ``jieba.lcut`` (default mode, HMM on) over
the texts. The whole process's wall time is measured by the parent (``proctree.measure``).
Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", required=True, help="JSON file: list of paths")
    a = ap.parse_args()
    with open(a.files, encoding="utf-8") as fh:
        files = json.load(fh)
    texts = []
    for f in files:
        with open(f, encoding="utf-8-sig") as fh:
            texts.append(fh.read())
    t = time.perf_counter()
    import jieba
    jieba.setLogLevel(60)
    t_import = time.perf_counter() - t
    t = time.perf_counter()
    jieba.initialize()
    t_dict = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    words = 0
    for text in texts:
        words += len(jieba.lcut(text))
    print(json.dumps({"files": len(files), "bytes": sum(len(x.encode("utf-8")) for x in texts),
                      "chars": sum(map(len, texts)), "words": words, "import_s": t_import, "dictionary_s": t_dict,
                      "lcut_s": time.perf_counter() - t, "lcut_cpu_s": time.process_time() - c}))


if __name__ == "__main__":
    main()
