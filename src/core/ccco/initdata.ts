import { isStrictBase64 } from '../crypto/strict-base64.js';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse as parseToml } from 'smol-toml';
import { isMap, isScalar, parseDocument } from 'yaml';
import { HpvsError } from '../errors.js';
import { CONTRACT_ENTRY, initdataToml } from './initdata-toml.js';

/**
 * initdata (SPEC-IBM A7.3): the signed, encrypted contract wrapped in a TOML document, gzipped
 * and base64-encoded, carried by the pod annotation below or the peer-pods config map.
 */

export const INITDATA_ANNOTATION = 'io.katacontainers.config.runtime.cc_init_data';
export const PEER_PODS_CONFIG_KEY = 'INITDATA';
/** Kubernetes allows 256 KiB for all annotations of an object together. */
export const INITDATA_WARN_BYTES = 200 * 1024;
/** What a decoded initdata may grow to; far above anything a pod annotation can carry. */
export const INITDATA_MAX_TOML_BYTES = 4 * 1024 * 1024;

export interface BuiltInitdata {
  /** The TOML document before compression. */
  toml: string;
  /** The annotation value: base64 of the gzipped TOML, one line. */
  value: string;
  contractSha256: string;
  initdataSha256: string;
}

/**
 * Wraps the contract text as given (not re-serialised: its bytes are what was signed). With a
 * Secure Execution header (bare metal), the contract gets IBM's extra top-level `boot` key.
 */
export function buildInitdata(contract: string, seHeader?: Uint8Array): BuiltInitdata {
  const entry = seHeader === undefined ? contract : withBootHeader(contract, seHeader);
  const toml = initdataToml(entry);
  const parsed = parseToml(toml) as { data?: Record<string, unknown> };
  if (parsed.data?.[CONTRACT_ENTRY] !== entry) {
    // The serializer's one promise; a break here is a bug in hpvs-ctl, not in the input.
    throw new Error('initdata TOML does not read back as the contract');
  }
  const value = gzipGoStyle(Buffer.from(toml, 'utf8')).toString('base64');
  return {
    toml,
    value,
    contractSha256: sha256(contract),
    initdataSha256: sha256(value),
  };
}

function withBootHeader(contract: string, seHeader: Uint8Array): string {
  if (seHeader.length === 0) {
    throw new HpvsError('INITDATA_INVALID', 'the Secure Execution header file is empty');
  }
  // IBM's template puts a line break after the contract's own final one (a blank line).
  const separator = contract.endsWith('\n') ? '\n' : '\n\n';
  return `${contract}${separator}${bootSuffix(Buffer.from(seHeader).toString('base64'))}`;
}

function bootSuffix(base64Header: string): string {
  return `boot: |\n    sehdr: ${base64Header}`;
}

/** gzip as Go's compress/gzip writes it: no name, mtime 0, OS byte 255 (unknown). */
function gzipGoStyle(bytes: Uint8Array): Buffer {
  const gz = gzipSync(bytes, { level: 6 });
  gz[9] = 0xff;
  return gz;
}

export interface DecodedInitdata {
  algorithm: unknown;
  version: unknown;
  /** The contract.yaml entry exactly as carried (including a `boot` key on bare metal). */
  entry: string;
  /** The contract as it was signed: the entry without the `boot` lines hpvs-ctl or IBM add. */
  contract: string;
  /** The Secure Execution header from `boot.sehdr`, when present. */
  seHeader?: Buffer;
  /** Entries of [data] other than contract.yaml (upstream Kata carries aa.toml, cdh.toml...). */
  otherEntries: string[];
  tomlBytes: number;
}

/** Decodes an annotation value; every malformed layer fails with one line saying which. */
export function decodeInitdata(value: string, source: string): DecodedInitdata {
  const text = value.trim();
  if (text === '' || !isStrictBase64(text)) {
    throw new HpvsError('INITDATA_INVALID', `${source}: initdata is not one line of base64`);
  }
  const gz = Buffer.from(text, 'base64');
  if (gz[0] !== 0x1f || gz[1] !== 0x8b) {
    throw new HpvsError('INITDATA_INVALID', `${source}: initdata is not gzip data`);
  }
  let tomlBytes: Buffer;
  try {
    tomlBytes = gunzipSync(gz, { maxOutputLength: INITDATA_MAX_TOML_BYTES });
  } catch (error) {
    const tooBig = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new HpvsError(
      'INITDATA_INVALID',
      tooBig
        ? `${source}: initdata decompresses to more than ${INITDATA_MAX_TOML_BYTES} bytes`
        : `${source}: initdata gzip data is corrupted`,
      { cause: error },
    );
  }
  let toml: string;
  try {
    toml = new TextDecoder('utf-8', { fatal: true }).decode(tomlBytes);
  } catch (error) {
    throw new HpvsError('INITDATA_INVALID', `${source}: initdata TOML is not UTF-8`, {
      cause: error,
    });
  }
  let document: Record<string, unknown>;
  try {
    document = parseToml(toml);
  } catch (error) {
    const line = (error as { line?: number }).line;
    const column = (error as { column?: number }).column;
    const where = line === undefined ? '' : ` at TOML line ${line}:${column ?? 1}`;
    throw new HpvsError('INITDATA_INVALID', `${source}: initdata is not valid TOML${where}`, {
      cause: error,
    });
  }
  const data = document.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new HpvsError('INITDATA_INVALID', `${source}: initdata has no [data] table`);
  }
  const contract = (data as Record<string, unknown>)[CONTRACT_ENTRY];
  if (typeof contract !== 'string') {
    throw new HpvsError(
      'INITDATA_INVALID',
      `${source}: initdata [data] has no "${CONTRACT_ENTRY}" string`,
    );
  }
  const seHeader = bootHeader(contract, source);
  let signed = contract;
  if (seHeader !== undefined) {
    const suffix = `\n${bootSuffix(seHeader.toString('base64'))}`;
    if (contract.endsWith(suffix)) signed = contract.slice(0, -suffix.length);
  }
  return {
    algorithm: document.algorithm,
    version: document.version,
    entry: contract,
    contract: signed,
    ...(seHeader === undefined ? {} : { seHeader }),
    otherEntries: Object.keys(data).filter((key) => key !== CONTRACT_ENTRY),
    tomlBytes: tomlBytes.length,
  };
}

/** `boot: "sehdr: <base64>"` at the top of the contract (IBM's bare-metal layout). */
function bootHeader(contract: string, source: string): Buffer | undefined {
  const doc = parseDocument(contract, { uniqueKeys: false });
  if (!isMap(doc.contents)) return undefined;
  const boot = doc.contents.items.filter((pair) => isScalar(pair.key) && pair.key.value === 'boot');
  if (boot.length === 0) return undefined;
  const value = boot.length === 1 && isScalar(boot[0]!.value) ? boot[0]!.value.value : undefined;
  const match = typeof value === 'string' ? /^sehdr: ([A-Za-z0-9+/]+={0,2})\s*$/.exec(value) : null;
  if (match === null) {
    throw new HpvsError(
      'INITDATA_INVALID',
      `${source}: the contract's boot key must be one "sehdr: <base64 header>" string`,
    );
  }
  return Buffer.from(match[1]!, 'base64');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
