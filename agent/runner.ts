// The one loop that drives fetch → render → write → notify.
//
// Each distinct (source, key) of all policies has its own schedule: the next time it is due
// (rotate.every with jitter, or the source's hint such as a lease's refresh time), and a retry
// count with capped exponential backoff after failures. Due keys are fetched together, one
// fetch call per source per cycle; how a result moves a key on is core/key-state.ts's pure
// applyFetch. When fetched data changed, the policies are rendered from memory
// (policy-renderer.ts) and the sink writes the files whose bytes changed. A policy's on_change
// runs once per burst of changes, after the burst settles (`wait`), never once per file.

import type { Policy } from './config/normalize';
import type { ChangeAction } from './core/diff';
import { applyFetch, initialKeyState, noResult, type KeyState } from './core/key-state';
import { planFetches, type FetchedLookup } from './core/plan';
import { problemLines } from './core/problems';
import { defaultRetry, type RetryPolicy, type RotateSpec, type WaitSpec } from './core/schedule';
import { secretStrings } from './core/values';
import { errorMessage } from './errors';
import type { Logger, Redactor } from './log';
import { createPolicyRenderer, keyId, type PolicyStatus } from './policy-renderer';
import type { Clock } from './ports/clock';
import type { Random } from './ports/random';
import type { FetchResult, SecretSource } from './ports/secret-source';
import type { SecretSink } from './sink/types';

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
  policies: PolicyStatus[];
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

  // The same entries by source id, then key: what rendering looks values up in.
  const bySourceId = new Map<string, Map<string, KeyEntry>>();
  const fetched: FetchedLookup = (id, key) => bySourceId.get(id)?.get(key)?.state.data;
  const renderer = createPolicyRenderer(options.policies, {
    fetched,
    fetchError: (id, key) => bySourceId.get(id)?.get(key)?.state.error,
    logger,
    counters,
    ...(options.defaultWait ? { defaultWait: options.defaultWait } : {}),
  });
  for (const planned of plan.sources) {
    const users = options.policies.filter((p) => renderer.sourceIdsOf(p).includes(planned.id));
    const rotate = { everyMs: Math.min(...users.map((p) => p.rotate.everyMs)), jitter: Math.max(...users.map((p) => p.rotate.jitter)) };
    const source = options.sources.get(planned.id)?.name ?? planned.id;
    const ofSource = new Map<string, KeyEntry>();
    bySourceId.set(planned.id, ofSource);
    for (const key of planned.keys) {
      const entry: KeyEntry = { sourceId: planned.id, source, key, rotate, state: initialKeyState };
      keys.set(keyId(planned.id, key), entry);
      ofSource.set(key, entry);
    }
  }
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

  /** Renders, writes and settles; returns the lines start() reports, redacted. */
  async function writeAndNotify(now: number, initial: boolean, changed?: ReadonlySet<string>): Promise<string[]> {
    const { files, problems } = renderer.render(now, initial, changed);
    const result = await sink.write(files);
    counters.files_written += result.changed.length;
    counters.files_removed += result.removed.length;
    const errors = problems.flatMap(problemLines);
    for (const failure of result.failed) {
      if (initial) errors.push(`cannot write ${failure.file}: ${failure.error.message}`);
      else logger.error('writing a secret file failed; its previous content stays', { file: failure.file, error: failure.error.message });
    }
    errors.push(...renderer.settle(now, result, initial).flatMap(problemLines));
    return errors.map((line) => redactor.redact(line));
  }

  async function fireDueActions(now: number): Promise<void> {
    for (const { policy, action } of renderer.takeDueActions(now)) {
      counters.actions++;
      try {
        await options.onChange(policy, action, renderer.env());
      } catch (err) {
        logger.error('on_change failed', { policy: policy.name, action: action.action, error: errorMessage(err) });
      }
    }
  }

  function nextWake(): number {
    let at = renderer.nextDeadline();
    for (const entry of keys.values()) at = Math.min(at, entry.state.nextAt);
    return at;
  }

  return {
    async start() {
      const now = clock.now();
      await sink.init();
      await fetchDue(now, true);
      const errors = await writeAndNotify(now, true);
      return errors.length > 0 ? { ok: false, errors } : { ok: true, env: renderer.env() };
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
        policies: renderer.status((text) => redactor.redact(text)),
        keys: [...keys.values()].map(({ source, key, state: { fetchedAt, nextAt, attempts, error, version } }) => ({
          source, key, fetchedAt, nextAt, attempts, error: error && redactor.redact(error), version,
        })),
        counters: { ...counters },
      };
    },
  };
}
