import { input, sayWording, worded, type InputPhrase, type Wording } from '../wording.js';
import { buildPath, describeCertificate, sameName, type BuiltPath } from './build-path.js';
import { formatSerial, serialOf, type SourcedCertificate, type SourcedCrl } from './parse-pki.js';
import { checkDetail, combineStatus, type VerificationCheck } from './verification-check.js';
import { x509, x509Crypto } from './x509.js';
import { wholeDaysBetween } from '../days.js';

/**
 * Chain and CRL validation over @peculiar/x509, built so that the traps measured in other
 * libraries cannot happen: the path is built from the leaf by issuer name AND a verified
 * signature (never by name alone, `buildPath`), it must end at a self-signed certificate the
 * caller gave as a trust anchor (any given root only with `partialChain`), every certificate
 * below the anchor needs a CRL whose issuer name matches, whose signature verifies with the
 * issuer's key and which is current, and serials are compared as integers. The result says why,
 * never just true or false.
 */

export { describeCertificate };

export interface VerifyChainParams {
  leaf: SourcedCertificate;
  /** How messages call the leaf: "attestation certificate", "encryption certificate". */
  leafRole?: string;
  intermediates: readonly SourcedCertificate[];
  roots: readonly SourcedCertificate[];
  crls: readonly SourcedCrl[];
  at: Date;
  /** A certificate without any CRL from its issuer is a visible skip instead of a failure. */
  allowMissingCrl?: boolean;
  /** A root that is not self-signed is a trust anchor too (openssl's `-partial_chain`). */
  partialChain?: boolean;
  /** Without any root, chain and CRL are SKIP (nothing to check against) instead of FAIL. */
  skipChainWithoutRoots?: boolean;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serial: bigint;
  /** Uppercase hex, as openssl prints it. */
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  source: string;
}

export interface ChainVerification {
  ok: boolean;
  /** The path from the leaf up to the trust anchor (as far as it could be built). */
  path: CertificateSummary[];
  /** True when the path ends at one of the given roots. */
  anchored: boolean;
  /** The anchor is not self-signed: trusted by `partialChain`, its own revocation unchecked. */
  partialAnchor: boolean;
  /** The `chain`, `validity` and `crl` checks, in that order. */
  checks: [VerificationCheck, VerificationCheck, VerificationCheck];
}

const DELTA_CRL_INDICATOR = '2.5.29.27';

export async function verifyChain(params: VerifyChainParams): Promise<ChainVerification> {
  const role = params.leafRole ?? 'certificate';
  const built = await buildPath({
    leaf: params.leaf,
    candidates: [...params.intermediates, ...params.roots],
    roots: params.roots,
    partialChain: params.partialChain ?? false,
  });
  const path = built.path;
  const unchecked = params.roots.length === 0 && params.skipChainWithoutRoots === true;
  const chain: VerificationCheck = unchecked
    ? {
        id: 'chain',
        status: 'skip',
        ...checkDetail(worded`not checked: ${input('no-root-given-chain')}`),
      }
    : chainCheck(built, role, params.roots.length > 0);
  const validity = validityCheck(path, params.at, role);
  const crl = unchecked
    ? {
        id: 'crl',
        status: 'skip' as const,
        detail: 'not checked: no chain to check revocation along',
      }
    : built.anchored
      ? await crlCheck(built, params.crls, params.at, role, params.allowMissingCrl ?? false)
      : {
          id: 'crl',
          status: 'skip' as const,
          detail: 'not checked: there is no chain to a trust anchor to check revocation along',
        };
  const checks: ChainVerification['checks'] = [chain, validity, crl];
  return {
    ok: checks.every((check) => check.status !== 'fail'),
    path: path.map(summarize),
    anchored: built.anchored,
    partialAnchor: built.anchored && built.partialAnchor,
    checks,
  };
}

export function summarize(entry: SourcedCertificate): CertificateSummary {
  const { certificate } = entry;
  const serial = serialOf(certificate);
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    serial,
    serialHex: formatSerial(serial),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    source: entry.source,
  };
}

