import { HpvsError } from '../core/errors.js';
import { input, worded, wordedText, type WordedText } from '../core/wording.js';
import { INPUT_LIMITS } from './input-limits.js';
import { readTextInput } from './read-input.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A `KEY=VALUE` split. `origin` says where the text came from: a bad assignment given one by one
 * (`--env` in the CLI) is a usage error (exit 2), a bad line of the values file is bad input
 * (exit 1). A line without `=` is not quoted back: it may be a secret pasted on its own.
 */
function split(
  assignment: string,
  where: string | WordedText,
  origin: 'flag' | 'file',
): [string, string] {
  const equals = assignment.indexOf('=');
  const name = equals < 0 ? assignment : assignment.slice(0, equals);
  if (equals < 0 || !NAME.test(name)) {
    throw new HpvsError(
      origin === 'flag' ? 'USAGE' : 'CONTRACT_INVALID',
      equals < 0
        ? worded`${where}: expected KEY=VALUE, found no "="`
        : worded`${where}: "${name.slice(0, 40)}" is not a valid variable name (letters, digits and _, not starting with a digit)`,
    );
  }
  return [name, assignment.slice(equals + 1)];
}

/** Strips one pair of matching quotes, as .env files write values with spaces. */
function unquote(value: string): string {
  const match = /^(["'])(.*)\1$/.exec(value);
  return match ? match[2]! : value;
}

/**
 * Environment values for a section: `--env-values-file` (KEY=VALUE lines; blank lines and `#`
 * comments skipped) first, then each `--env KEY=VALUE`, later ones winning. Values stay
 * strings, whatever they look like.
 */
export async function readEnvAssignments(
  assignments: readonly string[],
  file?: string,
): Promise<Record<string, string> | undefined> {
  const values: Record<string, string> = {};
  if (file !== undefined) {
    const lines = (await readTextInput(file, 'env file', INPUT_LIMITS.envValues)).split(/\r?\n/);
    lines.forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const where = `${file === '-' ? 'stdin' : file}:${index + 1}`;
      const [name, value] = split(trimmed.replace(/^export\s+/, ''), where, 'file');
      values[name] = unquote(value);
    });
  }
  for (const assignment of assignments) {
    const where = wordedText(worded`${input('env-assignment')} ${assignment.split('=')[0]!}`);
    const [name, value] = split(assignment, where, 'flag');
    values[name] = value;
  }
  return Object.keys(values).length > 0 ? values : undefined;
}
