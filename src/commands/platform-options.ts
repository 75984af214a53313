import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { note } from '../io/console.js';
import {
  describePlatforms,
  findPlatform,
  PLATFORM_NAMES,
  type PlatformChoice,
} from '../platforms/platforms.js';

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
