#!/usr/bin/env bash
# Sign-up benchmark: 1,000 volunteers signing up at once (32 pushes in flight) to one shift of
# 50 places, through the server's push path, on SQLite and on PostgreSQL (127.0.0.1:5432 or
# TEST_POSTGRES_URL). Release build, in its own target directory (so the site's release binary
# is left as cargo leptos built it). See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export CARGO_TARGET_DIR="$SAMVERKA_CACHE/target-bench"
cargo test --release -p server --test api activities_bench -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -oE "sign-up bench on.*|test result.*"
