import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool } from '../../helpers/tools.js';
import { writeAuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-cidata-');
const HAS_XORRISO = hasTool('xorriso');
const NETWORK_CONFIG = 'network:\n  version: 2\n  ethernets:\n    enc1:\n      dhcp4: true\n';
let dir: string;
const path = (name: string) => join(dir, name);

/** The files of an image as xorriso extracts them. */
function extract(image: string): Record<string, string> {
  const out = join(dir, `x-${Math.random().toString(36).slice(2)}`);
  const result = spawnSync('xorriso', [
    '-no_rc',
    '-osirrox',
    'on',
    '-indev',
    image,
    '-extract',
    '/',
    out,
  ]);
  expect(result.status, result.stderr.toString()).toBe(0);
  return Object.fromEntries(
    readdirSync(out).map((name) => [name, readFileSync(join(out, name), 'utf8')]),
  );
}

describe.skipIf(!HAS_XORRISO)(
  `hpvs-ctl cidata${HAS_XORRISO ? '' : ' (skipped: xorriso is not installed)'}`,
  () => {
    beforeAll(async () => {
      dir = tempDir();
      const f = await writeAuthoringFiles(dir);
      writeFileSync(path('key.txt'), `${'a'.repeat(32)}\n`);
      const run = async (args: string[]) => expect((await runCli(args)).code).toBe(0);
      await run(['workload', '--compose', f.composeDir, '--out', path('workload.yaml')]);
      await run(
        story.env({
          logRouterHost: 'h.example.com',
          logRouterKeyFile: path('key.txt'),
          out: path('env.yaml'),
        }),
      );
      await run(
        story.contract({
          workload: path('workload.yaml'),
          env: path('env.yaml'),
          cert: f.hpcrCert,
          out: path('user-data.yaml'),
        }),
      );
      writeFileSync(path('network-config.yaml'), NETWORK_CONFIG);
      writeFileSync(path('meta-data.yaml'), 'instance-id: web-1\nlocal-hostname: web-1\n');
    });

    it('builds an ISO 9660 image (Joliet, Rock Ridge, volume cidata) holding exactly the inputs, 0600', async () => {
      const image = path('full.iso');
      const result = await runCli(
        story.cidata({
          userData: path('user-data.yaml'),
          networkConfig: path('network-config.yaml'),
          metaData: path('meta-data.yaml'),
          out: image,
        }),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`${image}\n`);
      expect(statSync(image).mode & 0o777).toBe(0o600);
      expect(extract(image)).toEqual({
        'user-data': readFileSync(path('user-data.yaml'), 'utf8'),
        'meta-data': readFileSync(path('meta-data.yaml'), 'utf8'),
        'network-config': NETWORK_CONFIG,
      });
      const toc =
        spawnSync('xorriso', ['-no_rc', '-indev', image, '-toc']).stdout.toString() +
        spawnSync('xorriso', ['-no_rc', '-indev', image, '-toc']).stderr.toString();
      expect(toc).toMatch(/ISO offers\s*:.*Rock_Ridge/);
      expect(toc).toMatch(/ISO offers\s*:.*Joliet/);
      const pvd = spawnSync('xorriso', ['-no_rc', '-indev', image, '-pvd_info']);
      expect(pvd.stdout.toString() + pvd.stderr.toString()).toMatch(/Volume Id\s*:\s*cidata\n/);
    });

    it.skipIf(!hasTool('sha256sum'))(
      '--json gives the digests of the inputs, the image and the record lines (sha256sum agrees)',
      async () => {
        const image = path('json.iso');
        const result = await runCli(
          story.cidata({
            userData: path('user-data.yaml'),
            networkConfig: path('network-config.yaml'),
            out: image,
            json: true,
          }),
        );
        expect(result.code, result.stderr).toBe(0);
        const sha256sum = (file: string) =>
          spawnSync('sha256sum', [file]).stdout.toString().split(' ')[0];
        const files = extract(image);
        writeFileSync(path('extracted-meta-data'), files['meta-data']!);
        const userData = sha256sum(path('user-data.yaml'));
        const metaData = sha256sum(path('extracted-meta-data'));
        const networkConfig = sha256sum(path('network-config.yaml'));
        expect(JSON.parse(result.stdout)).toEqual({
          out: image,
          volumeId: 'cidata',
          bytes: statSync(image).size,
          metaData: 'derived',
          sha256_in: {
            'user-data': userData,
            'meta-data': metaData,
            'network-config': networkConfig,
          },
          sha256_out: sha256sum(image),
          record: {
            '/dev/disk/by-label/cidata': sha256sum(image),
            'cidata/meta-data': metaData,
            'cidata/network-config': networkConfig,
            'cidata/user-data': userData,
          },
        });
        // a plaintext user data: its digest and the image's are withheld
        const plain = path('plain-user-data.yaml');
        writeFileSync(
          plain,
          `workload: |\n${readFileSync(path('workload.yaml'), 'utf8').replace(/^/gm, '  ')}\nenv: |\n${readFileSync(path('env.yaml'), 'utf8').replace(/^/gm, '  ')}\n`,
        );
        const plainResult = await runCli(
          story.cidata({ userData: plain, out: path('plain.iso'), json: true }),
        );
        expect(plainResult.code, plainResult.stderr).toBe(0);
        const document = JSON.parse(plainResult.stdout);
        expect(document.sha256_in['user-data']).toBeNull();
        expect(document.sha256_out).toBeNull();
        expect(document.record['/dev/disk/by-label/cidata']).toBeNull();
        expect(document.record['cidata/user-data']).toBeNull();
        expect(document.sha256_in['meta-data']).toMatch(/^[0-9a-f]{64}$/);
        // the image is the output of --out -, so JSON cannot share stdout with it
        const piped = await runCli(['cidata', '--user-data', plain, '--out', '-', '--json']);
        expect(piped.code).toBe(2);
      },
    );

    it('gives the same bytes for the same inputs, whatever their dates and modes', async () => {
      const args = [
        'cidata',
        '--user-data',
        path('user-data.yaml'),
        '--network-config',
        path('network-config.yaml'),
      ];
      expect((await runCli([...args, '--out', path('a.iso')])).code).toBe(0);
      // new dates and a new mode on the inputs change nothing
      writeFileSync(path('network-config.yaml'), NETWORK_CONFIG, { mode: 0o644 });
      spawnSync('touch', ['-d', '2030-01-01', path('user-data.yaml')]);
      expect((await runCli([...args, '--out', path('b.iso')])).code).toBe(0);
      expect(readFileSync(path('a.iso')).equals(readFileSync(path('b.iso')))).toBe(true);
      // SOURCE_DATE_EPOCH moves every date, still deterministically
      const epoch = { env: { SOURCE_DATE_EPOCH: '1700000000' } };
      expect((await runCli([...args, '--out', path('c.iso')], epoch)).code).toBe(0);
      expect((await runCli([...args, '--out', path('d.iso')], epoch)).code).toBe(0);
      expect(readFileSync(path('c.iso')).equals(readFileSync(path('d.iso')))).toBe(true);
      expect(readFileSync(path('a.iso')).equals(readFileSync(path('c.iso')))).toBe(false);
    });

    it('writes a meta-data with an instance-id from the user data when none is given, and says so', async () => {
      const result = await runCli([
        'cidata',
        '--user-data',
        path('user-data.yaml'),
        '--out',
        path('m.iso'),
      ]);
      expect(result.code, result.stderr).toBe(0);
      const digest = createHash('sha256')
        .update(readFileSync(path('user-data.yaml')))
        .digest('hex');
      const metaData = `instance-id: iid-hpvs-${digest.slice(0, 16)}\n`;
      expect(result.stderr).toContain(`meta-data: ${metaData.trim()}`);
      expect(extract(path('m.iso'))).toEqual({
        'user-data': readFileSync(path('user-data.yaml'), 'utf8'),
        'meta-data': metaData,
      });
    });

    it('refuses invalid user data or network-config, with one line and no image', async () => {
      writeFileSync(path('bad-user-data.yaml'), 'workload: x\nenv: [\n');
      writeFileSync(
        path('bad-network.yaml'),
        'network:\n  version: 2\n  ethernets:\n    eth0:\n      dhcp4: true\n',
      );
      writeFileSync(path('no-env.yaml'), 'workload: hyper-protect-basic.YWJj.ZGVm\n');
      for (const [args, text] of [
        [['--user-data', path('bad-user-data.yaml')], 'bad-user-data.yaml:3:1: invalid YAML'],
        [['--user-data', path('no-env.yaml')], 'no-env.yaml:1:1 env: missing'],
        [
          ['--user-data', path('user-data.yaml'), '--network-config', path('bad-network.yaml')],
          'bad-network.yaml:4:5',
        ],
      ] as const) {
        const out = path('refused.iso');
        const result = await runCli(['cidata', ...args, '--out', out]);
        expect(result.code, result.stderr).toBe(1);
        expect(
          isOneLineError(
            result.stderr
              .split('\n')
              .filter((l) => !l.includes('warning'))
              .join('\n'),
          ),
        ).toBe(true);
        expect(result.stderr).toContain(text);
        expect(existsSync(out)).toBe(false);
      }
    });

    it('names the package when xorriso is missing, and writes nothing', async () => {
      const empty = join(dir, 'empty-bin');
      mkdirSync(empty, { recursive: true });
      const out = path('none.iso');
      const result = await runCli(['cidata', '--user-data', path('user-data.yaml'), '--out', out], {
        env: { PATH: empty },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'xorriso is not installed (install the Debian package xorriso',
      );
      expect(existsSync(out)).toBe(false);
    });

    it('writes the image to a pipe with --out -, the same bytes as to a file; a missing --out is a usage error', async () => {
      const piped = await runCli(['cidata', '--user-data', path('user-data.yaml'), '--out', '-']);
      expect(piped.code, piped.stderr).toBe(0);
      const file = path('piped.iso');
      expect(
        (await runCli(['cidata', '--user-data', path('user-data.yaml'), '--out', file])).code,
      ).toBe(0);
      expect(piped.stdoutBytes.equals(readFileSync(file))).toBe(true);
      expect((await runCli(['cidata', '--user-data', path('user-data.yaml')])).code).toBe(2);
    });
  },
);
