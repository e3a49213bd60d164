// The one loop that drives fetch → render → write → notify.
//
// Each distinct (source, key) of all policies has its own schedule: the next time it is due
// (rotate.every with jitter, or the source's hint such as a lease's refresh time), and a retry
// count with capped exponential backoff after failures. Due keys are fetched together, one
// fetch call per source per cycle. When fetched data changed, every policy is rendered from
// memory and the sink writes the files whose bytes changed. A policy's on_change runs once per
// burst of changes, after the burst settles (`wait`), never once per file.

import { defaults, type Policy, type Secret } from './config/normalize';
import { changeAction, diffEnv, sameBytes, type ChangeAction, type FileDiff, type RenderedFile } from './core/diff';
import { applyFetch, initialKeyState, noResult, type KeyState } from './core/key-state';
import { planFetches, policySnapshot, policySourceIds, type FetchedLookup } from './core/plan';
import { problemLines, problemText, type MissingInput, type RenderProblem } from './core/problems';
import type { MissingValue } from './core/refs';
import { renderSecret, resolveEnv } from './core/render';
import { burstDue, debounceDeadline, defaultRetry, noteChange, type Burst, type RetryPolicy, type RotateSpec, type WaitSpec } from './core/schedule';
import { secretStrings } from './core/values';
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

/** One distinct (source, key) of all policies: who it is, how often it rotates, where it is. */
interface KeyEntry {
  sourceId: string;
  /** The source's display name. */
  source: string;
  key: string;
  rotate: RotateSpec;
  state: KeyState;
}

interface PolicyState {
  policy: Policy;
  /** The policy's source names → source ids. */
  sourceIds: Map<string, string>;
  /** Per secret, the ids of the fetched keys it reads. */
  inputs: string[][];
  files: Map<string, RenderedFile>;
  renderedAt: Map<string, number>;
  problems: Map<string, RenderProblem>;
  env: Record<string, string>;
  burst?: Burst;
  pending?: ChangeAction;
  lastAction?: { action: string; at: number };
}

export const defaultWait: WaitSpec = { minMs: 100, maxMs: 2000 };

const keyId = (source: string, key: string) => `${source}\u0000${key}`;

