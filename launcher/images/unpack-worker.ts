// Started by hush-userns (native/src/userns-exec-main.c) as root of a rootless store's user
// namespace: unpacks one layer with its owners kept, so the kernel shifts them by the maps
// (launcher/rootless/layer-owners.ts). No device nodes (the namespace may not make them), and
// the opaque xattr is user.overlay.opaque (the run's overlay mounts with userxattr).
//   node unpack-worker.js BLOB TARGET LABEL UNDER OWNERS_JSON   → one JSON line on stdout

import { storedOwner, type LayerOwners } from '../rootless/layer-owners';
import { unpackBlob } from './unpack-blob';

const [blob, target, label, under, ownersJson] = process.argv.slice(2);
const owners = JSON.parse(ownersJson) as LayerOwners;
const checkOwner = (uid: number, gid: number) => {
  const stored = storedOwner(owners, uid, gid);
  return 'refused' in stored ? stored.refused : undefined;
};
unpackBlob(blob, target, { asRoot: true, inUserns: true, checkOwner, layer: label, under: under || undefined }).then(
  (diffId) => process.stdout.write(`${JSON.stringify({ diffId })}\n`),
  (err: Error) => {
    process.stdout.write(`${JSON.stringify({ error: err.message })}\n`);
    process.exitCode = 1;
  },
);
