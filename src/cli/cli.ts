import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import {
  addStub,
  isStub,
  StubReached,
  subcommandTerm,
  summarize,
  type CommandManifest,
} from './command-manifest.js';
import { COMMAND_MODULES, type RegisterCommand } from './command-modules.js';
import { checkCommandLine } from './commands/command-line-checks.js';
import { programExamples } from './commands/help-examples.js';
import { checkStandardStreams } from './commands/standard-streams.js';
import { exitCodeFor, HpvsError, isUsageError } from '../core/errors.js';
import { cliMessage } from './commands/input-phrases.js';
import { terminalSafe, terminalSafeLines } from '../core/text/terminal-safe-text.js';
import { VERSION } from '../core/version.js';

// for bin/load-cli.js, which lends the CLI its `import()` (src/node/import-module.ts)
export { useModuleImporter } from '../node/import-module.js';

/** The program without its commands. */
function createProgram(): Command {
  const program = new Command()
    .name('hpvs-ctl')
    .description(
      'Build, encrypt, sign and verify IBM Hyper Protect Virtual Server contracts, and boot them on a local runtime emulator.',
    )
    .version(VERSION, '-V, --version')
    .option('--debug', 'print stack traces for errors')
    // The program's options end at the subcommand, so that `--version` after one is that
    // command's own flag (IBM's `--version RANGE` of certs get/download and image).
    .enablePositionalOptions()
    .showHelpAfterError(USAGE_HINT)
    .exitOverride()
    // set before the commands are registered, so that every subcommand inherits it
    .configureOutput({ outputError: (text, write) => write(commanderErrorLine(text)) })
    .configureHelp({
      sortSubcommands: false,
      subcommandTerm,
      subcommandDescription: (command) => firstClause(command.description()),
    });
  program.addHelpText('after', () => programExamples(program));
  program.hook('preAction', (_program, action) => checkStandardStreams(action as Command));
  return program;
}

/** The program with every command file loaded. */
export async function buildProgram(): Promise<Command> {
  const registers = await Promise.all(COMMAND_MODULES.map((load) => load()));
  const program = createProgram();
  for (const register of registers) register(program);
  acceptDebugEverywhere(program);
  return program;
}

/**
 * The program with only the file of the command `argv` names loaded: every other command is a
 * stand-in from the build's manifest, enough for the program's help and for command lookup
 * (and if commander reaches one after all, `main` builds the whole program and starts again).
 * Command files only declare options and import their heavy modules lazily inside the action.
 */
export async function buildProgramFor(
  argv: readonly string[],
  manifest: CommandManifest,
): Promise<Command> {
  const named = namedCommand(argv);
  const loaded = await Promise.all(
    COMMAND_MODULES.map((load, index) => {
      const summaries = manifest[index];
      const needed =
        summaries === undefined ||
        summaries.some((summary) => summary.name === named || summary.aliases.includes(named!));
      return needed ? load() : undefined;
    }),
  );
  const program = createProgram();
  loaded.forEach((register: RegisterCommand | undefined, index) => {
    if (register !== undefined) register(program);
    else for (const summary of manifest[index]!) addStub(program, summary);
  });
  program.hook('preSubcommand', (_program, command) => {
    if (isStub(command)) throw new StubReached();
  });
  acceptDebugEverywhere(program);
  return program;
}

/**
 * The command commander will run: the first word that is not an option (the program's own
 * options take no values), or the one after `help`.
 */
function namedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/** For the build: each command file's commands, as the program without them needs them. */
export async function commandManifest(): Promise<CommandManifest> {
  const manifest: CommandManifest = [];
  for (const load of COMMAND_MODULES) {
    const program = createProgram();
    (await load())(program);
    acceptDebugEverywhere(program);
    const help = program.createHelp();
    manifest.push((program.commands as Command[]).map((command) => summarize(command, help)));
  }
  return manifest;
}

