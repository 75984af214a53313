import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { exportPrivateKeyPem } from '../../src/core/pki/rsa-key-pair.js';
import {
  makeRecordBundle,
  REFERENCE_FILE_TEXT,
  sampleUserData,
  writeRecordBundle,
} from '../helpers/attestation-bundle.js';
import { runCli } from '../helpers/run-cli.js';
import { hasTool } from '../helpers/tools.js';
import type { AdversarialFiles } from './fixtures.js';
import { initBoundedEmulator } from './hostile-cli.js';

/**
 * One row per input of every command: the file (or folder) a flag or argument reads, with an
 * invocation that otherwise succeeds, or at least reads that input before it could fail on
 * another. The categories of test/adversarial feed each row their hostile files (an endless
 * device, an oversized file, a FIFO, binary and control characters, a folder where a file
 * belongs); `input-rows.test.ts` fails when a command's help lists an input that has no row
 * here, so a new flag cannot skip the matrix.
 */
export interface InputRow {
  /** `command --flag` or `command ARGUMENT` (the argument's name as the usage line spells it). */
  input: string;
  /** The command line with `hostile` in this row's input; `out` is where an output would go. */
  args: (f: RowFiles, hostile: string, out: string) => string[];
  /** The input is a folder, not a file. */
  folder?: true;
  /** Any bytes are a valid value of this input (a secret to seal, a Secure Execution header). */
  anyBytes?: true;
  /** The command answers with a report on stdout, even for an input it cannot accept. */
  report?: true;
  /**
   * A failed run keeps what it wrote to record the failure: an emulator boot's instance folder
   * holds the console log of the failed boot, as HPCR's does.
   */
  recordsFailure?: true;
  /** The command has `--json`, and these args with it stay valid (its output goes to --out). */
  json?: true;
  /** Needs this program installed; the row is skipped (visibly) without it. */
  tool?: string;
  /** A note the command prints before its error (a platform alias named), allowed on stderr. */
  note?: RegExp;
}

/** Companion inputs the rows of the newer commands need besides the authoring fixtures. */
export interface RowFiles extends AdversarialFiles {
  /** An emulator state (2048-bit keys), and one playing ccco. */
  state: string;
  cccoState: string;
  /** A Pod manifest of one pinned container. */
  pod: string;
  /** A Rego template with hpvs-ctl's marker line. */
  regoTemplate: string;
  /** Seal keys: RSA public/private PEM pairs made by node. */
  sealPublic: string;
  sealPrivate: string;
  /** A secret to seal, and it sealed. */
  plainSecret: string;
  sealedSecret: string;
  /** An attestation bundle: a plaintext record, its signature, the signing certificate. */
  record: string;
  encryptedRecord: string;
  recordSignature: string;
  auditorKey: string;
  reference: string;
  /** A folder holding one bundle. */
  recordBatch: string;
  /** A NoCloud seed image of `userData` (empty path when xorriso is missing). */
  seedImage: string;
  /** initdata built from `userDataEncrypted`. */
  initdata: string;
  /** `certs get --from`'s download JSON, and an IBM Cloud image list. */
  certificateDownload: string;
  imageList: string;
}

