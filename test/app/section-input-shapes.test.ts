import { describe, expect, it } from 'vitest';
import { authsFrom, imagesFrom, kmsFrom } from '../../src/app/section-input-shapes.js';
import { HpvsError } from '../../src/core/errors.js';

/** The builder YAML files reach the section builders typed, or are refused in one line. */

function refusal(run: () => unknown): HpvsError {
  try {
    run();
  } catch (error) {
    if (error instanceof HpvsError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('section input shapes', () => {
  it('passes well-formed files through unchanged, unknown keys left to the schema', () => {
    const auths = { 'us.icr.io': { username: 'iamapikey', password: 'secret', extra: 1 } };
    expect(authsFrom(auths, 'auths.yaml')).toBe(auths);
    const images = { rhs: { 'us.icr.io/a/b': { publicKey: 'KEY' } } };
    expect(imagesFrom(images, 'images.yaml')).toBe(images);
    const kms = [
      { apiKey: 'key', crn: 'crn:v1', type: 'private' },
      { apiKey: 'k', crn: 'c' },
    ];
    expect(kmsFrom(kms, 'kms.yaml')).toBe(kms);
  });

  it.each([
    ['a list', ['us.icr.io']],
    ['a string', 'us.icr.io'],
    ['a credential that is a string', { 'us.icr.io': 'user:pass' }],
    ['a password that is a number', { 'us.icr.io': { username: 'user', password: 1234 } }],
    ['a missing password', { 'us.icr.io': { username: 'user' } }],
  ])('refuses auths that are %s, naming the file and the shape', (_what, value) => {
    const error = refusal(() => authsFrom(value, 'auths.yaml'));
    expect(error.code).toBe('CONTRACT_INVALID');
    expect(error.message).toBe(
      'auths.yaml: expected a YAML mapping of registry host -> {username, password}',
    );
  });

  it.each([
    ['a list', [{ dct: {} }]],
    ['dct as a list', { dct: ['us.icr.io/a/b'] }],
    ['an rhs entry without its key', { rhs: { 'us.icr.io/a/b': {} } }],
    ['a dct notary that is a mapping', { dct: { 'a/b/c': { notary: {}, publicKey: 'K' } } }],
  ])('refuses images that are %s', (_what, value) => {
    expect(refusal(() => imagesFrom(value, 'images.yaml')).message).toBe(
      'images.yaml: expected a YAML mapping with dct (image -> {notary, publicKey}) and/or rhs (image -> {publicKey})',
    );
  });

  it.each([
    ['a mapping', { apiKey: 'key', crn: 'crn' }],
    ['a list of strings', ['apiKey', 'crn']],
    ['an entry with an unknown type', [{ apiKey: 'key', crn: 'crn', type: 'hybrid' }]],
    ['an entry without its crn', [{ apiKey: 'key' }]],
  ])('refuses key endpoints that are %s', (_what, value) => {
    expect(refusal(() => kmsFrom(value, 'kms.yaml')).message).toBe(
      'kms.yaml: expected a YAML list of {apiKey, crn, type}',
    );
  });
});
