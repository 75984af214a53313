import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { TOKEN_PREFIXES, type TokenPrefix } from '../../core/crypto/section-token.js';
import { HpvsError } from '../../core/errors.js';
import { note, warn } from '../../node/console.js';
import {
  describePlatforms,
  findPlatform,
  PLATFORM_NAMES,
  PLATFORMS,
  type PlatformChoice,
  type PlatformName,
} from '../../core/platforms/platforms.js';

/**
 * `--platform NAME`, shared by every command that encrypts or validates for a runtime. Unknown
 * names are a usage error that lists the platforms; IBM's aliases are accepted and named.
 */
export function platformOption(help: string) {
  return new Option('--platform <name>', `${help} (${PLATFORM_NAMES.join(', ')})`).argParser(
    (value: string): PlatformChoice => {
      const choice = findPlatform(value);
      if (choice === undefined) {
        throw new InvalidArgumentError(`unknown platform; choose one of ${describePlatforms()}`);
      }
      return choice;
    },
  );
}

/**
 * `--cert-version V`: with `--platform`, the catalogue's certificate of that runtime version (or
 * the highest in a semver range). What loadEncryptionKey reads as `certVersion`.
 */
export function certVersionOption() {
  return new Option(
    '--cert-version <version>',
    "with --platform: the catalogue's certificate for this runtime version (or the highest in a range, like ~1.0.28) instead of the newest valid one",
  );
}

/** Says which canonical platform an alias (`hpcr-rhvs`, `HPVS`) stands for. */
export function notePlatformAlias(choice: PlatformChoice | undefined): void {
  if (choice?.alias === undefined) return;
  note(`hpvs-ctl: platform ${JSON.stringify(choice.alias)} is ${choice.platform.name}`);
}

/** `--profile`, which `--platform` replaced: hidden, still accepted with a warning. */
export function deprecatedProfileOption() {
  return new Option('--profile <profile>', 'deprecated: use --platform')
    .choices(['hpvs', 'ccrv'] as const)
    .hideHelp();
}

/** `--prefix`, which `--platform` replaced: hidden, still accepted with a warning. */
export function deprecatedPrefixOption() {
  return new Option('--prefix <prefix>', 'deprecated: use --platform, which decides the prefix')
    .choices(TOKEN_PREFIXES)
    .hideHelp();
}

/** `--platform`, or the deprecated `--profile` with a warning; the two may not disagree. */
export function chosenPlatform(
  choice: PlatformChoice | undefined,
  profile: 'hpvs' | 'ccrv' | undefined,
): PlatformName | undefined {
  notePlatformAlias(choice);
  if (profile === undefined) return choice?.platform.name;
  if (choice !== undefined && choice.platform.name !== profile) {
    throw new HpvsError(
      'USAGE',
      `--profile ${profile} contradicts --platform ${choice.platform.name}; drop --profile`,
    );
  }
  warn('--profile is deprecated: use --platform (hpvs, ccrt, ccrv)');
  return profile;
}

/**
 * `--prefix` predates `--platform`, which now decides the prefix; it still works with a warning
 * so scripts keep running, but may not contradict the platform.
 */
export function deprecatedPrefix(
  prefix: TokenPrefix | undefined,
  platform: PlatformName | undefined,
): TokenPrefix | undefined {
  if (prefix === undefined) return undefined;
  const platformPrefix = platform === undefined ? undefined : PLATFORMS[platform].tokenPrefix;
  if (platformPrefix !== undefined && platformPrefix !== prefix) {
    throw new HpvsError(
      'USAGE',
      `--prefix ${prefix} contradicts --platform, whose tokens start with ${platformPrefix}; drop --prefix`,
    );
  }
  warn(
    '--prefix is deprecated: --platform decides the prefix (ccrt, ccrv: contract-basic; hpvs, ccco: hyper-protect-basic)',
  );
  return prefix;
}

export { assertSchemaSupported } from '../../app/schema-support.js';
