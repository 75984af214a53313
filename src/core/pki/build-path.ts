import { input, worded, type Wording } from '../wording.js';
import { formatSerial, serialOf, type SourcedCertificate } from './parse-pki.js';
import { x509, x509Crypto } from './x509.js';

/**
 * Certification path building from a leaf up to a trust anchor: by issuer name AND a verified
 * signature (never by name alone), with every issuer allowed to issue. The search is bounded
 * (hostile input exists: nine CA certificates sharing one name and key make a naive
 * depth-first search try every permutation): each certificate is expanded at most once per
 * depth, each signature is checked at most once, and past `PATH_SEARCH_LIMITS` the search stops
 * with "too many candidate issuers".
 */

export const PATH_SEARCH_LIMITS: Readonly<PathSearchLimits> = {
  /** Certificates in a path, leaf and anchor included. */
  maxLength: 8,
  /** Same-named issuers of one certificate: renewals and cross-signs give two or three. */
  maxCandidateIssuers: 8,
  /** Signature checks in one search; a real chain needs a handful. */
  maxSignatureChecks: 256,
};

export interface PathSearchLimits {
  maxLength: number;
  maxCandidateIssuers: number;
  maxSignatureChecks: number;
}

export interface BuildPathParams {
  leaf: SourcedCertificate;
  /** Intermediates and roots, in the order given; duplicates are ignored. */
  candidates: readonly SourcedCertificate[];
  roots: readonly SourcedCertificate[];
  /**
   * Trust a root that is not self-signed as an anchor (openssl's `-partial_chain`). Without it
   * such a root is only a candidate issuer, whose own issuer must then be found.
   */
  partialChain: boolean;
  /** Tighter limits (tests); `PATH_SEARCH_LIMITS` by default. */
  limits?: Partial<PathSearchLimits>;
}

export interface BuiltPath {
  path: SourcedCertificate[];
  anchored: boolean;
  /** Why no anchored path exists, most specific first. */
  problems: Wording[];
  /** True when the search stopped at a limit (the problems say which). */
  limited: boolean;
  /** The path's anchor is not self-signed (trusted by `partialChain`). */
  partialAnchor: boolean;
}

/** `CN=leaf (serial 1001)`: how a certificate is named in every message. */
export function describeCertificate(certificate: x509.X509Certificate): string {
  return `${certificate.subject || '(empty subject)'} (serial ${formatSerial(serialOf(certificate))})`;
}

/** RFC 5280 name matching, as a key: the same text ignoring case and spacing. */
function nameKey(name: x509.Name): string {
  return name.toString().toLowerCase().replace(/\s+/g, ' ');
}

export function sameName(a: x509.Name, b: x509.Name): boolean {
  return nameKey(a) === nameKey(b);
}

const derKeys = new WeakMap<x509.X509Certificate, string>();
function derKey(certificate: x509.X509Certificate): string {
  let key = derKeys.get(certificate);
  if (key === undefined) {
    key = Buffer.from(certificate.rawData).toString('base64');
    derKeys.set(certificate, key);
  }
  return key;
}

class SearchLimitReached extends Error {}

