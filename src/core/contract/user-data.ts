import { isMap, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node } from 'yaml';
import { looksLikeSectionToken } from '../crypto/section-token.js';
import { HpvsError } from '../errors.js';
import { parseYamlDocument, yamlValue } from '../text/parse-yaml.js';
import { literalBlockMap, type InnerPositionMap } from './block-string-positions.js';
import { PositionIndex, type Position, type YamlPath } from './yaml-positions.js';

export type { Position, YamlPath } from './yaml-positions.js';

/**
 * user-data.yaml read with positions: every top-level value keeps its node (for `file:line:col`
 * messages) and its exact value string, which is what gets signed, encrypted and attested.
 */

export const SECTION_KEYS = ['workload', 'env', 'attestationPublicKey', 'envWorkloadSignature'];

/** The sections whose plaintext is itself YAML (a mapping, or a string holding that YAML). */
export const YAML_SECTION_KEYS = ['workload', 'env'] as const;

/** IBM Cloud VPC limits user data to 64 KiB; on-prem KVM has no limit, so this only warns. */
export const USER_DATA_LIMIT = 64 * 1024;

/**
 * How a section is written (SPEC-IBM A2.1):
 * - `string`: a YAML string (usually a `|` block); for workload and env it holds the section's
 *   YAML, which IBM's docs and tools use;
 * - `mapping`: the section's keys nested under the top-level key (Terraform's `yamlencode`);
 * - `token`: an encrypted `hyper-protect-basic.` / `contract-basic.` string;
 * - `other`: anything else (a number, a list, null), which no section may be.
 */
export type SectionForm = 'mapping' | 'token' | 'string' | 'other';

export interface ContractSection {
  key: string;
  /** The file the section's text came from, for messages. */
  source: string;
  form: SectionForm;
  /**
   * The section's bytes (as UTF-8), the one definition that encryption, signatures and
   * attestation digests use (see `sectionBytes`):
   * - a string or token: the string exactly as the YAML parser yields it (a `|` block keeps
   *   its final newline; nothing is trimmed, unlike IBM's TrimSpace);
   * - a mapping: its source text with the indentation under the key removed, ending in one
   *   newline (a flow mapping: its text, trimmed, plus a newline);
   * - a whole section file (`parseSectionText`): the file's text.
   */
  value: string;
  /**
   * The section's content for schema checks: for workload and env written as a mapping or a
   * string, the parsed section YAML (plain JS); for a token or another string, the string.
   */
  data: unknown;
  /** Position of a path inside this section, falling back to the nearest parent. */
  positionOf(path: YamlPath): Position;
  /** Position of the key `name` inside the mapping at `path` (for "unknown key" messages). */
  keyPositionOf(path: YamlPath, name: string): Position;
  /** The YAML node of the section's content (for a string section: of the YAML inside it). */
  node: Node | null;
  /** For a string section: where inner positions point (exact for `|` blocks). */
  positions?: 'exact' | 'string-start';
  /** Offsets of the value in the outer file [start, end), for edits that keep every other byte. */
  range?: [number, number];
}

export interface ParsedUserData {
  source: string;
  text: string;
  sections: Map<string, ContractSection>;
  /** Position of the top-level key `key`, or of the document start when it is missing. */
  keyPosition(key: string): Position;
  /**
   * Offsets of a top-level entry: from its key to the next top-level key (or the end of the
   * text), so comments and blank lines after a value belong to the entry before them.
   * Undefined for a missing key or a flow mapping (`{workload: ..., env: ...}`).
   */
  entryRange(key: string): [number, number] | undefined;
}

/** The bytes of a section that are encrypted, signed and hashed (see `ContractSection.value`). */
export function sectionBytes(section: Pick<ContractSection, 'value'>): Buffer {
  return Buffer.from(section.value, 'utf8');
}

/** A workload or env written in plaintext, in either plaintext form. */
export function isPlaintextSection(section: Pick<ContractSection, 'form'>): boolean {
  return section.form === 'mapping' || section.form === 'string';
}

interface YamlContext {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** `source:line:col` of an offset into `text`, in the outer file for YAML inside a string. */
  at(offset: number): string;
  text: string;
  source: string;
  index: PositionIndex;
}

/**
 * Parses YAML, or fails with the position of the first error; `where` turns an offset of
 * `text` into the position shown (the outer file's, for YAML inside a string).
 */
function parseYaml(
  text: string,
  source: string,
  where?: (offset: number, lineCounter: LineCounter) => Position,
  what = 'invalid YAML',
): YamlContext {
  const { doc, lineCounter, at } = parseYamlDocument(text, source, {
    ...(where ? { locate: where } : {}),
    what,
  });
  const index = new PositionIndex((doc.contents as Node | null) ?? null);
  return { doc, lineCounter, at, text, source, index };
}

interface Locator {
  positionOf(path: YamlPath): Position;
  keyPositionOf(path: YamlPath, name: string): Position;
}

/**
 * Positions of paths in `context`'s tree; `keyOffset` is the top-level key the section sits
 * under (a whole section, a mapping or list, is shown there), `fallback` where to point when
 * nothing else has a position, `map` turns positions of `context`'s text into the outer file's.
 */
