// The one loop that drives fetch → render → write → notify.
//
// Each distinct (source, key) of all policies has its own schedule: the next time it is due
// (rotate.every with jitter, or the source's hint such as a lease's refresh time), and a retry
// count with capped exponential backoff after failures. Due keys are fetched together, one
// fetch call per source per cycle. When fetched data changed, every policy is rendered from
// memory and the sink writes the files whose bytes changed. A policy's on_change runs once per
// burst of changes, after the burst settles (`wait`), never once per file.

import { defaults, type Policy, type Secret } from './config/normalize';
import { changeAction, diffEnv, type ChangeAction, type FileDiff, type RenderedFile } from './core/diff';
import { planFetches, policySnapshot, sourceId } from './core/plan';
import { renderSecret, resolveEnv } from './core/render';
import { burstDue, debounceDeadline, defaultRetry, nextRotation, noteChange, retryDelay, type Burst, type RetryPolicy, type WaitSpec } from './core/schedule';
import { sameBytes } from './core/diff';
import type { SecretData } from './core/values';
import { errorMessage } from './errors';
import type { Logger, Redactor } from './log';
import type { Clock } from './ports/clock';
import type { Random } from './ports/random';
import type { FetchResult, SecretSource } from './ports/secret-source';
import type { SecretSink, SinkFile, SinkResult } from './sink/types';

export interface RunnerOptions {
  policies: readonly Policy[];
  /** Sources by source id (core/plan.ts sourceId). */
  sources: ReadonlyMap<string, SecretSource>;
  sink: SecretSink;
  clock: Clock;
  random: Random;
  logger: Logger;
  redactor: Redactor;
  /** Runs a policy's action once a burst of changes settled. `env` holds every policy's env vars. */
  onChange(policy: Policy, action: ChangeAction, env: Readonly<Record<string, string>>): Promise<void>;
  retry?: RetryPolicy;
  /** Debounce of on_change for policies without `wait`. */
  defaultWait?: WaitSpec;
}

export type StartResult = { ok: true; env: Record<string, string> } | { ok: false; errors: string[] };

export interface KeyStatus {
  source: string;
  key: string;
  fetchedAt?: number;
  nextAt: number;
  attempts: number;
  error?: string;
  version?: string;
}

export interface RunnerStatus {
  policies: { name: string; file: string; files: { file: string; renderedAt?: number; error?: string }[]; lastAction?: { action: string; at: number } }[];
  keys: KeyStatus[];
  counters: Readonly<Record<string, number>>;
}

/** Every required file has been rendered at least once (optional ones may be absent). */
export function isReady(status: RunnerStatus): boolean {
  return status.policies.every((p) => p.files.every((f) => f.renderedAt !== undefined || f.error === undefined));
}

export interface Runner {
  /** Fetches everything once and renders it; lists every missing non-optional secret. */
  start(): Promise<StartResult>;
  /** Keeps rotating until the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** Makes every key due now. */
  rotateNow(): void;
  status(): RunnerStatus;
}

interface KeyState extends KeyStatus {
  sourceId: string;
  everyMs: number;
  jitter: number;
}

interface PolicyState {
  policy: Policy;
  /** Per secret, the ids of the fetched keys it reads. */
  inputs: string[][];
  files: Map<string, RenderedFile>;
  renderedAt: Map<string, number>;
  errors: Map<string, string>;
  env: Record<string, string>;
  burst?: Burst;
  pending?: ChangeAction;
  lastAction?: { action: string; at: number };
}

export const defaultWait: WaitSpec = { minMs: 100, maxMs: 2000 };

const keyId = (source: string, key: string) => `${source}\u0000${key}`;

function sameData(a: SecretData | undefined, b: SecretData): boolean {
  if (a === undefined) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && sameBytes(a, b);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every string inside a fetched value, for the redactor. */
function* secretStrings(data: SecretData): Generator<string | Uint8Array> {
  if (data instanceof Uint8Array) {
    yield data;
    return;
  }
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') yield value;
    else if (value && typeof value === 'object') stack.push(...Object.values(value));
  }
}

