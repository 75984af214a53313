import { X509Certificate } from 'node:crypto';
import { pemBlocks } from '../crypto/pem-text.js';
import { HpvsError } from '../errors.js';
import { statusAt } from './certificate-status.js';
import {
  highestMatching,
  normaliseVersion,
  parseVersionRange,
  printable,
} from './version-range.js';

/**
 * IBM's certificate download format (SPEC-IBM A4.2): a JSON object mapping runtime versions to
 * `{cert, status, expiry_days, expiry_date}`, written by contract-cli `download-certificate` and
 * Terraform's `hpcr_encryption_certs`. hpvs-ctl writes the same shape (with an ISO 8601
 * `expiry_date`) and reads it back, trusting only the certificate itself: status and days are
 * recomputed from it.
 */

export interface DownloadEntry {
  cert: string;
  status: 'valid' | 'expired' | 'not-yet-valid';
  expiry_days: string;
  expiry_date: string;
}

export interface DownloadedCertificate {
  version: string;
  pem: string;
  certificate: X509Certificate;
}

/** Parses one PEM certificate (exactly one block), naming where it came from when it fails. */
export function parseDownloadedCertificate(text: string, source: string): X509Certificate {
  const blocks = pemBlocks(text);
  if (blocks.length !== 1 || blocks[0]!.label !== 'CERTIFICATE') {
    throw new HpvsError(
      'CERT_INVALID',
      `${source}: not a PEM certificate (expected one "-----BEGIN CERTIFICATE-----" block, found ${blocks.length === 0 ? 'none' : `${blocks.length} PEM blocks`})`,
    );
  }
  try {
    return new X509Certificate(blocks[0]!.text);
  } catch (error) {
    throw new HpvsError('CERT_INVALID', `${source}: the certificate cannot be parsed`, {
      cause: error,
    });
  }
}

export function downloadEntry(pem: string, certificate: X509Certificate, now: Date): DownloadEntry {
  const notAfter = new Date(certificate.validTo);
  const at = statusAt({ notBefore: new Date(certificate.validFrom), notAfter }, now);
  return {
    cert: pem,
    status: at.status,
    expiry_days: String(at.daysLeft),
    expiry_date: notAfter.toISOString(),
  };
}

/** The download JSON text: version keys sorted, inner keys sorted, as IBM's tools write it. */
export function formatDownload(entries: ReadonlyMap<string, DownloadEntry>): string {
  const sorted = [...entries.keys()].sort();
  const document: Record<string, DownloadEntry> = {};
  for (const version of sorted) {
    const entry = entries.get(version)!;
    document[version] = {
      cert: entry.cert,
      expiry_date: entry.expiry_date,
      expiry_days: entry.expiry_days,
      status: entry.status,
    } as DownloadEntry;
  }
  return `${JSON.stringify(document, null, 2)}\n`;
}

export interface DownloadChoice extends DownloadedCertificate {
  /** Keys that are not versions: IBM fails on them, hpvs-ctl skips them and says so. */
  skipped: string[];
}

/**
 * Picks the highest version satisfying `rangeText` from a download JSON text, and parses its
 * certificate. Keys that are not versions are skipped, not fatal.
 */
export function chooseFromDownload(
  text: string,
  rangeText: string,
  source: string,
): DownloadChoice {
  const range = parseVersionRange(rangeText);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new HpvsError(
      'JSON_INVALID',
      `${source}: not JSON (${(error as Error).message.split('\n')[0]})`,
      { cause: error },
    );
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new HpvsError(
      'JSON_INVALID',
      `${source}: expected a JSON object of versions ({"1.0.29": {"cert": "-----BEGIN CERTIFICATE-----..."}})`,
    );
  }
  const skipped: string[] = [];
  const candidates: { version: string; key: string }[] = [];
  for (const key of Object.keys(document)) {
    const version = normaliseVersion(key);
    if (version === undefined) skipped.push(printable(key));
    else candidates.push({ version, key });
  }
  const chosen = highestMatching(candidates, range);
  if (chosen === undefined) {
    const have = candidates.map((candidate) => candidate.key).join(', ') || 'no versions';
    throw new HpvsError(
      'CERT_NOT_FOUND',
      `${source}: no version matches "${printable(rangeText)}" (it has ${printable(have, 200)})`,
    );
  }
  const entry = (document as Record<string, unknown>)[chosen.key];
  const cert = (entry as { cert?: unknown } | null)?.cert;
  const where = `${source}: version ${printable(chosen.key)}`;
  if (typeof cert !== 'string') {
    throw new HpvsError(
      'JSON_INVALID',
      `${where}: expected an object with the certificate in "cert"`,
    );
  }
  const certificate = parseDownloadedCertificate(cert, where);
  return { version: chosen.version, pem: cert, certificate, skipped };
}
