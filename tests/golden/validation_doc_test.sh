#!/usr/bin/env bash
# docs/validation.md must be what scripts/validate-energy produces now: its numbers come from
# simulations, so a change to the simulator, the presets or the energy tables that moves them
# must regenerate the doc in the same change (a byte-identical match also shows determinism).
# Usage: validation_doc_test.sh GRANITA_BINARY REPO_ROOT
set -euo pipefail
granita=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/validate-energy" --granita "$granita" -o "$tmp/a.md" 2>/dev/null
if ! diff -u "$root/docs/validation.md" "$tmp/a.md"; then
  echo "FAIL: docs/validation.md is stale: run scripts/validate-energy"; exit 1
fi
echo "ok: docs/validation.md is current"