async function ok(args: string[], what: string): Promise<string> {
  const result = await runCli(args);
  expect(result.code, `row fixture ${what}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

export async function writeRowFiles(f: AdversarialFiles, dir: string): Promise<RowFiles> {
  mkdirSync(dir, { recursive: true });
  const path = (name: string) => join(dir, name);
  const write = (name: string, data: string | Buffer, mode = 0o644) => {
    writeFileSync(path(name), data, { mode });
    return path(name);
  };
  const seal = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attestation = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const auditor = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const userData = sampleUserData();
  const plain = makeRecordBundle({ userData, attestationKey: attestation.privateKey });
  const encrypted = makeRecordBundle({
    userData,
    attestationKey: attestation.privateKey,
    auditorPublicKey: auditor.publicKey,
  });
  const bundle = writeRecordBundle(path('bundle'), plain, userData);
  const encryptedBundle = writeRecordBundle(path('bundle-enc'), encrypted);
  writeRecordBundle(join(path('records'), 'instance-1'), plain, userData);
  const files: RowFiles = {
    ...f,
    state: path('hpcr'),
    cccoState: path('ccco'),
    pod: write(
      'pod.yaml',
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: web@sha256:${'b'.repeat(64)}\n`,
    ),
    regoTemplate: write('template.rego', 'package agent_policy\n\n# hpvs-ctl: rules\n'),
    sealPublic: write('seal-public.pem', seal.publicKey.export({ type: 'spki', format: 'pem' })),
    sealPrivate: write('seal-private.pem', exportPrivateKeyPem(seal.privateKey), 0o600),
    plainSecret: write('secret.txt', 'p@ssw0rd\n', 0o600),
    sealedSecret: path('sealed.txt'),
    record: bundle.record,
    encryptedRecord: encryptedBundle.record,
    recordSignature: bundle.signature,
    auditorKey: write('auditor.pem', exportPrivateKeyPem(auditor.privateKey), 0o600),
    reference: write('reference.txt', REFERENCE_FILE_TEXT),
    recordBatch: path('records'),
    seedImage: hasTool('xorriso') ? path('cloudinit.iso') : '',
    initdata: path('initdata.txt'),
    certificateDownload: '',
    imageList: write(
      'images.json',
      JSON.stringify([
        {
          id: 'r006-00000000-0000-4000-8000-000000000021',
          name: 'ibm-hyper-protect-container-runtime-1-0-s390x-21',
          status: 'available',
          visibility: 'public',
          operating_system: { name: 'hyper-protect-1-0-s390x', architecture: 's390x' },
          file: { checksums: { sha256: 'a'.repeat(64) } },
        },
      ]),
    ),
  };
  const pem = (await ok(['certs', 'get', '--platform', 'hpvs'], 'certs get')).trim();
  files.certificateDownload = write(
    'certs.json',
    JSON.stringify({ '1.0.29': { cert: `${pem}\n`, status: 'valid' } }),
  );
  await Promise.all([
    initBoundedEmulator(files.state),
    initBoundedEmulator(files.cccoState, ['--platform', 'ccco']),
    ok(
      ['secrets', 'seal', '--type', 'workload', '--in', files.plainSecret]
        .concat(['--encryption-key', files.sealPublic, '--signing-key', files.sealPrivate])
        .concat(['--out', files.sealedSecret]),
      'secrets seal',
    ),
    ok(
      ['initdata', 'build', '--contract', f.userDataEncrypted, '--out', files.initdata],
      'initdata build',
    ),
    ...(files.seedImage === ''
      ? []
      : [ok(['cidata', '--user-data', f.userData, '--out', files.seedImage], 'cidata')]),
  ]);
  return files;
}

/**
 * Every input of every command. `h` is the hostile path, `out` a path in the case's own folder
 * (every output goes there, so "nothing written" is checked on it).
 */
const logRouter = (f: RowFiles) => [
  '--log-router-host',
  'ingest.example.com',
  '--log-router-key-file',
  f.apiKey,
];
const attestation = (f: RowFiles, record: string, extra: string[] = []) => [
  ...['attestation', 'verify', '--record', record, '--signature', f.recordSignature],
  ...['--cert', f.hpcrCert, '--root', f.hpcrCert, '--no-crl', ...extra],
];
const trust = (f: RowFiles) => ['--root', f.caCert, '--no-crl'];
const boot = (f: RowFiles, out: string, state = f.state) => [
  '--state',
  state,
  '--out-dir',
  join(out, 'instance'),
];

