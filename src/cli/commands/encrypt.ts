import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { systemRandom } from '../../node/random.js';
import { writeResult, writeStdout } from '../../node/write-output.js';
import { jsonForTerminal } from '../../core/text/terminal-safe-text.js';
import { examples } from './help-examples.js';
import { resultDigests } from '../../core/crypto/result-digests.js';
import {
  certVersionOption,
  deprecatedPrefix,
  deprecatedPrefixOption,
  notePlatformAlias,
  platformOption,
} from './platform-options.js';
import { addTrustOptions, readTrustOptions } from './trust-options.js';

export function registerEncrypt(program: Command): void {
  const encrypt = program
    .command('encrypt')
    .description(
      "Encrypt a contract section's exact bytes for a runtime and print the token (<prefix>.<password>.<data>) on one line. The platform decides the prefix (contract-basic for ccrt and ccrv, hyper-protect-basic for hpvs and ccco) and, without --cert, the certificate: IBM's newest valid one for it from the bundled catalogue (see certs list).",
    )
    .argument('[file]', 'section YAML to encrypt, or - for stdin', '-')
    .addOption(platformOption('the runtime to encrypt for'))
    .addOption(certVersionOption())
    .option(
      '--cert <path>',
      "the runtime's encryption certificate (PEM) or an RSA public key, instead of the catalogue's (without --platform the prefix is hyper-protect-basic)",
    )
    .option('--out <path>', 'write the token to this file instead of stdout')
    .option(
      '--json',
      'print {token (without --out), out, prefix, certificate, sha256_in: null (withheld: the plaintext), sha256_out} as JSON; sha256_out is over the token without its newline',
    )
    .addOption(deprecatedPrefixOption())
    .option('--allow-expired', 'encrypt even if the certificate is expired or not yet valid')
    .addOption(
      new Option(
        '--format <format>',
        'what the input is: text (any bytes), or json (refused unless it is valid JSON)',
      )
        .choices(['text', 'json'] as const)
        .default('text' as const),
    );
  const { command, crlFiles } = addTrustOptions(
    encrypt,
    'with --root, the certificate must chain to this anchor with current CRLs, or nothing is encrypted (repeatable)',
  );
  command
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl encrypt workload.yaml --platform ccrt --out workload.enc',
        'hpvs-ctl encrypt workload.yaml --platform hpvs --cert-version 1.0.28 --out workload.enc',
        'cat env.yaml | hpvs-ctl encrypt - --platform ccrv --cert encrypt.crt',
        'hpvs-ctl encrypt settings.json --format json --platform ccrt --out settings.enc',
        'hpvs-ctl encrypt env.yaml --cert encrypt.crt --chain intermediate.crt --root root.crt --crl intermediate.crl --crl root.crl',
      ),
    )
    .action(async (file, options) => {
      notePlatformAlias(options.platform);
      const platform = options.platform?.platform;
      const prefix = deprecatedPrefix(options.prefix, platform?.name);
      const trust = await trustToCheck(options, crlFiles);
      const { encryptSectionFile } = await import('../../app/encrypt-section-file.js');
      const { token, plaintext, ...encrypted } = await encryptSectionFile({
        file,
        certFile: options.cert,
        platform: platform?.name,
        certVersion: options.certVersion,
        allowExpired: options.allowExpired,
        prefix,
        trust,
        json: options.format === 'json',
        random: systemRandom,
      });
      const policy = {
        secret: false,
        from: [file],
        alsoReads: [options.cert, ...options.chain, ...options.root, ...crlFiles],
      };
      if (!options.json) {
        await writeResult(options.out, `${token}\n`, policy);
        return;
      }
      const toFile = options.out !== undefined && options.out !== '-';
      if (toFile) await writeResult(options.out, `${token}\n`, policy);
      const document = {
        ...(toFile ? { out: options.out } : { token }),
        prefix: encrypted.prefix,
        certificate: encrypted.certificate,
        // the plaintext's digest is withheld: a guessing oracle for a low-entropy secret
        ...resultDigests(plaintext, token, { input: true }),
      };
      await writeStdout(`${jsonForTerminal(document)}\n`);
    });
}

/**
 * What to check the encryption certificate against (SPEC 7: an untrusted one is not used): only
 * when the caller names a trust anchor; chain or CRL files without one are a usage error, since
 * they would silently check nothing.
 */
async function trustToCheck(
  options: {
    cert?: string | undefined;
    chain: string[];
    root: string[];
    crl?: unknown;
    partialChain?: boolean | undefined;
    at?: string | undefined;
  },
  crlFiles: readonly string[],
) {
  if (options.root.length === 0) {
    if (
      options.chain.length > 0 ||
      crlFiles.length > 0 ||
      options.at !== undefined ||
      options.partialChain
    ) {
      throw new HpvsError(
        'USAGE',
        '--chain, --crl, --partial-chain and --at check the certificate only with --root',
      );
    }
    return undefined;
  }
  if (options.cert === undefined) {
    throw new HpvsError(
      'USAGE',
      '--root checks the certificate given with --cert; to check a catalogue certificate, write it with certs get and pass it with --cert',
    );
  }
  return readTrustOptions(options, crlFiles);
}
