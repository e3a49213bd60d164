// The runner's policy side: every policy rendered from the fetched values in memory, the files
// and problems each one has, its env, and its pending on_change (once per burst of changes,
// after the burst settles: `wait`). Fetching and the loop are runner.ts's.

import { defaults, type Policy, type Secret } from './config/normalize';
import { changeAction, diffEnv, sameBytes, type ChangeAction, type FileDiff, type RenderedFile } from './core/diff';
import { policySnapshot, policySourceIds, type FetchedLookup } from './core/plan';
import { problemText, type MissingInput, type RenderProblem } from './core/problems';
import type { MissingValue } from './core/refs';
import { renderSecret, resolveEnv } from './core/render';
import { burstDue, debounceDeadline, noteChange, type Burst, type WaitSpec } from './core/schedule';
import type { Logger } from './log';
import type { SinkFile, SinkResult } from './sink/types';

export const defaultWait: WaitSpec = { minMs: 100, maxMs: 2000 };

/** A fetched key's identity across policies: source id and key. */
export const keyId = (sourceId: string, key: string) => `${sourceId}\u0000${key}`;

export interface PolicyFileStatus {
  file: string;
  renderedAt?: number;
  error?: string;
}

export interface PolicyStatus {
  name: string;
  file: string;
  files: PolicyFileStatus[];
  lastAction?: { action: string; at: number };
}

export interface PolicyRendererDeps {
  fetched: FetchedLookup;
  /** The source's words for why a key has no value, if its last fetch gave none. */
  fetchError(sourceId: string, key: string): string | undefined;
  logger: Logger;
  counters: Record<string, number>;
  defaultWait?: WaitSpec;
}

interface PolicyState {
  policy: Policy;
  /** The policy's source names → source ids. */
  sourceIds: Map<string, string>;
  /** Per secret, the key ids it reads. */
  inputs: string[][];
  files: Map<string, RenderedFile>;
  renderedAt: Map<string, number>;
  problems: Map<string, RenderProblem>;
  env: Record<string, string>;
  burst?: Burst;
  pending?: ChangeAction;
  lastAction?: { action: string; at: number };
}

export function createPolicyRenderer(policies: readonly Policy[], deps: PolicyRendererDeps) {
  const { fetched, logger, counters } = deps;
  const states: PolicyState[] = policies.map((policy) => {
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
  const waitOf = (state: PolicyState) => state.policy.wait ?? deps.defaultWait ?? defaultWait;

  /** Adds to each missing value the source's own words for why it has none. */
  function withFetchErrors(state: PolicyState, missing: readonly MissingValue[]): MissingInput[] {
    return missing.map((m) => {
      const id = state.sourceIds.get(m.source);
      const error = id === undefined ? undefined : deps.fetchError(id, m.key);
      return error === undefined ? m : { ...m, fetchError: error };
    });
  }

  return {
    /** The source ids each policy reads, for the rotation each source gets. */
    sourceIdsOf: (policy: Policy) => [...(states.find((s) => s.policy === policy)?.sourceIds.values() ?? [])],

    /**
     * Renders from memory the secrets that read a changed key (all of them when `changed` is
     * undefined); the others keep their last rendering, the same bytes. Returns the complete
     * set of files for the sink, and the problems of required secrets.
     */
    render(now: number, initial: boolean, changed?: ReadonlySet<string>): { files: Map<string, SinkFile>; problems: RenderProblem[] } {
      const all = new Map<string, SinkFile>();
      const problems: RenderProblem[] = [];
      for (const state of states) {
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
    },

    /** After a write: resolves each policy's env and records the action its changes call for; returns env problems. */
    settle(now: number, result: SinkResult, initial: boolean): RenderProblem[] {
      const problems: RenderProblem[] = [];
      for (const state of states) {
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
    },

    /** Takes the actions whose burst has settled by `now`, one per policy. */
    takeDueActions(now: number): { policy: Policy; action: ChangeAction }[] {
      const due: { policy: Policy; action: ChangeAction }[] = [];
      for (const state of states) {
        if (!state.pending || !burstDue(state.burst, now, waitOf(state))) continue;
        due.push({ policy: state.policy, action: state.pending });
        state.lastAction = { action: state.pending.action, at: now };
        state.pending = undefined;
        state.burst = undefined;
      }
      return due;
    },

    /** When the next pending action comes due; Infinity when none is pending. */
    nextDeadline(): number {
      let at = Infinity;
      for (const state of states) {
        if (state.pending && state.burst) at = Math.min(at, debounceDeadline(state.burst.firstAt, state.burst.lastAt, waitOf(state)));
      }
      return at;
    },

    /** Every policy's env variables, merged. */
    env(): Record<string, string> {
      const env: Record<string, string> = {};
      for (const state of states) Object.assign(env, state.env);
      return env;
    },

    status(redact: (text: string) => string): PolicyStatus[] {
      return states.map((s) => ({
        name: s.policy.name,
        file: s.policy.file,
        files: s.policy.secrets.map((secret) => {
          const problem = s.problems.get(secret.file);
          return { file: secret.file, renderedAt: s.renderedAt.get(secret.file), error: problem && redact(problemText(problem)) };
        }),
        lastAction: s.lastAction,
      }));
    },
  };
}
