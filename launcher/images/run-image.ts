// `hush run --image`: the image's config applied to the run's options, as `docker run` does:
// Entrypoint + Cmd (arguments after -- replace Cmd), the image's Env before --env (the host's
// TERM and LANG in between, never its PATH; HOME from the image's passwd unless set),
// WorkingDir unless --workdir, User unless --user.

import type { RunOptions } from '../container-spec';
import { imageErrors } from './errors';
import { prepareImageRoot, type ImageRoot } from './image-root';
import { createProgress } from './progress';
import { refName, parseImageRef } from './reference';
import { volumeKinds } from '../volumes';
import type { Idmap } from '../rootless/userns-auto';

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export async function applyImage(
  options: RunOptions,
  io: { env: NodeJS.ProcessEnv; cwd: string; stderr: NodeJS.WritableStream & { isTTY?: boolean } },
  idmap?: Idmap,
): Promise<{ options: RunOptions; root: ImageRoot }> {
  const request = options.imageRun!;
  const volumes = volumeKinds(options.volumes);
  const root = await prepareImageRoot(request.ref, {
    cwd: io.cwd,
    env: io.env,
    pull: request.pull,
    insecureHosts: request.insecureHosts,
    readOnly: request.readOnly,
    hostname: options.hostname,
    hostNetwork: !options.netNone,
    mountPoints: [options.secretsDir, ...volumes.dirs],
    fileMountPoints: volumes.files,
    user: request.user,
    idmap,
    progress: createProgress(io.stderr as never, refName(parseImageRef(request.ref, io.cwd))),
  });
  try {
    const { config } = root;
    const argv = [...config.entrypoint, ...(request.args ?? config.cmd)];
    if (argv.length === 0) throw imageErrors.HUSH_ERR_IMAGE_FORMAT(request.ref, 'the image has no Entrypoint or Cmd: give the command after --');
    const env = new Map<string, string>();
    for (const item of config.env) {
      const eq = item.indexOf('=');
      if (eq > 0) env.set(item.slice(0, eq), item.slice(eq + 1));
    }
    for (const name of ['TERM', 'LANG']) if (io.env[name] !== undefined) env.set(name, io.env[name]!);
    for (const [name, value] of request.envFlags) env.set(name, value);
    if (!env.has('PATH')) env.set('PATH', defaultPath);
    if (!env.has('HOME')) env.set('HOME', config.home || '/');
    const workdir = request.workdirGiven ? options.workdir : (config.workingDir ?? '/').replace(/^(?!\/)/, '/');
    return {
      options: { ...options, argv, env, workdir, uid: config.uid, gid: config.gid, rootfs: '/', hostRoot: false },
      root,
    };
  } catch (err) {
    root.close();
    throw err;
  }
}
