// Helpers for end-to-end tests: run the built `hush` CLI as a real process.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe } from 'vitest';

export const repo = path.resolve(__dirname, '..', '..');
export const hushBin = path.join(repo, 'bin', 'hush');
export const fixtures = path.join(repo, 'test', 'fixtures');

/** Why `hush run` cannot start containers on this machine, or undefined when it can. */
export const containersMissing: string | undefined = (() => {
  if (process.getuid?.() !== 0) return 'needs root';
  const probe = spawnSync('unshare', ['--mount', '--pid', '--uts', '--ipc', '--fork', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) return `needs mount, PID, UTS and IPC namespaces: ${(probe.stderr || String(probe.error)).trim()}`;
  return undefined;
})();

/** `describe` for tests that start containers: skipped, with the reason in its name, where they cannot run. */
export function describeContainers(name: string, body: () => void): void {
  describe.skipIf(containersMissing !== undefined)(containersMissing ? `${name} (skipped: ${containersMissing})` : name, body);
}

/**
 * The command line that runs a fixture app inside a container. The fixture's text is passed as
 * an argument: the repository may live under /tmp, which is a fresh tmpfs in the container.
 */
export function fixtureCommand(name: string, ...args: string[]): string[] {
  const text = fs.readFileSync(path.join(fixtures, name), 'utf8');
  return name.endsWith('.js') ? [process.execPath, '-e', text, '--', ...args] : ['/bin/sh', '-c', text, name, ...args];
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `hush ARGS` to completion. */
export function hush(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<RunResult> {
  const child = startHush(args, options);
  if (options.input !== undefined) child.process.stdin?.end(options.input);
  return child.done;
}

export interface StartedHush {
  process: ChildProcess;
  done: Promise<RunResult>;
  /** Resolves when stdout has printed a line matching `pattern`. */
  waitForOutput(pattern: RegExp): Promise<void>;
  output(): string;
  errors(): string;
}

const started = new Set<ChildProcess>();

/** Kills every hush a test started and left running (a failed or timed-out test). */
export function killLeftovers(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}

export function startHush(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): StartedHush {
  const child = spawn(process.execPath, [hushBin, ...args], {
    env: options.env ?? { PATH: process.env.PATH, LANG: 'C.UTF-8' },
    cwd: options.cwd ?? repo,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  started.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(stdout)) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
      for (const w of waiters.splice(0)) w.resolve();
    });
  });
  return {
    process: child,
    done,
    output: () => stdout,
    errors: () => stderr,
    waitForOutput: (pattern) =>
      new Promise<void>((resolve) => {
        if (pattern.test(stdout)) resolve();
        else waiters.push({ pattern, resolve });
      }),
  };
}

/** Every process that descends from pid (children, grandchildren...). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // The process went away while we looked.
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

export function processExists(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** A minimal root filesystem: the given host binaries and the shared libraries they need. */
export function makeRootfs(binaries: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-rootfs-'));
  const files = new Set<string>();
  for (const bin of binaries) {
    files.add(bin);
    const ldd = execFileSync('ldd', [bin], { encoding: 'utf8' });
    for (const match of ldd.matchAll(/(\/\S+)/g)) files.add(match[1]);
  }
  for (const file of files) {
    const target = path.join(root, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(fs.realpathSync(file), target);
    fs.chmodSync(target, 0o755);
  }
  return root;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
