#!/usr/bin/env bash
# Sync benchmark: the device engine pushing 1,000 queued changes and pulling 10,000 records over
# HTTP, on SQLite and on PostgreSQL (127.0.0.1:5432 or TEST_POSTGRES_URL). Release build;
# prints the median of five runs each. See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# Its own target directory: a release test build would replace the site's release binary.
export CARGO_TARGET_DIR="$SAMVERKA_CACHE/target-bench"
cargo test --release -p server --test api sync_bench -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -oE "sync bench on.*|test result.*"
