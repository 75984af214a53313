import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { encryptSection } from '../core/crypto/encrypt-section.js';
import type { RandomSource } from '../core/crypto/random-source.js';
import type { TokenPrefix } from '../core/crypto/section-token.js';
import { generateVolumeSeed } from '../core/crypto/volume-seed.js';
import type { PlatformName } from '../core/platforms/platforms.js';
import type { NextStep } from './next-steps.js';
import { generateKeyPairFiles } from '../core/pki/key-pair-files.js';
import {
  createSyslogCertificates,
  syslogCertificateFiles,
} from '../core/pki/syslog-certificates.js';
import {
  buildEnvSection,
  buildWorkloadSection,
  type LoggingInput,
} from '../core/authoring/section-builders.js';

/**
 * What `hpvs-ctl init` writes for each persona, built with the same section builders, key and
 * certificate generators the individual commands use. Pure apart from key generation: the
 * caller reads folders and writes the returned files.
 */

export const PERSONAS = ['provider', 'deployer', 'auditor'] as const;
export type Persona = (typeof PERSONAS)[number];

export interface StarterFile {
  /** Path relative to the output folder. */
  name: string;
  data: string;
  /** A plaintext section or a private key: written 0600. */
  secret: boolean;
}

export interface ProviderRequest {
  persona: 'provider';
  /** The workload folder's archive (base64) and whether it is a compose or a pod folder. */
  archive: { base64: string; kind: 'compose' | 'play' };
  volume?: { name: string; mount: string } | undefined;
  /** Also write the encrypted workload for this HPCR encryption key, with this token prefix. */
  encryptTo?: KeyObject | undefined;
  prefix?: TokenPrefix | undefined;
  /** The runtime chosen with `--platform`, named in the next steps. */
  platform?: PlatformName | undefined;
}

export type LoggingRequest =
  | { type: 'syslog'; host: string; port: number }
  | { type: 'logrouter'; host: string; port: number; iamApiKey: string };

export interface DeployerRequest {
  persona: 'deployer';
  logging: LoggingRequest;
  volume?: { name: string } | undefined;
  /** Generate a contract signing key pair and put its public key into env. */
  signingKey: boolean;
}

export interface AuditorRequest {
  persona: 'auditor';
  passphrase?: Uint8Array | undefined;
}

export type StarterRequest = ProviderRequest | DeployerRequest | AuditorRequest;

export interface StarterOptions {
  now: Date;
  random: RandomSource;
  /** RSA modulus of generated keys (4096 unless a test wants speed). */
  bits?: number;
}

export interface StarterProject {
  files: StarterFile[];
  /** What to do next, in order. */
  nextSteps: NextStep[];
}

export const SYSLOG_TLS_FOLDER = 'syslog-tls';

export async function createStarterProject(
  request: StarterRequest,
  options: StarterOptions,
): Promise<StarterProject> {
  switch (request.persona) {
    case 'provider':
      return providerProject(request, options);
    case 'deployer':
      return deployerProject(request, options);
    case 'auditor':
      return auditorProject(request, options);
  }
}

function providerProject(request: ProviderRequest, options: StarterOptions): StarterProject {
  const volume = request.volume;
  const workload = buildWorkloadSection({
    ...(request.archive.kind === 'compose'
      ? { compose: { archive: request.archive.base64 } }
      : { play: { archive: request.archive.base64 } }),
    ...(volume
      ? {
          volumes: {
            [volume.name]: {
              seed: generateVolumeSeed(options.random),
              mount: volume.mount,
              filesystem: 'ext4' as const,
            },
          },
        }
      : {}),
  });
  // the workload seed is half of the volume's LUKS passphrase: keep the file private
  const files: StarterFile[] = [{ name: 'workload.yaml', data: workload, secret: true }];
  const nextSteps: NextStep[] = [
    'workload.yaml holds the workload volume seed: keep it, you need it to reopen the volume',
  ];
  if (request.encryptTo) {
    const token = encryptSection(
      Buffer.from(workload, 'utf8'),
      request.encryptTo,
      options.random,
      request.prefix,
    );
    files.push({ name: 'workload.enc', data: `${token}\n`, secret: false });
    nextSteps.push('hand workload.enc (encrypted) to the Workload Deployer');
  } else {
    nextSteps.push({ command: 'encrypt-workload', platform: request.platform });
  }
  return { files, nextSteps };
}

/** The logging and signing parts of a deployer's env: generated files, the section values. */
export interface DeployerParts {
  files: StarterFile[];
  nextSteps: NextStep[];
  logging?: LoggingInput | undefined;
  signingKey?: string | undefined;
}

/**
 * Syslog certificates or IBM Cloud Logs, and the signing key pair, as every platform's
 * deployer starter makes them (ccco's too, where logging is optional).
 */
export async function createDeployerParts(
  request: { logging?: LoggingRequest | undefined; signingKey: boolean },
  options: StarterOptions,
): Promise<DeployerParts> {
  const files: StarterFile[] = [];
  const nextSteps: NextStep[] = [];
  let logging: LoggingInput | undefined;
  if (request.logging?.type === 'syslog') {
    const host = request.logging.host;
    const tls = await createSyslogCertificates({
      ...(isIP(host) === 0 ? { hostname: host } : { ip: host }),
      now: options.now,
      ...(options.bits ? { bits: options.bits } : {}),
    });
    files.push(
      ...syslogCertificateFiles(tls).map((file) => ({
        ...file,
        name: `${SYSLOG_TLS_FOLDER}/${file.name}`,
      })),
    );
    logging = {
      syslog: {
        hostname: host,
        port: request.logging.port,
        server: tls.caCertificatePem,
        cert: tls.clientCertificatePem,
        key: tls.clientPrivateKeyPem,
      },
    };
    nextSteps.push({
      command: 'configure-rsyslog',
      host,
      port: request.logging.port,
      folder: SYSLOG_TLS_FOLDER,
    });
  } else if (request.logging?.type === 'logrouter') {
    logging = {
      logRouter: {
        hostname: request.logging.host,
        iamApiKey: request.logging.iamApiKey,
        port: request.logging.port,
      },
    };
  }
  let signingKey: string | undefined;
  if (request.signingKey) {
    const keys = await generateKeyPairFiles({ name: 'signing', bits: options.bits });
    files.push(...keys);
    signingKey = keys.find((file) => file.name === 'signing-public.pem')!.data;
    nextSteps.push({ command: 'sign-contract' });
  }
  return { files, nextSteps, logging, signingKey };
}

async function deployerProject(
  request: DeployerRequest,
  options: StarterOptions,
): Promise<StarterProject> {
  const { files, nextSteps, logging, signingKey } = await createDeployerParts(request, options);
  const env = buildEnvSection({
    logging: logging!,
    ...(request.volume
      ? { volumes: { [request.volume.name]: { seed: generateVolumeSeed(options.random) } } }
      : {}),
    ...(signingKey ? { signingKey } : {}),
  });
  files.unshift({ name: 'env.yaml', data: env, secret: true });
  nextSteps.unshift(
    'env.yaml holds the env volume seed and the logging credentials: keep it private, never commit it',
  );
  return { files, nextSteps };
}

async function auditorProject(
  request: AuditorRequest,
  options: StarterOptions,
): Promise<StarterProject> {
  const files = await generateKeyPairFiles({
    name: 'attestation',
    bits: options.bits,
    passphrase: request.passphrase,
  });
  return {
    files,
    nextSteps: [
      'give attestation-public.pem to the Workload Deployer for attestationPublicKey',
      { command: 'verify-attestation' },
    ],
  };
}
