import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool } from '../../helpers/tools.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-cidata-boot-');
const HAS_XORRISO = hasTool('xorriso');
const TEMPLATES = join(import.meta.dirname, '..', '..', '..', 'templates');
const NETWORK_CONFIG = 'network:\n  version: 2\n  ethernets:\n    enc1:\n      dhcp4: true\n';
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
let dir: string;

async function ok(args: string[]): Promise<string> {
  const result = await runCli(args, { cwd: dir });
  expect(result.code, `hpvs-ctl ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

const verifyArgs = (record: string, iso: string) =>
  story.attestationVerify({
    record: `${record}/var/hyperprotect/se-checksums.txt`,
    signature: `${record}/var/hyperprotect/se-signature.bin`,
    cert: 'hpcr/public/attestation.crt',
    chain: 'hpcr/public/intermediate.crt',
    root: 'hpcr/public/root.crt',
    crl: ['hpcr/public/intermediate.crl', 'hpcr/public/root.crl'],
    cidata: iso,
  });

const verify = (record: string, iso: string) => runCli(verifyArgs(record, iso), { cwd: dir });

describe.skipIf(!HAS_XORRISO)(
  `emulator boot --cidata and attestation verify --cidata${HAS_XORRISO ? '' : ' (skipped: xorriso is not installed)'}`,
  () => {
    beforeAll(async () => {
      dir = tempDir();
      await ok(['emulator', 'init', '--state', 'hpcr', '--key-bits', '2048']);
      writeFileSync(join(dir, 'key.txt'), `${'a'.repeat(32)}\n`);
      writeFileSync(join(dir, 'network-config.yaml'), NETWORK_CONFIG);
      writeFileSync(join(dir, 'other-meta.yaml'), 'instance-id: other\n');
      await ok(['workload', '--play', join(TEMPLATES, 'play'), '--out', 'workload.yaml']);
      await ok(
        story.env({ logRouterHost: 'h.example.com', logRouterKeyFile: 'key.txt', out: 'env.yaml' }),
      );
      await ok(
        story.contract({
          workload: 'workload.yaml',
          env: 'env.yaml',
          cert: 'hpcr/public/encrypt.crt',
          out: 'user-data.yaml',
        }),
      );
      await ok(
        story.cidata({
          userData: 'user-data.yaml',
          networkConfig: 'network-config.yaml',
          out: 'seed.iso',
        }),
      );
      await ok(
        story.cidata({ userData: 'user-data.yaml', metaData: 'other-meta.yaml', out: 'other.iso' }),
      );
      await ok(story.emulatorBoot({ cidata: 'seed.iso', state: 'hpcr', outDir: 'booted' }));
    }, 60_000);

    it("cidata --json gives the very lines attestation verify --json finds in the booted record's map", async () => {
      // the same inputs give the same image, so this describes seed.iso
      const built = JSON.parse(
        await ok(
          story.cidata({
            userData: 'user-data.yaml',
            networkConfig: 'network-config.yaml',
            out: 'seed-again.iso',
            json: true,
          }),
        ),
      ) as { record: Record<string, string> };
      expect(
        readFileSync(join(dir, 'seed-again.iso')).equals(readFileSync(join(dir, 'seed.iso'))),
      ).toBe(true);
      const result = await runCli([...verifyArgs('booted', 'seed.iso'), '--json'], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      const { checksums } = JSON.parse(result.stdout) as { checksums: Record<string, string> };
      expect(Object.keys(built.record).sort()).toEqual([
        '/dev/disk/by-label/cidata',
        'cidata/meta-data',
        'cidata/network-config',
        'cidata/user-data',
      ]);
      for (const [name, sha] of Object.entries(built.record))
        expect(checksums[name], name).toBe(sha);
    });

    it('attests the image and each of its files with their sha256', () => {
      const record = readFileSync(join(dir, 'booted/var/hyperprotect/se-checksums.txt'), 'utf8');
      const lines = new Map(
        record
          .split('\n')
          .filter((l) => / /.test(l))
          .map((l) => [l.slice(65), l.slice(0, 64)]),
      );
      expect(lines.get('/dev/disk/by-label/cidata')).toBe(
        sha256(readFileSync(join(dir, 'seed.iso'))),
      );
      expect(lines.get('cidata/user-data')).toBe(sha256(readFileSync(join(dir, 'user-data.yaml'))));
      expect(lines.get('cidata/network-config')).toBe(sha256(Buffer.from(NETWORK_CONFIG)));
      const metaData = `instance-id: iid-hpvs-${sha256(readFileSync(join(dir, 'user-data.yaml'))).slice(0, 16)}\n`;
      expect(lines.get('cidata/meta-data')).toBe(sha256(Buffer.from(metaData)));
    });

    it('attestation verify --cidata passes each line for the image booted', async () => {
      const result = await verify('booted', 'seed.iso');
      expect(result.code, result.stdout).toBe(0);
      for (const id of ['image', 'user-data', 'meta-data', 'network-config']) {
        expect(result.stdout).toMatch(new RegExp(`^PASS cidata:${id}: `, 'm'));
      }
    });

    it('fails the lines another image does not match', async () => {
      const result = await verify('booted', 'other.iso');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^FAIL cidata:image: .*different seed image/m);
      expect(result.stdout).toMatch(/^PASS cidata:user-data: /m);
      expect(result.stdout).toMatch(/^FAIL cidata:meta-data: .*different meta-data/m);
      expect(result.stdout).toMatch(
        /^FAIL cidata:network-config: .*other\.iso has no network-config/m,
      );
    });

    it('refuses a file that is not an image, and the user data and --cidata together', async () => {
      const notIso = await runCli(
        ['emulator', 'boot', '--cidata', 'user-data.yaml', '--state', 'hpcr', '--out-dir', 'x1'],
        { cwd: dir },
      );
      expect(notIso.code).toBe(1);
      expect(isOneLineError(notIso.stderr)).toBe(true);
      expect(notIso.stderr).toContain('user-data.yaml: not an ISO 9660 image');
      // a real ISO, but labelled otherwise: cloud-init would not find it
      const made = spawnSync(
        'xorriso',
        [
          '-no_rc',
          '-as',
          'mkisofs',
          '-quiet',
          '-volid',
          'OTHER',
          '-output',
          'other-label.iso',
          'user-data.yaml',
        ],
        { cwd: dir },
      );
      expect(made.status).toBe(0);
      const label = await runCli(
        ['emulator', 'boot', '--cidata', 'other-label.iso', '--state', 'hpcr', '--out-dir', 'x2'],
        { cwd: dir },
      );
      expect(label.code).toBe(1);
      expect(label.stderr).toContain(
        'volume id "OTHER", but cloud-init looks for a seed image labelled cidata',
      );
      const both = await runCli(
        ['emulator', 'boot', 'user-data.yaml', '--cidata', 'seed.iso', '--state', 'hpcr'],
        { cwd: dir },
      );
      expect(both.code).toBe(2);
      const neither = await runCli(['emulator', 'boot', '--state', 'hpcr'], { cwd: dir });
      expect(neither.code).toBe(2);
    });
  },
);
