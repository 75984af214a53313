import { isMapping, type Mapping } from '../mapping.js';
import { isMap, isScalar } from 'yaml';
import { parseSectionText, type ContractSection } from '../contract/user-data.js';
import { HpvsError } from '../errors.js';
import { parseYamlDocument } from '../text/parse-yaml.js';
import { network as networkValidator } from './generated/contract-validators.js';
import { INTERFACE_KEYS, NETWORK_KEYS } from './network-config-schema.js';
import { ProblemList, type ValidationReport } from './problems.js';
import { reportSchemaError } from './validate-contract.js';

/**
 * Validation of an on-prem runtime's cloud-init `network-config` (SPEC-IBM A6) with the same
 * `file:line:col path: message` findings as a contract. JSON is accepted too (it is YAML).
 */

/** True when a document's only top-level key is `network`, as in every network-config. */
export function isNetworkConfig(text: string): boolean {
  let document;
  try {
    document = parseYamlDocument(text, 'network-config').doc;
  } catch (error) {
    // text that is not YAML is not a network-config either; its reader reports why
    if (error instanceof HpvsError) return false;
    throw error;
  }
  if (!isMap(document.contents)) return false;
  const keys = document.contents.items.map((pair) =>
    isScalar(pair.key) ? pair.key.value : pair.key,
  );
  return keys.length === 1 && keys[0] === 'network';
}

export function validateNetworkConfigText(text: string, source: string): ValidationReport {
  const section = parseSectionText('network-config', text, source);
  const list = new ProblemList();
  if (section.form !== 'mapping') {
    list.add('error', source, section.positionOf([]), [], 'must be a mapping with the key network');
  } else {
    if (!networkValidator(section.data)) {
      for (const error of networkValidator.errors ?? []) {
        reportSchemaError(error, section, [], list);
      }
    }
    requireVersion(section, list);
    warnUnknownKeys(section, list);
  }
  const problems = [...list.problems].sort((a, b) => a.line - b.line || a.col - b.col);
  return {
    problems,
    valid: problems.every((problem) => problem.severity !== 'error'),
    encrypted: [],
    forms: {},
  };
}

/** cloud-init reads only version 2; IBM's schema lets the key be left out. */
function requireVersion(section: ContractSection, list: ProblemList): void {
  const network = (section.data as Mapping).network;
  if (isMapping(network) && !('version' in network)) {
    list.add(
      'error',
      section.source,
      section.positionOf(['network']),
      ['network'],
      'missing required key "version" (version: 2, as cloud-init requires)',
      'network-version-2',
    );
  }
}

/** Keys IBM's schema does not describe reach cloud-init unchecked: say so, do not fail. */
function warnUnknownKeys(section: ContractSection, list: ProblemList): void {
  const unknown = (path: (string | number)[], name: string, known: readonly string[]) =>
    list.add(
      'warning',
      section.source,
      section.keyPositionOf(path, name),
      [...path, name],
      `not in the runtime's network schema, so not checked (known: ${known.join(', ')})`,
    );
  const network = (section.data as Mapping).network;
  if (!isMapping(network)) return;
  for (const key of Object.keys(network)) {
    if (!NETWORK_KEYS.includes(key)) unknown(['network'], key, NETWORK_KEYS);
  }
  const ethernets = network.ethernets;
  if (!isMapping(ethernets)) return;
  for (const [name, settings] of Object.entries(ethernets)) {
    if (!isMapping(settings)) continue;
    for (const key of Object.keys(settings)) {
      if (!INTERFACE_KEYS.includes(key)) {
        unknown(['network', 'ethernets', name], key, INTERFACE_KEYS);
      }
    }
  }
}
