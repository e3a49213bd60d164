import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { renderEnvEntries } from '../../agent/core/render';
import { roundTripValues } from '../unit/env-values';

const shells = ['sh', 'bash', 'dash'].filter((s) => {
  try {
    execFileSync('sh', ['-c', `command -v ${s}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

describe('env files read back exactly by `set -a; . FILE`', () => {
  const entries = roundTripValues.map((v, i): [string, string] => [`V${i}`, v]);
  const r = renderEnvEntries(entries);
  if (!r.ok) throw new Error('render failed');
  const dir = mkdtempSync(path.join(tmpdir(), 'hush-env-'));
  const file = path.join(dir, 'app.env');
  writeFileSync(file, r.bytes);

  it.each(shells)('%s', (shell) => {
    // Each exported value, NUL-terminated, printed by the shell itself.
    const script = `set -a; . "$1"; set +a; ${entries.map(([n]) => `printf '%s\\0' "$${n}"`).join('; ')}`;
    const out = execFileSync(shell, ['-c', script, shell, file]).toString('utf8');
    expect(out.split('\0').slice(0, -1)).toEqual(entries.map(([, v]) => v));
  });

  it('the variables are exported to child processes', () => {
    const out = execFileSync('sh', ['-c', 'set -a; . "$1"; exec env -0', 'sh', file]).toString('utf8');
    const env = Object.fromEntries(out.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    for (const [n, v] of entries) expect(env[n]).toBe(v);
  });
});
