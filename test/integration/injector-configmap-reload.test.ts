// The injected agent reads its policy from a ConfigMap volume, which the kubelet updates the
// way its atomic writer does: a new timestamped directory, the `..data` symlink swapped over
// with a rename, the old directory removed; `policy.yaml` itself is a symlink through `..data`.
// The agent must reload on each such swap, not only the first (RELOADING=1, then READY=1).

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver } from './sd-notify-receiver';

const repo = path.resolve(__dirname, '..', '..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'hush-configmap-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What the kubelet's atomic writer does to a ConfigMap volume on an update. */
function publish(volume: string, version: number, policy: string): void {
  const dir = path.join(volume, `..2026_12_01_00_00_0${version}.000000000`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'policy.yaml'), policy);
  symlinkSync(path.basename(dir), path.join(volume, '..data_tmp'));
  renameSync(path.join(volume, '..data_tmp'), path.join(volume, '..data'));
  if (version > 1) rmSync(path.join(volume, `..2026_12_01_00_00_0${version - 1}.000000000`), { recursive: true });
  else symlinkSync('..data/policy.yaml', path.join(volume, 'policy.yaml'));
}

describe('a policy in a ConfigMap volume', () => {
  it('is reloaded at every kubelet update (symlink swap), not only the first', async () => {
    const receiver = await startReceiver(path.join(scratch, 'notify.sock'));
    const volume = path.join(scratch, 'hush-policy');
    const out = path.join(scratch, 'out');
    mkdirSync(volume);
    mkdirSync(out);
    const policy = readFileSync(path.join(repo, 'policies', 'demo.yaml'), 'utf8').replace('path: demo.hush', `path: ${path.join(repo, 'policies', 'demo.hush')}`);
    publish(volume, 1, policy);
    const child = spawn(process.execPath, [path.join(repo, 'bin', 'hush'), 'agent', '--policy', path.join(volume, 'policy.yaml'), '--out', out, '--allow-disk', '--listen', 'none'], {
      env: { PATH: process.env.PATH, HUSH_STORE_PASSPHRASE: 'hush-demo', NOTIFY_SOCKET: receiver.address },
      stdio: 'ignore',
    });
    try {
      await receiver.next(/^READY=1/);
      for (const version of [2, 3]) {
        const from = receiver.messages.length;
        publish(volume, version, policy.replace('every: 1m', `every: ${version}m`));
        const reloading = await receiver.next(/^RELOADING=1/, from);
        await receiver.next(/^READY=1/, receiver.messages.indexOf(reloading) + 1);
      }
      expect(receiver.messages.filter((m) => m.text.startsWith('RELOADING=1'))).toHaveLength(2);
    } finally {
      child.kill('SIGKILL');
      receiver.close();
    }
  });
});