function chainCheck(built: BuiltPath, role: string, haveRoots: boolean): VerificationCheck {
  if (!built.anchored) {
    const reason = haveRoots ? joinWordings(built.problems) : [input('no-root-given')];
    return {
      id: 'chain',
      status: 'fail',
      ...checkDetail([`${role} does not chain to a trust anchor: `, ...reason]),
    };
  }
  const names = built.path.map((entry) => entry.certificate.subject);
  const partial: Wording = built.partialAnchor
    ? worded` (not self-signed: ${input('partial-chain-anchor')})`
    : [];
  if (built.path.length === 1) {
    return {
      id: 'chain',
      status: 'pass',
      ...checkDetail([
        `${role} ${describeCertificate(built.path[0]!.certificate)} is itself a given trust anchor`,
        ...partial,
      ]),
    };
  }
  return {
    id: 'chain',
    status: 'pass',
    ...checkDetail([
      `${names.join(' -> ')} (trust anchor`,
      ...partial,
      '); every signature verifies and every issuer is a CA',
    ]),
  };
}

function validityCheck(
  path: readonly SourcedCertificate[],
  at: Date,
  role: string,
): VerificationCheck {
  const problems: string[] = [];
  for (const [index, { certificate }] of path.entries()) {
    const who = `${index === 0 ? role : 'CA certificate'} ${describeCertificate(certificate)}`;
    const window = `valid ${iso(certificate.notBefore)} to ${iso(certificate.notAfter)}`;
    if (at < certificate.notBefore) {
      problems.push(`${who} is not valid until ${iso(certificate.notBefore)} (${window})`);
    } else if (at > certificate.notAfter) {
      problems.push(`${who} expired on ${iso(certificate.notAfter)} (${window})`);
    }
  }
  if (problems.length > 0) {
    return { id: 'validity', status: 'fail', detail: `at ${iso(at)}: ${problems.join('; ')}` };
  }
  const leaf = path[0]!.certificate;
  const days = wholeDaysBetween(at, leaf.notAfter);
  const scope = path.length === 1 ? 'the certificate is' : `all ${path.length} certificates are`;
  return {
    id: 'validity',
    status: 'pass',
    detail: `${scope} valid at ${iso(at)}; the ${role} expires on ${iso(leaf.notAfter)} (${days} days left)`,
  };
}

async function crlCheck(
  built: BuiltPath,
  crls: readonly SourcedCrl[],
  at: Date,
  role: string,
  allowMissing: boolean,
): Promise<VerificationCheck> {
  const { path } = built;
  const anchor = path.at(-1)!.certificate;
  // a self-signed root has no issuer to revoke it; a partial anchor has one that was not given
  const anchorNote = built.partialAnchor
    ? worded`the trust anchor ${describeCertificate(anchor)} itself was not checked for revocation (${input('partial-chain-trusted')} without its issuer)`
    : undefined;
  if (path.length === 1) {
    return {
      id: 'crl',
      status: 'skip',
      ...checkDetail(anchorNote ?? [`no CRL applies: the ${role} is itself the trust anchor`]),
    };
  }
  const results: Revocation[] = [];
  for (let index = 0; index < path.length - 1; index++) {
    const subject = path[index]!.certificate;
    const issuer = path[index + 1]!.certificate;
    const who = `${index === 0 ? role : 'CA certificate'} ${describeCertificate(subject)}`;
    results.push(await revocationOf(subject, who, issuer, crls, at, allowMissing));
  }
  const status = combineStatus(results.map((result) => result.status));
  const shown = status === 'pass' ? results : results.filter((result) => result.status !== 'pass');
  const details = shown.map((result) => result.detail);
  if (anchorNote !== undefined) details.push(anchorNote);
  return { id: 'crl', status, ...checkDetail(joinWordings(details)) };
}

