#!/usr/bin/env bash
# Lints action.yml, the example workflows and the repository's own workflows with action-validator.
# action-validator 0.6.0 (newest on npm) only knows node12/16/20 for runs.using; our action.yml says node24,
# so the metadata is checked with node20 substituted in a temporary copy (its name must end in action.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
grep -q "using: 'node24'" action.yml || { echo "action.yml must run on node24" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s/using: 'node24'/using: 'node20'/" action.yml >"$tmp/action.yml"
npx --no-install action-validator "$tmp/action.yml"
workflows=(examples/workflows/*.yml .github/workflows/*.yml)
# action-validator takes any file named *action.yml for action metadata (test-action.yml is a
# workflow), so workflows with such names are checked from a copy with a neutral name.
for f in "${workflows[@]}"; do
  case "$f" in
    *action.yml) cp "$f" "$tmp/workflow.yml"; npx --no-install action-validator "$tmp/workflow.yml" || { echo "in $f" >&2; exit 1; } ;;
    *) npx --no-install action-validator "$f" ;;
  esac
done
echo "action.yml and ${#workflows[@]} workflows are valid"
