import { isUtf8 } from 'node:buffer';
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { encryptSection } from '../../core/crypto/encrypt-section.js';
import { HpvsError } from '../../core/errors.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { loadEncryptionKey } from '../../node/load-keys.js';
import { systemRandom } from '../../node/random.js';
import { readInput } from '../../node/read-input.js';
import { writeResult, writeStdout } from '../../node/write-output.js';
import { jsonForTerminal } from '../../core/text/terminal-safe-text.js';
import { examples } from './help-examples.js';
import { resultDigests } from './result-digests.js';
import {
  certVersionOption,
  deprecatedPrefix,
  deprecatedPrefixOption,
  notePlatformAlias,
  platformOption,
} from './platform-options.js';
import { addTrustOptions, readTrustOptions, sourced } from './trust-options.js';

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
      await refuseUntrustedCertificate(options, crlFiles);
      const key = await loadEncryptionKey(options.cert, {
        ...options,
        platform: platform?.name,
      });
      const plaintext = await readInput(file, 'section', INPUT_LIMITS.section);
      const source = file === '-' ? 'stdin' : file;
      if (plaintext.length === 0) {
        throw new HpvsError('INPUT_EMPTY', `${source}: the section to encrypt is empty`);
      }
      if (options.format === 'json') refuseInvalidJson(plaintext, source);
      const token = encryptSection(plaintext, key.publicKey, systemRandom, prefix ?? key.prefix);
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
        prefix: prefix ?? key.prefix,
        certificate: key.source,
        // the plaintext's digest is withheld: a guessing oracle for a low-entropy secret
        ...resultDigests(plaintext, token, { input: true }),
      };
      await writeStdout(`${jsonForTerminal(document)}\n`);
    });
}

/**
 * `--format json` promises JSON (as IBM's encrypt-string does, SPEC-IBM A9.4), so anything else
 * is refused before it is encrypted. The parser's own message is not repeated: it quotes the
 * input, which may be secret; only the place is.
 */
function refuseInvalidJson(bytes: Buffer, source: string): void {
  const refuse = (where: string, why: string) =>
    new HpvsError('CONTRACT_INVALID', `${where}: not valid JSON${why}; nothing was encrypted`);
  if (!isUtf8(bytes)) throw refuse(source, ' (not UTF-8)');
  const text = bytes.toString('utf8');
  try {
    JSON.parse(text);
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message);
    if (position === null) throw refuse(source, '');
    const before = text.slice(0, Number(position[1])).split('\n');
    throw refuse(`${source}:${before.length}:${before.at(-1)!.length + 1}`, '');
  }
}

/**
 * A revoked or otherwise untrusted encryption certificate must not be used (SPEC 7). The check
 * runs when the caller names a trust anchor; chain or CRL files without one are a usage error,
 * since they would silently check nothing.
 */
async function refuseUntrustedCertificate(
  options: {
    cert?: string | undefined;
    chain: string[];
    root: string[];
    crl?: unknown;
    partialChain?: boolean | undefined;
    at?: string | undefined;
  },
  crlFiles: readonly string[],
): Promise<void> {
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
    return;
  }
  if (options.cert === undefined) {
    throw new HpvsError(
      'USAGE',
      '--root checks the certificate given with --cert; to check a catalogue certificate, write it with certs get and pass it with --cert',
    );
  }
  const trust = await readTrustOptions(options, crlFiles);
  const { checkCertificate } = await import('../../core/pki/check-certificate.js');
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
