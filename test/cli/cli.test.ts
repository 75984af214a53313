import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { buildProgram, firstClause } from '../../src/cli/cli.js';
import { CLI, runCli } from '../helpers/run-cli.js';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
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

  it("prefixes commander's own usage errors like every other error, on one line", async () => {
    const cases: Array<[string[], string]> = [
      [['frobnicate'], "hpvs-ctl: error: unknown command 'frobnicate'"],
      [['certs', 'frobnicate'], "hpvs-ctl: error: unknown command 'frobnicate'"],
      [['emulator', 'bot'], "hpvs-ctl: error: unknown command 'bot' (Did you mean boot?)"],
      [['archive', '.', '--bogus'], "hpvs-ctl: error: unknown option '--bogus'"],
      [['decrypt', 'x.enc'], "hpvs-ctl: error: required option '--key <path>' not specified"],
      [['help', 'frobnicate'], "hpvs-ctl: error: unknown command 'frobnicate'"],
      [['certs', 'help', 'frobnicate'], "hpvs-ctl: error: unknown command 'frobnicate'"],
      [
        ['keys', 'generate', '--out-dir', '-'],
        'hpvs-ctl: error: --out-dir needs a folder: several files cannot go to stdout (-)',
      ],
    ];
    for (const [args, line] of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(`${line}\n(run with --help for usage)\n`);
    }
  });

  it('escapes what a flag value brings (newline, ANSI escape), so an error stays one line', async () => {
    const cases: Array<[string[], string]> = [
      // commander's choice check quotes the value
      [
        ['encrypt', 'x', '--cert', 'c', '--prefix', 'a\nhpvs-ctl: ok\u001b[2K'],
        "hpvs-ctl: error: option '--prefix <prefix>' argument 'a\\nhpvs-ctl: ok\\x1b[2K' is invalid.",
      ],
      // hpvs-ctl's own parser quotes it too
      [
        ['env', '--syslog-port', '1\n2\u009b'],
        'hpvs-ctl: error: invalid port "1\\n2\\x9b": expected a number from 1 to 65535',
      ],
      [['archive', '.', '--bo\u202egus'], "hpvs-ctl: error: unknown option '--bo\\u202egus'"],
    ];
    for (const [args, line] of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]!.startsWith(line), lines[0]).toBe(true);
      expect(result.stderr).not.toMatch(/[\u001b\u009b\u202e]/);
    }
  });

  it('with no arguments, or a group without its subcommand, shows the help on stderr and exits 2', async () => {
    for (const args of [[], ['certs'], ['emulator'], ['attestation'], ['keys']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`Usage: hpvs-ctl ${args.join(' ')}`.trimEnd());
    }
    const help = await runCli(['help', 'certs']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: hpvs-ctl certs');
  });

  it('a standard output that cannot be written (a full disk) is one error line and exit 1', () => {
    for (const args of [['--version'], ['certs', 'list', '--platform', 'hpvs']]) {
      // /dev/full takes the open but fails every write with ENOSPC
      const result = spawnSync(
        '/bin/sh',
        ['-c', 'exec "$0" "$@" > /dev/full', process.execPath, CLI, ...args],
        {
          encoding: 'utf8',
        },
      );
      expect(result.status, result.stderr).toBe(1);
      expect(result.stderr).toBe('hpvs-ctl: error: cannot write to standard output (ENOSPC)\n');
    }
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

/** Every long flag of every command and subcommand, as "command --flag". */
function longFlags(command: Command, prefix: string[] = []): string[] {
  const here = prefix.join(' ') || 'hpvs-ctl';
  // visibleOptions adds commander's implicit --help (and --version on the program)
  const options = [...command.createHelp().visibleOptions(command), ...command.options];
  const own = options.flatMap((option) => (option.long === undefined ? [] : [option.long]));
  return [
    ...new Set(own.map((flag) => `${here} ${flag}`)),
    ...(command.commands as Command[]).flatMap((sub) => longFlags(sub, [...prefix, sub.name()])),
  ];
}

/** The option names of the running node binary: `node --help` and the NODE_OPTIONS allowlist. */
function nodeOptionNames(): Set<string> {
  const help = execFileSync(process.execPath, ['--help'], { encoding: 'utf8' });
  const names = [
    ...(help.match(/--[a-z0-9][a-z0-9_-]*/g) ?? []),
    ...process.allowedNodeEnvironmentFlags,
  ];
  return new Set(names.map(normalisedOptionName));
}

/** Node accepts `_` for `-` and `--no-X` for a boolean `--X`; compare the bare names. */
function normalisedOptionName(flag: string): string {
  return flag
    .split('=')[0]!
    .replace(/_/g, '-')
    .replace(/^--no-/, '--');
}

describe('flag names', () => {
  it('no hpvs-ctl flag is a Node.js option (Node 20 acts on --env-file even after the script)', () => {
    const nodeOptions = nodeOptionNames();
    // the list is the real one, so the check below can fail
    for (const known of ['--env-file', '--import', '--require', '--eval', '--title', '--watch']) {
      expect(nodeOptions.has(known), known).toBe(true);
    }
    const flags = longFlags(buildProgram() as unknown as Command);
    expect(flags.map((entry) => entry.split(' ').at(-1))).toEqual(
      expect.arrayContaining(['--env-values-file', '--out', '--help', '--no-crl']),
    );
    // --help and --version are every CLI's; Node reads those two only before the script path
    const allowed = new Set(['--help', '--version']);
    const clashes = flags.filter((entry) => {
      const flag = entry.split(' ').at(-1)!;
      return !allowed.has(flag) && nodeOptions.has(normalisedOptionName(flag));
    });
    expect(clashes).toEqual([]);
  });

  it('--env-file is refused with the name to use instead', async () => {
    const result = await runCli(['workload', '--env-file', '/dev/null']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^hpvs-ctl: error: --env-file is an option of Node\.js, not of hpvs-ctl .*--env-values-file\n/,
    );
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
