import { isMap, isScalar, isSeq, parse, Scalar, type Node } from 'yaml';
import type { ContractSection, YamlPath } from '../contract/user-data.js';
import type { ProblemList } from './problems.js';

/** No YAML 1.1 boolean, number, null or timestamp is longer than this. */
const LONGEST_SPECIAL = 40;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return 'a timestamp';
  return typeof value === 'boolean' ? 'a boolean' : 'a number';
}

/**
 * Text that starts with a letter and holds only letters, digits and `_ - . /` (names, host
 * names, paths) is a string to a YAML 1.1 reader unless it is one of its boolean or null words
 * or a float of an exponent only (`e5`): its other numbers and its timestamps start with a
 * digit, a sign or a dot. Such text, most of a section's values, needs no parse.
 */
const PLAIN_WORD = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const YAML11_WORDS =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|[eE][-+]?[0-9]+)$/;

/** True when `text`, written unquoted, would not be a string to a YAML 1.1 reader. */
export function changesTypeInYaml11(text: string): boolean {
  if (text.length > LONGEST_SPECIAL) return false;
  if (PLAIN_WORD.test(text) && !YAML11_WORDS.test(text)) return false;
  return typeof readAsYaml11(text) !== 'string';
}

/** How a YAML 1.1 reader takes `text` as a whole document; text it cannot read stays text. */
function readAsYaml11(text: string): unknown {
  try {
    return parse(text, { version: '1.1', logLevel: 'silent' }) as unknown;
  } catch {
    return text;
  }
}

/**
 * Unquoted values that are strings in YAML 1.2 (how hpvs-ctl reads) but not in YAML 1.1, which
 * older parsers still use: `yes`, `on`, `12:30` (a base-60 number), `1_000`, `0b101`. Such a
 * value changes type depending on the reader, so it is worth quoting. The value itself is not
 * shown: it may be a secret.
 */
export function checkYaml11Scalars(section: ContractSection, list: ProblemList): void {
  const walk = (node: Node | null, path: YamlPath): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? (pair.key.value as string | number) : String(pair.key);
        walk(pair.value as Node | null, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item as Node | null, [...path, index]));
    } else if (
      isScalar(node) &&
      node.type === Scalar.PLAIN &&
      typeof node.value === 'string' &&
      typeof node.source === 'string' &&
      changesTypeInYaml11(node.source)
    ) {
      const old = readAsYaml11(node.source);
      list.add(
        'warning',
        section.source,
        section.positionOf(path),
        [section.key, ...path],
        `this unquoted value is a string here but ${typeName(old)} to YAML 1.1 readers; quote it so every reader agrees`,
      );
    }
  };
  walk(section.node, []);
}
