import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IBM_CERTIFICATES } from '../../../src/core/catalogue/ibm-certificates.js';
import { isOneLineError, PROJECT_ROOT, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir('hpvs-ctl-certs-catalogue-');
const entry = (platform: string, version: string) =>
  IBM_CERTIFICATES.find((e) => e.platform === platform && e.version === version)!;
const pemOf = (platform: string, version: string) => entry(platform, version).pem;

interface Row {
  platform: string;
  version: string;
  status: string;
  daysLeft: number;
  default: boolean;
  notAfter: string;
  serial: string;
  sha256: string;
  file: string;
}

describe('hpvs-ctl certs list', () => {
  it.skipIf(!hasTool('openssl'))(
    'lists every catalogue certificate with dates equal to openssl -enddate',
    async () => {
      const result = await runCli(['certs', 'list', '--json']);
      expect(result.code).toBe(0);
      const rows = JSON.parse(result.stdout) as Row[];
      expect(rows).toHaveLength(12);
      for (const row of rows) {
        const file = join(PROJECT_ROOT, 'certs/ibm', row.platform, row.file);
        const enddate = runTool('openssl', ['x509', '-in', file, '-noout', '-enddate'])
          .stdout.toString()
          .trim()
          .replace(/^notAfter=/, '');
        expect(row.notAfter).toBe(new Date(enddate).toISOString());
      }
    },
  );

  it('gives status and days left at --at, and marks what encrypt --platform would use', async () => {
    const result = await runCli([
      'certs',
      'list',
      '--platform',
      'ccco',
      '--at',
      '2026-12-01',
      '--json',
    ]);
    const rows = JSON.parse(result.stdout) as Row[];
    expect(rows.map((row) => [row.version, row.status, row.daysLeft, row.default])).toEqual([
      ['26.7.1', 'valid', 226, true],
      ['26.4.0', 'valid', 101, false],
      ['25.12.0', 'expired', -111, false],
    ]);
    const text = await runCli(['certs', 'list', '--platform', 'hpvs', '--at', '2027-03-01']);
    expect(text.stdout.split('\n')).toEqual([
      expect.stringMatching(/^PLATFORM +VERSION +STATUS +DAYS LEFT +VALID UNTIL +SERIAL +SHA-256$/),
      expect.stringMatching(
        /^hpvs +1\.0\.29 \* +valid +127 +2027-07-06T06:44:41Z +C775927D9F86D27D369FAC42B05144AA +94306ba8/,
      ),
      expect.stringMatching(/^hpvs +1\.0\.28 +expired +-5 +2027-02-24T09:30:55Z +E6EEAB7C/),
      expect.stringMatching(/^hpvs +1\.0\.27 +valid +22 +2027-03-23T12:47:10Z/),
      '',
    ]);
    // the README shows this listing; it must stay what the command prints
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    const listing = await runCli(['certs', 'list', '--at', '2026-12-01']);
    const indented = listing.stdout.replace(/^(?=.)/gm, '    ');
    expect(readme).toContain(indented);
    const bad = await runCli(['certs', 'list', '--platform', 'x']);
    expect(bad.code).toBe(2);
  });
});

describe('hpvs-ctl certs get', () => {
  const download = (document: unknown) => {
    const path = join(tempDir(), `certs-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, typeof document === 'string' ? document : JSON.stringify(document));
    return path;
  };
  const ibmShape = {
    // as contract-cli writes it (A4.2); status and days are ignored, the certificate decides
    '1.0.27': {
      cert: pemOf('hpvs', '1.0.27'),
      expiry_date: '23-03-27 12:47:10 GMT',
      expiry_days: '318',
      status: 'valid',
    },
    '1.0.28': {
      cert: pemOf('hpvs', '1.0.28'),
      expiry_date: 'x',
      expiry_days: '1',
      status: 'EXPIRED',
    },
    '1.0.29': { cert: pemOf('hpvs', '1.0.29'), status: 'VALID' },
  };

  it('writes the highest version matching a version or a range', async () => {
    const from = download(ibmShape);
    const cases: Array<[string, string]> = [
      ['1.0.28', '1.0.28'],
      ['>=1.0.27', '1.0.29'],
      ['~1.0.27', '1.0.29'],
      ['1.0.27 - 1.0.28', '1.0.28'],
      ['>=1.0.27, <1.0.29', '1.0.28'],
      ['1.0.27 || 1.0.28', '1.0.28'],
      ['*', '1.0.29'],
      ['1.0.x', '1.0.29'],
    ];
    for (const [range, version] of cases) {
      const out = join(tempDir(), `got-${version}.crt`);
      const result = await runCli([
        'certs',
        'get',
        '--from',
        from,
        '--version',
        range,
        '--out',
        out,
      ]);
      expect(result.code, `${range}: ${result.stderr}`).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(pemOf('hpvs', version));
      expect(result.stderr).toContain(
        `version ${version} (serial ${entry('hpvs', version).serial}`,
      );
    }
  });

  it('skips keys that are not versions (IBM fails on them) and reads loose ones', async () => {
    const from = download({ notes: { cert: 'x' }, 'v1.0.28': { cert: pemOf('hpvs', '1.0.28') } });
    const result = await runCli(['certs', 'get', '--from', from, '--version', '1.0.28']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(pemOf('hpvs', '1.0.28'));
    expect(result.stderr).toContain('skipped keys that are not versions: notes');
  });

  it('takes a catalogue certificate with --platform', async () => {
    const result = await runCli(['certs', 'get', '--platform', 'ccrv', '--version', '26.4.1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(pemOf('ccrv', '26.4.1'));
    const newest = await runCli(['certs', 'get', '--platform', 'ccco']);
    expect(newest.stdout).toBe(pemOf('ccco', '26.7.1'));
    const expired = await runCli(['certs', 'get', '--platform', 'ccco', '--version', '25.12.0']);
    expect(expired.code).toBe(0);
    expect(expired.stderr).toContain('is expired: encrypt refuses it without --allow-expired');
  });

  it.skipIf(!hasTool('openssl'))(
    '--json describes the certificate written; digests and fingerprint agree with openssl',
    async () => {
      const from = download(ibmShape);
      const out = join(tempDir(), 'json.crt');
      const result = await runCli([
        'certs',
        'get',
        '--from',
        from,
        '--version',
        '>=1.0.28',
        '--out',
        out,
        '--json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      const document = JSON.parse(result.stdout);
      const sha256 = (data: Buffer) =>
        runTool('openssl', ['dgst', '-sha256', '-r'], data).stdout.toString().split(' ')[0];
      const fingerprint = runTool(
        'openssl',
        ['x509', '-noout', '-fingerprint', '-sha256'],
        readFileSync(out),
      )
        .stdout.toString()
        .trim()
        .replace(/^.*=/, '')
        .replaceAll(':', '')
        .toLowerCase();
      const enddate = runTool('openssl', ['x509', '-noout', '-enddate'], readFileSync(out))
        .stdout.toString()
        .trim()
        .replace('notAfter=', '');
      expect(document).toMatchObject({
        out,
        from: 'download',
        platform: null,
        version: '1.0.29',
        serial: entry('hpvs', '1.0.29').serial,
        fingerprint,
        sha256_in: sha256(readFileSync(from)),
        sha256_out: sha256(readFileSync(out)),
      });
      expect(Date.parse(document.notAfter)).toBe(Date.parse(enddate));
      expect(Object.keys(document)).toEqual([
        'out',
        'from',
        'platform',
        'version',
        'serial',
        'notBefore',
        'notAfter',
        'status',
        'daysLeft',
        'fingerprint',
        'sha256_in',
        'sha256_out',
      ]);
      const catalogue = join(tempDir(), 'catalogue.crt');
      const fromCatalogue = await runCli([
        'certs',
        'get',
        '--platform',
        'ccrv',
        '--version',
        '26.4.1',
        '--out',
        catalogue,
        '--json',
      ]);
      expect(fromCatalogue.code, fromCatalogue.stderr).toBe(0);
      expect(JSON.parse(fromCatalogue.stdout)).toMatchObject({
        from: 'catalogue',
        platform: 'ccrv',
        version: '26.4.1',
        fingerprint: entry('ccrv', '26.4.1').sha256,
        sha256_in: null,
        sha256_out: sha256(readFileSync(catalogue)),
      });
      // the certificate goes to --out; --json without it is a usage error
      const noOut = await runCli(['certs', 'get', '--platform', 'ccrv', '--json']);
      expect(noOut.code).toBe(2);
      expect(noOut.stdout).toBe('');
    },
  );

  it('fails in one line and writes nothing on bad input', async () => {
    const out = join(tempDir(), 'never.crt');
    const cases: Array<[string[], number, RegExp]> = [
      [
        ['--from', download(ibmShape), '--version', 'latest'],
        1,
        /version "latest" is not a version or a range/,
      ],
      [
        ['--from', download(ibmShape), '--version', '2.0.0'],
        1,
        /no version matches "2\.0\.0" \(it has 1\.0\.27, 1\.0\.28, 1\.0\.29\)/,
      ],
      [['--from', download('{"1.0.29": '), '--version', '*'], 1, /not JSON/],
      [['--from', download('[1, 2]'), '--version', '*'], 1, /expected a JSON object of versions/],
      [
        ['--from', download({ '1.0.29': { cert: 42 } }), '--version', '*'],
        1,
        /version 1\.0\.29: expected an object with the certificate in "cert"/,
      ],
      [
        ['--from', download({ '1.0.29': { cert: '<html>nope</html>' } }), '--version', '*'],
        1,
        /version 1\.0\.29: not a PEM certificate/,
      ],
      [
        ['--from', join(tempDir(), 'missing.json'), '--version', '*'],
        1,
        /missing\.json: certificate download file not found/,
      ],
      [['--from', download(ibmShape)], 2, /--from needs --version/],
      [['--version', '*'], 2, /exactly one of --from FILE and --platform NAME/],
      [['--from', download(ibmShape), '--platform', 'hpvs'], 2, /exactly one of/],
    ];
    for (const [args, code, message] of cases) {
      const result = await runCli(['certs', 'get', ...args, '--out', out]);
      expect(result.code, args.join(' ')).toBe(code);
      expect(isOneLineError(result.stderr), result.stderr).toBe(true);
      expect(result.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });
});
