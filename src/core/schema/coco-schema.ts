import { envSchema, workloadSchema } from './contract-schema.js';

/**
 * The ccco (confidential containers) variant of hpvs-ctl's contract schema, written from IBM's
 * hpse-contract-schema-coco-1.0.93-rhel.json (SPEC-IBM A7.2): the workload's
 * `confidential-containers` section is fully defined, env `logging` is optional and env gains
 * `host-attestation` (bare metal). What the published schema misses (cosign entries keyed by an
 * image reference, the policy's content, the keys' kind) is checked in
 * confidential-containers-rules.ts.
 */

type Schema = Record<string, unknown>;

const NAME = '^[a-zA-Z0-9_-]+$';
const nameRule = (what: string): Schema => ({
  pattern: NAME,
  hpvsMessage: `is not a valid ${what} name (letters, digits, _ and -)`,
});

const stringList: Schema = { type: 'array', items: { type: 'string' } };

const secret: Schema = {
  type: 'object',
  required: ['verificationKey', 'decryptionKey'],
  properties: {
    verificationKey: { type: 'string' },
    decryptionKey: { type: 'string' },
  },
};

export const confidentialContainersSchema: Schema = {
  type: 'object',
  required: ['regoValidator'],
  properties: {
    config: {
      type: 'object',
      properties: {
        cosign: {
          type: 'object',
          patternProperties: {
            [NAME]: {
              type: 'object',
              required: ['publicKey'],
              properties: { publicKey: { type: 'string' } },
            },
          },
        },
      },
    },
    allowedContainers: {
      type: 'object',
      propertyNames: nameRule('container'),
      additionalProperties: {
        type: 'object',
        required: ['allowedImages'],
        properties: {
          allowedImages: {
            type: 'object',
            properties: { imageNames: stringList, imagePatterns: stringList },
            anyOf: [
              { properties: { imageNames: stringList }, required: ['imageNames'] },
              { properties: { imagePatterns: stringList }, required: ['imagePatterns'] },
            ],
            hpvsMessage: 'needs imageNames or imagePatterns (a list of image references)',
          },
        },
      },
    },
    regoValidator: {
      type: 'object',
      required: ['policy'],
      properties: { policy: { type: 'string' } },
    },
    secret,
  },
};

const envConfidentialContainers: Schema = {
  type: 'object',
  properties: { secret },
};

const hostAttestation: Schema = {
  type: 'object',
  propertyNames: nameRule('host key document'),
  additionalProperties: {
    type: 'object',
    required: ['description', 'host-key-doc'],
    additionalProperties: false,
    properties: {
      description: { type: 'string' },
      'host-key-doc': { type: 'string' },
    },
  },
};

export function cocoWorkloadSchema(): Schema {
  const schema = workloadSchema();
  const properties = schema.properties as Record<string, Schema>;
  return {
    ...schema,
    properties: { ...properties, 'confidential-containers': confidentialContainersSchema },
  };
}

export function cocoEnvSchema(): Schema {
  const schema = envSchema();
  const properties = schema.properties as Record<string, Schema>;
  return {
    ...schema,
    required: ['type'],
    properties: {
      ...properties,
      'confidential-containers': envConfidentialContainers,
      'host-attestation': hostAttestation,
    },
  };
}
