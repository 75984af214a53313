import { describe, expect, it } from 'vitest';
import { cliMessage } from '../../src/cli/commands/input-phrases.js';
import { HpvsError } from '../../src/core/errors.js';
import { readEnvAssignments } from '../../src/node/read-env-assignments.js';

async function refusal(assignments: string[]): Promise<HpvsError> {
  const error = await readEnvAssignments(assignments).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(HpvsError);
  return error as HpvsError;
}

describe('readEnvAssignments', () => {
  it('takes later values over earlier ones, as strings', async () => {
    expect(await readEnvAssignments(['A=1', 'B=x=y', 'A=2'])).toEqual({ A: '2', B: 'x=y' });
    expect(await readEnvAssignments([])).toBeUndefined();
  });

  it('names a bad assignment by concept, and by the CLI flag through the CLI', async () => {
    const name = await refusal(['1BAD=x']);
    expect(name.code).toBe('USAGE');
    expect(name.message).toBe(
      'the environment value 1BAD: "1BAD" is not a valid variable name (letters, digits and _, not starting with a digit)',
    );
    expect(cliMessage(name)).toBe(
      '--env 1BAD: "1BAD" is not a valid variable name (letters, digits and _, not starting with a digit)',
    );
    const equals = await refusal(['NOEQUALS']);
    expect(equals.message).toBe('the environment value NOEQUALS: expected KEY=VALUE, found no "="');
    expect(cliMessage(equals)).toBe('--env NOEQUALS: expected KEY=VALUE, found no "="');
  });
});
