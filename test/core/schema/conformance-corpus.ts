import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { buildTgz } from '../../../src/core/archive/build-tgz.js';
import type { Profile } from '../../../src/core/schema/contract-schema.js';
import type { DeliberateRuleId } from '../../../src/core/schema/deliberate-rules.js';
import { issueCertificate } from '../../../src/core/pki/issue-certificate.js';

/**
 * A corpus of decrypted contracts, generated here, each run through hpvs-ctl's validator and
 * the runtime's published schema. `expect` is hpvs-ctl's verdict; `rule` names the deliberate
 * difference when the two verdicts differ; `errorPath` is where hpvs-ctl must report.
 */
export interface CorpusCase {
  name: string;
  contract: Record<string, unknown>;
  expect: 'valid' | 'invalid';
  profile?: Profile;
  rule?: DeliberateRuleId;
  errorPath?: string;
  warningPath?: string;
}

type Json = Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);

function file(path: string, content: string) {
  return { type: 'file' as const, path, data: Buffer.from(content), executable: false };
}

export interface CorpusMaterial {
  publicKeyPem: string;
  privateKeyPem: string;
  certificatePem: string;
  expiredCertificatePem: string;
  composeArchive: string;
  buildArchive: string;
  noComposeArchive: string;
  playArchive: string;
}

export async function corpusMaterial(): Promise<CorpusMaterial> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = (notBefore: Date, notAfter: Date, key: KeyObject) =>
    issueCertificate({
      subject: 'CN=corpus',
      publicKey,
      role: 'contract-signing',
      notBefore,
      notAfter,
      selfSigningKey: key,
    });
  const now = Date.now();
  const image = `nginx@sha256:${'a'.repeat(64)}`;
  return {
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    certificatePem: await cert(
      new Date(now - 86_400_000),
      new Date(now + 30 * 86_400_000),
      privateKey,
    ),
    expiredCertificatePem: await cert(
      new Date(now - 30 * 86_400_000),
      new Date(now - 86_400_000),
      privateKey,
    ),
    composeArchive: (
      await buildTgz([file('docker-compose.yml', `services:\n  web:\n    image: ${image}\n`)])
    ).toString('base64'),
    buildArchive: (
      await buildTgz([
        file('docker-compose.yml', `services:\n  web:\n    build: .\n    image: ${image}\n`),
        file('Dockerfile', 'FROM scratch\n'),
      ])
    ).toString('base64'),
    noComposeArchive: (await buildTgz([file('README.md', 'no compose here\n')])).toString('base64'),
    playArchive: (
      await buildTgz([
        file(
          'pod.yaml',
          `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: ${image}\n`,
        ),
      ])
    ).toString('base64'),
  };
}

const SEED_W = 'workload-seed-0123456789';
const SEED_E = 'env-seed-0123456789!@#';
const CRN =
  'crn:v1:bluemix:public:kms:us-south:a/0123456789abcdef:00000000-1111-2222-3333-444444444444:key:55555555-6666';

const pod = (extra: Json = {}): Json => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'web', image: `nginx@sha256:${'b'.repeat(64)}` }] },
  ...extra,
});

