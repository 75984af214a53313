import type { Command, OptionValues } from '@commander-js/extra-typings';
import { INPUT_LIMITS, type InputLimit } from '../../node/input-limits.js';
import { readInput } from '../../node/read-input.js';
import { HpvsError } from '../../core/errors.js';
import { collect } from './repeatable-option.js';

export async function sourced(path: string, what: string, limit: InputLimit) {
  return { bytes: await readInput(path, what, limit), source: path };
}

/**
 * The flags that say what to trust, shared by `certs verify`, `attestation verify` and
 * `encrypt`: `--chain`, `--root`, `--crl`, `--no-crl`, `--partial-chain`, `--at`. `--crl FILE` and `--no-crl` share one
 * commander attribute, so the CRL files are collected into `crlFiles` instead.
 */
export function addTrustOptions<Args extends unknown[], Opts extends OptionValues>(
  command: Command<Args, Opts>,
  rootHelp: string,
) {
  const crlFiles: string[] = [];
  const withOptions = command
    .option(
      '--chain <file>',
      'an intermediate CA certificate (repeatable; PEM bundles allowed)',
      collect,
      [] as string[],
    )
    .option('--root <file>', rootHelp, collect, [] as string[])
    .option(
      '--crl <file>',
      'a CRL of a CA in the chain (repeatable; PEM or DER)',
      (value: string) => {
        crlFiles.push(value);
        return crlFiles;
      },
    )
    .option('--no-crl', 'do not require CRLs: a certificate without one is a visible SKIP')
    .option(
      '--partial-chain',
      'accept a --root that is not self-signed (an intermediate) as a trust anchor, like openssl -partial_chain; its own revocation is then not checked',
    )
    .option('--at <time>', 'check validity and CRLs at this ISO time instead of now');
  return { command: withOptions, crlFiles };
}

/** Reads files one after the other, so the first missing one named is the one reported. */
async function sourcedInOrder(paths: readonly string[], what: string, limit: InputLimit) {
  const files = [];
  for (const path of paths) files.push(await sourced(path, what, limit));
  return files;
}

/** Reads the trust files named by the flags and the `--at` time. */
export async function readTrustOptions(
  options: {
    chain: string[];
    root: string[];
    crl?: unknown;
    partialChain?: boolean | undefined;
    at?: string | undefined;
  },
  crlFiles: readonly string[],
) {
  const at = parseAt(options.at, new Date());
  return {
    at,
    chain: await sourcedInOrder(options.chain, 'chain certificate', INPUT_LIMITS.pem),
    roots: await sourcedInOrder(options.root, 'root certificate', INPUT_LIMITS.pem),
    crls: await sourcedInOrder(crlFiles, 'CRL', INPUT_LIMITS.crl),
    allowMissingCrl: options.crl === false,
    partialChain: options.partialChain === true,
  };
}

/** Parses `--at`; the default is the current time. */
export function parseAt(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const date = /^\d{4}-\d{2}-\d{2}($|T)/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new HpvsError(
      'USAGE',
      `--at "${value}": expected an ISO 8601 date or time, like 2026-11-01 or 2026-11-01T12:00:00Z`,
    );
  }
  return date;
}
