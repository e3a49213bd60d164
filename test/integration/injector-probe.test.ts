// The injected sidecar, run as the pod would run it: its command and its startup probe's, as
// the injector writes them, against this checkout's hush. The probe must fail while the agent
// is not up and pass once every secret is rendered: the app containers wait on exactly that.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentContainer, agentPaths } from '../../launcher/injector/agent-container';
import { readAnnotations } from '../../launcher/injector/annotations';

const repo = path.resolve(__dirname, '..', '..');
const hush = path.join(repo, 'bin', 'hush');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'hush-probe-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const statusKnowsReady = (spawnSync(process.execPath, [hush, 'status', '--help'], { encoding: 'utf8' }).stdout ?? '').includes('--ready');

describe('the injected agent and its startup probe', () => {
  it.skipIf(!statusKnowsReady)('the probe fails before the agent is ready and passes after (needs `hush status --ready`, in SPEC.md)', async () => {
    const reading = readAnnotations({ 'hush.dev/inject': 'true', 'hush.dev/policy': 'webapp-policy' });
    if (reading.kind !== 'inject') throw new Error('not an injection');
    const container = agentContainer(reading.request, 'registry.example/hush:0.1.0', { uid: 1000, gid: 1000 });
    // The pod's paths, here: the policy volume, the memory volume (a plain directory here,
    // hence --allow-disk), and the agent's runtime directory (/run/hush in the pod).
    const policyDir = path.join(scratch, 'policy');
    const secrets = path.join(scratch, 'secrets');
    const runtime = path.join(scratch, 'runtime');
    mkdirSync(policyDir);
    mkdirSync(secrets);
    mkdirSync(runtime);
    writeFileSync(path.join(policyDir, 'policy.yaml'), readFileSync(path.join(repo, 'policies', 'demo.yaml'), 'utf8').replace('path: demo.hush', `path: ${path.join(repo, 'policies', 'demo.hush')}`));
    const local = (argv: string[]) => argv.map((a) => a.replace(agentPaths.policyDir, policyDir).replace(agentPaths.secrets, secrets)).slice(1);
    const env = { PATH: process.env.PATH, XDG_RUNTIME_DIR: runtime, HUSH_STORE_PASSPHRASE: 'hush-demo' };
    const probe = () => spawnSync(process.execPath, [hush, ...local((container.startupProbe as { exec: { command: string[] } }).exec.command)], { env, encoding: 'utf8' }).status;

    expect(probe()).toBe(1);
    const agent = spawn(process.execPath, [hush, ...local(container.command as string[]), '--allow-disk'], { env, stdio: 'ignore' });
    try {
      let status = probe();
      for (let i = 0; i < 100 && status !== 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = probe();
      }
      expect(status).toBe(0);
      expect(readFileSync(path.join(secrets, 'db_password'), 'utf8').length).toBeGreaterThan(0);
    } finally {
      agent.kill('SIGKILL');
    }
  });
});
