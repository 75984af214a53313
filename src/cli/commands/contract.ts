import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { warn } from '../../node/console.js';
import { cliNotice, cliProblemLine } from './input-phrases.js';
import { refuseOutputOntoInputs } from '../../node/output-policy.js';
import { writeResult, writeStdout } from '../../node/write-output.js';
import { jsonForTerminal } from '../../core/text/terminal-safe-text.js';
import { examples } from './help-examples.js';
import {
  certVersionOption,
  deprecatedPrefixOption,
  deprecatedProfileOption,
  platformOption,
} from './platform-options.js';
import type { CreatedContract } from '../../core/authoring/create-contract.js';

import {
  checkContractFlags,
  contractSources,
  parseDays,
  type ContractFlags,
} from './contract-options.js';

export function registerContract(program: Command): void {
  program
    .command('contract')
    .description(
      'Assemble user-data.yaml from workload and env sections (plaintext or already encrypted): add env.signingKey, encrypt plaintext sections with --cert, and sign workload+env with --sign-key; with --expiry-days the signing key becomes a certificate from your CA that expires.',
    )
    .option(
      '--in <file>',
      'one plaintext contract (workload and env as | blocks, mappings or tokens; attestationPublicKey optional): sign and encrypt it in one step, keeping every other byte',
    )
    .option(
      '--workload <file>',
      'workload section: YAML, or the token the Workload Provider handed over',
    )
    .option('--env <file>', 'env section: YAML (must be plaintext to sign), or a token')
    .option('--attestation-key <file>', "the auditor's attestation public key (PEM) or its token")
    .addOption(
      platformOption(
        "the runtime the contract is for: its schema checks the sections, its prefix starts the tokens, and with --encrypt IBM's certificate for it encrypts them",
      ),
    )
    .option(
      '--encrypt',
      "encrypt the plaintext sections (for --platform with the catalogue's certificate, or for --cert)",
    )
    .addOption(certVersionOption())
    .option(
      '--cert <path>',
      'HPCR encryption certificate: encrypt the plaintext sections (without --platform the prefix is hyper-protect-basic)',
    )
    .option('--allow-expired', 'encrypt even if the certificate is expired or not yet valid')
    .option(
      '--sign-key <file>',
      'private key that signs the contract (its public key goes into env.signingKey)',
    )
    .option('--sign-passphrase-file <file>', 'passphrase of a protected --sign-key')
    .option(
      '--expiry-days <n>',
      'contract expiry: issue a signing certificate valid for N days from now',
      parseDays,
    )
    .option('--ca-cert <file>', 'your CA certificate for the expiry certificate')
    .option('--ca-key <file>', 'your CA private key')
    .option('--ca-passphrase-file <file>', 'passphrase of a protected --ca-key')
    .option('--csr <file>', 'CSR of the signing key (its subject is used)')
    .option(
      '--subject <dn>',
      'subject of the expiry certificate, e.g. "/CN=deployer" (default /CN=HPVS contract signing)',
    )
    .option(
      '--signing-cert-out <file>',
      'also write the issued expiry certificate here (- for stdout when --out is a file)',
    )
    .option(
      '--json',
      'with --out: print {out, plaintextSections, sha256_in, sha256_out} as JSON (sha256_in per input: workload and env, or in; null for a plaintext one); with --batch: {outDir, contracts: [{name, out, plaintextSections, sha256_out}], sha256_in}',
    )
    .addOption(deprecatedProfileOption())
    .addOption(deprecatedPrefixOption())
    .addOption(
      new Option(
        '--section-style <style>',
        "how plaintext sections are written: a | block string holding the section (IBM's form, the default) or a YAML mapping (Terraform's)",
      ).choices(['block-string', 'mapping'] as const),
    )
    .option(
      '--out <file>',
      'write user-data.yaml to this file instead of stdout (mode 0600 while a section is plaintext)',
    )
    .option(
      '--batch <inventory>',
      'build one contract per instance of this YAML inventory (instances: [{name, env?, seedFile?}]) on all cores',
    )
    .option('--out-dir <dir>', 'with --batch: write each contract to DIR/<name>.yaml')
    .option('--force', 'with --batch: replace contracts that already exist')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl contract --workload workload.enc --env env.yaml --platform ccrt --encrypt --sign-key sign.pem --out user-data.yaml',
        'hpvs-ctl contract --in contract.yaml --platform ccrv --cert-version 26.5.0 --sign-key sign.pem --out user-data.yaml',
        'hpvs-ctl contract --workload workload.enc --env env.yaml --cert encrypt.crt --sign-key sign.pem --out user-data.yaml',
        'hpvs-ctl contract --batch fleet.yaml --workload workload.enc --env env.yaml --cert encrypt.crt --sign-key sign.pem --out-dir contracts',
        'hpvs-ctl contract --workload workload.enc --env env.yaml --cert encrypt.crt --sign-key sign.pem --expiry-days 30 --ca-cert ca.crt --ca-key ca.key --subject "/CN=deployer" --out user-data.yaml',
      ),
    )
    .action(async (options) => {
      if (options.in !== undefined) {
        await runContractFile({ ...options, in: options.in });
        return;
      }
      if (options.workload === undefined || options.env === undefined) {
        throw new HpvsError(
          'USAGE',
          'give --workload and --env (the section files), or --in with a whole contract',
        );
      }
      const flags = { ...options, workload: options.workload, env: options.env };
      if (options.batch !== undefined) {
        const { runContractBatch } = await import('./contract-batch.js');
        await runContractBatch({ ...flags, batch: options.batch });
        return;
      }
      if (options.outDir !== undefined || options.force) {
        throw new HpvsError('USAGE', '--out-dir and --force only work with --batch');
      }
      checkContractFlags(flags);
      await checkOutputs(options, [flags.workload, flags.env, ...readFiles(flags)]);
      const { buildContractFromSections } = await import('../../app/build-contract.js');
      const built = await buildContractFromSections(
        { workloadFile: flags.workload, envFile: flags.env },
        contractSources(flags, new Date()),
      );
      await writeContract(built.contract, options.out, options.signingCertOut, [
        flags.workload,
        flags.env,
        flags.attestationKey,
      ]);
      if (options.json) await printContractJson(built.contract, options.out!, built.inputs);
    });
}

