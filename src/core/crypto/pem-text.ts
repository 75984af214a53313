/**
 * PEM text: the one definition of a PEM block (RFC 7468: `-----BEGIN LABEL-----`, base64,
 * `-----END LABEL-----` with the same label) that key parsing, TLS material, the certificate
 * catalogue and the PKI reader all use.
 */

const PEM_BLOCK_SOURCE = '-----BEGIN ([A-Z0-9 ]+)-----([\\s\\S]*?)-----END \\1-----';

export interface PemBlock {
  /** `CERTIFICATE`, `PUBLIC KEY`, `ENCRYPTED PRIVATE KEY`, ... */
  label: string;
  /** The block from its BEGIN line to its END line, without what surrounds it. */
  text: string;
  /** What stands between the BEGIN and END lines: base64, perhaps after RFC 1421 headers. */
  body: string;
}

/** Every PEM block of a text, in order. */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(new RegExp(PEM_BLOCK_SOURCE, 'g'))].map((match) => ({
    label: match[1]!,
    text: match[0],
    body: match[2]!,
  }));
}

/** The first PEM block of a text, or undefined when it holds none. */
export function firstPemBlock(text: string): PemBlock | undefined {
  const match = new RegExp(PEM_BLOCK_SOURCE).exec(text);
  return match === null ? undefined : { label: match[1]!, text: match[0], body: match[2]! };
}

/** The DER bytes of a block: its base64 body without RFC 1421 headers (`Proc-Type: ...`). */
export function pemBlockDer(block: PemBlock): Buffer {
  return Buffer.from(block.body.replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, ''), 'base64');
}

/** PEM text normalised to LF line ends and one final newline, as a `|` block keeps it. */
export function normalizePem(pem: string): string {
  return `${pem.replace(/\r\n?/g, '\n').trim()}\n`;
}
