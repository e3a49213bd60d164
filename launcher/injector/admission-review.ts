// Pure: an admission.k8s.io/v1 AdmissionReview in, the AdmissionReview to answer with out.
// A request that is not one is `malformed` (the server answers 400); a pod is allowed
// untouched, allowed with a base64 JSON Patch, or denied with the reason.

import { readAnnotations } from './annotations';
import { alreadyInjected, injectionPatch } from './pod-patch';
import type { Pod } from './pod-types';

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch. */
  patch?: string;
  status?: { code: number; message: string };
  warnings?: string[];
}

export interface AdmissionReviewReply {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

export type ReviewOutcome =
  | { kind: 'malformed'; message: string }
  | {
      kind: 'answer';
      review: AdmissionReviewReply;
      summary: 'skipped' | 'already injected' | 'injected' | 'denied' | 'not a pod';
      /** NAMESPACE/NAME (or the generateName prefix) of the object, for the log. */
      subject: string;
    };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const malformed = (message: string): ReviewOutcome => ({ kind: 'malformed', message });

type Answer = Extract<ReviewOutcome, { kind: 'answer' }>;

function answer(response: AdmissionResponse, summary: Answer['summary'], subject: string): ReviewOutcome {
  return { kind: 'answer', summary, subject, review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response } };
}

function subjectOf(request: Record<string, unknown>): string {
  const object = isObject(request['object']) ? request['object'] : {};
  const metadata = isObject(object['metadata']) ? object['metadata'] : {};
  const namespace = metadata['namespace'] ?? request['namespace'] ?? '';
  const name = metadata['name'] || metadata['generateName'] || request['name'] || '';
  return `${String(namespace)}/${String(name)}`;
}

function readPod(object: unknown): Pod | string {
  if (!isObject(object)) return 'request.object: expected a Pod object';
  const spec = object['spec'];
  if (!isObject(spec)) return 'request.object.spec: expected an object';
  if (!Array.isArray(spec['containers']) || !spec['containers'].every((c) => isObject(c) && typeof c['name'] === 'string'))
    return 'request.object.spec.containers: expected a list of containers with names';
  for (const list of ['initContainers', 'volumes'] as const) {
    const value = spec[list];
    if (value !== undefined && !(Array.isArray(value) && value.every((v) => isObject(v) && typeof v['name'] === 'string')))
      return `request.object.spec.${list}: expected a list of named objects`;
  }
  const metadata = object['metadata'];
  if (metadata !== undefined && !isObject(metadata)) return 'request.object.metadata: expected an object';
  const notes = metadata?.['annotations'];
  if (notes !== undefined && !(isObject(notes) && Object.values(notes).every((v) => typeof v === 'string')))
    return 'request.object.metadata.annotations: expected a map of strings';
  return object as unknown as Pod;
}

export function reviewAdmission(body: unknown, agentImage: string): ReviewOutcome {
  if (!isObject(body)) return malformed('expected an AdmissionReview object');
  if (body['apiVersion'] !== 'admission.k8s.io/v1' || body['kind'] !== 'AdmissionReview')
    return malformed(`expected apiVersion admission.k8s.io/v1, kind AdmissionReview; got ${String(body['apiVersion'])}, ${String(body['kind'])}`);
  const request = body['request'];
  if (!isObject(request)) return malformed('request: missing');
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '') return malformed('request.uid: missing');
  const subject = subjectOf(request);
  const kind = request['kind'];
  if (!isObject(kind) || kind['group'] !== '' || kind['version'] !== 'v1' || kind['kind'] !== 'Pod') return answer({ uid, allowed: true }, 'not a pod', subject);

  const pod = readPod(request['object']);
  if (typeof pod === 'string') return malformed(pod);
  const reading = readAnnotations(pod.metadata?.annotations);
  if (reading.kind === 'skip') return answer({ uid, allowed: true }, 'skipped', subject);
  if (alreadyInjected(pod)) return answer({ uid, allowed: true }, 'already injected', subject);
  if (reading.kind === 'deny') return answer({ uid, allowed: false, status: { code: 403, message: reading.message } }, 'denied', subject);

  const result = injectionPatch(pod, reading.request, agentImage);
  if (!result.ok) return answer({ uid, allowed: false, status: { code: 403, message: result.message } }, 'denied', subject);
  const response: AdmissionResponse = {
    uid,
    allowed: true,
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify(result.patch)).toString('base64'),
  };
  if (result.warnings.length > 0) response.warnings = result.warnings;
  return answer(response, 'injected', subject);
}
