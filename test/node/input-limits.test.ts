import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FOLDER_LIMITS,
  formatBytes,
  INPUT_LIMITS,
  RECORD_BATCH_LIMITS,
} from '../../src/node/input-limits.js';
import { PROJECT_ROOT } from '../helpers/run-cli.js';

/** The README's table of input limits, as [input, limit] cells. */
function readmeRows(): [string, string][] {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const lines = readme.slice(readme.indexOf('| input ')).split('\n');
  const table = lines.slice(
    0,
    lines.findIndex((line) => !line.startsWith('|')),
  );
  return table.slice(2).map(
    (line) =>
      line
        .split('|')
        .slice(1, 3)
        .map((cell) => cell.trim()) as [string, string],
  );
}

describe('the input limits', () => {
  it('are the README table, row for row', () => {
    const rows = readmeRows();
    // the README may say more in parentheses: which commands, which files
    const kind = (text: string) => text.replace(/ \(.*$/, '');
    const expected = Object.values(INPUT_LIMITS).map((limit) => [
      kind(limit.kind),
      formatBytes(limit.bytes),
    ]);
    expected.push([
      'a folder to archive',
      `${formatBytes(FOLDER_LIMITS.bytes)} in at most ${FOLDER_LIMITS.entries} entries`,
    ]);
    expected.push([
      'a folder of record bundles',
      `${formatBytes(RECORD_BATCH_LIMITS.bytes)} in at most ${RECORD_BATCH_LIMITS.bundles} bundles`,
    ]);
    expect(rows.map(([input, limit]) => [kind(input), limit])).toEqual(expected);
  });

  it('are formatted in the unit they were written in', () => {
    expect(formatBytes(4 * 1024 * 1024)).toBe('4 MiB');
    expect(formatBytes(64 * 1024)).toBe('64 KiB');
    expect(formatBytes(1000)).toBe('1000 bytes');
  });
});
