import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportPrivateKeyPem } from '../../src/core/pki/rsa-key-pair.js';
import {
  makeRecordBundle,
  sampleUserData,
  writeRecordBundle,
} from '../helpers/attestation-bundle.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { hasTool } from '../helpers/tools.js';
import { writeAdversarialFiles, type AdversarialFiles } from './fixtures.js';
import { expectBounded, modeOf, runBounded } from './hostile-cli.js';

/**
 * Outputs that can hold a secret (plaintext sections, decrypted data, seeds, passphrases,
 * private keys) are 0600 whatever the umask; an output is never wider than the input it was
 * made from, and rewriting a file in place never widens it (issue 9 item 3). The child
 * inherits this process's umask, so each case sets it and puts it back.
 */
const tempDir = useTempDir('hpvs-adversarial-modes-');
let f: AdversarialFiles;
let dir: string;
let record: string;
let auditorKey: string;
const savedUmask = process.umask();
afterEach(() => {
  process.umask(savedUmask);
});

beforeAll(async () => {
  dir = tempDir();
  f = await writeAdversarialFiles(join(dir, 'fixtures'));
  const auditor = generateKeyPairSync('rsa', { modulusLength: 2048 });
  auditorKey = join(dir, 'auditor.pem');
  writeFileSync(auditorKey, exportPrivateKeyPem(auditor.privateKey), { mode: 0o600 });
  const attestation = generateKeyPairSync('rsa', { modulusLength: 2048 });
  record = writeRecordBundle(
    join(dir, 'bundle'),
    makeRecordBundle({
      userData: sampleUserData(),
      attestationKey: attestation.privateKey,
      auditorPublicKey: auditor.publicKey,
    }),
  ).record;
}, 60_000);

/** A command, and the files it writes in `out` that must be exactly 0600. */
type SecretOutput = [string, (out: string) => string[], string[]];
const SECRET_OUTPUTS: SecretOutput[] = [
  [
    'sign --out',
    (out) => ['sign', f.userData, '--key', f.signKey, '--out', join(out, 'signed.yaml')],
    ['signed.yaml'],
  ],
  [
    'decrypt --out',
    (out) => ['decrypt', f.workloadToken, '--key', f.hpcrKey, '--out', join(out, 'plain.yaml')],
    ['plain.yaml'],
  ],
  [
    'attestation decrypt --out',
    (out) => [
      'attestation',
      'decrypt',
      '--record',
      record,
      '--key',
      auditorKey,
      '--out',
      join(out, 'se-checksums.txt'),
    ],
    ['se-checksums.txt'],
  ],
  [
    'luks-passphrase --out',
    (out) => [
      'luks-passphrase',
      '--env-seed-file',
      f.envSeed,
      '--workload-seed-file',
      f.workloadSeed,
      '--out',
      join(out, 'luks.key'),
    ],
    ['luks.key'],
  ],
  [
    'workload --out (plaintext)',
    (out) => [
      'workload',
      '--compose',
      f.composeDir,
      '--volume',
      'data',
      '--mount',
      '/mnt/data',
      '--seed-file',
      f.workloadSeed,
      '--out',
      join(out, 'workload.yaml'),
    ],
    ['workload.yaml'],
  ],
  [
    'env --out (plaintext)',
    (out) => [
      'env',
      '--log-router-host',
      'ingest.example.com',
      '--log-router-key-file',
      f.apiKey,
      '--out',
      join(out, 'env.yaml'),
    ],
    ['env.yaml'],
  ],
  [
    'contract --out with plaintext sections',
    (out) => [
      'contract',
      '--workload',
      f.workload,
      '--env',
      f.env,
      '--out',
      join(out, 'user-data.yaml'),
    ],
    ['user-data.yaml'],
  ],
  [
    'contract --batch with plaintext env',
    (out) => {
      const inventory = join(out, '..', `${out.split('/').pop()}-fleet.yaml`);
      writeFileSync(inventory, 'instances:\n  - name: web-1\n');
      return [
        'contract',
        '--workload',
        f.workload,
        '--env',
        f.env,
        '--batch',
        inventory,
        '--out-dir',
        join(out, 'fleet'),
      ];
    },
    ['fleet/web-1.yaml'],
  ],
  [
    'contract --in with plaintext sections',
    (out) => {
      const block = (path: string) =>
        readFileSync(path, 'utf8').replace(/\n$/, '').replace(/^/gm, '  ');
      const contract = join(out, '..', `${out.split('/').pop()}-contract.yaml`);
      writeFileSync(contract, `workload: |\n${block(f.workload)}\nenv: |\n${block(f.env)}\n`);
      return ['contract', '--in', contract, '--out', join(out, 'user-data.yaml')];
    },
    ['user-data.yaml'],
  ],
  [
    'initdata build --allow-plaintext',
    (out) => [
      ...['initdata', 'build', '--contract', f.userData, '--allow-plaintext'],
      ...['--out', join(out, 'initdata.txt')],
    ],
    ['initdata.txt'],
  ],
  [
    'init --platform ccco-bmtl --persona deployer',
    (out) => [
      ...['init', '--persona', 'deployer', '--platform', 'ccco-bmtl', '--logging', 'none'],
      ...['--out-dir', join(out, 'deployer'), '--host-key-doc', f.hpcrCert],
      ...['--signing-key', 'generate', '--bits', '2048'],
    ],
    ['deployer/env.yaml', 'deployer/signing-private.pem'],
  ],
  [
    'secrets keys',
    (out) => ['secrets', 'keys', '--out-dir', join(out, 'seal')],
    [
      'seal/seal-decryption-private.pem',
      'seal/seal-signing-private.pem',
      'seal/confidential-containers-secret.yaml',
    ],
  ],
  ...(hasTool('xorriso')
    ? [
        [
          'cidata --out (xorriso)',
          (out: string) => [
            ...['cidata', '--user-data', f.userData],
            ...['--out', join(out, 'cloudinit.iso')],
          ],
          ['cloudinit.iso'],
        ] as SecretOutput,
      ]
    : []),
  [
    'keys generate',
    (out) => ['keys', 'generate', '--bits', '2048', '--out-dir', join(out, 'keys')],
    ['keys/private.pem'],
  ],
  [
    'certs syslog',
    (out) => [
      'certs',
      'syslog',
      '--hostname',
      'logs.example.com',
      '--bits',
      '2048',
      '--out-dir',
      join(out, 'tls'),
    ],
    ['tls/ca-key.pem', 'tls/server-key.pem', 'tls/client-key.pem'],
  ],
  [
    'init --persona deployer',
    (out) => [
      ...[
        'init',
        '--persona',
        'deployer',
        '--out-dir',
        join(out, 'deployer'),
        '--logging',
        'logrouter',
      ],
      ...['--log-host', 'ingest.example.com', '--iam-api-key-file', f.apiKey, '--volume', 'data'],
      ...['--signing-key', 'generate', '--bits', '2048'],
    ],
    ['deployer/env.yaml', 'deployer/signing-private.pem'],
  ],
];

