import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolResult } from './tools.js';

/** Runs `openssl` asynchronously, so a test can keep a few running at once. */
export function opensslAsync(args: string[], input?: Uint8Array | string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        status: code ?? -1,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** Like Promise.all over `items.map(task)`, with at most `limit` tasks running at once. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * A self-signed certificate with exactly the given validity, made by `openssl ca`, the one
 * openssl 3.0 command that takes arbitrary start and end dates (node:crypto cannot make
 * certificates). Dates are `YYYYMMDDHHMMSSZ`. Returns the PEM paths.
 */
export function makeSelfSignedCertificate(
  dir: string,
  options: {
    notBefore: string;
    notAfter: string;
    algorithm?: 'RSA' | 'EC';
    /** Certify this existing private key instead of generating one (RSA-4096 takes seconds). */
    keyPath?: string;
  },
): { certPath: string; keyPath: string } {
  const work = mkdtempSync(join(dir, 'ca-'));
  const keyPath = options.keyPath ?? join(work, 'key.pem');
  const csrPath = join(work, 'csr.pem');
  const certPath = join(work, 'cert.pem');
  const config = join(work, 'ca.cnf');
  writeFileSync(join(work, 'index.txt'), '');
  writeFileSync(join(work, 'serial'), '1001\n');
  writeFileSync(
    config,
    [
      '[ca]',
      'default_ca = test_ca',
      '[test_ca]',
      `database = ${join(work, 'index.txt')}`,
      `new_certs_dir = ${work}`,
      `serial = ${join(work, 'serial')}`,
      'default_md = sha256',
      'policy = any_name',
      '[any_name]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  const keyArgs =
    options.algorithm === 'EC'
      ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']
      : ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'];
  if (options.keyPath === undefined) run(['genpkey', ...keyArgs, '-out', keyPath]);
  run(['req', '-new', '-key', keyPath, '-subj', '/CN=hpvs-ctl test', '-out', csrPath]);
  run([
    'ca',
    '-batch',
    '-notext',
    '-config',
    config,
    '-selfsign',
    '-keyfile',
    keyPath,
    '-in',
    csrPath,
    '-out',
    certPath,
    '-startdate',
    options.notBefore,
    '-enddate',
    options.notAfter,
  ]);
  return { certPath, keyPath };
}

/** `YYYYMMDDHHMMSSZ`, the date form `openssl ca -startdate/-enddate` takes. */
export function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function run(args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}
