import type { Command, OptionValues } from '@commander-js/extra-typings';
import { encryptSection } from '../crypto/encrypt-section.js';
import { HpvsError } from '../errors.js';
import { warn } from '../io/console.js';
import { loadEncryptionKey } from '../io/load-keys.js';
import { readSecret } from '../io/read-secret.js';
import { systemRandom } from '../io/random.js';
import { writeResult } from '../io/write-output.js';
import { collect } from './repeatable-option.js';

export interface SectionOutputOptions {
  encrypt?: boolean | undefined;
  cert?: string | undefined;
  allowExpired?: boolean | undefined;
  out?: string | undefined;
}

/**
 * The flags the section builders share: environment values, then encryption and output (what
 * `writeSection` reads).
 */
export function addSectionOutputOptions<Args extends unknown[], Opts extends OptionValues>(
  command: Command<Args, Opts>,
) {
  return command
    .option('--env <KEY=VALUE>', 'an environment value (repeatable)', collect, [] as string[])
    .option(
      '--env-values-file <file>',
      'file of KEY=VALUE lines (blank lines and # comments skipped)',
    )
    .option('--encrypt', 'print the encrypted token instead of YAML (needs --cert)')
    .option('--cert <path>', 'HPCR encryption certificate; implies --encrypt')
    .option('--allow-expired', 'encrypt even if the certificate is expired or not yet valid')
    .option(
      '--out <path>',
      'write to this file instead of stdout (plaintext is written mode 0600)',
    );
}

/** Refuses `--encrypt` without `--cert` before any file is read. */
export function checkSectionOutputOptions(options: SectionOutputOptions): void {
  if (options.encrypt && options.cert === undefined) {
    throw new HpvsError('USAGE', '--encrypt needs --cert with the HPCR encryption certificate');
  }
}

/**
 * Checks a built section with the validator, then writes it, or its token when `--cert` is
 * given. A plaintext section holds seeds and keys, so its file is private (0600).
 */
export async function writeSection(
  kind: 'workload' | 'env',
  text: string,
  options: SectionOutputOptions,
  /**
   * Warnings the caller found while building (printed only when the section is valid, so a
   * failure stays one line), and the paths whose validator warnings they already cover.
   */
  earlier: { warnings: readonly string[]; paths: readonly string[] } = { warnings: [], paths: [] },
  /** The files the section was built from (seeds, keys, values): see `OutputPolicy.from`. */
  from: readonly (string | undefined)[] = [],
): Promise<void> {
  const [{ parseSectionText }, { validateSection }] = await Promise.all([
    import('../contract/user-data.js'),
    import('../schema/validate-contract.js'),
  ]);
  const report = await validateSection(parseSectionText(kind, text, kind));
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${errors[0]!.path}: ${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
    );
  }
  for (const message of earlier.warnings) warn(message);
  for (const problem of report.problems) {
    if (problem.severity === 'warning' && !earlier.paths.includes(problem.path)) {
      warn(`${problem.path}: ${problem.message}`);
    }
  }
  if (options.cert === undefined) {
    await writeResult(options.out, text, { secret: true, from });
    return;
  }
  const { publicKey } = await loadEncryptionKey(options.cert, options);
  const token = encryptSection(Buffer.from(text, 'utf8'), publicKey, systemRandom);
  await writeResult(options.out, `${token}\n`, { secret: false, from });
}

/**
 * A volume needs its name and this persona's seed file; the other volume flags mean nothing
 * without a name.
 */
export function checkVolumeFlags(
  volume: string | undefined,
  seedFile: string | undefined,
  dependents: Record<string, unknown>,
  persona: 'workload' | 'env',
): void {
  const given = Object.entries({ '--seed-file': seedFile, ...dependents })
    .filter(([, value]) => value !== undefined)
    .map(([flag]) => flag);
  if (volume === undefined && given.length > 0) {
    throw new HpvsError('USAGE', `${given.join(', ')} need --volume NAME`);
  }
  if (volume !== undefined && seedFile === undefined) {
    throw new HpvsError('USAGE', `--volume ${volume} needs --seed-file with the ${persona} seed`);
  }
}

/** A seed from a file (never argv), as the UTF-8 text the runtime hashes. */
export async function readSeed(
  file: string | undefined,
  what: string,
): Promise<string | undefined> {
  return file === undefined ? undefined : (await readSecret({ file, what })).toString('utf8');
}
