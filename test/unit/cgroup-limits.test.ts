// --memory, --cpus and --pids-limit parsing (launcher/cgroups/limits.ts), table-driven.

import { describe, expect, it } from 'vitest';
import { formatBytes, parseLimits } from '../../launcher/cgroups/limits';
import { UsageError } from '../../launcher/flags';

const MiB = 1024 * 1024;

describe('--memory', () => {
  it.each([
    ['64m', 64 * MiB],
    ['64M', 64 * MiB],
    ['1g', 1024 * MiB],
    ['1.5g', 1536 * MiB],
    ['8192k', 8 * MiB],
    ['6291456', 6 * MiB],
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseLimits({ memory: text }).memoryBytes).toBe(bytes);
  });

  it.each([
    ['10x', /--memory: expected a size in bytes, or with k, m or g .*got '10x'/],
    ['-64m', /got '-64m'/],
    ['', /got ''/],
    ['1.5', /a size in bytes is a whole number/],
    ['1m', /at least 6m is needed, got '1m'/],
    ['99999999999g', /too large/],
  ])('%j is refused', (text, message) => {
    expect(() => parseLimits({ memory: text })).toThrow(UsageError);
    expect(() => parseLimits({ memory: text })).toThrow(message);
  });
});

describe('--cpus', () => {
  it.each([
    ['0.5', 50_000],
    ['.25', 25_000],
    ['2', 200_000],
    ['0.01', 1_000],
  ])('%s is a quota of %d µs per 100 ms', (text, quota) => {
    expect(parseLimits({ cpus: text })).toMatchObject({ cpuQuotaUs: quota, cpus: Number(text) });
  });

  it.each(['-1', '0', '0.001', 'half', '1e3', ''])('%j is refused', (text) => {
    expect(() => parseLimits({ cpus: text })).toThrow(`--cpus: expected a number of CPUs of at least 0.01 (0.5, 2), got '${text}'`);
  });
});

describe('--pids-limit', () => {
  it('defaults to 2048, not as a request', () => {
    expect(parseLimits({})).toMatchObject({ pidsMax: 2048, pidsRequested: false, memoryBytes: undefined, cpuQuotaUs: undefined });
  });

  it('0 means no limit, and is a request', () => {
    expect(parseLimits({ pidsLimit: '0' })).toMatchObject({ pidsMax: undefined, pidsRequested: true });
  });

  it('takes a count', () => {
    expect(parseLimits({ pidsLimit: '64' })).toMatchObject({ pidsMax: 64, pidsRequested: true });
  });

  it.each(['-3', '-1', '1.5', 'many'])('%j is refused', (text) => {
    expect(() => parseLimits({ pidsLimit: text })).toThrow(`--pids-limit: expected a whole number of processes (0 for no limit), got '${text}'`);
  });
});

describe('formatBytes', () => {
  it.each([
    [64 * MiB, '64 MiB'],
    [1536 * MiB, '1.5 GiB'],
    [8192, '8 KiB'],
    [6_000_001, '6000001 bytes'],
  ])('%d reads %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
