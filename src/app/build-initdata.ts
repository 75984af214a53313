import { buildInitdata, INITDATA_WARN_BYTES } from '../core/ccco/initdata.js';
import { checkInitdataContract } from '../core/ccco/initdata-contract.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { readInput, readTextInput } from '../node/read-input.js';

export interface BuildInitdataRequest {
  /** The signed, encrypted ccco contract (`-` for stdin). */
  contractFile: string;
  /** A Secure Execution header (bare metal), added as boot.sehdr. */
  seHeaderFile?: string | undefined;
  /** Wrap a contract whose workload or env is not encrypted. */
  allowPlaintext: boolean;
  /** A manifest to return with the initdata annotation in place. */
  podFile?: string | undefined;
}

export interface BuiltInitdata {
  value: string;
  contractSha256: string;
  initdataSha256: string;
  /** The manifest with the annotation, when `podFile` was given. */
  manifest?: string | undefined;
  warnings: string[];
}

/** Wraps a contract as Kata initdata (TOML, gzip, base64), and into a manifest if asked. */
export async function buildInitdataFromFiles(
  request: BuildInitdataRequest,
): Promise<BuiltInitdata> {
  const contract = await readTextInput(request.contractFile, 'contract', INPUT_LIMITS.userData);
  const seHeader =
    request.seHeaderFile === undefined
      ? undefined
      : await readInput(request.seHeaderFile, 'Secure Execution header', INPUT_LIMITS.seHeader);
  checkInitdataContract(contract, request.contractFile, {
    allowPlaintext: request.allowPlaintext,
    withHeader: seHeader !== undefined,
  });
  const built = buildInitdata(contract, seHeader);
  const warnings =
    built.value.length > INITDATA_WARN_BYTES
      ? [
          `initdata is ${built.value.length} bytes; Kubernetes allows 256 KiB for all annotations of an object together`,
        ]
      : [];
  let manifest: string | undefined;
  if (request.podFile !== undefined) {
    const { setInitdataAnnotation } = await import('../core/ccco/pod-annotation.js');
    const text = await readTextInput(request.podFile, 'manifest', INPUT_LIMITS.manifest);
    manifest = setInitdataAnnotation(text, built.value, request.podFile);
  }
  return {
    value: built.value,
    contractSha256: built.contractSha256,
    initdataSha256: built.initdataSha256,
    manifest,
    warnings,
  };
}
