"""A CJK font for matplotlib, so Chinese chart labels render as Chinese.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs: labels come out
as empty boxes with a "Glyph ... missing from font" warning.  :func:`setup_cjk_font`
looks for an installed CJK font, first by family name among the fonts matplotlib
already knows, then by well-known file paths (Debian/Ubuntu, Fedora, macOS,
Windows), registering a file found by path with ``fontManager.addfont``.  It
puts the family first in ``font.sans-serif`` and turns off the Unicode minus
sign (which CJK fonts often lack).

When no CJK font is found it warns once, saying how to install one::

    apt-get install fonts-wqy-microhei
"""
from __future__ import annotations

import glob
import os
import warnings
from typing import Optional

# Family names, in order of preference.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans CJK JP",
    "Noto Sans SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Sans CN",
    "Source Han Sans", "SimHei", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB",
    "Heiti SC", "STHeiti", "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN",
)

# Files to try when matplotlib's font cache does not list one of the families.
CJK_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
CJK_GLOBS = ("/usr/share/fonts/**/*wqy*.tt[cf]", "/usr/share/fonts/**/*CJK*.tt[cf]",
             "/usr/share/fonts/**/*SourceHan*.[ot]t[cf]", "/usr/local/share/fonts/**/*CJK*.tt[cf]",
             os.path.expanduser("~/.local/share/fonts/**/*CJK*.tt[cf]"),
             os.path.expanduser("~/.fonts/**/*.tt[cf]"))

INSTALL_HINT = ("未找到中文字体，图表中的中文将显示为方框。请安装一种中文字体，例如："
                "apt-get install fonts-wqy-microhei（或 fonts-noto-cjk），然后重新运行。"
                " (No CJK font found: Chinese chart labels will show as boxes. "
                "Install one, e.g. `apt-get install fonts-wqy-microhei`.)")

_resolved: Optional[str] = None
_done = False
_warned = False


def _known_families() -> set[str]:
    from matplotlib import font_manager
    return {f.name for f in font_manager.fontManager.ttflist}


def _add_file(path: str) -> Optional[str]:
    """Register a font file with matplotlib; its family name, or None."""
    from matplotlib import font_manager
    try:
        font_manager.fontManager.addfont(path)
        return font_manager.FontProperties(fname=path).get_name()
    except Exception:  # unreadable or unsupported font file
        return None


def find_cjk_font() -> Optional[str]:
    """The family name of an installed CJK font (registered with matplotlib), or None."""
    known = _known_families()
    for fam in CJK_FAMILIES:
        if fam in known:
            return fam
    candidates = [p for p in CJK_FILES if os.path.isfile(p)]
    for pattern in CJK_GLOBS:
        candidates += sorted(glob.glob(pattern, recursive=True))
    for path in candidates:
        name = _add_file(path)
        if name and (name in CJK_FAMILIES or _covers_chinese(path)):
            return name
    return None


def _covers_chinese(path: str) -> bool:
    """Whether a font file has glyphs for a few common Chinese characters."""
    try:
        from matplotlib.ft2font import FT2Font
        font = FT2Font(path)
        return all(font.get_char_index(ord(ch)) for ch in "中文政治")
    except Exception:
        return False


def setup_cjk_font(warn: bool = True) -> Optional[str]:
    """Configure matplotlib for Chinese text; the family used, or None.

    Safe to call often: the search runs once per process.  Without a CJK font
    it warns once (``UserWarning``) with the install command.
    """
    global _resolved, _done, _warned
    import matplotlib
    if not _done:
        _resolved = find_cjk_font()
        _done = True
    if _resolved:
        current = list(matplotlib.rcParams.get("font.sans-serif", []))
        matplotlib.rcParams["font.sans-serif"] = [_resolved] + [f for f in current if f != _resolved]
        matplotlib.rcParams["font.family"] = "sans-serif"
    elif warn and not _warned:
        _warned = True
        warnings.warn(INSTALL_HINT, UserWarning, stacklevel=2)
    matplotlib.rcParams["axes.unicode_minus"] = False
    return _resolved


def reset_for_tests() -> None:
    """Forget the cached result (tests only)."""
    global _resolved, _done, _warned
    _resolved, _done, _warned = None, False, False
