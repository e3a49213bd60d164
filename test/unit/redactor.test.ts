// The agent's one redactor (agent/log.ts): what it learns and what it scrubs by shape, and the
// logger that passes every line through it.
import { describe, expect, it } from 'vitest';
import { createLogger, Redactor } from '../../agent/log';

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLWJ5dGVz';

describe('Redactor', () => {
  it.each<[string, (r: Redactor) => void, string, string]>([
    ['a learned value', (r) => r.add('s3cr3t-pa55'), 'connect failed: password s3cr3t-pa55 refused', 'connect failed: password [redacted] refused'],
    ['a learned value given as bytes', (r) => r.add(new TextEncoder().encode('bytes-value-9')), 'got bytes-value-9 twice: bytes-value-9', 'got [redacted] twice: [redacted]'],
    ['a learned secret_id', (r) => r.add('7d1e55f0-secret-id'), 'login with 7d1e55f0-secret-id', 'login with [redacted]'],
    ['a Vault token, not learned', () => undefined, 'bad token hvs.CAESIJ0lo2Xwq3a1bc', 'bad token [redacted]'],
    ['a legacy token, not learned', () => undefined, 'token s.AbCdEfGhIjKlMnOpQrStUvWx here', 'token [redacted] here'],
    ['a JWT, not learned', () => undefined, `jwt=${jwt} end`, 'jwt=[redacted] end'],
    ['a value too short to hide', (r) => r.add('abc'), 'abc is a word', 'abc is a word'],
    ['nothing secret', () => undefined, 'GET /v1/secret/data/app: Vault answered 403', 'GET /v1/secret/data/app: Vault answered 403'],
  ])('%s', (_what, teach, text, expected) => {
    const redactor = new Redactor();
    teach(redactor);
    expect(redactor.redact(text)).toBe(expected);
  });
});

describe('the logger', () => {
  it('writes no learned value, token or JWT, in text or JSON, in the message or any field', () => {
    const redactor = new Redactor();
    redactor.add('value-1234');
    for (const format of ['text', 'json'] as const) {
      const lines: string[] = [];
      const logger = createLogger({ level: 'debug', format, write: (l) => lines.push(l), redactor }).child({ component: 'x' });
      logger.warn('failed with value-1234', { error: `token hvs.CAESIJ0lo2Xwq3a1bc and ${jwt}`, nested: { v: 'value-1234' } });
      expect(lines).toHaveLength(1);
      for (const secret of ['value-1234', 'hvs.CAESIJ0lo2Xwq3a1bc', jwt]) expect(lines[0]).not.toContain(secret);
    }
  });
});
