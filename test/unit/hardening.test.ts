import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHardening, type HardeningOptions } from '../../launcher/hardening';
import type { ResolvedSeccomp } from '../../launcher/seccomp-profile';

const options: HardeningOptions = { uid: 0, capAdd: [], capDrop: [], seccomp: 'default', tty: false };

function run(overrides: Partial<HardeningOptions>, landlockAbi = 7) {
  const compiled: ResolvedSeccomp[] = [];
  const debug: string[] = [];
  const spec = resolveHardening({ ...options, ...overrides }, {
    landlockAbi,
    compile: (program) => (compiled.push(program), new Uint8Array(8)),
    debug: (message) => debug.push(message),
  });
  return { spec, compiled, debug };
}

describe('resolveHardening', () => {
  it('gives capability numbers, the default filter and both Landlock scopes', () => {
    const { spec, compiled, debug } = run({});
    expect(spec.capabilities).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 10, 18, 31]);
    expect(spec.ambientCapabilities).toEqual([]);
    expect(spec.seccomp).toEqual(new Uint8Array(8));
    expect(compiled).toHaveLength(1);
    expect(spec.landlockScopes).toBe(3);
    expect(debug).toEqual([]);
  });

  it('makes added capabilities ambient for a non-root app', () => {
    expect(run({ uid: 1000, capAdd: ['NET_BIND_SERVICE'] }).spec.ambientCapabilities).toEqual([10]);
  });

  it('builds no filter with --seccomp unconfined', () => {
    const { spec, compiled } = run({ seccomp: 'unconfined' });
    expect(spec.seccomp).toBeNull();
    expect(compiled).toEqual([]);
  });

  it('says at debug level, and scopes nothing, where the kernel has no Landlock scopes', () => {
    const { spec, debug } = run({}, 5);
    expect(spec.landlockScopes).toBe(0);
    expect(debug).toEqual(['landlock: this kernel has ABI 5; scoping abstract unix sockets and signals needs 6, so the app is not scoped']);
  });

  it('reads a profile file, resolved with the granted capabilities', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hush-hardening-')), 'p.json');
    fs.writeFileSync(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO', excludes: { caps: ['CAP_SYS_ADMIN'] } }] }));
    expect(run({ seccomp: file }).compiled[0].syscalls.map((s) => s.names)).toEqual([['mount']]);
    expect(run({ seccomp: file, capAdd: ['SYS_ADMIN'] }).compiled[0].syscalls).toEqual([]);
  });
});
