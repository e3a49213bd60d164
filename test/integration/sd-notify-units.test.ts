// deploy/systemd/: the example units pass `systemd-analyze verify` (with hush's path pointed
// at this checkout's bin/hush, since verify checks that ExecStart= is executable) and use the
// notify protocol, mixed kill mode, a runtime directory and credentials as docs/deploy.md says.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '..', '..');
const units = path.join(repo, 'deploy', 'systemd');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'hush-units-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const files = readdirSync(units).filter((f) => f.endsWith('.service'));

function settings(file: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of readFileSync(path.join(units, file), 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) map.set(m[1]!, [...(map.get(m[1]!) ?? []), m[2]!]);
  }
  return map;
}

describe('deploy/systemd units', () => {
  it('holds the agent sidecar and a hush run service', () => {
    expect(files.sort()).toEqual(['hush-agent.service', 'hush-run-webapp.service']);
  });

  for (const file of files) {
    it(`${file}: Type=notify, KillMode=mixed, a RuntimeDirectory, and credentials read from %d`, () => {
      const s = settings(file);
      expect(s.get('Type')).toEqual(['notify']);
      expect(s.get('KillMode')).toEqual(['mixed']);
      expect(s.get('RuntimeDirectory')?.[0]).toMatch(/^hush\b/);
      const [name] = s.get('LoadCredential')![0]!.split(':');
      const reads = [...s.get('ExecStart')!, ...(s.get('Environment') ?? [])].join(' ');
      expect(reads).toContain(`%d/${name}`);
      expect(s.get('ExecStart')![0]).toMatch(/^\/usr\/local\/bin\/hush (agent|run) /);
      expect(reads).not.toMatch(/PASSPHRASE=/);
    });

    it.skipIf(!hasAnalyze)(`${file}: systemd-analyze verify finds nothing to say (needs systemd-analyze)`, () => {
      const copy = path.join(scratch, file);
      writeFileSync(copy, readFileSync(path.join(units, file), 'utf8').replaceAll('/usr/local/bin/hush', path.join(repo, 'bin', 'hush')).replaceAll('/opt/webapp/bin/webapp', '/bin/true'));
      const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      expect(result.stderr + result.stdout).toBe('');
      expect(result.status).toBe(0);
    });
  }

  it.skipIf(!hasAnalyze)('systemd-analyze verify does catch a misspelt key here (needs systemd-analyze)', () => {
    const copy = path.join(scratch, 'misspelt.service');
    writeFileSync(copy, readFileSync(path.join(units, 'hush-agent.service'), 'utf8').replace('Type=notify', 'Tpye=notify').replaceAll('/usr/local/bin/hush', path.join(repo, 'bin', 'hush')));
    const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
    expect(result.stderr).toMatch(/Unknown key 'Tpye'/);
  });

  it('the agent unit\'s command line is one hush agent accepts', () => {
    const execStart = settings('hush-agent.service').get('ExecStart')![0]!.split(' ').slice(1);
    const args = execStart.map((a) => a.replace('%d', scratch));
    // --help after the unit's flags: they parse (an unknown flag would be a usage error).
    const out = execFileSync(process.execPath, [path.join(repo, 'bin', 'hush'), ...args, '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/^usage: hush agent/);
  });
});
