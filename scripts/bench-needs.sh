#!/usr/bin/env bash
# The open-needs page benchmark: wrk, 32 connections, 20 s, on /behov?antal=100 (100 open needs
# shown from a database of 10,000) against the release binary, on SQLite and on PostgreSQL
# (127.0.0.1:5432 or TEST_POSTGRES_URL). Needs `wrk` (apt-get install wrk). See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
cargo test --release -p server --test api needs_bench -- --ignored --nocapture --test-threads 1 2>&1 \
  | grep -E "needs page bench on|Requests/sec|Latency  |50%|99%|requests in|Non-2xx|Socket errors|test result"
