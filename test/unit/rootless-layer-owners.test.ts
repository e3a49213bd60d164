import { describe, expect, it } from 'vitest';
import { planRootlessMaps } from '../../launcher/rootless/id-maps';
import { layerOwners, storedOwner } from '../../launcher/rootless/layer-owners';
import { rootlessRefusal } from '../../launcher/rootless/rootless-run';
import type { RunOptions } from '../../launcher/container-spec';

const helpers = { newuidmap: '/usr/bin/newuidmap', newgidmap: '/usr/bin/newgidmap' };
const alice = { name: 'alice', uid: 1000, gid: 1001 };
const full = planRootlessMaps(alice, { subuid: 'alice:100000:65536', subgid: 'alice:200000:65536', ...helpers });
const single = planRootlessMaps(alice, { subuid: undefined, subgid: undefined, ...helpers });

describe('rootless layer owners', () => {
  it('root keeps the owners of the tar, in layers/', () => {
    const owners = layerOwners(undefined);
    expect(owners).toMatchObject({ kind: 'host', layersDir: 'layers' });
    expect(storedOwner(owners, 1234, 4321)).toEqual({ uid: 1234, gid: 4321 });
  });
  it.each([
    [0, 0, 1000, 1001],
    [1, 1, 100000, 200000],
    [1234, 4321, 101233, 204320],
    [65536, 65536, 165535, 265535],
  ])('the full range stores %i:%i as %i:%i (0 the caller, N the range start + N - 1)', (uid, gid, hostUid, hostGid) => {
    expect(storedOwner(layerOwners(full), uid, gid)).toEqual({ uid: hostUid, gid: hostGid });
  });
  it('refuses an owner beyond the range, naming it', () => {
    expect(storedOwner(layerOwners(full), 65537, 0)).toEqual({ refused: expect.stringContaining('owner 65537:0 is outside') });
  });
  it('one mapped uid stores every owner as the caller (0 inside)', () => {
    const owners = layerOwners(single);
    expect(owners.kind).toBe('caller');
    expect(storedOwner(owners, 1234, 4321)).toEqual({ uid: 1000, gid: 1001 });
  });
  it('keeps the layers of each mapping apart', () => {
    const other = planRootlessMaps(alice, { subuid: 'alice:300000:65536', subgid: 'alice:200000:65536', ...helpers });
    const dirs = new Set([layerOwners(undefined), layerOwners(full), layerOwners(single), layerOwners(other)].map((o) => o.layersDir));
    expect(dirs.size).toBe(4);
    expect(layerOwners(full).layersDir).toBe('layers-u0.1000.1.1.100000.65536-g0.1001.1.1.200000.65536');
  });
});

describe('rootless refusals', () => {
  const options = (over: Partial<RunOptions>) => ({ uid: 0, gid: 0, limits: {}, volumes: [], ...over }) as unknown as RunOptions;
  it('runs 0:0, volumes and images; --user needs the full range and an id inside it', () => {
    expect(rootlessRefusal(options({ volumes: [{ host: '/srv', target: '/srv', readOnly: false }] }), single)).toBeUndefined();
    expect(rootlessRefusal(options({ uid: 1234, gid: 4321 }), full)).toBeUndefined();
    expect(rootlessRefusal(options({ uid: 5, gid: 5 }), single)).toContain('only uid 0 is mapped');
    expect(rootlessRefusal(options({ uid: 65537, gid: 0 }), full)).toContain('outside the user namespace');
  });
  it("names the image's User when it is the cause", () => {
    const imageRun = { ref: 'img', user: undefined } as unknown as RunOptions['imageRun'];
    expect(rootlessRefusal(options({ uid: 1000, gid: 1000, imageRun }), single)).toContain("user 1000:1000 (the image's User)");
  });
  it('leaves limits to the cgroup setup, which uses a delegated cgroup v2 subtree or refuses (cgroup-view-delegation.test.ts)', () => {
    expect(rootlessRefusal(options({ limits: { memoryBytes: 1 } as RunOptions['limits'] }), full)).toBeUndefined();
  });
});
