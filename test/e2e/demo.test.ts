// `hush demo` uses its bundled store's own passphrase, whatever the caller's environment says
// about the user's own store.
import { describe, expect, it } from 'vitest';
import { hush, repo } from './helpers';

const asRoot = process.getuid?.() === 0;
const baseEnv = { PATH: process.env.PATH, LANG: 'C.UTF-8' };

describe('hush demo', () => {
  it.skipIf(!asRoot)('succeeds with a wrong HUSH_STORE_PASSPHRASE exported (needs root)', async () => {
    const r = await hush(['demo'], { cwd: repo, env: { ...baseEnv, HUSH_STORE_PASSPHRASE: 'not-the-demo-passphrase' } });
    expect(r.stderr).not.toMatch(/wrong passphrase|hush: /);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/db_password \(mode 400/);
    expect(r.stdout).toMatch(/"db_password_set": true/);
  });

  it.skipIf(!asRoot)('ignores the caller HUSH_STORE, HUSH_STORE_IDENTITY and HUSH_STORE_SIGNERS (needs root)', async () => {
    const missing = '/nonexistent/hush-demo-test';
    const env = { ...baseEnv, HUSH_STORE: missing, HUSH_STORE_IDENTITY: missing, HUSH_STORE_SIGNERS: missing };
    const r = await hush(['demo'], { cwd: repo, env });
    expect(r.stderr).not.toContain(missing);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/api_key \(mode 400/);
  });

  it('refuses an argument other than --watch with the usage status', async () => {
    const r = await hush(['demo', 'extra'], { cwd: repo });
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: "hush: demo: unexpected argument 'extra' (only --watch)\n" });
  });
});
