import { createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord } from '../../../src/core/attestation/record.js';
import { verifyRecordBundle } from '../../../src/core/attestation/verify-record.js';
import { buildContractFile } from '../../../src/core/authoring/build-contract-file.js';
import { parseUserData, sectionBytes } from '../../../src/core/contract/user-data.js';
import { parsePublicKeyOrCertificate } from '../../../src/core/crypto/keys.js';
import { signContract } from '../../../src/core/crypto/contract-signature.js';
import { encryptSection } from '../../../src/core/crypto/encrypt-section.js';
import { CLI_INPUT_PHRASES } from '../../../src/cli/commands/input-phrases.js';
import { formatConsoleLine, type InputPhrases } from '../../../src/emulator/boot-console.js';
import { bootContract, type BootResult } from '../../../src/emulator/boot/boot.js';
import { createEmulatorIdentity } from '../../../src/emulator/identity.js';
import { loadEmulatorState, writeEmulatorState } from '../../../src/emulator/state.js';
import { LogServer } from '../../../src/emulator/log-server.js';
import type { ContainerRuntime } from '../../../src/emulator/runtimes/container-runtime.js';
import { planRuntime } from '../../../src/emulator/runtimes/plan-runtime.js';
import { systemRandom } from '../../../src/node/random.js';
import { issueCertificate } from '../../../src/core/pki/issue-certificate.js';
import { createSyslogCertificates } from '../../../src/core/pki/syslog-certificates.js';
import { freeLoopbackPort } from '../../helpers/rsyslog.js';
import { tamperToken } from '../../helpers/tamper-token.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { hasTool, runTool } from '../../helpers/tools.js';
import {
  buildUserData,
  createStoryMaterial,
  TEST_KEY_BITS,
  WORKLOAD_SEED,
  type StoryMaterial,
  type UserDataOptions,
} from '../story.js';

const tempDir = useTempDir('hpvs-emulator-boot-');
let material: StoryMaterial;
let server: LogServer;
const received: string[] = [];
let bootCount = 0;

