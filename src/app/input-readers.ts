import { decodeUtf8Exactly } from '../core/text/utf8-text.js';
import { INPUT_LIMITS } from '../node/input-limits.js';
import { readInput } from '../node/read-input.js';
import { readSecret } from '../node/read-secret.js';

/**
 * How a use case reads the files it was named: the CLI passes `nodeInputReaders`, a library
 * caller or a test can pass readers over memory. Each reader bounds what it reads and names
 * the file and `what` in its errors.
 */
export interface InputReaders {
  /** PEM material (a certificate, a key): bounded like any PEM input. */
  pem(path: string, what: string): Promise<Uint8Array>;
  /** A secret (a seed, an API key), one final line break removed. */
  secret(path: string, what: string): Promise<Uint8Array>;
  /** The one YAML document of a file. */
  yaml(path: string, what: string): Promise<unknown>;
  /** Every YAML document of a file. */
  yamlDocuments(path: string, what: string): Promise<unknown[]>;
  /** A folder as the deterministic base64 tgz a workload carries, and what it noticed. */
  archive(dir: string, kind: 'compose' | 'play'): Promise<{ base64: string; warnings: string[] }>;
}

export const nodeInputReaders: InputReaders = {
  pem: (path, what) => readInput(path, what, INPUT_LIMITS.pem),
  secret: (file, what) => readSecret({ file, what }),
  async yaml(path, what) {
    const { readYamlFile } = await import('../node/read-yaml-file.js');
    return readYamlFile(path, what);
  },
  async yamlDocuments(path, what) {
    const { readYamlFile } = await import('../node/read-yaml-file.js');
    return readYamlFile(path, what, true);
  },
  async archive(dir, kind) {
    const { archiveFolder } = await import('../node/archive-folder.js');
    const result = await archiveFolder(dir, { kind });
    return { base64: result.base64, warnings: [...result.warnings] };
  },
};

/**
 * A secret file as the UTF-8 text the runtime takes (a seed, an API key). Bytes that are not
 * UTF-8 are refused at their place: a lenient decoder would put U+FFFD in the contract, a
 * secret other than the one in the file.
 */
export async function readSecretText(
  read: Pick<InputReaders, 'secret'>,
  path: string,
  what: string,
): Promise<string> {
  return secretText(Buffer.from(await read.secret(path, what)), path, what);
}

/** `bytes` of the secret `what` read from `source` as exact UTF-8 (its bytes never shown). */
export function secretText(bytes: Buffer, source: string, what: string): string {
  return decodeUtf8Exactly(bytes, source === '-' ? 'stdin' : source, {
    what: `the ${what}`,
    code: 'SECRET_INVALID',
    showByte: false,
  });
}
