// The agent inside `hush run`: loaded only when the run has policies. Renders every policy
// into the container's tmpfs before the app starts, then keeps it fresh while the app runs.

import type { Agent } from '../agent/main';
import type { Policy } from '../agent/config/normalize';
import { createAgent, readPolicies } from '../agent/main';
import { createLogger, Redactor, type Logger } from '../agent/log';
import type { RunningContainer } from './container';
import { createOnChange } from './on-change';

export interface AgentSessionOptions {
  policyFiles: string[];
  /** Makes the directory to render into, once the policies are known (they size it). */
  prepareOutDir(policies: readonly Policy[]): string;
  uid: number;
  gid: number;
  env: NodeJS.ProcessEnv;
  cwd: string;
  defaultStore?: string;
  baseEnv: ReadonlyMap<string, string>;
  container(): RunningContainer | undefined;
}

export type SessionStart =
  | { ok: true; session: AgentSession }
  | { ok: false; errors: string[] };

export interface AgentSession {
  agent: Agent;
  logger: Logger;
  /** Scrubs every secret value fetched so far from a text. */
  redact(text: string): string;
  /** Variables the policies put in the app's environment. */
  env: Record<string, string>;
  /** Starts rotating; stops when the signal aborts. */
  run(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export async function startAgentSession(options: AgentSessionOptions): Promise<SessionStart> {
  const redactor = new Redactor();
  const logger = createLogger({ redactor });
  let agent: Agent;
  try {
    const policies = await readPolicies(options.policyFiles, options.cwd);
    agent = await createAgent({
      policies,
      outDir: options.prepareOutDir(policies),
      uid: options.uid,
      gid: options.gid,
      env: options.env,
      defaultStore: options.defaultStore,
      logger,
      redactor,
      onChange: createOnChange({ container: options.container, baseEnv: options.baseEnv, logger: logger.child({ component: 'on-change' }) }),
    });
  } catch (err) {
    const errors = (err as { errors?: string[] }).errors;
    return { ok: false, errors: errors ?? [redactor.redact((err as Error).message)] };
  }
  const started = await agent.runner.start().catch((err: Error) => ({ ok: false as const, errors: [redactor.redact(err.message)] }));
  if (!started.ok) {
    await agent.close();
    return { ok: false, errors: started.errors };
  }
  return {
    ok: true,
    session: {
      agent,
      logger,
      redact: (text) => redactor.redact(text),
      env: started.env,
      run: (signal) => agent.runner.run(signal),
      close: () => agent.close(),
    },
  };
}
