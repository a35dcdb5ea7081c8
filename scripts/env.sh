# Shared by the scripts: where tools and the build cache live (outside the clone, so a fresh
# clone reuses them), and the PATH that finds them.
export SAMVERKA_CACHE="${SAMVERKA_CACHE:-$HOME/.cache/samverka}"
export SAMVERKA_TOOLS="$SAMVERKA_CACHE/tools"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$SAMVERKA_CACHE/target}"
export PATH="$HOME/.cargo/bin:$SAMVERKA_TOOLS/node_modules/.bin:$PATH"

# Cargo hashes a workspace's own crates by their path inside the workspace, so two clones
# sharing this build cache share those crates' fingerprints, and one clone's build can be taken
# as up to date for another's sources (seen: a release site built from one clone's wasm and the
# other's server). When the cache was last used from another clone, forget the fingerprints of
# our own crates (app, server): they are rebuilt from this clone's sources; dependencies stay.
samverka_checkout="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
if [[ -d "$CARGO_TARGET_DIR" ]] && [[ "$(cat "$CARGO_TARGET_DIR/.samverka-checkout" 2>/dev/null)" != "$samverka_checkout" ]]; then
  find "$CARGO_TARGET_DIR" -type d -path '*/.fingerprint/*' \( -name 'app-*' -o -name 'server-*' \) \
    -prune -exec rm -rf {} + 2>/dev/null || true
fi
mkdir -p "$CARGO_TARGET_DIR" && printf '%s\n' "$samverka_checkout" > "$CARGO_TARGET_DIR/.samverka-checkout"
