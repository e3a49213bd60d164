#!/usr/bin/env bash
# bench/agent: builds dist/ when it is missing or older than a source file, then runs
# bench/agent.js (arguments and BENCH_* variables pass through). See bench/README.md, "agent".
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f dist/agent/main.js || -n "$(find agent launcher native -name '*.ts' -newer dist/agent/main.js -print -quit)" ]]; then
  echo "bench/agent: building dist/ (npx tsc -p tsconfig.json)" >&2
  npx tsc -p tsconfig.json
fi
exec node bench/agent.js "$@"
