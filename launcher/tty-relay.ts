// `hush run -t`: relays the caller's stdin and stdout to the container's pty master. The
// caller's terminal is in raw mode while the app runs (the pty's own line discipline does the
// editing and turns ^C into SIGINT for the app) and is restored on every way out, a crash
// included. Window size follows the caller's terminal.

import * as tty from 'node:tty';

export interface TtyRelay {
  /** Resolves once the app's side of the pty has closed and its output is written. */
  readonly drained: Promise<void>;
  /** Restores the caller's terminal and stops relaying. Idempotent. */
  close(): void;
}

export interface TtyRelayOptions {
  readFd: number;
  writeFd: number;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  setWindowSize(columns: number, rows: number): void;
}

/** The size to give the pty: the caller's terminal's, else 80x24. */
export function initialWindowSize(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return stdout.isTTY && stdout.columns > 0 ? { columns: stdout.columns, rows: stdout.rows } : { columns: 80, rows: 24 };
}

export function startTtyRelay(options: TtyRelayOptions): TtyRelay {
  const { stdin, stdout } = options;
  const fromApp = new tty.ReadStream(options.readFd);
  const toApp = new tty.WriteStream(options.writeFd);
  const raw = stdin.isTTY === true;
  const restore = () => {
    if (raw) stdin.setRawMode(false);
  };
  if (raw) stdin.setRawMode(true);
  process.on('exit', restore);

  const onResize = () => {
    if (stdout.isTTY) options.setWindowSize(stdout.columns, stdout.rows);
  };
  stdout.on('resize', onResize);
  const onInput = (chunk: Buffer) => toApp.write(chunk);
  // The end of a piped stdin reaches the app as the terminal's end-of-file character.
  const onEnd = () => toApp.write('\x04');
  stdin.on('data', onInput);
  stdin.once('end', onEnd);
  stdin.resume();

  // EIO on the master means every slave descriptor is closed: the container is gone.
  const drained = new Promise<void>((resolve) => {
    fromApp.on('data', (chunk: Buffer) => stdout.write(chunk));
    fromApp.on('error', () => resolve());
    fromApp.on('end', () => resolve());
    fromApp.on('close', () => resolve());
  });

  let closed = false;
  return {
    drained,
    close() {
      if (closed) return;
      closed = true;
      stdin.off('data', onInput);
      stdin.off('end', onEnd);
      stdin.pause();
      stdout.off('resize', onResize);
      restore();
      process.off('exit', restore);
      fromApp.destroy();
      toApp.destroy();
    },
  };
}
