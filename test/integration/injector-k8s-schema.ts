// Kubernetes objects checked two ways: against the OpenAPI schema that kubernetes-models
// carries (types, required fields, enums), and for unknown fields, which that schema lets
// through as the API server does by default, though `kubectl apply --validate=strict` and
// the API server's strict field validation refuse them. Unknown fields are found by walking
// the object along the models' TypeScript types with the compiler's type checker.

import * as path from 'node:path';
import ts from 'typescript';
import { Model } from '@kubernetes-models/base';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';

type ModelClass = new (data: never) => Model<unknown>;

const kinds: Record<string, { model: ModelClass; module: string; type: string }> = {
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Pod': { model: Pod, module: 'kubernetes-models/v1/Pod', type: 'IPod' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'v1/ServiceAccount': { model: ServiceAccount, module: 'kubernetes-models/v1/ServiceAccount', type: 'IServiceAccount' },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/Namespace': { model: Namespace, module: 'kubernetes-models/v1/Namespace', type: 'INamespace' },
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'batch/v1/Job': { model: Job, module: 'kubernetes-models/batch/v1/Job', type: 'IJob' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, module: 'kubernetes-models/policy/v1/PodDisruptionBudget', type: 'IPodDisruptionBudget' },
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': {
    model: MutatingWebhookConfiguration,
    module: 'kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration',
    type: 'IMutatingWebhookConfiguration',
  },
  'cert-manager.io/v1/Certificate': { model: Certificate, module: '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate', type: 'ICertificate' },
  'cert-manager.io/v1/Issuer': { model: Issuer, module: '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer', type: 'IIssuer' },
};

let checked: { checker: ts.TypeChecker; types: Map<string, ts.Type> } | undefined;

/** One program over a virtual module that names every model type. */
function typeChecker(): { checker: ts.TypeChecker; types: Map<string, ts.Type> } {
  if (checked) return checked;
  const root = path.resolve(__dirname, '..', '..');
  const virtual = path.join(root, 'test', 'integration', '__k8s_types__.mts');
  const entries = Object.entries(kinds);
  const source = entries.map(([, k], i) => `import type { ${k.type} as T${i} } from '${k.module}';\nexport declare const v${i}: T${i};`).join('\n');
  const options: ts.CompilerOptions = { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true, noEmit: true };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === virtual ? source : readFile(f));
  host.fileExists = (f) => f === virtual || fileExists(f);
  host.getSourceFile = (f, v, onError, create) => (f === virtual ? ts.createSourceFile(f, source, v) : getSourceFile(f, v, onError, create));
  const program = ts.createProgram([virtual], options, host);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(virtual)!;
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(file)!);
  const types = new Map<string, ts.Type>();
  entries.forEach(([key], i) => {
    const symbol = exports.find((s) => s.name === `v${i}`)!;
    const type = checker.getTypeOfSymbol(symbol);
    if (checker.getPropertiesOfType(type).length === 0) throw new Error(`cannot resolve the type of ${key} from kubernetes-models`);
    types.set(key, type);
  });
  checked = { checker, types };
  return checked;
}

function unknownFields(value: unknown, type: ts.Type, at: string, found: string[]): void {
  if (value === null || typeof value !== 'object') return;
  const { checker } = typeChecker();
  let t = checker.getNonNullableType(type);
  if (t.isUnion()) t = t.types.find((m) => (m.flags & ts.TypeFlags.Object) !== 0) ?? t;
  if (Array.isArray(value)) {
    const element = checker.getIndexTypeOfType(t, ts.IndexKind.Number);
    if (element) value.forEach((item, i) => unknownFields(item, element, `${at}[${i}]`, found));
    return;
  }
  const index = checker.getIndexTypeOfType(t, ts.IndexKind.String);
  for (const [key, child] of Object.entries(value)) {
    const property = t.getProperty(key);
    if (property) unknownFields(child, checker.getTypeOfSymbol(property), `${at}.${key}`, found);
    else if (index) unknownFields(child, index, `${at}.${key}`, found);
    else found.push(`${at}.${key}`);
  }
}

/** Throws naming every schema violation or unknown field of a Kubernetes object. */
export function validateObject(object: Record<string, unknown>, where = 'object'): void {
  const key = `${String(object['apiVersion'])}/${String(object['kind'])}`;
  const kind = kinds[key];
  if (!kind) throw new Error(`${where}: no schema known for ${key}`);
  try {
    new kind.model(object as never).validate();
  } catch (err) {
    throw new Error(`${where} (${key}): ${(err as Error).message}`);
  }
  const found: string[] = [];
  unknownFields(object, typeChecker().types.get(key)!, '', found);
  if (found.length > 0) throw new Error(`${where} (${key}): unknown fields ${found.map((f) => f.slice(1)).join(', ')}`);
}
