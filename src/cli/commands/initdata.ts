import type { Command } from '@commander-js/extra-typings';
import { warn } from '../../node/console.js';
import { assertSingleStdin } from '../../node/read-input.js';
import { writeResult, writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import { jsonForTerminal, terminalSafe } from '../../core/text/terminal-safe-text.js';

export function registerInitdata(program: Command): void {
  const initdata = program
    .command('initdata')
    .description(
      'Wrap a signed, encrypted ccco contract as Kata initdata (TOML, gzip, base64) for the io.katacontainers.config.runtime.cc_init_data pod annotation, or decode one.',
    );
  initdata
    .command('build')
    .description(
      'Print the initdata annotation value for a contract (user-data.yaml from hpvs-ctl contract --platform ccco), or with --pod the manifest with the annotation in place.',
    )
    .requiredOption('--contract <path>', 'the signed, encrypted contract (user-data.yaml), or -')
    .option(
      '--se-header <path>',
      'Secure Execution header binary (bare metal): added as boot.sehdr',
    )
    .option('--allow-plaintext', 'wrap a contract whose workload or env is not encrypted')
    .option(
      '--pod <path>',
      'a Pod, workload (pod template) or peer-pods ConfigMap manifest to write with the initdata in place',
    )
    .option('--out <path>', 'write the value (or manifest) to this file instead of stdout')
    .option('--json', 'print the value with its SHA-256 digests as JSON')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl initdata build --contract user-data.yaml --out initdata.txt',
        'hpvs-ctl initdata build --contract user-data.yaml --pod pod.yaml --out pod-with-initdata.yaml',
        'hpvs-ctl initdata build --contract user-data.yaml --se-header se-header.bin',
      ),
    )
    .action(async (options) => {
      assertSingleStdin({ '--contract': options.contract, '--pod': options.pod });
      const { buildInitdataFromFiles } = await import('../../app/build-initdata.js');
      const built = await buildInitdataFromFiles({
        contractFile: options.contract,
        seHeaderFile: options.seHeader,
        allowPlaintext: options.allowPlaintext === true,
        podFile: options.pod,
      });
      for (const message of built.warnings) warn(message);
      let output: string;
      if (built.manifest !== undefined) {
        output = built.manifest;
      } else if (options.json === true) {
        output = `${JSON.stringify(
          {
            initdata: built.value,
            contractSha256: built.contractSha256,
            initdataSha256: built.initdataSha256,
          },
          null,
          2,
        )}\n`;
      } else {
        output = options.out === undefined ? `${built.value}\n` : built.value;
      }
      // with --allow-plaintext the contract inside may carry seeds and keys in the clear
      await writeResult(options.out, output, {
        secret: options.allowPlaintext === true,
        from: [options.contract, options.seHeader, options.pod],
      });
      if (options.out !== undefined) await writeStdout(`${options.out}\n`);
    });
  initdata
    .command('inspect')
    .description(
      "Decode initdata and show its contract's sections (forms and sizes, never contents) and the Secure Execution header.",
    )
    .argument(
      '<initdata>',
      'the value (starts with H4sI), or a file holding it or a manifest carrying it, or - for stdin',
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl initdata inspect initdata.txt',
        'hpvs-ctl initdata inspect pod.yaml --json',
      ),
    )
    .action(async (input, options) => {
      const { inspectInitdata } = await import('../../app/inspect-initdata.js');
      const report = await inspectInitdata(input);
      if (options.json === true) {
        await writeStdout(`${jsonForTerminal(report)}\n`);
        return;
      }
      const lines = [
        `initdata: ${report.initdataBytes} characters, ${report.tomlBytes} bytes of TOML, algorithm ${printable(report.algorithm)}, version ${printable(report.version)}`,
        `contract.yaml: ${report.contract.bytes} bytes, sha256 ${report.contract.sha256 ?? 'withheld (a section is plaintext)'}`,
        ...report.contract.sections.map(
          (section) =>
            `  ${printable(section.key)}: ${section.form}${section.prefix ? ` (${section.prefix})` : ''}, ${section.bytes} bytes`,
        ),
        report.seHeader === null
          ? 'Secure Execution header: none (peer pod)'
          : `Secure Execution header: ${report.seHeader.bytes} bytes, sha256 ${report.seHeader.sha256} (bare metal)`,
        ...(report.otherEntries.length > 0
          ? [`other [data] entries: ${report.otherEntries.map(printable).join(', ')}`]
          : []),
      ];
      await writeStdout(`${lines.map(terminalSafe).join('\n')}\n`);
    });
}

/** Values from the input are shown as JSON strings unless plainly safe, so no control character reaches the terminal. */
function printable(value: unknown): string {
  if (typeof value === 'string' && /^[\w.@/:+-]+$/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}
