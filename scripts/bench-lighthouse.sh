#!/usr/bin/env bash
# Lighthouse as a newcomer on a cheap phone meets Samverka: the mobile preset (simulated slow 4G,
# 4x CPU slowdown), a fresh browser profile each run (a first visit, no service worker), Debian's
# chromium, against the release binary with the demo data. Prints, per page, the median of RUNS
# runs: the bytes transferred, the performance score, LCP, TBT and the accessibility score.
# The public pages as a visitor; /start, /erbjudanden and /erbjudanden/ny signed in as the demo
# volunteer. Installs npm `lighthouse` into the tools folder on first use (not part of the tests).
#   scripts/bench-lighthouse.sh [RUNS]      (default 3)
#   PAGES="/start /erbjudanden" scripts/bench-lighthouse.sh 3     (only these pages)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
runs=${1:-3}
LIGHTHOUSE_VERSION=12.8.2
lh_dir="$SAMVERKA_TOOLS/lighthouse-$LIGHTHOUSE_VERSION"
if [[ ! -x "$lh_dir/node_modules/.bin/lighthouse" ]]; then
  echo "installing lighthouse $LIGHTHOUSE_VERSION into $lh_dir" >&2
  npm install --prefix "$lh_dir" --no-audit --no-fund --loglevel=error "lighthouse@$LIGHTHOUSE_VERSION" >&2
fi
source scripts/bench-server.sh
start_bench_server 3197
out=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$bench_dir" "$out"' EXIT

jar="$out/jar"
curl -sf -c "$jar" -o /dev/null -H 'content-type: application/json' \
  -d '{"form":{"contact":"anna@example.org","password":"samverka-demo"}}' "$base/api/log-in"
session=$(awk '$6 == "samverka_session" { print $6 "=" $7 }' "$jar")
printf '{"Cookie": "%s"}' "$session" > "$out/signed-in.json"

audit() { # path, run, then extra lighthouse arguments
  local path=$1 run=$2
  shift 2
  CHROME_PATH=/usr/bin/chromium "$lh_dir/node_modules/.bin/lighthouse" "$base$path" \
    --quiet --output=json --output-path="$out/$(echo "$path" | tr '/' '_').$run.json" \
    --only-categories=performance,accessibility \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" "$@" >/dev/null 2>&1
}

echo "| page | first-visit bytes | performance | LCP | TBT | accessibility |"
echo "|---|---:|---:|---:|---:|---:|"
for path in ${PAGES:-/ /registrera /logga-in /behov /start /erbjudanden /erbjudanden/ny}; do
  extra=()
  case $path in /start | /erbjudanden*) extra=(--extra-headers="$out/signed-in.json") ;; esac
  for run in $(seq "$runs"); do audit "$path" "$run" "${extra[@]}"; done
  node --input-type=module - "$path" "$out"/"$(echo "$path" | tr '/' '_')".*.json <<'EOF'
import { readFileSync } from 'node:fs';
const [path, ...files] = process.argv.slice(2);
const reports = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const m = (f) => median(reports.map(f));
const bytes = m((r) => r.audits['total-byte-weight'].numericValue);
const perf = m((r) => r.categories.performance.score * 100);
const lcp = m((r) => r.audits['largest-contentful-paint'].numericValue);
const tbt = m((r) => r.audits['total-blocking-time'].numericValue);
const a11y = m((r) => r.categories.accessibility.score * 100);
const range = (f) => { const xs = reports.map(f); return `${Math.min(...xs)}–${Math.max(...xs)}`; };
console.log(`| \`${path}\` | ${(bytes / 1000).toFixed(0)} KB | ${perf.toFixed(0)} (${range((r) => Math.round(r.categories.performance.score * 100))}) | ${(lcp / 1000).toFixed(2)} s | ${tbt.toFixed(0)} ms | ${a11y.toFixed(0)} |`);
EOF
done
