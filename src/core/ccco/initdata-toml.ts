import { HpvsError } from '../errors.js';

/**
 * The TOML document IBM's peer-pod VM reads (SPEC-IBM A7.3). The layout matches IBM's byte
 * for byte when the contract fits a multi-line literal string, so the same contract gives the
 * same initdata; anything a literal string cannot hold (`'''`, control characters, a leading
 * line break that TOML would drop) is written as an escaped basic string instead of being
 * pasted in and breaking the document, which is what IBM's text template does.
 */

export const INITDATA_ALGORITHM = 'sha384';
export const INITDATA_VERSION = '0.1.0';
export const CONTRACT_ENTRY = 'contract.yaml';

export function initdataToml(contract: string): string {
  return (
    `\nalgorithm = ${basicString(INITDATA_ALGORITHM)}\n` +
    `version = ${basicString(INITDATA_VERSION)}\n\n` +
    `[data]\n${basicString(CONTRACT_ENTRY)} = ${tomlString(contract)}\n`
  );
}

/** A multi-line literal string when TOML reads it back unchanged, else an escaped basic one. */
export function tomlString(text: string): string {
  return fitsMultilineLiteral(text) ? `'''${text}'''` : basicString(text);
}

function fitsMultilineLiteral(text: string): boolean {
  if (text.includes("'''") || text.endsWith("'")) return false;
  // TOML trims a line break right after the opening delimiter.
  if (text.startsWith('\n') || text.startsWith('\r\n')) return false;
  // Tab and LF are the only control characters a literal string may hold; CR only before LF.
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(text.replace(/\r\n/g, '\n'))) return false;
  return !hasLoneSurrogate(text);
}

export function basicString(text: string): string {
  if (hasLoneSurrogate(text)) {
    throw new HpvsError('CONTRACT_INVALID', 'the contract is not valid Unicode text');
  }
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}
