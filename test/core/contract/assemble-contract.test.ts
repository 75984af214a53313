import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliNotice } from '../../../src/cli/commands/input-phrases.js';
import { sayNotice } from '../../../src/core/wording.js';
import { assembleContract } from '../../../src/core/contract/assemble-contract.js';
import {
  buildEnvSection,
  buildWorkloadSection,
} from '../../../src/core/authoring/section-builders.js';
import { injectSigningKey } from '../../../src/core/contract/signing-key.js';
import { signUserData } from '../../../src/core/contract/sign-user-data.js';
import { parseSectionText, parseUserData } from '../../../src/core/contract/user-data.js';
import { verifyContract } from '../../../src/core/contract/verify-contract.js';
import { decryptSection, encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { parsePublicKeyOrCertificate } from '../../../src/core/crypto/keys.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import { systemRandom } from '../../../src/node/random.js';

const tempDir = useTempDir('hpvs-ctl-assemble-');
const random = (length: number) => new Uint8Array(randomBytes(length));
const hpcr = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signerPem = signer.publicKey.export({ format: 'pem', type: 'spki' }) as string;

const WORKLOAD = buildWorkloadSection({
  play: {
    resources: [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', image: 'i' }] },
      },
    ],
  },
  volumes: { data: { seed: 'workload-seed-0123456789', mount: '/mnt/data' } },
  env: { PORT: '8080' },
});
const ENV = buildEnvSection({
  logging: { logRouter: { hostname: 'logs.example.com', iamApiKey: 'api-key' } },
  volumes: { data: { seed: 'env-seed-0123456789' } },
});

function opensslVerifies(text: string, publicKeyPem: string): boolean {
  const parsed = parseUserData(text, 'user-data');
  const dir = tempDir();
  writeFileSync(join(dir, 'pub.pem'), publicKeyPem);
  writeFileSync(
    join(dir, 'sig.bin'),
    Buffer.from(parsed.sections.get('envWorkloadSignature')!.value, 'base64'),
  );
  const data = parsed.sections.get('workload')!.value + parsed.sections.get('env')!.value;
  return (
    runTool(
      'openssl',
      ['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig.bin')],
      data,
    ).status === 0
  );
}

describe('section builders', () => {
  it('write strings as strings, PEM as literal blocks and nothing folded', () => {
    expect(WORKLOAD).toContain('PORT: "8080"');
    const env = buildEnvSection({
      logging: {
        syslog: {
          hostname: 'h.example.com',
          port: 6514,
          server: '-----BEGIN CERTIFICATE-----\r\nAAAA\r\n-----END CERTIFICATE-----',
        },
      },
      env: { FLAG: 'true', LONG: 'x'.repeat(300) },
    });
    expect(env).toContain(
      '    server: |\n      -----BEGIN CERTIFICATE-----\n      AAAA\n      -----END CERTIFICATE-----\n',
    );
    expect(env).toContain('FLAG: "true"');
    expect(env).toContain(`LONG: ${'x'.repeat(300)}\n`);
    const data = parseSectionText('env', env, 'env').data as {
      logging: { syslog: { server: string; port: number } };
    };
    expect(data.logging.syslog.server).toBe(
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    );
    expect(data.logging.syslog.port).toBe(6514);
  });

  it('are deterministic: the same input gives the same text, type first', () => {
    expect(buildEnvSection({ logging: { logRouter: { hostname: 'h', iamApiKey: 'k' } } })).toBe(
      'type: env\nlogging:\n  logRouter:\n    hostname: h\n    iamApiKey: k\n',
    );
  });
});