export function createRunner(options: RunnerOptions): Runner {
  const { clock, random, logger, redactor, sink } = options;
  const retry = options.retry ?? defaultRetry;
  const plan = planFetches(options.policies);
  const keys = new Map<string, KeyEntry>();
  const counters: Record<string, number> = {
    fetches: 0, fetch_failures: 0, renders: 0, files_written: 0, files_removed: 0, actions: 0,
  };
  let wake: AbortController | undefined;
  // Bumped by a source's watcher. A change reported while that source's fetch is in flight may
  // not be in what the fetch read, so such keys stay due instead of waiting for the next poll.
  const changeCounts = new Map<string, number>();

  const policies: PolicyState[] = options.policies.map((policy) => {
    const sourceIds = policySourceIds(policy);
    const inputsOf = (secret: Secret): string[] => {
      const refs = secret.format === 'template' ? secret.refs : [{ source: secret.source, key: secret.key }];
      return refs.flatMap((ref) => {
        const id = sourceIds.get(ref.source);
        return id === undefined ? [] : [keyId(id, ref.key)];
      });
    };
    return { policy, sourceIds, inputs: policy.secrets.map(inputsOf), files: new Map(), renderedAt: new Map(), problems: new Map(), env: {} };
  });
  for (const planned of plan.sources) {
    const users = policies.filter((p) => [...p.sourceIds.values()].includes(planned.id)).map((p) => p.policy);
    const rotate = { everyMs: Math.min(...users.map((p) => p.rotate.everyMs)), jitter: Math.max(...users.map((p) => p.rotate.jitter)) };
    const source = options.sources.get(planned.id)?.name ?? planned.id;
    for (const key of planned.keys) keys.set(keyId(planned.id, key), { sourceId: planned.id, source, key, rotate, state: initialKeyState });
  }
  const fetched: FetchedLookup = (id, key) => keys.get(keyId(id, key))?.state.data;

  const wakeUp = () => wake?.abort();

  /** Fetches the keys due at `now`, one call per source; returns the ids of the keys whose data changed. */
  async function fetchDue(now: number, initial = false): Promise<Set<string>> {
    const bySource = new Map<string, [string, KeyEntry][]>();
    for (const [id, entry] of keys) {
      if (entry.state.nextAt > now) continue;
      const list = bySource.get(entry.sourceId) ?? [];
      list.push([id, entry]);
      bySource.set(entry.sourceId, list);
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
          results = await source.fetch(due.map(([, entry]) => entry.key));
        } catch (err) {
          const failed: FetchResult = { ok: false, missing: false, reason: errorMessage(err) };
          results = new Map(due.map(([, entry]) => [entry.key, failed]));
        }
        const at = { now: clock.now(), rand: random, retry, changedMeanwhile: (changeCounts.get(id) ?? 0) !== changesBefore };
        logger.debug('fetched', { source: source.name, keys: due.length, changed_meanwhile: at.changedMeanwhile });
        for (const [kid, entry] of due) {
          const result = results.get(entry.key) ?? noResult;
          if (result.ok) for (const text of secretStrings(result.secret.data)) redactor.add(text);
          const step = applyFetch(entry.state, result, { ...at, rotate: entry.rotate });
          entry.state = step.state;
          if (step.changed) changed.add(kid);
          if (!step.failure) continue;
          counters.fetch_failures++;
          if (!initial) logger.warn('fetch failed; keeping the last good content', {
            source: entry.source, key: entry.key, attempt: step.failure.attempt, retry_in_ms: step.failure.retryInMs, error: step.failure.reason,
          });
        }
      }),
    );
    return changed;
  }

  /** Adds to each missing value the source's own words for why it has none. */
  function withFetchErrors(state: PolicyState, missing: readonly MissingValue[]): MissingInput[] {
    return missing.map((m) => {
      const id = state.sourceIds.get(m.source);
      const error = id === undefined ? undefined : keys.get(keyId(id, m.key))?.state.error;
      return error === undefined ? m : { ...m, fetchError: error };
    });
  }

  /**
   * Renders from memory the secrets that read a changed key (all of them when `changed` is
   * undefined); the others keep their last rendering, the same bytes. Returns the complete set
   * of files for the sink, and the problems of required secrets.
   */
  function renderAll(now: number, initial: boolean, changed?: ReadonlySet<string>): { files: Map<string, SinkFile>; problems: RenderProblem[] } {
    const all = new Map<string, SinkFile>();
    const problems: RenderProblem[] = [];
    for (const state of policies) {
      const snapshot = policySnapshot(state.policy, fetched, state.sourceIds);
      state.policy.secrets.forEach((secret: Secret, index: number) => {
        if (changed && !state.inputs[index]!.some((id) => changed.has(id))) {
          const problem = state.problems.get(secret.file);
          if (problem) problems.push(problem);
          return;
        }
        counters.renders++;
        const result = renderSecret(secret, snapshot);
        if (result.ok) {
          const previous = state.files.get(secret.file);
          if (!previous || !sameBytes(previous.bytes, result.bytes) || previous.mode !== secret.mode) state.renderedAt.set(secret.file, now);
          state.files.set(secret.file, { bytes: result.bytes, mode: secret.mode });
          state.problems.delete(secret.file);
          return;
        }
        if (secret.optional) {
          state.files.delete(secret.file);
          state.problems.delete(secret.file);
          return;
        }
        const problem: RenderProblem = {
          policy: state.policy.name, policyFile: state.policy.file, secret: { index, file: secret.file },
          missing: withFetchErrors(state, result.missing), errors: result.errors,
        };
        state.problems.set(secret.file, problem);
        problems.push(problem);
        if (!initial) logger.warn('cannot render; keeping the last good content', { policy: state.policy.name, file: secret.file, error: problemText(problem) });
      });
      for (const [file, rendered] of state.files) all.set(file, rendered);
    }
    return { files: all, problems };
  }

  /** Resolves each policy's env and records the action its changes call for; returns env problems. */
  function settle(now: number, result: SinkResult, initial: boolean): RenderProblem[] {
    const problems: RenderProblem[] = [];
    for (const state of policies) {
      const env = resolveEnv(state.policy.env, policySnapshot(state.policy, fetched, state.sourceIds));
      if (!env.ok) {
        problems.push({ policy: state.policy.name, policyFile: state.policy.file, missing: withFetchErrors(state, env.missing), errors: env.errors });
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
    return problems;
  }

  /** Renders, writes and settles; returns the lines start() reports, redacted. */
  async function writeAndNotify(now: number, initial: boolean, changed?: ReadonlySet<string>): Promise<string[]> {
    const { files, problems } = renderAll(now, initial, changed);
    const result = await sink.write(files);
    counters.files_written += result.changed.length;
    counters.files_removed += result.removed.length;
    const errors = problems.flatMap(problemLines);
    for (const failure of result.failed) {
      if (initial) errors.push(`cannot write ${failure.file}: ${failure.error.message}`);
      else logger.error('writing a secret file failed; its previous content stays', { file: failure.file, error: failure.error.message });
    }
    errors.push(...settle(now, result, initial).flatMap(problemLines));
    return errors.map((line) => redactor.redact(line));
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
    for (const entry of keys.values()) at = Math.min(at, entry.state.nextAt);
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
          for (const entry of keys.values()) {
            if (entry.sourceId === id && entry.state.nextAt > clock.now()) entry.state = { ...entry.state, nextAt: clock.now() };
          }
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
      for (const entry of keys.values()) entry.state = { ...entry.state, nextAt: 0 };
      wakeUp();
    },

    status() {
      return {
        policies: policies.map((s) => ({
          name: s.policy.name,
          file: s.policy.file,
          files: s.policy.secrets.map((secret) => {
            const problem = s.problems.get(secret.file);
            return { file: secret.file, renderedAt: s.renderedAt.get(secret.file), error: problem && redactor.redact(problemText(problem)) };
          }),
          lastAction: s.lastAction,
        })),
        keys: [...keys.values()].map(({ source, key, state: { fetchedAt, nextAt, attempts, error, version } }) => ({
          source, key, fetchedAt, nextAt, attempts, error: error && redactor.redact(error), version,
        })),
        counters: { ...counters },
      };
    },
  };
}
