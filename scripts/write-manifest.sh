#!/usr/bin/env bash
# Write DIR/MANIFEST: the SHA-256 of every other file under DIR, `<sha256>  <path>` lines sorted
# by path in byte order — the format of the figures' MANIFEST (runner::Manifest, `sha256sum`),
# so `all --verify-paper` checks it. For outputs made outside the `all` binary (data/analyze,
# data/python); `cd DIR && sha256sum -c MANIFEST` checks it by hand.
set -euo pipefail
[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: $0 DIR" >&2; exit 2; }
cd "$1"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
# Files git ignores (the Python example's runs and per-run plots) are not committed, so not listed.
find . -type f ! -path ./MANIFEST -printf '%P\n' | LC_ALL=C sort | while IFS= read -r f; do
    git check-ignore -q -- "$f" 2>/dev/null || printf '%s\n' "$f"
done | xargs -r -d '\n' sha256sum > "$tmp"
chmod 644 "$tmp"
mv "$tmp" MANIFEST
