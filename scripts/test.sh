#!/usr/bin/env bash
# Samverka's one test command: installs what is missing, then runs every check and test.
# Needs PostgreSQL at 127.0.0.1:5432 (override with TEST_POSTGRES_URL) for the integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
started=$(date +%s)

step "setup: installing what is missing"
bash scripts/setup.sh --test

step "format"
cargo fmt --all --check

# Feature unification makes a workspace-wide clippy lie: check each side on its own.
step "clippy, server side (ssr)"
cargo clippy -p app --features ssr --all-targets -- -D warnings
cargo clippy -p server --all-targets -- -D warnings

step "clippy, browser side (hydrate, wasm32)"
cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings

step "unit, property and integration tests (SQLite and PostgreSQL)"
cargo test -p app --features ssr
cargo test -p server

step "release build (cargo leptos)"
cargo leptos build --release --precompress --split

step "size budget (the main wasm module, brotli)"
bash scripts/check-size.sh

step "end-to-end tests (Playwright, Debian chromium, 360 px)"
(
  cd end2end
  SAMVERKA_BIN="$CARGO_TARGET_DIR/release/samverka" LEPTOS_SITE_ROOT="$PWD/../target/site" \
    npx --no-install playwright test
)

step "all checks passed in $(( $(date +%s) - started )) s"