describe.each([
  ['022', 0o022],
  ['077', 0o077],
])('umask %s', (_, umask) => {
  it.each(SECRET_OUTPUTS)('%s writes its secret outputs 0600', async (label, args, outputs) => {
    const out = join(dir, `${label.replace(/\W+/g, '-')}-${umask.toString(8)}`);
    mkdirSync(out);
    process.umask(umask);
    const result = await runBounded(args(out));
    process.umask(savedUmask);
    expectBounded(result, label);
    expect(result.code, result.stderr).toBe(0);
    for (const output of outputs) {
      expect(modeOf(join(out, output)).toString(8), `${label}: ${output}`).toBe('600');
    }
  });
});

describe('an output is never wider than its input; in place never widens (item 3)', () => {
  it.each([0o022, 0o000])(
    'sign in place of a 0600 contract keeps 0600 (umask %o)',
    async (umask) => {
      const target = join(dir, `in-place-${umask.toString(8)}.yaml`);
      copyFileSync(f.userData, target);
      chmodSync(target, 0o600);
      process.umask(umask);
      const result = await runBounded(['sign', target, '--key', f.signKey, '--out', target]);
      process.umask(savedUmask);
      expectBounded(result, 'sign in place');
      expect(result.code, result.stderr).toBe(0);
      expect(modeOf(target).toString(8)).toBe('600');
    },
  );

  it.each<[string, (input: string, out: string) => string[]]>([
    ['encrypt', (input, out) => ['encrypt', input, '--cert', f.hpcrCert, '--out', out]],
    ['sign', (input, out) => ['sign', input, '--key', f.signKey, '--out', out]],
  ])('%s of a 0600 input under umask 022 writes nothing wider than 0600', async (label, args) => {
    const input = join(dir, `${label}-private-input.yaml`);
    copyFileSync(label === 'sign' ? f.userData : f.workload, input);
    chmodSync(input, 0o600);
    const out = join(dir, `${label}-from-private.out`);
    process.umask(0o022);
    const result = await runBounded(args(input, out));
    process.umask(savedUmask);
    expectBounded(result, label);
    expect(result.code, result.stderr).toBe(0);
    expect(modeOf(out) & ~0o600, `${label}: mode ${modeOf(out).toString(8)}`).toBe(0);
  });
});
