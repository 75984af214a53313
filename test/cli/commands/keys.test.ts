import { createPrivateKey, createPublicKey, createSign, createVerify } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir();
let counter = 0;
const freshDir = () => join(tempDir(), `out-${++counter}`);

function signsAndVerifies(privatePem: string, publicPem: string, passphrase?: string): boolean {
  const privateKey = createPrivateKey(passphrase ? { key: privatePem, passphrase } : privatePem);
  const signature = createSign('sha256').update('workload+env').sign(privateKey);
  return createVerify('sha256')
    .update('workload+env')
    .verify(createPublicKey(publicPem), signature);
}

describe('hpvs-ctl keys generate', () => {
  it('writes a 4096-bit pair by default: private.pem mode 0600 and public.pem, and prints their paths', async () => {
    const dir = freshDir();
    const result = await runCli(['keys', 'generate', '--out-dir', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${join(dir, 'private.pem')}\n${join(dir, 'public.pem')}\n`);
    const privatePem = readFileSync(join(dir, 'private.pem'), 'utf8');
    const publicPem = readFileSync(join(dir, 'public.pem'), 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(statSync(join(dir, 'private.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'public.pem')).mode & 0o777).toBe(0o644);
    expect(createPublicKey(publicPem).asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(signsAndVerifies(privatePem, publicPem)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain('PRIVATE KEY');
  });

  it.skipIf(!hasTool('sha256sum'))(
    "--json names both files and gives the public key's SHA-256 (sha256sum agrees), never the private key's",
    async () => {
      const dir = freshDir();
      const passFile = join(tempDir(), 'json-pass.txt');
      writeFileSync(passFile, 'correct horse battery staple\n');
      const result = await runCli(
        story.keysGenerate({
          outDir: dir,
          bits: 2048,
          name: 'auditor',
          passphraseFile: passFile,
          json: true,
        }),
      );
      expect(result.code, result.stderr).toBe(0);
      const publicPath = join(dir, 'auditor-public.pem');
      const sha256sum = runTool('sha256sum', [publicPath]).stdout.toString().split(' ')[0];
      expect(JSON.parse(result.stdout)).toEqual({
        bits: 2048,
        encrypted: true,
        privateKey: { out: join(dir, 'auditor-private.pem'), sha256_out: null },
        publicKey: { out: publicPath, sha256_out: sha256sum },
      });
      expect(result.stdout).not.toContain('PRIVATE KEY');
    },
  );

  it('encrypts the private key with the passphrase from a file, readable by openssl', async () => {
    const dir = freshDir();
    const passFile = join(tempDir(), 'pass.txt');
    writeFileSync(passFile, 'correct horse battery staple\n');
    const result = await runCli(
      story.keysGenerate({ outDir: dir, bits: 2048, name: 'signing', passphraseFile: passFile }),
    );
    expect(result.code).toBe(0);
    const privatePem = readFileSync(join(dir, 'signing-private.pem'), 'utf8');
    expect(privatePem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const publicPem = readFileSync(join(dir, 'signing-public.pem'), 'utf8');
    expect(signsAndVerifies(privatePem, publicPem, 'correct horse battery staple')).toBe(true);
    expect(() => createPrivateKey({ key: privatePem, passphrase: 'wrong' })).toThrow();
    if (hasTool('openssl')) {
      const opened = runTool('openssl', [
        'pkey',
        '-in',
        join(dir, 'signing-private.pem'),
        '-passin',
        `file:${passFile}`,
        '-pubout',
      ]);
      expect(opened.status).toBe(0);
      expect(opened.stdout.toString()).toBe(publicPem);
    }
  });

  it('reads the passphrase from stdin with --passphrase-file -', async () => {
    const dir = freshDir();
    const result = await runCli(
      ['keys', 'generate', '--out-dir', dir, '--bits', '2048', '--passphrase-file', '-'],
      { stdin: 'from-stdin\n' },
    );
    expect(result.code).toBe(0);
    const privatePem = readFileSync(join(dir, 'private.pem'), 'utf8');
    expect(() => createPrivateKey({ key: privatePem, passphrase: 'from-stdin' })).not.toThrow();
  });

  describe('bad input', () => {
    it('refuses to overwrite an existing key without --force, and replaces it with --force', async () => {
      const dir = freshDir();
      expect((await runCli(['keys', 'generate', '--out-dir', dir, '--bits', '2048'])).code).toBe(0);
      const before = readFileSync(join(dir, 'private.pem'), 'utf8');
      const refused = await runCli(['keys', 'generate', '--out-dir', dir, '--bits', '2048']);
      expect(refused.code).toBe(1);
      expect(isOneLineError(refused.stderr)).toBe(true);
      expect(refused.stderr).toContain('already exist');
      expect(readFileSync(join(dir, 'private.pem'), 'utf8')).toBe(before);
      const forced = await runCli(story.keysGenerate({ outDir: dir, bits: 2048, force: true }));
      expect(forced.code).toBe(0);
      expect(readFileSync(join(dir, 'private.pem'), 'utf8')).not.toBe(before);
    });

    it.each([
      [['--bits', '1024'], 2, "argument '1024' is invalid"],
      [['--name', '../escape'], 2, 'invalid --name "../escape"'],
      [['--passphrase-file', '/nonexistent/pass.txt'], 1, '/nonexistent/pass.txt'],
    ])('%j: exits %i with one line and writes nothing', async (args, code, message) => {
      const dir = freshDir();
      const result = await runCli(['keys', 'generate', '--out-dir', dir, ...args]);
      expect(result.code).toBe(code);
      expect(result.stderr).toContain(message);
      // commander reports its own option errors as "error: ..."; ours are one hpvs-ctl line
      if (!result.stderr.startsWith('error:')) expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).not.toContain('    at ');
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    });

    it('refuses an empty passphrase file', async () => {
      const dir = freshDir();
      const passFile = join(tempDir(), 'empty-pass.txt');
      writeFileSync(passFile, '\n');
      const result = await runCli(story.keysGenerate({ outDir: dir, passphraseFile: passFile }));
      expect(result.code).toBe(1);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    });
  });
});
