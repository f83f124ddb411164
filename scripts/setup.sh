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
  # debuginfod is the symbol server that the tests of stripped programs
  # start on 127.0.0.1; g++ builds the C++ test program (operator new).
  pkgs+=(xvfb imagemagick xdotool tesseract-ocr tesseract-ocr-eng libjemalloc-dev libjemalloc2 binutils libc6-dbg
         debuginfod g++ desktop-file-utils xdg-utils libfile-mimeinfo-perl shared-mime-info libglib2.0-bin)
  # The tokio test service (diff/tokio/testdata/tasky) builds offline
  # against Debian's tokio source (librust-tokio-dev puts it and the crates
  # it needs under /usr/share/cargo/registry), with Debian's cargo and rustc
  # unless a Rust toolchain is already on PATH (rustup's, say).
  pkgs+=(librust-tokio-dev)
  # chromium opens the pages of `export --html` in the tests, headless.
  pkgs+=(chromium)
  if ! command -v cargo >/dev/null 2>&1 || ! command -v rustc >/dev/null 2>&1; then
    pkgs+=(cargo rustc)
  fi
fi

# Go: the version go.mod asks for (its toolchain line, else its go line). A
# missing or older Go is replaced, for this checkout only, by that exact
# toolchain: the golang.org/toolchain module from the configured Go module
# proxy, checked against the checksum database, unpacked into bin/go (which
# the Makefile puts first on PATH).
want=$(sed -n 's/^toolchain go//p' go.mod)
[ -n "$want" ] || want=$(sed -n 's/^go //p' go.mod)
[ -d bin/go/bin ] && export PATH="$PWD/bin/go/bin:$PATH"
[ -x /usr/local/go/bin/go ] && export PATH="$PATH:/usr/local/go/bin"

version_ge() { # $1 >= $2
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

install_go() {
  local v=$1 os arch proxy mod zip tmp sum got
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case $(uname -m) in
    x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; i?86) arch=386 ;;
    armv6l|armv7l) arch=armv6l ;; riscv64) arch=riscv64 ;; ppc64le) arch=ppc64le ;; s390x) arch=s390x ;;
    *) echo "setup: no Go toolchain for $(uname -m); install Go $v (https://go.dev/dl/)" >&2; exit 1 ;;
  esac
  proxy=${GOPROXY:-https://proxy.golang.org}
  proxy=${proxy%%[,|]*}
  case $proxy in direct|off|"") proxy=https://proxy.golang.org ;; esac
  mod="golang.org/toolchain@v0.0.1-go$v.$os-$arch"
  echo "setup: Go $v is needed; fetching $mod from $proxy"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  zip="$tmp/toolchain.zip"
  curl -fsSL --retry 3 -o "$zip" "$proxy/golang.org/toolchain/@v/v0.0.1-go$v.$os-$arch.zip"
  # The checksum database, through the proxy as the go command reaches it.
  sum=$(curl -fsSL --retry 3 "$proxy/sumdb/sum.golang.org/lookup/$mod" |
    awk -v m="golang.org/toolchain" -v ver="v0.0.1-go$v.$os-$arch" '$1 == m && $2 == ver { print $3; exit }')
  (cd "$tmp" && unzip -q toolchain.zip)
  # The module's h1: hash, as golang.org/x/mod/sumdb/dirhash computes it.
  got="h1:$(cd "$tmp" && LC_ALL=C find "golang.org" -type f | LC_ALL=C sort | tr '\n' '\0' |
    xargs -0 sha256sum | sha256sum | cut -c1-64 | sed 's/../\\x&/g' | { read -r hex; printf "$hex"; } | base64)"
  if [ -z "$sum" ] || [ "$got" != "$sum" ]; then
    echo "setup: $mod does not match the checksum database (want ${sum:-nothing}, got $got)" >&2
    exit 1
  fi
  rm -rf bin/go
  mkdir -p bin
  mv "$tmp/golang.org/toolchain@v0.0.1-go$v.$os-$arch" bin/go
  export PATH="$PWD/bin/go/bin:$PATH"
  echo "setup: installed Go $v in bin/go"
}

have=""
if command -v go >/dev/null 2>&1; then
  have=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null | sed 's/^go//')
fi
if [ -z "$have" ] || ! version_ge "$have" "$want"; then
  install_go "$want"
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
