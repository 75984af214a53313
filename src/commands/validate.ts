import type { Command } from '@commander-js/extra-typings';
import { Option } from '@commander-js/extra-typings';
import { HpvsError } from '../errors.js';
import { INPUT_LIMITS } from '../io/input-limits.js';
import { readTextInput } from '../io/read-input.js';
import { writeStdout } from '../io/write-output.js';
import { examples } from './help-examples.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      "Check a user-data file (or one section) against hpvs-ctl's contract schema and the rules across sections; print every problem as FILE:LINE:COL path: message. Exit 1 when invalid.",
    )
    .argument('<file>', 'user-data.yaml, a section file, or - for stdin')
    .addOption(
      new Option('--section <name>', 'the file is one section, not a whole user-data file').choices(
        ['workload', 'env'] as const,
      ),
    )
    .addOption(
      new Option('--profile <profile>', 'runtime: hpvs (HPVS/CCRT) or ccrv (Red Hat, play only)')
        .choices(['hpvs', 'ccrv'] as const)
        .default('hpvs' as const),
    )
    .option('--json', 'print the report as JSON (file, section, valid, encrypted, problems)')
    .addHelpText(
      'after',
      examples(
        'hpvs-ctl validate user-data.yaml',
        'hpvs-ctl validate env.yaml --section env',
        'hpvs-ctl validate user-data.yaml --profile ccrv',
        'hpvs-ctl validate user-data.yaml --json | jq \'.problems[] | select(.severity == "error")\'',
      ),
    )
    .action(async (file, options) => {
      const [
        { parseSectionText, parseUserData },
        { validateSection, validateUserData },
        { formatProblem },
      ] = await Promise.all([
        import('../contract/user-data.js'),
        import('../schema/validate-contract.js'),
        import('../schema/problems.js'),
      ]);
      const source = file === '-' ? 'stdin' : file;
      const text = await readTextInput(file, 'contract', INPUT_LIMITS.userData);
      if (text.trim() === '') throw new HpvsError('INPUT_EMPTY', `${source}: the file is empty`);
      const validateOptions = { profile: options.profile, now: new Date() };
      let section = options.section;
      let report;
      if (section === undefined) {
        const parsed = parseUserData(text, source);
        // A section file given without --section: user data never has a top-level `type`.
        const type = parsed.sections.get('type');
        if (type?.form === 'string' && (type.value === 'workload' || type.value === 'env')) {
          section = type.value;
        } else {
          report = await validateUserData(parsed, validateOptions);
        }
      }
      if (section !== undefined) {
        report = await validateSection(parseSectionText(section, text, source), validateOptions);
      }
      const problems = report!.problems;
      const lines = problems.map((problem) => `${formatProblem(problem)}\n`).join('');
      const count = (severity: string) =>
        problems.filter((problem) => problem.severity === severity).length;
      const errors = count('error');
      const warnings = count('warning');
      const what = section ? `${section} section` : 'contract';
      if (options.json) {
        const document = { file: source, section: section ?? null, ...report! };
        await writeStdout(`${JSON.stringify(document, null, 2)}\n`);
      } else {
        await writeStdout(
          `${lines}${source}: ${errors === 0 ? `valid ${what}` : `invalid ${what}`}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`,
        );
      }
      if (errors > 0) {
        throw new HpvsError(
          'CONTRACT_INVALID',
          `${source}: ${errors} error${errors === 1 ? '' : 's'} in the ${what}`,
        );
      }
    });
}
