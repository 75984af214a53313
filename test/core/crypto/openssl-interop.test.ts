import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptSection, encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { opensslPasswordView } from '../../../src/core/crypto/section-password.js';
import { mapLimit, opensslAsync } from '../../helpers/openssl.js';
import { runCli } from '../../helpers/run-cli.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool } from '../../helpers/tools.js';
import { systemRandom } from '../../../src/node/random.js';

/**
 * The openssl command line is how the runtime and IBM's tools read and write sections, so it
 * is the oracle here, both ways. Cases come from a seeded generator: a failure names its case
 * number and replays exactly.
 */

const CASES = 200;
const PARALLEL = 4;
const MAX_SECTION = 64 * 1024;
const EDGE_SIZES = [0, 1, 15, 16, 17, 31, 32, 33, 4095, 4096, MAX_SECTION - 1, MAX_SECTION];

const tempDir = useTempDir('hpvs-ctl-interop-');
const rng = seededRandom('openssl-interop');

interface Section {
  kind: 'bytes' | 'yaml';
  bytes: Buffer;
}

const WORDS = ['image', 'env', 'volumes', 'seed', 'ünïcödé', '日本語', 'a:b', '- item', '"q"', '#'];

/** YAML-looking text of about `size` bytes, cut at a character boundary. */
function yamlText(size: number): Buffer {
  let text = '';
  let depth = 0;
  while (Buffer.byteLength(text) < size) {
    const word = WORDS[rng.int(WORDS.length)]!;
    text += `${'  '.repeat(depth)}key${rng.int(1000)}: ${word} ${rng.int(1e9)}\n`;
    depth = rng.int(3) === 0 ? Math.max(0, depth - 1) : Math.min(4, depth + rng.int(2));
  }
  let bytes = Buffer.from(text);
  while (bytes.length > size) {
    text = text.slice(0, -1);
    bytes = Buffer.from(text);
  }
  return bytes;
}

function makeSections(count: number): Section[] {
  return Array.from({ length: count }, (_, index) => {
    const size = index < EDGE_SIZES.length ? EDGE_SIZES[index]! : rng.int(MAX_SECTION + 1);
    const kind = index % 2 === 0 ? 'bytes' : 'yaml';
    return { kind, bytes: kind === 'bytes' ? Buffer.from(rng(size)) : yamlText(size) };
  });
}

interface Keys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privatePath: string;
  publicPath: string;
}
let keys: Keys;
let caseNumber = 0;

/** A fresh file for openssl to read with -in (stdin carries the password). */
function tempFile(bytes: Uint8Array): string {
  const path = join(tempDir(), `case-${++caseNumber}.bin`);
  writeFileSync(path, bytes);
  return path;
}

/** `openssl pkeyutl -decrypt | openssl enc -d -aes-256-cbc -pbkdf2 -pass stdin` on a token. */
async function opensslOpen(token: string): Promise<Buffer> {
  const [, wrapped, data] = token.split('.') as [string, string, string];
  const password = await opensslAsync(
    ['pkeyutl', '-decrypt', '-inkey', keys.privatePath],
    Buffer.from(wrapped, 'base64'),
  );
  expect(password.stderr).toBe('');
  const dataPath = tempFile(Buffer.from(data, 'base64'));
  const plain = await opensslAsync(
    ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-pass', 'stdin', '-in', dataPath],
    password.stdout,
  );
  expect(plain.stderr).toBe('');
  return plain.stdout;
}

/**
 * IBM's documented recipe: `openssl pkeyutl -encrypt -pubin` of the password and
 * `openssl enc -aes-256-cbc -pbkdf2 -pass stdin` of the section, as a token; `refused` when
 * openssl itself rejects the password (it does when the first byte is 0x00).
 */
async function opensslSeal(
  section: Uint8Array,
  password: Uint8Array,
): Promise<{ token: string } | { refused: string }> {
  const wrapped = await opensslAsync(
    ['pkeyutl', '-encrypt', '-pubin', '-inkey', keys.publicPath],
    password,
  );
  expect(wrapped.status).toBe(0);
  const data = await opensslAsync(
    ['enc', '-aes-256-cbc', '-pbkdf2', '-pass', 'stdin', '-in', tempFile(section)],
    password,
  );
  if (data.status !== 0) return { refused: data.stderr };
  return {
    token: `hyper-protect-basic.${wrapped.stdout.toString('base64')}.${data.stdout.toString('base64')}`,
  };
}

/** 32 bytes with no 0x00/0x0A, then the given bytes placed at the given positions. */
function craftedPassword(placements: Array<[position: number, byte: number]>): Uint8Array {
  const password = Buffer.from(rng(32)).map((byte) => (byte === 0 || byte === 0x0a ? 0x41 : byte));
  for (const [position, byte] of placements) password[position] = byte;
  return password;
}

const CRAFTED: Array<[string, Array<[number, number]>]> = [
  ['0x0A at 0 (empty password)', [[0, 0x0a]]],
  ['0x0A at 1', [[1, 0x0a]]],
  ['0x0A at 14 (like the IBM fixture)', [[14, 0x0a]]],
  ['0x0A at 30', [[30, 0x0a]]],
  ['0x0A at 31 (last byte)', [[31, 0x0a]]],
  ['0x00 at 1', [[1, 0x00]]],
  ['0x00 at 5', [[5, 0x00]]],
  ['0x00 at 31', [[31, 0x00]]],
  [
    '0x0A at 3 before 0x00 at 9',
    [
      [3, 0x0a],
      [9, 0x00],
    ],
  ],
  [
    '0x00 at 3 before 0x0A at 9',
    [
      [3, 0x00],
      [9, 0x0a],
    ],
  ],
  [
    '0x0D at 0 and 12 (kept by openssl)',
    [
      [0, 0x0d],
      [12, 0x0d],
    ],
  ],
  [
    '0x0D before 0x0A at 20',
    [
      [19, 0x0d],
      [20, 0x0a],
    ],
  ],
  ['all 0x0A', Array.from({ length: 32 }, (_, i): [number, number] => [i, 0x0a])],
];

