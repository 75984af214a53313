import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate, type CertificateRole } from '../../src/core/pki/issue-certificate.js';
import { exportPrivateKeyPem } from '../../src/core/pki/rsa-key-pair.js';
import {
  makeRecordBundle,
  sampleUserData,
  writeRecordBundle,
} from '../helpers/attestation-bundle.js';
import type { CliResult } from '../helpers/run-cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { writeAdversarialFiles, type AdversarialFiles } from './fixtures.js';
import {
  expectBounded,
  expectCleanFailure,
  expectNothingWritten,
  listTree,
  runBounded,
} from './hostile-cli.js';

/**
 * Hostile PKI: issuer loops that make path building explode (item 5), weak and inconsistent
 * certificates and keys (item 13). Each command that takes a certificate answers the same way.
 */
const tempDir = useTempDir('hpvs-adversarial-pki-');
let f: AdversarialFiles;
let dir: string;
const DAY = 24 * 60 * 60 * 1000;
const now = Date.now();
const paths = {} as Record<
  | 'loopChain'
  | 'loopLeaf'
  | 'loopLeafKey'
  | 'weakCert'
  | 'noKeyEnciphermentCert'
  | 'expiredCa'
  | 'clientCert'
  | 'clientKey'
  | 'otherKey'
  | 'notACert',
  string
>;

function rsa(bits: number) {
  return generateKeyPairSync('rsa', { modulusLength: bits });
}

function selfSigned(
  subject: string,
  role: CertificateRole,
  key: { publicKey: KeyObject; privateKey: KeyObject },
  from = -1,
  to = 365,
  serialNumber?: string,
) {
  return issueCertificate({
    subject,
    publicKey: key.publicKey,
    selfSigningKey: key.privateKey,
    role,
    notBefore: new Date(now + from * DAY),
    notAfter: new Date(now + to * DAY),
    ...(serialNumber ? { serialNumber } : {}),
  });
}

/** Nine CA certificates, one name, one key: each is a valid issuer of every other. */
const LOOP_SIZE = 9;

beforeAll(async () => {
  dir = tempDir();
  f = await writeAdversarialFiles(join(dir, 'fixtures'));
  const write = (name: string, text: string, mode = 0o644) => {
    writeFileSync(join(dir, name), text, { mode });
    return join(dir, name);
  };
  const loopKey = rsa(2048);
  const leafKey = rsa(2048);
  const loop = await Promise.all(
    Array.from({ length: LOOP_SIZE }, (_, i) =>
      selfSigned('CN=Loop CA', 'root-ca', loopKey, -1, 365, (0x100 + i).toString(16)),
    ),
  );
  const loopLeaf = await issueCertificate({
    subject: 'CN=loop leaf',
    publicKey: leafKey.publicKey,
    issuer: { certificatePem: loop[0]!, privateKey: loopKey.privateKey },
    role: 'attestation',
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
  });
  const client = rsa(2048);
  Object.assign(paths, {
    loopChain: write('loop-chain.pem', loop.join('')),
    loopLeaf: write('loop-leaf.pem', loopLeaf),
    loopLeafKey: write('loop-leaf-key.pem', exportPrivateKeyPem(leafKey.privateKey), 0o600),
    weakCert: write('weak-1024.crt', await selfSigned('CN=weak encrypt', 'encryption', rsa(1024))),
    noKeyEnciphermentCert: write(
      'signature-only.crt',
      await selfSigned('CN=signature only', 'contract-signing', rsa(2048)),
    ),
    expiredCa: write(
      'expired-ca.crt',
      await selfSigned('CN=Old Syslog CA', 'root-ca', rsa(2048), -400, -35),
    ),
    clientCert: write('client.crt', await selfSigned('CN=client', 'tls-client', client)),
    clientKey: write('client-key.pem', exportPrivateKeyPem(client.privateKey), 0o600),
    otherKey: write('other-key.pem', exportPrivateKeyPem(rsa(2048).privateKey), 0o600),
    notACert: write('not-a-cert.pem', exportPrivateKeyPem(rsa(2048).privateKey), 0o600),
  });
}, 60_000);

const TOO_MANY = /too many candidate issuers/i;

