#!/usr/bin/env bash
# bench/launch.sh: (re)build hush when its build is missing or older than its sources, then run
# the launch benchmark (bench/launch.js). Same environment variables as bench/launch.js; see
# bench/README.md, section "launch". Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "bench/launch.sh: run as root (namespaces, mounts, crun/runc)" >&2
  exit 1
fi

stale() { # stale OUTPUT DIR...: OUTPUT is missing, or a source under DIR is newer
  local out=$1
  shift
  [ ! -e "$out" ] || [ -n "$(find "$@" \( -name '*.ts' -o -name '*.c' -o -name '*.cc' -o -name '*.h' -o -name '*.gyp' \) -newer "$out" -print -quit 2>/dev/null)" ]
}

if [ "${BENCH_BUILD:-0}" = 1 ] || stale native/build/Release/hush_native.node native/src native/binding.gyp; then
  echo "bench/launch.sh: building the native addon" >&2
  node scripts/build-native.js >/dev/null
fi
if [ "${BENCH_BUILD:-0}" = 1 ] || stale dist/launcher/cli.js launcher native/index.ts native/binding.d.ts; then
  echo "bench/launch.sh: compiling TypeScript" >&2
  npx tsc -p tsconfig.json
fi

exec node bench/launch.js "$@"
