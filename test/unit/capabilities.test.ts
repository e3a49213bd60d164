import { describe, expect, it } from 'vitest';
import { capabilitySets, defaultCapabilities, parseCapabilityName } from '../../launcher/capabilities';
import { UsageError } from '../../launcher/flags';

describe('capabilitySets', () => {
  it.each([
    [[], [], 0, [...defaultCapabilities].sort(), []],
    [['NET_RAW'], [], 0, [...defaultCapabilities, 'NET_RAW'].sort(), []],
    [[], ['ALL'], 0, [], []],
    [['KILL'], ['ALL'], 0, ['KILL'], []],
    [[], ['CHOWN', 'KILL'], 0, defaultCapabilities.filter((c) => c !== 'CHOWN' && c !== 'KILL').sort(), []],
    [['NET_BIND_SERVICE'], [], 1000, [...defaultCapabilities].sort(), ['NET_BIND_SERVICE']],
    [['NET_RAW'], ['NET_RAW'], 1000, [...defaultCapabilities, 'NET_RAW'].sort(), ['NET_RAW']],
  ] as const)('add %j drop %j uid %i', (add, drop, uid, granted, ambient) => {
    const sets = capabilitySets(add, drop, uid);
    expect([...sets.granted].sort()).toEqual(granted);
    expect(sets.ambient).toEqual(ambient);
  });

  it('adds every capability with ALL', () => {
    expect(capabilitySets(['ALL'], [], 0).granted).toHaveLength(41);
  });
});

describe('parseCapabilityName', () => {
  it.each(['NET_RAW', 'net_raw', 'CAP_NET_RAW', 'cap_Net_Raw'])('reads %s', (text) => expect(parseCapabilityName('--cap-add', text)).toBe('NET_RAW'));
  it('reads ALL', () => expect(parseCapabilityName('--cap-drop', 'all')).toBe('ALL'));
  it('refuses an unknown name', () => expect(() => parseCapabilityName('--cap-add', 'NET_FOO')).toThrow(UsageError));
});
