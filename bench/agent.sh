#!/usr/bin/env bash
# bench/agent: builds dist/ when it is missing or older than a source file, then runs
# bench/agent.js (throughput and latency) and bench/agent-memory.js (peak RSS of `hush agent
# --once`); arguments and BENCH_* variables pass through. BENCH_ONLY=memory runs only the
# latter; a BENCH_ONLY without `memory` only the former. See bench/README.md, "agent".
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f dist/agent/service.js || -n "$(find agent launcher native -name '*.ts' -newer dist/agent/service.js -print -quit)" ]]; then
  echo "bench/agent: building dist/ (npx tsc -p tsconfig.json)" >&2
  npx tsc -p tsconfig.json
fi
only="${BENCH_ONLY:-}"
if [[ "$only" != "memory" ]]; then
  node bench/agent.js "$@"
fi
if [[ -z "$only" || ",$only," == *,memory,* ]]; then
  node bench/agent-memory.js
fi
