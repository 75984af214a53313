import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/temp-dir.js';
import { writeAdversarialFiles, type AdversarialFiles } from './fixtures.js';
import {
  expectBounded,
  expectCleanFailure,
  expectNothingWritten,
  listTree,
  runBounded,
} from './hostile-cli.js';

/**
 * Hostile YAML in every file a command parses as YAML. Each case starts from a document the
 * command accepts and changes one thing; each must give exit 1 and a cause naming the file
 * (with line:col where a parser can place it), never an internal error, a stack overflow, a
 * blown heap, a printed secret or an output file.
 */
const tempDir = useTempDir('hpvs-adversarial-yaml-');
let f: AdversarialFiles;
beforeAll(async () => {
  f = await writeAdversarialFiles(join(tempDir(), 'fixtures'));
}, 60_000);

const NON_UTF8 = Buffer.from([0xff, 0xfe, 0xc0, 0x80]);

/** Nine levels of ten aliases each: 10^8 nodes once expanded, under 1 KB on disk. */
function aliasBomb(): string {
  const lines = [`x-a0: &a0 [${Array(10).fill('"lol"').join(', ')}]`];
  for (let level = 1; level < 9; level++) {
    lines.push(
      `x-a${level}: &a${level} [${Array(10)
        .fill(`*a${level - 1}`)
        .join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\nx-bomb: *a8\n`;
}

/** Deep enough to overflow any recursive descent (the yaml package gave up near 800). */
const DEPTH = 5_000;
/** Above what any section, user-data file or inventory may hold. */
const HUGE = 12 * 1024 * 1024;

/** Each payload rewrites a valid document `doc` whose text contains `value`, a scalar. */
interface Payload {
  name: string;
  /** The cause must carry `file:line:col`. */
  position: boolean;
  /** What else the cause must say. */
  says?: RegExp;
  bytes: (doc: string, value: string) => Buffer;
  /** Only for these targets (default: all). */
  appliesTo?: (target: Target) => boolean;
}

const PAYLOADS: Payload[] = [
  { name: 'alias bomb', position: false, bytes: (doc) => Buffer.from(aliasBomb() + doc) },
  {
    name: 'deep nesting',
    position: false,
    bytes: (doc) => Buffer.from(`x-deep: ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}\n${doc}`),
  },
  {
    name: 'a 12 MiB scalar',
    position: false,
    // user data has no size limit of its own on KVM (SPEC.md), so only the inputs with a small
    // one; a 9 MB archive in user data is in hostile-archives.test.ts
    appliesTo: (target) => target.sectionSized === true,
    bytes: (doc, value) => Buffer.from(doc.replace(value, 'A'.repeat(HUGE))),
  },
  {
    name: 'a duplicate key',
    position: true,
    // the first key again: after it in a list item, at the end of a mapping
    bytes: (doc) => {
      const [line, key] = /^(?:- )?([A-Za-z][\w.-]*):.*\n/.exec(doc)!;
      return Buffer.from(
        line.startsWith('- ')
          ? doc.replace(line, `${line}  ${key}: again\n`)
          : `${doc}${key}: again\n`,
      );
    },
  },
  {
    name: 'tab indentation',
    position: true,
    bytes: (doc) => Buffer.from(`${doc}x-tabbed:\n\tkey: value\n`),
  },
  {
    name: 'non-UTF-8 bytes in a value',
    position: false,
    says: /UTF-8/,
    bytes: (doc, value) => {
      const at = doc.indexOf(value);
      return Buffer.concat([
        Buffer.from(doc.slice(0, at + 1)),
        NON_UTF8,
        Buffer.from(doc.slice(at + 1)),
      ]);
    },
  },
];

interface Target {
  name: string;
  /** The valid document and a scalar value inside it. */
  doc: () => [string, string];
  args: (file: string, out: string) => string[];
  /** Answers with a report on stdout (validate, inspect, verify). */
  report?: boolean;
  /** A section-sized input: a few MiB at most. */
  sectionSized?: boolean;
}

const read = (path: string) => readFileSync(path, 'utf8');
const logRouter = () => [
  'env',
  '--log-router-host',
  'ingest.example.com',
  '--log-router-key-file',
  f.apiKey,
];

/** Every command input that is YAML; `file` is the hostile one, `out` where output would go. */
const TARGETS: Target[] = [
  {
    name: 'validate',
    doc: () => [read(f.userData), 'ingest.example.com'],
    args: (file) => ['validate', file],
    report: true,
  },
  {
    name: 'validate --section',
    sectionSized: true,
    doc: () => [read(f.workload), '/mnt/data'],
    args: (file) => ['validate', '--section', 'workload', file],
    report: true,
  },
  {
    name: 'inspect',
    doc: () => [read(f.userData), 'ingest.example.com'],
    args: (file) => ['inspect', file],
    report: true,
  },
  {
    name: 'sign',
    doc: () => [read(f.userData), 'ingest.example.com'],
    args: (file, out) => ['sign', file, '--key', f.signKey, '--out', out],
  },
  {
    name: 'verify',
    doc: () => [read(f.userData), 'ingest.example.com'],
    args: (file) => ['verify', file, '--signing-key', f.signPub],
    report: true,
  },
  {
    name: 'contract --workload',
    sectionSized: true,
    doc: () => [read(f.workload), '/mnt/data'],
    args: (file, out) => ['contract', '--workload', file, '--env', f.env, '--out', out],
  },
  {
    name: 'contract --env',
    sectionSized: true,
    doc: () => [read(f.env), 'ingest.example.com'],
    args: (file, out) => ['contract', '--workload', f.workload, '--env', file, '--out', out],
  },
  {
    name: 'contract --batch',
    doc: () => ['instances:\n  - name: web-1\n  - name: web-2\n', 'web-2'],
    args: (file, out) => [
      ...['contract', '--workload', f.workload, '--env', f.env, '--sign-key', f.signKey],
      ...['--batch', file, '--out-dir', out],
    ],
  },
  {
    name: 'workload --auths',
    sectionSized: true,
    doc: () => ['us.icr.io:\n  username: iamapikey\n  password: registry-pw\n', 'iamapikey'],
    args: (file, out) => ['workload', '--compose', f.composeDir, '--auths', file, '--out', out],
  },
  {
    name: 'workload --play-resources',
    sectionSized: true,
    doc: () => [
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: web@sha256:${'b'.repeat(64)}\n`,
      'name: web\n',
    ],
    args: (file, out) => ['workload', '--play-resources', file, '--out', out],
  },
  {
    name: 'env --auths',
    sectionSized: true,
    doc: () => ['us.icr.io:\n  username: iamapikey\n  password: registry-pw\n', 'iamapikey'],
    args: (file, out) => [...logRouter(), '--auths', file, '--out', out],
  },
  {
    name: 'env --kms-file',
    sectionSized: true,
    doc: () => [
      '- apiKey: kms-api-key-0123\n  crn: crn:v1:bluemix:public:kms:us-south:a/1:2:key:3\n  type: private\n',
      'kms-api-key-0123',
    ],
    args: (file, out) => [
      ...logRouter(),
      ...['--volume', 'data', '--seed-file', f.envSeed, '--kms-file', file, '--out', out],
    ],
  },
];

let counter = 0;
function caseDir(): string {
  const dir = join(tempDir(), `case-${++counter}`);
  mkdirSync(dir);
  return dir;
}

describe('the base documents are accepted (so each case below fails for its one change)', () => {
  it.each(TARGETS.map((target) => [target.name, target] as const))('%s', async (_, target) => {
    const dir = caseDir();
    const file = join(dir, 'input.yaml');
    const [doc, value] = target.doc();
    expect(doc).toContain(value);
    writeFileSync(file, doc);
    const result = await runBounded(target.args(file, join(dir, 'out')), { cwd: dir });
    expectBounded(result, target.name);
    expect(result.code, result.stderr).toBe(0);
  });
});

describe.concurrent('hostile YAML in every YAML input', () => {
  const cases = PAYLOADS.flatMap((payload) =>
    TARGETS.filter((target) => payload.appliesTo?.(target) ?? true).map(
      (target) => [`${target.name}: ${payload.name}`, payload, target] as const,
    ),
  );
  it.each(cases)('%s', async (label, payload, target) => {
    const dir = caseDir();
    const file = join(dir, 'hostile.yaml');
    writeFileSync(file, payload.bytes(...target.doc()));
    const before = listTree(dir);
    const result = await runBounded(target.args(file, join(dir, 'out')), { cwd: dir });
    expectCleanFailure(result, label, {
      code: 1,
      message: new RegExp(`hostile\\.yaml${payload.position ? ':\\d+:\\d+' : ''}`),
      secrets: f.secrets,
      ...(target.report ? { report: true } : {}),
    });
    if (payload.says) expect(result.stderr + result.stdout, label).toMatch(payload.says);
    expectNothingWritten(dir, before, label);
  });
});
