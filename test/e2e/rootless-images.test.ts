// Rootless images, volumes and --user (docs/rootless.md): a user made here (with a /etc/subuid
// range) pulls and runs an image built by real tools (images-fixture.ts) plus a layer with
// non-root owners; a system user (no range, so one mapped uid) is refused what it cannot do.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSubordinateRange } from '../../launcher/rootless/id-maps';
import { layerOwners, storedOwner } from '../../launcher/rootless/layer-owners';
import { makeTar } from '../integration/images-fixtures';
import { buildImages, haveTools, tools } from './images-fixture';
import { copyBuiltTree, createUser, hushAs, rootlessMissing } from './rootless-helpers';

const missing = rootlessMissing ?? (haveTools ? undefined : `needs static busybox and ${tools.join(', ') || 'busybox-static'}`);
const user = 'hushrlimg';
const singleUser = 'hushrlone';

let work = '';
let tree = '';
let home = '';
let uid = 0;
let image = '';
let shellImage = '';

const as = (args: string[]) => hushAs(uid, tree, args, home);
const sh = (script: string, ...flags: string[]) => as(['run', ...flags, '--image', shellImage, '--', 'sh', '-c', script]);

describe.skipIf(missing !== undefined)(`rootless images${missing ? ` (${missing})` : ''}`, () => {
  beforeAll(async () => {
    uid = createUser(user);
    tree = copyBuiltTree();
    work = fs.mkdtempSync('/var/tmp/hush-rlimg-');
    home = path.join(work, 'home');
    fs.mkdirSync(home);
    fs.chownSync(home, uid, uid);
    const built = await buildImages(work);
    // A layer with owners other than root: a directory and a file of 1234:4321, app's home.
    const layer = path.join(work, 'owners.tar');
    fs.writeFileSync(layer, await makeTar([
      { name: 'srv/app/', type: 'directory', mode: 0o755, uid: 1234, gid: 4321 },
      { name: 'srv/app/owned.txt', body: 'owned', mode: 0o640, uid: 1234, gid: 4321 },
      { name: 'home/app/', type: 'directory', mode: 0o700, uid: 1000, gid: 1000 },
    ]));
    for (const [from, to] of [['v1', 'owners'], ['shell', 'owners-shell']]) {
      spawnSync('umoci', ['raw', 'add-layer', '--image', `${built.layout}:${from}`, '--tag', to, layer], { stdio: 'ignore' });
    }
    spawnSync('chmod', ['-R', 'a+rX', work]);
    fs.chmodSync(home, 0o700);
    image = `oci:${built.layout}:owners`;
    shellImage = `oci:${built.layout}:owners-shell`;
  }, 120_000);
  afterAll(() => {
    spawnSync('userdel', [user]);
    spawnSync('userdel', [singleUser]);
    // The layers' owners are subordinate ids: removed as root here.
    for (const dir of [tree, work]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pulls into $HOME/.local/share/hush, with layer owners shifted by the subuid range', () => {
    const pulled = as(['pull', shellImage]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const listed = as(['images']);
    expect(listed.stdout).toContain(shellImage);
    const uids = findSubordinateRange(fs.readFileSync('/etc/subuid', 'utf8'), user, uid)!;
    const gids = findSubordinateRange(fs.readFileSync('/etc/subgid', 'utf8'), user, uid)!;
    const store = path.join(home, '.local', 'share', 'hush', 'images');
    const owners = layerOwners({ uidMap: ['0', String(uid), '1', '1', String(uids.start), String(uids.count)],
      gidMap: ['0', String(uid), '1', '1', String(gids.start), String(gids.count)], denySetgroups: false, size: 1 + Math.min(uids.count, gids.count), note: '' });
    const layers = fs.readdirSync(path.join(store, owners.layersDir));
    const owned = layers.map((hex) => path.join(store, owners.layersDir, hex, 'srv', 'app', 'owned.txt')).find((file) => fs.existsSync(file));
    expect(owned).toBeDefined();
    const st = fs.statSync(owned!);
    expect([st.uid, st.gid]).toEqual(Object.values(storedOwner(owners, 1234, 4321)));
    expect([st.uid, st.gid]).toEqual([uids.start + 1233, gids.start + 4320]);
  });

  it("runs an image: its User, owners as in the tar, whiteouts and opaque dirs, secrets the user's", () => {
    const script = 'id -u; id -g; ls -ln /srv/app | tail -n +2; cat /srv/app/owned.txt 2>&1; ls /data; ls /cache; ls -ln /run/secrets | tail -n +2; cat /run/secrets/token';
    const r = sh(script, '--secret', 'token=s3cret');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['1000', '1000']);
    expect(lines[2]).toMatch(/^-rw-r----- +1 1234 +4321 .* owned\.txt$/);
    expect(lines[3]).toContain('Permission denied'); // 0640 of 1234:4321, and the app is 1000
    expect(lines).not.toContain('old.txt'); // whited out in the third layer
    expect(r.stdout).toContain('with space.txt');
    expect(lines).toContain('c');
    expect(lines).not.toContain('a'); // /cache is opaque in the third layer
    expect(lines.find((l) => l.endsWith(' token'))).toMatch(/^-r-------- +1 1000 +1000 /);
    expect(lines[lines.length - 1]).toBe('s3cret');
  });

  it("runs the image's Entrypoint and Cmd; --read-only seals the root", () => {
    const r = as(['run', '--image', image]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('entry default cmd');
    const ro = sh('touch /app/new 2>&1; echo status=$?', '--read-only', '--user', '0');
    expect(ro.stdout).toContain('Read-only file system');
  });

  it('binds a volume: read and write, and a write lands as the caller on the host', () => {
    const vol = path.join(work, 'vol');
    fs.mkdirSync(vol);
    fs.writeFileSync(path.join(vol, 'in.txt'), 'from the host');
    fs.chownSync(vol, uid, uid);
    const r = sh('cat /data/vol/in.txt; echo; echo written > /data/vol/out.txt; id -u', '--user', '0', '--volume', `${vol}:/data/vol`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('from the host');
    const st = fs.statSync(path.join(vol, 'out.txt'));
    expect([st.uid, fs.readFileSync(path.join(vol, 'out.txt'), 'utf8')]).toEqual([uid, 'written\n']);
    const ro = as(['run', '--volume', `${vol}:/mnt:ro`, '--', 'sh', '-c', 'cat /mnt/in.txt; echo; touch /mnt/x 2>&1']);
    expect(ro.stdout).toContain('from the host');
    expect(ro.stdout).toContain('Read-only file system');
  });

  it('--user N:G with the full range: the app is N:G and the secrets are its own', () => {
    const r = as(['run', '--user', '1234:4321', '--secret', 'k=v', '--', 'sh', '-c', 'id -u; id -g; ls -ln /run/secrets | tail -n +2; cat /run/secrets/k']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual(['1234', '4321']);
    expect(lines[2]).toMatch(/^-r-------- +1 1234 +4321 .* k$/);
    expect(lines[3]).toBe('v');
    const outside = as(['run', '--user', '99999999', '--', 'true']);
    expect(outside.code).toBe(125);
    expect(outside.stderr).toContain('outside the user namespace');
  });

  it('rmi removes layers whose files subordinate ids own', () => {
    const r = as(['rmi', shellImage, image]);
    expect(r.code, r.stderr).toBe(0);
    const store = path.join(home, '.local', 'share', 'hush', 'images');
    const layersDir = fs.readdirSync(store).find((name) => name.startsWith('layers-u'))!;
    expect(fs.readdirSync(path.join(store, layersDir))).toEqual([]);
  });

  it('with one mapped uid (no subuid range): --user and an image User other than 0 are refused, 0 runs', () => {
    const single = createUser(singleUser, { system: true });
    const singleHome = path.join(work, 'home-one');
    fs.mkdirSync(singleHome);
    fs.chownSync(singleHome, single, single);
    const refused = hushAs(single, tree, ['run', '--user', '5', '--', 'true'], singleHome);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toContain('only uid 0 is mapped');
    const imageUser = hushAs(single, tree, ['run', '--image', shellImage, '--', 'true'], singleHome);
    expect(imageUser.code).toBe(125);
    expect(imageUser.stderr).toContain("1000:1000 (the image's User)");
    const asRoot = hushAs(single, tree, ['run', '--image', shellImage, '--user', '0', '--', 'sh', '-c', 'ls -ln /srv/app | tail -n +2'], singleHome);
    expect(asRoot.code, asRoot.stderr).toBe(0);
    expect(asRoot.stdout).toMatch(/^-rw-r----- +1 0 +0 .* owned\.txt/); // every owner stored as 0
  });
});
