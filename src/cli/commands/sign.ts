import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { warn } from '../../node/console.js';
import { cliNotice } from './input-phrases.js';
import { writeResult, writeStdout } from '../../node/write-output.js';
import { jsonForTerminal } from '../../core/text/terminal-safe-text.js';
import { examples } from './help-examples.js';
import { resultDigests } from '../../core/crypto/result-digests.js';

export function registerSign(program: Command): void {
  program
    .command('sign')
    .description(
      'Sign an assembled user-data file: set envWorkloadSignature to the RSA-SHA256 signature of the workload value followed by the env value, keeping every other byte.',
    )
    .argument('<user-data>', 'user-data.yaml, or - for stdin')
    .requiredOption(
      '--key <file>',
      'the signing private key (its public key must be env.signingKey)',
    )
    .option('--passphrase-file <file>', 'passphrase of a protected key')
    .option('--out <path>', 'write the signed user data here instead of stdout')
    .option(
      '--json',
      'with --out: print {out, sha256_in, sha256_out} as JSON (the user data as read and as signed; null while a section is plaintext)',
    )
    .addHelpText(
      'after',
      examples('hpvs-ctl sign user-data.yaml --key sign.pem --out user-data.signed.yaml'),
    )
    .action(async (file, options) => {
      if (options.json && (options.out === undefined || options.out === '-')) {
        throw new HpvsError('USAGE', '--json describes the user data it wrote: give --out FILE');
      }
      const { signUserDataFile } = await import('../../app/sign-user-data-file.js');
      const signed = await signUserDataFile({
        file,
        keyFile: options.key,
        passphraseFile: options.passphraseFile,
      });
      for (const notice of signed.warnings) warn(cliNotice(notice));
      // signing in place is what sign is for; the rewritten file keeps (or narrows) its mode
      await writeResult(options.out, signed.signedText, {
        secret: signed.holdsPlaintextSection,
        from: [file],
        inPlace: true,
        alsoReads: [options.key, options.passphraseFile],
      });
      if (options.json) {
        const secret = signed.holdsPlaintextSection;
        const document = {
          out: options.out,
          // a plaintext section can hold secrets: the digests are withheld then (result-digests.ts)
          ...resultDigests(signed.text, signed.signedText, { input: secret, output: secret }),
        };
        await writeStdout(`${jsonForTerminal(document)}\n`);
      }
    });
}