function locator(
  context: YamlContext,
  fallback: Position,
  keyPosition: Position | undefined,
  map: (inner: Position) => Position = (inner) => inner,
): Locator {
  const at = (offset: number | undefined): Position =>
    offset === undefined ? fallback : map(context.lineCounter.linePos(offset));
  const root = (context.doc.contents as Node | null) ?? null;
  return {
    positionOf: (path) => {
      if (path.length === 0 && keyPosition && (isMap(root) || isSeq(root))) return keyPosition;
      return at(context.index.offsetOf(path));
    },
    keyPositionOf: (path, name) => at(context.index.keyOffsetOf(path, name)),
  };
}

/** Parses the YAML text of a workload or env string, with positions in the outer file. */
function stringSection(
  outer: YamlContext,
  base: { key: string; source: string },
  scalar: Scalar,
  value: string,
  keyPosition: Position,
): ContractSection {
  const stringStart = outer.lineCounter.linePos(scalar.range![0]);
  const exact: InnerPositionMap | undefined = literalBlockMap(outer.text, scalar, value, (offset) =>
    outer.lineCounter.linePos(offset),
  );
  const map = exact ?? (() => stringStart);
  const inner = parseYaml(
    value,
    outer.source,
    (offset, counter) => map(counter.linePos(offset)),
    `invalid YAML in the ${base.key} string`,
  );
  const node = (inner.doc.contents as Node | null) ?? null;
  return {
    ...base,
    ...locator(inner, stringStart, keyPosition, map),
    form: 'string',
    value,
    data: node === null ? null : yamlValue(inner, inner.doc),
    node,
    positions: exact ? 'exact' : 'string-start',
    range: [scalar.range![0], scalar.range![1]],
  };
}

function makeSection(
  context: YamlContext,
  key: string,
  path: YamlPath,
  node: Node | null,
  keyOffset: number,
): ContractSection {
  const keyPosition = context.lineCounter.linePos(keyOffset);
  const base = { key, source: context.source };
  const range: [number, number] | undefined = node?.range
    ? [node.range[0], node.range[1]]
    : undefined;
  const prefixed = (inner: Locator): Locator => ({
    positionOf: (sub) =>
      sub.length === 0 && (isMap(node) || isSeq(node))
        ? keyPosition
        : inner.positionOf([...path, ...sub]),
    keyPositionOf: (sub, name) => inner.keyPositionOf([...path, ...sub], name),
  });
  const positions = prefixed(locator(context, keyPosition, undefined));
  if (isMap(node)) {
    return {
      ...base,
      ...positions,
      form: 'mapping',
      value: mappingText(context.text, node),
      data: yamlValue(context, context.doc, node),
      node,
      ...(range ? { range } : {}),
    };
  }
  if (isScalar(node) && typeof node.value === 'string') {
    const value = node.value;
    if (looksLikeSectionToken(value)) {
      return {
        ...base,
        ...positions,
        form: 'token',
        value,
        data: value,
        node,
        ...(range ? { range } : {}),
      };
    }
    if ((YAML_SECTION_KEYS as readonly string[]).includes(key)) {
      return stringSection(context, base, node, value, keyPosition);
    }
    return {
      ...base,
      ...positions,
      form: 'string',
      value,
      data: value,
      node,
      ...(range ? { range } : {}),
    };
  }
  const data = yamlValue(context, context.doc, node);
  return {
    ...base,
    ...positions,
    form: 'other',
    value: data === null ? '' : String(data),
    data,
    node,
    ...(range ? { range } : {}),
  };
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
    const { line, col } = context.lineCounter.linePos(root?.range?.[0] ?? 0);
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${source}:${line}:${col}: user data must be a YAML mapping with the keys workload and env`,
    );
  }
  const sections = new Map<string, ContractSection>();
  const keyOffsets = new Map<string, number>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const keyStart = (pair.key as Node | null)?.range?.[0] ?? 0;
    keyOffsets.set(key, keyStart);
    const path = isScalar(pair.key) ? [pair.key.value as string | number] : [key];
    sections.set(
      key,
      makeSection(context, key, path, (pair.value as Node | null) ?? null, keyStart),
    );
  }
  const keyPosition = (key: string): Position =>
    context.lineCounter.linePos(keyOffsets.get(key) ?? root.range?.[0] ?? 0);
  const starts = [...keyOffsets.values()];
  const entryRange = (key: string): [number, number] | undefined => {
    const start = keyOffsets.get(key);
    if (start === undefined || root.flow) return undefined;
    const next = starts.filter((offset) => offset > start).sort((a, b) => a - b)[0];
    return [start, next ?? text.length];
  };
  return { source, text, sections, keyPosition, entryRange };
}

/**
 * Parses a standalone section file (what `hpvs-ctl workload`/`env` write, without the
 * top-level key). A token file gives a `token` section.
 */
export function parseSectionText(key: string, text: string, source: string): ContractSection {
  if (looksLikeSectionToken(text)) return tokenSection(key, text.trim(), source);
  const context = parseYaml(text, source);
  const node = (context.doc.contents as Node | null) ?? null;
  const start: Position = { line: 1, col: 1 };
  const positions = locator(context, start, undefined);
  const base = { key, source, ...positions, node };
  if (isMap(node)) {
    // A whole file is the value: keep its exact text, so that encrypting the file and signing
    // the value agree byte for byte.
    return { ...base, form: 'mapping', value: text, data: yamlValue(context, context.doc, node) };
  }
  if (isScalar(node) && typeof node.value === 'string') {
    return { ...base, form: 'string', value: node.value, data: node.value };
  }
  const data = yamlValue(context, context.doc, node);
  return { ...base, form: 'other', value: data === null ? '' : String(data), data };
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