async function writeContract(
  contract: CreatedContract,
  out: string | undefined,
  signingCertOut: string | undefined,
  inputs: (string | undefined)[],
): Promise<void> {
  for (const problem of contract.problems) warn(cliProblemLine(problem));
  for (const notice of contract.warnings) warn(cliNotice(notice));
  if (signingCertOut !== undefined && contract.signingCertificate !== undefined) {
    await writeResult(signingCertOut, contract.signingCertificate, { secret: false });
  }
  await writeResult(out, contract.text, {
    secret: contract.plaintextSections.length > 0,
    from: inputs,
  });
}

/** `contract --in FILE`: one whole plaintext contract, signed and encrypted in one step. */
async function runContractFile(
  options: Omit<ContractFlags, 'workload' | 'env'> & {
    in: string;
    json?: boolean | undefined;
    workload?: string | undefined;
    env?: string | undefined;
    batch?: string | undefined;
    outDir?: string | undefined;
    force?: boolean | undefined;
    out?: string | undefined;
    signingCertOut?: string | undefined;
  },
): Promise<void> {
  const stray = Object.entries({
    '--workload': options.workload,
    '--env': options.env,
    '--batch': options.batch,
    '--out-dir': options.outDir,
    '--section-style': options.sectionStyle,
  })
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name);
  if (stray.length > 0) {
    throw new HpvsError(
      'USAGE',
      `--in takes the sections from the contract (in the form they are written); leave out ${stray.join(', ')}`,
    );
  }
  await checkOutputs(options, [options.in, ...readFiles(options)]);
  const { buildContractFromFile } = await import('../../app/build-contract.js');
  const built = await buildContractFromFile(options.in, contractSources(options, new Date()));
  await writeContract(built.contract, options.out, options.signingCertOut, [
    options.in,
    options.attestationKey,
  ]);
  if (options.json) await printContractJson(built.contract, options.out!, built.inputs);
}

/**
 * `--json`: where the contract went and the SHA-256 of each input and of the output, as IBM's
 * tools and Terraform report them (SPEC-IBM A9); the contract itself stays in its file.
 */
async function printContractJson(
  contract: CreatedContract,
  out: string,
  inputs: Record<string, string>,
): Promise<void> {
  const [{ looksLikeSectionToken }, { digestUnlessSecret }] = await Promise.all([
    import('../../core/crypto/section-token.js'),
    import('../../core/crypto/result-digests.js'),
  ]);
  // a plaintext input or contract can hold secrets: its digest is withheld (result-digests.ts)
  const document = {
    out,
    plaintextSections: contract.plaintextSections,
    sha256_in: Object.fromEntries(
      Object.entries(inputs).map(([key, text]) => [
        key,
        digestUnlessSecret(text, key === 'in' || !looksLikeSectionToken(text)),
      ]),
    ),
    sha256_out: digestUnlessSecret(contract.text, contract.plaintextSections.length > 0),
  };
  await writeStdout(`${jsonForTerminal(document)}\n`);
}

/** The files besides the sections that a contract is built from. */
function readFiles(flags: Omit<ContractFlags, 'workload' | 'env'>): (string | undefined)[] {
  return [
    flags.attestationKey,
    flags.cert,
    flags.signKey,
    flags.signPassphraseFile,
    flags.caCert,
    flags.caKey,
    flags.caPassphraseFile,
    flags.csr,
  ];
}

/**
 * Where the contract and the expiry certificate go; refused before any work is done (and so
 * before any warning), an output onto one of the `inputs` too.
 */
async function checkOutputs(
  options: {
    json?: boolean | undefined;
    out?: string | undefined;
    signingCertOut?: string | undefined;
    expiryDays?: number | undefined;
  },
  inputs: readonly (string | undefined)[],
): Promise<void> {
  if (options.signingCertOut !== undefined && options.expiryDays === undefined) {
    throw new HpvsError('USAGE', '--signing-cert-out only works with --expiry-days');
  }
  if (options.json && isStdout(options.out)) {
    throw new HpvsError('USAGE', '--json describes the contract it wrote: give --out FILE');
  }
  if (isStdout(options.out) && options.signingCertOut === '-') {
    throw new HpvsError(
      'USAGE',
      'the contract and the signing certificate cannot both go to stdout: give --out FILE or a --signing-cert-out file',
    );
  }
  await refuseOutputOntoInputs(options.out, inputs);
  await refuseOutputOntoInputs(options.signingCertOut, inputs);
}

/** `--out` absent or `-`: the result goes to standard output. */
function isStdout(out: string | undefined): boolean {
  return out === undefined || out === '-';
}
