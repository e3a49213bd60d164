import { describe, expect, it } from 'vitest';
import { findSubordinateRange, hostId, planAutoMaps, planRootlessMaps } from '../../launcher/rootless/id-maps';
import { swapIsOn } from '../../launcher/rootless/rootless-run';

const helpers = { newuidmap: '/usr/bin/newuidmap', newgidmap: '/usr/bin/newgidmap' };
const alice = { name: 'alice', uid: 1000, gid: 1000 };

describe('rootless id maps', () => {
  it('maps the full subuid range with the helpers', () => {
    const plan = planRootlessMaps(alice, { subuid: 'bob:1:2\nalice:100000:65536\n', subgid: '1000:200000:65536', ...helpers });
    expect(plan.uidMap).toEqual(['0', '1000', '1', '1', '100000', '65536']);
    expect(plan.gidMap).toEqual(['0', '1000', '1', '1', '200000', '65536']);
    expect(plan.denySetgroups).toBe(false);
    expect(hostId(plan.uidMap, 1000)).toBe(100999);
  });
  it('maps one uid, and says why, without a range or without the helpers', () => {
    expect(planRootlessMaps(alice, { subuid: undefined, subgid: undefined, ...helpers }).note).toContain('no /etc/subuid and /etc/subgid range for alice');
    const plan = planRootlessMaps(alice, { subuid: 'alice:100000:65536', subgid: 'alice:100000:65536', newuidmap: undefined, newgidmap: undefined });
    expect(plan.uidMap).toEqual(['0', '1000', '1']);
    expect(plan.note).toContain('uidmap');
    expect(plan.denySetgroups).toBe(true);
  });
  it('ignores malformed and empty entries', () => {
    expect(findSubordinateRange('alice:x:1\nalice:5:0\n', 'alice', 1000)).toBeUndefined();
  });
  it('--userns auto: the hush entry or the default range', () => {
    expect(planAutoMaps({ subuid: undefined, subgid: undefined, newuidmap: undefined, newgidmap: undefined }).uidMap).toEqual(['0', '2147483648', '65536']);
    expect(planAutoMaps({ subuid: 'hush:300000:1000', subgid: 'hush:300000:1000', newuidmap: undefined, newgidmap: undefined }).uidMap).toEqual(['0', '300000', '1000']);
  });
  it('reads swap from /proc/swaps', () => {
    expect(swapIsOn('Filename Type Size Used Priority\n')).toBe(false);
    expect(swapIsOn('Filename Type Size Used Priority\n/swapfile file 1048572 0 -2\n')).toBe(true);
  });
});
