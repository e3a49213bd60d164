// The signals `hush run` forwards to the app, and the ones a policy's `on_change` may send: the
// same set (hush-init forwards them too: native/src/init.c).
export const appSignals = ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGWINCH'] as const;

export type SignalName = (typeof appSignals)[number];
