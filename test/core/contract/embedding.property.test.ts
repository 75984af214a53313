import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleContract } from '../../../src/core/contract/assemble-contract.js';
import {
  buildEnvSection,
  buildWorkloadSection,
} from '../../../src/core/authoring/section-builders.js';
import { parseSectionText, parseUserData } from '../../../src/core/contract/user-data.js';
import { verifyContract } from '../../../src/core/contract/verify-contract.js';
import { systemRandom } from '../../../src/node/random.js';

const random = (length: number) => new Uint8Array(randomBytes(length));
const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = signer.publicKey.export({ format: 'pem', type: 'spki' }) as string;

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);
// any text a user might put in a value: YAML indicators, quotes, line breaks, spaces at the
// ends, non-ASCII
const value = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    'yes',
    'on',
    '12:30',
    '8080',
    'true',
    '~',
    '- x',
    '# y',
    '"q"',
    ' lead',
    'trail ',
    'a\nb',
    '\nx\n',
    'x\n\n',
    '|',
    '>',
  ),
);
const environment = fc.dictionary(name, value, { maxKeys: 6 });

describe('builders, embedding and signing agree for any environment values', () => {
  it('a built section parses back to the same values, embedded or alone, and its signature verifies', () => {
    fc.assert(
      fc.property(environment, environment, (workloadEnv, envEnv) => {
        const workload = buildWorkloadSection({ play: {}, env: workloadEnv });
        const env = buildEnvSection({
          logging: { logRouter: { hostname: 'logs.example.com', iamApiKey: 'k' } },
          env: envEnv,
        });
        const alone = parseSectionText('workload', workload, 'w').data as { env?: object };
        expect(alone.env ?? {}).toEqual(workloadEnv);
        const contract = assembleContract({
          workload: { text: workload, source: 'w' },
          env: { text: env, source: 'e' },
          signing: { privateKey: signer.privateKey, signingKey },
          random,
        });
        const parsed = parseUserData(contract.text, 'user-data');
        expect((parsed.sections.get('workload')!.data as { env?: object }).env ?? {}).toEqual(
          workloadEnv,
        );
        expect((parsed.sections.get('env')!.data as { env?: object }).env ?? {}).toEqual(envEnv);
        expect(
          verifyContract(parsed, { random: systemRandom, now: new Date() }).signatureValid,
        ).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
