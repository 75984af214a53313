import { describe, expect, it } from 'vitest';
import { fileError } from '../../src/node/read-input.js';

const enoent = Object.assign(new Error('gone'), { code: 'ENOENT' });

describe('fileError wording', () => {
  it('names the kind of input once: "section file", "folder", never "file file"', () => {
    expect(fileError('a.yaml', 'section', enoent).message).toBe(
      'a.yaml: section file not found; check the path',
    );
    expect(fileError('d/x', 'file', enoent).message).toBe('d/x: file not found; check the path');
    expect(fileError('d', 'state folder', enoent).message).toBe(
      'd: state folder not found; check the path',
    );
  });
});
