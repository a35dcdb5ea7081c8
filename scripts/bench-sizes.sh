#!/usr/bin/env bash
# Sizes of what a first visit loads (wasm, JS, CSS from the release build), raw / gzip / brotli.
# Run after `cargo leptos build --release --precompress` (or scripts/run.sh): it also shows the
# precompressed .br files the server sends. Needs `brotli` (apt-get install brotli).
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=target/site/pkg
command -v brotli >/dev/null || { echo "needs brotli: apt-get install -y brotli" >&2; exit 1; }
printf '%-22s %10s %10s %10s\n' file raw gzip-9 brotli-11
total_raw=0; total_gz=0; total_br=0
# With hashed names (`hash-files`) the files are samverka.<hash>.wasm and so on.
main_files=()
for ext in wasm js css; do
  main_files+=("$(find "$pkg" -maxdepth 1 -regextype posix-extended -regex ".*/samverka(\.[A-Za-z0-9_-]+)?\.$ext" | head -n 1)")
done
for f in "${main_files[@]}"; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  br=$(brotli -q 11 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
  printf '%-22s %10d %10d %10d\n' "$(basename "$f")" "$raw" "$gz" "$br"
done
printf '%-22s %10d %10d %10d\n' total "$total_raw" "$total_gz" "$total_br"
if compgen -G "$pkg/*.br" >/dev/null; then
  echo
  echo "served precompressed (.br files from cargo leptos --precompress):"
  du -cb "${main_files[@]/%/.br}" | sed 's/^/  /'
fi
