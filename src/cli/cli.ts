import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { registerArchive } from './commands/archive.js';
import { registerAttestation } from './commands/attestation.js';
import { registerCerts } from './commands/certs.js';
import { checkCommandLine } from './commands/command-line-checks.js';
import { registerContract } from './commands/contract.js';
import { registerDecrypt } from './commands/decrypt.js';
import { registerEmulator } from './commands/emulator.js';
import { registerEncrypt } from './commands/encrypt.js';
import { registerEnv } from './commands/env.js';
import { registerCidata } from './commands/cidata.js';
import { registerImage } from './commands/image.js';
import { registerInit } from './commands/init.js';
import { registerInitdata } from './commands/initdata.js';
import { registerInspect } from './commands/inspect.js';
import { registerKeys } from './commands/keys.js';
import { programExamples } from './commands/help-examples.js';
import { registerLuksPassphrase } from './commands/luks-passphrase.js';
import { registerPolicy } from './commands/policy.js';
import { registerSecrets } from './commands/secrets.js';
import { registerSign } from './commands/sign.js';
import { checkStandardStreams } from './commands/standard-streams.js';
import { registerValidate } from './commands/validate.js';
import { registerVerify } from './commands/verify.js';
import { registerWorkload } from './commands/workload.js';
import { exitCodeFor, HpvsError, isUsageError } from '../core/errors.js';
import { cliMessage } from './input-phrases.js';
import { terminalSafe, terminalSafeLines } from '../core/text/terminal-safe-text.js';
import { VERSION } from '../core/version.js';

/**
 * Command files only declare options and import their heavy modules lazily inside the action,
 * so `--help` and light commands start fast (see bench/startup.mjs).
 */
export function buildProgram(): Command {
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
      subcommandDescription: (command) => firstClause(command.description()),
    });
  program.addHelpText('after', () => programExamples(program));
  program.hook('preAction', (_program, action) => checkStandardStreams(action as Command));
  // in the order the personas meet them: start, provider, deployer, checks, auditor, emulator
  registerInit(program);
  registerImage(program);
  registerCidata(program);
  registerArchive(program);
  registerWorkload(program);
  registerEnv(program);
  registerContract(program);
  registerSign(program);
  registerVerify(program);
  registerValidate(program);
  registerInspect(program);
  registerEncrypt(program);
  registerDecrypt(program);
  registerLuksPassphrase(program);
  registerKeys(program);
  registerCerts(program);
  registerAttestation(program);
  registerEmulator(program);
  registerInitdata(program);
  registerSecrets(program);
  registerPolicy(program);
  acceptDebugEverywhere(program);
  return program;
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
  const debug = argv.includes('--debug');
  const program = buildProgram();
  for (const command of program.commands) command.exitOverride();
  try {
    checkCommandLine(program, argv);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message (or the help text)
      return error.exitCode === 0 ? 0 : 2;
    }
    reportError(error, debug);
    return exitCodeFor(error);
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
