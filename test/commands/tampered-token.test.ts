import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptSection } from '../../src/crypto/encrypt-section.js';
import { DECRYPTION_FAILED_MESSAGE } from '../../src/errors.js';
import { makeRecordBundle, sampleUserData } from '../helpers/attestation-bundle.js';
import { isOneLineError, runCli } from '../helpers/run-cli.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { tamperToken } from '../helpers/tamper-token.js';
import { useTempDir } from '../helpers/temp-dir.js';

/**
 * Tokens carry no integrity check (the openssl enc format has no MAC). A flipped bit in the
 * padding fails as the generic decryption error; one in an early block decrypts to garbage.
 * `decrypt` hands out raw bytes and cannot tell; the commands that expect a section or a
 * record say what happened.
 */

const tempDir = useTempDir('hpvs-ctl-tamper-');
const file = (name: string): string => join(tempDir(), name);
const hpcr = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const random = seededRandom('tampered-token');
const TAMPERED = /the token may be corrupted or tampered with \(tokens carry no integrity check/;

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

beforeAll(() => {
  writeFileSync(file('hpcr.pem'), hpcr.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(file('early.enc'), tamperToken(envToken, 'early-block'));
  writeFileSync(file('padding.enc'), tamperToken(envToken, 'padding-byte'));
  writeFileSync(file('early.yaml'), userDataWithEnv(tamperToken(envToken, 'early-block')));
  writeFileSync(file('padding.yaml'), userDataWithEnv(tamperToken(envToken, 'padding-byte')));
});

describe('a token with a flipped bit', () => {
  it('decrypt writes the garbage an early block opens to (exit 0: it cannot know; see the README)', async () => {
    const result = await runCli(['decrypt', file('early.enc'), '--key', file('hpcr.pem')]);
    expect(result.code).toBe(0);
    expect(result.stdoutBytes.length).toBe(env.length);
    expect(result.stdoutBytes.equals(Buffer.from(env))).toBe(false);
    const padding = await runCli(['decrypt', file('padding.enc'), '--key', file('hpcr.pem')]);
    expect(padding.code).toBe(1);
    expect(padding.stderr).toContain(DECRYPTION_FAILED_MESSAGE);
  });

  it('verify --decrypt-key says the decrypted env is not valid YAML and why', async () => {
    const early = await runCli(['verify', file('early.yaml'), '--decrypt-key', file('hpcr.pem')]);
    expect(early.code).toBe(1);
    expect(isOneLineError(early.stderr)).toBe(true);
    expect(early.stderr).toMatch(/\(decrypted env\): the decrypted env section is not valid YAML/);
    expect(early.stderr).toMatch(TAMPERED);
    const padding = await runCli([
      'verify',
      file('padding.yaml'),
      '--decrypt-key',
      file('hpcr.pem'),
    ]);
    expect(padding.code).toBe(1);
    expect(isOneLineError(padding.stderr)).toBe(true);
    expect(padding.stderr).toContain(DECRYPTION_FAILED_MESSAGE);
  });

  it('attestation decrypt refuses a record that opens to garbage, and writes nothing', async () => {
    const auditor = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file('auditor.pem'), auditor.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const bundle = makeRecordBundle({
      userData: sampleUserData(),
      attestationKey: signer.privateKey,
      auditorPublicKey: auditor.publicKey,
      random,
    });
    writeFileSync(file('record.enc'), tamperToken(bundle.recordFile.toString(), 'early-block'));
    const result = await runCli([
      'attestation',
      'decrypt',
      '--record',
      file('record.enc'),
      '--key',
      file('auditor.pem'),
      '--out',
      file('record.txt'),
    ]);
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(/record\.enc: the decrypted record is not an attestation record/);
    expect(result.stderr).toMatch(/tampered with \(tokens carry no integrity check/);
    expect(existsSync(file('record.txt'))).toBe(false);
  });
});
