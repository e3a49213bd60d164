// What a pod asks for, read from its hush.dev/* annotations. Pure: no pod spec is looked at
// here, only the annotations, and every refusal says which annotation and why.

export const annotations = {
  inject: 'hush.dev/inject',
  policy: 'hush.dev/policy',
  secretsDir: 'hush.dev/secrets-dir',
  containers: 'hush.dev/containers',
  mode: 'hush.dev/mode',
  tokenAudience: 'hush.dev/service-account-audience',
  /** Set by the injector on the pods it changed, so that a second pass leaves them alone. */
  status: 'hush.dev/status',
} as const;

const defaultPolicyKey = 'policy.yaml';

export interface InjectionRequest {
  configMap: string;
  /** The ConfigMap key holding the policy YAML. */
  policyKey: string;
  secretsDir: string;
  /** Container names to mount the secrets in; undefined means every app container. */
  containers: string[] | undefined;
  mode: 'sidecar' | 'init';
  /** Audience of a projected service-account token to give the agent (Vault kubernetes auth). */
  tokenAudience: string | undefined;
}

export type AnnotationReading =
  | { kind: 'skip' }
  | { kind: 'deny'; message: string }
  | { kind: 'inject'; request: InjectionRequest };

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const configMapKey = /^[-._a-zA-Z0-9]+$/;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const deny = (name: string, why: string): AnnotationReading => ({ kind: 'deny', message: `annotation ${name}: ${why}` });

export function readAnnotations(values: Readonly<Record<string, string>> | undefined): AnnotationReading {
  const get = (name: string) => values?.[name];
  const inject = get(annotations.inject);
  if (inject === undefined || inject === 'false') return { kind: 'skip' };
  if (inject !== 'true') return deny(annotations.inject, `expected "true" or "false", got ${JSON.stringify(inject)}`);

  const policy = get(annotations.policy)?.trim() ?? '';
  if (policy === '') return deny(annotations.policy, `names no ConfigMap; ${annotations.inject} is "true", so the agent needs a policy (CONFIGMAP or CONFIGMAP/KEY)`);
  const slash = policy.indexOf('/');
  const configMap = slash === -1 ? policy : policy.slice(0, slash);
  const policyKey = slash === -1 ? defaultPolicyKey : policy.slice(slash + 1);
  if (configMap.length > 253 || !dnsSubdomain.test(configMap)) return deny(annotations.policy, `${JSON.stringify(configMap)} is not a ConfigMap name (lower-case DNS subdomain)`);
  if (policyKey.length > 253 || !configMapKey.test(policyKey)) return deny(annotations.policy, `${JSON.stringify(policyKey)} is not a ConfigMap key (letters, digits, '-', '_', '.')`);

  const secretsDir = get(annotations.secretsDir) ?? '/run/secrets';
  const dirProblem = badMountPath(secretsDir);
  if (dirProblem) return deny(annotations.secretsDir, dirProblem);

  const mode = get(annotations.mode) ?? 'sidecar';
  if (mode !== 'sidecar' && mode !== 'init') return deny(annotations.mode, `expected "sidecar" or "init", got ${JSON.stringify(mode)}`);

  let containers: string[] | undefined;
  const listed = get(annotations.containers);
  if (listed !== undefined) {
    containers = listed.split(',').map((name) => name.trim()).filter((name) => name !== '');
    if (containers.length === 0) return deny(annotations.containers, 'lists no container (give names separated by commas, or drop the annotation for all)');
    const bad = containers.find((name) => !dnsLabel.test(name));
    if (bad !== undefined) return deny(annotations.containers, `${JSON.stringify(bad)} is not a container name`);
  }

  const tokenAudience = get(annotations.tokenAudience)?.trim();
  if (tokenAudience === '') return deny(annotations.tokenAudience, 'is empty (give the audience the token is for, e.g. vault)');

  return { kind: 'inject', request: { configMap, policyKey, secretsDir, containers, mode, tokenAudience } };
}

function badMountPath(dir: string): string | undefined {
  if (!dir.startsWith('/')) return `expected an absolute path, got ${JSON.stringify(dir)}`;
  if (dir === '/') return 'cannot be /';
  if (dir.includes(':')) return `must not contain ':', got ${JSON.stringify(dir)}`;
  if (dir.split('/').some((part) => part === '..' || part === '.')) return `must not contain '.' or '..', got ${JSON.stringify(dir)}`;
  return undefined;
}
