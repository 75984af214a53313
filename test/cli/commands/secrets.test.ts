import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { DECRYPTION_FAILED_MESSAGE } from '../../../src/core/errors.js';
import { expectCliError } from '../../helpers/expect-error.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const tempDir = useTempDir();
let keys: string;
const key = (name: string): string => join(keys, name);

beforeAll(async () => {
  keys = join(tempDir(), 'seal-keys');
  const result = await runCli(['secrets', 'keys', '--out-dir', keys]);
  expect(result.code).toBe(0);
}, 60_000);

describe('hpvs-ctl secrets', () => {
  it('writes RSA-4096 keys with private files 0600, printing only paths', async () => {
    for (const name of [
      'seal-decryption-private.pem',
      'seal-signing-private.pem',
      'confidential-containers-secret.yaml',
    ]) {
      expect(statSync(key(name)).mode & 0o777).toBe(0o600);
    }
    const pem = readFileSync(key('seal-signing-private.pem'), 'utf8');
    const { createPrivateKey } = await import('node:crypto');
    expect(createPrivateKey(pem).asymmetricKeyDetails?.modulusLength).toBe(4096);
    const snippet = parseYaml(readFileSync(key('confidential-containers-secret.yaml'), 'utf8')) as {
      secret: { verificationKey: string; decryptionKey: string };
    };
    expect(snippet.secret.verificationKey).toBe(
      readFileSync(key('seal-verification-public.pem'), 'utf8'),
    );
    expect(snippet.secret.decryptionKey).toBe(
      readFileSync(key('seal-decryption-private.pem'), 'utf8'),
    );
    const again = await runCli(['secrets', 'keys', '--out-dir', keys]);
    expect(again.code).toBe(1);
  });

  it('seals from stdin and unseals to a 0600 file; a tampered value gets the generic error', async () => {
    const sealed = await runCli(
      [
        'secrets',
        'seal',
        '--type',
        'workload',
        '--in',
        '-',
        '--encryption-key',
        key('seal-encryption-public.pem'),
        '--signing-key',
        key('seal-signing-private.pem'),
      ],
      { stdin: 'p@ssw0rd\n' },
    );
    expect(sealed.code).toBe(0);
    expect(sealed.stdout).toMatch(/^sealed\.[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(sealed.stdout).not.toContain('PRIVATE');
    const sealedFile = join(tempDir(), 'sealed.txt');
    writeFileSync(sealedFile, sealed.stdout);
    const out = join(tempDir(), 'secret.txt');
    const opened = await runCli([
      'secrets',
      'unseal',
      '--in',
      sealedFile,
      '--decryption-key',
      key('seal-decryption-private.pem'),
      '--verification-key',
      key('seal-verification-public.pem'),
      '--out',
      out,
    ]);
    expect(opened.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('p@ssw0rd');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const base = [
      'secrets',
      'unseal',
      '--in',
      '-',
      '--decryption-key',
      key('seal-decryption-private.pem'),
      '--verification-key',
      key('seal-verification-public.pem'),
    ];
    await expectCliError([...base, '--type', 'env'], DECRYPTION_FAILED_MESSAGE, sealed.stdout);
    await expectCliError(base, DECRYPTION_FAILED_MESSAGE, sealed.stdout.replace('.eyJ', '.eyK'));
  });

  it('refuses a missing --type as a usage error', async () => {
    const result = await runCli([
      'secrets',
      'seal',
      '--in',
      '-',
      '--encryption-key',
      'a',
      '--signing-key',
      'b',
    ]);
    expect(result.code).toBe(2);
  });
});
