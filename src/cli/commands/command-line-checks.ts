import { isUtf8 } from 'node:buffer';
import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { argumentBytes } from '../../node/argument-bytes.js';
import { bytesForTerminal } from '../../core/text/terminal-safe-text.js';

/**
 * Checks of the raw command line that commander cannot make, run before it parses: each
 * throws a usage error.
 */
export function checkCommandLine(program: Command, argv: readonly string[]): void {
  refuseNodeEnvFile(argv);
  refuseNonUtf8Arguments(argv);
  refuseHelpForUnknownCommand(program, argv);
}

/**
 * Node.js 20 reads `--env-file FILE` wherever it appears on the command line, even after the
 * script, and applies a NODE_OPTIONS line in that file before hpvs-ctl starts: nothing here
 * can undo that, so the flag is not an hpvs-ctl option and the user is told why.
 */
function refuseNodeEnvFile(argv: readonly string[]): void {
  if (argv.some((arg) => arg === '--env-file' || arg.startsWith('--env-file='))) {
    throw new HpvsError(
      'USAGE',
      '--env-file is an option of Node.js, not of hpvs-ctl (Node.js 20 reads that file as its own settings wherever the flag appears); give environment values with --env-values-file',
    );
  }
}

/**
 * `hpvs-ctl help foo` (or `hpvs-ctl certs help foo`) would print the whole help as if it were
 * the answer; an unknown name is a usage error like `hpvs-ctl foo`.
 */
function refuseHelpForUnknownCommand(program: Command, argv: readonly string[]): void {
  let command = program;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const next = argv[i + 1];
    if (word === 'help' && next !== undefined && !next.startsWith('-')) {
      if (!command.commands.some((sub) => sub.name() === next)) {
        throw new HpvsError('USAGE', `unknown command '${next}'`);
      }
      return;
    }
    if (word.startsWith('-')) continue;
    const sub = command.commands.find((candidate) => candidate.name() === word);
    if (sub === undefined) return;
    command = sub as Command;
  }
}

/**
 * An argument that is not UTF-8 reached hpvs-ctl as U+FFFD characters: a file name that no
 * longer names the file. Say so, showing the bytes, instead of "file not found".
 */
function refuseNonUtf8Arguments(argv: readonly string[]): void {
  const bytes = argumentBytes(argv);
  const bad = bytes?.find((arg) => !isUtf8(arg));
  if (bad !== undefined) {
    throw new HpvsError(
      'USAGE',
      `argument "${bytesForTerminal(bad)}" is not valid UTF-8; hpvs-ctl reads names and values as UTF-8: rename the file (or pass its contents on stdin with -)`,
    );
  }
}
