#!/usr/bin/env bash
# The server side of a phone's visit: requests per second and latency for the home page, the
# sign-up page, a static file of the app and a signed-in page, with wrk (2 threads, 32
# connections, 15 s each; the server and wrk share the machine). The release binary with the
# demo data on a temporary SQLite database. Run after a release build (scripts/run.sh or
# `cargo leptos build --release --precompress --split`). Needs wrk (apt-get install wrk).
#   scripts/bench-http.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
seconds=${1:-15}
source scripts/bench-server.sh
start_bench_server 3198

css=$(curl -sf "$base/" | grep -o '/pkg/samverka[^"]*\.css' | head -n 1)
jar=$(mktemp)
curl -sf -c "$jar" -o /dev/null -H 'content-type: application/json' \
  -d '{"form":{"contact":"anna@example.org","password":"samverka-demo"}}' "$base/api/log-in"
session=$(awk '$6 == "samverka_session" { print $6 "=" $7 }' "$jar")
rm -f "$jar"
[[ -n "$session" ]] || { echo "could not sign in as the demo volunteer" >&2; exit 1; }

run() { # label, path, then extra wrk arguments
  local label=$1 path=$2
  shift 2
  # Warm: the first render of a public page is kept for the next visitors.
  curl -sf -o /dev/null "$@" "$base$path" 2>/dev/null || true
  wrk -t2 -c32 -d"${seconds}s" --latency "$@" "$base$path" | awk -v label="$label" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 }
    /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "| %-34s | %10s | %8s | %8s | %s\n", label, rps, p50, p99, (bad ? bad " non-2xx" : "") }'
}

echo "| what | requests/s | p50 | p99 |"
echo "|---|---:|---:|---:|"
run "home page /" /
run "sign-up page /registrera" /registrera
run "static file $css" "$css"
run "static file, brotli" "$css" -H 'Accept-Encoding: br'
run "signed-in page /start (Anna)" /start -H "Cookie: $session"
run "health check with database ping" /healthz
