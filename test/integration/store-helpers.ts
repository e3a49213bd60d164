// Shared helpers for the store integration tests: a compiled copy of the CLI (child processes
// need JavaScript), built once per source version into a temp dir, and a runner for it.

import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const repo = path.resolve(__dirname, '../..');
const sources = [
  'launcher/cli.ts',
  'launcher/commands/store.ts',
  'launcher/commands/types.ts',
  'agent/errors.ts',
  ...fs.readdirSync(path.join(repo, 'agent/sources/file-store')).map((f) => `agent/sources/file-store/${f}`),
];

/** Compiles the store CLI (and library) to JavaScript; returns the build directory. */
export function buildStoreCli(): string {
  const hash = createHash('sha256');
  for (const f of sources) hash.update(f).update(fs.readFileSync(path.join(repo, f)));
  const out = path.join(os.tmpdir(), `hush-store-build-${hash.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(path.join(out, 'launcher/cli.js'))) return out;
  const tmp = `${out}.${process.pid}.${randomBytes(4).toString('hex')}`;
  execFileSync(
    path.join(repo, 'node_modules/.bin/tsc'),
    [
      '--outDir', tmp, '--rootDir', repo, '--module', 'node16', '--moduleResolution', 'node16', '--target', 'ES2022',
      '--strict', '--esModuleInterop', '--skipLibCheck', '--types', 'node', '--resolveJsonModule',
      ...sources.filter((f) => f.endsWith('.ts')).map((f) => path.join(repo, f)),
    ],
    { cwd: repo, stdio: 'pipe' },
  );
  try {
    fs.renameSync(tmp, out);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another worker won the race
  }
  return out;
}

export function tempDir(prefix = 'hush-store-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_PATH: path.join(repo, 'node_modules'),
    HUSH_STORE_SCRYPT_LOGN: '15',
    ...extra,
  };
}

/** Runs `node <build>/launcher/cli.js ...args` with `input` on stdin (a pipe, so not a TTY). */
export function runCli(build: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Uint8Array; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(build, 'launcher/cli.js'), ...args], {
      env: options.env ?? baseEnv(),
      cwd: options.cwd ?? os.tmpdir(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.end(options.input ?? '');
  });
}
