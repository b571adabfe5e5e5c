"""summaryscan: structure, numeric claims, framework coverage and consistency of Chinese
work summaries and research reports submitted for model-agency accreditation.

    import summaryscan as ss
    c = ss.read(["corpus/"])
    c.documents, c.sections, c.claims          # pandas DataFrames
    r = c.check("five-types"); r.coverage, r.findings
"""
from .api import CheckResult, Corpus, Document, read, read_texts
from .pipeline import PIPELINE_VERSION, analyze_path, analyze_text

__version__ = "0.1.0"
__all__ = ["read", "read_texts", "Corpus", "Document", "CheckResult", "analyze_path", "analyze_text",
           "PIPELINE_VERSION", "__version__"]
