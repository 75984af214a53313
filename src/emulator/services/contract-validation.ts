import { formatProblem, type ContractProblem } from '../../core/schema/problems.js';
import { validateUserData } from '../../core/schema/validate-contract.js';
import { input, worded } from '../../core/wording.js';
import { ServiceFailure, type BootContext } from '../boot-context.js';

export const CONTRACT = 'hpl-contract';
const MAX_REPORTED = 10;

/**
 * hpvs-ctl's validator is stricter than the runtime's schema in a few places where the runtime
 * itself only fails later, in another service and with that service's message. The emulator
 * leaves those findings to the service that reports them on the runtime.
 */
function leftToLaterService(problem: ContractProblem): boolean {
  switch (problem.rule) {
    case 'volume-names-match': // hpl-disk: HPL07015E
    case 'archive-contents': // the container runtime cannot unpack or find the compose file
    case 'compose-no-build': // the container runtime cannot build images
    case 'contract-not-expired': // the signature service: HPL12007E
      return true;
    default:
      return false;
  }
}

/** Validates the decrypted contract with hpvs-ctl's validator, as the runtime checks its schema. */
export async function runContractValidation(context: BootContext): Promise<void> {
  const log = context.console;
  const report = await validateUserData(context.decrypted!, {
    now: context.now,
    platform: context.platform,
  });
  for (const problem of report.problems) {
    if (problem.severity === 'warning') log.warn(CONTRACT, undefined, formatProblem(problem));
  }
  const errors = report.problems.filter(
    (problem) => problem.severity === 'error' && !leftToLaterService(problem),
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
      worded`${errors.length - MAX_REPORTED} more problems; ${input('validate-plaintext-sections')}`,
    );
  }
  throw new ServiceFailure(CONTRACT);
}
