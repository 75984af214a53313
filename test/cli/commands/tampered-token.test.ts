import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { DECRYPTION_FAILED_MESSAGE } from '../../../src/core/errors.js';
import { makeRecordBundle, sampleUserData } from '../../helpers/attestation-bundle.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { tamperToken } from '../../helpers/tamper-token.js';
import { useTempDir } from '../../helpers/temp-dir.js';

/**
 * Tokens carry no integrity check (the openssl enc format has no MAC). A flipped bit in the
 * padding fails the decryption; one in an early block decrypts to garbage. `decrypt` hands out
 * raw bytes and cannot tell. The commands that expect a section or a record must not tell
 * either: whoever submits changed tokens and sees "bad padding" apart from "good padding,
 * garbage" can decrypt a token block by block (Vaudenay). So a bad padding, an early-block flip
 * and the wrong key give byte-identical stderr and the same exit code.
 */

const tempDir = useTempDir('hpvs-ctl-tamper-');
const file = (name: string): string => join(tempDir(), name);
const hpcr = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const auditor = generateKeyPairSync('rsa', { modulusLength: 2048 });
const random = seededRandom('tampered-token');

const env = [
  'type: env',
  'logging:',
  '  syslog:',
  '    hostname: logs.example.com',
  '    port: 6514',
  'signingKey: |',
  ...signer.publicKey
    .export({ type: 'spki', format: 'pem' })
    .toString()
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`),
  '',
].join('\n');
const envToken = encryptSection(Buffer.from(env), hpcr.publicKey, random);

function userDataWithEnv(token: string): string {
  return `workload:\n  type: workload\n  compose:\n    archive: H4sI\nenv: ${token}\nenvWorkloadSignature: c2lnbmF0dXJl\n`;
}

/** The three ways a token fails to open, each as [token, key file]. */
function failures(token: string, key: string, otherKey: string): [string, string, string][] {
  return [
    ['bad padding (last block)', tamperToken(token, 'padding-byte'), key],
    ['garbage (first block)', tamperToken(token, 'early-block'), key],
    ['the wrong key', token, otherKey],
  ];
}

/**
 * Runs `args` once per failure with the token written to the same path `at`, and expects every
 * run to end alike: exit 1, one line, the same stderr byte for byte, nothing on stdout.
 */
async function expectIndistinguishable(
  cases: [string, string, string][],
  at: string,
  args: (key: string) => string[],
  message: RegExp,
): Promise<void> {
  const results: { name: string; code: number; stderr: string; stdout: string }[] = [];
  for (const [name, content, key] of cases) {
    writeFileSync(at, content);
    const { code, stderr, stdout } = await runCli(args(key));
    results.push({ name, code, stderr, stdout });
  }
  for (const result of results) {
    expect(result.code, result.name).toBe(1);
    expect(isOneLineError(result.stderr), result.stderr).toBe(true);
    expect(result.stderr, result.name).toMatch(message);
    expect(result.stdout, result.name).toBe('');
  }
  expect(new Set(results.map((result) => result.stderr)).size, results[0]!.stderr).toBe(1);
}

beforeAll(() => {
  writeFileSync(file('hpcr.pem'), hpcr.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(file('other.pem'), other.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(file('auditor.pem'), auditor.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(file('early.enc'), tamperToken(envToken, 'early-block'));
  writeFileSync(file('padding.enc'), tamperToken(envToken, 'padding-byte'));
});

describe('a token with a flipped bit', () => {
  it('decrypt writes the garbage an early block opens to (exit 0: a raw decryption cannot know; see the README)', async () => {
    const result = await runCli(['decrypt', file('early.enc'), '--key', file('hpcr.pem')]);
    expect(result.code).toBe(0);
    expect(result.stdoutBytes.length).toBe(env.length);
    expect(result.stdoutBytes.equals(Buffer.from(env))).toBe(false);
    const padding = await runCli(['decrypt', file('padding.enc'), '--key', file('hpcr.pem')]);
    expect(padding.code).toBe(1);
    expect(padding.stderr).toContain(DECRYPTION_FAILED_MESSAGE);
  });

  it('verify --decrypt-key: a bad padding, garbage, a non-YAML plaintext and the wrong key give the same line', async () => {
    const notYaml = encryptSection(Buffer.from('a: [1\n'), hpcr.publicKey, random);
    await expectIndistinguishable(
      [
        ...failures(envToken, file('hpcr.pem'), file('other.pem')),
        ['a plaintext that is not YAML', notYaml, file('hpcr.pem')],
      ].map(([name, token, key]) => [name!, userDataWithEnv(token!), key!]),
      file('user-data.yaml'),
      (key) => ['verify', file('user-data.yaml'), '--decrypt-key', key],
      /^hpvs-ctl: error: \S+user-data\.yaml: the env section cannot be opened: the token is corrupted or tampered with, or was not encrypted for this key \(tokens carry no integrity check; sign the contract\)\n$/,
    );
  });

  it('attestation decrypt: a bad padding, garbage and the wrong key give the same line, and write nothing', async () => {
    const bundle = makeRecordBundle({
      userData: sampleUserData(),
      attestationKey: signer.privateKey,
      auditorPublicKey: auditor.publicKey,
      random,
    });
    await expectIndistinguishable(
      failures(bundle.recordFile.toString(), file('auditor.pem'), file('other.pem')),
      file('record.enc'),
      (key) => [
        ...['attestation', 'decrypt', '--record', file('record.enc'), '--key', key],
        ...['--out', file('record.txt')],
      ],
      /^hpvs-ctl: error: \S+record\.enc: the attestation record cannot be opened: the token is corrupted or tampered with, or was not encrypted for this key \(tokens carry no integrity check\)\n$/,
    );
    expect(existsSync(file('record.txt'))).toBe(false);
  });
});
