import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { sectionYaml } from '../core/authoring/section-builders.js';
import { SEAL_KEY_FILES, generateSealKeyFiles } from '../core/ccco/seal-key-files.js';
import { encryptSection } from '../core/crypto/encrypt-section.js';
import { generateVolumeSeed } from '../core/crypto/volume-seed.js';
import { HpvsError } from '../core/errors.js';
import { input, worded } from '../core/wording.js';
import type { TemplateSet } from '../core/platforms/platforms.js';
import { loadEncryptionKey } from '../node/load-keys.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { readInput, readTextInput } from '../node/read-input.js';
import { packagePath } from '../node/package-files.js';
import { generateAgentPolicy } from './generate-agent-policy.js';
import type { NextStep } from './next-steps.js';
import {
  createDeployerParts,
  type LoggingRequest,
  type StarterFile,
  type StarterOptions,
  type StarterProject,
} from './starter-project.js';

/**
 * What `hpvs-ctl init --platform ccco` makes: the variant's templates (peer pod or bare metal)
 * with every placeholder filled by something generated here or read from a file the user
 * named, so no written file holds a `REPLACE`.
 */

/** A ccco provider: the workload section with sealed-secret keys and the pod's agent policy. */
export interface CccoProviderRequest {
  persona: 'ccco-provider';
  templates: TemplateSet;
  /** The pod folder (its pod.yaml) the agent policy admits; hpvs-ctl's starter pod when absent. */
  podFolder?: string | undefined;
  /** Also write workload.enc: for a certificate file, or the catalogue's ccco one. */
  encryption?: { certFile?: string | undefined; certVersion?: string | undefined } | undefined;
}

/** A ccco deployer: the env section, logging optional, host key documents on bare metal. */
export interface CccoDeployerRequest {
  persona: 'ccco-deployer';
  templates: TemplateSet;
  logging?: LoggingRequest | undefined;
  signingKey: boolean;
  /** IBM Z host key document (a certificate), required when the template has host-attestation. */
  hostKeyDocFile?: string | undefined;
}

export type CccoRequest = CccoProviderRequest | CccoDeployerRequest;

export const SEAL_KEYS_FOLDER = 'seal-keys';
export const POLICY_FILE = 'policy.rego';
export const POD_FILE = 'pod.yaml';

/** An HKD is one certificate of a few KiB; anything much larger is not one. */
const HOST_KEY_DOC_LIMIT = { ...INPUT_LIMITS.pem, kind: 'a host key document' };

type Section = Record<string, unknown>;

async function readTemplate(name: string): Promise<Section> {
  return parse(await readFile(packagePath('templates', name), 'utf8')) as Section;
}

