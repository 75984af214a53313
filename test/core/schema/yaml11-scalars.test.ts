import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { changesTypeInYaml11 } from '../../../src/core/schema/yaml11-scalars.js';

/** What a YAML 1.1 reader makes of `text`, the whole answer, with no shortcut. */
function yaml11Changes(text: string): boolean {
  if (text.length > 40) return false;
  try {
    return typeof parse(text, { version: '1.1', logLevel: 'silent' }) !== 'string';
  } catch {
    return false;
  }
}

describe('changesTypeInYaml11', () => {
  it('flags the YAML 1.1 booleans, nulls, numbers and timestamps, not other words', () => {
    for (const text of [
      'yes',
      'No',
      'ON',
      'off',
      'y',
      'NULL',
      '1_000',
      '12:30',
      '0b101',
      '.inf',
      'e0',
      'E12',
      'e-3',
    ]) {
      expect(changesTypeInYaml11(text), text).toBe(true);
    }
    for (const text of ['yesterday', 'Y2', 'one', 'syslog.example.com', 'icr.io/ns/app', 'x-y_z']) {
      expect(changesTypeInYaml11(text), text).toBe(false);
    }
  });

  it('answers as a YAML 1.1 parse does for every word of one or two characters', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const rest = `${letters}0123456789_./-`;
    const words = [...letters].flatMap((first) => [
      first,
      ...[...rest].map((next) => first + next),
    ]);
    expect(words.filter((text) => changesTypeInYaml11(text) !== yaml11Changes(text))).toEqual([]);
  });

  it('answers as a YAML 1.1 parse of the text does, for word-like text', () => {
    const word = fc.stringMatching(
      /^[A-Za-z][A-Za-z0-9_./:~+ -]{0,12}$|^[eEyYnNoOtTfF][-+0-9eEaAsSrRuUlLnNfF]{0,5}$/,
    );
    fc.assert(
      fc.property(word, (text) => changesTypeInYaml11(text) === yaml11Changes(text)),
      { numRuns: 5000 },
    );
  });
});