export async function buildPath(params: BuildPathParams): Promise<BuiltPath> {
  const limits = { ...PATH_SEARCH_LIMITS, ...params.limits };
  const verdicts = new Map<string, boolean>();
  let signatureChecks = 0;
  const signedBy = async (
    certificate: x509.X509Certificate,
    issuer: x509.X509Certificate,
  ): Promise<boolean> => {
    const key = `${derKey(certificate)}|${derKey(issuer)}`;
    const known = verdicts.get(key);
    if (known !== undefined) return known;
    if (++signatureChecks > limits.maxSignatureChecks) {
      throw new SearchLimitReached(
        `too many candidate issuers: the path search stopped after ${limits.maxSignatureChecks} signature checks`,
      );
    }
    let valid: boolean;
    try {
      valid = await certificate.verify(
        { publicKey: issuer.publicKey, signatureOnly: true },
        x509Crypto,
      );
    } catch {
      valid = false;
    }
    verdicts.set(key, valid);
    return valid;
  };
  const selfSigned = async (certificate: x509.X509Certificate) =>
    nameKey(certificate.subjectName) === nameKey(certificate.issuerName) &&
    (await signedBy(certificate, certificate));

  const problems: Wording[] = [];
  let longest: SourcedCertificate[] = [params.leaf];
  let partialAnchor = false;
  try {
    const anchors = new Set<string>();
    const notAnchors: x509.X509Certificate[] = [];
    for (const { certificate } of params.roots) {
      if (params.partialChain || (await selfSigned(certificate))) anchors.add(derKey(certificate));
      else notAnchors.push(certificate);
    }
    const bySubject = new Map<string, SourcedCertificate[]>();
    const seen = new Set<string>();
    for (const candidate of params.candidates) {
      const der = derKey(candidate.certificate);
      if (seen.has(der)) continue;
      seen.add(der);
      const key = nameKey(candidate.certificate.subjectName);
      bySubject.set(key, [...(bySubject.get(key) ?? []), candidate]);
    }
    // a certificate that led nowhere from one depth leads nowhere again from the same depth
    const deadEnds = new Set<string>();

    const extend = async (
      path: SourcedCertificate[],
    ): Promise<SourcedCertificate[] | undefined> => {
      const current = path.at(-1)!.certificate;
      if (anchors.has(derKey(current))) return path;
      if (path.length > longest.length) longest = path;
      if (path.length >= limits.maxLength) {
        problems.push([`the path is longer than ${limits.maxLength} certificates`]);
        return undefined;
      }
      const named = (bySubject.get(nameKey(current.issuerName)) ?? []).filter(
        (candidate) =>
          !path.some((entry) => derKey(entry.certificate) === derKey(candidate.certificate)),
      );
      if (named.length > limits.maxCandidateIssuers) {
        throw new SearchLimitReached(
          `too many candidate issuers: ${named.length} certificates named ${current.issuer} could have issued ${describeCertificate(current)} (at most ${limits.maxCandidateIssuers} are tried)`,
        );
      }
      if (named.length === 0) {
        problems.push(
          (await selfSigned(current))
            ? worded`${describeCertificate(current)} is self-signed but not one of ${input('root-anchors')}`
            : worded`no certificate for the issuer of ${describeCertificate(current)} (${current.issuer}) among ${input('chain-and-root-certificates')}`,
        );
        return undefined;
      }
      for (const candidate of named) {
        const deadEnd = `${derKey(candidate.certificate)}@${path.length}`;
        if (deadEnds.has(deadEnd)) continue;
        if (!(await signedBy(current, candidate.certificate))) {
          problems.push([
            `the signature of ${describeCertificate(current)} does not verify with the key of ${describeCertificate(candidate.certificate)} from ${candidate.source}: a different CA with the same name (wrong intermediate?)`,
          ]);
          continue;
        }
        const isAnchor = anchors.has(derKey(candidate.certificate));
        const refusal = issuerRefusal(candidate.certificate, path.length - 1, isAnchor);
        if (refusal !== undefined) {
          problems.push([refusal]);
          continue;
        }
        const found = await extend([...path, candidate]);
        if (found) return found;
        deadEnds.add(deadEnd);
      }
      return undefined;
    };

    const anchoredPath = await extend([params.leaf]);
    if (anchoredPath) {
      const anchor = anchoredPath.at(-1)!.certificate;
      partialAnchor = !(await selfSigned(anchor));
      return { path: anchoredPath, anchored: true, problems: [], limited: false, partialAnchor };
    }
    for (const root of notAnchors) {
      problems.push(
        worded`${describeCertificate(root)} was ${input('given-as-root')} but is not self-signed, so it is not a trust anchor by itself (${input('trust-partial-chain')})`,
      );
    }
  } catch (error) {
    if (!(error instanceof SearchLimitReached)) throw error;
    return {
      path: longest,
      anchored: false,
      problems: [[error.message]],
      limited: true,
      partialAnchor,
    };
  }
  return { path: longest, anchored: false, problems, limited: false, partialAnchor };
}

/**
 * Why a certificate may not issue the one below it: not a CA (basicConstraints), no
 * keyCertSign in keyUsage, or a pathLenConstraint exceeded by `intermediatesBelow`. A trust
 * anchor without any extension (an X.509 v1 root) is trusted by configuration.
 */
function issuerRefusal(
  issuer: x509.X509Certificate,
  intermediatesBelow: number,
  isAnchor: boolean,
): string | undefined {
  const constraints = issuer.getExtension(x509.BasicConstraintsExtension);
  if (constraints === null) {
    if (isAnchor && issuer.extensions.length === 0) return undefined;
    return `${describeCertificate(issuer)} is not a CA (no basicConstraints) but issued a certificate in the path`;
  }
  if (!constraints.ca) {
    return `${describeCertificate(issuer)} is not a CA (basicConstraints CA:FALSE) but issued a certificate in the path`;
  }
  const usage = issuer.getExtension(x509.KeyUsagesExtension);
  if (usage !== null && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    return `${describeCertificate(issuer)} may not sign certificates (keyUsage lacks keyCertSign)`;
  }
  if (constraints.pathLength !== undefined && intermediatesBelow > constraints.pathLength) {
    return `${describeCertificate(issuer)} allows ${constraints.pathLength} intermediate CA(s) below it (pathLenConstraint), the path has ${intermediatesBelow}`;
  }
  return undefined;
}
