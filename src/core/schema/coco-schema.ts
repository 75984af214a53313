import { envSchema, workloadSchema } from './contract-schema.js';

/**
 * The ccco (confidential containers) variant of hpvs-ctl's contract schema, written from IBM's
 * hpse-contract-schema-coco-1.0.93-rhel.json (SPEC-IBM A7.2): the workload's
 * `confidential-containers` section is fully defined, env `logging` is optional, env gains
 * `host-attestation` (bare metal), and env volumes and logRouter follow the coco schema's own
 * definitions where they differ from the hpvs one (cocoEnvVolume, cocoLogging). What the published schema misses (cosign entries keyed by an
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

/**
 * The coco schema's env volume (`envVolumeWithKey` or `envVolumePlain`): the seed is required,
 * and the Ultravisor secret (`uv-secret-id`, `uv-previous-secret-id`) and GREP11 key sources of
 * the hpvs schema do not exist there: a confidential container has no Secure Execution
 * Ultravisor secret slots and no GREP11 endpoint, so they are unknown keys on ccco.
 */
const HPVS_ONLY_VOLUME_KEYS = ['uv-secret-id', 'uv-previous-secret-id', 'grep11'];

function cocoEnvVolume(volume: Schema): Schema {
  const properties = { ...(volume.properties as Record<string, Schema>) };
  for (const key of HPVS_ONLY_VOLUME_KEYS) delete properties[key];
  return { ...volume, required: ['seed'], properties };
}

/** The coco schema's logRouter also takes `tags` (a list of strings), as logDNA does. */
function cocoLogging(logging: Schema): Schema {
  const targets = logging.properties as Record<string, Schema>;
  const logRouter = targets.logRouter!;
  return {
    ...logging,
    properties: {
      ...targets,
      logRouter: {
        ...logRouter,
        properties: {
          ...(logRouter.properties as Record<string, Schema>),
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  };
}

export function cocoEnvSchema(): Schema {
  const schema = envSchema();
  const properties = schema.properties as Record<string, Schema>;
  const volumes = properties.volumes!;
  return {
    ...schema,
    required: ['type'],
    properties: {
      ...properties,
      logging: cocoLogging(properties.logging!),
      volumes: {
        ...volumes,
        additionalProperties: cocoEnvVolume(volumes.additionalProperties as Schema),
      },
      'confidential-containers': envConfidentialContainers,
      'host-attestation': hostAttestation,
    },
  };
}
