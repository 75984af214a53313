/**
 * hpvs-ctl's own JSON Schema (draft 2020-12) for a decrypted contract, written from the facts
 * in the runtime's published schema and documentation. Rules that need more than one place
 * of the contract at once (exactly one logging target, volume names shared by workload and
 * env, compose XOR play, archive contents) live in `cross-section-rules.ts`, where they get
 * clearer messages than a `oneOf` failure could give.
 *
 * `hpvsMessage` is an annotation: the message shown when a `pattern` (or other keyword) of that
 * schema fails, instead of echoing the regular expression. `hpvsRule` names the deliberate
 * rule (see deliberate-rules.ts) a schema is stricter by.
 */

import { VOLUME_NAME_PATTERN } from '../contract/volume-names.js';
import { PORT_RANGE } from '../port-number.js';

export type Profile = 'hpvs' | 'ccrv';
export const PROFILES: readonly Profile[] = ['hpvs', 'ccrv'];

type Schema = Record<string, unknown>;

const B64 = 'A-Za-z0-9+/';
/** Base64 that may be wrapped: groups of four, whitespace allowed between groups. */
const WRAPPED_BASE64 = `(?:[${B64}]{4}\\s*)*(?:[${B64}]{3}=|[${B64}]{2}==)?`;

function pemBlock(label: string): string {
  return `-----BEGIN ${label}-----\\s+${WRAPPED_BASE64}\\s+-----END ${label}-----\\s*`;
}

export const PATTERNS = {
  seed: '^[a-zA-Z0-9!@#$%^&*(),.?":{}|<>_-]{15,}$',
  uvSecretId: '^index-[1-8]$',
  volumeName: VOLUME_NAME_PATTERN,
  mount: '^(/[^/]+)+$',
  envKey: '^[A-Za-z_][A-Za-z0-9_]*$',
  archive: '^[-A-Za-z0-9+/]*={0,3}$',
  base64: `^${WRAPPED_BASE64}$`,
  certificate: `^${pemBlock('CERTIFICATE')}$`,
  certificateBundle: `^(?:${pemBlock('CERTIFICATE')})+$`,
  privateKey: `^${pemBlock('(?:[A-Z]+\\s+)?PRIVATE KEY')}$`,
  publicKey: `^${pemBlock('PUBLIC KEY')}$`,
  crn: '^crn:(v\\d+):(bluemix|staging):(public|dedicated|local):([^:]+):([^:]+):([^:]+):([^:]+):key:(.+)$',
  grep11Address:
    '^((([a-zA-Z0-9-]+\\.)*[a-zA-Z0-9-]+)|((25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]{1,2})){3})):[0-9]{1,5}$',
  base64Material: '^[A-Za-z0-9+/=]+$',
  base64OrMasked: '^([A-Za-z0-9+/=]+|\\*+)$',
  logDnaIngestionKey: '^[a-z0-9]{32}$',
  // A registry host name or IPv4 address with an optional port, or Docker Hub's legacy URL.
  registry:
    '^(([a-zA-Z]|[a-zA-Z][a-zA-Z0-9\\-]*[a-zA-Z0-9])\\.)*([A-Za-z]|[A-Za-z][A-Za-z0-9\\-]*[A-Za-z0-9])(:[0-9]+)?$' +
    '|^(([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\\.){3}([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])(:[0-9]+)?$' +
    '|^(https:\\/\\/index\\.docker\\.io\\/v1\\/)$',
  // host/namespace/name, as Docker Content Trust names images.
  dctImage:
    '^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9])\\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\\-]*[A-Za-z0-9])\\/[a-z0-9_-]{3,30}\\/[a-z0-9_-]{2,255}$',
  // host.domain/path[:tag][@sha256:digest], as Red Hat simple signing names images.
  rhsImage:
    '^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])(\\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9]))+(\\/[a-z0-9-_]+)+(:[a-zA-Z0-9_][a-zA-Z0-9_.-]{2,127})?(@sha256:[a-f0-9]{64})?$',
} as const;

export const SEED_CHARACTERS = 'a-z A-Z 0-9 !@#$%^&*(),.?":{}|<>_-';