export const INPUT_ROWS: readonly InputRow[] = [
  // init
  {
    input: 'init --compose',
    folder: true,
    args: (_, h, out) => [
      'init',
      '--persona',
      'provider',
      '--out-dir',
      out,
      '--volume',
      'none',
      '--compose',
      h,
    ],
  },
  {
    input: 'init --play',
    folder: true,
    args: (_, h, out) => [
      'init',
      '--persona',
      'provider',
      '--out-dir',
      out,
      '--volume',
      'none',
      '--play',
      h,
    ],
  },
  {
    input: 'init --cert',
    args: (f, h, out) =>
      ['init', '--persona', 'provider', '--out-dir', out, '--volume', 'none'].concat([
        '--compose',
        f.composeDir,
        '--cert',
        h,
      ]),
  },
  {
    input: 'init --iam-api-key-file',
    args: (_, h, out) =>
      ['init', '--persona', 'deployer', '--out-dir', out, '--logging', 'logrouter']
        .concat(['--log-host', 'ingest.example.com', '--iam-api-key-file', h, '--volume', 'none'])
        .concat(['--signing-key', 'none', '--bits', '2048']),
  },
  {
    input: 'init --host-key-doc',
    note: /^hpvs-ctl: platform "ccco-bmtl" is ccco$/,
    args: (_, h, out) =>
      ['init', '--persona', 'deployer', '--platform', 'ccco-bmtl', '--out-dir', out].concat([
        '--logging',
        'none',
        '--host-key-doc',
        h,
        '--signing-key',
        'none',
      ]),
  },
  {
    input: 'init --passphrase-file',
    anyBytes: true,
    args: (_, h, out) =>
      ['init', '--persona', 'auditor', '--out-dir', out, '--bits', '2048'].concat([
        '--passphrase-file',
        h,
      ]),
  },
  // image, cidata, archive
  { input: 'image --from', args: (_, h) => ['image', '--from', h, '--json'] },
  {
    input: 'cidata --user-data',
    tool: 'xorriso',
    json: true,
    args: (_, h, out) => ['cidata', '--user-data', h, '--out', out],
  },
  {
    input: 'cidata --network-config',
    tool: 'xorriso',
    json: true,
    args: (f, h, out) => ['cidata', '--user-data', f.userData, '--network-config', h, '--out', out],
  },
  {
    input: 'cidata --meta-data',
    tool: 'xorriso',
    json: true,
    args: (f, h, out) => ['cidata', '--user-data', f.userData, '--meta-data', h, '--out', out],
  },
  { input: 'archive DIR', folder: true, args: (_, h, out) => ['archive', h, '--out', out] },
  // workload
  {
    input: 'workload --compose',
    folder: true,
    args: (_, h, out) => ['workload', '--compose', h, '--out', out],
  },
  {
    input: 'workload --play',
    folder: true,
    args: (_, h, out) => ['workload', '--play', h, '--out', out],
  },
  {
    input: 'workload --play-resources',
    args: (_, h, out) => ['workload', '--play-resources', h, '--out', out],
  },
  {
    input: 'workload --play-templates',
    args: (_, h, out) => ['workload', '--play-templates', h, '--out', out],
  },
  ...(['--auths', '--images', '--env-values-file', '--cert'] as const).map((flag): InputRow => ({
    input: `workload ${flag}`,
    args: (f, h, out) => ['workload', '--compose', f.composeDir, flag, h, '--out', out],
  })),
  ...(['--seed-file', '--previous-seed-file'] as const).map((flag): InputRow => ({
    input: `workload ${flag}`,
    args: (f, h, out) =>
      ['workload', '--compose', f.composeDir, '--volume', 'data', '--mount', '/mnt/d']
        .concat(flag === '--seed-file' ? [] : ['--seed-file', f.workloadSeed])
        .concat([flag, h, '--out', out]),
  })),
  // env
  ...(['--syslog-ca', '--syslog-cert', '--syslog-key'] as const).map((flag): InputRow => ({
    input: `env ${flag}`,
    args: (f, h, out) => {
      const tls = { '--syslog-ca': f.caCert, '--syslog-cert': f.hpcrCert } as Record<
        string,
        string
      >;
      tls['--syslog-key'] = f.hpcrKey;
      tls[flag] = h;
      return ['env', '--syslog-host', 'logs.example.com', ...Object.entries(tls).flat()].concat([
        '--out',
        out,
      ]);
    },
  })),
  {
    input: 'env --log-router-key-file',
    args: (_, h, out) =>
      ['env', '--log-router-host', 'ingest.example.com', '--log-router-key-file', h].concat([
        '--out',
        out,
      ]),
  },
  {
    input: 'env --logdna-key-file',
    args: (_, h, out) => [
      'env',
      '--logdna-host',
      'logs.example.com',
      '--logdna-key-file',
      h,
      '--out',
      out,
    ],
  },
  ...(['--seed-file', '--previous-seed-file', '--kms-file'] as const).map((flag): InputRow => ({
    input: `env ${flag}`,
    args: (f, h, out) =>
      ['env', ...logRouter(f), '--volume', 'data']
        .concat(flag === '--seed-file' ? [] : ['--seed-file', f.envSeed])
        .concat([flag, h, '--out', out]),
  })),
  ...(['--auths', '--signing-key', '--env-values-file', '--cert'] as const).map(
    (flag): InputRow => ({
      input: `env ${flag}`,
      args: (f, h, out) => ['env', ...logRouter(f), flag, h, '--out', out],
    }),
  ),
  // contract
  {
    input: 'contract --in',
    json: true,
    args: (_, h, out) => ['contract', '--in', h, '--out', out],
  },
  {
    input: 'contract --workload',
    json: true,
    args: (f, h, out) => ['contract', '--workload', h, '--env', f.env, '--out', out],
  },
  {
    input: 'contract --env',
    json: true,
    args: (f, h, out) => ['contract', '--workload', f.workload, '--env', h, '--out', out],
  },
  ...(['--attestation-key', '--cert', '--sign-key'] as const).map((flag): InputRow => ({
    input: `contract ${flag}`,
    json: true,
    args: (f, h, out) => [
      'contract',
      '--workload',
      f.workload,
      '--env',
      f.env,
      flag,
      h,
      '--out',
      out,
    ],
  })),
  {
    input: 'contract --sign-passphrase-file',
    anyBytes: true,
    json: true,
    args: (f, h, out) =>
      ['contract', '--workload', f.workload, '--env', f.env, '--sign-key', f.signKey].concat([
        '--sign-passphrase-file',
        h,
        '--out',
        out,
      ]),
  },
  ...(['--ca-cert', '--ca-key', '--ca-passphrase-file', '--csr'] as const).map(
    (flag): InputRow => ({
      input: `contract ${flag}`,
      json: true,
      ...(flag === '--ca-passphrase-file' ? { anyBytes: true as const } : {}),
      args: (f, h, out) => {
        const ca: Record<string, string> = { '--ca-cert': f.caCert, '--ca-key': f.caKey };
        ca[flag] = h;
        return ['contract', '--workload', f.workload, '--env', f.env]
          .concat(['--sign-key', f.signKey, '--expiry-days', '30'])
          .concat(Object.entries(ca).flat())
          .concat(['--signing-cert-out', join(out, '..', 'signing.crt'), '--out', out]);
      },
    }),
  ),
  {
    input: 'contract --batch',
    json: true,
    args: (f, h, out) =>
      ['contract', '--workload', f.workload, '--env', f.env, '--sign-key', f.signKey].concat([
        '--batch',
        h,
        '--out-dir',
        out,
      ]),
  },
  // sign, verify, validate, inspect
  {
    input: 'sign USER-DATA',
    json: true,
    args: (f, h, out) => ['sign', h, '--key', f.signKey, '--out', out],
  },
  {
    input: 'sign --key',
    json: true,
    args: (f, h, out) => ['sign', f.userData, '--key', h, '--out', out],
  },
  {
    input: 'sign --passphrase-file',
    anyBytes: true,
    json: true,
    args: (f, h, out) => [
      'sign',
      f.userData,
      '--key',
      f.signKey,
      '--passphrase-file',
      h,
      '--out',
      out,
    ],
  },
  {
    input: 'verify USER-DATA',
    report: true,
    json: true,
    args: (f, h) => ['verify', h, '--signing-key', f.signPub],
  },
  {
    input: 'verify --signing-key',
    report: true,
    json: true,
    args: (f, h) => ['verify', f.userData, '--signing-key', h],
  },
  {
    input: 'verify --decrypt-key',
    report: true,
    json: true,
    args: (f, h) => ['verify', f.userDataEncrypted, '--decrypt-key', h],
  },
  {
    input: 'verify --passphrase-file',
    anyBytes: true,
    report: true,
    json: true,
    args: (f, h) => [
      'verify',
      f.userDataEncrypted,
      '--decrypt-key',
      f.hpcrKey,
      '--passphrase-file',
      h,
    ],
  },
  {
    input: 'verify --ca-cert',
    report: true,
    json: true,
    args: (f, h) => ['verify', f.userData, '--signing-key', f.signPub, '--ca-cert', h],
  },
  { input: 'validate FILE', report: true, json: true, args: (_, h) => ['validate', h] },
  { input: 'inspect USER-DATA', report: true, json: true, args: (_, h) => ['inspect', h] },
  // encrypt, decrypt, luks-passphrase
  {
    input: 'encrypt FILE',
    anyBytes: true,
    json: true,
    args: (f, h, out) => ['encrypt', h, '--cert', f.hpcrCert, '--out', out],
  },
  {
    input: 'encrypt --cert',
    json: true,
    args: (f, h, out) => ['encrypt', f.workload, '--cert', h, '--out', out],
  },
  ...(['--chain', '--root', '--crl'] as const).map((flag): InputRow => ({
    input: `encrypt ${flag}`,
    json: true,
    args: (f, h, out) => {
      const chain: Record<string, string> = { '--root': f.caCert };
      chain[flag] = h;
      return ['encrypt', f.workload, '--cert', f.hpcrCert, ...Object.entries(chain).flat()].concat([
        '--out',
        out,
      ]);
    },
  })),
  {
    input: 'decrypt FILE',
    json: true,
    args: (f, h, out) => ['decrypt', h, '--key', f.hpcrKey, '--out', out],
  },
  {
    input: 'decrypt --key',
    json: true,
    args: (f, h, out) => ['decrypt', f.workloadToken, '--key', h, '--out', out],
  },
  {
    input: 'decrypt --passphrase-file',
    anyBytes: true,
    json: true,
    args: (f, h, out) => [
      'decrypt',
      f.workloadToken,
      '--key',
      f.hpcrKey,
      '--passphrase-file',
      h,
      '--out',
      out,
    ],
  },
  ...(['--env-seed-file', '--workload-seed-file', '--third-seed-file'] as const).map(
    (flag): InputRow => ({
      input: `luks-passphrase ${flag}`,
      // outside the runtime's seed alphabet is a warning: the seeds are only hashed
      anyBytes: true,
      args: (f, h, out) => {
        const seeds: Record<string, string> = {
          '--env-seed-file': f.envSeed,
          '--workload-seed-file': f.workloadSeed,
        };
        seeds[flag] = h;
        return ['luks-passphrase', ...Object.entries(seeds).flat(), '--out', out];
      },
    }),
  ),
  // keys, certs
  {
    input: 'keys generate --passphrase-file',
    anyBytes: true,
    json: true,
    args: (_, h, out) => [
      'keys',
      'generate',
      '--bits',
      '2048',
      '--passphrase-file',
      h,
      '--out-dir',
      out,
    ],
  },
  {
    input: 'certs verify CERT',
    report: true,
    json: true,
    args: (f, h) => ['certs', 'verify', h, ...trust(f)],
  },
  {
    input: 'certs verify --chain',
    report: true,
    json: true,
    args: (f, h) => ['certs', 'verify', f.hpcrCert, '--chain', h, ...trust(f)],
  },
  {
    input: 'certs verify --root',
    report: true,
    json: true,
    args: (f, h) => ['certs', 'verify', f.hpcrCert, '--root', h, '--no-crl'],
  },
  {
    input: 'certs verify --crl',
    report: true,
    json: true,
    args: (f, h) => ['certs', 'verify', f.hpcrCert, '--root', f.caCert, '--crl', h],
  },
  {
    input: 'certs get --from',
    json: true,
    args: (_, h, out) => ['certs', 'get', '--from', h, '--version', '1.0.29', '--out', out],
  },
  {
    // nothing listens on port 9: the CA file is read (and refused) before any connection
    input: 'certs download --ca-file',
    json: true,
    args: (_, h, out) =>
      ['certs', 'download', '--version', '1.0.29', '--base-url', 'https://127.0.0.1:9'].concat([
        '--ca-file',
        h,
        '--timeout',
        '5',
        '--out',
        out,
      ]),
  },
  // attestation
  {
    input: 'attestation verify --record',
    report: true,
    json: true,
    args: (f, h) => attestation(f, h),
  },
  {
    input: 'attestation verify --signature',
    report: true,
    json: true,
    args: (f, h) =>
      ['attestation', 'verify', '--record', f.record, '--signature', h].concat([
        '--cert',
        f.hpcrCert,
        ...['--root', f.hpcrCert, '--no-crl'],
      ]),
  },
  {
    input: 'attestation verify --key',
    report: true,
    json: true,
    args: (f, h) => attestation(f, f.encryptedRecord, ['--key', h]),
  },
  {
    input: 'attestation verify --passphrase-file',
    anyBytes: true,
    report: true,
    json: true,
    args: (f, h) =>
      attestation(f, f.encryptedRecord, ['--key', f.auditorKey, '--passphrase-file', h]),
  },
  {
    input: 'attestation verify --cert',
    report: true,
    json: true,
    args: (f, h) =>
      ['attestation', 'verify', '--record', f.record, '--signature', f.recordSignature].concat([
        '--cert',
        h,
        '--root',
        f.hpcrCert,
        '--no-crl',
      ]),
  },
  {
    input: 'attestation verify --chain',
    report: true,
    json: true,
    args: (f, h) => attestation(f, f.record, ['--chain', h]),
  },
  {
    input: 'attestation verify --root',
    report: true,
    json: true,
    args: (f, h) =>
      ['attestation', 'verify', '--record', f.record, '--signature', f.recordSignature].concat([
        '--cert',
        f.hpcrCert,
        '--root',
        h,
        '--no-crl',
      ]),
  },
  {
    input: 'attestation verify --crl',
    report: true,
    json: true,
    args: (f, h) =>
      ['attestation', 'verify', '--record', f.record, '--signature', f.recordSignature].concat([
        '--cert',
        f.hpcrCert,
        '--root',
        f.hpcrCert,
        '--crl',
        h,
      ]),
  },
  {
    input: 'attestation verify --contract',
    report: true,
    json: true,
    args: (f, h) => attestation(f, f.record, ['--contract', h]),
  },
  {
    input: 'attestation verify --cidata',
    report: true,
    json: true,
    args: (f, h) => attestation(f, f.record, ['--cidata', h]),
  },
  {
    input: 'attestation verify --reference',
    report: true,
    json: true,
    args: (f, h) => attestation(f, f.record, ['--reference', h]),
  },
  {
    input: 'attestation verify --batch',
    folder: true,
    report: true,
    json: true,
    args: (f, h) =>
      ['attestation', 'verify', '--batch', h, '--cert', f.hpcrCert].concat([
        '--root',
        f.hpcrCert,
        '--no-crl',
      ]),
  },
  {
    input: 'attestation decrypt --record',
    json: true,
    args: (f, h, out) => [
      'attestation',
      'decrypt',
      '--record',
      h,
      '--key',
      f.auditorKey,
      '--out',
      out,
    ],
  },
  {
    input: 'attestation decrypt --key',
    json: true,
    args: (f, h, out) => [
      'attestation',
      'decrypt',
      '--record',
      f.encryptedRecord,
      '--key',
      h,
      '--out',
      out,
    ],
  },
  {
    input: 'attestation decrypt --passphrase-file',
    anyBytes: true,
    json: true,
    args: (f, h, out) =>
      ['attestation', 'decrypt', '--record', f.encryptedRecord, '--key', f.auditorKey].concat([
        '--passphrase-file',
        h,
        '--out',
        out,
      ]),
  },
  // emulator
  {
    input: 'emulator boot USER-DATA',
    report: true,
    recordsFailure: true,
    args: (f, h, out) => ['emulator', 'boot', h, ...boot(f, out)],
  },
  {
    input: 'emulator boot --initdata',
    report: true,
    recordsFailure: true,
    args: (f, h, out) => ['emulator', 'boot', '--initdata', h, ...boot(f, out, f.cccoState)],
  },
  {
    input: 'emulator boot --pod',
    report: true,
    recordsFailure: true,
    args: (f, h, out) => [
      'emulator',
      'boot',
      '--initdata',
      f.initdata,
      '--pod',
      h,
      ...boot(f, out, f.cccoState),
    ],
  },
  {
    input: 'emulator boot --cidata',
    report: true,
    recordsFailure: true,
    args: (f, h, out) => ['emulator', 'boot', '--cidata', h, ...boot(f, out)],
  },
  {
    input: 'emulator boot --state',
    report: true,
    recordsFailure: true,
    folder: true,
    args: (f, h, out) => ['emulator', 'boot', f.userData, '--state', h, '--out-dir', out],
  },
  {
    input: 'emulator boot --podman-config',
    report: true,
    recordsFailure: true,
    args: (f, h, out) =>
      ['emulator', 'boot', f.userData, ...boot(f, out), '--runtime', 'podman'].concat([
        '--podman-config',
        h,
      ]),
  },
  {
    input: 'emulator stop --state',
    folder: true,
    args: (_, h) => ['emulator', 'stop', '--state', h],
  },
  ...(['--ca', '--cert', '--key'] as const).map((flag): InputRow => ({
    input: `emulator log-server ${flag}`,
    args: (f, h, out) => {
      const tls: Record<string, string> = {
        '--ca': f.caCert,
        '--cert': f.hpcrCert,
        '--key': f.hpcrKey,
      };
      tls[flag] = h;
      return ['emulator', 'log-server', '--port', '0', ...Object.entries(tls).flat()].concat([
        '--out',
        out,
      ]);
    },
  })),
  // initdata, secrets, policy
  {
    input: 'initdata build --contract',
    json: true,
    args: (_, h, out) => ['initdata', 'build', '--contract', h, '--out', out],
  },
  {
    input: 'initdata build --se-header',
    anyBytes: true,
    json: true,
    args: (f, h, out) => [
      'initdata',
      'build',
      '--contract',
      f.userDataEncrypted,
      '--se-header',
      h,
      '--out',
      out,
    ],
  },
  {
    input: 'initdata build --pod',
    json: true,
    args: (f, h, out) => [
      'initdata',
      'build',
      '--contract',
      f.userDataEncrypted,
      '--pod',
      h,
      '--out',
      out,
    ],
  },
  { input: 'initdata inspect INITDATA', json: true, args: (_, h) => ['initdata', 'inspect', h] },
  {
    input: 'secrets seal --in',
    anyBytes: true,
    args: (f, h, out) =>
      ['secrets', 'seal', '--type', 'workload', '--in', h, '--encryption-key', f.sealPublic].concat(
        ['--signing-key', f.sealPrivate, '--out', out],
      ),
  },
  {
    input: 'secrets seal --encryption-key',
    args: (f, h, out) =>
      [
        'secrets',
        'seal',
        '--type',
        'workload',
        '--in',
        f.plainSecret,
        '--encryption-key',
        h,
      ].concat(['--signing-key', f.sealPrivate, '--out', out]),
  },
  {
    input: 'secrets seal --signing-key',
    args: (f, h, out) =>
      ['secrets', 'seal', '--type', 'workload', '--in', f.plainSecret].concat([
        '--encryption-key',
        f.sealPublic,
        '--signing-key',
        h,
        '--out',
        out,
      ]),
  },
  {
    input: 'secrets unseal --in',
    args: (f, h, out) =>
      ['secrets', 'unseal', '--in', h, '--decryption-key', f.sealPrivate].concat([
        '--verification-key',
        f.sealPublic,
        '--out',
        out,
      ]),
  },
  {
    input: 'secrets unseal --decryption-key',
    args: (f, h, out) =>
      ['secrets', 'unseal', '--in', f.sealedSecret, '--decryption-key', h].concat([
        '--verification-key',
        f.sealPublic,
        '--out',
        out,
      ]),
  },
  {
    input: 'secrets unseal --verification-key',
    args: (f, h, out) =>
      ['secrets', 'unseal', '--in', f.sealedSecret, '--decryption-key', f.sealPrivate].concat([
        '--verification-key',
        h,
        '--out',
        out,
      ]),
  },
  {
    input: 'policy generate --pod',
    args: (_, h, out) => ['policy', 'generate', '--pod', h, '--out', out],
  },
  {
    input: 'policy generate --template',
    args: (f, h, out) => ['policy', 'generate', '--pod', f.pod, '--template', h, '--out', out],
  },
];
