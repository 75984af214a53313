import { input, worded } from '../core/wording.js';
import { HpvsError } from '../core/errors.js';
import type { PlatformName } from '../core/platforms/platforms.js';
import { buildSeedImage } from '../node/build-seed-image.js';
import { defaultMetaData } from '../core/cidata/seed-files.js';
import { isMap } from 'yaml';
import { parseYamlDocument } from '../core/text/parse-yaml.js';
import { decodeUtf8Exactly } from '../core/text/utf8-text.js';

export interface CidataRequest {
  userData: { bytes: Uint8Array; source: string };
  networkConfig?: { bytes: Uint8Array; source: string } | undefined;
  /** Without it, the meta-data derived from the user data (defaultMetaData). */
  metaData?: { bytes: Uint8Array; source: string } | undefined;
  platform?: PlatformName | undefined;
  /** The timestamps written into the image (seedImageEpoch). */
  epoch: number;
  now: Date;
}

export interface Cidata {
  image: Buffer;
  files: { 'user-data': Uint8Array; 'meta-data': Uint8Array; 'network-config'?: Uint8Array };
  /** The meta-data text when it was derived rather than given. */
  derivedMetaData?: string;
  /** True when workload or env is not a token: the image holds them in the clear. */
  plaintextSections: boolean;
  /** Validation warnings, formatted. */
  warnings: string[];
}

/**
 * `cidata`: the NoCloud seed image of an on-prem instance. The user data (and network-config)
 * must pass the validator first: nobody reads them again once they are inside an image.
 */
export async function buildCidata(request: CidataRequest): Promise<Cidata> {
  const { userData, networkConfig } = request;
  const { warnings, plaintextSections } = await checkUserData(
    userData.bytes,
    userData.source,
    request.platform,
    request.now,
  );
  if (networkConfig !== undefined)
    await checkNetworkConfig(networkConfig.bytes, networkConfig.source);
  if (request.metaData !== undefined)
    checkMetaData(request.metaData.bytes, request.metaData.source);
  const derivedMetaData =
    request.metaData === undefined ? defaultMetaData(userData.bytes) : undefined;
  const metaData = request.metaData?.bytes ?? Buffer.from(derivedMetaData!, 'utf8');
  const files = {
    'user-data': userData.bytes,
    'meta-data': metaData,
    ...(networkConfig === undefined ? {} : { 'network-config': networkConfig.bytes }),
  };
  const image = await buildSeedImage(
    { 'user-data': userData.bytes, 'meta-data': metaData, 'network-config': networkConfig?.bytes },
    request.epoch,
  );
  return {
    image,
    files,
    ...(derivedMetaData === undefined ? {} : { derivedMetaData }),
    plaintextSections,
    warnings,
  };
}

async function checkUserData(
  bytes: Uint8Array,
  source: string,
  platform: PlatformName | undefined,
  now: Date,
): Promise<{ warnings: string[]; plaintextSections: boolean }> {
  const [{ parseUserData }, { validateUserData }, { formatProblem, problemText }] =
    await Promise.all([
      import('../core/contract/user-data.js'),
      import('../core/schema/validate-contract.js'),
      import('../core/schema/problems.js'),
    ]);
  const text = decodeUtf8Exactly(Buffer.from(bytes), source);
  if (text.trim() === '') throw new HpvsError('INPUT_EMPTY', `${source}: the file is empty`);
  const parsed = parseUserData(text, source);
  const report = await validateUserData(parsed, {
    now,
    ...(platform === undefined ? {} : { platform }),
  });
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      errors.length > 1
        ? worded`${problemText(errors[0]!)} (and ${errors.length - 1} more; ${input('validate-contract')})`
        : worded`${problemText(errors[0]!)}`,
    );
  }
  return {
    warnings: report.problems
      .filter((problem) => problem.severity === 'warning')
      .map(formatProblem),
    plaintextSections: ['workload', 'env'].some(
      (key) => parsed.sections.get(key)?.form !== 'token',
    ),
  };
}

async function checkNetworkConfig(bytes: Uint8Array, source: string): Promise<void> {
  const [{ validateNetworkConfigText }, { formatProblem }] = await Promise.all([
    import('../core/schema/validate-network-config.js'),
    import('../core/schema/problems.js'),
  ]);
  const text = decodeUtf8Exactly(Buffer.from(bytes), source);
  if (text.trim() === '') throw new HpvsError('INPUT_EMPTY', `${source}: the file is empty`);
  const errors = validateNetworkConfigText(text, source).problems.filter(
    (problem) => problem.severity === 'error',
  );
  if (errors.length > 0) {
    throw new HpvsError(
      'NETWORK_CONFIG_INVALID',
      errors.length > 1
        ? worded`${formatProblem(errors[0]!)} (and ${errors.length - 1} more; ${input('validate-network-config')})`
        : formatProblem(errors[0]!),
    );
  }
}

/**
 * cloud-init reads meta-data as a YAML mapping (instance-id, local-hostname): anything else
 * would be put into the image and found broken only when the instance boots.
 */
function checkMetaData(bytes: Uint8Array, source: string): void {
  const parsed = parseYamlDocument(decodeUtf8Exactly(Buffer.from(bytes), source), source);
  const contents = parsed.doc.contents;
  if (contents !== null && !isMap(contents)) {
    throw new HpvsError(
      'YAML_INVALID',
      `${parsed.at(contents.range?.[0] ?? 0)}: meta-data must be a mapping (instance-id: ..., local-hostname: ...)`,
    );
  }
}
