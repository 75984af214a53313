import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { note, warn } from '../../node/console.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { readInput } from '../../node/read-input.js';
import { writeFileAtomic, writeResult, writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import { assertSchemaSupported, notePlatformAlias, platformOption } from './platform-options.js';
import { digestUnlessSecret } from '../../core/crypto/result-digests.js';
import { jsonForTerminal, terminalSafe } from '../../core/text/terminal-safe-text.js';

export function registerCidata(program: Command): void {
  program
    .command('cidata')
    .description(
      'Build the NoCloud seed image on-prem KVM and LinuxONE runtimes boot with: an ISO 9660 image (Joliet and Rock Ridge, volume id cidata) holding user-data, meta-data and network-config, made with xorriso; the same inputs give the same bytes. The user data is validated first; the image is written 0600, since user data may hold plaintext secrets.',
    )
    .requiredOption('--user-data <file>', 'the contract (user-data.yaml)')
    .option(
      '--network-config <file>',
      'cloud-init network-config for the instance (validated like validate --network-config)',
    )
    .option(
      '--meta-data <file>',
      'cloud-init meta-data; without it, one with instance-id iid-hpvs-<first 16 hex digits of the sha256 of the user data>',
    )
    .addOption(
      platformOption(
        "the runtime the contract is for: its schema checks the user data (default hpvs's)",
      ),
    )
    .requiredOption(
      '--out <file>',
      'the seed image to write (cloudinit.iso; - writes it to a pipe)',
    )
    .option(
      '--json',
      'print {out, volumeId, bytes, metaData, sha256_in (per file), sha256_out, record (the lines an attestation record gives the image)} as JSON',
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl cidata --user-data user-data.yaml --out cloudinit.iso',
        'hpvs-ctl cidata --user-data user-data.yaml --network-config network-config.yaml --platform ccrt --out cloudinit.iso',
        'hpvs-ctl cidata --user-data user-data.yaml --out cloudinit.iso --json',
      ),
    )
    .action(async (options) => {
      if (options.out === '-' && process.stdout.isTTY === true) {
        throw new HpvsError(
          'USAGE',
          '--out - would print a binary ISO image on the terminal: give a file, or pipe it',
        );
      }
      if (options.out === '-' && options.json) {
        throw new HpvsError('USAGE', '--json describes the image it wrote: give --out FILE');
      }
      notePlatformAlias(options.platform);
      const platform = options.platform?.platform.name;
      assertSchemaSupported(platform);
      const [{ buildCidata }, { seedImageEpoch }] = await Promise.all([
        import('../../app/build-cidata.js'),
        import('../../node/build-seed-image.js'),
      ]);
      const epoch = seedImageEpoch();
      const read = async (file: string, what: string) => ({
        bytes: await readInput(file, what, INPUT_LIMITS.userData),
        source: file === '-' ? 'stdin' : file,
      });
      const userData = await read(options.userData, 'user data');
      const networkConfig =
        options.networkConfig === undefined
          ? undefined
          : await read(options.networkConfig, 'network-config');
      const metaData =
        options.metaData === undefined ? undefined : await read(options.metaData, 'meta-data');
      const cidata = await buildCidata({
        userData,
        networkConfig,
        metaData,
        platform,
        epoch,
        now: new Date(),
      });
      for (const message of cidata.warnings) warn(message);
      if (cidata.derivedMetaData !== undefined) {
        note(
          `hpvs-ctl: meta-data: ${cidata.derivedMetaData.trim()} (derived from the user data; give --meta-data to choose)`,
        );
      }
      const policy = {
        secret: true,
        from: [options.userData, options.networkConfig, options.metaData],
      };
      if (options.out === '-') {
        // a pipe or a file behind `>`: the image itself is the output
        await writeResult(options.out, cidata.image, policy);
        return;
      }
      await writeFileAtomic(options.out, cidata.image, policy);
      if (!options.json) {
        await writeStdout(`${terminalSafe(options.out)}\n`);
        return;
      }
      await writeStdout(`${jsonForTerminal(await cidataJson(options.out, cidata))}\n`);
    });
}

/**
 * The image and the digests an attestation record gives it (`/dev/disk/by-label/cidata`,
 * `cidata/<file>`), to compare with `attestation verify --json`; withheld (null) where the user
 * data holds a plaintext section (see result-digests.ts).
 */
async function cidataJson(out: string, cidata: import('../../app/build-cidata.js').Cidata) {
  const { cidataRecordHashes } = await import('../../core/attestation/cidata-digests.js');
  const secret = cidata.plaintextSections;
  const sha256In = Object.fromEntries(
    Object.entries(cidata.files).map(([name, bytes]) => [
      name,
      digestUnlessSecret(bytes, secret && name === 'user-data'),
    ]),
  );
  const record = Object.fromEntries([
    ...cidataRecordHashes({ image: cidata.image, files: cidata.files }).map(({ sha256, name }) => [
      name,
      secret && name === '/dev/disk/by-label/cidata' ? null : sha256,
    ]),
    ['cidata/user-data', sha256In['user-data']],
  ]);
  return {
    out,
    volumeId: 'cidata',
    bytes: cidata.image.length,
    metaData: cidata.derivedMetaData === undefined ? 'given' : 'derived',
    sha256_in: sha256In,
    sha256_out: digestUnlessSecret(cidata.image, secret),
    record,
  };
}
