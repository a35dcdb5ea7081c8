# Sourced by the bench-* scripts: starts the release server with the demo data on a temporary
# SQLite database, waits until it answers, and stops it (and removes the database) on exit.
#   start_bench_server PORT [NAME=value ...]    sets $pid and $base (http://127.0.0.1:PORT)
# The server's log goes to $bench_log when that is set.
start_bench_server() {
  local port=$1
  shift
  bench_dir=$(mktemp -d)
  trap 'kill "$pid" 2>/dev/null || true; rm -rf "$bench_dir"' EXIT
  env SAMVERKA_ADDR="127.0.0.1:$port" DATABASE_URL="sqlite://$bench_dir/bench.db" RUST_LOG=warn \
    LEPTOS_SITE_ROOT="$PWD/target/site" LEPTOS_OUTPUT_NAME=samverka LEPTOS_ENV=PROD "$@" \
    "$CARGO_TARGET_DIR/release/samverka" --demo >>"${bench_log:-/dev/null}" 2>&1 &
  pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 50); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
}
