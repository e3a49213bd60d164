'use strict';
// bench/launch-launchers: the launchers bench/launch compares, each running /bin/true.

const { MINIROOT, NODE, TRUE } = require('./launch-bundles');
const { hostRootMasks: hostMasks } = require('../dist/launcher/hardening');

function launchers(rootMode, cleanUnset) {
  const minimal = rootMode === 'minimal';
  const hushArgs = minimal ? ['--rootfs', MINIROOT] : [];
  const bwrapRoot = minimal ? ['--ro-bind', MINIROOT, '/'] : ['--ro-bind', '/', '/'];
  const unshareRoot = minimal ? [`--root=${MINIROOT}`] : [];
  const hushEnv = { HUSH_TIMING: '1' };
  // This environment sets NODE_EXTRA_CA_CERTS, which makes every Node process parse a CA bundle
  // before V8 even starts; a clean environment shows what hush itself adds to Node's boot.
  const clean = cleanUnset.filter((k) => process.env[k] !== undefined);
  const cleanRows = clean.length
    ? [
        {
          key: 'node-clean',
          name: 'node -e 0 [clean env]',
          argv: [NODE, '-e', '0'],
          unset: clean,
          note: `without ${clean.join(', ')}`,
        },
        {
          key: 'hush-clean',
          name: 'hush run [clean env]',
          argv: [NODE, 'bin/hush', 'run', ...hushArgs, '--', TRUE],
          env: hushEnv,
          unset: clean,
          hush: true,
          note: `without ${clean.join(', ')}`,
        },
      ]
    : [];
  return [
    { key: 'true', name: '/bin/true (direct)', argv: [TRUE], note: 'no isolation: the harness floor (fork+exec+wait)' },
    { key: 'node', name: 'node -e 0', argv: [NODE, '-e', '0'], note: 'baseline: Node boot and exit' },
    {
      key: 'hush',
      name: 'hush run',
      argv: [NODE, 'bin/hush', 'run', ...hushArgs, '--', TRUE],
      env: hushEnv,
      hush: true,
      note: 'mnt+pid+uts+ipc, host net, our init as PID 1, secrets tmpfs',
    },
    {
      key: 'hush-nomasks',
      name: 'hush run --unmask (host masks)',
      argv: [NODE, 'bin/hush', 'run', ...(minimal ? [] : hostMasks.flatMap((m) => ['--unmask', m])), ...hushArgs, '--', TRUE],
      env: hushEnv,
      hush: true,
      note: "as hush run, without the host-root masks (/home, /root, /etc/shadow...; the kernel's stay): their cost",
    },
    {
      key: 'hush-noinit',
      name: 'hush run --no-init',
      argv: [NODE, 'bin/hush', 'run', '--no-init', ...hushArgs, '--', TRUE],
      env: hushEnv,
      hush: true,
      note: 'as above, the app is PID 1',
    },
    {
      key: 'crun',
      name: 'crun run',
      runtime: 'crun',
      inner: true,
      argv: (id, bundle) => ['crun', '--cgroup-manager=disabled', 'run', '--bundle', bundle, id],
      note: '--cgroup-manager=disabled; spec defaults otherwise, no netns',
    },
    {
      key: 'crun-cgroupfs',
      name: 'crun run (cgroupfs)',
      runtime: 'crun',
      inner: true,
      argv: (id, bundle) => ['crun', '--cgroup-manager=cgroupfs', 'run', '--bundle', bundle, id],
      note: 'with a cgroup v1 per container',
    },
    {
      key: 'runc',
      name: 'runc run',
      runtime: 'runc',
      inner: true,
      argv: (id, bundle) => ['runc', 'run', '--bundle', bundle, id],
      note: 'cgroupfs (v1; runc cannot disable cgroups), no netns',
    },
    {
      key: 'bwrap',
      name: 'bwrap --unshare-all',
      argv: ['bwrap', '--unshare-all', ...bwrapRoot, '--proc', '/proc', '--dev', '/dev', '--', TRUE],
      note: '--unshare-all includes a NEW NETWORK namespace (and user, cgroup)',
    },
    {
      key: 'bwrap-sharenet',
      name: 'bwrap --unshare-all --share-net',
      argv: ['bwrap', '--unshare-all', '--share-net', ...bwrapRoot, '--proc', '/proc', '--dev', '/dev', '--', TRUE],
      note: 'same, host network like hush',
    },
    {
      key: 'unshare',
      name: 'unshare -mpiu --fork',
      argv: ['unshare', '-mpiu', '--fork', ...unshareRoot, TRUE],
      note: 'namespaces only: no new root, no /proc, no /dev',
    },
    ...cleanRows,
  ];
}

module.exports = { launchers };
