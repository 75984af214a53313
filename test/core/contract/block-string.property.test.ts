import { systemRandom } from '../../../src/node/random.js';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockStringEntry } from '../../../src/core/contract/assemble-contract.js';
import { buildContractFile } from '../../../src/core/authoring/build-contract-file.js';
import { decryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { parsePublicKeyOrCertificate } from '../../../src/core/crypto/keys.js';
import {
  buildEnvSection,
  buildWorkloadSection,
} from '../../../src/core/authoring/section-builders.js';
import { signUserData } from '../../../src/core/contract/sign-user-data.js';
import { parseSectionText, parseUserData } from '../../../src/core/contract/user-data.js';
import { verifyContract } from '../../../src/core/contract/verify-contract.js';

const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const hpcr = generateKeyPairSync('rsa', { modulusLength: 2048 });
const random = (length: number) => new Uint8Array(randomBytes(length));
const signingKey = signer.publicKey.export({ format: 'pem', type: 'spki' }) as string;

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);
const value = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    'yes',
    '8080',
    '~',
    '- x',
    '# y',
    ' lead',
    'trail ',
    'a\nb',
    '\nx\n',
    'x\n\n',
    '|',
  ),
);
const environment = fc.dictionary(name, value, { maxKeys: 5 });
// what users put around a section's YAML: comments, blank lines, a uniform indentation (valid
// YAML too), no final newline or several
const layout = fc.record({
  head: fc.constantFrom('', '\n', '# a comment\n', '\n# after a blank line\n\n'),
  indent: fc.constantFrom('', '  ', '    '),
  tail: fc.constantFrom('', '\n', '\n\n', '\n\n\n', '\n# trailing comment\n'),
});

function arrange(text: string, shape: { head: string; indent: string; tail: string }): string {
  const body = text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line === '' ? '' : `${shape.indent}${line}`))
    .join('\n');
  return `${shape.head}${body}${shape.tail}`;
}

const contract = fc
  .record({ workloadEnv: environment, envEnv: environment, w: layout, e: layout })
  .map(({ workloadEnv, envEnv, w, e }) => ({
    workload: arrange(buildWorkloadSection({ play: {}, env: workloadEnv }), w),
    env: arrange(
      buildEnvSection({
        logging: { logRouter: { hostname: 'logs.example.com', iamApiKey: 'k' } },
        env: envEnv,
        signingKey,
      }),
      e,
    ),
  }));

describe('block-string contracts round-trip byte for byte', () => {
  it('a section written as a | block reads back as exactly its text, and signing changes only the signature line', () => {
    fc.assert(
      fc.property(contract, ({ workload, env }) => {
        const text = `# user data\n${blockStringEntry('workload', workload)}${blockStringEntry('env', env)}`;
        const parsed = parseUserData(text, 'user-data.yaml');
        for (const [key, original] of [
          ['workload', workload],
          ['env', env],
        ] as const) {
          const section = parsed.sections.get(key)!;
          expect(section.form).toBe('string');
          expect(section.value).toBe(original);
          expect(section.data).toEqual(parseSectionText(key, original, key).data);
        }
        const signed = signUserData(text, 'user-data.yaml', signer.privateKey);
        expect(signed.text).toBe(`${text}envWorkloadSignature: ${signed.signature}\n`);
        expect(
          verifyContract(parseUserData(signed.text, 'u'), { now: new Date(), random: systemRandom })
            .ok,
        ).toBe(true);
        // signing again replaces the signature with the same one: nothing changes
        expect(signUserData(signed.text, 'user-data.yaml', signer.privateKey).text).toBe(
          signed.text,
        );
      }),
      { numRuns: 150 },
    );
  });

  it('contract --in keeps a signed block-string contract byte for byte, and encrypts exactly the string values', async () => {
    await fc.assert(
      fc.asyncProperty(
        contract,
        fc.constantFrom('', '# note\n', 'x-extra: 1\n'),
        async ({ workload, env }, extra) => {
          const text = `${blockStringEntry('workload', workload)}${extra}${blockStringEntry('env', env)}`;
          const signed = signUserData(text, 'u.yaml', signer.privateKey).text;
          const now = new Date();
          // nothing asked: nothing changes; signing with env's own key: nothing changes either
          const same = await buildContractFile({ text: signed, source: 'u.yaml', now, random });
          expect(same.text).toBe(signed);
          const resigned = await buildContractFile({
            text: signed,
            source: 'u.yaml',
            signing: { privateKey: signer.privateKey },
            now,
            random,
          });
          expect(resigned.text).toBe(signed);
          const sealed = await buildContractFile({
            text: signed,
            source: 'u.yaml',
            encryption: {
              material: parsePublicKeyOrCertificate(
                hpcr.publicKey.export({ type: 'spki', format: 'pem' }) as string,
                'hpcr',
              ),
              source: 'hpcr',
            },
            signing: { privateKey: signer.privateKey },
            now,
            random,
          });
          const parsed = parseUserData(sealed.text, 'sealed.yaml');
          expect(
            decryptSection(
              parsed.sections.get('workload')!.value,
              hpcr.privateKey,
              systemRandom,
            ).toString(),
          ).toBe(workload);
          expect(
            decryptSection(
              parsed.sections.get('env')!.value,
              hpcr.privateKey,
              systemRandom,
            ).toString(),
          ).toBe(env);
          expect(sealed.text.includes(extra)).toBe(true);
          expect(
            verifyContract(parsed, { now, decryptKey: hpcr.privateKey, random: systemRandom }).ok,
          ).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});
