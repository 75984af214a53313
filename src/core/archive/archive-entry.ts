import { HpvsError } from '../errors.js';

/**
 * One member of a workload archive. Only directories and regular files exist here: the HPCR
 * runtime fails on links, pipes and devices, so no other kind can even be represented.
 */
export type ArchiveEntry =
  | { type: 'directory'; path: string }
  | { type: 'file'; path: string; data: Uint8Array; executable: boolean };

/**
 * Checks that a member path is relative, uses `/`, and has no empty, `.` or `..` segment, so
 * that it names a place inside the folder it is extracted to and nowhere else.
 */
export function assertSafeMemberPath(path: string, where: string): void {
  const problem = memberPathProblem(path);
  if (problem !== undefined) {
    throw new HpvsError('ARCHIVE_REFUSED', `${where}: member "${printable(path)}" ${problem}`);
  }
}

function memberPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'has an empty name';
  if (path.startsWith('/')) return 'has an absolute path';
  if (path.includes('\0')) return 'has a NUL byte in its name';
  if (path.includes('\\')) return 'has a backslash in its name';
  for (const segment of path.split('/')) {
    if (segment === '..') return 'climbs out of the folder with ".."';
    if (segment === '' || segment === '.') return 'has an empty or "." path segment';
  }
  return undefined;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** Byte-wise order of the UTF-8 names, the same on every machine and locale. */
export function compareMemberPaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
