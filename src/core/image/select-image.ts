import { input, sayWording, worded, type Wording } from '../wording.js';
import { HpvsError } from '../errors.js';
import { highestMatching, parseVersionRange, printable } from '../catalogue/version-range.js';

/**
 * Picks the HPCR image to boot from an IBM Cloud VPC image list (SPEC-IBM A5): the VPC API's
 * answer (`{"images": [...]}` or its array), `ibmcloud is images --output json`, or Terraform's
 * `ibm_is_images` data source. Unlike IBM's picker it says why each HPCR-looking image was left
 * out, can include deprecated images (to reproduce a running instance), and warns when two
 * images claim the same version.
 */

export interface ImageChoice {
  id: string;
  name: string;
  version: string;
  checksum: string;
  status: string;
}

export interface SkippedImage {
  name: string;
  /** In the core's concepts; `wording` holds it with its input phrases when it names an input. */
  reason: string;
  wording?: Wording;
}

export interface ImageSelection {
  image: ImageChoice;
  skipped: SkippedImage[];
  warnings: string[];
}

const HPCR_NAME = /^ibm-hyper-protect-container-runtime-(\d+)-(\d+)-s390x-(\d+)$/;
const HPCR_OS = /^hyper-protect-[\w-]+-s390x-hpcr$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The three shapes' fields, in one: Terraform's flat ones first, else the API's nested ones. */
function normalise(image: Json) {
  const system = Array.isArray(image.operating_system)
    ? image.operating_system[0]
    : image.operating_system;
  const os = isObject(system) ? system : {};
  const file = isObject(image.file) ? image.file : {};
  const checksums = isObject(file.checksums) ? file.checksums : {};
  return {
    id: text(image.id),
    name: text(image.name),
    status: text(image.status),
    visibility: text(image.visibility),
    architecture: text(image.architecture) || text(os.architecture),
    os: text(image.os) || text(os.name),
    checksum: text(image.checksum) || text(checksums.sha256),
  };
}

/** The list of images in any of the three shapes. */
export function parseImageList(source: string, textInput: string): unknown[] {
  let document: unknown;
  try {
    document = JSON.parse(textInput);
  } catch (error) {
    throw new HpvsError(
      'JSON_INVALID',
      `${source}: not JSON (${(error as Error).message.split('\n')[0]})`,
      { cause: error },
    );
  }
  if (isObject(document) && Array.isArray(document.images)) return document.images;
  if (Array.isArray(document)) return document;
  throw new HpvsError(
    'JSON_INVALID',
    `${source}: expected a list of VPC images (a JSON array, or the API's {"images": [...]})`,
  );
}

export function selectImage(
  images: readonly unknown[],
  options: {
    version?: string | undefined;
    includeDeprecated?: boolean | undefined;
    source: string;
  },
): ImageSelection {
  const range = parseVersionRange(options.version ?? '*', 'image version');
  if (images.length === 0) {
    throw new HpvsError('IMAGE_NOT_FOUND', `${options.source}: the image list is empty`);
  }
  const skipped: SkippedImage[] = [];
  const candidates: (ImageChoice & { index: number })[] = [];
  const statuses = options.includeDeprecated ? ['available', 'deprecated'] : ['available'];
  images.forEach((raw, index) => {
    if (!isObject(raw)) return;
    const image = normalise(raw);
    const match = HPCR_NAME.exec(image.name);
    if (match === null) return;
    const name = printable(image.name, 100);
    const reasons: Wording[] = [
      image.architecture !== 's390x' &&
        `architecture ${printable(image.architecture) || 'missing'}`,
      !statuses.includes(image.status) &&
        (image.status === 'deprecated'
          ? worded`status deprecated (${input('deprecated-taken')})`
          : `status ${printable(image.status) || 'missing'}`),
      image.visibility !== 'public' && `visibility ${printable(image.visibility) || 'missing'}`,
      !HPCR_OS.test(image.os) && `operating system ${printable(image.os) || 'missing'}`,
      image.id === '' && 'no id',
    ]
      .filter((reason) => reason !== false)
      .map((reason) => (typeof reason === 'string' ? [reason] : reason));
    if (reasons.length > 0) {
      const wording = reasons.flatMap((reason, at) => (at > 0 ? [', ', ...reason] : reason));
      const reason = sayWording(wording);
      skipped.push(
        wording.some((part) => typeof part !== 'string')
          ? { name, reason, wording }
          : { name, reason },
      );
      return;
    }
    const version = `${Number(match[1])}.${Number(match[2])}.${Number(match[3])}`;
    candidates.push({
      id: printable(image.id, 100),
      name,
      version,
      checksum: printable(image.checksum, 100),
      status: image.status,
      index,
    });
  });
  const chosen = highestMatching(candidates, range);
  if (chosen === undefined) {
    const found = candidates.map((candidate) => candidate.version).join(', ');
    const example = skipped[0];
    throw new HpvsError('IMAGE_NOT_FOUND', [
      `${options.source}: no Hyper Protect image${options.version === undefined ? '' : ` matches version "${printable(options.version)}"`} (${found ? `usable: ${found}` : 'no usable HPCR image'}`,
      ...(example === undefined
        ? []
        : [
            `; ${skipped.length} skipped, e.g. ${example.name}: `,
            ...(example.wording ?? [example.reason]),
          ]),
      ')',
    ]);
  }
  const twins = candidates.filter((candidate) => candidate.version === chosen.version);
  const warnings =
    twins.length > 1
      ? [
          `${twins.length} images claim version ${chosen.version} (${twins.map((twin) => twin.id).join(', ')}); took the last one listed, ${chosen.id}`,
        ]
      : [];
  const { index: _index, ...image } = chosen;
  return { image, skipped, warnings };
}