describe('assembleContract', () => {
  it('encrypts the exact section text, injects signingKey into env first and signs the final values', () => {
    const result = assembleContract({
      workload: { text: WORKLOAD, source: 'workload.yaml' },
      env: { text: ENV, source: 'env.yaml' },
      encryptTo: hpcr.publicKey,
      signing: { privateKey: signer.privateKey, signingKey: signerPem },
      random,
    });
    expect(result.text).toMatch(
      /^workload: hyper-protect-basic\.\S+\nenv: hyper-protect-basic\.\S+\nenvWorkloadSignature: [A-Za-z0-9+/=]+\n$/,
    );
    expect(result.plaintextSections).toEqual([]);
    const parsed = parseUserData(result.text, 'user-data');
    expect(
      decryptSection(
        parsed.sections.get('workload')!.value,
        hpcr.privateKey,
        systemRandom,
      ).toString(),
    ).toBe(WORKLOAD);
    const env = decryptSection(
      parsed.sections.get('env')!.value,
      hpcr.privateKey,
      systemRandom,
    ).toString();
    expect(env).toBe(`${ENV}signingKey: |\n${signerPem.trimEnd().replace(/^/gm, '  ')}\n`);
    expect(
      verifyContract(parsed, { random: systemRandom, decryptKey: hpcr.privateKey, now: new Date() })
        .ok,
    ).toBe(true);
    if (hasTool('openssl')) expect(opensslVerifies(result.text, signerPem)).toBe(true);
  });

  it("keeps a provider's encrypted workload token as it is", () => {
    const token = encryptSection(Buffer.from(WORKLOAD), hpcr.publicKey, random);
    const result = assembleContract({
      workload: { text: `${token}\n`, source: 'workload.enc' },
      env: { text: ENV, source: 'env.yaml' },
      encryptTo: hpcr.publicKey,
      signing: { privateKey: signer.privateKey, signingKey: signerPem },
      random,
    });
    expect(parseUserData(result.text, 'u').sections.get('workload')!.value).toBe(token);
  });

  it('embeds plaintext sections and signs what a reader extracts from them', () => {
    const result = assembleContract({
      workload: { text: WORKLOAD, source: 'w' },
      env: { text: ENV, source: 'e' },
      signing: { privateKey: signer.privateKey, signingKey: signerPem },
      attestationPublicKey: { text: signerPem, source: 'att.pub' },
      random,
    });
    expect(result.plaintextSections).toEqual(['workload', 'env']);
    expect(result.warnings.map((warning) => sayNotice(warning)).join('\n')).toMatch(
      /env is not encrypted: .*; encrypt it for the runtime's encryption certificate$/m,
    );
    expect(result.warnings.map(cliNotice).join('\n')).toMatch(
      /env is not encrypted: .*; add --cert$/m,
    );
    const parsed = parseUserData(result.text, 'u');
    expect(parsed.sections.get('attestationPublicKey')!.value).toBe(signerPem);
    expect(verifyContract(parsed, { random: systemRandom, now: new Date() }).ok).toBe(true);
    if (hasTool('openssl')) expect(opensslVerifies(result.text, signerPem)).toBe(true);
  });

  it('embeds a section file that starts with --- and a directive, and ends with ...', () => {
    const result = assembleContract({
      workload: { text: `%YAML 1.2\n---\n${WORKLOAD}...\n`, source: 'w' },
      env: { text: `# env\n--- # start\n${ENV}`, source: 'e' },
      random,
    });
    const parsed = parseUserData(result.text, 'u');
    expect(parsed.sections.get('workload')!.data).toEqual(
      parseSectionText('workload', WORKLOAD, 'w').data,
    );
    expect(parsed.sections.get('env')!.data).toEqual(parseSectionText('env', ENV, 'e').data);
  });

  it('refuses to sign when env is already encrypted, and says why', () => {
    const token = encryptSection(Buffer.from(ENV), hpcr.publicKey, random);
    const error = thrownHpvsError(() =>
      assembleContract({
        workload: { text: WORKLOAD, source: 'w' },
        env: { text: token, source: 'env.enc' },
        signing: { privateKey: signer.privateKey, signingKey: signerPem },
        random,
      }),
    );
    expect(error.code).toBe('CONTRACT_INVALID');
    expect(error.message).toMatch(
      /^env\.enc: env is already encrypted, so its signingKey cannot be added/,
    );
  });

  it('refuses a signingKey that is not the signing key, and a section that is not a mapping', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const mismatch = thrownHpvsError(() =>
      assembleContract({
        workload: { text: WORKLOAD, source: 'w' },
        env: { text: ENV, source: 'e' },
        signing: { privateKey: other.privateKey, signingKey: signerPem },
        random,
      }),
    );
    expect(mismatch.code).toBe('KEY_INVALID');
    const notMapping = thrownHpvsError(() =>
      assembleContract({
        workload: { text: 'just text\n', source: 'w.yaml' },
        env: { text: ENV, source: 'e' },
        random,
      }),
    );
    expect(notMapping.message).toMatch(/^w\.yaml: not a workload section/);
  });
});

describe('injectSigningKey', () => {
  it('appends the key once, keeps an identical one, and refuses a different one', () => {
    const once = injectSigningKey(ENV, signerPem, 'env.yaml');
    expect(once.startsWith(ENV)).toBe(true);
    expect(injectSigningKey(once, signerPem, 'env.yaml')).toBe(once);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
      format: 'pem',
      type: 'spki',
    }) as string;
    expect(thrownHpvsError(() => injectSigningKey(once, other, 'env.yaml')).message).toMatch(
      /already has a different signingKey/,
    );
    expect(
      thrownHpvsError(() => injectSigningKey('{type: env, logging: {}}\n', signerPem, 'f')).message,
    ).toMatch(/block mapping/);
  });
});