describe('issuer loops: one name, one key, nine certificates (item 5)', () => {
  const unrelatedRoot = () => f.caCert;

  it.each<[string, () => string[], boolean]>([
    [
      'certs verify',
      () => [
        'certs',
        'verify',
        paths.loopLeaf,
        '--chain',
        paths.loopChain,
        '--root',
        unrelatedRoot(),
        '--no-crl',
      ],
      true,
    ],
    [
      'encrypt --root',
      () => [
        ...['encrypt', f.workload, '--cert', paths.loopLeaf, '--chain', paths.loopChain],
        ...['--root', unrelatedRoot(), '--no-crl', '--out', join(dir, 'loop.enc')],
      ],
      false,
    ],
    [
      'attestation verify',
      () => {
        const bundle = makeRecordBundle({
          userData: sampleUserData(),
          attestationKey: rsa(2048).privateKey,
        });
        const written = writeRecordBundle(join(dir, 'loop-bundle'), bundle);
        return [
          ...[
            'attestation',
            'verify',
            '--record',
            written.record,
            '--signature',
            written.signature,
          ],
          ...[
            '--cert',
            paths.loopLeaf,
            '--chain',
            paths.loopChain,
            '--root',
            unrelatedRoot(),
            '--no-crl',
          ],
        ];
      },
      true,
    ],
  ])('%s stops the path search and says why', async (label, args, report) => {
    // the arguments first: building them may write the command's own inputs (a record bundle)
    const argv = args();
    const before = listTree(dir);
    const result = await runBounded(argv);
    expectCleanFailure(result, label, {
      code: 1,
      message: TOO_MANY,
      secrets: f.secrets,
      ...(report ? { report: true } : {}),
    });
    expectNothingWritten(dir, before, label);
  });
});

/**
 * Every command that encrypts for a certificate: they must answer a weak or unfit certificate
 * the same way (refuse, or warn and go on), and say why on stderr.
 */
describe('weak or unfit encryption certificates are refused or warned about, consistently (item 13)', () => {
  const encryptors: [string, (cert: string, out: string) => string[]][] = [
    ['encrypt', (cert, out) => ['encrypt', f.workload, '--cert', cert, '--out', out]],
    [
      'workload --cert',
      (cert, out) => ['workload', '--compose', f.composeDir, '--cert', cert, '--out', out],
    ],
    [
      'env --cert',
      (cert, out) =>
        [
          'env',
          '--log-router-host',
          'ingest.example.com',
          '--log-router-key-file',
          f.apiKey,
        ].concat(['--cert', cert, '--out', out]),
    ],
    [
      'contract --cert',
      (cert, out) => [
        'contract',
        '--workload',
        f.workload,
        '--env',
        f.env,
        '--cert',
        cert,
        '--out',
        out,
      ],
    ],
  ];

  it.each<[string, () => string, RegExp]>([
    ['an RSA-1024 certificate', () => paths.weakCert, /1024/],
    ['a certificate without keyEncipherment', () => paths.noKeyEnciphermentCert, /keyEncipherment/],
  ])('%s', async (label, cert, says) => {
    const results: [string, CliResult][] = [];
    for (const [name, args] of encryptors) {
      const out = join(dir, `${name.replace(/\W+/g, '-')}-${label.length}.out`);
      const result = await runBounded(args(cert(), out));
      expectBounded(result, name);
      expect(result.stderr, `${name} with ${label}`).toMatch(says);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      results.push([name, result]);
    }
    const codes = results.map(([, result]) => `${result.code === 0 ? 'warns' : 'refuses'}`);
    expect(
      new Set(codes),
      results.map(([name], i) => `${name}: ${codes[i]}`).join(', '),
    ).toHaveProperty('size', 1);
  });
});

describe('inconsistent syslog material (item 13)', () => {
  const envArgs = (ca: string, cert: string, key: string) => [
    ...['env', '--syslog-host', 'logs.example.com', '--syslog-port', '6514'],
    ...[
      '--syslog-ca',
      ca,
      '--syslog-cert',
      cert,
      '--syslog-key',
      key,
      '--out',
      join(dir, 'env-out.yaml'),
    ],
  ];

  it('env refuses a client key that does not belong to the client certificate', async () => {
    const before = listTree(dir);
    const result = await runBounded(envArgs(f.caCert, paths.clientCert, paths.otherKey));
    expectCleanFailure(result, 'mismatched client key', {
      code: 1,
      message: /other-key\.pem: .*(does not (match|belong to)|not the key of|mismatch)/i,
      secrets: f.secrets,
    });
    expectNothingWritten(dir, before, 'mismatched client key');
  });

  it('env refuses or warns about an expired syslog CA', async () => {
    const result = await runBounded(envArgs(paths.expiredCa, paths.clientCert, paths.clientKey));
    expectBounded(result, 'expired syslog CA');
    expect(result.stderr).toMatch(/expired/);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('emulator log-server refuses a --ca file that holds no certificate', async () => {
    const result = await runBounded([
      ...['emulator', 'log-server', '--port', '0', '--ca', paths.notACert],
      ...['--cert', paths.clientCert, '--key', paths.clientKey],
    ]);
    expectCleanFailure(result, 'log-server --ca without a certificate', {
      code: 1,
      message: /not-a-cert\.pem.*certificate/,
      secrets: f.secrets,
    });
  });
});
