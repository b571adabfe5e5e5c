"""Scans made from text, for the OCR tests and ``bench/ocr.py``: pages laid out like an
official document (GB/T 9704: A4, 16 pt body, 22 lines of 28 characters, page number
``- N -`` at the foot), rendered with the CJK font at a given DPI, then optionally sealed
(a red 公章 printed over the text), tilted, greyed and noised like a scanner or a phone.

Everything is generated here: no fixture file is stored.
"""
from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
MM = 1 / 25.4                           # inches per millimetre
A4_MM = (210, 297)
MARGINS_MM = (37, 28, 35, 26)           # top, left, bottom, right
BODY_PT, TITLE_PT, FOOT_PT = 16, 22, 14
LINES_PER_PAGE = 22

# a line may not start with these (they hang at the end of the line before)
_NO_START = set("，。、；：？！”’）》」』】,.;:?!)%")


@dataclass
class PageLayout:
    number: int
    lines: list[tuple[str, float, float, float]] = field(default_factory=list)   # text, x_mm, y_mm, size_pt

    @property
    def text(self) -> str:
        """The page's text as printed (the page number excluded), one line per line."""
        return "\n".join(t for t, *_ in self.lines)


def _font(size_px: float, path: str = CJK_FONT):
    from PIL import ImageFont
    return ImageFont.truetype(path, max(6, int(round(size_px))))


def _wrap(text: str, width_mm: float, size_pt: float, indent_chars: int, font_path: str) -> list[str]:
    """Break a paragraph into lines of at most ``width_mm`` (a hanging punctuation mark may overrun)."""
    scale = 10.0                        # measure at 10 px per mm
    f = _font(size_pt / 72 * 25.4 * scale, font_path)
    limit = width_mm * scale
    em = size_pt / 72 * 25.4 * scale
    lines, cur, w = [], "", indent_chars * em
    for ch in text:
        cw = f.getlength(ch)
        if cur and w + cw > limit and ch not in _NO_START:
            lines.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    if cur:
        lines.append(cur)
    return lines


def layout(text: str, font_path: str = CJK_FONT, title: bool = True, lines_per_page: int = LINES_PER_PAGE
           ) -> list[PageLayout]:
    """Lay ``text`` out on A4 pages: the first line as a centred title (when ``title``),
    every other non-empty line a paragraph with a two-character indent; at most
    ``lines_per_page`` lines of the standard pitch on a page."""
    top, left, bottom, right = MARGINS_MM
    body_w = A4_MM[0] - left - right
    pitch = (A4_MM[1] - top - bottom) / LINES_PER_PAGE
    bottom = A4_MM[1] - top - pitch * lines_per_page
    paras = [p.strip().replace("\u3000", "").replace("\xa0", " ") for p in text.splitlines()]
    paras = [p for p in paras if p]
    pages: list[PageLayout] = [PageLayout(1)]
    y = top
    first = True
    for p in paras:
        is_title = title and first
        first = False
        size = TITLE_PT if is_title else BODY_PT
        em_mm = size / 72 * 25.4
        for k, ln in enumerate(_wrap(p, body_w, size, 0 if is_title else 2, font_path)):
            if y + pitch > A4_MM[1] - bottom + 1e-6:
                pages.append(PageLayout(len(pages) + 1))
                y = top
            if is_title:
                w = _font(size / 72 * 25.4 * 10, font_path).getlength(ln) / 10
                x = left + (body_w - w) / 2
            else:
                x = left + (2 * em_mm if k == 0 else 0)
            pages[-1].lines.append((ln, x, y, size))
            y += pitch * (1.5 if is_title else 1)
    return pages


def render(page: PageLayout, dpi: int, font_path: str = CJK_FONT, ink: int = 0, paper: int = 255,
           page_number: bool = True):
    """The page as a greyscale PIL image at ``dpi``."""
    from PIL import Image, ImageDraw
    px = dpi * MM
    img = Image.new("L", (round(A4_MM[0] * px), round(A4_MM[1] * px)), paper)
    d = ImageDraw.Draw(img)
    for text, x, y, size in page.lines:
        d.text((x * px, y * px), text, font=_font(size / 72 * dpi, font_path), fill=ink)
    if page_number:
        f = _font(FOOT_PT / 72 * dpi, font_path)
        label = f"- {page.number} -"
        d.text(((A4_MM[0] * px - f.getlength(label)) / 2, (A4_MM[1] - 25) * px), label, font=f, fill=ink)
    return img


