// `hush store edit`: NAME=value lines in $EDITOR, the plaintext on a memory filesystem only
// (agent/sources/file-store/edit-session.ts does the work; this wires the editor and signals).

import * as os from 'node:os';
import type { CommandIO } from '../types';
import { credentials, needArgs, say, storePath, writeOptions, type Subcommand } from './context';

function runEditor(editor: string, io: CommandIO) {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  return (target: string) =>
    new Promise<number>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'editor', target], { stdio: 'inherit', env: io.env });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
    });
}

/** Runs `cleanup` before a signal ends the process, then lets the signal do so. */
function onSignal(cleanup: () => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const stop = () => signals.forEach((s) => process.removeListener(s, handler));
  const handler = (sig: NodeJS.Signals) => {
    cleanup();
    stop();
    process.kill(process.pid, sig);
  };
  signals.forEach((s) => process.on(s, handler));
  return stop;
}

export const edit: Subcommand = async (flags, io) => {
  const file = storePath(flags, io);
  needArgs(flags, 0, 'no arguments');
  const creds = await credentials(flags, io, file);
  const editor = io.env.HUSH_EDITOR || io.env.VISUAL || io.env.EDITOR || 'vi';
  if (/(^|\/)(code|subl|atom|gedit|mate)(\s|$)/.test(editor) && !/--wait|-w\b/.test(editor)) {
    say(io, `warning: '${editor}' may return before you close the file; add --wait`);
  }
  const { editStore } = require('../../../agent/sources/file-store/edit-session') as typeof import('../../../agent/sources/file-store/edit-session');
  const result = await editStore(file, creds, {
    ...writeOptions(io),
    env: io.env,
    allowDiskTemp: flags.allowDiskTemp,
    log: (line) => say(io, line),
    runEditor: runEditor(editor, io),
    onCleanup: onSignal,
  });
  if (result.status === 'saved') say(io, `saved ${result.changed} change(s) to ${file}${result.merged ? ' (merged with changes made meanwhile)' : ''}`);
};
