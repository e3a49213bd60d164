// The PKI engine: a CA generated at start, roles that decide which names may be issued, and
// pki/issue/ROLE returning a real certificate and key.
import { generateKeyPair } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import type { Clock } from './clock';
import { durationField, unixSeconds } from './duration';
import { badRequest, notFound, unsupportedOperation, unsupportedPath } from './errors';
import type { LeaseStore } from './leases';
import { listChildren } from './kv-list';
import type { Body, Engine, EngineRequest, Reply } from './types';
import { boolField, logical, noContent, str, strList } from './types';
import { createCertificateAuthority, issueCertificate } from './x509';
import type { CertificateAuthority } from './x509';

const generate = promisify(generateKeyPair);

interface Role {
  allowedDomains: string[];
  allowSubdomains: boolean;
  allowBareDomains: boolean;
  allowAnyName: boolean;
  allowLocalhost: boolean;
  allowIpSans: boolean;
  ttl: number;
  maxTtl: number;
  keyType: 'rsa' | 'ec' | 'ed25519';
  keyBits: number;
  generateLease: boolean;
}

export interface PkiState {
  caPem(): string;
}

async function newKey(role: Role): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  if (role.keyType === 'ec') {
    const curve = role.keyBits === 384 ? 'P-384' : role.keyBits === 521 ? 'P-521' : 'P-256';
    return generate('ec', { namedCurve: curve });
  }
  if (role.keyType === 'ed25519') return generate('ed25519');
  return generate('rsa', { modulusLength: role.keyBits || 2048 });
}

function privateKeyPem(key: KeyObject, role: Role, format: string): string {
  if (format === 'pkcs8' || role.keyType === 'ed25519') return String(key.export({ type: 'pkcs8', format: 'pem' })).trim();
  if (role.keyType === 'ec') return String(key.export({ type: 'sec1', format: 'pem' })).trim();
  return String(key.export({ type: 'pkcs1', format: 'pem' })).trim();
}

function nameAllowed(role: Role, name: string): boolean {
  if (role.allowAnyName) return true;
  if (role.allowLocalhost && (name === 'localhost' || name === 'localdomain')) return true;
  return role.allowedDomains.some(
    (domain) => (role.allowBareDomains && name === domain) || (role.allowSubdomains && name.endsWith(`.${domain}`)),
  );
}

