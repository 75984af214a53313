import { HpvsError } from '../errors.js';
import { decodeUtf8Exactly } from '../text/utf8-text.js';
import type { ParsedYamlDocument } from '../text/parse-yaml.js';
import { isInterpolatedImage, isPinnedImage, unpinnedReason } from './image-references.js';
import type { ArchiveEntry } from '../archive/archive-entry.js';

export const COMPOSE_FILE_NAMES = ['docker-compose.yaml', 'docker-compose.yml'] as const;

/** What a compose warning is about, so callers decide on it without reading its text. */
export type ComposeWarningRule =
  | 'compose-file-missing'
  | 'compose-file-twice'
  | 'compose-file-unreadable'
  | 'compose-build'
  | 'image-not-pinned';

export interface ComposeWarning {
  rule: ComposeWarningRule;
  message: string;
}

/**
 * What the runtime would trip over in a compose folder, as warnings rather than errors: the
 * folder may be meant for a newer runtime, or the images may be signed (images.dct/rhs), which
 * only the whole contract shows. `folder` prefixes the file names in messages.
 */
export async function composeWarnings(
  entries: readonly ArchiveEntry[],
  folder: string,
): Promise<ComposeWarning[]> {
  const files = COMPOSE_FILE_NAMES.flatMap((name) => {
    const entry = entries.find((candidate) => candidate.path === name);
    return entry?.type === 'file' ? [{ name, data: entry.data }] : [];
  });
  if (files.length === 0) {
    return [
      {
        rule: 'compose-file-missing',
        message: `${folder}: no docker-compose.yaml or docker-compose.yml at the top of the folder; a compose workload needs one`,
      },
    ];
  }
  const warnings: ComposeWarning[] = [];
  if (files.length > 1) {
    warnings.push({
      rule: 'compose-file-twice',
      message: `${folder}: has both docker-compose.yaml and docker-compose.yml; keep only one so it is clear which the runtime uses`,
    });
  }
  for (const file of files) {
    // no push(...list): a compose file with 300,000 services would overflow the stack
    for (const warning of await composeFileWarnings(joinForMessage(folder, file.name), file.data))
      warnings.push(warning);
  }
  return warnings;
}

async function composeFileWarnings(file: string, data: Uint8Array): Promise<ComposeWarning[]> {
  const [{ isMap, isScalar }, { parseYamlDocument }] = await Promise.all([
    import('yaml'),
    import('../text/parse-yaml.js'),
  ]);
  let parsed: ParsedYamlDocument;
  try {
    parsed = parseYamlDocument(decodeUtf8Exactly(Buffer.from(data), file), file);
  } catch (error) {
    if (!(error instanceof HpvsError) || error.code !== 'YAML_INVALID') throw error;
    return [
      { rule: 'compose-file-unreadable', message: `${error.message}; the runtime cannot read it` },
    ];
  }
  const doc = parsed.doc;
  const at = (node: { range?: [number, number, number] | null | undefined }): string =>
    node.range ? parsed.at(node.range[0]) : file;
  const services = doc.get('services', true);
  if (!isMap(services)) return [];
  const warnings: ComposeWarning[] = [];
  for (const pair of services.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (!isMap(pair.value)) continue;
    const build = pair.value.get('build', true);
    if (build !== undefined) {
      warnings.push({
        rule: 'compose-build',
        message: `${at(build)} service "${name}" has a build: section, which the runtime does not support; push the image to a registry and reference it by digest`,
      });
    }
    const image = pair.value.get('image', true);
    if (isScalar(image) && typeof image.value === 'string') {
      // `${VAR}` is filled in from the contract's env at run time, so it cannot be judged here.
      if (!isPinnedImage(image.value) && !isInterpolatedImage(image.value)) {
        warnings.push({
          rule: 'image-not-pinned',
          message: `${at(image)} service "${name}" image "${image.value}" ${unpinnedReason(image.value)}; the runtime runs it only if its signature is configured under workload.images, so pin it as name@sha256:<digest>`,
        });
      }
    }
  }
  return warnings;
}

function joinForMessage(folder: string, name: string): string {
  return folder.endsWith('/') ? `${folder}${name}` : `${folder}/${name}`;
}
