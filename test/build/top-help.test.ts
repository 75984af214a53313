import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { StubReached } from '../../src/cli/command-manifest.js';
import { buildProgram, buildProgramFor, commandManifest } from '../../src/cli/cli.js';
import { CLI, PROJECT_ROOT } from '../helpers/run-cli.js';

/**
 * bin/hpvs-ctl.js prints the program's help for `--help`, `-h` and no arguments from
 * dist/help.txt, which the build wrote, and every other command line goes to commander with
 * only the named command's file loaded (the others are stand-ins from
 * dist/command-manifest.json). Both must print exactly what commander prints with the whole
 * program. Run `npm run build` first.
 */

/** bin/load-cli.js, which loads the built CLI (dist/cli.cjs). */
const LOADER = pathToFileURL(`${PROJECT_ROOT}bin/load-cli.js`).href;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Run {
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: PROJECT_ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The installed command, as a user runs it (output to a pipe). */
const viaBin = (argv: string[]): Run => run([CLI, ...argv]);

/** The built CLI with every command file loaded, and no precomputed help. */
const viaWholeProgram = (argv: string[]): Run =>
  run([
    '--input-type=module',
    '--eval',
    `const { cli } = (await import(${JSON.stringify(LOADER)})).loadCli();
process.exitCode = await cli.runProgram(cli.buildProgram, ${JSON.stringify(argv)});`,
  ]);

describe('the program help printed without loading the CLI (run `npm run build` first)', () => {
  for (const argv of [['--help'], ['-h'], []]) {
    it(`\`hpvs-ctl ${argv.join(' ')}\` prints what commander prints, with its exit code`, () => {
      const fast = viaBin(argv);
      expect(fast).toEqual(viaWholeProgram(argv));
      // the text is the real one: the commands and their examples
      const text = argv.length === 0 ? fast.stderr : fast.stdout;
      expect(text).toMatch(/^Usage: hpvs-ctl \[options\] \[command\]\n/);
      expect(text).toMatch(/^ {2}\$ hpvs-ctl contract /m);
      expect(text).toBe(readFileSync(`${PROJECT_ROOT}dist/help.txt`, 'utf8'));
    });
  }

  it('a command help, other forms of the program help and errors stay commander’s own', () => {
    for (const argv of [
      ['contract', '--help'],
      ['certs', 'get', '--help'],
      ['help', 'keys'],
      ['help'],
      ['--debug', '--help'],
      ['contrct'],
      ['certs', 'help', 'nope'],
      ['-V'],
    ]) {
      expect(viaBin(argv), argv.join(' ')).toEqual(viaWholeProgram(argv));
    }
  });
});

describe('the program with one command file loaded', () => {
  /** What `outputHelp` writes, at a terminal width other than the 80 columns of a pipe. */
  function helpAt(program: Command, width: number): string {
    let text = '';
    program.configureOutput({
      getOutHelpWidth: () => width,
      writeOut: (chunk) => (text += chunk),
    });
    program.outputHelp();
    return text;
  }

  it('prints the program help the whole program prints, on any terminal', async () => {
    const manifest = await commandManifest();
    for (const width of [50, 132]) {
      const whole = helpAt(await buildProgram(), width);
      expect(whole).toContain('luks-passphrase');
      expect(helpAt(await buildProgramFor(['contract'], manifest), width)).toBe(whole);
      expect(helpAt(await buildProgramFor([], manifest), width)).toBe(whole);
    }
  });

  it('the build wrote the manifest of these sources', async () => {
    const built: unknown = JSON.parse(
      readFileSync(`${PROJECT_ROOT}dist/command-manifest.json`, 'utf8'),
    );
    expect(built).toEqual(await commandManifest());
  });

  it('hands over to the whole program when commander reaches a stand-in', async () => {
    const manifest = await commandManifest();
    for (const argv of [['contract', '--help'], ['help', 'contract'], ['contract']]) {
      const program = await buildProgramFor(['init'], manifest);
      program.exitOverride();
      await expect(program.parseAsync(argv, { from: 'user' }), argv.join(' ')).rejects.toThrow(
        StubReached,
      );
    }
  });
});