describe.skipIf(!hasTool('openssl'))('interoperability with the openssl command line', () => {
  beforeAll(() => {
    // 4096 bits like the HPCR encryption certificates; generated once for the whole file.
    const pair = generateKeyPairSync('rsa', { modulusLength: 4096 });
    const privatePath = join(tempDir(), 'private.pem');
    const publicPath = join(tempDir(), 'public.pem');
    writeFileSync(privatePath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(publicPath, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    keys = { ...pair, privatePath, publicPath };
  });

  it(`openssl opens ${CASES} sections hpvs-ctl encrypted (random bytes and YAML, 0-64 KiB)`, async () => {
    const sections = makeSections(CASES);
    const mismatches = await mapLimit(sections, PARALLEL, async (section, index) => {
      const prefix = index % 3 === 0 ? 'contract-basic' : 'hyper-protect-basic';
      const token = encryptSection(section.bytes, keys.publicKey, rng, prefix);
      expect(token.startsWith(`${prefix}.`)).toBe(true);
      const opened = await opensslOpen(token);
      return opened.equals(section.bytes)
        ? []
        : [`case ${index} (${section.kind}, ${section.bytes.length} bytes)`];
    });
    expect(mismatches.flat()).toEqual([]);
    expect(sections.filter((section) => section.kind === 'yaml').length).toBe(CASES / 2);
  });

  it(`hpvs-ctl opens ${CASES} sections made by the documented recipe with raw random passwords`, async () => {
    const sections = makeSections(CASES);
    // Raw uniform bytes, as `openssl rand 32` gives, but seeded so any failure replays.
    const passwords = sections.map(() => rng(32));
    const outcomes = await mapLimit(sections, PARALLEL, async (section, index) => {
      const password = passwords[index]!;
      const sealed = await opensslSeal(section.bytes, password);
      if ('refused' in sealed) {
        // fgets() stops at the NUL, so openssl reads an empty line and gives up.
        expect(password[0]).toBe(0);
        expect(sealed.refused).toContain('Error reading password');
        return 'refused-by-openssl';
      }
      expect(
        decryptSection(sealed.token, keys.privateKey, systemRandom).equals(section.bytes),
      ).toBe(true);
      return opensslPasswordView(password).length < 32 ? 'truncated' : 'full';
    });
    const truncated = outcomes.filter((outcome) => outcome === 'truncated').length;
    // About 22% of raw passwords hold a 0x0A or 0x00; the seed must exercise that path.
    expect(truncated).toBeGreaterThan(CASES * 0.1);
    expect(outcomes.filter((outcome) => outcome === 'full').length).toBeGreaterThan(CASES * 0.6);
  });

  it.each(CRAFTED)(
    'hpvs-ctl opens a recipe section whose password has %s',
    async (_, placements) => {
      const section = yamlText(300);
      const password = craftedPassword(placements);
      const sealed = await opensslSeal(section, password);
      if ('refused' in sealed) throw new Error(`openssl refused the password: ${sealed.refused}`);
      expect(decryptSection(sealed.token, keys.privateKey, systemRandom)).toEqual(section);
    },
  );

  it('openssl refuses a password starting with 0x00, so no such section exists', async () => {
    const sealed = await opensslSeal(yamlText(100), craftedPassword([[0, 0x00]]));
    expect(sealed).toEqual({ refused: expect.stringContaining('Error reading password') });
  });

  it('a recipe section whose password starts with 0x0A opens with the empty password', async () => {
    const section = yamlText(200);
    const sealed = await opensslSeal(section, craftedPassword([[0, 0x0a]]));
    if ('refused' in sealed) throw new Error(sealed.refused);
    const data = Buffer.from(sealed.token.split('.')[2]!, 'base64');
    const opened = await opensslAsync([
      'enc',
      '-d',
      '-aes-256-cbc',
      '-pbkdf2',
      '-pass',
      'pass:',
      '-in',
      tempFile(data),
    ]);
    expect(opened.stdout).toEqual(section);
  });

  describe('through the built CLI', () => {
    it('openssl opens what `hpvs-ctl encrypt` prints', async () => {
      for (const section of makeSections(4).slice(1)) {
        const result = await runCli(['encrypt', '-', '--cert', keys.publicPath], {
          stdin: section.bytes,
        });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^hyper-protect-basic\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\n$/);
        expect(await opensslOpen(result.stdout.trimEnd())).toEqual(section.bytes);
      }
    });

    it('`hpvs-ctl decrypt` opens the recipe with literal `openssl rand 32` passwords', async () => {
      for (const section of makeSections(4).slice(1)) {
        let sealed;
        do {
          const password = (await opensslAsync(['rand', '32'])).stdout;
          sealed = await opensslSeal(section.bytes, password);
        } while ('refused' in sealed);
        const result = await runCli(['decrypt', '-', '--key', keys.privatePath], {
          stdin: `${sealed.token}\n`,
        });
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdoutBytes).toEqual(section.bytes);
      }
    });
  });
});
