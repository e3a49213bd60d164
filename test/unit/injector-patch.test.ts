import { describe, expect, it } from 'vitest';
import { reviewAdmission, type AdmissionResponse } from '../../launcher/injector/admission-review';
import { agentImage, decodePatch, patched, review, validatePod, type Json } from './injector-helpers';

function respond(body: Json): AdmissionResponse {
  const outcome = reviewAdmission(body, agentImage);
  if (outcome.kind !== 'answer') throw new Error(`malformed: ${outcome.message}`);
  expect(outcome.review.apiVersion).toBe('admission.k8s.io/v1');
  expect(outcome.review.kind).toBe('AdmissionReview');
  expect(outcome.review.response.uid).toBe(body.request.uid);
  return outcome.review.response;
}

function inject(edit?: (pod: Json) => void): { before: Json; after: Json; response: AdmissionResponse } {
  const body = review(edit);
  const response = respond(body);
  expect(response.allowed).toBe(true);
  const after = patched(body.request.object, response);
  validatePod(after);
  return { before: body.request.object, after, response };
}

const agentOf = (pod: Json) => pod.spec.initContainers[0];
const mountsOf = (container: Json) => container.volumeMounts.filter((m: Json) => m.name === 'hush-secrets');

describe('injector: sidecar mode', () => {
  it('adds a memory volume, the policy ConfigMap and a native sidecar with a startup probe, and mounts the secrets read-only', () => {
    const { after } = inject();
    expect(after.metadata.annotations['hush.dev/status']).toBe('injected');
    const volumes = Object.fromEntries(after.spec.volumes.map((v: Json) => [v.name, v]));
    expect(volumes['hush-secrets']).toEqual({ name: 'hush-secrets', emptyDir: { medium: 'Memory' } });
    expect(volumes['hush-policy'].configMap).toEqual({ name: 'webapp-policy', items: [{ key: 'policy.yaml', path: 'policy.yaml' }] });
    expect(volumes['kube-api-access-x7k2q']).toBeDefined();

    const agent = agentOf(after);
    expect(agent.name).toBe('hush-agent');
    expect(agent.image).toBe(agentImage);
    expect(agent.restartPolicy).toBe('Always');
    expect(agent.command).toEqual(['hush', 'agent', '--policy', '/etc/hush/policy/policy.yaml', '--out', '/hush/secrets']);
    expect(agent.startupProbe.exec.command).toEqual(['hush', 'status', '--ready']);
    expect(agent.resources).toEqual({ requests: { memory: '64Mi' }, limits: { memory: '128Mi' } });
    expect(agent.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const agentMounts = Object.fromEntries(agent.volumeMounts.map((m: Json) => [m.name, m]));
    expect(agentMounts['hush-secrets'].mountPath).toBe('/hush/secrets');
    expect(agentMounts['hush-secrets'].readOnly).toBeUndefined();
    expect(agentMounts['hush-policy']).toEqual({ name: 'hush-policy', mountPath: '/etc/hush/policy', readOnly: true });
    expect(agentMounts['hush-run'].mountPath).toBe('/run/hush');

    const web = after.spec.containers[0];
    expect(mountsOf(web)).toEqual([{ name: 'hush-secrets', mountPath: '/run/secrets', readOnly: true }]);
    expect(web.volumeMounts[0].name).toBe('kube-api-access-x7k2q');
  });

  it('leaves a pod without the annotation alone, and one with inject "false"', () => {
    for (const edit of [(pod: Json) => delete pod.metadata.annotations, (pod: Json) => (pod.metadata.annotations['hush.dev/inject'] = 'false')]) {
      const response = respond(review(edit));
      expect(response).toEqual({ uid: '0f6c8c1e-7b3a-4d3e-9a51-2c4f7d1e8b90', allowed: true });
    }
  });

  it('is idempotent: the injected pod, reviewed again, is allowed with no patch', () => {
    const { after } = inject();
    const again = respond(review((_pod, body) => (body.request.object = after)));
    expect(again.allowed).toBe(true);
    expect(again.patch).toBeUndefined();
    // A pod carrying a hand-written hush-agent sidecar is not injected either.
    const byHand = respond(review((pod) => (pod.spec.initContainers = [{ name: 'hush-agent', image: agentImage }])));
    expect(byHand.patch).toBeUndefined();
  });

  it('honours hush.dev/secrets-dir, a ConfigMap key, and a pod without volumes or annotations map entries of its own', () => {
    const { after } = inject((pod) => {
      pod.metadata.annotations['hush.dev/secrets-dir'] = '/etc/app/secrets';
      pod.metadata.annotations['hush.dev/policy'] = 'shared-policies/web.yaml';
      delete pod.spec.volumes;
      delete pod.spec.containers[0].volumeMounts;
    });
    expect(after.spec.volumes.map((v: Json) => v.name)).toEqual(['hush-secrets', 'hush-policy', 'hush-run']);
    expect(after.spec.volumes[1].configMap).toEqual({ name: 'shared-policies', items: [{ key: 'web.yaml', path: 'web.yaml' }] });
    expect(agentOf(after).command).toContain('/etc/hush/policy/web.yaml');
    expect(after.spec.containers[0].volumeMounts).toEqual([{ name: 'hush-secrets', mountPath: '/etc/app/secrets', readOnly: true }]);
  });

  it('gives the agent a projected service-account token for Vault when asked', () => {
    const { after } = inject((pod) => (pod.metadata.annotations['hush.dev/service-account-audience'] = 'vault'));
    const token = after.spec.volumes.find((v: Json) => v.name === 'hush-token');
    expect(token.projected.sources).toEqual([{ serviceAccountToken: { audience: 'vault', expirationSeconds: 3600, path: 'token' } }]);
    expect(agentOf(after).volumeMounts).toContainEqual({ name: 'hush-token', mountPath: '/var/run/secrets/hush.dev/serviceaccount', readOnly: true });
  });
});

describe('injector: several containers', () => {
  const threeContainers = (pod: Json) => {
    pod.spec.containers.push({ name: 'worker', image: 'registry.example/shop/worker:1' }, { name: 'metrics', image: 'registry.example/exporter:2' });
    pod.spec.initContainers = [{ name: 'migrate', image: 'registry.example/shop/migrate:1' }];
  };

  it('mounts the secrets in every app container by default, not in other init containers', () => {
    const { after } = inject(threeContainers);
    for (const c of after.spec.containers) expect(mountsOf(c)).toHaveLength(1);
    expect(after.spec.initContainers.map((c: Json) => c.name)).toEqual(['hush-agent', 'migrate']);
    expect(after.spec.initContainers[1].volumeMounts).toBeUndefined();
  });

  it('mounts them only where hush.dev/containers says, init containers included (after the agent)', () => {
    const { after } = inject((pod) => {
      threeContainers(pod);
      pod.metadata.annotations['hush.dev/containers'] = 'worker, migrate';
    });
    const mounted = (list: Json[]) => list.filter((c) => c.name !== 'hush-agent' && c.volumeMounts && mountsOf(c).length > 0).map((c) => c.name);
    expect(mounted(after.spec.containers)).toEqual(['worker']);
    expect(mounted(after.spec.initContainers)).toEqual(['migrate']);
  });

  it('denies a name that is not a container of the pod, listing those it has', () => {
    const response = respond(review((pod) => {
      threeContainers(pod);
      pod.metadata.annotations['hush.dev/containers'] = 'web,wrker';
    }));
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe('annotation hush.dev/containers: no container named "wrker" in this pod (it has web, worker, metrics, migrate)');
  });

  it('runs the agent as the selected containers\' user, and refuses two different users', () => {
    const { after } = inject((pod) => {
      threeContainers(pod);
      pod.spec.containers[1].securityContext = { runAsUser: 2000, runAsGroup: 3000 };
      pod.metadata.annotations['hush.dev/containers'] = 'worker';
    });
    expect(agentOf(after).securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 3000 });
    const response = respond(review((pod) => {
      threeContainers(pod);
      pod.spec.containers[1].securityContext = { runAsUser: 2000 };
    }));
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toMatch(/different users \(web, metrics as uid 1000; worker as uid 2000\)/);
  });

  it('warns when no container names a user, and runs the agent as the image\'s', () => {
    const { after, response } = inject((pod) => {
      delete pod.spec.securityContext;
      pod.metadata.annotations['hush.dev/secrets-dir'] = '/etc/app/secrets';
    });
    expect(agentOf(after).securityContext.runAsUser).toBe(65532);
    expect(response.warnings).toEqual([expect.stringContaining('web set no runAsUser')]);
  });

});

