import { input, worded } from '../../core/wording.js';
import { join } from 'node:path';
import { volumeNameMismatch, volumeNames } from '../../core/contract/volume-names.js';
import { deriveLuksPassphrase } from '../../core/crypto/luks-passphrase.js';
import { ServiceFailure, sectionData, type BootContext } from '../boot-context.js';
import { prepareLuksVolume } from '../luks-volume.js';
import { messageOf } from './bootloader.js';
import type { ContractVolume } from '../runtimes/container-runtime.js';

export const VOLUMES = 'hpl-disk';

type VolumeMap = Record<string, Record<string, unknown>>;

function volumesOf(section: Record<string, unknown>): VolumeMap {
  const volumes = section['volumes'];
  return volumes !== null && typeof volumes === 'object' ? (volumes as VolumeMap) : {};
}

/**
 * The workload's volumes with their mount points, for the container runtime. Each has a folder
 * `OUT/volumes/<name>` that stands in for the opened LUKS2 mapping; it outlives the boot, as the
 * volume's data does.
 */
export function contractVolumes(context: BootContext): ContractVolume[] {
  return Object.entries(volumesOf(sectionData(context, 'workload'))).map(([name, volume]) => ({
    name,
    mount: String(volume?.['mount'] ?? ''),
    folder: join(context.outDir, 'volumes', name),
  }));
}

/**
 * Derives each volume's LUKS passphrase from the env seed and the workload seed (env first,
 * SPEC 5) and, with an image file, formats it as LUKS2 on the first boot and unlocks it on
 * later ones, so a change of seeds shows up as the failure it is on the runtime.
 */
export async function runVolumes(context: BootContext): Promise<void> {
  const log = context.console;
  const workload = volumesOf(sectionData(context, 'workload'));
  const env = volumesOf(sectionData(context, 'env'));
  const workloadNames = volumeNames(sectionData(context, 'workload')).sort();
  const envNames = volumeNames(sectionData(context, 'env')).sort();
  const mismatch = volumeNameMismatch(workloadNames, envNames);
  if (mismatch.onlyInWorkload.length > 0 || mismatch.onlyInEnv.length > 0) {
    log.error(
      VOLUMES,
      'HPL07015E',
      `The volume names in workload (${workloadNames.join(', ') || 'none'}) and env (${envNames.join(', ') || 'none'}) differ`,
    );
    throw new ServiceFailure(VOLUMES);
  }
  const images = context.volumeImages;
  if (images.single !== undefined && workloadNames.length !== 1) {
    log.error(
      VOLUMES,
      'HPL07013E',
      worded`${input('volume-image-without-name')} needs a contract with exactly one volume, this one has ${workloadNames.length}; ${input('name-volume-images')}`,
    );
    throw new ServiceFailure(VOLUMES);
  }
  for (const name of images.byName.keys()) {
    if (!workloadNames.includes(name)) {
      log.error(
        VOLUMES,
        'HPL07013E',
        worded`${input('volume-image')} names the volume ${name}, which the contract does not have`,
      );
      throw new ServiceFailure(VOLUMES);
    }
  }
  for (const name of workloadNames) {
    const envVolume = env[name] ?? {};
    const workloadSeed = workload[name]?.['seed'];
    const envSeed = envVolume['seed'];
    if (typeof envSeed !== 'string' || typeof workloadSeed !== 'string') {
      const missing = [
        typeof envSeed !== 'string' ? `env.volumes.${name}.seed` : undefined,
        typeof workloadSeed !== 'string' ? `workload.volumes.${name}.seed` : undefined,
      ].filter(Boolean);
      const hint =
        envVolume['uv-secret-id'] !== undefined
          ? ' (uv-secret-id needs the Ultravisor and is not emulated)'
          : '';
      log.error(
        VOLUMES,
        'HPL07013E',
        `LUKS key generation failed for volume ${name}: ${missing.join(' and ')} missing${hint}`,
      );
      throw new ServiceFailure(VOLUMES);
    }
    if (envVolume['kms'] !== undefined) {
      log.warn(
        VOLUMES,
        undefined,
        `env.volumes.${name}.kms is not emulated: the passphrase uses the two seeds only`,
      );
    }
    let passphrase: string;
    try {
      passphrase = deriveLuksPassphrase(envSeed, workloadSeed);
    } catch (error) {
      log.error(
        VOLUMES,
        'HPL07013E',
        `LUKS key generation failed for volume ${name}: ${messageOf(error)}`,
      );
      throw new ServiceFailure(VOLUMES);
    }
    const previousEnv = envVolume['previousSeed'];
    const previousWorkload = workload[name]?.['previousSeed'];
    const previousPassphrase =
      typeof previousEnv === 'string' || typeof previousWorkload === 'string'
        ? deriveLuksPassphrase(
            typeof previousEnv === 'string' ? previousEnv : envSeed,
            typeof previousWorkload === 'string' ? previousWorkload : workloadSeed,
          )
        : undefined;
    const image = images.byName.get(name) ?? images.single;
    if (image === undefined) {
      log.note(
        VOLUMES,
        worded`volume ${name}: passphrase derived; ${input('no-volume-image')}, so nothing is formatted or mounted`,
      );
      continue;
    }
    try {
      const outcome = await prepareLuksVolume({
        image,
        name,
        passphrase,
        fastKdf: context.fastKdf,
        ...(previousPassphrase === undefined ? {} : { previousPassphrase }),
      });
      log.note(
        VOLUMES,
        outcome === 'formatted'
          ? context.fastKdf
            ? worded`volume ${name}: new LUKS2 volume formatted in ${image} (${input('fast-kdf')}: PBKDF2, test strength only)`
            : `volume ${name}: new LUKS2 volume formatted in ${image}`
          : outcome === 'rekeyed'
            ? `volume ${name}: LUKS2 volume in ${image} re-keyed from the previousSeed passphrase to the current seeds`
            : `volume ${name}: existing LUKS2 volume in ${image} unlocked with the seeds' passphrase`,
      );
    } catch (error) {
      log.error(VOLUMES, 'HPL07013E', `Volume ${name} failed: ${log.reason(error)}`);
      throw new ServiceFailure(VOLUMES);
    }
  }
  log.info(VOLUMES, 'HPL07003I', 'Mounting volumes done');
}
