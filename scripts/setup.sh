#!/usr/bin/env bash
# One-time set-up on a fresh machine: a virtualenv with summaryscan, its OCR extra and
# its test tools, a CJK font so charts and generated PDFs show Chinese, and LibreOffice
# for .doc/.wps files. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  rm -f .venv/.installed-*; touch "$stamp"
fi
# OpenCV (pulled in by the OCR extra) needs libGL and GLib from the system.
if ! .venv/bin/python -c "import cv2" >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get install -y -qq libgl1 libglib2.0-0 >/dev/null 2>&1 || \
    (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libgl1 libglib2.0-0 >/dev/null 2>&1)) || \
    echo "warning: could not install libgl1; OCR will be unavailable" >&2
fi
# A CJK font (WenQuanYi Micro Hei) for matplotlib charts and test PDFs.
if ! fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk\|noto serif cjk"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing a CJK font (fonts-wqy-microhei)..."
    (apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || \
      (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1)) || \
      echo "warning: could not install fonts-wqy-microhei; charts may show boxes for Chinese" >&2
  else
    echo "note: no CJK font found; install fonts-wqy-microhei (or Noto Sans CJK) for Chinese charts" >&2
  fi
fi
# LibreOffice (headless) converts .doc/.wps/.rtf/.odt to .docx (Debian package; root only).
if [ "${SUMMARYSCAN_NO_LIBREOFFICE:-}" = "" ] && ! command -v soffice >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing LibreOffice Writer (headless) for .doc/.wps/.rtf/.odt..."
    (apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null 2>&1 || \
      (apt-get update -qq >/dev/null 2>&1 && \
       apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null 2>&1)) || \
      echo "warning: could not install libreoffice-writer-nogui; .doc/.wps files will be 'unsupported'" >&2
  else
    echo "note: install libreoffice-writer-nogui (apt-get) to read .doc/.wps/.rtf/.odt files" >&2
  fi
fi
# Headless Chromium for the browser test of the HTML report (Debian package; root only).
if [ "${SUMMARYSCAN_NO_BROWSER:-}" = "" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing chromium for the browser test..."
    (apt-get install -y -qq chromium >/dev/null 2>&1 || \
      (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) || \
      echo "warning: could not install chromium; the browser test will be skipped" >&2
  fi
fi
# jieba's dictionary with the domain words, as the compact cache segmentation reads
# (~/.cache/summaryscan; built on first use otherwise).
.venv/bin/python -c "from summaryscan.text import segment; segment.dictionary()" || \
  echo "warning: could not build the segmentation cache now; it is built on first use" >&2
