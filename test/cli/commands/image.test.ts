import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir('hpvs-ctl-image-');
const list = (name: string) => referencePath('fixtures', 'image-lists', `${name}_image.json`);

const V21 = {
  id: 'r006-ad389a05-d7b0-4c92-ba6c-0934c4457d91',
  name: 'ibm-hyper-protect-container-runtime-1-0-s390x-21',
  version: '1.0.21',
  checksum: '6d2eb0bea66d4ae8a4ccf6afdfe4f1336e98cda004963e60a8b0ae7fb7a4d396',
  status: 'available',
};
const V22 = {
  id: 'r006-2b8ba093-c8a3-4ed9-9b73-f6f0bb18d6f9',
  name: 'ibm-hyper-protect-container-runtime-1-0-s390x-22',
  version: '1.0.22',
  checksum: '489a0c4b84a7bd1aa3f06cd1280717bd1eb91fccbf85e77b0b7c6a8374bab2c7',
  status: 'available',
};

async function pick(args: string[]) {
  const result = await runCli(['image', ...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

function write(name: string, value: unknown): string {
  const path = join(tempDir(), name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

describe.skipIf(!HAS_REFERENCE)(`hpvs-ctl image (${REFERENCE_SKIP_REASON})`, () => {
  it("picks as contract-go's own tests expect (SPEC-IBM A5.4), from all three list shapes", async () => {
    expect(await pick(['--from', list('terraform'), '--version', '1.0.21'])).toMatchObject(V21);
    expect(await pick(['--from', list('terraform')])).toMatchObject(V22);
    expect(await pick(['--from', list('cli'), '--version', '1.0.21'])).toMatchObject(V21);
    expect(await pick(['--from', list('api'), '--version', '1.0.22'])).toMatchObject(V22);
    expect(await pick(['--from', list('cli'), '--version', '1.0.19'])).toMatchObject({
      id: 'r006-46a81ace-2ec4-4d28-860d-cbdd4c474103',
      version: '1.0.19',
    });
    expect(await pick(['--from', list('cli'), '--version', '>=1.0.19 <1.0.21'])).toMatchObject({
      id: 'r006-62641867-be95-43fa-bc6a-77f5f239b60a',
      version: '1.0.20',
    });
    const text = await runCli(['image', '--from', list('api')]);
    expect(text.stdout).toBe(
      `id: ${V22.id}\nname: ${V22.name}\nversion: 1.0.22\nchecksum: ${V22.checksum}\nstatus: available\n`,
    );
  });

  it("unwraps the VPC API's own answer object, which IBM rejects", async () => {
    const images = JSON.parse(readFileSync(list('api'), 'utf8')) as unknown[];
    const answer = write('api-answer.json', { images, limit: 50, total_count: images.length });
    expect(await pick(['--from', answer])).toMatchObject(V22);
  });

  it.skipIf(!hasTool('openssl'))(
    '--json gives the SHA-256 of the list (openssl agrees) and escapes control characters from it',
    async () => {
      const images = JSON.parse(readFileSync(list('terraform'), 'utf8')) as Array<
        Record<string, unknown>
      >;
      const hostile = {
        ...images.find((image) => image.name === V22.name)!,
        id: 'r006-\u001b[2J\u009b31m',
      };
      const path = write('hostile-id.json', [...images, hostile]);
      const result = await runCli(['image', '--from', path, '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toMatch(/[\u001b\u009b]/);
      const document = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(document.id).toMatch(/^r006-.*31m$/);
      expect(document.sha256_in).toBe(
        runTool('openssl', ['dgst', '-sha256', '-r'], readFileSync(path))
          .stdout.toString()
          .split(' ')[0],
      );
    },
  );

  it('says why HPCR images were left out, takes deprecated ones on request, warns on twins', async () => {
    const images = JSON.parse(readFileSync(list('terraform'), 'utf8')) as Array<
      Record<string, unknown>
    >;
    const edited = images.map((image) => {
      if (image.name === V22.name) return { ...image, status: 'deprecated' };
      if (image.name === V21.name) return { ...image, visibility: 'private' };
      return image;
    });
    const twin = {
      ...edited.find((image) => String(image.name).endsWith('-20'))!,
      id: 'r006-twin',
    };
    const path = write('edited.json', [...edited, twin]);
    const result = await pick(['--from', path]);
    expect(result).toMatchObject({ version: '1.0.20', id: 'r006-twin' });
    expect(result.skipped).toEqual([
      { name: V22.name, reason: 'status deprecated (--include-deprecated takes it)' },
      { name: V21.name, reason: 'visibility private' },
    ]);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^2 images claim version 1\.0\.20 \(r006-62641867-.*, r006-twin\); took the last one listed, r006-twin$/,
      ),
    ]);
    expect(await pick(['--from', path, '--include-deprecated'])).toMatchObject({
      ...V22,
      status: 'deprecated',
    });
    const text = await runCli(['image', '--from', path]);
    expect(text.stderr).toContain(`left out ${V21.name}: visibility private`);
  });

  it('fails in one line on no match, bad versions and bad input', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--from', list('api'), '--version', '1.0.21'],
        /no Hyper Protect image matches version "1\.0\.21" \(usable: 1\.0\.22\)/,
      ],
      [
        ['--from', list('api'), '--version', 'newest'],
        /image version "newest" is not a version or a range/,
      ],
      [['--from', write('empty.json', '[]')], /the image list is empty/],
      [['--from', write('object.json', '{"items": []}')], /expected a list of VPC images/],
      [['--from', write('broken.json', '[{"id": ')], /not JSON/],
      [
        ['--from', write('none.json', [{ name: 'ubuntu-24-04', status: 'available' }, 7, null])],
        /no Hyper Protect image \(no usable HPCR image\)/,
      ],
      [['--from', join(tempDir(), 'missing.json')], /missing\.json: image list file not found/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['image', ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(isOneLineError(result.stderr), result.stderr).toBe(true);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    expect((await runCli(['image'])).code).toBe(2);
  });
});
