import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baseEnv, buildStoreCli, runCli, tempDir, writeIdentity } from './store-helpers';

let build: string;
beforeAll(async () => {
  build = await buildStoreCli();
});

function repoWithStore() {
  const dir = tempDir('hush-store-git-');
  const id = writeIdentity(tempDir('hush-store-key-')); // outside the repo: `git add .` must not see it
  const env = baseEnv({
    HUSH_STORE: path.join(dir, 'dev.hush'), HUSH_STORE_IDENTITY: id.file,
    GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com',
    GIT_CONFIG_NOSYSTEM: '1', HOME: dir,
  });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', stdio: 'pipe' });
  const hush = (args: string[], input = '') => runCli(build, ['store', ...args], { env, input, cwd: dir });
  return { dir, env, git, hush, recipient: id.recipient };
}

async function twoBranches(theirsName: string, theirsValue: string, oursName: string, oursValue: string, driver: boolean) {
  const r = repoWithStore();
  r.git('init', '-q', '-b', 'main');
  if (driver) {
    fs.writeFileSync(path.join(r.dir, '.gitattributes'), '*.hush merge=hush\n');
    r.git('config', 'merge.hush.driver', `node ${path.join(build, 'launcher/cli.js')} store merge %O %A %B`);
  }
  await r.hush(['init', '--recipient', r.recipient]);
  await r.hush(['set', 'shared'], 'base');
  await r.hush(['set', 'untouched'], 'same');
  r.git('add', '.');
  r.git('commit', '-qm', 'base');
  r.git('checkout', '-qb', 'feature');
  await r.hush(['set', theirsName], theirsValue);
  r.git('commit', '-qam', 'feature change');
  r.git('checkout', '-q', 'main');
  await r.hush(['set', oursName], oursValue);
  r.git('commit', '-qam', 'main change');
  const merge = spawnSync('git', ['merge', '--no-edit', 'feature'], { cwd: r.dir, env: r.env, encoding: 'utf8' });
  return { ...r, merge };
}

describe('hush store merge as a git merge driver', () => {
  it('without the driver, concurrent edits conflict on the generation and MAC lines', async () => {
    const { merge, hush } = await twoBranches('theirs/new', 't', 'ours/new', 'o', false);
    expect(merge.status).not.toBe(0);
    const ls = await hush(['ls']);
    expect(ls.code).toBe(1);
    expect(ls.stderr).toContain('hush store merge');
  });

  it('merges edits of different entries in a real git merge, with a valid MAC', async () => {
    const { merge, hush, dir, git } = await twoBranches('theirs/new', 't-value', 'shared', 'ours-value', true);
    expect(merge.status, merge.stdout + merge.stderr).toBe(0);
    const out = await hush(['export', '--format', 'json']);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout.toString())).toEqual({ shared: 'ours-value', untouched: 'same', theirs: { new: 't-value' } });
    const verify = await hush(['verify']);
    expect(verify.stdout.toString()).toMatch(/generation 5, 3 entries/); // max(4, 4) + 1
    // the untouched entry kept its exact bytes through the merge
    const line = (text: string) => text.split('\n').find((l) => l.startsWith('    "untouched"'));
    expect(line(fs.readFileSync(path.join(dir, 'dev.hush'), 'utf8'))).toBe(line(git('show', 'HEAD~1:dev.hush')));
  });

  it('refuses to merge when both branches changed the same entry differently', async () => {
    const { merge, dir, git } = await twoBranches('shared', 'theirs', 'shared', 'ours', true);
    expect(merge.status).not.toBe(0);
    expect(merge.stdout + merge.stderr).toContain('both sides changed "shared"');
    // git keeps our version in the work tree, and it still opens
    expect(fs.readFileSync(path.join(dir, 'dev.hush'), 'utf8')).toBe(git('show', 'HEAD:dev.hush'));
  });
});
