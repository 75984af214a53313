import type { Command } from '@commander-js/extra-typings';
import type { ValidationReport } from '../../core/schema/problems.js';
import { Option } from '@commander-js/extra-typings';
import { HpvsError } from '../../core/errors.js';
import { writeStdout } from '../../node/write-output.js';
import { examples } from './help-examples.js';
import { chosenPlatform, deprecatedProfileOption, platformOption } from './platform-options.js';
import { jsonForTerminal, terminalSafe } from '../../core/text/terminal-safe-text.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      "Check a user-data file (or one section, or an on-prem network-config) against hpvs-ctl's schema for the platform and the rules across sections; print every problem as FILE:LINE:COL path: message. Exit 1 when invalid.",
    )
    .argument('<file>', 'user-data.yaml, a section file, a network-config, or - for stdin')
    .addOption(
      platformOption(
        'the runtime whose schema applies (default: the 1.0.116 schema hpvs and ccrt share)',
      ),
    )
    .addOption(
      new Option('--section <name>', 'the file is one section, not a whole user-data file').choices(
        ['workload', 'env'] as const,
      ),
    )
    .addOption(deprecatedProfileOption())
    .option(
      '--network-config',
      'the file is a cloud-init network-config for an on-prem runtime (detected when its only top-level key is network)',
    )
    .option('--json', 'print the report as JSON (file, section, valid, encrypted, problems)')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl validate user-data.yaml',
        'hpvs-ctl validate env.yaml --section env',
        'hpvs-ctl validate user-data.yaml --platform ccrv',
        'hpvs-ctl validate --network-config network-config.yaml',
        'hpvs-ctl validate user-data.yaml --json | jq \'.problems[] | select(.severity == "error")\'',
      ),
    )
    .action(async (file, options) => {
      if (options.networkConfig && options.section !== undefined) {
        throw new HpvsError('USAGE', '--network-config and --section exclude each other');
      }
      const platform = chosenPlatform(options.platform, options.profile);
      const { validateFile } = await import('../../app/validate-file.js');
      const validated = await validateFile({
        file,
        platform,
        section: options.section,
        networkConfig: options.networkConfig === true,
        now: new Date(),
      });
      if (validated.kind === 'network-config') {
        await printReport(validated.report, validated.source, 'network-config', options.json, {
          kind: 'network-config',
        });
        return;
      }
      const { section } = validated;
      const what = section ? `${section} section` : 'contract';
      await printReport(validated.report, validated.source, what, options.json, {
        section: section ?? null,
        platform: platform ?? null,
      });
    });
}

/** Prints the problems and the verdict line (or the JSON report); exit 1 when any is an error. */
async function printReport(
  report: ValidationReport,
  source: string,
  what: string,
  json: boolean | undefined,
  extra: Record<string, unknown>,
): Promise<void> {
  const { cliProblem, cliProblemLine } = await import('./input-phrases.js');
  const problems = report.problems;
  const count = (severity: string) =>
    problems.filter((problem) => problem.severity === severity).length;
  const errors = count('error');
  const warnings = count('warning');
  if (json) {
    const document = { file: source, ...extra, ...report, problems: problems.map(cliProblem) };
    await writeStdout(`${jsonForTerminal(document)}\n`);
  } else {
    const lines = problems.map((problem) => `${terminalSafe(cliProblemLine(problem))}\n`).join('');
    await writeStdout(
      `${lines}${terminalSafe(source)}: ${errors === 0 ? `valid ${what}` : `invalid ${what}`}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`,
    );
  }
  if (errors > 0) {
    throw new HpvsError(
      what === 'network-config' ? 'NETWORK_CONFIG_INVALID' : 'CONTRACT_INVALID',
      `${source}: ${errors} error${errors === 1 ? '' : 's'} in the ${what}`,
    );
  }
}
