import type { Command } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { loadPrivateKey } from '../../node/load-keys.js';
import { readInput } from '../../node/read-input.js';
import { writeResult, writeStdout } from '../../node/write-output.js';
import { cliCheck } from './input-phrases.js';
import { formatChecks, verdictLine } from './check-report.js';
import { examples } from './help-examples.js';
import { resultDigests, sha256Hex } from '../../core/crypto/result-digests.js';
import { forTerminal } from './terminal-output.js';
import { addTrustOptions, readTrustOptions, sourced } from './trust-options.js';
import { jsonForTerminal, terminalSafe } from '../../core/text/terminal-safe-text.js';

export function registerAttestation(program: Command): void {
  const attestation = program
    .command('attestation')
    .description(
      'Verify and open the attestation record an instance writes to /var/hyperprotect/.',
    );
  registerAttestationVerify(attestation);
  registerAttestationDecrypt(attestation);
}

function registerAttestationVerify(attestation: Command): void {
  const verify = attestation
    .command('verify')
    .description(
      'Verify an attestation record end to end: decryption, the signature over its exact bytes, the certificate chain, validity and CRLs, and the record against the expected contract and reference values. Prints PASS/FAIL/SKIP per check; exit 0 only when nothing fails.',
    )
    .option('--record <file>', 'se-checksums.txt or se-checksums.txt.enc')
    .option('--signature <file>', 'se-signature.bin')
    .option('--key <file>', "the auditor's private key (PEM), for an encrypted record")
    .option('--passphrase-file <file>', 'file holding the passphrase of a protected --key')
    .requiredOption('--cert <file>', 'the attestation certificate of the image (PEM or DER)');
  const { command, crlFiles } = addTrustOptions(
    verify,
    'a trust anchor (repeatable); a self-signed --cert may be its own root',
  );
  command
    .option('--contract <file>', 'the user-data.yaml the instance should run')
    .option(
      '--cidata <iso>',
      'the seed image the instance booted from (hpvs-ctl cidata): its bytes and each file against the record',
    )
    .option(
      '--reference <file>',
      'expected image values, lines "<sha256> <name>" (root.tar.gz, baseimage)',
    )
    .option(
      '--batch <dir>',
      'verify every bundle folder under DIR (se-checksums.txt[.enc], se-signature.bin, optional user-data.yaml: checked against --contract when given, else what the record is compared with)',
    )
    .option(
      '--json',
      "print {ok, version, machine, imageAge, facts, entries, checksums (Terraform's map), sha256_in, checks} as JSON",
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl attestation verify --record se-checksums.txt.enc --key auditor.pem --signature se-signature.bin --cert attestation.crt --chain ibm-intermediate.crt --root digicert-root.crt --crl ibm-intermediate.crl --crl digicert.crl --contract user-data.yaml',
        'hpvs-ctl attestation verify --record se-checksums.txt --signature se-signature.bin --cert attestation.crt --root attestation.crt --no-crl --json',
        'hpvs-ctl attestation verify --batch records/ --key auditor.pem --cert attestation.crt --chain int.crt --root root.crt --crl int.crl --reference hpcr-25.11.0.txt',
      ),
    )
    .action(async (options) => {
      if (
        options.batch === undefined &&
        (options.record === undefined || options.signature === undefined)
      ) {
        throw new HpvsError('USAGE', 'give --record and --signature (or --batch DIR)');
      }
      if (
        options.batch !== undefined &&
        (options.record !== undefined || options.signature !== undefined)
      ) {
        throw new HpvsError(
          'USAGE',
          '--batch reads the records and signatures from its folders; drop --record/--signature',
        );
      }
      if (options.batch !== undefined && options.cidata !== undefined) {
        throw new HpvsError('USAGE', '--cidata checks one instance; it does not go with --batch');
      }
      if (options.passphraseFile !== undefined && options.key === undefined) {
        throw new HpvsError('USAGE', '--passphrase-file needs --key');
      }
      const trust = await readTrustOptions(options, crlFiles);
      // one after the other, so the first missing file named is the one reported
      const auditorKey =
        options.key === undefined
          ? undefined
          : await loadPrivateKey(options.key, options.passphraseFile);
      const reference =
        options.reference === undefined
          ? undefined
          : await sourced(options.reference, 'reference', INPUT_LIMITS.reference);
      const contract =
        options.contract === undefined
          ? undefined
          : await sourced(options.contract, 'contract', INPUT_LIMITS.userData);
      const certificate = await sourced(options.cert, 'attestation certificate', INPUT_LIMITS.pem);
      const { startAudit } = await import('../../app/attestation/audit.js');
      const audit = startAudit({ certificate, trust, auditorKey, reference, contract });
      if (options.batch !== undefined) {
        const { runBatch } = await import('./attestation-batch.js');
        process.exitCode = await runBatch(audit, options.batch, options.json === true);
        return;
      }
      const { auditRecord } = await import('../../app/attestation/audit.js');
      const recordFile = await sourced(options.record!, 'attestation record', INPUT_LIMITS.record);
      const report = await auditRecord(audit, {
        record: recordFile,
        signature: await sourced(options.signature!, 'signature', INPUT_LIMITS.signature),
        cidata: options.cidata === undefined ? undefined : await readCidata(options.cidata),
      });
      if (options.json) {
        const document = {
          ok: report.ok,
          ...report.summary,
          // the record file as given: a token, or a record that was never encrypted
          sha256_in: sha256Hex(recordFile.bytes),
          checks: report.checks.map(cliCheck),
        };
        await writeStdout(`${jsonForTerminal(document)}\n`);
      } else {
        const { record } = report;
        const header = [
          `record ${record.version}: ${options.record} (${record.bytes.length} bytes, ${record.hashes.length} hash lines)`,
          ...record.keyValues.map(({ key, value }) => `  ${key}: ${value}`),
          ...record.unknown.map(
            ({ line, text }) => `  line ${line} (not recognised, kept): ${text}`,
          ),
        ].map(terminalSafe);
        await writeStdout(
          `${header.join('\n')}\n${formatChecks(report.checks)}${verdictLine(report.checks)}`,
        );
      }
      process.exitCode = report.ok ? 0 : 1;
    });
}

