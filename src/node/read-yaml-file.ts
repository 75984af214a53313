import { HpvsError } from '../core/errors.js';
import { INPUT_LIMITS } from './input-limits.js';
import { parseYamlDocuments, yamlValue } from '../core/text/parse-yaml.js';
import { readTextInput } from './read-input.js';

/**
 * Reads a YAML (or JSON) input file of a builder flag. With `all`, every document of the file
 * is returned; otherwise the file must hold exactly one. What it holds goes into a section, so
 * it is read up to a section's limit. Load it with `await import()`.
 */
export async function readYamlFile(path: string, what: string): Promise<unknown>;
export async function readYamlFile(path: string, what: string, all: true): Promise<unknown[]>;
export async function readYamlFile(path: string, what: string, all = false): Promise<unknown> {
  const text = await readTextInput(path, what, INPUT_LIMITS.section);
  const parsed = parseYamlDocuments(text, path);
  const values = parsed.documents
    .map((document) => yamlValue(parsed, document))
    .filter((value) => value !== null);
  if (all) return values;
  if (values.length !== 1) {
    throw new HpvsError(
      'YAML_INVALID',
      `${path}: expected one YAML document with the ${what}, found ${values.length}`,
    );
  }
  return values[0];
}
