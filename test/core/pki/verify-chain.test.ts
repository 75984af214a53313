import type { KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { cliCheck } from '../../../src/cli/commands/input-phrases.js';
import { HpvsError } from '../../../src/core/errors.js';
import { issueCertificate } from '../../../src/core/pki/issue-certificate.js';
import { generateRsaKeyPair } from '../../../src/core/pki/rsa-key-pair.js';
import {
  formatSerial,
  parseCertificates,
  parseCrls,
  serialOf,
} from '../../../src/core/pki/parse-pki.js';
import { buildPath } from '../../../src/core/pki/build-path.js';
import { verifyChain, type VerifyChainParams } from '../../../src/core/pki/verify-chain.js';
import { x509 } from '../../../src/core/pki/x509.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import {
  generateSameNameCas,
  generateTestPki,
  SERIALS,
  TEST_PKI_AT,
  writeTestPki,
  type TestPki,
  type TestPkiFiles,
} from '../../helpers/test-pki.js';
import { hasTool, runTool } from '../../helpers/tools.js';

let pki: TestPki;
let files: TestPkiFiles;
const tempDir = useTempDir();

beforeAll(async () => {
  pki = await generateTestPki();
  files = writeTestPki(pki, join(tempDir(), 'pki'));
});

type PemName = keyof TestPki['pem'];

const cert = (name: PemName) => parseCertificates(Buffer.from(pki.pem[name]), `${name}.pem`)[0]!;
const crl = (name: PemName) => parseCrls(Buffer.from(pki.pem[name]), `${name}.pem`)[0]!;

interface Case {
  leaf: PemName;
  chain?: PemName[];
  roots?: PemName[];
  crls?: PemName[];
  allowMissingCrl?: boolean;
  at?: Date;
}

function params(c: Case): VerifyChainParams {
  return {
    leaf: cert(c.leaf),
    leafRole: 'attestation certificate',
    intermediates: (c.chain ?? ['intermediate']).map(cert),
    roots: (c.roots ?? ['root']).map(cert),
    crls: (c.crls ?? ['rootCrl', 'intermediateCrl']).map(crl),
    at: c.at ?? TEST_PKI_AT,
    allowMissingCrl: c.allowMissingCrl ?? false,
  };
}

async function statuses(c: Case) {
  const result = await verifyChain(params(c));
  return {
    ok: result.ok,
    chain: result.checks[0].status,
    validity: result.checks[1].status,
    crl: result.checks[2].status,
    detail: result.checks.map((check) => `${check.id}: ${check.detail}`).join('\n'),
    // as the CLI says it: the inputs named by its flags
    cliDetail: result.checks.map((check) => `${check.id}: ${cliCheck(check).detail}`).join('\n'),
  };
}

