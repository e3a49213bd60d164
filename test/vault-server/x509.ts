// X.509 v3 certificates built with our DER encoder and signed by an ECDSA P-256 CA through
// node:crypto (which can verify certificates but not create them).
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import * as der from './asn1';

const OID = {
  commonName: '2.5.4.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

export interface CertificateAuthority {
  certificatePem: string;
  commonName: string;
  privateKey: KeyObject;
  keyId: Buffer;
  notAfter: number;
  serialNumber: string;
}

export interface IssuedCertificate {
  pem: string;
  serialNumber: string;
  notAfter: number;
}

const name = (cn: string): Buffer => der.sequence(der.set(der.sequence(der.objectId(OID.commonName), der.utf8String(cn))));

const extension = (oid: string, critical: boolean, value: Buffer): Buffer =>
  der.sequence(der.objectId(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));

const keyId = (spki: Buffer): Buffer => createHash('sha1').update(spki).digest();

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.from(groups.map((g) => g.padStart(4, '0')).join(''), 'hex');
}

/** 20 random bytes, positive, printed as Vault does: "39:dd:2e:...". */
function newSerial(): { bytes: Buffer; text: string } {
  const bytes = randomBytes(20);
  bytes[0] = ((bytes[0] ?? 1) & 0x7f) | 0x01;
  return { bytes, text: [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':') };
}

function toPem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
}

interface TbsInput {
  serial: Buffer;
  issuer: string;
  subject: string;
  notBefore: number;
  notAfter: number;
  spki: Buffer;
  extensions: Buffer[];
}

function signCertificate(input: TbsInput, caKey: KeyObject): string {
  const algorithm = der.sequence(der.objectId(OID.ecdsaWithSha256));
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(input.serial),
    algorithm,
    name(input.issuer),
    der.sequence(der.time(input.notBefore), der.time(input.notAfter)),
    name(input.subject),
    input.spki,
    der.explicit(3, der.sequence(...input.extensions)),
  );
  const signature = sign('sha256', tbs, caKey);
  return toPem('CERTIFICATE', der.sequence(tbs, algorithm, der.bitString(signature)));
}

export function createCertificateAuthority(commonName: string, nowMs: number, ttlSeconds: number): CertificateAuthority {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const ski = keyId(spki);
  const serial = newSerial();
  const notAfter = nowMs + ttlSeconds * 1000;
  const pem = signCertificate(
    {
      serial: serial.bytes,
      issuer: commonName,
      subject: commonName,
      notBefore: nowMs - 30_000,
      notAfter,
      spki,
      extensions: [
        extension(OID.basicConstraints, true, der.sequence(der.boolean(true))),
        // keyCertSign (bit 5) and cRLSign (bit 6): 0b00000110, one unused bit.
        extension(OID.keyUsage, true, der.bitString(Buffer.from([0x06]), 1)),
        extension(OID.subjectKeyId, false, der.octetString(ski)),
      ],
    },
    privateKey,
  );
  return { certificatePem: pem, commonName, privateKey, keyId: ski, notAfter, serialNumber: serial.text };
}

export interface LeafRequest {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: number;
  notAfter: number;
  publicKey: KeyObject;
}

export function issueCertificate(ca: CertificateAuthority, leaf: LeafRequest): IssuedCertificate {
  const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
  const serial = newSerial();
  const altNames = [
    ...leaf.dnsNames.map((dns) => der.implicitPrimitive(2, Buffer.from(dns, 'ascii'))),
    ...leaf.ipAddresses.map((ip) => der.implicitPrimitive(7, ipBytes(ip))),
  ];
  const extensions = [
    extension(OID.basicConstraints, true, der.sequence()),
    // digitalSignature (bit 0) and keyEncipherment (bit 2): 0b10100000, five unused bits.
    extension(OID.keyUsage, true, der.bitString(Buffer.from([0xa0]), 5)),
    extension(OID.extKeyUsage, false, der.sequence(der.objectId(OID.serverAuth), der.objectId(OID.clientAuth))),
    extension(OID.subjectKeyId, false, der.octetString(keyId(spki))),
    extension(OID.authorityKeyId, false, der.sequence(der.implicitPrimitive(0, ca.keyId))),
  ];
  if (altNames.length > 0) extensions.push(extension(OID.subjectAltName, false, der.sequence(...altNames)));
  const pem = signCertificate(
    {
      serial: serial.bytes,
      issuer: ca.commonName,
      subject: leaf.commonName,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      spki,
      extensions,
    },
    ca.privateKey,
  );
  return { pem, serialNumber: serial.text, notAfter: leaf.notAfter };
}
