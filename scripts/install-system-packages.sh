#!/usr/bin/env bash
# System packages from Debian's registry: Chromium (headless browser tests of the dashboards), a CJK
# font (so pages and PDFs without embedded fonts render Chinese, and screenshots are legible),
# LibreOffice Writer without its GUI (converts legacy .doc/.wps reports; ~10 s to install, 50
# packages), LibreOffice Calc without its GUI (the findings workbook saved as LibreOffice and WPS
# users save it, in the round-trip test of `gongkai cases import`) and Tesseract with chi_sim (the
# OCR engine comparison). Needs root (CI runs as root).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need+=(fonts-wqy-zenhei)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
# Tesseract with its Simplified Chinese model: the second OCR engine measured against PP-OCRv4 in
# docs/ocr.md (`gongkai bench ocr`); the reader itself uses PP-OCRv4 from the Python wheel.
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
tesseract --list-langs 2>/dev/null | grep -qx chi_sim || need+=(tesseract-ocr-chi-sim)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-packages: need root to apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
