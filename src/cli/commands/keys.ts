import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { readSecret } from '../../node/read-secret.js';
import { refuseExisting, writeFileSet } from '../../node/write-file-set.js';
import { writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import { jsonForTerminal, terminalSafe } from '../../core/text/terminal-safe-text.js';
import { digestUnlessSecret } from '../../core/crypto/result-digests.js';

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('Create RSA key pairs for contract signing or attestation.');
  keys
    .command('generate')
    .description(
      'Generate an RSA key pair: DIR/[NAME-]private.pem (PKCS#8, mode 0600) and DIR/[NAME-]public.pem, and print their paths.',
    )
    .requiredOption('--out-dir <dir>', 'folder for the key files (created mode 0700 if missing)')
    .addOption(
      new Option('--bits <bits>', 'RSA modulus size')
        .choices(['2048', '3072', '4096'] as const)
        .default('4096' as const),
    )
    .option(
      '--passphrase-file <path>',
      'encrypt the private key (AES-256-CBC) with the passphrase in this file, or - for stdin',
    )
    .option('--name <name>', 'file name prefix, e.g. "signing" gives signing-private.pem')
    .option('--force', 'replace existing key files')
    .option(
      '--json',
      'print {bits, encrypted, privateKey: {out, sha256_out: null}, publicKey: {out, sha256_out}} as JSON',
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl keys generate --out-dir keys --name signing',
        'hpvs-ctl keys generate --out-dir auditor --name attestation --passphrase-file pass.txt',
        'hpvs-ctl keys generate --out-dir keys --name signing --json',
      ),
    )
    .action(async (options) => {
      const { generateKeyPairFiles, keyPairFileNames } =
        await import('../../core/pki/key-pair-files.js');
      const force = options.force === true;
      if (!force) await refuseExisting(options.outDir, keyPairFileNames(options.name));
      const passphrase =
        options.passphraseFile === undefined
          ? undefined
          : await readSecret({ file: options.passphraseFile, what: 'private key passphrase' });
      const files = await generateKeyPairFiles({
        bits: Number(options.bits),
        passphrase,
        name: options.name,
      });
      const written = await writeFileSet(options.outDir, files, {
        force,
        from: [options.passphraseFile],
      });
      if (!options.json) {
        await writeStdout(written.map((path) => `${terminalSafe(path)}\n`).join(''));
        return;
      }
      // the private key's digest is withheld like every secret's (result-digests.ts)
      const [privateKey, publicKey] = files.map((file, index) => ({
        out: written[index]!,
        sha256_out: digestUnlessSecret(file.data, file.secret),
      }));
      const document = {
        bits: Number(options.bits),
        encrypted: passphrase !== undefined,
        privateKey,
        publicKey,
      };
      await writeStdout(`${jsonForTerminal(document)}\n`);
    });
}