function registerAttestationDecrypt(attestation: Command): void {
  attestation
    .command('decrypt')
    .description(
      "Open se-checksums.txt.enc with the auditor's private key and write the record's exact bytes.",
    )
    .requiredOption('--record <file>', 'se-checksums.txt.enc')
    .requiredOption('--key <file>', "the auditor's private key (PEM)")
    .option('--passphrase-file <file>', 'file holding the passphrase of a protected --key')
    .option('--out <file>', 'write the record to this file instead of stdout')
    .option(
      '--json',
      "with --out: print {out, bytes, version, machine, imageAge, facts, entries, checksums (Terraform's map), sha256_in, sha256_out: null} as JSON, never the record text",
    )
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl attestation decrypt --record se-checksums.txt.enc --key auditor.pem --out se-checksums.txt',
        'hpvs-ctl attestation decrypt --record se-checksums.txt.enc --key auditor.pem --out se-checksums.txt --json',
      ),
    )
    .action(async (options) => {
      if (options.json && (options.out === undefined || options.out === '-')) {
        throw new HpvsError(
          'USAGE',
          '--json describes the record without printing it: give --out FILE for the record',
        );
      }
      const auditorKey = await loadPrivateKey(options.key, options.passphraseFile);
      const record = await sourced(options.record, 'attestation record', INPUT_LIMITS.record);
      const { decryptAttestationRecord } = await import('../../app/attestation/decrypt-record.js');
      const opened = decryptAttestationRecord(record, auditorKey);
      await writeResult(options.out, forTerminal(options.out, opened.bytes), {
        secret: true,
        from: [options.record],
      });
      if (options.json) {
        const document = {
          out: options.out,
          bytes: opened.bytes.length,
          ...opened.summary,
          ...resultDigests(record.bytes, opened.bytes, { output: true }),
        };
        await writeStdout(`${jsonForTerminal(document)}\n`);
      }
    });
}

/** The seed image's bytes and the files xorriso extracts from it. */
async function readCidata(path: string) {
  const { extractSeedImage } = await import('../../node/build-seed-image.js');
  const image = await readInput(path, 'seed image', INPUT_LIMITS.seedImage);
  return { image, files: await extractSeedImage(image, path), source: path };
}
