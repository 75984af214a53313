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

/** Says which canonical platform an alias (`hpcr-rhvs`, `HPVS`) stands for. */
export function notePlatformAlias(choice: PlatformChoice | undefined): void {
  if (choice?.alias === undefined) return;
  note(`hpvs-ctl: platform ${JSON.stringify(choice.alias)} is ${choice.platform.name}`);
}