describe('verifyChain on the generated test PKI', () => {
  it('passes a valid leaf with both CRLs and names the path', async () => {
    const result = await verifyChain(params({ leaf: 'attestation' }));
    expect(result.ok).toBe(true);
    expect(result.anchored).toBe(true);
    expect(result.checks.map((check) => check.status)).toEqual(['pass', 'pass', 'pass']);
    expect(result.path.map((entry) => entry.serialHex)).toEqual(['1001', '0100', '01']);
    expect(result.checks[1].detail).toContain('265 days left');
  });

  it('compares serials as integers: a CRL entry 011001 does not revoke serial 1001', async () => {
    const revoked = parseCrls(Buffer.from(pki.pem.intermediateCrl), 'crl')[0]!.crl.entries.map(
      (entry) => formatSerial(serialOf(entry)),
    );
    expect(revoked).toEqual(['1003', '011001']);
    expect((await statuses({ leaf: 'attestation' })).crl).toBe('pass');
  });

  it.each<[string, Case, 'chain' | 'validity' | 'crl', RegExp]>([
    [
      'a revoked leaf',
      { leaf: 'revoked' },
      'crl',
      /\(serial 1003\) was revoked on 2026-05-01T00:00:00Z by the CRL of CN=hpvs-ctl Test Intermediate CA/,
    ],
    ['an expired leaf', { leaf: 'expired' }, 'validity', /expired on 2026-01-01/],
    ['a not-yet-valid leaf', { leaf: 'notYetValid' }, 'validity', /not valid until 2026-09-03/],
    [
      'an expired CRL',
      { leaf: 'attestation', crls: ['rootCrl', 'expiredIntermediateCrl'] },
      'crl',
      /not current .* expired on 2026-05-01/,
    ],
    [
      'a forged CRL',
      { leaf: 'revoked', crls: ['rootCrl', 'forgedIntermediateCrl'] },
      'crl',
      /signature does not verify with that CA's key/,
    ],
    [
      'a missing CRL',
      { leaf: 'attestation', crls: ['rootCrl'] },
      'crl',
      /no CRL issued by CN=hpvs-ctl Test Intermediate CA.*crl\.example\.test/,
    ],
    [
      'a wrong intermediate (same name, other key)',
      { leaf: 'attestation', chain: ['wrongIntermediate'] },
      'chain',
      /does not verify with the key of .*wrong intermediate/,
    ],
    [
      'no intermediate',
      { leaf: 'attestation', chain: [] },
      'chain',
      /no certificate for the issuer of/,
    ],
    [
      'no root',
      { leaf: 'attestation', roots: [] },
      'chain',
      /: no trust anchor given \(give the CA root/,
    ],
    [
      'a self-signed leaf that is not a root',
      { leaf: 'selfSigned' },
      'chain',
      /self-signed but not one of the given trust anchors/,
    ],
  ])('fails %s in the %s check only', async (_name, c, check, detail) => {
    const result = await statuses(c);
    expect(result.ok).toBe(false);
    expect(result[check]).toBe('fail');
    for (const other of ['chain', 'validity', 'crl'] as const) {
      if (other !== check) expect(result[other]).not.toBe('fail');
    }
    expect(result.detail).toMatch(detail);
    expect(result.detail).not.toMatch(/--[a-z]/);
  });

  it('says the chain problems in flags on the CLI', async () => {
    expect((await statuses({ leaf: 'attestation', roots: [] })).cliDetail).toContain(
      'no --root trust anchor given (give the CA root, or the certificate itself when it is self-signed)',
    );
    expect((await statuses({ leaf: 'selfSigned' })).cliDetail).toMatch(
      /self-signed but not one of the --root trust anchors/,
    );
  });

  it('a wrong intermediate next to the right one is tried and skipped', async () => {
    const result = await statuses({
      leaf: 'attestation',
      chain: ['wrongIntermediate', 'intermediate'],
    });
    expect(result.ok).toBe(true);
  });

  it('a missing CRL is a visible skip with allowMissingCrl, and a present revoked CRL still fails', async () => {
    const skipped = await statuses({ leaf: 'attestation', crls: [], allowMissingCrl: true });
    expect(skipped).toMatchObject({ ok: true, chain: 'pass', validity: 'pass', crl: 'skip' });
    expect(skipped.detail).toMatch(/not checked for revocation \(missing CRLs allowed\)/);
    expect(skipped.cliDetail).toMatch(/not checked for revocation \(--no-crl\): no CRL of /);
    const missing = await statuses({ leaf: 'attestation', crls: [] });
    expect(missing.detail).toMatch(/; give it, or allow missing CRLs to skip this check visibly$/m);
    expect(missing.cliDetail).toMatch(
      /; pass it with --crl, or --no-crl to skip this check visibly$/m,
    );
    const revoked = await statuses({ leaf: 'revoked', allowMissingCrl: true });
    expect(revoked.crl).toBe('fail');
  });

  it('a self-signed certificate given as its own root passes; CRL does not apply', async () => {
    const result = await statuses({
      leaf: 'selfSigned',
      chain: [],
      roots: ['selfSigned'],
      crls: [],
    });
    expect(result).toMatchObject({ ok: true, chain: 'pass', validity: 'pass', crl: 'skip' });
  });
});

describe('verifyChain refuses issuers that may not issue', () => {
  const issued = async (
    role: 'attestation' | 'intermediate-ca',
    issuerPem: string,
    issuerKey: KeyObject,
  ) => {
    const { publicKey, privateKey } = await generateRsaKeyPair(2048);
    const pem = await issueCertificate({
      subject: `CN=below ${role}`,
      publicKey,
      role,
      issuer: { certificatePem: issuerPem, privateKey: issuerKey },
      notBefore: new Date(TEST_PKI_AT.getTime() - 86_400_000),
      notAfter: new Date(TEST_PKI_AT.getTime() + 86_400_000),
    });
    return { pem, privateKey, entry: parseCertificates(Buffer.from(pem), `${role}.pem`)[0]! };
  };

  it('a certificate signed by a leaf (basicConstraints CA:FALSE)', async () => {
    const below = await issued('attestation', pki.pem.attestation, pki.leafKey);
    const result = await verifyChain({
      ...params({ leaf: 'attestation' }),
      leaf: below.entry,
      intermediates: [cert('attestation'), cert('intermediate')],
    });
    expect(result.checks[0]).toMatchObject({ status: 'fail' });
    expect(result.checks[0].detail).toMatch(/is not a CA \(basicConstraints CA:FALSE\)/);
  });

  it('a second intermediate below one with pathLenConstraint 0', async () => {
    const sub = await issued('intermediate-ca', pki.pem.intermediate, pki.intermediateKey);
    const leaf = await issued('attestation', sub.pem, sub.privateKey);
    const result = await verifyChain({
      ...params({ leaf: 'attestation' }),
      leaf: leaf.entry,
      intermediates: [sub.entry, cert('intermediate')],
      allowMissingCrl: true,
    });
    expect(result.checks[0].status).toBe('fail');
    expect(result.checks[0].detail).toMatch(
      /allows 0 intermediate CA\(s\) below it \(pathLenConstraint\), the path has 1/,
    );
    if (hasTool('openssl')) {
      const dir = tempDir();
      writeFileSync(join(dir, 'path-leaf.pem'), leaf.pem);
      writeFileSync(join(dir, 'path-untrusted.pem'), sub.pem + pki.pem.intermediate);
      const openssl = runTool('openssl', [
        'verify',
        '-attime',
        String(Math.floor(TEST_PKI_AT.getTime() / 1000)),
        '-CAfile',
        files.root,
        '-untrusted',
        join(dir, 'path-untrusted.pem'),
        join(dir, 'path-leaf.pem'),
      ]);
      expect(openssl.status).not.toBe(0);
      expect(openssl.stdout.toString() + openssl.stderr).toMatch(/path length constraint exceeded/);
    }
  });
});

describe('verifyChain bounds its path search (hostile input)', () => {
  const hostile = async (count: number) => {
    const { cas, leaf } = await generateSameNameCas(count);
    const parse = (pem: string, name: string) => parseCertificates(Buffer.from(pem), name)[0]!;
    return {
      ...params({ leaf: 'attestation' }),
      leaf: parse(leaf, 'hostile-leaf.pem'),
      intermediates: cas.map((pem, index) => parse(pem, `hostile-ca-${index}.pem`)),
    };
  };

  it('nine CA certificates sharing one name and key: FAIL chain "too many candidate issuers", every check reported', async () => {
    const result = await verifyChain(await hostile(9));
    expect(result.ok).toBe(false);
    expect(result.checks.map((check) => [check.id, check.status])).toEqual([
      ['chain', 'fail'],
      ['validity', 'pass'],
      ['crl', 'skip'],
    ]);
    expect(result.checks[0].detail).toMatch(
      /too many candidate issuers: 9 certificates named CN=hpvs-ctl Hostile CA/,
    );
  });

  it('eight of them (under the candidate limit): each signature is checked once, each dead end left once', async () => {
    const input = await hostile(8);
    const verify = vi.spyOn(x509.X509Certificate.prototype, 'verify');
    try {
      const result = await verifyChain(input);
      expect(result.checks[0].status).toBe('fail');
      expect(result.checks[0].detail).toMatch(
        /does not chain to a trust anchor: the path is longer than 8 certificates/,
      );
      // 9 certificates (leaf and 8 CAs) and 1 root: at most one check per ordered pair
      expect(verify.mock.calls.length).toBeLessThanOrEqual(9 * 9 + 1);
    } finally {
      verify.mockRestore();
    }
  });

  it('past the signature-check budget the search stops with "too many candidate issuers", not a hang', async () => {
    const input = await hostile(8);
    const built = await buildPath({
      leaf: input.leaf,
      candidates: [...input.intermediates, ...input.roots],
      roots: input.roots,
      partialChain: false,
      limits: { maxSignatureChecks: 10 },
    });
    expect(built).toMatchObject({ anchored: false, limited: true });
    expect(built.problems).toEqual([
      ['too many candidate issuers: the path search stopped after 10 signature checks'],
    ]);
  });
});

describe.skipIf(!hasTool('openssl'))('verdicts agree with openssl verify -crl_check_all', () => {
  const cases: [string, Case][] = [
    ['valid', { leaf: 'attestation' }],
    ['valid encryption', { leaf: 'encryption' }],
    ['revoked', { leaf: 'revoked' }],
    ['expired', { leaf: 'expired' }],
    ['not yet valid', { leaf: 'notYetValid' }],
    ['expired CRL', { leaf: 'attestation', crls: ['rootCrl', 'expiredIntermediateCrl'] }],
    ['forged CRL', { leaf: 'attestation', crls: ['rootCrl', 'forgedIntermediateCrl'] }],
    ['missing CRL', { leaf: 'attestation', crls: ['rootCrl'] }],
    ['wrong intermediate', { leaf: 'attestation', chain: ['wrongIntermediate'] }],
    ['later date, CRLs stale', { leaf: 'attestation', at: new Date('2026-08-01T00:00:00Z') }],
  ];
  it.each(cases)('%s', async (_name, c) => {
    const ours = (await verifyChain(params(c))).ok;
    const dir = tempDir();
    const untrusted = join(dir, 'untrusted.pem');
    writeFileSync(untrusted, (c.chain ?? ['intermediate']).map((n) => pki.pem[n]).join(''));
    const args = [
      'verify',
      '-crl_check_all',
      '-attime',
      String(Math.floor((c.at ?? TEST_PKI_AT).getTime() / 1000)),
      '-CAfile',
      files.root,
      '-untrusted',
      untrusted,
      ...(c.crls ?? ['rootCrl', 'intermediateCrl']).flatMap((n) => ['-CRLfile', files[n]]),
      files[c.leaf],
    ];
    const openssl = runTool('openssl', args);
    expect(ours, `openssl said: ${openssl.stdout.toString()}${openssl.stderr}`).toBe(
      openssl.status === 0,
    );
  });
});

describe.skipIf(!HAS_REFERENCE)(`reference cert-chains (${REFERENCE_SKIP_REASON})`, () => {
  const load = (...parts: string[]) =>
    parseCertificates(
      readFileSync(referencePath('fixtures', 'cert-chains', ...parts)),
      parts.join('/'),
    )[0]!;
  const at = new Date('2026-06-15T00:00:00Z');

  it('valid-chain verifies (no CRLs published: visible skip)', async () => {
    const result = await verifyChain({
      leaf: load('valid-chain', 'encryption.crt'),
      intermediates: [load('valid-chain', 'intermediate.crt')],
      roots: [load('valid-chain', 'root.crt')],
      crls: [],
      at,
      allowMissingCrl: true,
    });
    expect(result.checks.map((check) => check.status)).toEqual(['pass', 'pass', 'skip']);
  });

  it('invalid-chain fails the chain check', async () => {
    const result = await verifyChain({
      leaf: load('invalid-chain', 'encryption.crt'),
      intermediates: [load('invalid-chain', 'wrong_intermediate.crt')],
      roots: [load('invalid-chain', 'root.crt')],
      crls: [],
      at,
      allowMissingCrl: true,
    });
    expect(result.checks[0].status).toBe('fail');
  });

  it('expired-chain fails the validity check', async () => {
    const result = await verifyChain({
      leaf: load('expired-chain', 'expired_encryption.crt'),
      intermediates: [load('expired-chain', 'intermediate.crt')],
      roots: [load('expired-chain', 'root.crt')],
      crls: [],
      at,
      allowMissingCrl: true,
    });
    expect(result.checks.map((check) => check.status)).toEqual(['pass', 'fail', 'skip']);
  });
});

describe('parsing certificates and CRLs', () => {
  it('reads PEM bundles and DER, and refuses other input with one code', () => {
    const bundle = parseCertificates(Buffer.from(pki.pem.intermediate + pki.pem.root), 'chain.pem');
    expect(bundle.map((entry) => entry.source)).toEqual(['chain.pem#1', 'chain.pem#2']);
    const der = Buffer.from(bundle[1]!.certificate.rawData);
    expect(parseCertificates(der, 'root.der')[0]!.certificate.subject).toContain('Test Root CA');
    const codeOf = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        return (error as HpvsError).code;
      }
      return undefined;
    };
    expect(codeOf(() => parseCertificates(Buffer.from('hello'), 'x'))).toBe('PEM_INVALID');
    expect(codeOf(() => parseCertificates(Buffer.from(pki.pem.rootCrl), 'x'))).toBe('PEM_INVALID');
    const broken = pki.pem.root.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    expect(codeOf(() => parseCertificates(Buffer.from(broken), 'x'))).toBe('CERT_INVALID');
    expect(codeOf(() => parseCrls(Buffer.from([0x30, 0x03, 0x02, 0x01]), 'x'))).toBe('CRL_INVALID');
  });

  it('a DER CRL (as CAs publish them) checks like its PEM form', async () => {
    const der = (pem: string) =>
      Buffer.from(pem.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const result = await verifyChain({
      ...params({ leaf: 'revoked' }),
      crls: [
        parseCrls(der(pki.pem.rootCrl), 'root.crl')[0]!,
        parseCrls(der(pki.pem.intermediateCrl), 'intermediate.crl')[0]!,
      ],
    });
    expect(result.checks[2]).toMatchObject({ status: 'fail' });
    expect(result.checks[2].detail).toMatch(/\(serial 1003\) was revoked/);
  });

  it('serials are signed DER integers', () => {
    expect(serialOf(cert('attestation').certificate)).toBe(BigInt(`0x${SERIALS.attestation}`));
    expect(serialOf(cert('root').certificate)).toBe(1n);
    expect(formatSerial(0x1001n)).toBe('1001');
    expect(formatSerial(0xabcn)).toBe('0ABC');
  });
});
