import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeContractSignature,
  signContract,
  signedContractBytes,
  verifyContractSignature,
} from '../../../src/core/crypto/contract-signature.js';
import { parseUserData } from '../../../src/core/contract/user-data.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';

const tempDir = useTempDir('hpvs-ctl-signature-');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe.skipIf(!HAS_REFERENCE)(
  `signature-vector fixture (${HAS_REFERENCE ? 'reference' : REFERENCE_SKIP_REASON})`,
  () => {
    it('signs workload then env of contract.enc.yaml to exactly the expected signature', () => {
      const dir = referencePath('fixtures', 'signature-vector');
      const parsed = parseUserData(
        readFileSync(join(dir, 'contract.enc.yaml'), 'utf8'),
        'contract.enc.yaml',
      );
      const workload = parsed.sections.get('workload')!.value;
      const env = parsed.sections.get('env')!.value;
      const key = createPrivateKey(readFileSync(join(dir, 'private.pem')));
      const expected = readFileSync(join(dir, 'expected-envWorkloadSignature.txt'), 'utf8').trim();
      expect(signContract(workload, env, key)).toBe(expected);
      expect(verifyContractSignature(workload, env, expected, createPublicKey(key))).toBe(true);
      // the order is workload then env; env then workload is another message
      expect(verifyContractSignature(env, workload, expected, createPublicKey(key))).toBe(false);
    });
  },
);

describe('contract signature', () => {
  const workload = 'hyper-protect-basic.AAAA.BBBB';
  const env = 'hyper-protect-basic.CCCC.DDDD';

  it('signs the workload value immediately followed by the env value', () => {
    expect(signedContractBytes(workload, env).toString()).toBe(workload + env);
  });

  it.skipIf(!hasTool('openssl'))(
    'verifies with openssl dgst -sha256 -verify, and a changed byte fails',
    () => {
      const signature = signContract(workload, env, privateKey);
      expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
      const dir = tempDir();
      writeFileSync(join(dir, 'pub.pem'), publicKey.export({ format: 'pem', type: 'spki' }));
      writeFileSync(join(dir, 'sig.bin'), Buffer.from(signature, 'base64'));
      const verify = (data: string) =>
        runTool(
          'openssl',
          ['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig.bin')],
          data,
        );
      expect(verify(workload + env).status).toBe(0);
      expect(verify(workload + env + '\n').status).not.toBe(0);
    },
  );

  it('rejects a signature by another key or over other values', () => {
    const signature = signContract(workload, env, privateKey);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(verifyContractSignature(workload, env, signature, other.publicKey)).toBe(false);
    expect(verifyContractSignature(workload, env + 'x', signature, publicKey)).toBe(false);
    expect(verifyContractSignature(workload, env, signature, publicKey)).toBe(true);
  });

  it('accepts a signature YAML folded over lines and refuses one that is not base64', () => {
    const signature = signContract(workload, env, privateKey);
    const folded = signature.replace(/(.{64})/g, '$1\n');
    expect(verifyContractSignature(workload, env, folded, publicKey)).toBe(true);
    expect(thrownHpvsError(() => decodeContractSignature('not base64!')).code).toBe(
      'SIGNATURE_INVALID',
    );
    expect(thrownHpvsError(() => decodeContractSignature('')).code).toBe('SIGNATURE_INVALID');
  });

  it('refuses a non-RSA signing key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(thrownHpvsError(() => signContract(workload, env, ec.privateKey)).code).toBe(
      'KEY_UNSUPPORTED',
    );
  });
});