describe('injector: mounts inside the secrets dir', () => {
  it('warns that the service-account token below /run/secrets (via /var/run) may stop the container from starting', () => {
    const { response } = inject();
    expect(response.warnings).toEqual([
      'hush: container web mounts kube-api-access-x7k2q at /var/run/secrets/kubernetes.io/serviceaccount, inside hush.dev/secrets-dir /run/secrets where /var/run links to /run: ' +
        'the runtime cannot make its mount point in the read-only secrets volume and the container may fail to start; set hush.dev/secrets-dir elsewhere (e.g. /run/hush-secrets)',
    ]);
  });

  it('warns of a mount at the same place seen through /var/run, and says nothing when the paths are apart', () => {
    const same = inject((pod) => pod.spec.containers[0].volumeMounts.push({ name: 'kube-api-access-x7k2q', mountPath: '/var/run/secrets' }));
    expect(same.response.warnings).toContainEqual(expect.stringContaining('at /var/run/secrets, inside hush.dev/secrets-dir /run/secrets'));
    expect(inject((pod) => (pod.metadata.annotations['hush.dev/secrets-dir'] = '/run/hush-secrets')).response.warnings).toBeUndefined();
    expect(inject((pod) => delete pod.spec.containers[0].volumeMounts).response.warnings).toBeUndefined();
  });
});