const str = (hpvsMessage?: string, extra: Schema = {}): Schema => ({
  type: 'string',
  ...(hpvsMessage ? { hpvsMessage } : {}),
  ...extra,
});
const nullable = (type: string): Schema => ({ type: [type, 'null'] });
const port = (hpvsMessage = 'must be a port number from 1 to 65535'): Schema => ({
  type: 'integer',
  minimum: PORT_RANGE.minimum,
  maximum: PORT_RANGE.maximum,
  hpvsMessage,
  hpvsRule: 'port-range',
});

const seed = str(`must be at least 15 characters from ${SEED_CHARACTERS}`, {
  pattern: PATTERNS.seed,
});

const stringMap = (keyPattern: string, keyMessage: string, value: Schema): Schema => ({
  type: 'object',
  propertyNames: { pattern: keyPattern, hpvsMessage: keyMessage },
  additionalProperties: value,
});

const environment = stringMap(
  PATTERNS.envKey,
  'is not a valid variable name (letters, digits and _, not starting with a digit)',
  str('must be a string: quote it ("8080", "true"), YAML reads it as another type otherwise'),
);

const credential: Schema = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: str(undefined, { minLength: 3 }),
    password: str(undefined, { minLength: 3 }),
  },
};

const auths = stringMap(
  PATTERNS.registry,
  'is not a registry host name (host[:port], IPv4[:port] or https://index.docker.io/v1/)',
  credential,
);

const archive = str("must be the base64 (one line) of a gzip'd tar", {
  pattern: PATTERNS.archive,
  minLength: 4,
});

// The subset of a Kubernetes Pod/ConfigMap that podman play kube reads, typed like the
// Kubernetes API (most fields accept null).
const objectMeta: Schema = {
  type: ['object', 'null'],
  properties: {
    name: nullable('string'),
    namespace: nullable('string'),
    labels: { type: ['object', 'null'], additionalProperties: nullable('string') },
    annotations: { type: ['object', 'null'], additionalProperties: nullable('string') },
  },
};

const K8S_RULE = { hpvsRule: 'kubernetes-shape' };

const int32 = { type: ['integer', 'null'], format: 'int32' };
const int64 = { type: ['integer', 'null'], format: 'int64' };
const stringList = { type: ['array', 'null'], items: nullable('string') };
/** A port by number or by name (null is neither). */
const portRef = { type: ['string', 'integer'] };

const handler = {
  exec: { type: ['object', 'null'], properties: { command: stringList } },
  httpGet: {
    type: ['object', 'null'],
    required: ['port'],
    properties: {
      port: portRef,
      host: nullable('string'),
      path: nullable('string'),
      scheme: nullable('string'),
      httpHeaders: {
        type: ['array', 'null'],
        items: {
          type: ['object', 'null'],
          required: ['name', 'value'],
          properties: { name: { type: 'string' }, value: { type: 'string' } },
        },
      },
    },
  },
  tcpSocket: {
    type: ['object', 'null'],
    required: ['port'],
    properties: { port: portRef, host: nullable('string') },
  },
};

const probe: Schema = {
  type: ['object', 'null'],
  properties: {
    ...handler,
    initialDelaySeconds: int32,
    periodSeconds: int32,
    timeoutSeconds: int32,
    successThreshold: int32,
    failureThreshold: int32,
  },
};

const keyRef = (key: string): Schema => ({
  type: ['object', 'null'],
  required: [key],
  properties: {
    [key]: { type: 'string' },
    name: nullable('string'),
    optional: nullable('boolean'),
  },
});

const keyToPathItems = {
  type: ['array', 'null'],
  items: {
    type: ['object', 'null'],
    required: ['key', 'path'],
    properties: { key: { type: 'string' }, path: { type: 'string' }, mode: int32 },
  },
};

const seLinuxOptions = {
  type: ['object', 'null'],
  properties: Object.fromEntries(
    ['level', 'role', 'type', 'user'].map((name) => [name, nullable('string')]),
  ),
};

