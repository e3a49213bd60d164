// Stores for end-to-end tests: real encrypted files, made and changed through the library.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createStore, setEntry, type StoreCredentials } from '../../agent/sources/file-store';
import { execFileSync } from 'node:child_process';
import { hushBin } from './helpers';

export interface TestStore {
  dir: string;
  path: string;
  identityFile: string;
  credentials: StoreCredentials;
  env: NodeJS.ProcessEnv;
  set(name: string, value: string): Promise<void>;
  cleanup(): void;
}

/** A recipient-mode store (no KDF on every save, so tests can change it fast). */
export async function makeStore(entries: Record<string, string>): Promise<TestStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-e2e-'));
  const identityFile = path.join(dir, 'identity');
  execFileSync(process.execPath, [hushBin, 'store', 'keygen', '--out', identityFile], { stdio: 'pipe' });
  const identity = fs.readFileSync(identityFile, 'utf8');
  const recipient = /recipient: (\S+)/.exec(identity)![1];
  const storePath = path.join(dir, 'secrets.hush');
  const credentials: StoreCredentials = { identity };
  await createStore(storePath, credentials, { recipients: [recipient] });
  for (const [name, value] of Object.entries(entries)) await setEntry(storePath, credentials, name, Buffer.from(value));
  return {
    dir,
    path: storePath,
    identityFile,
    credentials,
    env: { PATH: process.env.PATH, LANG: 'C.UTF-8', HUSH_STORE_IDENTITY: identityFile },
    set: async (name, value) => {
      await setEntry(storePath, credentials, name, Buffer.from(value));
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export function writePolicy(dir: string, name: string, yaml: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, yaml);
  return file;
}
