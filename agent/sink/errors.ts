// Errors of the sink. Messages name the file (a path under the secrets directory) and the
// cause, never content. (To be merged into agent/errors.ts's registry.)

import { defineError } from '../errors';

export const sinkErrors = {
  HUSH_ERR_SINK_ROOT: defineError('HUSH_ERR_SINK_ROOT', (root: string, why: string) => `secrets directory ${root}: ${why}`),
  HUSH_ERR_SINK_PATH: defineError('HUSH_ERR_SINK_PATH', (file: string, why: string) => `refusing to write ${JSON.stringify(file)}: ${why}`),
  HUSH_ERR_SINK_SYMLINK: defineError(
    'HUSH_ERR_SINK_SYMLINK',
    (file: string, at: string) => `refusing to write ${JSON.stringify(file)}: ${JSON.stringify(at)} is a symlink or not a directory`,
  ),
  HUSH_ERR_SINK_WRITE: defineError('HUSH_ERR_SINK_WRITE', (file: string, code: string) => `cannot write ${JSON.stringify(file)}: ${code}`),
  HUSH_ERR_SINK_NOT_MEMORY: defineError(
    'HUSH_ERR_SINK_NOT_MEMORY',
    (dir: string, fsType: string) => `${dir} is on ${fsType}, not tmpfs or ramfs: secrets would reach a disk (use --allow-disk to override)`,
  ),
} as const;
