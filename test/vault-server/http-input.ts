// Turning an HTTP request into Vault's view of it: the operation, the body, the token.
import { VaultError, badRequest } from './errors';
import type { Body, Operation } from './types';
import { parseBool } from './types';

/** GET ?list=<bool> and LIST are list operations; PUT and POST are the same update. */
export function operationOf(method: string, query: Record<string, string>): Operation {
  switch (method) {
    case 'GET': {
      if (query['list'] === undefined) return 'read';
      const list = parseBool(query['list']);
      if (list === null) throw new VaultError(400, []);
      return list ? 'list' : 'read';
    }
    case 'LIST':
      return 'list';
    case 'POST':
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      throw new VaultError(405, []);
  }
}

export function tokenFrom(headers: Record<string, string | undefined>): string | null {
  const direct = headers['x-vault-token'];
  if (direct) return direct;
  const auth = headers['authorization'];
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || null;
  return null;
}

/** Go's encoding/json wording for the first syntax error, close enough for clients to read. */
function goJsonError(text: string, jsError: Error): string {
  const match = /position (\d+)/.exec(jsError.message);
  const pos = match ? Number(match[1]) : text.length;
  if (pos >= text.length) return 'unexpected EOF';
  const stack: string[] = [];
  let inString = false;
  let prev = '';
  for (let i = 0; i < pos; i += 1) {
    const ch = text[i] ?? '';
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') stack.push(ch);
    else if (ch === '}' || ch === ']') stack.pop();
    if (!/\s/.test(ch)) prev = ch;
  }
  const inObject = stack[stack.length - 1] === '{';
  const expectingKey = inObject && (prev === '{' || prev === ',');
  return `invalid character '${text[pos]}' ${expectingKey ? 'looking for beginning of object key string' : 'looking for beginning of value'}`;
}

export function parseBody(raw: string, contentType: string): Body {
  if (raw.trim() === '') return {};
  if (contentType === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(raw));
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw badRequest(`failed to parse JSON input: ${goJsonError(raw, err as Error)}`);
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed) ? 'array' : typeof parsed === 'string' ? 'string' : typeof parsed;
    throw badRequest(`failed to parse JSON input: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  return parsed as Body;
}
