import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * An RSA key pair made by openssl itself, the oracle the tests compare against: `<name>.pem`
 * (PKCS#8) and `<name>-public.pem` (SPKI) in `dir`. 2048 bits unless the size matters.
 */
export function opensslKeyPair(
  dir: string,
  name: string,
  bits = 2048,
): { privatePath: string; publicPath: string } {
  const privatePath = join(dir, `${name}.pem`);
  const publicPath = join(dir, `${name}-public.pem`);
  for (const args of [
    ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', privatePath],
    ['pkey', '-in', privatePath, '-pubout', '-out', publicPath],
  ]) {
    const result = spawnSync('openssl', args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  }
  return { privatePath, publicPath };
}
