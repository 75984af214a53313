import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { note, warn } from '../../node/console.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { readInput } from '../../node/read-input.js';
import { writeFileAtomic, writeResult, writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import { assertSchemaSupported, notePlatformAlias, platformOption } from './platform-options.js';
import { terminalSafe } from '../../core/text/terminal-safe-text.js';

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
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl cidata --user-data user-data.yaml --out cloudinit.iso',
        'hpvs-ctl cidata --user-data user-data.yaml --network-config network-config.yaml --platform ccrt --out cloudinit.iso',
      ),
    )
    .action(async (options) => {
      if (options.out === '-' && process.stdout.isTTY === true) {
        throw new HpvsError(
          'USAGE',
          '--out - would print a binary ISO image on the terminal: give a file, or pipe it',
        );
      }
      notePlatformAlias(options.platform);
      const platform = options.platform?.platform.name;
      assertSchemaSupported(platform);
      const [{ buildSeedImage, seedImageEpoch }, { defaultMetaData }] = await Promise.all([
        import('../../node/build-seed-image.js'),
        import('../../core/cidata/seed-files.js'),
      ]);
      const epoch = seedImageEpoch();
      const userData = await readInput(options.userData, 'user data', INPUT_LIMITS.userData);
      await checkUserData(userData, options.userData, platform);
      const networkConfig =
        options.networkConfig === undefined
          ? undefined
          : await readInput(options.networkConfig, 'network-config', INPUT_LIMITS.userData);
      if (networkConfig !== undefined)
        await checkNetworkConfig(networkConfig, options.networkConfig!);
      let metaData: Uint8Array;
      if (options.metaData === undefined) {
        const text = defaultMetaData(userData);
        note(
          `hpvs-ctl: meta-data: ${text.trim()} (derived from the user data; give --meta-data to choose)`,
        );
        metaData = Buffer.from(text, 'utf8');
      } else {
        metaData = await readInput(options.metaData, 'meta-data', INPUT_LIMITS.userData);
      }
      const image = await buildSeedImage(
        { 'user-data': userData, 'meta-data': metaData, 'network-config': networkConfig },
        epoch,
      );
      const policy = {
        secret: true,
        from: [options.userData, options.networkConfig, options.metaData],
      };
      if (options.out === '-') {
        // a pipe or a file behind `>`: the image itself is the output
        await writeResult(options.out, image, policy);
        return;
      }
      await writeFileAtomic(options.out, image, policy);
      await writeStdout(`${terminalSafe(options.out)}\n`);
    });
}

/** The user data must pass the validator before it goes into an image nobody reads again. */
async function checkUserData(
  bytes: Uint8Array,
  source: string,
  platform: import('../../core/platforms/platforms.js').PlatformName | undefined,
): Promise<void> {
  const [{ parseUserData }, { validateUserData }, { formatProblem }] = await Promise.all([
    import('../../core/contract/user-data.js'),
    import('../../core/schema/validate-contract.js'),
    import('../../core/schema/problems.js'),
  ]);
  const text = Buffer.from(bytes).toString('utf8');
  if (text.trim() === '') throw new HpvsError('INPUT_EMPTY', `${source}: the file is empty`);
  const report = await validateUserData(parseUserData(text, source), {
    now: new Date(),
    ...(platform === undefined ? {} : { platform }),
  });
  for (const problem of report.problems) {
    if (problem.severity === 'warning') warn(formatProblem(problem));
  }
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${formatProblem(errors[0]!)}${errors.length > 1 ? ` (and ${errors.length - 1} more; run hpvs-ctl validate)` : ''}`,
    );
  }
}

async function checkNetworkConfig(bytes: Uint8Array, source: string): Promise<void> {
  const [{ validateNetworkConfigText }, { formatProblem }] = await Promise.all([
    import('../../core/schema/validate-network-config.js'),
    import('../../core/schema/problems.js'),
  ]);
  const text = Buffer.from(bytes).toString('utf8');
  if (text.trim() === '') throw new HpvsError('INPUT_EMPTY', `${source}: the file is empty`);
  const errors = validateNetworkConfigText(text, source).problems.filter(
    (problem) => problem.severity === 'error',
  );
  if (errors.length > 0) {
    throw new HpvsError(
      'NETWORK_CONFIG_INVALID',
      `${formatProblem(errors[0]!)}${errors.length > 1 ? ` (and ${errors.length - 1} more; run hpvs-ctl validate --network-config)` : ''}`,
    );
  }
}
