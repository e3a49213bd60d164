// deploy/kubernetes/: every manifest against the Kubernetes schemas (unknown fields refused),
// the policies in its ConfigMaps through hush's own loader, the self-signed CA script for
// real, and the example app through the injector.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadPolicies } from '../../agent/config/load';
import { createLogger } from '../../agent/log';
import { reviewAdmission } from '../../launcher/injector/admission-review';
import { buildInjectorApp } from '../../launcher/injector/server';
import { agentImage, patched, review, type Json } from '../unit/injector-helpers';
import { validateObject } from './injector-k8s-schema';

const manifests = path.resolve(__dirname, '..', '..', 'deploy', 'kubernetes');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'hush-manifests-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function documents(file: string): Json[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    return doc.toJS();
  });
}

const yamlFiles = readdirSync(manifests).filter((f) => f.endsWith('.yaml'));
const find = (file: string, kind: string, name?: string) =>
  documents(path.join(manifests, file)).find((d) => d.kind === kind && (name === undefined || d.metadata.name === name));

/** The AdmissionReview the API server sends for a pod of this template. */
function reviewOfTemplate(workload: Json): Json {
  return review((_pod, body) => {
    body.request.namespace = workload.metadata.namespace;
    body.request.object = { apiVersion: 'v1', kind: 'Pod', metadata: { ...workload.spec.template.metadata, generateName: `${workload.metadata.name}-`, namespace: workload.metadata.namespace }, spec: workload.spec.template.spec };
  });
}

function inject(body: Json): Json {
  const outcome = reviewAdmission(body, agentImage);
  if (outcome.kind !== 'answer' || !outcome.review.response.allowed) throw new Error(`not injected: ${JSON.stringify(outcome)}`);
  return patched(body.request.object, outcome.review.response);
}

describe('deploy/kubernetes manifests', () => {
  it('holds the injector, its webhook, cert-manager TLS and both examples', () => {
    expect(yamlFiles.sort()).toEqual(['cert-manager.yaml', 'example-app.yaml', 'injector.yaml', 'native-sidecar.yaml', 'webhook.yaml']);
  });

  for (const file of yamlFiles) {
    it(`${file}: every object matches the Kubernetes schema, with no unknown field`, () => {
      const docs = documents(path.join(manifests, file));
      expect(docs.length).toBeGreaterThan(0);
      docs.forEach((doc, i) => validateObject(doc, `${file}[${i}]`));
    });
  }

  it('the schema check refuses a misspelt field and a wrong type', () => {
    const job = find('native-sidecar.yaml', 'Job');
    job.spec.template.spec.initContainers[0].restartPolcy = 'Always';
    expect(() => validateObject(job)).toThrow(/unknown fields spec\.template\.spec\.initContainers\[0\]\.restartPolcy/);
    const webhook = find('webhook.yaml', 'MutatingWebhookConfiguration');
    webhook.webhooks[0].timeoutSeconds = '10';
    expect(() => validateObject(webhook)).toThrow(/timeoutSeconds must be integer/);
  });

  it('configures the webhook as the issue asks', () => {
    const [hook] = find('webhook.yaml', 'MutatingWebhookConfiguration').webhooks;
    expect(hook).toMatchObject({ failurePolicy: 'Fail', sideEffects: 'None', timeoutSeconds: 10, admissionReviewVersions: ['v1'] });
    expect(hook.clientConfig.service).toEqual({ name: 'hush-injector', namespace: 'hush-system', path: '/mutate', port: 443 });
    expect(hook.namespaceSelector.matchExpressions[0].values).toContain('hush-system');
    const service = find('injector.yaml', 'Service');
    const certificate = find('cert-manager.yaml', 'Certificate');
    expect(certificate.spec.dnsNames).toContain(`${service.metadata.name}.${service.metadata.namespace}.svc`);
    const deployment = find('injector.yaml', 'Deployment');
    expect(deployment.spec.template.spec.volumes[0].secret.secretName).toBe(certificate.spec.secretName);
  });

  for (const [file, name] of [['example-app.yaml', 'webapp-policy'], ['native-sidecar.yaml', 'nightly-report-policy']]) {
    it(`${file}: the policy in ConfigMap ${name} loads with hush's own loader`, async () => {
      const policyFile = path.join(scratch, `${name}.yaml`);
      writeFileSync(policyFile, find(file!, 'ConfigMap', name).data['policy.yaml']);
      const loaded = await loadPolicies([policyFile], scratch);
      expect(loaded.ok ? [] : loaded.errors).toEqual([]);
    });
  }
});

