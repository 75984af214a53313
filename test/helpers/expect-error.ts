import { expect } from 'vitest';
import { DECRYPTION_FAILED_MESSAGE, HpvsError } from '../../src/core/errors.js';
import { isOneLineError, runCli, type CliResult } from './run-cli.js';

/** Runs `action`, which must throw an HpvsError, and returns that error for more checks. */
export function thrownHpvsError(action: () => unknown): HpvsError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(HpvsError);
    return error as HpvsError;
  }
  throw new Error('expected an HpvsError, but nothing was thrown');
}

/** Awaits `promise`, which must reject with an HpvsError, and returns that error. */
export async function rejectedHpvsError(promise: Promise<unknown>): Promise<HpvsError> {
  const outcome = await promise.then(
    () => new Error('expected an HpvsError, but the promise resolved'),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(HpvsError);
  return outcome as HpvsError;
}

/** The one generic decryption error, whatever went wrong. */
export function expectGenericDecryptionFailure(action: () => unknown): void {
  const error = thrownHpvsError(action);
  expect(error.code).toBe('DECRYPTION_FAILED');
  expect(error.message).toBe(DECRYPTION_FAILED_MESSAGE);
}

/** Runs the CLI and expects exit 1, nothing on stdout and a one-line error matching `message`. */
export async function expectCliError(
  args: string[],
  message: string | RegExp,
  stdin?: string,
): Promise<CliResult> {
  const result = await runCli(args, stdin === undefined ? {} : { stdin });
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(isOneLineError(result.stderr)).toBe(true);
  expect(result.stderr).toMatch(message);
  return result;
}
