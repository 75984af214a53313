import { X509Certificate } from 'node:crypto';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { readInput } from '../../node/read-input.js';
import { openSectionToken } from '../../core/contract/decrypted-section.js';
import { parseUserData, withSection, type ParsedUserData } from '../../core/contract/user-data.js';
import { TOKEN_PREFIXES } from '../../core/crypto/section-token.js';
import { PLATFORMS } from '../../core/platforms/platforms.js';
import { HpvsError } from '../../core/errors.js';
import { input, worded, wordedText, type WordedText } from '../../core/wording.js';
import { decodeUtf8Exactly } from '../../core/text/utf8-text.js';
import { ServiceFailure, type BootContext } from '../boot-context.js';
import { DAY_MS, EXPIRY_WARNING_DAYS } from '../../core/days.js';

export const BOOTLOADER = 'hpl-bootloader';

/**
 * Reads the user data and decrypts every encrypted section with the image's private key, as
 * the runtime's bootloader does before anything else runs.
 */
export async function runBootloader(context: BootContext): Promise<void> {
  const log = context.console;
  log.note(BOOTLOADER, `HPCR emulator ${context.state.imageVersion} (hpvs-ctl) starting`);
  await warnAboutEncryptionCertificate(context);
  let submitted: ParsedUserData;
  try {
    submitted = parseUserData(decodeUtf8Exactly(context.userData, context.source), context.source);
  } catch (error) {
    log.error(BOOTLOADER, 'HPL11001E', `Unable to parse the contract: ${messageOf(error)}`);
    throw new ServiceFailure(BOOTLOADER);
  }
  let decrypted = submitted;
  const opened: string[] = [];
  for (const section of submitted.sections.values()) {
    if (section.form !== 'token') continue;
    const wrongPrefix = prefixRefused(context, section.value);
    if (wrongPrefix !== undefined) {
      log.error(
        BOOTLOADER,
        'HPL11001E',
        worded`Unable to decrypt the contract section ${section.key}: ${wrongPrefix}`,
      );
      throw new ServiceFailure(BOOTLOADER);
    }
    try {
      decrypted = withSection(
        decrypted,
        openSectionToken(
          section.key,
          section.value,
          context.state.encryptionKey,
          context.random,
          context.source,
        ),
      );
    } catch (error) {
      // one line for a wrong key, a bad padding and a plaintext that does not read: see
      // `tokenCannotBeOpened` for the padding oracle a second line would open
      log.error(
        BOOTLOADER,
        'HPL11001E',
        `Unable to decrypt the contract section ${section.key}: ${messageOf(error)}`,
      );
      throw new ServiceFailure(BOOTLOADER);
    }
    opened.push(section.key);
  }
  log.note(
    BOOTLOADER,
    opened.length === 0
      ? 'no encrypted sections in the contract'
      : `decrypted ${opened.length} encrypted section${opened.length === 1 ? '' : 's'} (${opened.join(', ')})`,
  );
  context.submitted = submitted;
  context.decrypted = decrypted;
  log.info(BOOTLOADER, 'HPL11099I', 'bootloader end');
}

/**
 * A runtime reads only its own platform's token prefix (contract-basic on ccrt and ccrv,
 * hyper-protect-basic on hpvs), so a token made for the other family does not open. An
 * emulator made without --platform takes both, as it always did.
 */
function prefixRefused(context: BootContext, token: string): WordedText | undefined {
  const platform = context.state.platform;
  if (platform === undefined) return undefined;
  const expected = PLATFORMS[platform].tokenPrefix;
  if (token.trimStart().startsWith(`${expected}.`)) return undefined;
  const other = TOKEN_PREFIXES.find((prefix) => token.trimStart().startsWith(`${prefix}.`));
  return wordedText(
    worded`the token starts with ${other ?? 'an unknown prefix'}, but this ${platform} runtime reads only ${expected} tokens (${input('encrypt-for-platform')} ${platform})`,
  );
}

async function warnAboutEncryptionCertificate(context: BootContext): Promise<void> {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(
      await readInput(context.state.publicPath('encryption'), 'certificate', INPUT_LIMITS.pem),
    );
  } catch {
    return;
  }
  const notAfter = new Date(certificate.validTo);
  const left = notAfter.getTime() - context.now.getTime();
  if (left < 0) {
    context.console.warn(
      BOOTLOADER,
      'HPL12013W',
      `The contract encryption certificate expired on ${notAfter.toISOString()}`,
    );
  } else if (left < EXPIRY_WARNING_DAYS * DAY_MS) {
    context.console.warn(
      BOOTLOADER,
      'HPL12011W',
      `The contract encryption certificate expires on ${notAfter.toISOString()}`,
    );
  }
}

/**
 * An error's message in the core's concepts. A failure of the contract is the runtime's to
 * report, in its own terms, not in the flags of the caller's command; what the boot's own
 * inputs caused (the container runtime's failures) is said with `BootConsole.reason` instead.
 */
export function messageOf(error: unknown): string {
  if (error instanceof HpvsError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
