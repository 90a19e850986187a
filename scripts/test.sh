#!/usr/bin/env bash
# The one test command (README): services up, type check, then the whole vitest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/ensure-services.sh
npx tsc --noEmit -p .
npx biome check .
npx vitest run "$@"
