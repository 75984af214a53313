import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_USAGE_BITS, keyUsageOf } from '../../../src/core/crypto/key-usage.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir();

// openssl's names for the keyUsage bits, in bit order
const OPENSSL_NAMES: Record<string, (typeof KEY_USAGE_BITS)[number]> = {
  'Digital Signature': 'digitalSignature',
  'Non Repudiation': 'nonRepudiation',
  'Key Encipherment': 'keyEncipherment',
  'Data Encipherment': 'dataEncipherment',
  'Key Agreement': 'keyAgreement',
  'Certificate Sign': 'keyCertSign',
  'CRL Sign': 'cRLSign',
  'Encipher Only': 'encipherOnly',
  'Decipher Only': 'decipherOnly',
};

describe.skipIf(!hasTool('openssl'))('keyUsageOf agrees with openssl x509 -ext keyUsage', () => {
  const dir = () => tempDir();
  const make = (name: string, addext: string[]) => {
    const folder = dir();
    const cert = join(folder, `${name}.crt`);
    const result = runTool('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(folder, `${name}.key`),
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
      ...addext.flatMap((ext) => ['-addext', ext]),
      '-out',
      cert,
    ]);
    expect(result.status, result.stderr).toBe(0);
    return cert;
  };

  it.each([
    ['encryption', 'keyUsage=critical,keyEncipherment,dataEncipherment'],
    ['signing', 'keyUsage=digitalSignature'],
    ['ca', 'keyUsage=keyCertSign,cRLSign'],
    ['everything', `keyUsage=${Object.values(OPENSSL_NAMES).join(',')}`],
    ['decipher-only', 'keyUsage=keyAgreement,decipherOnly'],
  ])('%s (%s)', (name, ext) => {
    const path = make(name, [ext]);
    const openssl = runTool('openssl', ['x509', '-in', path, '-noout', '-ext', 'keyUsage']);
    const line = openssl.stdout.toString().split('\n')[1]!.trim();
    const expected = new Set(line.split(', ').map((text) => OPENSSL_NAMES[text]!));
    expect(keyUsageOf(new X509Certificate(readFileSync(path)), path)).toEqual(expected);
  });

  it('is undefined without a keyUsage extension', () => {
    const path = make('no-usage', ['basicConstraints=CA:FALSE']);
    expect(keyUsageOf(new X509Certificate(readFileSync(path)), path)).toBeUndefined();
  });
});
