import { constants } from 'node:fs';
import { mkdtemp, open, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HpvsError } from '../core/errors.js';
import { runProcess } from '../node/run-process.js';
import { IMAGE_HEAD_BYTES, inspectImageHead, type ImageHeadContent } from './disk-signature.js';

/**
 * A LUKS2 data volume held in an image file, handled with the real `cryptsetup`. Without
 * device-mapper (containers, non-root users) a volume cannot be mapped, so later boots check
 * the passphrase with `cryptsetup open --test-passphrase`, which reads the key slots only.
 * The passphrase always travels on cryptsetup's standard input, never in argv.
 */

export interface LuksVolumeOptions {
  image: string;
  /** The volume's name in the contract, stored as the LUKS label. */
  name: string;
  passphrase: string;
  /** Size of a new image file. */
  sizeBytes?: number;
  /**
   * PBKDF2 with 1000 iterations instead of cryptsetup's memory-hard default (argon2id, about
   * 2 s and up to 1 GiB per unlock): for tests and demos only, it makes the passphrase cheap
   * to brute-force.
   */
  fastKdf?: boolean;
  /** The passphrase from the `previousSeed` values, when the contract rotates seeds. */
  previousPassphrase?: string;
}

export type LuksOutcome = 'formatted' | 'unlocked' | 'rekeyed';

const CRYPTSETUP = 'cryptsetup';
const INSTALL_HINT = 'install cryptsetup-bin, e.g. apt-get install cryptsetup-bin';
const DEFAULT_SIZE = 64 * 1024 * 1024;
// cryptsetup's exit status when no key slot opens with the passphrase
const NO_KEY_AVAILABLE = 2;

/** Asks cryptsetup whether a file holds a LUKS2 header. */
export async function isLuks2Image(image: string): Promise<boolean> {
  const result = await runProcess(CRYPTSETUP, ['isLuks', '--type', 'luks2', image], {
    installHint: INSTALL_HINT,
  });
  return result.status === 0;
}

export async function prepareLuksVolume(options: LuksVolumeOptions): Promise<LuksOutcome> {
  const size = await imageSize(options.image);
  if (size === undefined || size === 0) {
    await createImage(options.image, options.sizeBytes ?? DEFAULT_SIZE);
    try {
      await formatImage(options);
    } catch (error) {
      // an image this boot created must not stay behind half-formatted
      if (size === undefined) await unlink(options.image).catch(() => undefined);
      throw error;
    }
    return 'formatted';
  }
  if (!(await isLuks2Image(options.image))) {
    const content = inspectImageHead(await readImageHead(options.image));
    if (content.kind !== 'blank') {
      throw new HpvsError(
        'VOLUME_FAILED',
        `${options.image}: holds ${describeContent(content)}; refusing to format it (give a new, empty or all-zero image)`,
      );
    }
    // all zeros, as `truncate -s` or a new disk gives: nothing to lose
    await formatImage(options);
    return 'formatted';
  }
  const test = await testPassphrase(options.image, options.passphrase);
  if (
    test.status === NO_KEY_AVAILABLE &&
    options.previousPassphrase !== undefined &&
    (await testPassphrase(options.image, options.previousPassphrase)).status === 0
  ) {
    await rekey(options, options.previousPassphrase);
    return 'rekeyed';
  }
  if (test.status === NO_KEY_AVAILABLE) {
    throw new HpvsError(
      'VOLUME_FAILED',
      `volume ${options.name} (${options.image}): the passphrase derived from the env and workload seeds does not unlock it; the seeds differ from the ones it was formatted with`,
    );
  }
  if (test.status !== 0) {
    throw new HpvsError(
      'VOLUME_FAILED',
      `volume ${options.name} (${options.image}): cryptsetup failed: ${firstLine(test.stderr)}`,
    );
  }
  return 'unlocked';
}

/**
 * Seed rotation: adds the current passphrase to a volume that opens with the previous one, then
 * removes the previous one, as the runtime does for `previousSeed`. cryptsetup reads the new
 * key from a FIFO in a private folder (stdin carries the old one), so it never lands on disk.
 * The old key is removed only once the new one is proven to open the volume.
 */
