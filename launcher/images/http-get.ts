// GET over node:http/https, following redirects (blob stores answer with 307 to a CDN) and
// dropping Authorization when one leaves the registry's origin. Not fetch(): undici's parser
// costs some 45 MiB of memory per process, half of a pull's budget.

import type { IncomingMessage } from 'node:http';

export interface HttpResponse {
  status: number;
  header(name: string): string | undefined;
  body: IncomingMessage;
  /** The whole body, refused past `limit` bytes. */
  bytes(limit: number): Promise<Buffer>;
  discard(): void;
}

export class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export async function httpGet(url: string, headers: Record<string, string>, redirects = 5): Promise<HttpResponse> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? (require('node:https') as typeof import('node:https')) : (require('node:http') as typeof import('node:http'));
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = client.get(target, { headers }, resolve);
    req.on('error', (err: NodeJS.ErrnoException) => reject(new NetworkError(err.message, err.code)));
    req.setTimeout(60_000, () => req.destroy(Object.assign(new Error('no answer for 60 s'), { code: 'ETIMEDOUT' })));
  });
  const status = res.statusCode ?? 0;
  if ([301, 302, 303, 307, 308].includes(status) && res.headers.location && redirects > 0) {
    res.resume();
    const next = new URL(res.headers.location, target);
    const kept = { ...headers };
    if (next.origin !== target.origin) delete kept.authorization;
    return httpGet(next.href, kept, redirects - 1);
  }
  return {
    status,
    header: (name) => {
      const value = res.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    body: res,
    async bytes(limit) {
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of res) {
        total += (chunk as Buffer).length;
        if (total > limit) {
          res.destroy();
          throw new Error(`more than ${limit} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    },
    discard: () => res.resume(),
  };
}
