import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CLI_INPUT_PHRASES, cliMessage } from '../../src/cli/commands/input-phrases.js';
import { HpvsError } from '../../src/core/errors.js';
import { INPUT_PHRASES, input, worded } from '../../src/core/wording.js';

describe('input phrases: the core names concepts, the CLI its flags', () => {
  it('words every core phrase without a flag, and the CLI has a phrase for each', () => {
    for (const [id, phrase] of Object.entries(INPUT_PHRASES)) {
      expect(phrase, id).not.toMatch(/(^|\s|\()--[a-z]/);
      expect(CLI_INPUT_PHRASES[id as keyof typeof INPUT_PHRASES], id).toBeTruthy();
      expect(CLI_INPUT_PHRASES[id as keyof typeof INPUT_PHRASES], id).not.toBe(phrase);
    }
  });

  it('keeps the phrases of a worded error it quotes', () => {
    const inner = new HpvsError(
      'KEY_PASSPHRASE',
      worded`k.pem: protected; ${input('private-key-passphrase')}`,
    );
    const outer = new HpvsError('KEY_PASSPHRASE', worded`instance "a": ${inner}`);
    expect(outer.message).toBe(
      'instance "a": k.pem: protected; give the passphrase of the private key',
    );
    expect(cliMessage(outer)).toBe(
      'instance "a": k.pem: protected; give the passphrase with --passphrase-file',
    );
  });

  it('leaves the USAGE code to the CLI, and flag names out of every string of the core', () => {
    const core = sourcesOf('core');
    expect(
      core.filter(({ name, text }) => name !== 'errors.ts' && text.includes("'USAGE'")),
    ).toEqual([]);
    expect(flagsNamed('core', core, {})).toEqual([]);
  });

  it('keeps flag names out of the strings of the node edge, the use cases and the emulator', () => {
    // they are libraries too (src/index.ts exports them): their callers have no flags
    const layers = ['node', 'app', 'emulator'] as const;
    const named = layers.flatMap((layer) => flagsNamed(layer, sourcesOf(layer), SPAWNED_OPTIONS));
    expect(named).toEqual([]);
  });
});

/**
 * Options of the programs the emulator spawns, by file: argv, not wording (and where a message
 * names one, it is that program's option, not hpvs-ctl's). Nothing else may name a `--flag`.
 */
const SPAWNED_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  'emulator/runtimes/podman-instance.ts': [
    '--all',
    '--filter',
    '--force',
    '--format',
    '--no-trunc',
    '--quiet',
    '--time',
    '--volumes',
  ],
  'emulator/runtimes/podman-invocations.ts': [
    '--add-host',
    '--detach',
    '--entrypoint',
    '--env-file',
    '--label',
    '--name',
    '--pod',
    '--publish',
    '--pull',
    '--volume',
    '--workdir',
  ],
  'emulator/runtimes/podman-runtime.ts': [
    '--authfile',
    '--cert-dir',
    '--follow',
    '--format',
    '--quiet',
    '--type',
    '--version',
  ],
  'emulator/luks-volume.ts': [
    '--batch-mode',
    '--key-file',
    '--label',
    '--new-keyfile-size',
    '--pbkdf',
    '--pbkdf-force-iterations',
    '--test-passphrase',
    '--type',
  ],
};

function sourcesOf(layer: string): { name: string; text: string }[] {
  const root = new URL(`../../src/${layer}/`, import.meta.url);
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({ name, text: readFileSync(new URL(name, root), 'utf8') }));
}

/**
 * `file: text` for each string literal or template part naming a flag not allowed in its file,
 * read with the TypeScript parser: comments may name a flag, and nested templates are parts too.
 */
function flagsNamed(
  layer: string,
  sources: readonly { name: string; text: string }[],
  allowed: Readonly<Record<string, readonly string[]>>,
): string[] {
  return sources.flatMap(({ name, text }) => {
    const path = `${layer}/${name}`;
    return literalsOf(name, text)
      .filter((literal) =>
        [...literal.matchAll(/(?:^|[\s("'])(--[a-z][a-z0-9-]*)/g)].some(
          ([, flag]) => !(allowed[path] ?? []).includes(flag!),
        ),
      )
      .map((literal) => `${path}: ${literal}`);
  });
}

function literalsOf(name: string, text: string): string[] {
  const literals: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) literals.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(name, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
  return literals;
}
