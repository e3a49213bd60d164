// moveIntoOwnLeaf (launcher/cgroups/own-leaf.ts) on a real cgroup2 hierarchy: a Node process,
// threads and all, alone in a cgroup below the root moves into hush-PID-launcher, leaving its
// cgroup empty (as it must be to hand controllers down), and a cgroup that holds another process
// is left as it is. This kernel binds every controller to v1, so the handing down itself is
// tested on a fake tree (test/unit/cgroup-v2-files.test.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo } from './helpers';
import { isRoot } from './limits-helpers';

const ownLeaf = path.join(repo, 'dist', 'launcher', 'cgroups', 'own-leaf.js');

/** Runs `script` in a mount namespace with a cgroup2 mount at $C, and a fresh cgroup $C/$T. */
function inCgroup2(script: string) {
  const setup = `set -e; C=$(mktemp -d); mount -t cgroup2 none "$C"; T=hush-own-leaf-$$; mkdir "$C/$T"; cleanup() { for d in "$C/$T"/hush-*; do [ -d "$d" ] && rmdir "$d"; done; rmdir "$C/$T"; umount "$C"; rmdir "$C"; }; trap cleanup EXIT; export C T;`;
  return spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${setup} ${script}`], { encoding: 'utf8', timeout: 30_000 });
}

/** A script that moves itself into a leaf of $C/$T and says where it is then. */
const mover = (() => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hush-own-leaf-')), 'move.js');
  fs.writeFileSync(file, [
    `const { moveIntoOwnLeaf } = require(${JSON.stringify(ownLeaf)});`,
    "const fs = require('node:fs');",
    'const cgroup = `${process.env.C}/${process.env.T}`;',
    "const moved = moveIntoOwnLeaf(cgroup, (line) => console.log('debug: ' + line));",
    "console.log('moved=' + moved);",
    "console.log('self=' + fs.readFileSync('/proc/self/cgroup', 'utf8').split('\\n').find((line) => line.startsWith('0::')));",
    "console.log('left=' + fs.readFileSync(`${cgroup}/cgroup.procs`, 'utf8').trim());",
  ].join('\n'));
  return file;
})();
const move = `exec ${process.execPath} ${mover}`;

describe.skipIf(!isRoot)('moving hush into a leaf of its cgroup (cgroup2, needs root)', () => {
  it('moves the whole process, and its cgroup then holds none', () => {
    // The inner shell moves itself into $T, then becomes node: node is all $T holds.
    const r = inCgroup2(`sh -c 'echo $$ > "$C/$T/cgroup.procs"; ${move}'; echo after=$(cat "$C/$T/cgroup.procs" | wc -l)`);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    const pid = /hush-(\d+)-launcher/.exec(lines[0]!)![1];
    expect(lines).toEqual([
      expect.stringMatching(/^debug: moved hush into .*\/hush-own-leaf-\d+\/hush-\d+-launcher, so that .* can hand controllers to the container's cgroup$/),
      'moved=true',
      expect.stringMatching(new RegExp(`^self=0::/hush-own-leaf-\\d+/hush-${pid}-launcher$`)),
      'left=',
      'after=0',
    ]);
  });

  it('leaves a cgroup holding another process alone', () => {
    const r = inCgroup2(`sleep 30 & S=$!; echo $S > "$C/$T/cgroup.procs"; sh -c 'echo $$ > "$C/$T/cgroup.procs"; ${move}'; kill $S; wait $S || true`);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^debug: .*\/hush-own-leaf-\d+ holds processes other than hush \(\d+\): it cannot be left empty$/);
    expect(lines[1]).toBe('moved=false');
    expect(lines[2]).toMatch(/^self=0::\/hush-own-leaf-\d+$/);
    expect(r.status).toBe(0);
  });
});
