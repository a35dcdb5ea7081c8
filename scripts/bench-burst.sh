#!/usr/bin/env bash
# Bursts against the release server: memory and answers under parallel password hashing.
# Run after a release build. Starts its own server on a temporary SQLite database with the
# demo data (SAMVERKA_TRUST_PROXY=1, so each request can come from its own address), then:
#   1. 200 parallel sign-ups, each from its own address (every one hashes a password);
#   2. 40 parallel wrong passwords for one account from one address;
#   3. the right password for another account from that same address.
# Prints the server's RSS idle, its peak (VmHWM) and RSS after each burst, and the answers.
#   scripts/bench-burst.sh [SIGN_UPS]     (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
n=${1:-200}
source scripts/bench-server.sh
start_bench_server 3198 SAMVERKA_TRUST_PROXY=1
port=3198
district=$(curl -sf "http://127.0.0.1:$port/api/reference-data" | grep -o '"districts":\[{"id":"[^"]*"' | grep -o '[0-9a-f-]\{36\}')

memory() { # label
  awk -v label="$1" '/^VmRSS/ {rss=$2} /^VmHWM/ {peak=$2} END {printf "%-34s RSS %4d MB   peak so far %4d MB\n", label, rss/1024, peak/1024}' "/proc/$pid/status"
}
count() { sort | uniq -c | sort -rn | awk '{printf "    %5d × %s\n", $1, $2}'; }
export port district
memory "idle, after start"

echo "$n parallel sign-ups, each from its own address:"
started=$(date +%s.%N)
seq "$n" | xargs -P "$n" -I{} sh -c 'curl -s -o /dev/null -w "%{http_code}\n" \
  -H "content-type: application/json" -H "x-forwarded-for: 10.1.$(({} / 250)).$(({} % 250 + 1))" \
  -d "{\"form\":{\"name\":\"Burst {}\",\"contact\":\"burst{}@example.org\",\"password\":\"korrekt häst batteri\",\"districts\":[\"$district\"],\"accept_privacy\":true}}" \
  "http://127.0.0.1:$port/api/sign-up"' | count
awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "    all answered in %.1f s\n", b - a}'
memory "after the sign-ups"

echo "40 parallel wrong passwords for one account, one address:"
seq 40 | xargs -P 40 -I{} sh -c 'curl -s -w "\n" -H "content-type: application/json" -H "x-forwarded-for: 10.9.9.9" \
  -d "{\"form\":{\"contact\":\"anna@example.org\",\"password\":\"fel lösenord {}\"}}" \
  "http://127.0.0.1:$port/api/log-in" | grep -o "credentials\|TooManyRequests" || echo other' | count
memory "after the wrong passwords"

echo "the right password for another account from the same address:"
curl -s -o /dev/null -w "    %{http_code} in %{time_total} s\n" -H "content-type: application/json" -H "x-forwarded-for: 10.9.9.9" \
  -d '{"form":{"contact":"omar@example.org","password":"samverka-demo"}}' "http://127.0.0.1:$port/api/log-in"
sleep 2
memory "two seconds later"
