"""Reporters: what a run writes for its users, registered in :data:`summaryscan.registry.reporters`.

A reporter is made with ``reporter(out_dir, **options)``, takes each result of the batch
driver with ``add(result)`` and finishes with ``close(ok) -> str`` (a one-line summary;
after a failure, ``ok`` is False and it removes what it had not published):

=========  ===============================================================
``tables``  documents, sections, claims (+ coverage, findings) as CSV or JSON Lines
``screen``  the reviewer report: index.html, one page per document, report.xlsx, charts
=========  ===============================================================
"""
from __future__ import annotations

from typing import Iterable


def drive(reporter, results: Iterable) -> str:
    """Feed a batch's results to a reporter and close it; returns its summary line. After a
    failure the reporter discards what it wrote and the exception goes on."""
    ok = False
    try:
        for r in results:
            reporter.add(r)
        ok = True
    finally:
        summary = reporter.close(ok)
    return summary
