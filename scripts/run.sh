#!/usr/bin/env bash
# Samverka's run command: installs what is missing, builds a release and serves it with demo
# data on http://127.0.0.1:3000 (SQLite under data/, created on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

bash scripts/setup.sh
cargo leptos build --release --precompress --split

export LEPTOS_SITE_ROOT="$PWD/target/site" LEPTOS_OUTPUT_NAME=samverka LEPTOS_ENV=PROD
exec "$CARGO_TARGET_DIR/release/samverka" --demo "$@"