const container: Schema = {
  type: 'object',
  ...K8S_RULE,
  required: ['name'],
  properties: {
    name: { type: 'string' },
    image: nullable('string'),
    command: { type: ['array', 'null'], items: nullable('string') },
    args: { type: ['array', 'null'], items: nullable('string') },
    workingDir: nullable('string'),
    imagePullPolicy: nullable('string'),
    env: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        ...K8S_RULE,
        required: ['name'],
        properties: {
          name: { type: 'string' },
          value: nullable('string'),
          valueFrom: {
            type: ['object', 'null'],
            properties: {
              configMapKeyRef: keyRef('key'),
              secretKeyRef: keyRef('key'),
              fieldRef: {
                type: ['object', 'null'],
                required: ['fieldPath'],
                properties: { fieldPath: { type: 'string' }, apiVersion: nullable('string') },
              },
            },
          },
        },
      },
    },
    envFrom: { type: ['array', 'null'], items: nullable('object') },
    ports: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        ...K8S_RULE,
        required: ['containerPort'],
        properties: {
          containerPort: { type: 'integer', format: 'int32' },
          hostPort: { type: ['integer', 'null'], format: 'int32' },
          hostIP: nullable('string'),
          name: nullable('string'),
          protocol: nullable('string'),
        },
      },
    },
    volumeMounts: {
      type: ['array', 'null'],
      items: {
        type: 'object',
        ...K8S_RULE,
        required: ['name', 'mountPath'],
        properties: {
          name: { type: 'string' },
          mountPath: { type: 'string' },
          readOnly: nullable('boolean'),
          subPath: nullable('string'),
        },
      },
    },
    resources: {
      type: ['object', 'null'],
      properties: {
        limits: { type: ['object', 'null'], additionalProperties: { type: ['string', 'number'] } },
        requests: {
          type: ['object', 'null'],
          additionalProperties: { type: ['string', 'number'] },
        },
      },
    },
    securityContext: {
      type: ['object', 'null'],
      properties: {
        allowPrivilegeEscalation: nullable('boolean'),
        privileged: nullable('boolean'),
        readOnlyRootFilesystem: nullable('boolean'),
        runAsNonRoot: nullable('boolean'),
        runAsUser: int64,
        runAsGroup: int64,
        procMount: nullable('string'),
        capabilities: {
          type: ['object', 'null'],
          properties: { add: stringList, drop: stringList },
        },
        seLinuxOptions,
      },
    },
    livenessProbe: probe,
    readinessProbe: probe,
    lifecycle: {
      type: ['object', 'null'],
      properties: {
        postStart: { type: ['object', 'null'], properties: handler },
        preStop: { type: ['object', 'null'], properties: handler },
      },
    },
    stdin: nullable('boolean'),
    stdinOnce: nullable('boolean'),
    tty: nullable('boolean'),
    terminationMessagePath: nullable('string'),
    terminationMessagePolicy: nullable('string'),
  },
};

const podVolume: Schema = {
  type: 'object',
  ...K8S_RULE,
  required: ['name'],
  properties: {
    name: { type: 'string' },
    hostPath: {
      type: ['object', 'null'],
      required: ['path'],
      properties: { path: { type: 'string' }, type: nullable('string') },
    },
    configMap: {
      type: ['object', 'null'],
      properties: {
        name: nullable('string'),
        items: keyToPathItems,
        defaultMode: int32,
        optional: nullable('boolean'),
      },
    },
    secret: {
      type: ['object', 'null'],
      properties: {
        secretName: nullable('string'),
        items: keyToPathItems,
        defaultMode: int32,
        optional: nullable('boolean'),
      },
    },
    emptyDir: {
      type: ['object', 'null'],
      properties: { medium: nullable('string'), sizeLimit: { type: ['string', 'number'] } },
    },
    persistentVolumeClaim: {
      type: ['object', 'null'],
      required: ['claimName'],
      properties: { claimName: { type: 'string' }, readOnly: nullable('boolean') },
    },
  },
};

