import { describe, it, expect, beforeAll } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baseEnv, buildStoreCli, runCli, tempDir, writeIdentity } from './store-helpers';

let build: string;
beforeAll(async () => {
  build = await buildStoreCli();
});

const SECRET = 'cli-S3CRET-never-in-stderr';

function setup() {
  const dir = tempDir();
  const store = path.join(dir, 'dev.hush');
  const env = baseEnv({ HUSH_STORE_PASSPHRASE: 'pw-cli', HUSH_STORE: store });
  const hush = (args: string[], input?: string | Uint8Array, extraEnv: Record<string, string> = {}) =>
    runCli(build, ['store', ...args], { env: { ...env, ...extraEnv }, input: input ?? '', cwd: dir });
  return { dir, store, env, hush };
}

function oneErrorLine(stderr: string) {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^hush: store: /);
  expect(stderr).not.toContain(SECRET);
}

describe('hush store (CLI)', () => {
  it('init, set from stdin, get, ls, rm, verify', async () => {
    const { store, hush } = setup();
    expect((await hush(['init'])).code).toBe(0);
    expect((await hush(['set', 'db/password'], SECRET)).code).toBe(0);
    const binary = Buffer.from([0, 255, 10, 13, 128]);
    expect((await hush(['set', 'bin', '-'], binary)).code).toBe(0);
    expect((await hush(['get', 'db/password'])).stdout.toString()).toBe(SECRET);
    expect((await hush(['get', 'bin'])).stdout).toEqual(binary);
    const ls = await hush(['ls']);
    expect(ls.code).toBe(0);
    expect(ls.stdout.toString()).toMatch(/^NAME\s+SIZE\s+UPDATED\nbin\s+5\s+\d{4}-\d\d-\d\dT.*\ndb\/password\s+26\s+\d{4}-/);
    expect(ls.stdout.toString()).not.toContain(SECRET);
    expect(fs.readFileSync(store, 'utf8')).not.toContain(SECRET);
    const verify = await hush(['verify']);
    expect(verify.stdout.toString()).toMatch(/^ok: .*dev\.hush: generation 3, 2 entries, passphrase \(scrypt logN 15\), unsigned\n$/);
    expect((await hush(['rm', 'bin'])).code).toBe(0);
    const missing = await hush(['get', 'bin']);
    expect(missing.code).toBe(1);
    oneErrorLine(missing.stderr);
    expect(missing.stderr).toContain('no entry named "bin"');
  });

  it('never takes a value from argv, and fails with one line: 2 on a usage error, 1 when the work fails', async () => {
    const { hush, dir } = setup();
    await hush(['init']);
    const argv = await hush(['set', 'name', SECRET]);
    expect(argv.code).toBe(2);
    oneErrorLine(argv.stderr);
    for (const [args, status, fragment] of [
      [['set', '../x'], 1, 'bad entry name'],
      [['get'], 2, 'expected NAME'],
      [[], 2, "no subcommand given (try 'hush store --help')"],
      [['frobnicate'], 2, "unknown subcommand 'frobnicate'"],
      [['ls', '--bogus'], 2, 'unknown option --bogus'],
      [['ls', '--store', 'a', '--store=b'], 2, '--store given more than once'],
      [['import'], 2, 'expected FILE to import'],
      [['import', 'missing.env'], 1, 'missing.env: cannot read (ENOENT)'],
      [['passwd', '--new-passphrase-file', 'missing'], 1, 'missing: cannot read (ENOENT)'],
      [['init'], 1, 'already exists'],
    ] as [string[], number, string][]) {
      const r = await hush(args, SECRET);
      expect(r.code, args.join(' ')).toBe(status);
      oneErrorLine(r.stderr);
      expect(r.stderr).toContain(fragment);
    }
    const wrong = await hush(['get', 'name'], '', { HUSH_STORE_PASSPHRASE: 'nope' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('cannot decrypt the file key: wrong passphrase');
    fs.writeFileSync(path.join(dir, 'broken.hush'), fs.readFileSync(path.join(dir, 'dev.hush'), 'utf8').slice(0, 100));
    const broken = await hush(['ls', '--store', 'broken.hush']);
    expect(broken.code).toBe(1);
    oneErrorLine(broken.stderr);
    expect(broken.stderr).toMatch(/broken\.hush: file ends early at byte \d+ \(truncated\)/);
    const noStore = await runCli(build, ['store', 'ls'], { env: baseEnv() });
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toContain('--store FILE or set HUSH_STORE');
  });

  it('reads the passphrase from --passphrase-file and changes it with passwd', async () => {
    const { hush, dir } = setup();
    fs.writeFileSync(path.join(dir, 'pass'), 'from-file\n');
    fs.writeFileSync(path.join(dir, 'newpass'), 'changed\n');
    expect((await hush(['init', '--passphrase-file', 'pass'])).code).toBe(0);
    await hush(['set', 'a', '--passphrase-file', 'pass'], 'v');
    expect((await hush(['get', 'a'])).code).toBe(1); // env passphrase is not this store's
    const pw = await hush(['passwd', '--passphrase-file', 'pass', '--new-passphrase-file', 'newpass']);
    expect(pw.code).toBe(0);
    expect(pw.stderr).toContain('old git revisions');
    expect((await hush(['get', 'a'], '', { HUSH_STORE_PASSPHRASE: 'changed' })).stdout.toString()).toBe('v');
    const rot = await hush(['rotate'], '', { HUSH_STORE_PASSPHRASE: 'changed' });
    expect(rot.code).toBe(0);
    expect(rot.stderr).toContain('old git revisions of this file stay readable with the old key');
  });

  it('imports and exports .env, JSON and YAML round trips', async () => {
    const { hush: hushPw, dir } = setup();
    // a recipient store: no scrypt per command, and this test runs many of them
    const id = writeIdentity(dir);
    const hush = (args: string[], input?: string) => hushPw(args, input, { HUSH_STORE_IDENTITY: id.file, HUSH_STORE_PASSPHRASE: '' });
    await hush(['init', '--recipient', id.recipient]);
    fs.writeFileSync(path.join(dir, 'in.json'), JSON.stringify({ db: { user: 'app', password: 'p"w\n' }, port: 5432 }));
    fs.writeFileSync(path.join(dir, 'in.yaml'), 'api:\n  key: abc\n  multi: |\n    line1\n    line2\n');
    fs.writeFileSync(path.join(dir, '.env'), 'TOKEN="t o k"\nexport PLAIN=x\n');
    for (const f of ['in.json', 'in.yaml', '.env']) {
      const r = await hush(['import', f]);
      expect(r.code, r.stderr).toBe(0);
    }
    const json = JSON.parse((await hush(['export', '--format', 'json'])).stdout.toString());
    expect(json).toEqual({ db: { user: 'app', password: 'p"w\n' }, port: '5432', api: { key: 'abc', multi: 'line1\nline2\n' }, TOKEN: 't o k', PLAIN: 'x' });
    for (const format of ['env', 'json', 'yaml']) {
      const out = await hush(['export', '--format', format]);
      expect(out.code).toBe(0);
      const other = path.join(dir, `copy-${format}.hush`);
      await hush(['init', '--store', other, '--recipient', id.recipient]);
      fs.writeFileSync(path.join(dir, `dump.${format}`), out.stdout);
      expect((await hush(['import', `dump.${format}`, '--store', other])).code).toBe(0);
      const copy = await hush(['export', '--format', 'env', '--store', other]);
      expect(copy.stdout.toString(), format).toBe((await hush(['export', '--format', 'env'])).stdout.toString());
    }
    const bad = await hush(['export', '--format', 'xml']);
    expect(bad.code).toBe(2);
    oneErrorLine(bad.stderr);
    expect(bad.stderr).toContain("unknown format 'xml' (env, json or yaml)");
  });

  it('keygen, recipients, signatures: add keeps entries, rm rotates and locks the removed key out', async () => {
    const { hush, dir } = setup();
    const gen = async (name: string) => {
      const r = await hush(['keygen', '--out', name]);
      expect(r.code).toBe(0);
      expect(fs.statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
      const [recipient, signer] = r.stdout.toString().trim().split('\n').map((l) => l.split(': ')[1]!);
      return { file: path.join(dir, name), recipient: recipient!, signer: signer! };
    };
    const alice = await gen('alice.id');
    const bob = await gen('bob.id');
    const asAlice = { HUSH_STORE_IDENTITY: alice.file, HUSH_STORE_PASSPHRASE: '' };
    const asBob = { HUSH_STORE_IDENTITY: bob.file, HUSH_STORE_PASSPHRASE: '' };
    expect((await hush(['init', '--recipient', alice.recipient], '', asAlice)).code).toBe(0);
    await hush(['set', 'a'], SECRET, asAlice);
    expect((await hush(['get', 'a'], '', asBob)).stderr).toContain('not one of the store');
    expect((await hush(['recipients', 'add', bob.recipient], '', asAlice)).code).toBe(0);
    expect((await hush(['get', 'a'], '', asBob)).stdout.toString()).toBe(SECRET);
    const ls = await hush(['recipients', 'ls'], '', asBob);
    expect(ls.stdout.toString().trim().split('\n').sort()).toEqual([alice.recipient, bob.recipient].sort());
    // pinned signers: the last writer was alice, so pinning bob alone refuses the file
    fs.writeFileSync(path.join(dir, 'signers'), `# team\n${alice.signer}\n`);
    expect((await hush(['verify', '--signers', 'signers'], '', asBob)).stdout.toString()).toContain(`signed by ${alice.signer}`);
    fs.writeFileSync(path.join(dir, 'bob-only'), `${bob.signer}\n`);
    const refused = await hush(['get', 'a', '--signers', 'bob-only'], '', asBob);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not among the pinned signers');
    const rm = await hush(['recipients', 'rm', bob.recipient], '', asAlice);
    expect(rm.code).toBe(0);
    expect(rm.stderr).toContain('rotated');
    expect((await hush(['get', 'a'], '', asBob)).code).toBe(1);
    expect((await hush(['get', 'a'], '', asAlice)).stdout.toString()).toBe(SECRET);
    const last = await hush(['recipients', 'rm', alice.recipient], '', asAlice);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last recipient');
  });
});
