import { spawn, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportPrivateKeyPem } from '../src/core/pki/rsa-key-pair.js';
import { IBM_CERTIFICATES } from '../src/core/catalogue/ibm-certificates.js';
import { makeRecordBundle, REFERENCE_FILE_TEXT } from './helpers/attestation-bundle.js';
import { PROJECT_ROOT } from './helpers/run-cli.js';
import { seededRandom } from './helpers/seeded-random.js';
import { useTempDir } from './helpers/temp-dir.js';
import { generateTestPki, TEST_PKI_AT, type TestPki } from './helpers/test-pki.js';
import { hasTool } from './helpers/tools.js';

/**
 * The parts of the public API that start worker threads, run xorriso, open sockets or listen,
 * called from the built package entry (dist/index.js, `npm run build` first) as an installed
 * package runs them: the batches then really go to the worker bundles beside it, and the real
 * parts are the oracle (openssl opens and verifies what the batch made, a real HTTPS server on
 * 127.0.0.1 serves the certificates, xorriso reads the image back, openssl s_client sends the
 * log line).
 */
type Api = typeof import('../src/index.js');
let api: Api;
const tempDir = useTempDir('hpvs-api-dist-');
let pki: TestPki;
let encryptionKeyFile: string;
let workload: string;
let env: string;
const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });

beforeAll(async () => {
  api = (await import(pathToFileURL(join(PROJECT_ROOT, 'dist/index.js')).href)) as Api;
  pki = await generateTestPki();
  encryptionKeyFile = join(tempDir(), 'encryption.key');
  writeFileSync(encryptionKeyFile, exportPrivateKeyPem(pki.leafKey), { mode: 0o600 });
  const { base64 } = await api.archiveFolder(join(PROJECT_ROOT, 'templates/compose'));
  workload = api.buildWorkloadSection({
    compose: { archive: base64 },
    volumes: { data: { seed: 'workload-seed-of-the-provider', mount: '/mnt/data' } },
  });
  env = api.buildEnvSection({
    logging: { logRouter: { hostname: 'logs.example.com', iamApiKey: 'an-api-key-0123456789' } },
    volumes: { data: { seed: 'env-seed-of-the-deployer' } },
  });
}, 120_000);

afterEach(() => {
  // no API call sets an exit code, whatever it throws
  expect(process.exitCode).toBeUndefined();
});

function openssl(args: string[], input?: Uint8Array | string): Buffer {
  const result = spawnSync('openssl', args, { input, cwd: tempDir() });
  expect(result.status, result.stderr.toString()).toBe(0);
  return result.stdout;
}

/** Opens a section token with openssl's recipe: RSA-decrypt the password, AES-256-CBC the data. */
function opensslOpen(token: string): string {
  const [, password, data] = token.split('.');
  const unwrapped = openssl(
    ['pkeyutl', '-decrypt', '-inkey', encryptionKeyFile],
    Buffer.from(password!, 'base64'),
  );
  const passFile = join(tempDir(), 'password.bin');
  writeFileSync(passFile, unwrapped, { mode: 0o600 });
  return openssl(
    ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-pass', `file:${passFile}`],
    Buffer.from(data!, 'base64'),
  ).toString('utf8');
}

const sectionOf = (contract: string, key: string) =>
  new RegExp(`^${key}: (\\S+)$`, 'm').exec(contract)![1]!;

