import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { assertSingleStdin } from '../../node/read-input.js';

/** Placeholders of options that name a file or folder to read (or, for `--out*`, to write). */
const PATH_PLACEHOLDER = /<(file|path|dir|inventory)>/;
/** Outputs take `-` for stdout: they do not compete for stdin. */
const OUTPUT_FLAG = /^--(out|out-dir|[a-z-]+-out)$/;

/**
 * What `-` may mean on a command line, checked for every command before its action runs.
 * Standard input can feed one input only: a command given `-` for two (both seeds of
 * `luks-passphrase`, a section and a key) would read everything into the first and nothing
 * into the second (judged from the declared arguments and path options).
 */
export function checkStandardStreams(command: Command): void {
  const uses: Record<string, string | undefined> = {};
  const declared = command.registeredArguments;
  command.processedArgs.forEach((value: unknown, index) => {
    if (value === '-') uses[`the ${declared[index]?.name() ?? 'file'} argument`] = '-';
  });
  const values = command.opts() as Record<string, unknown>;
  for (const option of command.options) {
    if (!PATH_PLACEHOLDER.test(option.flags) || OUTPUT_FLAG.test(option.long ?? '')) continue;
    const value = values[option.attributeName()];
    const paths = Array.isArray(value) ? value : [value];
    if (paths.includes('-')) uses[option.long ?? option.flags] = '-';
  }
  assertSingleStdin(uses);
  // a folder of several files cannot be stdout; without this, a folder named "-" appears
  if (values.outDir === '-') {
    throw new HpvsError('USAGE', '--out-dir needs a folder: several files cannot go to stdout (-)');
  }
}
