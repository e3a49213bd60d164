// Shared helpers for the Vault source's integration tests: a source built against the Vault
// target, a runner driven by a ManualClock shared with the test server, an in-memory sink, and
// a raw log collector whose lines are scanned for every secret a test used.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { parsePolicy } from '../../agent/config/load';
import type { Policy, SourceConfig } from '../../agent/config/normalize';
import { createLogger, Redactor, type Logger } from '../../agent/log';
import { ManualClock, type Clock } from '../../agent/ports/clock';
import { seededRandom } from '../../agent/ports/random';
import type { SecretSource } from '../../agent/ports/secret-source';
import { createRunner, type Runner } from '../../agent/runner';
import { planFetches } from '../../agent/core/plan';
import type { SecretSink, SinkFile, SinkResult } from '../../agent/sink/types';
import { vaultTarget, type VaultTarget } from '../vault-server';
import { createVaultSource } from '../../agent/sources/vault';

/**
 * The agent's one redactor, as agent/service.ts shares it: the loggers, the sources and the runner
 * of this file all use it, so logLines are what would reach stderr.
 */
export const redactor = new Redactor();
/** Every log line of this file, as written. */
export const logLines: string[] = [];
/** Every secret, token, secret_id and JWT this file used. */
export const secrets = new Set<string>();

export function track<T extends string | null | undefined>(value: T): T {
  if (value) secrets.add(value);
  return value;
}

export function rawLogger(): Logger {
  return createLogger({ level: 'debug', format: 'text', write: (line) => logLines.push(line), redactor });
}

export function assertNoLeaks(): void {
  expect(logLines.length).toBeGreaterThan(0);
  expect(secrets.size).toBeGreaterThan(0);
  const leaks: string[] = [];
  for (const line of logLines) for (const value of secrets) if (value.length >= 4 && line.includes(value)) leaks.push(line);
  expect(leaks).toEqual([]);
}

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'hush-vault-'));
}

export function writeSecretFile(dir: string, name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content + '\n', { mode: 0o600 });
  return file;
}

export function vaultConfig(target: VaultTarget, auth: Record<string, unknown>, extra: Record<string, unknown> = {}): SourceConfig {
  return { type: 'vault', address: target.url, auth, ...extra } as unknown as SourceConfig;
}

export async function openSource(config: SourceConfig, clock: Clock = new ManualClock(Date.now()), env: NodeJS.ProcessEnv = {}): Promise<SecretSource> {
  return createVaultSource(config, 'test/vault', {
    logger: rawLogger(),
    redactor,
    clock,
    random: seededRandom(7),
    env,
    storeCredentials: async () => {
      throw new Error('no store');
    },
  });
}

/** A sink that keeps files in memory. */
export class MemorySink implements SecretSink {
  readonly files = new Map<string, string>();
  readonly history: { file: string; content: string }[] = [];

  async init(): Promise<void> {}

  async write(files: ReadonlyMap<string, SinkFile>): Promise<SinkResult> {
    const changed: string[] = [];
    const removed: string[] = [];
    for (const [file, { bytes }] of files) {
      const text = Buffer.from(bytes).toString('utf8');
      if (this.files.get(file) !== text) {
        this.files.set(file, text);
        this.history.push({ file, content: text });
        changed.push(file);
      }
    }
    for (const file of [...this.files.keys()]) if (!files.has(file)) {
      this.files.delete(file);
      removed.push(file);
    }
    return { changed, removed, failed: [] };
  }
}

export function policy(text: string, name = 'p.yaml'): Policy {
  const result = parsePolicy(text, name, tempDir());
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.policy;
}

export interface Harness {
  runner: Runner;
  sink: MemorySink;
  clock: ManualClock;
  sources: Map<string, SecretSource>;
  notified: string[];
  /** Advances time in steps, waiting after each until the runner and token loops sleep again. */
  advance(ms: number, stepMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Waits (in real time, for I/O) until cond holds twice in a row across a timer tick. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    await new Promise((r) => setTimeout(r, 1));
    if (!cond()) continue;
    await new Promise((r) => setTimeout(r, 2));
    if (cond()) return;
  }
  throw new Error('the runner did not settle');
}

/** Starts a runner over the policies with one Vault source per distinct config. */
export async function startHarness(policies: Policy[], clock: ManualClock): Promise<Harness> {
  const plan = planFetches(policies);
  const sources = new Map<string, SecretSource>();
  let inflight = 0;
  for (const planned of plan.sources) {
    const source = await openSource(planned.config, clock);
    const counted: SecretSource = {
      name: source.name,
      type: source.type,
      fetch: async (keys, signal) => {
        inflight++;
        try {
          return await source.fetch(keys, signal);
        } finally {
          inflight--;
        }
      },
      close: () => source.close(),
    };
    sources.set(planned.id, counted);
  }
  const sink = new MemorySink();
  const notified: string[] = [];
  const runner = createRunner({
    policies, sources, sink, clock, random: seededRandom(3), logger: rawLogger(), redactor,
    onChange: async (p) => {
      notified.push(p.name);
    },
  });
  const started = await runner.start();
  if (!started.ok) throw new Error(started.errors.join('\n'));
  const abort = new AbortController();
  const loop = runner.run(abort.signal);
  // Idle: the runner loop and each source's token loop are asleep on the clock.
  const idle = () => inflight === 0 && clock.pendingSleepers >= 1 + sources.size;
  await until(idle);
  return {
    runner, sink, clock, sources, notified,
    async advance(ms, stepMs = 1000) {
      for (let done = 0; done < ms; done += stepMs) {
        await clock.advance(Math.min(stepMs, ms - done));
        await until(idle);
      }
    },
    async stop() {
      abort.abort();
      await loop;
      await Promise.all([...sources.values()].map((s) => s.close()));
    },
  };
}

/** An ACL policy allowing everything the agent uses (and the test server's stricter checks). */
export const AGENT_ACL = 'path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }';

/**
 * For a test file driven by one manual clock: a Vault target on that clock and a token file
 * holding its root token, closed after the file's tests, whose logs are then checked for leaks.
 */
export function useTokenTarget(clock: ManualClock): { readonly target: VaultTarget; readonly tokenFile: string } {
  const state = {} as { target: VaultTarget; tokenFile: string };
  beforeAll(async () => {
    state.target = await vaultTarget({ clock });
    state.tokenFile = writeSecretFile(tempDir(), 'token', track(state.target.rootToken));
  });
  afterAll(async () => {
    await state.target.close();
    assertNoLeaks();
  });
  return state;
}