describe.skipIf(!hasTool('openssl'))('createContractBatch', () => {
  const base = () => ({
    workload,
    env,
    encryptionCertificate: pki.pem.encryption,
    signingKey: signer.privateKey,
    now: TEST_PKI_AT,
  });

  it('makes one signed, encrypted contract per instance on worker threads; openssl opens and verifies each', async () => {
    const names = ['web-1', 'web-2', 'web-3', 'web-4', 'web-5'];
    const progress: number[] = [];
    const batch = await api.createContractBatch({
      ...base(),
      instances: names.map((name) => ({
        name,
        env: { INSTANCE: name },
        seed: `seed-of-${name}-0123456789`,
      })),
      threads: 2,
      onProgress: (done) => progress.push(done),
    });
    expect(batch.contracts.map((contract) => contract.name)).toEqual(names);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    const publicKeyFile = join(tempDir(), 'signing.pub');
    writeFileSync(publicKeyFile, signer.publicKey.export({ type: 'spki', format: 'pem' }));
    const workloads = new Set<string>();
    for (const [index, { name, text, plaintextSections }] of batch.contracts.entries()) {
      expect(plaintextSections).toEqual([]);
      // the workload is encrypted once and shared
      workloads.add(sectionOf(text, 'workload'));
      expect(opensslOpen(sectionOf(text, 'workload'))).toBe(workload);
      const envText = opensslOpen(sectionOf(text, 'env'));
      expect(envText).toContain(`INSTANCE: "${name}"`);
      expect(envText).toContain(`seed: "seed-of-${names[index]}-0123456789"`);
      expect(envText).toContain('signingKey:');
      // envWorkloadSignature is over workload then env, as openssl dgst checks it
      const signatureFile = join(tempDir(), `${name}.sig`);
      writeFileSync(signatureFile, Buffer.from(sectionOf(text, 'envWorkloadSignature'), 'base64'));
      openssl(
        ['dgst', '-sha256', '-verify', publicKeyFile, '-signature', signatureFile],
        `${sectionOf(text, 'workload')}${sectionOf(text, 'env')}`,
      );
      expect(api.verifyContract(text, { signingKey: signer.publicKey }).ok).toBe(true);
    }
    expect(workloads.size).toBe(1);
  }, 120_000);

  it('with a seeded random, the same batch twice gives the same bytes', async () => {
    const make = () =>
      api.createContractBatch({
        ...base(),
        instances: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }],
        random: seededRandom('batch'),
      });
    const [first, second] = [await make(), await make()];
    expect(first.contracts.map((c) => c.text)).toEqual(second.contracts.map((c) => c.text));
  }, 60_000);

  it('refuses bad or repeated names and names the first failing instance', async () => {
    const repeated = await rejected(
      api.createContractBatch({ ...base(), instances: [{ name: 'web' }, { name: 'WEB' }] }),
    );
    expect(repeated.code).toBe('ARGUMENT_INVALID');
    expect(repeated.message).toMatch(/instances\[1\]\.name: "WEB" is already used/);
    const unsafe = await rejected(
      api.createContractBatch({ ...base(), instances: [{ name: '../escape' }] }),
    );
    expect(unsafe.code).toBe('ARGUMENT_INVALID');
    const shortSeed = await rejected(
      api.createContractBatch({
        ...base(),
        instances: [{ name: 'ok' }, { name: 'short', seed: 'short' }],
      }),
    );
    expect(shortSeed.code).toBe('CONTRACT_INVALID');
    expect(shortSeed.message).toMatch(/instance "short"/);
  }, 60_000);
});

describe('verifyAttestationBatch', () => {
  const auditor = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const userData = () => `workload: ${JSON.stringify(workload)}\nenv: ${JSON.stringify(env)}\n`;
  const trust = () => ({
    certificate: pki.pem.attestation,
    chain: [pki.pem.intermediate],
    roots: [pki.pem.root],
    crls: [pki.pem.intermediateCrl, pki.pem.rootCrl],
    now: TEST_PKI_AT,
    auditorKey: auditor.privateKey,
    reference: REFERENCE_FILE_TEXT,
  });
  const bundle = (name: string) => {
    const made = makeRecordBundle({
      userData: userData(),
      attestationKey: pki.leafKey,
      auditorPublicKey: auditor.publicKey,
    });
    return { name, record: made.recordFile, signature: made.signature, contract: userData() };
  };

  it('verifies a fleet on worker threads; a forged bundle fails alone, with its checks', async () => {
    const bundles = ['i-1', 'i-2', 'i-3', 'i-4'].map(bundle);
    bundles[2]!.signature = Buffer.from(bundles[2]!.signature).fill(1, 0, 8);
    const report = await api.verifyAttestationBatch({
      ...trust(),
      contract: userData(),
      bundles,
      threads: 2,
    });
    expect(report.ok).toBe(false);
    expect(report.chainChecks.map((check) => check.status)).toEqual(['pass', 'pass', 'pass']);
    expect(report.results.map((result) => [result.name, result.ok])).toEqual([
      ['i-1', true],
      ['i-2', true],
      ['i-3', false],
      ['i-4', true],
    ]);
    expect(report.results[2]!.checks.find((check) => check.id === 'signature')?.status).toBe(
      'fail',
    );
    expect(report.results[0]!.version).toBe('25.11.0');
  }, 120_000);

  it('with a seeded random on one thread, all pass; a certificate that is not one throws', async () => {
    const report = await api.verifyAttestationBatch({
      ...trust(),
      bundles: [bundle('only')],
      random: seededRandom('audit'),
    });
    expect(report.ok).toBe(true);
    const notACertificate = await rejected(
      api.verifyAttestationBatch({ ...trust(), certificate: 'not a certificate', bundles: [] }),
    );
    expect(notACertificate.code).toBe('PEM_INVALID');
  }, 60_000);
});

