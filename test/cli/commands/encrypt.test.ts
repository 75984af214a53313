import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { makeSelfSignedCertificate, opensslDate } from '../../helpers/openssl.js';
import { HAS_REFERENCE, referencePath } from '../../helpers/reference.js';
import { expectCliError } from '../../helpers/expect-error.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { sharedRsa4096 } from '../../helpers/shared-rsa-keys.js';
import { hasTool } from '../../helpers/tools.js';
import { systemRandom } from '../../../src/node/random.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-encrypt-');
const DAY = 24 * 60 * 60 * 1000;
const SECTION = 'type: env\nlogging:\n  syslog:\n    hostname: logs.example.com\n';
const TOKEN_LINE = /^hyper-protect-basic\.[A-Za-z0-9+/]+=*\.[A-Za-z0-9+/]+=*\n$/;

interface Paths {
  section: string;
  publicKey: string;
  privateKey: string;
  cert: string;
  certKey: string;
  expired: string;
  notYetValid: string;
  ecCert: string;
}
let paths: Paths;

function path(name: string): string {
  return join(tempDir(), name);
}

function openWith(keyPath: string, token: string): Buffer {
  return decryptSection(token, createPrivateKey(readFileSync(keyPath)), systemRandom);
}

describe.skipIf(!hasTool('openssl'))('hpvs-ctl encrypt', () => {
  beforeAll(() => {
    const pair = sharedRsa4096('authoring-runtime');
    writeFileSync(path('public.pem'), pair.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(path('private.pem'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(path('section.yaml'), SECTION);
    const now = Date.now();
    const current = makeSelfSignedCertificate(tempDir(), {
      notBefore: opensslDate(new Date(now - DAY)),
      notAfter: opensslDate(new Date(now + 365 * DAY)),
    });
    paths = {
      section: path('section.yaml'),
      publicKey: path('public.pem'),
      privateKey: path('private.pem'),
      cert: current.certPath,
      certKey: current.keyPath,
      // only the dates differ from the current certificate: the same openssl key serves
      expired: makeSelfSignedCertificate(tempDir(), {
        notBefore: '20200101000000Z',
        notAfter: '20210101000000Z',
        keyPath: current.keyPath,
      }).certPath,
      notYetValid: makeSelfSignedCertificate(tempDir(), {
        notBefore: opensslDate(new Date(now + 30 * DAY)),
        notAfter: opensslDate(new Date(now + 400 * DAY)),
        keyPath: current.keyPath,
      }).certPath,
      ecCert: makeSelfSignedCertificate(tempDir(), {
        notBefore: opensslDate(new Date(now - DAY)),
        notAfter: opensslDate(new Date(now + 365 * DAY)),
        algorithm: 'EC',
      }).certPath,
    };
  });

  it('prints one token line that opens to the exact bytes of the file', async () => {
    const result = await runCli(['encrypt', paths.section, '--cert', paths.cert]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(TOKEN_LINE);
    expect(openWith(paths.certKey, result.stdout).toString()).toBe(SECTION);
  });

  it('takes a bare RSA public key as --cert', async () => {
    const result = await runCli(['encrypt', paths.section, '--cert', paths.publicKey]);
    expect(result.code).toBe(0);
    expect(openWith(paths.privateKey, result.stdout).toString()).toBe(SECTION);
  });

  it('reads standard input for - and when no file is given', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x0a, 0x0d, 0x41]);
    for (const args of [['-'], []]) {
      const result = await runCli(['encrypt', ...args, '--cert', paths.publicKey], {
        stdin: bytes,
      });
      expect(result.code).toBe(0);
      expect(openWith(paths.privateKey, result.stdout)).toEqual(bytes);
    }
  });

  it('uses the contract-basic prefix on request and refuses an unknown one (exit 2)', async () => {
    const ok = await runCli([
      'encrypt',
      paths.section,
      '--cert',
      paths.publicKey,
      '--prefix',
      'contract-basic',
    ]);
    expect(ok.stdout).toMatch(/^contract-basic\./);
    const bad = await runCli([
      'encrypt',
      paths.section,
      '--cert',
      paths.publicKey,
      '--prefix',
      'x',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'x' is invalid");
  });

  describe('--format json', () => {
    it('encrypts valid JSON byte for byte, unchanged', async () => {
      const json = '\n\t{\n\t\t"type": "env"\n\t}\n\t';
      writeFileSync(path('ok.json'), json);
      const result = await runCli(
        story.encrypt({ file: path('ok.json'), format: 'json', cert: paths.publicKey }),
      );
      expect(result.code).toBe(0);
      expect(openWith(paths.privateKey, result.stdout).toString()).toBe(json);
    });

    it('refuses invalid JSON with its place, without quoting it, and writes nothing', async () => {
      const cases: Array<[string, string | Buffer, RegExp]> = [
        [
          'bad.json',
          '{\n  "apiKey" "secret-value-123"\n}',
          /bad\.json:2:12: not valid JSON; nothing/,
        ],
        ['yaml.json', 'type: env\n', /yaml\.json(:1:1)?: not valid JSON; nothing was encrypted/],
        [
          'latin1.json',
          Buffer.from('"caf\xe9"', 'latin1'),
          /latin1\.json: not valid JSON \(not UTF-8\)/,
        ],
      ];
      for (const [name, content, message] of cases) {
        writeFileSync(path(name), content);
        const target = path(`${name}.enc`);
        const result = await expectCliError(
          ['encrypt', path(name), '--format', 'json', '--cert', paths.publicKey, '--out', target],
          message,
        );
        expect(result.stderr).not.toContain('secret-value');
        expect(existsSync(target)).toBe(false);
      }
      const usage = await runCli(
        story.encrypt({ file: paths.section, format: 'xml', cert: paths.publicKey }),
      );
      expect(usage.code).toBe(2);
    });
  });

  describe('certificate validity', () => {
    it('refuses an expired certificate with its dates (exit 1)', async () => {
      const result = await runCli(['encrypt', paths.section, '--cert', paths.expired]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toContain(
        `hpvs-ctl: error: ${paths.expired}: certificate expired on 2021-01-01T00:00:00.000Z (valid 2020-01-01T00:00:00.000Z to 2021-01-01T00:00:00.000Z); use --allow-expired`,
      );
    });

    it('refuses a certificate that is not valid yet', async () => {
      const result = await runCli(['encrypt', paths.section, '--cert', paths.notYetValid]);
      expect(result.code).toBe(1);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toMatch(/certificate is not valid until \d{4}-\d\d-\d\dT/);
    });

    it('encrypts anyway with --allow-expired', async () => {
      const result = await runCli([
        'encrypt',
        paths.section,
        '--cert',
        paths.expired,
        '--allow-expired',
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(TOKEN_LINE);
    });

    it.skipIf(!HAS_REFERENCE)('refuses the expired leaf of the reference chains', async () => {
      const expired = referencePath(
        'fixtures',
        'cert-chains',
        'expired-chain',
        'expired_encryption.crt',
      );
      const result = await runCli(['encrypt', paths.section, '--cert', expired]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('certificate expired on 2026-03-09T10:05:43.000Z');
    });
  });

  describe('bad input gives exit 1 and a one-line message', () => {
    it('a missing section file', () =>
      expectCliError(
        ['encrypt', path('nope.yaml'), '--cert', paths.cert],
        /nope\.yaml: section file not found; check the path/,
      ));

    it('a missing certificate file', () =>
      expectCliError(
        ['encrypt', paths.section, '--cert', path('nope.crt')],
        /nope\.crt: certificate or public key file not found/,
      ));

    it('a malformed PEM', () => {
      writeFileSync(path('garbage.crt'), 'this is not a certificate\n');
      return expectCliError(
        ['encrypt', paths.section, '--cert', path('garbage.crt')],
        /garbage\.crt: not a PEM file/,
      );
    });

    it('a certificate with a damaged body', () => {
      writeFileSync(
        path('damaged.crt'),
        '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      );
      return expectCliError(
        ['encrypt', paths.section, '--cert', path('damaged.crt')],
        /damaged\.crt: the certificate cannot be parsed/,
      );
    });

    it('an EC (non-RSA) certificate', () =>
      expectCliError(
        ['encrypt', paths.section, '--cert', paths.ecCert],
        /EC key; hpvs-ctl needs an RSA key/,
      ));

    it('a private key given as --cert', () =>
      expectCliError(
        ['encrypt', paths.section, '--cert', paths.privateKey],
        /this is a private key; give the certificate or public key instead/,
      ));

    it('empty input', () =>
      expectCliError(
        ['encrypt', '-', '--cert', paths.cert],
        /stdin: the section to encrypt is empty/,
        '',
      ));

    it('a folder given as the file', () =>
      expectCliError(
        ['encrypt', tempDir(), '--cert', paths.cert],
        /is a directory, expected a file/,
      ));
  });

  it('refuses to read the section and the certificate both from stdin (exit 2)', async () => {
    const result = await runCli(['encrypt', '--cert', '-'], { stdin: readFileSync(paths.cert) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('but the file argument and --cert both ask for it');
  });

  describe('--out', () => {
    it('writes the token to the file, nothing to stdout, and leaves no temporary file', async () => {
      const dir = path('out-ok');
      mkdirSync(dir);
      const out = join(dir, 'section.enc');
      writeFileSync(out, 'old content that is longer than nothing');
      const oldInode = statSync(out).ino;
      const result = await runCli(['encrypt', paths.section, '--cert', paths.cert, '--out', out]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');
      const written = readFileSync(out, 'utf8');
      expect(written).toMatch(TOKEN_LINE);
      expect(openWith(paths.certKey, written).toString()).toBe(SECTION);
      expect(readdirSync(dir)).toEqual(['section.enc']);
      expect(statSync(out).mode & 0o777).toBe(0o644);
      // A new file renamed over the old one, not the old one rewritten in place.
      expect(statSync(out).ino).not.toBe(oldInode);
    });

    it('creates no file, and keeps an existing one, when the command fails', async () => {
      const dir = path('out-fail');
      mkdirSync(dir);
      const fresh = join(dir, 'fresh.enc');
      const failed = await runCli(
        story.encrypt({ file: paths.section, cert: paths.expired, out: fresh }),
      );
      expect(failed.code).toBe(1);
      expect(existsSync(fresh)).toBe(false);
      const existing = join(dir, 'existing.enc');
      writeFileSync(existing, 'keep me');
      await runCli(['encrypt', path('missing.yaml'), '--cert', paths.cert, '--out', existing]);
      expect(readFileSync(existing, 'utf8')).toBe('keep me');
      expect(readdirSync(dir)).toEqual(['existing.enc']);
    });

    it('reports an output folder that does not exist', async () => {
      const result = await runCli(
        story.encrypt({ file: paths.section, cert: paths.cert, out: path('no/such/dir/x.enc') }),
      );
      expect(result.code).toBe(1);
      expect(isOneLineError(result.stderr)).toBe(true);
      expect(result.stderr).toContain('x.enc: cannot write output (ENOENT)');
    });
  });

  it('shows the stack trace only with --debug', async () => {
    const plain = await runCli(['encrypt', paths.section, '--cert', paths.expired]);
    expect(plain.stderr).not.toContain('    at ');
    const debug = await runCli(['--debug', 'encrypt', paths.section, '--cert', paths.expired]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^hpvs-ctl: error: .*certificate expired/);
    expect(debug.stderr).toContain('    at ');
  });
});
