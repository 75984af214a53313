import { describe, expect, it } from 'vitest';
import { hpvsCertificateUrl } from '../../../src/core/catalogue/hpvs-certificate-url.js';
import {
  highestMatching,
  normaliseVersion,
  parseVersionRange,
} from '../../../src/core/catalogue/version-range.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';

const versions = ['1.0.27', '1.0.28', '1.0.29', '1.1.0', '2.0.0'].map((version) => ({ version }));
const pick = (range: string) => highestMatching(versions, parseVersionRange(range))?.version;

describe("version ranges as IBM's tools take them (SPEC-IBM A4.3)", () => {
  it('reads exact versions, operators, tilde, caret, x, hyphen ranges, AND and OR', () => {
    expect(pick('1.0.28')).toBe('1.0.28');
    expect(pick('>=1.0.28')).toBe('2.0.0');
    expect(pick('~1.0.28')).toBe('1.0.29');
    expect(pick('^1.0.28')).toBe('1.1.0');
    expect(pick('1.0.x')).toBe('1.0.29');
    expect(pick('*')).toBe('2.0.0');
    expect(pick('1.0.26 - 1.0.28')).toBe('1.0.28');
    expect(pick('>=1.0.27, <1.0.29')).toBe('1.0.28');
    expect(pick('>=1.0.27 <1.0.29')).toBe('1.0.28');
    expect(pick('1.0.27 || 1.1.0')).toBe('1.1.0');
    expect(pick('3.x')).toBeUndefined();
  });

  it('refuses what is not a range, without echoing control characters', () => {
    for (const bad of ['', ' ', 'latest', '>=', '1.0.29\u001b[2J']) {
      const error = thrownHpvsError(() => parseVersionRange(bad));
      expect(error.code).toBe('VERSION_INVALID');
      expect(error.message).not.toMatch(/[\u0000-\u001f]/);
    }
  });

  it('normalises loose version keys as Masterminds does, and nothing else', () => {
    expect(normaliseVersion('v1.0.22')).toBe('1.0.22');
    expect(normaliseVersion('1.0')).toBe('1.0.0');
    expect(normaliseVersion('26.7.1')).toBe('26.7.1');
    for (const key of ['notes', '', 'x1.0.2', '1.0.2.3.4']) {
      expect(normaliseVersion(key), key).toBeUndefined();
    }
  });

  it('among equal versions takes the later one, as IBM picks images', () => {
    const twins = [
      { version: '1.0.20', id: 'first' },
      { version: '1.0.20', id: 'second' },
    ];
    expect(highestMatching(twins, parseVersionRange('*'))?.id).toBe('second');
  });

  it("builds IBM's certificate URL from three numbers only", () => {
    expect(hpvsCertificateUrl('1.0.29', 'https://example.test/base/')).toBe(
      'https://example.test/base/s390x-29/ibm-hyper-protect-container-runtime-1-0-s390x-29-encrypt.crt',
    );
    for (const bad of ['1.0', '1.0.x', '1.0.29.1', '../1.0.29', '1.0.29 ', '-1.0.29']) {
      expect(thrownHpvsError(() => hpvsCertificateUrl(bad)).code, bad).toBe('ARGUMENT_INVALID');
    }
  });
});