describe('downloadCertificates from a real HTTPS server on 127.0.0.1', () => {
  let server: Server;
  let baseUrl: string;
  let ca: string;
  const requests: string[] = [];
  const path = (patch: number) =>
    `/s390x-${patch}/ibm-hyper-protect-container-runtime-1-0-s390x-${patch}-encrypt.crt`;
  const pem = IBM_CERTIFICATES.find((e) => e.platform === 'hpvs' && e.version === '1.0.29')!.pem;

  beforeAll(async () => {
    const tls = await api.createSyslogCertificates({ ip: '127.0.0.1', bits: 2048 });
    ca = tls.caCertificatePem;
    server = createServer(
      { key: tls.serverPrivateKeyPem, cert: tls.serverCertificatePem },
      (request, response) => {
        requests.push(request.url ?? '');
        if (request.url === path(29)) response.end(pem);
        else response.writeHead(404).end('NoSuchKey');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("returns IBM's download JSON with what it fetched, trusting the given CA", async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const downloaded = await api.downloadCertificates({
      versions: ['1.0.29', '1.0.29'],
      baseUrl,
      extraCa: [ca],
      now,
    });
    expect(requests).toEqual([path(29)]);
    const document = JSON.parse(downloaded.document) as Record<string, { cert: string }>;
    expect(Object.keys(document)).toEqual(['1.0.29']);
    expect(document['1.0.29']!.cert).toBe(pem);
    expect(downloaded.certificates).toHaveLength(1);
    expect(downloaded.certificates[0]).toMatchObject({
      version: '1.0.29',
      url: baseUrl + path(29),
    });
    // the digest is of the bytes served, as sha256sum would say
    const sha = spawnSync('sha256sum', { input: pem }).stdout.toString().split(' ')[0];
    expect(downloaded.certificates[0]!.sha256).toBe(sha);
  });

  it('fails with stable codes: not found, an untrusted server, a bad version or URL before any request', async () => {
    expect(
      (await rejected(api.downloadCertificates({ versions: ['1.0.28'], baseUrl, extraCa: [ca] })))
        .code,
    ).toBe('DOWNLOAD_FAILED');
    expect((await rejected(api.downloadCertificates({ versions: ['1.0.29'], baseUrl }))).code).toBe(
      'DOWNLOAD_FAILED',
    );
    const before = requests.length;
    expect((await rejected(api.downloadCertificates({ versions: ['1.x'], baseUrl }))).code).toBe(
      'ARGUMENT_INVALID',
    );
    expect(
      (
        await rejected(
          api.downloadCertificates({
            versions: ['1.0.29'],
            baseUrl: baseUrl.replace('https', 'http'),
          }),
        )
      ).code,
    ).toBe('ARGUMENT_INVALID');
    expect(requests.length).toBe(before);
  });
});

describe.skipIf(!hasTool('xorriso'))('buildCidata (xorriso)', () => {
  it('builds the seed image xorriso reads back, the same bytes for the same inputs', async () => {
    const contract = await api.createContract({ workload, env, now: TEST_PKI_AT });
    const metaData = 'instance-id: web-1\nlocal-hostname: web-1\n';
    const options = { userData: contract.text, metaData, epoch: 0, now: TEST_PKI_AT };
    const built = await api.buildCidata(options);
    expect(built.plaintextSections).toBe(true);
    expect((await api.buildCidata(options)).image.equals(built.image)).toBe(true);
    const iso = join(tempDir(), 'cloudinit.iso');
    writeFileSync(iso, built.image);
    const out = join(tempDir(), 'extracted');
    const extracted = spawnSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', out]);
    expect(extracted.status, extracted.stderr.toString()).toBe(0);
    expect(readFileSync(join(out, 'user-data'), 'utf8')).toBe(contract.text);
    expect(readFileSync(join(out, 'meta-data'), 'utf8')).toBe(metaData);
    const volume = spawnSync('xorriso', ['-indev', iso, '-pvd_info']).stdout.toString();
    expect(volume).toMatch(/Volume Id\s*:\s*cidata/);
  }, 60_000);

  it('refuses user data the schema refuses and meta-data that is not a mapping', async () => {
    const contract = await api.createContract({ workload, env, now: TEST_PKI_AT });
    expect((await rejected(api.buildCidata({ userData: 'workload: 1\nenv: 2\n' }))).code).toBe(
      'CONTRACT_INVALID',
    );
    const list = await rejected(
      api.buildCidata({
        userData: contract.text,
        metaData: { bytes: '- not\n- a mapping\n', source: 'meta.yaml' },
        now: TEST_PKI_AT,
      }),
    );
    expect(list.code).toBe('YAML_INVALID');
    expect(list.message).toMatch(/^meta\.yaml:1:1: meta-data must be a mapping/);
  }, 60_000);
});

describe.skipIf(!hasTool('openssl'))('startLogServer', () => {
  it('takes a log line from openssl s_client with a client certificate of its CA, refuses one without, and closes', async () => {
    const tls = await api.createSyslogCertificates({ ip: '127.0.0.1', bits: 2048 });
    const dir = tempDir();
    const file = (name: string, text: string) => {
      writeFileSync(join(dir, name), text, { mode: 0o600 });
      return join(dir, name);
    };
    const messages: string[] = [];
    const events: string[] = [];
    const server = await api.startLogServer({
      ca: tls.caCertificatePem,
      certificate: tls.serverCertificatePem,
      privateKey: tls.serverPrivateKeyPem,
      onMessage: (message) => messages.push(message),
      onEvent: (event) => events.push(event),
    });
    try {
      expect(server.host).toBe('127.0.0.1');
      const line = '<14>1 2026-12-01T00:00:00Z host app 1 - - hello from openssl';
      const send = (withCertificate: boolean) =>
        new Promise<number | null>((resolve) => {
          const client = spawn(
            'openssl',
            [
              // -quiet would imply -ign_eof: the client must close when its input ends
              ...['s_client', '-quiet', '-no_ign_eof', '-connect', `127.0.0.1:${server.port}`],
              ...['-CAfile', file('ca.crt', tls.caCertificatePem)],
              ...(withCertificate ? ['-cert', file('client.crt', tls.clientCertificatePem)] : []),
              ...(withCertificate ? ['-key', file('client.key', tls.clientPrivateKeyPem)] : []),
            ],
            { stdio: ['pipe', 'ignore', 'ignore'] },
          );
          client.stdin.end(`${Buffer.byteLength(line)} ${line}`);
          client.on('close', resolve);
        });
      await send(true);
      await waitFor(() => messages.length > 0);
      expect(messages).toEqual([line]);
      await send(false);
      await waitFor(() => events.some((event) => /^refused /.test(event)));
      expect(messages).toHaveLength(1);
    } finally {
      await server.close();
    }
    const expired = await rejected(
      api.startLogServer({
        ca: tls.caCertificatePem,
        certificate: tls.serverCertificatePem,
        privateKey: tls.serverPrivateKeyPem,
        onMessage: () => undefined,
        now: new Date('2100-01-01T00:00:00Z'),
      }),
    );
    expect(expired.code).toBe('CERT_EXPIRED');
  }, 60_000);
});

describe.skipIf(!hasTool('podman'))('stopEmulator (podman)', () => {
  it("removes what carries its instance's label and nothing else", async () => {
    const instanceDir = join(tempDir(), 'instance');
    mkdirSync(instanceDir);
    // the label a podman boot puts on what it creates: the sha256 of the folder's real path
    const id = createHash('sha256').update(realpathSync(instanceDir)).digest('hex').slice(0, 12);
    const label = 'io.github.hpvs-ctl.emulator.instance';
    const mine = `hpvs-api-test-${id}`;
    const other = `hpvs-api-test-other-${id}`;
    const podman = (args: string[]) => {
      const result = spawnSync('podman', args, { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      return result.stdout;
    };
    podman(['volume', 'create', '--label', `${label}=${id}`, mine]);
    podman(['volume', 'create', '--label', `${label}=another-instance`, other]);
    try {
      expect(await api.stopEmulator({ instanceDir })).toEqual({
        containers: 0,
        pods: 0,
        volumes: 1,
      });
      const left = podman(['volume', 'ls', '--format', '{{.Name}}']).split('\n');
      expect(left).not.toContain(mine);
      expect(left).toContain(other);
    } finally {
      spawnSync('podman', ['volume', 'rm', '--force', mine, other]);
    }
    const missing = await rejected(api.stopEmulator({ instanceDir: join(tempDir(), 'none') }));
    expect(missing.code).toBe('FILE_NOT_FOUND');
  }, 60_000);
});

/** The HpvsError (the package's own class, from dist) a call rejects with. */
async function rejected(promise: Promise<unknown>): Promise<InstanceType<Api['HpvsError']>> {
  const outcome = await promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(api.HpvsError);
  return outcome as InstanceType<Api['HpvsError']>;
}

/** Resolves once `condition` holds; the test's own timeout bounds the wait. */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