describe('signUserData and verifyContract', () => {
  const unsigned = assembleContract({
    workload: { text: WORKLOAD, source: 'w' },
    env: { text: injectSigningKey(ENV, signerPem, 'e'), source: 'e' },
    encryptTo: hpcr.publicKey,
    random,
  }).text;

  it('adds a signature, then replaces it in place, leaving the other bytes alone', () => {
    const signed = signUserData(unsigned, 'u', signer.privateKey);
    expect(signed.text.startsWith(unsigned)).toBe(true);
    const resigned = signUserData(
      signed.text.replace(signed.signature, 'AAAA'),
      'u',
      signer.privateKey,
    );
    expect(resigned.text).toBe(signed.text);
    const material = parsePublicKeyOrCertificate(signerPem, 'pub');
    expect(
      verifyContract(parseUserData(signed.text, 'u'), {
        random: systemRandom,
        signingKey: material,
        now: new Date(),
      }).signatureValid,
    ).toBe(true);
  });

  it('fills an envWorkloadSignature key left without a value', () => {
    const signed = signUserData(`${unsigned}envWorkloadSignature:\n`, 'u', signer.privateKey);
    expect(signed.text).toBe(`${unsigned}envWorkloadSignature: ${signed.signature}\n`);
  });

  it('finds a changed section and a wrong key', () => {
    const signed = signUserData(unsigned, 'u', signer.privateKey).text;
    const lines = signed.split('\n');
    const swapped = [
      lines[1]!.replace('env:', 'workload:'),
      lines[0]!.replace('workload:', 'env:'),
      ...lines.slice(2),
    ].join('\n');
    expect(
      verifyContract(parseUserData(swapped, 'u'), {
        random: systemRandom,
        signingKey: { publicKey: signer.publicKey },
        now: new Date(),
      }).signatureValid,
    ).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const result = verifyContract(parseUserData(signed, 'u'), {
      random: systemRandom,
      signingKey: { publicKey: other.publicKey },
      decryptKey: hpcr.privateKey,
      now: new Date(),
    });
    expect(result.signatureValid).toBe(false);
    expect(result.warnings.map((warning) => sayNotice(warning))).toContain(
      'env.signingKey is a different key than the signing public key; the runtime checks against env.signingKey',
    );
    expect(result.warnings.map(cliNotice)).toContain(
      'env.signingKey is a different key than --signing-key; the runtime checks against env.signingKey',
    );
  });

  it('needs a key source for an encrypted env, and a signature at all', () => {
    const signed = signUserData(unsigned, 'u', signer.privateKey).text;
    expect(
      thrownHpvsError(() =>
        verifyContract(parseUserData(signed, 'u'), { random: systemRandom, now: new Date() }),
      ).code,
    ).toBe('ARGUMENT_INVALID');
    expect(
      thrownHpvsError(() =>
        verifyContract(parseUserData(unsigned, 'u'), { random: systemRandom, now: new Date() }),
      ).code,
    ).toBe('VERIFICATION_FAILED');
    const wrongHpcr = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(
      thrownHpvsError(() =>
        verifyContract(parseUserData(signed, 'u'), {
          random: systemRandom,
          decryptKey: wrongHpcr.privateKey,
          now: new Date(),
        }),
      ).code,
    ).toBe('DECRYPTION_FAILED');
  });

  it('refuses to sign with a key other than a plaintext env.signingKey', () => {
    const plain = assembleContract({
      workload: { text: WORKLOAD, source: 'w' },
      env: { text: injectSigningKey(ENV, signerPem, 'e'), source: 'e' },
      random,
    }).text;
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(thrownHpvsError(() => signUserData(plain, 'u', other.privateKey)).code).toBe(
      'KEY_INVALID',
    );
  });
});

describe('section builders and YAML 1.1 readers', () => {
  it('quote strings that a YAML 1.1 reader would take as another type', () => {
    const text = buildWorkloadSection({
      play: {},
      env: { A: 'yes', B: '12:30', C: 'hello', D: 'off' },
    });
    expect(text).toContain('  A: "yes"\n  B: "12:30"\n  C: hello\n  D: "off"\n');
  });
});

describe('user data size', () => {
  it('warns when the contract is over the 64 KiB IBM Cloud limit', () => {
    const big = buildWorkloadSection({ play: {}, env: { BLOB: 'x'.repeat(70 * 1024) } });
    const result = assembleContract({
      workload: { text: big, source: 'w' },
      env: { text: ENV, source: 'e' },
      encryptTo: hpcr.publicKey,
      random,
    });
    expect(result.warnings).toContainEqual(
      expect.stringMatching(/^user data is \d+ bytes, more than the 64 KiB IBM Cloud VPC accepts/),
    );
    expect(
      assembleContract({
        workload: { text: WORKLOAD, source: 'w' },
        env: { text: ENV, source: 'e' },
        encryptTo: hpcr.publicKey,
        random,
      }).warnings,
    ).toEqual([]);
  });
});
