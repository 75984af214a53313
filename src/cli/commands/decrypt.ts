import type { Command } from '@commander-js/extra-typings';
import { looksLikeSectionToken } from '../../core/crypto/section-token.js';
import { HpvsError } from '../../core/errors.js';
import { systemRandom } from '../../node/random.js';
import { writeResult, writeStdout } from '../../node/write-output.js';
import { jsonForTerminal } from '../../core/text/terminal-safe-text.js';
import { examples } from './help-examples.js';
import { resultDigests } from '../../core/crypto/result-digests.js';
import { forTerminal } from './terminal-output.js';

export function registerDecrypt(program: Command): void {
  program
    .command('decrypt')
    .description(
      'Open a hyper-protect-basic (or contract-basic) token and write the exact plaintext bytes.',
    )
    .argument('[file]', 'file holding the token, or - for stdin (the default)', '-')
    .requiredOption('--key <path>', 'RSA private key (PEM, PKCS#8 or PKCS#1)')
    .option('--passphrase-file <path>', 'file holding the passphrase of a protected private key')
    .option('--out <path>', 'write the plaintext to this file instead of stdout')
    .option(
      '--json',
      'with --out: print {out, prefix, bytes, sha256_in (the file as read), sha256_out: null} as JSON, never the plaintext nor its digest',
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl decrypt workload.enc --key hpcr-private.pem',
        'hpvs-ctl decrypt se-checksums.txt.enc --key auditor.pem --passphrase-file pass.txt --out se-checksums.txt',
      ),
    )
    .action(async (file, options) => {
      if (looksLikeSectionToken(file)) {
        // a pasted token is not repeated back: messages end up in logs and tickets
        throw new HpvsError(
          'USAGE',
          'the argument is a token, not a file: put the token in a file, or give - and send it on stdin',
        );
      }
      if (options.json && (options.out === undefined || options.out === '-')) {
        throw new HpvsError(
          'USAGE',
          '--json describes the plaintext without printing it: give --out FILE for the plaintext',
        );
      }
      const { decryptSectionFile } = await import('../../app/decrypt-section-file.js');
      const { token, prefix, plaintext } = await decryptSectionFile({
        file,
        keyFile: options.key,
        passphraseFile: options.passphraseFile,
        random: systemRandom,
      });
      await writeResult(options.out, forTerminal(options.out, plaintext), {
        secret: true,
        from: [file],
        alsoReads: [options.key, options.passphraseFile],
      });
      if (options.json) {
        const document = {
          out: options.out,
          prefix,
          bytes: plaintext.length,
          // the plaintext's digest is withheld: a guessing oracle for a low-entropy secret
          ...resultDigests(token, plaintext, { output: true }),
        };
        await writeStdout(`${jsonForTerminal(document)}\n`);
      }
    });
}
