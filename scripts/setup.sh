#!/usr/bin/env bash
# Installs what Samverka needs and is missing. Safe to run again: each step checks first.
#   scripts/setup.sh          build tools (wasm target, cargo-leptos, wasm-bindgen, wasm-opt)
#   scripts/setup.sh --test   the same, plus chromium and the end-to-end npm packages
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132
# The wasm-bindgen CLI must equal the crate version exactly; read the pin from Cargo.toml.
WASM_BINDGEN_VERSION=$(grep -oE '^wasm-bindgen = "=[0-9.]+"' Cargo.toml | grep -oE '[0-9]+\.[0-9]+\.[0-9]+')

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The tools are built in their own scratch target directory (not the shared build cache, whose
# lock a test build may hold), and without cargo-leptos's fat LTO and single codegen unit: a
# build tool that runs for seconds does not need them, and they double its build on two cores.
install_tool() {
  env -u CARGO_TARGET_DIR CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked "$@"
}

if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (builds from source, once)"
  install_tool cargo-leptos --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (matches the pinned crate)"
  install_tool wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Debian's binaryen is too old (it produces a broken module); use npm's.
if ! "$SAMVERKA_TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into $SAMVERKA_TOOLS"
  mkdir -p "$SAMVERKA_TOOLS"
  npm install --prefix "$SAMVERKA_TOOLS" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
fi

if [[ "${1:-}" == "--test" ]]; then
  if [[ ! -x /usr/bin/chromium ]]; then
    say "installing Debian's chromium for the end-to-end tests"
    if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
  fi
  if [[ ! -d end2end/node_modules/@playwright/test ]] || [[ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]]; then
    say "installing the end-to-end npm packages"
    # Playwright's browsers are never downloaded: the tests drive /usr/bin/chromium.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix end2end --no-audit --no-fund --loglevel=error
  fi
fi
