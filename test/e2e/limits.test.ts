// `hush run --memory/--cpus/--pids-limit` for real: the kernel kills an app that allocates past
// its memory, forks past the pids limit fail inside, a busy loop gets its share of a CPU, and
// bad or unappliable limits are refused with exit 125 and one line.

import { describe, expect, it } from 'vitest';
import { hush, sleep, startHush } from './helpers';
import { cpuSeconds, hasController, isRoot, runCgroupFor } from './limits-helpers';

const sh = (flags: string[], script: string) => hush(['run', ...flags, '--', '/bin/sh', '-c', script]);
/** Doubles a string in the shell: past a few steps of 2^n bytes it passes any small limit. */
const grow = (steps: number) => `x=a; i=0; while [ $i -lt ${steps} ]; do x="$x$x"; i=$((i+1)); done; echo grew \${#x}`;

describe.skipIf(!isRoot || !hasController('memory'))('--memory (needs root and a memory controller)', () => {
  it('an app allocating past the limit is killed: exit 137 and the line', async () => {
    const r = await sh(['--memory', '32m'], grow(40));
    expect(r.code).toBe(137);
    expect(r.stdout).not.toContain('grew');
    expect(r.stderr).toBe('hush: the app was killed: out of memory (limit 32 MiB)\n');
  });

  it('the same app under the limit finishes, without the line', async () => {
    const r = await sh(['--memory', '32m'], grow(20));
    expect(r.stdout).toBe('grew 1048576\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('with --no-init too, where the app itself is PID 1', async () => {
    const r = await hush(['run', '--memory', '32m', '--no-init', '--', '/bin/sh', '-c', grow(40)]);
    expect(r.code).toBe(137);
    expect(r.stderr).toBe('hush: the app was killed: out of memory (limit 32 MiB)\n');
  });
});

// perl's fork returns undef on EAGAIN where the shell would exit; the children sleep until killed.
const forkMany = (n: number) =>
  `my @kids; my $failed = 0; for (1..${n}) { my $pid = fork; if (!defined $pid) { $failed++ } elsif ($pid == 0) { sleep 30; exit 0 } else { push @kids, $pid } }` +
  ` print scalar(@kids), " forked, $failed failed\\n"; kill "KILL", @kids; waitpid($_, 0) for @kids; exit 0`;

describe.skipIf(!isRoot || !hasController('pids'))('--pids-limit (needs root and a pids controller)', () => {
  it('forks past the limit fail inside while the run ends normally', async () => {
    const r = await hush(['run', '--pids-limit', '10', '--', '/usr/bin/perl', '-e', forkMany(30)]);
    const [, forked, failed] = /^(\d+) forked, (\d+) failed$/m.exec(r.stdout) ?? [];
    // 10 tasks: init, perl, and the children.
    expect(Number(forked)).toBe(8);
    expect(Number(failed)).toBe(22);
    expect(r.code).toBe(0);
  });

  it('the default (2048) lets the same forks through; --pids-limit 0 too', async () => {
    for (const flags of [[], ['--pids-limit', '0']]) {
      const r = await hush(['run', ...flags, '--', '/usr/bin/perl', '-e', forkMany(30)]);
      expect(r.stdout).toBe('30 forked, 0 failed\n');
      expect(r.code).toBe(0);
    }
  });
});

/** CPU time over wall time of busy loops, one run per set of flags, all in the same 2 s. */
async function busyRatios(...flagSets: string[][]): Promise<number[]> {
  const runs = flagSets.map((flags) => startHush(['run', ...flags, '--', '/bin/sh', '-c', 'echo up; while :; do :; done']));
  await Promise.all(runs.map((run) => run.waitForOutput(/up/)));
  const dirs = runs.map((run) => runCgroupFor(run.process.pid!, 'cpuacct')!);
  expect(dirs.every(Boolean)).toBe(true);
  await sleep(300);
  const [cpu0, wall0] = [dirs.map(cpuSeconds), performance.now()];
  await sleep(2000);
  const seconds = (performance.now() - wall0) / 1000;
  const ratios = dirs.map((dir, i) => (cpuSeconds(dir) - cpu0[i]) / seconds);
  for (const run of runs) run.process.kill('SIGTERM');
  for (const run of runs) expect((await run.done).code).toBe(143);
  return ratios;
}

describe.skipIf(!isRoot || !hasController('cpu'))('--cpus (needs root and a cpu controller)', () => {
  // Each limited loop runs beside an unlimited one, which shows what the machine could give:
  // the quota is a hard cap, but a share below it needs a machine with a core to spare.
  it.for([
    ['0.5', 0.3, 0.62],
    ['0.2', 0.1, 0.27],
  ] as const)('a busy loop under --cpus %s uses about that share of a core', async ([cpus, low, high], ctx) => {
    const [limited, unlimited] = await busyRatios(['--cpus', cpus], []);
    expect(limited).toBeLessThan(high);
    if (unlimited < 0.75) ctx.skip(`the machine is too busy: an unlimited loop got ${unlimited.toFixed(2)} of a CPU`);
    expect(limited).toBeGreaterThan(low);
    expect(unlimited).toBeGreaterThan(high);
  });
});

describe('bad limits exit 125 with one line', () => {
  it.each([
    [['--memory', '10x'], "hush: run: --memory: expected a size in bytes, or with k, m or g (64m, 1.5g), got '10x'"],
    [['--memory', '1k'], "hush: run: --memory: at least 6m is needed, got '1k'"],
    [['--cpus', '-1'], "hush: run: --cpus: expected a number of CPUs of at least 0.01 (0.5, 2), got '-1'"],
    [['--cpus', '0'], "hush: run: --cpus: expected a number of CPUs of at least 0.01 (0.5, 2), got '0'"],
    [['--pids-limit', '-3'], "hush: run: --pids-limit: expected a whole number of processes (0 for no limit), got '-3'"],
    [['--cpus', '999'], /^hush: run: --cpus 999: this machine has \d+ CPUs?; give 0.01 to \d+$/],
  ])('%j', async (flags, line) => {
    const r = await hush(['run', ...flags, '--', '/bin/echo', 'ran']);
    expect(r.code).toBe(125);
    expect(r.stdout).toBe('');
    if (typeof line === 'string') expect(r.stderr).toBe(line + '\n');
    else expect(r.stderr.trimEnd()).toMatch(line);
  });
});
