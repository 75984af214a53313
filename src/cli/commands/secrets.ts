import { INPUT_LIMITS } from '../../node/input-limits.js';
import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import type { KeyObject } from 'node:crypto';
import { parsePrivateKey, parsePublicKeyOrCertificate } from '../../core/crypto/keys.js';
import { HpvsError } from '../../core/errors.js';
import { loadPrivateKey } from '../../node/load-keys.js';
import { systemRandom } from '../../node/random.js';
import { assertSingleStdin, readInput, readTextInput } from '../../node/read-input.js';
import { readSecret } from '../../node/read-secret.js';
import { refuseExisting, writeFileSet } from '../../node/write-file-set.js';
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
      const { generateSealKeyFiles, SEAL_KEY_FILES } =
        await import('../../core/ccco/seal-key-files.js');
      const force = options.force === true;
      if (!force) await refuseExisting(options.outDir, Object.values(SEAL_KEY_FILES));
      const written = await writeFileSet(options.outDir, await generateSealKeyFiles(), { force });
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
      const { sealSecret } = await import('../../core/ccco/sealed-secret.js');
      const secret =
        options.exact === true
          ? await readInput(options.in, 'secret', INPUT_LIMITS.sealedSecret)
          : await readSecret({ file: options.in, what: 'secret' });
      const sealed = sealSecret({
        secret,
        type: options.type,
        encryptionKey: await loadEncryptionKey(options.encryptionKey),
        signingKey: await loadPrivateKey(options.signingKey),
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
      const { unsealSecret } = await import('../../core/ccco/sealed-secret.js');
      const sealed = await readTextInput(options.in, 'sealed secret', INPUT_LIMITS.sealedSecret);
      const secret = unsealSecret(sealed, {
        decryptionKey: await loadPrivateKey(options.decryptionKey),
        verificationKey: parsePublicKeyOrCertificate(
          await readInput(options.verificationKey, 'verification key', INPUT_LIMITS.pem),
          options.verificationKey,
        ).publicKey,
        ...(options.type === undefined ? {} : { type: options.type }),
      });
      await writeResult(options.out, secret, { secret: true, from: [options.in] });
    });
}

/** The encryption key may be given as the public key or as the pair's private key. */
async function loadEncryptionKey(path: string): Promise<KeyObject> {
  const bytes = await readInput(path, 'encryption key', INPUT_LIMITS.pem);
  if (bytes.includes('PRIVATE KEY')) return parsePrivateKey(bytes, path);
  const material = parsePublicKeyOrCertificate(bytes, path);
  if (material.certificate !== undefined) {
    throw new HpvsError('KEY_INVALID', `${path}: give the RSA public key, not a certificate`);
  }
  return material.publicKey;
}