describe('injector: init mode', () => {
  it('renders once in a plain init container: no restartPolicy, no probe, --once', () => {
    const { after } = inject((pod) => (pod.metadata.annotations['hush.dev/mode'] = 'init'));
    const agent = agentOf(after);
    expect(agent.restartPolicy).toBeUndefined();
    expect(agent.startupProbe).toBeUndefined();
    expect(agent.command).toEqual(['hush', 'agent', '--policy', '/etc/hush/policy/policy.yaml', '--out', '/hush/secrets', '--once']);
    expect(after.spec.volumes.map((v: Json) => v.name)).not.toContain('hush-run');
    expect(mountsOf(after.spec.containers[0])).toHaveLength(1);
  });
});

describe('injector: denials', () => {
  const denials: [string, (a: Record<string, string>) => void, string][] = [
    ['no policy', (a) => delete a['hush.dev/policy'], 'annotation hush.dev/policy: names no ConfigMap; hush.dev/inject is "true", so the agent needs a policy (CONFIGMAP or CONFIGMAP/KEY)'],
    ['an empty policy', (a) => (a['hush.dev/policy'] = ' '), 'annotation hush.dev/policy: names no ConfigMap'],
    ['a bad ConfigMap name', (a) => (a['hush.dev/policy'] = 'Web_Policy'), 'annotation hush.dev/policy: "Web_Policy" is not a ConfigMap name'],
    ['inject: yes', (a) => (a['hush.dev/inject'] = 'yes'), 'annotation hush.dev/inject: expected "true" or "false", got "yes"'],
    ['an unknown mode', (a) => (a['hush.dev/mode'] = 'daemon'), 'annotation hush.dev/mode: expected "sidecar" or "init", got "daemon"'],
    ['a relative secrets dir', (a) => (a['hush.dev/secrets-dir'] = 'secrets'), 'annotation hush.dev/secrets-dir: expected an absolute path'],
    ['a secrets dir with ..', (a) => (a['hush.dev/secrets-dir'] = '/run/../etc'), "annotation hush.dev/secrets-dir: must not contain '.' or '..'"],
    ['an empty container list', (a) => (a['hush.dev/containers'] = ' , '), 'annotation hush.dev/containers: lists no container'],
  ];
  for (const [what, edit, message] of denials) {
    it(`denies ${what}, saying why`, () => {
      const response = respond(review((pod) => edit(pod.metadata.annotations)));
      expect(response.allowed).toBe(false);
      expect(response.patch).toBeUndefined();
      expect(response.status?.code).toBe(403);
      expect(response.status?.message.startsWith(message)).toBe(true);
    });
  }

  it('denies a pod whose names clash with what hush adds', () => {
    const volume = respond(review((pod) => pod.spec.volumes.push({ name: 'hush-secrets', emptyDir: {} })));
    expect(volume.status?.message).toBe('the pod already has a volume named hush-secrets, which hush adds');
    const mount = respond(review((pod) => pod.spec.containers[0].volumeMounts.push({ name: 'kube-api-access-x7k2q', mountPath: '/run/secrets/' })));
    expect(mount.status?.message).toMatch(/^container web already mounts kube-api-access-x7k2q at \/run\/secrets/);
  });
});

describe('injector: requests', () => {
  const malformed: [string, unknown, string][] = [
    ['not an object', [1, 2], 'expected an AdmissionReview object'],
    ['admission v1beta1', review((_p, b) => (b.apiVersion = 'admission.k8s.io/v1beta1')), 'expected apiVersion admission.k8s.io/v1'],
    ['no request', review((_p, b) => delete b.request), 'request: missing'],
    ['no uid', review((_p, b) => delete b.request.uid), 'request.uid: missing'],
    ['a pod without containers', review((pod) => delete pod.spec.containers), 'request.object.spec.containers'],
    ['annotations that are not strings', review((pod) => (pod.metadata.annotations['hush.dev/inject'] = true)), 'request.object.metadata.annotations'],
  ];
  for (const [what, body, message] of malformed) {
    it(`calls ${what} malformed`, () => {
      const outcome = reviewAdmission(body, agentImage);
      expect(outcome.kind).toBe('malformed');
      if (outcome.kind === 'malformed') expect(outcome.message.startsWith(message)).toBe(true);
    });
  }

  it('allows what is not a pod without a patch', () => {
    const response = respond(review((_p, b) => (b.request.kind = { group: 'apps', version: 'v1', kind: 'Deployment' })));
    expect(response).toEqual({ uid: '0f6c8c1e-7b3a-4d3e-9a51-2c4f7d1e8b90', allowed: true });
  });

  it('names the pod for the log: namespace and name, or the generateName prefix', () => {
    const outcome = reviewAdmission(review(), agentImage);
    expect(outcome.kind === 'answer' && outcome.subject).toBe('shop/webapp-7d9f8b6c5-');
    const named = reviewAdmission(review((pod) => (pod.metadata.name = 'web-0')), agentImage);
    expect(named.kind === 'answer' && named.subject).toBe('shop/web-0');
  });

  it('sends only add operations', () => {
    const { response } = inject();
    expect(new Set(decodePatch(response).map((op) => op.op))).toEqual(new Set(['add']));
  });
});