const kubernetesResource: Schema = {
  type: 'object',
  ...K8S_RULE,
  required: ['apiVersion', 'kind'],
  properties: {
    apiVersion: { const: 'v1', hpvsMessage: 'must be "v1"' },
    kind: { enum: ['Pod', 'ConfigMap'] },
    metadata: objectMeta,
  },
  allOf: [
    {
      if: { properties: { kind: { const: 'Pod' } } },
      then: {
        properties: {
          spec: {
            type: ['object', 'null'],
            required: ['containers'],
            properties: {
              containers: { type: 'array', items: container },
              initContainers: { type: ['array', 'null'], items: container },
              volumes: { type: ['array', 'null'], items: podVolume },
              restartPolicy: nullable('string'),
              hostNetwork: nullable('boolean'),
              hostPID: nullable('boolean'),
              hostIPC: nullable('boolean'),
              hostname: nullable('string'),
              dnsPolicy: nullable('string'),
              terminationGracePeriodSeconds: int64,
              nodeSelector: {
                type: ['object', 'null'],
                additionalProperties: nullable('string'),
              },
              securityContext: {
                type: ['object', 'null'],
                properties: {
                  fsGroup: int64,
                  runAsUser: int64,
                  runAsGroup: int64,
                  runAsNonRoot: nullable('boolean'),
                  supplementalGroups: { type: ['array', 'null'], items: int64 },
                  seLinuxOptions,
                  sysctls: {
                    type: ['array', 'null'],
                    items: {
                      type: ['object', 'null'],
                      required: ['name', 'value'],
                      properties: { name: { type: 'string' }, value: { type: 'string' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    {
      if: { properties: { kind: { const: 'ConfigMap' } } },
      then: {
        properties: {
          data: { type: ['object', 'null'], additionalProperties: nullable('string') },
          binaryData: {
            type: ['object', 'null'],
            additionalProperties: { type: ['string', 'null'], format: 'byte' },
          },
          immutable: nullable('boolean'),
        },
      },
    },
  ],
};

const images: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dct: stringMap(
      PATTERNS.dctImage,
      'is not an image name of the form host/namespace/name (no tag or digest)',
      {
        type: 'object',
        required: ['notary', 'publicKey'],
        additionalProperties: false,
        properties: {
          notary: str('must be the notary URL', { format: 'uri' }),
          publicKey: str(),
        },
      },
    ),
    rhs: stringMap(
      PATTERNS.rhsImage,
      'is not an image name of the form host.domain/path[:tag][@sha256:digest]',
      {
        type: 'object',
        required: ['publicKey'],
        additionalProperties: false,
        properties: { publicKey: str() },
      },
    ),
  },
};

const volumeNames = {
  pattern: PATTERNS.volumeName,
  hpvsMessage: 'is not a valid volume name (lowercase letters, digits, - and _)',
};

const workloadVolume: Schema = {
  type: 'object',
  required: ['seed'],
  additionalProperties: false,
  properties: {
    seed,
    previousSeed: seed,
    mount: str('must be an absolute path like /mnt/data', { pattern: PATTERNS.mount }),
    filesystem: { enum: ['ext4', 'xfs', 'btrfs'] },
  },
};

const base64Material = str('must be base64', { minLength: 1, pattern: PATTERNS.base64Material });

const envVolume: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    seed,
    previousSeed: seed,
    'uv-secret-id': str('must be index-1 to index-8', { pattern: PATTERNS.uvSecretId }),
    'uv-previous-secret-id': str('must be index-1 to index-8', { pattern: PATTERNS.uvSecretId }),
    kms: {
      type: 'array',
      minItems: 1,
      maxItems: 5,
      items: {
        type: 'object',
        required: ['apiKey', 'crn'],
        additionalProperties: false,
        properties: {
          apiKey: str(undefined, { minLength: 10 }),
          crn: str('must be the CRN of a key: crn:v1:bluemix:public:<service>:...:key:<id>', {
            pattern: PATTERNS.crn,
          }),
          type: { enum: ['public', 'private'] },
        },
      },
    },
    grep11: {
      type: 'object',
      required: ['address', 'clientCert', 'clientKey', 'caCert', 'metadata'],
      additionalProperties: false,
      properties: {
        address: str('must be host:port', { pattern: PATTERNS.grep11Address }),
        clientCert: base64Material,
        clientKey: base64Material,
        caCert: base64Material,
        metadata: {
          type: 'object',
          required: ['aesKeyBlob'],
          additionalProperties: false,
          properties: {
            aesKeyBlob: str('must be base64 or masked with *', {
              minLength: 1,
              pattern: PATTERNS.base64OrMasked,
            }),
            previousaesKeyBlob: str('must be base64 or masked with *', {
              minLength: 1,
              pattern: PATTERNS.base64OrMasked,
            }),
          },
        },
      },
    },
    kmsTimeout: { type: 'integer', minimum: 0, maximum: 20 },
    apiKey: str(undefined, { minLength: 10 }),
    volumeName: str(undefined, { minLength: 1 }),
    volumeID: str(undefined, { minLength: 3 }),
  },
};

/**
 * The longest key or certificate text the base64 and PEM patterns are tried on. V8 runs them
 * with one backtracking entry per group of four characters and overflows its stack near 8 MB;
 * a real key, certificate or bundle is a few KiB.
 */
export const LONGEST_PEM_TEXT = 1024 * 1024;

/** `pattern` on a string of at most LONGEST_PEM_TEXT characters; a longer one fails as such. */
const pemText = (pattern: string, hpvsMessage: string): Schema => ({
  type: 'string',
  if: { maxLength: LONGEST_PEM_TEXT },
  then: { pattern, hpvsMessage },
  else: {
    maxLength: LONGEST_PEM_TEXT,
    hpvsMessage: `is longer than ${LONGEST_PEM_TEXT} characters; ${hpvsMessage}`,
  },
});

const pemOrBase64 = (pemPattern: string, what: string): Schema =>
  pemText(
    `${pemPattern}|${PATTERNS.base64}`,
    `must be ${what} PEM (as a | block) or the base64 of it`,
  );

const syslog: Schema = {
  type: 'object',
  required: ['hostname', 'server'],
  additionalProperties: false,
  properties: {
    hostname: str('must be a host name or IP address', { format: 'hostname' }),
    port: port(),
    server: pemOrBase64(PATTERNS.certificateBundle, 'a CA certificate'),
    cert: pemOrBase64(PATTERNS.certificate, 'a client certificate'),
    key: pemOrBase64(PATTERNS.privateKey, 'a private key'),
  },
};

const logRouter: Schema = {
  type: 'object',
  required: ['hostname', 'iamApiKey'],
  additionalProperties: false,
  properties: {
    hostname: str('must be a host name', { format: 'hostname' }),
    iamApiKey: str(),
    port: port(),
  },
};

const logDna: Schema = {
  type: 'object',
  required: ['hostname', 'ingestionKey'],
  additionalProperties: false,
  properties: {
    hostname: str('must be a host name', { format: 'hostname' }),
    ingestionKey: str('must be 32 lowercase letters or digits', {
      pattern: PATTERNS.logDnaIngestionKey,
    }),
    port: port(),
    tags: { type: 'array', items: { type: 'string' } },
  },
};

export function workloadSchema(): Schema {
  return {
    type: 'object',
    required: ['type'],
    properties: {
      type: { const: 'workload', hpvsMessage: 'must be "workload"' },
      compose: {
        type: 'object',
        required: ['archive'],
        additionalProperties: false,
        properties: { archive },
      },
      play: {
        type: 'object',
        additionalProperties: false,
        properties: {
          archive,
          resources: { type: 'array', items: kubernetesResource },
          templates: { type: 'array', items: kubernetesResource },
        },
      },
      'confidential-containers': { type: 'object' },
      auths,
      images,
      volumes: { type: 'object', propertyNames: volumeNames, additionalProperties: workloadVolume },
      env: environment,
    },
  };
}

export function envSchema(): Schema {
  return {
    type: 'object',
    required: ['type', 'logging'],
    properties: {
      type: { const: 'env', hpvsMessage: 'must be "env"' },
      logging: {
        type: 'object',
        properties: { syslog, logRouter, logDNA: logDna },
      },
      volumes: { type: 'object', propertyNames: volumeNames, additionalProperties: envVolume },
      env: environment,
      auths,
      cacerts: {
        type: 'array',
        maxItems: 1,
        uniqueItems: true,
        items: {
          type: 'object',
          additionalProperties: str('must be base64', {
            pattern: PATTERNS.archive,
            minLength: 4,
          }),
        },
      },
      signingKey: pemText(
        `${PATTERNS.publicKey}|${PATTERNS.certificate}|${PATTERNS.base64}`,
        'must be a PEM public key or certificate (as a | block), or the base64 of one',
      ),
      'confidential-containers': { type: 'object' },
    },
  };
}

/** Keys each section knows; anything else is reported as a warning (probably a typo). */
export const KNOWN_KEYS = {
  top: ['workload', 'env', 'attestationPublicKey', 'envWorkloadSignature'],
  workload: [
    'type',
    'compose',
    'play',
    'confidential-containers',
    'auths',
    'images',
    'volumes',
    'env',
  ],
  env: [
    'type',
    'logging',
    'volumes',
    'env',
    'auths',
    'cacerts',
    'signingKey',
    'confidential-containers',
    'host-attestation',
  ],
  logging: ['syslog', 'logRouter', 'logDNA'],
} as const;