function parseRole(body: Body, previous: Role | undefined): Role {
  const keyType = (str(body, 'key_type') || previous?.keyType || 'rsa') as Role['keyType'];
  if (!['rsa', 'ec', 'ed25519'].includes(keyType)) throw badRequest(`unknown key_type ${keyType}`);
  try {
    return {
      allowedDomains: strList(body, 'allowed_domains') ?? previous?.allowedDomains ?? [],
      allowSubdomains: boolField(body, 'allow_subdomains', previous?.allowSubdomains ?? false),
      allowBareDomains: boolField(body, 'allow_bare_domains', previous?.allowBareDomains ?? false),
      allowAnyName: boolField(body, 'allow_any_name', previous?.allowAnyName ?? false),
      allowLocalhost: boolField(body, 'allow_localhost', previous?.allowLocalhost ?? true),
      allowIpSans: boolField(body, 'allow_ip_sans', previous?.allowIpSans ?? true),
      ttl: durationField(body, 'ttl', previous?.ttl ?? 0),
      maxTtl: durationField(body, 'max_ttl', previous?.maxTtl ?? 0),
      keyType,
      keyBits: Number(body['key_bits'] ?? previous?.keyBits ?? 0) || 0,
      generateLease: boolField(body, 'generate_lease', previous?.generateLease ?? false),
    };
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

function roleData(role: Role): Record<string, unknown> {
  return {
    allow_any_name: role.allowAnyName,
    allow_bare_domains: role.allowBareDomains,
    allow_ip_sans: role.allowIpSans,
    allow_localhost: role.allowLocalhost,
    allow_subdomains: role.allowSubdomains,
    allowed_domains: role.allowedDomains,
    generate_lease: role.generateLease,
    key_bits: role.keyBits || (role.keyType === 'rsa' ? 2048 : role.keyType === 'ec' ? 256 : 0),
    key_type: role.keyType,
    max_ttl: role.maxTtl,
    ttl: role.ttl,
  };
}

export function pkiEngine(
  clock: Clock,
  leases: LeaseStore,
  mountTtls: () => { defaultTtl: number; maxTtl: number },
): Engine & PkiState {
  let ca: CertificateAuthority = createCertificateAuthority('hush test root CA', clock.now(), 10 * 365 * 86400);
  const roles = new Map<string, Role>();

  async function issue(req: EngineRequest, roleName: string): Promise<Reply> {
    if (req.op !== 'update') throw unsupportedOperation();
    const role = roles.get(roleName);
    if (!role) throw badRequest(`unknown role: ${roleName}`);
    const commonName = str(req.body, 'common_name');
    if (!commonName) {
      throw badRequest(
        'the common_name field is required, or must be provided in a CSR with "use_csr_common_name" set to true, unless "require_cn" is set to false',
      );
    }
    if (!nameAllowed(role, commonName)) throw badRequest(`common name ${commonName} not allowed by this role`);
    const altNames = strList(req.body, 'alt_names') ?? [];
    for (const alt of altNames) {
      if (!nameAllowed(role, alt)) throw badRequest(`subject alternate name ${alt} not allowed by this role`);
    }
    const ipSans = strList(req.body, 'ip_sans') ?? [];
    for (const ip of ipSans) {
      if (!role.allowIpSans || isIP(ip) === 0) throw badRequest(`IP Subject Alternative Names are not allowed in this role, but was provided ${ip}`);
    }
    let ttl: number;
    try {
      ttl = durationField(req.body, 'ttl', 0);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    const mount = mountTtls();
    const maxTtl = role.maxTtl || mount.maxTtl;
    ttl = Math.min(ttl || role.ttl || mount.defaultTtl, maxTtl);
    const notAfter = req.now + ttl * 1000;
    if (notAfter > ca.notAfter) {
      throw badRequest(
        `cannot satisfy request, as TTL would result in notAfter of ${new Date(notAfter).toISOString()} that is beyond the expiration of the CA certificate at ${new Date(ca.notAfter).toISOString()}`,
      );
    }
    const keys = await newKey(role);
    const excludeCn = boolField(req.body, 'exclude_cn_from_sans', false);
    const dnsNames = [...new Set([...(excludeCn ? [] : [commonName]), ...altNames])].filter((n) => isIP(n) === 0);
    const cert = issueCertificate(ca, {
      commonName,
      dnsNames,
      ipAddresses: ipSans,
      notBefore: req.now - 30_000,
      notAfter,
      publicKey: keys.publicKey,
    });
    const data = {
      ca_chain: [ca.certificatePem],
      certificate: cert.pem,
      expiration: unixSeconds(cert.notAfter),
      issuing_ca: ca.certificatePem,
      private_key: privateKeyPem(keys.privateKey, role, str(req.body, 'private_key_format')),
      private_key_type: role.keyType,
      serial_number: cert.serialNumber,
    };
    if (!role.generateLease) return logical(data);
    const lease = leases.create({
      path: `${req.mountPath}issue/${roleName}`,
      ttl,
      maxTtl: ttl,
      renewable: false,
      owner: req.token?.id ?? null,
    });
    return logical(data, { lease: { id: lease.id, duration: ttl, renewable: false } });
  }

  function roleApi(req: EngineRequest, name: string): Reply {
    if (req.op === 'list' || name === '') return listChildren(roles.keys(), '');
    switch (req.op) {
      case 'read': {
        const role = roles.get(name);
        if (!role) throw notFound();
        return logical(roleData(role));
      }
      case 'update':
      case 'patch': {
        const role = parseRole(req.body, roles.get(name));
        roles.set(name, role);
        return logical(roleData(role));
      }
      case 'delete':
        roles.delete(name);
        return noContent();
      default:
        throw unsupportedOperation();
    }
  }

  function generateRoot(req: EngineRequest): Reply {
    if (req.op !== 'update') throw unsupportedOperation();
    const commonName = str(req.body, 'common_name');
    if (!commonName) throw badRequest('the common_name field is required');
    let ttl: number;
    try {
      ttl = durationField(req.body, 'ttl', 0) || mountTtls().maxTtl;
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    ca = createCertificateAuthority(commonName, req.now, ttl);
    return logical({
      certificate: ca.certificatePem,
      expiration: unixSeconds(ca.notAfter),
      issuing_ca: ca.certificatePem,
      serial_number: ca.serialNumber,
    });
  }

  return {
    caPem: () => ca.certificatePem,
    handle(req: EngineRequest): Reply | Promise<Reply> {
      const [section = '', ...rest] = req.subpath.split('/');
      const name = rest.join('/').replace(/\/$/, '');
      switch (section) {
        case 'issue':
          return issue(req, name);
        case 'roles':
          return roleApi(req, name);
        case 'cert':
          if (name !== 'ca' || req.op !== 'read') throw unsupportedPath();
          return logical({ certificate: ca.certificatePem, revocation_time: 0 });
        case 'ca':
          if (name !== 'pem' || req.op !== 'read') throw unsupportedPath();
          return { type: 'raw', status: 200, body: `${ca.certificatePem}\n`, headers: { 'Content-Type': 'application/pem-certificate-chain' } };
        case 'root':
          if (name !== 'generate/internal') throw unsupportedPath();
          return generateRoot(req);
        case 'config':
          if (req.op !== 'update') throw unsupportedOperation();
          return noContent();
        default:
          throw unsupportedPath();
      }
    },
  };
}
