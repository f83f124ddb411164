#!/usr/bin/env bash
# Installs what Leakscope needs to build (`setup.sh run`) or to test
# (`setup.sh test`), skipping whatever is already there. System packages come
# from apt, with sudo when not root; Go tools go to ./bin.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-run}
pkgs=(gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
      libxinerama-dev libxi-dev libxxf86vm-dev)
if [ "$mode" = test ]; then
  # xvfb, imagemagick and xdotool drive the real window in the end-to-end
  # tests, and tesseract reads text off its screenshots; jemalloc's packages bring jeprof, the reference for heap_v2 dumps.
  # desktop-file-utils, xdg-utils, libfile-mimeinfo-perl, shared-mime-info
  # and libglib2.0-bin (gio) check the desktop integration of `make install`.
  # libc6-dbg gives libc's frames names, for Leakscope and jeprof alike.
  pkgs+=(xvfb imagemagick xdotool tesseract-ocr tesseract-ocr-eng libjemalloc-dev libjemalloc2 binutils libc6-dbg
         desktop-file-utils xdg-utils libfile-mimeinfo-perl shared-mime-info libglib2.0-bin)
fi

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then
    export PATH=/usr/local/go/bin:$PATH
  else
    echo "setup: Go 1.26 or newer is needed and was not found (https://go.dev/dl/)" >&2
    exit 1
  fi
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "setup: not a Debian-like system; make sure these are installed: ${pkgs[*]}" >&2
fi

if [ "$mode" = test ] && [ ! -x bin/staticcheck ]; then
  echo "setup: installing staticcheck"
  GOBIN="$PWD/bin" GOFLAGS= go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
