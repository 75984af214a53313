import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOneLineError, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import {
  generateTestPki,
  TEST_PKI_AT,
  trustArgs,
  writeTestPki,
  type TestPkiFiles,
} from '../../helpers/test-pki.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir();
let files: TestPkiFiles;
let section: string;
// --allow-expired keeps the test independent of today's date: the chain check runs at --at.
const FIXED_TIME = ['--allow-expired', '--at', TEST_PKI_AT.toISOString()];

beforeAll(async () => {
  files = writeTestPki(await generateTestPki(), join(tempDir(), 'pki'));
  section = join(tempDir(), 'env.yaml');
  writeFileSync(section, 'type: env\n');
});

describe('hpvs-ctl encrypt with a trust anchor', () => {
  it('encrypts for a certificate that chains to --root with current CRLs', async () => {
    const result = await runCli([
      'encrypt',
      section,
      '--cert',
      files.encryption,
      ...trustArgs(files),
      ...FIXED_TIME,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^hyper-protect-basic\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\n$/);
  });

  it('refuses a revoked certificate and writes nothing', async () => {
    const out = join(tempDir(), 'revoked.enc');
    const result = await runCli([
      'encrypt',
      section,
      '--cert',
      files.revoked,
      ...trustArgs(files),
      ...FIXED_TIME,
      '--out',
      out,
    ]);
    expect(result.code).toBe(1);
    expect(isOneLineError(result.stderr)).toBe(true);
    expect(result.stderr).toMatch(/not encrypting for an untrusted certificate: .*revoked/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a certificate whose CRL is forged', async () => {
    const result = await runCli([
      'encrypt',
      section,
      '--cert',
      files.encryption,
      '--chain',
      files.intermediate,
      '--root',
      files.root,
      '--crl',
      files.rootCrl,
      '--crl',
      files.forgedIntermediateCrl,
      ...FIXED_TIME,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hpvs-ctl: error: .*untrusted certificate/);
  });

  it('an intermediate as --root needs --partial-chain, as in openssl', async () => {
    const args = [
      'encrypt',
      section,
      '--cert',
      files.encryption,
      '--root',
      files.intermediate,
      '--crl',
      files.intermediateCrl,
      ...FIXED_TIME,
    ];
    const refused = await runCli(args);
    expect(refused.code).toBe(1);
    expect(isOneLineError(refused.stderr), refused.stderr).toBe(true);
    expect(refused.stderr).toMatch(/is not self-signed, so it is not a trust anchor by itself/);
    const partial = await runCli([...args, '--partial-chain']);
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toMatch(/^hyper-protect-basic\./);
  });

  it('treats chain or CRL files without --root as a usage error', async () => {
    const result = await runCli(
      story.encrypt({ file: section, cert: files.encryption, crl: files.intermediateCrl }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/only with --root/);
  });
});
