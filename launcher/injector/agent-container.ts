// The hush-agent container and the volumes it brings, as the injector adds them to a pod.
// Sidecar mode: a native sidecar (an init container with restartPolicy Always, Kubernetes
// >= 1.28) whose startup probe passes once the first render is done, so the app containers
// start only with their secrets in place. Init mode: a plain init container rendering once.

import type { InjectionRequest } from './annotations';
import type { Container, Volume, VolumeMount } from './pod-types';

export const agentContainerName = 'hush-agent';

export const volumeNames = {
  secrets: 'hush-secrets',
  policy: 'hush-policy',
  run: 'hush-run',
  token: 'hush-token',
} as const;

/** Where things are inside the agent's container. */
export const agentPaths = {
  secrets: '/hush/secrets',
  policyDir: '/etc/hush/policy',
  /** The agent's API socket lives here, where `hush status --ready` looks by default. */
  run: '/run/hush',
  tokenDir: '/var/run/secrets/hush.dev/serviceaccount',
} as const;

/** The user the hush image runs as when the pod names none. */
export const defaultAgentUser = 65532;

export interface AgentIdentity {
  uid: number;
  gid: number;
}

const tokenLifetimeSeconds = 3600;

export function agentVolumes(request: InjectionRequest): Volume[] {
  const volumes: Volume[] = [
    { name: volumeNames.secrets, emptyDir: { medium: 'Memory' } },
    { name: volumeNames.policy, configMap: { name: request.configMap, items: [{ key: request.policyKey, path: request.policyKey }] } },
  ];
  if (request.mode === 'sidecar') volumes.push({ name: volumeNames.run, emptyDir: { medium: 'Memory' } });
  if (request.tokenAudience !== undefined) {
    volumes.push({
      name: volumeNames.token,
      projected: { sources: [{ serviceAccountToken: { audience: request.tokenAudience, expirationSeconds: tokenLifetimeSeconds, path: 'token' } }] },
    });
  }
  return volumes;
}

export function agentContainer(request: InjectionRequest, image: string, identity: AgentIdentity): Container {
  const command = ['hush', 'agent', '--policy', `${agentPaths.policyDir}/${request.policyKey}`, '--out', agentPaths.secrets];
  const volumeMounts: VolumeMount[] = [
    { name: volumeNames.secrets, mountPath: agentPaths.secrets },
    { name: volumeNames.policy, mountPath: agentPaths.policyDir, readOnly: true },
  ];
  if (request.mode === 'sidecar') volumeMounts.push({ name: volumeNames.run, mountPath: agentPaths.run });
  if (request.tokenAudience !== undefined) volumeMounts.push({ name: volumeNames.token, mountPath: agentPaths.tokenDir, readOnly: true });

  const container: Container = {
    name: agentContainerName,
    image,
    command: request.mode === 'init' ? [...command, '--once'] : command,
    volumeMounts,
    resources: { requests: { memory: '64Mi' }, limits: { memory: '128Mi' } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: identity.uid,
      runAsGroup: identity.gid,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
  if (request.mode === 'sidecar') {
    container.restartPolicy = 'Always';
    container.startupProbe = {
      exec: { command: ['hush', 'status', '--ready'] },
      periodSeconds: 2,
      timeoutSeconds: 5,
      failureThreshold: 150,
    };
  }
  return container;
}
