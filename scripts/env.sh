# Shared by the scripts: where tools and the build cache live (outside the clone, so a fresh
# clone reuses them), and the PATH that finds them.
export SAMVERKA_CACHE="${SAMVERKA_CACHE:-$HOME/.cache/samverka}"
export SAMVERKA_TOOLS="$SAMVERKA_CACHE/tools"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$SAMVERKA_CACHE/target}"
export PATH="$HOME/.cargo/bin:$SAMVERKA_TOOLS/node_modules/.bin:$PATH"
