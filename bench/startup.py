"""Child process of bench/run.py: what the CLI does before its first document, step by step.

In a fresh interpreter, timed apart: importing the CLI (``summaryscan.cli``, which brings the
pipeline: every module a batch needs), reading the segmentation lexicon from its cache
(``segment.dictionary()``), and the rest of what the first document loads (lexicon files,
models) by :func:`summaryscan.runner.warm_up`, which analyses a short text. The sum, plus
the interpreter's own start (measured by the parent), is the time before the first
document of ``summaryscan extract``. Prints one JSON object.
"""
from __future__ import annotations

import json
import time
from importlib import import_module


def main() -> None:
    t = time.perf_counter()
    import_module("summaryscan.cli")
    t_import = time.perf_counter() - t
    from summaryscan import runner
    from summaryscan.text import segment
    t = time.perf_counter()
    segment.dictionary()
    t_lexicon = time.perf_counter() - t
    t = time.perf_counter()
    runner.warm_up()
    t_warm = time.perf_counter() - t
    print(json.dumps({"import_s": t_import, "lexicon_s": t_lexicon, "first_document_loads_s": t_warm}))


if __name__ == "__main__":
    main()
