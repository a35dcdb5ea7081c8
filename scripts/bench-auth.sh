#!/usr/bin/env bash
# Sign-in and sign-up latency against the release server (argon2id dominates both).
# Run after a release build (scripts/run.sh or cargo leptos build --release). Starts its own
# server on a temporary SQLite database with the demo data, times N requests with curl, stops it.
#   scripts/bench-auth.sh [N]      (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
n=${1:-20}
source scripts/bench-server.sh
start_bench_server 3199
port=3199
district=$(curl -sf "http://127.0.0.1:$port/api/reference-data" | grep -o '"districts":\[{"id":"[^"]*"' | grep -o '[0-9a-f-]\{36\}')

time_requests() { # label, then a function that makes request i
  local label=$1 fn=$2 times=()
  for i in $(seq "$n"); do times+=("$($fn "$i")"); done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v n="$n" \
    '{a[NR]=$1} END {printf "%-26s n=%d  median %.0f ms  p90 %.0f ms  max %.0f ms\n", label, n, a[int((n+1)/2)]*1000, a[int(n*0.9+0.5)]*1000, a[n]*1000}'
}
log_in() {
  curl -s -o /dev/null -w '%{time_total}' -H 'content-type: application/json' \
    -d '{"form":{"contact":"anna@example.org","password":"samverka-demo"}}' "http://127.0.0.1:$port/api/log-in"
}
sign_up() {
  curl -s -o /dev/null -w '%{time_total}' -H 'content-type: application/json' \
    -d "{\"form\":{\"name\":\"Bench $1\",\"contact\":\"bench$1@example.org\",\"password\":\"korrekt häst batteri\",\"districts\":[\"$district\"],\"accept_privacy\":true}}" \
    "http://127.0.0.1:$port/api/sign-up"
}
wrong_password() {
  curl -s -o /dev/null -w '%{time_total}' -H 'content-type: application/json' \
    -d "{\"form\":{\"contact\":\"nobody$1@example.org\",\"password\":\"wrong\"}}" "http://127.0.0.1:$port/api/log-in"
}
time_requests "sign-in (right password)" log_in
time_requests "sign-up" sign_up
time_requests "sign-in (unknown account)" wrong_password
