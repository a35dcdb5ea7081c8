#!/usr/bin/env bash
# "Fits my offers" benchmark: the public list for one volunteer over 10,000 needs (2,000
# activities, 16,000 occasions) and 100,000 volunteers' offers, requests one at a time through
# the server, on SQLite and on PostgreSQL (127.0.0.1:5432 or TEST_POSTGRES_URL). Release build,
# in its own target directory (the site's release binary is left alone). See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export CARGO_TARGET_DIR="$SAMVERKA_CACHE/target-bench"
cargo test --release -p server --test api finding_bench -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -oE "finding bench on.*|test result.*"
