#!/usr/bin/env bash
# How many database queries the server makes to render each signed-in page once, and how many
# of them repeat a statement of the same render (a resource asked twice; the statement's text
# is compared, not its parameters). The release binary with the demo data, as the volunteer
# Anna and as the staff member Sara; sqlx logs every statement at debug level. Run after a
# release build (see bench-http.sh).
#   scripts/bench-queries.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/bench-server.sh
bench_log=$(mktemp)
start_bench_server 3196 RUST_LOG=warn,sqlx::query=debug

jar_of() { # name, contact: signs in, prints the cookie jar's path
  local jar
  jar=$(mktemp)
  curl -sf -c "$jar" -o /dev/null -H 'content-type: application/json' \
    -d "{\"form\":{\"contact\":\"$2\",\"password\":\"samverka-demo\"}}" "$base/api/log-in"
  echo "$jar"
}
anna=$(jar_of anna anna@example.org)
sara=$(jar_of sara sara.staff@example.org)

# The statement's text alone (the log line goes on with its rows and time).
statements() {
  sed 's/\x1b\[[0-9;]*m//g' "$bench_log" | grep -a 'sqlx::query' |
    sed 's/.*db.statement="//; s/" rows_affected=.*//'
}

# Three renders each: how often a resource is asked depends on when it answers.
echo "| page | who | queries, 3 renders | statements asked more than once |"
echo "|---|---|---:|---:|"
measure() { # who, jar, path
  local counts=() repeats=()
  for _ in 1 2 3; do
    : >"$bench_log"
    curl -sf -b "$2" -o /dev/null "$base$3"
    sleep 0.5 # the last lines of the log
    counts+=("$(statements | wc -l)")
    repeats+=("$(statements | sort | uniq -d | wc -l)")
  done
  printf '| %s | %s | %s | %s |\n' "$3" "$1" "${counts[*]}" "${repeats[*]}"
}
for page in /start /profil /mina-uppgifter /grupper/ny /erbjudanden /behov/mina /pass /behov; do
  measure Anna "$anna" "$page"
done
for page in /personal/grupper /personal/behov /personal/erbjudanden /personal/arenden \
  /personal/stod /admin; do
  measure Sara "$sara" "$page"
done
rm -f "$anna" "$sara" "$bench_log"
