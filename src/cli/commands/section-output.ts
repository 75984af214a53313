import type { Command, OptionValues } from '@commander-js/extra-typings';
import { encryptSection } from '../../core/crypto/encrypt-section.js';
import { HpvsError } from '../../core/errors.js';
import { warn } from '../../node/console.js';
import { loadEncryptionKey, noRuntimeChosen } from '../../node/load-keys.js';
import { systemRandom } from '../../node/random.js';
import { writeResult } from '../../node/write-output.js';
import type { PlatformChoice } from '../../core/platforms/platforms.js';
import {
  assertSchemaSupported,
  certVersionOption,
  notePlatformAlias,
  platformOption,
} from './platform-options.js';
import { collect } from './repeatable-option.js';

export interface SectionOutputOptions {
  encrypt?: boolean | undefined;
  cert?: string | undefined;
  platform?: PlatformChoice | undefined;
  certVersion?: string | undefined;
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
    .addOption(
      platformOption(
        "the runtime the section is for: its schema checks the section, its prefix starts the token, and with --encrypt IBM's certificate for it is used",
      ),
    )
    .option(
      '--encrypt',
      "print the encrypted token instead of YAML (for --platform with the catalogue's certificate, or for --cert)",
    )
    .addOption(certVersionOption())
    .option('--cert <path>', 'HPCR encryption certificate; implies --encrypt')
    .option('--allow-expired', 'encrypt even if the certificate is expired or not yet valid')
    .option(
      '--out <path>',
      'write to this file instead of stdout (plaintext is written mode 0600)',
    );
}

/**
 * Refuses `--encrypt` with neither a platform nor a certificate before any file is read (the
 * usage error lists the platforms), and a platform whose schema hpvs-ctl cannot check yet.
 */
export function checkSectionOutputOptions(options: SectionOutputOptions): void {
  notePlatformAlias(options.platform);
  assertSchemaSupported(options.platform?.platform.name);
  if (options.certVersion !== undefined && options.platform === undefined) {
    throw new HpvsError('USAGE', '--cert-version picks a certificate of the --platform given');
  }
  if (encrypts(options) && options.cert === undefined && options.platform === undefined) {
    throw noRuntimeChosen();
  }
}

/** `--cert` and `--cert-version` each imply `--encrypt`. */
function encrypts(options: SectionOutputOptions): boolean {
  return (
    options.encrypt === true || options.cert !== undefined || options.certVersion !== undefined
  );
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
  const { checkBuiltSection } = await import('../../app/check-built-section.js');
  const platform = options.platform?.platform.name;
  const warnings = await checkBuiltSection(kind, text, {
    platform,
    now: new Date(),
    coveredPaths: earlier.paths,
  });
  for (const message of [...earlier.warnings, ...warnings]) warn(message);
  if (!encrypts(options)) {
    await writeResult(options.out, text, { secret: true, from });
    return;
  }
  const key = await loadEncryptionKey(options.cert, { ...options, platform });
  const token = encryptSection(Buffer.from(text, 'utf8'), key.publicKey, systemRandom, key.prefix);
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

/** The volume flags both personas share, once `checkVolumeFlags` accepted them. */
export function volumeFiles(options: {
  volume?: string | undefined;
  seedFile?: string | undefined;
  previousSeedFile?: string | undefined;
}): { name: string; seedFile: string; previousSeedFile: string | undefined } | undefined {
  return options.volume === undefined
    ? undefined
    : {
        name: options.volume,
        seedFile: options.seedFile!,
        previousSeedFile: options.previousSeedFile,
      };
}
