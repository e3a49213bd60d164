// Pure: a pod and what its annotations ask for → the JSON Patch that injects hush, or the
// reason it cannot. The patch only adds: annotations, volumes, the agent first among the
// init containers (so that other init containers may read secrets too), and a read-only
// mount of the secrets volume in every selected container.

import { annotations, type InjectionRequest } from './annotations';
import { agentContainer, agentContainerName, agentVolumes, defaultAgentUser, volumeNames, type AgentIdentity } from './agent-container';
import type { Container, PatchOperation, Pod } from './pod-types';

export type PatchResult =
  | { ok: true; patch: PatchOperation[]; warnings: string[] }
  | { ok: false; message: string };

/** JSON Pointer escaping of one path segment (RFC 6901). */
const pointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** True when hush is already in the pod (a second webhook pass, or a hand-written sidecar). */
export function alreadyInjected(pod: Pod): boolean {
  if (pod.metadata?.annotations?.[annotations.status] === 'injected') return true;
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].some((c) => c.name === agentContainerName);
}

interface Selected {
  container: Container;
  /** JSON Pointer of the container, e.g. /spec/containers/1. */
  at: string;
}

function selectContainers(pod: Pod, names: string[] | undefined): Selected[] | string {
  const app = pod.spec.containers.map((container, i) => ({ container, at: `/spec/containers/${i}` }));
  const init = (pod.spec.initContainers ?? []).map((container, i) => ({ container, at: `/spec/initContainers/${i}` }));
  if (names === undefined) return app;
  const all = [...app, ...init];
  const selected: Selected[] = [];
  for (const name of new Set(names)) {
    const found = all.find((s) => s.container.name === name);
    if (!found) return `annotation ${annotations.containers}: no container named ${JSON.stringify(name)} in this pod (it has ${all.map((s) => s.container.name).join(', ')})`;
    selected.push(found);
  }
  return selected;
}

/**
 * The agent runs as the user of the containers it serves, so that the files it renders (0400
 * by default, owned by the agent) are theirs. A root app reads them anyway; containers of two
 * different users cannot both own them, which is refused.
 */
function agentIdentity(pod: Pod, selected: Selected[], warnings: string[]): AgentIdentity | string {
  const podContext = pod.spec.securityContext ?? {};
  const users = new Map<number, { gid: number; names: string[] }>();
  const unknown: string[] = [];
  for (const { container } of selected) {
    const uid = container.securityContext?.runAsUser ?? podContext.runAsUser;
    if (uid === undefined) {
      unknown.push(container.name);
      continue;
    }
    if (uid === 0) continue;
    const gid = container.securityContext?.runAsGroup ?? podContext.runAsGroup ?? uid;
    const entry = users.get(uid) ?? { gid, names: [] };
    entry.names.push(container.name);
    users.set(uid, entry);
  }
  if (users.size > 1) {
    const list = [...users].map(([uid, { names }]) => `${names.join(', ')} as uid ${uid}`).join('; ');
    return `the selected containers run as different users (${list}); the secret files can belong to one: choose with ${annotations.containers}`;
  }
  const [only] = users;
  if (only) return { uid: only[0], gid: only[1].gid };
  if (unknown.length > 0) {
    warnings.push(
      `hush: ${unknown.join(', ')} set no runAsUser; hush-agent runs as uid ${defaultAgentUser} and its files (mode 0400) are readable only by that uid or root: set runAsUser on the pod`,
    );
  }
  return { uid: defaultAgentUser, gid: defaultAgentUser };
}

/** /var/run is a link to /run in most images: compare paths as the container will see them. */
const asSeen = (p: string) => p.replace(/\/+$/, '').replace(/^\/var\/run(?=\/|$)/, '/run');

/**
 * A mount below the secrets dir (the service-account token at /var/run/secrets/kubernetes.io/
 * serviceaccount under the default /run/secrets) needs a mount point inside the read-only
 * secrets volume, which the runtime cannot create there; one at the same place as seen
 * through /var/run shadows it. Whether that happens depends on the image's /var/run, so these
 * are warnings, not denials.
 */
function nestedMountWarnings(selected: Selected[], secretsDir: string): string[] {
  const dir = asSeen(secretsDir);
  return selected.flatMap(({ container }) =>
    (container.volumeMounts ?? [])
      .filter((m) => asSeen(m.mountPath).startsWith(dir + '/') || (asSeen(m.mountPath) === dir && m.mountPath !== secretsDir))
      .map(
        (m) =>
          `hush: container ${container.name} mounts ${m.name} at ${m.mountPath}, inside ${annotations.secretsDir} ${secretsDir} where /var/run links to /run: ` +
          `the runtime cannot make its mount point in the read-only secrets volume and the container may fail to start; set ${annotations.secretsDir} elsewhere (e.g. /run/hush-secrets)`,
      ),
  );
}

export function injectionPatch(pod: Pod, request: InjectionRequest, image: string): PatchResult {
  const selected = selectContainers(pod, request.containers);
  if (typeof selected === 'string') return { ok: false, message: selected };

  const volumes = agentVolumes(request);
  const taken = new Set((pod.spec.volumes ?? []).map((v) => v.name));
  const clash = volumes.find((v) => taken.has(v.name));
  if (clash) return { ok: false, message: `the pod already has a volume named ${clash.name}, which hush adds` };
  for (const { container } of selected) {
    const busy = (container.volumeMounts ?? []).find((m) => m.mountPath.replace(/\/+$/, '') === request.secretsDir.replace(/\/+$/, ''));
    if (busy) return { ok: false, message: `container ${container.name} already mounts ${busy.name} at ${request.secretsDir} (set ${annotations.secretsDir} to another path)` };
  }

  const warnings = nestedMountWarnings(selected, request.secretsDir);
  const identity = agentIdentity(pod, selected, warnings);
  if (typeof identity === 'string') return { ok: false, message: identity };

  const patch: PatchOperation[] = [];
  const add = (path: string, value: unknown) => patch.push({ op: 'add', path, value });
  if (pod.metadata?.annotations) add(`/metadata/annotations/${pointer(annotations.status)}`, 'injected');
  else add('/metadata/annotations', { [annotations.status]: 'injected' });

  if (pod.spec.volumes) for (const volume of volumes) add('/spec/volumes/-', volume);
  else add('/spec/volumes', volumes);

  const agent = agentContainer(request, image, identity);
  if (pod.spec.initContainers) add('/spec/initContainers/0', agent);
  else add('/spec/initContainers', [agent]);

  // The agent now sits at /spec/initContainers/0: the pointers of the others move by one.
  const mount = { name: volumeNames.secrets, mountPath: request.secretsDir, readOnly: true };
  for (const { container, at } of selected) {
    const shifted = at.replace(/^\/spec\/initContainers\/(\d+)$/, (_, i: string) => `/spec/initContainers/${Number(i) + 1}`);
    if (container.volumeMounts) add(`${shifted}/volumeMounts/-`, mount);
    else add(`${shifted}/volumeMounts`, [mount]);
  }
  return { ok: true, patch, warnings };
}
