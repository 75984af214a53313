import { input, worded } from '../wording.js';
import { isIP } from 'node:net';
import { HpvsError } from '../errors.js';
import { issueCertificate } from './issue-certificate.js';
import { exportPrivateKeyPem, generateRsaKeyPair } from './rsa-key-pair.js';
import { addDays } from '../days.js';

export interface SyslogCertificateParams {
  /** DNS name of the syslog server as the instance will dial it. */
  hostname?: string | undefined;
  /** IP address of the syslog server, when the instance dials an address. */
  ip?: string | undefined;
  now: Date;
  /** Validity of the server and client certificates in days (default 365). */
  days?: number;
  /** Validity of the CA in days (default 3650); it outlives the leaves so they can be renewed. */
  caDays?: number;
  /** RSA modulus for all three keys (default 4096). */
  bits?: number;
}

/**
 * The TLS material for forwarding an instance's logs to rsyslog with mutual authentication:
 * the CA (its key too, so more clients can be issued later), the server pair for rsyslog's
 * gtls driver and the client pair that goes into `env.logging.syslog`. Keys are PKCS#8 PEM.
 */
export interface SyslogCertificates {
  caCertificatePem: string;
  caPrivateKeyPem: string;
  serverCertificatePem: string;
  serverPrivateKeyPem: string;
  clientCertificatePem: string;
  clientPrivateKeyPem: string;
}

// A DNS name per RFC 1123: labels of letters, digits and inner hyphens, 253 characters at most.
const DNS_NAME =
  /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;

// The instance's clock and the log server's rarely agree to the second; a certificate that is
// "not yet valid" for a few minutes after creation would make the first TLS handshake fail.
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** True for a DNS host name (not an IP address): what a certificate's dNSName may hold. */
export function isDnsName(name: string): boolean {
  return DNS_NAME.test(name) && isIP(name) === 0;
}

export function assertSyslogHost(params: {
  hostname?: string | undefined;
  ip?: string | undefined;
}): void {
  if (params.hostname === undefined && params.ip === undefined) {
    throw new HpvsError('ARGUMENT_INVALID', worded`${input('syslog-host')}`);
  }
  if (params.hostname !== undefined && !isDnsName(params.hostname)) {
    throw new HpvsError(
      'ARGUMENT_INVALID',
      worded`invalid ${input('syslog-hostname')} "${params.hostname}": expected a DNS name like logs.example.com (${input('syslog-ip-instead')})`,
    );
  }
  if (params.ip !== undefined && isIP(params.ip) === 0) {
    throw new HpvsError(
      'ARGUMENT_INVALID',
      worded`invalid ${input('syslog-ip')} "${params.ip}": expected an IPv4 or IPv6 address like 192.0.2.10`,
    );
  }
}

/**
 * Creates a private CA and the server and client certificates rsyslog accepts with
 * `StreamDriver.Authmode="x509/certvalid"`: the server certificate names the host in its
 * subjectAltName (so clients checking the name also succeed), the client certificate carries
 * clientAuth. Load with `await import()`: it pulls in the x509 library.
 */
export async function createSyslogCertificates(
  params: SyslogCertificateParams,
): Promise<SyslogCertificates> {
  assertSyslogHost(params);
  const days = params.days ?? 365;
  const caDays = Math.max(params.caDays ?? 3650, days);
  const bits = params.bits ?? 4096;
  const notBefore = new Date(params.now.getTime() - CLOCK_SKEW_MS);
  const leafNotAfter = addDays(params.now, days);
  const caNotAfter = addDays(params.now, caDays);
  const host = params.hostname ?? params.ip!;

  const [ca, server, client] = await Promise.all([
    generateRsaKeyPair(bits),
    generateRsaKeyPair(bits),
    generateRsaKeyPair(bits),
  ]);
  const caCertificatePem = await issueCertificate({
    subject: 'CN=hpvs-ctl syslog CA, O=hpvs-ctl',
    publicKey: ca.publicKey,
    selfSigningKey: ca.privateKey,
    role: 'root-ca',
    notBefore,
    notAfter: caNotAfter,
  });
  const issuer = { certificatePem: caCertificatePem, privateKey: ca.privateKey };
  const serverCertificatePem = await issueCertificate({
    subject: `CN=${escapeRdnValue(host)}, O=hpvs-ctl`,
    publicKey: server.publicKey,
    role: 'tls-server',
    issuer,
    notBefore,
    notAfter: leafNotAfter,
    subjectAltNames: {
      ...(params.hostname !== undefined ? { dns: [params.hostname.replace(/\.$/, '')] } : {}),
      ...(params.ip !== undefined ? { ip: [params.ip] } : {}),
    },
  });
  const clientCertificatePem = await issueCertificate({
    subject: 'CN=hpcr-instance, O=hpvs-ctl',
    publicKey: client.publicKey,
    role: 'tls-client',
    issuer,
    notBefore,
    notAfter: leafNotAfter,
  });
  return {
    caCertificatePem,
    caPrivateKeyPem: exportPrivateKeyPem(ca.privateKey),
    serverCertificatePem,
    serverPrivateKeyPem: exportPrivateKeyPem(server.privateKey),
    clientCertificatePem,
    clientPrivateKeyPem: exportPrivateKeyPem(client.privateKey),
  };
}

function escapeRdnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (char) => `\\${char}`);
}

const FILE_NAMES = {
  caCertificatePem: 'ca.crt',
  caPrivateKeyPem: 'ca-key.pem',
  serverCertificatePem: 'server.crt',
  serverPrivateKeyPem: 'server-key.pem',
  clientCertificatePem: 'client.crt',
  clientPrivateKeyPem: 'client-key.pem',
} as const satisfies Record<keyof SyslogCertificates, string>;

/** The names of the files `syslogCertificateFiles` returns. */
export const SYSLOG_CERTIFICATE_FILE_NAMES: readonly string[] = Object.values(FILE_NAMES);

/** The files `certs syslog` writes; private keys are secret (written 0600). */
export function syslogCertificateFiles(
  certificates: SyslogCertificates,
): { name: string; data: string; secret: boolean }[] {
  return (Object.keys(FILE_NAMES) as (keyof SyslogCertificates)[]).map((field) => ({
    name: FILE_NAMES[field],
    data: certificates[field],
    secret: field.endsWith('PrivateKeyPem'),
  }));
}
