// What `on_change` does in `hush run`: a signal to the app (through our init), a restart of
// the app in the same container, or a command on the host side.

import { constants as osConstants } from 'node:os';
import type { Policy } from '../agent/config/normalize';
import type { ChangeAction } from '../agent/core/diff';
import type { Logger } from '../agent/log';
import type { RunningContainer } from './container';
import { runHostCommand } from './host-command';

export interface OnChangeDeps {
  container(): RunningContainer | undefined;
  /** The app's environment without policy variables. */
  baseEnv: ReadonlyMap<string, string>;
  logger: Logger;
}

export function appEnv(base: ReadonlyMap<string, string>, policyEnv: Readonly<Record<string, string>>): string[] {
  const env = new Map(base);
  for (const [k, v] of Object.entries(policyEnv)) env.set(k, v);
  return [...env].map(([k, v]) => `${k}=${v}`);
}

export function createOnChange(deps: OnChangeDeps) {
  return async (policy: Policy, action: ChangeAction, policyEnv: Readonly<Record<string, string>>): Promise<void> => {
    const container = deps.container();
    const log = deps.logger.child({ policy: policy.name });
    switch (action.action) {
      case 'none':
        return;
      case 'signal':
        log.info('secrets changed; signalling the app', { signal: action.signal });
        container?.signal(osConstants.signals[action.signal]);
        return;
      case 'restart': {
        if (!container) return;
        log.info('secrets changed; restarting the app', 'reason' in action ? { reason: 'environment changed' } : {});
        const started = Date.now();
        await container.restart(appEnv(deps.baseEnv, policyEnv), osConstants.signals.SIGTERM, action.timeoutMs);
        log.info('app restarted', { ms: Date.now() - started });
        return;
      }
      case 'command': {
        log.info('secrets changed; running the on_change command', { command: action.argv[0] });
        const outcome = await runHostCommand(action.argv, action.timeoutMs, { ...process.env, HUSH_POLICY: policy.name });
        if (outcome.timedOut) log.warn('the on_change command timed out', { timeout_ms: action.timeoutMs });
        else if (outcome.code !== 0) log.warn('the on_change command failed', { code: outcome.code, signal: outcome.signal });
        return;
      }
    }
  };
}
