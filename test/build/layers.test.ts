import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers of docs/ARCHITECTURE.md, read from the imports themselves: a file's layer is the
 * first folder under src/, and a layer may import only the layers listed for it. A folder is
 * any directory holding source files; the folder graph has no cycles, and neither has the file
 * graph.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

const MAY_IMPORT: Record<string, readonly string[]> = {
  core: ['core'],
  node: ['core', 'node'],
  app: ['core', 'node', 'app'],
  emulator: ['core', 'node', 'app', 'emulator'],
  cli: ['core', 'node', 'app', 'emulator', 'cli'],
  // the library's entry (package.json "exports"): beside the CLI, never through it
  'index.ts': ['core', 'node', 'app', 'emulator'],
};

/** The public API: the entry of library users, which no source file imports. */
const API_ENTRY = join(SRC, 'index.ts');

/** Node built-ins the pure core may use: computation on bytes, never files, processes or sockets. */
const CORE_BUILTINS = new Set(['node:crypto', 'node:zlib', 'node:buffer', 'node:util']);

interface SourceFile {
  path: string;
  text: string;
  /** Relative imports, resolved to paths under src/ (`.js` specifiers name `.ts` files). */
  imports: string[];
  /** Bare specifiers: node built-ins and packages. */
  modules: string[];
}

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// `import x from`, `export ... from`, `import('...')` and side-effect `import '...'`
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s*['"]([^'"]+)['"]/g;

function readSource(path: string): SourceFile {
  const text = readFileSync(path, 'utf8');
  const imports: string[] = [];
  const modules: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3] ?? '';
    if (specifier.startsWith('.')) {
      imports.push(resolve(dirname(path), specifier).replace(/\.js$/, '.ts'));
    } else {
      modules.push(specifier);
    }
  }
  return { path, text, imports, modules };
}

const sources = listSources(SRC).map(readSource);
const known = new Set(sources.map((source) => source.path));
const layerOf = (path: string) => relative(SRC, path).split('/')[0] ?? '';
const name = (path: string) => relative(ROOT, path);

/** The nodes of each cycle found in `graph` (one cycle per strongly connected set). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  // Tarjan's strongly connected components; a component of two or more nodes is a cycle.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indexOf.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}

describe('layers (docs/ARCHITECTURE.md)', () => {
  it('reads every source file and resolves every relative import', () => {
    expect(sources.length).toBeGreaterThan(100);
    const unresolved = sources.flatMap((source) =>
      source.imports
        .filter(
          (target) => !known.has(target) && !/\/generated\/[a-z-]+-validators\.ts$/.test(target),
        )
        .map((target) => `${name(source.path)} -> ${name(target)}`),
    );
    expect(unresolved).toEqual([]);
  });

  it('every file lives in a layer', () => {
    const outside = sources.filter((source) => !(layerOf(source.path) in MAY_IMPORT));
    expect(outside.map((source) => name(source.path))).toEqual([]);
  });

  it('imports go downward only: core <- node <- app <- emulator <- cli, and index.ts beside cli', () => {
    const upward = sources.flatMap((source) => {
      const allowed = MAY_IMPORT[layerOf(source.path)] ?? [];
      return source.imports
        .filter((target) => !allowed.includes(layerOf(target)))
        .map((target) => `${name(source.path)} -> ${name(target)}`);
    });
    expect(upward).toEqual([]);
  });

  it('src/index.ts is an entry: nothing imports it', () => {
    expect(known.has(API_ENTRY)).toBe(true);
    const importers = sources
      .filter((source) => source.imports.includes(API_ENTRY))
      .map((source) => name(source.path));
    expect(importers).toEqual([]);
  });

  it('the core uses no files, processes, sockets or threads of Node.js', () => {
    const impure = sources
      .filter((source) => layerOf(source.path) === 'core')
      .flatMap((source) =>
        source.modules
          .filter((module) => module.startsWith('node:') && !CORE_BUILTINS.has(module))
          // net.isIP reads a string; nothing else of node:net belongs in the core
          .filter(
            (module) =>
              !(
                module === 'node:net' &&
                /^import \{ isIP \} from 'node:net';$/m.test(source.text) &&
                source.text.split("'node:net'").length === 2
              ),
          )
          .map((module) => `${name(source.path)}: ${module}`),
      );
    expect(impure).toEqual([]);
  });

  it('the core reads no clock, process state or randomness of its own', () => {
    // pki is the documented exception for randomness: WebCrypto key generation and certificate
    // serials take no injected source.
    const ambient = /\bprocess\.|\bDate\.now\(|new Date\(\)|Math\.random\(/;
    const offenders = sources
      .filter((source) => layerOf(source.path) === 'core' && ambient.test(source.text))
      .map((source) => name(source.path));
    expect(offenders).toEqual([]);
  });

  it('no cycles between folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const source of sources) {
      const from = name(dirname(source.path));
      const edges = graph.get(from) ?? new Set<string>();
      graph.set(from, edges);
      for (const target of source.imports) {
        const to = name(dirname(target));
        if (to !== from) edges.add(to);
      }
    }
    expect(cycles(graph)).toEqual([]);
  });

  it('no cycles between files', () => {
    const graph = new Map<string, Set<string>>();
    for (const source of sources) {
      graph.set(name(source.path), new Set(source.imports.map(name)));
    }
    expect(cycles(graph)).toEqual([]);
  });
});