beforeAll(async () => {
  material = await createStoryMaterial(tempDir());
  server = await LogServer.start({
    port: 0,
    caPem: material.syslog.caCertificatePem,
    certPem: material.syslog.serverCertificatePem,
    keyPem: material.syslog.serverPrivateKeyPem,
    onMessage: (message) => received.push(message),
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

interface Booted extends BootResult {
  text: string;
  outDir: string;
}

async function boot(
  userData: string,
  extra: {
    volumeImage?: string;
    /** `NAME=FILE` images, by volume name. */
    namedImages?: Record<string, string>;
    fastKdf?: boolean;
    outDir?: string;
    runtime?: ContainerRuntime;
    phrases?: InputPhrases;
  } = {},
): Promise<Booted> {
  const outDir = extra.outDir ?? join(tempDir(), `instance-${++bootCount}`);
  const printed: string[] = [];
  const result = await bootContract({
    state: material.state,
    source: 'user-data.yaml',
    userData: Buffer.from(userData),
    outDir,
    volumeImages: extra.volumeImage
      ? { byName: new Map(), single: extra.volumeImage }
      : { byName: new Map(Object.entries(extra.namedImages ?? {})) },
    fastKdf: extra.fastKdf ?? true,
    runtime: extra.runtime ?? planRuntime,
    print: (line) => printed.push(line),
    ...(extra.phrases === undefined ? {} : { phrases: extra.phrases }),
    random: systemRandom,
  });
  return { ...result, text: printed.join('\n'), outDir };
}

function userData(options: UserDataOptions = {}): string {
  return buildUserData(material, { syslogPort: server.port, ...options });
}

/** The codes of the boot's console lines in order. */
function codes(result: BootResult): string[] {
  return result.lines.flatMap((line) => (line.code ? [line.code] : []));
}

describe('emulator boot, success', () => {
  it('runs the services in the runtime order and forwards every line to the log server', async () => {
    received.length = 0;
    const result = await boot(userData({ sign: true, attestationKey: true }));
    expect(result.text).not.toContain('HPL10000E');
    expect(result.ok).toBe(true);
    expect(codes(result)).toEqual([
      'HPL11099I',
      'HPL01010I',
      'HPL07003I',
      'HPL13000I',
      'HPL13001I',
      'HPL15004I',
      'HPL10001I',
    ]);
    expect(result.text).toMatch(/^hpl-bootloader\[\d+\]: HPL11099I: bootloader end$/m);
    expect(result.text).toMatch(/decrypted 2 encrypted sections \(workload, env\)/);
    // the log server saw the replayed bootloader lines and the final line
    const last = result.lines.at(-1)!;
    await waitFor(() => received.some((m) => m.includes('HPL10001I')));
    expect(received[0]).toMatch(/^<30>1 \S+ hpcr-emulator-\S+ hpl-bootloader \d+ - - /);
    expect(received.some((m) => m.includes('HPL11099I: bootloader end'))).toBe(true);
    expect(received.length).toBe(result.lines.length);
    expect(received.at(-1)).toContain(`${last.code}: ${last.text}`);
    expect(existsSync(join(result.outDir, 'var/hyperprotect/se-checksums.txt.enc'))).toBe(true);
    expect(existsSync(join(result.outDir, 'var/hyperprotect/se-checksums.txt'))).toBe(false);
    expect(readFileSync(join(result.outDir, 'var/log/hpcr-console.log'), 'utf8')).toContain(
      formatConsoleLine(last),
    );
  });
});

describe("emulator boot, the caller's words for its inputs", () => {
  it('names the volume images in concepts by default, and in the words the caller gives', async () => {
    const plain = await boot(userData());
    expect(plain.ok, plain.text).toBe(true);
    expect(plain.text).toMatch(
      /volume data: passphrase derived; no volume image given, so nothing/,
    );
    expect(plain.text).not.toMatch(/(^|\s|\()--[a-z]/m);
    const cli = await boot(userData(), { phrases: CLI_INPUT_PHRASES });
    expect(cli.text).toMatch(
      /volume data: passphrase derived; no --volume-image given, so nothing/,
    );

    const image = join(tempDir(), 'unused.img');
    const unknown = await boot(userData(), { namedImages: { nope: image } });
    expect(unknown.failedService).toBe('hpl-disk');
    expect(unknown.text).toMatch(
      /HPL07013E: a volume image names the volume nope, which the contract does not have$/m,
    );
    const unknownCli = await boot(userData(), {
      namedImages: { nope: image },
      phrases: CLI_INPUT_PHRASES,
    });
    expect(unknownCli.failedService).toBe('hpl-disk');
    expect(unknownCli.text).toMatch(
      /HPL07013E: --volume-image names the volume nope, which the contract does not have$/m,
    );
    // the console log and the forwarded lines hold the same words as the printed ones
    expect(readFileSync(join(unknownCli.outDir, 'var/log/hpcr-console.log'), 'utf8')).toMatch(
      /--volume-image names the volume nope/,
    );
    expect(existsSync(image)).toBe(false);
  });

  it('points past the reported schema problems in concepts, or to the CLI command', async () => {
    // twelve registries without credentials: more problems than the service reports
    const registries = {
      auths: Object.fromEntries(
        Array.from({ length: 12 }, (_, index) => [`r${index}.example.com`, {}]),
      ),
    };
    const plain = await boot(userData({ workloadExtra: registries }));
    expect(plain.failedService, plain.text).toBe('hpl-contract');
    expect(plain.text).toMatch(
      /: \d+ more problems; validate the plaintext sections to see them all$/m,
    );
    const cli = await boot(userData({ workloadExtra: registries }), {
      phrases: CLI_INPUT_PHRASES,
    });
    expect(cli.text).toMatch(
      /: \d+ more problems; run hpvs-ctl validate on the plaintext sections$/m,
    );
  });
});

describe('emulator boot, the instance folder', () => {
  /** A runtime that leaves files in its work folder, as podman's compose does. */
  const writingRuntime: ContainerRuntime = {
    name: 'writer',
    async run(input) {
      mkdirSync(join(input.workDir, 'compose', 'app'), { recursive: true });
      writeFileSync(join(input.workDir, 'compose', 'docker-compose.yaml'), 'services: {}\n');
      writeFileSync(join(input.workDir, 'compose', 'app', 'main.py'), 'print(1)\n');
      return { containers: [] };
    },
  };

  it("refuses a folder holding the user's workload/ before any service runs, leaving it whole", async () => {
    const outDir = join(tempDir(), 'user-folder');
    mkdirSync(join(outDir, 'workload', 'src'), { recursive: true });
    writeFileSync(join(outDir, 'workload', 'src', 'app.py'), 'my work');
    const printed: string[] = [];
    await expect(
      bootContract({
        state: material.state,
        source: 'user-data.yaml',
        userData: Buffer.from(userData()),
        outDir,
        runtime: writingRuntime,
        print: (line) => printed.push(line),
        random: systemRandom,
      }),
    ).rejects.toMatchObject({
      code: 'OUTPUT_FAILED',
      message: expect.stringMatching(
        /user-folder: holds files the emulator did not create \(workload\)/,
      ),
    });
    expect(printed).toEqual([]);
    expect(readFileSync(join(outDir, 'workload', 'src', 'app.py'), 'utf8')).toBe('my work');
    expect(readdirSync(outDir)).toEqual(['workload']);
  });

  it('boots again into its own folder, replacing only what the previous boot wrote', async () => {
    const outDir = join(tempDir(), 'reused');
    const first = await boot(userData(), { outDir, runtime: writingRuntime });
    expect(first.ok, first.text).toBe(true);
    expect(first.text.split('\n')[0]).toBe(`hpcr-emulator: instance folder ${outDir} created`);
    writeFileSync(join(outDir, 'notes.txt'), 'beside the instance');
    const second = await boot(userData(), { outDir, runtime: writingRuntime });
    expect(second.ok, second.text).toBe(true);
    expect(second.text.split('\n')[0]).toBe(
      `hpcr-emulator: instance folder ${outDir} reused: the files of its previous boot are replaced`,
    );
    expect(readFileSync(join(outDir, 'notes.txt'), 'utf8')).toBe('beside the instance');
    writeFileSync(join(outDir, 'workload', 'compose', 'app', 'mine.py'), 'my work');
    await expect(boot(userData(), { outDir, runtime: writingRuntime })).rejects.toMatchObject({
      message: expect.stringMatching(
        /holds files the emulator did not create \(compose\/app\/mine\.py\)/,
      ),
    });
    expect(readFileSync(join(outDir, 'workload', 'compose', 'app', 'mine.py'), 'utf8')).toBe(
      'my work',
    );
  });
});

describe('emulator boot, attestation record', () => {
  it('records the image, the exact user data and every submitted section, signed by the attestation key', async () => {
    const text = userData({ sign: true });
    const result = await boot(text);
    expect(result.ok).toBe(true);
    const dir = join(result.outDir, 'var/hyperprotect');
    const bytes = readFileSync(join(dir, 'se-checksums.txt'));
    const record = parseRecord(bytes);
    expect(record.version).toBe('25.11.0-emulator');
    expect(readFileSync(join(dir, 'se-version'), 'utf8')).toBe('25.11.0-emulator\n');
    const sha = (data: string | Buffer) =>
      runTool('sha256sum', [], data).stdout.toString().split(' ')[0];
    const byName = new Map(record.hashes.map((h) => [h.name, h.sha256]));
    expect(byName.get('cidata/user-data')).toBe(sha(text));
    const token = (key: string) => new RegExp(`^${key}: (\\S+)$`, 'm').exec(text)![1]!;
    expect(byName.get('contract:workload')).toBe(sha(token('workload')));
    expect(byName.get('contract:env')).toBe(sha(token('env')));
    expect(byName.get('contract:envWorkloadSignature')).toBe(sha(token('envWorkloadSignature')));
    expect(byName.get('root.tar.gz')).toBe(material.state.reference.rootTarGz);
    expect(bytes.at(-1)).not.toBe(0x0a);
  });

  it.skipIf(!hasTool('openssl'))(
    'passes the documented openssl procedure (skipped when openssl is not installed): pkeyutl -decrypt | enc -d -aes-256-cbc -pbkdf2, then dgst -sha256 -verify',
    async () => {
      const result = await boot(userData({ attestationKey: true }));
      expect(result.ok).toBe(true);
      const dir = join(result.outDir, 'var/hyperprotect');
      const [, wrapped, data] = readFileSync(join(dir, 'se-checksums.txt.enc'), 'utf8').split('.');
      const work = tempDir();
      writeFileSync(join(work, 'auditor.pem'), material.auditor.privateKeyPem);
      writeFileSync(join(work, 'password.bin'), Buffer.from(wrapped!, 'base64'));
      writeFileSync(join(work, 'data.bin'), Buffer.from(data!, 'base64'));
      const password = runTool('openssl', [
        'pkeyutl',
        '-decrypt',
        '-inkey',
        join(work, 'auditor.pem'),
        '-in',
        join(work, 'password.bin'),
      ]);
      expect(password.status).toBe(0);
      const plain = runTool(
        'openssl',
        ['enc', '-d', '-aes-256-cbc', '-pbkdf2', '-pass', 'stdin', '-in', join(work, 'data.bin')],
        password.stdout,
      );
      expect(plain.status).toBe(0);
      expect(plain.stdout.toString()).toMatch(/^25\.11\.0-emulator\nMachine Type\/Plant\/Serial: /);
      writeFileSync(join(work, 'record.txt'), plain.stdout);
      const certificate = readFileSync(material.state.publicPath('attestation'), 'utf8');
      writeFileSync(
        join(work, 'attestation-pub.pem'),
        createPublicKey(certificate).export({ type: 'spki', format: 'pem' }),
      );
      const verify = (file: string) =>
        runTool('openssl', [
          'dgst',
          '-sha256',
          '-verify',
          join(work, 'attestation-pub.pem'),
          '-signature',
          join(dir, 'se-signature.bin'),
          file,
        ]);
      expect(verify(join(work, 'record.txt')).stdout.toString()).toContain('Verified OK');
      writeFileSync(
        join(work, 'record-tampered.txt'),
        Buffer.concat([plain.stdout, Buffer.from('\n')]),
      );
      expect(verify(join(work, 'record-tampered.txt')).status).not.toBe(0);
    },
  );
});

describe("emulator boot, block-string contracts (IBM's form)", () => {
  /** The auditor's contract:* checks of a boot's record against the user data it was given. */
  async function auditorChecks(result: Booted, text: string): Promise<string[]> {
    const dir = join(result.outDir, 'var/hyperprotect');
    const encrypted = existsSync(join(dir, 'se-checksums.txt.enc'));
    const verification = await verifyRecordBundle({
      random: systemRandom,
      record: {
        bytes: readFileSync(join(dir, encrypted ? 'se-checksums.txt.enc' : 'se-checksums.txt')),
        source: 'record',
      },
      signature: { bytes: readFileSync(join(dir, 'se-signature.bin')), source: 'signature' },
      attestationKey: createPublicKey(
        readFileSync(material.state.publicPath('attestation'), 'utf8'),
      ),
      certificateSource: 'attestation.crt',
      auditorKey: encrypted ? material.auditor.privateKey : undefined,
      contract: { bytes: Buffer.from(text), source: 'user-data.yaml' },
    });
    expect(verification.signature.status).toBe('pass');
    return verification.contract.map((check) => `${check.id}:${check.status}`);
  }

  it('boots plaintext | block sections, signed, with a base64 attestation key, to HPL10001I', async () => {
    const text = userData({
      encryptFor: 'plaintext',
      sectionStyle: 'block-string',
      sign: true,
      attestationKey: true,
      attestationKeyForm: 'base64',
    });
    expect(text).toMatch(/^workload: \|\n {2}type: workload\n/);
    const result = await boot(text);
    expect(result.text).toContain('HPL10001I');
    expect(result.ok).toBe(true);
    expect(result.text).toMatch(/no encrypted sections in the contract/);
    expect(result.text).toMatch(/envWorkloadSignature verified with env.signingKey/);
    expect(await auditorChecks(result, text)).toEqual([
      'contract:user-data:pass',
      'contract:workload:pass',
      'contract:env:pass',
      'contract:attestationPublicKey:pass',
      'contract:envWorkloadSignature:pass',
    ]);
    // the record's section digests are of the string values, final newline included
    const record = parseRecord(
      (
        await verifyRecordBundle({
          random: systemRandom,
          record: {
            bytes: readFileSync(join(result.outDir, 'var/hyperprotect/se-checksums.txt.enc')),
            source: 'record',
          },
          signature: {
            bytes: readFileSync(join(result.outDir, 'var/hyperprotect/se-signature.bin')),
            source: 'signature',
          },
          attestationKey: createPublicKey(
            readFileSync(material.state.publicPath('attestation'), 'utf8'),
          ),
          certificateSource: 'attestation.crt',
          auditorKey: material.auditor.privateKey,
        })
      ).record.bytes,
    );
    const workloadValue = parseUserData(text, 'u').sections.get('workload')!.value;
    expect(workloadValue.endsWith('\n')).toBe(true);
    const sha = (data: string) => runTool('sha256sum', [], data).stdout.toString().split(' ')[0];
    expect(record.hashes.find((line) => line.name === 'contract:workload')?.sha256).toBe(
      sha(workloadValue),
    );
  });

  it('boots a block-string contract whose sections were encrypted from their string values', async () => {
    const plain = userData({ encryptFor: 'plaintext', sectionStyle: 'block-string', sign: true });
    const parsed = parseUserData(plain, 'plain.yaml');
    const key = createPublicKey(readFileSync(material.state.publicPath('encryption'), 'utf8'));
    const token = (name: string) =>
      encryptSection(sectionBytes(parsed.sections.get(name)!), key, systemRandom);
    const workload = token('workload');
    const env = token('env');
    const text = `workload: ${workload}\nenv: ${env}\nenvWorkloadSignature: ${signContract(workload, env, material.signer.privateKey)}\n`;
    const result = await boot(text);
    expect(result.ok).toBe(true);
    expect(result.text).toContain('HPL10001I');
    expect(result.text).toMatch(/decrypted 2 encrypted sections \(workload, env\)/);
    expect(await auditorChecks(result, text)).toEqual([
      'contract:user-data:pass',
      'contract:workload:pass',
      'contract:env:pass',
      'contract:envWorkloadSignature:pass',
    ]);
  });

  it('boots what contract --in makes of a block-string contract: encrypted, signed, attested', async () => {
    const plain = userData({
      encryptFor: 'plaintext',
      sectionStyle: 'block-string',
      attestationKey: true,
    });
    const built = await buildContractFile({
      text: plain,
      source: 'contract.yaml',
      encryption: {
        material: parsePublicKeyOrCertificate(
          readFileSync(material.state.publicPath('encryption'), 'utf8'),
          'encrypt.crt',
        ),
        source: 'encrypt.crt',
      },
      signing: { privateKey: material.signer.privateKey },
      now: new Date(),
      random: systemRandom,
    });
    expect(built.plaintextSections).toEqual([]);
    const result = await boot(built.text);
    expect(result.ok).toBe(true);
    expect(result.text).toContain('HPL10001I');
    expect(result.text).toMatch(
      /decrypted 3 encrypted sections \(workload, env, attestationPublicKey\)/,
    );
    expect(result.text).toMatch(/envWorkloadSignature verified with env.signingKey/);
    expect(await auditorChecks(result, built.text)).toEqual([
      'contract:user-data:pass',
      'contract:workload:pass',
      'contract:env:pass',
      'contract:attestationPublicKey:pass',
      'contract:envWorkloadSignature:pass',
    ]);
  });
});

describe('emulator boot, failures end in HPL10000E after the failing service', () => {
  async function expectFailure(result: Booted, code: string | undefined, message: RegExp) {
    expect(result.ok).toBe(false);
    const failed = result.lines.findIndex((line) => line.code === 'HPL10000E');
    expect(failed).toBeGreaterThan(0);
    const cause = result.lines.slice(0, failed).find((line) => line.severity === 'error');
    expect(cause, result.text).toBeDefined();
    expect(cause!.code).toBe(code);
    expect(cause!.text).toMatch(message);
    expect(result.lines.at(-1)!.text).toMatch(/^Shutdown scheduled for /);
    expect(result.text).not.toContain('HPL10001I');
    // nothing was attested for a contract that did not pass
    if (!result.lines.some((line) => line.service === 'hpl-attestation')) {
      expect(existsSync(join(result.outDir, 'var/hyperprotect'))).toBe(false);
    }
  }

  it('a tampered signature: HPL12001E', async () => {
    await expectFailure(
      await boot(userData({ sign: true, tamperSignature: true })),
      'HPL12001E',
      /does not verify/,
    );
  });

  it('an expired signing certificate: HPL12007E', async () => {
    const signer = material.signer;
    const certificate = await issueCertificate({
      subject: 'CN=expired contract signer',
      publicKey: createPublicKey(signer.publicKeyPem),
      selfSigningKey: signer.privateKey,
      role: 'contract-signing',
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    await expectFailure(
      await boot(userData({ signingKey: certificate })),
      'HPL12007E',
      /The contract expired on/,
    );
  });

  it('a section token that does not open: one HPL11001E line for the wrong key, a bad padding and garbage', async () => {
    const text = userData();
    const token = /^workload: (hyper-protect-basic\.\S+)$/m.exec(text)![1]!;
    const causes: string[] = [];
    for (const contract of [
      userData({ encryptFor: material.syslog.caCertificatePem }),
      text.replace(token, tamperToken(token, 'padding-byte')),
      text.replace(token, tamperToken(token, 'early-block')),
    ]) {
      const result = await boot(contract);
      await expectFailure(
        result,
        'HPL11001E',
        /^Unable to decrypt the contract section workload: user-data\.yaml: the workload section cannot be opened: the token is corrupted or tampered with, or was not encrypted for this key \(tokens carry no integrity check; sign the contract\)$/,
      );
      const failed = result.lines.findIndex((line) => line.code === 'HPL10000E');
      const cause = result.lines.slice(0, failed).find((line) => line.severity === 'error')!;
      causes.push(`${cause.service}: ${cause.code}: ${cause.text}`);
    }
    // byte-identical: which of the three happened must not show (a padding oracle otherwise)
    expect(new Set(causes).size).toBe(1);
  });

  it('a schema error: HPL05001E with its position in the decrypted section', async () => {
    await expectFailure(
      await boot(userData({ workloadSeed: 'short' })),
      'HPL05001E',
      /^Unable to validate the contract semantically\. -> user-data\.yaml \(decrypted workload\):\d+:\d+ workload\.volumes\.data\.seed: /,
    );
  });

  it('a missing seed', async () => {
    const result = await boot(userData({ omitEnvSeed: true }));
    await expectFailure(result, result.lines.find((l) => l.severity === 'error')!.code, /seed/);
    expect(['HPL05001E', 'HPL07013E']).toContain(
      result.lines.find((l) => l.severity === 'error')!.code,
    );
  });

  it('volume names that differ between workload and env: HPL07015E from the disk service', async () => {
    const result = await boot(userData({ envVolumeName: 'other' }));
    await expectFailure(
      result,
      'HPL07015E',
      /The volume names in workload \(data\) and env \(other\) differ/,
    );
    expect(result.failedService).toBe('hpl-disk');
  });

  it('a compose file with build: fails at the containers service', async () => {
    const { buildTgz } = await import('../../../src/core/archive/build-tgz.js');
    const archive = await buildTgz([
      {
        type: 'file',
        path: 'docker-compose.yaml',
        data: Buffer.from('services:\n  web:\n    build: .\n'),
        executable: false,
      },
    ]);
    const result = await boot(
      userData({ workloadExtra: { compose: { archive: archive.toString('base64') } } }),
    );
    await expectFailure(
      result,
      undefined,
      /runtime plan: the workload cannot start: .*build: section/,
    );
    expect(result.failedService).toBe('hpl-containers');
  });

  it('a log server that hangs up during the boot: HPL01001E before the catch', async () => {
    const { createServer } = await import('node:tls');
    const rude = createServer(
      {
        ca: material.syslog.caCertificatePem,
        cert: material.syslog.serverCertificatePem,
        key: material.syslog.serverPrivateKeyPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => socket.once('data', () => socket.destroy()),
    );
    await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', resolve));
    const { port } = rude.address() as { port: number };
    try {
      const result = await boot(userData({ syslogPort: port }));
      await expectFailure(
        result,
        'HPL01001E',
        /Log forwarding broke: the syslog server 127\.0\.0\.1:\d+ (closed the connection|refused)/,
      );
      expect(result.lines.some((line) => line.code === 'HPL01010I')).toBe(true);
    } finally {
      await new Promise((resolve) => rude.close(resolve));
    }
  });

  it('an unreachable log server: HPL01001E', async () => {
    const port = await freeLoopbackPort();
    await expectFailure(
      await boot(userData({ syslogPort: port })),
      'HPL01001E',
      new RegExp(`cannot reach the syslog server 127\\.0\\.0\\.1:${port} \\(connection refused\\)`),
    );
  });

  it('an untrusted log server (certificate from another CA): HPL01001E', async () => {
    const other = await createSyslogCertificates({
      ip: '127.0.0.1',
      now: new Date(),
      bits: TEST_KEY_BITS,
    });
    const impostor = await LogServer.start({
      port: 0,
      caPem: material.syslog.caCertificatePem,
      certPem: other.serverCertificatePem,
      keyPem: other.serverPrivateKeyPem,
      onMessage: () => undefined,
    });
    try {
      await expectFailure(
        await boot(userData({ syslogPort: impostor.port })),
        'HPL01001E',
        /is not trusted/,
      );
    } finally {
      await impostor.close();
    }
  });

  it('a log server that refuses the client certificate: HPL01001E', async () => {
    const other = await createSyslogCertificates({
      ip: '127.0.0.1',
      now: new Date(),
      bits: TEST_KEY_BITS,
    });
    const strict = await LogServer.start({
      port: 0,
      caPem: other.caCertificatePem,
      certPem: material.syslog.serverCertificatePem,
      keyPem: material.syslog.serverPrivateKeyPem,
      onMessage: () => undefined,
    });
    try {
      await expectFailure(
        await boot(userData({ syslogPort: strict.port })),
        'HPL01001E',
        /refused the client certificate/,
      );
    } finally {
      await strict.close();
    }
  });

  it('a client key that is not the key of the client certificate, an expired CA: HPL01001E before dialling', async () => {
    const other = await createSyslogCertificates({
      ip: '127.0.0.1',
      now: new Date(),
      bits: TEST_KEY_BITS,
    });
    const syslog = {
      hostname: '127.0.0.1',
      port: server.port,
      server: material.syslog.caCertificatePem,
      cert: material.syslog.clientCertificatePem,
      key: other.clientPrivateKeyPem,
    };
    await expectFailure(
      await boot(userData({ logging: { syslog } })),
      'HPL01001E',
      /Invalid logging configuration: env\.logging\.syslog\.key: this private key does not belong to the certificate env\.logging\.syslog\.cert/,
    );
    const old = await createSyslogCertificates({
      ip: '127.0.0.1',
      now: new Date(Date.now() - 3 * 86_400_000),
      days: 1,
      caDays: 1,
      bits: TEST_KEY_BITS,
    });
    const expired = {
      ...syslog,
      server: old.caCertificatePem,
      cert: old.clientCertificatePem,
      key: old.clientPrivateKeyPem,
    };
    await expectFailure(
      await boot(userData({ logging: { syslog: expired } })),
      'HPL01001E',
      /Invalid logging configuration: env\.logging\.syslog\.server: certificate expired on /,
    );
  });
});

describe('emulator boot, expiry reporting', () => {
  async function signingCertificate(days: number): Promise<string> {
    return issueCertificate({
      subject: 'CN=contract signer',
      publicKey: createPublicKey(material.signer.publicKeyPem),
      selfSigningKey: material.signer.privateKey,
      role: 'contract-signing',
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + days * 86_400_000),
    });
  }

  it('reports a contract valid for long (HPL12005E) and one expiring soon (HPL12006E) and boots both', async () => {
    const long = await boot(userData({ signingKey: await signingCertificate(200) }));
    expect(long.ok, long.text).toBe(true);
    expect(long.text).toMatch(
      /hpl-contract-signature\[\d+\]: HPL12005E: The contract is valid until \S+ \(199 days left\)/,
    );
    const soon = await boot(userData({ signingKey: await signingCertificate(10) }));
    expect(soon.ok, soon.text).toBe(true);
    const warning = soon.lines.find((line) => line.code === 'HPL12006E')!;
    expect(warning.severity).toBe('warning');
    expect(warning.text).toMatch(/The contract will expire on \S+ \(9 days left\)/);
  });

  it('warns when the image encryption certificate expires soon (HPL12011W) or has expired (HPL12013W)', async () => {
    const day = 86_400_000;
    for (const [ageDays, code] of [
      [350, 'HPL12011W'],
      [400, 'HPL12013W'],
    ] as const) {
      const stateDir = join(tempDir(), `aged-${ageDays}`);
      await writeEmulatorState(
        stateDir,
        await createEmulatorIdentity({
          imageVersion: '25.11.0-emulator',
          now: new Date(Date.now() - ageDays * day),
          keyBits: TEST_KEY_BITS,
        }),
      );
      const state = await loadEmulatorState(stateDir);
      const printed: string[] = [];
      const result = await bootContract({
        state,
        source: 'user-data.yaml',
        userData: Buffer.from(
          buildUserData(
            { ...material, state },
            {
              syslogPort: server.port,
              encryptFor: readFileSync(state.publicPath('encryption'), 'utf8'),
            },
          ),
        ),
        outDir: join(tempDir(), `aged-out-${ageDays}`),
        runtime: planRuntime,
        print: (line) => printed.push(line),
        random: systemRandom,
      });
      expect(result.ok, printed.join('\n')).toBe(true);
      expect(result.lines.find((line) => line.code === code)?.severity).toBe('warning');
    }
  });
});

describe('emulator boot, other logging targets and plaintext contracts', () => {
  it('connects without a client certificate when the contract has none (server-authenticated TLS)', async () => {
    const result = await boot(
      userData({
        logging: {
          syslog: {
            hostname: '127.0.0.1',
            port: server.port,
            server: material.syslog.caCertificatePem,
          },
        },
      }),
    );
    // the log server requires client certificates, so it refuses this instance
    expect(result.ok).toBe(false);
    expect(result.text).toMatch(
      /HPL01001E: Logging setup failed: the syslog server 127\.0\.0\.1:\d+ refused the client certificate/,
    );
  });

  it('reports logRouter as not emulated and keeps the logs on the console', async () => {
    const result = await boot(
      userData({
        logging: {
          logRouter: { hostname: 'logs.example.com', iamApiKey: 'key-0123456789abcdef', port: 443 },
        },
        encryptFor: 'plaintext',
      }),
    );
    expect(result.ok, result.text).toBe(true);
    expect(result.text).toMatch(
      /hpl-logging\[\d+\]: env\.logging\.logRouter \(logs\.example\.com\) is not emulated/,
    );
    expect(result.text).toContain('no encrypted sections in the contract');
  });

  it('ignores logDNA beside logRouter with a warning, as validate does, and boots', async () => {
    const text = userData({
      logging: {
        logRouter: { hostname: 'logs.example.com', iamApiKey: 'key-0123456789abcdef', port: 443 },
      },
      encryptFor: 'plaintext',
    }).replace(
      /^( {2}logging:\n)/m,
      `$1    logDNA:\n      hostname: old.example.com\n      ingestionKey: ${'a'.repeat(32)}\n`,
    );
    expect(text).toContain('    logDNA:\n');
    const result = await boot(text);
    expect(result.ok, result.text).toBe(true);
    expect(result.text).toMatch(
      /hpl-logging\[\d+\]: env\.logging\.logDNA: logDNA is deprecated and current images ignore it; logRouter is used/,
    );
  });
});

describe.skipIf(!hasTool('cryptsetup'))(
  `emulator boot, LUKS2 volume image (real cryptsetup)${hasTool('cryptsetup') ? '' : ' (skipped: cryptsetup is not installed; apt-get install cryptsetup-bin)'}`,
  () => {
    it('formats on the first boot, reopens on the second, refuses different seeds', async () => {
      const image = join(tempDir(), 'data.img');
      const first = await boot(userData(), { volumeImage: image });
      expect(first.ok, first.text).toBe(true);
      expect(first.text).toMatch(
        /volume data: new LUKS2 volume formatted in .*data\.img \(fast key derivation for tests: PBKDF2, test strength only\)$/m,
      );
      expect(runTool('cryptsetup', ['isLuks', '--type', 'luks2', image]).status).toBe(0);
      const second = await boot(userData(), { volumeImage: image });
      expect(second.ok, second.text).toBe(true);
      expect(second.text).toMatch(/volume data: existing LUKS2 volume in .*data\.img unlocked/);
      expect(second.text).toMatch(/hpl-disk\[\d+\]: HPL07003I: Mounting volumes done/);
      expect(second.text).toMatch(/cryptsetup confirms LUKS2 on 1 data volume image/);
      expect(second.text).toMatch(
        /hpl-disk-check\[\d+\]: HPL13001I: Boot volume and all the mounted data volumes are encrypted/,
      );
      const third = await boot(userData({ workloadSeed: 'a-different-workload-seed' }), {
        volumeImage: image,
      });
      expect(third.ok).toBe(false);
      expect(third.text).toMatch(
        /the passphrase derived from the env and workload seeds does not unlock it/,
      );
      expect(third.text).toMatch(/HPL10000E/);
    });

    it('formats an all-zero image made with truncate -s', async () => {
      const zeros = join(tempDir(), 'zeros.img');
      expect(runTool('truncate', ['-s', '32M', zeros]).status).toBe(0);
      const formatted = await boot(userData(), { volumeImage: zeros });
      expect(formatted.ok, formatted.text).toBe(true);
      expect(formatted.text).toMatch(/volume data: new LUKS2 volume formatted in .*zeros\.img/);
      expect(runTool('cryptsetup', ['isLuks', '--type', 'luks2', zeros]).status).toBe(0);
    });

    it.skipIf(!hasTool('mkfs.ext4'))(
      `refuses a real ext4 image, naming it${hasTool('mkfs.ext4') ? '' : ' (skipped: mkfs.ext4 is not installed; apt-get install e2fsprogs)'}`,
      async () => {
        const ext4 = join(tempDir(), 'ext4.img');
        expect(runTool('truncate', ['-s', '32M', ext4]).status).toBe(0);
        expect(runTool('mkfs.ext4', ['-q', '-F', ext4]).status).toBe(0);
        const refused = await boot(userData(), { volumeImage: ext4 });
        expect(refused.ok).toBe(false);
        expect(refused.text).toMatch(
          /hpl-disk\[\d+\]: HPL07013E: Volume data failed: .*ext4\.img: holds an ext4 file system \(signature at offset 0x438\)/,
        );
        expect(runTool('cryptsetup', ['isLuks', ext4]).status).not.toBe(0);
      },
    );

    it('rotates the workload seed with previousSeed: re-keys once, then opens with the new seeds only', async () => {
      const image = join(tempDir(), 'rotate.img');
      expect((await boot(userData(), { volumeImage: image })).ok).toBe(true);
      const rotated = await boot(
        userData({
          workloadSeed: 'rotated-workload-seed-2026',
          workloadPreviousSeed: WORKLOAD_SEED,
        }),
        { volumeImage: image },
      );
      expect(rotated.ok, rotated.text).toBe(true);
      expect(rotated.text).toMatch(
        /volume data: LUKS2 volume in .*rotate\.img re-keyed from the previousSeed passphrase/,
      );
      const after = await boot(userData({ workloadSeed: 'rotated-workload-seed-2026' }), {
        volumeImage: image,
      });
      expect(after.text).toMatch(/existing LUKS2 volume in .*rotate\.img unlocked/);
      const old = await boot(userData(), { volumeImage: image });
      expect(old.ok).toBe(false);
    });
  },
);

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
