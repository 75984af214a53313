import { asMapping } from '../mapping.js';
/**
 * When the runtime accepts a container image: validate, inspect and the emulator all ask these
 * functions, so they cannot disagree about a workload's images.
 */

/** Pinned: the reference ends in a full SHA-256 digest (`name@sha256:` and 64 hex digits). */
const PINNED = /@sha256:[0-9a-f]{64}$/;

export function isPinnedImage(reference: string): boolean {
  return PINNED.test(reference);
}

/** What keeps a reference from being pinned, for messages: `has no @sha256: digest`. */
export function unpinnedReason(reference: string): string {
  return reference.includes('@sha256:')
    ? 'has a @sha256: digest that is not 64 lowercase hex digits at its end'
    : 'has no @sha256: digest';
}

/**
 * A reference the runtime completes from the contract's environment (`${VAR}` in compose,
 * `{{ .Env.VAR }}` in play templates): it cannot be judged before it is filled in.
 */
export function isInterpolatedImage(reference: string): boolean {
  return reference.includes('${') || reference.includes('{{');
}

/** The repository of a reference: `registry:5000/repo[:tag][@digest]` -> `registry:5000/repo`. */
export function repositoryOf(reference: string): string {
  const withoutDigest = reference.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

export type SignatureScheme = 'dct' | 'rhs';

/**
 * The images `workload.images` configures a signature check for: Docker Content Trust (`dct`)
 * or Red Hat simple signing (`rhs`), by the name they are configured under.
 */
export function signedImages(images: unknown): Map<string, SignatureScheme> {
  const signed = new Map<string, SignatureScheme>();
  if (images === null || typeof images !== 'object') return signed;
  for (const scheme of ['dct', 'rhs'] as const) {
    const entries = (images as Record<string, unknown>)[scheme];
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) continue;
    for (const name of Object.keys(entries)) if (!signed.has(name)) signed.set(name, scheme);
  }
  return signed;
}

/** The signature scheme covering an image: configured for the reference or its repository. */
export function signatureCovering(
  reference: string,
  signed: ReadonlyMap<string, SignatureScheme>,
): SignatureScheme | undefined {
  return signed.get(reference) ?? signed.get(repositoryOf(reference));
}

export type ImageTrust = 'digest' | SignatureScheme;

/** Why the runtime runs an image (pinned, or signed), or undefined when it refuses it. */
export function imageTrust(
  reference: string,
  signed: ReadonlyMap<string, SignatureScheme>,
): ImageTrust | undefined {
  return isPinnedImage(reference) ? 'digest' : signatureCovering(reference, signed);
}

/** The container lists of a Kubernetes Pod spec whose images the runtime pulls, in start order. */
export const POD_CONTAINER_LISTS = ['initContainers', 'containers'] as const;

export interface PodContainer {
  list: (typeof POD_CONTAINER_LISTS)[number];
  container: Record<string, unknown>;
}

/** Every container of a Pod object, init containers first (none when it is not a Pod spec). */
export function podContainers(object: unknown): PodContainer[] {
  const spec = asMapping(asMapping(object)?.['spec']);
  return POD_CONTAINER_LISTS.flatMap((list) => {
    const containers = spec?.[list];
    if (!Array.isArray(containers)) return [];
    return containers.flatMap((container) => {
      const record = asMapping(container);
      return record === undefined ? [] : [{ list, container: record }];
    });
  });
}

/** The image references of a Pod object, init containers included. */
export function podImages(object: unknown): string[] {
  return podContainers(object)
    .map(({ container }) => container['image'])
    .filter((image): image is string => typeof image === 'string');
}