describe('the example app through the injector', () => {
  const deployment = find('example-app.yaml', 'Deployment');

  it('is routed to the webhook by its labels, and injected into a valid pod', () => {
    const [hook] = find('webhook.yaml', 'MutatingWebhookConfiguration').webhooks;
    for (const [k, v] of Object.entries(hook.objectSelector.matchLabels)) expect(deployment.spec.template.metadata.labels[k]).toBe(v);
    const body = reviewOfTemplate(deployment);
    const outcome = reviewAdmission(body, agentImage);
    expect(outcome.kind === 'answer' && outcome.review.response.warnings).toBeUndefined();
    const pod = inject(body);
    validateObject(pod, 'injected webapp pod');
    const agent = pod.spec.initContainers[0];
    expect(agent.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000 });
    // The policy's jwt_file lies in the projected token the agent gets, with audience vault.
    const policy = find('example-app.yaml', 'ConfigMap', 'webapp-policy').data['policy.yaml'];
    const tokenMount = agent.volumeMounts.find((m: Json) => m.name === 'hush-token');
    expect(policy).toContain(`jwt_file: ${tokenMount.mountPath}/token`);
    expect(pod.spec.volumes.find((v: Json) => v.name === 'hush-token').projected.sources[0].serviceAccountToken.audience).toBe('vault');
  });

  it('agrees with the hand-written native sidecar of native-sidecar.yaml', () => {
    const job = find('native-sidecar.yaml', 'Job');
    const handWritten = job.spec.template.spec;
    const bare = structuredClone(job);
    bare.spec.template.metadata = { annotations: { 'hush.dev/inject': 'true', 'hush.dev/policy': 'nightly-report-policy', 'hush.dev/service-account-audience': 'vault' } };
    bare.spec.template.spec.initContainers = [];
    bare.spec.template.spec.volumes = [];
    bare.spec.template.spec.containers[0].volumeMounts = [];
    const injected = inject(reviewOfTemplate(bare)).spec;
    const { runAsUser, runAsGroup, ...agentContext } = injected.initContainers[0].securityContext;
    expect([runAsUser, runAsGroup]).toEqual([1000, 1000]);
    const { image: _image, ...injectedAgent } = { ...injected.initContainers[0], securityContext: agentContext };
    const { image: _image2, ...writtenAgent } = handWritten.initContainers[0];
    expect(writtenAgent).toEqual(injectedAgent);
    // Same volumes, except that the hand-written policy volume projects every key.
    const volumes = (spec: Json) => spec.volumes.map((v: Json) => (v.configMap ? { ...v, configMap: { name: v.configMap.name } } : v));
    expect(volumes(handWritten)).toEqual(volumes(injected));
    expect(handWritten.containers[0].volumeMounts).toEqual(injected.containers[0].volumeMounts);
  });
});

describe('self-signed-ca.sh', () => {
  it('makes a CA and a serving certificate the injector serves and a client verifies, and a webhook with caBundle', async () => {
    const out = path.join(scratch, 'tls');
    execFileSync('bash', [path.join(manifests, 'self-signed-ca.sh'), out], { stdio: ['ignore', 'pipe', 'pipe'] });
    const [secret] = documents(path.join(out, 'tls-secret.yaml'));
    const [webhook] = documents(path.join(out, 'webhook.yaml'));
    validateObject(secret, 'tls-secret.yaml');
    validateObject(webhook, 'generated webhook.yaml');
    expect(webhook.metadata.annotations).toBeUndefined();
    const caBundle = Buffer.from(webhook.webhooks[0].clientConfig.caBundle, 'base64').toString('utf8');
    expect(caBundle).toBe(readFileSync(path.join(out, 'ca.crt'), 'utf8'));
    expect(secret.metadata).toEqual({ name: 'hush-injector-tls', namespace: 'hush-system' });

    const tls = { cert: Buffer.from(secret.data['tls.crt'], 'base64').toString(), key: Buffer.from(secret.data['tls.key'], 'base64').toString() };
    const app = buildInjectorApp({ agentImage, tls, logger: createLogger({ write: () => {} }) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (app.server.address() as import('node:net').AddressInfo).port;
      const get = (servername: string) =>
        new Promise<number>((resolve, reject) => {
          https.get({ host: '127.0.0.1', port, path: '/healthz', ca: caBundle, servername, agent: false }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }).on('error', reject);
        });
      expect(await get('hush-injector.hush-system.svc')).toBe(200);
      await expect(get('other.hush-system.svc')).rejects.toThrow(/altnames/);
    } finally {
      await app.close();
    }
  });
});

describe('injected pods, strictly', () => {
  const cases: [string, (pod: Json) => void][] = [
    ['sidecar', () => {}],
    ['init mode', (pod) => (pod.metadata.annotations['hush.dev/mode'] = 'init')],
    ['several containers, some selected', (pod) => {
      pod.spec.containers.push({ name: 'worker', image: 'w:1' });
      pod.spec.initContainers = [{ name: 'migrate', image: 'm:1' }];
      pod.metadata.annotations['hush.dev/containers'] = 'worker,migrate';
    }],
    ['a Vault token for the agent', (pod) => (pod.metadata.annotations['hush.dev/service-account-audience'] = 'vault')],
  ];
  for (const [what, edit] of cases) {
    it(`${what}: the pod has no unknown field and matches the schema`, () => {
      validateObject(inject(review(edit)), what);
    });
  }
});
