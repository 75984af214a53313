import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildEnvSection,
  buildWorkloadSection,
  type LoggingInput,
} from '../../src/core/authoring/section-builders.js';
import { signContract } from '../../src/core/crypto/contract-signature.js';
import { encryptSection } from '../../src/core/crypto/encrypt-section.js';
import { parsePublicKeyOrCertificate } from '../../src/core/crypto/keys.js';
import { archiveFolder } from '../../src/node/archive-folder.js';
import { systemRandom } from '../../src/node/random.js';
import { createEmulatorIdentity } from '../../src/emulator/identity.js';
import {
  loadEmulatorState,
  writeEmulatorState,
  type EmulatorState,
} from '../../src/emulator/state.js';
import {
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateRsaKeyPair,
} from '../../src/core/pki/rsa-key-pair.js';
import {
  createSyslogCertificates,
  type SyslogCertificates,
} from '../../src/core/pki/syslog-certificates.js';

/**
 * The personas' material for emulator tests, built with hpvs-ctl's own library code: an
 * emulator identity, syslog TLS certificates, the auditor's and the signer's key pairs, and a
 * builder for user data with the knobs the failure tests turn. Keys are 2048-bit to keep the
 * suite fast; the emulator's default stays 4096.
 */
export const TEMPLATE_COMPOSE = fileURLToPath(new URL('../../templates/compose', import.meta.url));
export const TEST_KEY_BITS = 2048;
export const WORKLOAD_SEED = 'workload-seed-0123456789';
export const ENV_SEED = 'env-seed-abcdefghijklmn';

export interface KeyPairPem {
  privateKey: KeyObject;
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface StoryMaterial {
  stateDir: string;
  state: EmulatorState;
  syslog: SyslogCertificates;
  auditor: KeyPairPem;
  signer: KeyPairPem;
  composeArchive: string;
}

async function keyPair(): Promise<KeyPairPem> {
  const pair = await generateRsaKeyPair(TEST_KEY_BITS);
  return {
    privateKey: pair.privateKey,
    privateKeyPem: exportPrivateKeyPem(pair.privateKey),
    publicKeyPem: exportPublicKeyPem(pair.publicKey),
  };
}

export async function createStoryMaterial(dir: string): Promise<StoryMaterial> {
  const stateDir = join(dir, 'hpcr');
  const [identity, syslog, auditor, signer, archive] = await Promise.all([
    createEmulatorIdentity({
      imageVersion: '25.11.0-emulator',
      now: new Date(),
      keyBits: TEST_KEY_BITS,
    }),
    createSyslogCertificates({ ip: '127.0.0.1', now: new Date(), bits: TEST_KEY_BITS }),
    keyPair(),
    keyPair(),
    archiveFolder(TEMPLATE_COMPOSE),
  ]);
  await writeEmulatorState(stateDir, identity);
  return {
    stateDir,
    state: await loadEmulatorState(stateDir),
    syslog,
    auditor,
    signer,
    composeArchive: archive.base64,
  };
}

export interface UserDataOptions {
  logging?: LoggingInput;
  /** Port of the syslog server (127.0.0.1). */
  syslogPort?: number;
  workloadSeed?: string | undefined;
  workloadPreviousSeed?: string;
  envSeed?: string | undefined;
  /** Leave the env volume without a seed (the deployer forgot it). */
  omitEnvSeed?: boolean;
  envVolumeName?: string;
  /** Encrypt workload and env for this certificate (PEM); the emulator's own by default. */
  encryptFor?: string | 'plaintext';
  /** Sign with the signer's key; `signingKey` replaces the public key (a certificate). */
  sign?: boolean;
  signingKey?: string;
  tamperSignature?: boolean;
  attestationKey?: boolean;
  /** How plaintext sections are written: a mapping (default) or IBM's `|` block string. */
  sectionStyle?: 'mapping' | 'block-string';
  /** How attestationPublicKey is written: PEM text (default) or the base64 of the PEM. */
  attestationKeyForm?: 'pem' | 'base64';
  workloadExtra?: Record<string, unknown>;
  envExtra?: string;
}

export function encryptionCertificate(material: StoryMaterial): string {
  return readFileSync(material.state.publicPath('encryption'), 'utf8');
}

/** A user-data.yaml text as the deployer would submit it. */
export function buildUserData(material: StoryMaterial, options: UserDataOptions = {}): string {
  const volumeName = 'data';
  const workload = buildWorkloadSection({
    compose: { archive: material.composeArchive },
    volumes: {
      [volumeName]: {
        seed: options.workloadSeed ?? WORKLOAD_SEED,
        ...(options.workloadPreviousSeed === undefined
          ? {}
          : { previousSeed: options.workloadPreviousSeed }),
        mount: '/mnt/data',
        filesystem: 'ext4',
      },
    },
    env: { GREETING: 'hello' },
    ...(options.workloadExtra ?? {}),
  });
  const syslog = material.syslog;
  const env =
    buildEnvSection({
      logging: options.logging ?? {
        syslog: {
          hostname: '127.0.0.1',
          port: options.syslogPort ?? 6514,
          server: syslog.caCertificatePem,
          cert: syslog.clientCertificatePem,
          key: syslog.clientPrivateKeyPem,
        },
      },
      volumes: { [options.envVolumeName ?? volumeName]: { seed: options.envSeed ?? ENV_SEED } },
      env: { STAGE: 'test' },
      ...(options.sign || options.signingKey
        ? { signingKey: options.signingKey ?? material.signer.publicKeyPem }
        : {}),
    }).replace(options.omitEnvSeed ? /^ {4}seed: /m : /(?!)/, '    previousSeed: ') +
    (options.envExtra ?? '');
  const target = options.encryptFor ?? encryptionCertificate(material);
  const seal = (text: string) =>
    target === 'plaintext'
      ? text
      : encryptSection(
          Buffer.from(text),
          parsePublicKeyOrCertificate(target, 'test certificate').publicKey,
          systemRandom,
        );
  const workloadValue = seal(workload);
  const envValue = seal(env);
  const header = options.sectionStyle === 'block-string' ? ' |' : '';
  const block = (key: string, value: string) =>
    target === 'plaintext'
      ? `${key}:${header}\n${value.replace(/^(?=.)/gm, '  ')}`
      : `${key}: ${value}\n`;
  let text = block('workload', workloadValue) + block('env', envValue);
  if (options.attestationKey) {
    text +=
      options.attestationKeyForm === 'base64'
        ? `attestationPublicKey: ${Buffer.from(material.auditor.publicKeyPem).toString('base64')}\n`
        : `attestationPublicKey: |\n${material.auditor.publicKeyPem.replace(/^(?=.)/gm, '  ')}`;
  }
  if (options.sign || options.signingKey) {
    let signature = signContract(workloadValue, envValue, material.signer.privateKey);
    if (options.tamperSignature) {
      const bytes = Buffer.from(signature, 'base64');
      bytes[10] = bytes[10]! ^ 0x01;
      signature = bytes.toString('base64');
    }
    text += `envWorkloadSignature: ${signature}\n`;
  }
  return text;
}