function isMapping(value: unknown): value is Section {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fresh seeds for each volume the template names, keeping its other keys. */
function seededVolumes(volumes: unknown, options: StarterOptions): Section | undefined {
  if (!isMapping(volumes)) return undefined;
  return Object.fromEntries(
    Object.entries(volumes).map(([name, volume]) => [
      name,
      { ...(isMapping(volume) ? volume : {}), seed: generateVolumeSeed(options.random) },
    ]),
  );
}

/** A template placeholder left in a section would be taken for a value by the runtime. */
function assertFilled(file: StarterFile): StarterFile {
  if (file.data.includes('REPLACE')) {
    throw new HpvsError(
      'CONTRACT_INVALID',
      `${file.name}: a template placeholder (REPLACE) is left; the template and init disagree`,
    );
  }
  return file;
}

export async function createCccoProject(
  request: CccoRequest,
  options: StarterOptions,
  onWarning: (message: string) => void,
): Promise<StarterProject> {
  return request.persona === 'ccco-provider'
    ? cccoProviderProject(request, options, onWarning)
    : cccoDeployerProject(request, options);
}

async function cccoProviderProject(
  request: CccoProviderRequest,
  options: StarterOptions,
  onWarning: (message: string) => void,
): Promise<StarterProject> {
  const key =
    request.encryption === undefined
      ? undefined
      : await loadEncryptionKey(request.encryption.certFile, {
          platform: 'ccco',
          certVersion: request.encryption.certVersion,
        });
  const podFile = join(request.podFolder ?? packagePath('templates', 'play'), POD_FILE);
  const generated = await generateAgentPolicy({ podFile });
  for (const message of generated.warnings) onWarning(message);
  const sealKeys = (await generateSealKeyFiles()).filter(
    (file) => file.name !== SEAL_KEY_FILES.snippet,
  );
  const pem = (name: string) => sealKeys.find((file) => file.name === name)!.data;

  const template = await readTemplate(request.templates.workload[0]!);
  const cc = { ...(template['confidential-containers'] as Section) };
  // a cosign entry needs the image reference and its key, which only the provider has
  const config = { ...(cc.config as Section | undefined) };
  delete config.cosign;
  if (Object.keys(config).length > 0) cc.config = config;
  else delete cc.config;
  cc.secret = {
    verificationKey: pem(SEAL_KEY_FILES.verification),
    decryptionKey: pem(SEAL_KEY_FILES.decryption),
  };
  cc.regoValidator = { policy: Buffer.from(generated.policy, 'utf8').toString('base64') };
  const volumes = seededVolumes(template.volumes, options);
  const workload = sectionYaml({
    ...template,
    'confidential-containers': cc,
    ...(volumes ? { volumes } : {}),
  });

  // the decryption key and the volume seed are secrets: workload.yaml is private
  const files: StarterFile[] = [
    { name: 'workload.yaml', data: workload, secret: true },
    { name: POLICY_FILE, data: generated.policy, secret: false },
    ...sealKeys.map((file) => ({ ...file, name: `${SEAL_KEYS_FOLDER}/${file.name}` })),
  ];
  if (request.podFolder === undefined) {
    files.push({
      name: POD_FILE,
      data: await readTextInput(podFile, 'pod', INPUT_LIMITS.manifest),
      secret: false,
    });
  }
  const pod = request.podFolder === undefined ? POD_FILE : podFile;
  const nextSteps: NextStep[] = [
    `workload.yaml holds the sealed-secret decryption key${volumes ? ' and the workload volume seed' : ''}: keep it private, never commit it`,
    {
      command: 'seal-workload-values',
      encryptionKey: `${SEAL_KEYS_FOLDER}/${SEAL_KEY_FILES.encryption}`,
      signingKey: `${SEAL_KEYS_FOLDER}/${SEAL_KEY_FILES.signing}`,
    },
    { command: 'regenerate-policy', policy: POLICY_FILE, pod },
    'to verify image signatures, add confidential-containers.config.cosign.<image reference>.publicKey (your cosign.pub)',
  ];
  if (key) {
    const token = encryptSection(
      Buffer.from(workload, 'utf8'),
      key.publicKey,
      options.random,
      key.prefix,
    );
    files.push({ name: 'workload.enc', data: `${token}\n`, secret: false });
    nextSteps.push('hand workload.enc (encrypted) to the Workload Deployer');
  } else {
    nextSteps.push({ command: 'encrypt-ccco-workload' });
  }
  nextSteps.push(...cccoContractSteps(pod));
  return { files: files.map(assertFilled), nextSteps };
}

/** The two steps every ccco project ends with: the contract, then the pod's initdata. */
function cccoContractSteps(pod: string): NextStep[] {
  return [{ command: 'build-ccco-contract' }, { command: 'build-initdata', pod }];
}

async function cccoDeployerProject(
  request: CccoDeployerRequest,
  options: StarterOptions,
): Promise<StarterProject> {
  const template = await readTemplate(request.templates.env[0]!);
  const needsHostKeyDoc = isMapping(template['host-attestation']);
  if (needsHostKeyDoc !== (request.hostKeyDocFile !== undefined)) {
    throw new HpvsError(
      'USAGE',
      needsHostKeyDoc
        ? worded`ccco bare metal needs ${input('give-host-key-document')}: the IBM Z host key document the pod may run on`
        : worded`${input('host-key-document')} is for ccco bare metal (${input('ccco-bare-metal')}); a peer pod takes none`,
    );
  }
  const hostAttestation =
    request.hostKeyDocFile === undefined
      ? undefined
      : await hostKeyDocEntry(request.hostKeyDocFile);
  const parts = await createDeployerParts(request, options);
  const volumes = seededVolumes(template.volumes, options);
  const env = sectionYaml({
    ...template,
    ...(parts.logging ? { logging: parts.logging } : {}),
    ...(hostAttestation ? { 'host-attestation': hostAttestation } : {}),
    ...(volumes ? { volumes } : {}),
    ...(parts.signingKey ? { signingKey: parts.signingKey } : {}),
  });
  const files = [{ name: 'env.yaml', data: env, secret: true }, ...parts.files];
  const nextSteps: NextStep[] = [
    `env.yaml holds ${volumes ? 'the env volume seed' : 'the env section'}${parts.logging ? ' and the logging credentials' : ''}: keep it private, never commit it`,
    ...parts.nextSteps,
    ...cccoContractSteps('<pod.yaml>'),
  ];
  return { files: files.map(assertFilled), nextSteps };
}

/**
 * `host-attestation.<name>` for one host key document: named after its file (the HKD's own
 * name, like HKD-3931-0123456.crt), its bytes as base64. It must parse as an X.509 certificate
 * (PEM or DER), so a wrong file is caught here rather than by the runtime.
 */
async function hostKeyDocEntry(file: string): Promise<Section> {
  const bytes = await readInput(file, 'host key document', HOST_KEY_DOC_LIMIT);
  try {
    new X509Certificate(bytes);
  } catch {
    throw new HpvsError(
      'CERT_INVALID',
      `${file}: not a host key document (an X.509 certificate in PEM or DER)`,
    );
  }
  const stem = basename(file).replace(/\.[^.]*$/, '');
  const name = /^[a-zA-Z0-9_-]+$/.test(stem) ? stem : 'host1';
  return {
    [name]: {
      description: `host key document ${name}`,
      'host-key-doc': bytes.toString('base64'),
    },
  };
}
