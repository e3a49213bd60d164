import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../../launcher/container-spec';
import { UsageError } from '../../launcher/errors';
import type { IdMapSources } from '../../launcher/rootless/id-maps';
import { rootlessRefusal } from '../../launcher/rootless/rootless-run';
import { mappedOwner, planUsernsAuto } from '../../launcher/rootless/userns-auto';

const none: IdMapSources = { subuid: undefined, subgid: undefined, newuidmap: undefined, newgidmap: undefined };
const parse = (...flags: string[]) => parseRunArgs([...flags, '--', 'true'], { PATH: '/bin' }, 'c1');

describe('--userns', () => {
  it('is host, auto or left out (the default: host for root, a namespace of its own for a user)', () => {
    expect(parse().userns).toBeUndefined();
    expect(parse('--userns', 'host').userns).toBe('host');
    expect(parse('--userns=auto').userns).toBe('auto');
  });

  it.each([['foo'], [''], ['Auto'], ['keep-id']])('refuses %j with a line naming the flag', (value) => {
    expect(() => parse('--userns', value)).toThrow(UsageError);
    expect(() => parse('--userns', value)).toThrow(`--userns must be 'host' or 'auto', got '${value}'`);
  });

  it('refuses it given twice', () => {
    expect(() => parse('--userns', 'auto', '--userns', 'host')).toThrow('--userns given more than once');
  });

  it('as an ordinary user, --userns host is refused and auto is the rootless run', () => {
    expect(rootlessRefusal(parse('--userns', 'host'), { size: 65537 })).toMatch(/^--userns host needs root/);
    expect(rootlessRefusal(parse('--userns', 'auto'), { size: 65537 })).toBeUndefined();
    expect(rootlessRefusal(parse(), { size: 65537 })).toBeUndefined();
  });
});

describe('--userns auto planning', () => {
  it('maps 0.. to the default range, with setgroups allowed and no helpers', () => {
    const { plan, userns } = planUsernsAuto(none);
    expect(userns).toMatchObject({ uidMap: ['0', '2147483648', '65536'], gidMap: ['0', '2147483648', '65536'], denySetgroups: false });
    expect(userns.newuidmap).toBeUndefined();
    expect(plan.note).toContain('the default range');
  });

  it("takes the 'hush' entries of /etc/subuid and /etc/subgid, each on its own", () => {
    const { plan } = planUsernsAuto({ ...none, subuid: 'alice:100000:65536\nhush:300000:5000\n', subgid: 'hush:400000:6000\n' });
    expect(plan.uidMap).toEqual(['0', '300000', '5000']);
    expect(plan.gidMap).toEqual(['0', '400000', '6000']);
    expect(plan.size).toBe(5000);
    expect(plan.note).toContain("'hush' entry");
  });

  it('the secrets belong to --user as mapped to the host; an id outside the range is refused', () => {
    const { plan } = planUsernsAuto(none);
    expect(mappedOwner(plan, 0, 0)).toEqual({ uid: 2147483648, gid: 2147483648 });
    expect(mappedOwner(plan, 1000, 50)).toEqual({ uid: 2147484648, gid: 2147483698 });
    expect(mappedOwner(plan, 65535, 65535)).toEqual({ uid: 2147549183, gid: 2147549183 });
    expect(mappedOwner(plan, 65536, 0)).toBe('--user 65536:0 is outside the --userns auto range (0-65535)');
    expect(mappedOwner(plan, 0, 70000)).toBe('--user 0:70000 is outside the --userns auto range (0-65535)');
  });
});
