import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertSafeMemberPath, type ArchiveEntry } from '../core/archive/archive-entry.js';
import { HpvsError } from '../core/errors.js';

/**
 * Writes extracted archive entries (from `extractTgz`) below `dir`, which must be missing or
 * empty so no existing link inside it can redirect a write. Files are created exclusively
 * (`wx`), so nothing is overwritten or followed.
 */
export async function writeArchiveEntries(
  dir: string,
  entries: readonly ArchiveEntry[],
): Promise<void> {
  for (const entry of entries) assertSafeMemberPath(entry.path, dir);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if ((await readdir(dir)).length > 0) {
    throw new HpvsError('OUTPUT_FAILED', `${dir}: folder is not empty; extract into a new folder`);
  }
  for (const entry of entries) {
    const path = join(dir, entry.path);
    try {
      if (entry.type === 'directory') {
        await mkdir(path, { recursive: true, mode: 0o755 });
      } else {
        await mkdir(dirname(path), { recursive: true, mode: 0o755 });
        await writeFile(path, entry.data, { flag: 'wx', mode: entry.executable ? 0o755 : 0o644 });
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new HpvsError(
        'OUTPUT_FAILED',
        `${path}: cannot write extracted ${entry.type} (${code})`,
        {
          cause: error,
        },
      );
    }
  }
}
