import { isAlias, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';

/**
 * Where each path of a parsed YAML tree starts, indexed once so that a report with thousands of
 * problems (80,000 unknown keys) looks each one up in constant time instead of scanning every
 * key of its mapping per problem.
 */

export type YamlPath = (string | number)[];

export interface Position {
  line: number;
  col: number;
}

interface Entry {
  /** The value node (null for `key:` with no value). */
  value: Node | null;
  /** The key node, for mapping entries. */
  key?: Node;
}

export interface DuplicateKey {
  /** Offset of the second occurrence of the key. */
  offset: number;
}

// A path's steps are strings in mappings and numbers in lists; a node has only one of the
// two, so joining the steps as text cannot confuse two paths of the same tree.
function pathKey(path: YamlPath): string {
  return path.map((step) => String(step)).join('\u0000');
}

function start(node: Node | null | undefined): number | undefined {
  return node?.range?.[0];
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

export class PositionIndex {
  private readonly entries = new Map<string, Entry>();
  /** The first key that appears twice in one mapping, if any (YAML forbids it). */
  readonly duplicate: DuplicateKey | undefined;

  constructor(root: Node | null) {
    this.entries.set(pathKey([]), { value: root });
    let duplicate: DuplicateKey | undefined;
    // An explicit stack: a hostile document may nest deeper than the call stack allows.
    const stack: { node: Node | null; path: YamlPath }[] = [{ node: root, path: [] }];
    while (stack.length > 0) {
      const { node, path } = stack.pop()!;
      if (isMap(node)) {
        const seen = new Set<unknown>();
        for (const pair of node.items as Pair[]) {
          const name = keyOf(pair);
          const keyNode = pair.key as Node | undefined;
          if (isScalar(pair.key) && name !== '<<') {
            if (seen.has(name) && duplicate === undefined) {
              duplicate = { offset: start(keyNode) ?? start(node) ?? 0 };
            }
            seen.add(name);
          }
          if (typeof name !== 'string' && typeof name !== 'number') continue;
          const childPath = [...path, name];
          const value = (pair.value as Node | null) ?? null;
          this.entries.set(pathKey(childPath), { value, ...(keyNode ? { key: keyNode } : {}) });
          if (!isAlias(value)) stack.push({ node: value, path: childPath });
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, index) => {
          const childPath = [...path, index];
          const value = (item as Node | null) ?? null;
          this.entries.set(pathKey(childPath), { value });
          if (!isAlias(value)) stack.push({ node: value, path: childPath });
        });
      }
    }
    this.duplicate = duplicate;
  }

  /**
   * Offset of `path`: a mapping or list at the start of its key (`syslog:`), a scalar at its
   * value (`port: 99999`); a missing path at the nearest parent that exists. `undefined` only
   * when not even the root has a position.
   */
  offsetOf(path: YamlPath): number | undefined {
    const found = this.entries.get(pathKey(path));
    if (found) {
      const { value, key } = found;
      if (key && (value === null || isMap(value) || isSeq(value))) return start(key);
      return start(value) ?? start(key);
    }
    for (let length = path.length - 1; length >= 0; length -= 1) {
      const parent = this.entries.get(pathKey(path.slice(0, length)));
      if (parent) return start(parent.value) ?? start(parent.key);
    }
    return undefined;
  }

  /** Offset of the key `name` in the mapping at `path`, else of that mapping. */
  keyOffsetOf(path: YamlPath, name: string): number | undefined {
    const found = this.entries.get(pathKey([...path, name]));
    if (found?.key) return start(found.key);
    const parent = this.entries.get(pathKey(path));
    return start(parent?.value);
  }
}