async function rekey(options: LuksVolumeOptions, previous: string): Promise<void> {
  const where = `volume ${options.name} (${options.image})`;
  const dir = await mkdtemp(join(tmpdir(), 'hpvs-luks-'));
  try {
    const fifo = join(dir, 'new-key');
    const made = await runProcess('mkfifo', ['-m', '600', fifo]);
    if (made.status !== 0) {
      throw new HpvsError(
        'VOLUME_FAILED',
        `${where}: cannot create a pipe for the new key: ${firstLine(made.stderr)}`,
      );
    }
    // O_RDWR opens a FIFO without waiting for a reader; the key then waits in the pipe buffer
    const pipe = await open(fifo, constants.O_RDWR);
    try {
      const key = Buffer.from(options.passphrase, 'utf8');
      await pipe.write(key);
      const added = await runProcess(
        CRYPTSETUP,
        [
          'luksAddKey',
          '--batch-mode',
          ...kdfArgs(options),
          '--key-file',
          '-',
          '--new-keyfile-size',
          String(key.length),
          options.image,
          fifo,
        ],
        { input: previous, installHint: INSTALL_HINT },
      );
      if (added.status !== 0) {
        throw new HpvsError(
          'VOLUME_FAILED',
          `${where}: adding the new seeds' key failed: ${firstLine(added.stderr)}`,
        );
      }
    } finally {
      await pipe.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if ((await testPassphrase(options.image, options.passphrase)).status !== 0) {
    throw new HpvsError(
      'VOLUME_FAILED',
      `${where}: the new seeds' key does not open the volume after re-keying; the previous key was kept`,
    );
  }
  const removed = await runProcess(
    CRYPTSETUP,
    ['luksRemoveKey', '--batch-mode', '--key-file', '-', options.image],
    {
      input: previous,
      installHint: INSTALL_HINT,
    },
  );
  if (removed.status !== 0) {
    throw new HpvsError(
      'VOLUME_FAILED',
      `${where}: removing the previous seeds' key failed: ${firstLine(removed.stderr)}`,
    );
  }
}

function kdfArgs(options: LuksVolumeOptions): string[] {
  return options.fastKdf ? ['--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000'] : [];
}

function testPassphrase(image: string, passphrase: string) {
  return runProcess(CRYPTSETUP, ['open', '--test-passphrase', '--key-file', '-', image], {
    input: passphrase,
    installHint: INSTALL_HINT,
  });
}

async function imageSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new HpvsError('VOLUME_FAILED', `${path}: not a regular file; give an image file`);
    }
    return info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof HpvsError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new HpvsError(
        'VOLUME_FAILED',
        `${path}: a part of the path is a file, not a folder; give an image file`,
        { cause: error },
      );
    }
    throw new HpvsError(
      'VOLUME_FAILED',
      `${path}: cannot read the volume image (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
}

async function readImageHead(path: string): Promise<Uint8Array> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(IMAGE_HEAD_BYTES);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new HpvsError(
      'VOLUME_FAILED',
      `${path}: cannot read the volume image (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
}

function describeContent(content: Exclude<ImageHeadContent, { kind: 'blank' }>): string {
  const at = (offset: number) => `0x${offset.toString(16)}`;
  if (content.kind === 'data') {
    return `data without a known signature (first non-zero byte at offset ${at(content.offset)})`;
  }
  const { id, description, offset } = content.signature;
  // cryptsetup has just refused it as LUKS2: a damaged header, not a volume to open
  const damaged = id === 'luks2' || id === 'luks2-secondary' ? ' that cryptsetup cannot open' : '';
  return `${description}${damaged} (signature at offset ${at(offset)})`;
}

async function createImage(path: string, size: number): Promise<void> {
  try {
    const handle = await open(path, 'a', 0o600);
    // sparse: only LUKS metadata takes space on disk
    await handle.truncate(size);
    await handle.close();
  } catch (error) {
    throw new HpvsError(
      'VOLUME_FAILED',
      `${path}: cannot create the volume image (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
}

async function formatImage(options: LuksVolumeOptions): Promise<void> {
  const result = await runProcess(
    CRYPTSETUP,
    [
      'luksFormat',
      '--batch-mode',
      '--type',
      'luks2',
      '--label',
      options.name,
      ...kdfArgs(options),
      '--key-file',
      '-',
      options.image,
    ],
    { input: options.passphrase, installHint: INSTALL_HINT },
  );
  if (result.status !== 0) {
    throw new HpvsError(
      'VOLUME_FAILED',
      `volume ${options.name} (${options.image}): cryptsetup luksFormat failed: ${firstLine(result.stderr)}`,
    );
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] || 'no message';
}
