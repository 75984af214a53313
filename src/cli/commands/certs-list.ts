import type { Command } from '@commander-js/extra-typings';
import { writeStdout } from '../../node/write-output.js';
import { PLATFORM_NAMES } from '../../core/platforms/platforms.js';
import { examples } from './help-examples.js';
import { notePlatformAlias, platformOption } from './platform-options.js';
import { parseAt } from './trust-options.js';

export function registerCertsList(certs: Command): void {
  certs
    .command('list')
    .description(
      "List the bundled catalogue of IBM's contract encryption certificates: platform, runtime version, status and days left, serial and SHA-256. The one marked * is what encrypt --platform uses by default.",
    )
    .addOption(platformOption('only this platform'))
    .option('--at <time>', 'status and days left at this ISO time instead of now')
    .option('--json', 'print the catalogue as JSON')
    .addHelpText(
      'after',
      examples('hpvs-ctl certs list', 'hpvs-ctl certs list --platform ccrt --at 2027-03-01 --json'),
    )
    .action(async (options) => {
      notePlatformAlias(options.platform);
      const at = parseAt(options.at, new Date());
      const { listCatalogue, newestValid } =
        await import('../../core/catalogue/certificate-catalogue.js');
      const listing = listCatalogue(options.platform?.platform.name, at);
      const defaults = new Set(
        PLATFORM_NAMES.map(
          (platform) =>
            newestValid(listing.filter((item) => item.entry.platform === platform))?.entry,
        ),
      );
      if (options.json) {
        const rows = listing.map(({ entry, status, daysLeft }) => ({
          platform: entry.platform,
          version: entry.version,
          status,
          daysLeft,
          default: defaults.has(entry),
          notBefore: entry.notBefore,
          notAfter: entry.notAfter,
          serial: entry.serial,
          sha256: entry.sha256,
          subject: entry.subject,
          file: entry.file,
        }));
        await writeStdout(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const table = [
        ['PLATFORM', 'VERSION', 'STATUS', 'DAYS LEFT', 'VALID UNTIL', 'SERIAL', 'SHA-256'],
        ...listing.map(({ entry, status, daysLeft }) => [
          entry.platform,
          `${entry.version}${defaults.has(entry) ? ' *' : ''}`,
          status,
          String(daysLeft),
          entry.notAfter.replace(/\.000Z$/, 'Z'),
          entry.serial,
          entry.sha256,
        ]),
      ];
      const widths = table[0]!.map((_, column) =>
        Math.max(...table.map((row) => row[column]!.length)),
      );
      const lines = table.map((row) =>
        row
          .map((cell, column) =>
            column === 3 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
          )
          .join('  ')
          .trimEnd(),
      );
      await writeStdout(`${lines.join('\n')}\n`);
    });
}
