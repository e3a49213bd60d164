// Terminal input for `hush store`: values and passphrases come from stdin or a no-echo prompt,
// never from argv (argv shows in `ps`).

import type { ReadStream } from 'node:tty';
import { cliErrors } from '../../errors';
import type { CommandIO } from '../types';

export async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return new Uint8Array(Buffer.concat(chunks));
}

/** Reads a line from the terminal without echo. */
export function promptHidden(io: CommandIO, question: string): Promise<string> {
  const stdin = io.stdin as ReadStream;
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') {
    return Promise.reject(cliErrors.HUSH_ERR_CLI_PROMPT('no terminal to prompt on: set HUSH_STORE_PASSPHRASE or pass --passphrase-file'));
  }
  io.stderr.write(question);
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(cliErrors.HUSH_ERR_CLI_PROMPT('cancelled'));
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else text += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

export async function promptNewPassphrase(io: CommandIO, what: string): Promise<string> {
  const first = await promptHidden(io, `${what}: `);
  const second = await promptHidden(io, `${what} (again): `);
  if (first !== second) throw cliErrors.HUSH_ERR_CLI_PROMPT('the two passphrases differ');
  return first;
}
