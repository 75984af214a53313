import { sha256Hex } from '../core/crypto/result-digests.js';

/** An encryption certificate is about 2.5 KiB; anything near this is not one. */
const MAX_CERTIFICATE_BYTES = 64 * 1024;

export interface DownloadCertificatesRequest {
  /** HPVS runtime versions; repeated ones are fetched once. */
  versions: readonly string[];
  /** Where the certificates are published (an https URL as the WHATWG parser prints it). */
  baseUrl: string;
  /** CA certificates (PEM text) to trust for that server besides the system's. */
  extraCa?: readonly string[] | undefined;
  timeoutMs: number;
  now: Date;
}

export interface DownloadedCertificates {
  /** IBM's download JSON (version -> cert, status, expiry_days, expiry_date). */
  document: string;
  /** One line per version: its serial, status and end of validity. */
  summaries: string[];
  /** What was fetched, per version, in order. */
  certificates: DownloadedCertificate[];
}

export interface DownloadedCertificate {
  version: string;
  url: string;
  serial: string;
  status: string;
  expiryDate: string;
  /** SHA-256 of the certificate as served (hex). */
  sha256: string;
}

/**
 * Fetches HPVS-for-VPC encryption certificates over HTTPS and parses each, before anything is
 * returned: every version is checked before the first request, so a typo costs no download.
 */
export async function downloadHpvsCertificates(
  request: DownloadCertificatesRequest,
): Promise<DownloadedCertificates> {
  const { hpvsCertificateUrl } = await import('../core/catalogue/hpvs-certificate-url.js');
  const versions = [...new Set(request.versions)];
  const urls = versions.map((version) => hpvsCertificateUrl(version, request.baseUrl));
  const extraCa = [...(request.extraCa ?? [])];
  const [{ httpsGet }, { downloadEntry, formatDownload, parseDownloadedCertificate }] =
    await Promise.all([
      import('../node/https-get.js'),
      import('../core/catalogue/certificate-download.js'),
    ]);
  const entries = new Map<string, ReturnType<typeof downloadEntry>>();
  const summaries: string[] = [];
  const certificates: DownloadedCertificate[] = [];
  for (const [index, version] of versions.entries()) {
    const url = urls[index]!;
    const body = await httpsGet(url, {
      extraCa,
      timeoutMs: request.timeoutMs,
      maxBytes: MAX_CERTIFICATE_BYTES,
    });
    const pem = body.toString('utf8');
    const certificate = parseDownloadedCertificate(pem, url);
    const entry = downloadEntry(pem, certificate, request.now);
    summaries.push(
      `${version}: serial ${certificate.serialNumber}, ${entry.status}, valid until ${entry.expiry_date}`,
    );
    entries.set(version, entry);
    certificates.push({
      version,
      url,
      serial: certificate.serialNumber,
      status: entry.status,
      expiryDate: entry.expiry_date,
      sha256: sha256Hex(body),
    });
  }
  return { document: formatDownload(entries), summaries, certificates };
}
