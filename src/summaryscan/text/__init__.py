"""The language layer: what the package knows about Chinese official text.

The counterpart of spaCy's ``lang/zh``. Every other module is a client of it:

===============  ==========================================================================
``normalize``    clean text with a map both ways to the extracted text (:class:`Normalized`)
``segment``      jieba with the domain dictionary; POS tokens of short windows
``lattice``      the same words for many stretches of a text at once, in array operations
``numerals``     Arabic, full-width and Chinese numerals, both ways
``headings``     the heading grammar (一、 （一） 1. （1） 一是)
``patterns``     numeral and punctuation classes, years and dates, the alternation helper
``lexicon``      loading the word lists and cues kept as data in ``summaryscan/lexicon``
===============  ==========================================================================
"""
from .normalize import Normalized, normalize, normalize_document, translate, translation_table

__all__ = ["Normalized", "normalize", "normalize_document", "translate", "translation_table"]
