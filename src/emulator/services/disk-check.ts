import { ServiceFailure, type BootContext } from '../boot-context.js';
import { isLuks2Image } from '../luks-volume.js';

export const DISK_CHECK = 'hpl-disk-check';

/**
 * After mounting, the runtime confirms that nothing it mounted is unencrypted. The emulator asks
 * cryptsetup about every data volume image of this boot; the boot volume itself is not
 * emulated, and the note says what was really checked.
 */
export async function runDiskCheck(context: BootContext): Promise<void> {
  const log = context.console;
  log.info(DISK_CHECK, 'HPL13000I', 'Verify LUKS Encryption');
  const { byName, single } = context.volumeImages;
  const images = [...new Set([...byName.values(), ...(single === undefined ? [] : [single])])];
  for (const image of images) {
    if (!(await isLuks2Image(image))) {
      log.error(
        DISK_CHECK,
        undefined,
        `${image} is not a LUKS2 volume: a data volume would be unencrypted`,
      );
      throw new ServiceFailure(DISK_CHECK);
    }
  }
  log.note(
    DISK_CHECK,
    images.length === 0
      ? 'no data volume images in this boot (the boot volume is not emulated)'
      : `cryptsetup confirms LUKS2 on ${images.length} data volume image${images.length === 1 ? '' : 's'} (the boot volume is not emulated)`,
  );
  log.info(DISK_CHECK, 'HPL13001I', 'Boot volume and all the mounted data volumes are encrypted');
}
