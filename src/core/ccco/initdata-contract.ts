import { input, worded } from '../wording.js';
import { TOKEN_PREFIXES } from '../crypto/section-token.js';
import { HpvsError } from '../errors.js';
import { parseUserData, type SectionForm } from '../contract/user-data.js';

/** Sections whose plaintext would put secrets into a pod annotation anyone with read access sees. */
const MUST_BE_ENCRYPTED = ['workload', 'env'] as const;

/**
 * Checks what IBM does not (A7.7): the contract parses, has workload and env, and both are
 * encrypted tokens unless the caller accepts plaintext; with a header, `boot` is not already
 * taken (it would become a duplicate key).
 */
export function checkInitdataContract(
  contract: string,
  source: string,
  options: { allowPlaintext: boolean; withHeader: boolean },
): void {
  const parsed = parseUserData(contract, source);
  for (const key of MUST_BE_ENCRYPTED) {
    const section = parsed.sections.get(key);
    if (section === undefined) {
      throw new HpvsError('CONTRACT_INVALID', `${source}: the contract has no ${key} section`);
    }
    if (section.form !== 'token' && !options.allowPlaintext) {
      const { line, col } = parsed.keyPosition(key);
      throw new HpvsError(
        'CONTRACT_INVALID',
        worded`${source}:${line}:${col}: ${key} is not encrypted; initdata travels as a readable pod annotation, so ${input('encrypt-or-allow-plaintext')}`,
      );
    }
  }
  if (options.withHeader && parsed.sections.has('boot')) {
    const { line, col } = parsed.keyPosition('boot');
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${source}:${line}:${col}: the contract already has a boot key, which the Secure Execution header would duplicate`,
    );
  }
}

export interface SectionSummary {
  key: string;
  form: SectionForm;
  bytes: number;
  /** For a token: its prefix (which says the platform family it was encrypted for). */
  prefix?: string;
}

/** What inspect shows of a contract: forms and sizes, never contents. */
export function summarizeSections(contract: string, source: string): SectionSummary[] {
  const parsed = parseUserData(contract, source);
  return [...parsed.sections.values()]
    .filter((section) => section.key !== 'boot')
    .map((section) => {
      const prefix =
        section.form === 'token'
          ? TOKEN_PREFIXES.find((candidate) => section.value.startsWith(`${candidate}.`))
          : undefined;
      return {
        key: section.key,
        form: section.form,
        bytes: Buffer.byteLength(section.value, 'utf8'),
        ...(prefix === undefined ? {} : { prefix }),
      };
    });
}
