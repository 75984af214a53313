import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { encryptSection } from '../crypto/encrypt-section.js';
import { TOKEN_PREFIXES } from '../crypto/section-token.js';
import { HpvsError } from '../errors.js';
import { INPUT_LIMITS } from '../io/input-limits.js';
import { loadEncryptionKey } from '../io/load-keys.js';
import { systemRandom } from '../io/random.js';
import { assertSingleStdin, readInput } from '../io/read-input.js';
import { writeResult } from '../io/write-output.js';
import { examples } from './help-examples.js';
import { addTrustOptions, readTrustOptions, sourced } from './trust-options.js';

export function registerEncrypt(program: Command): void {
  const encrypt = program
    .command('encrypt')
    .description(
      "Encrypt a contract section's exact bytes for an HPCR image and print the hyper-protect-basic token on one line.",
    )
    .argument('[file]', 'section YAML to encrypt, or - for stdin', '-')
    .requiredOption(
      '--cert <path>',
      "the runtime's encryption certificate (PEM) or an RSA public key",
    )
    .option('--out <path>', 'write the token to this file instead of stdout')
    .addOption(
      new Option('--prefix <prefix>', 'token prefix')
        .choices(TOKEN_PREFIXES)
        .default('hyper-protect-basic' as const),
    )
    .option('--allow-expired', 'encrypt even if the certificate is expired or not yet valid');
  const { command, crlFiles } = addTrustOptions(
    encrypt,
    'with --root, the certificate must chain to this anchor with current CRLs, or nothing is encrypted (repeatable)',
  );
  command
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl encrypt workload.yaml --cert ibm-hyper-protect-container-runtime-encrypt.crt --out workload.enc',
        'cat env.yaml | hpvs-ctl encrypt - --cert encrypt.crt',
        'hpvs-ctl encrypt env.yaml --cert encrypt.crt --chain intermediate.crt --root root.crt --crl intermediate.crl --crl root.crl',
      ),
    )
    .action(async (file, options) => {
      assertSingleStdin({ 'the section': file, '--cert': options.cert });
      await refuseUntrustedCertificate(options, crlFiles);
      const publicKey = await loadEncryptionKey(options.cert, options);
      const plaintext = await readInput(file, 'section', INPUT_LIMITS.section);
      if (plaintext.length === 0) {
        throw new HpvsError(
          'INPUT_EMPTY',
          `${file === '-' ? 'stdin' : file}: the section to encrypt is empty`,
        );
      }
      const token = encryptSection(plaintext, publicKey, systemRandom, options.prefix);
      await writeResult(options.out, `${token}\n`, { secret: false, from: [file] });
    });
}

/**
 * A revoked or otherwise untrusted encryption certificate must not be used (SPEC 7). The check
 * runs when the caller names a trust anchor; chain or CRL files without one are a usage error,
 * since they would silently check nothing.
 */
async function refuseUntrustedCertificate(
  options: {
    cert: string;
    chain: string[];
    root: string[];
    crl?: unknown;
    at?: string | undefined;
  },
  crlFiles: readonly string[],
): Promise<void> {
  if (options.root.length === 0) {
    if (options.chain.length > 0 || crlFiles.length > 0 || options.at !== undefined) {
      throw new HpvsError(
        'USAGE',
        '--chain, --crl and --at check the certificate only with --root',
      );
    }
    return;
  }
  const trust = await readTrustOptions(options, crlFiles);
  const { checkCertificate } = await import('../pki/check-certificate.js');
  const { chain } = await checkCertificate({
    certificate: await sourced(options.cert, 'encryption certificate', INPUT_LIMITS.pem),
    role: 'encryption certificate',
    ...trust,
  });
  const failed = chain.checks.filter((check) => check.status === 'fail');
  if (failed.length > 0) {
    throw new HpvsError(
      'CHAIN_INVALID',
      `${options.cert}: not encrypting for an untrusted certificate: ${failed.map((check) => check.detail).join('; ')}`,
    );
  }
}
