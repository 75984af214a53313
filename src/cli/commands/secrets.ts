import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { systemRandom } from '../../node/random.js';
import { assertSingleStdin } from '../../node/read-input.js';
import { writeResult, writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';

const TYPES = ['workload', 'env'] as const;

export function registerSecrets(program: Command): void {
  const secrets = program
    .command('secrets')
    .description(
      "Seal Kubernetes secret values for ccco pods (opened inside the confidential VM with the keys of the contract's confidential-containers.secret), or open one.",
    );
  secrets
    .command('keys')
    .description(
      'Generate the two RSA-4096 key pairs sealed secrets need, into DIR: seal-encryption-public.pem and seal-signing-private.pem (for seal), seal-decryption-private.pem and seal-verification-public.pem (for the contract), and confidential-containers-secret.yaml, the contract snippet. Private keys and the snippet are mode 0600; nothing is printed but the paths.',
    )
    .requiredOption('--out-dir <dir>', 'folder for the key files (created mode 0700 if missing)')
    .option('--force', 'replace existing key files')
    .addHelpText('after', examples('hpvs-ctl secrets keys --out-dir seal-keys'))
    .action(async (options) => {
      const { writeSealKeys } = await import('../../app/write-seal-keys.js');
      const written = await writeSealKeys(options.outDir, options.force === true);
      await writeStdout(written.map((path) => `${path}\n`).join(''));
    });
  secrets
    .command('seal')
    .description(
      'Seal a secret value (sealed.<JWS RS512 of an AES-256-GCM envelope>) and print it on one line.',
    )
    .addOption(
      new Option(
        '--type <type>',
        "whose confidential-containers.secret keys open it: the workload's or the env's",
      )
        .choices(TYPES)
        .makeOptionMandatory(),
    )
    .requiredOption('--in <path>', 'file holding the secret value, or - for stdin')
    .requiredOption(
      '--encryption-key <path>',
      'RSA public key (or its private key) whose private key is the contract secret.decryptionKey',
    )
    .requiredOption(
      '--signing-key <path>',
      'RSA private key whose public key is the contract secret.verificationKey',
    )
    .option('--exact', 'seal the bytes as they are (by default one final line break is removed)')
    .option('--out <path>', 'write the sealed value to this file instead of stdout')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl secrets seal --type workload --in db-password.txt --encryption-key seal-keys/seal-encryption-public.pem --signing-key seal-keys/seal-signing-private.pem',
      ),
    )
    .action(async (options) => {
      assertSingleStdin({
        '--in': options.in,
        '--encryption-key': options.encryptionKey,
        '--signing-key': options.signingKey,
      });
      const { sealSecretFile } = await import('../../app/seal-secret-file.js');
      const sealed = await sealSecretFile({
        file: options.in,
        exact: options.exact === true,
        type: options.type,
        encryptionKeyFile: options.encryptionKey,
        signingKeyFile: options.signingKey,
        random: systemRandom,
      });
      await writeResult(options.out, `${sealed}\n`, { secret: false, from: [options.in] });
    });
  secrets
    .command('unseal')
    .description(
      'Verify and open a sealed value with the contract keys, as the confidential VM does; any failure is one generic error.',
    )
    .requiredOption('--in <path>', 'file holding the sealed value, or - for stdin')
    .requiredOption(
      '--decryption-key <path>',
      'the contract secret.decryptionKey (RSA private key)',
    )
    .requiredOption(
      '--verification-key <path>',
      'the contract secret.verificationKey (RSA public key)',
    )
    .addOption(
      new Option('--type <type>', 'refuse a value sealed for the other section').choices(TYPES),
    )
    .option('--out <path>', 'write the secret to this file (mode 0600) instead of stdout')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl secrets unseal --in sealed.txt --decryption-key seal-keys/seal-decryption-private.pem --verification-key seal-keys/seal-verification-public.pem --out secret.txt',
      ),
    )
    .action(async (options) => {
      assertSingleStdin({
        '--in': options.in,
        '--decryption-key': options.decryptionKey,
        '--verification-key': options.verificationKey,
      });
      const { unsealSecretFile } = await import('../../app/unseal-secret-file.js');
      const secret = await unsealSecretFile({
        file: options.in,
        decryptionKeyFile: options.decryptionKey,
        verificationKeyFile: options.verificationKey,
        type: options.type,
      });
      await writeResult(options.out, secret, { secret: true, from: [options.in] });
    });
}
