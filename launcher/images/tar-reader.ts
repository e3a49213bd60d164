// Reads a tar stream entry by entry with tar-stream, in a normalised shape. tar-stream decodes
// every PAX value as UTF-8, which would corrupt binary xattrs (security.capability); its PAX
// decoder is replaced, once, by one that keeps SCHILY.xattr.* values byte for byte (as latin1
// strings, turned back into Buffers here).

import * as path from 'node:path';
import type { Readable } from 'node:stream';
import * as tarStream from 'tar-stream';

const xattrPrefix = 'SCHILY.xattr.';

function decodePaxKeepingXattrs(buf: Buffer): Record<string, string> {
  const result: Record<string, string> = {};
  let rest = buf;
  while (rest.length > 0) {
    const space = rest.indexOf(0x20);
    const length = space > 0 ? parseInt(rest.subarray(0, space).toString('ascii'), 10) : NaN;
    if (!(length > space + 1) || length > rest.length) break;
    const record = rest.subarray(space + 1, length - 1);
    const eq = record.indexOf(0x3d);
    if (eq === -1) break;
    const key = record.subarray(0, eq).toString('utf8');
    result[key] = record.subarray(eq + 1).toString(key.startsWith(xattrPrefix) ? 'latin1' : 'utf8');
    rest = rest.subarray(length);
  }
  return result;
}

// tar-stream's package exports hide headers.js; its absolute path reaches the same module.
const headersModule = path.join(path.dirname(require.resolve('tar-stream')), 'headers.js');
(require(headersModule) as { decodePax: typeof decodePaxKeepingXattrs }).decodePax = decodePaxKeepingXattrs;

export type EntryType = 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo' | 'other';

export interface TarEntry {
  name: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Map<string, Buffer>;
}

function entryType(type: string | null | undefined): EntryType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
    case 'symlink':
    case 'link':
    case 'character-device':
    case 'block-device':
    case 'fifo':
      return type;
    default:
      return 'other';
  }
}

function normalise(header: tarStream.Header): TarEntry {
  const pax = (header.pax ?? {}) as Record<string, string>;
  const xattrs = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(pax)) {
    if (key.startsWith(xattrPrefix)) xattrs.set(key.slice(xattrPrefix.length), Buffer.from(value, 'latin1'));
  }
  const paxNumber = (key: string, fallback: number) => (pax[key] !== undefined && /^\d+(\.\d+)?$/.test(pax[key]) ? Number(pax[key]) : fallback);
  const mtimeSeconds = paxNumber('mtime', header.mtime ? header.mtime.getTime() / 1000 : 0);
  return {
    name: header.name,
    type: entryType(header.type),
    mode: (header.mode ?? 0o644) & 0o7777,
    uid: paxNumber('uid', header.uid ?? 0),
    gid: paxNumber('gid', header.gid ?? 0),
    size: header.size ?? 0,
    mtime: new Date(mtimeSeconds * 1000),
    linkname: header.linkname ?? '',
    devmajor: header.devmajor ?? 0,
    devminor: header.devminor ?? 0,
    xattrs,
  };
}

/**
 * Calls `onEntry` for each entry, in order; the body must be consumed (or resumed) before the
 * promise it returns settles. Rejects on a malformed or truncated tar.
 */
export async function readTar(source: Readable, onEntry: (entry: TarEntry, body: Readable) => Promise<void>): Promise<void> {
  const extract = tarStream.extract();
  const failed = new Promise<never>((_, reject) => source.once('error', reject));
  failed.catch(() => undefined);
  source.pipe(extract as unknown as NodeJS.WritableStream);
  const iterate = async () => {
    for await (const item of extract) {
      const body = item as unknown as Readable & { header: tarStream.Header };
      await onEntry(normalise(body.header), body);
      body.resume();
    }
  };
  await Promise.race([iterate(), failed]);
}
