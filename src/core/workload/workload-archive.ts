import type { ArchiveEntry } from '../archive/archive-entry.js';
import { extractTgz } from '../archive/extract-tgz.js';
import { isStrictBase64 } from '../crypto/strict-base64.js';
import { HpvsError } from '../errors.js';

/**
 * Opens `compose.archive` / `play.archive` the way the runtime does: base64 (line breaks
 * allowed, as YAML folds long strings) of a gzip'd tar, extracted in memory with the archive
 * rules of `extractTgz`. `source` names the archive in messages.
 */
export async function openWorkloadArchive(
  archive: unknown,
  source: string,
): Promise<ArchiveEntry[]> {
  return extractTgz(workloadArchiveBytes(archive, source), { source });
}

/** The gzip'd tar an archive value holds, before it is extracted. */
export function workloadArchiveBytes(archive: unknown, source: string): Buffer {
  if (typeof archive !== 'string' || archive.length === 0) {
    throw new HpvsError('ARCHIVE_INVALID', `${source} is missing or empty`);
  }
  const compact = archive.replace(/\s+/g, '');
  if (!isStrictBase64(compact)) {
    throw new HpvsError('ARCHIVE_INVALID', `${source} is not base64`);
  }
  return Buffer.from(compact, 'base64');
}

/** The archive's YAML files at its top level, in archive order: what a play workload runs. */
export function topLevelYamlFiles(entries: readonly ArchiveEntry[]): ArchiveEntry[] {
  return entries.filter(
    (entry) => entry.type === 'file' && !entry.path.includes('/') && /\.ya?ml$/.test(entry.path),
  );
}
