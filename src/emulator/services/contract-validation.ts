import { formatProblem } from '../../schema/problems.js';
import { validateUserData } from '../../schema/validate-contract.js';
import { ServiceFailure, type BootContext } from '../boot-context.js';

export const CONTRACT = 'hpl-contract';
const MAX_REPORTED = 10;

/** Validates the decrypted contract with hpvs-ctl's validator, as the runtime checks its schema. */
export async function runContractValidation(context: BootContext): Promise<void> {
  const log = context.console;
  const report = await validateUserData(context.decrypted!, { now: context.now });
  for (const problem of report.problems) {
    if (problem.severity === 'warning') log.warn(CONTRACT, undefined, formatProblem(problem));
  }
  // An expired signing certificate is the signature service's to report, with the runtime's
  // own message (HPL12007E), not a schema error.
  const errors = report.problems.filter(
    (problem) =>
      problem.severity === 'error' &&
      !(problem.rule === 'signing-key-usable' && /expired/.test(problem.message)),
  );
  if (errors.length === 0) {
    log.note(CONTRACT, 'the contract is valid');
    return;
  }
  for (const problem of errors.slice(0, MAX_REPORTED)) {
    log.error(
      CONTRACT,
      'HPL05001E',
      `Unable to validate the contract semantically. -> ${formatProblem(problem)}`,
    );
  }
  if (errors.length > MAX_REPORTED) {
    log.note(
      CONTRACT,
      `${errors.length - MAX_REPORTED} more problems; run hpvs-ctl validate on the plaintext sections`,
    );
  }
  throw new ServiceFailure(CONTRACT);
}
