import { asMapping } from '../mapping.js';
import type { ArchiveEntry } from '../archive/archive-entry.js';
import { HpvsError } from '../errors.js';
import { parseYamlDocuments, yamlValue } from '../text/parse-yaml.js';
import { COMPOSE_FILE_NAMES } from './compose-warnings.js';
import { podImages } from './image-references.js';
import { topLevelYamlFiles } from './workload-archive.js';

/**
 * The image references a workload names, as written (before interpolation): the services of a
 * compose archive's compose file, and the containers and init containers of every Pod in a
 * play archive, its resources or its templates. A file that is not YAML names none here; the
 * validator and the runtime report it.
 */
export function archiveImages(
  entries: readonly ArchiveEntry[],
  kind: 'compose' | 'play',
): string[] {
  const images: string[] = [];
  for (const entry of topLevelYamlFiles(entries)) {
    if (entry.type !== 'file') continue;
    if (kind === 'compose' && !(COMPOSE_FILE_NAMES as readonly string[]).includes(entry.path))
      continue;
    const text = Buffer.from(entry.data).toString('utf8');
    const documents = readableYaml(text, entry.path);
    if (kind === 'compose') {
      const services = asMapping(asMapping(documents[0])?.['services']);
      for (const service of Object.values(services ?? {})) {
        const image = asMapping(service)?.['image'];
        if (typeof image === 'string') images.push(image);
      }
    } else {
      for (const value of documents) for (const image of podImages(value)) images.push(image);
    }
  }
  return images;
}

/** The images of play `resources` or `templates` given in the contract itself. */
export function playListImages(play: Record<string, unknown>): string[] {
  const images: string[] = [];
  for (const list of [play['resources'], play['templates']]) {
    if (!Array.isArray(list)) continue;
    for (const object of list) for (const image of podImages(object)) images.push(image);
  }
  return images;
}

function readableYaml(text: string, source: string): unknown[] {
  try {
    const parsed = parseYamlDocuments(text, source);
    return parsed.documents.map((doc) => yamlValue(parsed, doc));
  } catch (error) {
    if (error instanceof HpvsError && error.code === 'YAML_INVALID') return [];
    throw error;
  }
}