def add_seal(img, center_mm: tuple[float, float], dpi: int, text: str = "印章测试专用单位", bottom: str = "公章",
             diameter_mm: float = 42, font_path: str = CJK_FONT, colour=(214, 32, 40)):
    """A round red seal (ring, text round the top, star, text below it) printed over ``img``
    like ink: multiplied, so the black text under it stays black. Returns an RGB image."""
    from PIL import Image, ImageChops, ImageDraw
    px = dpi * MM
    base = img.convert("RGB")
    layer = Image.new("L", base.size, 0)           # seal coverage 0..255
    d = ImageDraw.Draw(layer)
    cx, cy = center_mm[0] * px, center_mm[1] * px
    r = diameter_mm / 2 * px
    ring = max(2, round(1.2 * px))
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=ring)
    # star
    rs = r * 0.28
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = rs if k % 2 == 0 else rs * 0.4
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    d.polygon(pts, fill=255)
    # text round the top: each character rotated to face the centre
    size = round(r * 0.26)
    f = _font(size, font_path)
    n = len(text)
    span = math.radians(220)
    for k, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (k + 0.5) / n
        tile = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(tile).text((size * 0.5, size * 0.5), ch, font=f, fill=255)
        tile = tile.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
        rr = r - ring - size * 0.75
        x, y = cx + rr * math.cos(a) - size, cy + rr * math.sin(a) - size
        layer.paste(255, (round(x), round(y)), tile)
    if bottom:
        fb = _font(round(r * 0.2), font_path)
        w = fb.getlength(bottom)
        d.text((cx - w / 2, cy + r * 0.38), bottom, font=fb, fill=255)
    ink = Image.new("RGB", base.size, colour)
    white = Image.new("RGB", base.size, (255, 255, 255))
    stamp = Image.composite(ink, white, layer.point(lambda v: int(v * 0.9)))
    return ImageChops.multiply(base, stamp)


def tilt(img, degrees: float):
    """Rotate by ``degrees`` (counter-clockwise), filling with the paper colour."""
    from PIL import Image
    fill = 255 if img.mode == "L" else (255, 255, 255)
    return img.rotate(degrees, resample=Image.BICUBIC, expand=False, fillcolor=fill)


def photo(img, seed: int = 0):
    """Like a phone photo of the page: grey uneven paper, softer ink, a little blur and noise.
    Returns a greyscale image."""
    import numpy as np
    from PIL import Image, ImageFilter
    g = np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    h, w = g.shape
    yy, xx = np.mgrid[0:h, 0:w]
    light = 0.78 + 0.12 * (xx / w) - 0.08 * ((yy / h - 0.4) ** 2)        # uneven lighting
    paper, ink = light * 0.95, 0.22
    out = ink + (paper - ink) * g
    rng = np.random.default_rng(seed)
    out += rng.normal(0, 0.025, out.shape)
    out = np.clip(out * 255, 0, 255).astype(np.uint8)
    return Image.fromarray(out, "L").filter(ImageFilter.GaussianBlur(0.7))


def scanner_noise(img, seed: int = 0, amount: float = 6.0):
    """Light sensor noise on a rendered page (a flatbed scan), keeping the mode."""
    import numpy as np
    from PIL import Image
    a = np.asarray(img, dtype=np.float32)
    rng = np.random.default_rng(seed)
    a = np.clip(a + rng.normal(0, amount, a.shape), 0, 255).astype(np.uint8)
    return Image.fromarray(a, img.mode)


def degrade(img, level: int, dpi: int, seed: int = 0):
    """A poor copy of the page (``level`` 1-3): faded ink on grey paper, blur, resolution
    lost (fax- or phone-like), noise. Returns a greyscale image of the same size."""
    import numpy as np
    from PIL import Image, ImageFilter
    ink, paper, blur, low_dpi, sigma = {1: (60, 215, 1.0, 150, 12), 2: (90, 200, 1.4, 100, 20),
                                        3: (115, 190, 1.8, 72, 30)}[level]
    g = img.convert("L")
    w, h = g.size
    k = low_dpi / dpi
    g = g.resize((max(1, round(w * k)), max(1, round(h * k))), Image.BILINEAR).resize((w, h), Image.BILINEAR)
    a = np.asarray(g.filter(ImageFilter.GaussianBlur(blur)), dtype=np.float32) / 255.0
    a = ink + (paper - ink) * a + np.random.default_rng(seed).normal(0, sigma, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def save_pdf(images: Iterable, path: str, dpi: int) -> str:
    """Images as the pages of an image-only PDF (no text layer), ``dpi`` giving the page size."""
    images = [im.convert("RGB") if im.mode not in ("L", "RGB") else im for im in images]
    first, rest = images[0], images[1:]
    first.save(path, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return path


def scan_pages(text: str, dpi: int, font_path: str = CJK_FONT, seed: int = 0, noise: bool = True,
               title: bool = True, lines_per_page: int = LINES_PER_PAGE) -> tuple[list, list[PageLayout]]:
    """``text`` laid out and rendered at ``dpi`` (with light scanner noise): (images, layouts)."""
    pages = layout(text, font_path, title=title, lines_per_page=lines_per_page)
    imgs = [render(p, dpi, font_path) for p in pages]
    if noise:
        imgs = [scanner_noise(im, seed + k) for k, im in enumerate(imgs)]
    return imgs, pages


def font_available(path: Optional[str] = None) -> bool:
    return os.path.exists(path or CJK_FONT)


def claim_keys(a) -> Counter:
    """The claims of an analysis as (value, unit, hedge): what a scan or a conversion must keep."""
    return Counter((round(c.value, 6), c.unit, c.approx or "") for c in a.claims)


def f1(got, want) -> float:
    """F1 of two multisets of claim keys."""
    tp = sum((got & want).values())
    if not tp:
        return 0.0
    p, r = tp / sum(got.values()), tp / sum(want.values())
    return 2 * p * r / (p + r)