async function revocationOf(
  subject: x509.X509Certificate,
  who: string,
  issuer: x509.X509Certificate,
  crls: readonly SourcedCrl[],
  at: Date,
  allowMissing: boolean,
): Promise<Revocation> {
  const issuerName = issuer.subject;
  // a delta CRL lists only the changes since a base CRL, so it cannot show "not revoked"
  const named = crls.filter(
    (entry) =>
      sameName(entry.crl.issuerName, issuer.subjectName) &&
      entry.crl.getExtension(DELTA_CRL_INDICATOR) === null,
  );
  if (named.length === 0) {
    const where = crlUrls(subject);
    const hint = where.length > 0 ? ` (published at ${where.join(', ')})` : '';
    return allowMissing
      ? {
          status: 'skip',
          detail: worded`${who} not checked for revocation (${input('missing-crl-allowed')}): no CRL of ${issuerName} given`,
        }
      : {
          status: 'fail',
          detail: worded`no CRL issued by ${issuerName} was given for ${who}${hint}; ${input('give-crl')}`,
        };
  }
  const signed: SourcedCrl[] = [];
  for (const entry of named) {
    if (await crlSignedBy(entry.crl, issuer)) signed.push(entry);
  }
  if (signed.length === 0) {
    return {
      status: 'fail',
      detail: [
        `the CRL ${named.map((entry) => entry.source).join(', ')} names ${issuerName} as issuer but its signature does not verify with that CA's key (forged, or from another CA with the same name)`,
      ],
    };
  }
  const usage = issuer.getExtension(x509.KeyUsagesExtension);
  if (usage !== null && (usage.usages & x509.KeyUsageFlags.cRLSign) === 0) {
    return {
      status: 'fail',
      detail: [`${describeCertificate(issuer)} may not sign CRLs (keyUsage lacks cRLSign)`],
    };
  }
  const current = signed.filter(
    ({ crl }) => crl.thisUpdate <= at && (crl.nextUpdate === undefined || at <= crl.nextUpdate),
  );
  if (current.length === 0) {
    const stale = signed.map(({ crl, source }) =>
      crl.thisUpdate > at
        ? `${source} is not valid until ${iso(crl.thisUpdate)}`
        : `${source} expired on ${iso(crl.nextUpdate!)}`,
    );
    return {
      status: 'fail',
      detail: [
        `the CRL of ${issuerName} is not current at ${iso(at)}: ${stale.join(', ')}; get a fresh one`,
      ],
    };
  }
  const serial = serialOf(subject);
  for (const { crl } of current) {
    const entry = crl.entries.find((candidate) => serialOf(candidate) === serial);
    if (entry) {
      return {
        status: 'fail',
        detail: [`${who} was revoked on ${iso(entry.revocationDate)} by the CRL of ${issuerName}`],
      };
    }
  }
  const newest = current.reduce((a, b) => (a.crl.thisUpdate >= b.crl.thisUpdate ? a : b));
  return {
    status: 'pass',
    detail: [
      `${who} is not revoked (CRL of ${issuerName} from ${newest.source}, ${iso(newest.crl.thisUpdate)} to ${newest.crl.nextUpdate ? iso(newest.crl.nextUpdate) : 'no nextUpdate'})`,
    ],
  };
}

async function crlSignedBy(crl: x509.X509Crl, issuer: x509.X509Certificate): Promise<boolean> {
  try {
    // X509Crl.verify does not hand its crypto on when it imports a PublicKey (@peculiar/x509
    // 2.2.0: it would use the global provider), so the key is imported here with ours
    const publicKey = await issuer.publicKey.export(
      { ...issuer.publicKey.algorithm, ...crl.signatureAlgorithm },
      ['verify'],
      x509Crypto,
    );
    return await crl.verify({ publicKey }, x509Crypto);
  } catch {
    return false;
  }
}

function crlUrls(certificate: x509.X509Certificate): string[] {
  const extension = certificate.getExtension(x509.CRLDistributionPointsExtension);
  if (extension === null) return [];
  return extension.distributionPoints.flatMap((point) =>
    (point.distributionPoint?.fullName ?? []).flatMap((name) =>
      name.uniformResourceIdentifier ? [name.uniformResourceIdentifier] : [],
    ),
  );
}

function iso(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** Each wording once (by what it says), joined by `; `. */
function joinWordings(wordings: readonly Wording[]): Wording {
  const seen = new Set<string>();
  const joined: (string | InputPhrase)[] = [];
  for (const wording of wordings) {
    const said = sayWording(wording);
    if (seen.has(said)) continue;
    if (seen.size > 0) joined.push('; ');
    seen.add(said);
    joined.push(...wording);
  }
  return joined;
}

/** A revocation verdict for one certificate of the path. */
interface Revocation {
  status: VerificationCheck['status'];
  detail: Wording;
}
