import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTgz } from '../../src/core/archive/build-tgz.js';
import { inspectUserData } from '../../src/core/contract/inspect-user-data.js';
import { parseUserData } from '../../src/core/contract/user-data.js';
import { validateUserData } from '../../src/core/schema/validate-contract.js';
import { planWorkload } from '../../src/emulator/runtimes/workload-plan.js';
import { useTempDir } from '../helpers/temp-dir.js';

/**
 * One rule, one home: validate, inspect and the emulator judge the same contract the same way.
 * Each case feeds one plaintext user data to all three and compares what they single out.
 */

const tempDir = useTempDir('hpvs-rule-agreement-');
const NOW = new Date('2026-06-01T00:00:00Z');
const DIGEST = 'a'.repeat(64);
const SEED = 'seed-0123456789abcdef';

const IMAGES = {
  pinned: `registry.example.com/app@sha256:${DIGEST}`,
  shortDigest: 'registry.example.com/short@sha256:abc123',
  upperDigest: `registry.example.com/upper@sha256:${DIGEST.toUpperCase()}`,
  tagged: 'registry.example.com/tagged:1.0',
  interpolated: '${APP_IMAGE}',
};
const REFUSED = [IMAGES.shortDigest, IMAGES.upperDigest, IMAGES.tagged];

function indent(text: string, spaces: number): string {
  return text.replace(/^(?=.)/gm, ' '.repeat(spaces));
}

const WORKLOAD_VOLUMES = [
  'volumes:',
  '  data:',
  `    seed: ${SEED}`,
  '    mount: /mnt/data',
  '',
].join('\n');

const ENV = [
  'type: env',
  'logging:',
  '  logRouter:',
  '    hostname: logs.example.com',
  '    iamApiKey: key',
  'volumes:',
  '  data:',
  `    seed: ${SEED}`,
  'env:',
  `  APP_IMAGE: ${IMAGES.pinned}`,
  '',
].join('\n');

function userData(workload: string, env = ENV): string {
  return `workload:\n${indent(workload, 2)}env:\n${indent(env, 2)}`;
}

function workloadData(text: string): Record<string, unknown> {
  return parseUserData(text, 'user-data.yaml').sections.get('workload')!.data as Record<
    string,
    unknown
  >;
}

/** The refused images named in each tool's findings. */
async function judged(
  text: string,
): Promise<Record<'validate' | 'inspect' | 'emulator', string[]>> {
  const named = (messages: string[]) =>
    Object.values(IMAGES).filter((image) => messages.some((m) => m.includes(`"${image}"`)));
  const validated = await validateUserData(parseUserData(text, 'user-data.yaml'), {
    now: NOW,
    platform: 'hpvs',
  });
  const inspected = await inspectUserData(text, 'user-data.yaml', NOW);
  const plan = await planWorkload({
    workload: workloadData(text),
    environment: { APP_IMAGE: IMAGES.pinned },
    volumes: [{ name: 'data', mount: '/mnt/data', folder: join(tempDir(), 'data') }],
    workDir: join(tempDir(), 'work'),
    instanceDir: tempDir(),
    log: () => {},
  });
  return {
    validate: named(validated.problems.map((problem) => problem.message)),
    inspect: named(
      inspected.findings.filter((f) => f.rule === 'image-not-trusted').map((f) => f.message),
    ),
    emulator: named(plan.problems),
  };
}

async function composeWorkload(images: string[]): Promise<string> {
  const services = images.map((image, index) => `  s${index}:\n    image: "${image}"\n`).join('');
  const archive = await buildTgz([
    {
      type: 'file',
      path: 'docker-compose.yaml',
      data: Buffer.from(`services:\n${services}`),
      executable: false,
    },
  ]);
  return [
    'type: workload',
    'compose:',
    `  archive: ${archive.toString('base64')}`,
    WORKLOAD_VOLUMES,
  ].join('\n');
}

describe('one rule, one home', () => {
  it('image pinning: a full 64-hex sha256 digest for validate, inspect and the emulator alike', async () => {
    const verdicts = await judged(userData(await composeWorkload(Object.values(IMAGES))));
    expect(verdicts.emulator).toEqual(REFUSED);
    expect(verdicts.inspect).toEqual(REFUSED);
    expect(verdicts.validate).toEqual(REFUSED);
  });

  it('pod images include init containers for inspect and the emulator alike', async () => {
    const workload = [
      'type: workload',
      'play:',
      '  resources:',
      '    - apiVersion: v1',
      '      kind: Pod',
      '      metadata: {name: app}',
      '      spec:',
      '        initContainers:',
      `          - {name: setup, image: "${IMAGES.tagged}"}`,
      '        containers:',
      `          - {name: main, image: "${IMAGES.pinned}"}`,
      WORKLOAD_VOLUMES,
    ].join('\n');
    const verdicts = await judged(userData(workload));
    expect(verdicts.emulator).toEqual([IMAGES.tagged]);
    expect(verdicts.inspect).toEqual([IMAGES.tagged]);
  });

  it('a signature in workload.images covers the image for inspect and the emulator alike', async () => {
    const workload = (await composeWorkload([IMAGES.tagged])).replace(
      'volumes:',
      `images:\n  rhs:\n    registry.example.com/tagged:\n      publicKey: ${Buffer.from('key').toString('base64')}\nvolumes:`,
    );
    const verdicts = await judged(userData(workload));
    expect(verdicts.emulator).toEqual([]);
    expect(verdicts.inspect).toEqual([]);
  });

  it('volume names: validate and inspect both report a name only one section has', async () => {
    const text = userData(
      await composeWorkload([IMAGES.pinned]),
      ENV.replace('  data:', '  other:'),
    );
    const validated = await validateUserData(parseUserData(text, 'user-data.yaml'), {
      now: NOW,
      platform: 'hpvs',
    });
    const inspected = await inspectUserData(text, 'user-data.yaml', NOW);
    const paths = (rule: string, found: { rule?: string; path?: string; message: string }[]) =>
      found.filter((finding) => finding.rule === rule).length;
    expect(paths('volume-names-match', validated.problems)).toBe(2);
    expect(paths('volume-names-match', inspected.findings)).toBe(2);
  });

  it('logging: logDNA beside logRouter is ignored with a warning by validate and inspect alike', async () => {
    const env = ENV.replace(
      'logging:\n',
      `logging:\n  logDNA:\n    hostname: old.example.com\n    ingestionKey: ${'a'.repeat(32)}\n`,
    );
    const text = userData(await composeWorkload([IMAGES.pinned]), env);
    const validated = await validateUserData(parseUserData(text, 'user-data.yaml'), {
      now: NOW,
      platform: 'hpvs',
    });
    const inspected = await inspectUserData(text, 'user-data.yaml', NOW);
    expect(validated.valid).toBe(true);
    expect(validated.problems.map((p) => p.message)).toContain(
      'logDNA is deprecated and current images ignore it; logRouter is used',
    );
    const env0 = inspected.sections.find((section) => section.key === 'env');
    expect(env0?.summary).toMatchObject({ logging: { type: 'logRouter' } });
  });
});