/** `--debug` is read by main() from argv; each command accepts it after its name too. */
function acceptDebugEverywhere(command: Command): void {
  for (const sub of command.commands) {
    if (sub.commands.length > 0) acceptDebugEverywhere(sub as Command);
    else sub.addOption(new Option('--debug', 'print stack traces for errors').hideHelp());
  }
}

const ERROR_PREFIX = 'hpvs-ctl: error: ';
const USAGE_HINT = '(run with --help for usage)';

/**
 * Commander's own usage errors ("error: unknown option '--x'", with a "(Did you mean ...?)"
 * line of its own) get hpvs-ctl's prefix and stay on one line: the argument they quote came
 * from the user and is escaped like any input.
 */
export function commanderErrorLine(text: string): string {
  let message = text.replace(/\n$/, '').replace(/^error: /, '');
  const suggestion = /\n(\(Did you mean [^\n]*\?\))$/.exec(message);
  if (suggestion) message = message.slice(0, suggestion.index);
  return `${ERROR_PREFIX}${terminalSafe(message)}${suggestion ? ` ${suggestion[1]}` : ''}\n`;
}

/**
 * A command list shows the first clause of each description; `hpvs-ctl <command> --help`
 * shows all of it.
 */
export function firstClause(description: string): string {
  let depth = 0;
  for (let i = 0; i < description.length; i++) {
    const char = description[i]!;
    const rest = description.slice(i + 1);
    if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    // outside parentheses; a period ends a sentence only before a capital or the end
    else if (depth === 0 && (char === ':' || char === ';') && /^(\s|$)/.test(rest)) {
      return description.slice(0, i);
    } else if (depth === 0 && char === '.' && /^(\s+[A-Z]|$)/.test(rest)) {
      return description.slice(0, i);
    }
  }
  return description;
}

/** Runs the CLI and returns the exit status: 0 ok, 1 invalid input or failed check, 2 usage. */
export async function main(argv: string[]): Promise<number> {
  const manifest = readManifest();
  return runProgram(
    manifest === undefined ? buildProgram : () => buildProgramFor(argv, manifest),
    argv,
  );
}

/** Runs `argv` through the program `build` makes (through the whole one if that meets a stub). */
export async function runProgram(build: () => Promise<Command>, argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    try {
      return await parse(await build(), argv);
    } catch (error) {
      if (!(error instanceof StubReached)) throw error;
      return await parse(await buildProgram(), argv);
    }
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message (or the help text)
      return error.exitCode === 0 ? 0 : 2;
    }
    reportError(error, debug);
    return exitCodeFor(error);
  }
}

async function parse(program: Command, argv: string[]): Promise<number> {
  for (const command of program.commands) command.exitOverride();
  checkCommandLine(program, argv);
  await program.parseAsync(argv, { from: 'user' });
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

/**
 * dist/command-manifest.json, which the build writes beside the bundle; without it (running
 * from the sources, or a build in progress) every command file is loaded.
 */
function readManifest(): CommandManifest | undefined {
  try {
    return JSON.parse(
      readFileSync(new URL('./command-manifest.json', import.meta.url), 'utf8'),
    ) as CommandManifest;
  } catch {
    return undefined;
  }
}

/**
 * One line per error, whatever it quotes from an input (a file name, a flag value, a YAML
 * key): the whole message is escaped, so nothing in it can start a line or move the cursor.
 */
function reportError(error: unknown, debug: boolean): void {
  if (error instanceof HpvsError) {
    process.stderr.write(`${ERROR_PREFIX}${terminalSafe(cliMessage(error))}\n`);
    if (isUsageError(error)) process.stderr.write(`${USAGE_HINT}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `${ERROR_PREFIX}internal error: ${terminalSafe(message)}\n(this is a bug in hpvs-ctl; rerun with --debug and report the output)\n`,
    );
  }
  if (debug && error instanceof Error) {
    process.stderr.write(`${terminalSafeLines(error.stack ?? '')}\n`);
    if (error.cause instanceof Error) {
      process.stderr.write(`caused by: ${terminalSafeLines(error.cause.stack ?? '')}\n`);
    }
  }
}
