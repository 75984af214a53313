import { Command, CommanderError } from '@commander-js/extra-typings';
import { registerArchive } from './commands/archive.js';
import { registerAttestation } from './commands/attestation.js';
import { registerCerts } from './commands/certs.js';
import { registerContract } from './commands/contract.js';
import { registerDecrypt } from './commands/decrypt.js';
import { registerEmulator } from './commands/emulator.js';
import { registerEncrypt } from './commands/encrypt.js';
import { registerEnv } from './commands/env.js';
import { registerInit } from './commands/init.js';
import { registerInspect } from './commands/inspect.js';
import { registerKeys } from './commands/keys.js';
import { programExamples } from './commands/help-examples.js';
import { registerLuksPassphrase } from './commands/luks-passphrase.js';
import { registerSign } from './commands/sign.js';
import { registerValidate } from './commands/validate.js';
import { registerVerify } from './commands/verify.js';
import { registerWorkload } from './commands/workload.js';
import { exitCodeFor, HpvsError } from './errors.js';
import { VERSION } from './version.js';

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
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureHelp({ sortSubcommands: false });
  program.addHelpText('after', () => programExamples(program));
  registerEncrypt(program);
  registerDecrypt(program);
  registerArchive(program);
  registerWorkload(program);
  registerEnv(program);
  registerValidate(program);
  registerContract(program);
  registerSign(program);
  registerVerify(program);
  registerLuksPassphrase(program);
  registerKeys(program);
  registerCerts(program);
  registerEmulator(program);
  registerInspect(program);
  registerInit(program);
  registerAttestation(program);
  return program;
}

/** Runs the CLI and returns the exit status: 0 ok, 1 invalid input or failed check, 2 usage. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const program = buildProgram();
  for (const command of program.commands) command.exitOverride();
  try {
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

function reportError(error: unknown, debug: boolean): void {
  if (error instanceof HpvsError) {
    process.stderr.write(`hpvs-ctl: error: ${error.message}\n`);
    if (error.code === 'USAGE') process.stderr.write('(run with --help for usage)\n');
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `hpvs-ctl: internal error: ${message}\n(this is a bug in hpvs-ctl; rerun with --debug and report the output)\n`,
    );
  }
  if (debug && error instanceof Error) {
    process.stderr.write(`${error.stack ?? ''}\n`);
    if (error.cause instanceof Error) process.stderr.write(`caused by: ${error.cause.stack}\n`);
  }
}
