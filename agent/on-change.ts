// What a policy's `on_change` does once a burst of changes settled: a signal to the app, a
// restart of the app, or a command on the host side. Signal and restart need an app to act on
// (`hush run` passes its container); in sidecar mode (`hush agent`) there is none, and only
// `command` acts.

import type { Policy } from './config/normalize';
import type { SignalName } from './config/schema';
import type { ChangeAction } from './core/diff';
import { runHostCommand } from './host-command';
import type { Logger } from './log';

/** The running app, as the agent sees it. */
export interface AppHandle {
  signal(signal: SignalName): void;
  /** Stops the app gracefully (SIGTERM, SIGKILL after timeoutMs) and starts it again with
   * the policies' variables (`policyEnv`) over its own environment. */
  restart(policyEnv: Readonly<Record<string, string>>, timeoutMs: number): Promise<void>;
}

export interface OnChangeDeps {
  /** The app to act on; undefined when there is none (sidecar mode, or not started yet). */
  app?: () => AppHandle | undefined;
  logger: Logger;
  /** The environment of on_change commands (HUSH_POLICY is added). */
  env: NodeJS.ProcessEnv;
}

export type OnChange = (policy: Policy, action: ChangeAction, policyEnv: Readonly<Record<string, string>>) => Promise<void>;

export function createOnChange(deps: OnChangeDeps): OnChange {
  return async (policy, action, policyEnv) => {
    const log = deps.logger.child({ policy: policy.name });
    if (action.action === 'none') return;
    if (action.action === 'command') {
      log.info('secrets changed; running the on_change command', { command: action.argv[0] });
      const outcome = await runHostCommand(action.argv, action.timeoutMs, { ...deps.env, HUSH_POLICY: policy.name });
      if (outcome.timedOut) log.warn('the on_change command timed out', { timeout_ms: action.timeoutMs });
      else if (outcome.code !== 0) log.warn('the on_change command failed', { code: outcome.code, signal: outcome.signal });
      return;
    }
    if (!deps.app) {
      log.info('secrets changed', { note: `on_change ${action.action} needs hush run; in agent mode use command:` });
      return;
    }
    const app = deps.app();
    if (!app) return;
    if (action.action === 'signal') {
      log.info('secrets changed; signalling the app', { signal: action.signal });
      app.signal(action.signal);
      return;
    }
    log.info('secrets changed; restarting the app', 'reason' in action ? { reason: 'environment changed' } : {});
    const started = Date.now();
    await app.restart(policyEnv, action.timeoutMs);
    log.info('app restarted', { ms: Date.now() - started });
  };
}
