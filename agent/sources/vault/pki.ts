// PKI certificates: POST pki/issue/ROLE with the key's parameters (common_name, ttl,
// alt_names, ip_sans...). The value holds certificate, private_key, issuing_ca and ca_chain
// (PEM, joined by newlines) plus serial_number and expiration; it expires at the certificate's
// notAfter, and the lease book re-issues it at about two thirds of its life.

import type { Api } from './api';
import type { Issued } from './leases';

export async function issueCertificate(api: Api, path: string, params: Record<string, string>, signal?: AbortSignal): Promise<Issued> {
  const reply = await api({ method: 'POST', path, body: params, ...(signal ? { signal } : {}) });
  const data = (reply.body?.['data'] ?? {}) as Record<string, unknown>;
  const chain = Array.isArray(data['ca_chain']) ? (data['ca_chain'] as unknown[]).map(String).join('\n') : String(data['ca_chain'] ?? data['issuing_ca'] ?? '');
  const expiration = Number(data['expiration'] ?? 0);
  const value: Record<string, unknown> = {
    certificate: String(data['certificate'] ?? ''),
    private_key: String(data['private_key'] ?? ''),
    issuing_ca: String(data['issuing_ca'] ?? ''),
    ca_chain: chain,
    serial_number: String(data['serial_number'] ?? ''),
    expiration,
  };
  if (data['private_key_type'] !== undefined) value['private_key_type'] = String(data['private_key_type']);
  const leaseId = String(reply.body?.['lease_id'] ?? '');
  return {
    data: value,
    leaseId,
    renewable: false,
    durationS: Number(reply.body?.['lease_duration'] ?? 0),
    ...(expiration > 0 ? { expiresAt: expiration * 1000 } : {}),
    version: String(data['serial_number'] ?? '').slice(-11),
  };
}
