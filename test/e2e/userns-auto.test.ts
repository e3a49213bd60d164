// `hush run --userns auto` as root (docs/userns.md): the container's user namespace maps the
// unprivileged range 2147483648:65536 (no `hush` entry in /etc/subuid here), so container root
// cannot read a root-owned 0600 host file; secrets are readable by the app; volumes and an
// image root are idmapped, so ids on disk are the ids inside, both ways.

import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeContainers, hush } from './helpers';
import { buildImages, busybox, haveTools, tools, type BuiltImages } from './images-fixture';

const hushRange = ['/etc/subuid', '/etc/subgid'].some((file) => fs.existsSync(file) && /^hush:/m.test(fs.readFileSync(file, 'utf8')));
let work = '';

beforeAll(() => {
  work = fs.mkdtempSync('/var/tmp/hush-userns-auto-');
  fs.chmodSync(work, 0o755); // container root is no host root: it needs the x bit to look in
  fs.writeFileSync(path.join(work, 'private'), 'only host root\n', { mode: 0o600 });
  fs.mkdirSync(path.join(work, 'volume'));
  fs.writeFileSync(path.join(work, 'volume', 'owned'), 'by 1234\n');
  fs.chownSync(path.join(work, 'volume', 'owned'), 1234, 1234);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const sh = (flags: string[], script: string) => hush(['run', '--userns', 'auto', ...flags, '--', '/bin/sh', '-c', script]);

describeContainers(`--userns auto${hushRange ? ' (skipped: this host has a hush subuid entry; the test expects the default range)' : ''}`, () => {
  it.skipIf(hushRange)('maps 0-65535 to the host range from 2147483648', async () => {
    const r = await sh([], 'cat /proc/self/uid_map /proc/self/gid_map; id -u');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((line) => line.trim().split(/\s+/).join(' '));
    expect(lines).toEqual(['0 2147483648 65536', '0 2147483648 65536', '0']);
  });

  it('container root cannot read a root-owned 0600 host file, which shows as nobody', async () => {
    const file = path.join(work, 'private');
    const r = await sh([], `cat ${file}; echo status=$?; stat -c '%u:%g' ${file}`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('only host root');
    expect(r.stdout).toContain('status=1\n65534:65534\n');
    expect(r.stderr).toContain('Permission denied');
  });

  it('the secrets are the app user\'s, written with its mapped host id', async () => {
    const root = await sh(['--secret', 'token=s3cret'], 'cat /run/secrets/token; echo; stat -c %u:%g /run/secrets/token');
    expect([root.code, root.stdout]).toEqual([0, 's3cret\n0:0\n']);
    const app = await sh(['--user', '1000:1000', '--secret', 'token=s3cret'], 'id -u; cat /run/secrets/token; echo; stat -c %u:%g /run/secrets/token');
    expect([app.code, app.stdout]).toEqual([0, '1000\ns3cret\n1000:1000\n']);
    // The agent's files too (the bundled demo store and policy).
    const policy = await hush(['run', '--userns', 'auto', '--user', '1000', '--policy', 'policies/demo.yaml', '--', '/bin/sh', '-c', 'stat -c %u:%g /run/secrets/db_password; cat /run/secrets/db_password'],
      { env: { PATH: process.env.PATH, HUSH_STORE_PASSPHRASE: 'hush-demo' } });
    expect([policy.code, policy.stdout]).toEqual([0, '1000:1000\ndemo-db-password-correct-horse']);
  });

  it('a volume keeps its owners: host 1234 shows as 1234, and what container root writes is host uid 0', async () => {
    const volume = path.join(work, 'volume');
    const r = await sh(['--volume', `${volume}:/srv`], 'stat -c %u:%g /srv/owned; echo made > /srv/made; stat -c %u:%g /srv/made');
    expect([r.code, r.stdout]).toEqual([0, '1234:1234\n0:0\n']);
    const made = fs.statSync(path.join(volume, 'made'));
    expect([made.uid, made.gid]).toEqual([0, 0]);
  });

  it('a volume whose filesystem cannot be idmapped (sysfs) is refused, naming it', async () => {
    const r = await sh(['--volume', '/sys/kernel:/srv'], 'true');
    expect([r.code, r.stderr]).toEqual([125, 'hush: run: --volume /sys/kernel: cannot be idmapped for --userns auto (EINVAL: its filesystem does not support idmapped mounts); use --userns host\n']);
  });

  it('the hardening applies as with --userns host: capabilities (userns-local), no_new_privs, seccomp, /root masked', async () => {
    const script = "grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; ls -A /root | wc -l";
    const auto = await sh([], script);
    const host = await hush(['run', '--userns', 'host', '--', '/bin/sh', '-c', script]);
    expect(auto.code).toBe(0);
    expect(auto.stdout).toBe(host.stdout);
    expect(auto.stdout).toMatch(/NoNewPrivs:\s+1\nSeccomp:\s+2\n0\n$/);
  });

  it.skipIf(!busybox)(`a --rootfs is idmapped like an image${busybox ? '' : ' (skipped: needs a static busybox)'}: its root-owned files are root\'s inside; it stays read-only`, async () => {
    const rootfs = path.join(work, 'rootfs');
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(rootfs, 'etc'));
    fs.copyFileSync(busybox!, path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    fs.writeFileSync(path.join(rootfs, 'etc', 'rootonly'), 'root of the rootfs\n', { mode: 0o600 });
    const r = await hush(['run', '--userns', 'auto', '--rootfs', rootfs, '--', '/bin/busybox', 'sh', '-c',
      'cat /proc/self/uid_map | busybox wc -l; busybox stat -c %u:%g /etc/rootonly; busybox cat /etc/rootonly; busybox touch /x 2>&1']);
    expect(r.stdout).toBe('1\n0:0\nroot of the rootfs\ntouch: /x: Read-only file system\n');
    // The mount points the child made (as container root, through the idmap) are host root's.
    expect(fs.statSync(path.join(rootfs, 'proc')).uid).toBe(0);
  });

  it('limits still apply (the cgroup is the launcher\'s, joined before the user namespace matters)', async () => {
    const r = await sh(['--memory', '32m'], 'x=a; i=0; while [ $i -lt 40 ]; do x="$x$x"; i=$((i+1)); done; echo grew');
    expect(r.code).toBe(137);
    expect(r.stdout).not.toContain('grew');
  });

  // Binding below ip_unprivileged_port_start needs CAP_NET_BIND_SERVICE in the user namespace
  // that owns the network namespace: the host's for the host network, the container's with --net none.
  const unprivilegedStart = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  it.skipIf(unprivilegedStart <= 80)('port 80: refused on the host network, allowed in a network namespace of its own', async () => {
    const bind = `perl -MSocket -e 'socket(S, PF_INET, SOCK_STREAM, 0) or die; print bind(S, sockaddr_in(80, inet_aton("127.0.0.1"))) ? "bound\\n" : "$!\\n"'`;
    const hostNet = await sh([], bind);
    expect([hostNet.code, hostNet.stdout]).toEqual([0, 'Permission denied\n']);
    const ownNet = await sh(['--net', 'none'], bind);
    expect([ownNet.code, ownNet.stdout]).toEqual([0, 'bound\n']);
  });

  it('refuses a bad --userns, and a --user outside the range (exit 125, one line)', async () => {
    const bad = await hush(['run', '--userns', 'foo', '--', '/bin/true']);
    expect([bad.code, bad.stderr]).toEqual([125, "hush: run: --userns must be 'host' or 'auto', got 'foo'\n"]);
    const outside = await hush(['run', '--userns', 'auto', '--user', '70000', '--', '/bin/true']);
    expect([outside.code, outside.stderr]).toEqual([125, 'hush: run: --user 70000:70000 is outside the --userns auto range (0-65535)\n']);
  });
});

const needImages = haveTools ? '' : ` (skipped: needs root, static busybox and ${tools.join(', ') || 'busybox-static'})`;
describe.skipIf(!haveTools)(`--userns auto --image${needImages}`, () => {
  let images: BuiltImages;
  const env = () => ({ PATH: process.env.PATH, HUSH_IMAGE_STORE: path.join(images.work, 'store') });
  beforeAll(async () => {
    images = await buildImages(fs.mkdtempSync(path.join(tmpdir(), 'hush-userns-images-')));
  }, 180_000);
  afterAll(() => {
    if (images) fs.rmSync(images.work, { recursive: true, force: true });
  });

  it('the image root is idmapped: its root-owned files are root\'s inside, and writable', async () => {
    const r = await hush(['run', '--userns', 'auto', '--image', `oci:${images.layout}:shell`, '--user', '0', '--', '/bin/sh', '-c',
      'cat /proc/self/uid_map; ls -ln /app/hello.txt; echo new > /data/new; ls -ln /data/new; id -u; stat -c %u:%g / /etc /etc/hosts; mkdir /made && echo made /; ls /data /cache'], { env: env() });
    expect(r.stderr).not.toMatch(/^hush: /m); // the pull's progress lines only
    expect(r.code).toBe(0);
    const [map, hello, created, id, ...rest] = r.stdout.trim().split('\n');
    expect(map.trim().split(/\s+/)[0]).toBe('0');
    expect(map.trim().split(/\s+/)[1]).not.toBe('0');
    expect(hello).toMatch(/^-\S+ +1 +0 +0 /);
    expect(created).toMatch(/^-\S+ +1 +0 +0 /);
    expect(id).toBe('0');
    // What hush made (the root's upper directory, /etc/hosts) is the container root's too.
    // The third layer's whiteout and opaque directory still work over idmapped layers.
    expect(rest).toEqual(['0:0', '0:0', '0:0', 'made /', '/cache:', 'c', '', '/data:', 'new', 'with space.txt']);
  });

  it('--read-only seals the idmapped image root', async () => {
    const r = await hush(['run', '--userns', 'auto', '--image', `oci:${images.layout}:shell`, '--read-only', '--user', '0', '--', '/bin/sh', '-c',
      'cat /app/hello.txt; echo; touch /data/nope 2>&1'], { env: env() });
    expect(r.stdout).toBe('from layer two\ntouch: /data/nope: Read-only file system\n');
  });

  it('the image\'s own user (app, 1000) reads its secret', async () => {
    const r = await hush(['run', '--userns', 'auto', '--image', `oci:${images.layout}:shell`, '--secret', 't=s3cret', '--', '/bin/sh', '-c',
      'id -u; cat /run/secrets/t'], { env: env() });
    expect([r.code, r.stdout]).toEqual([0, '1000\ns3cret']);
  });
});
