import { worded } from '../core/wording.js';
import { existsSync } from 'node:fs';
import type { RandomSource } from '../core/crypto/random-source.js';
import { HpvsError } from '../core/errors.js';
import type { PlatformName } from '../core/platforms/platforms.js';
import { loadEncryptionKey } from '../node/load-keys.js';
import { packagePath } from '../node/package-files.js';
import { writeFileSet } from '../node/write-file-set.js';
import type { CccoDeployerRequest, CccoProviderRequest } from './ccco-starter-project.js';
import type { NextStep } from './next-steps.js';
import {
  createStarterProject,
  type AuditorRequest,
  type DeployerRequest,
  type StarterFile,
  type StarterRequest,
} from './starter-project.js';

/** A provider's project: its workload folder (made from the starter template when missing). */
export interface ProviderProjectRequest {
  persona: 'provider';
  folder: string;
  kind: 'compose' | 'play';
  volume?: { name: string; mount: string } | undefined;
  /** Also write workload.enc: for a certificate file, or the platform's catalogue one. */
  encryption?: { certFile?: string | undefined; certVersion?: string | undefined } | undefined;
}

export type ProjectRequest =
  | ProviderProjectRequest
  | DeployerRequest
  | AuditorRequest
  | CccoProviderRequest
  | CccoDeployerRequest;

export interface StartProjectOptions {
  outDir: string;
  /** Replace files that already exist. */
  force: boolean;
  /** The runtime the project is for: its schema checks the sections written. */
  platform?: PlatformName | undefined;
  /** The files the project was made from (see `OutputPolicy.from`). */
  from: readonly (string | undefined)[];
  now: Date;
  random: RandomSource;
  /** RSA modulus of generated keys. */
  bits: number;
  /** Something the user should know that does not stop the project. */
  onWarning: (message: string) => void;
}

export interface StartedProject {
  /** What was written, in order (a copied template folder ends with `/`). */
  written: string[];
  nextSteps: NextStep[];
}

/** Makes a persona's starter project and writes it into `outDir`, all files or none. */
export async function startProject(
  request: ProjectRequest,
  options: StartProjectOptions,
): Promise<StartedProject> {
  const { platform } = options;
  if (request.persona === 'ccco-provider' || request.persona === 'ccco-deployer') {
    const { createCccoProject } = await import('./ccco-starter-project.js');
    const project = await createCccoProject(
      request,
      { now: options.now, random: options.random, bits: options.bits },
      options.onWarning,
    );
    await checkAgainstPlatform(project.files, 'ccco', options.now);
    const written = await writeFileSet(options.outDir, project.files, {
      force: options.force,
      from: options.from,
    });
    return { written, nextSteps: project.nextSteps };
  }
  let starter: StarterRequest;
  let template: string | undefined;
  if (request.persona === 'provider') {
    const key =
      request.encryption === undefined
        ? undefined
        : await loadEncryptionKey(request.encryption.certFile, {
            platform,
            certVersion: request.encryption.certVersion,
          });
    const { archiveFolder } = await import('../node/archive-folder.js');
    template = existsSync(request.folder) ? undefined : packagePath('templates', request.kind);
    const archive = await archiveFolder(template ?? request.folder, { kind: request.kind });
    for (const message of archive.warnings) options.onWarning(message);
    starter = {
      persona: 'provider',
      archive: { base64: archive.base64, kind: request.kind },
      volume: request.volume,
      encryptTo: key?.publicKey,
      prefix: key?.prefix,
      platform,
    };
  } else {
    starter = request;
  }
  const project = await createStarterProject(starter, {
    now: options.now,
    random: options.random,
    bits: options.bits,
  });
  if (platform !== undefined) await checkAgainstPlatform(project.files, platform, options.now);
  const written = await writeFileSet(options.outDir, project.files, {
    force: options.force,
    from: options.from,
  });
  if (template !== undefined && request.persona === 'provider') {
    const [{ readFolderEntries }, { writeArchiveEntries }] = await Promise.all([
      import('../node/read-folder.js'),
      import('../node/write-folder.js'),
    ]);
    await writeArchiveEntries(request.folder, await readFolderEntries(template));
    written.push(`${request.folder}/`);
  }
  return { written, nextSteps: project.nextSteps };
}

/** The sections a project holds pass the chosen platform's schema, or nothing is written. */
async function checkAgainstPlatform(
  files: readonly StarterFile[],
  platform: PlatformName,
  now: Date,
): Promise<void> {
  const [{ parseSectionText }, { validateSection }, { problemText }] = await Promise.all([
    import('../core/contract/user-data.js'),
    import('../core/schema/validate-contract.js'),
    import('../core/schema/problems.js'),
  ]);
  for (const kind of ['workload', 'env'] as const) {
    const file = files.find((entry) => entry.name === `${kind}.yaml`);
    if (file === undefined) continue;
    const report = await validateSection(parseSectionText(kind, file.data, file.name), {
      now,
      platform,
    });
    const error = report.problems.find((problem) => problem.severity === 'error');
    if (error !== undefined) {
      throw new HpvsError(
        'CONTRACT_INVALID',
        worded`${file.name} for ${platform}: ${problemText(error)}`,
      );
    }
  }
}
