import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { warn } from '../../node/console.js';
import { loadPrivateKey, loadPublicKeyOrCertificate } from '../../node/load-keys.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { systemRandom } from '../../node/random.js';
import { readInput, readTextInput } from '../../node/read-input.js';
import { writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import { DAY_MS } from '../../core/days.js';
import { terminalSafe } from '../../core/text/terminal-safe-text.js';

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
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl verify user-data.yaml --signing-key sign.pub',
        'hpvs-ctl verify user-data.yaml --decrypt-key hpcr-private.pem',
        'hpvs-ctl verify user-data.yaml --decrypt-key hpcr-private.pem --ca-cert deployer-ca.crt',
      ),
    )
    .action(async (file, options) => {
      if (options.passphraseFile !== undefined && options.decryptKey === undefined) {
        throw new HpvsError('USAGE', '--passphrase-file needs --decrypt-key');
      }
      const [{ parseUserData }, { verifyContract }] = await Promise.all([
        import('../../core/contract/user-data.js'),
        import('../../core/contract/verify-contract.js'),
      ]);
      const source = file === '-' ? 'stdin' : file;
      const parsed = parseUserData(
        await readTextInput(file, 'user data', INPUT_LIMITS.userData),
        source,
      );
      const now = new Date();
      const result = verifyContract(parsed, {
        signingKey:
          options.signingKey === undefined
            ? undefined
            : await loadPublicKeyOrCertificate(options.signingKey),
        decryptKey:
          options.decryptKey === undefined
            ? undefined
            : await loadPrivateKey(options.decryptKey, options.passphraseFile),
        random: systemRandom,
        now,
      });
      for (const message of result.warnings) warn(message);
      const keyName = result.keySource === 'given' ? options.signingKey : 'env.signingKey';
      const lines = [
        `${source}: signature ${result.signatureValid ? 'valid' : 'INVALID'} (key: ${keyName})`,
      ];
      const certificate = result.certificate;
      if (certificate) {
        const days = Math.round((certificate.notAfter.getTime() - now.getTime()) / DAY_MS);
        lines.push(
          `${source}: signing certificate ${certificate.subject}, issued by ${certificate.issuer}, valid ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}`,
          `${source}: contract ${result.expired ? `EXPIRED on ${certificate.notAfter.toISOString()}` : result.notYetValid ? `not valid before ${certificate.notBefore.toISOString()}` : `expires ${certificate.notAfter.toISOString()} (in ${days} day${days === 1 ? '' : 's'})`}`,
        );
      }
      let chainFailure: string | undefined;
      if (options.caCert !== undefined) {
        if (!certificate) {
          throw new HpvsError(
            'VERIFICATION_FAILED',
            `${source}: the signing key is a bare public key, so there is no certificate to check against --ca-cert`,
          );
        }
        const [{ parseCertificates }, { verifyChain }] = await Promise.all([
          import('../../core/pki/parse-pki.js'),
          import('../../core/pki/verify-chain.js'),
        ]);
        const chain = await verifyChain({
          leaf: parseCertificates(Buffer.from(result.certificatePem!), `${keyName}`)[0]!,
          leafRole: 'contract signing certificate',
          intermediates: [],
          roots: parseCertificates(
            await readInput(options.caCert, 'CA certificate', INPUT_LIMITS.pem),
            options.caCert,
          ),
          crls: [],
          at: now,
          allowMissingCrl: true,
        });
        const [chainCheck] = chain.checks;
        lines.push(
          `${source}: issued by ${options.caCert}: ${chainCheck.status === 'pass' ? 'yes' : 'NO'} (${chainCheck.detail})`,
        );
        if (chainCheck.status !== 'pass') chainFailure = chainCheck.detail;
      }
      await writeStdout(`${lines.map(terminalSafe).join('\n')}\n`);
      if (!result.signatureValid) {
        throw new HpvsError(
          'VERIFICATION_FAILED',
          `${source}: envWorkloadSignature does not match workload and env for this key; the runtime would refuse the contract (HPL12001E)`,
        );
      }
      if (chainFailure !== undefined) {
        throw new HpvsError(
          'VERIFICATION_FAILED',
          `${source}: the signing certificate was not issued by ${options.caCert}: ${chainFailure}`,
        );
      }
      if (!result.ok) {
        throw new HpvsError(
          'VERIFICATION_FAILED',
          `${source}: the contract ${result.expired ? `expired on ${certificate!.notAfter.toISOString()}` : `is not valid before ${certificate!.notBefore.toISOString()}`}; the runtime refuses it`,
        );
      }
    });
}
