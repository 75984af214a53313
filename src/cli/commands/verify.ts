import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { warn } from '../../node/console.js';
import { cliCheck, cliNotice } from './input-phrases.js';
import { loadPrivateKey, loadPublicKeyOrCertificate } from '../../node/load-keys.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { readInput } from '../../node/read-input.js';
import { decodeUtf8Exactly } from '../../core/text/utf8-text.js';
import { writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import { digestUnlessSecret } from '../../core/crypto/result-digests.js';
import { jsonForTerminal, terminalSafe } from '../../core/text/terminal-safe-text.js';
import type { UserDataVerification } from '../../app/verify-user-data.js';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      "Check a user-data file's envWorkloadSignature with a given key, or with env.signingKey (decrypting env with the HPCR private key if needed); for a certificate signing key, report the contract's expiry. Exit 1 when the signature is invalid or the contract expired.",
    )
    .argument('<user-data>', 'user-data.yaml, or - for stdin')
    .option('--signing-key <file>', 'public key or certificate (PEM) to check the signature with')
    .option(
      '--decrypt-key <file>',
      "the runtime's private key, to read signingKey from an encrypted env",
    )
    .option('--passphrase-file <file>', 'passphrase of a protected --decrypt-key')
    .option(
      '--ca-cert <file>',
      'also check that a certificate signingKey was issued by this CA (contract expiry)',
    )
    .option(
      '--json',
      'print {file, ok, signatureValid, key, certificate, expired, notYetValid, issuedBy, sha256_in} as JSON (exit status as without it)',
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl verify user-data.yaml --signing-key sign.pub',
        'hpvs-ctl verify user-data.yaml --decrypt-key hpcr-private.pem',
        'hpvs-ctl verify user-data.yaml --decrypt-key hpcr-private.pem --ca-cert deployer-ca.crt',
        'hpvs-ctl verify user-data.yaml --signing-key sign.pub --json',
      ),
    )
    .action(async (file, options) => {
      if (options.passphraseFile !== undefined && options.decryptKey === undefined) {
        throw new HpvsError('USAGE', '--passphrase-file needs --decrypt-key');
      }
      const source = file === '-' ? 'stdin' : file;
      const bytes = await readInput(file, 'user data', INPUT_LIMITS.userData);
      const [{ verifyUserData }, signingKey, decryptKey, ca] = await Promise.all([
        import('../../app/verify-user-data.js'),
        options.signingKey === undefined
          ? undefined
          : loadPublicKeyOrCertificate(options.signingKey),
        options.decryptKey === undefined
          ? undefined
          : loadPrivateKey(options.decryptKey, options.passphraseFile),
        options.caCert === undefined
          ? undefined
          : readInput(options.caCert, 'CA certificate', INPUT_LIMITS.pem),
      ]);
      const verified = await verifyUserData({
        text: decodeUtf8Exactly(bytes, source),
        source,
        signingKey,
        signingKeySource: options.signingKey,
        decryptKey,
        ca: ca === undefined ? undefined : { bytes: ca, source: options.caCert! },
        now: new Date(),
      });
      const result =
        verified.issuedBy === undefined
          ? verified
          : { ...verified, issuedBy: cliCheck(verified.issuedBy) };
      for (const notice of result.warnings) warn(cliNotice(notice));
      const keyName = result.keySource === 'given' ? options.signingKey! : 'env.signingKey';
      await writeStdout(
        options.json
          ? `${jsonForTerminal(verifyJson(result, keyName, bytes))}\n`
          : `${verifyLines(result, keyName).map(terminalSafe).join('\n')}\n`,
      );
      throwUnlessOk(result);
    });
}

function verifyLines(result: UserDataVerification, keyName: string): string[] {
  const { source, certificate } = result;
  const lines = [
    `${source}: signature ${result.signatureValid ? 'valid' : 'INVALID'} (key: ${keyName})`,
  ];
  if (certificate) {
    const days = certificate.daysLeft;
    lines.push(
      `${source}: signing certificate ${certificate.subject}, issued by ${certificate.issuer}, valid ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}`,
      `${source}: contract ${result.expired ? `EXPIRED on ${certificate.notAfter.toISOString()}` : result.notYetValid ? `not valid before ${certificate.notBefore.toISOString()}` : `expires ${certificate.notAfter.toISOString()} (in ${days} day${days === 1 ? '' : 's'})`}`,
    );
  }
  if (result.issuedBy) {
    lines.push(
      `${source}: issued by ${result.issuedBy.source}: ${result.issuedBy.valid ? 'yes' : 'NO'} (${result.issuedBy.detail})`,
    );
  }
  return lines;
}

/** The JSON result; the user data's digest only when both sections are tokens (see result-digests). */
function verifyJson(result: UserDataVerification, keyName: string, bytes: Uint8Array) {
  const { certificate } = result;
  return {
    file: result.source,
    ok: result.ok,
    signatureValid: result.signatureValid,
    key: { source: result.keySource, name: keyName },
    certificate: certificate
      ? {
          subject: certificate.subject,
          issuer: certificate.issuer,
          notBefore: certificate.notBefore.toISOString(),
          notAfter: certificate.notAfter.toISOString(),
          daysLeft: certificate.daysLeft,
        }
      : null,
    expired: result.expired,
    notYetValid: result.notYetValid,
    issuedBy: result.issuedBy ?? null,
    sha256_in: digestUnlessSecret(bytes, result.plaintextSections),
  };
}

function throwUnlessOk(result: UserDataVerification): void {
  const { source, certificate, issuedBy } = result;
  if (!result.signatureValid) {
    throw new HpvsError(
      'VERIFICATION_FAILED',
      `${source}: envWorkloadSignature does not match workload and env for this key; the runtime would refuse the contract (HPL12001E)`,
    );
  }
  if (issuedBy !== undefined && !issuedBy.valid) {
    throw new HpvsError(
      'VERIFICATION_FAILED',
      `${source}: the signing certificate was not issued by ${issuedBy.source}: ${issuedBy.detail}`,
    );
  }
  if (!result.ok) {
    throw new HpvsError(
      'VERIFICATION_FAILED',
      `${source}: the contract ${result.expired ? `expired on ${certificate!.notAfter.toISOString()}` : `is not valid before ${certificate!.notBefore.toISOString()}`}; the runtime refuses it`,
    );
  }
}
