import { HpvsError } from '../core/errors.js';
import type { PlatformName } from '../core/platforms/platforms.js';
import type { ValidationReport } from '../core/schema/problems.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { readTextInput } from '../node/read-input.js';
import { assertSchemaSupported } from './schema-support.js';

export interface ValidateFileRequest {
  /** user-data.yaml, a section file or a network-config (`-` for stdin). */
  file: string;
  /** The runtime whose schema applies (the schema hpvs and ccrt share when not given). */
  platform?: PlatformName | undefined;
  /** The file is this one section (else a section file is known by its top-level `type`). */
  section?: 'workload' | 'env' | undefined;
  /** The file is an on-prem network-config (else one is known by its only key, `network`). */
  networkConfig: boolean;
  now: Date;
}

export type ValidatedFile =
  | { kind: 'network-config'; source: string; report: ValidationReport }
  | {
      kind: 'contract';
      source: string;
      /** The section the file holds, or undefined for a whole contract. */
      section: 'workload' | 'env' | undefined;
      report: ValidationReport;
    };

/** Checks a contract, one section or a network-config against hpvs-ctl's schema and rules. */
export async function validateFile(request: ValidateFileRequest): Promise<ValidatedFile> {
  const { file, platform } = request;
  const source = file === '-' ? 'stdin' : file;
  const text = await readTextInput(
    file,
    request.networkConfig ? 'network-config' : 'contract',
    INPUT_LIMITS.userData,
  );
  if (text.trim() === '') throw new HpvsError('INPUT_EMPTY', `${source}: the file is empty`);
  const { isNetworkConfig, validateNetworkConfigText } =
    await import('../core/schema/validate-network-config.js');
  if (request.networkConfig || (request.section === undefined && isNetworkConfig(text))) {
    return { kind: 'network-config', source, report: validateNetworkConfigText(text, source) };
  }
  assertSchemaSupported(platform);
  const [{ parseSectionText, parseUserData }, { validateSection, validateUserData }] =
    await Promise.all([
      import('../core/contract/user-data.js'),
      import('../core/schema/validate-contract.js'),
    ]);
  const options = { ...(platform ? { platform } : {}), now: request.now };
  let section = request.section;
  if (section === undefined) {
    const parsed = parseUserData(text, source);
    // A section file given without --section: user data never has a top-level `type`.
    const type = parsed.sections.get('type');
    if (type?.form === 'string' && (type.value === 'workload' || type.value === 'env')) {
      section = type.value;
    } else {
      return {
        kind: 'contract',
        source,
        section: undefined,
        report: await validateUserData(parsed, options),
      };
    }
  }
  return {
    kind: 'contract',
    source,
    section,
    report: await validateSection(parseSectionText(section, text, source), options),
  };
}
