// The v2 side of createContainerCgroup on a fake v2 tree in a temporary directory (this kernel
// binds every controller to v1, so a real v2 cgroup cannot take limits here): what is written
// where, and how a refused delegation or an unwritable parent is handled.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContainerCgroup } from '../../launcher/cgroups/container-cgroup';
import { parseLimits } from '../../launcher/cgroups/limits';

let root: string;
let parent: string;
let lines: string[];
const debug = (line: string) => lines.push(line);
const procSelf = () => ({ mountinfo: `30 1 0:99 / ${root} rw - cgroup2 cgroup2 rw\n`, cgroup: '0::/parent\n' });
const make = (flags: Parameters<typeof parseLimits>[0]) => createContainerCgroup({ limits: parseLimits(flags), id: 'abc123', debug, procSelf: procSelf() });
const dir = () => path.join(parent, `hush-${process.pid}-abc123`);
const read = (file: string) => fs.readFileSync(path.join(dir(), file), 'utf8');

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-cgroup2-'));
  parent = path.join(root, 'parent');
  fs.mkdirSync(parent);
  fs.writeFileSync(path.join(parent, 'cgroup.controllers'), 'cpu memory pids\n');
  fs.writeFileSync(path.join(parent, 'cgroup.subtree_control'), 'memory cpu\n');
  lines = [];
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('createContainerCgroup on cgroup v2', () => {
  it('enables what is missing, makes the cgroup, writes the limits, opens it for clone3', () => {
    const cgroup = make({ memory: '64m', cpus: '1' });
    expect(fs.readFileSync(path.join(parent, 'cgroup.subtree_control'), 'utf8')).toBe('+pids'); // memory and cpu were on
    expect([read('memory.max'), read('cpu.max'), read('pids.max')]).toEqual(['67108864', '100000 100000', '2048']);
    expect(fs.existsSync(path.join(dir(), 'memory.swap.max'))).toBe(false); // only where the kernel has it
    expect(cgroup.dirs).toEqual([{ version: 2, dir: dir(), controllers: ['memory', 'cpu', 'pids'] }]);
    expect(fs.fstatSync(cgroup.cgroupFd).isDirectory()).toBe(true);
    expect(cgroup.cgroupJoinFds).toEqual([]);
    expect(cgroup.limits.pidsMax).toBe(2048);
    cgroup.remove();
    // A real cgroup directory goes with rmdir; this one holds real files, and says so.
    expect(lines).toEqual([`cannot remove ${dir()} (ENOTEMPTY): the next run removes it once it is empty`]);
  });

  it('refuses a limit whose controller our cgroup will not hand down', () => {
    fs.rmSync(path.join(parent, 'cgroup.subtree_control'));
    fs.mkdirSync(path.join(parent, 'cgroup.subtree_control')); // every write fails (EISDIR)
    expect(() => make({ memory: '64m' })).toThrow(
      `--memory cannot be applied: cgroup v2 does not give memory to children of ${parent} (EISDIR)`,
    );
    expect(fs.existsSync(dir())).toBe(false);
  });

  it('skips the default pids limit, with a line, where it cannot be handed down', () => {
    fs.rmSync(path.join(parent, 'cgroup.subtree_control'));
    fs.mkdirSync(path.join(parent, 'cgroup.subtree_control'));
    const cgroup = make({});
    expect(lines).toEqual([`cgroup v2 does not give pids to children of ${parent} (EISDIR): the default --pids-limit is not applied`]);
    expect(fs.existsSync(path.join(dir(), 'pids.max'))).toBe(false);
    expect(cgroup.limits.pidsMax).toBeUndefined();
    cgroup.started();
  });

  // Below the root (a cgroup.type file) with processes in it: a domain controller would be
  // refused (EBUSY), a threaded one would turn the parent into a threaded domain whose new
  // children are "domain invalid"; so none is asked for.
  const belowRootWithProcesses = () => {
    fs.writeFileSync(path.join(parent, 'cgroup.type'), 'domain\n');
    fs.writeFileSync(path.join(parent, 'cgroup.procs'), '4242\n');
    fs.writeFileSync(path.join(parent, 'cgroup.subtree_control'), '');
  };

  it('below the root, a cgroup holding processes is not asked to hand controllers down: a limit is refused (EBUSY)', () => {
    belowRootWithProcesses();
    expect(() => make({ pidsLimit: '10' })).toThrow(
      `--pids-limit cannot be applied: cgroup v2 does not give pids to children of ${parent} (EBUSY): that cgroup holds processes (hush itself)`,
    );
    expect(fs.readFileSync(path.join(parent, 'cgroup.subtree_control'), 'utf8')).toBe('');
    expect(fs.existsSync(dir())).toBe(false);
  });

  it('below the root, a cgroup holding processes costs the default pids limit (a line), not the run', () => {
    belowRootWithProcesses();
    const cgroup = make({});
    expect(fs.readFileSync(path.join(parent, 'cgroup.subtree_control'), 'utf8')).toBe('');
    expect(lines).toEqual([`cgroup v2 does not give pids to children of ${parent} (EBUSY): the default --pids-limit is not applied`]);
    expect(cgroup.dirs).toEqual([{ version: 2, dir: dir(), controllers: [] }]);
    expect(cgroup.limits.pidsMax).toBeUndefined();
    cgroup.started();
  });

  it('an empty cgroup below the root still hands controllers down', () => {
    belowRootWithProcesses();
    fs.writeFileSync(path.join(parent, 'cgroup.procs'), '');
    make({ pidsLimit: '10' }).started();
    expect(fs.readFileSync(path.join(parent, 'cgroup.subtree_control'), 'utf8')).toBe('+pids');
  });

  it('runs without a cgroup, with a line, where none can be made and no limit needs one', () => {
    fs.rmSync(parent, { recursive: true });
    const cgroup = make({ pidsLimit: '0' });
    expect(cgroup.dirs).toEqual([]);
    expect(cgroup.cgroupFd).toBe(-1);
    expect(lines).toEqual([`cannot create ${dir()} (ENOENT): skipped`]);
  });

  it('removes a stale cgroup of a hush that is gone, and keeps a live one', () => {
    fs.mkdirSync(path.join(parent, 'hush-999999999-dead00'));
    fs.mkdirSync(path.join(parent, `hush-${process.pid}-live00`));
    const cgroup = make({});
    expect(fs.existsSync(path.join(parent, 'hush-999999999-dead00'))).toBe(true); // not before the spawn
    cgroup.started();
    cgroup.remove();
    expect(fs.existsSync(path.join(parent, 'hush-999999999-dead00'))).toBe(false);
    expect(fs.existsSync(path.join(parent, `hush-${process.pid}-live00`))).toBe(true);
    expect(lines[0]).toBe(`removed the stale cgroup ${parent}/hush-999999999-dead00`);
  });
});
