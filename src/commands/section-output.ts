import { encryptSection } from '../crypto/encrypt-section.js';
import { assertCertificateCurrent } from '../crypto/keys.js';
import { HpvsError } from '../errors.js';
import { warn } from '../io/console.js';
import { loadPublicKeyOrCertificate } from '../io/load-keys.js';
import { systemRandom } from '../io/random.js';
import { writeResult } from '../io/write-output.js';

export interface SectionOutputOptions {
  encrypt?: boolean | undefined;
  cert?: string | undefined;
  allowExpired?: boolean | undefined;
  out?: string | undefined;
}

/** Refuses `--encrypt` without `--cert` before any file is read. */
export function checkSectionOutputOptions(options: SectionOutputOptions): void {
  if (options.encrypt && options.cert === undefined) {
    throw new HpvsError('USAGE', '--encrypt needs --cert with the HPCR encryption certificate');
  }
}

/**
 * Checks a built section with the validator, then writes it, or its token when `--cert` is
 * given. A plaintext section holds seeds and keys, so its file is private (0600).
 */
export async function writeSection(
  kind: 'workload' | 'env',
  text: string,
  options: SectionOutputOptions,
): Promise<void> {
  const [{ parseSectionText }, { validateSection }] = await Promise.all([
    import('../contract/user-data.js'),
    import('../schema/validate-contract.js'),
  ]);
  const report = await validateSection(parseSectionText(kind, text, kind));
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${errors[0]!.path}: ${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
    );
  }
  for (const problem of report.problems) {
    if (problem.severity === 'warning') warn(`${problem.path}: ${problem.message}`);
  }
  if (options.cert === undefined) {
    await writeResult(options.out, text, { mode: 0o600 });
    return;
  }
  const material = await loadPublicKeyOrCertificate(options.cert);
  if (material.certificate && !options.allowExpired) {
    assertCertificateCurrent(material.certificate, new Date(), options.cert);
  }
  const token = encryptSection(Buffer.from(text, 'utf8'), material.publicKey, systemRandom);
  await writeResult(options.out, `${token}\n`);
}
