// The terminal. hush runs under a real pseudo-terminal that is its controlling terminal (the
// pty-harness fixture plays the user's shell): the app must not inject input into it
// (TIOCSTI), must not leave its foreground process group pointing at the container, and with
// -t gets a pty of its own, with the caller's window size, and the caller's settings restored.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures, hushBin } from './helpers';

interface Report {
  output: string;
  termiosRestored: boolean;
  queued: string;
  status: number;
}

const hushCommand = `${process.execPath} ${hushBin}`;

function underTerminal(script: string, sizes: number[] = [30, 100]): Report {
  const out = execFileSync('python3', [path.join(fixtures, 'pty-harness.py'), ...sizes.map(String), '--', '/bin/sh', '-c', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HUSH: hushCommand, LANG: 'C.UTF-8' },
  });
  return JSON.parse(out) as Report;
}

const inject = (mark: string) => `python3 -c 'import fcntl, termios; fcntl.ioctl(0, termios.TIOCSTI, b"${mark}")'`;
const tiocstiWorks = underTerminal(`${inject('#')} 2>/dev/null`).queued === '#';

describe('the caller\'s terminal', () => {
  it.skipIf(!tiocstiWorks)('cannot receive input injected with TIOCSTI by the app, as root or --user 1000 (needs legacy TIOCSTI)', () => {
    for (const flags of ['', '--user 1000', '--no-init']) {
      const r = underTerminal(`$HUSH run ${flags} -- ${inject('@')} 2>&1; echo status=$?`);
      expect(r.output).toContain('PermissionError: [Errno 1] Operation not permitted');
      expect(r.output).toContain('status=1');
      expect(r.queued).toBe('');
    }
  });

  it('is not the app\'s controlling terminal: /dev/tty cannot be opened', () => {
    const r = underTerminal(`$HUSH run -- /bin/sh -c 'exec 3</dev/tty' 2>&1; echo status=$?`);
    expect(r.output).toMatch(/No such device or address/);
    expect(r.output).toContain('status=2');
  });

  it('keeps its foreground process group after the app exits (with and without init)', () => {
    const check = `python3 -c 'import os; print("foreground", os.tcgetpgrp(0) == os.getpgrp())'`;
    const r = underTerminal(`$HUSH run -- true; $HUSH run --no-init -- true; $HUSH run --no-init -- sleep 0.1; ${check}`);
    expect(r.output).toContain('foreground True');
  });
});

describe('-t, --tty', () => {
  it('gives the app a pty of the container\'s own with the caller\'s window size, then restores the terminal', () => {
    const r = underTerminal(`$HUSH run -t -- /bin/sh -c 'tty; stty size; test -t 0 && test -t 1 && echo both-tty'; echo status=$?`);
    expect(r.output.replace(/\r/g, '')).toBe('/dev/pts/0\n30 100\nboth-tty\nstatus=0\n');
    expect(r.termiosRestored).toBe(true);
  });

  it('follows the caller\'s window size (SIGWINCH)', () => {
    const app = `trap 'stty size; exit 0' WINCH; echo ready; while :; do sleep 0.05; done`;
    const r = underTerminal(`$HUSH run -t -- /bin/sh -c "${app}"; echo status=$?`, [30, 100, 41, 123]);
    expect(r.output.replace(/\r/g, '')).toBe('ready\n41 123\nstatus=0\n');
    expect(r.termiosRestored).toBe(true);
  });

  it('restores the terminal when the app cannot start, is killed, or hush is stopped by SIGTERM', () => {
    const r = underTerminal(
      `$HUSH run -t -- /nonexistent; echo status=$?; $HUSH run -t -- /bin/sh -c 'kill -KILL $$'; echo status=$?; ` +
        // The terminal is raw while the app runs (hush's stdin given explicitly: sh gives a
        // background job /dev/null), and comes back when hush is stopped.
        `exec 3<&0; $HUSH run -t -- sleep 10 <&3 & sleep 1; stty -a | grep -o -- -icanon; kill -TERM $!; wait $!; echo status=$?`,
    );
    expect(r.output.replace(/\r/g, '').match(/status=\d+|-icanon/g)).toEqual(['status=127', 'status=137', '-icanon', 'status=143']);
    expect(r.termiosRestored).toBe(true);
  });

  it('gives a piped stdin to the app through the pty, its end as end-of-file', () => {
    const r = underTerminal(`echo piped-line | $HUSH run -t -- cat; echo status=$?`);
    expect(r.output.replace(/\r/g, '')).toMatch(/piped-line\n(piped-line\n)?status=0\n$/);
  });

  it('passes stdio as it is without -t: pipes stay pipes', () => {
    const out = execFileSync(process.execPath, [hushBin, 'run', '--', '/bin/sh', '-c', 'test -t 0 || echo not-a-tty; cat'], { input: 'piped\n', encoding: 'utf8' });
    expect(out).toBe('not-a-tty\npiped\n');
  });
});
