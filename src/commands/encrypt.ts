import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { encryptSection } from '../crypto/encrypt-section.js';
import { TOKEN_PREFIXES } from '../crypto/section-token.js';
import { HpvsError } from '../errors.js';
import { loadEncryptionKey } from '../io/load-keys.js';
import { systemRandom } from '../io/random.js';
import { assertSingleStdin, readInput } from '../io/read-input.js';
import { writeResult } from '../io/write-output.js';
import { examples } from './help-examples.js';

export function registerEncrypt(program: Command): void {
  program
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
    .option('--allow-expired', 'encrypt even if the certificate is expired or not yet valid')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl encrypt workload.yaml --cert ibm-hyper-protect-container-runtime-encrypt.crt --out workload.enc',
        'cat env.yaml | hpvs-ctl encrypt - --cert encrypt.crt',
      ),
    )
    .action(async (file, options) => {
      assertSingleStdin({ 'the section': file, '--cert': options.cert });
      const publicKey = await loadEncryptionKey(options.cert, options);
      const plaintext = await readInput(file, 'section');
      if (plaintext.length === 0) {
        throw new HpvsError(
          'INPUT_EMPTY',
          `${file === '-' ? 'stdin' : file}: the section to encrypt is empty`,
        );
      }
      const token = encryptSection(plaintext, publicKey, systemRandom, options.prefix);
      await writeResult(options.out, `${token}\n`);
    });
}