export function buildCorpus(m: CorpusMaterial): CorpusCase[] {
  const syslog = {
    hostname: 'logs.example.com',
    port: 6514,
    server: m.certificatePem,
    cert: m.certificatePem,
    key: m.privateKeyPem,
  };
  const base = (): { workload: Json; env: Json } => ({
    workload: { type: 'workload', compose: { archive: m.composeArchive } },
    env: {
      type: 'env',
      logging: { logRouter: { hostname: 'ingest.logs.example.com', iamApiKey: 'api-key-0123' } },
    },
  });
  const withVolumes = (): { workload: Json; env: Json } => {
    const c = base();
    c.workload.volumes = { data: { seed: SEED_W, mount: '/mnt/data', filesystem: 'ext4' } };
    c.env.volumes = { data: { seed: SEED_E } };
    return c;
  };
  const mutate = (edit: (c: { workload: Json; env: Json } & Json) => void, start = base) => {
    const c = start() as { workload: Json; env: Json } & Json;
    edit(c);
    return c;
  };
  const envVolume = (volume: Json) =>
    mutate((c) => {
      (c.env.volumes as Json).data = volume;
    }, withVolumes);
  const workloadVolume = (volume: Json) =>
    mutate((c) => {
      (c.workload.volumes as Json).data = volume;
    }, withVolumes);
  const logging = (value: Json) => mutate((c) => (c.env.logging = value));
  const play = (value: Json) =>
    mutate((c) => {
      delete c.workload.compose;
      c.workload.play = value;
    });
  const valid = (name: string, contract: Json, extra: Partial<CorpusCase> = {}): CorpusCase => ({
    name,
    contract,
    expect: 'valid',
    ...extra,
  });
  const invalid = (
    name: string,
    contract: Json,
    errorPath?: string,
    extra: Partial<CorpusCase> = {},
  ): CorpusCase => ({
    name,
    contract,
    expect: 'invalid',
    ...(errorPath ? { errorPath } : {}),
    ...extra,
  });
  const kms = { apiKey: 'kms-api-key-0123', crn: CRN, type: 'private' };
  const grep11 = {
    address: 'grep11.example.com:9876',
    clientCert: 'Y2VydA==',
    clientKey: 'a2V5',
    caCert: 'Y2E=',
    metadata: { aesKeyBlob: '****' },
  };
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return [
    // accepted by both
    valid('compose with logRouter', base()),
    valid(
      'compose with syslog server only',
      logging({ syslog: { hostname: 'logs.example.com', server: m.certificatePem } }),
    ),
    valid('syslog with mutual TLS and port 6514', logging({ syslog })),
    valid(
      'syslog CA bundle of two certificates',
      logging({ syslog: { ...syslog, server: m.certificatePem + m.certificatePem } }),
    ),
    valid(
      'syslog material as base64',
      logging({
        syslog: {
          ...syslog,
          server: b64(m.certificatePem),
          cert: b64(m.certificatePem),
          key: b64(m.privateKeyPem),
        },
      }),
    ),
    valid(
      'syslog hostname as IPv4 address',
      logging({ syslog: { hostname: '192.0.2.10', server: m.certificatePem } }),
    ),
    valid('play archive', play({ archive: m.playArchive })),
    valid(
      'play resources Pod and ConfigMap',
      play({
        resources: [
          pod(),
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'cfg' },
            data: { A: 'b', N: null },
          },
        ],
      }),
    ),
    valid(
      'play templates with Go template expressions',
      play({
        templates: [
          pod({
            spec: {
              containers: [
                {
                  name: 'c',
                  image: '{{ .Env.REGISTRY }}/app@sha256:' + 'c'.repeat(64),
                  envFrom: [{ configMapRef: { name: 'contract.config.map' } }],
                },
              ],
              restartPolicy: 'Never',
            },
          }),
        ],
      }),
    ),
    valid(
      'Pod with ports, env, volumeMounts and volumes',
      play({
        resources: [
          pod({
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'x',
                  ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }],
                  env: [{ name: 'A', value: 'b' }],
                  volumeMounts: [{ name: 'd', mountPath: '/data' }],
                  resources: { limits: { memory: '1Gi', cpu: 1 } },
                },
              ],
              volumes: [{ name: 'd', hostPath: { path: '/mnt/data' } }],
            },
          }),
        ],
      }),
    ),
    valid(
      'Pod with probes, lifecycle, security contexts, env from references and secret volumes',
      play({
        resources: [
          pod({
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'x',
                  livenessProbe: {
                    httpGet: {
                      port: 8080,
                      path: '/health',
                      httpHeaders: [{ name: 'X', value: 'y' }],
                    },
                    periodSeconds: 10,
                  },
                  readinessProbe: { tcpSocket: { port: 'http' }, exec: { command: ['true'] } },
                  lifecycle: { preStop: { exec: { command: ['sleep', '1'] } } },
                  securityContext: {
                    runAsUser: 1000,
                    privileged: false,
                    capabilities: { drop: ['ALL'] },
                  },
                  env: [
                    { name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'a' } } },
                    { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  ],
                },
              ],
              securityContext: {
                fsGroup: 2000,
                sysctls: [{ name: 'net.core.somaxconn', value: '1024' }],
              },
              volumes: [
                {
                  name: 's',
                  secret: { secretName: 'x', items: [{ key: 'k', path: 'p', mode: 256 }] },
                },
                { name: 'e', emptyDir: { sizeLimit: '1Gi' } },
              ],
              hostPID: false,
              terminationGracePeriodSeconds: 5,
              nodeSelector: { zone: 'a' },
            },
          }),
        ],
      }),
    ),
    valid(
      'Pod fields set to null',
      play({
        resources: [
          pod({
            metadata: { name: null, labels: null },
            spec: { containers: [{ name: 'c', image: null, command: null }], restartPolicy: null },
          }),
        ],
      }),
    ),
    valid(
      'Pod without spec',
      play({ resources: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }] }),
    ),
    valid('empty play (warning)', play({}), { warningPath: 'workload.play' }),
    valid(
      'confidential-containers workload',
      mutate((c) => {
        delete c.workload.compose;
        c.workload['confidential-containers'] = {};
      }),
    ),
    valid('volumes with matching names', withVolumes()),
    valid(
      'volume seeds of exactly 15 characters with symbols',
      mutate((c) => {
        (c.workload.volumes as Json).data = { seed: 'abc!@#$%^&*(),.' };
        (c.env.volumes as Json).data = { seed: '?":{}|<>_-abcde' };
      }, withVolumes),
    ),
    valid('xfs volume without mount', workloadVolume({ seed: SEED_W, filesystem: 'xfs' })),
    valid(
      'previousSeed in both sections',
      mutate((c) => {
        (c.workload.volumes as Json).data = { seed: SEED_W, previousSeed: 'old-workload-seed-123' };
        (c.env.volumes as Json).data = { seed: SEED_E, previousSeed: 'old-env-seed-12345' };
      }, withVolumes),
    ),
    valid('env volume with uv-secret-id', envVolume({ 'uv-secret-id': 'index-3' })),
    valid(
      'uv-previous-secret-id with uv-secret-id',
      envVolume({ 'uv-secret-id': 'index-1', 'uv-previous-secret-id': 'index-8' }),
    ),
    valid(
      'env volume with HPCS kms',
      envVolume({
        seed: SEED_E,
        kms: [kms],
        kmsTimeout: 20,
        apiKey: 'volume-api-key',
        volumeName: 'v',
        volumeID: 'r006',
      }),
    ),
    valid(
      'env volume with five kms endpoints',
      envVolume({ seed: SEED_E, kms: [kms, kms, kms, kms, kms], kmsTimeout: 0 }),
    ),
    valid('env volume with grep11', envVolume({ seed: SEED_E, grep11 })),
    valid(
      'environment values in both sections',
      mutate((c) => {
        c.workload.env = { PORT: '8080', _X: '' };
        c.env.env = { DEBUG: 'true', name_2: 'x' };
      }),
    ),
    valid(
      'registry credentials',
      mutate((c) => {
        c.workload.auths = {
          'https://index.docker.io/v1/': { username: 'user', password: 'pass' },
          'registry.example.com:5000': { username: 'abc', password: 'xyz' },
          '192.0.2.1': { username: 'abc', password: 'xyz' },
        };
        c.env.auths = { 'us.icr.io': { username: 'iamapikey', password: 'secret' } };
      }),
    ),
    valid(
      'image signatures dct and rhs',
      mutate((c) => {
        c.workload.images = {
          dct: {
            'docker.io/library/nginx': {
              notary: 'https://notary.docker.io',
              publicKey: 'LS0tLS1CRUdJTg==',
            },
          },
          rhs: { 'us.icr.io/ns/app:1.0': { publicKey: 'LS0t' } },
        };
      }),
    ),
    valid(
      'signingKey public key PEM',
      mutate((c) => (c.env.signingKey = m.publicKeyPem)),
    ),
    valid(
      'signingKey certificate PEM',
      mutate((c) => (c.env.signingKey = m.certificatePem)),
    ),
    valid(
      'signingKey base64 of PEM',
      mutate((c) => (c.env.signingKey = b64(m.publicKeyPem))),
    ),
    valid(
      'envWorkloadSignature base64 with signingKey',
      mutate((c) => {
        c.env.signingKey = m.publicKeyPem;
        c.envWorkloadSignature = b64('x'.repeat(256));
      }),
    ),
    valid(
      'attestationPublicKey PEM',
      mutate((c) => (c.attestationPublicKey = m.publicKeyPem)),
    ),
    valid(
      'cacerts with one item',
      mutate((c) => (c.env.cacerts = [{ ca1: b64(m.certificatePem) }])),
    ),
    valid(
      'unknown top-level key (warning)',
      mutate((c) => (c.comment = 'x')),
      { warningPath: 'comment' },
    ),
    valid(
      'unknown workload key (warning)',
      mutate((c) => (c.workload.extra = 1)),
      { warningPath: 'workload.extra' },
    ),
    valid(
      'env confidential-containers',
      mutate((c) => (c.env['confidential-containers'] = {})),
    ),
    valid(
      'syslog with legacy logDNA beside it (warning)',
      logging({ syslog, logDNA: { hostname: 'logs.example.com', ingestionKey: 'a'.repeat(32) } }),
      { warningPath: 'env.logging.logDNA' },
    ),
    valid('ccrv: play workload', play({ archive: m.playArchive }), { profile: 'ccrv' }),
    // rejected by both
    invalid(
      'workload without type',
      mutate((c) => delete c.workload.type),
      'workload',
    ),
    invalid(
      'workload type is env',
      mutate((c) => (c.workload.type = 'env')),
      'workload.type',
    ),
    invalid(
      'env type missing',
      mutate((c) => delete c.env.type),
      'env',
    ),
    invalid(
      'workload without compose or play',
      mutate((c) => delete c.workload.compose),
      'workload',
    ),
    invalid(
      'compose and play together',
      mutate((c) => (c.workload.play = { archive: m.playArchive })),
      'workload.play',
    ),
    invalid(
      'compose without archive',
      mutate((c) => (c.workload.compose = {})),
      'workload.compose',
    ),
    invalid(
      'compose archive with invalid characters',
      mutate((c) => (c.workload.compose = { archive: 'H4sI!!!!' })),
      'workload.compose.archive',
    ),
    invalid(
      'compose archive shorter than 4',
      mutate((c) => (c.workload.compose = { archive: 'H4s' })),
      'workload.compose.archive',
    ),
    invalid(
      'compose with an extra key',
      mutate((c) => ((c.workload.compose as Json).file = 'x')),
      'workload.compose.file',
    ),
    invalid(
      'play with an extra key',
      play({ archive: m.playArchive, pods: [] }),
      'workload.play.pods',
    ),
    invalid(
      'workload as a list',
      mutate((c) => (c.workload = [] as unknown as Json)),
      'workload',
    ),
    invalid(
      'env without logging',
      mutate((c) => delete c.env.logging),
      'env',
    ),
    invalid('logging without a target', logging({}), 'env.logging'),
    invalid(
      'syslog and logRouter together',
      logging({ syslog, logRouter: { hostname: 'h.example.com', iamApiKey: 'k' } }),
      'env.logging',
    ),
    invalid(
      'syslog without hostname',
      logging({ syslog: { server: m.certificatePem } }),
      'env.logging.syslog',
    ),
    invalid(
      'syslog without server',
      logging({ syslog: { hostname: 'logs.example.com' } }),
      'env.logging.syslog',
    ),
    invalid(
      'syslog port 0',
      logging({ syslog: { ...syslog, port: 0 } }),
      'env.logging.syslog.port',
    ),
    invalid(
      'syslog port as a string',
      logging({ syslog: { ...syslog, port: '6514' } }),
      'env.logging.syslog.port',
    ),
    invalid(
      'syslog hostname with a space',
      logging({ syslog: { ...syslog, hostname: 'bad host' } }),
      'env.logging.syslog.hostname',
    ),
    invalid(
      'syslog cert not PEM',
      logging({ syslog: { ...syslog, cert: 'hello world' } }),
      'env.logging.syslog.cert',
    ),
    invalid(
      'syslog key is a certificate',
      logging({ syslog: { ...syslog, key: m.certificatePem } }),
      'env.logging.syslog.key',
    ),
    invalid(
      'syslog with unknown key',
      logging({ syslog: { ...syslog, protocol: 'tcp' } }),
      'env.logging.syslog.protocol',
    ),
    invalid(
      'logRouter without iamApiKey',
      logging({ logRouter: { hostname: 'h.example.com' } }),
      'env.logging.logRouter',
    ),
    invalid(
      'logRouter with unknown key',
      logging({ logRouter: { hostname: 'h.example.com', iamApiKey: 'k', region: 'x' } }),
      'env.logging.logRouter.region',
    ),
    invalid(
      'env value unquoted number',
      mutate((c) => (c.env.env = { PORT: 8080 })),
      'env.env.PORT',
    ),
    invalid(
      'env value unquoted boolean',
      mutate((c) => (c.workload.env = { DEBUG: true })),
      'workload.env.DEBUG',
    ),
    invalid(
      'env value null',
      mutate((c) => (c.workload.env = { EMPTY: null })),
      'workload.env.EMPTY',
    ),
    invalid(
      'env key starting with a digit',
      mutate((c) => (c.env.env = { '1ABC': 'x' })),
      'env.env["1ABC"]',
    ),
    invalid(
      'volume name with uppercase',
      mutate((c) => {
        c.workload.volumes = { Data: { seed: SEED_W } };
        c.env.volumes = { Data: { seed: SEED_E } };
      }),
      'workload.volumes.Data',
    ),
    invalid(
      'workload volume without seed',
      workloadVolume({ mount: '/mnt/data' }),
      'workload.volumes.data',
    ),
    invalid(
      'seed of 14 characters',
      workloadVolume({ seed: 'abcdefghijklmn' }),
      'workload.volumes.data.seed',
    ),
    invalid(
      'seed with a space',
      envVolume({ seed: 'abcdefg hijklmnopq' }),
      'env.volumes.data.seed',
    ),
    invalid(
      'filesystem ntfs',
      workloadVolume({ seed: SEED_W, filesystem: 'ntfs' }),
      'workload.volumes.data.filesystem',
    ),
    invalid(
      'relative mount path',
      workloadVolume({ seed: SEED_W, mount: 'mnt/data' }),
      'workload.volumes.data.mount',
    ),
    invalid(
      'mount at /',
      workloadVolume({ seed: SEED_W, mount: '/' }),
      'workload.volumes.data.mount',
    ),
    invalid(
      'workload volume with unknown key',
      workloadVolume({ seed: SEED_W, size: '10G' }),
      'workload.volumes.data.size',
    ),
    invalid(
      'env volume with seed and uv-secret-id',
      envVolume({ seed: SEED_E, 'uv-secret-id': 'index-1' }),
      'env.volumes.data',
    ),
    invalid('env volume without seed', envVolume({ kmsTimeout: 5 }), 'env.volumes.data'),
    invalid(
      'uv-secret-id index-9',
      envVolume({ 'uv-secret-id': 'index-9' }),
      'env.volumes.data.uv-secret-id',
    ),
    invalid(
      'uv-previous-secret-id without uv-secret-id',
      envVolume({ seed: SEED_E, 'uv-previous-secret-id': 'index-1' }),
      'env.volumes.data.uv-previous-secret-id',
    ),
    invalid('empty kms list', envVolume({ seed: SEED_E, kms: [] }), 'env.volumes.data.kms'),
    invalid(
      'six kms endpoints',
      envVolume({ seed: SEED_E, kms: [kms, kms, kms, kms, kms, kms] }),
      'env.volumes.data.kms',
    ),
    invalid(
      'kms crn without :key:',
      envVolume({
        seed: SEED_E,
        kms: [{ ...kms, crn: 'crn:v1:bluemix:public:kms:us-south:a/1:2:3' }],
      }),
      'env.volumes.data.kms[0].crn',
    ),
    invalid(
      'kms apiKey too short',
      envVolume({ seed: SEED_E, kms: [{ ...kms, apiKey: 'short' }] }),
      'env.volumes.data.kms[0].apiKey',
    ),
    invalid(
      'kms type internal',
      envVolume({ seed: SEED_E, kms: [{ ...kms, type: 'internal' }] }),
      'env.volumes.data.kms[0].type',
    ),
    invalid(
      'kmsTimeout 21',
      envVolume({ seed: SEED_E, kmsTimeout: 21 }),
      'env.volumes.data.kmsTimeout',
    ),
    invalid(
      'grep11 without metadata',
      envVolume({ seed: SEED_E, grep11: { ...grep11, metadata: undefined } }),
      'env.volumes.data.grep11',
    ),
    invalid(
      'grep11 address without port',
      envVolume({ seed: SEED_E, grep11: { ...grep11, address: 'grep11.example.com' } }),
      'env.volumes.data.grep11.address',
    ),
    invalid(
      'env volume with unknown key',
      envVolume({ seed: SEED_E, mount: '/mnt/data' }),
      'env.volumes.data.mount',
    ),
    invalid(
      'auths key with scheme',
      mutate(
        (c) =>
          (c.workload.auths = {
            'https://registry.example.com': { username: 'abc', password: 'xyz' },
          }),
      ),
      'workload.auths["https://registry.example.com"]',
    ),
    invalid(
      'auths password too short',
      mutate((c) => (c.workload.auths = { 'us.icr.io': { username: 'abc', password: 'x' } })),
      'workload.auths["us.icr.io"].password',
    ),
    invalid(
      'auths without username',
      mutate((c) => (c.env.auths = { 'us.icr.io': { password: 'xyz' } })),
      'env.auths["us.icr.io"]',
    ),
    invalid(
      'images with unknown kind',
      mutate((c) => (c.workload.images = { cosign: {} })),
      'workload.images.cosign',
    ),
    invalid(
      'dct image with a tag',
      mutate(
        (c) =>
          (c.workload.images = {
            dct: {
              'docker.io/library/nginx:1.25': {
                notary: 'https://notary.docker.io',
                publicKey: 'x',
              },
            },
          }),
      ),
      'workload.images.dct["docker.io/library/nginx:1.25"]',
    ),
    invalid(
      'dct image without notary',
      mutate(
        (c) => (c.workload.images = { dct: { 'docker.io/library/nginx': { publicKey: 'x' } } }),
      ),
      'workload.images.dct["docker.io/library/nginx"]',
    ),
    invalid(
      'rhs image without domain',
      mutate((c) => (c.workload.images = { rhs: { 'nginx/app': { publicKey: 'x' } } })),
      'workload.images.rhs["nginx/app"]',
    ),
    invalid(
      'signingKey free text',
      mutate((c) => (c.env.signingKey = 'not a key')),
      'env.signingKey',
    ),
    invalid(
      'envWorkloadSignature not base64',
      mutate((c) => (c.envWorkloadSignature = 'not base64!')),
      'envWorkloadSignature',
    ),
    invalid(
      'attestationPublicKey is a certificate',
      mutate((c) => (c.attestationPublicKey = m.certificatePem)),
      'attestationPublicKey',
    ),
    invalid(
      'resource without kind',
      play({ resources: [{ apiVersion: 'v1', metadata: { name: 'x' } }] }),
      'workload.play.resources[0]',
    ),
    invalid(
      'resource kind Deployment',
      play({ resources: [{ ...pod(), kind: 'Deployment' }] }),
      'workload.play.resources[0].kind',
    ),
    invalid(
      'resource apiVersion apps/v1',
      play({ resources: [{ ...pod(), apiVersion: 'apps/v1' }] }),
      'workload.play.resources[0].apiVersion',
    ),
    invalid(
      'Pod container without name',
      play({ resources: [pod({ spec: { containers: [{ image: 'x' }] } })] }),
      'workload.play.resources[0].spec.containers[0]',
    ),
    invalid(
      'Pod spec without containers',
      play({ resources: [pod({ spec: { restartPolicy: 'Never' } })] }),
      'workload.play.resources[0].spec',
    ),
    invalid(
      'Pod containerPort as a string',
      play({
        resources: [
          pod({ spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] } }),
        ],
      }),
      'workload.play.resources[0].spec.containers[0].ports[0].containerPort',
    ),
    invalid(
      'Pod volumeMount without mountPath',
      play({
        templates: [pod({ spec: { containers: [{ name: 'c', volumeMounts: [{ name: 'd' }] }] } })],
      }),
      'workload.play.templates[0].spec.containers[0].volumeMounts[0]',
    ),
    invalid(
      'Pod resource limit null',
      play({
        resources: [
          pod({ spec: { containers: [{ name: 'c', resources: { limits: { cpu: null } } }] } }),
        ],
      }),
      'workload.play.resources[0].spec.containers[0].resources.limits.cpu',
    ),
    invalid(
      'probe httpGet without port',
      play({
        resources: [
          pod({ spec: { containers: [{ name: 'c', livenessProbe: { httpGet: { path: '/' } } }] } }),
        ],
      }),
      'workload.play.resources[0].spec.containers[0].livenessProbe.httpGet',
    ),
    invalid(
      'probe port null',
      play({
        resources: [
          pod({
            spec: { containers: [{ name: 'c', readinessProbe: { tcpSocket: { port: null } } }] },
          }),
        ],
      }),
      'workload.play.resources[0].spec.containers[0].readinessProbe.tcpSocket.port',
    ),
    invalid(
      'secretKeyRef without key',
      play({
        resources: [
          pod({
            spec: {
              containers: [
                { name: 'c', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's' } } }] },
              ],
            },
          }),
        ],
      }),
      'workload.play.resources[0].spec.containers[0].env[0].valueFrom.secretKeyRef',
    ),
    invalid(
      'runAsUser as a string',
      play({
        resources: [
          pod({ spec: { containers: [{ name: 'c', securityContext: { runAsUser: '1000' } }] } }),
        ],
      }),
      'workload.play.resources[0].spec.containers[0].securityContext.runAsUser',
    ),
    invalid(
      'capabilities add not a list',
      play({
        resources: [
          pod({
            spec: {
              containers: [{ name: 'c', securityContext: { capabilities: { add: 'NET_ADMIN' } } }],
            },
          }),
        ],
      }),
      'workload.play.resources[0].spec.containers[0].securityContext.capabilities.add',
    ),
    invalid(
      'lifecycle tcpSocket without port',
      play({
        resources: [
          pod({
            spec: {
              containers: [{ name: 'c', lifecycle: { postStart: { tcpSocket: { host: 'h' } } } }],
            },
          }),
        ],
      }),
      'workload.play.resources[0].spec.containers[0].lifecycle.postStart.tcpSocket',
    ),
    invalid(
      'sysctl without value',
      play({
        resources: [
          pod({
            spec: { containers: [{ name: 'c' }], securityContext: { sysctls: [{ name: 'x' }] } },
          }),
        ],
      }),
      'workload.play.resources[0].spec.securityContext.sysctls[0]',
    ),
    invalid(
      'emptyDir sizeLimit null',
      play({
        resources: [
          pod({
            spec: {
              containers: [{ name: 'c' }],
              volumes: [{ name: 'e', emptyDir: { sizeLimit: null } }],
            },
          }),
        ],
      }),
      'workload.play.resources[0].spec.volumes[0].emptyDir.sizeLimit',
    ),
    invalid(
      'secret volume item without path',
      play({
        resources: [
          pod({
            spec: {
              containers: [{ name: 'c' }],
              volumes: [{ name: 's', secret: { items: [{ key: 'k' }] } }],
            },
          }),
        ],
      }),
      'workload.play.resources[0].spec.volumes[0].secret.items[0]',
    ),
    invalid(
      'terminationGracePeriodSeconds as a string',
      play({
        resources: [
          pod({ spec: { containers: [{ name: 'c' }], terminationGracePeriodSeconds: '5' } }),
        ],
      }),
      'workload.play.resources[0].spec.terminationGracePeriodSeconds',
    ),
    invalid(
      'ConfigMap data value a number',
      play({ resources: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { N: 1 } }] }),
      'workload.play.resources[0].data.N',
    ),
    invalid(
      'cacerts with two items',
      mutate((c) => (c.env.cacerts = [{ a: 'YWJj' }, { b: 'ZGVm' }])),
      'env.cacerts',
    ),
    invalid(
      'cacerts value too short',
      mutate((c) => (c.env.cacerts = [{ a: 'YW' }])),
      'env.cacerts[0].a',
    ),
    invalid('ccrv: compose only', base(), 'workload.compose', { profile: 'ccrv' }),
    // deliberately stricter than the published schema
    invalid('no env section', { workload: base().workload }, 'env', { rule: 'sections-required' }),
    invalid(
      'volume names differ',
      mutate((c) => {
        c.env.volumes = { other: { seed: SEED_E } };
      }, withVolumes),
      'workload.volumes.data',
      { rule: 'volume-names-match' },
    ),
    invalid(
      'workload volume without env volume',
      mutate((c) => delete c.env.volumes, withVolumes),
      'workload.volumes.data',
      { rule: 'volume-names-match' },
    ),
    invalid(
      'compose archive is not gzip',
      mutate((c) => (c.workload.compose = { archive: 'AAAAAAAA' })),
      'workload.compose.archive',
      { rule: 'archive-contents' },
    ),
    invalid(
      'compose archive with URL-safe base64',
      mutate((c) => (c.workload.compose = { archive: 'H4sI-AAA' })),
      'workload.compose.archive',
      { rule: 'archive-contents' },
    ),
    invalid(
      'compose archive without a compose file',
      mutate((c) => (c.workload.compose = { archive: m.noComposeArchive })),
      'workload.compose.archive',
      { rule: 'archive-contents' },
    ),
    invalid(
      'compose file with build:',
      mutate((c) => (c.workload.compose = { archive: m.buildArchive })),
      'workload.compose.archive',
      { rule: 'compose-no-build' },
    ),
    invalid(
      'syslog port 70000',
      logging({ syslog: { ...syslog, port: 70000 } }),
      'env.logging.syslog.port',
      { rule: 'port-range' },
    ),
    invalid(
      'syslog cert without key',
      logging({
        syslog: { hostname: 'logs.example.com', server: m.certificatePem, cert: m.certificatePem },
      }),
      'env.logging.syslog.key',
      { rule: 'syslog-client-pair' },
    ),
    invalid(
      'signingKey expired certificate',
      mutate((c) => (c.env.signingKey = m.expiredCertificatePem)),
      'env.signingKey',
      { rule: 'contract-not-expired' },
    ),
    invalid(
      'signingKey PEM that does not parse',
      mutate(
        (c) => (c.env.signingKey = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
      ),
      'env.signingKey',
      { rule: 'signing-key-usable' },
    ),
    invalid(
      'signingKey empty',
      mutate((c) => (c.env.signingKey = '')),
      'env.signingKey',
      { rule: 'signing-key-usable' },
    ),
    invalid(
      'attestationPublicKey that does not parse',
      mutate(
        (c) =>
          (c.attestationPublicKey = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
      ),
      'attestationPublicKey',
      { rule: 'attestation-key-usable' },
    ),
    invalid(
      'envWorkloadSignature empty',
      mutate((c) => (c.envWorkloadSignature = '')),
      'envWorkloadSignature',
      { rule: 'signature-not-empty' },
    ),
    invalid(
      'Pod without apiVersion',
      play({ resources: [{ kind: 'Pod', metadata: { name: 'x' } }] }),
      'workload.play.resources[0]',
      { rule: 'kubernetes-shape' },
    ),
    invalid(
      'Pod with a null container',
      play({ resources: [pod({ spec: { containers: [null] } })] }),
      'workload.play.resources[0].spec.containers[0]',
      { rule: 'kubernetes-shape' },
    ),
    invalid(
      'ccrv: compose beside play',
      mutate((c) => (c.workload.play = { archive: m.playArchive })),
      'workload.compose',
      { profile: 'ccrv', rule: 'ccrv-no-compose' },
    ),
    // deliberately more lenient: a warning where the published schema rejects
    valid(
      'legacy logDNA target only',
      logging({
        logDNA: { hostname: 'logs.example.com', ingestionKey: 'a'.repeat(32), port: 6514 },
      }),
      { rule: 'logdna-legacy', warningPath: 'env.logging.logDNA' },
    ),
    valid(
      'attestationPublicKey base64 of PEM',
      mutate((c) => (c.attestationPublicKey = b64(m.publicKeyPem))),
      { rule: 'attestation-key-base64', warningPath: 'attestationPublicKey' },
    ),
  ].map((entry) => ({ ...entry, contract: clone(entry.contract) }));
}
