// `on_change: command`: runs a command on the host side, with a timeout (SIGTERM, then SIGKILL
// five seconds later). Its output goes to hush's stderr; its failure is logged, never fatal.

import { spawn } from 'node:child_process';

export interface CommandOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

export function runHostCommand(argv: readonly string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', process.stderr, process.stderr], env });
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (killer) clearTimeout(killer);
      resolve({ code, signal, timedOut });
    });
  });
}
