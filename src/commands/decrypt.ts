import type { Command } from '@commander-js/extra-typings';
import { decryptSection } from '../crypto/encrypt-section.js';
import { HpvsError } from '../errors.js';
import { loadPrivateKey } from '../io/load-keys.js';
import { systemRandom } from '../io/random.js';
import { assertSingleStdin, readTextInput } from '../io/read-input.js';
import { writeResult } from '../io/write-output.js';
import { examples } from './help-examples.js';

export function registerDecrypt(program: Command): void {
  program
    .command('decrypt')
    .description(
      'Open a hyper-protect-basic (or contract-basic) token and write the exact plaintext bytes.',
    )
    .argument('[file]', 'file holding the token, or - for stdin', '-')
    .requiredOption('--key <path>', 'RSA private key (PEM, PKCS#8 or PKCS#1)')
    .option('--passphrase-file <path>', 'file holding the passphrase of a protected private key')
    .option('--out <path>', 'write the plaintext to this file instead of stdout')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl decrypt workload.enc --key hpcr-private.pem',
        'hpvs-ctl decrypt se-checksums.txt.enc --key auditor.pem --passphrase-file pass.txt --out se-checksums.txt',
      ),
    )
    .action(async (file, options) => {
      assertSingleStdin({
        'the token': file,
        '--key': options.key,
        '--passphrase-file': options.passphraseFile,
      });
      const privateKey = await loadPrivateKey(options.key, options.passphraseFile);
      const token = await readTextInput(file, 'encrypted section');
      if (token.trim().length === 0) {
        throw new HpvsError(
          'INPUT_EMPTY',
          `${file === '-' ? 'stdin' : file}: no encrypted section to decrypt`,
        );
      }
      await writeResult(options.out, decryptSection(token, privateKey, systemRandom), {
        mode: 0o600,
      });
    });
}
