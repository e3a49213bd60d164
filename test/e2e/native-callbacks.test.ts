// What a JS callback of the addon's event-loop watches (onExit, watchChannel) throws is an
// uncaught exception of the process, as for any event-loop callback: it reaches
// process.on('uncaughtException'), or Node's usual report and exit 1. It never aborts the process
// from C++ (SIGABRT, "terminate called after throwing Napi::Error"), as it did before.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { expect, it } from 'vitest';
import { describeContainers, repo } from './helpers';

const dist = (module: string) => JSON.stringify(path.join(repo, 'dist', module));

/** A container of /bin/true whose `watch` callback throws once it has done its work. */
function throwingIn(watch: 'onExit' | 'watchChannel', handler: boolean) {
  const script = `
${handler ? "process.on('uncaughtException', (e) => { console.log('uncaught: ' + e.message); process.exit(3); });" : ''}
const addon = require(${dist('native')}).native();
const watch = addon.${watch};
addon.${watch} = (fd, callback) => watch.call(addon, fd, (event) => { callback(event); throw new Error('thrown in ${watch}'); });
const { containerSpec, parseRunArgs } = require(${dist('launcher/container-spec')});
const options = parseRunArgs(['--', '/bin/true'], { PATH: '/usr/bin:/bin' }, 'feedc0ffee04');
const confinement = require(${dist('launcher/confinement')}).buildConfinement(options.confinement, process.env, () => {});
require(${dist('launcher/container')}).startContainer(containerSpec(options, { secretsFd: -1, confinement }));`;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
}

describeContainers('exceptions thrown by the callbacks of native watches', () => {
  for (const watch of ['onExit', 'watchChannel'] as const) {
    it(`${watch}: reaches process.on('uncaughtException')`, () => {
      const r = throwingIn(watch, true);
      expect(r.stdout).toBe(`uncaught: thrown in ${watch}\n`);
      expect([r.status, r.signal]).toEqual([3, null]);
    });
  }

  it("without a handler, Node reports it and exits 1", () => {
    const r = throwingIn('onExit', false);
    expect([r.status, r.signal]).toEqual([1, null]);
    expect(r.stderr).toContain('Error: thrown in onExit');
    expect(r.stderr).not.toContain('terminate called');
  });
});
