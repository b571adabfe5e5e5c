"""Scanned pages and photos: ``.png .jpg .jpeg .tif .tiff .bmp``, read by OCR.

Each image is opened lazily and refused when it has more than
:data:`summaryscan.ingest.ocr.MAX_PIXELS` pixels (a decompression bomb: the header of
a 20,000 × 20,000 PNG is a few bytes); every frame of a multi-page TIFF is a page; EXIF
rotation is applied, 16-bit and transparent images are flattened, and a frame larger
than :data:`MAX_SIDE` pixels is scaled down (A4 at 300 DPI is 3,508). Each frame is
recognised by :func:`summaryscan.ingest.ocr.recognize` and the pages are joined as a
PDF's are (:func:`summaryscan.ingest.pdf.finish_ocr`): ``source`` ``ocr``, the mean
confidence in ``message``. ``--ocr never`` leaves images unread (``no_text``); without
the OCR extra they are ``unsupported`` with the package to install.
"""
from __future__ import annotations

import threading
from typing import Iterator

from . import ocr
from .ocr import MAX_PIXELS
from .pdf import finish_ocr, ocr_lines
from ..records import STATUS_ERROR, STATUS_NO_TEXT, STATUS_UNSUPPORTED, RawDocument
from ..registry import readers

#: File suffixes read as images.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
#: Decoded frames are scaled down to this longer side before OCR (A4 at 300 DPI is 3,508).
MAX_SIDE = 3600

_pil_lock = threading.Lock()


def open_image(path: str, name: str):
    """The image, opened lazily and checked for size; raises ValueError with a Chinese message."""
    from PIL import Image, UnidentifiedImageError
    try:
        with _pil_lock:                  # our own limit (below) replaces Pillow's, with a clearer message
            saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
            try:
                im = Image.open(path)
            finally:
                Image.MAX_IMAGE_PIXELS = saved
    except Image.DecompressionBombError as exc:
        raise ValueError(f"“{name}”像素数过大（{exc}），疑似解压炸弹，已跳过。") from None
    except UnidentifiedImageError:
        raise ValueError(f"“{name}”不是可识别的图片文件（可能已损坏或改了扩展名）。") from None
    w, h = im.size
    if w * h > MAX_PIXELS:
        im.close()
        raise ValueError(f"“{name}”图片过大（{w}×{h} 像素，超过 {MAX_PIXELS // 1_000_000} 百万像素的上限），"
                         f"疑似解压炸弹，已跳过；如确为扫描件，请以 300 DPI 左右重新扫描或缩小后再试。")
    return im


def frames(im, name: str) -> Iterator:
    """The frames of an open image as RGB or grey arrays with their DPI."""
    import numpy as np
    from PIL import Image, ImageOps, ImageSequence
    dpi = im.info.get("dpi", (0, 0))[0] or 0
    for frame in ImageSequence.Iterator(im):
        try:
            frame.load()
        except (OSError, SyntaxError, ValueError) as exc:
            raise ValueError(f"“{name}”图片数据损坏或不完整，无法解码（{exc}）。") from None
        f = ImageOps.exif_transpose(frame)
        if f.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
            a = np.asarray(f, dtype=np.float64)
            top = a.max() or 1.0
            f = Image.fromarray((a * (255.0 / top)).clip(0, 255).astype(np.uint8), "L")
        elif f.mode in ("RGBA", "LA", "PA") or (f.mode == "P" and "transparency" in f.info):
            rgba = f.convert("RGBA")
            f = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")
        elif f.mode not in ("L", "RGB"):
            f = f.convert("RGB")
        fdpi = float(dpi)
        side = max(f.size)
        if side > MAX_SIDE:
            k = MAX_SIDE / side
            f = f.resize((max(1, round(f.size[0] * k)), max(1, round(f.size[1] * k))), Image.LANCZOS)
            fdpi *= k
        if fdpi < 30:                   # no DPI recorded (or nonsense): take the page for A4
            fdpi = max(f.size) / 11.69
        yield np.asarray(f), fdpi


@readers.register("image", suffixes=IMAGE_SUFFIXES)
def read_image(rec: RawDocument) -> RawDocument:
    """Fill ``rec`` from a scanned page or photo by OCR."""
    name = rec.doc
    if ocr.settings.mode == "never":
        rec.status = STATUS_NO_TEXT
        rec.message = f"“{name}”是图片，未做 OCR（--ocr never），没有读取文字。"
        return rec
    if ocr.unavailable():
        rec.status = STATUS_UNSUPPORTED
        rec.message = ocr.missing_message(name)
        return rec
    pages: list[list] = []
    try:
        im = open_image(rec.path, name)
    except ValueError as exc:
        rec.status, rec.message = STATUS_ERROR, str(exc)
        return rec
    progress = ocr.Progress(name, getattr(im, "n_frames", 1) or 1)
    try:
        for k, (arr, dpi) in enumerate(frames(im, name)):
            pt = ocr.recognize(arr, dpi)
            pages.append(ocr_lines(pt, 72.0 / dpi, k))
            progress.step()
    except ValueError as exc:
        rec.status, rec.message = STATUS_ERROR, str(exc)
        return rec
    finally:
        progress.close()
        im.close()
    if not pages:
        rec.status, rec.message = STATUS_ERROR, f"“{name}”中没有图像帧，无法读取。"
        return rec
    return finish_ocr(rec, pages, list(range(len(pages))))


__all__ = ["IMAGE_SUFFIXES", "MAX_SIDE", "open_image", "frames", "read_image"]
