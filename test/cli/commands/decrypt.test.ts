import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { parsePrivateKey } from '../../../src/core/crypto/keys.js';
import { DECRYPTION_FAILED_MESSAGE } from '../../../src/core/errors.js';
import { HAS_REFERENCE, referencePath } from '../../helpers/reference.js';
import { expectCliError } from '../../helpers/expect-error.js';
import { runCli } from '../../helpers/run-cli.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-decrypt-');
const SECTION = Buffer.from('type: workload\ncompose:\n  archive: H4sIAAAA\n\u00e9\u0000\n');
const random = seededRandom('decrypt-cli');

let keyPath: string;
let otherKeyPath: string;
let tokenPath: string;
let token: string;

function path(name: string): string {
  return join(tempDir(), name);
}

describe('hpvs-ctl decrypt', () => {
  beforeAll(() => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyPath = path('private.pem');
    writeFileSync(keyPath, pair.privateKey.export({ type: 'pkcs1', format: 'pem' }));
    otherKeyPath = path('other.pem');
    writeFileSync(
      otherKeyPath,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }),
    );
    token = encryptSection(SECTION, pair.publicKey, random);
    tokenPath = path('section.enc');
    writeFileSync(tokenPath, `${token}\n`);
  });

  it('writes the exact plaintext bytes to stdout', async () => {
    const result = await runCli(['decrypt', tokenPath, '--key', keyPath]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdoutBytes).toEqual(SECTION);
  });

  it('reads standard input for - and when no file is given, line-wrapped tokens included', async () => {
    const wrapped = `\n  ${token.replace(/(.{64})/g, '$1\n  ')}\n`;
    for (const args of [['-'], []]) {
      const result = await runCli(['decrypt', ...args, '--key', keyPath], { stdin: wrapped });
      expect(result.code).toBe(0);
      expect(result.stdoutBytes).toEqual(SECTION);
    }
  });

  describe.skipIf(!HAS_REFERENCE)('reference fixtures', () => {
    it('opens the truncated-password fixture to exactly "hello-world"', async () => {
      const dir = referencePath('fixtures', 'truncated-password');
      const result = await runCli([
        'decrypt',
        join(dir, 'encrypt.txt'),
        '--key',
        join(dir, 'private.key'),
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('hello-world');
    });

    it('opens attestation records written by real HPCR runtimes', async () => {
      const cases: Array<[string, RegExp]> = [
        ['attestation-24.3.3', /^24\.3\.3\n[\s\S]* baseimage\n/],
        ['attestation-25.11.0', /^0\.0\.0\n/],
      ];
      for (const [folder, expected] of cases) {
        const dir = referencePath('fixtures', folder);
        const result = await runCli([
          'decrypt',
          join(dir, 'se-checksums.txt.enc'),
          '--key',
          join(dir, 'private.pem'),
        ]);
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(expected);
      }
    });

    it('fails cleanly on encrypt.invalid.txt', async () => {
      const dir = referencePath('fixtures', 'truncated-password');
      await expectCliError(
        ['decrypt', join(dir, 'encrypt.invalid.txt'), '--key', join(dir, 'private.key')],
        /the password part is not valid base64/,
      );
    });

    describe('a passphrase-protected PKCS#8 key', () => {
      const lockedKey = HAS_REFERENCE
        ? referencePath('fixtures', 'encrypted-private-key', 'private_encrypted.pem')
        : '';
      let lockedToken: string;
      beforeAll(() => {
        const privateKey = parsePrivateKey(
          readFileSync(lockedKey),
          'fixture',
          Buffer.from('testpassword'),
        );
        lockedToken = encryptSection(SECTION, createPublicKey(privateKey), random);
        writeFileSync(path('locked.enc'), lockedToken);
        writeFileSync(path('pass.txt'), 'testpassword\n');
        writeFileSync(path('wrong-pass.txt'), 'wrongpassword');
      });

      it('opens with --passphrase-file (a final newline in the file is ignored)', async () => {
        const result = await runCli(
          story.decrypt({
            file: path('locked.enc'),
            key: lockedKey,
            passphraseFile: path('pass.txt'),
          }),
        );
        expect(result.code).toBe(0);
        expect(result.stdoutBytes).toEqual(SECTION);
      });

      it('takes the passphrase from stdin with --passphrase-file -', async () => {
        const result = await runCli(
          ['decrypt', path('locked.enc'), '--key', lockedKey, '--passphrase-file', '-'],
          { stdin: 'testpassword\n' },
        );
        expect(result.code).toBe(0);
        expect(result.stdoutBytes).toEqual(SECTION);
      });

      it('asks for the passphrase when none is given', () =>
        expectCliError(
          ['decrypt', path('locked.enc'), '--key', lockedKey],
          /passphrase-protected; give the passphrase with --passphrase-file/,
        ));

      it('says when the passphrase is wrong', () =>
        expectCliError(
          story.decrypt({
            file: path('locked.enc'),
            key: lockedKey,
            passphraseFile: path('wrong-pass.txt'),
          }),
          /cannot unlock the private key; check the passphrase/,
        ));

      it('refuses an empty passphrase file', () => {
        writeFileSync(path('empty-pass.txt'), '\n');
        return expectCliError(
          story.decrypt({
            file: path('locked.enc'),
            key: lockedKey,
            passphraseFile: path('empty-pass.txt'),
          }),
          /the passphrase is empty/,
        );
      });
    });
  });

  describe('bad input gives exit 1 and a one-line message', () => {
    it('the wrong key gives the generic decryption error', () =>
      expectCliError(
        ['decrypt', tokenPath, '--key', otherKeyPath],
        `hpvs-ctl: error: ${DECRYPTION_FAILED_MESSAGE}\n`,
      ));

    it('a truncated token', async () => {
      writeFileSync(path('cut.enc'), token.slice(0, token.length - 7));
      await expectCliError(
        ['decrypt', path('cut.enc'), '--key', keyPath],
        /data part is not valid base64 \(truncated or corrupted\?\)/,
      );
      writeFileSync(path('cut-at-dot.enc'), token.slice(0, token.lastIndexOf('.')));
      await expectCliError(
        ['decrypt', path('cut-at-dot.enc'), '--key', keyPath],
        /expected hyper-protect-basic\.<password>\.<data>/,
      );
    });

    it('a token cut at a base64 boundary gives the generic error', () => {
      // Still whole base64 (the data part loses 24 characters = 18 bytes), so only the
      // decryption can notice.
      writeFileSync(path('cut-whole.enc'), token.slice(0, token.length - 24));
      return expectCliError(
        ['decrypt', path('cut-whole.enc'), '--key', keyPath],
        `hpvs-ctl: error: ${DECRYPTION_FAILED_MESSAGE}\n`,
      );
    });

    it('a token that is not base64', () => {
      writeFileSync(path('not-b64.enc'), 'hyper-protect-basic.this*is*not*base64.neither!this');
      return expectCliError(
        ['decrypt', path('not-b64.enc'), '--key', keyPath],
        /the password part is not valid base64/,
      );
    });

    it('a file that is not a token at all', () => {
      writeFileSync(path('plain.yaml'), 'type: workload\n');
      return expectCliError(
        ['decrypt', path('plain.yaml'), '--key', keyPath],
        /not an encrypted section: expected it to start with "hyper-protect-basic\." or "contract-basic\.", found "type:workload"/,
      );
    });

    it('empty input', () =>
      expectCliError(
        ['decrypt', '-', '--key', keyPath],
        /stdin: no encrypted section to decrypt/,
        ' \n',
      ));

    it('a missing token file', () =>
      expectCliError(
        ['decrypt', path('nope.enc'), '--key', keyPath],
        /nope\.enc: encrypted section file not found; check the path/,
      ));

    it('a missing key file', () =>
      expectCliError(
        ['decrypt', tokenPath, '--key', path('nope.pem')],
        /nope\.pem: private key file not found/,
      ));

    it('a malformed PEM key', () => {
      writeFileSync(
        path('garbage.pem'),
        '-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n',
      );
      return expectCliError(
        ['decrypt', tokenPath, '--key', path('garbage.pem')],
        /garbage\.pem: the private key cannot be parsed/,
      );
    });

    it('a public key given as --key', () => {
      writeFileSync(
        path('public.pem'),
        createPublicKey(readFileSync(keyPath)).export({ type: 'spki', format: 'pem' }),
      );
      return expectCliError(
        ['decrypt', tokenPath, '--key', path('public.pem')],
        /found a "PUBLIC KEY" PEM block; expected a PRIVATE KEY/,
      );
    });

    it('an EC key', () => {
      writeFileSync(
        path('ec.pem'),
        generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        }),
      );
      return expectCliError(
        ['decrypt', tokenPath, '--key', path('ec.pem')],
        /EC key; hpvs-ctl needs an RSA key/,
      );
    });
  });

  it('refuses to read two inputs from stdin (exit 2)', async () => {
    const result = await runCli(['decrypt', '--key', keyPath, '--passphrase-file', '-'], {
      stdin: token,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'only one input can come from stdin (-), but the file argument and --passphrase-file both ask for it',
    );
  });

  it('refuses a token given in place of the file name, without repeating it (exit 2)', async () => {
    const result = await runCli(['decrypt', token.trim(), '--key', keyPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^hpvs-ctl: error: the argument is a token, not a file/);
    expect(result.stderr).not.toContain(token.trim().slice(20, 60));
  });

  it('reads the token from stdin by default or with -, and --out - is stdout', async () => {
    for (const args of [[], ['-'], ['-', '--out', '-']]) {
      const result = await runCli(['decrypt', ...args, '--key', keyPath], { stdin: token });
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdoutBytes).toEqual(SECTION);
    }
  });

  describe('--out', () => {
    it('writes the plaintext privately (0600) and nothing to stdout', async () => {
      const dir = path('out-ok');
      mkdirSync(dir);
      const out = join(dir, 'section.yaml');
      const result = await runCli(['decrypt', tokenPath, '--key', keyPath, '--out', out]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      expect(readFileSync(out)).toEqual(SECTION);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(readdirSync(dir)).toEqual(['section.yaml']);
    });

    it('creates no file, and keeps an existing one, when decryption fails', async () => {
      const dir = path('out-fail');
      mkdirSync(dir);
      const fresh = join(dir, 'fresh.yaml');
      expect(
        (await runCli(['decrypt', tokenPath, '--key', otherKeyPath, '--out', fresh])).code,
      ).toBe(1);
      expect(existsSync(fresh)).toBe(false);
      const existing = join(dir, 'existing.yaml');
      writeFileSync(existing, 'keep me');
      expect(
        (await runCli(['decrypt', tokenPath, '--key', otherKeyPath, '--out', existing])).code,
      ).toBe(1);
      expect(readFileSync(existing, 'utf8')).toBe('keep me');
      expect(readdirSync(dir)).toEqual(['existing.yaml']);
    });
  });

  it('shows the stack trace only with --debug', async () => {
    const plain = await runCli(['decrypt', tokenPath, '--key', otherKeyPath]);
    expect(plain.stderr).not.toContain('    at ');
    const debug = await runCli(['decrypt', tokenPath, '--key', otherKeyPath, '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain(`hpvs-ctl: error: ${DECRYPTION_FAILED_MESSAGE}`);
    expect(debug.stderr).toContain('    at ');
  });
});
