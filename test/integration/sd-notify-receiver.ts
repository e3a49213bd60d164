// A real sd_notify receiver, as systemd's manager is: an AF_UNIX datagram socket (a path, or
// '@name' in the abstract namespace) with SO_PASSCRED, so each message comes with the pid the
// kernel vouches sent it (systemd's NotifyAccess=main checks exactly that). python3 binds it.

import { spawn, type ChildProcess } from 'node:child_process';

const receiver = `
import json, socket, struct, sys
addr = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind('\\0' + addr[1:] if addr.startswith('@') else addr)
print(json.dumps({'bound': True}), flush=True)
while True:
    data, ancillary, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(12))
    pid = None
    for level, kind, value in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack('iII', value[:12])[0]
    print(json.dumps({'pid': pid, 'text': data.decode()}), flush=True)
`;

export interface Datagram {
  pid: number;
  text: string;
}

export interface NotifyReceiver {
  address: string;
  messages: Datagram[];
  /** Resolves with the first message (from index `from` on) whose text matches. */
  next(pattern: RegExp, from?: number, timeoutMs?: number): Promise<Datagram>;
  close(): void;
}

export async function startReceiver(address: string): Promise<NotifyReceiver> {
  const child: ChildProcess = spawn('python3', ['-c', receiver, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: Datagram[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  let bound: () => void;
  const ready = new Promise<void>((resolve) => (bound = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (line.bound) bound();
      else messages.push(line);
      for (const wake of waiters) wake();
    }
  });
  await ready;
  return {
    address,
    messages,
    next(pattern, from = 0, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.slice(from).find((m) => pattern.test(m.text));
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no notify message matching ${pattern} (got ${JSON.stringify(messages.map((m) => m.text))})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => child.kill('SIGKILL'),
  };
}
