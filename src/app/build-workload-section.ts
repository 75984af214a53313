import { buildWorkloadSection } from '../core/authoring/section-builders.js';
import { HpvsError } from '../core/errors.js';
import { readSecretText, type InputReaders } from './input-readers.js';
import { authsFrom, imagesFrom } from './section-input-shapes.js';

/** The workload section of a Workload Provider, named by the folders and files that hold it. */
export interface WorkloadSectionRequest {
  /** A docker-compose folder, or the podman play sources (at least one of them). */
  workload:
    | { compose: string }
    | {
        play: {
          /** A folder of pod/ConfigMap YAML. */
          dir?: string | undefined;
          /** A YAML file of Pod/ConfigMap resources (a list or several documents). */
          resources?: string | undefined;
          /** Like `resources`, with {{ .Env.NAME }} templates. */
          templates?: string | undefined;
        };
      };
  /** YAML mapping of registry host -> credentials. */
  authsFile?: string | undefined;
  /** YAML mapping of images.dct / images.rhs signature settings. */
  imagesFile?: string | undefined;
  volume?:
    | {
        name: string;
        seedFile: string;
        previousSeedFile?: string | undefined;
        mount?: string | undefined;
        filesystem?: 'ext4' | 'xfs' | 'btrfs' | undefined;
      }
    | undefined;
  env?: Record<string, string> | undefined;
}

export interface BuiltWorkloadSection {
  /** The section's YAML (not yet validated). */
  text: string;
  /** What archiving the folders noticed, in the words of the user's own files. */
  warnings: string[];
  /** The section paths those warnings already speak for. */
  coveredPaths: string[];
}

/** Reads the folders and files of `request` and writes the workload section's YAML. */
export async function buildWorkloadSectionFromFiles(
  request: WorkloadSectionRequest,
  read: InputReaders,
): Promise<BuiltWorkloadSection> {
  const warnings: string[] = [];
  const archive = async (dir: string, kind: 'compose' | 'play') => {
    const result = await read.archive(dir, kind);
    warnings.push(...result.warnings);
    return result.base64;
  };
  const resources = async (file: string | undefined) =>
    file === undefined
      ? undefined
      : kubernetesList(await read.yamlDocuments(file, 'resources'), file);
  const { workload, volume } = request;
  const play =
    'play' in workload
      ? {
          archive:
            workload.play.dir === undefined ? undefined : await archive(workload.play.dir, 'play'),
          resources: await resources(workload.play.resources),
          templates: await resources(workload.play.templates),
        }
      : undefined;
  const text = buildWorkloadSection({
    compose:
      'compose' in workload ? { archive: await archive(workload.compose, 'compose') } : undefined,
    play,
    auths:
      request.authsFile === undefined
        ? undefined
        : authsFrom(await read.yaml(request.authsFile, 'auths'), request.authsFile),
    images:
      request.imagesFile === undefined
        ? undefined
        : imagesFrom(await read.yaml(request.imagesFile, 'images'), request.imagesFile),
    volumes:
      volume === undefined
        ? undefined
        : {
            [volume.name]: {
              seed: await readSecretText(read, volume.seedFile, 'workload volume seed'),
              previousSeed:
                volume.previousSeedFile === undefined
                  ? undefined
                  : await readSecretText(
                      read,
                      volume.previousSeedFile,
                      'previous workload volume seed',
                    ),
              mount: volume.mount,
              filesystem: volume.filesystem,
            },
          },
    env: request.env,
  });
  return { text, warnings, coveredPaths: ['workload.compose.archive'] };
}

/** A resources file holds one list, or one resource per YAML document. */
function kubernetesList(documents: unknown[], file: string): unknown[] {
  const items =
    documents.length === 1 && Array.isArray(documents[0]) ? (documents[0] as unknown[]) : documents;
  if (items.length === 0) {
    throw new HpvsError('CONTRACT_INVALID', `${file}: holds no Pod or ConfigMap`);
  }
  return items;
}
