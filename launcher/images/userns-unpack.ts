// A rootless store with a subuid range: layers are unpacked, and removed, by processes that
// hush-userns starts as root of a user namespace with the run's maps (docs/rootless.md), since
// the caller can neither chown to its subordinate ids nor unlink what they own.

import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { usernsExecPath } from '../../native';
import type { LayerOwners } from '../rootless/layer-owners';
import { imageErrors } from './errors';

function helperArgs(owners: LayerOwners): string[] {
  return [owners.newuidmap!, owners.newgidmap!, owners.uidMap!.join(' '), owners.gidMap!.join(' '), '--'];
}

/** Unpacks `blob` into `target` in the namespace; resolves with the layer's diff_id. */
export function unpackInUserns(owners: LayerOwners, blob: string, target: string, label: string, under: string | undefined): Promise<string> {
  const worker = path.join(__dirname, 'unpack-worker.js');
  const args = [...helperArgs(owners), process.execPath, worker, blob, target, label, under ?? '', JSON.stringify(owners)];
  const child = spawn(usernsExecPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(imageErrors.HUSH_ERR_IMAGE_STORE(target, `hush-userns: ${e.message}`)));
    child.on('close', (code) => {
      let result: { diffId?: string; error?: string } = {};
      try {
        result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as typeof result;
      } catch {
        // The worker died before its line: stderr says why.
      }
      if (code === 0 && result.diffId) resolve(result.diffId);
      else if (result.error) reject(imageErrors.HUSH_ERR_IMAGE_FORMAT(label, result.error));
      else reject(imageErrors.HUSH_ERR_IMAGE_STORE(target, `unpacking ${label} in the user namespace failed (${code}): ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}

/** rm -rf in the namespace (a layer whose files the subordinate ids own). */
export function removeInUserns(owners: LayerOwners, target: string): void {
  const result = spawnSync(usernsExecPath(), [...helperArgs(owners), 'rm', '-rf', '--', target], { encoding: 'utf8' });
  if (result.status !== 0) throw imageErrors.HUSH_ERR_IMAGE_STORE(target, `removing it in the user namespace failed: ${(result.stderr || String(result.error)).trim()}`);
}
