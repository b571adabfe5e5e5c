#!/usr/bin/env bash
# One-time set-up on a fresh machine: a virtualenv with summaryscan and its test
# tools, and a CJK font so charts and generated PDFs show Chinese. Idempotent.
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
# Headless Chromium for the browser test of the HTML report (Debian package; root only).
if [ "${SUMMARYSCAN_NO_BROWSER:-}" = "" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing chromium for the browser test..."
    (apt-get install -y -qq chromium >/dev/null 2>&1 || \
      (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) || \
      echo "warning: could not install chromium; the browser test will be skipped" >&2
  fi
fi
