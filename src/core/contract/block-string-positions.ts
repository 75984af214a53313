import { Scalar } from 'yaml';
import type { Position } from './yaml-positions.js';

/**
 * Maps a position inside the text of a YAML string (a `workload: |` block holding the section's
 * YAML) to the line and column of the file the user edits.
 *
 * A literal block (`|`, `|-`, `|+`, with or without an indentation indicator) keeps its lines:
 * inner line N is outer line (first content line + N - 1), shifted right by the block's
 * indentation. The mapping is checked line by line against the parsed value, so any text it
 * cannot explain (an odd indentation, a tab) falls back to the string's start instead of
 * pointing at a wrong place. Folded (`>`) and quoted or plain strings join or escape their
 * lines, so an inner line has no single outer line: they fall back to the string's start too.
 */
export type InnerPositionMap = (inner: Position) => Position;

const HEADER = /^\|([1-9])?[+-]?([1-9])?[ \t]*(?:#[^\n]*)?\r?\n/;

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}

/**
 * `text` is the whole outer file, `scalar` the string's node, `value` its parsed string and
 * `outer(offset)` the outer file's position of an offset. Returns undefined when the inner
 * positions cannot be mapped line for line.
 */
export function literalBlockMap(
  text: string,
  scalar: Scalar,
  value: string,
  outer: (offset: number) => Position,
): InnerPositionMap | undefined {
  if (scalar.type !== Scalar.BLOCK_LITERAL || !scalar.range) return undefined;
  const headerStart = scalar.range[0];
  const header = HEADER.exec(text.slice(headerStart, lineEnd(text, headerStart) + 1));
  if (!header) return undefined;
  const contentStart = headerStart + header[0].length;
  const explicit = header[1] ?? header[2];
  let indent: number;
  if (explicit !== undefined) {
    // the indicator counts from the indentation of the line holding the key
    const keyLineStart = text.lastIndexOf('\n', headerStart - 1) + 1;
    const parentIndent = /^ */.exec(text.slice(keyLineStart, headerStart))![0].length;
    indent = parentIndent + Number(explicit);
  } else {
    const firstText = /^(?: *\r?\n)* */.exec(text.slice(contentStart, scalar.range[1]));
    indent = firstText ? (/ *$/.exec(firstText[0])?.[0].length ?? 0) : 0;
  }
  if (indent === 0) return undefined;
  const innerLines = value.split('\n');
  // the last element after a final newline is empty and has no outer line of its own
  const count = value.endsWith('\n') ? innerLines.length - 1 : innerLines.length;
  let offset = contentStart;
  for (let index = 0; index < count; index += 1) {
    if (offset > text.length) return undefined;
    const end = lineEnd(text, offset);
    const line = text.slice(offset, end).replace(/\r$/, '');
    const expected = innerLines[index]!;
    const dedented = line.length >= indent ? line.slice(indent) : line.trim() === '' ? '' : null;
    if (dedented !== expected || (dedented !== '' && !line.startsWith(' '.repeat(indent)))) {
      return undefined;
    }
    offset = end + 1;
  }
  const first = outer(contentStart);
  return (inner) => ({ line: first.line + inner.line - 1, col: inner.col + indent });
}
