import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { runCli, type CliOptions, type CliResult } from '../helpers/run-cli.js';

/**
 * The contract every command keeps on hostile input, checked in one place so each category's
 * table only says what is special about its cases.
 *
 * Bounds are on behaviour, not speed: the child gets a hard heap cap and a kernel limit on all
 * its memory (a command that reads an endless input into memory dies at the limit instead of
 * swapping the machine) and a kill timeout far
 * above what any bounded run needs here, so a hang or super-linear work turns into a failure
 * rather than a stuck suite. The cap goes on node's own command line, never NODE_OPTIONS.
 */
export const HEAP_LIMIT_MB = 256;
/** All memory, Buffers included (see runCli's dataLimitMb). */
export const DATA_LIMIT_MB = 512;
export const KILL_AFTER_MS = 30_000;

export function runBounded(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(args, {
    timeoutMs: KILL_AFTER_MS,
    dataLimitMb: DATA_LIMIT_MB,
    ...options,
    nodeArgs: [`--max-old-space-size=${HEAP_LIMIT_MB}`, ...(options.nodeArgs ?? [])],
  });
}

/** An emulator state for the hostile boots (2048-bit keys: these tests are about inputs). */
export async function initBoundedEmulator(state: string, extra: string[] = []): Promise<void> {
  const init = await runBounded([
    ...['emulator', 'init', '--state', state, '--key-bits', '2048'],
    ...extra,
  ]);
  expect(init.code, init.stderr).toBe(0);
}

/**
 * C0 controls except tab and newline, DEL and the C1 range (CSI 0x9b included): what a terminal
 * would act on. Anything printed that came from an input must show these escaped.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;

export function controlCharacterIn(text: string): string | undefined {
  const match = CONTROL.exec(text);
  return match === null
    ? undefined
    : `U+${match[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${match.index}: ${JSON.stringify(text.slice(Math.max(0, match.index - 40), match.index + 20))}`;
}

/** The run ended on its own: not killed by the timeout, not aborted by the heap cap. */
export function expectBounded(result: CliResult, what: string): void {
  expect(
    result.timedOut,
    `${what}: still running after ${KILL_AFTER_MS / 1000} s (a hang or unbounded work)`,
  ).toBe(false);
  expect(
    result.signal,
    `${what}: ended by ${result.signal} (over the ${HEAP_LIMIT_MB} MB heap or ${DATA_LIMIT_MB} MB memory limit?) ${result.stderr.slice(0, 300)}`,
  ).toBe(null);
  expect(result.stderr, `${what}: memory exhausted`).not.toMatch(
    /heap out of memory|allocation failed|ENOMEM/i,
  );
}

export interface FailureExpectation {
  /** 1: invalid input or failed verification; 2: usage; a list where either is right. */
  code: 1 | 2 | readonly (1 | 2)[];
  /** What the one error line must say (its cause, its file:line:col). */
  message?: RegExp;
  /** Bytes planted in the inputs (seeds, passphrases, key material) that must never be printed. */
  secrets?: readonly string[];
  /**
   * The command answers with a report on stdout (validate's problems, inspect's findings, a
   * FAIL verdict): stdout may hold it, stderr may be empty or hold only warnings, and `message`
   * may match either.
   */
  report?: boolean;
  /** A note the command prints before its error line (a platform alias named): allowed. */
  note?: RegExp;
}

const USAGE_HINT = '(run with --help for usage)';

/**
 * A clean failure: the expected exit code, exactly one `hpvs-ctl: error:` line (plus the usage
 * hint for exit 2), no stack trace or internal error, no raw control character, no replacement
 * character from a mangled non-UTF-8 name, no secret, nothing on stdout unless it is a report.
 */
export function expectCleanFailure(
  result: CliResult,
  what: string,
  expected: FailureExpectation,
): void {
  expectBounded(result, what);
  const context = `${what}\n--- exit ${result.code}, stderr:\n${result.stderr.slice(0, 600)}\n--- stdout:\n${result.stdout.slice(0, 300)}`;
  const codes: readonly number[] = Array.isArray(expected.code) ? expected.code : [expected.code];
  expect(codes, context).toContain(result.code);
  // a report may come with warnings about its inputs (a 2048-bit certificate), like any answer
  const lines = result.stderr
    .replace(/\n$/, '')
    .split('\n')
    .filter((line) => !(expected.report && line.startsWith('hpvs-ctl: warning: ')))
    .filter((line, index) => !(index === 0 && expected.note?.test(line)));
  const extra = lines.slice(1).filter((line) => !(result.code === 2 && line === USAGE_HINT));
  if (!(expected.report && lines.join('') === '')) {
    expect(lines[0], context).toMatch(/^hpvs-ctl: error: \S/);
    expect(extra, `${context}\n(one error line only)`).toEqual([]);
  }
  expect(result.stderr, context).not.toMatch(/internal error|\n\s+at \S|Maximum call stack/);
  expect(controlCharacterIn(result.stderr), context).toBeUndefined();
  expect(controlCharacterIn(result.stdout), context).toBeUndefined();
  expect(result.stderr, `${context}\n(a non-UTF-8 byte shown as U+FFFD)`).not.toContain('\ufffd');
  if (expected.message) {
    expect(expected.report ? result.stderr + result.stdout : lines[0], context).toMatch(
      expected.message,
    );
  }
  if (!expected.report) expect(result.stdout, context).toBe('');
  expectNoSecret(result, what, expected.secrets ?? []);
}

export function expectNoSecret(result: CliResult, what: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    expect(result.stdout.includes(secret), `${what}: a secret is on stdout`).toBe(false);
    expect(result.stderr.includes(secret), `${what}: a secret is on stderr`).toBe(false);
  }
}

/** Every path under `dir` (files and folders, relative), sorted. */
export function listTree(dir: string): string[] {
  const paths: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      paths.push(relative(dir, path));
      if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return paths.sort();
}

/** A failed run left nothing behind: no output file, no temp file, no new folder. */
export function expectNothingWritten(dir: string, before: readonly string[], what: string): void {
  expect(listTree(dir), `${what}: files left behind`).toEqual(before);
}

/** The permission bits of a file. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}
