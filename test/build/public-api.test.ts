import { join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The public API (src/index.ts) read by the TypeScript compiler, as a library user's compiler
 * sees it: every value it exports is documented with an example, every named type a user meets
 * in its signatures (parameters, results and their properties, all the way down) is exported
 * too, so a program can name it, and none of them is a third-party library's type: only
 * hpvs-ctl's own, Node's (@types/node) and the language's.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');
const ENTRY = join(SRC, 'index.ts');

let checker: ts.TypeChecker;
let entry: ts.SourceFile;
let exports: ts.Symbol[];

function resolved(symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function declaredIn(symbol: ts.Symbol): string | undefined {
  return symbol.declarations?.[0]?.getSourceFile().fileName;
}

/** Where a type may come from: hpvs-ctl, Node's types or TypeScript's own lib. */
function origin(file: string): 'own' | 'platform' | 'third-party' {
  if (file.startsWith(SRC)) return 'own';
  if (/\/node_modules\/(@types\/node|typescript)\//.test(file)) return 'platform';
  return 'third-party';
}

beforeAll(() => {
  const program = ts.createProgram([ENTRY], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    noEmit: true,
  });
  checker = program.getTypeChecker();
  entry = program.getSourceFile(ENTRY)!;
  exports = checker.getExportsOfModule(checker.getSymbolAtLocation(entry)!);
}, 60_000);

/** The named types (interfaces, classes, enums, aliases) reachable from a type. */
function namedTypesOf(root: ts.Type, found: Map<ts.Symbol, string>, seen: Set<ts.Type>): void {
  const visit = (type: ts.Type, via: string): void => {
    if (seen.has(type)) return;
    seen.add(type);
    const named = type.aliasSymbol ?? (isNamedObject(type) ? type.symbol : undefined);
    if (named !== undefined) {
      const file = declaredIn(named);
      if (file !== undefined && origin(file) !== 'own') {
        if (origin(file) === 'third-party' && !found.has(named)) found.set(named, via);
        return; // Node's and the language's types are not walked into
      }
      if (!found.has(named)) found.set(named, via);
    }
    if (type.isUnionOrIntersection()) {
      for (const member of type.types) visit(member, via);
      return;
    }
    if (type.flags & ts.TypeFlags.Object) {
      const object = type as ts.ObjectType;
      if (object.objectFlags & ts.ObjectFlags.Reference) {
        for (const argument of checker.getTypeArguments(type as ts.TypeReference)) {
          visit(argument, via);
        }
      }
      for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
        for (const parameter of signature.parameters) {
          visit(checker.getTypeOfSymbol(parameter), `${via}(${parameter.name})`);
        }
        visit(signature.getReturnType(), `${via}()`);
      }
      for (const property of type.getProperties()) {
        const file = declaredIn(property);
        if (file !== undefined && origin(file) === 'platform') continue;
        visit(checker.getTypeOfSymbol(property), `${via}.${property.name}`);
      }
    }
  };
  visit(root, checker.typeToString(root));
}

function isNamedObject(type: ts.Type): boolean {
  return (
    type.symbol !== undefined &&
    (type.flags & ts.TypeFlags.Object) !== 0 &&
    ((type as ts.ObjectType).objectFlags & (ts.ObjectFlags.Interface | ts.ObjectFlags.Class)) !== 0
  );
}

/** The doc comment before the statement that exports `symbol` from src/index.ts. */
function docOf(symbol: ts.Symbol): string {
  const declaration = symbol.declarations?.[0];
  if (declaration === undefined) return '';
  let statement: ts.Node = declaration;
  while (statement.parent !== undefined && !ts.isSourceFile(statement.parent)) {
    statement = statement.parent;
  }
  const text = entry.text;
  return (ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? [])
    .map((range) => text.slice(range.pos, range.end))
    .join('\n');
}

describe('the public API (src/index.ts)', () => {
  it('exports the operations of every persona and the emulator', () => {
    const names = exports.map((symbol) => symbol.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'HpvsError',
        'systemRandom',
        'encryptSection',
        'decryptSection',
        'buildWorkloadSection',
        'buildEnvSection',
        'createContract',
        'completeContract',
        'signContract',
        'verifyContract',
        'parseUserData',
        'validateUserData',
        'validateSection',
        'inspectUserData',
        'deriveLuksPassphrase',
        'verifyCertificateChain',
        'verifyAttestationRecord',
        'decryptAttestationRecord',
        'listCertificates',
        'pickCertificate',
        'createEmulator',
        'bootEmulator',
      ]),
    );
  });

  it('documents every value it exports with an @example', () => {
    const values = exports.filter((symbol) => resolved(symbol).flags & ts.SymbolFlags.Value);
    expect(values.length).toBeGreaterThan(30);
    const undocumented = values
      .filter((symbol) => !/\/\*\*[\s\S]*@example[\s\S]*\*\//.test(docOf(symbol)))
      .map((symbol) => symbol.name);
    expect(undocumented).toEqual([]);
  });

  it('exports every named type its signatures use, and no third-party type', () => {
    const found = new Map<ts.Symbol, string>();
    const seen = new Set<ts.Type>();
    for (const symbol of exports) {
      const target = resolved(symbol);
      if (target.flags & ts.SymbolFlags.Value) {
        namedTypesOf(checker.getTypeOfSymbol(target), found, seen);
      }
      if (target.flags & ts.SymbolFlags.Type) {
        namedTypesOf(checker.getDeclaredTypeOfSymbol(target), found, seen);
      }
    }
    const exported = new Set(exports.map(resolved));
    const problems = [...found]
      .filter(([symbol]) => !exported.has(symbol))
      .map(([symbol, via]) => {
        const file = declaredIn(symbol)!;
        const where = origin(file) === 'own' ? 'not exported' : `third-party, from ${file}`;
        return `${symbol.name} (${where}), reached by ${via}`;
      });
    expect(problems).toEqual([]);
  });
});
