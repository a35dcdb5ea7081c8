#!/usr/bin/env bash
# Cases benchmark: the handlers' queue with 10,000 open cases and the support report over a year
# of 100,000 closed ones, requests one at a time through the server, on SQLite and on PostgreSQL
# (127.0.0.1:5432 or TEST_POSTGRES_URL). Release build, in its own target directory (the site's
# release binary is left alone). See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export CARGO_TARGET_DIR="$SAMVERKA_CACHE/target-bench"
cargo test --release -p server --test api cases_bench -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -oE "cases bench on.*|test result.*"
