// Shared helpers for the store integration tests: a compiled copy of the CLI (child processes
// need JavaScript), built once per source version into a temp dir, and a runner for it.

import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { identityFileText } from '../../agent/sources/file-store/identity';

export const repo = path.resolve(__dirname, '../..');
const sources = [
  'launcher/cli.ts',
  'launcher/errors.ts',
  'launcher/flags.ts',
  'launcher/commands/types.ts',
  ...fs.readdirSync(path.join(repo, 'launcher/commands/store')).map((f) => `launcher/commands/store/${f}`),
  'agent/errors.ts',
  ...fs.readdirSync(path.join(repo, 'agent/sources/file-store')).map((f) => `agent/sources/file-store/${f}`),
];

/** Compiles the store CLI (and library) to JavaScript once per source version; returns the
 *  build directory. Test files run in parallel workers: one builds, the others wait for it. */
export async function buildStoreCli(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of sources) hash.update(f).update(fs.readFileSync(path.join(repo, f)));
  const out = path.join(os.tmpdir(), `hush-store-build-${hash.digest('hex').slice(0, 16)}`);
  const done = () => fs.existsSync(path.join(out, 'launcher/cli.js'));
  const building = `${out}.building`;
  for (;;) {
    if (done()) return out;
    try {
      fs.mkdirSync(building);
      break;
    } catch {
      // another worker is building; a builder that died leaves a stale marker after 2 minutes
      try {
        if (Date.now() - fs.statSync(building).mtimeMs > 120_000) fs.rmSync(building, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    if (done()) return out;
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
    fs.renameSync(tmp, out);
    return out;
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
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

/** Writes an identity file into `dir`; returns its path and recipient key. Recipient stores
 *  skip scrypt, which keeps tests that spawn many CLI processes fast. */
export function writeIdentity(dir: string, seedByte = 7): { file: string; recipient: string } {
  const text = identityFileText(new Uint8Array(32).fill(seedByte));
  const file = path.join(dir, `identity-${seedByte}`);
  fs.writeFileSync(file, text, { mode: 0o600 });
  const recipient = text.split('\n').find((l) => l.startsWith('# recipient: '))!.slice('# recipient: '.length);
  return { file, recipient };
}
