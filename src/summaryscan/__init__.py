"""summaryscan: structure, numeric claims, framework coverage and consistency of Chinese
work summaries and research reports submitted for model-agency accreditation.

    import summaryscan as ss
    c = ss.read(["corpus/"])
    c.documents, c.sections, c.claims          # pandas DataFrames
    r = c.check("five-types"); r.coverage, r.findings
"""
from .pipeline import PIPELINE_VERSION, analyze_path, analyze_text

__version__ = "0.1.0"
__all__ = ["read", "read_texts", "Corpus", "Document", "CheckResult", "analyze_path", "analyze_text",
           "PIPELINE_VERSION", "__version__"]

_API = ("read", "read_texts", "Corpus", "Document", "CheckResult")


def __getattr__(name: str):
    # the research API (and pandas) is imported on first use: the CLI and its workers do not need it
    if name in _API:
        from . import api
        return getattr(api, name)
    raise AttributeError(f"module 'summaryscan' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
