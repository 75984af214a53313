import { readdirSync, readFileSync } from 'node:fs';
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
    const core = new URL('../../src/core/', import.meta.url);
    const sources = (readdirSync(core, { recursive: true }) as string[])
      .filter((name) => name.endsWith('.ts'))
      .map((name) => ({ name, text: readFileSync(new URL(name, core), 'utf8') }));
    expect(
      sources.filter(({ name, text }) => name !== 'errors.ts' && text.includes("'USAGE'")),
    ).toEqual([]);
    // string and template literals only: comments may name a flag
    const namingFlags = sources.flatMap(({ name, text }) =>
      (
        text
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/^\s*\/\/.*$/gm, '')
          .match(/'[^'\n]*'|"[^"\n]*"|`[^`]*`/g) ?? []
      )
        .filter((literal) => /(^|[\s(`'"])--[a-z]/.test(literal))
        .map((literal) => `${name}: ${literal}`),
    );
    expect(namingFlags).toEqual([]);
  });
});
