/**
 * The record names the digest of a contract section in several historic forms:
 * `contract:workload` (current), `contract: workload` (older records, with a space) and bare
 * `workload` (24.x). All map to the section name, so a comparison never depends on the form.
 */
export const CONTRACT_SECTIONS = [
  'workload',
  'env',
  'attestationPublicKey',
  'envWorkloadSignature',
] as const;

/** The record line holding the sha256 of the exact user-data bytes. */
export const USER_DATA_NAME = 'cidata/user-data';

/** The contract section a record line name refers to, or undefined for other lines. */
export function contractSectionOf(name: string): string | undefined {
  const prefixed = /^contract:\s*(\S.*)$/.exec(name);
  if (prefixed) return prefixed[1]!.trim();
  return (CONTRACT_SECTIONS as readonly string[]).includes(name) ? name : undefined;
}

/** The current name form, as the runtime writes it today. */
export function recordNameOfSection(section: string): string {
  return `contract:${section}`;
}
