import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IBM_CERTIFICATES } from '../../../src/core/catalogue/ibm-certificates.js';
import { createSyslogCertificates } from '../../../src/core/pki/syslog-certificates.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir('hpvs-ctl-certs-download-');
const pemOf = (version: string) =>
  IBM_CERTIFICATES.find((e) => e.platform === 'hpvs' && e.version === version)!.pem;
const certPath = (patch: number) =>
  `/s390x-${patch}/ibm-hyper-protect-container-runtime-1-0-s390x-${patch}-encrypt.crt`;

/**
 * A real HTTPS server on 127.0.0.1 with a certificate from hpvs-ctl's own PKI code, publishing
 * certificates the way IBM's bucket does, plus the ways a server can go wrong.
 */
let server: Server;
let base: string;
let caFile: string;
const requests: string[] = [];

beforeAll(async () => {
  const tls = await createSyslogCertificates({ ip: '127.0.0.1', now: new Date(), bits: 2048 });
  caFile = join(tempDir(), 'ca.crt');
  writeFileSync(caFile, tls.caCertificatePem);
  server = createServer(
    { key: tls.serverPrivateKeyPem, cert: tls.serverCertificatePem },
    (request, response) => {
      const url = request.url ?? '';
      requests.push(url);
      if (url.startsWith('/silent/')) return; // accepts, never answers
      if (url === certPath(28) || url === certPath(29)) {
        response.end(pemOf(url === certPath(28) ? '1.0.28' : '1.0.29'));
      } else if (url === certPath(31)) {
        response.end('<html><body>Access denied</body></html>\n');
      } else if (url.startsWith('/moved/')) {
        response.writeHead(302, { location: `${base}${certPath(29)}` }).end();
      } else if (url.startsWith('/huge/')) {
        response.end(Buffer.alloc(200_000, 0x41));
      } else {
        response.writeHead(404).end('NoSuchKey');
      }
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function download(args: string[]) {
  return runCli(['certs', 'download', '--base-url', base, '--ca-file', caFile, ...args]);
}

describe('hpvs-ctl certs download', () => {
  it("writes IBM's download JSON, which certs get reads back", async () => {
    const out = join(tempDir(), 'certs.json');
    const result = await download(['--version', '1.0.29,1.0.28', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(requests).toContain(certPath(29));
    const document = JSON.parse(readFileSync(out, 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    expect(Object.keys(document)).toEqual(['1.0.28', '1.0.29']);
    expect(Object.keys(document['1.0.29']!)).toEqual([
      'cert',
      'expiry_date',
      'expiry_days',
      'status',
    ]);
    expect(document['1.0.29']).toMatchObject({
      cert: pemOf('1.0.29'),
      expiry_date: '2027-07-06T06:44:41.000Z',
      status: 'valid',
    });
    expect(Number(document['1.0.29']!.expiry_days)).toBeGreaterThan(0);
    expect(result.stderr).toContain('1.0.29: serial C775927D9F86D27D369FAC42B05144AA, valid');
    const got = await runCli(['certs', 'get', '--from', out, '--version', '>=1.0.28']);
    expect(got.stdout).toBe(pemOf('1.0.29'));
  });

  it.skipIf(!hasTool('sha256sum'))(
    '--json names what it fetched, with the SHA-256 of each certificate as served and of the file (sha256sum agrees)',
    async () => {
      const out = join(tempDir(), 'certs-json.json');
      const result = await download(['--version', '1.0.29,1.0.28', '--out', out, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const sha256sum = (data: string) =>
        runTool('sha256sum', [], data).stdout.toString().split(' ')[0];
      expect(JSON.parse(result.stdout)).toEqual({
        out,
        certificates: [29, 28].map((patch) => ({
          version: `1.0.${patch}`,
          url: `${base}${certPath(patch)}`,
          serial: expect.stringMatching(/^[0-9A-F]+$/),
          status: 'valid',
          expiryDate: expect.any(String),
          sha256: sha256sum(pemOf(`1.0.${patch}`)),
        })),
        sha256_out: sha256sum(readFileSync(out, 'utf8')),
      });
      // the download goes to --out; --json without it is a usage error and fetches nothing
      const before = requests.length;
      const noOut = await download(['--version', '1.0.29', '--json']);
      expect(noOut.code).toBe(2);
      expect(requests.length).toBe(before);
    },
  );

  it('verifies the server: without its CA the download fails', async () => {
    const out = join(tempDir(), 'untrusted.json');
    const result = await runCli([
      'certs',
      'download',
      '--base-url',
      base,
      '--version',
      '1.0.29',
      '--out',
      out,
    ]);
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(
      /s390x-29-encrypt\.crt: request failed \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('fails in one line and writes nothing: 404, redirect, no answer, not a certificate, too big', async () => {
    const out = join(tempDir(), 'failed.json');
    const cases: Array<[string[], RegExp]> = [
      // the first version downloads fine; the second fails, so nothing at all is written
      [
        ['--version', '1.0.29,1.0.30'],
        /s390x-30-encrypt\.crt: HTTP 404 \(not found: is the version published\?\)/,
      ],
      [
        ['--version', '1.0.31'],
        /s390x-31-encrypt\.crt: not a PEM certificate \(expected one "-----BEGIN CERTIFICATE-----" block, found none\)/,
      ],
      [['--version', '1.0.29', '--base-url', `${base}/moved`], /HTTP 302/],
      [
        ['--version', '1.0.29', '--base-url', `${base}/huge`],
        /the answer is larger than 65536 bytes/,
      ],
      [
        ['--version', '1.0.29', '--base-url', `${base}/silent`, '--timeout', '0.5'],
        /\/silent\/s390x-29\/.*: no complete answer within 0\.5 s/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await download([...args, '--out', out]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(isOneLineError(result.stderr), result.stderr).toBe(true);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('Access denied');
      expect(existsSync(out)).toBe(false);
    }
  });

  it('refuses bad versions and non-https URLs before any request', async () => {
    const before = requests.length;
    const out = join(tempDir(), 'bad.json');
    const cases: Array<[string[], RegExp]> = [
      [['--version', '1.0'], /"1\.0" is not an HPVS runtime version/],
      [['--version', '1.0.x'], /"1\.0\.x" is not an HPVS runtime version/],
      [['--version', '1.0.29,a.b.c'], /"a\.b\.c" is not/],
      [['--version', '../../1.0.29'], /is not an HPVS runtime version/],
      [['--version', ''], /"" is not an HPVS runtime version/],
      [
        ['--version', '1.0.29', '--base-url', base.replace('https', 'http')],
        /--base-url must be an https:\/\/ URL/,
      ],
      [['--version', '1.0.29', '--timeout', '0'], /expected a number of seconds/],
    ];
    for (const [args, message] of cases) {
      const result = await download([...args, '--out', out]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
    expect(requests.length).toBe(before);
  });
});
