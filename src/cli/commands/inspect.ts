import type { Command } from '@commander-js/extra-typings';
import { INPUT_LIMITS } from '../../node/input-limits.js';
import { readTextInput } from '../../node/read-input.js';
import { writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import {
  jsonForTerminal,
  terminalSafeLines,
  terminalSafeStrings,
} from '../../core/text/terminal-safe-text.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description(
      'Show what a user-data file holds without printing any secret: each section (plaintext or encrypted, size, RSA block size, whether it opens with the EMPTY password), images, volumes, logging target, signature, and the 64 KiB IBM Cloud limit. Exits 1 when it finds an error (such as a section anyone can read).',
    )
    .argument('<user-data>', 'the user-data YAML, or - for stdin')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl inspect user-data.yaml',
        'hpvs-ctl inspect user-data.yaml --json | jq .findings',
      ),
    )
    .action(async (file, options) => {
      const text = await readTextInput(file, 'user data', INPUT_LIMITS.userData);
      const [{ inspectUserData }, { formatInspection }] = await Promise.all([
        import('../../core/contract/inspect-user-data.js'),
        import('./inspection-text.js'),
      ]);
      const report = await inspectUserData(text, file === '-' ? 'stdin' : file, new Date());
      await writeStdout(
        options.json
          ? `${jsonForTerminal(report)}\n`
          : terminalSafeLines(formatInspection(terminalSafeStrings(report))),
      );
      if (report.findings.some((finding) => finding.severity === 'error')) process.exitCode = 1;
    });
}
