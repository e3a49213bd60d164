import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../launcher/commands/policy';
import { UsageError } from '../../launcher/errors';
import type { CommandIO } from '../../launcher/commands/types';

async function run(args: string[], cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d) => out.push(String(d)));
  stderr.on('data', (d) => err.push(String(d)));
  const io: CommandIO = { stdin: new PassThrough(), stdout, stderr, env: {}, cwd };
  const status = await main(args, io);
  return { status, stdout: out.join(''), stderr: err.join('') };
}

const good = 'version: 1\nname: a\nsources: { dev: { type: file } }\nsecrets:\n  - { file: x, source: dev, key: k }\n';

describe('hush policy check', () => {
  it('prints FILE: ok for each file and exits 0', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hush-cmd-'));
    await writeFile(path.join(dir, 'a.yaml'), good);
    await writeFile(path.join(dir, 'b.yaml'), good.replace('name: a', 'name: b').replace('file: x', 'file: y'));
    expect(await run(['check', 'a.yaml', 'b.yaml'], dir)).toEqual({ status: 0, stdout: 'a.yaml: ok\nb.yaml: ok\n', stderr: '' });
  });

  it('prints every error on stderr and exits 1', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hush-cmd-'));
    await writeFile(path.join(dir, 'webapp.yaml'), good.replace('key: k }', 'key: k, mode: 777, format: xml }'));
    const r = await run(['check', 'webapp.yaml', 'nope.yaml'], dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'webapp.yaml: secrets[0].format: expected raw, env, json, yaml, template, got xml\n' +
        'webapp.yaml: secrets[0].mode: expected an octal string like "0400", got 777\n' +
        'nope.yaml: cannot read the file (ENOENT)\n',
    );
  });

  it.each([
    [[], "no subcommand given (try 'hush policy --help')"],
    [['check'], 'no policy file given (hush policy check FILE...)'],
    [['lint', 'a.yaml'], "unknown subcommand 'lint' (try 'hush policy --help')"],
    [['check', '--strict', 'a.yaml'], 'unknown option --strict'],
  ])('usage error %j is a UsageError (exit 2 through cli.ts)', async (args, message) => {
    const r = run(args, '/');
    await expect(r).rejects.toThrow(UsageError);
    await expect(r).rejects.toThrow(message);
  });

  it('takes files after --, even one that starts with a dash', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hush-cmd-'));
    await writeFile(path.join(dir, '-a.yaml'), good);
    expect(await run(['check', '--', '-a.yaml'], dir)).toEqual({ status: 0, stdout: '-a.yaml: ok\n', stderr: '' });
  });

  it.each([[['--help']], [['-h']], [['check', '--help']], [['help']]])('%j prints the usage and exits 0', async (args) => {
    const r = await run(args, '/');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: hush policy check FILE...');
  });
});
