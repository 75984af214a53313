import { generateKeyPairSync } from 'node:crypto';
import {
  copyFileSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportPrivateKeyPem } from '../../src/core/pki/rsa-key-pair.js';
import {
  makeRecordBundle,
  sampleUserData,
  writeRecordBundle,
} from '../helpers/attestation-bundle.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { writeAdversarialFiles, type AdversarialFiles } from './fixtures.js';
import { expectCleanFailure, runBounded } from './hostile-cli.js';

/**
 * An output that names one of the command's inputs (directly, as ./name, through a hard link
 * or a symbolic link) is refused before anything is written: the input survives byte for byte
 * (issue 9 item 12). `sign` may rewrite its user data in place by design, but never its key.
 */
const tempDir = useTempDir('hpvs-adversarial-onto-input-');
let f: AdversarialFiles;
let dir: string;
let record: string;
let auditorKey: string;

beforeAll(async () => {
  dir = tempDir();
  f = await writeAdversarialFiles(join(dir, 'fixtures'));
  const auditor = generateKeyPairSync('rsa', { modulusLength: 2048 });
  auditorKey = join(dir, 'auditor.pem');
  writeFileSync(auditorKey, exportPrivateKeyPem(auditor.privateKey), { mode: 0o600 });
  record = writeRecordBundle(
    join(dir, 'bundle'),
    makeRecordBundle({
      userData: sampleUserData(),
      attestationKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      auditorPublicKey: auditor.publicKey,
    }),
  ).record;
}, 60_000);

/** How the output names the input. */
const ALIASES: [string, (work: string, input: string) => string][] = [
  ['the same path', (_, input) => input],
  ['./name from its folder', (_, input) => `./${basename(input)}`],
  [
    'a hard link',
    (work, input) => {
      const link = join(work, 'hard-link');
      linkSync(input, link);
      return link;
    },
  ],
  [
    'a symbolic link',
    (work, input) => {
      const link = join(work, 'soft-link');
      symlinkSync(input, link);
      return link;
    },
  ],
];

/**
 * Each command with the input the output collides with: `inputs` copies fixtures into the
 * case's folder (the one the command reads) and returns [args without --out, the collided input].
 */
const COMMANDS: [string, (work: string) => [string[], string]][] = [
  [
    'encrypt onto its section',
    (w) => [['encrypt', copy(f.workload, w), '--cert', f.hpcrCert], join(w, 'workload.yaml')],
  ],
  [
    'encrypt onto its certificate',
    (w) => [['encrypt', f.workload, '--cert', copy(f.hpcrCert, w)], join(w, 'hpcr.crt')],
  ],
  [
    'decrypt onto its token',
    (w) => [['decrypt', copy(f.workloadToken, w), '--key', f.hpcrKey], join(w, 'workload.enc')],
  ],
  [
    'decrypt onto its private key',
    (w) => [['decrypt', f.workloadToken, '--key', copy(f.hpcrKey, w)], join(w, 'hpcr.key')],
  ],
  [
    'luks-passphrase onto the env seed',
    (w) => [
      [
        'luks-passphrase',
        '--env-seed-file',
        copy(f.envSeed, w),
        '--workload-seed-file',
        f.workloadSeed,
      ],
      join(w, 'env.seed'),
    ],
  ],
  [
    'luks-passphrase onto the workload seed',
    (w) => [
      [
        'luks-passphrase',
        '--env-seed-file',
        f.envSeed,
        '--workload-seed-file',
        copy(f.workloadSeed, w),
      ],
      join(w, 'workload.seed'),
    ],
  ],
  [
    'attestation decrypt onto its record',
    (w) => [
      ['attestation', 'decrypt', '--record', copy(record, w), '--key', auditorKey],
      join(w, 'se-checksums.txt.enc'),
    ],
  ],
  [
    'contract onto its workload',
    (w) => [
      ['contract', '--workload', copy(f.workload, w), '--env', f.env],
      join(w, 'workload.yaml'),
    ],
  ],
  [
    'workload onto its seed',
    (w) => [
      [
        'workload',
        '--compose',
        f.composeDir,
        '--volume',
        'data',
        '--mount',
        '/mnt/data',
        '--seed-file',
        copy(f.workloadSeed, w),
      ],
      join(w, 'workload.seed'),
    ],
  ],
  [
    'env onto its API key file',
    (w) => [
      [
        'env',
        '--log-router-host',
        'ingest.example.com',
        '--log-router-key-file',
        copy(f.apiKey, w),
      ],
      join(w, 'apikey.txt'),
    ],
  ],
  [
    'sign onto its key',
    (w) => [['sign', f.userData, '--key', copy(f.signKey, w)], join(w, 'sign.pem')],
  ],
];

function copy(from: string, work: string): string {
  const to = join(work, basename(from));
  copyFileSync(from, to);
  return to;
}

let counter = 0;

async function expectRefused(
  command: (work: string) => [string[], string],
  alias: (work: string, input: string) => string,
  label: string,
): Promise<void> {
  const work = join(dir, `case-${++counter}`);
  mkdirSync(work);
  const [args, input] = command(work);
  const before = readFileSync(input);
  const out = alias(work, input);
  const listing = readdirSync(work).sort();
  const result = await runBounded([...args, '--out', out], { cwd: work });
  expectCleanFailure(result, label, { code: [1, 2], secrets: f.secrets });
  expect(readFileSync(input).equals(before), `${label}: the input changed`).toBe(true);
  expect(readdirSync(work).sort(), `${label}: a temporary file was left`).toEqual(listing);
}

describe.concurrent('an --out naming one of the inputs', () => {
  it.each(COMMANDS)('%s is refused and the input kept', (label, command) =>
    expectRefused(command, ALIASES[0]![1], label),
  );
});

describe.concurrent('the same file under another name', () => {
  const cases = ALIASES.slice(1).flatMap(([alias, name]) =>
    COMMANDS.filter(([label]) =>
      /^(encrypt onto its section|decrypt onto its private key)$/.test(label),
    ).map(([label, command]) => [`${label}, through ${alias}`, command, name] as const),
  );
  it.each(cases)('%s is refused and the input kept', (label, command, alias) =>
    expectRefused(command, alias, label),
  );
});
