/** An ES module's exports, as `import()` gives them. */
export type ModuleExports = Record<string, unknown>;

type Importer = (url: string) => Promise<ModuleExports>;

let importer: Importer = (url) => import(url) as Promise<ModuleExports>;

/** `import()` of a module file the user names (an emulator `--runtime` module). */
export function importModule(url: string): Promise<ModuleExports> {
  return importer(url);
}

/**
 * The CLI runs as a script compiled through node:vm (bin/load-cli.js), and in Node.js 20 an
 * `import()` in such a script has no module loader behind it (the one option that gives it
 * the main loader is experimental: it prints a warning, and failed for code started from the
 * code cache). The loader, an ordinary CommonJS module, lends its own `import()` instead.
 */
export function useModuleImporter(next: Importer): void {
  importer = next;
}
