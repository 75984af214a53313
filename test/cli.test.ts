import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { buildProgram, firstClause } from '../src/cli.js';
import { CLI, runCli } from './helpers/run-cli.js';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** Every command a user can run (groups such as `keys` are walked into). */
function leafCommands(command: Command, prefix: string[] = []): Array<[string, Command]> {
  return command.commands.flatMap((sub) => {
    const name = [...prefix, sub.name()];
    const children = sub.commands as Command[];
    return children.length === 0
      ? [[name.join(' '), sub as Command]]
      : leafCommands(sub as Command, name);
  });
}

function helpText(command: Command): string {
  let text = '';
  command.configureOutput({
    writeOut: (chunk) => (text += chunk),
    writeErr: (chunk) => (text += chunk),
  });
  command.outputHelp();
  return text;
}

describe('hpvs-ctl (global behaviour)', () => {
  it('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`${packageVersion}\n`);
    }
  });

  it('--help lists the commands with an example of each and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const name of ['encrypt', 'decrypt', 'archive']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
      expect(result.stdout).toMatch(new RegExp(`^  \\$ hpvs-ctl ${name} `, 'm'));
    }
  });

  it('every command has at least one example in its --help', () => {
    const commands = leafCommands(buildProgram() as unknown as Command);
    expect(commands.map(([name]) => name)).toEqual(
      expect.arrayContaining(['encrypt', 'decrypt', 'archive']),
    );
    const missing = commands
      .filter(([name]) => name !== 'help')
      .filter(([, command]) => !/\nExamples:\n {2}\$ hpvs-ctl /.test(helpText(command)))
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('the built binary shows the examples too', async () => {
    const result = await runCli(['archive', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:\n  $ hpvs-ctl archive ');
  });

  it('exits 2 on usage errors, without a stack trace', async () => {
    const cases: Array<[string[], string]> = [
      [['frobnicate'], "unknown command 'frobnicate'"],
      [['encrypt', 'x.yaml'], 'say which runtime to encrypt for: --platform NAME'],
      [['certs', 'get', '--version'], "option '--version <range>' argument missing"],
      [['decrypt', '--key'], "option '--key <path>' argument missing"],
      [['archive', '.', '--bogus'], "unknown option '--bogus'"],
      [['encrypt', 'a', 'b', '--cert', 'c'], 'too many arguments'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('(run with --help for usage)');
      expect(result.stderr).not.toContain('    at ');
    }
  });

  it('with no arguments shows the help on stderr and exits 2', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: hpvs-ctl');
  });

  it('stops quietly when the reader closes its end early (`| head`)', async () => {
    const child = spawn(process.execPath, [CLI, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed before the child has started, so its first write meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('firstClause (command lists)', () => {
  it('cuts at the first colon, semicolon or sentence end outside parentheses', () => {
    expect(firstClause('Build the env section (Workload Deployer): one logging target.')).toBe(
      'Build the env section (Workload Deployer)',
    );
    expect(firstClause('Check a file; print every problem as FILE:LINE:COL path: message.')).toBe(
      'Check a file',
    );
    expect(firstClause('Open the record. Exit 1 when it fails.')).toBe('Open the record');
    expect(firstClause('Verify and open the record at /var/hyperprotect/.')).toBe(
      'Verify and open the record at /var/hyperprotect/',
    );
  });

  it('keeps abbreviations and parenthesised colons whole', () => {
    expect(firstClause('Check a certificate (e.g. the runtime one): chain, CRL.')).toBe(
      'Check a certificate (e.g. the runtime one)',
    );
    expect(firstClause('Boot, printing console lines (service[pid]: HPL text): more')).toBe(
      'Boot, printing console lines (service[pid]: HPL text)',
    );
    expect(firstClause('No separator at all')).toBe('No separator at all');
  });

  it('shortens every entry of the root command list', () => {
    const program = buildProgram();
    for (const command of program.commands) {
      expect(program.createHelp().subcommandDescription(command as Command)).toBe(
        firstClause(command.description()),
      );
    }
  });
});
