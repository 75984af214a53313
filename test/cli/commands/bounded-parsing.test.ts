import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTgz } from '../../../src/core/archive/build-tgz.js';
import { encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { isOneLineError, runCli, type CliResult } from '../../helpers/run-cli.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { story } from '../../../scripts/lib/story.mjs';

/**
 * Inputs that used to end in an internal error: tokens and archives of 8-16 MB (V8 overflowed
 * its stack in the base64 regular expression) and YAML alias bombs (yaml's ReferenceError).
 * Every command must now give a result, or one clean line and exit 1. A size limit refusing
 * the input is such a line, so these tests also hold when limits are added.
 */

const tempDir = useTempDir('hpvs-ctl-bounded-');
const MB = 1024 * 1024;

function expectResultOrCleanError(result: CliResult, expected: (result: CliResult) => void): void {
  expect(result.stderr).not.toMatch(/internal error|Maximum call stack|    at /);
  if (result.code === 0) {
    expected(result);
  } else {
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
  }
}

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const random = seededRandom('bounded-parsing');
const file = (name: string): string => join(tempDir(), name);

describe('tokens and archives of 8-16 MB', () => {
  // random-looking text, so the archive below does not compress away
  const section = Buffer.from(random(9 * MB)).toString('base64');
  let token: string;

  beforeAll(() => {
    token = encryptSection(Buffer.from(section), publicKey, random);
    writeFileSync(file('key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(file('big.enc'), `${token}\n`);
    writeFileSync(file('big-user-data.yaml'), `workload: ${token}\nenv: ${token}\n`);
  });

  it('decrypt opens a 16 MB token', async () => {
    expect(token.length).toBeGreaterThan(16 * MB);
    const result = await runCli(['decrypt', file('big.enc'), '--key', file('key.pem')]);
    expectResultOrCleanError(result, ({ stdout }) => expect(stdout === section).toBe(true));
  });

  it('validate and inspect read user data with two 16 MB tokens', async () => {
    const validate = await runCli(['validate', file('big-user-data.yaml')]);
    expectResultOrCleanError(validate, ({ stdout }) =>
      expect(stdout).toMatch(/workload: note: encrypted/),
    );
    const inspect = await runCli(['inspect', file('big-user-data.yaml')]);
    expectResultOrCleanError(inspect, ({ stdout }) =>
      expect(stdout).toMatch(/workload \(line 1\): encrypted/),
    );
  });

  it('validate checks the compose file inside a 12 MB compose.archive', async () => {
    const archive = await buildTgz([
      {
        type: 'file',
        path: 'docker-compose.yaml',
        data: Buffer.from('services:\n  web:\n    image: nginx\n'),
        executable: false,
      },
      { type: 'file', path: 'blob.bin', data: Buffer.from(random(9 * MB)), executable: false },
    ]);
    const base64 = archive.toString('base64');
    expect(base64.length).toBeGreaterThan(12 * MB);
    writeFileSync(file('workload.yaml'), `type: workload\ncompose:\n  archive: ${base64}\n`);
    const result = await runCli(['validate', file('workload.yaml'), '--section', 'workload']);
    expectResultOrCleanError(result, ({ stdout }) =>
      expect(stdout).toMatch(/archive\/docker-compose\.yaml:3:12 service "web" image "nginx"/),
    );
  });

  it('validate reports keys, certificates and signatures of 1.6 MB as problems', async () => {
    // each over the 1 MiB a key or signature may have, all four under user data's 8 MiB limit
    // (a larger file is refused before parsing: src/node/input-limits.ts)
    const huge = Buffer.alloc(1.2 * MB).toString('base64');
    const pem = (label: string, indent: string) =>
      ['|', `-----BEGIN ${label}-----`, huge, `-----END ${label}-----`].join(`\n${indent}`);
    writeFileSync(
      file('huge-keys.yaml'),
      [
        'workload:',
        '  type: workload',
        '  compose:',
        '    archive: H4sI',
        'env:',
        '  type: env',
        '  logging:',
        '    syslog:',
        '      hostname: logs.example.com',
        `      server: ${pem('CERTIFICATE', '        ')}`,
        `  signingKey: ${huge}`,
        `attestationPublicKey: ${pem('PUBLIC KEY', '  ')}`,
        `envWorkloadSignature: ${huge}`,
        '',
      ].join('\n'),
    );
    const result = await runCli(['validate', file('huge-keys.yaml')]);
    expectResultOrCleanError(result, () => undefined);
    expect(result.code).toBe(1);
    for (const problem of [
      /env\.logging\.syslog\.server: is longer than 1048576 characters/,
      /env\.signingKey: is longer than 1048576 characters/,
      /attestationPublicKey: must be a PEM public key/,
    ]) {
      expect(result.stdout).toMatch(problem);
    }
  });
});

describe('YAML alias bombs', () => {
  const bomb = [
    '  a: &a [x, x, x, x, x, x, x, x, x]',
    '  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    '  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
    '  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    '  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    '  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
  ].join('\n');
  const aliasBomb = /bomb\.yaml:4:10: invalid YAML: its aliases expand to too many nodes/;

  beforeAll(() => {
    writeFileSync(file('key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(file('key.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(file('bomb.yaml'), `workload:\n  type: workload\n${bomb}\nenv: {}\n`);
    writeFileSync(file('auths.yaml'), `registry.example.com:\n${bomb}\n`);
  });

  it.each([
    ['validate', () => ['validate', file('bomb.yaml')]],
    ['inspect', () => ['inspect', file('bomb.yaml')]],
    ['sign', () => ['sign', file('bomb.yaml'), '--key', file('key.pem')]],
    ['verify', () => ['verify', file('bomb.yaml'), '--signing-key', file('key.pub')]],
  ])('%s refuses one in user data with file:line:col', async (_, args) => {
    const result = await runCli(args());
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(aliasBomb);
  });

  it('env refuses one in a builder input file', async () => {
    writeFileSync(file('api.key'), 'abcdefabcdefabcdef\n');
    const result = await runCli(
      story.env({
        logRouterHost: 'logs.example.com',
        logRouterKeyFile: file('api.key'),
        auths: file('auths.yaml'),
      }),
    );
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(/auths\.yaml:3:10: invalid YAML: its aliases expand/);
  });
});
