// Credentials: what unlocks a store (a passphrase or an identity) and which writers to trust
// (pinned signer keys). StoreCredentials is the text form callers pass in; resolveCredentials
// parses it once into keys.

import { promises as fsp } from 'node:fs';
import { E } from './errors';
import { Identity, parseIdentityText, parseSignerList } from './identity';

export interface StoreCredentials {
  passphrase?: string;
  /** The text of an identity file (not its path). */
  identity?: string;
  /** Pinned writer keys, `hush-signer-1:...` each. When non-empty, unsigned files are refused. */
  signers?: string[];
}

export interface ResolvedCredentials {
  passphrase?: string;
  identity?: Identity;
  signers: Uint8Array[];
}

export function resolveCredentials(creds: StoreCredentials): ResolvedCredentials {
  const out: ResolvedCredentials = { signers: parseSignerList((creds.signers ?? []).join('\n'), 'signer keys') };
  if (creds.passphrase !== undefined) out.passphrase = creds.passphrase;
  if (creds.identity !== undefined) out.identity = parseIdentityText(creds.identity, 'identity');
  return out;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (err) {
    throw E.HUSH_ERR_STORE_NO_KEY(path, `cannot read the ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Strips exactly one trailing newline (an editor or `echo` adds it; it is not part of the secret). */
export function stripOneNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

export interface CredentialFileOptions {
  passphraseFile?: string;
  identityFile?: string;
  signersFile?: string;
}

/** Reads credentials from the environment: HUSH_STORE_PASSPHRASE, HUSH_STORE_IDENTITY (a path
 *  to an identity file), HUSH_STORE_SIGNERS (a path to a file of pinned signer keys). Explicit
 *  files in `opts` win over the environment. */
export async function credentialsFromEnv(env: NodeJS.ProcessEnv, opts: CredentialFileOptions = {}): Promise<StoreCredentials> {
  const creds: StoreCredentials = {};
  if (opts.passphraseFile !== undefined) {
    creds.passphrase = stripOneNewline(await readText(opts.passphraseFile, 'passphrase file'));
  } else if (env.HUSH_STORE_PASSPHRASE !== undefined && env.HUSH_STORE_PASSPHRASE !== '') {
    creds.passphrase = env.HUSH_STORE_PASSPHRASE;
  }
  const identityFile = opts.identityFile ?? (env.HUSH_STORE_IDENTITY || undefined);
  if (identityFile !== undefined) {
    const text = await readText(identityFile, 'identity file');
    parseIdentityText(text, identityFile); // fail early, naming the file
    creds.identity = text;
  }
  const signersFile = opts.signersFile ?? (env.HUSH_STORE_SIGNERS || undefined);
  if (signersFile !== undefined) {
    const text = await readText(signersFile, 'signer list');
    parseSignerList(text, signersFile);
    creds.signers = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  }
  return creds;
}
