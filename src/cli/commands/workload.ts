import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { readEnvAssignments } from '../../node/read-env-assignments.js';
import { examples } from './help-examples.js';
import {
  addSectionOutputOptions,
  checkSectionOutputOptions,
  checkVolumeFlags,
  volumeFiles,
  writeSection,
} from './section-output.js';

export function registerWorkload(program: Command): void {
  const workload = program
    .command('workload')
    .description(
      'Build the workload section (Workload Provider): the compose or play workload, registry credentials, image signatures, a data volume and environment values. Prints the section YAML, or with --cert its encrypted token.',
    )
    .option('--compose <dir>', 'folder with docker-compose.yaml (archived deterministically)')
    .option('--play <dir>', 'folder with pod/ConfigMap YAML for podman play (archived)')
    .option(
      '--play-resources <file>',
      'YAML file of Pod/ConfigMap resources (a list or several documents)',
    )
    .option('--play-templates <file>', 'like --play-resources, with {{ .Env.NAME }} templates')
    .option('--auths <file>', 'YAML file: registry host -> {username, password}')
    .option('--images <file>', 'YAML file with images.dct / images.rhs signature settings')
    .option('--volume <name>', 'name of the encrypted data volume (same name in env)')
    .option('--mount <path>', 'where the volume is mounted, e.g. /mnt/data')
    .addOption(
      new Option('--filesystem <type>', 'volume file system').choices([
        'ext4',
        'xfs',
        'btrfs',
      ] as const),
    )
    .option(
      '--seed-file <file>',
      "file holding the workload volume seed (the Workload Provider's seed)",
    )
    .option(
      '--previous-seed-file <file>',
      'file holding the previous workload seed, when rotating',
    );
  addSectionOutputOptions(workload)
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl workload --compose ./app --volume data --mount /mnt/data --seed-file workload.seed --out workload.yaml',
        'hpvs-ctl workload --play-resources pods.yaml --env-values-file app.env --cert encrypt.crt --out workload.enc',
      ),
    )
    .action(async (options) => {
      checkSectionOutputOptions(options);
      const sources = [options.compose, options.play, options.playResources, options.playTemplates];
      if (
        options.compose !== undefined &&
        sources.filter((source) => source !== undefined).length > 1
      ) {
        throw new HpvsError(
          'USAGE',
          '--compose cannot be combined with --play, --play-resources or --play-templates',
        );
      }
      if (sources.every((source) => source === undefined)) {
        throw new HpvsError(
          'USAGE',
          'give the workload: --compose DIR, --play DIR, --play-resources FILE or --play-templates FILE',
        );
      }
      checkVolumeFlags(
        options.volume,
        options.seedFile,
        {
          '--mount': options.mount,
          '--filesystem': options.filesystem,
          '--previous-seed-file': options.previousSeedFile,
        },
        'workload',
      );
      const env = await readEnvAssignments(options.env, options.envValuesFile);
      const [{ buildWorkloadSectionFromFiles }, { nodeInputReaders }] = await Promise.all([
        import('../../app/build-workload-section.js'),
        import('../../app/input-readers.js'),
      ]);
      const volume = volumeFiles(options);
      const built = await buildWorkloadSectionFromFiles(
        {
          workload:
            options.compose !== undefined
              ? { compose: options.compose }
              : {
                  play: {
                    dir: options.play,
                    resources: options.playResources,
                    templates: options.playTemplates,
                  },
                },
          authsFile: options.auths,
          imagesFile: options.images,
          volume: volume && { ...volume, mount: options.mount, filesystem: options.filesystem },
          env,
        },
        nodeInputReaders,
      );
      // archiveFolder's warnings about the compose file name the user's own folder
      await writeSection(
        'workload',
        built.text,
        options,
        { warnings: built.warnings, paths: built.coveredPaths },
        [
          options.envValuesFile,
          options.playResources,
          options.playTemplates,
          options.auths,
          options.images,
          options.seedFile,
          options.previousSeedFile,
        ],
      );
    });
}
