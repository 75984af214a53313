import { buildTgz } from '../core/archive/build-tgz.js';
import { composeWarnings } from '../core/workload/compose-warnings.js';
import { USER_DATA_LIMIT } from '../core/contract/user-data.js';
import { readFolder } from './read-folder.js';

export interface FolderArchive {
  /** The gzip'd tar. */
  bytes: Buffer;
  /** Its base64 on one line, as `compose.archive` / `play.archive` hold it. */
  base64: string;
  /** Things the runtime would trip over, for the caller to print. */
  warnings: string[];
  /** What an output holding the archive may share with group and others (see `readFolder`). */
  sharedMode: number;
}

export interface ArchiveFolderOptions {
  /** `compose` (default) checks the docker-compose file; `play` holds pod YAML instead. */
  kind?: 'compose' | 'play';
}

/**
 * Archives a workload folder deterministically (see `buildTgz`), refusing links and special
 * files. Load it with `await import()`: it pulls in tar-stream.
 */
export async function archiveFolder(
  dir: string,
  options: ArchiveFolderOptions = {},
): Promise<FolderArchive> {
  const { entries, sharedMode } = await readFolder(dir);
  const bytes = await buildTgz(entries);
  const base64 = bytes.toString('base64');
  const warnings =
    options.kind === 'play'
      ? []
      : (await composeWarnings(entries, dir)).map((warning) => warning.message);
  if (base64.length > USER_DATA_LIMIT) {
    warnings.push(
      `${dir}: the archive is ${base64.length} bytes as base64, more than the 64 KiB IBM Cloud VPC allows for all of user data`,
    );
  }
  return { bytes, base64, warnings, sharedMode };
}
