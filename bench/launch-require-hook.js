'use strict';
// Preloaded by bench/launch.js (`node -r bench/launch-require-hook.js ...`) to see where a
// command's start-up time goes: times every module load (inclusive, and self = minus the loads
// it triggers), the native addon's dlopen, and Node's own boot milestones, then writes them as
// JSON to $BENCH_HOOK_OUT when the process exits. Only for the benchmark's breakdown runs.

const { performance } = require('node:perf_hooks');

const hookStart = performance.now();
const Module = require('node:module');
const fs = require('node:fs');

const modules = [];
const seen = new Set();
const stack = [];
let order = 0;
let dlopen = NaN;

// light mode: only the milestones (for the phase table, without the hook's own overhead).
const full = process.env.BENCH_HOOK_MODE !== 'light';

const originalLoad = Module._load;
if (full) Module._load = function timedLoad(request, parent, isMain) {
  let id = request;
  try {
    const resolved = Module._resolveFilename(request, parent, isMain);
    id = resolved.startsWith('/') ? resolved : `node:${resolved.replace(/^node:/, '')}`;
  } catch {
    id = `${request} (unresolved)`;
  }
  const first = !seen.has(id);
  seen.add(id);
  const t0 = performance.now();
  const entry = { id: shorten(id), order: order++, depth: stack.length, at: t0, incl: 0, self: 0, child: 0 };
  stack.push(entry);
  try {
    return originalLoad.apply(this, arguments);
  } finally {
    const dt = performance.now() - t0;
    stack.pop();
    entry.incl = dt;
    entry.self = dt - entry.child;
    if (stack.length) stack[stack.length - 1].child += dt;
    // A cached module costs next to nothing; keep first loads only.
    if (first) modules.push(entry);
  }
};

// The first access to process.stdin/stdout/stderr builds a stream (and loads tty, net or fs
// stream code inside Node, which Module._load does not see): time it.
const stdio = {};
if (full) {
  for (const name of ['stdin', 'stdout', 'stderr']) {
    const desc = Object.getOwnPropertyDescriptor(process, name);
    if (!desc || !desc.get || !desc.configurable) continue;
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: desc.enumerable,
      get() {
        const t0 = performance.now();
        const stream = desc.get.call(process);
        if (stdio[name] === undefined) stdio[name] = { at: t0, ms: performance.now() - t0 };
        return stream;
      },
    });
  }
}

const originalDlopen = process.dlopen;
process.dlopen = function timedDlopen() {
  const t0 = performance.now();
  try {
    return originalDlopen.apply(this, arguments);
  } finally {
    dlopen = performance.now() - t0;
  }
};

function shorten(id) {
  const cwd = process.cwd() + '/';
  if (id.startsWith(cwd)) return id.slice(cwd.length);
  return id;
}

process.on('exit', () => {
  const out = process.env.BENCH_HOOK_OUT;
  if (!out) return;
  const t = performance.nodeTiming;
  fs.writeFileSync(
    out,
    JSON.stringify({
      timeOrigin: performance.timeOrigin,
      hookStart,
      exitAt: performance.now(),
      dlopen,
      stdio,
      nodeTiming: {
        nodeStart: t.nodeStart,
        v8Start: t.v8Start,
        environment: t.environment,
        bootstrapComplete: t.bootstrapComplete,
      },
      modules: modules.sort((a, b) => a.order - b.order),
    }),
  );
});
