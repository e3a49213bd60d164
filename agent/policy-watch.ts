// Watches policy files for `hush agent`'s reload. Armed before the first read, so that an edit
// made while the agent starts is not missed: a change that comes before anyone listens is
// delivered as soon as a listener is set.

export interface PolicyWatch {
  /** Calls back on every change from now on, and at once if one came before. */
  onChange(callback: () => void): void;
  close(): Promise<void>;
}

export async function watchPolicies(files: readonly string[]): Promise<PolicyWatch> {
  const { watch } = require('chokidar') as typeof import('chokidar');
  const watcher = watch([...files], { ignoreInitial: true });
  let pending = false;
  let listener: (() => void) | undefined;
  watcher.on('all', () => (listener ? listener() : (pending = true)));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    onChange(callback) {
      listener = callback;
      if (pending) callback();
    },
    close: () => watcher.close(),
  };
}
