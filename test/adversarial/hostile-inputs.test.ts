import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { hasTool } from '../helpers/tools.js';
import { writeAdversarialFiles } from './fixtures.js';
import {
  controlCharacterIn,
  expectBounded,
  expectCleanFailure,
  expectNothingWritten,
  listTree,
  runBounded,
} from './hostile-cli.js';
import { INPUT_ROWS, writeRowFiles, type RowFiles } from './input-rows.js';

/**
 * Every input of every command (the rows of input-rows.ts) given each kind of hostile file:
 * an endless device, an oversized regular file, a FIFO fed forever, binary bytes, text full of
 * terminal escapes, a folder where a file belongs (a file where a folder belongs), and the
 * endless input again with `--json`. Each ends in one clean `hpvs-ctl: error:` line with exit 1
 * (or a report), no secret, no control character from the input and nothing written, under the
 * heap and memory caps and the kill timeout of hostile-cli.ts.
 */
const tempDir = useTempDir('hpvs-adversarial-inputs-');
let f: RowFiles;
beforeAll(async () => {
  const adversarial = await writeAdversarialFiles(join(tempDir(), 'fixtures'));
  f = await writeRowFiles(adversarial, join(tempDir(), 'rows'));
}, 120_000);

const TOO_LARGE = /is larger than \d+ [KM]iB, the most hpvs-ctl reads/;
/** An OSC title change, a screen clear, a bell and a C1 CSI. */
const ESCAPES = '\u001b]0;pwned\u0007\u001b[2J\u009b31m';
/** Above every input limit (the largest, an inventory, is 64 MiB); sparse, so free to make. */
const OVERSIZED = 100 * 1024 * 1024;

let counter = 0;
function caseDir(): string {
  const dir = join(tempDir(), `case-${++counter}`);
  mkdirSync(dir);
  return dir;
}

const row = (input: string) => INPUT_ROWS.find((candidate) => candidate.input === input)!;
const fileInputs = INPUT_ROWS.filter((input) => input.folder !== true);
const folderInputs = INPUT_ROWS.filter((input) => input.folder === true);
const skip = (tool: string | undefined) => tool !== undefined && !hasTool(tool);

/** Runs `input`'s row with `hostile` in its place in a fresh folder; checks nothing is left. */
async function runRow(
  input: string,
  hostile: (dir: string) => string,
  expectation: { message?: RegExp; anyOutcome?: boolean; json?: boolean },
): Promise<void> {
  const r = row(input);
  const dir = caseDir();
  const path = hostile(dir);
  const before = listTree(dir);
  const args = r.args(f, path, join(dir, 'out'));
  const result = await runBounded(expectation.json ? [...args, '--json'] : args, { cwd: dir });
  const label = `${input} ${path}`;
  if (expectation.anyOutcome && result.code === 0) {
    expectBounded(result, label);
    expect(controlCharacterIn(result.stdout + result.stderr), label).toBeUndefined();
    return;
  }
  expectCleanFailure(result, label, {
    code: 1,
    secrets: f.secrets,
    ...(expectation.message ? { message: expectation.message } : {}),
    ...(r.report && !expectation.json ? { report: true } : {}),
    ...(r.note ? { note: r.note } : {}),
  });
  if (r.report && expectation.json) {
    // a report in JSON is one JSON document, or nothing when the input could not be read
    if (result.stdout !== '') expect(() => JSON.parse(result.stdout), label).not.toThrow();
  }
  if (!r.recordsFailure) expectNothingWritten(dir, before, label);
}

describe('the matrix covers every input', () => {
  it('every file or folder a command reads (from its --help) has a row', async () => {
    const listed = await helpInputs();
    expect(listed.length).toBeGreaterThan(60);
    const rowInputs = new Set(INPUT_ROWS.map((input) => input.input));
    const missing = listed.filter((input) => !rowInputs.has(input) && !(input in NOT_HOSTILE));
    expect(missing, 'inputs without a row in test/adversarial/input-rows.ts').toEqual([]);
    // a row or an exception for an input the help no longer lists is stale
    const stale = [...rowInputs, ...Object.keys(NOT_HOSTILE)].filter((i) => !listed.includes(i));
    expect(stale, 'rows of inputs no command lists').toEqual([]);
  });

  it('each input has one row', () => {
    const inputs = INPUT_ROWS.map((r) => r.input);
    expect(inputs.filter((input, i) => inputs.indexOf(input) !== i)).toEqual([]);
  });
});

describe.concurrent('an endless device (/dev/zero)', () => {
  it.each(fileInputs.map((i) => [i.input, i] as const))('%s', async (input, { tool }) => {
    if (skip(tool)) return;
    await runRow(input, () => '/dev/zero', { message: TOO_LARGE });
  });
});

describe.concurrent('an endless device with --json', () => {
  it.each(fileInputs.filter((i) => i.json).map((i) => [i.input, i] as const))(
    '%s',
    async (input, { tool }) => {
      if (skip(tool)) return;
      await runRow(input, () => '/dev/zero', { message: TOO_LARGE, json: true });
    },
  );
});

describe.concurrent('a regular file larger than any limit', () => {
  it.each(fileInputs.map((i) => [i.input, i] as const))('%s', async (input, { tool }) => {
    if (skip(tool)) return;
    await runRow(
      input,
      (dir) => {
        const file = join(dir, 'oversized.bin');
        writeFileSync(file, '');
        truncateSync(file, OVERSIZED);
        return file;
      },
      { message: TOO_LARGE },
    );
  });
});

