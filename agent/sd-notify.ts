// systemd's notify protocol (sd_notify(3)) for `hush run` and `hush agent`: state lines as
// datagrams to $NOTIFY_SOCKET (a path, or '@name' in the abstract namespace), and WATCHDOG=1
// every WATCHDOG_USEC/2 when systemd asks for it. Without NOTIFY_SOCKET every call is a no-op
// and the addon is not loaded. A failed send is logged once and never stops hush.

import { native } from '../native';

export interface Notifier {
  /** READY=1, with a STATUS line. */
  ready(status: string): void;
  /** RELOADING=1 (with MONOTONIC_USEC, as Type=notify-reload wants), with a STATUS line. */
  reloading(status: string): void;
  /** STOPPING=1; also stops the watchdog pings. */
  stopping(status: string): void;
  status(status: string): void;
}

export interface NotifierOptions {
  env: NodeJS.ProcessEnv;
  /** Where the one warning about a failed send goes. */
  warn(message: string): void;
  /** The transport; the addon's sendDatagram by default. */
  send?: (socket: string, bytes: Uint8Array) => void;
}

const silent: Notifier = { ready() {}, reloading() {}, stopping() {}, status() {} };

/** The CLOCK_MONOTONIC reading in microseconds (libuv's hrtime is CLOCK_MONOTONIC on Linux). */
const monotonicMicros = () => process.hrtime.bigint() / 1000n;

/** STATUS= is one line: newlines would start other assignments. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');

export function createNotifier(options: NotifierOptions): Notifier {
  const socket = options.env.NOTIFY_SOCKET;
  if (!socket) return silent;
  if (!socket.startsWith('/') && !socket.startsWith('@')) {
    options.warn(`NOTIFY_SOCKET=${socket} is not a unix socket path or @name; not notifying systemd`);
    return silent;
  }
  const send = options.send ?? native().sendDatagram;
  let warned = false;
  const notify = (lines: string[]) => {
    try {
      send(socket, Buffer.from(lines.join('\n') + '\n'));
    } catch (err) {
      if (warned) return;
      warned = true;
      options.warn(`cannot notify systemd at ${socket}: ${(err as Error).message} (further failures are not logged)`);
    }
  };

  const watchdog = watchdogInterval(options.env);
  const timer = watchdog === undefined ? undefined : setInterval(() => notify(['WATCHDOG=1']), watchdog);
  timer?.unref();

  return {
    ready: (status) => notify(['READY=1', `STATUS=${oneLine(status)}`]),
    reloading: (status) => notify(['RELOADING=1', `MONOTONIC_USEC=${monotonicMicros()}`, `STATUS=${oneLine(status)}`]),
    stopping: (status) => {
      if (timer) clearInterval(timer);
      notify(['STOPPING=1', `STATUS=${oneLine(status)}`]);
    },
    status: (status) => notify([`STATUS=${oneLine(status)}`]),
  };
}

/** Half of WATCHDOG_USEC in ms, when the watchdog is meant for this process. */
function watchdogInterval(env: NodeJS.ProcessEnv): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== process.pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}

/** Sends READY=1 once check() holds: at once, or at the first of the polls every intervalMs. */
export function notifyReadyWhen(notifier: Notifier, check: () => boolean, status: () => string, intervalMs = 1000): () => void {
  if (check()) {
    notifier.ready(status());
    return () => {};
  }
  notifier.status('waiting for the first render of every secret');
  const timer = setInterval(() => {
    if (!check()) return;
    clearInterval(timer);
    notifier.ready(status());
  }, intervalMs);
  return () => clearInterval(timer);
}
