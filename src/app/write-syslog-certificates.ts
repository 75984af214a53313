import {
  createSyslogCertificates,
  SYSLOG_CERTIFICATE_FILE_NAMES,
  syslogCertificateFiles,
} from '../core/pki/syslog-certificates.js';
import { refuseExisting, writeFileSet } from '../node/write-file-set.js';

export interface SyslogCertificatesRequest {
  /** The syslog server's DNS name and/or IP address (its subjectAltName). */
  hostname?: string | undefined;
  ip?: string | undefined;
  outDir: string;
  /** Validity of the server and client certificates. */
  days: number;
  bits: number;
  /** Replace files that already exist. */
  force: boolean;
  now: Date;
}

export interface WrittenSyslogFile {
  path: string;
  data: string;
  /** A private key: written 0600, and its digest is never shown. */
  secret: boolean;
}

/**
 * A private CA with rsyslog server and client certificates for TLS log forwarding, written into
 * `outDir` all or none; returns each file written, in order.
 */
export async function writeSyslogCertificates(
  request: SyslogCertificatesRequest,
): Promise<WrittenSyslogFile[]> {
  // refused before the slow key generation, so a forgotten --force fails at once
  if (!request.force) await refuseExisting(request.outDir, SYSLOG_CERTIFICATE_FILE_NAMES);
  const certificates = await createSyslogCertificates({
    hostname: request.hostname,
    ip: request.ip,
    now: request.now,
    days: request.days,
    bits: request.bits,
  });
  const files = syslogCertificateFiles(certificates);
  const paths = await writeFileSet(request.outDir, files, { force: request.force });
  return files.map((file, index) => ({
    path: paths[index]!,
    data: file.data,
    secret: file.secret,
  }));
}
