import {
  isMap,
  isScalar,
  isSeq,
  type Document,
  type LineCounter,
  type Node,
  type Pair,
} from 'yaml';
import { looksLikeSectionToken } from '../crypto/section-token.js';
import { HpvsError } from '../errors.js';
import { parseYamlDocument, yamlValue } from '../parse-yaml.js';

/**
 * user-data.yaml read with positions: every top-level value keeps its node (for `file:line:col`
 * messages) and its exact value string, which is what gets signed and attested.
 */

export const SECTION_KEYS = ['workload', 'env', 'attestationPublicKey', 'envWorkloadSignature'];

/** IBM Cloud VPC limits user data to 64 KiB; on-prem KVM has no limit, so this only warns. */
export const USER_DATA_LIMIT = 64 * 1024;

/** How a section is written: a plaintext mapping, an encrypted token, or another scalar. */
export type SectionForm = 'mapping' | 'token' | 'string' | 'other';

export type YamlPath = (string | number)[];

export interface Position {
  line: number;
  col: number;
}

export interface ContractSection {
  key: string;
  /** The file the section's text came from, for messages. */
  source: string;
  form: SectionForm;
  /**
   * The exact value string: a scalar's value, or a mapping's source text with its indentation
   * under the key removed (ending in one newline). Signatures and attestation use this.
   */
  value: string;
  /** The parsed value (mapping as plain JS objects) for schema checks. */
  data: unknown;
  /** Position of a path inside this section's value, falling back to the nearest parent. */
  positionOf(path: YamlPath): Position;
  /** Position of the key `name` inside the mapping at `path` (for "unknown key" messages). */
  keyPositionOf(path: YamlPath, name: string): Position;
  /** The YAML node of the value, for callers that need more than positions. */
  node: Node | null;
}

export interface ParsedUserData {
  source: string;
  text: string;
  sections: Map<string, ContractSection>;
  /** Position of the top-level key `key`, or of the document start when it is missing. */
  keyPosition(key: string): Position;
}

interface YamlContext {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  text: string;
  source: string;
}

function parseYaml(text: string, source: string): YamlContext {
  const { doc, lineCounter } = parseYamlDocument(text, source);
  return { doc, lineCounter, text, source };
}

function linePos(context: YamlContext, offset: number): Position {
  return context.lineCounter.linePos(offset);
}

function nodeStart(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

function findPair(map: unknown, name: string | number): Pair | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((pair) => (isScalar(pair.key) ? pair.key.value : pair.key) === name) as
    Pair | undefined;
}

/** Walks from `root` along `path`, returning the deepest node reached. */
function deepestNode(root: Node | null, path: YamlPath): Node | null {
  let node: Node | null = root;
  for (const step of path) {
    if (isMap(node)) {
      const pair = findPair(node, step) ?? findPair(node, String(step));
      if (!pair) break;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (!item) break;
      node = item;
    } else {
      break;
    }
  }
  return node;
}

function makeSection(
  context: YamlContext,
  key: string,
  node: Node | null,
  fallback: number,
  keyOffset?: number,
): ContractSection {
  // A mapping or list is shown at its key (`syslog:`), a scalar at its value (`port: 99999`).
  const positionOf = (path: YamlPath): Position => {
    const target = deepestNode(node, path);
    if (path.length === 0 && keyOffset !== undefined && (isMap(target) || isSeq(target))) {
      return linePos(context, keyOffset);
    }
    if (path.length > 0 && (isMap(target) || isSeq(target))) {
      const parent = deepestNode(node, path.slice(0, -1));
      const last = path[path.length - 1]!;
      const pair = findPair(parent, last) ?? findPair(parent, String(last));
      if (pair && pair.value === target)
        return linePos(context, nodeStart(pair.key as Node) ?? fallback);
    }
    return linePos(context, nodeStart(target) ?? fallback);
  };
  const keyPositionOf = (path: YamlPath, name: string): Position => {
    const parent = deepestNode(node, path);
    const pair = findPair(parent, name);
    const offset = nodeStart(pair?.key as Node | undefined) ?? nodeStart(parent) ?? fallback;
    return linePos(context, offset);
  };
  const base = { key, source: context.source, positionOf, keyPositionOf, node };
  if (isMap(node)) {
    return {
      ...base,
      form: 'mapping',
      value: mappingText(context.text, node),
      data: yamlValue(context, context.doc, node),
    };
  }
  if (isScalar(node) && typeof node.value === 'string') {
    return {
      ...base,
      form: looksLikeSectionToken(node.value) ? 'token' : 'string',
      value: node.value,
      data: node.value,
    };
  }
  const data = yamlValue(context, context.doc, node);
  return { ...base, form: 'other', value: data === null ? '' : String(data), data };
}

/**
 * The source text of a mapping without the indentation it has under its key, so that the
 * text a section file holds and the text embedded under `workload:` compare equal.
 */
function mappingText(text: string, node: Node): string {
  const [start, end] = node.range!;
  if ((node as { flow?: boolean }).flow) return `${text.slice(start, end).trimEnd()}\n`;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const indent = start - lineStart;
  const lines = text.slice(start, end).split('\n');
  const dedented = lines.map((line, index) => {
    if (index === 0) return line;
    const lead = /^ */.exec(line)![0].length;
    return lead >= indent ? line.slice(indent) : line.trimStart();
  });
  return `${dedented.join('\n').trimEnd()}\n`;
}

/** Parses user-data.yaml. Syntax errors and a non-mapping document fail with a position. */
export function parseUserData(text: string, source: string): ParsedUserData {
  const context = parseYaml(text, source);
  const root = context.doc.contents as Node | null;
  if (!isMap(root)) {
    const { line, col } = linePos(context, nodeStart(root) ?? 0);
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${source}:${line}:${col}: user data must be a YAML mapping with the keys workload and env`,
    );
  }
  const sections = new Map<string, ContractSection>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const keyStart = nodeStart(pair.key as Node) ?? 0;
    sections.set(
      key,
      makeSection(context, key, (pair.value as Node | null) ?? null, keyStart, keyStart),
    );
  }
  const keyPosition = (key: string): Position => {
    const pair = findPair(root, key);
    return linePos(context, nodeStart(pair?.key as Node | undefined) ?? nodeStart(root) ?? 0);
  };
  return { source, text, sections, keyPosition };
}

/**
 * Parses a standalone section file (what `hpvs-ctl workload`/`env` write, without the
 * top-level key). A token file gives a `token` section.
 */
export function parseSectionText(key: string, text: string, source: string): ContractSection {
  if (looksLikeSectionToken(text)) return tokenSection(key, text.trim(), source);
  const context = parseYaml(text, source);
  const node = (context.doc.contents as Node | null) ?? null;
  const section = makeSection(context, key, node, 0);
  // A whole file is the value: keep its exact text, not the dedented node text, so that
  // encrypting the file and signing the value agree byte for byte.
  return section.form === 'mapping' ? { ...section, value: text } : section;
}

function tokenSection(key: string, token: string, source: string): ContractSection {
  const start: Position = { line: 1, col: 1 };
  return {
    key,
    source,
    form: 'token',
    value: token,
    data: token,
    node: null,
    positionOf: () => start,
    keyPositionOf: () => start,
  };
}

/** Replaces a section (for example with its decrypted text) keeping the others. */
export function withSection(parsed: ParsedUserData, section: ContractSection): ParsedUserData {
  const sections = new Map(parsed.sections);
  sections.set(section.key, section);
  return { ...parsed, sections };
}
