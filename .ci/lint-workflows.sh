#!/usr/bin/env bash
# Lints action.yml and the example workflows with action-validator.
# action-validator 0.6.0 (newest on npm) only knows node12/16/20 for runs.using; our action.yml says node24,
# so the metadata is checked with node20 substituted in a temporary copy (its name must end in action.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
grep -q "using: 'node24'" action.yml || { echo "action.yml must run on node24" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s/using: 'node24'/using: 'node20'/" action.yml >"$tmp/action.yml"
npx --no-install action-validator "$tmp/action.yml"
for f in examples/workflows/*.yml; do npx --no-install action-validator "$f"; done
echo "action.yml and $(ls examples/workflows/*.yml | wc -l) workflows are valid"