describe.concurrent('a FIFO fed forever', () => {
  const writers: ChildProcess[] = [];
  afterAll(() => {
    for (const writer of writers) writer.kill('SIGKILL');
  });
  it.each(fileInputs.map((i) => [i.input, i] as const))('%s', async (input, { tool }) => {
    if (skip(tool)) return;
    await runRow(
      input,
      (dir) => {
        const fifo = join(dir, 'input.fifo');
        expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
        // blocks until the command opens the FIFO, then writes until it is closed
        const writer = spawn('sh', ['-c', 'exec yes "key: value" > "$0"', fifo], {
          stdio: 'ignore',
        });
        writers.push(writer);
        return fifo;
      },
      { message: TOO_LARGE },
    );
  });
});

/** Bytes no input accepts as its format: NULs, escapes, invalid UTF-8. */
function binary(): Buffer {
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 151 + 7) & 0xff;
  return Buffer.concat([Buffer.from([0x00, 0xff, 0x1b]), bytes, Buffer.from(ESCAPES)]);
}

describe.concurrent('binary bytes', () => {
  it.each(fileInputs.map((i) => [i.input, i] as const))('%s', async (input, { tool }) => {
    if (skip(tool)) return;
    await runRow(
      input,
      (dir) => {
        const file = join(dir, 'binary.bin');
        writeFileSync(file, binary());
        return file;
      },
      { anyOutcome: row(input).anyBytes === true },
    );
  });
});

describe.concurrent('text carrying terminal escapes', () => {
  // a value may legitimately hold them (a passphrase, a seed): then nothing of it reaches the
  // terminal raw; a refusal is one clean line
  it.each(fileInputs.map((i) => [i.input, i] as const))('%s', async (input, { tool }) => {
    if (skip(tool)) return;
    await runRow(
      input,
      (dir) => {
        const file = join(dir, 'escapes.txt');
        writeFileSync(file, `title${ESCAPES}: x${ESCAPES}\n`);
        return file;
      },
      { anyOutcome: true },
    );
  });
});

describe.concurrent('a folder where a file belongs', () => {
  it.each(fileInputs.map((i) => [i.input, i] as const))('%s', async (input, { tool }) => {
    if (skip(tool)) return;
    await runRow(
      input,
      (dir) => {
        const folder = join(dir, 'a-folder');
        mkdirSync(folder);
        return folder;
      },
      { message: /a-folder/ },
    );
  });
});

describe.concurrent('a file, or an endless device, where a folder belongs', () => {
  it.each(folderInputs.map((i) => [i.input, i] as const))('%s: a file', async (input) => {
    await runRow(
      input,
      (dir) => {
        const file = join(dir, 'a-file');
        writeFileSync(file, binary());
        return file;
      },
      { message: /a-file/ },
    );
  });
  it.each(folderInputs.map((i) => [i.input, i] as const))('%s: /dev/zero', async (input) => {
    await runRow(input, () => '/dev/zero', { message: /\/dev\/zero/ });
  });
});

/**
 * What a command's --help lists that names a path but is not a host file hpvs-ctl reads as
 * input, with the reason; every other path flag and argument needs a row.
 */
const NOT_HOSTILE: Record<string, string> = {
  'workload --mount': 'a path inside the container, never opened on the host',
  'emulator init --state': 'the folder it creates (an output)',
  'emulator boot --volume-image':
    'a disk image the boot formats or unlocks with cryptsetup: emulator-boundaries.test.ts',
  'emulator boot --runtime': 'a module of code the user chose to run, not data',
};

/** Placeholders of paths the command reads; outputs (--out, --out-dir, *-out) excluded. */
const INPUT_PLACEHOLDER =
  /^<(?:file|path|dir|inventory|iso|\[name=\]file|sandbox\|system\|file|name\|module)>$/;
const OUTPUT_FLAG = /^--(?:out|out-dir|[a-z-]+-out)$/;
/** Positional arguments that are files or folders, as usage lines name them. */
const PATH_ARGUMENT = /^[<[]((?:file|dir|user-data|cert|initdata))[>\]]$/;

/** `command --flag` and `command ARGUMENT` for every path input of every command. */
async function helpInputs(): Promise<string[]> {
  const inputs: string[] = [];
  const visit = async (path: string[]): Promise<void> => {
    const help = (await runCli([...path, '--help'])).stdout;
    const blocks = help.split(/\n(?=\S)/);
    const section = (title: string) => blocks.find((b) => b.startsWith(`${title}:`)) ?? '';
    const command = path.join(' ');
    for (const match of section('Options').matchAll(/^ {2}(?:-\w, )?(--[a-z][\w-]*) (\S+)/gm)) {
      if (INPUT_PLACEHOLDER.test(match[2]!) && !OUTPUT_FLAG.test(match[1]!)) {
        inputs.push(`${command} ${match[1]}`);
      }
    }
    const usage = /^Usage: hpvs-ctl (.*)$/m.exec(help)?.[1] ?? '';
    for (const word of usage.split(' ').slice(path.length)) {
      const argument = PATH_ARGUMENT.exec(word)?.[1];
      if (argument) inputs.push(`${command} ${argument.toUpperCase()}`);
    }
    const subcommands = [...section('Commands').matchAll(/^ {2}([a-z][\w-]*)/gm)]
      .map((m) => m[1]!)
      .filter((name) => name !== 'help');
    for (const name of subcommands) await visit([...path, name]);
  };
  await visit([]);
  return inputs;
}