export function createRunner(options: RunnerOptions): Runner {
  const { clock, random, logger, redactor, sink } = options;
  const retry = options.retry ?? defaultRetry;
  const plan = planFetches(options.policies);
  const data = new Map<string, Map<string, SecretData>>();
  const reasons = new Map<string, string>();
  const keys = new Map<string, KeyState>();
  const counters: Record<string, number> = {
    fetches: 0, fetch_failures: 0, renders: 0, files_written: 0, files_removed: 0, actions: 0,
  };
  let wake: AbortController | undefined;
  // Bumped by a source's watcher. A change reported while that source's fetch is in flight may
  // not be in what the fetch read, so such keys stay due instead of waiting for the next poll.
  const changeCounts = new Map<string, number>();

  for (const planned of plan.sources) {
    const users = options.policies.filter((p) => Object.values(p.sources).some((c) => sourceId(c) === planned.id));
    const everyMs = Math.min(...users.map((p) => p.rotate.everyMs));
    const jitter = Math.max(...users.map((p) => p.rotate.jitter));
    for (const key of planned.keys) {
      keys.set(keyId(planned.id, key), { sourceId: planned.id, source: options.sources.get(planned.id)?.name ?? planned.id, key, nextAt: 0, attempts: 0, everyMs, jitter });
    }
  }
  const inputsOf = (policy: Policy, secret: Secret): string[] => {
    const refs = secret.format === 'template' ? secret.refs : [{ source: secret.source, key: secret.key }];
    return refs.flatMap((ref) => {
      const config = policy.sources[ref.source];
      return config ? [keyId(sourceId(config), ref.key)] : [];
    });
  };
  const policies: PolicyState[] = options.policies.map((policy) => ({
    policy,
    inputs: policy.secrets.map((secret) => inputsOf(policy, secret)),
    files: new Map(),
    renderedAt: new Map(),
    errors: new Map(),
    env: {},
  }));

  const wakeUp = () => wake?.abort();

  /** Fetches the keys due at `now`, one call per source; returns the keys whose data changed. */
  async function fetchDue(now: number, initial = false): Promise<Set<string>> {
    const bySource = new Map<string, KeyState[]>();
    for (const state of keys.values()) {
      if (state.nextAt > now) continue;
      const list = bySource.get(state.sourceId) ?? [];
      list.push(state);
      bySource.set(state.sourceId, list);
    }
    const changed = new Set<string>();
    await Promise.all(
      [...bySource].map(async ([id, due]) => {
        const source = options.sources.get(id);
        if (!source) return;
        counters.fetches++;
        const changesBefore = changeCounts.get(id) ?? 0;
        let results: Map<string, FetchResult>;
        try {
          results = await source.fetch(due.map((s) => s.key));
        } catch (err) {
          results = new Map(due.map((s) => [s.key, { ok: false, missing: false, reason: errorMessage(err) } as FetchResult]));
        }
        const fetchedAt = clock.now();
        const changedMeanwhile = (changeCounts.get(id) ?? 0) !== changesBefore;
        logger.debug('fetched', { source: source.name, keys: due.length, changed_meanwhile: changedMeanwhile });
        let values = data.get(id);
        if (!values) data.set(id, (values = new Map()));
        for (const state of due) {
          const result = results.get(state.key) ?? { ok: false, missing: false, reason: 'the source returned no result' };
          if (result.ok) {
            for (const s of secretStrings(result.secret.data)) redactor.add(s);
            if (!sameData(values.get(state.key), result.secret.data)) changed.add(keyId(id, state.key));
            values.set(state.key, result.secret.data);
            reasons.delete(keyId(id, state.key));
            Object.assign(state, { fetchedAt, attempts: 0, error: undefined, version: result.secret.version });
            state.nextAt = changedMeanwhile ? fetchedAt : nextRotation(fetchedAt, state, random, result.secret.refreshAt);
          } else if (result.missing) {
            // Gone at the source: optional files disappear, required ones keep their last content.
            if (values.delete(state.key)) changed.add(keyId(id, state.key));
            reasons.set(keyId(id, state.key), result.reason);
            Object.assign(state, { attempts: 0, error: result.reason });
            state.nextAt = changedMeanwhile ? fetchedAt : nextRotation(fetchedAt, state, random);
          } else {
            counters.fetch_failures++;
            state.attempts++;
            state.error = result.reason;
            reasons.set(keyId(id, state.key), result.reason);
            const delay = retryDelay(state.attempts, retry, random, result.retryAfterMs);
            state.nextAt = fetchedAt + delay;
            if (!initial) logger.warn('fetch failed; keeping the last good content', {
              source: state.source, key: state.key, attempt: state.attempts, retry_in_ms: delay, error: result.reason,
            });
          }
        }
      }),
    );
    return changed;
  }

  function why(policy: Policy, missing: string): string {
    // "SOURCE:KEY[#FIELD] (not available)" → add the fetch's own reason when there is one.
    const ref = /^([^:]+):(.+?)(#[^ ]*)? \(/.exec(missing);
    const config = ref ? policy.sources[ref[1]] : undefined;
    const reason = config && ref ? reasons.get(keyId(sourceId(config), ref[2])) : undefined;
    return reason ? `${missing.replace(/ \(not available\)$/, '')}: ${reason}` : missing;
  }

  /**
   * Renders from memory the secrets that read a changed key (all of them when `changed` is
   * undefined); the others keep their last rendering, the same bytes. Returns the complete set
   * of files for the sink, and the errors of required secrets.
   */
  function renderAll(now: number, initial: boolean, changed?: ReadonlySet<string>): { files: Map<string, SinkFile>; errors: string[] } {
    const all = new Map<string, SinkFile>();
    const errors: string[] = [];
    for (const state of policies) {
      const snapshot = policySnapshot(state.policy, data);
      state.policy.secrets.forEach((secret: Secret, index: number) => {
        const inputs = state.inputs[index]!;
        if (changed && !inputs.some((id) => changed.has(id))) {
          const problem = state.errors.get(secret.file);
          if (problem) errors.push(`${state.policy.file}: secrets[${index}] (${secret.file}): ${problem}`);
          return;
        }
        counters.renders++;
        const result = renderSecret(secret, snapshot);
        if (result.ok) {
          const previous = state.files.get(secret.file);
          if (!previous || !sameBytes(previous.bytes, result.bytes) || previous.mode !== secret.mode) state.renderedAt.set(secret.file, now);
          state.files.set(secret.file, { bytes: result.bytes, mode: secret.mode });
          state.errors.delete(secret.file);
          return;
        }
        const problem = [...result.missing.map((m) => why(state.policy, m)), ...result.errors].join('; ');
        if (secret.optional) {
          state.files.delete(secret.file);
          state.errors.delete(secret.file);
          return;
        }
        state.errors.set(secret.file, problem);
        errors.push(`${state.policy.file}: secrets[${index}] (${secret.file}): ${problem}`);
        if (!initial) logger.warn('cannot render; keeping the last good content', { policy: state.policy.name, file: secret.file, error: problem });
      });
      for (const [file, rendered] of state.files) all.set(file, rendered);
    }
    return { files: all, errors };
  }

  /** Resolves each policy's env and records the action its changes call for; returns env errors. */
  function settle(now: number, result: SinkResult, initial: boolean): string[] {
    const errors: string[] = [];
    for (const state of policies) {
      const env = resolveEnv(state.policy.env, policySnapshot(state.policy, data));
      if (!env.ok) {
        errors.push(...[...env.missing.map((m) => why(state.policy, m)), ...env.errors].map((e) => `${state.policy.file}: env: ${e}`));
        continue;
      }
      const previousEnv = state.env;
      state.env = env.env;
      if (initial) continue;
      const mine = new Set(state.policy.secrets.map((secret) => secret.file));
      const files: FileDiff = {
        changed: result.changed.filter((f) => mine.has(f)),
        removed: result.removed.filter((f) => mine.has(f)),
        added: [],
        modeOnly: [],
      };
      const onChange = state.policy.onChange;
      const action = changeAction(onChange, files, diffEnv(previousEnv, env.env), onChange.action === 'restart' ? onChange.timeoutMs : defaults.restartTimeoutMs);
      if (action.action === 'none') continue;
      state.burst = noteChange(state.burst, now);
      // An env change needs a restart whatever on_change says; it wins over any other action.
      if (!state.pending || ('reason' in action && action.reason === 'env')) state.pending = action;
    }
    return errors;
  }

  async function writeAndNotify(now: number, initial: boolean, changed?: ReadonlySet<string>): Promise<string[]> {
    const { files, errors } = renderAll(now, initial, changed);
    const result = await sink.write(files);
    counters.files_written += result.changed.length;
    counters.files_removed += result.removed.length;
    for (const failure of result.failed) {
      if (initial) errors.push(`cannot write ${failure.file}: ${failure.error.message}`);
      else logger.error('writing a secret file failed; its previous content stays', { file: failure.file, error: failure.error.message });
    }
    return [...errors, ...settle(now, result, initial)];
  }

  async function fireDueActions(now: number): Promise<void> {
    for (const state of policies) {
      const wait = state.policy.wait ?? options.defaultWait ?? defaultWait;
      if (!state.pending || !burstDue(state.burst, now, wait)) continue;
      const action = state.pending;
      state.pending = undefined;
      state.burst = undefined;
      counters.actions++;
      state.lastAction = { action: action.action, at: now };
      try {
        await options.onChange(state.policy, action, mergedEnv());
      } catch (err) {
        logger.error('on_change failed', { policy: state.policy.name, action: action.action, error: errorMessage(err) });
      }
    }
  }

  function mergedEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const state of policies) Object.assign(env, state.env);
    return env;
  }

  function nextWake(): number {
    let at = Infinity;
    for (const state of keys.values()) at = Math.min(at, state.nextAt);
    for (const state of policies) {
      if (state.pending && state.burst) {
        at = Math.min(at, debounceDeadline(state.burst.firstAt, state.burst.lastAt, state.policy.wait ?? options.defaultWait ?? defaultWait));
      }
    }
    return at;
  }

  return {
    async start() {
      const now = clock.now();
      await sink.init();
      await fetchDue(now, true);
      const errors = await writeAndNotify(now, true);
      return errors.length > 0 ? { ok: false, errors } : { ok: true, env: mergedEnv() };
    },

    async run(signal) {
      const unwatch = [...options.sources.entries()].map(([id, source]) =>
        source.watch?.(() => {
          changeCounts.set(id, (changeCounts.get(id) ?? 0) + 1);
          logger.debug('source reported a change', { source: source.name });
          for (const state of keys.values()) if (state.sourceId === id) state.nextAt = Math.min(state.nextAt, clock.now());
          wakeUp();
        }),
      );
      try {
        while (!signal.aborted) {
          const now = clock.now();
          const changed = await fetchDue(now);
          if (changed.size > 0) await writeAndNotify(clock.now(), false, changed);
          await fireDueActions(clock.now());
          const delay = Math.max(0, nextWake() - clock.now());
          if (delay === 0) continue;
          wake = new AbortController();
          const both = AbortSignal.any([signal, wake.signal]);
          try {
            await clock.sleep(Math.min(delay, 2 ** 31 - 1), both);
          } catch {
            // Woken early: a watch fired, a rotation was asked for, or we are stopping.
          }
        }
      } finally {
        unwatch.forEach((stop) => stop?.());
      }
    },

    rotateNow() {
      for (const state of keys.values()) state.nextAt = 0;
      wakeUp();
    },

    status() {
      return {
        policies: policies.map((s) => ({
          name: s.policy.name,
          file: s.policy.file,
          files: s.policy.secrets.map((secret) => ({ file: secret.file, renderedAt: s.renderedAt.get(secret.file), error: s.errors.get(secret.file) })),
          lastAction: s.lastAction,
        })),
        keys: [...keys.values()].map(({ source, key, fetchedAt, nextAt, attempts, error, version }) => ({ source, key, fetchedAt, nextAt, attempts, error, version })),
        counters: { ...counters },
      };
    },
  };
}
