// Shared by the injector tests: a real AdmissionReview (as the API server sends it for a
// Deployment's pod), the patch decoded and applied with a JSON Patch library, and the
// resulting pod checked against the Kubernetes OpenAPI schema (kubernetes-models).

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import jsonPatch from 'fast-json-patch';
import { Pod } from 'kubernetes-models/v1/Pod';
import type { AdmissionResponse } from '../../launcher/injector/admission-review';

export const agentImage = 'registry.example/hush:0.1.0';

const fixture = readFileSync(path.join(__dirname, '..', 'fixtures', 'admission-review-pod.json'), 'utf8');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A fresh copy of the fixture review, changed by `edit` (which gets the pod). */
export function review(edit: (pod: Json, review: Json) => void = () => {}): Json {
  const body = JSON.parse(fixture);
  edit(body.request.object, body);
  return body;
}

export function decodePatch(response: AdmissionResponse): jsonPatch.Operation[] {
  if (response.patchType !== 'JSONPatch' || response.patch === undefined) throw new Error('the response carries no JSON Patch');
  return JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
}

/** The pod as the API server stores it after the patch (every operation validated). */
export function patched(pod: Json, response: AdmissionResponse): Json {
  return jsonPatch.applyPatch(structuredClone(pod), decodePatch(response), true, false).newDocument;
}

/** Throws with every schema violation when the pod does not match the Kubernetes schema. */
export function validatePod(pod: Json): void {
  new Pod(pod).validate();
}
