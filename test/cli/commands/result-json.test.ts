import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { runTool } from '../../helpers/tools.js';
import { writeAuthoringFiles, type AuthoringFiles } from './contract-fixtures.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-result-json-');
const SECTION = 'type: env\nsecret-marker: do-not-print-me\n';
let f: AuthoringFiles;
const path = (name: string) => join(f.dir, name);
/** sha256 as openssl computes it, so the digests are checked against another implementation. */
const opensslSha256 = (data: string | Buffer) =>
  runTool('openssl', ['dgst', '-sha256', '-r'], Buffer.from(data)).stdout.toString().split(' ')[0];

describe('encrypt and decrypt --json', () => {
  beforeAll(async () => {
    f = await writeAuthoringFiles(tempDir());
    writeFileSync(path('env.yaml'), SECTION);
  });

  it("encrypt --json gives the token, its prefix and the token's SHA-256, withholding the plaintext's", async () => {
    const result = await runCli(
      story.encrypt({ file: path('env.yaml'), cert: f.hpcrCert, platform: 'ccrt', json: true }),
    );
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.prefix).toBe('contract-basic');
    expect(document.token).toMatch(/^contract-basic\./);
    // a digest of a plaintext is a guessing oracle for a low-entropy secret in it
    expect(document.sha256_in).toBeNull();
    expect(result.stdout).not.toContain(createHash('sha256').update(SECTION).digest('hex'));
    expect(document.sha256_out).toBe(opensslSha256(document.token));
  });

  it('encrypt --json --out writes the token to the file and names it instead', async () => {
    const out = path('env.enc');
    const result = await runCli(
      story.encrypt({ file: path('env.yaml'), cert: f.hpcrCert, json: true, out }),
    );
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.token).toBeUndefined();
    expect(document.out).toBe(out);
    expect(document.sha256_out).toBe(opensslSha256(readFileSync(out, 'utf8').trimEnd()));
  });

  it('decrypt --json describes the plaintext it wrote, never prints it, and needs --out', async () => {
    const out = path('env.dec');
    const result = await runCli(
      story.decrypt({ file: path('env.enc'), key: f.hpcrKey, out, json: true }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('do-not-print-me');
    const document = JSON.parse(result.stdout);
    expect(document).toEqual({
      out,
      prefix: 'hyper-protect-basic',
      bytes: Buffer.byteLength(SECTION),
      sha256_in: opensslSha256(readFileSync(path('env.enc'))),
      sha256_out: null,
    });
    expect(result.stdout).not.toContain(opensslSha256(SECTION));
    expect(readFileSync(out, 'utf8')).toBe(SECTION);
    const noOut = await runCli(['decrypt', path('env.enc'), '--key', f.hpcrKey, '--json']);
    expect(noOut.code).toBe(2);
    expect(noOut.stdout).toBe('');
    expect(existsSync(path('-'))).toBe(false);
  });
});

describe('contract and sign --json', () => {
  it('contract --json names the file and gives the SHA-256 of each input and of the contract', async () => {
    writeFileSync(path('workload.yaml'), 'type: workload\nplay:\n  resources: []\n');
    const out = path('user-data.yaml');
    const result = await runCli(
      story.contract({
        workload: path('workload.yaml'),
        env: path('env.enc'),
        cert: f.hpcrCert,
        out,
        json: true,
      }),
    );
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toEqual({
      out,
      plaintextSections: [],
      sha256_in: {
        // a plaintext section's digest is withheld, a token's given
        workload: null,
        env: opensslSha256(readFileSync(path('env.enc'))),
      },
      sha256_out: opensslSha256(readFileSync(out)),
    });
    const stdout = await runCli(
      story.contract({ workload: path('workload.yaml'), env: path('env.enc'), json: true }),
    );
    expect(stdout.code).toBe(2);
  });

  it('contract --in --json and sign --json give the digests of what they read and wrote', async () => {
    writeFileSync(path('key.txt'), `${'a'.repeat(32)}\n`);
    const env = await runCli(
      story.env({
        logRouterHost: 'h.example.com',
        logRouterKeyFile: path('key.txt'),
        out: path('valid-env.yaml'),
      }),
    );
    expect(env.code, env.stderr).toBe(0);
    const plain = path('plain-user-data.yaml');
    const made = await runCli(
      story.contract({ workload: path('workload.yaml'), env: path('valid-env.yaml'), out: plain }),
    );
    expect(made.code, made.stderr).toBe(0);
    const out = path('from-in.yaml');
    const fromIn = await runCli(story.contract({ in: plain, cert: f.hpcrCert, out, json: true }));
    expect(fromIn.code, fromIn.stderr).toBe(0);
    expect(JSON.parse(fromIn.stdout)).toEqual({
      out,
      plaintextSections: [],
      sha256_in: { in: null },
      sha256_out: opensslSha256(readFileSync(out)),
    });
    const signedOut = path('signed.yaml');
    const signed = await runCli(['sign', out, '--key', f.signKey, '--out', signedOut, '--json']);
    expect(signed.code, signed.stderr).toBe(0);
    expect(JSON.parse(signed.stdout)).toEqual({
      out: signedOut,
      sha256_in: opensslSha256(readFileSync(out)),
      sha256_out: opensslSha256(readFileSync(signedOut)),
    });
    expect((await runCli(['sign', out, '--key', f.signKey, '--json'])).code).toBe(2);
    // signing the plaintext contract: both digests withheld
    const plainSigned = await runCli(
      story.sign({ userData: plain, key: f.signKey, out: path('plain-signed.yaml'), json: true }),
    );
    expect(plainSigned.code, plainSigned.stderr).toBe(0);
    expect(JSON.parse(plainSigned.stdout)).toEqual({
      out: path('plain-signed.yaml'),
      sha256_in: null,
      sha256_out: null,
    });
  });
});
